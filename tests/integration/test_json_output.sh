#!/usr/bin/env bash
# --json: exactly one parseable JSON object per file on stdout (progress
# stays on stderr), with the documented fields, for every kind of outcome,
# and file names that need escaping round-trip exactly.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

fake_start --dataset ds:"$SCHEMA" --processing-ms 50
mkdir -p "$TMP/names"
odd1=$TMP/names/'quote " and back\slash é 名.jsonl'
odd2=$TMP/names/'space # hash ? query % pct & amp +plus.csv'
cp "$IT_DATA/valid.jsonl" "$odd1"
cp "$IT_DATA/valid.csv" "$odd2"

run_cli all "${FAST[@]}" --json ds "$IT_DATA/valid.jsonl" "$SAMPLE" "$IT_DATA/invalid.jsonl" "$odd1" "$odd2"
assert_rc 3
[[ $(grep -c . "$OUT") == 5 ]] || fail "expected 5 non-empty stdout lines, got $(grep -c . "$OUT")"
json_check all "$JSON_SHAPE" "every object has file, import_id, status, accepted_count, rejected_count, errors, reason, error"
json_check all 'all(isinstance(x["import_id"], str) and x["import_id"] for x in o)'
json_check all 'all(x["accepted_count"] is None or (isinstance(x["accepted_count"], int) and x["accepted_count"] >= 0) for x in o)'
json_check all 'all(x["rejected_count"] is None or (isinstance(x["rejected_count"], int) and x["rejected_count"] >= 0) for x in o)'
json_check all 'all(x["reason"] is None or isinstance(x["reason"], str) for x in o)'
json_check all 'o[2]["status"] == "failed" and isinstance(o[2]["reason"], str)'
json_check all 'o[1]["status"] == "partial" and o[1]["rejected_count"] == 4 and len(o[1]["errors"]) >= 1'
"$PY" - "$OUT" "$odd1" "$odd2" <<'PY' || fail "odd file names did not round-trip through --json"
import json, sys
o = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
assert o[3]["file"] == sys.argv[2], (o[3]["file"], sys.argv[2])
assert o[4]["file"] == sys.argv[3], (o[4]["file"], sys.argv[3])
assert o[3]["status"] == "complete" and o[4]["status"] == "complete", (o[3]["status"], o[4]["status"])
PY

# A client-side error also gives one object, with error.code and error.message.
run_cli notfound "${FAST[@]}" --json no-such-dataset "$IT_DATA/valid.jsonl"
assert_rc 5 "a dataset that does not exist"
json_check notfound 'len(o) == 1' "one object"
json_check notfound "$JSON_SHAPE" "record shape"
json_check notfound 'isinstance(o[0]["error"], dict) and o[0]["error"]["code"] and o[0]["error"]["message"]'
assert_file_contains "$ERR" "404|not found" "stderr says what the API answered"

echo 'a,b' >"$TMP/notes.txt"
run_cli badtype "${FAST[@]}" --json ds "$TMP/notes.txt"
assert_rc 5 "a .txt file the API refuses"
json_check badtype 'len(o) == 1 and isinstance(o[0]["error"], dict)'
# The API's explanation (detail), its error_code and title, not the title alone.
json_check badtype '"HTTP 400: Unsupported file type" in o[0]["error"]["message"] and "(error_code 140400; Bad Request)" in o[0]["error"]["message"]' "the error's detail, code and title"
fake_stop
