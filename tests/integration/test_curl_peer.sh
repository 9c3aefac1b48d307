#!/usr/bin/env bash
# curl against the fake server sees what a real client sees: step 1 with the
# token, a raw PUT with the given Content-Type, polls until terminal.
source "$(dirname "$0")/lib.sh"
it_init; need_fake; need_tool curl

fake_start --dataset ds:"$SCHEMA" --processing-ms 50
C=(curl --noproxy '*' -sS --max-time 10)

code=$("${C[@]}" -o "$TMP/noauth.json" -w '%{http_code}' "$FAKE_API/datasets/ds/upload-url/valid.jsonl")
assert_eq 401 "$code" "step 1 without a token"
code=$("${C[@]}" -o "$TMP/wrongauth.json" -w '%{http_code}' -H "Authorization: Token nope" "$FAKE_API/datasets/ds/upload-url/valid.jsonl")
assert_eq 401 "$code" "step 1 with a wrong token"
code=$("${C[@]}" -o "$TMP/nods.json" -w '%{http_code}' -H "Authorization: Token $TOKEN" "$FAKE_API/datasets/nope/upload-url/valid.jsonl")
assert_eq 404 "$code" "step 1 for a missing dataset"
code=$("${C[@]}" -o "$TMP/badext.json" -w '%{http_code}' -H "Authorization: Token $TOKEN" "$FAKE_API/datasets/ds/upload-url/notes.txt")
assert_eq 400 "$code" "step 1 for a .txt file"
code=$("${C[@]}" -o "$TMP/step1.json" -w '%{http_code}' -H "Authorization: Token $TOKEN" "$FAKE_API/datasets/ds/upload-url/valid.jsonl")
assert_eq 201 "$code" "step 1 answers 201 Created, as the official client requires"
"$PY" - "$TMP/step1.json" <<'PY' || fail "step 1's answer lacks a field"
import json, sys
a = json.load(open(sys.argv[1]))
for k in ("upload_url", "http_method", "import_id", "content_type", "expires_at", "file_key"):
    assert isinstance(a.get(k), str) and a[k], k
assert a["http_method"] == "PUT"
assert a["content_type"] == "application/x-ndjson", a["content_type"]
assert "X-Amz-Signature=" in a["upload_url"] and "X-Amz-Expires=" in a["upload_url"]
assert a["upload_url"].startswith("http://127.0.0.1:")
PY
url=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["upload_url"])' "$TMP/step1.json")
id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["import_id"])' "$TMP/step1.json")
assert_eq uninitialised "$(import_status ds "$id")" "status before the PUT"

# A wrong Content-Type breaks the signature: 403 SignatureDoesNotMatch.
code=$("${C[@]}" -o "$TMP/badtype.xml" -w '%{http_code}' -T "$IT_DATA/valid.jsonl" -H "Content-Type: text/plain" "$url")
assert_eq 403 "$code" "PUT with the wrong Content-Type"
assert_file_contains "$TMP/badtype.xml" "SignatureDoesNotMatch" "the S3 error code"
# An altered query breaks it too.
code=$("${C[@]}" -o "$TMP/altered.xml" -w '%{http_code}' -T "$IT_DATA/valid.jsonl" -H "Content-Type: application/x-ndjson" "${url/X-Amz-Signature=/X-Amz-Signature=0}")
assert_eq 403 "$code" "PUT to an altered URL"

code=$("${C[@]}" -D "$TMP/put.headers" -o "$TMP/put.body" -w '%{http_code}' -T "$IT_DATA/valid.jsonl" -H "Content-Type: application/x-ndjson" "$url")
assert_eq 200 "$code" "curl -T with the right Content-Type"
assert_file_contains "$TMP/put.headers" "^etag:" "the PUT's ETag"

# Poll until terminal: bounded, 10 s in 50 ms steps.
status=""
for _ in $(seq 200); do
  status=$(import_status ds "$id")
  case $status in complete|partial|failed|pending_schema) break;; esac
  sleep 0.05
done
assert_eq complete "$status" "the import's terminal status"
api_get "datasets/ds/imports/$id" >"$TMP/import.json"
"$PY" - "$TMP/import.json" "$id" <<'PY' || fail "the import's fields"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["import_id"] == sys.argv[2] and r["dataset_id"] == "ds"
assert r["accepted_count"] == 6
for k in ("created_at", "updated_at", "type"):
    assert isinstance(r.get(k), str), k
PY

# A partial import over curl, with its errors.
api_get datasets/ds/upload-url/reviews.jsonl >"$TMP/step1b.json"
url=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["upload_url"])' "$TMP/step1b.json")
id=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["import_id"])' "$TMP/step1b.json")
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -T "$SAMPLE" -H "Content-Type: application/x-ndjson" "$url")
assert_eq 200 "$code" "PUT of reviews.jsonl"
for _ in $(seq 200); do
  status=$(import_status ds "$id")
  case $status in complete|partial|failed|pending_schema) break;; esac
  sleep 0.05
done
assert_eq partial "$status" "reviews.jsonl's terminal status"
api_get "datasets/ds/imports/$id" | "$PY" -c '
import json, sys
r = json.load(sys.stdin)
assert r["accepted_count"] == 16 and r["rejected_count"] == 4, r
assert 1 <= len(r["errors"]) <= 4, r["errors"]' || fail "the partial import's counts"
fake_stop
