//! The `wasi-stubs` binary, run as a user would, on the committed guest fixtures and on bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::*;

/// Exit 2 with one line on stderr, `error: `, naming `file`, and no panic.
fn assert_bad_input(o: &Output, file: &Path, place: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        err.contains(&file.display().to_string()),
        "names {}: {err}",
        file.display()
    );
    assert!(err.contains(place), "names the place `{place}`: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    assert!(o.stdout.is_empty(), "{}", stdout(o));
}

fn names(report: &Value) -> Vec<&str> {
    report["imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect()
}

#[test]
fn audit_json_of_a_go_command() {
    let o = run([
        "audit".as_ref(),
        fixture("go-hello.wasm").as_os_str(),
        "--host".as_ref(),
        "minimal".as_ref(),
        "--json".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = json(&o);
    assert_eq!(r["schema"], 1);
    assert_eq!(r["kind"], "command");
    assert_eq!(r["exports_memory"], true);
    assert!(r["file"].as_str().unwrap().ends_with("go-hello.wasm"));
    assert_eq!(r["host"]["default_policy"], "nosys");
    assert_eq!(r["host"]["overrides"].as_array().unwrap().len(), 28);

    // Go imports fd_write and random_get twice: listed twice, counted once.
    let imports = r["imports"].as_array().unwrap();
    assert_eq!(imports.len(), 18);
    let fd_write: Vec<&Value> = imports.iter().filter(|i| i["name"] == "fd_write").collect();
    assert_eq!(fd_write.len(), 2);
    assert_eq!(fd_write[0]["duplicate_of"], Value::Null);
    assert_eq!(fd_write[1]["duplicate_of"], fd_write[0]["index"]);
    assert_eq!(fd_write[0]["status"], "overridden");
    assert_eq!(fd_write[0]["module"], "wasi_snapshot_preview1");
    assert_eq!(fd_write[0]["type"], "func");
    assert_eq!(
        fd_write[0]["signature"],
        serde_json::json!({"params": ["i32", "i32", "i32", "i32"], "results": ["i32"]})
    );
    // The minimal host answers fd_close for its read-only trees (without trees, the policy).
    let fd_close = imports.iter().find(|i| i["name"] == "fd_close").unwrap();
    assert_eq!(fd_close["status"], "overridden");
    let set_flags = imports
        .iter()
        .find(|i| i["name"] == "fd_fdstat_set_flags")
        .unwrap();
    assert_eq!(set_flags["status"], "default");
    assert_eq!(set_flags["policy"], "nosys");
    assert_eq!(
        r["summary"],
        serde_json::json!({
            "imports": 18, "distinct": 16, "duplicates": 2, "overridden": 15, "default": 1,
            "unknown": 0, "wrong_signature": 0, "other_module": 0,
        })
    );
    assert_eq!(r["deny"], serde_json::json!([]));
    assert_eq!(r["violations"], serde_json::json!([]));
}

#[test]
fn audit_kinds_of_the_fixtures() {
    for (guest, kind) in [
        ("go-hello.wasm", "command"),
        ("go-reactor.wasm", "reactor"),
        ("rust-hello.wasm", "command"),
        ("c-hello.wasm", "command"),
    ] {
        let o = run([
            "audit".as_ref(),
            fixture(guest).as_os_str(),
            "--json".as_ref(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{guest}: {}", stderr(&o));
        let r = json(&o);
        assert_eq!(r["kind"], kind, "{guest}");
        assert_eq!(r["exports_memory"], true, "{guest}");
        assert_eq!(r["summary"]["unknown"], 0, "{guest}");
        assert_eq!(r["summary"]["wrong_signature"], 0, "{guest}");
    }
}

#[test]
fn rust_hello_imports() {
    let o = run([
        "audit".as_ref(),
        fixture("rust-hello.wasm").as_os_str(),
        "--json".as_ref(),
    ]);
    let r = json(&o);
    let mut got = names(&r);
    got.sort_unstable();
    assert_eq!(
        got,
        [
            "args_get",
            "args_sizes_get",
            "clock_time_get",
            "environ_get",
            "environ_sizes_get",
            "fd_write",
            "proc_exit",
            "random_get"
        ]
    );
}

#[test]
fn deny_default_depends_on_the_host() {
    let guest = fixture("rust-hello.wasm");
    let none = run([
        "audit".as_ref(),
        guest.as_os_str(),
        "--host".as_ref(),
        "none".as_ref(),
        "--deny".as_ref(),
        "default".as_ref(),
    ]);
    assert_eq!(none.status.code(), Some(1), "{}", stderr(&none));
    let err = stderr(&none);
    assert!(
        err.starts_with(&format!(
            "error: {}: 8 imports break --deny default\n",
            guest.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(
            "  wasi_snapshot_preview1.fd_write: not implemented by the host (gets nosys)\n"
        ),
        "{err}"
    );
    // The table is still printed, on stdout.
    assert!(stdout(&none).contains("8 imports, 8 distinct: 0 overridden, 8 default"));

    let minimal = run([
        "audit".as_ref(),
        guest.as_os_str(),
        "--host".as_ref(),
        "minimal".as_ref(),
        "--deny".as_ref(),
        "default".as_ref(),
    ]);
    assert_eq!(minimal.status.code(), Some(0), "{}", stderr(&minimal));
    assert!(stderr(&minimal).is_empty());

    // `unknown` only denies what would fail instantiation.
    let unknown = run([
        "audit".as_ref(),
        guest.as_os_str(),
        "--deny".as_ref(),
        "unknown".as_ref(),
    ]);
    assert_eq!(unknown.status.code(), Some(0), "{}", stderr(&unknown));
}

#[test]
fn deny_in_json_lists_violations_once() {
    let o = run([
        "audit".as_ref(),
        fixture("go-hello.wasm").as_os_str(),
        "--host".as_ref(),
        "minimal".as_ref(),
        "--json".as_ref(),
        "--deny".as_ref(),
        "default,unknown".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let r = json(&o);
    assert_eq!(r["deny"], serde_json::json!(["default", "unknown"]));
    let violations: Vec<&str> = r["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            r["imports"][i.as_u64().unwrap() as usize]["name"]
                .as_str()
                .unwrap()
        })
        .collect();
    // fd_close and fd_prestat_dir_name are the minimal host's own since it serves read-only trees.
    assert_eq!(violations, ["fd_fdstat_set_flags"]);
}

#[test]
fn overrides_add_to_the_host() {
    let o = run([
        "audit".as_ref(),
        fixture("rust-hello.wasm").as_os_str(),
        "--override".as_ref(),
        "args_get, args_sizes_get,environ_get,environ_sizes_get".as_ref(),
        "--override".as_ref(),
        "clock_time_get,random_get,fd_write,proc_exit".as_ref(),
        "--deny".as_ref(),
        "default".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("8 overridden, 0 default"));
}

#[test]
fn an_unknown_override_is_an_error_with_a_suggestion() {
    let o = run([
        "audit".as_ref(),
        fixture("rust-hello.wasm").as_os_str(),
        "--override".as_ref(),
        "fd_write,random_gte".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: --override: `random_gte` is not a function of wasi_snapshot_preview1 or \
         wasi_unstable (did you mean `random_get`?)\n"
    );
}

#[test]
fn audit_table() {
    let o = run(["audit".as_ref(), fixture("go-reactor.wasm").as_os_str()]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.starts_with("guest: "), "{out}");
    assert!(out.contains("(reactor, exports memory)"), "{out}");
    assert!(out.contains("module                  name"), "{out}");
    // Without --host, the host `run` uses.
    assert!(out.contains("host: 28 functions overridden"), "{out}");
    assert!(out.contains("overridden (repeats #7)"), "{out}");
}

#[test]
fn gen_check() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("preview1.rs");
    let witx = preview1_witx();
    let o = run([
        "gen".as_ref(),
        "--witx".as_ref(),
        witx.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let code = std::fs::read_to_string(&out).unwrap();
    assert!(code.contains("pub trait WasiSnapshotPreview1"));

    let check = || {
        run([
            "gen".as_ref(),
            "--witx".as_ref(),
            witx.as_os_str(),
            "--check".as_ref(),
            out.as_os_str(),
        ])
    };
    let o = check();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty() && o.stderr.is_empty());

    std::fs::write(&out, code.replacen("fn fd_write", "fn fd_wrote", 1)).unwrap();
    let o = check();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!(
            "error: {} is not what the witx document generates: line ",
            out.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("fn fd_wrote") && err.contains("fn fd_write"),
        "{err}"
    );
    assert!(
        err.contains("= help: regenerate it with `wasi-stubs gen --witx"),
        "{err}"
    );

    // Stdout is the same code as -o.
    let o = run(["gen".as_ref(), "--witx".as_ref(), witx.as_os_str()]);
    assert_eq!(stdout(&o), code);

    // A --check file that does not exist is bad input.
    let missing = dir.path().join("missing.rs");
    let o = run([
        "gen".as_ref(),
        "--witx".as_ref(),
        witx.as_os_str(),
        "--check".as_ref(),
        missing.as_os_str(),
    ]);
    assert_bad_input(&o, &missing, "No such file");
}

#[test]
fn gen_module_name() {
    let witx = preview1_witx();
    let o = run([
        "gen".as_ref(),
        "--witx".as_ref(),
        witx.as_os_str(),
        "--module-name".as_ref(),
        "my_abi".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let code = stdout(&o);
    assert!(code.contains("pub const MODULE: &str = \"my_abi\";"));
    assert!(!code.contains("\"wasi_snapshot_preview1\""));
    // Only the import name changes: the trait and the Rust module keep theirs.
    assert!(code.contains("pub trait WasiSnapshotPreview1"));
    assert!(code.contains("pub mod wasi_snapshot_preview1"));
}

#[test]
fn gen_module_name_needs_one_module() {
    let dir = tempfile::tempdir().unwrap();
    let witx = dir.path().join("two.witx");
    std::fs::write(
        &witx,
        "(module $a (@interface func (export \"f\")))\n(module $b (@interface func (export \"g\")))\n",
    )
    .unwrap();
    let o = run([
        "gen".as_ref(),
        "--witx".as_ref(),
        witx.as_os_str(),
        "--module-name".as_ref(),
        "x".as_ref(),
    ]);
    assert_bad_input(&o, &witx, "exactly one module; this one has 2");
}

#[test]
fn gen_a_document_that_is_not_wasi() {
    let witx = wasi_nn_witx();
    let o = run(["gen".as_ref(), "--witx".as_ref(), witx.as_os_str()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let code = stdout(&o);
    assert!(code.contains("pub const MODULE: &str = \"wasi_ephemeral_nn\";"));
    assert!(code.contains("pub trait WasiEphemeralNn"));
    assert!(code.contains("pub fn add_to_linker"));
}

#[test]
fn spec_json() {
    let o = run(["spec", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = json(&o);
    assert_eq!(s["schema"], 1);
    let modules = s["modules"].as_array().unwrap();
    let counts: Vec<(&str, usize)> = modules
        .iter()
        .map(|m| {
            (
                m["module"].as_str().unwrap(),
                m["functions"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [("wasi_snapshot_preview1", 46), ("wasi_unstable", 45)]
    );
    assert_eq!(
        modules[0]["functions"][0],
        serde_json::json!({"name": "args_get", "params": ["i32", "i32"], "results": ["i32"]})
    );
    let clock = modules[0]["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "clock_time_get")
        .unwrap();
    assert_eq!(clock["params"], serde_json::json!(["i32", "i64", "i32"]));
}

#[test]
fn spec_of_a_witx_document() {
    let witx = wasi_nn_witx();
    let o = run([
        "spec".as_ref(),
        "--witx".as_ref(),
        witx.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = json(&o);
    assert_eq!(s["modules"][0]["module"], "wasi_ephemeral_nn");
    let names: Vec<&str> = s["modules"][0]["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "load",
            "load_by_name",
            "init_execution_context",
            "set_input",
            "get_output",
            "compute"
        ]
    );
    let o = run(["spec".as_ref(), "--witx".as_ref(), witx.as_os_str()]);
    assert!(stdout(&o).starts_with("wasi_ephemeral_nn: 6 functions\n  load "));
}

/// Files in `dir` that neither `audit` nor `run` takes for a core module, each with the words
/// its one-line error has: empty, not wasm (random bytes, text), truncated, a component (which
/// both take when it is valid: `audit_bad_guests` and `run_bad_guests` drop it for a broken
/// one), missing.
fn bad_guests(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let rust = std::fs::read(fixture("rust-hello.wasm")).unwrap();
    // Bytes from a fixed linear congruential sequence: random, not wasm, the same every run.
    let mut x: u32 = 0x2545_f491;
    let random: Vec<u8> = (0..4096)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect();
    vec![
        (
            write_in(dir, "empty.wasm", b""),
            "empty file, not a WebAssembly module (at offset 0x0)",
        ),
        (
            write_in(dir, "random.wasm", &random),
            "not a WebAssembly module",
        ),
        (
            write_in(dir, "text.wasm", b"hello"),
            "not a WebAssembly module",
        ),
        (
            write_in(dir, "truncated.wasm", &rust[..rust.len() / 2]),
            "truncated module: unexpected end-of-file (at offset 0x",
        ),
        (
            write_in(dir, "component.wasm", b"\0asm\x0d\x00\x01\x00"),
            "a WebAssembly component, not a core module",
        ),
        (dir.join("missing.wasm"), "No such file"),
    ]
}

#[test]
fn audit_bad_guests() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases = bad_guests(dir.path());
    // `audit` takes components (tests/audit_components.rs): a broken one is refused with the
    // place.
    cases.retain(|(path, _)| !path.ends_with("component.wasm"));
    cases.push((
        write_in(
            dir.path(),
            "broken-component.wasm",
            b"\0asm\x0d\x00\x01\x00\x7f\x7f\x7f",
        ),
        "invalid component: failed to parse WebAssembly module: unexpected end-of-file (at offset 0xa)",
    ));
    for (path, place) in &cases {
        let o = run(["audit".as_ref(), path.as_os_str()]);
        assert_bad_input(&o, path, place);
        let o = run(["audit".as_ref(), path.as_os_str(), "--json".as_ref()]);
        assert_bad_input(&o, path, place);
    }
}

#[test]
fn bad_witx() {
    let dir = tempfile::tempdir().unwrap();
    let syntax = dir.path().join("syntax.witx");
    std::fs::write(&syntax, "(typename $a u32)\n(typename $b\n").unwrap();
    let unknown = dir.path().join("unknown.witx");
    std::fs::write(
        &unknown,
        "(typename $errno (enum (@witx tag u16) $ok $bad))\n\
         (module $m\n  (@interface func (export \"f\")\n    (param $x $no_such_type)\n    \
         (result $error (expected (error $errno)))))\n",
    )
    .unwrap();
    let missing = dir.path().join("missing.witx");
    let cases = [
        (&syntax, format!("{}:3:1: invalid witx: ", syntax.display())),
        (
            &unknown,
            format!("{}:4:15: Unknown name `no_such_type`", unknown.display()),
        ),
        (&missing, "No such file".to_string()),
    ];
    for (witx, place) in &cases {
        for command in [&["gen"][..], &["spec"], &["gen", "--module-name", "x"]] {
            let mut args: Vec<&std::ffi::OsStr> = command.iter().map(|a| a.as_ref()).collect();
            args.push("--witx".as_ref());
            args.push(witx.as_os_str());
            let o = run(&args);
            assert_bad_input(&o, witx, place);
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    let o = run(["audit"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run([
        "audit".as_ref(),
        fixture("rust-hello.wasm").as_os_str(),
        "--deny".as_ref(),
        "nosys".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("possible values: default, unknown"));
    let o = run(["gen"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(["--help"]);
    assert_eq!(o.status.code(), Some(0));
    for sub in ["run", "audit", "gen", "spec"] {
        assert!(stdout(&o).contains(sub));
    }
}

// `run`: the guests on the minimal host. A Go guest takes a while to compile in a debug build, so
// three runs use one: the exit code and virtual clock, the reactor, and the trap policy.

/// The hex of the `n` bytes a host seeded with `seed` hands out after `skip` bytes.
fn seeded_hex(seed: u64, skip: usize, n: usize) -> String {
    use wasi_stubs::host::{Entropy, RandomSource};
    let mut entropy = Entropy::new(RandomSource::Seeded(seed));
    let mut buf = vec![0; skip + n];
    entropy.fill(&mut buf[..skip]).unwrap();
    entropy.fill(&mut buf[skip..]).unwrap();
    buf[skip..].iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes a WAT guest (as text, which `run` accepts) into `dir`.
/// Exit `code` with exactly one line on stderr, `error: FILE: ...` containing `what`.
fn assert_run_error(o: &Output, code: i32, file: &Path, what: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "{err}");
    assert!(
        err.starts_with(&format!("error: {}: ", file.display())),
        "{err}"
    );
    assert!(err.contains(what), "`{what}` in: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

const NOW: &str = "1700000000123456789";

#[test]
fn run_a_rust_command() {
    let guest = fixture("rust-hello.wasm");
    let args = [
        "--seed",
        "1",
        "--clock",
        &format!("fixed:{NOW}"),
        "--env",
        "GREETING=hi",
        "--",
        "x",
    ];
    let o = run_guest(&guest, args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "hello from rust\nargs: [\"rust-hello.wasm\", \"x\"]\nGREETING=hi\n\
             now: 1700000000.123456789\ninstant ok: true\nelapsed_ns: 0\nrandom: {}\n\
             random errno: 0\n",
            seeded_hex(1, 0, 8)
        )
    );
    assert_eq!(stderr(&o), "warning: to stderr\n");
}

#[test]
fn run_a_go_command_to_its_exit_code_on_a_virtual_clock() {
    let o = run_guest(
        &fixture("go-hello.wasm"),
        [
            "--clock",
            "virtual",
            "--seed",
            "7",
            "--env",
            "GREETING=hi",
            "--",
            "a",
            "b c",
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    // Go's runtime draws a 32-byte seed first; crypto/rand's 8 bytes come next. A virtual clock
    // starts at the epoch and moves by the 10 s the guest sleeps.
    assert_eq!(
        stdout(&o),
        format!(
            "hello from go\nargs: [go-hello.wasm a b c]\nGREETING=hi\nnow: 0\nslept: 10s\n\
             random: {}\n",
            seeded_hex(7, 32, 8)
        )
    );
    assert_eq!(stderr(&o), "warning: to stderr\n");
}

#[test]
fn run_a_c_command_with_args_env_and_its_exit_code() {
    let guest = fixture("c-hello.wasm");
    let o = Command::new(env!("CARGO_BIN_EXE_wasi-stubs"))
        .args(["run".as_ref(), guest.as_os_str()])
        .args(["--clock", "fixed:1500000000000000001", "--seed", "3"])
        // `--env KEY` passes this process's value.
        .args(["--env", "GREETING", "--", "fail"])
        .env("GREETING", "from the host")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(7), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "hello from c\nargc: 2\nargv[0]: c-hello.wasm\nargv[1]: fail\n\
             GREETING=from the host\nnow: 1500000000.000000001\nrandom: {}\n",
            seeded_hex(3, 0, 8)
        )
    );
    assert_eq!(stderr(&o), "warning: to stderr\n");

    // `--arg` comes before the arguments after `--`.
    let o = run_guest(&guest, ["--arg", "-v", "--", "last"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("argc: 3\nargv[0]: c-hello.wasm\nargv[1]: -v\nargv[2]: last\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn run_trace_prints_every_call_on_stderr() {
    let guest = fixture("c-hello.wasm");
    let args = ["--clock", &format!("fixed:{NOW}"), "--seed", "3", "--trace"];
    let o = run_guest(&guest, args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    for line in [
        "args_sizes_get() -> Ok(1, 13)",
        "fd_fdstat_get(fd=1) -> Ok(Fdstat { fs_filetype: CharacterDevice, ",
        &format!("clock_time_get(id=realtime, precision=1) -> Ok({NOW})"),
        "random_get(buf=0x",
        "fd_write(fd=2, iovs=2 [19 bytes]) -> Ok(19)",
        "warning: to stderr",
    ] {
        assert!(
            err.lines().any(|l| l.starts_with(line)),
            "`{line}` in:\n{err}"
        );
    }
    assert!(err.lines().all(|l| !l.starts_with("INFO")), "{err}");
    // The guest's own output is untouched, and without --trace there is no trace.
    let quiet = run_guest(&guest, &args[..4]);
    assert_eq!(stdout(&o), stdout(&quiet));
    assert_eq!(stderr(&quiet), "warning: to stderr\n");
}

#[test]
fn run_invokes_a_go_reactors_export() {
    let o = run_guest(&fixture("go-reactor.wasm"), ["--invoke", "add", "2", "40"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "42\n");
    assert_eq!(stderr(&o), "");
}

const LIBRARY: &str = r#"
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "mix") (param i32 i64 f32 f64) (result i64 f64 i32)
    local.get 1 local.get 3 local.get 0)
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "quit") (param i32) (call $proc_exit (local.get 0))))
"#;

#[test]
fn run_invokes_a_library_with_typed_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let lib = write_in(dir.path(), "lib.wat", LIBRARY);

    let o = run_guest(
        &lib,
        ["--invoke", "mix", "-7", "0xffffffffffffffff", "1.5", "2.25"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "-1\n2.25\n-7\n");

    // Without --invoke a library (or a reactor) is initialised, and that is all.
    let o = run_guest(&lib, [] as [&str; 0]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty() && o.stderr.is_empty());

    // proc_exit in an export is the run's exit code.
    let o = run_guest(&lib, ["--invoke", "quit", "9"]);
    assert_eq!(o.status.code(), Some(9), "{}", stderr(&o));

    // A trap in an export.
    let o = run_guest(&lib, ["--invoke", "div", "1", "0"]);
    assert_run_error(&o, 134, &lib, "the guest trapped: integer divide by zero");

    // Bad invocations are usage errors.
    for (args, what) in [
        (
            &["--invoke", "div", "1"][..],
            "it takes 2 arguments (i32, i32), 1 given",
        ),
        (
            &["--invoke", "div", "1", "x"],
            "argument 2: `x` is not an i32",
        ),
        (
            &["--invoke", "div", "1", "4294967296"],
            "is not an i32 (out of range)",
        ),
        (
            &["--invoke", "nope"],
            "no exported function `nope` (its functions: div, mix, quit)",
        ),
    ] {
        let o = run_guest(&lib, args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(what),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }

    // A command is run, not invoked.
    let c = fixture("c-hello.wasm");
    let o = run_guest(&c, ["--invoke", "main"]);
    assert_run_error(
        &o,
        2,
        &c,
        "a command (it exports `_start`): --invoke needs a reactor",
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn run_a_guest_that_traps() {
    let dir = tempfile::tempdir().unwrap();
    // Compiled to a binary module, with names for the backtrace.
    let wasm = wat::parse_str(
        r#"(module
          (import "wasi_snapshot_preview1" "fd_write"
            (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "before\n")
          (data (i32.const 0) "\10\00\00\00\07\00\00\00")
          (func $inner (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1)
            (i32.const 8))) unreachable)
          (func $middle (call $inner))
          (func (export "_start") (call $middle)))"#,
    )
    .unwrap();
    let guest = dir.path().join("trap.wasm");
    std::fs::write(&guest, wasm).unwrap();
    let o = run_guest(&guest, [] as [&str; 0]);
    assert_run_error(
        &o,
        134,
        &guest,
        "the guest trapped: wasm `unreachable` instruction executed\nwasm backtrace:\n",
    );
    let err = stderr(&o);
    let inner = err.find("!inner").expect(&err);
    let middle = err.find("!middle").expect(&err);
    assert!(inner < middle, "{err}");
    // What the guest wrote before it trapped is out.
    assert_eq!(stdout(&o), "before\n");
}

#[test]
fn run_limits_time_and_fuel() {
    let dir = tempfile::tempdir().unwrap();
    let spin = write_in(
        dir.path(),
        "spin.wat",
        r#"(module (memory (export "memory") 1)
             (func (export "_start") (loop $forever (br $forever))))"#,
    );
    let o = run_guest(&spin, ["--fuel", "100000"]);
    assert_run_error(
        &o,
        125,
        &spin,
        "stopped: the guest used up its fuel (100000 units)",
    );
    assert_eq!(stderr(&o).lines().count(), 1);

    let o = run_guest(&spin, ["--timeout", "0.2"]);
    assert_run_error(&o, 124, &spin, "stopped after the time limit of 0.2s");
    assert_eq!(stderr(&o).lines().count(), 1);

    // Enough fuel for a guest that finishes.
    let o = run_guest(
        &fixture("c-hello.wasm"),
        ["--fuel", "100000000", "--timeout", "60"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn run_refuses_unknown_imports_or_makes_them_traps() {
    let dir = tempfile::tempdir().unwrap();
    let guest = write_in(
        dir.path(),
        "imports.wat",
        r#"(module
             (import "env" "foo" (func $foo))
             (import "env" "bar" (func $bar (param i32)))
             (memory (export "memory") 1)
             (func (export "call_foo") (call $foo)))"#,
    );
    let o = run_guest(&guest, [] as [&str; 0]);
    assert_run_error(
        &o,
        2,
        &guest,
        "imports that this host does not define: env::foo, env::bar (--trap-unknown-imports",
    );
    assert_eq!(stderr(&o).lines().count(), 1);

    let o = run_guest(&guest, ["--trap-unknown-imports"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run_guest(&guest, ["--trap-unknown-imports", "--invoke", "call_foo"]);
    assert_run_error(&o, 134, &guest, "`env::foo` has not been defined");

    // A WASI import of the wrong type cannot be linked: the guest does not run.
    let guest = write_in(
        dir.path(),
        "signature.wat",
        r#"(module
             (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32) (result i32)))
             (memory (export "memory") 1)
             (func (export "_start")))"#,
    );
    let o = run_guest(&guest, [] as [&str; 0]);
    assert_run_error(
        &o,
        2,
        &guest,
        "cannot run on this host: incompatible import type for `wasi_snapshot_preview1::fd_write`",
    );
    assert_eq!(stderr(&o).lines().count(), 1);
}

/// Calls `fd_fdstat_set_flags`, which the minimal host does not implement, and exits with what
/// it answered.
const UNIMPLEMENTED: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags"
    (func $set_flags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $proc_exit (call $set_flags (i32.const 1) (i32.const 0)))))
"#;

#[test]
fn run_policies_for_unimplemented_functions() {
    let dir = tempfile::tempdir().unwrap();
    let guest = write_in(dir.path(), "unimplemented.wat", UNIMPLEMENTED);
    for (policy, code, err) in [
        ("nosys", 52, ""),
        ("badf", 8, ""),
        (
            "log",
            52,
            "warning: fd_fdstat_set_flags: not implemented by this host, answering nosys\n",
        ),
    ] {
        let o = run_guest(&guest, ["--policy", policy]);
        assert_eq!(o.status.code(), Some(code), "{policy}: {}", stderr(&o));
        assert_eq!(stderr(&o), err, "{policy}");
    }
    let o = run_guest(&guest, ["--policy", "trap"]);
    assert_run_error(
        &o,
        134,
        &guest,
        "the guest trapped: fd_fdstat_set_flags: not implemented by this host",
    );
}

#[test]
fn run_go_with_the_trap_policy_stops_at_the_first_unimplemented_call() {
    let o = run_guest(&fixture("go-hello.wasm"), ["--policy", "trap"]);
    let guest = fixture("go-hello.wasm");
    assert_run_error(
        &o,
        134,
        &guest,
        "the guest trapped: fd_fdstat_set_flags: not implemented by this host",
    );
}

#[test]
fn run_exit_codes_above_255_become_255() {
    let dir = tempfile::tempdir().unwrap();
    let guest = write_in(
        dir.path(),
        "exit.wat",
        r#"(module
             (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
             (memory (export "memory") 1)
             (func (export "_start") (call $proc_exit (i32.const 256))))"#,
    );
    let o = run_guest(&guest, [] as [&str; 0]);
    assert_eq!(o.status.code(), Some(255));
    assert!(o.stderr.is_empty());
}

#[test]
fn run_bad_guests() {
    let dir = tempfile::tempdir().unwrap();
    let both = wat::parse_str(r#"(module (func (export "_start")) (func (export "_initialize")))"#)
        .unwrap();
    let mut cases = bad_guests(dir.path());
    // `run` takes components: the empty one runs (tests/components.rs), a broken one is refused
    // with the place.
    cases.retain(|(path, _)| !path.ends_with("component.wasm"));
    cases.extend([
        (
            write_in(
                dir.path(),
                "broken-component.wasm",
                b"\0asm\x0d\x00\x01\x00\x7f\x7f\x7f",
            ),
            "unexpected end-of-file (at offset 0xa)",
        ),
        (
            write_in(
                dir.path(),
                "invalid.wat",
                b"(module (func (export \"_start\") (i32.add)))",
            ),
            "invalid module: type mismatch",
        ),
        (
            write_in(dir.path(), "syntax.wat", b"(module\n  (func $f\n"),
            "syntax.wat:3:1: expected `)`",
        ),
        (
            write_in(dir.path(), "both.wasm", &both),
            "exports both `_start` and `_initialize`",
        ),
    ]);
    for (path, place) in &cases {
        let o = run_guest(path, [] as [&str; 0]);
        assert_bad_input(&o, path, place);
    }
}

#[test]
fn run_usage_errors() {
    let guest = fixture("c-hello.wasm");
    for (args, what) in [
        (&["--clock", "sundial"][..], "`sundial` is not a clock"),
        (
            &["--clock", "fixed:soon"],
            "`soon` is not a number of nanoseconds",
        ),
        (&["--env", "=x"], "the variable's name is empty"),
        (
            &["--env", "WASI_STUBS_NO_SUCH_VARIABLE"],
            "this process has no variable",
        ),
        (&["--timeout=-1"], "`-1` seconds"),
        (&["--timeout", "soon"], "`soon` is not a number of seconds"),
        (
            &["--policy", "ignore"],
            "possible values: nosys, trap, badf, log",
        ),
    ] {
        let o = run_guest(&guest, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(what), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn the_committed_wasi_nn_code_is_current() {
    let committed = root().join("tests/nn/wasi_nn.rs");
    let witx = wasi_nn_witx();
    let o = run([
        "gen".as_ref(),
        "--witx".as_ref(),
        witx.as_os_str(),
        "--check".as_ref(),
        committed.as_os_str(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}\nregenerate with: cargo run -p wasi-stubs-cli -- gen --witx \
         cli/tests/witx/wasi-nn.witx -o tests/nn/wasi_nn.rs",
        stderr(&o)
    );
}

// Hostile guests on `run`: each test proves one promise a guest once broke.

#[test]
fn run_timeout_ends_a_sleep_of_centuries() {
    let dir = tempfile::tempdir().unwrap();
    // One relative monotonic clock subscription of u64::MAX nanoseconds.
    let guest = write_in(
        dir.path(),
        "sleeper.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "poll_oneoff"
            (func $poll (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (i32.store (i32.const 16) (i32.const 1))
            (i64.store (i32.const 24) (i64.const -1))
            (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))"#,
    );
    let started = std::time::Instant::now();
    let o = run_guest(&guest, ["--timeout", "1"]);
    assert_run_error(&o, 124, &guest, "stopped after the time limit of 1s");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn run_refuses_modules_it_cannot_run_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for (name, wat, what) in [
        (
            "shared.wat",
            r#"(module (memory (export "memory") 1 1 shared) (func (export "_start")))"#,
            "its memory `memory` is shared",
        ),
        (
            "start_params.wat",
            r#"(module (memory (export "memory") 1) (func (export "_start") (param i32)))"#,
            "`_start` must take no parameters and return nothing",
        ),
        (
            "start_global.wat",
            r#"(module (memory (export "memory") 1) (global (export "_start") i32 (i32.const 0)))"#,
            "`_start` must be a function, but it is a global",
        ),
        (
            "init_result.wat",
            r#"(module (memory (export "memory") 1)
                 (func (export "_initialize") (result i32) i32.const 0))"#,
            "`_initialize` must take no parameters and return nothing",
        ),
        (
            "too_big.wat",
            r#"(module (memory (export "memory") 1) (memory 16384) (func (export "_start")))"#,
            "it needs 1073807360 bytes of linear memory, over the limit of 1073741824",
        ),
    ] {
        let guest = write_in(dir.path(), name, wat);
        let o = run_guest(&guest, [] as [&str; 0]);
        assert_bad_input(&o, &guest, what);
    }
}

#[test]
fn run_store_limits_stop_growth_and_can_be_raised() {
    let dir = tempfile::tempdir().unwrap();
    // Grows a funcref table by 10,000,000 elements ten times; `unreachable` when a growth fails.
    let guest = write_in(
        dir.path(),
        "grower.wat",
        r#"(module
          (memory (export "memory") 1)
          (table 0 funcref)
          (func (export "_start") (local i32)
            (loop
              (if (i32.eq (table.grow (ref.null func) (i32.const 10000000)) (i32.const -1))
                (then unreachable))
              (local.set 0 (i32.add (local.get 0) (i32.const 1)))
              (br_if 0 (i32.lt_u (local.get 0) (i32.const 10))))))"#,
    );
    let o = run_guest(&guest, [] as [&str; 0]);
    assert_run_error(&o, 134, &guest, "unreachable");
    let o = run_guest(&guest, ["--max-table-elements", "100000000"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let big = write_in(
        dir.path(),
        "big.wat",
        r#"(module (memory (export "memory") 20000) (func (export "_start")))"#,
    );
    let o = run_guest(&big, ["--max-memory", "2Gi"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run_guest(&big, ["--max-memory", "lots"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`lots`"), "{}", stderr(&o));
}

#[test]
fn run_names_a_few_of_many_unknown_imports_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let mut wat = String::from("(module\n");
    for i in 0..100_001 {
        wat.push_str(&format!("(import \"env\" \"f{i}\" (func))\n"));
    }
    wat.push_str("(memory (export \"memory\") 1) (func (export \"_start\")))");
    let guest = write_in(dir.path(), "many.wat", wat);
    let started = std::time::Instant::now();
    let o = run_guest(&guest, [] as [&str; 0]);
    // Linear, not quadratic: a debug build takes about a second; the quadratic check it replaced
    // took minutes.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert_bad_input(
        &o,
        &guest,
        "imports that this host does not define: env::f0, env::f1,",
    );
    assert!(
        stderr(&o).contains("env::f19 and 99981 more"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn run_bad_input_trap_makes_a_bad_pointer_trap() {
    let dir = tempfile::tempdir().unwrap();
    // fd_write with its iovec list out of bounds, then exit with the errno it got.
    let guest = write_in(
        dir.path(),
        "bad_pointer.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "fd_write"
            (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (call $exit (call $fd_write (i32.const 1) (i32.const 70000) (i32.const 1)
              (i32.const 0)))))"#,
    );
    let o = run_guest(&guest, [] as [&str; 0]);
    assert_eq!(o.status.code(), Some(21), "EFAULT: {}", stderr(&o));
    let o = run_guest(&guest, ["--bad-input", "trap"]);
    assert_run_error(&o, 134, &guest, "fd_write: argument `iovs`");
}

#[test]
fn run_a_reactor_that_exits_from_initialize() {
    let dir = tempfile::tempdir().unwrap();
    let guest = write_in(
        dir.path(),
        "init_exit.wat",
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_initialize") (call $exit (i32.const 0)))
          (func (export "f") (result i32) i32.const 1))"#,
    );
    // Nothing to call: it ran to its exit code, as a command does.
    let o = run_guest(&guest, [] as [&str; 0]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // An export to call: it cannot be, and says so.
    let o = run_guest(&guest, ["--invoke", "f"]);
    assert_bad_input(&o, &guest, "called `proc_exit(0)` from `_initialize`");
}

#[test]
fn run_invoke_passes_infinities_and_nan() {
    let dir = tempfile::tempdir().unwrap();
    let guest = write_in(
        dir.path(),
        "floats.wat",
        r#"(module (memory (export "memory") 1)
          (func (export "f") (param f32 f64) (result f64 f32) local.get 1 local.get 0))"#,
    );
    let o = run_guest(&guest, ["--invoke", "f", "-inf", "nan"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "NaN\n-inf\n");
    // Options go before --invoke, which takes the rest of the line.
    let o = run_guest(&guest, ["--invoke", "f", "inf", "-1", "--trace"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`--trace` is not an argument"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn run_reads_a_bounded_guest_and_checks_imports_before_compiling() {
    // A device that never ends is not read to the end.
    let zero = Path::new("/dev/zero");
    let o = run_guest(zero, [] as [&str; 0]);
    assert_bad_input(&o, zero, "larger than 512 MiB");

    // An import nobody defines is named before the module is compiled: here the function body
    // does not even validate, and the message is still about the import.
    let dir = tempfile::tempdir().unwrap();
    let guest = write_in(
        dir.path(),
        "missing.wat",
        r#"(module
          (import "env" "host_log" (func (param i32)))
          (memory (export "memory") 1)
          (func (export "_start") (result i32) i64.const 0))"#,
    );
    let o = run_guest(&guest, ["--no-cache"]);
    assert_bad_input(
        &o,
        &guest,
        "imports that this host does not define: env::host_log",
    );
    // With the imports defined as traps, the compiler has its say.
    let o = run_guest(&guest, ["--trap-unknown-imports"]);
    assert_bad_input(&o, &guest, "type mismatch");
}
