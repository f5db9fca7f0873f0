use wasi_stubs::OnNotImplemented;

use crate::*;

fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).expect("test WAT parses")
}

fn guest(wat: &str) -> Guest {
    Guest::parse(&wasm(wat)).expect("test module decodes")
}

fn host() -> Host {
    Host::new(OnNotImplemented::Nosys).with_overrides(["fd_write", "clock_time_get"])
}

const P1: &str = "wasi_snapshot_preview1";

/// Every status once, plus a repeated import.
const MIXED: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_nonsense" (func (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func (param i32 i32) (result i32)))
  (import "env" "host_log" (func (param i32 i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "clock_time_get" (func (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start"))
)"#;

#[test]
fn every_status() {
    let report = audit(&guest(MIXED), &Spec::builtin(), &host());
    let statuses: Vec<_> = report
        .entries
        .iter()
        .map(|e| (e.module.as_str(), e.name.as_str(), e.status.clone()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (P1, "fd_write", Status::Overridden),
            (
                P1,
                "path_open",
                Status::Default {
                    policy: "nosys".into()
                }
            ),
            (P1, "fd_nonsense", Status::Unknown),
            (
                P1,
                "fd_read",
                Status::WrongSignature {
                    expected: Spec::preview1()
                        .function("fd_read")
                        .unwrap()
                        .signature
                        .clone()
                }
            ),
            ("env", "host_log", Status::OtherModule),
            (P1, "fd_write", Status::Overridden),
            // An override answers the snapshot_0 import of the same name (the polyfill).
            ("wasi_unstable", "clock_time_get", Status::Overridden),
        ]
    );
    assert_eq!(report.kind, GuestKind::Command);
    assert!(report.exports_memory);
    assert_eq!(
        report.entries[3].ty.to_string(),
        "(i32, i32) -> (i32)",
        "the guest's own signature is reported"
    );
}

#[test]
fn repeated_imports_are_listed_each_time_and_counted_once() {
    let report = audit(&guest(MIXED), &Spec::builtin(), &host());
    assert_eq!(report.entries[5].duplicate_of, Some(0));
    assert!(report.entries[..5].iter().all(|e| e.duplicate_of.is_none()));
    assert_eq!(
        report.summary(),
        Summary {
            imports: 7,
            distinct: 6,
            duplicates: 1,
            overridden: 2,
            default: 1,
            unknown: 1,
            wrong_signature: 1,
            other_module: 1,
        }
    );
}

#[test]
fn same_name_with_another_type_is_not_a_repeat() {
    let g = guest(
        r#"(module
          (import "wasi_snapshot_preview1" "sched_yield" (func (result i32)))
          (import "wasi_snapshot_preview1" "sched_yield" (func (param i32) (result i32))))"#,
    );
    let report = audit(&g, &Spec::builtin(), &host());
    assert_eq!(report.entries[1].duplicate_of, None);
    assert!(matches!(
        report.entries[1].status,
        Status::WrongSignature { .. }
    ));
    assert_eq!(report.summary().distinct, 2);
}

#[test]
fn policies() {
    let report = audit(&guest(MIXED), &Spec::builtin(), &host());
    let names = |deny: &[Deny]| -> Vec<String> {
        report
            .violations(deny)
            .iter()
            .map(|e| e.name.clone())
            .collect()
    };
    assert_eq!(names(&[Deny::Unknown]), ["fd_nonsense", "fd_read"]);
    assert_eq!(
        names(&[Deny::Default]),
        ["path_open", "fd_nonsense", "fd_read"]
    );
    assert_eq!(
        names(&[Deny::Default, Deny::Unknown]),
        names(&[Deny::Default])
    );
    assert!(names(&[]).is_empty());
    assert_eq!("default".parse::<Deny>(), Ok(Deny::Default));
    assert_eq!("unknown".parse::<Deny>(), Ok(Deny::Unknown));
    assert!("nosys".parse::<Deny>().unwrap_err().contains("`nosys`"));
}

#[test]
fn per_function_policy() {
    let host = host().with_policy("path_open", OnNotImplemented::Trap);
    let report = audit(&guest(MIXED), &Spec::builtin(), &host);
    assert_eq!(
        report.entries[1].status,
        Status::Default {
            policy: "trap".into()
        }
    );
}

#[test]
fn reasons() {
    let report = audit(&guest(MIXED), &Spec::builtin(), &host());
    let reason = |i: usize| report.entries[i].reason();
    assert_eq!(reason(0), None, "overridden");
    assert_eq!(
        reason(1).as_deref(),
        Some("not implemented by the host (gets nosys)")
    );
    assert_eq!(
        reason(2).as_deref(),
        Some("not a function of wasi_snapshot_preview1")
    );
    assert_eq!(
        reason(3).as_deref(),
        Some("imported as (i32, i32) -> (i32), the host links (i32, i32, i32, i32) -> (i32)")
    );
    assert_eq!(reason(4), None, "other module");
}

#[test]
fn a_repeated_violation_is_reported_once() {
    let g = guest(
        r#"(module
          (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32))))"#,
    );
    let report = audit(&g, &Spec::builtin(), &Host::new(OnNotImplemented::Nosys));
    let v = report.violations(&[Deny::Default]);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].index, 0);
}

