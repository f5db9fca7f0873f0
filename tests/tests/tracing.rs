//! With tracing on, every WASI call emits one `tracing` event with its decoded arguments and its
//! outcome; with tracing off, none.

use std::io::Write;
use std::sync::{Arc, Mutex};

use wasi_stubs::Policy;
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

fn traced(on: bool) -> String {
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
        let mut g = Guest::new(GUEST, host, Policy::default()).unwrap();
        g.store.data_mut().set_tracing(on);
        let err = g.call("run", &[]).unwrap_err();
        assert!(err.downcast_ref::<wasi_stubs::Exit>().is_some());
    });
    let bytes = lines.0.lock().unwrap().clone();
    String::from_utf8(bytes).unwrap()
}

#[test]
fn every_call_is_traced_with_decoded_arguments_and_outcome() {
    assert_eq!(
        traced(true),
        "fd_write(fd=1, iovs=2 [12 bytes]) -> Ok(12)\n\
         clock_time_get(id=99 (invalid), precision=1000) -> Err(bad `id`: 99 is not a valid `clockid`)\n\
         clock_time_get(id=realtime, precision=1) -> Ok(42)\n\
         args_sizes_get() -> Ok(2, 7)\n\
         path_open(fd=3, dirflags=Lookupflags(symlink_follow), path=\"dir/file.txt\", oflags=Oflags(creat | trunc), \
         fs_rights_base=Rights(fd_read | fd_seek), fs_rights_inheriting=Rights(), fdflags=Fdflags(append)) \
         -> Err(not implemented)\n\
         proc_exit(rval=7) -> exit(7)\n"
    );
}

#[test]
fn tracing_off_emits_nothing() {
    assert_eq!(traced(false), "");
}
