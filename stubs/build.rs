//! Generates `wasi_stubs::preview1` and `wasi_stubs::preview0` (with its polyfill over preview1)
//! from the witx spec vendored in `wasi-stubs-codegen` (`wasi_stubs_codegen::vendored`), and
//! `wasi_stubs::p2` from its WASI 0.2 WIT (`wasi_stubs_codegen::wit::vendored`).

use std::path::{Path, PathBuf};

use quote::quote;
use wasi_stubs_codegen::{Generator, Polyfill, vendored};

fn main() {
    // The documents are compiled into the generator, so this reads no file of another package:
    // a new spec is a new generator, which rebuilds and reruns this script. Nothing here needs
    // watching but the script itself.
    println!("cargo:rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let preview1 = load(vendored::PREVIEW1, &out);
    let preview0 = load(vendored::PREVIEW0, &out);

    write(
        &out.join("preview1.rs"),
        Generator::document(&preview1).async_functions(vendored::PREVIEW1_ASYNC.iter().copied()),
    );
    let polyfill = Polyfill {
        doc: &preview1,
        path: quote!(crate::preview1),
        old_path: quote!(crate::preview0),
        manual: quote!(crate::polyfill),
    };
    // The functions preview1 has async that preview0 has too: the async polyfill forwards each
    // to the method of the same name.
    let preview0_functions: Vec<String> = wasi_stubs_codegen::module_names(&preview0)
        .into_iter()
        .flat_map(|m| m.functions.into_iter().map(|(name, _)| name))
        .collect();
    let preview0_async = vendored::PREVIEW1_ASYNC
        .iter()
        .filter(|name| preview0_functions.iter().any(|f| f == *name))
        .copied();
    write(
        &out.join("preview0.rs"),
        Generator::document(&preview0)
            .polyfill(polyfill)
            .async_functions(preview0_async),
    );

    let command = wasi_stubs_codegen::wit::vendored::WASI_0_2
        .load(&out.join("wit"), "wasi:cli/command")
        .and_then(|world| world.generate_file())
        .unwrap_or_else(|e| panic!("{e}"));
    let path = out.join("p2.rs");
    std::fs::write(&path, command).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Loads a vendored document, written out under `OUT_DIR/witx/` for the generator to read.
fn load(doc: vendored::Vendored, out: &Path) -> wasi_stubs_codegen::witx::Document {
    doc.load(&out.join("witx"))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn write(path: &Path, generator: Generator<'_>) {
    generator.write_to(path).unwrap_or_else(|e| panic!("{e}"));
}
