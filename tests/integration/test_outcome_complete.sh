#!/usr/bin/env bash
# Every record valid -> complete, exit 0 (JSONL and CSV); --json says so;
# the service agrees; the progress names the status on stderr.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

fake_start --dataset ds:"$SCHEMA" --processing-ms 50
run_cli jsonl "${FAST[@]}" --json ds "$IT_DATA/valid.jsonl"
assert_rc 0
json_check jsonl "$JSON_SHAPE" "record shape"
json_check jsonl 'len(o) == 1' "one JSON object for one file"
json_check jsonl 'o[0]["status"] == "complete" and o[0]["accepted_count"] == 6 and o[0]["rejected_count"] in (None, 0)'
json_check jsonl 'o[0]["duplicate_count"] == 0 and o[0]["new_count"] == 6' "accepted = already present + new"
assert_file_contains "$ERR" "6 accepted \\(0 already present, 6 new\\)" "stderr splits the accepted records"
json_check jsonl 'o[0]["errors"] == [] and o[0]["error"] is None and o[0]["file"].endswith("valid.jsonl")'
id=$(json_get jsonl 0 import_id)
[[ -n $id ]] || fail "--json has no import_id"
assert_eq complete "$(import_status ds "$id")" "the service's status of import $id"
assert_file_contains "$ERR" "complete" "stderr reports the terminal status"

run_cli csv "${FAST[@]}" --json ds "$IT_DATA/valid.csv"
assert_rc 0
json_check csv 'o[0]["status"] == "complete" and o[0]["accepted_count"] == 4'

# --quiet: still exit 0, still the JSON; stdout carries nothing but JSON.
# The same file a second time: its records are accepted, all already present.
run_cli quiet "${FAST[@]}" --json --quiet ds "$IT_DATA/valid.jsonl"
assert_rc 0
json_check quiet 'len(o) == 1 and o[0]["status"] == "complete"'
json_check quiet 'o[0]["accepted_count"] == 6 and o[0]["duplicate_count"] == 6 and o[0]["new_count"] == 0' "a second upload: duplicates"
quiet_lines=$(wc -l <"$ERR")
verbose_lines=$(wc -l <"$TMP/jsonl.stderr")
[[ $quiet_lines -lt $verbose_lines ]] || fail "--quiet printed as much on stderr ($quiet_lines lines) as a normal run ($verbose_lines)"

# And a third time, told on stderr: every accepted record was a duplicate.
run_cli thrice "${FAST[@]}" ds "$IT_DATA/valid.jsonl"
assert_rc 0
assert_file_contains "$ERR" "6 accepted \\(6 already present, 0 new\\)" "the split"
assert_file_contains "$ERR" "warning: every accepted record was already in the dataset" "the warning"

# total_datapoint_count counts the records written: 6 + 4, the repeats not again.
total=$(api_get datasets/ds | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["total_datapoint_count"])')
assert_eq 10 "$total" "total_datapoint_count after 6 + 4 records and two repeats of the 6"
fake_stop
