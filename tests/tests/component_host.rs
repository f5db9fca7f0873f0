//! Components on `MinimalComponentHost`, run by `wasi_stubs::lifecycle::component`: the real
//! Rust wasip1 guest made a component by the preview1 command adapter (its stdout byte-exact on
//! a virtual clock and seeded random bytes), and components built here from WAT for the world
//! `wasi:cli/command` (a core module calling the host through the canonical ABI, encoded by
//! `wit-component`) for what that guest does not touch: args, environment, both clocks, random
//! bytes, exit codes, `wasi:io/poll` on a virtual and a system clock, and the run's limits.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use wasi_stubs::component::{Answer, NotImplemented, Policy};
use wasi_stubs::host::{
    ClockSource, Entropy, MinimalComponentHost, Output, RandomSource, VIRTUAL_MONOTONIC_START,
};
use wasi_stubs::lifecycle::component::ComponentGuest;
use wasi_stubs::lifecycle::{Exited, Limits, RunError, engine};
use wasi_stubs_codegen::wit::vendored::WASI_0_2;
use wasi_stubs_tests::components::{adapt_command, encode};

const RUST_GUEST: &[u8] = include_bytes!("../guests/fixtures/rust-component.wasm");

/// 2023-11-14T22:13:20Z, in ns.
const EPOCH_NS: u64 = 1_700_000_000_000_000_000;

