#!/usr/bin/env python3
"""bench/run's report: the runs (JSON lines) in, medians and targets out.

    report.py --raw RUNS.jsonl --machine M.json --config C.json --out OUT.json
              [--micro FILE | --micro-skipped WHY] [--compile FILE | --compile-skipped WHY]

Writes OUT.json (every run, the summaries, the targets, the machine) and
prints the Markdown table on stdout. Exit 1 if a run failed its checks.
Medians are taken over the runs that passed their checks only.
"""
import argparse
import json
import statistics
import sys

MIB = 1 << 20


def load_json(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def load_lines(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(l) for l in fh if l.strip()]


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize_puts(runs):
    groups = {}
    for r in runs:
        groups.setdefault((r["size_label"], r["scheme"], r["client"]), []).append(r)
    out = []
    for (label, scheme, client), rs in groups.items():
        good = [r for r in rs if r["ok"]]
        wall = median([r["wall_s"] for r in good])
        size = rs[0]["size_bytes"]
        out.append({
            "size_label": label, "size_bytes": size, "scheme": scheme, "client": client,
            "runs": len(good), "failed": len(rs) - len(good),
            "wall_s_median": wall,
            "wall_s_min": min((r["wall_s"] for r in good), default=None),
            "wall_s_max": max((r["wall_s"] for r in good), default=None),
            "throughput_mib_s": size / MIB / wall if wall else None,
            "maxrss_kib_median": median([r["maxrss_kib"] for r in good]),
            "maxrss_kib_max": max((r["maxrss_kib"] for r in good), default=None),
        })
    return out


def summarize_flows(runs):
    groups = {}
    for r in runs:
        groups.setdefault((r["processing_ms"], r["client"]), []).append(r)
    out = []
    for (ms, client), rs in sorted(groups.items()):
        good = [r for r in rs if r["ok"]]
        out.append({
            "processing_ms": ms, "client": client, "runs": len(good), "failed": len(rs) - len(good),
            "wall_s_median": median([r["wall_s"] for r in good]),
            "api_requests_median": median([r["api_requests"] for r in good]),
            "requests_median": median([r["requests"] for r in good]),
            "detection_delay_s_median": median([r["detection_delay_s"] for r in good]),
            "detection_delay_s_max": max((r["detection_delay_s"] for r in good), default=None),
        })
    return out


def find(rows, **keys):
    return next((r for r in rows if all(r.get(k) == v for k, v in keys.items())), None)


def targets(puts, flows, config):
    big, small, cap_s = config["big_label"], config["small_label"], config["poll_cap_ms"] / 1000
    out = []

    def add(name, value, limit, met, unit=""):
        out.append({"target": name, "value": value, "limit": limit, "unit": unit,
                    "met": None if value is None or limit is None else bool(met)})

    for scheme, floor in (("http", 1.1), ("https", 1.0)):
        u, c = find(puts, size_label=big, scheme=scheme, client="upstate"), find(puts, size_label=big, scheme=scheme, client="curl")
        ratio = c["wall_s_median"] / u["wall_s_median"] if u and c and u["wall_s_median"] and c["wall_s_median"] else None
        add(f"PUT {big} {scheme}: throughput ratio upstate/curl", ratio, floor, ratio is not None and ratio >= floor)
    for scheme in ("http", "https"):
        ub, us = find(puts, size_label=big, scheme=scheme, client="upstate"), find(puts, size_label=small, scheme=scheme, client="upstate")
        cb = find(puts, size_label=big, scheme=scheme, client="curl")
        rss = lambda row: row["maxrss_kib_max"] / 1024 if row and row["maxrss_kib_max"] is not None else None
        limit = rss(us) + 4 if rss(us) is not None else None
        add(f"peak RSS upstate {big} {scheme} <= {small} + 4 MiB", rss(ub), limit,
            rss(ub) is not None and limit is not None and rss(ub) <= limit, "MiB")
        add(f"peak RSS upstate {big} {scheme} < curl's", rss(ub), rss(cb),
            None not in (rss(ub), rss(cb)) and rss(ub) < rss(cb), "MiB")
    worst = max((f["detection_delay_s_max"] for f in flows if f["client"] == "upstate" and f["detection_delay_s_max"] is not None), default=None)
    add("upstate detection delay (worst run) <= poll cap", worst, cap_s, worst is not None and worst <= cap_s, "s")
    long_ms = config["long_ms"]
    u, r = find(flows, processing_ms=long_ms, client="upstate"), find(flows, processing_ms=long_ms, client="reference")
    ua, ra = (u or {}).get("api_requests_median"), (r or {}).get("api_requests_median")
    add(f"API requests, {long_ms / 1000:g} s import: upstate < 3 s loop", ua, ra, None not in (ua, ra) and ua < ra)
    return out


# --- Markdown ------------------------------------------------------------------

def fmt(v, digits=2, unit=""):
    if v is None:
        return "—"
    if isinstance(v, float):
        v = f"{v:.{digits}f}"
    return f"{v}{unit}"


def mib(kib):
    return None if kib is None else kib / 1024


def markdown(doc):
    c, m = doc["config"], doc["machine"]
    lines = []
    mode = f"**quick** (1 run each, {c['big_label']} instead of 1 GiB: for trying it out, not for quoting)" if c["quick"] \
        else f"median of {c.get('put_runs', c['runs'])} interleaved PUT runs, {c['runs']} flow runs"
    lines += [f"### bench/run, {doc['finished_at']}: {mode}", "",
              f"{m['nproc']} × {m['cpu_model']}, Linux {m['kernel']}, {m['compiler']['version']}, "
              f"{m['curl'].split(' (')[0] if m['curl'] else 'curl ?'}, {m['nginx'].replace('nginx version: ', '') if m['nginx'] else 'nginx ?'}, "
              f"{' '.join(m['openssl'].split()[:2]) if m['openssl'] else 'OpenSSL ?'}; "
              f"load average {' '.join(doc['loadavg_start'])} at the start, {' '.join(m['loadavg'])} at the end "
              f"(a shared machine). Loopback; nginx WebDAV PUT into {c['sink_fs']}; "
              f"HTTPS is TLS 1.3 with {c['cipher']} for both clients; commit {(m['git_commit'] or '?')[:10]}"
              f"{' + local changes' if m['git_dirty'] else ''}.", ""]

    puts = doc["put"]["summary"]
    lines += ["| PUT | upstate-upload | curl -T | throughput upstate/curl |", "|---|---|---|---|"]
    for label in (c["big_label"], c["small_label"]):
        for scheme in ("http", "https"):
            u, cu = find(puts, size_label=label, scheme=scheme, client="upstate"), find(puts, size_label=label, scheme=scheme, client="curl")
            if not u or not cu:
                continue
            cell = lambda r: f"{fmt(r['wall_s_median'])} s ({fmt(r['throughput_mib_s'], 0)} MiB/s)"
            ratio = cu["wall_s_median"] / u["wall_s_median"] if u["wall_s_median"] and cu["wall_s_median"] else None
            lines.append(f"| {label}, {'plain HTTP' if scheme == 'http' else 'HTTPS'} | {cell(u)} | {cell(cu)} | {fmt(ratio)} |")
    lines += ["", "| peak RSS | upstate, HTTP | upstate, HTTPS | curl, HTTP | curl, HTTPS |", "|---|---|---|---|---|"]
    for label in (c["small_label"], c["big_label"]):
        cells = [fmt(mib((find(puts, size_label=label, scheme=s, client=cl) or {}).get("maxrss_kib_max")), 1, " MiB")
                 for cl in ("upstate", "curl") for s in ("http", "https")]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    flows = doc["flow"]["summary"]
    lines += ["", "| whole flow (fake server) | client | wall | API requests | all requests | detection delay (median / worst) |",
              "|---|---|---|---|---|---|"]
    for f in flows:
        who = "upstate-upload" if f["client"] == "upstate" else "curl, polling every 3 s"
        lines.append(f"| {f['processing_ms'] / 1000:g} s processing | {who} | {fmt(f['wall_s_median'])} s | "
                     f"{fmt(f['api_requests_median'], 0)} | {fmt(f['requests_median'], 0)} | "
                     f"{fmt(f['detection_delay_s_median'])} s / {fmt(f['detection_delay_s_max'])} s |")

    lines += ["", "| target | measured | limit | met |", "|---|---|---|---|"]
    for t in doc["targets"]:
        met = {True: "yes", False: "**no**", None: "—"}[t["met"]]
        lines.append(f"| {t['target']} | {fmt(t['value'], 2, ' ' + t['unit'] if t['unit'] else '')} | "
                     f"{fmt(t['limit'], 2, ' ' + t['unit'] if t['unit'] else '')} | {met} |")

    lines += ["", *micro_markdown(doc["micro"]), "", *compile_markdown(doc["compile_time"])]
    if doc["failures"]:
        lines += ["", f"**{len(doc['failures'])} run(s) failed their checks** (left out of the medians):"]
        lines += [f"- {f}" for f in doc["failures"]]
    return "\n".join(lines) + "\n"


def micro_markdown(micro):
    if "skipped" in micro:
        return [f"Micro benchmarks: skipped ({micro['skipped']})."]
    rows = ["| micro benchmark (Google Benchmark) | time | CPU | iterations |", "|---|---|---|---|"]
    for b in micro.get("benchmarks", []):
        unit = b.get("time_unit", "ns")
        rows.append(f"| {b.get('name')} | {fmt(b.get('real_time'), 1)} {unit} | {fmt(b.get('cpu_time'), 1)} {unit} | {b.get('iterations', '—')} |")
    return rows


def flatten(item):
    """{"a": {"b": 1}} -> {"a b": 1}: nested objects become columns."""
    out = {}
    for k, v in item.items():
        if isinstance(v, dict):
            out.update({f"{k} {kk}": vv for kk, vv in flatten(v).items()})
        elif not isinstance(v, list):
            out[k] = v
    return out


def dict_table(items):
    items = [flatten(i) for i in items]
    keys = list(items[0])
    rows = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    return rows + ["| " + " | ".join(fmt(i.get(k)) for k in keys) + " |" for i in items]


def compile_markdown(result):
    """bench/compile_time.sh's JSON, whatever its shape: scalars as a line,
    lists of objects as tables."""
    if isinstance(result, dict) and "skipped" in result:
        return [f"Compile time: skipped ({result['skipped']})."]
    is_rows = lambda v: isinstance(v, list) and v and all(isinstance(i, dict) for i in v)
    if is_rows(result):
        return ["Compile time (bench/compile_time.sh):", "", *dict_table(result)]
    if isinstance(result, dict):
        scalars = [f"{k} {fmt(v)}" for k, v in result.items() if not isinstance(v, (dict, list))]
        rows = ["Compile time (bench/compile_time.sh)" + (": " + ", ".join(scalars) if scalars else "") + "."]
        for k, v in result.items():
            if is_rows(v):
                rows += ["", f"{k}:", "", *dict_table(v)]
        return rows
    return ["Compile time (bench/compile_time.sh):", "", "```json", json.dumps(result)[:4000], "```"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--machine", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--micro")
    ap.add_argument("--micro-skipped")
    ap.add_argument("--compile")
    ap.add_argument("--compile-skipped")
    a = ap.parse_args()

    runs = load_lines(a.raw)
    config = load_json(a.config)
    machine = load_json(a.machine)
    put_runs = [r for r in runs if r["kind"] == "put"]
    flow_runs = [r for r in runs if r["kind"] == "flow"]
    puts, flows = summarize_puts(put_runs), summarize_flows(flow_runs)

    def extra(path, skipped):
        if path:
            try:
                return load_json(path)
            except (OSError, ValueError) as e:
                return {"skipped": f"its output is not JSON ({e})"}
        return {"skipped": skipped or "not run"}

    doc = {
        "format": "upstate-bench/1",
        "started_at": config.pop("started_at"),
        "finished_at": config.pop("finished_at"),
        "loadavg_start": config.pop("loadavg_start").split(),
        "config": config,
        "machine": machine,
        "targets": targets(puts, flows, config),
        "put": {"summary": puts, "runs": put_runs},
        "flow": {"summary": flows, "runs": flow_runs},
        "micro": extra(a.micro, a.micro_skipped),
        "compile_time": extra(a.compile, a.compile_skipped),
        "failures": [f"{r['kind']} {r.get('client')} {r.get('scheme', r.get('processing_ms'))} "
                     f"{r.get('size_label', '')} run {r.get('run')}: {r.get('problem')}"
                     for r in runs if not r.get("ok")],
    }
    with open(a.out, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    sys.stdout.write(markdown(doc))
    return 1 if doc["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
