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

# The hint is a request that works: the file's fields, PATCHed as printed,
# then the paused import, followed with --resume as printed, completes.
# (CSV: the header row gives the fields.) It never advises a re-upload first.
run_cli pendcsv "${FAST[@]}" --json noschema "$IT_DATA/valid.csv"
assert_rc 4 "CSV, no schema"
assert_file_contains "$ERR" "curl -X PATCH" "the hint is a command"
assert_file_lacks_string "$ERR" "again" "no re-upload advice"
csv_import=$(json_get pendcsv 0 import_id)
assert_file_contains "$ERR" "upstate-upload --resume noschema $csv_import" "the next step follows the same import"
body=$("$PY" -c 'import sys; print(next((l.split(" -d \x27", 1)[1].rstrip().rstrip("\x27") for l in open(sys.argv[1]) if "/datasets/noschema -d " in l), ""))' "$ERR")
[[ -n $body ]] || fail "no PATCH body in the hint"
echo "$body" >"$TMP/hint.json"
json_check "$TMP/hint.json" 'sorted(o[0]["schema"]["fields"]) == ["category", "prompt", "response"]' "the CSV header's fields"
curl --noproxy '*' -sS --fail-with-body --max-time 10 -X PATCH -H "Authorization: Token $TOKEN" \
  -H "Content-Type: application/json" "$FAKE_API/datasets/noschema" -d "$body" >/dev/null || fail "the hinted PATCH was refused"
run_cli after "${FAST[@]}" --json --resume noschema "$csv_import"
assert_rc 0 "the paused import, resumed after the hinted PATCH"
json_check after 'o[0]["status"] == "complete" and o[0]["accepted_count"] > 0'
fake_stop
