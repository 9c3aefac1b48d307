#!/usr/bin/env bash
# data/sample/reviews.jsonl: 20 records, 4 bad -> partial, exit 2, the
# rejected records listed in --json and on stderr.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

fake_start --dataset ds:"$SCHEMA" --processing-ms 50
run_cli partial "${FAST[@]}" --json ds "$SAMPLE"
assert_rc 2
json_check partial "$JSON_SHAPE" "record shape"
json_check partial 'len(o) == 1 and o[0]["status"] == "partial"'
json_check partial 'o[0]["accepted_count"] == 16 and o[0]["rejected_count"] == 4'
json_check partial '1 <= len(o[0]["errors"]) <= 4 and all(isinstance(e, dict) for e in o[0]["errors"])' "errors[] lists the rejected records"
# The bad lines are records 4 (no response), 9 (not an object), 13 (empty
# prompt) and 17 (field not in the strict schema).
json_check partial 'sorted({e.get("record_index") for e in o[0]["errors"]}) == [4, 9, 13, 17]' "errors[].record_index"
json_check partial 'any(e.get("field") == "response" and e.get("record_index") == 4 for e in o[0]["errors"])' "record 4's field"
json_check partial 'o[0]["error"] is None and o[0]["import_id"]'
assert_file_contains "$ERR" "partial" "stderr names the outcome"
assert_file_contains "$ERR" "record 4" "stderr lists the rejected records"
# The service's reason on a partial outcome is shown, as a warning.
json_check partial 'o[0]["reason"] == "4 of 20 records were rejected"' "the reason in --json"
assert_file_contains "$ERR" "warning from the service, reason: 4 of 20 records were rejected" "the reason on stderr"

# Without --json: same exit code, nothing but (possibly) nothing on stdout.
run_cli plain "${FAST[@]}" ds "$SAMPLE"
assert_rc 2
fake_stop

# While the service processes the file, its own figures are shown: the
# offset as a share of the file (a line per 10 % off a terminal), with the
# running counts.
fake_start --dataset ds:"$SCHEMA" --processing-ms 1500
run_cli progress "${FAST[@]}" ds "$SAMPLE"
assert_rc 2
assert_file_contains "$ERR" "reviews.jsonl: processed [0-9]+%: [0-9]+ written, [0-9]+ already present, [0-9]+ rejected" "server-side progress"
fake_stop
