//! Generates `wasi_stubs::preview1` and `wasi_stubs::preview0` (with its polyfill over preview1)
//! from the vendored witx spec.

use std::path::{Path, PathBuf};

use quote::quote;
use wasi_stubs_codegen::polyfill::Target;

fn main() {
    // Read at run time: a build script compiled in one checkout may be run for another.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let witx = PathBuf::from(manifest).join("../witx");
    println!("cargo:rerun-if-changed={}", witx.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let preview1 = load(&witx.join("preview1/wasi_snapshot_preview1.witx"));
    let preview0 = load(&witx.join("preview0/wasi_unstable.witx"));

    write(
        &out.join("preview1.rs"),
        wasi_stubs_codegen::generate(&preview1),
    );
    let target = Target {
        doc: &preview1,
        path: quote!(crate::preview1),
        old_path: quote!(crate::preview0),
        manual: quote!(crate::polyfill),
    };
    write(
        &out.join("preview0.rs"),
        wasi_stubs_codegen::generate_with_polyfill(&preview0, &target),
    );
}

fn load(path: &Path) -> wasi_stubs_codegen::witx::Document {
    wasi_stubs_codegen::load(&[path]).unwrap_or_else(|e| panic!("{e}"))
}

fn write(path: &Path, code: Result<proc_macro2::TokenStream, wasi_stubs_codegen::Error>) {
    let code = code
        .and_then(wasi_stubs_codegen::pretty)
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(path, code).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}
