#!/usr/bin/env bash
# README's state diagram is generated from upstate::kTransitions:
#   tests/check_state_diagram.sh PROGRAM [README]          exit 1 if stale (diff shown)
#   tests/check_state_diagram.sh --write PROGRAM [README]  rewrite the block
# PROGRAM is upstate-state-diagram (tools/state_diagram.cpp, built in the test
# tree). The block is the ```mermaid fence between
# <!-- state-diagram:begin --> and <!-- state-diagram:end -->.
set -euo pipefail
write=0
if [ "${1:-}" = --write ]; then write=1; shift; fi
[ $# -ge 1 ] || { echo "usage: $0 [--write] PROGRAM [README]" >&2; exit 2; }
program=$1
readme=${2:-$(cd "$(dirname "$0")/.." && pwd)/README.md}
begin='<!-- state-diagram:begin -->'
end='<!-- state-diagram:end -->'

if [ "$(grep -cxF "$begin" "$readme")" != 1 ] || [ "$(grep -cxF "$end" "$readme")" != 1 ]; then
  echo "$readme: needs exactly one line '$begin' and one line '$end'" >&2; exit 1
fi

expected=$(mktemp); current=$(mktemp)
trap 'rm -f "$expected" "$current"' EXIT
{ echo '```mermaid'; "$program"; echo '```'; } > "$expected"
awk -v b="$begin" -v e="$end" '$0==e{inside=0} inside{print} $0==b{inside=1}' "$readme" > "$current"

if cmp -s "$expected" "$current"; then
  echo "README state diagram is up to date"
  exit 0
fi
if [ $write = 1 ]; then
  awk -v b="$begin" -v e="$end" -v f="$expected" '
    $0==b { print; while ((getline line < f) > 0) print line; skip=1; next }
    $0==e { skip=0 }
    !skip { print }' "$readme" > "$readme.tmp"
  mv "$readme.tmp" "$readme"
  echo "updated the state diagram in $readme"
  exit 0
fi
echo "README state diagram is stale; run: tests/check_state_diagram.sh --write $program $readme" >&2
diff -u "$current" "$expected" >&2 || true
exit 1
