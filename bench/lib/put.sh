# The PUT phase of bench/run (bash; sourced): one file PUT to nginx by
# upstate-upload --put-only and by curl -T, interleaved, each run checked.
# Needs: UPLOAD, TMP, RAW (results, JSON lines), NGINX_DIR, NGINX_PLAIN,
# NGINX_TLS, CERTS, CIPHER, and common.sh.

# put_once CLIENT SCHEME FILE SIZE_LABEL RUN [cmp]: one PUT, measured and
# checked, appended to $RAW as {"kind": "put", ...}. With "cmp", the stored
# file is also compared byte for byte with FILE.
put_once() {
  local client=$1 scheme=$2 file=$3 label=$4 run=$5 compare=${6:-}
  local size name url port tls_args=()
  size=$(stat -c %s "$file")
  name=$client-$scheme-$size-$run.bin  # no spaces: the label has one
  if [[ $scheme == https ]]; then port=$NGINX_TLS; else port=$NGINX_PLAIN; fi
  url=$scheme://127.0.0.1:$port/upload/$name
  case $client in
    upstate)
      [[ $scheme == https ]] && tls_args=(--ca-file "$CERTS/ca.pem")
      measure "put-$name" "$UPLOAD" --quiet "${tls_args[@]}" --put-only "$url" "$file";;
    curl)
      [[ $scheme == https ]] && tls_args=(--cacert "$CERTS/ca.pem" --tlsv1.3)
      measure "put-$name" curl --noproxy '*' -sS --fail -o /dev/null "${tls_args[@]}" -T "$file" "$url";;
    *) die "put_once: unknown client $client";;
  esac

  # Checks: the exit code, nginx's own account (a 201 for this URI, the
  # request length, and for HTTPS the protocol and cipher), the stored size.
  local problem="" stored=-1 line content_checked=false
  local stored_path=$NGINX_DIR/www/upload/$name
  [[ -f $stored_path ]] && stored=$(stat -c %s "$stored_path")
  line=$(grep -F " uri=/upload/$name " "$NGINX_DIR/logs/access.log" | tail -n 1 || true)
  if [[ $M_RC != 0 ]]; then problem="exit code $M_RC: $(tail -c 300 "$TMP/put-$name.err" | tr '\n' ' ')"
  elif [[ $stored != "$size" ]]; then problem="nginx stored $stored bytes of $size"
  elif [[ ! $line =~ \ status=20[14]\  ]]; then problem="nginx logged no 201/204 for it: '$line'"
  elif [[ $scheme == https && ! $line =~ ssl_protocol=TLSv1\.3\ ssl_cipher=$CIPHER\  ]]; then
    problem="not TLSv1.3 with $CIPHER: '$line'"
  elif [[ $compare == cmp ]]; then
    if cmp -s "$file" "$stored_path"; then content_checked=true; else problem="stored bytes differ from the file"; fi
  fi
  rm -f "$stored_path"
  local ok=true
  [[ -z $problem ]] || ok=false
  json_line kind put client "$client" scheme "$scheme" size_bytes "$size" size_label "$label" run "$run" \
    wall_s "$M_WALL_S" maxrss_kib "$M_RSS_KIB" rc "$M_RC" stored_bytes "$stored" content_checked "$content_checked" \
    ok "$ok" problem "$problem" >>"$RAW"
  log "PUT $label $scheme $client run $run: ${M_WALL_S}s, peak RSS ${M_RSS_KIB} KiB${problem:+ -- FAILED: $problem}"
}

# put_series FILE SIZE_LABEL RUNS: for each scheme, RUNS rounds of
# upstate then curl (interleaved, so drifts in machine load hit both alike);
# the first round of each scheme also compares the stored bytes.
put_series() {
  local file=$1 label=$2 runs=$3 scheme run compare
  for scheme in http https; do
    for run in $(seq "$runs"); do
      compare=""
      [[ $run == 1 ]] && compare=cmp
      put_once upstate "$scheme" "$file" "$label" "$run" $compare
      put_once curl "$scheme" "$file" "$label" "$run" $compare
    done
  done
}
