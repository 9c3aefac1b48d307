#!/usr/bin/env bash
# The connection is reset in the middle of the PUT (and on the other steps):
# the PUT starts again from byte 0 and the run completes with every record.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

# ~3 MB in 3000 records (the fake's processing time grows with the records)
n=3000
make_jsonl "$TMP/big.jsonl" $n 1000

fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --fault upload:resetx1
run_cli putreset "${FAST[@]}" --json ds "$TMP/big.jsonl"
assert_rc 0 "reset mid-PUT once"
json_check putreset "len(o) == 1 and o[0]['status'] == 'complete' and o[0]['accepted_count'] == $n" "all $n records arrived"
# The server really cut the first PUT (half-way through its body) and got a whole second one.
[[ $(grep -c '^PUT /s3/.* reset$' "$FAKE_LOG") == 1 ]] || fail "the fake server logged no reset PUT"
[[ $(grep -c '^PUT /s3/.* 200$' "$FAKE_LOG") == 1 ]] || fail "the fake server logged no successful PUT after the reset"
fake_stop

fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --fault upload:resetx2
run_cli putreset2 "${FAST[@]}" --json ds "$TMP/big.jsonl"
assert_rc 0 "reset mid-PUT twice"
json_check putreset2 "o[0]['status'] == 'complete' and o[0]['accepted_count'] == $n"
fake_stop

fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --fault poll:resetx2 --fault upload_url:resetx1
run_cli apireset "${FAST[@]}" --json ds "$IT_DATA/valid.jsonl"
assert_rc 0 "resets on the API calls"
json_check apireset "o[0]['status'] == 'complete' and o[0]['accepted_count'] == 6"
fake_stop
