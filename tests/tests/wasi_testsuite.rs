//! The WASI testsuite's prebuilt preview1 programs (tests/wasi-testsuite, see its README) on the
//! minimal host, each with its `root` preopened read-only as `/`.
//!
//! Every test that only reads passes; every test that writes (all of the Rust file-system tests
//! make a scratch directory first) fails inside the guest, on the errno it got (`ENOSYS` for
//! `path_create_directory`, `EROFS` for an open for writing), never by a host panic or a hang.
//! The list of the tests that pass is checked exactly, so that a change in either direction is
//! seen. `cargo test -p wasi-stubs-tests --test wasi_testsuite -- --nocapture` prints a line per
//! test.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use wasi_stubs::host::{MinimalHost, Output, Tree};
use wasi_stubs::lifecycle::{self, Guest, Limits, RunError};

/// The tests that pass: every one that does not write, and none that does.
const PASSING: &[&str] = &[
    "assemblyscript/args_get-multiple-arguments",
    "assemblyscript/args_sizes_get-multiple-arguments",
    "assemblyscript/args_sizes_get-no-arguments",
    "assemblyscript/environ_get-multiple-variables",
    "assemblyscript/environ_sizes_get-multiple-variables",
    "assemblyscript/environ_sizes_get-no-variables",
    "assemblyscript/fd_write-to-invalid-fd",
    "assemblyscript/fd_write-to-stdout",
    "assemblyscript/proc_exit-failure",
    "assemblyscript/proc_exit-success",
    "assemblyscript/random_get-non-zero-length",
    "assemblyscript/random_get-zero-length",
    "c/clock_getres-monotonic",
    "c/clock_getres-realtime",
    "c/clock_gettime-monotonic",
    "c/clock_gettime-realtime",
    "c/fdopendir-with-access",
    "c/fopen-with-access",
    "c/fopen-with-no-access",
    "c/lseek",
    "c/pread-with-access",
    "c/stat-dev-ino",
    "rust/big_random_buf",
    "rust/clock_time_get",
    "rust/close_preopen",
    "rust/dangling_symlink",
    "rust/dir_fd_op_failures",
    "rust/path_open_nonblock",
    "rust/poll_oneoff_stdio",
    "rust/sched_yield",
];

/// The tests that fail for want of something other than writes: sockets.
const NOT_FILES: &[&str] = &["c/sock_shutdown-invalid_fd", "c/sock_shutdown-not_sock"];

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("wasi-testsuite")
}

struct Outcome {
    name: String,
    passed: bool,
    what: String,
}

fn run_one(engine: &wasmtime::Engine, limits: &Limits, wasm: &Path) -> Outcome {
    let dir = wasm.parent().unwrap();
    let stem = wasm.file_stem().unwrap().to_string_lossy().into_owned();
    let name = format!("{}/{stem}", dir.file_name().unwrap().to_string_lossy());
    let spec: Value = match std::fs::read(wasm.with_extension("json")) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap(),
        Err(_) => Value::Null,
    };
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let sink = stderr.clone();
    let mut builder = MinimalHost::builder()
        .stderr(Output::callback(move |b| {
            sink.lock().unwrap().extend_from_slice(b)
        }))
        .args(
            std::iter::once(stem.clone()).chain(
                spec["args"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|a| a.as_str().unwrap().to_string()),
            ),
        );
    if let Some(env) = spec["env"].as_object() {
        for (k, v) in env {
            builder = builder.env(k, v.as_str().unwrap());
        }
    }
    if let Some(root) = spec["root"].as_str() {
        builder = builder.preopen("/", Tree::dir(dir.join(root)).unwrap());
    }
    let want_code = spec["exit_code"].as_u64().unwrap_or(0) as u32;
    let guest = Guest::new(engine, std::fs::read(wasm).unwrap()).unwrap();
    let linker = guest.linker::<MinimalHost>().unwrap();
    let (passed, what) = match guest.run(&linker, builder.build(), limits) {
        Ok(exited) => {
            let stdout = String::from_utf8_lossy(exited.host.stdout()).into_owned();
            let stdout_ok = spec["stdout"].as_str().is_none_or(|want| want == stdout);
            (
                exited.code == want_code && stdout_ok,
                format!("exit {} (want {want_code})", exited.code),
            )
        }
        Err(RunError::Trap(e)) => (false, format!("guest trap: {}", e.root_cause())),
        Err(other) => (false, format!("{other}")),
    };
    // What the guest said last: its assertion or panic message.
    let stderr = String::from_utf8_lossy(&stderr.lock().unwrap()).into_owned();
    let said = stderr
        .lines()
        .rfind(|l| !l.trim().is_empty() && !l.starts_with("note:"))
        .unwrap_or("");
    let what = format!("{what}: {said}");
    Outcome { name, passed, what }
}

#[test]
fn the_wasi_testsuite_passes_every_read_only_test() {
    let mut wasms: Vec<PathBuf> = ["assemblyscript", "c", "rust"]
        .iter()
        .flat_map(|d| std::fs::read_dir(suite().join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    wasms.sort();
    assert_eq!(wasms.len(), 72, "the committed suite");

    let limits = Limits::default().timeout(Duration::from_secs(60));
    let engine = lifecycle::engine(&limits).unwrap();
    let queue = Mutex::new(wasms.iter());
    let outcomes = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let Some(wasm) = queue.lock().unwrap().next() else {
                        break;
                    };
                    let outcome = run_one(&engine, &limits, wasm);
                    outcomes.lock().unwrap().push(outcome);
                }
            });
        }
    });
    let mut outcomes = outcomes.into_inner().unwrap();
    outcomes.sort_by(|a, b| a.name.cmp(&b.name));
    for o in &outcomes {
        eprintln!(
            "{} {}: {}",
            if o.passed { "PASS" } else { "FAIL" },
            o.name,
            o.what
        );
    }
    let passed: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.passed)
        .map(|o| o.name.as_str())
        .collect();
    eprintln!("{} of {} pass", passed.len(), outcomes.len());
    assert_eq!(passed, PASSING);
    for o in outcomes.iter().filter(|o| !o.passed) {
        // Each failure is the guest's own verdict on an answer it got: an assertion (C), a
        // panic on an errno (Rust), never a time-out or a host error.
        assert!(
            o.what
                .starts_with("guest trap: wasm trap: wasm `unreachable`"),
            "{}: {}",
            o.name,
            o.what
        );
        assert!(
            o.what.contains("Assertion failed")
                || o.what.contains("Errno { code: ")
                || o.what.contains("does not have required right"),
            "{}: {}",
            o.name,
            o.what
        );
        if o.name.starts_with("c/") {
            assert!(
                NOT_FILES.contains(&o.name.as_str()) || o.name.starts_with("c/pwrite"),
                "{} fails but does not write",
                o.name
            );
        }
    }
}
