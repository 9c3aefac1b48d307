#!/usr/bin/env bash
# The overall --timeout is a deadline for the whole file: it also cuts a
# request that is in flight and never answered (exit 5 soon after it, not
# after the 30 s default stall timeout).
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

# The poll stalls; the overall deadline (3 s) must cut the pending request.
fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --fault poll:stallx1000
run_cli polldeadline --api-base "$FAKE_API" --poll-interval 0.1 --timeout 3 --json ds "$IT_DATA/valid.jsonl"
assert_rc 5 "poll stalls, --timeout 3"
assert_elapsed_below 15 "--timeout 3 with a stalled poll"
json_check polldeadline 'isinstance(o[0]["error"], dict) and o[0]["error"]["code"] and o[0]["import_id"]' "error and import id in --json"
fake_stop

# Step 1 and the PUT stall: the same.
fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --fault upload_url:stallx1000
run_cli urlstall --api-base "$FAKE_API" --poll-interval 0.1 --timeout 3 --json ds "$IT_DATA/valid.jsonl"
assert_rc 5 "upload-url stalls, --timeout 3"
assert_elapsed_below 15 "--timeout 3 with a stalled upload-url request"
fake_stop

fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --fault upload:stallx1000
run_cli putstall --api-base "$FAKE_API" --poll-interval 0.1 --timeout 3 --json ds "$IT_DATA/valid.jsonl"
assert_rc 5 "the PUT stalls, --timeout 3"
assert_elapsed_below 15 "--timeout 3 with a stalled PUT"
fake_stop

