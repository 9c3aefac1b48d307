#!/usr/bin/env bash
# The batch journal (issue 15): a 200-file journaled batch killed with
# SIGKILL at seeded random moments, several times, then rerun until it
# ends. Every record lands in the dataset exactly once (the server's total
# is the sum of the files' records, and no file was PUT with success twice),
# every import that holds a file is the one the journal names for it, and
# every other import the server made (abandoned) is listed in the journal or
# never got a byte. Then --sync --dry-run lists nothing to send, a changed
# file is sent again, and a torn last record is dropped, not fatal.
# Knobs: IT_CRASH_FILES (200), IT_CRASH_KILLS (5), IT_CRASH_SEED (15).
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

FILES=${IT_CRASH_FILES:-200}
KILLS=${IT_CRASH_KILLS:-5}
RANDOM=${IT_CRASH_SEED:-15}

# Every PUT's answer comes 25 ms after the bytes landed, so many kills fall
# between the two: the rerun must ask the import, not send the file again.
fake_start --dataset ds:"$SCHEMA" --processing-ms 20 --fault upload:delay:25x100000
mkdir -p "$TMP/data"
# File i holds 1 + i % 4 records, each naming its file (no two files alike).
"$PY" - "$TMP/data" "$FILES" <<'PY'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(f"{d}/f{i:05d}.jsonl", "w") as fh:
        for r in range(1 + i % 4):
            fh.write(json.dumps({"prompt": f"file {i} record {r}", "response": "ok", "category": "books"}) + "\n")
PY
EXPECTED=$("$PY" -c "print(sum(1 + i % 4 for i in range($FILES)))")
J=$TMP/batch.journal
ARGS=(--api-base "$FAKE_API" --poll-interval 0.05 --timeout 60 --preflight off --max-in-flight 16
      --journal "$J" --sync ds "$TMP/data")

for k in $(seq "$KILLS"); do
  PROLIFIC_API_TOKEN=$TOKEN "$UPLOAD" --quiet "${ARGS[@]}" >"$TMP/run$k.stdout" 2>"$TMP/run$k.stderr" </dev/null &
  pid=$!
  # 0.2 .. 1.4 s: from step 1 of the first files to deep into the batch.
  delay=$(printf '0.%03d' $((RANDOM % 1000)))
  sleep "$delay"; sleep 0.2; sleep "0.$((RANDOM % 3))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  log "kill $k after ~${delay}+ s: journal $(wc -c <"$J") bytes"
  assert_no_token_in "$J"
done

run_cli final --quiet "${ARGS[@]}" --json
assert_rc 0 "the last run finishes the batch"
assert_no_token_in "$J"
grep -q 'X-Amz' "$J" && fail "the journal holds a presigned URL"

total=$(api_get datasets/ds | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["total_datapoint_count"])')
assert_eq "$EXPECTED" "$total" "every record in the dataset exactly once"

# No file was PUT with success twice (the fake logs each PUT with its answer).
twice=$(grep -E '^PUT /s3/.* 2[0-9][0-9]$' "$FAKE_LOG" | sed -E 's|^PUT /s3/[^ ]*/([^/? ]+)[? ].*|\1|' | sort | uniq -d | head -5)
[[ -z $twice ]] || fail "files PUT with success twice: $twice"

# The journal against the server's imports.
api_get datasets/ds >"$TMP/dataset.json"
"$PY" - "$J" "$TMP/dataset.json" "$FILES" <<'PY' || fail "the journal does not account for the server's imports"
import json, sys, urllib.parse, zlib
journal, dataset, n = sys.argv[1], json.load(open(sys.argv[2])), int(sys.argv[3])
latest, abandoned = {}, set()
lines = open(journal, "rb").read().split(b"\n")
assert lines[-1] == b"", "the journal ends with a whole record"
for i, line in enumerate(lines[:-1]):
    crc, payload = line[:8], line[9:]
    assert int(crc, 16) == zlib.crc32(payload), f"line {i + 1}: bad CRC"
    f = payload.decode().split(" ")
    if i == 0:
        assert f == ["upstate-journal", "1"], f
        continue
    dec = lambda s: "" if s == "-" else urllib.parse.unquote(s)
    rec = dict(dataset=dec(f[1]), path=dec(f[2]), phase=f[6], import_id=dec(f[7]), outcome=dec(f[8]))
    latest[rec["path"]] = rec
    if f[11] != "-":
        abandoned |= {dec(x) for x in f[11].split(",")}
assert len(latest) == n, f"{len(latest)} files in the journal, expected {n}"
bad = [r for r in latest.values() if r["phase"] != "finished" or r["outcome"] != "complete"]
assert not bad, f"not finished complete: {bad[:3]}"
mine = {r["import_id"] for r in latest.values()}
assert len(mine) == n, "two files share an import"
imports = dataset.get("imports")
assert imports is not None, "the dataset answer lists no imports"
unknown, empty_unknown = [], 0
for im in imports:
    iid = im.get("id") or im.get("import_id")
    if iid in mine:
        assert im.get("status") == "complete", im
        continue
    if iid in abandoned:
        continue
    # An import whose step-1 answer died with the client: it never got a byte.
    if im.get("status") in ("uninitialised", None):
        empty_unknown += 1
        continue
    unknown.append(im)
assert not unknown, f"imports holding data that the journal does not name: {unknown[:3]}"
print(f"journal: {len(latest)} files, {len(abandoned)} abandoned imports listed; "
      f"{len(imports)} imports on the server, {empty_unknown} empty ones unknown to the journal "
      "(their step-1 answer was in flight at a kill)", file=sys.stderr)
PY

# --sync --dry-run: everything is imported, nothing to send.
run_cli dry "${ARGS[@]}" --dry-run
assert_rc 0 "--dry-run"
assert_file_contains "$ERR" "0 to send .*, $FILES skipped" "nothing left to send"

# A changed file is sent again; an unchanged one is not.
echo '{"prompt":"changed","response":"ok","category":"books"}' >>"$TMP/data/f00001.jsonl"
run_cli dry2 "${ARGS[@]}" --dry-run
assert_file_contains "$OUT" "^send +.*f00001.jsonl" "the changed file would be sent"
assert_file_contains "$ERR" "1 to send" "only it"

# A torn last record (a crash mid-write) is dropped with a note, not fatal.
printf '0123abcd F ds torn' >>"$J"
run_cli sync "${ARGS[@]}" --json
assert_rc 0 "the sync after a torn record"
assert_file_contains "$ERR" "cut short" "the torn record is reported"
total=$(api_get datasets/ds | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["total_datapoint_count"])')
# Its 2 old records are already present (duplicates: accepted, not written
# twice, docs/service.md Step 3), so only the new line adds to the total.
assert_eq "$((EXPECTED + 1))" "$total" "the changed file's new line added once, its 2 old records not again"
fake_stop
