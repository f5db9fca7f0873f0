//! What the tests of the `wasi-stubs` binary share: where the fixtures are, running the built
//! binary, reading what it printed. Each test file uses a part of it.
#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The workspace's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A committed guest: `tests/guests/fixtures/NAME`.
pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/guests/fixtures").join(name)
}

/// The vendored preview1 witx.
pub fn preview1_witx() -> PathBuf {
    root().join("codegen/witx/preview1/wasi_snapshot_preview1.witx")
}

/// A witx document that is not WASI's.
pub fn wasi_nn_witx() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/witx/wasi-nn.witx")
}

/// The built binary with `args`, to its end.
pub fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_wasi-stubs"))
        .args(args)
        // A panic would print a backtrace: the tests check none does.
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("the binary runs")
}

/// `wasi-stubs run GUEST` with `args`.
pub fn run_guest<I, S>(guest: &Path, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut all: Vec<OsString> = vec!["run".into(), guest.as_os_str().into()];
    all.extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
    run(all)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

/// Stdout as JSON.
pub fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// Writes `contents` (wasm, WebAssembly text, anything) to `dir/name`.
pub fn write_in(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}
