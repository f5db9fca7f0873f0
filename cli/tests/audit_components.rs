//! `wasi-stubs audit` on components: the Go `GOOS=wasip1` command made a component with
//! wasmtime 48's preview1 command adapter, and components in WebAssembly text importing an
//! interface the host does not serve and functions of the wrong type.

mod common;

use std::path::{Path, PathBuf};

use common::{fixture, json, run, stderr, stdout, write_in};
use serde_json::Value;
use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
};

/// The wasip1 fixture `name` made a component with the preview1 command adapter, written to
/// `dir`.
fn adapted(dir: &Path, name: &str) -> PathBuf {
    let module = std::fs::read(fixture(name)).unwrap();
    let component = wit_component::ComponentEncoder::default()
        .module(&module)
        .unwrap()
        .adapter(
            WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
            WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
        )
        .unwrap()
        .validate(true)
        .encode()
        .unwrap();
    write_in(dir, &format!("{name}.component.wasm"), component)
}

fn go_component(dir: &Path) -> PathBuf {
    adapted(dir, "go-hello.wasm")
}

/// A component importing: `wasi:cli/stdout` with `get-stdout` of the wrong type,
/// `wasi:clocks/monotonic-clock` with `now` of the wrong type and `resolution` right,
/// `wasi:cli/environment` with `get-arguments` and a function it does not have, an interface
/// of another package, and `wasi:random/random` at a version no host serves.
const ODD: &str = r#"(component
  (import "wasi:cli/stdout@0.2.0" (instance
    (export "get-stdout" (func (result u32)))))
  (import "wasi:clocks/monotonic-clock@0.2.3" (instance
    (export "now" (func (result u32)))
    (export "resolution" (func (result u64)))))
  (import "wasi:cli/environment@0.2.6" (instance
    (export "get-arguments" (func (result (list string))))
    (export "no-such-function" (func))))
  (import "example:thing/gadget@1.0.0" (instance
    (export "spin" (func))))
  (import "wasi:random/random@0.3.0" (instance
    (export "get-random-u64" (func (result u64)))))
)"#;

fn odd_component(dir: &Path) -> PathBuf {
    write_in(dir, "odd.wasm", wat::parse_str(ODD).unwrap())
}

/// The statuses of the functions of `import` in a JSON report, as `name=status[(answer)]`.
fn statuses(report: &Value, import: &str) -> Vec<String> {
    let imports = report["imports"].as_array().unwrap();
    let found: Vec<&Value> = imports.iter().filter(|i| i["name"] == import).collect();
    assert_eq!(found.len(), 1, "{import} once in {report:#}");
    found[0]["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let (name, status) = (f["name"].as_str().unwrap(), f["status"].as_str().unwrap());
            match f["answer"].as_str() {
                Some(answer) => format!("{name}={status}({answer})"),
                None => format!("{name}={status}"),
            }
        })
        .collect()
}

/// The status column of the table line of `function` under `interface`.
fn table_status(table: &str, interface: &str, function: &str) -> String {
    let mut lines = table
        .lines()
        .skip_while(|l| !l.starts_with(&format!("{interface}  (")));
    assert!(lines.next().is_some(), "{interface} in {table}");
    lines
        .take_while(|l| l.starts_with("  "))
        .find_map(|l| {
            let rest = l.trim_start().strip_prefix(function)?;
            rest.starts_with("  ").then(|| rest.trim().to_string())
        })
        .unwrap_or_else(|| panic!("{interface} {function} in {table}"))
}

fn audit(args: &[&std::ffi::OsStr]) -> std::process::Output {
    let mut all: Vec<&std::ffi::OsStr> = vec!["audit".as_ref()];
    all.extend_from_slice(args);
    run(all)
}

