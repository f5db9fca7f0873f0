//! The `wasi-stubs` binary on hostile input (issue 10): bad input to `audit`, `gen` and `spec` never
//! panics, aborts or produces broken output. Each test runs the built binary, as `cli.rs` does.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

mod common;
use common::*;

fn args<'a>(list: &[&'a str], path: &'a Path) -> Vec<&'a std::ffi::OsStr> {
    let mut all: Vec<&std::ffi::OsStr> = list.iter().map(|&a| a.as_ref()).collect();
    all.push(path.as_os_str());
    all
}

/// Exit 0, no panic, nothing on stderr.
fn assert_success(o: &Output) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
}

/// Exit 2 with one line on stderr, `error: ` and then `starts`, with each of `words`; no panic,
/// nothing on stdout.
fn assert_refused(o: &Output, starts: &str, words: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with(&format!("error: {starts}")),
        "starts with {starts}: {err}"
    );
    for w in words {
        assert!(err.contains(w), "has `{w}`: {err}");
    }
    assert!(
        !err.contains("panicked") && !err.contains("overflow"),
        "{err}"
    );
    assert!(o.stdout.is_empty(), "{}", stdout(o));
}

/// Every line of `text` is of a sane length.
fn assert_short_lines(text: &str) {
    for line in text.lines() {
        assert!(line.chars().count() < 400, "a line of {} chars", line.len());
    }
}

// Item 1: names longer than `format!` takes as a width.

#[test]
fn audit_of_an_import_name_of_65536_bytes_prints_a_sane_table() {
    let dir = tempfile::tempdir().unwrap();
    let long = "n".repeat(65_536);
    let wasm = wat::parse_str(format!(
        r#"(module
             (import "{long}" "f" (func))
             (import "wasi_snapshot_preview1" "{long}" (func))
             (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))))"#
    ))
    .unwrap();
    let guest = write_in(dir.path(), "long.wasm", &wasm);
    let o = run(args(&["audit"], &guest));
    assert_success(&o);
    let table = stdout(&o);
    assert_short_lines(&table);
    assert!(table.contains("nnnnnnnnnn…nnnnnnnnnn"), "{table}");
    assert!(
        table.contains("unknown: not a function of wasi_snapshot_preview1"),
        "{table}"
    );
    assert!(table.ends_with("3 imports, 3 distinct: 1 overridden, 0 default, 1 unknown, 0 wrong signature, 1 other module\n"), "{table}");
    // The columns line up.
    let lines: Vec<&str> = table.lines().collect();
    let at = |l: &str| l.chars().position(|c| c == '(');
    assert_eq!(at(lines[4]), at(lines[5]), "{table}");
    assert_eq!(at(lines[5]), at(lines[6]), "{table}");

    // JSON keeps the names whole.
    let o = run(args(&["audit", "--json"], &guest));
    assert_success(&o);
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["imports"][0]["module"], long.as_str());
    assert_eq!(report["imports"][1]["name"], long.as_str());

    // The lines of `--deny` too are short.
    let o = run(args(&["audit", "--deny", "unknown"], &guest));
    assert_eq!(o.status.code(), Some(1));
    assert_short_lines(&stderr(&o));
}

#[test]
fn spec_of_a_function_name_of_65536_bytes_prints_a_sane_table() {
    let dir = tempfile::tempdir().unwrap();
    let long = "f".repeat(65_536);
    let witx = write_in(
        dir.path(),
        "long.witx",
        format!(
            "(module $m\n  (@interface func (export \"{long}\"))\n  (@interface func (export \"g\") (param $x u32)))\n"
        ),
    );
    let o = run(args(&["spec", "--witx"], &witx));
    assert_success(&o);
    let text = stdout(&o);
    assert_short_lines(&text);
    assert!(text.starts_with("m: 2 functions\n  ffffffffff"), "{text}");
    assert!(text.contains("ffff…ffff"), "{text}");
    assert!(text.contains("ffff  () -> ()\n  g  "), "{text}");
    let o = run(args(&["spec", "--json", "--witx"], &witx));
    assert_success(&o);
    let spec: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(spec["modules"][0]["functions"][0]["name"], long.as_str());
}

