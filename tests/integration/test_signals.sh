#!/usr/bin/env bash
# issue 12 item 12: SIGINT / SIGTERM cancel the run: the outcome
# (`cancelled`) is printed, the --json line written, the state file kept
# consistent (a snapshot to continue from), and the exit code is 130 / 143.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

fake_start --dataset ds:"$SCHEMA" --processing-ms 60000

# interrupt NAME SIGNAL: runs the upload in the background with a state
# file, waits (<= 20 s) until the state says the PUT was accepted
# (polling), sends SIGNAL and waits for the exit. Sets RC, OUT, ERR, STATE.
interrupt() {
  local name=$1 sig=$2 pid phase="" _
  OUT=$TMP/$name.stdout ERR=$TMP/$name.stderr STATE=$TMP/$name.state
  _it_dumps+=("$OUT" "$ERR")
  # set -m: a background job of a script otherwise starts with SIGINT ignored.
  set -m
  PROLIFIC_API_TOKEN=$TOKEN timeout -k 5 60 "$UPLOAD" --api-base "$FAKE_API" --poll-interval 0.2 --timeout 60 \
    --json --state-file "$STATE" ds "$SAMPLE" >"$OUT" 2>"$ERR" </dev/null &
  pid=$!
  set +m
  _it_pids+=("$pid")
  for _ in $(seq 400); do
    phase=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["phase"])' "$STATE" 2>/dev/null || true)
    [[ $phase == processing ]] && break
    sleep 0.05
  done
  [[ $phase == processing ]] || fail "$name: the state file never reached phase processing (last: '$phase')"
  local t0=$(date +%s%N)
  # `timeout` forwards the signal to the CLI.
  kill "-$sig" "$pid"
  set +e
  wait "$pid"
  RC=$?
  set -e
  local ms=$((($(date +%s%N) - t0) / 1000000))
  log "$name: SIG$sig -> exit $RC after ${ms} ms"
  ((ms < 5000)) || fail "$name: took ${ms} ms to end after SIG$sig"
  assert_no_token_in "$OUT" "$ERR" "$STATE"
}

for pair in "INT 130" "TERM 143"; do
  set -- $pair
  interrupt "sig$1" "$1"
  LAST_RUN=sig$1
  assert_rc "$2" "SIG$1 exit code"
  assert_file_contains "$ERR" "cancelled" "SIG$1: the outcome line says cancelled"
  json_check "sig$1" "len(o) == 1 and o[0]['error']['code'] == 'cancelled' and o[0]['import_id']" "SIG$1: the --json line"
  "$PY" -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["import_id"] and s["phase"] == "processing"' "$STATE" ||
    fail "SIG$1: the state file is not a consistent snapshot to continue from"
  assert_file_contains "$ERR" "state kept" "SIG$1: the state file is kept to continue"
done

# --journal: the handler is installed before the journaled batch too. SIGINT
# once the PUT was accepted: the batch ends cancelled (130, the --json line),
# and the journal's last record for the file is the accepted import in phase
# processing with outcome error:cancelled, so a rerun polls it (no new PUT).
OUT=$TMP/jsig.stdout ERR=$TMP/jsig.stderr J=$TMP/jsig.journal
_it_dumps+=("$OUT" "$ERR" "$J")
set -m
PROLIFIC_API_TOKEN=$TOKEN timeout -k 5 60 "$UPLOAD" --api-base "$FAKE_API" --poll-interval 0.2 --timeout 60 \
  --json --journal "$J" ds "$SAMPLE" >"$OUT" 2>"$ERR" </dev/null &
pid=$!
set +m
_it_pids+=("$pid")
for _ in $(seq 400); do grep -q ' processing ' "$J" 2>/dev/null && break; sleep 0.05; done
grep -q ' processing ' "$J" || fail "jsig: the journal never recorded phase processing"
kill -INT "$pid"
set +e
wait "$pid"
RC=$?
set -e
LAST_RUN=jsig
assert_rc 130 "journaled SIGINT exit code"
json_check jsig "len(o) == 1 and o[0]['error']['code'] == 'cancelled' and o[0]['import_id']" "journaled SIGINT: the --json line"
tail -n 1 "$J" | "$PY" -c 'import sys; f = sys.stdin.read().split(" "); assert f[1] == "F" and f[7] == "processing" and f[8] != "-" and f[9] == "error:cancelled", f' ||
  fail "jsig: the journal's last record is not the accepted import, processing, cancelled"
assert_no_token_in "$OUT" "$ERR" "$J"
fake_stop
log "ok"
