#!/usr/bin/env bash
# Rebuild the WebAssembly guest programs used as test fixtures.
#
# Requirements:
#   - Rust guests: a Rust toolchain with the wasm32-wasip1 target
#       rustup target add wasm32-wasip1
#
# The built modules are committed under fixtures/, so the test suite never
# needs any of these toolchains; run this script only after changing a guest's
# source. Works from any current directory.
#
# Adding a guest (Go, C, ...): add a build_<name> function below and call it
# from main.
set -euo pipefail

GUESTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FIXTURES_DIR="$GUESTS_DIR/fixtures"

log() { printf '==> %s\n' "$*" >&2; }

# --- Rust --------------------------------------------------------------------

# build_rust <crate-dir-name>: build a standalone Cargo package for
# wasm32-wasip1 and copy <crate>.wasm into fixtures/.
build_rust() {
    local name="$1"
    local dir="$GUESTS_DIR/$name"
    log "building Rust guest '$name'"
    cargo build --release --target wasm32-wasip1 \
        --manifest-path "$dir/Cargo.toml"
    cp "$dir/target/wasm32-wasip1/release/$name.wasm" "$FIXTURES_DIR/$name.wasm"
    log "wrote fixtures/$name.wasm ($(wc -c <"$FIXTURES_DIR/$name.wasm") bytes)"
}

# --- Go ----------------------------------------------------------------------
# (none yet)

# --- C -----------------------------------------------------------------------
# (none yet)

main() {
    mkdir -p "$FIXTURES_DIR"
    build_rust rust-hello
}

main "$@"
