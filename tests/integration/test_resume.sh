#!/usr/bin/env bash
# Resume (issue 7): an upload killed with SIGKILL while polling reaches the
# same outcome (a) through --resume DATASET_ID IMPORT_ID and (b) by running
# the same command again with --state-file, without a second PUT or a
# second import. The state file never holds the token.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

fake_start --dataset ds:"$SCHEMA" --processing-ms 4000

# start_and_kill NAME STATE: runs the upload with --state-file STATE in the
# background, waits (<= 20 s) until the state says the PUT was accepted,
# then kills it with SIGKILL. Sets IMPORT_ID.
start_and_kill() {
  local name=$1 state=$2 pid phase="" _
  PROLIFIC_API_TOKEN=$TOKEN "$UPLOAD" --api-base "$FAKE_API" --poll-interval 0.2 --timeout 60 \
    --state-file "$state" ds "$SAMPLE" >"$TMP/$name.stdout" 2>"$TMP/$name.stderr" </dev/null &
  pid=$!
  _it_pids+=("$pid")
  for _ in $(seq 400); do
    phase=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["phase"])' "$state" 2>/dev/null || true)
    [[ $phase == processing ]] && break
    sleep 0.05
  done
  [[ $phase == processing ]] || fail "$name: the state file never reached phase processing (last: '$phase')"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  assert_no_token_in "$state" "$TMP/$name.stdout" "$TMP/$name.stderr"
  IMPORT_ID=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["import_id"])' "$state")
  [[ -n $IMPORT_ID ]] || fail "$name: no import id in the state file"
  [[ $(import_status ds "$IMPORT_ID") != complete && $(import_status ds "$IMPORT_ID") != partial ]] ||
    fail "$name: the import was already finished when the client died (processing too short?)"
}
puts() { grep -c '^PUT /s3/' "$FAKE_LOG" || true; }
expect_partial() { # NAME
  assert_rc 2 "$1: partial, as an uninterrupted run"
  json_check "$1" 'o[0]["status"] == "partial" and o[0]["accepted_count"] == 16 and o[0]["rejected_count"] == 4'
  json_check "$1" 'sorted({e["record_index"] for e in o[0]["errors"]}) == [4, 9, 13, 17]' "the rejected records"
}

# (a) --resume DATASET_ID IMPORT_ID
start_and_kill first "$TMP/first.state"
before=$(puts)
run_cli resumed "${FAST[@]}" --json --resume ds "$IMPORT_ID"
expect_partial resumed
json_check resumed "o[0]['import_id'] == '$IMPORT_ID'" "the import it was told"
assert_eq "$before" "$(puts)" "no PUT while resuming"

# (b) the same command with the same --state-file continues
start_and_kill second "$TMP/second.state"
before=$(puts)
run_cli again "${FAST[@]}" --json --state-file "$TMP/second.state" ds "$SAMPLE"
expect_partial again
json_check again "o[0]['import_id'] == '$IMPORT_ID'" "the import of the killed run, not a new one"
assert_file_contains "$ERR" "continuing from" "it says it continues"
assert_eq "$before" "$(puts)" "no second PUT"
[[ ! -e $TMP/second.state ]] || fail "the state file is removed once the import finished"

# Two imports of the same file, 16 accepted records each: the second's were
# all already present (duplicate_count 16), so the dataset holds 16, and
# nothing was ingested twice.
json_check again 'o[0]["duplicate_count"] == 16 and o[0]["new_count"] == 0' "the second import's records were duplicates"
total=$(api_get datasets/ds | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["total_datapoint_count"], len(d["imports"]))')
assert_eq "16 2" "$total" "total_datapoint_count and imports after both resumes"

# A state file of another file is refused, not silently reused.
echo '{}' >"$TMP/c.jsonl"
start_and_kill third "$TMP/third.state"
run_cli wrongfile "${FAST[@]}" --state-file "$TMP/third.state" ds "$TMP/c.jsonl"
assert_rc 5 "a state file of another file"
assert_file_contains "$ERR" "state of reviews.jsonl" "the refusal names the file the state is for"
# A corrupt state file is a typed error too.
echo 'not json' >"$TMP/bad.state"
run_cli corrupt "${FAST[@]}" --state-file "$TMP/bad.state" ds "$SAMPLE"
assert_rc 5 "a corrupt state file"
assert_file_contains "$ERR" "invalid_snapshot" "the error code"
fake_stop