#[test]
fn go_component_table_lists_each_interface_once_with_status_and_versions() {
    let dir = tempfile::tempdir().unwrap();
    let go = go_component(dir.path());
    let o = audit(&[go.as_os_str()]);
    let table = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{table}{}", stderr(&o));
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
    assert_eq!(
        table.lines().next().unwrap(),
        format!("{}: a component", go.display())
    );
    // The adapter imports WASI 0.2.12 interfaces; the host serves 0.2.12.
    assert!(
        table.contains("wasi:cli/stdout@0.2.12  (served as wasi:cli/stdout@0.2.12)\n"),
        "{table}"
    );
    let interfaces: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with("wasi:"))
        .map(|l| l.split_once("  ").unwrap().0)
        .collect();
    let mut distinct = interfaces.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        interfaces.len(),
        "each interface once: {table}"
    );
    assert!(interfaces.len() >= 15, "{table}");
    for (interface, function, status) in [
        ("wasi:cli/stdout@0.2.12", "get-stdout", "overridden"),
        (
            "wasi:io/streams@0.2.12",
            "[method]output-stream.blocking-write-and-flush",
            "overridden",
        ),
        ("wasi:clocks/wall-clock@0.2.12", "now", "overridden"),
        (
            "wasi:filesystem/types@0.2.12",
            "[method]descriptor.stat",
            "default (error-code.unsupported)",
        ),
        (
            "wasi:cli/terminal-stdout@0.2.12",
            "get-terminal-stdout",
            "default (none)",
        ),
        (
            "wasi:filesystem/preopens@0.2.12",
            "get-directories",
            "default (empty)",
        ),
    ] {
        assert_eq!(table_status(&table, interface, function), status);
    }
    let summary = table.lines().last().unwrap();
    assert!(summary.ends_with(" 0 unknown, 0 wrong type"), "{summary}");
    assert!(summary.contains(" overridden, 11 default,"), "{summary}");
}

