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
json_check jsonl 'o[0]["errors"] == [] and o[0]["error"] is None and o[0]["file"].endswith("valid.jsonl")'
id=$(json_get jsonl 0 import_id)
[[ -n $id ]] || fail "--json has no import_id"
assert_eq complete "$(import_status ds "$id")" "the service's status of import $id"
assert_file_contains "$ERR" "complete" "stderr reports the terminal status"

run_cli csv "${FAST[@]}" --json ds "$IT_DATA/valid.csv"
assert_rc 0
json_check csv 'o[0]["status"] == "complete" and o[0]["accepted_count"] == 4'

# --quiet: still exit 0, still the JSON; stdout carries nothing but JSON.
run_cli quiet "${FAST[@]}" --json --quiet ds "$IT_DATA/valid.jsonl"
assert_rc 0
json_check quiet 'len(o) == 1 and o[0]["status"] == "complete"'
quiet_lines=$(wc -l <"$ERR")
verbose_lines=$(wc -l <"$TMP/jsonl.stderr")
[[ $quiet_lines -lt $verbose_lines ]] || fail "--quiet printed as much on stderr ($quiet_lines lines) as a normal run ($verbose_lines)"

# total_datapoint_count counts the three complete imports.
total=$(api_get datasets/ds | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["total_datapoint_count"])')
assert_eq 16 "$total" "total_datapoint_count after 6 + 4 + 6 records"
fake_stop
