//! Generates `wasi_stubs::preview1` from the vendored witx spec.

use std::path::PathBuf;

fn main() {
    let witx = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../witx/preview1");
    println!("cargo:rerun-if-changed={}", witx.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let code = wasi_stubs_codegen::generate_file(&[witx.join("wasi_snapshot_preview1.witx")])
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(out.join("preview1.rs"), code).expect("write preview1.rs to OUT_DIR");
}
