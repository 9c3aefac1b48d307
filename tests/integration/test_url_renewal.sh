#!/usr/bin/env bash
# An expired upload URL is replaced by a new one (a new import): the run
# still completes and --json reports the final import, which the service
# shows complete; the abandoned one never received bytes.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

check_renewed() { # run-name
  json_check "$1" 'len(o) == 1 and o[0]["status"] == "complete" and o[0]["accepted_count"] == 6'
  local id
  id=$(json_get "$1" 0 import_id)
  [[ -n $id ]] || fail "$1: no import_id in --json"
  assert_eq complete "$(import_status ds "$id")" "$1: the service's status of the reported import"
  # The lead's CLI lists abandoned imports; when it does, they must differ
  # from the final one and never have left `uninitialised`.
  local abandoned
  abandoned=$("$PY" -c 'import json,sys; o=json.loads(open(sys.argv[1]).readline()); print(" ".join(o.get("abandoned_import_ids") or []))' "$TMP/$1.stdout")
  local a
  for a in $abandoned; do
    [[ $a != "$id" ]] || fail "$1: the final import $id is also listed as abandoned"
    assert_eq uninitialised "$(import_status ds "$a")" "$1: status of the abandoned import $a"
  done
}

# S3 says "Request has expired" once.
fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --fault upload:s3-expiredx1
run_cli s3expired "${FAST[@]}" --json ds "$IT_DATA/valid.jsonl"
assert_rc 0 "one 403 Request has expired"
check_renewed s3expired
assert_file_contains "$ERR" "expired" "stderr tells about the renewal"
fake_stop

# ExpiredToken (400): the signing credentials died; a new URL fixes it.
fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --fault upload:s3:ExpiredToken:400x1
run_cli expiredtoken "${FAST[@]}" --json ds "$IT_DATA/valid.jsonl"
assert_rc 0 "one 400 ExpiredToken"
check_renewed expiredtoken
fake_stop

# A real expiry: URLs live 1 s; a 503 with Retry-After: 2 on the PUT makes
# the client wait past it, so it must ask for a new URL.
fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --url-lifetime 1 --fault upload:503:2x1
run_cli lifetime "${FAST[@]}" --json ds "$IT_DATA/valid.jsonl"
assert_rc 0 "URL expired while waiting to retry the PUT"
check_renewed lifetime
fake_stop

# URLs that expire the second they are made (X-Amz-Expires=0): usable only
# within that second, so the run still completes (renewing if the PUT lands
# a second late), and --json names the import that got the bytes.
fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --url-lifetime 0
run_cli lifetime0 "${FAST[@]}" --json ds "$IT_DATA/valid.jsonl"
assert_rc 0 "--url-lifetime 0"
check_renewed lifetime0
fake_stop
