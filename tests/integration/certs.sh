#!/usr/bin/env bash
# Test PKI for the loopback integration tests, made with the openssl CLI.
#   certs.sh OUTDIR
# Writes into OUTDIR (created if needed):
#   ca.pem / ca.key            a throw-away test CA
#   server.pem / server.key    leaf for SAN IP:127.0.0.1, DNS:localhost (signed by the CA)
#   wrong.pem / wrong.key      leaf whose only SAN is DNS:wrong.example (signed by the CA)
# EC P-256 keys (fast). Idempotent: an OUTDIR that already holds a complete,
# still-valid set is left alone. Safe to run concurrently for the same OUTDIR
# (work happens in a private temp dir, files are moved in at the end).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 64
fi
out=$1
mkdir -p "$out"

files=(ca.pem ca.key server.pem server.key wrong.pem wrong.key)
complete=1
for f in "${files[@]}"; do [[ -s $out/$f ]] || complete=0; done
if [[ $complete == 1 ]] &&
   openssl x509 -checkend 86400 -noout -in "$out/server.pem" >/dev/null 2>&1 &&
   openssl x509 -checkend 86400 -noout -in "$out/wrong.pem" >/dev/null 2>&1 &&
   openssl verify -CAfile "$out/ca.pem" "$out/server.pem" "$out/wrong.pem" >/dev/null 2>&1; then
  exit 0
fi

work=$(mktemp -d "$out/.certs.XXXXXX")
trap 'rm -rf "$work"' EXIT

genkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# CA
genkey "$work/ca.key"
cat >"$work/ca.ext" <<'EXT'
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EXT
openssl req -new -key "$work/ca.key" -subj "/CN=upstate test CA" -out "$work/ca.csr" 2>/dev/null
openssl x509 -req -in "$work/ca.csr" -signkey "$work/ca.key" -days 3650 -sha256 \
  -extfile "$work/ca.ext" -out "$work/ca.pem" 2>/dev/null

leaf() { # name CN SAN
  local name=$1 cn=$2 san=$3
  genkey "$work/$name.key"
  cat >"$work/$name.ext" <<EXT
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $san
authorityKeyIdentifier = keyid
subjectKeyIdentifier = hash
EXT
  openssl req -new -key "$work/$name.key" -subj "/CN=$cn" -out "$work/$name.csr" 2>/dev/null
  openssl x509 -req -in "$work/$name.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -set_serial "0x$(openssl rand -hex 8)" -days 825 -sha256 \
    -extfile "$work/$name.ext" -out "$work/$name.pem" 2>/dev/null
}
leaf server "127.0.0.1" "IP:127.0.0.1, DNS:localhost"
leaf wrong "wrong.example" "DNS:wrong.example"

openssl verify -CAfile "$work/ca.pem" "$work/server.pem" "$work/wrong.pem" >/dev/null
chmod 600 "$work"/*.key
for f in "${files[@]}"; do mv -f "$work/$f" "$out/$f"; done
