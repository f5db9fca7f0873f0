//! Hostile guests: each test proves one promise of the error rules that a guest once broke — a
//! sleep past the run's deadline, host memory chosen by the guest, a run without store limits,
//! a result written by a call that then failed, arguments read again after results overwrote
//! them.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use wasi_stubs::host::{ClockSource, MinimalHost, RandomSource};
use wasi_stubs::lifecycle::{self, Guest, Limits, RunError};
use wasi_stubs::preview1;
use wasi_stubs::{Ctx, preview0};
use wasi_stubs_tests::counting::{self, Counting};
use wasmtime::{Engine, Linker, Module, Store};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const EINVAL: i32 = 28;

/// Runs `f` on another thread and fails the test if it takes longer than `limit` (a regression
/// here would otherwise hang the suite for centuries).
fn within<R: Send + 'static>(limit: Duration, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (done, result) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(f());
    });
    result
        .recv_timeout(limit)
        .unwrap_or_else(|_| panic!("still running after {limit:?}"))
}

/// A command that calls `poll_oneoff` once with one clock subscription: `clock` (0 realtime, 1
/// monotonic), `timeout`, `flags` (1 = absolute).
fn sleeper(clock: u32, timeout: u64, flags: u32) -> String {
    format!(
        r#"(module
          (import "wasi_snapshot_preview1" "poll_oneoff"
            (func $poll (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (i32.store (i32.const 16) (i32.const {clock}))
            (i64.store (i32.const 24) (i64.const {timeout}))
            (i32.store16 (i32.const 40) (i32.const {flags}))
            (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))"#,
        timeout = timeout as i64
    )
}

#[test]
fn a_system_clock_sleep_of_centuries_ends_at_the_runs_deadline() {
    for (what, wat) in [
        ("relative monotonic u64::MAX", sleeper(1, u64::MAX, 0)),
        ("absolute realtime u64::MAX", sleeper(0, u64::MAX, 1)),
    ] {
        let started = Instant::now();
        let outcome = within(Duration::from_secs(20), move || {
            let limits = Limits::default().timeout(Duration::from_millis(300));
            let engine = lifecycle::engine(&limits).unwrap();
            let guest = Guest::new(&engine, wat).unwrap();
            let linker = guest.linker::<MinimalHost>().unwrap();
            guest
                .run(&linker, MinimalHost::default(), &limits)
                .map(|e| e.code)
        });
        assert!(
            matches!(outcome, Err(RunError::Timeout(_))),
            "{what}: {outcome:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(5), "{what}");
    }
}

#[test]
fn a_sleep_shorter_than_the_deadline_is_slept_whole() {
    let limits = Limits::default().timeout(Duration::from_secs(30));
    let engine = lifecycle::engine(&limits).unwrap();
    let guest = Guest::new(&engine, sleeper(1, 50_000_000, 0)).unwrap();
    let linker = guest.linker::<MinimalHost>().unwrap();
    let started = Instant::now();
    let exited = guest.run(&linker, MinimalHost::default(), &limits).unwrap();
    assert_eq!(exited.code, 0);
    assert!(started.elapsed() >= Duration::from_millis(50));
    assert_eq!(
        lifecycle::deadline(),
        None,
        "the deadline ends with the run"
    );
}

/// A guest of `pages` pages that re-exports `wasi_unstable.poll_oneoff` and `fd_read`.
fn polyfill_guest(pages: u32) -> String {
    format!(
        r#"(module
          (import "wasi_unstable" "poll_oneoff"
            (func $poll (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") {pages})
          (func (export "poll") (param i32 i32 i32 i32) (result i32)
            (call $poll (local.get 0) (local.get 1) (local.get 2) (local.get 3))))"#
    )
}

#[test]
fn wasi_unstable_poll_oneoff_allocates_nothing_before_every_subscription_is_valid() {
    const PAGES: u32 = 1024; // 64 MiB
    let engine = Engine::default();
    let module = Module::new(&engine, polyfill_guest(PAGES)).unwrap();
    let mut linker = Linker::new(&engine);
    preview1::add_to_linker(&mut linker, |ctx: &mut Ctx<MinimalHost>| ctx).unwrap();
    preview0::polyfill::add_to_linker(&mut linker, |ctx: &mut Ctx<MinimalHost>| ctx).unwrap();
    let host = MinimalHost::builder()
        .clock(ClockSource::Virtual(0))
        .build();
    let mut store = Store::new(&engine, Ctx::new(host));
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    let poll = instance
        .get_typed_func::<(i32, i32, i32, i32), i32>(&mut store, "poll")
        .unwrap();

    // As many 56-byte subscriptions as fit beside their events: all valid clock subscriptions
    // (zeroed memory) but the last, whose tag is 7.
    let bytes = u64::from(PAGES) * 65536;
    let n = (bytes - 8) / (56 + 32);
    let events = n * 56;
    let nevents = events + n * 32;
    memory.data_mut(&mut store)[((n - 1) * 56 + 8) as usize] = 7;
    let before = memory.data(&store).to_vec();

    let allocated = counting::peak_during(|| {
        poll.call(&mut store, (0, events as i32, n as i32, nevents as i32))
    });
    assert_eq!(allocated.0.unwrap(), EINVAL);
    assert!(
        allocated.1 < 64 * 1024,
        "{} bytes allocated for {n} subscriptions",
        allocated.1
    );
    assert!(memory.data(&store) == &before[..], "nothing written");

    // Valid subscriptions are served, and cost about what the guest holds.
    memory.data_mut(&mut store)[((n - 1) * 56 + 8) as usize] = 0;
    let (fired, allocated) =
        counting::peak_during(|| poll.call(&mut store, (0, events as i32, 1000, nevents as i32)));
    assert_eq!(fired.unwrap(), 0);
    assert_eq!(memory.data(&store)[nevents as usize], 232, "1000 events"); // 1000 & 0xff
    assert!(allocated < 1000 * 80 + 64 * 1024, "{allocated}");
}

/// A command that grows a funcref table by 10,000,000 elements ten times, trapping as soon as a
/// growth fails.
const TABLE_GROWER: &str = r#"(module
  (memory (export "memory") 1)
  (table 0 funcref)
  (func (export "_start") (local i32)
    (loop
      (if (i32.eq (table.grow (ref.null func) (i32.const 10000000)) (i32.const -1))
        (then unreachable))
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
      (br_if 0 (i32.lt_u (local.get 0) (i32.const 10))))))"#;

#[test]
fn store_limits_stop_a_table_growing_without_bound() {
    let limits = Limits::default();
    let engine = lifecycle::engine(&limits).unwrap();
    let guest = Guest::new(&engine, TABLE_GROWER).unwrap();
    let linker = guest.linker::<MinimalHost>().unwrap();
    match guest.run(&linker, MinimalHost::default(), &limits) {
        Err(RunError::Trap(e)) => assert!(
            format!("{e:?}").contains("unreachable"),
            "the growth failed inside the guest: {e:?}"
        ),
        other => panic!("{other:?}"),
    }
    // A limit large enough lets it finish.
    let limits = Limits::default().max_table_elements(100_000_000);
    let exited = guest.run(&linker, MinimalHost::default(), &limits).unwrap();
    assert_eq!(exited.code, 0);
}

#[test]
fn store_limits_count_every_memory_together() {
    // Four 256 MiB memories and one page: just over 1 GiB.
    let wat = r#"(module
      (memory (export "memory") 1) (memory 4096) (memory 4096) (memory 4096) (memory 4096)
      (func (export "_start")))"#;
    let limits = Limits::default();
    let engine = lifecycle::engine(&limits).unwrap();
    let guest = Guest::new(&engine, wat).unwrap();
    let linker = guest.linker::<MinimalHost>().unwrap();
    match guest.run(&linker, MinimalHost::default(), &limits) {
        Err(RunError::OverLimit(why)) => {
            assert!(why.contains("1073807360 bytes of linear memory"), "{why}");
            assert!(why.contains("limit of 1073741824"), "{why}");
        }
        other => panic!("{other:?}"),
    }

    // memory.grow past the limit answers -1, as when the system is out of memory.
    let grower = r#"(module
      (memory (export "memory") 1)
      (func (export "_start")
        (if (i32.ne (memory.grow (i32.const 16)) (i32.const -1)) (then unreachable))
        (if (i32.ne (memory.grow (i32.const 14)) (i32.const 1)) (then unreachable))))"#;
    let limits = Limits::default().max_memory(16 * 65536);
    let engine = lifecycle::engine(&limits).unwrap();
    let guest = Guest::new(&engine, grower).unwrap();
    let linker = guest.linker::<MinimalHost>().unwrap();
    let exited = guest.run(&linker, MinimalHost::default(), &limits).unwrap();
    assert_eq!(exited.code, 0);
}

#[test]
fn args_get_may_end_on_the_last_byte_of_a_4_gib_memory() {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
      (memory (export "memory") 65536)
      (func (export "args_get") (param i32 i32) (result i32)
        (call $args_get (local.get 0) (local.get 1))))"#;
    let limits = Limits::default().max_memory(1 << 32);
    let engine = lifecycle::engine(&limits).unwrap();
    let guest = Guest::new(&engine, wat).unwrap();
    let linker = guest.linker::<MinimalHost>().unwrap();
    let host = MinimalHost::builder().args(["prog", "--flag"]).build();
    let mut reactor = guest.initialize(&linker, host, &limits).unwrap();
    // "prog\0--flag\0" is 12 bytes: the last NUL is byte 0xFFFF_FFFF.
    let buf = (u32::MAX - 11) as i32;
    let errno: i32 = reactor.call("args_get", (0, buf)).unwrap();
    assert_eq!(errno, 0);
    let (store, instance) = reactor.parts();
    let memory = instance.get_memory(&mut *store, "memory").unwrap();
    let data = memory.data(&*store);
    assert_eq!(&data[data.len() - 12..], b"prog\0--flag\0");
    assert_eq!(
        &data[..8],
        &[0xF4, 0xFF, 0xFF, 0xFF, 0xF9, 0xFF, 0xFF, 0xFF]
    );
}

/// A reactor exporting preview1 `poll_oneoff` and `fd_read` as they are, on a minimal host with a
/// virtual clock and `stdin`.
fn preview1_reactor(stdin: &[u8]) -> lifecycle::Reactor<MinimalHost> {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "poll_oneoff"
        (func $poll (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_read"
        (func $fd_read (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_initialize"))
      (func (export "poll") (param i32 i32 i32 i32) (result i32)
        (call $poll (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
      (func (export "fd_read") (param i32 i32 i32 i32) (result i32)
        (call $fd_read (local.get 0) (local.get 1) (local.get 2) (local.get 3))))"#;
    let limits = Limits::default();
    let engine = lifecycle::engine(&limits).unwrap();
    let guest = Guest::new(&engine, wat).unwrap();
    let linker = guest.linker::<MinimalHost>().unwrap();
    let host = MinimalHost::builder()
        .clock(ClockSource::Virtual(0))
        .random(RandomSource::Seeded(0))
        .stdin(stdin.to_vec())
        .build();
    guest.initialize(&linker, host, &limits).unwrap()
}

fn write(reactor: &mut lifecycle::Reactor<MinimalHost>, at: usize, bytes: &[u8]) {
    let (store, instance) = reactor.parts();
    let memory = instance.get_memory(&mut *store, "memory").unwrap();
    memory.data_mut(&mut *store)[at..at + bytes.len()].copy_from_slice(bytes);
}

fn read(reactor: &mut lifecycle::Reactor<MinimalHost>, at: usize, len: usize) -> Vec<u8> {
    let (store, instance) = reactor.parts();
    let memory = instance.get_memory(&mut *store, "memory").unwrap();
    memory.data(&*store)[at..at + len].to_vec()
}

#[test]
fn preview1_poll_oneoff_reads_every_subscription_before_writing_an_event() {
    let mut guest = preview1_reactor(b"");
    // Three clock subscriptions due now (timeout 0) at 0, 48 and 96, with userdata 11, 22, 33;
    // the events go to 40, so the first event lands on the second subscription.
    for (i, userdata) in [11u64, 22, 33].into_iter().enumerate() {
        write(&mut guest, 48 * i, &userdata.to_le_bytes());
        write(&mut guest, 48 * i + 16, &1u32.to_le_bytes()); // monotonic
    }
    let errno: i32 = guest.call("poll", (0, 40, 3, 1000)).unwrap();
    assert_eq!(errno, 0);
    assert_eq!(read(&mut guest, 1000, 4), 3u32.to_le_bytes());
    let userdata: Vec<u64> = (0..3)
        .map(|i| u64::from_le_bytes(read(&mut guest, 40 + 32 * i, 8).try_into().unwrap()))
        .collect();
    assert_eq!(userdata, [11, 22, 33]);
}

#[test]
fn fd_read_fills_the_buffers_the_guest_listed_even_when_it_overwrites_the_list() {
    let mut stdin = vec![0xEE; 36];
    stdin[32..].copy_from_slice(b"tail");
    let mut guest = preview1_reactor(&stdin);
    // The iovec list sits at 16..32, inside the first buffer (0..32); the second buffer is
    // 200..204. Reading into the first buffer replaces the second record with 0xEE bytes.
    for (at, (ptr, len)) in [(16, (0u32, 32u32)), (24, (200, 4))] {
        write(&mut guest, at, &ptr.to_le_bytes());
        write(&mut guest, at + 4, &len.to_le_bytes());
    }
    let errno: i32 = guest.call("fd_read", (0, 16, 2, 1000)).unwrap();
    assert_eq!(errno, 0);
    assert_eq!(read(&mut guest, 1000, 4), 36u32.to_le_bytes());
    assert_eq!(read(&mut guest, 0, 32), vec![0xEE; 32]);
    assert_eq!(read(&mut guest, 200, 4), b"tail");
}
