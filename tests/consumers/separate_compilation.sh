#!/usr/bin/env bash
# consumer.separate_compilation: upstate with UPSTATE_SEPARATE_COMPILATION
# (README, "Compile time"): the out-of-line bodies compiled once, in a
# translation unit of their own, and a program linked from two TUs.
#   separate_compilation.sh SOURCE_DIR WORK_DIR
# 1. A TU that includes the core in that mode sees no RapidJSON at all.
# 2. The single header: impl.cpp defines UPSTATE_IMPLEMENTATION and includes
#    upstate.hpp; the program (tests/single_include/offline_upload.cpp, a whole
#    upload against the testing kit's FakeService) is built with
#    -DUPSTATE_SEPARATE_COMPILATION, strict warnings, and run. Then the batch
#    program (offline_batch.cpp) with an impl.cpp that also includes
#    upstate_batch.hpp (each single header compiles its own bodies there).
# 3. The same with include/: impl.cpp includes <upstate/impl/src.hpp>.
# 4. The Asio single header compiles in that mode too.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 SOURCE_DIR WORK_DIR" >&2; exit 2; }
src=$(cd "$1" && pwd)
work=$2
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
cxx=${CXX:-g++}
strict=(-std=c++17 -DUPSTATE_SEPARATE_COMPILATION -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion
        -Wshadow -Wold-style-cast -Werror)
program=$src/tests/single_include/offline_upload.cpp

echo "== 1. no RapidJSON in a TU that includes the core"
printf '#include "upstate.hpp"\n' >"$work/core_only.cpp"
if "$cxx" "${strict[@]}" -E -I "$src/single_include" "$work/core_only.cpp" | grep -q 'rapidjson'; then
  echo "FAIL: single_include/upstate.hpp pulls RapidJSON in with UPSTATE_SEPARATE_COMPILATION" >&2
  exit 1
fi
printf '#include <upstate/upstate.hpp>\n' >"$work/core_only_include.cpp"
if "$cxx" "${strict[@]}" -E -I "$src/include" "$work/core_only_include.cpp" | grep -q 'rapidjson'; then
  echo "FAIL: <upstate/upstate.hpp> pulls RapidJSON in with UPSTATE_SEPARATE_COMPILATION" >&2
  exit 1
fi

echo "== 2. the single header: UPSTATE_IMPLEMENTATION in one TU"
mkdir -p "$work/single"
printf '#define UPSTATE_IMPLEMENTATION\n#include "upstate.hpp"\n' >"$work/single/impl.cpp"
"$cxx" "${strict[@]}" -I "$src/single_include" -c "$work/single/impl.cpp" -o "$work/single/impl.o"
"$cxx" "${strict[@]}" -I "$src/single_include" -c "$program" -o "$work/single/program.o"
"$cxx" -o "$work/single/program" "$work/single/program.o" "$work/single/impl.o"
"$work/single/program"
printf '#define UPSTATE_IMPLEMENTATION\n#include "upstate.hpp"\n#include "upstate_batch.hpp"\n' >"$work/single/impl_batch.cpp"
"$cxx" "${strict[@]}" -I "$src/single_include" -c "$work/single/impl_batch.cpp" -o "$work/single/impl_batch.o"
"$cxx" "${strict[@]}" -I "$src/single_include" -c "$src/tests/single_include/offline_batch.cpp" \
  -o "$work/single/batch.o"
"$cxx" -o "$work/single/batch" "$work/single/batch.o" "$work/single/impl_batch.o"
"$work/single/batch"

echo "== 3. include/: <upstate/impl/src.hpp> in one TU"
mkdir -p "$work/include/shim"
# The program names the single headers; here they stand for include/'s umbrellas.
printf '#include <upstate/upstate.hpp>\n' >"$work/include/shim/upstate.hpp"
printf '#include <upstate/testing.hpp>\n' >"$work/include/shim/upstate_testing.hpp"
printf '#include <upstate/impl/src.hpp>\n' >"$work/include/impl.cpp"
inc=(-I "$work/include/shim" -I "$src/include")
"$cxx" "${strict[@]}" "${inc[@]}" -c "$work/include/impl.cpp" -o "$work/include/impl.o"
"$cxx" "${strict[@]}" "${inc[@]}" -c "$program" -o "$work/include/program.o"
"$cxx" -o "$work/include/program" "$work/include/program.o" "$work/include/impl.o"
"$work/include/program"

echo "== 4. the Asio single header in this mode"
llhttp=${LLHTTP_INCLUDE:-/usr/share/include/llhttp}
printf '#include "upstate_asio.hpp"\n' >"$work/asio.cpp"
"$cxx" "${strict[@]}" -fsyntax-only -DASIO_STANDALONE -isystem "$llhttp" -I "$src/single_include" "$work/asio.cpp"
echo "consumer.separate_compilation: ok"
