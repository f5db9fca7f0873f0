//! `wasi-stubs run` on components, and the Go and Rust must-shows of components on the minimal
//! host: the committed Go `GOOS=wasip1` command (`tests/guests/go-hello`) and Rust wasip1
//! command (`tests/guests/rust-command`) made components here with wasmtime 48's preview1
//! command adapter by `wit-component`, run by the binary and through
//! `wasi_stubs::lifecycle::component` on `MinimalComponentHost`. (The componentize-py guest is
//! in `python_component.rs`.)

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{fixture, run_guest, stderr, stdout, write_in};
use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
};
use wasi_stubs::host::{ClockSource, MinimalComponentHost, RandomSource};
use wasi_stubs::lifecycle::Limits;
use wasi_stubs::lifecycle::component::ComponentGuest;

/// A wasip1 command module made a component with the preview1 command adapter.
fn adapt(module: &[u8]) -> Vec<u8> {
    wit_component::ComponentEncoder::default()
        .module(module)
        .unwrap()
        .adapter(
            WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
            WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
        )
        .unwrap()
        .validate(true)
        .encode()
        .unwrap()
}

/// The Go guest as a component, written to `dir`.
fn go_component(dir: &Path) -> PathBuf {
    let module = std::fs::read(fixture("go-hello.wasm")).unwrap();
    write_in(dir, "go-hello.component.wasm", adapt(&module))
}

/// A component in WebAssembly text.
fn wat_component(dir: &Path, name: &str, text: &str) -> PathBuf {
    write_in(dir, name, wat::parse_str(text).unwrap())
}

/// The exit code of the Go guest as a component. The guest calls `os.Exit(3)`, which is
/// `proc_exit(3)`, and wasmtime 48's preview1 command adapter turns any code but 0 into
/// `wasi:cli/exit.exit(err)`: the code 3 is lost in the adapter (the host answers
/// `exit-with-code` with its code, see `component_exit_codes_from_run_and_exit`), and the run
/// ends with 1, as under `wasmtime run`.
const GO_EXIT: i32 = 1;

/// The realtime clock of the virtual clock in these tests: 2023-11-14T22:13:20.5Z.
const NOW: u64 = 1_700_000_000_500_000_000;

/// What the Go guest prints with `args` (the program's name first), GREETING=`greeting`, the
/// realtime clock at [`NOW`] and the random line `random`.
fn go_stdout(args: &str, greeting: &str, random: &str) -> String {
    format!(
        "hello from go\n\
         args: [{args}]\n\
         GREETING={greeting}\n\
         now: {NOW}\n\
         slept: 10s\n\
         random: {random}\n"
    )
}

/// The random line of a run with the seed, checked to be 16 hexadecimal digits.
fn random_line(out: &str) -> String {
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("random: "))
        .unwrap_or_else(|| panic!("a random line: {out}"));
    assert_eq!(line.len(), 16, "{line}");
    assert!(line.bytes().all(|b| b.is_ascii_hexdigit()), "{line}");
    line.to_string()
}

#[test]
fn go_component_runs_with_args_env_virtual_clock_seed_and_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let guest = go_component(dir.path());
    // The run (compiling aside) has 5 s of wall time: the guest's 10 s sleep is virtual and
    // ends at once, or the run would stop with 124.
    let args = [
        "--timeout",
        "5",
        "--clock",
        &format!("virtual:{NOW}"),
        "--seed",
        "7",
        "--env",
        "GREETING=bonjour",
        "--arg",
        "one",
        "--",
        "two",
        "--three",
    ];
    let first = run_guest(&guest, args);
    assert_eq!(first.status.code(), Some(GO_EXIT), "{}", stderr(&first));
    let out = stdout(&first);
    let random = random_line(&out);
    assert_eq!(
        out,
        go_stdout(
            "go-hello.component.wasm one two --three",
            "bonjour",
            &random
        )
    );
    assert_eq!(stderr(&first), "warning: to stderr\n");

    // The same options, the same bytes; another seed, other random bytes.
    let second = run_guest(&guest, args);
    assert_eq!(second.status.code(), Some(GO_EXIT));
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(second.stderr, first.stderr);
    let mut other_seed = args;
    other_seed[5] = "8";
    let other = run_guest(&guest, other_seed);
    assert_eq!(other.status.code(), Some(GO_EXIT));
    assert_ne!(random_line(&stdout(&other)), random);
}

