#!/usr/bin/env bash
# Peak RSS of upstate-upload under the worst answers a server can send
# within the caps (issue 12 item 9; not part of CI: figures in
# bench/README.md). Each row: which answer is hostile, its shape and size,
# one file or 16 files with --max-in-flight 16, the exit code and the peak
# RSS (wait4's ru_maxrss through bench/lib/maxrss.c or GNU time).
#
#   bench/hostile_rss.sh [BUILD_DIR]      (default: build)
# Targets ≤ 64 MiB for one answer, ≤ 128 MiB for 16 in flight.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
UPLOAD=$build/tools/upstate-upload
[[ -x $UPLOAD ]] || { echo "no $UPLOAD: build upstate-upload first" >&2; exit 1; }
PY=${PY:-python3}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/upstate-hostile-rss.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$TMP"' EXIT
MAXRSS=$TMP/maxrss
cc -O2 -o "$MAXRSS" "$here/lib/maxrss.c"
source "$here/lib/common.sh"

printf '{"prompt":"p","response":"r"}\n' >"$TMP/f.jsonl"
files16=()
for i in $(seq 16); do cp "$TMP/f.jsonl" "$TMP/f$i.jsonl"; files16+=("$TMP/f$i.jsonl"); done

# ONLY=REGEX runs only the rows whose "PURPOSE SHAPE BYTES FILES" matches.
row() { # PURPOSE SHAPE BYTES FILES(1|16) [extra CLI args]
  local purpose=$1 shape=$2 bytes=$3 n=$4 port line
  shift 4
  [[ -z ${ONLY:-} || "$purpose $shape $bytes $n" =~ $ONLY ]] || return 0
  "$PY" "$here/lib/hostile_server.py" "$purpose" "$shape" "$bytes" >"$TMP/server.out" 2>"$TMP/server.err" &
  local spid=$!
  for _ in $(seq 100); do
    line=$(head -n1 "$TMP/server.out" 2>/dev/null || true)
    [[ $line == listening* ]] && break
    sleep 0.05
  done
  port=${line#listening on }
  local files=("$TMP/f.jsonl")
  [[ $n == 16 ]] && files=("${files16[@]}")
  PROLIFIC_API_TOKEN=bench-token measure "$purpose-$shape-$n" "$UPLOAD" --api-base "http://127.0.0.1:$port/api" \
    --poll-interval 0.1 --timeout 20 --quiet --json --max-in-flight 16 "$@" ds "${files[@]}"
  kill "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
  printf '%-11s %-7s %9s  %2s file(s)  exit %-3s peak RSS %6.1f MiB  %5.2f s\n' "$purpose" "$shape" "$bytes" "$n" \
    "$M_RC" "$(echo "$M_RSS_KIB / 1024" | bc -l)" "$M_WALL_S"
}

echo "answer      shape       bytes"
row none        flat   1000       1 --preflight off   # the baseline: nothing hostile
row upload_url  deep   65000      1 --preflight off
row upload_url  deep   16777216   1 --preflight off   # over the step-1 cap: not read past 64 KiB
row dataset     deep   1000000    1
row dataset     flat   1000000    1
row dataset     deep   16000000   1   # within the 16 MiB dataset cap (1 MiB before session 7)
row dataset     flat   16000000   1
row poll        deep   2000000    1 --preflight off
row poll        flat   2000000    1 --preflight off
row poll        errors 2000000    1 --preflight off   # ~22,000 well-formed errors: parsed and kept
row poll        flat   16777216   1 --preflight off   # over the poll cap
row upload      xml403 1000000    1 --preflight off   # an S3 403 with a 1 MB body: refused once
row poll        flat   2000000   16 --preflight off
row poll        deep   2000000   16 --preflight off
row poll        errors 1000000   16 --preflight off   # ~11,000 errors each, the API's "10,000 errors ~1 MB"
row poll        errors 2000000   16 --preflight off   # at the poll cap: the worst well-formed batch