/// The imports, memory, allocator and `$write` (to stdout) every WAT guest shares; a guest adds
/// its `run` and closes the module.
const PRELUDE: &str = r#"
(module
  (import "wasi:cli/stdout@0.2.12" "get-stdout" (func $get_stdout (result i32)))
  (import "wasi:io/streams@0.2.12" "[method]output-stream.blocking-write-and-flush"
    (func $write_and_flush (param i32 i32 i32 i32)))
  (import "wasi:cli/environment@0.2.12" "get-arguments" (func $get_args (param i32)))
  (import "wasi:cli/environment@0.2.12" "get-environment" (func $get_env (param i32)))
  (import "wasi:cli/exit@0.2.12" "exit" (func $exit (param i32)))
  (import "wasi:cli/exit@0.2.12" "exit-with-code" (func $exit_with_code (param i32)))
  (import "wasi:clocks/wall-clock@0.2.12" "now" (func $wall_now (param i32)))
  (import "wasi:clocks/monotonic-clock@0.2.12" "now" (func $mono_now (result i64)))
  (import "wasi:clocks/monotonic-clock@0.2.12" "subscribe-duration"
    (func $subscribe_duration (param i64) (result i32)))
  (import "wasi:io/poll@0.2.12" "poll" (func $poll (param i32 i32 i32)))
  (import "wasi:io/poll@0.2.12" "[resource-drop]pollable" (func $drop_pollable (param i32)))
  (import "wasi:random/random@0.2.12" "get-random-bytes" (func $random (param i64 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 8192))
  (global $stdout (mut i32) (i32.const -1))
  (data (i32.const 0) "\n=")
  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32)
    (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and
      (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
      (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  (func $write (param $ptr i32) (param $len i32)
    (if (i32.eq (global.get $stdout) (i32.const -1))
      (then (global.set $stdout (call $get_stdout))))
    (call $write_and_flush (global.get $stdout) (local.get $ptr) (local.get $len) (i32.const 256)))
  (func $mono (i64.store (i32.const 48) (call $mono_now)) (call $write (i32.const 48) (i32.const 8)))
"#;

/// The world `wasi:cli/command` of the vendored WIT, loaded once.
fn world() -> &'static wasi_stubs_codegen::wit::World {
    static WORLD: OnceLock<wasi_stubs_codegen::wit::World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("wasi-stubs-component-host-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let wit = WASI_0_2.write_to(&dir).unwrap();
        let world = wasi_stubs_codegen::wit::load(&wit, "wasi:cli/command").unwrap();
        std::fs::remove_dir_all(&dir).ok();
        world
    })
}

/// A command component whose `wasi:cli/run#run` is `run` (WAT: locals then instructions,
/// returning 0 for `ok`, 1 for `err`).
fn command(run: &str) -> Vec<u8> {
    let wat = format!(
        "{PRELUDE}\n  (func (export \"wasi:cli/run@0.2.12#run\") (result i32)\n{run}\n  ))"
    );
    let module = wat::parse_str(&wat).unwrap_or_else(|e| panic!("{e}\n{wat}"));
    let world = world();
    encode(module, world.resolve(), world.id())
}

/// Runs `component` on `host` under `limits`.
fn run(
    component: &[u8],
    host: MinimalComponentHost,
    limits: &Limits,
) -> Result<Exited<MinimalComponentHost>, RunError> {
    let engine = engine(limits).unwrap();
    let guest = ComponentGuest::new(&engine, component)?;
    let linker = guest.linker::<MinimalComponentHost>().unwrap();
    guest.run(&linker, host, limits)
}

fn virtual_host(seed: u64) -> wasi_stubs::host::MinimalHostBuilder {
    MinimalComponentHost::builder()
        .clock(ClockSource::Virtual(EPOCH_NS))
        .random(RandomSource::Seeded(seed))
}

fn seeded(seed: u64, n: usize) -> Vec<u8> {
    let mut bytes = vec![0; n];
    Entropy::new(RandomSource::Seeded(seed))
        .fill(&mut bytes)
        .unwrap();
    bytes
}

/// Prints each argument, each `KEY=VALUE`, the wall clock (seconds u64, nanoseconds u32), the
/// monotonic clock (u64) and 16 random bytes, then exits with 7.
const PRINTS_EVERYTHING: &str = r#"
    (local $list i32) (local $n i32) (local $i i32) (local $s i32)
    (call $get_args (i32.const 16))
    (local.set $list (i32.load (i32.const 16)))
    (local.set $n (i32.load (i32.const 20)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $s (i32.add (local.get $list) (i32.mul (local.get $i) (i32.const 8))))
      (call $write (i32.load (local.get $s)) (i32.load offset=4 (local.get $s)))
      (call $write (i32.const 0) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (call $get_env (i32.const 16))
    (local.set $list (i32.load (i32.const 16)))
    (local.set $n (i32.load (i32.const 20)))
    (local.set $i (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $s (i32.add (local.get $list) (i32.mul (local.get $i) (i32.const 16))))
      (call $write (i32.load (local.get $s)) (i32.load offset=4 (local.get $s)))
      (call $write (i32.const 1) (i32.const 1))
      (call $write (i32.load offset=8 (local.get $s)) (i32.load offset=12 (local.get $s)))
      (call $write (i32.const 0) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (call $wall_now (i32.const 32))
    (call $write (i32.const 32) (i32.const 12))
    (call $mono)
    (call $random (i64.const 16) (i32.const 16))
    (call $write (i32.load (i32.const 16)) (i32.load offset=4 (i32.const 16)))
    (call $exit_with_code (i32.const 7))
    unreachable
"#;

#[test]
fn a_component_sees_args_env_clocks_and_seeded_random_and_exits_with_its_code() {
    let component = command(PRINTS_EVERYTHING);
    let host = || {
        virtual_host(42)
            .args(["prog", "first arg"])
            .env("GREETING", "hello")
            .env("EMPTY", "")
            .build_component()
    };
    let exited = run(&component, host(), &Limits::default()).unwrap();
    assert_eq!(exited.code, 7);
    let mut expected = b"prog\nfirst arg\nGREETING=hello\nEMPTY=\n".to_vec();
    expected.extend_from_slice(&1_700_000_000u64.to_le_bytes());
    expected.extend_from_slice(&0u32.to_le_bytes());
    expected.extend_from_slice(&VIRTUAL_MONOTONIC_START.to_le_bytes());
    expected.extend_from_slice(&seeded(42, 16));
    assert_eq!(exited.host.stdout(), expected);
    assert!(exited.host.stderr().is_empty());

    // The same guest, the same host: the same bytes.
    let again = run(&component, host(), &Limits::default()).unwrap();
    assert_eq!(again.host.stdout(), exited.host.stdout());
}

#[test]
fn run_results_and_exit_give_exit_codes() {
    let cases = [
        ("(call $write (i32.const 0) (i32.const 1)) (i32.const 0)", 0),
        ("(i32.const 1)", 1),
        ("(call $exit (i32.const 0)) unreachable", 0),
        ("(call $exit (i32.const 1)) unreachable", 1),
        ("(call $exit_with_code (i32.const 255)) unreachable", 255),
    ];
    for (body, code) in cases {
        let exited = run(
            &command(body),
            MinimalComponentHost::default(),
            &Limits::default(),
        )
        .unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(exited.code, code, "{body}");
    }
}

#[test]
fn stdout_goes_to_the_same_output_targets_as_for_modules() {
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let sink = lines.clone();
    let host = MinimalComponentHost::builder()
        .args(["a", "b"])
        .stdout(Output::callback(move |bytes| {
            sink.lock().unwrap().extend_from_slice(bytes)
        }))
        .build_component();
    let body = r#"
      (call $get_args (i32.const 16))
      (call $write (i32.load offset=8 (i32.load (i32.const 16)))
                   (i32.load offset=12 (i32.load (i32.const 16))))
      (i32.const 0)"#;
    let exited = run(&command(body), host, &Limits::default()).unwrap();
    assert_eq!(exited.code, 0);
    assert_eq!(*lines.lock().unwrap(), b"b");
    assert!(exited.host.stdout().is_empty());
}

/// Sleeps 10 s through `wasi:io/poll.poll`, then prints the ready indices (u32 each) and the
/// monotonic clock.
const SLEEPS_TEN_SECONDS: &str = r#"
    (i32.store (i32.const 64) (call $subscribe_duration (i64.const 10_000_000_000)))
    (call $poll (i32.const 64) (i32.const 1) (i32.const 72))
    (call $write (i32.load (i32.const 72)) (i32.mul (i32.load offset=4 (i32.const 72)) (i32.const 4)))
    (call $drop_pollable (i32.load (i32.const 64)))
    (call $mono)
    (i32.const 0)
"#;

#[test]
fn a_ten_second_poll_on_a_virtual_clock_returns_at_once() {
    let began = Instant::now();
    let exited = run(
        &command(SLEEPS_TEN_SECONDS),
        virtual_host(1).build_component(),
        &Limits::default(),
    )
    .unwrap();
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "{:?}",
        began.elapsed()
    );
    assert_eq!(exited.code, 0);
    let mut expected = 0u32.to_le_bytes().to_vec();
    expected.extend_from_slice(&(VIRTUAL_MONOTONIC_START + 10_000_000_000).to_le_bytes());
    assert_eq!(exited.host.stdout(), expected);
    // The pollable was dropped; the stdout stream is still held.
    assert_eq!(exited.host.handles(), 1);
}

#[test]
fn a_poll_on_the_system_clock_ends_at_the_run_deadline() {
    let limits = Limits::default().timeout(Duration::from_millis(300));
    let began = Instant::now();
    let error = run(
        &command(SLEEPS_TEN_SECONDS),
        MinimalComponentHost::default(),
        &limits,
    )
    .unwrap_err();
    assert!(
        matches!(error, RunError::Timeout(t) if t == Duration::from_millis(300)),
        "{error}"
    );
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "{:?}",
        began.elapsed()
    );
}

#[test]
fn a_spinning_component_times_out_or_runs_out_of_fuel() {
    let spin = command("(loop $forever (br $forever)) unreachable");
    let limits = Limits::default().timeout(Duration::from_millis(200));
    let began = Instant::now();
    let error = run(&spin, MinimalComponentHost::default(), &limits).unwrap_err();
    assert!(matches!(error, RunError::Timeout(_)), "{error}");
    assert!(began.elapsed() < Duration::from_secs(5));

    let limits = Limits::default().fuel(100_000);
    let error = run(&spin, MinimalComponentHost::default(), &limits).unwrap_err();
    assert!(matches!(error, RunError::OutOfFuel(100_000)), "{error}");
}

#[test]
fn memory_growth_past_the_limit_fails_in_the_guest() {
    // `memory.grow` past `max_memory` answers -1, as out of memory.
    let body = r#"
      (i32.store (i32.const 64) (memory.grow (i32.const 100)))
      (call $write (i32.const 64) (i32.const 4))
      (i32.store (i32.const 64) (memory.grow (i32.const 1)))
      (call $write (i32.const 64) (i32.const 4))
      (i32.const 0)"#;
    let limits = Limits::default().max_memory(4 << 16);
    let exited = run(&command(body), MinimalComponentHost::default(), &limits).unwrap();
    let mut expected = (-1i32).to_le_bytes().to_vec();
    expected.extend_from_slice(&1i32.to_le_bytes());
    assert_eq!(exited.host.stdout(), expected);
}

#[test]
fn a_component_can_be_instantiated_and_its_exports_called() {
    let limits = Limits::default();
    let engine = engine(&limits).unwrap();
    let guest = ComponentGuest::new(&engine, command("(call $mono) (i32.const 1)")).unwrap();
    assert!(guest.is_command());
    let linker = guest.linker::<MinimalComponentHost>().unwrap();
    let mut instance = guest
        .instantiate(&linker, virtual_host(0).build_component(), &limits)
        .unwrap();
    let (result,): (Result<(), ()>,) = instance
        .call(Some("wasi:cli/run@0.2.12"), "run", ())
        .unwrap();
    assert_eq!(result, Err(()));
    assert_eq!(
        instance.host().stdout(),
        VIRTUAL_MONOTONIC_START.to_le_bytes()
    );
    let results = instance
        .call_dynamic(Some("wasi:cli/run@0.2.12"), "run", &[])
        .unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(instance.host().stdout().len(), 16);
    let error = instance.call::<(), ()>(None, "nothing", ()).unwrap_err();
    assert!(error.to_string().contains("nothing"), "{error}");
}

#[test]
fn a_component_without_run_is_not_a_command() {
    // A component that exports nothing.
    let limits = Limits::default();
    let engine = engine(&limits).unwrap();
    let guest = ComponentGuest::new(&engine, "(component)").unwrap();
    assert!(!guest.is_command());
    let linker = guest.linker::<MinimalComponentHost>().unwrap();
    let error = guest
        .run(&linker, MinimalComponentHost::default(), &limits)
        .unwrap_err();
    assert!(matches!(error, RunError::WrongKind { .. }), "{error}");
    // Not a component at all.
    let error = ComponentGuest::new(&engine, b"\0asm\x01\0\0\0").unwrap_err();
    assert!(matches!(error, RunError::Compile(_)), "{error}");
}

/// The real Rust guest, adapted.
fn adapted_rust_guest() -> Vec<u8> {
    adapt_command(RUST_GUEST)
}

#[test]
fn the_adapted_rust_guest_runs_on_the_minimal_component_host_byte_exactly() {
    let component = adapted_rust_guest();
    let exited = run(
        &component,
        virtual_host(42).build_component(),
        &Limits::default().timeout(Duration::from_secs(60)),
    )
    .unwrap();
    assert_eq!(exited.code, 0);
    let hex: String = seeded(42, 16).iter().map(|b| format!("{b:02x}")).collect();
    let long: String = (0..5000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let expected = format!(
        "hello from a component\n\
         now: 1700000000.000000000\n\
         random: {hex} (errno 0)\n\
         {long}\n"
    );
    assert_eq!(String::from_utf8_lossy(exited.host.stdout()), expected);
    assert!(exited.host.stderr().is_empty());

    // Every function it calls is the host's own but `get-directories`, the one default.
    let strict = virtual_host(42).build_component().with_policy(
        Policy::TRAP.answer_for("wasi:filesystem/preopens#get-directories", Answer::Default),
    );
    let exited = run(&component, strict, &Limits::default()).unwrap();
    assert_eq!(String::from_utf8_lossy(exited.host.stdout()), expected);
}

#[test]
fn the_host_policy_decides_the_defaults() {
    // `wasi:cli/environment#initial-cwd` is the host's; a trapping policy reaches what is not.
    let body = r#"(call $get_args (i32.const 16)) (i32.const 0)"#;
    let host = MinimalComponentHost::default().with_policy(Policy::TRAP);
    assert_eq!(
        run(&command(body), host, &Limits::default()).unwrap().code,
        0
    );
    let engine = engine(&Limits::default()).unwrap();
    let guest = ComponentGuest::new(&engine, adapted_rust_guest()).unwrap();
    let linker = guest.linker::<MinimalComponentHost>().unwrap();
    let error = guest
        .run(
            &linker,
            MinimalComponentHost::default().with_policy(Policy::TRAP),
            &Limits::default(),
        )
        .unwrap_err();
    let RunError::Trap(error) = error else {
        panic!("{error}")
    };
    let trap = error.downcast_ref::<NotImplemented>().unwrap();
    assert_eq!(
        trap.function,
        "wasi:filesystem/preopens@0.2.12#get-directories"
    );
}

#[test]
fn imports_outside_the_world_are_refused_by_name_or_defined_as_traps() {
    let limits = Limits::default();
    let engine = engine(&limits).unwrap();
    let guest = ComponentGuest::new(
        &engine,
        r#"(component (import "my:custom/thing" (instance (export "f" (func)))))"#,
    )
    .unwrap();
    let linker = guest.linker::<MinimalComponentHost>().unwrap();
    let error = guest
        .instantiate(&linker, MinimalComponentHost::default(), &limits)
        .err()
        .unwrap();
    match &error {
        RunError::MissingImports(names) => assert_eq!(names, &["my:custom/thing#f"]),
        other => panic!("{other}"),
    }

    // A function of a WASI interface that the host links with another type is a link error.
    let guest = ComponentGuest::new(
        &engine,
        r#"(component (import "wasi:cli/exit@0.2.12" (instance (export "exit" (func (param "code" u32))))))"#,
    )
    .unwrap();
    let error = guest
        .instantiate(&linker, MinimalComponentHost::default(), &limits)
        .err()
        .unwrap();
    assert!(matches!(error, RunError::Link(_)), "{error}");
    assert!(
        error.to_string().contains("wasi:cli/exit@0.2.12"),
        "{error}"
    );

    let guest = ComponentGuest::new(
        &engine,
        r#"(component (import "my:custom/thing" (instance (export "f" (func)))))"#,
    )
    .unwrap();
    let limits = Limits::default().trap_unknown_imports(true);
    let instance = guest
        .instantiate(&linker, MinimalComponentHost::default(), &limits)
        .unwrap();
    assert!(instance.into_host().stdout().is_empty());
}