#[test]
fn rust_component_runs_with_args_env_clocks_random_sleep_and_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let module = std::fs::read(fixture("rust-command.wasm")).unwrap();
    let guest = write_in(dir.path(), "rust-command.component.wasm", adapt(&module));
    // 5 s of wall time for a guest that sleeps 10 s: the virtual clock does not wait.
    let args = [
        "--timeout",
        "5",
        "--clock",
        &format!("virtual:{NOW}"),
        "--seed",
        "11",
        "--env",
        "GREETING=hallo",
        "--arg",
        "one",
    ];
    let first = run_guest(&guest, args);
    // `std::process::exit(3)`, through the adapter: `exit(err)`, so 1 (see `GO_EXIT`).
    assert_eq!(first.status.code(), Some(GO_EXIT), "{}", stderr(&first));
    let out = stdout(&first);
    let random = random_line(&out);
    assert_eq!(
        out,
        format!(
            "hello from rust\n\
             args: rust-command.component.wasm one\n\
             GREETING=hallo\n\
             now: {NOW}\n\
             slept: 10s\n\
             random: {random}\n"
        )
    );
    assert_eq!(stderr(&first), "warning: to stderr\n");
    let second = run_guest(&guest, args);
    assert_eq!(second.status.code(), Some(GO_EXIT));
    assert_eq!((second.stdout, second.stderr), (first.stdout, first.stderr));
}

#[test]
fn go_component_on_the_lifecycle_api_is_deterministic() {
    let module = std::fs::read(fixture("go-hello.wasm")).unwrap();
    let component = adapt(&module);
    // 5 s of wall time for a guest that sleeps 10 s: the virtual clock does not wait.
    let limits = Limits::default().timeout(Duration::from_secs(5));
    let engine = wasi_stubs::lifecycle::engine(&limits).unwrap();
    let guest = ComponentGuest::new(&engine, &component).unwrap();
    assert!(guest.is_command());
    let linker = guest.linker::<MinimalComponentHost>().unwrap();
    let run = || {
        let host = MinimalComponentHost::builder()
            .args(["go-hello", "x"])
            .clock(ClockSource::Virtual(NOW))
            .random(RandomSource::Seeded(42))
            .build_component();
        let started = Instant::now();
        let exited = guest.run(&linker, host, &limits).unwrap();
        assert!(started.elapsed() < Duration::from_secs(8));
        assert_eq!(i64::from(exited.code), i64::from(GO_EXIT));
        assert_eq!(exited.host.stderr(), b"warning: to stderr\n");
        exited.host.stdout().to_vec()
    };
    let first = run();
    let out = String::from_utf8(first.clone()).unwrap();
    let random = random_line(&out);
    assert_eq!(out, go_stdout("go-hello x", "", &random));
    assert_eq!(run(), first);
}

