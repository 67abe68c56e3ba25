#!/usr/bin/env bash
# Fuzzing of every parser that takes outside input: the cargo-fuzz targets of fuzz/ (Treasury
# forms as CSV and XLSX, the portal's execution CSV, the staffing XLSX, the ЕБК files, the
# signature's BER/CMS/PEM, the QR picture, the ShEP answers), each run for a bounded time.
#
#   bash scripts/fuzz-parsers.sh            # 30 s per target (what scripts/test.sh runs)
#   bash scripts/fuzz-parsers.sh 600        # 10 minutes per target
#   bash scripts/fuzz-parsers.sh 60 qr      # only the named targets
#
# Installs cargo-fuzz (pinned) when missing, and the nightly toolchain it needs. The targets are
# built once, optimised with debug assertions and overflow checks, without a sanitizer (see
# fuzz/README.md), in fuzz/target. Each target starts from its seeds in fuzz/corpus/<target>
# (committed) and what earlier runs found in fuzz/target/corpus/<target> (kept locally, never
# committed), with the dictionary fuzz/parsers.dict (numbers at the edges of the integer types).
# The run fails if any target crashes (a panic, an overflow, a hang of more than FUZZ_TIMEOUT
# seconds on one input, or more than FUZZ_RSS_MB of memory); the input is left in
# fuzz/artifacts/<target>/ and the command that replays it is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
seconds=${1:-30}
shift || true
case $seconds in
  '' | *[!0-9]*)
    echo "usage: $0 [SECONDS] [TARGET...]" >&2
    exit 2
    ;;
esac
timeout_per_input=${FUZZ_TIMEOUT:-10}
rss_mb=${FUZZ_RSS_MB:-2048}
flags=(--sanitizer none)

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "installing the nightly toolchain (cargo-fuzz needs it)"
  rustup toolchain install nightly --profile minimal
fi
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  echo "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

start=$(date +%s)
echo "building ${#targets[@]} fuzz targets"
cargo +nightly fuzz build "${flags[@]}"
built=$(date +%s)
echo "built in $((built - start)) s; running each target for ${seconds} s"

root=$PWD
logs=fuzz/target/logs
mkdir -p "$logs"
failed=()
for target in "${targets[@]}"; do
  seeds=$root/fuzz/corpus/$target
  found=$root/fuzz/target/corpus/$target
  mkdir -p "$found" "fuzz/artifacts/$target"
  [ -d "$seeds" ] || { echo "no seed corpus $seeds" >&2; exit 2; }
  log=$logs/$target.log
  # New inputs go to the first directory: the committed seeds stay as they are.
  if cargo +nightly fuzz run "${flags[@]}" "$target" "$found" "$seeds" -- \
    -max_total_time="$seconds" -timeout="$timeout_per_input" -rss_limit_mb="$rss_mb" \
    -dict="$root/fuzz/parsers.dict" -artifact_prefix="$root/fuzz/artifacts/$target/" \
    -print_final_stats=1 >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
    echo "ok      $target: $runs inputs, $cov"
  else
    echo "CRASHED $target (log: $log)"
    tail -n 40 "$log" | sed 's/^/    /'
    failed+=("$target")
  fi
done

echo "fuzzing took $(($(date +%s) - start)) s (build $((built - start)) s)"
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashed: ${failed[*]}" >&2
  echo "replay an input: cargo +nightly fuzz run ${flags[*]} TARGET fuzz/artifacts/TARGET/crash-…" >&2
  exit 1
fi
