#!/usr/bin/env bash
# bench/journal_crash.sh: the long crash test of issue 15 (not in CI):
# tests/integration/test_journal_crash.sh with 1,000 files and 20 seeded
# SIGKILLs. BUILD_DIR as for bench/journal_scale.sh (a Debug build works too).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
UPSTATE_BUILD_DIR=${1:-$ROOT/build-rel} IT_CRASH_FILES=${IT_CRASH_FILES:-1000} IT_CRASH_KILLS=${IT_CRASH_KILLS:-20} \
  IT_CRASH_SEED=${IT_CRASH_SEED:-15} exec bash "$ROOT/tests/integration/test_journal_crash.sh"
