# Shared helpers for the CLI-level integration tests (bash; source it).
#
# Inputs (environment, set by CTest; see CMakeLists.txt):
#   UPSTATE_UPLOAD        path of upstate-upload       (empty/absent: tests that need it skip, exit 77)
#   UPSTATE_FAKE_SERVER   path of upstate-fake-server  (same)
#   UPSTATE_BUILD_DIR     fallback: look for both under <dir>/examples and <dir>/tools
#   IT_KEEP=1             keep the per-test temp dir (its path is printed)
# Everything listens on 127.0.0.1 only, on ports the programs pick themselves.
#
# Usage in a test:
#   source "$(dirname "$0")/lib.sh"; it_init; need_upload; need_fake
#   fake_start --dataset ds:"$SCHEMA"
#   run_cli ok "${FAST[@]}" --json ds "$IT_DATA/valid.jsonl"
#   assert_rc 0
#   json_check ok 'o[0]["status"] == "complete"'

set -euo pipefail

IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IT_DATA=$IT_DIR/data
IT_SOURCE_DIR=$(cd "$IT_DIR/../.." && pwd)
SAMPLE=$IT_SOURCE_DIR/data/sample/reviews.jsonl
SCHEMA=$IT_SOURCE_DIR/data/sample/schema.json
IT_NAME=$(basename "$0" .sh)
# The system python3 when there is one (a pyenv shim costs ~0.4 s per call).
if [[ -x /usr/bin/python3 ]]; then PY=/usr/bin/python3; else PY=$(command -v python3); fi

# A token distinctive enough that finding it anywhere is a real leak.
TOKEN="it-secret-$$-$RANDOM$RANDOM-tok"

_it_pids=()
_it_nginx_dirs=()
_it_dumps=()

log() { printf '[%s] %s\n' "$IT_NAME" "$*" >&2; }

# --- setup / teardown --------------------------------------------------------

it_init() {
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/upstate-it.$IT_NAME.XXXXXX")
  trap _it_cleanup EXIT
  trap 'exit 130' INT TERM
  if [[ -n ${UPSTATE_BUILD_DIR:-} ]]; then
    : "${UPSTATE_UPLOAD:=$UPSTATE_BUILD_DIR/tools/upstate-upload}"
    : "${UPSTATE_FAKE_SERVER:=$UPSTATE_BUILD_DIR/tools/upstate-fake-server}"
  fi
  UPLOAD=${UPSTATE_UPLOAD:-}
  FAKE=${UPSTATE_FAKE_SERVER:-}
}

_it_cleanup() {
  local rc=$?
  set +e
  local pid d
  for pid in "${_it_pids[@]}"; do _it_kill "$pid"; done
  for d in "${_it_nginx_dirs[@]}"; do "$IT_DIR/nginx.sh" stop "$d" >/dev/null 2>&1; done
  if [[ $rc != 0 && $rc != 77 ]]; then
    _it_dump_all
  fi
  if [[ ${IT_KEEP:-0} == 1 ]]; then
    log "kept $TMP"
  else
    rm -rf "$TMP"
  fi
  if [[ $rc == 0 ]]; then log "PASS"; fi
  exit "$rc"
}

_it_kill() { # pid: TERM, wait up to 5 s (50 ms steps), then KILL
  local pid=$1
  # `wait` returns the server's status (143 when TERM ended it): under set -e
  # that must not end the test.
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null
  local _
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  return 0
}

_it_dump_all() {
  local f
  for f in "${_it_dumps[@]}"; do
    [[ -e $f ]] || continue
    echo "----- $(basename "$f") (last 60 lines) -----" >&2
    tail -n 60 "$f" >&2
  done
  echo "-----" >&2
}

skip() { log "SKIP: $*"; exit 77; }

