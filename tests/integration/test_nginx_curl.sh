#!/usr/bin/env bash
# The nginx peer itself (no upstate program): curl -T plain and TLS, byte for byte.
source "$(dirname "$0")/lib.sh"
it_init
need_tool curl
nginx_start

head -c 0 /dev/urandom >"$TMP/empty.bin"
head -c 1 /dev/urandom >"$TMP/one.bin"
head -c $((3 * 1024 * 1024 + 7)) /dev/urandom >"$TMP/big.bin"
for f in empty one big; do
  code=$(curl --noproxy '*' -sS --max-time 30 -o /dev/null -w '%{http_code}' -T "$TMP/$f.bin" \
    "http://127.0.0.1:$NGINX_PLAIN/upload/plain/$f.bin")
  [[ $code == 201 || $code == 204 ]] || fail "plain PUT of $f.bin: HTTP $code"
  cmp "$TMP/$f.bin" "$NGINX_DIR/www/upload/plain/$f.bin" || fail "plain PUT of $f.bin stored different bytes"
  code=$(curl --noproxy '*' -sS --max-time 30 -o /dev/null -w '%{http_code}' --cacert "$TMP/certs/ca.pem" \
    -T "$TMP/$f.bin" "https://127.0.0.1:$NGINX_TLS/upload/tls/$f.bin")
  [[ $code == 201 || $code == 204 ]] || fail "TLS PUT of $f.bin: HTTP $code"
  cmp "$TMP/$f.bin" "$NGINX_DIR/www/upload/tls/$f.bin" || fail "TLS PUT of $f.bin stored different bytes"
done
# Without the test CA curl must refuse the certificate.
if curl --noproxy '*' -sS --max-time 10 -o /dev/null -T "$TMP/one.bin" \
  "https://127.0.0.1:$NGINX_TLS/upload/tls/x.bin" 2>"$TMP/curl.err"; then
  fail "curl accepted the test certificate without --cacert"
fi
"$IT_DIR/nginx.sh" stop "$NGINX_DIR"
[[ ! -e $NGINX_DIR/nginx.pid ]] || fail "nginx.sh stop left the pid file"
