//! With tracing on, every WASI call emits one `tracing` event with its decoded arguments and its
//! outcome; with tracing off, none.

use std::io::Write;
use std::sync::{Arc, Mutex};

use wasi_stubs::{OnBadInput, OnNotImplemented, Policy};
use wasi_stubs_tests::{Guest, Recorder};

const GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "\64\00\00\00\05\00\00\00\c8\00\00\00\07\00\00\00")
  (data (i32.const 100) "hello")
  (data (i32.const 200) ", world")
  (data (i32.const 300) "dir/file.txt")
  (func (export "run") (result i32)
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 2) (i32.const 8)))
    (drop (call $clock (i32.const 99) (i64.const 1000) (i32.const 8)))
    (drop (call $clock (i32.const 0) (i64.const 1) (i32.const 8)))
    (drop (call $sizes (i32.const 8) (i32.const 12)))
    (drop (call $open (i32.const 3) (i32.const 1) (i32.const 300) (i32.const 12) (i32.const 9)
                      (i64.const 6) (i64.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 7))
    (i32.const 0)))
"#;

#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The trace lines of one run of `GUEST` under `policy`, after `setup` has had the guest's
/// store (to switch tracing on, bind memory...).
fn traced_with(
    policy: Policy,
    setup: impl FnOnce(&mut Guest<Recorder>),
    run: impl FnOnce(&mut Guest<Recorder>),
) -> String {
    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .without_time()
        .with_level(false)
        .with_target(false)
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let host = Recorder {
            args: vec!["prog".into(), "a".into()],
            realtime: 42,
            ..Recorder::default()
        };
        let mut g = Guest::new(GUEST, host, policy).unwrap();
        setup(&mut g);
        run(&mut g);
    });
    let bytes = lines.0.lock().unwrap().clone();
    String::from_utf8(bytes).unwrap()
}

/// Runs `run` to its `proc_exit(7)`.
fn run_to_exit(g: &mut Guest<Recorder>) {
    let err = g.call("run", &[]).unwrap_err();
    assert!(err.downcast_ref::<wasi_stubs::Exit>().is_some());
}

fn traced(on: bool) -> String {
    traced_with(
        Policy::default(),
        |g| g.store.data_mut().set_tracing(on),
        run_to_exit,
    )
}

const ALL_LINES: &str = "fd_write(fd=1, iovs=2 [12 bytes]) -> Ok(12)\n\
     clock_time_get(id=99 (invalid), precision=1000) -> Err(inval) (bad `id`: 99 is not a valid `clockid`)\n\
     clock_time_get(id=realtime, precision=1) -> Ok(42)\n\
     args_sizes_get() -> Ok(2, 7)\n\
     path_open(fd=3, dirflags=Lookupflags(symlink_follow), path=\"dir/file.txt\", oflags=Oflags(creat | trunc), \
     fs_rights_base=Rights(fd_read | fd_seek), fs_rights_inheriting=Rights(), fdflags=Fdflags(append)) \
     -> Err(nosys) (not implemented)\n\
     proc_exit(rval=7) -> exit(7)\n";

/// Binds the guest's exported memory, as `lifecycle` does: calls then take the short path when
/// tracing is off.
fn bind_memory(g: &mut Guest<Recorder>) {
    let memory = g.instance.get_memory(&mut g.store, "memory").unwrap();
    g.store.data_mut().bind_memory(memory);
}

#[test]
fn every_call_is_traced_with_decoded_arguments_and_outcome() {
    assert_eq!(traced(true), ALL_LINES);
}

#[test]
fn tracing_off_emits_nothing() {
    assert_eq!(traced(false), "");
}

#[test]
fn bound_memory_traces_the_same() {
    // Tracing switched on after the memory is bound, and before.
    let after = traced_with(
        Policy::default(),
        |g| {
            bind_memory(g);
            g.store.data_mut().set_tracing(true);
        },
        run_to_exit,
    );
    assert_eq!(after, ALL_LINES);
    let before = traced_with(
        Policy::default(),
        |g| {
            g.store.data_mut().set_tracing(true);
            bind_memory(g);
        },
        run_to_exit,
    );
    assert_eq!(before, ALL_LINES);
    let off = traced_with(Policy::default(), bind_memory, run_to_exit);
    assert_eq!(off, "");
}

#[test]
fn tracing_switches_per_store_between_calls() {
    for bind in [false, true] {
        let lines = traced_with(
            Policy::default(),
            |g| {
                if bind {
                    bind_memory(g);
                }
            },
            |g| {
                // `run` makes six calls; each run below ends at `proc_exit`. Tracing is on for
                // the second run only.
                run_to_exit(g);
                g.store.data_mut().set_tracing(true);
                run_to_exit(g);
                g.store.data_mut().set_tracing(false);
                run_to_exit(g);
            },
        );
        assert_eq!(lines, ALL_LINES, "memory bound: {bind}");
    }
}

#[test]
fn a_trap_is_the_outcome_under_the_trap_policy() {
    let lines = traced_with(
        Policy::default().bad_input(OnBadInput::Trap),
        |g| g.store.data_mut().set_tracing(true),
        |g| {
            let err = g.call("run", &[]).unwrap_err();
            assert!(format!("{err:?}").contains("clock_time_get"), "{err:?}");
        },
    );
    assert_eq!(
        lines,
        "fd_write(fd=1, iovs=2 [12 bytes]) -> Ok(12)\n\
         clock_time_get(id=99 (invalid), precision=1000) -> \
         trap: clock_time_get: argument `id`: 99 is not a valid `clockid`\n"
    );
}

#[test]
fn the_errno_shown_is_the_one_the_policy_gives() {
    let lines = traced_with(
        Policy::default().not_implemented_for("path_open", OnNotImplemented::Errno("acces")),
        |g| g.store.data_mut().set_tracing(true),
        run_to_exit,
    );
    assert!(
        lines.contains("fdflags=Fdflags(append)) -> Err(acces) (not implemented)\n"),
        "{lines}"
    );
}
