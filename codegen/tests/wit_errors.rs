//! What the WIT generator refuses, and how: each error names the file and place (as wit-parser
//! renders it, `file.wit:line:col`) and what is wrong, and nothing panics.

use std::path::PathBuf;

use wasi_stubs_codegen::wit;

/// A WIT package directory holding `text` as `main.wit`, unique per test.
fn package(test: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "wasi-stubs-wit-errors-{}-{test}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.wit"), text).unwrap();
    dir
}

/// The error generating world `world` of `text`.
fn error(test: &str, text: &str, world: &str) -> String {
    let dir = package(test, text);
    let result = wit::load(&dir, world).and_then(|w| w.generate_file());
    std::fs::remove_dir_all(&dir).ok();
    match result {
        Ok(_) => panic!("{test}: generated"),
        Err(e) => e.to_string(),
    }
}

#[track_caller]
fn assert_mentions(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "{part:?} not in:\n{message}");
    }
}

#[test]
fn a_syntax_error_names_file_line_and_column() {
    let message = error(
        "syntax",
        "package a:b;\n\ninterface i {\n    f: func() -> ;\n}\n",
        "w",
    );
    assert_mentions(&message, &["main.wit:4:", "f: func() -> ;"]);
}

#[test]
fn an_unknown_type_names_its_place() {
    let message = error(
        "unknown-type",
        "package a:b;\ninterface i {\n    f: func(x: nope);\n}\nworld w { import i; }\n",
        "w",
    );
    assert_mentions(&message, &["main.wit:3:", "nope"]);
}

#[test]
fn an_unknown_world_and_a_missing_directory_are_named() {
    let message = error("no-world", "package a:b;\nworld w {}\n", "elsewhere");
    assert_mentions(&message, &["elsewhere"]);
    let missing = std::env::temp_dir().join("wasi-stubs-wit-errors-does-not-exist");
    let message = wit::load(&missing, "w").unwrap_err().to_string();
    assert_mentions(&message, &["wasi-stubs-wit-errors-does-not-exist"]);
}

#[test]
fn async_types_are_refused_where_they_are_used() {
    let message = error(
        "future",
        "package a:b;\ninterface i {\n    f: func() -> future<u8>;\n}\nworld w { import i; }\n",
        "w",
    );
    assert_mentions(&message, &["main.wit:3:", "`future`", "not supported"]);

    let message = error(
        "stream",
        "package a:b;\ninterface i {\n    type s = stream<u8>;\n}\nworld w { import i; }\n",
        "w",
    );
    assert_mentions(&message, &["main.wit:3:", "`stream`"]);

    let message = error(
        "async",
        "package a:b;\ninterface i {\n    f: async func();\n}\nworld w { import i; }\n",
        "w",
    );
    assert_mentions(&message, &["main.wit:3:", "`f`", "async"]);
}

#[test]
fn names_the_generated_code_uses_are_refused() {
    let message = error(
        "reserved",
        "package a:b;\ninterface i {\n    resource host;\n}\nworld w { import i; }\n",
        "w",
    );
    assert_mentions(&message, &["main.wit:3:", "`Host`"]);

    let message = error(
        "reserved-result",
        "package a:b;\ninterface i {\n    record %result { x: u32 }\n}\nworld w { import i; }\n",
        "w",
    );
    assert_mentions(&message, &["main.wit:3:", "`Result`"]);
}

#[test]
fn two_functions_with_one_method_name_are_refused_naming_both() {
    let message = error(
        "methods",
        "package a:b;\ninterface i {\n    resource canvas {\n        draw: func();\n    }\n    \
         canvas-draw: func();\n}\nworld w { import i; }\n",
        "w",
    );
    assert_mentions(&message, &["main.wit:6:", "main.wit:4:", "`canvas_draw`"]);

    let message = error(
        "drop",
        "package a:b;\ninterface i {\n    resource r;\n    r-drop: func();\n}\nworld w { import i; }\n",
        "w",
    );
    assert_mentions(&message, &["main.wit:4:", "`r_drop`"]);
}