// Item 2: nesting the witx crate's parser would overflow the stack on.

#[test]
fn gen_and_spec_refuse_a_list_nested_2000_deep_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let witx = write_in(
        dir.path(),
        "deep.witx",
        format!(
            "(typename $t\n{}u8{})\n",
            "(list ".repeat(2000),
            ")".repeat(2000)
        ),
    );
    for command in [&["gen", "--witx"][..], &["spec", "--witx"]] {
        let o = run(args(command, &witx));
        // The 50th `(list` on line 2 is the 51st parenthesis.
        assert_refused(
            &o,
            &format!("{}:2:295: ", witx.display()),
            &["parentheses nested deeper than 50"],
        );
    }
}

#[test]
fn gen_refuses_nesting_in_a_used_file() {
    let dir = tempfile::tempdir().unwrap();
    let deep = write_in(
        dir.path(),
        "deep.witx",
        format!(
            "(typename $t {}u8{})\n",
            "(list ".repeat(2000),
            ")".repeat(2000)
        ),
    );
    let root = write_in(dir.path(), "root.witx", "(use \"deep.witx\")\n");
    let o = run(args(&["gen", "--witx"], &root));
    assert_refused(
        &o,
        &format!("{}:1:", deep.display()),
        &["nested deeper than 50"],
    );
}

// Item 3: files read without end.

#[test]
fn gen_and_spec_refuse_a_use_of_dev_zero() {
    let dir = tempfile::tempdir().unwrap();
    let witx = write_in(dir.path(), "zero.witx", "(use \"/dev/zero\")\n");
    for command in [&["gen", "--witx"][..], &["spec", "--witx"]] {
        let o = run(args(command, &witx));
        assert_refused(
            &o,
            "/dev/zero: larger than 16 MiB, the most a witx file may have",
            &[&format!("(used at {}:1:6)", witx.display())],
        );
    }
    let o = run(["spec", "--witx", "/dev/zero"]);
    assert_refused(&o, "/dev/zero: larger than 16 MiB", &[]);
}

#[test]
fn gen_of_a_path_that_names_no_file_is_an_error_not_a_panic() {
    let o = run(["gen", "--witx", "/"]);
    assert_refused(&o, "/: not a witx file: the path names no file", &[]);
}

#[test]
fn gen_check_against_an_endless_file_ends_with_a_short_message() {
    let dir = tempfile::tempdir().unwrap();
    let witx = write_in(
        dir.path(),
        "small.witx",
        "(module $m (@interface func (export \"f\")))\n",
    );
    let mut all = args(&["gen", "--witx"], &witx);
    all.extend(["--check", "/dev/zero"].map(std::ffi::OsStr::new));
    let o = run(all);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: /dev/zero is not what the witx document generates: line 1 is "),
        "{err}"
    );
    assert_short_lines(&err);
}

// Item 4: documents the generated Rust would not compile for.

#[test]
fn gen_refuses_an_enum_of_300_cases_under_a_u8_tag() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<String> = (0..300).map(|i| format!("$c{i}")).collect();
    let witx = write_in(
        dir.path(),
        "enum.witx",
        format!(
            ";; 300 cases\n(typename $big\n  (enum (@witx tag u8) {}))\n",
            cases.join(" ")
        ),
    );
    let o = run(args(&["gen", "--witx"], &witx));
    assert_refused(
        &o,
        &format!("{}:2:11: ", witx.display()),
        &["enum `big` has 300 cases, more than its tag type `u8` holds (256)"],
    );
}

