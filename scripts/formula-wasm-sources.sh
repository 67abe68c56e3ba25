#!/usr/bin/env bash
# The sources formula.wasm is built from, with their SHA-256 (see build-formula-wasm.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
sha256sum crates/formula/Cargo.toml $(ls crates/formula/src/*.rs | grep -v '/tests.rs$')
grep -A1 '^name = "rust_decimal"' Cargo.lock | tail -1
