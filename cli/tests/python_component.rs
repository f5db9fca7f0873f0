//! The componentize-py must-show: a `wasi:cli/command` component written in Python and built by
//! componentize-py from PyPI (`tests/guests/python-component`), run and audited by the binary on
//! the minimal host.
//!
//! The component is about 18 MB (CPython inside) and is not committed: `bash
//! tests/guests/python-component/build.sh` builds it into target/guests/ (CI runs it). Without
//! it, each test says so and passes. The first run compiles it (about a minute on 2 cores); the
//! runs after it load it from wasmtime's cache.

mod common;

use std::path::PathBuf;

use common::{json, root, run, run_guest, stderr, stdout};
use serde_json::Value;

/// The built component, or `None` (with the message) when it was not built.
fn guest() -> Option<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let path = target.join("guests/python-component.wasm");
    if path.exists() {
        return Some(path);
    }
    eprintln!(
        "skipped: the componentize-py guest is not built ({} is missing). Run `bash \
         tests/guests/python-component/build.sh` (it installs componentize-py from PyPI), then \
         this test runs.",
        path.display()
    );
    None
}

/// The realtime clock of the virtual clock in these tests: 2023-11-14T22:13:20.5Z.
const NOW: u64 = 1_700_000_000_500_000_000;

#[test]
fn python_component_prints_args_env_clocks_random_sleeps_and_exits_with_its_code() {
    let Some(guest) = guest() else { return };
    // 30 s of wall time for a guest that sleeps 10 s (compiling is not counted): the virtual
    // clock does not wait, and the guest sees the 10 s pass.
    let args = [
        "--timeout",
        "30",
        "--clock",
        &format!("virtual:{NOW}"),
        "--seed",
        "7",
        "--env",
        "GREETING=hej",
        "--arg",
        "one",
        "--",
        "two",
    ];
    let first = run_guest(&guest, args);
    assert_eq!(first.status.code(), Some(7), "{}", stderr(&first));
    let out = stdout(&first);
    let random = out
        .lines()
        .find_map(|l| l.strip_prefix("random: "))
        .unwrap_or_else(|| panic!("a random line: {out}"));
    assert!(
        random.len() == 16 && random.bytes().all(|b| b.is_ascii_hexdigit()),
        "{random}"
    );
    assert_eq!(
        out,
        format!(
            "hello from componentize-py\n\
             args: python-component.wasm one two\n\
             GREETING=hej\n\
             now: {NOW}\n\
             slept: 10 s\n\
             random: {random}\n"
        )
    );
    assert_eq!(stderr(&first), "to stderr\n");

    // The same options: the same bytes, and the same exit code.
    let second = run_guest(&guest, args);
    assert_eq!(second.status.code(), Some(7));
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(second.stderr, first.stderr);
    // Another seed: other random bytes.
    let mut other = args;
    other[5] = "8";
    let other = run_guest(&guest, other);
    assert_eq!(other.status.code(), Some(7));
    assert!(!stdout(&other).contains(random), "{}", stdout(&other));

    // Traced, the exit is the last WIT call, with its code.
    let traced = run_guest(&guest, ["--trace", "--clock", "virtual"]);
    assert_eq!(traced.status.code(), Some(7));
    let trace = stderr(&traced);
    assert_eq!(
        trace.lines().last(),
        Some("wasi:cli/exit#exit-with-code(status-code=7) -> exit(7)"),
        "{trace}"
    );
    assert!(
        trace.contains("\nwasi:cli/environment#get-arguments() -> [\"python-component.wasm\"]\n"),
        "{trace}"
    );
}

#[test]
fn audit_json_lists_each_interface_of_the_python_component_once_with_statuses() {
    let Some(guest) = guest() else { return };
    let o = run(["audit".as_ref(), guest.as_os_str(), "--json".as_ref()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json(&o);
    assert_eq!(report["schema"], 2);
    assert_eq!(report["kind"], "component");
    let imports = report["imports"].as_array().unwrap();
    let mut names: Vec<&str> = imports
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count, "each interface once: {names:?}");
    assert!(count >= 15, "{names:?}");
    let status = |import: &str, function: &str| -> (String, Option<String>) {
        let import = imports
            .iter()
            .find(|i| i["name"] == import)
            .unwrap_or_else(|| panic!("{import} in {names:?}"));
        let f = import["functions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == function)
            .unwrap_or_else(|| panic!("{function} in {import:#}"));
        (
            f["status"].as_str().unwrap().to_string(),
            f["answer"].as_str().map(str::to_string),
        )
    };
    let overridden = ("overridden".to_string(), None);
    // The unstable `exit-with-code` the guest exits through is served.
    assert_eq!(status("wasi:cli/exit@0.2.12", "exit-with-code"), overridden);
    assert_eq!(
        status("wasi:cli/environment@0.2.12", "get-arguments"),
        overridden
    );
    assert_eq!(
        status("wasi:clocks/monotonic-clock@0.2.12", "subscribe-duration"),
        overridden
    );
    assert_eq!(
        status("wasi:random/random@0.2.12", "get-random-bytes"),
        overridden
    );
    assert_eq!(
        status("wasi:filesystem/types@0.2.12", "[method]descriptor.read"),
        (
            "default".to_string(),
            Some("error-code.unsupported".to_string())
        )
    );
    assert_eq!(
        status("wasi:cli/terminal-stdout@0.2.12", "get-terminal-stdout"),
        ("default".to_string(), Some("none".to_string()))
    );
    // Every function has a status, and none is unknown or of the wrong type.
    for import in imports {
        for f in import["functions"].as_array().unwrap() {
            let s = f["status"].as_str().unwrap();
            assert!(s == "overridden" || s == "default", "{f}");
        }
    }
    assert_eq!(report["violations"], Value::Array(Vec::new()));
}

#[test]
fn audit_deny_default_fails_on_the_python_component_listing_why() {
    let Some(guest) = guest() else { return };
    let o = run([
        "audit".as_ref(),
        guest.as_os_str(),
        "--deny".as_ref(),
        "default".as_ref(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let first = err.lines().next().unwrap();
    assert!(
        first.starts_with(&format!("error: {}: ", guest.display()))
            && first.ends_with(" imported functions break --deny default"),
        "{err}"
    );
    let n: usize = first
        .rsplit(": ")
        .next()
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a count: {first}"));
    assert_eq!(err.lines().count(), n + 1, "one line per function: {err}");
    assert!(
        err.contains(
            "\n  wasi:filesystem/types@0.2.12#[method]descriptor.read: not implemented by the \
             host (gets error-code.unsupported)\n"
        ),
        "{err}"
    );
    assert!(!err.contains("exit-with-code"), "served: {err}");
}
