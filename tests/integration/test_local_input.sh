#!/usr/bin/env bash
# issue 12 item 4: only regular files, opened once without blocking and
# refused at once with a typed error before any scan: a FIFO (open(2) used
# to block forever), a symlink to /dev/zero (read forever), a directory, a
# 6 GiB sparse file (scanned ~30 s before being refused as over 5 GiB).
# Pre-flight stays on (the default), so its open is the one being tested.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

fake_start --dataset ds:"$SCHEMA" --processing-ms 50
mkfifo "$TMP/fifo.jsonl"
ln -s /dev/zero "$TMP/zero.jsonl"
mkdir "$TMP/dir.jsonl"
truncate -s 6G "$TMP/sparse.jsonl" || skip "cannot create a 6 GiB sparse file here"

IT_CLI_TIMEOUT=20
check_refused() { # NAME FILE CODE REGEX
  run_cli "$1" "${FAST[@]}" --json ds "$2"
  assert_rc 5 "$1: refused"
  assert_elapsed_below 5 "$1: refused at once (no hang, no scan)"
  json_check "$1" "o[0]['status'] == 'error' and o[0]['error']['code'] == '$3'" "$1: error code $3"
  assert_file_contains "$ERR" "$4" "$1: the reason"
}
check_refused fifo "$TMP/fifo.jsonl" invalid_argument "not a regular file \(a FIFO\)"
check_refused zero "$TMP/zero.jsonl" invalid_argument "not a regular file \(a character device\)"
check_refused dir "$TMP/dir.jsonl" invalid_argument "not a regular file \(a directory\)"
check_refused sparse "$TMP/sparse.jsonl" file_too_large "6442450944 bytes.*5 GiB"

# In a batch the bad ones are refused and the good one goes through.
run_cli mixed "${FAST[@]}" --json ds "$TMP/fifo.jsonl" "$IT_DATA/valid.jsonl" "$TMP/sparse.jsonl"
assert_rc 5 "mixed batch"
assert_elapsed_below 15 "mixed batch"
json_check mixed "[x['status'] for x in o] == ['error', 'complete', 'error']" "only the regular file is uploaded"
[[ $(grep -c '^PUT /s3/' "$FAKE_LOG" || true) == 1 ]] || fail "mixed batch: expected exactly one PUT"
fake_stop
log "ok"
