#!/usr/bin/env bash
# Batches (issue 7): three files where the second ends partial -> the other
# two complete, the dataset's total_datapoint_count is reported and right;
# at most --max-in-flight files at once; --fail-fast stops the rest;
# --show-dataset prints what the service holds.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

fake_start --dataset ds:"$SCHEMA" --processing-ms 200
make_jsonl "$TMP/a.jsonl" 5
make_jsonl "$TMP/c.jsonl" 4 41  # other records than a.jsonl's (identical ones would be duplicates)

run_cli batch "${FAST[@]}" --json --max-in-flight 2 ds "$TMP/a.jsonl" "$SAMPLE" "$TMP/c.jsonl"
assert_rc 2 "complete+partial+complete"
json_check batch "$JSON_SHAPE" "record shape"
json_check batch '[x["status"] for x in o] == ["complete", "partial", "complete"]' "the second partial, the others complete"
json_check batch '[x["accepted_count"] for x in o] == [5, 16, 4]' "accepted counts"
json_check batch 'all(x["dataset_total_datapoint_count"] == 25 for x in o)' "the dataset total after the batch"
assert_file_contains "$ERR" "total_datapoint_count 25" "stderr reports the dataset total"
# The PUTs reached the service in the order given (it processes imports in arrival order).
puts=$(sed -n 's|^PUT /s3/.*/\([^/?]*\)[? ].*|\1|p' "$FAKE_LOG" | tr '\n' ' ')
assert_eq "a.jsonl reviews.jsonl c.jsonl " "$puts" "the order of the PUTs"
total=$(api_get datasets/ds | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["total_datapoint_count"])')
assert_eq 25 "$total" "the server's total_datapoint_count"

# --show-dataset: the same total, the schema and the three imports.
run_cli show "${FAST[@]}" --show-dataset ds
assert_rc 0 "--show-dataset"
assert_file_contains "$OUT" "total_datapoint_count: 25" "the total"
assert_file_contains "$OUT" "prompt +text" "the schema's fields and types"
run_cli showjson "${FAST[@]}" --json --show-dataset ds
assert_rc 0 "--show-dataset --json"
json_check showjson 'o[0]["total_datapoint_count"] == 25 and len(o[0]["imports"]) == 3 and "prompt" in o[0]["schema"]["fields"]'
# In the service's order (most recent first), not re-sorted.
ids=$(api_get datasets/ds | "$PY" -c 'import json,sys; print(" ".join(i["import_id"] for i in json.load(sys.stdin)["imports"]))')
json_check showjson "' '.join(i['import_id'] for i in o[0]['imports']) == '$ids'" "imports in the service's order"
assert_file_contains "$TMP/show.stdout" "imports \\(most recent first" "the text says the order"
run_cli showmissing "${FAST[@]}" --show-dataset nosuch
assert_rc 5 "--show-dataset of an unknown dataset"

# --fail-fast: the first file fails, so the later ones never start.
run_cli ff "${FAST[@]}" --json --fail-fast --max-in-flight 1 ds "$IT_DATA/invalid.jsonl" "$TMP/a.jsonl" "$TMP/c.jsonl"
assert_rc 5 "fail-fast: failed, then cancelled (a client-side outcome)"
json_check ff 'o[0]["status"] == "failed" and all(x["error"] and x["error"]["code"] == "cancelled" for x in o[1:])' "the rest cancelled"
# Without it, a failed file does not stop the others.
run_cli noff "${FAST[@]}" --json --max-in-flight 1 ds "$IT_DATA/invalid.jsonl" "$TMP/a.jsonl"
assert_rc 3 "failed + complete"
json_check noff '[x["status"] for x in o] == ["failed", "complete"]'

# An unreadable file is one file's error, not the batch's.
run_cli missing "${FAST[@]}" --json ds "$TMP/a.jsonl" "$TMP/no-such-file.jsonl"
assert_rc 5
json_check missing 'o[0]["status"] == "complete" and o[1]["error"]["code"] == "invalid_argument"'

run_cli badk "${FAST[@]}" --max-in-flight 0 ds "$TMP/a.jsonl" "$TMP/c.jsonl"
assert_rc 64 "--max-in-flight 0"
fake_stop
