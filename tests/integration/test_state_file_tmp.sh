#!/usr/bin/env bash
# issue 12 item 6: --state-file writes its temporary copy under a fresh,
# exclusive name beside PATH. A symlink planted at PATH.tmp (the old fixed
# name) is neither followed nor clobbered, and no temporary file is left.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

fake_start --dataset ds:"$SCHEMA" --processing-ms 50
mkdir -p "$TMP/state"
printf 'precious\n' >"$TMP/victim"
ln -s "$TMP/victim" "$TMP/state/up.state.tmp"
run_cli planted "${FAST[@]}" --json --state-file "$TMP/state/up.state" ds "$IT_DATA/valid.jsonl"
assert_rc 0 "upload with a symlink planted at PATH.tmp"
assert_eq "precious" "$(cat "$TMP/victim")" "the planted symlink's target"
[[ -L $TMP/state/up.state.tmp ]] || fail "the planted symlink was replaced or removed"
leftover=$(find "$TMP/state" -name 'up.state.tmp.*' | wc -l)
assert_eq 0 "$leftover" "temporary state files left behind"

# The state really was written along the way: a run cut by its deadline
# keeps it, and it is a snapshot (JSON), not the victim's bytes.
fake_stop
fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --fault poll:stallx1000
run_cli kept --api-base "$FAKE_API" --poll-interval 0.1 --timeout 2 --state-file "$TMP/state/up.state" ds "$IT_DATA/valid.jsonl"
assert_rc 5 "deadline while polling"
[[ -f $TMP/state/up.state && ! -L $TMP/state/up.state ]] || fail "the state file is not a regular file"
assert_file_contains "$TMP/state/up.state" '"import_id"' "the state file holds the snapshot"
assert_eq "precious" "$(cat "$TMP/victim")" "the planted symlink's target after a kept state"
fake_stop
log "ok"
