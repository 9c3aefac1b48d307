#!/usr/bin/env bash
# A dataset without a schema -> pending_schema, exit 4, with a hint.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

fake_start --dataset noschema --processing-ms 50
run_cli pending "${FAST[@]}" --json noschema "$IT_DATA/valid.jsonl"
assert_rc 4
json_check pending "$JSON_SHAPE" "record shape"
json_check pending 'len(o) == 1 and o[0]["status"] == "pending_schema" and o[0]["error"] is None and o[0]["import_id"]'
assert_file_contains "$ERR" "schema" "stderr explains the missing schema"
fake_stop
