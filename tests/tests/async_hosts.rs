//! Async hosts: `MinimalHost` as a `WasiSnapshotPreview1Async` host, run by `lifecycle`'s async
//! runs on a single-threaded tokio runtime. Guests that sleep share the thread (100 of them sleep
//! together, not one after the other), a guest spinning beside them neither stops them nor
//! escapes its timeout, and clocks, limits, output and reactors behave as on a synchronous store.

use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use wasi_stubs::host::{ClockSource, MinimalHost, Output};
use wasi_stubs::lifecycle::{self, Guest, Kind, Limits, RunError};
use wasmtime::Engine;

/// The guests that sleep together.
const GUESTS: usize = 100;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("guests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One engine for every test, with epoch interruption for timeouts.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| lifecycle::engine(&limits(60)).unwrap())
}

/// A fixture compiled once per test process (compiling the Go guest takes a while in a debug
/// build); each run instantiates it again.
fn compiled(name: &'static str) -> Guest {
    static RUST: OnceLock<Guest> = OnceLock::new();
    static GO: OnceLock<Guest> = OnceLock::new();
    let cell = match name {
        "rust-sleep.wasm" => &RUST,
        "go-hello.wasm" => &GO,
        _ => unreachable!("{name}"),
    };
    cell.get_or_init(|| Guest::new(engine(), fixture(name)).unwrap())
        .clone()
}

/// A time limit of `seconds`.
fn limits(seconds: u64) -> Limits {
    Limits::default().timeout(Duration::from_secs(seconds))
}

fn single_threaded() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

fn sleeper(args: &[&str]) -> MinimalHost {
    MinimalHost::builder()
        .args(std::iter::once("rust-sleep").chain(args.iter().copied()))
        .build()
}

/// Runs the Rust guest with `args` on `host`, to its exit code, stdout and the time it ended.
async fn run_rust(host: MinimalHost, limits: Limits) -> Result<(u32, String, Instant), RunError> {
    let guest = compiled("rust-sleep.wasm");
    let linker = guest.linker_async::<MinimalHost>().unwrap();
    let exited = guest.run_async(&linker, host, &limits).await?;
    let stdout = String::from_utf8_lossy(exited.host.stdout()).into_owned();
    Ok((exited.code, stdout, Instant::now()))
}

