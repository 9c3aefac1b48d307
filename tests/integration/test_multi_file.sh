#!/usr/bin/env bash
# Several files in one run: handled in the order given, one JSON object per
# file in that order, the highest exit code wins.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

fake_start --dataset ds:"$SCHEMA" --dataset noschema --processing-ms 50

# complete, partial, failed, complete -> 3
run_cli mixed "${FAST[@]}" --json ds "$IT_DATA/valid.jsonl" "$SAMPLE" "$IT_DATA/invalid.jsonl" "$IT_DATA/valid.csv"
assert_rc 3 "complete+partial+failed+complete"
json_check mixed "$JSON_SHAPE" "record shape"
json_check mixed '[x["status"] for x in o] == ["complete", "partial", "failed", "complete"]' "statuses in file order"
json_check mixed '[x["file"].rsplit("/", 1)[-1] for x in o] == ["valid.jsonl", "reviews.jsonl", "invalid.jsonl", "valid.csv"]' "file names in order"
json_check mixed 'len({x["import_id"] for x in o}) == 4' "four distinct imports"
assert_mention_order "$ERR" valid.jsonl reviews.jsonl invalid.jsonl valid.csv
# The server's request log shows the PUTs themselves in that order.
puts=$(sed -n 's|^PUT /s3/.*/\([^/?]*\)[? ].*|\1|p' "$FAKE_LOG" | tr '\n' ' ')
assert_eq "valid.jsonl reviews.jsonl invalid.jsonl valid.csv " "$puts" "the order of the PUTs the fake server saw"

# The service ingested 6 + 16 + 0 + 4 records.
total=$(api_get datasets/ds | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["total_datapoint_count"])')
assert_eq 26 "$total" "total_datapoint_count"

# complete then partial -> 2; the reverse order too (the highest, not the last).
run_cli cp "${FAST[@]}" --json ds "$IT_DATA/valid.jsonl" "$SAMPLE"
assert_rc 2 "complete+partial"
run_cli pc "${FAST[@]}" --json ds "$SAMPLE" "$IT_DATA/valid.csv"
assert_rc 2 "partial+complete"
json_check pc '[x["status"] for x in o] == ["partial", "complete"]'

# failed then complete -> 3
run_cli fc "${FAST[@]}" ds "$IT_DATA/invalid.jsonl" "$IT_DATA/valid.jsonl"
assert_rc 3 "failed+complete"

# pending_schema (4) on every file of a dataset without a schema
run_cli pend "${FAST[@]}" --json noschema "$IT_DATA/valid.jsonl" "$IT_DATA/valid.csv"
assert_rc 4 "pending_schema x2"
json_check pend '[x["status"] for x in o] == ["pending_schema", "pending_schema"]'

fake_stop
