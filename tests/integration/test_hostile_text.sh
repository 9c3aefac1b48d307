#!/usr/bin/env bash
# Issue 12 items 1-3 end to end: a hostile service (hostile_server.py) fills
# every string it sends with escape sequences, a forged line, invalid UTF-8
# and the token it was sent; the local file name is Latin-1 with an escape
# sequence. Then:
#   - stderr (summary, notes), stdout of --show-dataset and the --rejected-out
#     reasons file hold no control byte but '\n' and only valid UTF-8;
#   - every --json line passes a strict decoder (UTF-8 errors='strict', json.loads);
#   - the token appears in none of them;
#   - an import_id holding control bytes is refused (malformed_answer at $.import_id).
source "$(dirname "$0")/lib.sh"
it_init; need_upload

hostile_start() { # MODE
  rm -f "$TMP/port"
  timeout -s TERM -k 5 120 "$PY" "$IT_DIR/hostile_server.py" "$1" "$TMP/port" \
    >"$TMP/hostile.out" 2>"$TMP/hostile.err" </dev/null &
  HOSTILE_PID=$!
  _it_pids+=("$HOSTILE_PID")
  _it_dumps+=("$TMP/hostile.err")
  local _
  for _ in $(seq 100); do [[ -s $TMP/port ]] && break; sleep 0.05; done
  [[ -s $TMP/port ]] || fail "hostile_server.py did not start"
  API="http://127.0.0.1:$(cat "$TMP/port")/api"
}
hostile_stop() { _it_kill "$HOSTILE_PID"; }

# Only '\n' (and '\t' is refused too), valid UTF-8, no C1 control.
assert_terminal_clean() { # file what
  "$PY" - "$1" "$2" <<'PYEOF' || fail "$2: not clean for a terminal"
import sys
data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8", errors="strict")
except UnicodeDecodeError as e:
    sys.exit(f"{sys.argv[2]}: invalid UTF-8: {e}")
bad = [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F]
if bad:
    sys.exit(f"{sys.argv[2]}: raw control characters {sorted(set(map(hex, map(ord, bad))))}")
for line in text.split("\n"):
    if line.startswith("file: complete"):
        sys.exit(f"{sys.argv[2]}: a forged line: {line!r}")
PYEOF
}

assert_strict_json_lines() { # file what
  "$PY" - "$1" "$2" <<'PYEOF' || fail "$2: not strict UTF-8 JSON lines"
import json, sys
data = open(sys.argv[1], "rb").read()
lines = data.split(b"\n")
assert lines[-1] == b"", "no final newline"
for raw in lines[:-1]:
    json.loads(raw.decode("utf-8", errors="strict"))
if len(lines) < 2:
    sys.exit("no JSON line")
PYEOF
}

FILE=$TMP/$'caf\xe9\x1b[2J.jsonl'
printf '{"text":"a"}\n{"text":"b"}\n{"text":"c"}\n' >"$FILE"
mkdir -p "$TMP/rej"

# 1. A hostile report: summary, --json, --rejected-out.
hostile_start report
run_cli report --api-base "$API" --poll-interval 0.1 --timeout 20 --preflight off --json \
  --rejected-out "$TMP/rej" ds "$FILE"
assert_rc 2 "a partial import"
assert_terminal_clean "$ERR" "stderr of a hostile report"
assert_strict_json_lines "$OUT" "--json of a hostile report"
json_check report 'o[0]["status"] == "partial" and "[redacted]" in o[0]["reason"] and "\ufffd" in o[0]["file"]' \
  "the reason is redacted, the Latin-1 name became U+FFFD"
json_check report 'all("[redacted]" in e["reason"] for e in o[0]["errors"])' "errors[].reason redacted"
assert_file_contains "$ERR" 'reason: .*\\x1b\]0;PWNED\\x07' "stderr shows the escape sequence escaped"
reasons=$TMP/rej/$'caf\xe9\x1b[2J.rejected.jsonl.reasons.txt'
[[ -f $reasons ]] || fail "no reasons file beside the rejected records, under the file's own name: $(ls "$TMP/rej" | od -c | head -3)"
assert_no_token_in "$reasons"
assert_terminal_clean "$reasons" "the --rejected-out reasons file"

# 2. --show-dataset of a hostile dataset: text and --json.
run_cli show --api-base "$API" --timeout 20 --show-dataset ds
assert_rc 0 "--show-dataset"
assert_terminal_clean "$OUT" "--show-dataset text"
assert_file_contains "$OUT" "\[redacted\]" "the dataset name is redacted"
run_cli showjson --api-base "$API" --timeout 20 --show-dataset --json ds
assert_rc 0 "--show-dataset --json"
assert_strict_json_lines "$OUT" "--show-dataset --json"
hostile_stop

# 3. An import_id with control bytes: refused at step 1, nothing forged.
hostile_start bad_id
run_cli badid --api-base "$API" --poll-interval 0.1 --timeout 20 --preflight off --json ds "$FILE"
assert_rc 5 "a hostile import_id"
assert_terminal_clean "$ERR" "stderr after a hostile import_id"
assert_strict_json_lines "$OUT" "--json after a hostile import_id"
json_check badid 'o[0]["error"]["code"] == "malformed_answer" and o[0]["import_id"] is None' \
  "malformed_answer, no import id kept"
assert_file_contains "$ERR" 'malformed_answer.*\$\.import_id' "the error names \$.import_id"
hostile_stop
