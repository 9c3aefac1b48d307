#!/usr/bin/env bash
# Nothing ingestible -> failed, exit 3, with the service's reason: every record
# bad, bytes that are not UTF-8, an empty (0-byte) file.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

fake_start --dataset ds:"$SCHEMA" --processing-ms 50
run_cli allbad "${FAST[@]}" --json ds "$IT_DATA/invalid.jsonl"
assert_rc 3
json_check allbad "$JSON_SHAPE" "record shape"
json_check allbad 'len(o) == 1 and o[0]["status"] == "failed"'
json_check allbad 'isinstance(o[0]["reason"], str) and "rejected" in o[0]["reason"]' "reason names the rejection"
json_check allbad 'o[0]["error"] is None and o[0]["import_id"]'
assert_file_contains "$ERR" "failed" "stderr names the outcome"

printf '{"prompt": "\xff\xfe", "response": "x", "category": "y"}\n' >"$TMP/latin1.jsonl"
run_cli notutf8 "${FAST[@]}" --json ds "$TMP/latin1.jsonl"
assert_rc 3
json_check notutf8 'o[0]["status"] == "failed" and "UTF-8" in (o[0]["reason"] or "")'

: >"$TMP/empty.jsonl"
run_cli empty "${FAST[@]}" --json ds "$TMP/empty.jsonl"
assert_rc 3
json_check empty 'o[0]["status"] == "failed" and "no records" in (o[0]["reason"] or "")' "a 0-byte file is uploaded and judged"
fake_stop
