#!/usr/bin/env bash
# Builds the componentize-py guest (app.py) for cli/tests/python_component.rs:
#
#   $CARGO_TARGET_DIR/guests/python-component.wasm   (default target/; about 18 MB, not committed)
#
# componentize-py 0.25.1 comes from PyPI into a virtual environment beside it
# ($CARGO_TARGET_DIR/guests/componentize-py/); the world is `wasi:cli/command@0.2.12` from the
# WASI WIT vendored in codegen/wit/wasi-0.2, with the `cli-exit-with-code` feature so that the
# guest can exit with a code.
#
# Usage: bash tests/guests/python-component/build.sh   (needs python3 with venv and pip; works
# from any directory). When PyPI cannot be reached it says so and exits 0, and the test is
# skipped with a message.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
target=${CARGO_TARGET_DIR:-$root/target}
out=$target/guests
venv=$out/componentize-py
mkdir -p "$out"

if [ ! -x "$venv/bin/componentize-py" ]; then
    if ! python3 -m venv "$venv" || ! "$venv/bin/pip" install --quiet componentize-py==0.25.1; then
        echo "python-component: componentize-py could not be installed from PyPI; its test is skipped" >&2
        rm -rf "$venv"
        exit 0
    fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/app.py" "$work/"
cd "$work"
"$venv/bin/componentize-py" -q -d "$root/codegen/wit/wasi-0.2" -w wasi:cli/command@0.2.12 \
    --features cli-exit-with-code componentize app -o "$out/python-component.wasm.tmp"
mv "$out/python-component.wasm.tmp" "$out/python-component.wasm"
echo "python-component: built $out/python-component.wasm" >&2
