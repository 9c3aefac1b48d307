#!/usr/bin/env bash
# Compile time of a file that includes upstate's single headers, against a
# baseline that includes only what the core cannot do without (<string>,
# <vector>, RapidJSON). Each row is compiled RUNS times (default 5) two ways,
# `-O0 -fsyntax-only` (the front end: what an edit-compile loop pays) and
# `-c -O2` (a release object), and the medians are reported: wall seconds and
# CPU seconds (user + sys, steadier when other work shares the machine).
#
#   bash bench/compile_time.sh            # g++; CXX=clang++ to change compiler
#   ROWS="core core_sep" bash bench/compile_time.sh   # some rows only
#   MIN=1 RUNS=5 bash bench/compile_time.sh   # the minimum instead of the median
#                                         # (steadier when others share the machine)
#
# The table goes to stderr, one JSON object to stdout (for bench/run):
#   {"compiler":"g++ 12.2.0","runs":5,"rows":[{"name":"baseline",
#    "syntax_only":{"wall_s":0.41,"cpu_s":0.40},"o2_object":{...}}, ...]}
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cxx=${CXX:-g++}
runs=${RUNS:-5}
llhttp_dir=${LLHTTP_INCLUDE:-/usr/share/include/llhttp}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- the files ------------------------------------------------------------
cat >"$work/baseline.cpp" <<'EOF'
#include <string>
#include <vector>
#include <rapidjson/document.h>
int main() { return 0; }
EOF
cat >"$work/core.cpp" <<'EOF'
#include "upstate.hpp"
int main() { return 0; }
EOF
# The same header with the code a program actually instantiates: a machine
# driven through one step and a parsed answer (inline functions that are
# never called cost the front end only).
cat >"$work/core_used.cpp" <<'EOF'
#include "upstate.hpp"
int main() {
  upstate::UploadConfig config;
  config.token = "t0123456789";
  config.dataset_id = "ds1";
  upstate::Upload up{config, {"reviews.jsonl", 10}};
  upstate::Action a = up.start(upstate::Instant{});
  auto report = upstate::parse_import_report(R"({"import_id":"i","status":"complete"})");
  return std::holds_alternative<upstate::Send>(a) && report.ok() ? 0 : 1;
}
EOF
cat >"$work/asio.cpp" <<'EOF'
#include "upstate_asio.hpp"
int main() { return 0; }
EOF
# Separate compilation (detail/linkage.hpp): the same includes with
# UPSTATE_SEPARATE_COMPILATION (the *_sep rows), and the one file that
# compiles the bodies (impl; a build pays it once, not per file).
cp "$work/core.cpp" "$work/core_sep.cpp"
cp "$work/asio.cpp" "$work/asio_sep.cpp"
cat >"$work/impl.cpp" <<'EOF'
#define UPSTATE_IMPLEMENTATION
#include "upstate.hpp"
EOF
cat >"$work/batch.cpp" <<'EOF'
#include "upstate_batch.hpp"
int main() { return 0; }
EOF
cat >"$work/records.cpp" <<'EOF'
#include "upstate_records.hpp"
int main() { return 0; }
EOF
cat >"$work/testing.cpp" <<'EOF'
#include "upstate_testing.hpp"
int main() { return 0; }
EOF

common=(-std=c++17 -I "$here/single_include")
asio_flags=(-DASIO_STANDALONE -isystem "$llhttp_dir")
rows=(baseline core core_sep impl core_used batch records testing asio asio_sep)
declare -A label=(
  [baseline]="<string> <vector> <rapidjson/document.h>"
  [core]="single_include/upstate.hpp"
  [core_sep]="upstate.hpp, separate compilation"
  [impl]="upstate.hpp + UPSTATE_IMPLEMENTATION (once)"
  [asio_sep]="upstate_asio.hpp, separate compilation"
  [core_used]="upstate.hpp + an Upload and a parse"
  [batch]="upstate.hpp + upstate_batch.hpp"
  [records]="upstate.hpp + upstate_records.hpp"
  [testing]="upstate.hpp + upstate_testing.hpp"
  [asio]="single_include/upstate_asio.hpp"
)

# median of the numbers given, one per line
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# time_one ROW MODE -> "wall cpu" (medians over $runs compilations)
time_one() {
  local row=$1 mode=$2 flags=("${common[@]}") walls=() cpus=() i
  [[ $row == asio* ]] && flags+=("${asio_flags[@]}")
  [[ $row == *_sep ]] && flags+=(-DUPSTATE_SEPARATE_COMPILATION)
  if [[ $mode == syntax_only ]]; then flags+=(-O0 -fsyntax-only); else flags+=(-O2 -c -o "$work/$row.o"); fi
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -f '%e %U %S' -o "$work/time" "$cxx" "${flags[@]}" "$work/$row.cpp"
    read -r wall user sys <"$work/time"
    walls+=("$wall")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')")
  done
  if [[ ${MIN:-0} == 1 ]]; then
    echo "$(printf '%s\n' "${walls[@]}" | sort -g | head -1) $(printf '%s\n' "${cpus[@]}" | sort -g | head -1)"
  else
    echo "$(printf '%s\n' "${walls[@]}" | median) $(printf '%s\n' "${cpus[@]}" | median)"
  fi
}

if [[ ! -r $llhttp_dir/llhttp.h ]]; then
  echo "compile_time.sh: no llhttp.h in $llhttp_dir (set LLHTTP_INCLUDE): skipping the adapter row" >&2
  rows=(baseline core core_sep impl core_used batch records testing)
fi

[[ -n ${ROWS:-} ]] && read -r -a rows <<<"$ROWS"
version=$("$cxx" --version | head -1)
printf '%s, %s of %d runs; seconds wall (cpu)\n' "$version" "$([[ ${MIN:-0} == 1 ]] && echo minimum || echo median)" "$runs" >&2
printf '%-44s %18s %18s\n' "file includes" "-O0 -fsyntax-only" "-c -O2" >&2
json_rows=()
for row in "${rows[@]}"; do
  read -r sw sc <<<"$(time_one "$row" syntax_only)"
  read -r ow oc <<<"$(time_one "$row" o2_object)"
  printf '%-44s %10s (%5s) %10s (%5s)\n' "${label[$row]}" "$sw" "$sc" "$ow" "$oc" >&2
  json_rows+=("{\"name\":\"$row\",\"includes\":\"${label[$row]}\",\"syntax_only\":{\"wall_s\":$sw,\"cpu_s\":$sc},\"o2_object\":{\"wall_s\":$ow,\"cpu_s\":$oc}}")
done
version_json=${version//\\/\\\\}
version_json=${version_json//\"/\\\"}
printf '{"compiler":"%s","runs":%d,"rows":[%s]}\n' "$version_json" "$runs" "$(IFS=,; echo "${json_rows[*]}")"
