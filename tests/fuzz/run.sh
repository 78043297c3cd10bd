#!/usr/bin/env bash
# Builds the fuzz targets (clang, libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer) and
# runs each for a bounded time, then prints executions per target.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     default: 60 seconds each, every target
#
# TWIN_FUZZ_BUILD is the build directory (default: build-fuzz in the source tree). Inputs the
# fuzzer finds interesting grow <build>/corpus/<target>, so tests/fuzz/corpus keeps only the
# seeds; a crash input is written to <build>/artifacts/<target>/ and the script exits 1. Keep
# such an input in tests/fuzz/regressions/<target>/ once the bug is fixed: the unit tests
# replay it in every normal build.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${TWIN_FUZZ_BUILD:-$src/build-fuzz}
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(yaml_reader schema dpkg_status crontab pkt_line merge_driver)
fi

cmake -S "$src" -B "$build" -DTWIN_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DBUILD_TESTING=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target "${targets[@]/#/fuzz_}"

failed=0
summary=()
for target in "${targets[@]}"; do
  mkdir -p "$build/corpus/$target" "$build/artifacts/$target"
  log="$build/artifacts/$target/fuzz.log"
  start=$SECONDS
  # -timeout: an input that takes 10 s is a hang worth keeping, not a slow run.
  if "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$target/" \
    "$build/corpus/$target" "$src/tests/fuzz/corpus/$target" >"$log" 2>&1; then
    result=ok
  else
    result="FAILED (see $log)"
    failed=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  summary+=("$(printf '%-13s %12s executions %5s s  %s' "$target" "${runs:-?}" \
    $((SECONDS - start)) "$result")")
done
printf '%s\n' "${summary[@]}"
exit $failed