need_upload() {
  [[ -n $UPLOAD && -x $UPLOAD ]] || skip "upstate-upload not built (UPSTATE_UPLOAD='${UPLOAD}')"
}
need_fake() {
  [[ -n $FAKE && -x $FAKE ]] || skip "upstate-fake-server not built (UPSTATE_FAKE_SERVER='${FAKE}')"
}
need_tool() { command -v "$1" >/dev/null 2>&1 || skip "$1 not installed"; }

# --- assertions ---------------------------------------------------------------

fail() {
  printf '[%s] FAIL: %s\n' "$IT_NAME" "$*" >&2
  exit 1
}

assert_eq() { # expected actual what
  [[ "$1" == "$2" ]] || fail "$3: expected '$1', got '$2'"
}

# After run_cli: the exit code of the last run.
assert_rc() { # expected [what]
  local what=${2:-"$LAST_RUN: exit code"}
  if [[ $RC == 124 || $RC == 137 ]]; then
    fail "$what: expected $1, but the CLI hung and was killed by timeout (rc $RC)"
  fi
  [[ $RC == "$1" ]] || fail "$what: expected exit $1, got $RC"
}

assert_rc_in() { # "a b c" [what]
  local ok=0 c
  for c in $1; do [[ $RC == "$c" ]] && ok=1; done
  [[ $ok == 1 ]] || fail "${2:-"$LAST_RUN: exit code"}: expected one of {$1}, got $RC"
}

assert_file_contains() { # file extended-regex what   (case-insensitive)
  grep -Eiq -- "$2" "$1" || fail "$3: /$2/ not found in $(basename "$1")"
}

assert_file_lacks_string() { # file fixed-string what
  if grep -Fq -- "$2" "$1"; then
    fail "$3: '$2' found in $(basename "$1"): $(grep -Fn -- "$2" "$1" | head -3)"
  fi
}

assert_no_token_in() { # file... : the token must never appear
  local f
  for f in "$@"; do
    [[ -e $f ]] || continue
    if grep -Fq -- "$TOKEN" "$f"; then fail "the API token leaked into $(basename "$f")"; fi
  done
}

# After run_cli: bounds on its wall time (whole seconds).
assert_elapsed_below() { # seconds what
  ((ELAPSED_MS < $1 * 1000)) || fail "$2: took ${ELAPSED}s, expected under $1 s"
}
assert_elapsed_at_least() { # seconds what
  ((ELAPSED_MS >= $1 * 1000)) || fail "$2: took ${ELAPSED}s, expected at least $1 s"
}

# --- the fake server -----------------------------------------------------------

