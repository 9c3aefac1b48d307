#!/usr/bin/env bash
# A file that cannot be read is a client-side error (exit 5) that outranks a
# failed import; the files after it are still uploaded; --json still has one
# object per file, the unreadable one included (with its error).
source "$(dirname "$0")/lib.sh"
it_init; need_upload; need_fake

fake_start --dataset ds:"$SCHEMA" --processing-ms 50
mkdir "$TMP/a-directory.jsonl"
run_cli missing "${FAST[@]}" --json ds "$IT_DATA/invalid.jsonl" "$TMP/no-such-file.jsonl" "$IT_DATA/valid.jsonl"
assert_rc 5 "failed+unreadable+complete"
assert_file_contains "$ERR" "no-such-file\.jsonl" "stderr names the unreadable file"
json_check missing 'o and o[0]["status"] == "failed" and o[-1]["status"] == "complete"' "the readable files were uploaded"
json_check missing 'len(o) == 3' "one JSON object per file, the unreadable one included"
json_check missing "$JSON_SHAPE" "record shape"
json_check missing 'isinstance(o[1]["error"], dict) and o[1]["error"]["code"] and o[1]["file"].endswith("no-such-file.jsonl")' "the unreadable file's error"

run_cli directory "${FAST[@]}" --json ds "$TMP/a-directory.jsonl"
assert_rc 5 "a directory given as FILE"
json_check directory 'len(o) == 1 and isinstance(o[0]["error"], dict)' "one JSON object for the directory"
fake_stop
