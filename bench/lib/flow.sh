# The whole-flow phase of bench/run (bash; sourced): upstate-upload and the
# reference curl loop (bench/reference_flow.sh) each run the three steps
# against a fresh upstate-fake-server of their own.
# Needs: UPLOAD, FAKE, TMP, RAW, PY, BENCH_LIB, BENCH_DIR, SCHEMA, FLOW_FILE,
# FLOW_RECORDS, TOKEN, and common.sh.

# flow_once CLIENT PROCESSING_MS RUN: one whole flow; its record (JSON) goes to
# $TMP/flow/CLIENT-PROCESSING_MS-RUN/record.json (concurrent runs never share
# a file). The fake server's request log is stamped line by line as it is
# written (see `stamp`): that is where request counts and the PUT's time come
# from, the same way for both clients.
flow_once() {
  local client=$1 ms=$2 run=$3
  local d=$TMP/flow/$client-$ms-$run
  mkdir -p "$d"
  mkfifo "$d/log.fifo"
  stamp <"$d/log.fifo" >"$d/server.log" &
  local stamp_pid=$!
  # Under `timeout`: a server this script fails to stop still goes away.
  timeout -s TERM -k 5 $((ms / 1000 + 900)) \
    "$FAKE" --port 0 --token "$TOKEN" --dataset "ds:$SCHEMA" --processing-ms "$ms" \
    >"$d/server.out" 2>"$d/log.fifo" </dev/null &
  local fake_pid=$!
  echo "$fake_pid" >"$d/fake.pid"
  local base="" _
  for _ in $(seq 100); do
    base=$(grep -Eo 'http://127\.0\.0\.1:[0-9]+' "$d/server.out" 2>/dev/null | head -n 1 || true)
    [[ -n $base ]] && break
    kill -0 "$fake_pid" 2>/dev/null || break
    sleep 0.05
  done
  local api=$base/api/v1/data-collection t0 t1 rc
  t0=$EPOCHREALTIME
  set +e
  if [[ -z $base ]]; then
    rc=70
    echo "upstate-fake-server did not start" >"$d/client.err"
  else
    # In the background only so that bench/run's cleanup can find it by pid.
    local cmd=("$BENCH_DIR/reference_flow.sh" "$api" ds "$FLOW_FILE")
    [[ $client == upstate ]] && cmd=("$UPLOAD" --quiet --json --api-base "$api" ds "$FLOW_FILE")
    PROLIFIC_API_TOKEN=$TOKEN "${cmd[@]}" >"$d/client.out" 2>"$d/client.err" </dev/null &
    local client_pid=$!
    echo "$client_pid" >"$d/client.pid"
    wait "$client_pid"
    rc=$?
  fi
  set -e
  # The moment the client's process ended, right after it printed the outcome:
  # "the client reports it".
  t1=$EPOCHREALTIME
  stop_pid "$fake_pid"
  wait "$stamp_pid" 2>/dev/null || true
  "$PY" "$BENCH_LIB/flow_record.py" --client "$client" --processing-ms "$ms" --records "$FLOW_RECORDS" \
    --run "$run" --t0 "$t0" --t1 "$t1" --rc "$rc" --server-log "$d/server.log" \
    --client-out "$d/client.out" --client-err "$d/client.err" >"$d/record.json"
  log "flow $((ms / 1000)) s $client run $run: $("$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))
print("%.2f s, %s API requests, detection delay %s s%s" % (r["wall_s"], r["api_requests"], r["detection_delay_s"],
      "" if r["ok"] else " -- FAILED: " + r["problem"]))' "$d/record.json")"
}

# flow_series PROCESSING_MS RUNS MODE: RUNS runs of each client.
# MODE interleaved: upstate, reference, upstate, ... one after another.
# MODE concurrent: all at once, each with its own server. For long imports
# the clients sleep nearly all the time, so running them side by side changes
# neither what they request nor when (the delays are seconds, the CPU each
# uses is milliseconds) and saves RUNS x 2 x the processing time.
flow_series() {
  local ms=$1 runs=$2 mode=$3 run client pids=()
  for run in $(seq "$runs"); do
    for client in upstate reference; do
      if [[ $mode == concurrent ]]; then
        flow_once "$client" "$ms" "$run" &
        pids+=($!)
      else
        flow_once "$client" "$ms" "$run"
      fi
    done
  done
  local pid
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  for run in $(seq "$runs"); do
    for client in upstate reference; do
      local record=$TMP/flow/$client-$ms-$run/record.json
      if [[ -s $record ]]; then cat "$record" >>"$RAW"
      else json_line kind flow client "$client" processing_ms "$ms" run "$run" ok false problem "no record" >>"$RAW"; fi
    done
  done
}
