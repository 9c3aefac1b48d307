#!/usr/bin/env bash
# A peer that never answers does not hang the CLI: the stall (idle) timeout
# ends the exchange; bounded retries end the run with exit 5.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

# Every poll times out after 1 s of silence;
# the bounded retries (or the 20 s deadline) end it.
fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --fault poll:stallx1000
run_cli pollidle --api-base "$FAKE_API" --poll-interval 0.1 --timeout 20 --idle-timeout 1 --json ds "$IT_DATA/valid.jsonl"
assert_rc 5 "poll stalls, --idle-timeout 1"
assert_elapsed_below 35 "--idle-timeout 1 with stalled polls"
fake_stop

# One stalled poll: the stall timeout fires, the poll is retried, complete.
fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --fault poll:stallx1
run_cli pollonce --api-base "$FAKE_API" --poll-interval 0.1 --timeout 30 --idle-timeout 1 --json ds "$IT_DATA/valid.jsonl"
assert_rc 0 "one stalled poll, then answers"
json_check pollonce 'o[0]["status"] == "complete"'
fake_stop

# Nothing listening at all: connection refused is a client-side error, fast.
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run_cli refused --api-base "http://127.0.0.1:$port/api/v1/data-collection" --poll-interval 0.1 --timeout 10 --json ds "$IT_DATA/valid.jsonl"
assert_rc 5 "nothing listening"
assert_elapsed_below 15 "connection refused"
json_check refused 'isinstance(o[0]["error"], dict) and o[0]["error"]["code"]'
