#!/usr/bin/env bash
# consumer.single_header: what a user with only single_include/ does.
#   single_header.sh SOURCE_DIR WORK_DIR
# 1. README's single-header commands, run as written: the block after
#    `<!-- consumer: single_header -->` in README.md, in a directory holding
#    single_include/ (a copy) and app.cpp (tests/single_include/asio_client.cpp):
#    llhttp's C sources compiled with `cc`, the Asio program linked with them.
# 2. The core with -fno-exceptions: an offline upload (core + testing kit)
#    built and run.
# 3. Every single header clean under -Wall -Wextra -Wpedantic -Wconversion
#    -Wsign-conversion -Wshadow -Wold-style-cast -Werror, with g++ and clang++
#    (the headers as plain -I includes, so their warnings count).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 SOURCE_DIR WORK_DIR" >&2; exit 2; }
src=$(cd "$1" && pwd)
work=$2
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
cxx=${CXX:-g++}

echo "== 1. README's single-header commands"
cp -r "$src/single_include" "$work/single_include"
cp "$src/tests/single_include/asio_client.cpp" "$work/app.cpp"
commands=$(awk '/<!-- consumer: single_header -->/ { on = 1; next }
                on && /^```sh/ { inside = 1; next }
                inside && /^```/ { exit }
                inside { print }' "$src/README.md")
[ -n "$commands" ] || { echo "FAIL: README.md has no \`<!-- consumer: single_header -->\` sh block" >&2; exit 1; }
printf '%s\n' "$commands"
(cd "$work" && bash -euo pipefail -c "$commands")
[ -x "$work/app" ] || { echo "FAIL: README's commands made no ./app" >&2; exit 1; }
"$work/app"

strict=(-std=c++17 -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Wold-style-cast -Werror)
inc=(-I "$src/single_include")

echo "== 2. -fno-exceptions: the core and the testing kit"
"$cxx" "${strict[@]}" -fno-exceptions "${inc[@]}" -o "$work/offline_noexcept" \
  "$src/tests/single_include/offline_upload.cpp"
"$work/offline_noexcept"

echo "== 3. strict warnings, every single header, g++ and clang++"
cat >"$work/all_headers.cpp" <<'CPP'
#include <catch2/catch.hpp>
#include <catch2/trompeloeil.hpp>
#include "upstate.hpp"
#include "upstate_batch.hpp"
#include "upstate_records.hpp"
#include "upstate_journal.hpp"
#include "upstate_ostream.hpp"
#include "upstate_testing.hpp"
#include "upstate_asio.hpp"
CPP
for compiler in g++ clang++; do
  command -v "$compiler" >/dev/null || { echo "FAIL: $compiler not installed" >&2; exit 1; }
  echo "-- $compiler"
  "$compiler" "${strict[@]}" -fsyntax-only -DASIO_STANDALONE -isystem /usr/share/include/llhttp "${inc[@]}" \
    "$work/all_headers.cpp"
done
echo "consumer.single_header: ok"
