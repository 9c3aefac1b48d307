#!/usr/bin/env bash
# HTTPS to the fake server: verified with --ca-file -> complete; without the
# CA -> exit 5 naming certificate verification; a certificate for another
# host name -> exit 5 even with the CA.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake; need_tool openssl
make_certs

fake_start --cert "$CERTS/server.pem" --key "$CERTS/server.key" --dataset ds:"$SCHEMA" --processing-ms 50
[[ $FAKE_URL == https://* ]] || fail "the fake server with --cert does not announce https ($FAKE_URL)"
FAKE_CACERT=$CERTS/ca.pem

# curl sees a valid certificate for 127.0.0.1 and localhost.
api_get datasets/ds >/dev/null || fail "curl --cacert could not GET the dataset over TLS"

run_cli ca "${FAST[@]}" --ca-file "$CERTS/ca.pem" --json ds "$IT_DATA/valid.jsonl"
assert_rc 0 "TLS with --ca-file"
json_check ca 'o[0]["status"] == "complete" and o[0]["accepted_count"] == 6'
id=$(json_get ca 0 import_id)
assert_eq complete "$(import_status ds "$id")" "the service's status"

# (TLS to "localhost" via the DNS SAN is covered by test_nginx_put_only.sh:
# the fake server routes by the Host it announced, 127.0.0.1.)

run_cli noca "${FAST[@]}" --json ds "$IT_DATA/valid.jsonl"
assert_rc 5 "TLS without the test CA"
assert_file_contains "$ERR" "certificate" "the failure mentions the certificate"
assert_file_contains "$ERR" "verif" "the failure mentions verification"
assert_elapsed_below 15 "a certificate failure is final, not retried at length"
json_check noca 'isinstance(o[0]["error"], dict) and o[0]["status"] != "complete"'

# A CA file that is not the issuer does not help.
run_cli wrongca "${FAST[@]}" --ca-file "$CERTS/wrong.pem" --json ds "$IT_DATA/valid.jsonl"
assert_rc 5 "TLS with an unrelated --ca-file"
fake_stop

fake_start --cert "$CERTS/wrong.pem" --key "$CERTS/wrong.key" --dataset ds:"$SCHEMA" --processing-ms 50
run_cli wronghost "${FAST[@]}" --ca-file "$CERTS/ca.pem" --json ds "$IT_DATA/valid.jsonl"
assert_rc 5 "a certificate for wrong.example served on 127.0.0.1"
assert_file_contains "$ERR" "certificate|host ?name|verif" "the failure says why"
assert_elapsed_below 15 "a host-name mismatch is final"
fake_stop
