//! Writes the tables of function names the macro checks against: of the witx specs vendored in
//! `wasi-stubs-codegen` (`wasi_stubs_codegen::vendored`), and of the interfaces of the WASI 0.2
//! world `wasi:cli/command` it vendors (`wasi_stubs_codegen::wit::vendored`), from which
//! `wasi_stubs::p2` is generated.

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
            // `wasi_stubs` generates each module's async trait with these functions async: those
            // of preview1's it has.
            let async_functions: Vec<&str> = wasi_stubs_codegen::vendored::PREVIEW1_ASYNC
                .iter()
                .copied()
                .filter(|name| m.functions.iter().any(|(f, _)| f == name))
                .collect();
            let async_trait = format!("{}Async", m.trait_name);
            writeln!(
                table,
                "    Spec {{ module: {:?}, trait_name: {:?}, functions: &{:?}, async_trait: {:?}, async_functions: &{:?} }},",
                m.module, m.trait_name, m.functions, async_trait, async_functions
            )
            .unwrap();
        }
    }
    table.push(']');
    std::fs::write(out.join("specs.rs"), table).expect("write specs.rs");

    // The interfaces of `wasi_stubs::p2`, as the generator gives them to Rust items (the world
    // and WIT are those `wasi-stubs`'s build script generates `p2` from).
    let world = wasi_stubs_codegen::wit::vendored::WASI_0_2
        .load(&out.join("wit"), "wasi:cli/command")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut table = String::from("&[\n");
    for interface in world.summary().unwrap_or_else(|e| panic!("{e}")) {
        let module = interface
            .trait_path
            .strip_suffix("::Host")
            .unwrap_or_else(|| panic!("{}: a trait not named `Host`", interface.trait_path));
        let functions: Vec<(String, String)> = interface
            .drops
            .into_iter()
            .chain(interface.functions)
            .collect();
        writeln!(
            table,
            "    WitInterface {{ instance: {:?}, module: {:?}, functions: &{:?} }},",
            interface.instance, module, functions
        )
        .unwrap();
    }
    table.push(']');
    std::fs::write(out.join("interfaces.rs"), table).expect("write interfaces.rs");
}
