#!/usr/bin/env bash
# The rejected-records loop and pre-flight (issue 7): a partial upload with
# --rejected-out writes exactly the rejected source records and the reasons;
# fixed, that file uploads cleanly and the dataset ends with every record.
# --preflight strict refuses a file the service would reject, naming line and
# field, before any PUT; warn reports and uploads.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

fake_start --dataset ds:"$SCHEMA" --dataset ds2:"$SCHEMA" --processing-ms 50
mkdir -p "$TMP/out"

run_cli partial "${FAST[@]}" --json --rejected-out "$TMP/out" ds "$SAMPLE"
assert_rc 2 "partial"
json_check partial 'o[0]["accepted_count"] == 16 and o[0]["rejected_count"] == 4'
rej=$TMP/out/reviews.rejected.jsonl
reasons=$TMP/out/reviews.rejected.jsonl.reasons.txt
[[ -f $rej && -f $reasons ]] || fail "no rejected-records file or reasons file in $TMP/out: $(ls "$TMP/out")"
# Exactly the four rejected source lines (records 4, 9, 13, 17), byte for byte, in order.
expected=$(awk 'NF' "$SAMPLE" | sed -n '5p;10p;14p;18p')
assert_eq "$expected" "$(cat "$rej")" "the rejected records, byte for byte"
assert_file_contains "$reasons" 'record 4 .*field "response".*missing required field' "the reason of record 4"
assert_file_contains "$reasons" 'record 17 .*"rating".*not in schema' "the reason of record 17"
assert_file_contains "$ERR" "4 rejected records written to" "stderr says where they went"

# Fix them the way the reasons say, upload the fixed file: complete.
"$PY" - "$rej" "$TMP/fixed.jsonl" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1], encoding="utf-8"):
    v = json.loads(line)
    if not isinstance(v, dict):                  # record 9: not a JSON object
        v = {"prompt": " ".join(map(str, v)), "response": "fixed", "category": "books"}
    v.setdefault("response", "fixed")            # record 4: missing response
    if not v.get("prompt"): v["prompt"] = "fixed prompt"   # record 13: empty prompt
    v.pop("rating", None)                        # record 17: field not in schema
    out.append(json.dumps(v))
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(out) + "\n")
PY
# Plus a record the first upload already accepted (an easy slip when fixing by hand).
awk 'NF' "$SAMPLE" | head -1 >>"$TMP/fixed.jsonl"
run_cli fixed "${FAST[@]}" --json --preflight strict ds "$TMP/fixed.jsonl"
assert_rc 0 "the fixed rejected records upload cleanly"
json_check fixed 'o[0]["status"] == "complete" and o[0]["accepted_count"] == 5'
json_check fixed 'o[0]["duplicate_count"] == 1 and o[0]["new_count"] == 4' "the repeated record is already present"
assert_file_contains "$ERR" "5 accepted \\(1 already present, 4 new\\)" "stderr splits the accepted records"
total=$(api_get datasets/ds | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["total_datapoint_count"])')
assert_eq 20 "$total" "every one of the 20 records is in the dataset, the repeated one once"

# --preflight strict: refused before any request to the upload host.
puts_before=$(grep -c '^PUT /s3/' "$FAKE_LOG" || true)
run_cli strict "${FAST[@]}" --json --preflight strict ds2 "$SAMPLE"
assert_rc 5 "strict refuses"
json_check strict 'o[0]["error"]["code"] == "preflight_failed" and o[0]["import_id"] is None'
assert_file_contains "$ERR" 'line 5, record 4, field "response"' "the report names line and field"
assert_file_contains "$ERR" 'line 10, record 9' "a line that is not a JSON object"
assert_eq "$puts_before" "$(grep -c '^PUT /s3/' "$FAKE_LOG" || true)" "no PUT for a refused file"
# warn (the default): the same report, and the upload goes ahead.
run_cli warn "${FAST[@]}" --json ds2 "$SAMPLE"
assert_rc 2 "warn uploads anyway"
assert_file_contains "$ERR" "pre-flight: 20 records; 4 would be rejected" "warn reports"
# A file the service would fail as a whole (not UTF-8) is named as such.
printf '{"prompt": "caf\xe9", "response": "x"}\n' >"$TMP/latin1.jsonl"
run_cli notutf8 "${FAST[@]}" --preflight strict ds2 "$TMP/latin1.jsonl"
assert_rc 5 "not UTF-8"
assert_file_contains "$ERR" "UTF-8" "the reason"
run_cli off "${FAST[@]}" --preflight off ds2 "$TMP/latin1.jsonl"
assert_rc 3 "--preflight off: the service fails it"
assert_file_lacks_string "$ERR" "pre-flight" "off means no check"
run_cli badmode "${FAST[@]}" --preflight maybe ds2 "$SAMPLE"
assert_rc 64 "--preflight with an unknown mode"
fake_stop
