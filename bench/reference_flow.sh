#!/usr/bin/env bash
# The reference the benchmark compares upstate-upload's whole flow with: what
# the service's official command-line client does (docs/service.md, last
# section), written as a shell loop of curl calls.
#   PROLIFIC_API_TOKEN=... reference_flow.sh [--interval S] [--give-up S] [--cacert PEM] API_BASE DATASET_ID FILE
# 1. GET {API_BASE}/datasets/{DATASET_ID}/upload-url/{name} with the token;
#    refuse an answer without upload_url, http_method, import_id or content_type
# 2. curl -T FILE to upload_url with the returned Content-Type (no token)
# 3. sleep, GET {API_BASE}/datasets/{DATASET_ID}/imports/{import_id}, until a
#    terminal status; give up after 10 minutes or 3 failed status calls in a row
# Prints one JSON line on stdout:
#   {"status", "import_id", "requests", "api_requests", "polls", "wall_s"}
# Exit 0 on a terminal status, 1 otherwise.
#
# The loop sleeps before each poll (3 s, then GET): an immediate first poll
# would only add a request, and the benchmark should not flatter upstate by
# giving the reference requests it may not make. JSON is read with python3,
# as the official client (a Python program) does; each call costs a process
# start (~20 ms), which shows in the request-to-request period (~3.05 s).
set -euo pipefail
export LC_ALL=C  # EPOCHREALTIME with a decimal point

interval=3
give_up=600
cacert=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --interval) interval=$2; shift 2;;
    --give-up) give_up=$2; shift 2;;
    --cacert) cacert=(--cacert "$2"); shift 2;;
    --) shift; break;;
    -*) echo "reference_flow.sh: unknown option $1" >&2; exit 64;;
    *) break;;
  esac
done
[[ $# -eq 3 ]] || { echo "usage: $0 [--interval S] [--give-up S] [--cacert PEM] API_BASE DATASET_ID FILE" >&2; exit 64; }
api=$1 dataset=$2 file=$3
[[ -n ${PROLIFIC_API_TOKEN:-} ]] || { echo "reference_flow.sh: set PROLIFIC_API_TOKEN" >&2; exit 64; }
[[ -f $file ]] || { echo "reference_flow.sh: no file $file" >&2; exit 66; }
if [[ -x /usr/bin/python3 ]]; then PY=/usr/bin/python3; else PY=python3; fi

t0=$EPOCHREALTIME
requests=0
polls=0

# The token goes in a header read from a file descriptor, never on a command
# line that `ps` shows. Callers count the request: api_get runs in $(...),
# a subshell whose counting would be lost.
api_get() { # URL -> body on stdout; fails on non-2xx
  curl --noproxy '*' -sS --fail --max-time 60 "${cacert[@]}" \
    -H @<(printf 'Authorization: Token %s\n' "$PROLIFIC_API_TOKEN") "$1"
}

# json_field JSON KEY -> the string value, or nothing when absent/not a string
json_field() {
  "$PY" -c 'import json,sys
v = json.loads(sys.argv[1]).get(sys.argv[2])
print(v if isinstance(v, str) else "")' "$1" "$2"
}

urlencode() { "$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

report() { # status import_id
  local t1=$EPOCHREALTIME us
  us=$(( ${t1/./} - ${t0/./} ))
  printf '{"status": "%s", "import_id": "%s", "requests": %d, "api_requests": %d, "polls": %d, "wall_s": %d.%06d}\n' \
    "$1" "$2" "$requests" "$((requests - 1))" "$polls" $((us / 1000000)) $((us % 1000000))
}

dataset_url=$api/datasets/$(urlencode "$dataset")
requests=$((requests + 1))
answer=$(api_get "$dataset_url/upload-url/$(urlencode "$(basename "$file")")") || { report error ""; exit 1; }
upload_url=$(json_field "$answer" upload_url)
method=$(json_field "$answer" http_method)
import_id=$(json_field "$answer" import_id)
content_type=$(json_field "$answer" content_type)
if [[ -z $upload_url || -z $method || -z $import_id || -z $content_type ]]; then
  echo "reference_flow.sh: step 1 answer lacks upload_url, http_method, import_id or content_type" >&2
  report error "$import_id"
  exit 1
fi

# --globoff: a presigned query may hold [ ] { } that curl would expand.
requests=$((requests + 1))
if ! curl --noproxy '*' -sS --fail --globoff --max-time 3600 "${cacert[@]}" -o /dev/null \
     -X "$method" -T "$file" -H "Content-Type: $content_type" "$upload_url"; then
  report upload_failed "$import_id"
  exit 1
fi

failures=0
status_url=$dataset_url/imports/$(urlencode "$import_id")
deadline=$(( ${EPOCHREALTIME%.*} + give_up ))
while (( ${EPOCHREALTIME%.*} < deadline )); do
  sleep "$interval"
  polls=$((polls + 1))
  requests=$((requests + 1))
  if ! body=$(api_get "$status_url"); then
    failures=$((failures + 1))
    (( failures < 3 )) && continue
    report poll_failed "$import_id"
    exit 1
  fi
  failures=0
  status=$(json_field "$body" status)
  case $status in
    complete|partial|failed|pending_schema) report "$status" "$import_id"; exit 0;;
  esac
done
report gave_up "$import_id"
exit 1
