# Helpers shared by bench/run's phases (bash; sourced, not run).
# Needs: TMP (the run's temp dir), PY (python3), MAXRSS (see measure).

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

# Microseconds between two $EPOCHREALTIME values (LC_ALL=C: a decimal point).
elapsed_us() { echo $(( ${2/./} - ${1/./} )); }
# Seconds, six decimals, from microseconds.
us_to_s() { printf '%d.%06d' $(( $1 / 1000000 )) $(( $1 % 1000000 )); }

# measure NAME CMD...: runs CMD (stdout -> $TMP/NAME.out, stderr -> $TMP/NAME.err)
# and sets M_RC, M_WALL_S (wall time, s) and M_RSS_KIB (peak resident set, KiB).
# Peak RSS comes from GNU time (`/usr/bin/time -f %M`) when it is installed,
# else from $MAXRSS, bench/lib/maxrss.c compiled by bench/run (wait4's
# ru_maxrss: the same number). Both add one fork+exec (~1 ms) to the wall
# time, the same for every client.
measure() {
  local name=$1; shift
  local rss_file=$TMP/$name.rss t0 t1
  t0=$EPOCHREALTIME
  set +e
  if [[ -x /usr/bin/time && -z ${BENCH_NO_GNU_TIME:-} ]]; then
    /usr/bin/time -f '%M' -o "$rss_file" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" </dev/null
  else
    "$MAXRSS" "$rss_file" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" </dev/null
  fi
  M_RC=$?
  set -e
  t1=$EPOCHREALTIME
  M_WALL_S=$(us_to_s "$(elapsed_us "$t0" "$t1")")
  # GNU time writes "Command exited with non-zero status N" above the number.
  M_RSS_KIB=$(tail -n 1 "$rss_file" 2>/dev/null || true)
  [[ $M_RSS_KIB =~ ^[0-9]+$ ]] || M_RSS_KIB=0
}

# stamp: copies stdin to stdout, each line prefixed with $EPOCHREALTIME.
# Lines are stamped when they arrive, so a program that flushes each line
# (the fake server's request log does) gets its events timed to the ms.
stamp() {
  local line
  while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done
}

# stop_pid PID: TERM, up to 5 s for it to go (50 ms steps), then KILL; reaps it.
stop_pid() {
  local pid=$1 _
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null || true
}

# json_line KEY VALUE...: one JSON object from pairs; a VALUE that looks like a
# number, true, false or null is written bare, anything else as a string.
json_line() {
  "$PY" -c '
import json, re, sys
a = sys.argv[1:]
def val(v):
    if v in ("true", "false", "null"): return json.loads(v)
    if re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?", v): return json.loads(v)
    return v
print(json.dumps({a[i]: val(a[i + 1]) for i in range(0, len(a), 2)}))' "$@"
}
