#!/usr/bin/env bash
# Builds the formula engine (crates/formula) for the browser: crates/web/static/formula.wasm,
# which the request grid runs (static/grid.js), and formula.wasm.sources, the SHA-256 of the
# sources it was built from; the test crates/formula/tests/wasm_is_current.rs fails when the
# engine changes and this script has not been run again.
#
# Rustup's toolchain here has no wasm32 standard library and cannot fetch one, so core and alloc
# are built from source with Debian's Rust (rustc-web 1.96 and its sources) and linked with
# rustup's rust-lld (or Debian's wasm-ld):
#   apt-get install -y rustc-web cargo-web rust-web-src     (as root)
#   scripts/build-formula-wasm.sh
# With a rustup toolchain that has the target (rustup target add wasm32-unknown-unknown),
# JOSPAR_WASM_CARGO=cargo scripts/build-formula-wasm.sh builds without the Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."

out=crates/web/static/formula.wasm
target_dir=${CARGO_TARGET_DIR:-target}/formula-wasm
cargo_cmd=${JOSPAR_WASM_CARGO:-/usr/bin/cargo}
build_std=()
if [ "$cargo_cmd" = /usr/bin/cargo ]; then
  export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
  build_std=(-Z build-std=core,alloc)
  lld=$(rustc --print sysroot 2>/dev/null)/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld
  [ -x "$lld" ] || lld=$(command -v wasm-ld || command -v rust-lld)
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=$lld
fi
CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_PANIC=abort \
CARGO_PROFILE_RELEASE_STRIP=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_TARGET_DIR=$target_dir \
  "$cargo_cmd" rustc --locked -p jospar-formula --lib --release --target wasm32-unknown-unknown \
  "${build_std[@]}" --crate-type cdylib
cp "$target_dir/wasm32-unknown-unknown/release/jospar_formula.wasm" "$out"
scripts/formula-wasm-sources.sh > "$out.sources"
echo "built $out ($(stat -c %s "$out") bytes)"
