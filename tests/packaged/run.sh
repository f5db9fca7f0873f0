#!/usr/bin/env bash
# The crates as crates.io would serve them: `cargo package` every published crate, unpack the
# `.crate` files, build each crate from them (alone, with its siblings taken from their `.crate`s
# too: what `cargo package` verifies, and what a build from crates.io does), then build the
# README's two hosts in this folder against them — not against the workspace's folders — and run
# a guest on them.
#
#   bash tests/packaged/run.sh
#
# The hosts are `src/hello_host.rs` and `src/minimal_host.rs`; this script fails when they are not
# the README's first two examples. Everything is built in the workspace's target directory
# (`CARGO_TARGET_DIR` or `target/`), with the workspace's `Cargo.lock`, so that wasmtime and the
# other dependencies already built are reused. What it writes besides goes to `TARGET/package/`
# (cargo's) and `TARGET/packaged/`.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/tests/packaged
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
work=$target/packaged
# In the order they depend on each other.
crates=(wasi-stubs-codegen wasi-stubs-macros wasi-stubs wasi-stubs-audit wasi-stubs-cli)
# The crates the host's build takes from the packages (through `wasi-stubs`).
patched=(wasi-stubs-codegen wasi-stubs-macros wasi-stubs)

step() { printf '\n== %s\n' "$*" >&2; }
fail() {
    printf 'tests/packaged: %s\n' "$*" >&2
    exit 1
}

step "the hosts are the README's examples"
# The README's `n`th `rust` block, with the guest's path taken from the command line.
readme_block() {
    awk -v want="$1" '/^```rust/ { n++; if (n == want) { on = 1; next } } on && /^```$/ { exit } on { print }' README.md |
        sed 's/from_file(&engine, "guest\.wasm")/from_file(\&engine, std::env::args().nth(1).expect("usage: host GUEST.wasm"))/'
}
# A host file without its `//!` header.
host_body() { grep -v '^//!' "$here/src/$1" | sed '1{/^$/d;}'; }
for pair in 1:hello_host.rs 2:minimal_host.rs; do
    n=${pair%%:*} file=${pair#*:}
    if ! diff -u <(readme_block "$n") <(host_body "$file") >&2; then
        fail "src/$file is not the README's rust block $n (the diff above is README -> $file)"
    fi
done

step "cargo package"
# Dirty trees are packaged as they are: this checks the packaging, it does not publish. Cargo's own
# verification (`cargo package` without `--no-verify`) builds each crate with its siblings from a
# temporary registry, but it unpacks that registry's crates into CARGO_HOME once and, as for any
# registry crate, never looks at their files again: a second run verifies against the first run's
# siblings. So the verification is done below, from the `.crate` files of this run.
package_args=()
for c in "${crates[@]}"; do package_args+=(-p "$c"); done
cargo package --allow-dirty --no-verify "${package_args[@]}"

step "unpack the .crate files"
version=$(cargo pkgid -p wasi-stubs | sed 's/.*[#@]//')
if [ -d "$work" ]; then chmod -R u+w "$work"; fi
rm -rf "$work"
mkdir -p "$work/crates" "$work/host"
for c in "${crates[@]}"; do
    file=$target/package/$c-$version.crate
    [ -f "$file" ] || fail "no $file"
    # `-m`: the files get the time of unpacking, not the fixed one `cargo package` stores, or cargo
    # would take the previous run's builds as up to date.
    tar -xzmf "$file" -C "$work/crates"
    [ -f "$work/crates/$c-$version/Cargo.toml" ] || fail "$c-$version.crate holds no Cargo.toml"
done
# Packaged sources are read only, as on docs.rs: a build script may write only to `OUT_DIR`.
chmod -R a-w "$work/crates"

# A workspace of the unpacked crates and the host, each crate's crates.io dependencies on its
# siblings patched to the unpacked siblings, with the workspace's versions of everything else.
cp -R "$here/src" "$work/host/"
# The host's own `[workspace]` table goes: here it is a member.
grep -v '^\[workspace\]$' "$here/Cargo.toml" >"$work/host/Cargo.toml"
cp Cargo.lock "$work/Cargo.lock"
{
    printf '[workspace]\nresolver = "3"\nmembers = ["host"'
    for c in "${crates[@]}"; do printf ', "crates/%s-%s"' "$c" "$version"; done
    printf ']\n\n[patch.crates-io]\n'
    for c in "${crates[@]}"; do printf '%s = { path = "crates/%s-%s" }\n' "$c" "$c" "$version"; done
} >"$work/Cargo.toml"
in_work() { CARGO_TARGET_DIR=$target cargo "$@" --manifest-path "$work/Cargo.toml"; }

# As `cargo package` verifies: each crate built alone (its own features), in dependency order.
for c in "${crates[@]}"; do
    step "build $c from its .crate"
    in_work build -p "$c"
done

step "build the README's hosts against the unpacked crates"
in_work build -p wasi-stubs-packaged-host
# Every crate of ours in the host's build came from an unpacked `.crate`.
for c in "${patched[@]}"; do
    id=$(in_work pkgid "$c")
    case $id in
    "path+file://$work/crates/$c-$version#"*) ;;
    *) fail "$c comes from $id, not from its .crate" ;;
    esac
done

guest=tests/guests/fixtures/rust-hello.wasm
step "run $guest on the README's ready host"
# Its stdout goes to `log` records (no logger here) and its stderr to a buffer: what shows is the
# exit code, 0 when the guest got its arguments, environment, clocks and random bytes.
actual=$("$target/debug/packaged-minimal-host" "$guest")
[ "$actual" = "exit code 0" ] || fail "the ready host printed '$actual', not 'exit code 0'"
printf '%s\n' "$actual"

step "run $guest on the README's first host"
# It overrides only fd_write, clock_time_get and random_get: the guest instantiates (every preview1
# function is linked), asks for its arguments, gets ENOSYS, and wasi-libc exits with 71 (EX_OSERR)
# before `main`; the host reports that exit as its error.
if out=$("$target/debug/packaged-hello-host" "$guest" 2>&1); then
    fail "the first host ran $guest to its end, expected the guest's exit 71: $out"
fi
case $out in
*"guest exited with code 71"*) printf 'guest exited with code 71, as expected\n' ;;
*) fail "the first host did not end with the guest's exit 71: $out" ;;
esac
step "ok: the packaged crates build the README's hosts, and they run a guest"