#[test]
fn go_component_with_the_system_clock_sleeps_and_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let guest = go_component(dir.path());
    // A real 10 s sleep, stopped by the time limit (compiling is not counted): 124, as for a
    // module.
    let o = run_guest(&guest, ["--timeout", "0.5"]);
    assert_eq!(o.status.code(), Some(124), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("hello from go\n"), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("stopped after the time limit of 0.5s"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn go_component_out_of_fuel_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    let guest = go_component(dir.path());
    let o = run_guest(&guest, ["--clock", "virtual", "--fuel", "1000"]);
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(stderr(&o).contains("used up its fuel (1000 units)"));
    // Go's runtime reserves more than 1 MiB of linear memory.
    let o = run_guest(&guest, ["--clock", "virtual", "--max-memory", "1Mi"]);
    assert_ne!(o.status.code(), Some(GO_EXIT), "{}", stderr(&o));
    assert_ne!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn trap_policy_stops_the_go_component_at_the_first_function_the_host_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let guest = go_component(dir.path());
    // The adapter lists the preopens when it starts: `get-directories` is a default answer.
    let o = run_guest(&guest, ["--clock", "virtual", "--policy", "trap"]);
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
    assert!(stderr(&o).contains("get-directories"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    // nosys and badf answer it: the guest runs to its exit.
    for policy in ["nosys", "badf"] {
        let o = run_guest(&guest, ["--clock", "virtual", "--policy", policy]);
        assert_eq!(o.status.code(), Some(GO_EXIT), "{policy}: {}", stderr(&o));
    }
}

#[test]
fn component_exit_codes_from_run_and_exit() {
    let dir = tempfile::tempdir().unwrap();
    // `run` returning err: exit code 1, as wasmtime.
    let err = wat_component(
        dir.path(),
        "err.wat",
        r#"(component
             (core module $m (func (export "run") (result i32) i32.const 1))
             (core instance $i (instantiate $m))
             (func $run (result (result)) (canon lift (core func $i "run")))
             (instance $r (export "run" (func $run)))
             (export "wasi:cli/run@0.2.0" (instance $r)))"#,
    );
    let o = run_guest(&err, ["--no-cache"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let ok = wat_component(
        dir.path(),
        "ok.wat",
        r#"(component
             (core module $m (func (export "run") (result i32) i32.const 0))
             (core instance $i (instantiate $m))
             (func $run (result (result)) (canon lift (core func $i "run")))
             (instance $r (export "run" (func $run)))
             (export "wasi:cli/run@0.2.3" (instance $r)))"#,
    );
    let o = run_guest(&ok, Vec::<&str>::new());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // `wasi:cli/exit.exit-with-code(300)`: above 255 is 255.
    let exit = wat_component(
        dir.path(),
        "exit.wat",
        r#"(component
             (import "wasi:cli/exit@0.2.12" (instance $exit
               (export "exit-with-code" (func (param "status-code" u8)))))
             (core func $exit (canon lower (func $exit "exit-with-code")))
             (core module $m
               (import "" "exit" (func $exit (param i32)))
               (func (export "run") (result i32) i32.const 77 call $exit unreachable))
             (core instance $i (instantiate $m (with "" (instance (export "exit" (func $exit))))))
             (func $run (result (result)) (canon lift (core func $i "run")))
             (instance $r (export "run" (func $run)))
             (export "wasi:cli/run@0.2.12" (instance $r)))"#,
    );
    let o = run_guest(&exit, Vec::<&str>::new());
    assert_eq!(o.status.code(), Some(77), "{}", stderr(&o));
    // A trap: 134, with the message.
    let trap = wat_component(
        dir.path(),
        "trap.wat",
        r#"(component
             (core module $m (func (export "run") (result i32) unreachable))
             (core instance $i (instantiate $m))
             (func $run (result (result)) (canon lift (core func $i "run")))
             (instance $r (export "run" (func $run)))
             (export "wasi:cli/run@0.2.0" (instance $r)))"#,
    );
    let o = run_guest(&trap, Vec::<&str>::new());
    assert_eq!(o.status.code(), Some(134), "{}", stderr(&o));
    assert!(stderr(&o).contains("unreachable"), "{}", stderr(&o));
    // A component that is not a command is instantiated, and that is all.
    let empty = write_in(dir.path(), "empty.wasm", b"\0asm\x0d\x00\x01\x00");
    let o = run_guest(&empty, Vec::<&str>::new());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// The one-line `error: FILE: ...` and exit status 2 of a component that cannot run.
fn assert_refused(o: &std::process::Output, file: &Path, words: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with(&format!("error: {}: ", file.display())),
        "{err}"
    );
    assert!(err.contains(words), "`{words}`: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn component_imports_the_host_lacks_are_refused_or_trap() {
    let dir = tempfile::tempdir().unwrap();
    let guest = wat_component(
        dir.path(),
        "unknown.wat",
        r#"(component
             (import "example:foo/bar" (instance $bar (export "baz" (func))))
             (core module $m (func (export "run") (result i32) i32.const 0))
             (core instance $i (instantiate $m))
             (func $run (result (result)) (canon lift (core func $i "run")))
             (instance $r (export "run" (func $run)))
             (export "wasi:cli/run@0.2.0" (instance $r)))"#,
    );
    let o = run_guest(&guest, Vec::<&str>::new());
    assert_refused(&o, &guest, "example:foo/bar");
    assert!(stderr(&o).contains("--trap-unknown-imports"));
    // Defined as traps, never called: the run goes on.
    let o = run_guest(&guest, ["--trap-unknown-imports"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // An import of another type than WASI's.
    let wrong = wat_component(
        dir.path(),
        "wrong.wat",
        r#"(component
             (import "wasi:cli/environment@0.2.0" (instance
               (export "get-arguments" (func (result u32))))))"#,
    );
    let o = run_guest(&wrong, Vec::<&str>::new());
    assert_refused(&o, &wrong, "get-arguments");
}

#[test]
fn options_that_do_not_apply_to_components_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let guest = go_component(dir.path());
    let tree = tempfile::tempdir().unwrap();
    let tree = tree.path().to_str().unwrap().to_string();
    for (options, words) in [
        (vec!["--dir", tree.as_str()], "--dir"),
        (vec!["--bad-input", "trap"], "--bad-input"),
        (vec!["--policy", "log"], "--policy log"),
    ] {
        let o = run_guest(&guest, &options);
        assert_refused(&o, &guest, words);
        assert!(stdout(&o).is_empty(), "{options:?}");
    }
}

#[test]
fn trace_prints_every_wit_call_with_its_arguments_and_answer() {
    let dir = tempfile::tempdir().unwrap();
    let guest = go_component(dir.path());
    let o = run_guest(
        &guest,
        [
            "--trace",
            "--clock",
            &format!("virtual:{NOW}"),
            "--seed",
            "7",
            "--env",
            "GREETING=hi",
        ],
    );
    assert_eq!(o.status.code(), Some(GO_EXIT), "{}", stderr(&o));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    // What the guest prints is untouched; the trace goes to stderr.
    assert!(stdout(&o).starts_with("hello from go\n"), "{}", stdout(&o));
    // The first line the guest writes: `hello from go\n`, 14 bytes, to the stdout stream.
    let write = lines
        .iter()
        .find(|l| {
            l.starts_with("wasi:io/streams#[method]output-stream.blocking-write-and-flush(self=")
                && l.ends_with(", contents=[14 bytes]) -> ok")
        })
        .unwrap_or_else(|| panic!("the write of the first line: {err}"));
    let handle = &write
        ["wasi:io/streams#[method]output-stream.blocking-write-and-flush(self=".len()..]
        .split(',')
        .next()
        .unwrap();
    assert!(
        lines.contains(&format!("wasi:cli/stdout#get-stdout() -> {handle}").as_str()),
        "stdout's handle {handle} comes from get-stdout: {err}"
    );
    for expected in [
        "wasi:cli/environment#get-environment() -> [(\"GREETING\", \"hi\")]",
        &format!(
            "wasi:clocks/wall-clock#now() -> {{seconds: {}, nanoseconds: {}}}",
            NOW / 1_000_000_000,
            NOW % 1_000_000_000
        ),
        "wasi:filesystem/preopens#get-directories() -> []",
        "wasi:cli/exit#exit(status=err) -> exit(1)",
    ] {
        assert!(lines.contains(&expected), "`{expected}` in: {err}");
    }
    assert!(
        lines.iter().any(
            |l| l.starts_with("wasi:random/random#get-random-bytes(len=") && l.ends_with(" bytes]")
        ),
        "{err}"
    );
    // The exit is the last call.
    assert_eq!(
        lines.last(),
        Some(&"wasi:cli/exit#exit(status=err) -> exit(1)")
    );
    // Without --trace, nothing of it.
    let quiet = run_guest(&guest, ["--clock", "virtual", "--env", "GREETING=hi"]);
    assert!(!stderr(&quiet).contains("wasi:"), "{}", stderr(&quiet));
}

/// A component exporting `add: func(a: u32, b: u32) -> u32` and, from the instance
/// `example:calc/ops`, `neg: func(x: s32) -> s32` and `classify: func(x: s32) -> option<sign>`
/// (`enum sign { negative, zero }`), without imports.
const CALC: &str = r#"(component
  (core module $m
    (memory (export "mem") 1)
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
    (func (export "neg") (param i32) (result i32) i32.const 0 local.get 0 i32.sub)
    (func (export "classify") (param i32) (result i32)
      (i32.store8 (i32.const 0) (i32.le_s (local.get 0) (i32.const 0)))
      (i32.store8 (i32.const 1) (i32.eqz (local.get 0)))
      i32.const 0)
    (func (export "sum") (param $at i32) (param $n i32) (result i32) (local $sum i32)
      (block $done (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $sum (i32.add (local.get $sum) (i32.load (local.get $at))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
      local.get $sum)
    (func (export "diff") (param i32 i32) (result i32) local.get 0 local.get 1 i32.sub)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 64))
  (core instance $i (instantiate $m))
  (type $sign (enum "negative" "zero"))
  (export $sign' "sign" (type $sign))
  (type $pair (record (field "a" u32) (field "b" u32)))
  (export $pair' "pair" (type $pair))
  (func (export "sum") (param "xs" (list u32)) (result u32)
    (canon lift (core func $i "sum") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
  (func (export "diff") (param "p" $pair') (result u32) (canon lift (core func $i "diff")))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $i "add")))
  (func $neg (param "x" s32) (result s32) (canon lift (core func $i "neg")))
  (func $classify (param "x" s32) (result (option $sign'))
    (canon lift (core func $i "classify") (memory (core memory $i "mem"))))
  (instance $ops (export "neg" (func $neg)) (export "classify" (func $classify)))
  (export "example:calc/ops" (instance $ops)))"#;

#[test]
fn invoke_calls_a_components_export_with_typed_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let calc = wat_component(dir.path(), "calc.wat", CALC);
    let o = run_guest(&calc, ["--invoke", "add", "2", "40"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "42\n");
    let o = run_guest(&calc, ["--invoke", "example:calc/ops#neg", "-4"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "4\n"),
        "{}",
        stderr(&o)
    );
    for (x, shown) in [("-3", "some(negative)"), ("0", "some(zero)"), ("5", "none")] {
        let o = run_guest(&calc, ["--invoke", "example:calc/ops#classify", x]);
        assert_eq!(stdout(&o), format!("{shown}\n"), "{}", stderr(&o));
    }
    // Lists, records and the rest in WAVE notation.
    for (invoke, shown) in [
        (["sum", "[1, 2, 39]"], "42\n"),
        (["sum", "[]"], "0\n"),
        (["diff", "{a: 10, b: 3}"], "7\n"),
    ] {
        let mut options = vec!["--invoke"];
        options.extend(invoke);
        let o = run_guest(&calc, &options);
        assert_eq!(stdout(&o), shown, "{invoke:?}: {}", stderr(&o));
    }
    // Mistakes are told before anything runs, each on one line with exit status 2.
    for (invoke, words) in [
        (
            vec!["sub", "1"],
            "no exported function `sub` (its functions: add, diff, example:calc/ops#classify, example:calc/ops#neg, sum)",
        ),
        (
            vec!["sum", "[1, -2]"],
            "argument `xs`: `[1, -2]` is not a valid list in WAVE notation",
        ),
        (
            vec!["diff", "{a: 10}"],
            "argument `p`: `{a: 10}` is not a valid record in WAVE notation",
        ),
        (
            vec!["add", "1"],
            "it takes 2 arguments (a: u32, b: u32), 1 given",
        ),
        (vec!["add", "1", "-1"], "argument `b`: `-1` is not a u32"),
        (
            vec!["example:calc/ops#neg", "x"],
            "argument `x`: `x` is not an s32",
        ),
    ] {
        let mut options = vec!["--invoke"];
        options.extend(invoke);
        let o = run_guest(&calc, &options);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(words), "`{words}`: {}", stderr(&o));
        assert!(stdout(&o).is_empty());
    }
    // A command's other exports can be called too; its `run` is an export like another.
    let guest = go_component(dir.path());
    let o = run_guest(&guest, ["--invoke", "wasi:cli/run@0.2.12#run"]);
    assert_eq!(o.status.code(), Some(GO_EXIT), "{}", stderr(&o));
}

#[test]
fn broken_components_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let go = go_component(dir.path());
    let bytes = std::fs::read(&go).unwrap();
    for (name, contents) in [
        ("truncated.wasm", bytes[..bytes.len() / 2].to_vec()),
        (
            "garbage.wasm",
            b"\0asm\x0d\x00\x01\x00\x7f\x7f\x7f".to_vec(),
        ),
    ] {
        let path = write_in(dir.path(), name, contents);
        let o = run_guest(&path, ["--no-cache"]);
        assert_refused(&o, &path, "");
    }
}
