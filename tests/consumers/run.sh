#!/usr/bin/env bash
# Builds and runs one consumer project of upstate (tests/consumers/MODE/):
#   run.sh find_package     SOURCE_DIR WORK_DIR   configure + build + install
#                                                 upstate into WORK_DIR/prefix,
#                                                 then find_package() it
#   run.sh add_subdirectory SOURCE_DIR WORK_DIR   add_subdirectory(SOURCE_DIR)
#   run.sh fetch_content    SOURCE_DIR WORK_DIR   FetchContent, SOURCE_DIR
# The consumer's program (tests/single_include/offline_upload.cpp) must exit 0.
# Env: CXX picks the compiler; UPSTATE_CONSUMER_ASIO=ON (find_package mode)
# also builds a program on upstate::asio.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 find_package|add_subdirectory|fetch_content SOURCE_DIR WORK_DIR" >&2; exit 2; }
mode=$1
src=$(cd "$2" && pwd)
work=$3
here=$(cd "$(dirname "$0")" && pwd)
case $mode in find_package|add_subdirectory|fetch_content) ;; *) echo "unknown mode: $mode" >&2; exit 2 ;; esac

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
consumer_args=(-DCMAKE_BUILD_TYPE=Release)

if [ "$mode" = find_package ]; then
  echo "== upstate: configure, build, install into $work/prefix"
  cmake -S "$src" -B "$work/upstate-build" -DCMAKE_BUILD_TYPE=Release \
    -DUPSTATE_BUILD_TESTS=OFF -DUPSTATE_BUILD_EXAMPLES=OFF -DUPSTATE_BUILD_ASIO=OFF
  cmake --build "$work/upstate-build" -j1
  cmake --install "$work/upstate-build" --prefix "$work/prefix"
  consumer_args+=(-DCMAKE_PREFIX_PATH="$work/prefix" -DUPSTATE_EXPECTED_PREFIX="$work/prefix"
                  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
                  -DUPSTATE_CONSUMER_ASIO="${UPSTATE_CONSUMER_ASIO:-OFF}")
else
  consumer_args+=(-DUPSTATE_SOURCE_DIR="$src")
fi

echo "== consumer ($mode): configure, build"
cmake -S "$here/$mode" -B "$work/build" "${consumer_args[@]}"
cmake --build "$work/build" -j1

if [ "$mode" != find_package ]; then
  # upstate is not the top-level project here: none of its tests were built.
  if find "$work/build" -name 'upstate_*_tests' -o -name 'CTestTestfile.cmake' | grep -q .; then
    echo "FAIL: upstate's tests were configured or built inside the consumer:" >&2
    find "$work/build" -name 'upstate_*_tests' -o -name 'CTestTestfile.cmake' >&2
    exit 1
  fi
fi

echo "== consumer ($mode): run"
"$work/build/offline_upload"
if [ -x "$work/build/asio_client" ]; then "$work/build/asio_client"; fi
echo "consumer.$mode: ok"
