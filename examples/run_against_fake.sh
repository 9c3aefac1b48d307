#!/usr/bin/env bash
# Runs an example program (usage: PROLIFIC_API_TOKEN=... EXAMPLE API_BASE
# DATASET_ID FILE) against upstate-fake-server on a free loopback port, and
# passes when
#   - the example exits 0,
#   - a line of its stdout starts with the word "complete",
#   - the API token appears nowhere in its stdout or stderr.
# The run can only complete if the token reached the API (the fake refuses
# any other), so the last check is never vacuous.
#
#   UPSTATE_FAKE_SERVER=PATH run_against_fake.sh EXAMPLE
#
# Exit 0 pass, 1 fail, 77 skip (a program is not built). CTest runs it as
# example.own_event_loop and example.asio_upload (examples/CMakeLists.txt).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: UPSTATE_FAKE_SERVER=PATH run_against_fake.sh EXAMPLE" >&2
  exit 64
fi
example=$1
fake=${UPSTATE_FAKE_SERVER:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
schema=$here/../data/sample/schema.json
data=$here/../tests/integration/data/valid.jsonl  # six records valid for that schema: ends `complete`

[[ -n $fake && -x $fake ]] || { echo "SKIP: upstate-fake-server not built ('$fake')" >&2; exit 77; }
[[ -n $example && -x $example ]] || { echo "SKIP: example not built ('$example')" >&2; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/upstate-example.XXXXXX")
server_pid=""
cleanup() {
  local rc=$? f
  set +e
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true  # bounded: `timeout -k` below kills it in any case
  fi
  if [[ $rc -ne 0 && $rc -ne 77 ]]; then
    for f in "$tmp"/*; do [[ -e $f ]] || continue; echo "----- $(basename "$f") -----" >&2; tail -n 40 "$f" >&2; done
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Distinctive, so finding it anywhere is a real leak.
token="example-secret-$$-$RANDOM$RANDOM"

# Under `timeout`: if this script is killed before its trap runs, the server
# still goes away on its own.
timeout -s TERM -k 5 300 "$fake" --port 0 --token "$token" --dataset ds:"$schema" --processing-ms 20 \
  >"$tmp/server.stdout" 2>"$tmp/server.stderr" </dev/null &
server_pid=$!

# The one wait: for the "listening on" line (at most 5 s, in 50 ms steps).
line=""
for _ in $(seq 100); do
  line=$(grep -Eao 'listening on http://127\.0\.0\.1:[0-9]+' "$tmp/server.stdout" | head -n1 || true)
  [[ -n $line ]] && break
  kill -0 "$server_pid" 2>/dev/null || fail "upstate-fake-server exited at start"
  sleep 0.05
done
[[ -n $line ]] || fail "upstate-fake-server printed no 'listening on' line within 5 s"
base=${line#listening on }

set +e
PROLIFIC_API_TOKEN=$token timeout -k 5 60 "$example" "$base/api/v1/data-collection" ds "$data" \
  >"$tmp/example.stdout" 2>"$tmp/example.stderr" </dev/null
rc=$?
set -e
echo "$(basename "$example") exited with $rc; its output:"
cat "$tmp/example.stderr" "$tmp/example.stdout"

[[ $rc -ne 124 && $rc -ne 137 ]] || fail "the example hung and was killed by timeout"
[[ $rc -eq 0 ]] || fail "exit code $rc, expected 0"
grep -Eq '^complete([^a-z_]|$)' "$tmp/example.stdout" || fail "no line of stdout starts with 'complete'"
if grep -Fq -- "$token" "$tmp/example.stdout" "$tmp/example.stderr"; then
  fail "the API token appears in the example's output"
fi
echo "PASS"
