//! The generator's output for `golden/kitchen_sink.witx`, a document of our own that uses every
//! kind of type, is committed as `golden/kitchen_sink.rs`: a change in generated code shows in
//! review. Regenerate with `UPDATE_GOLDEN=1 cargo test -p wasi-stubs-codegen --test golden`.
//! (`tests/tests/golden.rs` compiles that file and runs it against a guest.)

mod common;

use std::path::Path;

use wasi_stubs_codegen::Generator;

#[test]
fn kitchen_sink_output_is_unchanged() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let generated = Generator::witx([dir.join("kitchen_sink.witx")])
        .generate_string()
        .expect("the golden document generates");
    let golden = dir.join("kitchen_sink.rs");
    common::assert_golden(&golden, &generated);
}

/// The async form on the same document, with some functions async (`nothing` and `scalars` stay
/// synchronous): `golden/kitchen_sink_async.rs`, compiled and run by
/// `tests/tests/golden_async.rs`.
#[test]
fn kitchen_sink_async_output_is_unchanged() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let generated = Generator::witx([dir.join("kitchen_sink.witx")])
        .async_functions(["lists", "records", "plain", "stop"])
        .generate_string()
        .expect("the golden document generates");
    common::assert_golden(&dir.join("kitchen_sink_async.rs"), &generated);
}

#[test]
fn all_async_makes_every_method_async_and_links_it_so() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("witx/preview1/wasi_snapshot_preview1.witx");
    let code = Generator::witx([&path])
        .all_async()
        .generate_string()
        .unwrap();
    let flat: String = code.split_whitespace().collect();
    assert_eq!(
        flat.matches("->impl::core::future::Future<Output=").count(),
        46
    );
    assert_eq!(flat.matches("link_async(linker,MODULE,get,").count(), 46);
    // The synchronous trait and glue are still there, untouched.
    assert_eq!(flat.matches("link(linker,MODULE,get,").count(), 46);
    assert!(code.contains("pub trait WasiSnapshotPreview1 {"));

    let some = Generator::witx([&path])
        .async_functions(["poll_oneoff"])
        .generate_string()
        .unwrap();
    let flat: String = some.split_whitespace().collect();
    assert_eq!(
        flat.matches("->impl::core::future::Future<Output=").count(),
        1
    );
    assert_eq!(flat.matches("link_async(linker,MODULE,get,").count(), 1);
    // 46 for `add_to_linker`, 45 for the synchronous methods of the async trait.
    assert_eq!(flat.matches("link(linker,MODULE,get,").count(), 91);
    assert!(!some.contains("unsafe"));
}

#[test]
fn async_names_must_be_functions_of_the_document() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("witx/preview1/wasi_snapshot_preview1.witx");
    let err = Generator::witx([&path])
        .async_functions(["poll_oneoff", "fd_wirte"])
        .generate()
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "async_functions: `fd_wirte` is not a function of the document; did you mean `fd_write`?"
    );
    let err = Generator::witx([&path])
        .async_functions(["sched_yield", "sched_yield"])
        .generate()
        .unwrap_err()
        .to_string();
    assert_eq!(err, "async_functions: `sched_yield` is listed twice");
    // None is allowed: the async trait is then the synchronous one under another name.
    Generator::witx([&path])
        .async_functions(Vec::<String>::new())
        .generate()
        .unwrap();
}

#[test]
fn generation_is_reproducible() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/kitchen_sink.witx");
    let a = Generator::witx([&path]).generate_string().unwrap();
    let b = Generator::witx([&path]).generate_string().unwrap();
    assert_eq!(a, b);
}

#[test]
fn a_bad_witx_file_is_an_error_naming_the_file_and_place() {
    let dir = std::env::temp_dir().join(format!("wasi-stubs-codegen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.witx");
    std::fs::write(
        &path,
        "(typename $a u32)\n(typename $b (record (field $x $nope)))\n",
    )
    .unwrap();
    let err = Generator::witx([&path])
        .generate_string()
        .unwrap_err()
        .to_string();
    assert!(err.contains("broken.witx"), "{err}");
    assert!(err.contains(":2:"), "names the line: {err}");
    assert!(err.contains("nope"), "{err}");

    std::fs::write(&path, "(typename $a u32").unwrap();
    let err = Generator::witx([&path])
        .generate_string()
        .unwrap_err()
        .to_string();
    assert!(err.contains("broken.witx"), "{err}");

    let err = Generator::witx([dir.join("missing.witx")])
        .generate_string()
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing.witx"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_preview1_document_generates_46_functions() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("witx/preview1/wasi_snapshot_preview1.witx");
    let doc = wasi_stubs_codegen::load(&[path]).unwrap();
    let module = doc.modules().next().unwrap();
    assert_eq!(module.funcs().count(), 46);
    let code = Generator::document(&doc).generate_string().unwrap();
    assert!(code.contains("pub trait WasiSnapshotPreview1"));
    // One registration per function, however the formatter wraps it.
    let flat: String = code.split_whitespace().collect();
    assert_eq!(flat.matches("link(linker,MODULE,get,").count(), 46);
    assert!(!code.contains("unsafe"), "generated code has no unsafe");
}
