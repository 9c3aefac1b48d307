#!/usr/bin/env bash
# The PUT sink for bench/run: nginx with bench/nginx.conf (TLS 1.3 only, one
# cipher suite, an access log that names protocol and cipher).
#   nginx.sh start DIR CERTDIR CIPHER   prints "PLAIN_PORT TLS_PORT"
#   nginx.sh stop DIR
# Same layout as tests/integration/nginx.sh (DIR/nginx.pid, DIR/wrapper.pid,
# nginx in the foreground of a background `timeout`), so stopping is that
# script's `stop`: one shutdown procedure to keep right, not two.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
it_nginx=$root/tests/integration/nginx.sh

usage() { echo "usage: $0 start DIR CERTDIR CIPHER | stop DIR" >&2; exit 64; }
[[ $# -ge 2 ]] || usage
cmd=$1
dir=$2
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
if [[ -x /usr/bin/python3 ]]; then PY=/usr/bin/python3; else PY=python3; fi

free_ports() { # two distinct free loopback TCP ports
  "$PY" -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))'
}

start() {
  local certdir=$1 cipher=$2
  [[ -x $NGINX ]] || { echo "bench nginx.sh: nginx not found" >&2; exit 77; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  certdir=$(cd "$certdir" && pwd)
  "$it_nginx" stop "$dir"
  mkdir -p "$dir/www/upload" "$dir/www/.tmp" "$dir/tmp/body" "$dir/tmp/proxy" "$dir/tmp/fastcgi" \
           "$dir/tmp/uwsgi" "$dir/tmp/scgi" "$dir/logs"
  # As root nginx would switch its workers to "nobody", which may not write DIR.
  local user_line=""
  [[ $(id -u) == 0 ]] && user_line="user root root;"
  local attempt plain tls wrapper _
  for attempt in 1 2 3 4 5; do
    read -r plain tls < <(free_ports)
    sed -e "s|@DIR@|$dir|g" -e "s|@CERTDIR@|$certdir|g" -e "s|@CIPHER@|$cipher|g" \
        -e "s|@PLAIN_PORT@|$plain|g" -e "s|@TLS_PORT@|$tls|g" -e "s|@USER_LINE@|$user_line|g" \
        "$root/bench/nginx.conf" >"$dir/nginx.conf"
    "$NGINX" -t -q -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" >"$dir/logs/start.log" 2>&1 || break
    timeout -s TERM -k 5 "${NGINX_LIFETIME:-7200}" \
      "$NGINX" -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" </dev/null >>"$dir/logs/start.log" 2>&1 &
    wrapper=$!
    echo "$wrapper" >"$dir/wrapper.pid"
    # ready when both ports answer (bounded: 5 s in 50 ms steps)
    for _ in $(seq 100); do
      kill -0 "$wrapper" 2>/dev/null || break
      if curl --noproxy '*' -s -o /dev/null --max-time 2 "http://127.0.0.1:$plain/" &&
         curl --noproxy '*' -s -k -o /dev/null --max-time 2 "https://127.0.0.1:$tls/"; then
        echo "$plain $tls"
        return 0
      fi
      sleep 0.05
    done
    "$it_nginx" stop "$dir"
    # a port was taken between picking and binding: try other ports
    grep -q "Address already in use" "$dir/logs/start.log" "$dir/logs/error.log" 2>/dev/null || break
  done
  echo "bench nginx.sh: nginx did not start; see $dir/logs:" >&2
  cat "$dir/logs/start.log" >&2 || true
  tail -n 20 "$dir/logs/error.log" >&2 || true
  exit 1
}

case $cmd in
  start) [[ $# -eq 4 ]] || usage; start "$3" "$4";;
  stop) "$it_nginx" stop "$dir";;
  *) usage;;
esac