/// The milliseconds the Rust guest says it slept.
fn slept_ms(stdout: &str) -> u64 {
    stdout
        .strip_prefix("slept ")
        .and_then(|s| s.strip_suffix(" ms\n"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected output {stdout:?}"))
}

#[test]
fn a_hundred_rust_guests_sleep_together_beside_a_spinning_one() {
    let rt = single_threaded();
    rt.block_on(async {
        let start = Instant::now();
        let spinner = tokio::spawn(run_rust(sleeper(&["spin"]), limits(4)));
        let sleepers: Vec<_> = (0..GUESTS)
            .map(|_| tokio::spawn(run_rust(sleeper(&["1000"]), limits(60))))
            .collect();
        let mut last = start;
        for sleeper in sleepers {
            let (code, stdout, ended) = sleeper.await.unwrap().unwrap();
            assert_eq!(code, 0);
            assert!(slept_ms(&stdout) >= 1000, "{stdout}");
            last = last.max(ended);
        }
        // One after the other they would take 100 s; together about 1 s. The spinner, which
        // yields at every tick, does not hold them up until its own timeout.
        let all = last - start;
        eprintln!(
            "{GUESTS} Rust guests sleeping 1 s beside a spinning one: all ended after {all:?}"
        );
        assert!(all >= Duration::from_secs(1), "{all:?}");
        assert!(all < Duration::from_secs(4), "the sleepers took {all:?}");
        let err = spinner.await.unwrap().unwrap_err();
        assert!(
            matches!(err, RunError::Timeout(t) if t == Duration::from_secs(4)),
            "{err}"
        );
        let spun = start.elapsed();
        assert!(
            spun >= Duration::from_secs(4) && spun < Duration::from_secs(10),
            "{spun:?}"
        );
    });
}

#[test]
fn a_hundred_go_guests_sleep_together() {
    let rt = single_threaded();
    rt.block_on(async {
        let guest = compiled("go-hello.wasm");
        let linker = guest.linker_async::<MinimalHost>().unwrap();
        let start = Instant::now();
        let runs: Vec<_> = (0..GUESTS)
            .map(|i| {
                let (guest, linker) = (guest.clone(), linker.clone());
                let host = MinimalHost::builder()
                    .args(["go-hello", &i.to_string()])
                    .clock(ClockSource::System)
                    .build();
                tokio::spawn(async move { guest.run_async(&linker, host, &limits(60)).await })
            })
            .collect();
        for (i, run) in runs.into_iter().enumerate() {
            let exited = run.await.unwrap().unwrap();
            assert_eq!(exited.code, 3);
            let stdout = String::from_utf8_lossy(exited.host.stdout()).into_owned();
            assert!(
                stdout.contains(&format!("args: [go-hello {i}]\n")),
                "{stdout}"
            );
            // The Go guest sleeps 10 s.
            assert!(stdout.contains("slept: 10s\n"), "{stdout}");
        }
        // One after the other: 1,000 s.
        let all = start.elapsed();
        eprintln!("{GUESTS} Go guests sleeping 10 s: all ended after {all:?}");
        assert!(all < Duration::from_secs(25), "the Go guests took {all:?}");
    });
}

/// A `wasi_unstable` command that sleeps 300 ms with one snapshot_0 clock subscription (56 bytes,
/// with its leading `identifier`), checks it got one event for it, and prints `slept`.
const SNAPSHOT0_SLEEPER: &str = r#"
(module
  (import "wasi_unstable" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 300) "\40\01\00\00\06\00\00\00")
  (data (i32.const 320) "slept\n")
  (func (export "_start")
    (i64.store (i32.const 0) (i64.const 7))          ;; userdata
    (i32.store8 (i32.const 8) (i32.const 0))         ;; clock
    (i64.store (i32.const 16) (i64.const 99))        ;; identifier (snapshot_0 only)
    (i32.store (i32.const 24) (i32.const 1))         ;; monotonic
    (i64.store (i32.const 32) (i64.const 300000000)) ;; 300 ms
    (if (call $poll (i32.const 0) (i32.const 128) (i32.const 1) (i32.const 256))
      (then unreachable))
    (if (i32.ne (i32.load (i32.const 256)) (i32.const 1)) (then unreachable))
    (if (i64.ne (i64.load (i32.const 128)) (i64.const 7)) (then unreachable))
    (drop (call $write (i32.const 1) (i32.const 300) (i32.const 1) (i32.const 260)))))
"#;

#[test]
fn wasi_unstable_guests_sleep_together_through_the_async_polyfill() {
    let rt = single_threaded();
    rt.block_on(async {
        let guest = Guest::new(engine(), SNAPSHOT0_SLEEPER).unwrap();
        let linker = guest.linker_async::<MinimalHost>().unwrap();
        let start = Instant::now();
        let runs: Vec<_> = (0..20)
            .map(|_| {
                let (guest, linker) = (guest.clone(), linker.clone());
                tokio::spawn(async move {
                    guest
                        .run_async(&linker, MinimalHost::default(), &limits(60))
                        .await
                })
            })
            .collect();
        for run in runs {
            let exited = run.await.unwrap().unwrap();
            assert_eq!(exited.code, 0);
            assert_eq!(exited.host.stdout(), b"slept\n");
        }
        let all = start.elapsed();
        assert!(all >= Duration::from_millis(300), "{all:?}");
        // One after the other: 6 s.
        assert!(all < Duration::from_secs(3), "{all:?}");
    });
}

#[test]
fn virtual_and_fixed_clocks_do_not_wait_on_an_async_store() {
    let rt = single_threaded();
    rt.block_on(async {
        for clock in [ClockSource::Virtual(0), ClockSource::Fixed(0)] {
            let host = MinimalHost::builder()
                .args(["rust-sleep", "5000"])
                .clock(clock)
                .build();
            let start = Instant::now();
            let (code, stdout, _) = run_rust(host, limits(60)).await.unwrap();
            assert_eq!((code, stdout.as_str()), (0, "slept 5000 ms\n"), "{clock:?}");
            assert!(start.elapsed() < Duration::from_secs(2), "{clock:?}");
        }
    });
}

#[test]
fn an_async_sleep_ends_at_the_time_limit() {
    let rt = single_threaded();
    rt.block_on(async {
        let start = Instant::now();
        let limits = Limits::default().timeout(Duration::from_millis(300));
        let err = run_rust(sleeper(&["30000"]), limits).await.unwrap_err();
        assert!(matches!(err, RunError::Timeout(_)), "{err}");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
    });
}

#[test]
fn a_host_future_that_never_ends_is_given_up_at_the_time_limit() {
    let rt = single_threaded();
    rt.block_on(async {
        // A channel without room that nobody reads: the guest's first write waits for ever, in a
        // host future that knows nothing of the deadline.
        let (sender, _receiver) = tokio::sync::mpsc::channel(1);
        sender.try_send(b"stuck\n".to_vec()).unwrap();
        let host = MinimalHost::builder()
            .args(["rust-sleep", "0"])
            .stdout(Output::channel(sender))
            .build();
        let start = Instant::now();
        let limits = Limits::default().timeout(Duration::from_millis(300));
        let err = run_rust(host, limits).await.unwrap_err();
        let took = start.elapsed();
        assert!(matches!(err, RunError::Timeout(_)), "{err}");
        assert!(
            (Duration::from_millis(300)..Duration::from_secs(5)).contains(&took),
            "{took:?}"
        );
    });
}

#[test]
fn fuel_stops_a_spinning_guest_on_an_async_store() {
    let rt = single_threaded();
    rt.block_on(async {
        let limits = limits(60).fuel(1_000_000);
        let engine = lifecycle::engine(&limits).unwrap();
        let guest = Guest::new(&engine, fixture("rust-sleep.wasm")).unwrap();
        let linker = guest.linker_async::<MinimalHost>().unwrap();
        let err = guest
            .run_async(&linker, sleeper(&["spin"]), &limits)
            .await
            .unwrap_err();
        assert!(matches!(err, RunError::OutOfFuel(1_000_000)), "{err}");
    });
}

#[test]
fn a_guest_spinning_under_fuel_alone_yields_to_the_others() {
    let rt = single_threaded();
    rt.block_on(async {
        // No time limit, so no epoch ticks: the spinner yields as it burns fuel.
        let limits = Limits::default().fuel(20_000_000_000);
        let engine = lifecycle::engine(&limits).unwrap();
        let guest = Guest::new(&engine, fixture("rust-sleep.wasm")).unwrap();
        let run = |args: &'static [&'static str]| {
            let (guest, limits) = (guest.clone(), limits.clone());
            async move {
                let linker = guest.linker_async::<MinimalHost>().unwrap();
                let outcome = guest.run_async(&linker, sleeper(args), &limits).await;
                (outcome.map(|exited| exited.code), Instant::now())
            }
        };
        let spinner = tokio::spawn(run(&["spin"]));
        let (code, slept) = run(&["100"]).await;
        assert_eq!(code.unwrap(), 0);
        let (outcome, spun) = spinner.await.unwrap();
        assert!(
            matches!(outcome, Err(RunError::OutOfFuel(_))),
            "{outcome:?}"
        );
        assert!(
            slept < spun,
            "the sleeper waited for the spinner's fuel to run out"
        );
    });
}

