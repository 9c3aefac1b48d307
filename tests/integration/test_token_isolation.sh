#!/usr/bin/env bash
# The token goes to the API host only: the fake S3 refuses a PUT carrying
# Authorization (400 InvalidArgument), so a complete run proves the PUT had
# none; the token never shows in the CLI's output nor in the server's log,
# also when the service refuses it.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

fake_start --dataset ds:"$SCHEMA" --processing-ms 50

# First prove the guard: the fake S3 does refuse an Authorization header.
body=$(curl --noproxy '*' -sS --max-time 10 -H "Authorization: Token $TOKEN" \
  "$FAKE_API/datasets/ds/upload-url/guard.jsonl")
url=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["upload_url"])' "$body")
code=$(curl --noproxy '*' -sS --max-time 10 -o "$TMP/guard.xml" -w '%{http_code}' -T "$IT_DATA/valid.jsonl" \
  -H "Content-Type: application/x-ndjson" -H "Authorization: Token not-the-real-one" "$url")
assert_eq 400 "$code" "the fake S3's answer to a PUT with Authorization"
assert_file_contains "$TMP/guard.xml" "InvalidArgument" "the fake S3's error code"

for f in "$IT_DATA/valid.jsonl" "$SAMPLE" "$IT_DATA/valid.csv"; do
  run_cli "ok-$(basename "$f")" "${FAST[@]}" --json ds "$f"
  assert_rc_in "0 2" "upload of $(basename "$f")"
  json_check "ok-$(basename "$f")" 'o[0]["status"] in ("complete", "partial")' "the PUT was accepted (so it had no Authorization)"
done
fake_stop   # checks the server's log for the token

# The service refuses the token: exit 5, a clear message, still no token anywhere.
fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --token "some-other-token"
run_cli badtoken "${FAST[@]}" --json ds "$IT_DATA/valid.jsonl"
assert_rc 5 "an invalid token"
assert_file_contains "$ERR" "401|unauthori[sz]ed|token" "stderr says the token was refused"
json_check badtoken 'isinstance(o[0]["error"], dict) and o[0]["status"] != "complete"'
assert_elapsed_below 15 "a refused token is final, not retried"
fake_stop
