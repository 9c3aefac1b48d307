#!/usr/bin/env bash
# issue 12 item 8: --timeout is ONE deadline for the whole command. With
# the dataset endpoint stalled, pre-flight's dataset fetch, each upload and
# the batch's final dataset fetch used to start deadlines of their own
# (--timeout 4 with two files ran 11.7 s). Bounds are generous (< 8 s for a
# 4 s deadline): the point is "about 4", not "4 + 4 + 4".
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --fault dataset:stallx1000
cp "$IT_DATA/valid.jsonl" "$TMP/second.jsonl"
two=("$IT_DATA/valid.jsonl" "$TMP/second.jsonl")

# Pre-flight on (the default): its schema fetch stalls and eats the deadline.
run_cli preflight --api-base "$FAKE_API" --poll-interval 0.1 --timeout 4 --json ds "${two[@]}"
assert_rc 5 "two files, stalled dataset endpoint, --timeout 4"
assert_elapsed_below 8 "one --timeout 4 for pre-flight, both uploads and the final fetch"
assert_elapsed_at_least 3 "the deadline, not an early give-up"
json_check preflight "all(x['error'] and x['error']['code'] == 'deadline_exceeded' for x in o)" "every file ends deadline_exceeded"

# Pre-flight off: the uploads finish, the final dataset fetch stalls and is
# cut by what is left of the same deadline.
run_cli nopreflight --api-base "$FAKE_API" --poll-interval 0.1 --timeout 4 --preflight off --json ds "${two[@]}"
assert_rc 0 "uploads complete; only the dataset total is missing"
assert_elapsed_below 8 "the final dataset fetch is capped by what is left"
json_check nopreflight "[x['status'] for x in o] == ['complete', 'complete'] and o[0]['dataset_total_datapoint_count'] is None"
assert_file_contains "$ERR" "could not fetch the total" "the missing total is explained"
fake_stop
log "ok"
