#!/usr/bin/env python3
"""What machine bench/run ran on, as one JSON object on stdout.

    machine.py BUILD_DIR

nproc (the CPUs this process may use), CPU model, kernel, memory, load
average, the C++ compiler of BUILD_DIR's CMake cache, curl, nginx and
OpenSSL versions, and the git commit measured (with a dirty flag).
"""
import json
import os
import platform
import re
import shutil
import subprocess
import sys


def first_line(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    text = (p.stdout or "") + (p.stderr or "")
    return text.strip().splitlines()[0] if text.strip() else None


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def cxx_compiler(build_dir):
    m = re.search(r"^CMAKE_CXX_COMPILER:\w+=(.+)$", read(os.path.join(build_dir, "CMakeCache.txt")), re.M)
    path = m.group(1).strip() if m else (shutil.which("c++") or "c++")
    return {"path": path, "version": first_line([path, "--version"])}


def main():
    build_dir = sys.argv[1] if len(sys.argv) > 1 else "."
    cpu = re.search(r"^model name\s*:\s*(.+)$", read("/proc/cpuinfo"), re.M)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", read("/proc/meminfo"), re.M)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    commit = first_line(["git", "-C", root, "rev-parse", "HEAD"])
    dirty = first_line(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"])
    info = {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": cpu.group(1).strip() if cpu else platform.processor(),
        "kernel": platform.release(),
        "memory_mib": int(mem.group(1)) // 1024 if mem else None,
        "loadavg": read("/proc/loadavg").split()[:3],
        "compiler": cxx_compiler(build_dir),
        "curl": first_line(["curl", "--version"]),
        "nginx": first_line([shutil.which("nginx") or "/usr/sbin/nginx", "-v"]),
        "openssl": first_line(["openssl", "version"]),
        "python": platform.python_version(),
        "git_commit": commit,
        "git_dirty": bool(dirty),
    }
    print(json.dumps(info))


if __name__ == "__main__":
    sys.exit(main())
