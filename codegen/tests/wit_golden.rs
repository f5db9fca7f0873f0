//! The generator's output for the WIT package `wit/kitchen-sink` (a package of our own with a
//! dependency in `deps/`, using every kind of WIT type, resources with `own` and `borrow`
//! handles, and a world with functions of its own) is committed as `golden/wit_sink.rs`: a
//! change in generated code shows in review. Regenerate with
//! `UPDATE_GOLDEN=1 cargo test -p wasi-stubs-codegen --test wit_golden`.
//! (`tests/tests/wit_sink.rs` compiles that file and calls it from a component.)

mod common;

use std::path::{Path, PathBuf};

use wasi_stubs_codegen::wit;

fn package() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wit/kitchen-sink")
}

#[test]
fn sink_output_is_unchanged() {
    let generated = wit::load(package(), "sink")
        .and_then(|w| w.generate_file())
        .unwrap_or_else(|e| panic!("{e}"));
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/wit_sink.rs");
    common::assert_golden(&golden, &generated);
    assert!(
        !generated.contains("unsafe"),
        "generated code has no unsafe"
    );
}
