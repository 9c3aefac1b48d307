#!/usr/bin/env bash
# Builds and runs one consumer project of upstate (tests/consumers/MODE/):
#   run.sh find_package     SOURCE_DIR WORK_DIR   configure + build + install
#                                                 upstate into WORK_DIR/prefix,
#                                                 then find_package() it
#   run.sh add_subdirectory SOURCE_DIR WORK_DIR   add_subdirectory(SOURCE_DIR)
#   run.sh fetch_content    SOURCE_DIR WORK_DIR   FetchContent, SOURCE_DIR
#   run.sh core_only        SOURCE_DIR WORK_DIR   install with -DUPSTATE_BUILD_ASIO=OFF
#                                                 (llhttp and OpenSSL hidden from
#                                                 CMake), find_package() it: no
#                                                 upstate::asio, no programs; then
#                                                 the same program through pkg-config
# Every mode also checks that upstate's include directory reaches the
# consumer's compile lines as a SYSTEM include (-isystem).
# The consumer's program (tests/single_include/offline_upload.cpp) must exit 0.
# Env: CXX picks the compiler; UPSTATE_CONSUMER_ASIO=ON (find_package mode)
# also builds a program on upstate::asio.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 find_package|add_subdirectory|fetch_content SOURCE_DIR WORK_DIR" >&2; exit 2; }
mode=$1
src=$(cd "$2" && pwd)
work=$3
here=$(cd "$(dirname "$0")" && pwd)
case $mode in find_package|add_subdirectory|fetch_content|core_only) ;; *) echo "unknown mode: $mode" >&2; exit 2 ;; esac

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
consumer_args=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
project_dir=$mode

if [ "$mode" = find_package ] || [ "$mode" = core_only ]; then
  upstate_args=(-DCMAKE_BUILD_TYPE=Release -DUPSTATE_BUILD_TESTS=OFF -DUPSTATE_BUILD_EXAMPLES=OFF
                -DUPSTATE_BUILD_PROGRAMS=OFF)
  consumer_asio=${UPSTATE_CONSUMER_ASIO:-OFF}
  if [ "$mode" = core_only ]; then
    # As on a machine without them: CMake may not find llhttp or OpenSSL.
    upstate_args+=(-DUPSTATE_BUILD_ASIO=OFF -DCMAKE_DISABLE_FIND_PACKAGE_llhttp=ON
                   -DCMAKE_DISABLE_FIND_PACKAGE_OpenSSL=ON)
    consumer_asio=OFF
    project_dir=find_package
  else
    upstate_args+=(-DUPSTATE_BUILD_ASIO="$consumer_asio")
  fi
  echo "== upstate: configure, build, install into $work/prefix"
  cmake -S "$src" -B "$work/upstate-build" "${upstate_args[@]}"
  cmake --build "$work/upstate-build" -j1
  cmake --install "$work/upstate-build" --prefix "$work/prefix"
  consumer_args+=(-DCMAKE_PREFIX_PATH="$work/prefix" -DUPSTATE_EXPECTED_PREFIX="$work/prefix"
                  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
                  -DUPSTATE_CONSUMER_ASIO="$consumer_asio")
  if [ "$mode" = core_only ]; then
    consumer_args+=(-DUPSTATE_EXPECT_NO_ASIO=ON)
    if find "$work/prefix" -name 'upstate-upload' -o -name 'upstate-fake-server' -o -name 'Findllhttp.cmake' \
         -o -path '*/upstate/asio' | grep -q .; then
      echo "FAIL: the core-only install holds programs or the adapter's llhttp module" >&2
      exit 1
    fi
  fi
else
  consumer_args+=(-DUPSTATE_SOURCE_DIR="$src")
fi

echo "== consumer ($mode): configure, build"
cmake -S "$here/$project_dir" -B "$work/build" "${consumer_args[@]}"
cmake --build "$work/build" -j1

# upstate's headers reach the consumer as system headers (its warnings are
# for its own code): the compile line of offline_upload says -isystem <dir>
# for the directory that holds upstate/upstate.hpp.
python3 - "$work/build/compile_commands.json" <<'PY'
import json, os, shlex, sys
for entry in json.load(open(sys.argv[1])):
    if not entry["file"].endswith("offline_upload.cpp"):
        continue
    args = shlex.split(entry["command"])
    system = [args[i + 1] if a == "-isystem" else a[len("-isystem"):]
              for i, a in enumerate(args) if a.startswith("-isystem")]
    plain = [args[i + 1] if a == "-I" else a[2:] for i, a in enumerate(args) if a.startswith("-I")]
    ours = lambda d: os.path.isfile(os.path.join(d, "upstate", "upstate.hpp"))
    if not any(ours(d) for d in system) or any(ours(d) for d in plain):
        sys.exit("FAIL: upstate's include directory is not a SYSTEM include: " + entry["command"])
    print("upstate's headers are SYSTEM includes: ok")
    break
else:
    sys.exit("FAIL: no compile command for offline_upload.cpp")
PY

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

if [ "$mode" = core_only ]; then
  echo "== consumer (pkg-config): the same program, compiled with pkg-config's flags"
  mkdir -p "$work/pc/forward"
  echo '#include <upstate/upstate.hpp>' >"$work/pc/forward/upstate.hpp"
  echo '#include <upstate/testing.hpp>' >"$work/pc/forward/upstate_testing.hpp"
  # The .pc file is found by its install path alone; RapidJSON's own .pc
  # (a Requires:) comes from the system's search path.
  export PKG_CONFIG_PATH="$work/prefix/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  [ "$(pkg-config --modversion upstate)" = "$(sed -n 's/^#define UPSTATE_VERSION_STRING "\(.*\)"/\1/p' "$src/include/upstate/version.hpp")" ] \
    || { echo "FAIL: pkg-config's version is not version.hpp's" >&2; exit 1; }
  # shellcheck disable=SC2046
  "${CXX:-c++}" -std=c++17 -I "$work/pc/forward" $(pkg-config --cflags upstate) \
    -o "$work/pc/offline_upload" "$here/../single_include/offline_upload.cpp"
  "$work/pc/offline_upload"
fi
echo "consumer.$mode: ok"
