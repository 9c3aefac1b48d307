#!/usr/bin/env bash
# README's state diagrams are generated from the machines' tables:
#   tests/check_state_diagram.sh PROGRAM [README]          exit 1 if one is stale (diff shown)
#   tests/check_state_diagram.sh --write PROGRAM [README]  rewrite the blocks
# PROGRAM is upstate-state-diagram (tools/state_diagram.cpp, built in the test
# tree); `PROGRAM MACHINE` prints one machine. Each block is the ```mermaid
# fence between its markers:
#   Upload:        <!-- state-diagram:begin -->  ...  <!-- state-diagram:end -->
#   DatasetFetch:  <!-- state-diagram:dataset_fetch:begin --> ... <!-- state-diagram:dataset_fetch:end -->
#   Batch:         <!-- state-diagram:batch:begin --> ... <!-- state-diagram:batch:end -->
#   Batch files:   <!-- state-diagram:batch_file:begin --> ... <!-- state-diagram:batch_file:end -->
set -euo pipefail
write=0
if [ "${1:-}" = --write ]; then write=1; shift; fi
[ $# -ge 1 ] || { echo "usage: $0 [--write] PROGRAM [README]" >&2; exit 2; }
program=$1
readme=${2:-$(cd "$(dirname "$0")/.." && pwd)/README.md}

expected=$(mktemp); current=$(mktemp)
trap 'rm -f "$expected" "$current"' EXIT
status=0
# machine  marker-prefix
for pair in "upload state-diagram" "dataset_fetch state-diagram:dataset_fetch" "batch state-diagram:batch" \
            "batch_file state-diagram:batch_file"; do
  set -- $pair
  machine=$1
  begin="<!-- $2:begin -->"
  end="<!-- $2:end -->"
  if [ "$(grep -cxF "$begin" "$readme")" != 1 ] || [ "$(grep -cxF "$end" "$readme")" != 1 ]; then
    echo "$readme: needs exactly one line '$begin' and one line '$end'" >&2; exit 1
  fi
  { echo '```mermaid'; "$program" "$machine"; echo '```'; } > "$expected"
  awk -v b="$begin" -v e="$end" '$0==e{inside=0} inside{print} $0==b{inside=1}' "$readme" > "$current"
  if cmp -s "$expected" "$current"; then
    echo "README state diagram of $machine is up to date"
    continue
  fi
  if [ $write = 1 ]; then
    awk -v b="$begin" -v e="$end" -v f="$expected" '
      $0==b { print; while ((getline line < f) > 0) print line; skip=1; next }
      $0==e { skip=0 }
      !skip { print }' "$readme" > "$readme.tmp"
    mv "$readme.tmp" "$readme"
    echo "updated the state diagram of $machine in $readme"
    continue
  fi
  echo "README state diagram of $machine is stale; run: tests/check_state_diagram.sh --write $program $readme" >&2
  diff -u "$current" "$expected" >&2 || true
  status=1
done
exit $status
