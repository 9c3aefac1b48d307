#!/usr/bin/env bash
# V3 (legacy) datasets end to end: upstate-fake-server --legacy-dataset (and
# "schema_version": 3 in --datasets) answers step 1 without import_id, and
# upstate-upload PUTs the file and polls GET /datasets/{id}/status until
# READY (exit 0) or ERROR (exit 3, with the reason); a .jsonl file is refused
# before any PUT (exit 5, legacy_dataset); a 503 on the status is retried;
# the fake server refuses --datasets entries it cannot serve.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

puts() { grep -c '^PUT ' "$FAKE_LOG" || true; }

fake_start --legacy-dataset v3 --processing-ms 300  # long enough for the first poll to see PROCESSING
[[ $(api_get datasets/v3/status) == '{"status":"UNINITIALISED"}' ]] || fail "a new V3 dataset is UNINITIALISED"

run_cli csv "${FAST[@]}" --json v3 "$IT_DATA/valid.csv"
assert_rc 0
json_check csv "$JSON_SHAPE" "record shape"
json_check csv 'len(o) == 1 and o[0]["status"] == "complete" and o[0]["error"] is None' "READY is complete"
json_check csv 'o[0]["import_id"] is None and o[0]["abandoned_import_ids"] == []' "a V3 upload has no import id"
assert_file_contains "$ERR" "complete" "stderr reports the outcome"
grep -q '^GET /api/v1/data-collection/datasets/v3/status 200' "$FAKE_LOG" || fail "the CLI polled the dataset's status"
if grep -q '/imports/' "$FAKE_LOG"; then fail "a V3 upload polled an import"; fi
dataset=$(api_get datasets/v3)
"$PY" - "$dataset" <<'PY' || fail "GET /datasets/v3 shows the V3 fields"
import json, sys
d = json.loads(sys.argv[1])
assert d["schema_version"] == 3 and d["status"] == "READY" and d["filename"] == "valid.csv", d
assert "imports" not in d and "schema" not in d, d
assert d["total_datapoint_count"] == 4, d
PY

# A ZIP archive (stored by Python's zipfile) goes through as application/zip.
"$PY" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "w").writestr("rows.csv", "a,b\n1,2\n")' "$TMP/rows.zip"
run_cli zip "${FAST[@]}" --json v3 "$TMP/rows.zip"
assert_rc 0
json_check zip 'o[0]["status"] == "complete"'

# Bytes that are not UTF-8: ERROR, with the service's reason.
printf 'prompt,category\n\xff\xfe,x\n' >"$TMP/latin1.csv"
run_cli notutf8 "${FAST[@]}" --json v3 "$TMP/latin1.csv"
assert_rc 3
json_check notutf8 'o[0]["status"] == "failed" and "UTF-8" in (o[0]["reason"] or "")' "ERROR is failed with the reason"
[[ $(api_get datasets/v3/status) == *'"ERROR"'* ]] || fail "the service's status is ERROR"

# A .jsonl file: a V3 dataset cannot take it, and no byte is sent.
before=$(puts)
run_cli jsonl "${FAST[@]}" --json v3 "$IT_DATA/valid.jsonl"
assert_rc 5
json_check jsonl 'o[0]["error"]["code"] == "legacy_dataset"' "legacy_dataset names the problem"
assert_eq "$before" "$(puts)" "PUTs after refusing a .jsonl for a V3 dataset"
fake_stop

# Faults on the status requests are retried; --datasets declares V3 with schema_version 3.
printf '[{"id": "old", "name": "Old", "schema_version": 3}]\n' >"$TMP/datasets.json"
fake_start --datasets "$TMP/datasets.json" --processing-ms 50 --fault dataset_status:503x2
run_cli retried "${FAST[@]}" --json old "$IT_DATA/valid.csv"
assert_rc 0
json_check retried 'o[0]["status"] == "complete"'
assert_file_contains "$ERR" "dataset_status answered HTTP 503" "the retry is reported"
[[ $(grep -c '^GET /api/v1/data-collection/datasets/old/status 503' "$FAKE_LOG") == 2 ]] ||
  fail "both scripted 503s were served"
fake_stop

# The status change shows late (--legacy-status-lag-ms): right after the
# second file's PUT the dataset still says READY, the first file's. That
# READY must not be taken as the second file's outcome (an ERROR).
fake_start --legacy-dataset lag --processing-ms 100 --legacy-status-lag-ms 1500
run_cli lagfirst "${FAST[@]}" --json lag "$IT_DATA/valid.csv"
assert_rc 0
printf 'prompt,category\n\xff\xfe,x\n' >"$TMP/latin1b.csv"
run_cli lagsecond "${FAST[@]}" --json lag "$TMP/latin1b.csv"
assert_rc 3 "the second file's own outcome, not the first file's READY"
json_check lagsecond 'o[0]["status"] == "failed" and "UTF-8" in (o[0]["reason"] or "")' "ERROR with the reason"
assert_file_contains "$ERR" "may be the previous file's" "the stale READY is noted"
fake_stop

# What the fake server refuses: a version other than 3 or 4, a V3 dataset with a schema, a missing ID.
printf '[{"id": "x", "schema_version": 5}]\n' >"$TMP/v5.json"
printf '[{"id": "x", "schema_version": 3, "schema": {"fields": {}}}]\n' >"$TMP/v3schema.json"
for bad in v5:'$[0].schema_version' v3schema:'$[0].schema'; do
  name=${bad%%:*} path=${bad#*:}
  set +e; "$FAKE" --port 0 --datasets "$TMP/$name.json" >"$TMP/$name.out" 2>"$TMP/$name.err" </dev/null; rc=$?; set -e
  assert_eq 65 "$rc" "upstate-fake-server --datasets $name.json: exit code"
  grep -qF -- "$path" "$TMP/$name.err" || fail "$name.json: the error names $path ($(cat "$TMP/$name.err"))"
done
set +e; "$FAKE" --legacy-dataset >/dev/null 2>"$TMP/noid.err" </dev/null; rc=$?; set -e
assert_eq 64 "$rc" "upstate-fake-server --legacy-dataset without an ID: exit code"
