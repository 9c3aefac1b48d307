#!/usr/bin/env bash
# pending_schema is a pause, not an end (issue 14 item 2): upstate never
# advises a re-upload first, --wait-for-schema follows the paused import
# until it goes on, and in either reading of the service (the paused import
# resumes once a schema is set, or it stays paused) the file is ingested once.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

FILE=$IT_DATA/valid.jsonl
RECORDS=$(grep -c . "$FILE")
SCHEMA='{"schema": {"fields": {"prompt": {"type": "text"}, "response": {"type": "text"}, "category": {"type": "text"}}}}'

set_schema() { # DATASET
  curl --noproxy '*' -sS --fail-with-body --max-time 10 -X PATCH -H "Authorization: Token $TOKEN" \
    -H "Content-Type: application/json" "$FAKE_API/datasets/$1" -d "$SCHEMA" >/dev/null || fail "PATCH $1 refused"
}
# dataset_check DATASET PY_EXPR what: o = the dataset as the fake shows it.
dataset_check() {
  api_get "datasets/$1" >"$TMP/ds.json" || fail "GET datasets/$1"
  "$PY" -c 'import json,sys; o=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
    "$TMP/ds.json" "$2" || { cat "$TMP/ds.json" >&2; fail "dataset: $3"; }
}
# Exactly one import ingested the file, and the total is the file's records (not double).
ONCE="sum(1 for i in o['imports'] if i['status'] == 'complete') == 1 and o['total_datapoint_count'] == $RECORDS"

# The slow cadence has the same floor as --poll-interval.
run_cli usage --paused-poll-interval 0.05 ds "$FILE"
assert_rc 64 "--paused-poll-interval under 0.1 s"
assert_file_contains "$ERR" "paused-poll-interval must be at least 0.1" "says why"

# --- reading (a): the paused import resumes once a schema is set ---------------------
fake_start --dataset waits --dataset plain --processing-ms 50

# Default: exit 4, the next steps are the PATCH and --resume of the same import; never "upload again".
run_cli plain "${FAST[@]}" --json plain "$FILE"
assert_rc 4 "default run on a dataset without schema"
json_check plain 'o[0]["status"] == "pending_schema"'
IMPORT=$(json_get plain 0 import_id)
assert_file_contains "$ERR" "paused until dataset plain has a schema" "says the import is paused"
assert_file_contains "$ERR" "curl -X PATCH" "step 1 sets the schema"
assert_file_contains "$ERR" "upstate-upload --resume plain $IMPORT" "step 2 follows the same import"
assert_file_lacks_string "$ERR" "upload again" "no re-upload advice while the dataset has no schema"
assert_file_lacks_string "$ERR" "upload the file again" "no re-upload advice while the dataset has no schema"
# The advice, followed: set the schema, resume the same import -> complete, ingested once.
set_schema plain
run_cli plainresume "${FAST[@]}" --json --wait-for-schema --paused-poll-interval 0.2 --resume plain "$IMPORT"
assert_rc 0 "--resume of the paused import after the PATCH"
json_check plainresume 'o[0]["status"] == "complete" and o[0]["accepted_count"] == '"$RECORDS"
dataset_check plain "$ONCE" "the resumed import ingested the file once"

# --wait-for-schema in the background; the schema is set while it waits.
OUT=$TMP/wait.stdout ERR=$TMP/wait.stderr
_it_dumps+=("$OUT" "$ERR")
PROLIFIC_API_TOKEN=$TOKEN timeout -k 5 60 "$UPLOAD" "${FAST[@]}" --json --wait-for-schema --paused-poll-interval 0.2 \
  waits "$FILE" >"$OUT" 2>"$ERR" </dev/null &
pid=$!
_it_pids+=("$pid")
paused=""
for _ in $(seq 200); do
  paused=$(api_get datasets/waits | "$PY" -c 'import json,sys; print(any(i["status"] == "pending_schema" for i in json.load(sys.stdin)["imports"]))')
  [[ $paused == True ]] && break
  sleep 0.05
done
[[ $paused == True ]] || fail "the import never reached pending_schema"
sleep 0.5  # the run is now waiting on the paused import (its polls at 0.2 s)
kill -0 "$pid" 2>/dev/null || fail "--wait-for-schema ended on pending_schema instead of waiting"
set_schema waits
set +e; wait "$pid"; RC=$?; set -e
assert_no_token_in "$OUT" "$ERR"
assert_rc 0 "--wait-for-schema after the schema was set"
json_check "$OUT" 'len(o) == 1 and o[0]["status"] == "complete" and o[0]["accepted_count"] == '"$RECORDS"
dataset_check waits "$ONCE and len(o['imports']) == 1" "one import, ingested once"
fake_stop

# --- reading (b): the paused import stays paused after the schema is set -------------
fake_start --dataset stays --processing-ms 50 --pending-schema-stays
run_cli stays "${FAST[@]}" --json stays "$FILE"
assert_rc 4 "reading (b): the first run"
IMPORT=$(json_get stays 0 import_id)
assert_file_lacks_string "$ERR" "upload again" "no re-upload advice first"
set_schema stays
# Following the import as advised: it stays paused until the deadline; the
# dataset now shows a schema, so (only) now the advice is to upload again.
run_cli staysresume --api-base "$FAKE_API" --poll-interval 0.1 --timeout 2 --json --wait-for-schema \
  --paused-poll-interval 0.2 --resume stays "$IMPORT"
assert_rc 4 "--resume --wait-for-schema of an import that stays paused"
json_check staysresume 'o[0]["status"] == "pending_schema" and o[0]["error"] is None'
assert_file_contains "$ERR" "has a schema, but import $IMPORT is still paused" "says the schema is there, the import paused"
assert_file_contains "$ERR" "upload the file again" "now advises uploading again"
# Without --wait-for-schema, the same state: follow it longer first, then upload again.
run_cli staysresume2 "${FAST[@]}" --resume stays "$IMPORT"
assert_rc 4 "--resume of an import that stays paused"
assert_file_contains "$ERR" "upstate-upload --wait-for-schema --resume stays $IMPORT" "first: follow it longer"
# The advice followed: the new upload is the only ingestion.
run_cli again "${FAST[@]}" --json stays "$FILE"
assert_rc 0 "uploading again once the paused import stayed paused"
dataset_check stays "$ONCE and any(i['status'] == 'pending_schema' for i in o['imports'])" \
  "the paused import ingested nothing, the new one the file once"
fake_stop
