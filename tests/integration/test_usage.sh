#!/usr/bin/env bash
# Usage errors exit 64 with a clear message: no token, bad arguments, and a
# plain-http API base that is not loopback (the token would travel in clear).
source "$(dirname "$0")/lib.sh"
it_init; need_upload

IT_NO_TOKEN=1 run_cli notoken --api-base "http://127.0.0.1:9/api/v1/data-collection" ds "$IT_DATA/valid.jsonl"
assert_rc 64 "PROLIFIC_API_TOKEN unset"
assert_file_contains "$ERR" "PROLIFIC_API_TOKEN" "the message names the variable"
[[ ! -s $OUT ]] || fail "no token: something was printed on stdout"

# An empty token is no token.
PROLIFIC_API_TOKEN= timeout 20 "$UPLOAD" --api-base "http://127.0.0.1:9/x" ds "$IT_DATA/valid.jsonl" >/dev/null 2>"$TMP/empty-token.err" && rc=0 || rc=$?
[[ $rc == 64 ]] || fail "empty PROLIFIC_API_TOKEN: expected exit 64, got $rc"

run_cli noargs
assert_rc 64 "no arguments"
run_cli nofile ds
assert_rc 64 "a dataset and no file"
run_cli badopt --no-such-option ds "$IT_DATA/valid.jsonl"
assert_rc 64 "unknown option"
# An argument is untrusted text too (a pasted name, an escape sequence): the
# refusal quotes it escaped, so it cannot drive the terminal.
run_cli escopt $'--no-such\e]0;owned\a\e[31m' ds "$IT_DATA/valid.jsonl"
assert_rc 64 "unknown option with control bytes"
if grep -q $'\e' "$ERR"; then fail "the refusal echoed an ESC byte to the terminal"; fi
assert_file_contains "$ERR" 'no-such\\x1b' "the refusal shows the option with its ESC escaped"
run_cli badtimeout --timeout soon ds "$IT_DATA/valid.jsonl"
assert_rc 64 "--timeout with a non-number"
run_cli badpoll --poll-interval -1 ds "$IT_DATA/valid.jsonl"
assert_rc 64 "--poll-interval negative"
# issue 12 item 7: 0 polled ~24,000 times in 3 s; anything below 0.1 s is refused.
for interval in 0 0.05 0.099; do
  run_cli pollfloor --poll-interval "$interval" ds "$IT_DATA/valid.jsonl"
  assert_rc 64 "--poll-interval $interval (below the 0.1 s floor)"
  assert_file_contains "$ERR" "poll-interval" "the refusal of --poll-interval $interval names the option"
done
run_cli badbase --api-base "not a url" ds "$IT_DATA/valid.jsonl"
assert_rc_in "64 5" "--api-base not a URL"

# Plain http to a host that is not loopback: refused before any connection
# (192.0.2.1 is TEST-NET-1: a connection attempt would hang, not fail fast).
for base in "http://192.0.2.1/api/v1/data-collection" "http://example.com/api/v1/data-collection" \
            "http://10.1.2.3:8080/api/v1/data-collection"; do
  run_cli plainhttp --api-base "$base" --timeout 30 ds "$IT_DATA/valid.jsonl"
  assert_rc_in "64 5" "plain http to $base"
  assert_file_contains "$ERR" "loopback|https|clear ?text|plain|insecure" "the refusal of $base explains why"
  assert_elapsed_below 5 "the refusal of $base (no connection attempt)"
done

run_cli help --help
assert_rc 0 "--help"
assert_file_contains "$OUT" "DATASET_ID" "--help prints the usage"
