#!/usr/bin/env python3
"""One whole-flow run of bench/run as one JSON line (bench/lib/flow.sh calls it).

Inputs: the fake server's request log, each line stamped on arrival by
bench/run ("EPOCH METHOD PATH STATUS"), the client's stdout/stderr and exit
code, and the epoch times the client started (t0) and ended (t1).

When the import turned terminal. upstate::testing::FakeService (behind
upstate-fake-server) processes one import per dataset at a time, starting
when its PUT has been received or when the previous import ends, whichever
is later; it stays `processing` for processing_base + processing_per_record
x records and is terminal from then on (status_at() in
include/upstate/testing/fake_service.hpp). Each run here has a server of its
own with one import, so nothing queues, and the PUT's log line is written in
the same handler that received the body. Hence

    terminal = stamp of the PUT's 2xx log line + (processing_ms + records x 1 ms) / 1000

(1 ms: FakeOptions::processing_per_record's default, which the server's
command line does not change). The final answer's `updated_at` says the same
but only to the second, too coarse for a delay of a few seconds. The error is
the stamping latency of one pipe write (well under 10 ms).

detection_delay_s = t1 - terminal: from the import turning terminal to the
client's process having printed the outcome and exited.
"""
import argparse
import json
import sys


def last_json_line(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = [l for l in fh if l.strip().startswith("{")]
        return json.loads(lines[-1]) if lines else {}
    except (OSError, ValueError):
        return {}


def tail(path, n=300):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return " ".join(fh.read()[-n:].split())
    except OSError:
        return ""


def main():
    ap = argparse.ArgumentParser()
    for name in ("client", "server-log", "client-out", "client-err"):
        ap.add_argument("--" + name, required=True)
    for name in ("processing-ms", "records", "run", "rc"):
        ap.add_argument("--" + name, type=int, required=True)
    ap.add_argument("--t0", type=float, required=True)
    ap.add_argument("--t1", type=float, required=True)
    a = ap.parse_args()

    requests = []  # (stamp, method, path, status)
    with open(a.server_log, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 4:
                requests.append((float(parts[0]), parts[1], parts[2], parts[3]))
    api = [r for r in requests if r[2].startswith("/api/")]
    uploads = [r for r in requests if r[2].startswith("/s3/")]
    polls = [r for r in api if "/imports/" in r[2]]
    accepted_puts = [r for r in uploads if r[1] == "PUT" and r[3].startswith("2")]

    out = last_json_line(a.client_out)
    record = {
        "kind": "flow",
        "client": a.client,
        "processing_ms": a.processing_ms,
        "run": a.run,
        "rc": a.rc,
        "status": out.get("status"),
        "wall_s": round(a.t1 - a.t0, 6),
        "requests": len(requests),
        "api_requests": len(api),
        "upload_requests": len(uploads),
        "polls": len(polls),
        "client_reported_requests": out.get("requests"),  # the reference script counts its own
        "detection_delay_s": None,
        "last_poll_after_terminal_s": None,
    }
    if accepted_puts:
        terminal = accepted_puts[-1][0] + (a.processing_ms + a.records * 1) / 1000.0
        record["detection_delay_s"] = round(a.t1 - terminal, 6)
        if polls:
            record["last_poll_after_terminal_s"] = round(polls[-1][0] - terminal, 6)

    problem = ""
    if a.rc != 0:
        problem = f"exit code {a.rc}: {tail(a.client_err)}"
    elif record["status"] != "complete":
        problem = f"status {record['status']!r}, expected 'complete'"
    elif not accepted_puts:
        problem = "the server logged no accepted PUT"
    elif record["last_poll_after_terminal_s"] is None or record["last_poll_after_terminal_s"] < 0:
        problem = "the last poll came before the import turned terminal (clock or log mismatch)"
    record["ok"] = not problem
    record["problem"] = problem
    print(json.dumps(record))


if __name__ == "__main__":
    sys.exit(main())
