#!/usr/bin/env bash
# Transient answers are retried until the run completes: 503 and 429 (with
# Retry-After, honoured as a minimum) on every step, S3's retryable 400
# RequestTimeout and 500/503, a slow answer.
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

scenario() { # name expect-min-seconds fault...
  local name=$1 min=$2; shift 2
  local faults=() f
  for f in "$@"; do faults+=(--fault "$f"); done
  fake_start --dataset ds:"$SCHEMA" --processing-ms 50 "${faults[@]}"
  run_cli "$name" "${FAST[@]}" --json ds "$IT_DATA/valid.jsonl"
  assert_rc 0 "$name ($*)"
  json_check "$name" 'len(o) == 1 and o[0]["status"] == "complete" and o[0]["accepted_count"] == 6' "$name: outcome"
  [[ $min == 0 ]] || assert_elapsed_at_least "$min" "$name: Retry-After is a minimum wait"
  local id
  id=$(json_get "$name" 0 import_id)
  assert_eq complete "$(import_status ds "$id")" "$name: the service's status of the reported import"
  fake_stop
}

scenario url503 0 upload_url:503x2
scenario url429 1 upload_url:429:1x1
scenario url500 0 upload_url:500x1
scenario put503 0 upload:503x2
scenario put_slowdown 0 upload:s3:SlowDown:503x1
scenario put_internal 0 upload:s3:InternalError:500x1
scenario put_requesttimeout 0 upload:s3:RequestTimeout:400x1
scenario put_incomplete 0 upload:s3:IncompleteBody:400x1
scenario poll503 0 poll:503x2
scenario poll429 1 poll:429:1x1
scenario slow_answers 0 upload_url:delay:300x1 poll:delay:300x2 upload:delay:300x1
scenario everything 0 upload_url:503x1 upload:503x1 poll:503x1

# A retried PUT to the same URL keeps the same import: nothing abandoned.
fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --fault upload:s3:RequestTimeout:400x1
run_cli sameimport "${FAST[@]}" --json ds "$IT_DATA/valid.jsonl"
assert_rc 0
json_check sameimport 'not o[0].get("abandoned_import_ids")' "a retried PUT abandons no import"
fake_stop

# Retries are bounded: a step that keeps failing ends the run (exit 5) in
# bounded time, with the error in --json.
fake_start --dataset ds:"$SCHEMA" --processing-ms 50 --fault upload_url:503x1000
run_cli always503 "${FAST[@]}" --json --timeout 40 ds "$IT_DATA/valid.jsonl"
assert_rc 5 "503 forever"
json_check always503 'o[0]["status"] != "complete" and isinstance(o[0]["error"], dict) and o[0]["error"]["code"]'
fake_stop
