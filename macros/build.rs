//! Writes the table of spec function names the macro checks against, from the vendored witx.

use std::fmt::Write;
use std::path::PathBuf;

fn main() {
    // Read at run time: a build script compiled in one checkout may be run for another.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let witx = PathBuf::from(manifest).join("../witx");
    println!("cargo:rerun-if-changed={}", witx.display());
    let documents = [
        witx.join("preview1/wasi_snapshot_preview1.witx"),
        witx.join("preview0/wasi_unstable.witx"),
    ];
    let mut table = String::from("&[\n");
    for path in documents {
        let doc = wasi_stubs_codegen::load(&[&path]).unwrap_or_else(|e| panic!("{e}"));
        for m in wasi_stubs_codegen::module_names(&doc) {
            writeln!(
                table,
                "    Spec {{ module: {:?}, trait_name: {:?}, functions: &{:?} }},",
                m.module, m.trait_name, m.functions
            )
            .unwrap();
        }
    }
    table.push(']');
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("specs.rs"), table).expect("write specs.rs");
}