#[test]
fn go_component_json_has_each_interface_once_and_the_status_per_function() {
    let dir = tempfile::tempdir().unwrap();
    let go = go_component(dir.path());
    let o = audit(&[go.as_os_str(), "--json".as_ref()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    assert_eq!(report["schema"], 2);
    assert_eq!(report["kind"], "component");
    assert_eq!(report["file"], go.display().to_string());
    let imports = report["imports"].as_array().unwrap();
    let mut names: Vec<&str> = imports
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count, "each interface once");
    assert_eq!(report["summary"]["interfaces"], count);
    for import in imports {
        assert_eq!(import["version"], "0.2.12");
        assert_eq!(import["served_as"], import["name"]);
    }
    assert_eq!(
        statuses(&report, "wasi:cli/stdout@0.2.12"),
        ["get-stdout=overridden"]
    );
    assert_eq!(
        statuses(&report, "wasi:filesystem/preopens@0.2.12"),
        ["get-directories=default(empty)"]
    );
    assert!(
        statuses(&report, "wasi:filesystem/types@0.2.12")
            .contains(&"[method]descriptor.stat=default(error-code.unsupported)".to_string())
    );
    let functions: usize = imports
        .iter()
        .map(|i| i["functions"].as_array().unwrap().len())
        .sum();
    let summary = &report["summary"];
    assert_eq!(summary["functions"], functions);
    assert_eq!(summary["default"], 11);
    assert_eq!(summary["unknown"], 0);
    assert_eq!(summary["wrong_type"], 0);
    assert_eq!(
        summary["overridden"].as_u64().unwrap() + 11,
        functions as u64
    );
    assert_eq!(report["deny"], serde_json::json!([]));
    assert_eq!(report["violations"], serde_json::json!([]));
}

#[test]
fn deny_default_fails_on_the_go_component_listing_why() {
    let dir = tempfile::tempdir().unwrap();
    let go = go_component(dir.path());
    let o = audit(&[go.as_os_str(), "--deny".as_ref(), "default".as_ref()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with(&format!(
            "error: {}: 11 imported functions break --deny default\n",
            go.display()
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 12, "{err}");
    assert!(
        err.contains(
            "\n  wasi:filesystem/types@0.2.12#[method]descriptor.stat: not implemented by the \
             host (gets error-code.unsupported)\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("\n  wasi:filesystem/preopens@0.2.12#get-directories: not implemented by the host (gets empty)\n"),
        "{err}"
    );

    let o = audit(&[go.as_os_str(), "--deny=default".as_ref(), "--json".as_ref()]);
    assert_eq!(o.status.code(), Some(1));
    let report = json(&o);
    assert_eq!(report["deny"], serde_json::json!(["default"]));
    let violations = report["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 11);
    assert!(violations.contains(&serde_json::json!({
        "import": "wasi:filesystem/preopens@0.2.12",
        "function": "get-directories",
    })));

    // Nothing the Go component imports is unknown or of the wrong type.
    let o = audit(&[go.as_os_str(), "--deny".as_ref(), "unknown".as_ref()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn host_and_policy_change_the_answers() {
    let dir = tempfile::tempdir().unwrap();
    let go = go_component(dir.path());
    // A host that overrides nothing: get-stdout returns a resource, so it traps.
    let o = audit(&[go.as_os_str(), "--host".as_ref(), "none".as_ref()]);
    let table = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        table_status(&table, "wasi:cli/stdout@0.2.12", "get-stdout"),
        "default (trap)"
    );
    assert!(
        table.lines().last().unwrap().contains(": 0 overridden,"),
        "{table}"
    );
    let o = audit(&[go.as_os_str(), "--default-policy".as_ref(), "trap".as_ref()]);
    let table = stdout(&o);
    assert_eq!(
        table_status(
            &table,
            "wasi:filesystem/types@0.2.12",
            "[method]descriptor.stat"
        ),
        "default (trap)"
    );
    assert_eq!(
        table_status(&table, "wasi:cli/stdout@0.2.12", "get-stdout"),
        "overridden"
    );
}

#[test]
fn rust_command_made_a_component_audits() {
    let dir = tempfile::tempdir().unwrap();
    let rust = adapted(dir.path(), "rust-hello.wasm");
    let o = audit(&[rust.as_os_str(), "--deny".as_ref(), "unknown".as_ref()]);
    let table = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{table}{}", stderr(&o));
    assert_eq!(
        table_status(&table, "wasi:cli/environment@0.2.12", "get-arguments"),
        "overridden"
    );
}

#[test]
fn unknown_interfaces_functions_versions_and_wrong_types() {
    let dir = tempfile::tempdir().unwrap();
    let odd = odd_component(dir.path());
    let o = audit(&[odd.as_os_str(), "--json".as_ref()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    assert_eq!(
        statuses(&report, "wasi:cli/stdout@0.2.0"),
        ["get-stdout=wrong_type"]
    );
    assert_eq!(
        statuses(&report, "wasi:clocks/monotonic-clock@0.2.3"),
        ["now=wrong_type", "resolution=overridden"]
    );
    assert_eq!(
        statuses(&report, "wasi:cli/environment@0.2.6"),
        ["get-arguments=overridden", "no-such-function=unknown"]
    );
    assert_eq!(
        statuses(&report, "example:thing/gadget@1.0.0"),
        ["spin=unknown"]
    );
    assert_eq!(
        statuses(&report, "wasi:random/random@0.3.0"),
        ["get-random-u64=unknown"]
    );
    let imports = report["imports"].as_array().unwrap();
    assert_eq!(imports[0]["version"], "0.2.0");
    assert_eq!(imports[0]["served_as"], "wasi:cli/stdout@0.2.12");
    assert_eq!(imports[3]["served_as"], Value::Null);
    assert_eq!(imports[4]["served_as"], Value::Null);
    assert_eq!(
        imports[1]["functions"][0]["reason"],
        "type mismatch with results: expected `u64` found `u32`"
    );

    let o = audit(&[odd.as_os_str()]);
    let table = stdout(&o);
    assert!(
        table.contains("\nwasi:cli/stdout@0.2.0  (served as wasi:cli/stdout@0.2.12)\n"),
        "{table}"
    );
    assert!(
        table.contains("\nexample:thing/gadget@1.0.0  (not served)\n"),
        "{table}"
    );
    assert_eq!(
        table_status(&table, "wasi:cli/stdout@0.2.0", "get-stdout"),
        "wrong type"
    );
    assert_eq!(
        table.lines().last().unwrap(),
        "5 interfaces, 7 functions: 2 overridden, 0 default, 3 unknown, 2 wrong type"
    );

    let o = audit(&[odd.as_os_str(), "--deny".as_ref(), "unknown".as_ref()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let expected = format!(
        "error: {}: 5 imported functions break --deny unknown\n\
         \x20 wasi:cli/stdout@0.2.0#get-stdout: the wrong type: type mismatch with results: expected `own` or `borrow`, found `u32`\n\
         \x20 wasi:clocks/monotonic-clock@0.2.3#now: the wrong type: type mismatch with results: expected `u64` found `u32`\n\
         \x20 wasi:cli/environment@0.2.6#no-such-function: not a function of wasi:cli/environment@0.2.12\n\
         \x20 example:thing/gadget@1.0.0#spin: not an interface the host serves\n\
         \x20 wasi:random/random@0.3.0#get-random-u64: not an interface the host serves\n",
        odd.display()
    );
    assert_eq!(err, expected);
}

#[test]
fn options_for_modules_only_are_refused_for_a_component() {
    let dir = tempfile::tempdir().unwrap();
    let odd = odd_component(dir.path());
    for (args, words) in [
        (&["--override", "fd_write"][..], "a component: --override"),
        (
            &["--default-policy", "log"][..],
            "a component: --default-policy log",
        ),
    ] {
        let mut all: Vec<&std::ffi::OsStr> = vec![odd.as_os_str()];
        all.extend(args.iter().map(|a| std::ffi::OsStr::new(*a)));
        let o = audit(&all);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains(words) && err.contains(&odd.display().to_string()),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}
