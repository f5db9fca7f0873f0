//! Writes the table of spec function names the macro checks against, from the witx spec vendored
//! in `wasi-stubs-codegen` (`wasi_stubs_codegen::vendored`).

use std::fmt::Write;
use std::path::PathBuf;

fn main() {
    // The documents are compiled into the generator, so this reads no file of another package:
    // a new spec is a new generator, which rebuilds and reruns this script. Nothing here needs
    // watching but the script itself.
    println!("cargo:rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut table = String::from("&[\n");
    for vendored in wasi_stubs_codegen::vendored::ALL {
        let doc = vendored
            .load(&out.join("witx"))
            .unwrap_or_else(|e| panic!("{e}"));
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
    std::fs::write(out.join("specs.rs"), table).expect("write specs.rs");
}