#[test]
fn gen_refuses_typenames_that_become_the_same_rust_type_at_the_second() {
    let dir = tempfile::tempdir().unwrap();
    let witx = write_in(
        dir.path(),
        "names.witx",
        "(typename $foo_bar u32)\n(typename $other u8)\n(typename $FooBar u64)\n",
    );
    let o = run(args(&["gen", "--witx"], &witx));
    assert_refused(
        &o,
        &format!("{}:3:11: ", witx.display()),
        &[
            "typename `FooBar` becomes the Rust name `FooBar`, as does typename `foo_bar`",
            &format!("(at {}:1:11)", witx.display()),
        ],
    );
}

#[test]
fn gen_refuses_cases_fields_flags_functions_and_parameters_that_collide() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "(typename $e (enum (@witx tag u8) $foo_bar $FooBar))\n",
            "1:44",
            "case `FooBar` of `e` becomes the Rust name `FooBar`",
        ),
        (
            "(typename $r (record (field $a_b u8) (field $aB u8)))\n",
            "1:45",
            "field `aB` of `r` becomes the Rust name `a_b`",
        ),
        (
            "(typename $f (flags (@witx repr u8) $a_b $aB))\n",
            "1:42",
            "flag `aB` of `f` becomes the Rust name `A_B`",
        ),
        (
            "(module $m (@interface func (export \"a_b\")) (@interface func (export \"aB\")))\n",
            "1:70",
            "function `aB` becomes the Rust name `a_b`",
        ),
        (
            "(module $m (@interface func (export \"f\") (param $a_b u32) (param $aB u32)))\n",
            "1:66",
            "parameter `aB` of `f` becomes the Rust name `a_b`",
        ),
        (
            "(typename $send u32)\n",
            "1:11",
            "typename `send` becomes the Rust name `Send`, which the generated code uses",
        ),
    ];
    for (i, (text, place, words)) in cases.iter().enumerate() {
        let witx = write_in(dir.path(), &format!("c{i}.witx"), text);
        let o = run(args(&["gen", "--witx"], &witx));
        assert_refused(&o, &format!("{}:{place}: ", witx.display()), &[words]);
    }
}

// Item 5: `audit` reads WebAssembly text as `run` does, and no more than 512 MiB.

const TEXT_GUEST: &str = r#";; a guest in text
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
"#;

#[test]
fn audit_reads_webassembly_text_as_run_does() {
    let dir = tempfile::tempdir().unwrap();
    let text = write_in(dir.path(), "guest.wat", TEXT_GUEST);
    let binary = write_in(
        dir.path(),
        "guest.wasm",
        wat::parse_str(TEXT_GUEST).unwrap(),
    );
    let o = run(args(&["audit", "--host", "minimal"], &text));
    assert_success(&o);
    let table = stdout(&o);
    assert!(
        table.starts_with(&format!(
            "guest: {} (command, exports memory)",
            text.display()
        )),
        "{table}"
    );
    assert!(table.contains("fd_write"), "{table}");
    let mut from_text: Value =
        serde_json::from_slice(&run(args(&["audit", "--json"], &text)).stdout).unwrap();
    let mut from_binary: Value =
        serde_json::from_slice(&run(args(&["audit", "--json"], &binary)).stdout).unwrap();
    from_text["file"] = Value::Null;
    from_binary["file"] = Value::Null;
    assert_eq!(from_text, from_binary);
}

#[test]
fn audit_of_webassembly_text_that_does_not_parse_names_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let text = write_in(dir.path(), "broken.wat", "(module\n  (func $f\n");
    let o = run(args(&["audit"], &text));
    assert_refused(&o, &format!("{}:3:1: expected `)`", text.display()), &[]);
}

#[test]
fn audit_of_dev_zero_is_refused_after_512_mib() {
    let o = run(["audit", "/dev/zero"]);
    assert_refused(
        &o,
        "/dev/zero: larger than 512 MiB, the most a guest may have",
        &[],
    );
}