#[test]
fn stdout_to_a_channel_waits_for_room() {
    let rt = single_threaded();
    rt.block_on(async {
        // Room for no message until the receiver takes one: the guest's write waits for it.
        let (sender, mut receiver) = tokio::sync::mpsc::channel(1);
        sender.try_send(b"first\n".to_vec()).unwrap();
        let host = MinimalHost::builder()
            .args(["rust-sleep", "0"])
            .stdout(Output::channel(sender))
            .build();
        let run = tokio::spawn(run_rust(host, limits(60)));
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!run.is_finished(), "the write did not wait for room");
        assert_eq!(receiver.recv().await.unwrap(), b"first\n");
        let message = receiver.recv().await.unwrap();
        assert_eq!(String::from_utf8(message).unwrap(), "slept 0 ms\n");
        let (code, stdout, _) = run.await.unwrap().unwrap();
        // A channel is not a buffer: the host keeps nothing.
        assert_eq!((code, stdout.as_str()), (0, ""));
    });
}

#[test]
fn a_timeout_too_long_for_a_deadline_is_no_deadline() {
    let rt = single_threaded();
    rt.block_on(async {
        // `Duration::MAX` is past any `Instant`: the guest yields at each tick and runs to its end.
        let limits = Limits::default().timeout(Duration::MAX);
        let (code, stdout, _) = run_rust(sleeper(&["50"]), limits).await.unwrap();
        assert_eq!(code, 0);
        assert!(slept_ms(&stdout) >= 50, "{stdout}");
    });
}

