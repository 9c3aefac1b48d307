#!/usr/bin/env python3
"""workflow.valid_yaml: the GitHub Actions workflow parses as YAML and has the
keys Actions needs: `on`, `jobs`, and `runs-on` + `steps` in every job.

    tests/check_workflow.py [.github/workflows/ci.yml]

YAML 1.1 (PyYAML) reads the bare key `on` as the boolean True; both spellings
are accepted.
"""
import os
import sys

import yaml


def check(path):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    problems = []
    if not isinstance(doc, dict):
        return [f"{path}: top level is not a mapping"]
    if "on" not in doc and True not in doc:
        problems.append("no `on` (triggers)")
    jobs = doc.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        problems.append("no `jobs` mapping, or it is empty")
        jobs = {}
    for name, job in jobs.items():
        if not isinstance(job, dict):
            problems.append(f"job {name}: not a mapping")
            continue
        if "runs-on" not in job:
            problems.append(f"job {name}: no `runs-on`")
        steps = job.get("steps")
        if not isinstance(steps, list) or not steps:
            problems.append(f"job {name}: no `steps` list, or it is empty")
            continue
        for i, step in enumerate(steps):
            if not isinstance(step, dict) or not ("run" in step or "uses" in step):
                problems.append(f"job {name}: step {i + 1} has neither `run` nor `uses`")
    if not problems:
        print(f"{path}: ok ({len(jobs)} jobs: {', '.join(jobs)})")
    return [f"{path}: {p}" for p in problems]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".github", "workflows", "ci.yml")
    try:
        problems = check(path)
    except (OSError, yaml.YAMLError) as e:
        problems = [f"{path}: {e}"]
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
