#!/usr/bin/env bash
# certs.sh: a CA, a 127.0.0.1/localhost leaf and a wrong.example leaf; idempotent.
source "$(dirname "$0")/lib.sh"
it_init
need_tool openssl

d=$TMP/certs
"$IT_DIR/certs.sh" "$d" || fail "certs.sh failed"
for f in ca.pem ca.key server.pem server.key wrong.pem wrong.key; do
  [[ -s $d/$f ]] || fail "certs.sh did not write $f"
done
openssl verify -CAfile "$d/ca.pem" "$d/server.pem" "$d/wrong.pem" >/dev/null || fail "leaves do not verify against the CA"
openssl x509 -in "$d/server.pem" -noout -ext subjectAltName >"$TMP/san" 2>&1
assert_file_contains "$TMP/san" "IP Address:127\.0\.0\.1" "server.pem SAN"
assert_file_contains "$TMP/san" "DNS:localhost" "server.pem SAN"
openssl x509 -in "$d/wrong.pem" -noout -ext subjectAltName >"$TMP/san2" 2>&1
assert_file_contains "$TMP/san2" "DNS:wrong\.example" "wrong.pem SAN"
assert_file_lacks_string "$TMP/san2" "127.0.0.1" "wrong.pem SAN"
openssl x509 -in "$d/server.pem" -noout -text | grep -q "prime256v1\|P-256" || fail "server key is not EC P-256"
openssl x509 -in "$d/server.pem" -noout -checkhost localhost | grep -q "does match" || fail "server.pem does not match localhost"
openssl x509 -in "$d/server.pem" -noout -checkip 127.0.0.1 | grep -q "does match" || fail "server.pem does not match 127.0.0.1"
openssl x509 -in "$d/wrong.pem" -noout -checkip 127.0.0.1 | grep -q "does NOT match" || fail "wrong.pem matches 127.0.0.1"

# Idempotent: a second run keeps the same files.
sum1=$(cat "$d"/*.pem | sha256sum)
"$IT_DIR/certs.sh" "$d"
sum2=$(cat "$d"/*.pem | sha256sum)
assert_eq "$sum1" "$sum2" "a second certs.sh run rewrote a valid set"
# ...and repairs an incomplete one.
rm -f "$d/wrong.key"
"$IT_DIR/certs.sh" "$d"
openssl verify -CAfile "$d/ca.pem" "$d/server.pem" "$d/wrong.pem" >/dev/null || fail "re-made set does not verify"
[[ -s $d/wrong.key ]] || fail "certs.sh did not repair a missing key"
