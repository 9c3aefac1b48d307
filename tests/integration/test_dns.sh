#!/usr/bin/env bash
# A host name that does not resolve: a typed, retried `connect` failure
# ending in exit 5 within the deadline, never a hang. The lookup must not
# leave loopback: the CLI runs in a private mount namespace whose
# /etc/resolv.conf names only 127.0.0.1 (where no DNS server listens).
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_tool unshare

printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$TMP/resolv.conf"
unshare --mount true 2>/dev/null || skip "unshare --mount is not permitted here (needs root)"

start=$(date +%s)
PROLIFIC_API_TOKEN="$TOKEN" timeout 60 unshare --mount bash -c '
  mount --bind "$1" /etc/resolv.conf || exit 70
  shift
  exec "$@"' _ "$TMP/resolv.conf" "$UPLOAD" --api-base "https://no-such-host.invalid/api/v1/data-collection" \
  --timeout 8 --json ds "$IT_DATA/valid.jsonl" >"$TMP/dns.stdout" 2>"$TMP/dns.stderr" && RC=0 || RC=$?
_it_dumps+=("$TMP/dns.stdout" "$TMP/dns.stderr")
[[ $RC != 70 ]] || skip "cannot bind-mount /etc/resolv.conf here"
LAST_RUN=dns; OUT=$TMP/dns.stdout; ERR=$TMP/dns.stderr
assert_rc 5 "unresolvable API host"
(( $(date +%s) - start < 30 )) || fail "the DNS failure took $(( $(date +%s) - start )) s"
# Retried like any connect failure: the budget or the deadline ends it.
json_check dns 'o[0]["error"]["code"] in ("retries_exhausted", "deadline_exceeded")'
assert_file_contains "$ERR" "cannot resolve" "stderr names the lookup failure"
assert_no_token_in "$OUT" "$ERR"