/// A command whose one `fd_write` names the same 64 KiB of its memory 32 times: 2 MiB of
/// overlapping buffers.
const OVERLAPPING_WRITE: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "_start") (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.eq (local.get $i) (i32.const 32)))
      (i32.store (i32.add (i32.const 65536) (i32.mul (local.get $i) (i32.const 8))) (i32.const 0))
      (i32.store (i32.add (i32.const 65540) (i32.mul (local.get $i) (i32.const 8))) (i32.const 65536))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    ;; fd_write(1, iovs at 65536, 32 of them, nwritten at 70000); its errno and count checked.
    (if (call $fd_write (i32.const 1) (i32.const 65536) (i32.const 32) (i32.const 70000))
      (then unreachable))
    (if (i32.ne (i32.load (i32.const 70000)) (i32.const 1048576)) (then unreachable))))"#;

#[test]
fn one_write_to_a_channel_is_at_most_max_message_bytes() {
    let rt = single_threaded();
    rt.block_on(async {
        let guest = Guest::new(engine(), wat::parse_str(OVERLAPPING_WRITE).unwrap()).unwrap();
        let linker = guest.linker_async::<MinimalHost>().unwrap();
        let (sender, mut receiver) = tokio::sync::mpsc::channel(4);
        let host = MinimalHost::builder()
            .stdout(Output::channel(sender))
            .build();
        let exited = guest.run_async(&linker, host, &limits(60)).await.unwrap();
        assert_eq!(exited.code, 0);
        // A short write: the guest was told 1 MiB, and the message holds that much.
        let message = receiver.recv().await.unwrap();
        assert_eq!(message.len(), wasi_stubs::host::MAX_MESSAGE);
    });
}

#[test]
fn a_go_reactor_is_initialised_and_called_asynchronously() {
    let rt = single_threaded();
    rt.block_on(async {
        let limits = limits(60);
        let guest = Guest::new(engine(), fixture("go-reactor.wasm")).unwrap();
        assert_eq!(guest.kind(), Kind::Reactor);
        let linker = guest.linker_async::<MinimalHost>().unwrap();
        let mut reactor = guest
            .initialize_async(&linker, MinimalHost::default(), &limits)
            .await
            .unwrap();
        let sum: i32 = reactor.call_async("add", (2, 40)).await.unwrap();
        assert_eq!(sum, 42);
        reactor.call_async::<i32, ()>("greet", 7).await.unwrap();
        reactor.call_async::<(), ()>("warn", ()).await.unwrap();
        assert_eq!(reactor.host().stdout(), b"hello 7\n");
        assert_eq!(reactor.host().stderr(), b"careful\n");
        // A reactor is not a command, and a command is not a reactor.
        let err = guest
            .run_async(&linker, MinimalHost::default(), &limits)
            .await
            .unwrap_err();
        assert!(matches!(err, RunError::WrongKind { .. }), "{err}");
        let command = compiled("rust-sleep.wasm");
        let linker = command.linker_async::<MinimalHost>().unwrap();
        let err = command
            .initialize_async(&linker, MinimalHost::default(), &limits)
            .await
            .err()
            .unwrap();
        assert!(matches!(err, RunError::WrongKind { .. }), "{err}");
    });
}

#[test]
fn an_async_host_sleep_outside_a_tokio_runtime_is_a_trap_not_a_panic() {
    // A runtime-agnostic executor: a future polled by hand on this thread.
    let guest = compiled("rust-sleep.wasm");
    let linker = guest.linker_async::<MinimalHost>().unwrap();
    let limits = limits(60);
    let err = block_on(guest.run_async(&linker, sleeper(&["10"]), &limits)).unwrap_err();
    assert!(format!("{err}").contains("tokio runtime"), "{err}");
}

/// Polls `future` to its end on this thread, parking between polls.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            Poll::Pending => std::thread::park(),
        }
    }
}
