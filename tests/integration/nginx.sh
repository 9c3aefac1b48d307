#!/usr/bin/env bash
# A private nginx on loopback, used as a plain-HTTP and HTTPS upload host
# (WebDAV PUT into DIR/www/upload/...).
#   nginx.sh start DIR [CERTDIR]   prints "PLAIN_PORT TLS_PORT" on stdout (also in DIR/ports)
#   nginx.sh stop DIR
# CERTDIR holds server.pem/server.key (default: DIR/certs, made by certs.sh).
# Everything (config, pid, logs, temp files, stored uploads) lives in DIR.
# nginx runs in the foreground of a background `timeout` (no systemd, no
# daemon left behind): if `stop` is never called it still exits after
# NGINX_LIFETIME seconds (default 900).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() { echo "usage: $0 start DIR [CERTDIR] | stop DIR" >&2; exit 64; }
[[ $# -ge 2 ]] || usage
cmd=$1
dir=$2

NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

# A live process (an exited one waiting to be reaped, state Z, is not: the
# wrapper is an orphan and init may take a while to reap it).
alive() {
  [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null || return 1
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

stop() {
  local pid="" wrapper=""
  [[ -s $dir/nginx.pid ]] && pid=$(cat "$dir/nginx.pid")
  [[ -s $dir/wrapper.pid ]] && wrapper=$(cat "$dir/wrapper.pid")
  # nginx's own pid file names the master; TERM = fast shutdown.
  if alive "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
  if alive "$wrapper"; then kill -TERM "$wrapper" 2>/dev/null || true; fi
  # bounded wait: 5 s in 50 ms steps, then KILL
  local _
  for _ in $(seq 100); do
    alive "$pid" || alive "$wrapper" || break
    sleep 0.05
  done
  if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  if alive "$wrapper"; then kill -KILL "$wrapper" 2>/dev/null || true; fi
  rm -f "$dir/nginx.pid" "$dir/wrapper.pid"
}

free_ports() { # prints two distinct free loopback TCP ports
  local py=/usr/bin/python3
  [[ -x $py ]] || py=python3
  "$py" - <<'PY'
import socket
socks = []
for _ in range(2):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
}

start() {
  [[ -x $NGINX ]] || { echo "nginx.sh: nginx not found" >&2; exit 77; }
  local certdir=${1:-$dir/certs}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  mkdir -p "$certdir"
  certdir=$(cd "$certdir" && pwd)
  [[ -s $certdir/server.pem && -s $certdir/server.key ]] || "$here/certs.sh" "$certdir"
  stop
  mkdir -p "$dir/www/upload" "$dir/tmp/body" "$dir/tmp/proxy" "$dir/tmp/fastcgi" \
           "$dir/tmp/uwsgi" "$dir/tmp/scgi" "$dir/logs"
  local user_line=""
  # As root nginx would switch its workers to "nobody", which may not be able
  # to write DIR; keep them as root (no systemd or privilege games here).
  [[ $(id -u) == 0 ]] && user_line="user root root;"

  local attempt plain tls wrapper ok _
  for attempt in 1 2 3 4 5; do
    read -r plain tls < <(free_ports)
    cat >"$dir/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log info;
events { worker_connections 64; }
http {
  # What the uploader sent, for the tests to check (one line per request).
  log_format upstate 'method=\$request_method uri=\$request_uri status=\$status '
                     'content_length=\$content_length content_type="\$content_type" '
                     'transfer_encoding="\$http_transfer_encoding" expect="\$http_expect" '
                     'authorization="\$http_authorization"';
  access_log $dir/logs/access.log upstate;
  default_type application/octet-stream;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen 127.0.0.1:$plain;
    listen 127.0.0.1:$tls ssl;
    server_name localhost;
    ssl_certificate $certdir/server.pem;
    ssl_certificate_key $certdir/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    location /upload/ {
      dav_methods PUT;
      create_full_put_path on;
      client_max_body_size 0;
      client_body_temp_path $dir/tmp;
      root $dir/www;
    }
  }
}
CONF
    "$NGINX" -t -q -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" >"$dir/logs/start.log" 2>&1 || break
    timeout -s TERM -k 5 "${NGINX_LIFETIME:-900}" \
      "$NGINX" -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" </dev/null >>"$dir/logs/start.log" 2>&1 &
    wrapper=$!
    echo "$wrapper" >"$dir/wrapper.pid"
    # ready when both ports answer (bounded: 5 s in 50 ms steps)
    ok=0
    for _ in $(seq 100); do
      alive "$wrapper" || break
      if curl --noproxy '*' -s -o /dev/null --max-time 2 "http://127.0.0.1:$plain/" &&
         curl --noproxy '*' -s -k -o /dev/null --max-time 2 "https://127.0.0.1:$tls/"; then ok=1; break; fi
      sleep 0.05
    done
    if [[ $ok == 1 ]]; then
      echo "$plain $tls" >"$dir/ports"
      echo "$plain $tls"
      return 0
    fi
    stop
    # a port was taken between picking and binding: try other ports
    grep -q "Address already in use" "$dir/logs/start.log" "$dir/logs/error.log" 2>/dev/null || break
  done
  echo "nginx.sh: nginx did not start; see $dir/logs:" >&2
  cat "$dir/logs/start.log" >&2 || true
  tail -n 20 "$dir/logs/error.log" >&2 || true
  exit 1
}

case $cmd in
  start) start "${3:-}";;
  stop) stop;;
  *) usage;;
esac