#[test]
fn two_imports_in_one_rust_module_are_refused() {
    let message = error(
        "modules",
        "package a:b;\ninterface i { f: func(); }\n\
         world w {\n    import i;\n    import a: interface { g: func(); }\n}\n",
        "w",
    );
    assert_mentions(&message, &["a:b/i", "`a`", "main.wit:"]);
}

#[test]
fn deeply_nested_types_are_refused_not_overflowing_the_stack() {
    let depth = 80;
    let ty = format!("{}u8{}", "list<".repeat(depth), ">".repeat(depth));
    let text = format!(
        "package a:b;\ninterface i {{\n    f: func(x: {ty});\n}}\nworld w {{ import i; }}\n"
    );
    let message = error("nested", &text, "w");
    assert_mentions(&message, &["nested deeper than 64"]);
}

#[test]
fn types_that_share_their_parts_are_looked_into_once() {
    // r0 { a: r1, b: r1 }, r1 { a: r2, b: r2 }, ...: 2^40 paths from r0 to r40, 41 types.
    let mut text = String::from("package a:b;\ninterface i {\n");
    for n in 0..40 {
        text.push_str(&format!(
            "  record r{n} {{ a: r{m}, b: r{m} }}\n",
            m = n + 1
        ));
    }
    text.push_str("  record r40 { x: f32 }\n  f: func(x: r0);\n}\nworld w { import i; }\n");
    let dir = package("shared-parts", &text);
    let code = wit::load(&dir, "w").and_then(|w| w.generate_file());
    std::fs::remove_dir_all(&dir).ok();
    // Floats deep inside make every record `PartialEq` without `Eq`.
    let code = code.unwrap();
    assert!(code.contains("pub struct R0"), "{code}");
    assert!(!code.contains("PartialEq, Eq"), "{code}");
}

#[test]
fn a_world_of_every_kind_generates_reproducibly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wit/kitchen-sink");
    let a = wit::load(&dir, "sink").unwrap().generate_file().unwrap();
    let b = wit::load(&dir, "example:sink/sink@1.2.0")
        .unwrap()
        .generate_file()
        .unwrap();
    assert_eq!(a, b);
    let summary = wit::load(&dir, "sink").unwrap().summary().unwrap();
    let instances: Vec<&str> = summary.iter().map(|i| i.instance.as_str()).collect();
    assert_eq!(
        instances,
        [
            "",
            "example:base/errors@0.1.0",
            "example:sink/shapes@1.2.0",
            "logging"
        ]
    );
    let shapes = &summary[2];
    assert_eq!(shapes.trait_path, "example::sink::shapes::Host");
    assert_eq!(shapes.resources, ["canvas"]);
    assert_eq!(
        shapes.drops,
        [(
            "[resource-drop]canvas".to_string(),
            "canvas_drop".to_string()
        )]
    );
    assert!(shapes.functions.contains(&(
        "[method]canvas.copy-from".to_string(),
        "canvas_copy_from".to_string()
    )));
}

#[test]
fn what_is_not_a_bounded_regular_file_is_not_read() {
    let dir = package("files", "package a:b;\nworld w {}\n");
    // A link to a device would be read until memory runs out.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/dev/zero", dir.join("zero.wit")).unwrap();
        let message = wit::load(&dir, "w").unwrap_err().to_string();
        assert_mentions(&message, &["zero.wit", "not a regular file"]);
        std::fs::remove_file(dir.join("zero.wit")).unwrap();
    }
    let deps = dir.join("deps");
    std::fs::create_dir_all(&deps).unwrap();
    let big = deps.join("big.wit");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(wit::MAX_FILE_BYTES + 1)
        .unwrap();
    let message = wit::load(&dir, "w").unwrap_err().to_string();
    assert_mentions(&message, &["big.wit", "more than the 16777216"]);
    std::fs::remove_file(&big).unwrap();
    // Other files beside are not WIT, and not read.
    std::fs::write(dir.join("notes.txt"), "not wit").unwrap();
    wit::load(&dir, "w").unwrap();
    std::fs::remove_dir_all(&dir).ok();
}
