//! The minimal host and the guest lifecycle, on real Go, Rust and C guests and on WAT guests.

use std::path::Path;
use std::sync::Mutex;

use wasi_stubs::host::{ClockSource, Entropy, MinimalHost, Output, RandomSource};
use wasi_stubs::lifecycle::{self, Guest, Kind, Limits, RunError};
use wasi_stubs::{OnNotImplemented, Policy};
use wasmtime::Engine;

const START: u64 = 1_700_000_000_123_456_789;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("guests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The bytes a host seeded with `seed` hands out after `skip` bytes.
fn seeded_bytes(seed: u64, skip: usize, n: usize) -> String {
    let mut entropy = Entropy::new(RandomSource::Seeded(seed));
    let mut buf = vec![0; skip + n];
    entropy.fill(&mut buf[..skip]).unwrap();
    entropy.fill(&mut buf[skip..]).unwrap();
    buf[skip..].iter().map(|b| format!("{b:02x}")).collect()
}

/// The fixture compiled once per test process (compiling a Go guest takes a while in a debug
/// build), on an engine for the default limits.
fn compiled(name: &str) -> Guest {
    static CACHE: Mutex<Vec<(String, Guest)>> = Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap();
    if let Some((_, guest)) = cache.iter().find(|(n, _)| n == name) {
        return guest.clone();
    }
    let engine = lifecycle::engine(&Limits::default()).unwrap();
    let guest = Guest::new(&engine, fixture(name)).unwrap();
    cache.push((name.to_string(), guest.clone()));
    guest
}

type Outcome = Result<(u32, String, String), RunError>;

fn run_fixture(name: &str, host: MinimalHost, limits: &Limits) -> Outcome {
    finish(&compiled(name), host, limits)
}

fn run(guest: &[u8], host: MinimalHost, limits: &Limits) -> Outcome {
    let engine = lifecycle::engine(limits).unwrap();
    let guest = Guest::new(&engine, guest)?;
    finish(&guest, host, limits)
}

fn finish(guest: &Guest, host: MinimalHost, limits: &Limits) -> Outcome {
    assert_eq!(guest.kind(), Kind::Command);
    let linker = guest.linker::<MinimalHost>().unwrap();
    let exited = guest.run(&linker, host, limits)?;
    Ok((
        exited.code,
        String::from_utf8_lossy(exited.host.stdout()).into_owned(),
        String::from_utf8_lossy(exited.host.stderr()).into_owned(),
    ))
}

fn go_host(clock: ClockSource) -> MinimalHost {
    MinimalHost::builder()
        .args(["go-hello", "a", "b c"])
        .env("GREETING", "hi")
        .clock(clock)
        .random(RandomSource::Seeded(7))
        .build()
}

#[test]
fn go_command_runs_to_its_output_and_exit_code_on_a_virtual_clock() {
    let started = std::time::Instant::now();
    let (code, stdout, stderr) = run_fixture(
        "go-hello.wasm",
        go_host(ClockSource::Virtual(START)),
        &Limits::default(),
    )
    .unwrap();
    // Go's runtime draws a 32-byte seed first; crypto/rand's 8 bytes come next.
    let random = seeded_bytes(7, 32, 8);
    assert_eq!(
        stdout,
        format!(
            "hello from go\nargs: [go-hello a b c]\nGREETING=hi\nnow: {START}\nslept: 10s\nrandom: {random}\n"
        )
    );
    assert_eq!(stderr, "warning: to stderr\n");
    assert_eq!(code, 3);
    // The guest slept 10 s on the virtual clock, and the host did not wait for it.
    assert!(started.elapsed() < std::time::Duration::from_secs(9));
}

#[test]
fn a_fixed_clock_and_a_seed_give_the_same_bytes_every_run() {
    let first = run_fixture(
        "go-hello.wasm",
        go_host(ClockSource::Fixed(START)),
        &Limits::default(),
    )
    .unwrap();
    let second = run_fixture(
        "go-hello.wasm",
        go_host(ClockSource::Fixed(START)),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(first, second);
    assert!(
        first.1.contains(&format!("now: {START}\nslept: 10s\n")),
        "{}",
        first.1
    );

    // Another seed gives other random bytes, and nothing else changes.
    let mut host = go_host(ClockSource::Fixed(START));
    host.random = Entropy::new(RandomSource::Seeded(8));
    let third = run_fixture("go-hello.wasm", host, &Limits::default()).unwrap();
    assert_ne!(first.1, third.1);
    assert_eq!(first.1.lines().count(), third.1.lines().count());
}

#[test]
fn go_reactor_exports_are_callable_after_initialize() {
    let limits = Limits::default();
    let engine = lifecycle::engine(&limits).unwrap();
    let guest = Guest::new(&engine, fixture("go-reactor.wasm")).unwrap();
    let _ = &engine;
    assert_eq!(guest.kind(), Kind::Reactor);
    let linker = guest.linker::<MinimalHost>().unwrap();
    let mut reactor = guest
        .initialize(&linker, MinimalHost::default(), &limits)
        .unwrap();
    assert_eq!(reactor.call::<(i32, i32), i32>("add", (2, 40)).unwrap(), 42);
    reactor.call::<i32, ()>("greet", 7).unwrap();
    reactor.call::<i32, ()>("greet", 8).unwrap();
    reactor.call::<(), ()>("warn", ()).unwrap();
    assert_eq!(reactor.host().stdout(), b"hello 7\nhello 8\n");
    assert_eq!(reactor.host().stderr(), b"careful\n");
    // A reactor is not a command.
    let err = guest
        .run(&linker, MinimalHost::default(), &limits)
        .unwrap_err();
    assert!(
        matches!(
            err,
            RunError::WrongKind {
                found: Kind::Reactor,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn rust_command_runs_on_the_minimal_host() {
    let host = MinimalHost::builder()
        .args(["rust-hello.wasm", "x"])
        .env("GREETING", "hey")
        .clock(ClockSource::Virtual(START))
        .random(RandomSource::Seeded(1))
        .build();
    let (code, stdout, stderr) = run_fixture("rust-hello.wasm", host, &Limits::default()).unwrap();
    let random = seeded_bytes(1, 0, 8);
    assert_eq!(
        stdout,
        format!(
            "hello from rust\nargs: [\"rust-hello.wasm\", \"x\"]\nGREETING=hey\nnow: 1700000000.123456789\n\
             instant ok: true\nelapsed_ns: 0\nrandom: {random}\nrandom errno: 0\n"
        )
    );
    assert_eq!(stderr, "warning: to stderr\n");
    assert_eq!(code, 0);
}

#[test]
fn c_command_runs_on_the_minimal_host() {
    let host = |args: &[&str]| {
        MinimalHost::builder()
            .args(args.iter().copied())
            .clock(ClockSource::Fixed(START))
            .random(RandomSource::Seeded(3))
            .build()
    };
    let (code, stdout, stderr) = run_fixture(
        "c-hello.wasm",
        host(&["c-hello", "one"]),
        &Limits::default(),
    )
    .unwrap();
    let random = seeded_bytes(3, 0, 8);
    assert_eq!(
        stdout,
        format!(
            "hello from c\nargc: 2\nargv[0]: c-hello\nargv[1]: one\nGREETING=(unset)\n\
             now: 1700000000.123456789\nrandom: {random}\n"
        )
    );
    assert_eq!(stderr, "warning: to stderr\n");
    assert_eq!(code, 0);

    let (code, _, _) = run_fixture(
        "c-hello.wasm",
        host(&["c-hello", "fail"]),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(code, 7);
}

#[test]
fn the_trap_policy_stops_a_guest_at_a_function_the_host_lacks() {
    // Go's start-up calls fd_fdstat_set_flags, which the minimal host does not implement.
    let limits =
        Limits::default().policy(Policy::default().not_implemented(OnNotImplemented::Trap));
    let err = run_fixture(
        "go-hello.wasm",
        go_host(ClockSource::Virtual(START)),
        &limits,
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("fd_fdstat_set_flags: not implemented by this host"),
        "{message}"
    );
    // Per function: only that one traps, and it is the one named.
    let limits = Limits::default().policy(
        Policy::default().not_implemented_for("fd_fdstat_set_flags", OnNotImplemented::Trap),
    );
    let err = run_fixture(
        "go-hello.wasm",
        go_host(ClockSource::Virtual(START)),
        &limits,
    )
    .unwrap_err();
    assert!(err.to_string().contains("fd_fdstat_set_flags"), "{err}");
}

const LOOPING: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; Looks for a preopen it will never get, forever.
  (func (export "_start")
    (loop $again
      (drop (call $prestat (i32.const 3) (i32.const 0)))
      (br $again))))
"#;

#[test]
fn a_guest_looping_on_fd_prestat_get_is_stopped_by_fuel() {
    let limits = Limits::default().fuel(1_000_000);
    let err = run(LOOPING.as_bytes(), MinimalHost::default(), &limits).unwrap_err();
    assert!(matches!(err, RunError::OutOfFuel(1_000_000)), "{err}");
    assert_eq!(
        err.to_string(),
        "the guest used up its fuel (1000000 units)"
    );
}

#[test]
fn a_guest_looping_on_fd_prestat_get_is_stopped_by_a_timeout() {
    let limits = Limits::default().timeout(std::time::Duration::from_millis(200));
    let err = run(LOOPING.as_bytes(), MinimalHost::default(), &limits).unwrap_err();
    assert!(matches!(err, RunError::Timeout(_)), "{err}");
    assert!(err.to_string().contains("time limit of 200ms"), "{err}");
}

#[test]
fn runs_sharing_an_engine_keep_their_own_time_limits() {
    // One engine, as a server has, whose epoch other runs move (their watchdogs at their
    // deadlines, the async ticker): moved every millisecond all through a run with a long time
    // limit, it does not stop that run, which sleeps and then runs wasm again.
    let long = Limits::default().timeout(std::time::Duration::from_secs(60));
    let engine = lifecycle::engine(&long).unwrap();
    let guest = Guest::new(&engine, fixture("rust-sleep.wasm")).unwrap();
    let sleeper = {
        let guest = guest.clone();
        let host = MinimalHost::builder().args(["rust-sleep", "300"]).build();
        std::thread::spawn(move || finish(&guest, host, &long))
    };
    while !sleeper.is_finished() {
        engine.increment_epoch();
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let (code, stdout, _) = sleeper.join().unwrap().unwrap();
    assert_eq!(code, 0);
    assert!(stdout.starts_with("slept "), "{stdout:?}");
    // And a guest that spins on the same engine still stops at its own, short, limit; a run
    // without a time limit on it is not stopped at once either.
    let short = Limits::default().timeout(std::time::Duration::from_millis(200));
    let host = MinimalHost::builder().args(["rust-sleep", "spin"]).build();
    let err = finish(&guest, host, &short).unwrap_err();
    assert!(matches!(err, RunError::Timeout(_)), "{err}");
    let host = MinimalHost::builder().args(["rust-sleep", "0"]).build();
    let (code, _, _) = finish(&guest, host, &Limits::default()).unwrap();
    assert_eq!(code, 0);
}

/// A command that writes a million bytes at a time to stdout until `fd_write` fails, then exits
/// with its errno if a write of nothing still writes nothing (99 if not).
const FLOOD: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 17)
  (func (export "_start") (local $errno i32)
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 1000000))
    (loop $again
      (local.set $errno (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (br_if $again (i32.eqz (local.get $errno))))
    (i32.store (i32.const 4) (i32.const 0))
    (if (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))
      (then (call $exit (i32.const 99))))
    (call $exit (local.get $errno))))"#;

#[test]
fn a_guest_writing_for_ever_fills_a_buffer_to_its_limit_then_gets_enospc() {
    let (code, stdout, _) =
        run(FLOOD.as_bytes(), MinimalHost::default(), &Limits::default()).unwrap();
    // 67 whole writes, a short one up to the limit, then ENOSPC (51).
    assert_eq!((code, stdout.len()), (51, wasi_stubs::host::MAX_BUFFER));
}

/// A command whose start function (run while instantiating) calls WASI, then loops forever if
/// `spin`.
fn with_start_function(spin: bool) -> String {
    format!(
        r#"
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $start
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (loop $again (br_if $again (i32.const {spin}))))
  (start $start)
  (func (export "_start")))
"#,
        spin = i32::from(spin)
    )
}

#[test]
fn a_start_function_runs_under_the_limits() {
    // Within the limits, it runs: fuel and the epoch deadline are set before it, not only
    // before `_start`.
    for limits in [
        Limits::default().fuel(1_000_000),
        Limits::default().timeout(std::time::Duration::from_secs(30)),
    ] {
        let outcome = run(
            with_start_function(false).as_bytes(),
            MinimalHost::default(),
            &limits,
        )
        .unwrap_or_else(|e| panic!("{limits:?}: {e}"));
        assert_eq!(outcome.0, 0);
    }
    // Past them, it is stopped like any guest code.
    let spin = with_start_function(true);
    let limits = Limits::default().fuel(1_000_000);
    let err = run(spin.as_bytes(), MinimalHost::default(), &limits).unwrap_err();
    assert!(matches!(err, RunError::OutOfFuel(1_000_000)), "{err}");
    let limits = Limits::default().timeout(std::time::Duration::from_millis(200));
    let err = run(spin.as_bytes(), MinimalHost::default(), &limits).unwrap_err();
    assert!(matches!(err, RunError::Timeout(_)), "{err}");
}

#[test]
fn a_module_that_does_not_compile_or_link_says_which() {
    let engine = Engine::default();
    let err = Guest::new(&engine, "(module (func (result i32)))").unwrap_err();
    assert!(matches!(err, RunError::Compile(_)), "{err}");
    let guest = Guest::new(
        &engine,
        r#"(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32))) (func (export "_start")))"#,
    )
    .unwrap();
    let linker = guest.linker::<MinimalHost>().unwrap();
    let err = guest
        .run(&linker, MinimalHost::default(), &Limits::default())
        .unwrap_err();
    assert!(matches!(err, RunError::Link(_)), "{err}");
    assert!(err.to_string().contains("fd_write"), "{err}");
}

#[test]
fn a_module_exporting_both_start_and_initialize_is_refused() {
    let engine = Engine::default();
    let wat = r#"(module (func (export "_start")) (func (export "_initialize")))"#;
    let err = Guest::new(&engine, wat).unwrap_err();
    assert!(matches!(err, RunError::Ambiguous));
    assert!(err.to_string().contains("both `_start` and `_initialize`"));
}

#[test]
fn a_library_needs_no_initialisation() {
    let engine = Engine::default();
    let guest = Guest::new(
        &engine,
        r#"(module (func (export "seven") (result i32) (i32.const 7)))"#,
    )
    .unwrap();
    assert_eq!(guest.kind(), Kind::Library);
    let linker = guest.linker::<MinimalHost>().unwrap();
    let mut lib = guest
        .initialize(&linker, MinimalHost::default(), &Limits::default())
        .unwrap();
    assert_eq!(lib.call::<(), i32>("seven", ()).unwrap(), 7);
}

const FOREIGN: &str = r#"
(module
  (import "env" "answer" (func $answer (result i32)))
  (import "host" "log" (func $log (param i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (import "env" "answer" (func $answer_again (result i32)))
  (func (export "_start") (call $log (call $answer)))
  (func (export "yield") (result i32) (call $yield)))
"#;

#[test]
fn imports_of_other_modules_are_named_defined_or_trapped() {
    let engine = Engine::default();
    let guest = Guest::new(&engine, FOREIGN).unwrap();
    let mut linker = guest.linker::<MinimalHost>().unwrap();
    let err = guest
        .run(&linker, MinimalHost::default(), &Limits::default())
        .unwrap_err();
    match &err {
        RunError::MissingImports(names) => assert_eq!(names, &["env::answer", "host::log"]),
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("env::answer, host::log"));

    // Trapped: it instantiates, and the first call of a missing import traps.
    let limits = Limits::default().trap_unknown_imports(true);
    let err = guest
        .run(&linker, MinimalHost::default(), &limits)
        .unwrap_err();
    assert!(matches!(err, RunError::Trap(_)), "{err}");

    // Defined by the host.
    linker.func_wrap("env", "answer", || 42).unwrap();
    linker
        .func_wrap(
            "host",
            "log",
            |mut caller: wasmtime::Caller<'_, wasi_stubs::Ctx<MinimalHost>>, v: i32| {
                caller
                    .data_mut()
                    .stdio
                    .stdout
                    .write(format!("{v}\n").as_bytes());
            },
        )
        .unwrap();
    let exited = guest
        .run(&linker, MinimalHost::default(), &Limits::default())
        .unwrap();
    assert_eq!((exited.code, exited.host.stdout()), (0, &b"42\n"[..]));
}

/// A WAT guest on the minimal host, for the calls the real guests do not make.
fn wat_reactor(wat: &str, host: MinimalHost, policy: Policy) -> lifecycle::Reactor<MinimalHost> {
    let limits = Limits::default().policy(policy);
    let engine = lifecycle::engine(&limits).unwrap();
    let guest = Guest::new(&engine, wat).unwrap();
    let linker = guest.linker::<MinimalHost>().unwrap();
    guest.initialize(&linker, host, &limits).unwrap()
}

fn memory(reactor: &mut lifecycle::Reactor<MinimalHost>) -> Vec<u8> {
    let (store, instance) = reactor.parts();
    let memory = instance.get_memory(&mut *store, "memory").unwrap();
    memory.data(&*store).to_vec()
}

const POLL: &str = r#"
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $now (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "poll") (param $n i32) (result i32)
    (call $poll (i32.const 1024) (i32.const 4096) (local.get $n) (i32.const 8)))
  (func (export "now") (param $id i32) (result i32)
    (call $now (local.get $id) (i64.const 1) (i32.const 16))))
"#;

/// A preview1 clock subscription: 48 bytes.
fn clock_sub(userdata: u64, clock: u32, timeout: u64, abstime: bool) -> Vec<u8> {
    let mut b = vec![0u8; 48];
    b[0..8].copy_from_slice(&userdata.to_le_bytes());
    b[8] = 0;
    b[16..20].copy_from_slice(&clock.to_le_bytes());
    b[24..32].copy_from_slice(&timeout.to_le_bytes());
    b[40..42].copy_from_slice(&u16::from(abstime).to_le_bytes());
    b
}

fn fd_sub(userdata: u64, kind: u8, fd: u32) -> Vec<u8> {
    let mut b = vec![0u8; 48];
    b[0..8].copy_from_slice(&userdata.to_le_bytes());
    b[8] = kind;
    b[16..20].copy_from_slice(&fd.to_le_bytes());
    b
}

fn set(reactor: &mut lifecycle::Reactor<MinimalHost>, at: usize, bytes: &[u8]) {
    let (store, instance) = reactor.parts();
    let memory = instance.get_memory(&mut *store, "memory").unwrap();
    memory.data_mut(&mut *store)[at..at + bytes.len()].copy_from_slice(bytes);
}

fn events(mem: &[u8], n: usize) -> Vec<(u64, u16, u8)> {
    (0..n)
        .map(|i| {
            let e = &mem[4096 + 32 * i..4096 + 32 * (i + 1)];
            (
                u64::from_le_bytes(e[0..8].try_into().unwrap()),
                u16::from_le_bytes([e[8], e[9]]),
                e[10],
            )
        })
        .collect()
}

#[test]
fn poll_oneoff_writes_one_event_per_fired_clock_subscription() {
    let host = MinimalHost::builder()
        .clock(ClockSource::Virtual(START))
        .build();
    let mut r = wat_reactor(POLL, host, Policy::default());
    // Relative 5 ms on monotonic, relative 1 s, absolute START + 5 ms on realtime, relative 5 ms
    // on realtime: the three that end at 5 ms fire, the 1 s one does not.
    let subs = [
        clock_sub(1, 1, 5_000_000, false),
        clock_sub(2, 1, 1_000_000_000, false),
        clock_sub(3, 0, START + 5_000_000, true),
        clock_sub(4, 0, 5_000_000, false),
    ]
    .concat();
    set(&mut r, 1024, &subs);
    assert_eq!(r.call::<i32, i32>("poll", 4).unwrap(), 0);
    let mem = memory(&mut r);
    assert_eq!(u32::from_le_bytes(mem[8..12].try_into().unwrap()), 3);
    assert_eq!(events(&mem, 3), [(1, 0, 0), (3, 0, 0), (4, 0, 0)]);
    assert_eq!(&mem[4096 + 96..4096 + 128], &[0; 32], "no fourth event");
    // The virtual clock moved by exactly 5 ms.
    let virtual_start = wasi_stubs::host::VIRTUAL_MONOTONIC_START;
    assert_eq!(r.call::<i32, i32>("now", 1).unwrap(), 0);
    assert_eq!(
        u64::from_le_bytes(memory(&mut r)[16..24].try_into().unwrap()),
        virtual_start + 5_000_000
    );

    // An absolute deadline on the monotonic clock, 1 s past its start: it waits 995 ms.
    set(
        &mut r,
        1024,
        &clock_sub(9, 1, virtual_start + 1_000_000_000, true),
    );
    assert_eq!(r.call::<i32, i32>("poll", 1).unwrap(), 0);
    assert_eq!(events(&memory(&mut r), 1), [(9, 0, 0)]);
    assert_eq!(r.call::<i32, i32>("now", 1).unwrap(), 0);
    assert_eq!(
        u64::from_le_bytes(memory(&mut r)[16..24].try_into().unwrap()),
        virtual_start + 1_000_000_000
    );
}

#[test]
fn poll_oneoff_with_fd_subscriptions_does_not_sleep() {
    let host = MinimalHost::builder()
        .clock(ClockSource::Virtual(START))
        .stdin("abc")
        .build();
    let mut r = wat_reactor(POLL, host, Policy::default());
    let subs = [
        clock_sub(1, 1, 5_000_000, false),
        fd_sub(2, 2, 1), // fd_write on stdout: ready
        fd_sub(3, 1, 0), // fd_read on stdin: 3 bytes
        fd_sub(4, 1, 9), // fd_read on fd 9: EBADF
    ]
    .concat();
    set(&mut r, 1024, &subs);
    assert_eq!(r.call::<i32, i32>("poll", 4).unwrap(), 0);
    let mem = memory(&mut r);
    assert_eq!(u32::from_le_bytes(mem[8..12].try_into().unwrap()), 3);
    assert_eq!(events(&mem, 3), [(2, 0, 2), (3, 0, 1), (4, 8, 1)]);
    assert_eq!(
        u64::from_le_bytes(mem[4096 + 32 + 16..4096 + 32 + 24].try_into().unwrap()),
        3,
        "nbytes"
    );
    assert_eq!(
        r.call::<i32, i32>("poll", 0).unwrap(),
        28,
        "no subscriptions is EINVAL"
    );
}

const STDIO: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\00\01\00\00\04\00\00\00")
  (func (export "read") (param $fd i32) (result i32) (call $read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func (export "pwrite") (param $fd i32) (result i32) (call $pwrite (local.get $fd) (i32.const 0) (i32.const 1) (i64.const 0) (i32.const 8)))
  (func (export "seek") (param $fd i32) (result i32) (call $seek (local.get $fd) (i64.const 0) (i32.const 0) (i32.const 8)))
  (func (export "fdstat") (param $fd i32) (result i32) (call $fdstat (local.get $fd) (i32.const 64)))
  (func (export "prestat") (param $fd i32) (result i32) (call $prestat (local.get $fd) (i32.const 96)))
  (func (export "close") (param $fd i32) (result i32) (call $close (local.get $fd))))
"#;

#[test]
fn stdio_behaves_like_a_pipe() {
    let host = MinimalHost::builder().stdin("hello").build();
    let policy = Policy::default().not_implemented_for("fd_close", OnNotImplemented::Errno("badf"));
    let mut r = wat_reactor(STDIO, host, policy);
    assert_eq!(r.call::<i32, i32>("read", 0).unwrap(), 0);
    let mem = memory(&mut r);
    assert_eq!(&mem[256..260], b"hell");
    assert_eq!(u32::from_le_bytes(mem[8..12].try_into().unwrap()), 4);
    assert_eq!(r.call::<i32, i32>("read", 0).unwrap(), 0);
    assert_eq!(&memory(&mut r)[256..257], b"o");
    assert_eq!(r.call::<i32, i32>("read", 0).unwrap(), 0);
    assert_eq!(
        u32::from_le_bytes(memory(&mut r)[8..12].try_into().unwrap()),
        0,
        "end of file"
    );
    assert_eq!(r.call::<i32, i32>("read", 5).unwrap(), 8, "EBADF");
    for fd in 0..3 {
        assert_eq!(r.call::<i32, i32>("pwrite", fd).unwrap(), 70, "ESPIPE");
        assert_eq!(r.call::<i32, i32>("seek", fd).unwrap(), 70, "ESPIPE");
        assert_eq!(r.call::<i32, i32>("fdstat", fd).unwrap(), 0);
        assert_eq!(memory(&mut r)[64], 2, "character device");
    }
    assert_eq!(r.call::<i32, i32>("pwrite", 3).unwrap(), 8);
    assert_eq!(r.call::<i32, i32>("fdstat", 3).unwrap(), 8);
    assert_eq!(r.call::<i32, i32>("prestat", 3).unwrap(), 8, "no preopens");
    assert_eq!(
        r.call::<i32, i32>("close", 1).unwrap(),
        8,
        "the per-function default"
    );
}

#[test]
fn output_can_go_to_a_callback() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let host = MinimalHost::builder()
        .args(["rust-hello.wasm"])
        .stdout(Output::callback(move |b| {
            sink.lock().unwrap().extend_from_slice(b)
        }))
        .build();
    let (code, stdout, _) = run_fixture("rust-hello.wasm", host, &Limits::default()).unwrap();
    assert_eq!((code, stdout.as_str()), (0, ""), "nothing in a buffer");
    assert!(String::from_utf8_lossy(&seen.lock().unwrap()).starts_with("hello from rust\n"));
}