#[test]
fn non_function_imports() {
    let g = guest(
        r#"(module
          (import "wasi_snapshot_preview1" "memory" (memory 1))
          (import "wasi_snapshot_preview1" "fd_write" (global i32))
          (import "env" "table" (table 1 funcref))
          (import "env" "flag" (global (mut i64))))"#,
    );
    let report = audit(&g, &Spec::builtin(), &host());
    let got: Vec<_> = report
        .entries
        .iter()
        .map(|e| (e.ty.kind(), e.status.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("memory", "unknown"),
            ("global", "wrong_signature"),
            ("table", "other_module"),
            ("global", "other_module"),
        ]
    );
    assert_eq!(report.kind, GuestKind::Library);
    assert!(!report.exports_memory);
}

#[test]
fn kinds() {
    let kind = |exports: &str| guest(&format!("(module {exports})")).kind;
    assert_eq!(kind(r#"(func (export "_start"))"#), GuestKind::Command);
    assert_eq!(kind(r#"(func (export "_initialize"))"#), GuestKind::Reactor);
    assert_eq!(kind(r#"(func (export "run"))"#), GuestKind::Library);
    assert_eq!(
        kind(r#"(func (export "_start")) (func (export "_initialize"))"#),
        GuestKind::Both
    );
    // Only functions count, and only a memory counts as `memory`.
    assert_eq!(
        kind(r#"(global (export "_start") i32 (i32.const 0))"#),
        GuestKind::Library
    );
    assert!(!guest(r#"(module (func (export "memory")))"#).exports_memory);
    assert!(guest(r#"(module (memory (export "memory") 0))"#).exports_memory);
    assert!(!guest(r#"(module (memory (export "mem") 0))"#).exports_memory);
}

#[test]
fn json_fields() {
    let mut report = audit(&guest(MIXED), &Spec::builtin(), &host());
    report.file = Some("mixed.wasm".into());
    let json = report.to_json(&[Deny::Default]);
    assert_eq!(json["schema"], 1);
    assert_eq!(json["file"], "mixed.wasm");
    assert_eq!(json["kind"], "command");
    assert_eq!(json["exports_memory"], true);
    assert_eq!(
        json["modules"],
        serde_json::json!(["wasi_snapshot_preview1", "wasi_unstable"])
    );
    assert_eq!(
        json["host"],
        serde_json::json!({"overrides": ["clock_time_get", "fd_write"], "default_policy": "nosys"})
    );
    assert_eq!(
        json["imports"][0],
        serde_json::json!({
            "index": 0, "module": P1, "name": "fd_write", "type": "func",
            "signature": {"params": ["i32", "i32", "i32", "i32"], "results": ["i32"]},
            "status": "overridden", "policy": null, "expected": null, "duplicate_of": null,
        })
    );
    assert_eq!(json["imports"][1]["status"], "default");
    assert_eq!(json["imports"][1]["policy"], "nosys");
    assert_eq!(json["imports"][2]["status"], "unknown");
    assert_eq!(json["imports"][3]["status"], "wrong_signature");
    assert_eq!(
        json["imports"][3]["expected"],
        serde_json::json!({"params": ["i32", "i32", "i32", "i32"], "results": ["i32"]})
    );
    assert_eq!(json["imports"][4]["status"], "other_module");
    assert_eq!(json["imports"][5]["duplicate_of"], 0);
    assert_eq!(
        json["summary"],
        serde_json::json!({
            "imports": 7, "distinct": 6, "duplicates": 1, "overridden": 2, "default": 1,
            "unknown": 1, "wrong_signature": 1, "other_module": 1,
        })
    );
    assert_eq!(json["deny"], serde_json::json!(["default"]));
    assert_eq!(json["violations"], serde_json::json!([1, 2, 3]));
    // The string form is the same document.
    let text: serde_json::Value =
        serde_json::from_str(&report.to_json_string(&[Deny::Default])).unwrap();
    assert_eq!(text, json);
}

#[test]
fn table() {
    let mut report = audit(&guest(MIXED), &Spec::builtin(), &host());
    report.file = Some("mixed.wasm".into());
    let table = report.to_table();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "guest: mixed.wasm (command, exports memory)");
    assert_eq!(
        lines[1],
        "host: 2 functions overridden, default policy `nosys`"
    );
    assert!(lines[3].starts_with("#  module "), "{table}");
    let row = |name: &str| {
        *lines
            .iter()
            .find(|l| l.contains(&format!(" {name} ")))
            .unwrap()
    };
    assert!(row("path_open").ends_with("default (nosys)"), "{table}");
    assert!(
        row("fd_nonsense").ends_with("unknown: not a function of wasi_snapshot_preview1"),
        "{table}"
    );
    assert!(
        row("fd_read").ends_with("wrong signature: expected (i32, i32, i32, i32) -> (i32)"),
        "{table}"
    );
    assert!(row("host_log").ends_with("other module"), "{table}");
    assert!(table.contains("overridden (repeats #0)"), "{table}");
    assert!(table.ends_with(
        "7 imports, 6 distinct: 2 overridden, 1 default, 1 unknown, 1 wrong signature, 1 other module\n"
    ));
    // Columns line up: every row has its signature at the same column as the header.
    let col = lines[3].find("signature").unwrap();
    assert_eq!(&row("fd_read")[col..col + 10], "(i32, i32)");
}

#[test]
fn a_host_from_its_coverage() {
    struct Covered;
    impl wasi_stubs::Coverage<dyn wasi_stubs::preview1::WasiSnapshotPreview1> for Covered {
        const OVERRIDES: &'static [&'static str] = &["fd_write", "proc_exit"];
    }
    let host = Host::of::<Covered, dyn wasi_stubs::preview1::WasiSnapshotPreview1>(
        OnNotImplemented::Errno("badf"),
    );
    assert_eq!(
        host.overrides().collect::<Vec<_>>(),
        ["fd_write", "proc_exit"]
    );
    assert_eq!(host.default_policy(), "badf");
}

fn parse_err(bytes: &[u8]) -> Error {
    Guest::parse(bytes).expect_err("bad input is an error")
}

#[test]
fn empty_input() {
    let e = parse_err(b"");
    assert!(matches!(e.kind(), ErrorKind::Empty));
    assert_eq!(
        e.to_string(),
        "empty file, not a WebAssembly module (at offset 0x0)"
    );
}

#[test]
fn not_wasm() {
    for bytes in [
        &b"\x7fELF\x02\x01\x01\x00"[..],
        b"hello world",
        b"\0b",
        b"(module)",
    ] {
        let e = parse_err(bytes);
        assert!(matches!(e.kind(), ErrorKind::NotWasm), "{bytes:?}: {e}");
        assert_eq!(e.offset(), Some(0));
    }
}

#[test]
fn component() {
    let e = parse_err(b"\0asm\x0d\x00\x01\x00");
    assert!(matches!(e.kind(), ErrorKind::Component), "{e}");
    assert_eq!(e.offset(), Some(4));
    assert!(e.to_string().contains("component, not a core module"));
}

#[test]
fn unsupported_version() {
    let e = parse_err(b"\0asm\x02\x00\x00\x00");
    assert!(matches!(e.kind(), ErrorKind::UnsupportedVersion(2)), "{e}");
}

#[test]
fn truncated_anywhere() {
    let bytes = wasm(MIXED);
    // Where a section ends, a prefix can be a valid module by itself (the header alone is the
    // empty module): the format has no length field to tell it was cut there.
    let ends: Vec<usize> = wasmparser::Parser::new(0)
        .parse_all(&bytes)
        .filter_map(|p| p.unwrap().as_section().map(|(_, range)| range.end))
        .collect();
    for len in 1..bytes.len() {
        match Guest::parse(&bytes[..len]) {
            Ok(_) => assert!(len == 8 || ends.contains(&len), "{len}"),
            Err(e) => {
                assert!(
                    matches!(e.kind(), ErrorKind::Truncated(_) | ErrorKind::Invalid(_)),
                    "{len}: {e}"
                );
                assert!(e.offset().is_some_and(|o| o <= len), "{len}: {e}");
            }
        }
    }
    let e = parse_err(&bytes[..bytes.len() - 3]);
    assert!(matches!(e.kind(), ErrorKind::Truncated(_)), "{e}");
    assert!(e.to_string().starts_with("truncated module: "), "{e}");
    let e = parse_err(b"\0as");
    assert!(matches!(e.kind(), ErrorKind::Truncated(_)), "{e}");
    assert_eq!(e.offset(), Some(3));
}

#[test]
fn garbage_after_the_header() {
    let mut bytes = b"\0asm\x01\x00\x00\x00".to_vec();
    // Section id 0x42 does not exist.
    bytes.extend_from_slice(&[0x42, 0x01, 0x00]);
    let e = parse_err(&bytes);
    assert!(matches!(e.kind(), ErrorKind::Malformed(_)), "{e}");
    assert_eq!(
        e.to_string(),
        "malformed module: malformed section id: 66 (at offset 0xa)"
    );
}

#[test]
fn invalid_module() {
    // Decodes, but the function returns an i64 where its type says i32.
    let bytes = wasm(r#"(module (func (result i32) i64.const 0))"#);
    let e = parse_err(&bytes);
    assert!(matches!(e.kind(), ErrorKind::Invalid(_)), "{e}");
    assert!(
        e.to_string().starts_with("invalid module: type mismatch"),
        "{e}"
    );
}

#[test]
fn no_panic_on_flipped_bytes() {
    let bytes = wasm(MIXED);
    for i in 8..bytes.len() {
        for flip in [0x01, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[i] ^= flip;
            let _ = Guest::parse(&b);
        }
    }
}

#[test]
fn errors_name_the_file() {
    let dir = std::env::temp_dir().join(format!("wasi-stubs-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("empty.wasm");
    std::fs::write(&path, b"").unwrap();
    let e = audit_file(&path, &Spec::builtin(), &host()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: empty file, not a WebAssembly module (at offset 0x0)",
            path.display()
        )
    );
    assert_eq!(e.file(), Some(path.as_path()));
    let missing = dir.join("missing.wasm");
    let e = audit_file(&missing, &Spec::builtin(), &host()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Io(_)));
    assert!(
        e.to_string()
            .starts_with(&format!("{}: ", missing.display()))
    );
    let good = dir.join("good.wasm");
    std::fs::write(&good, wasm(MIXED)).unwrap();
    let report = audit_file(&good, &Spec::builtin(), &host()).unwrap();
    assert_eq!(report.file.as_deref(), Some(good.as_path()));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn leb(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A module importing `n` distinct functions `() -> ()`, from preview1, preview0 and `env` in
/// turn, written byte by byte (the text would take longer to parse than the audit).
fn many_imports(n: usize) -> Vec<u8> {
    let mut imports = Vec::new();
    leb(n, &mut imports);
    for i in 0..n {
        let module = ["wasi_snapshot_preview1", "wasi_unstable", "env"][i % 3];
        let name = format!("f{i}");
        for s in [module, name.as_str()] {
            leb(s.len(), &mut imports);
            imports.extend_from_slice(s.as_bytes());
        }
        imports.extend_from_slice(&[0x00, 0x00]); // a function of type 0
    }
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00]); // type 0: () -> ()
    wasm.push(0x02);
    leb(imports.len(), &mut wasm);
    wasm.extend_from_slice(&imports);
    wasm
}

/// Reads, audits and writes out (table and JSON) a guest of `n` distinct imports; how long that
/// took.
fn time_audit(n: usize) -> std::time::Duration {
    let wasm = many_imports(n);
    let start = std::time::Instant::now();
    let guest = Guest::parse(&wasm).unwrap();
    let report = audit(&guest, &Spec::builtin(), &host());
    let summary = report.summary();
    let violations = report.violations(&[Deny::Default]).len();
    let table = report.to_table();
    let json = report.to_json_string(&[Deny::Default]);
    let elapsed = start.elapsed();
    // Every third import is from `env`, the others are unknown functions of WASI modules.
    assert_eq!(summary.distinct, n);
    assert_eq!(summary.other_module, n / 3);
    assert_eq!(summary.unknown, n - n / 3);
    assert_eq!(violations, n - n / 3);
    assert_eq!(table.lines().count(), n + 6);
    assert!(json.len() > n * 100);
    elapsed
}

/// Nothing in the audit is quadratic in the imports: ten times the imports take about ten times
/// as long (a quadratic step would take a hundred times), and 100,001 distinct ones are read,
/// joined, counted and written out as a table and JSON in well under a second in a release
/// build (about 2 s in a debug build, where this test runs).
#[test]
fn a_hundred_thousand_imports_are_audited_in_linear_time() {
    let small = time_audit(10_000);
    let large = time_audit(100_001);
    eprintln!("10,000 imports: {small:?}; 100,001 imports: {large:?}");
    assert!(
        large < small * 30,
        "{small:?} for 10,000, {large:?} for 100,001"
    );
    assert!(large < std::time::Duration::from_secs(20), "{large:?}");
}

/// An import name of 65,536 bytes (more than `format!` takes as a width) makes a table: the name
/// shortened with `…`, the columns lined up; the JSON keeps the name whole.
#[test]
fn a_name_longer_than_a_format_width_is_shortened_in_the_table() {
    let long = "a".repeat(65_536);
    let guest = guest(&format!(
        r#"(module (import "{long}" "{long}" (func)) (import "wasi_snapshot_preview1" "{long}" (func)))"#
    ));
    let report = audit(&guest, &Spec::builtin(), &host());
    let table = report.to_table();
    let lines: Vec<&str> = table.lines().collect();
    assert!(table.len() < 1_000, "{table}");
    let shown = display_name(&long);
    assert_eq!(shown.chars().count(), MAX_NAME_CHARS);
    assert!(shown.starts_with("aaa") && shown.ends_with("aaa") && shown.contains('…'));
    assert!(
        lines[4].contains(&format!("{shown}  {shown}  () -> ()")),
        "{table}"
    );
    // The signatures line up.
    assert_eq!(
        lines[4].chars().position(|c| c == '('),
        lines[5].chars().position(|c| c == '('),
        "{table}"
    );
    let json = report.to_json(&[]);
    assert_eq!(json["imports"][0]["name"], long.as_str());
    assert_eq!(json["imports"][1]["name"], long.as_str());
}

/// A name with control characters (a newline, an escape sequence) cannot break the table's
/// lines or reach the terminal: they are shown escaped.
#[test]
fn control_characters_in_names_are_escaped_in_the_table() {
    let guest = guest(r#"(module (import "env\n" "x\1b[2Jy" (func)))"#);
    let table = audit(&guest, &Spec::builtin(), &host()).to_table();
    assert_eq!(table.lines().count(), 7, "{table}");
    assert!(
        table.contains("0  env\\n   x\\u{1b}[2Jy  () -> ()   other module\n"),
        "{table}"
    );
    assert!(!table.contains('\x1b'));
}

/// A guest file is read no further than `MAX_GUEST_BYTES`: `/dev/zero` is refused, naming the
/// file, instead of being read until memory runs out.
#[test]
fn a_device_is_read_no_further_than_the_limit() {
    let e = Guest::read("/dev/zero").unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::TooLarge), "{e}");
    assert_eq!(
        e.to_string(),
        "/dev/zero: larger than 512 MiB, the most a guest may have"
    );
}