# fake_start [ARGS...]: starts upstate-fake-server --port 0 --token $TOKEN ARGS,
# waits (<= 5 s, 50 ms steps) for "listening on http(s)://127.0.0.1:PORT" and sets
#   FAKE_PID FAKE_PORT FAKE_URL FAKE_API FAKE_LOG (stderr) FAKE_OUT (stdout)
#   FAST=(--api-base $FAKE_API --poll-interval 0.1 --timeout 30)  (CLI options for quick runs)
# A second call starts another server (the variables then describe the new one).
_it_fake_n=0
fake_start() {
  need_fake
  _it_fake_n=$((_it_fake_n + 1))
  FAKE_OUT=$TMP/fake$_it_fake_n.stdout
  FAKE_LOG=$TMP/fake$_it_fake_n.stderr
  _it_dumps+=("$FAKE_OUT" "$FAKE_LOG")
  # Under `timeout`: even if this script is killed (CTest's own timeout) and
  # its trap never runs, the server goes away on its own.
  timeout -s TERM -k 5 "${IT_SERVER_LIFETIME:-600}" \
    "$FAKE" --port 0 --token "$TOKEN" "$@" >"$FAKE_OUT" 2>"$FAKE_LOG" </dev/null &
  FAKE_PID=$!
  _it_pids+=("$FAKE_PID")
  local line="" _
  for _ in $(seq 100); do
    line=$(grep -Eaoh 'listening on https?://127\.0\.0\.1:[0-9]+' "$FAKE_OUT" "$FAKE_LOG" 2>/dev/null | head -n1 || true)
    [[ -n $line ]] && break
    kill -0 "$FAKE_PID" 2>/dev/null || fail "upstate-fake-server exited at start (args: $*)"
    sleep 0.05
  done
  [[ -n $line ]] || fail "upstate-fake-server printed no 'listening on' line within 5 s (args: $*)"
  FAKE_URL=${line#listening on }
  FAKE_PORT=${FAKE_URL##*:}
  FAKE_API=$FAKE_URL/api/v1/data-collection
  FAST=(--api-base "$FAKE_API" --poll-interval 0.1 --timeout 30)
}

# fake_stop: stops the last started fake server and checks its log for the token.
fake_stop() {
  _it_kill "$FAKE_PID"
  assert_no_token_in "$FAKE_OUT" "$FAKE_LOG"
}

# --- the CLI ---------------------------------------------------------------------

# run_cli NAME ARGS...: runs upstate-upload ARGS with PROLIFIC_API_TOKEN=$TOKEN
# (unless IT_NO_TOKEN=1) under `timeout 60`; stdout -> $TMP/NAME.stdout,
# stderr -> $TMP/NAME.stderr. Sets RC, ELAPSED (seconds), OUT, ERR, LAST_RUN.
# Checks that the token appears in neither stream.
run_cli() {
  need_upload
  local name=$1; shift
  LAST_RUN=$name
  OUT=$TMP/$name.stdout
  ERR=$TMP/$name.stderr
  _it_dumps+=("$OUT" "$ERR")
  local t0 t1
  t0=$(date +%s%N)
  set +e
  if [[ ${IT_NO_TOKEN:-0} == 1 ]]; then
    env -u PROLIFIC_API_TOKEN timeout -k 5 "${IT_CLI_TIMEOUT:-60}" "$UPLOAD" "$@" >"$OUT" 2>"$ERR" </dev/null
  else
    PROLIFIC_API_TOKEN=$TOKEN timeout -k 5 "${IT_CLI_TIMEOUT:-60}" "$UPLOAD" "$@" >"$OUT" 2>"$ERR" </dev/null
  fi
  RC=$?
  set -e
  t1=$(date +%s%N)
  ELAPSED_MS=$(((t1 - t0) / 1000000))
  ELAPSED=$(printf '%d.%02d' $((ELAPSED_MS / 1000)) $((ELAPSED_MS % 1000 / 10)))
  log "$name: upstate-upload $* -> exit $RC in ${ELAPSED}s"
  assert_no_token_in "$OUT" "$ERR"
}

# --- JSON --------------------------------------------------------------------------

# json_check NAME|FILE PY_EXPR [what]: parses every non-empty stdout line of the
# run as JSON into the list `o` and asserts PY_EXPR (Python) is true.
json_check() {
  local f=$1 expr=$2 what=${3:-$2}
  [[ -f $f ]] || f=$TMP/$1.stdout
  "$PY" - "$f" "$expr" <<'PY' || fail "json: $what"
import json, sys
path, expr = sys.argv[1], sys.argv[2]
o = []
with open(path, encoding="utf-8") as fh:
    for n, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            o.append(json.loads(line))
        except ValueError as e:
            print(f"stdout line {n} is not JSON ({e}): {line[:200]!r}", file=sys.stderr)
            sys.exit(1)
try:
    ok = eval(expr, {"o": o, "json": json})
except Exception as e:  # a missing key is a failed assertion, not a crash
    print(f"evaluating {expr!r}: {type(e).__name__}: {e}", file=sys.stderr)
    ok = False
if not ok:
    print("JSON lines were:", file=sys.stderr)
    for obj in o:
        print("  " + json.dumps(obj)[:600], file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}

# json_get NAME|FILE INDEX KEY: prints o[INDEX][KEY] ("" for null/absent).
json_get() {
  local f=$1
  [[ -f $f ]] || f=$TMP/$1.stdout
  "$PY" - "$f" "$2" "$3" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
v = lines[int(sys.argv[2])].get(sys.argv[3])
print("" if v is None else (v if isinstance(v, str) else json.dumps(v)))
PY
}

# Checks the documented per-file record shape: every named key, the right types.
JSON_SHAPE='all(set(["file","import_id","status","accepted_count","rejected_count","errors","reason","error"]) <= set(x) and isinstance(x["file"], str) and isinstance(x["status"], str) and isinstance(x["errors"], list) and (x["error"] is None or (isinstance(x["error"], dict) and isinstance(x["error"].get("code"), str) and isinstance(x["error"].get("message"), str))) for x in o)'

# --- talking to the fake server directly -------------------------------------------

# api_get PATH: GET $FAKE_API/PATH with the token; body on stdout, fails on non-2xx.
api_get() {
  curl --noproxy '*' -sS --fail-with-body --max-time 10 ${FAKE_CACERT:+--cacert "$FAKE_CACERT"} \
    -H "Authorization: Token $TOKEN" "$FAKE_API/$1"
}

# import_status DATASET IMPORT_ID: prints the import's status as the server sees it.
import_status() {
  api_get "datasets/$1/imports/$2" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["status"])'
}

# --- data ----------------------------------------------------------------------------

# make_jsonl FILE N [PAD]: N valid records for data/sample/schema.json, each
# about PAD (default 40) characters longer than a bare record.
make_jsonl() {
  "$PY" - "$1" "$2" "${3:-40}" <<'PY'
import json, sys
pad = int(sys.argv[3])
with open(sys.argv[1], "w", encoding="utf-8") as fh:
    for i in range(int(sys.argv[2])):
        fh.write(json.dumps({"prompt": f"Prompt number {i}: " + "x" * pad,
                             "response": f"Response {i} " + "y" * 40,
                             "category": ["books", "garden", "electronics"][i % 3]}) + "\n")
PY
}

# --- nginx -----------------------------------------------------------------------------

# nginx_start: a private nginx upload host; sets NGINX_DIR NGINX_PLAIN NGINX_TLS.
# Needs certs in $TMP/certs (made here if absent).
nginx_start() {
  need_tool nginx; need_tool openssl; need_tool curl
  NGINX_DIR=$TMP/nginx
  _it_nginx_dirs+=("$NGINX_DIR")
  _it_dumps+=("$NGINX_DIR/logs/error.log")
  "$IT_DIR/certs.sh" "$TMP/certs"
  read -r NGINX_PLAIN NGINX_TLS < <("$IT_DIR/nginx.sh" start "$NGINX_DIR" "$TMP/certs")
  [[ -n ${NGINX_TLS:-} ]] || fail "nginx.sh start printed no ports"
}

make_certs() { need_tool openssl; "$IT_DIR/certs.sh" "$TMP/certs"; CERTS=$TMP/certs; }

# assert_stderr_order FILE NAME...: each NAME is first mentioned (as a whole
# word-ish token) after the previous one: the files were handled in that order.
assert_mention_order() {
  local f=$1; shift
  "$PY" - "$f" "$@" <<'PY' || fail "files were not handled in the order given (first mentions in $(basename "$f"))"
import re, sys
lines = open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines()
firsts = []
for name in sys.argv[2:]:
    pat = re.compile(r"(^|[^\w.])" + re.escape(name) + r"($|[^\w.])")
    idx = next((i for i, l in enumerate(lines) if pat.search(l)), None)
    print(f"  first mention of {name}: line {idx}", file=sys.stderr)
    firsts.append(idx)
sys.exit(0 if None not in firsts and firsts == sorted(firsts) and len(set(firsts)) == len(firsts) else 1)
PY
}
