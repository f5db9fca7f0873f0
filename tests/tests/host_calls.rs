//! A host overriding seven preview1 functions receives typed arguments, and what it returns lands
//! in guest memory byte-exactly; checked from a WAT guest and from a real Rust wasm32-wasip1 guest.

use wasi_stubs::Policy;
use wasi_stubs_tests::{Guest, Recorder};

const GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; two iovecs at 16: "hello " at 100 and "world\n" at 200
  (data (i32.const 16) "\64\00\00\00\06\00\00\00\c8\00\00\00\06\00\00\00")
  (data (i32.const 100) "hello ")
  (data (i32.const 200) "world\n")
  (func (export "write") (param $fd i32) (result i32)
    (call $fd_write (local.get $fd) (i32.const 16) (i32.const 2) (i32.const 32)))
  (func (export "clock") (param $id i32) (result i32)
    (call $clock_time_get (local.get $id) (i64.const 1000) (i32.const 40)))
  (func (export "random") (param $ptr i32) (param $len i32) (result i32)
    (call $random_get (local.get $ptr) (local.get $len)))
  (func (export "args_sizes") (result i32)
    (call $args_sizes_get (i32.const 48) (i32.const 52)))
  (func (export "args") (result i32)
    (call $args_get (i32.const 1024) (i32.const 2048)))
  (func (export "environ_sizes") (result i32)
    (call $environ_sizes_get (i32.const 56) (i32.const 60)))
  (func (export "environ") (result i32)
    (call $environ_get (i32.const 3072) (i32.const 4096)))
)
"#;

fn guest(host: Recorder) -> Guest<Recorder> {
    Guest::new(GUEST, host, Policy::default()).expect("the guest instantiates")
}

fn u32_at(g: &mut Guest<Recorder>, offset: usize) -> u32 {
    u32::from_le_bytes(g.memory(offset, 4).try_into().unwrap())
}

#[test]
fn fd_write_gathers_iovecs_and_writes_the_count() {
    let mut g = guest(Recorder::default());
    assert_eq!(g.call("write", &[1]).unwrap(), 0);
    assert_eq!(g.host().stdout, b"hello world\n");
    assert_eq!(g.memory(32, 4), 12u32.to_le_bytes());
    assert_eq!(g.call("write", &[2]).unwrap(), 0);
    assert_eq!(g.host().stderr, b"hello world\n");
    assert_eq!(
        g.host().calls,
        ["fd_write(fd=1, iovs=2)", "fd_write(fd=2, iovs=2)"]
    );
}

#[test]
fn an_errno_from_the_host_reaches_the_guest_and_nothing_is_written() {
    let mut g = guest(Recorder::default());
    g.set_memory(32, &[0xEE; 4]);
    assert_eq!(g.call("write", &[7]).unwrap(), 8, "EBADF");
    assert_eq!(g.memory(32, 4), [0xEE; 4], "nwritten untouched on error");
    assert!(g.host().stdout.is_empty());
}

#[test]
fn clock_time_get_receives_a_typed_clock_and_precision() {
    let host = Recorder {
        realtime: 0x0102_0304_0506_0708,
        tick: 250,
        ..Recorder::default()
    };
    let mut g = guest(host);
    assert_eq!(g.call("clock", &[0]).unwrap(), 0);
    assert_eq!(g.memory(40, 8), [8, 7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(g.call("clock", &[1]).unwrap(), 0);
    assert_eq!(g.memory(40, 8), 250u64.to_le_bytes());
    assert_eq!(g.call("clock", &[1]).unwrap(), 0);
    assert_eq!(g.memory(40, 8), 500u64.to_le_bytes());
    assert_eq!(
        g.call("clock", &[2]).unwrap(),
        28,
        "the host refuses cputime clocks"
    );
    assert_eq!(
        g.memory(40, 8),
        500u64.to_le_bytes(),
        "result untouched on error"
    );
    assert_eq!(
        g.host().calls,
        [
            "clock_time_get(id=realtime, precision=1000)",
            "clock_time_get(id=monotonic, precision=1000)",
            "clock_time_get(id=monotonic, precision=1000)",
            "clock_time_get(id=process_cputime_id, precision=1000)",
        ]
    );
}

#[test]
fn random_get_fills_exactly_the_buffer() {
    let mut g = guest(Recorder::default());
    g.set_memory(300, &[0; 8]);
    assert_eq!(g.call("random", &[300, 5]).unwrap(), 0);
    let expected: Vec<u8> = (0..5u8).map(|i| i.wrapping_mul(17) ^ 0xA5).collect();
    assert_eq!(g.memory(300, 5), expected);
    assert_eq!(g.memory(305, 3), [0, 0, 0], "nothing past the buffer");
    assert_eq!(g.host().calls, ["random_get(buf=0x12c, buf_len=5)"]);
    assert_eq!(
        g.call("random", &[65530, 7]).unwrap(),
        21,
        "EFAULT past the end"
    );
}

#[test]
fn args_and_environ_are_laid_out_like_argv() {
    let host = Recorder {
        args: vec!["prog".into(), "a b".into(), "".into()],
        env: vec!["HOME=/".into(), "GREETING=hi".into()],
        ..Recorder::default()
    };
    let mut g = guest(host);
    assert_eq!(g.call("args_sizes", &[]).unwrap(), 0);
    assert_eq!((u32_at(&mut g, 48), u32_at(&mut g, 52)), (3, 10));
    assert_eq!(g.call("args", &[]).unwrap(), 0);
    assert_eq!(
        [
            u32_at(&mut g, 1024),
            u32_at(&mut g, 1028),
            u32_at(&mut g, 1032)
        ],
        [2048, 2053, 2057]
    );
    assert_eq!(g.memory(2048, 10), b"prog\0a b\0\0");

    assert_eq!(g.call("environ_sizes", &[]).unwrap(), 0);
    assert_eq!((u32_at(&mut g, 56), u32_at(&mut g, 60)), (2, 19));
    assert_eq!(g.call("environ", &[]).unwrap(), 0);
    assert_eq!([u32_at(&mut g, 3072), u32_at(&mut g, 3076)], [4096, 4103]);
    assert_eq!(g.memory(4096, 19), b"HOME=/\0GREETING=hi\0");
    assert_eq!(
        g.host().calls,
        [
            "args_sizes_get()",
            "args_get(argv=0x400, argv_buf=0x800)",
            "environ_sizes_get()",
            "environ_get(environ=0xc00, environ_buf=0x1000)",
        ]
    );
}

#[test]
fn a_real_rust_guest_prints_what_the_host_provides() {
    let wasm = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/guests/fixtures/rust-hello.wasm"
    ))
    .expect("the committed fixture");
    let host = Recorder {
        args: vec!["rust-hello.wasm".into(), "a b".into()],
        env: vec!["GREETING=hi".into()],
        realtime: 1_700_000_000_123_456_789,
        tick: 1500,
        ..Recorder::default()
    };
    let mut g = Guest::new(wasm, host, Policy::default()).expect("the guest instantiates");
    let start = g
        .instance
        .get_typed_func::<(), ()>(&mut g.store, "_start")
        .expect("a command exports _start");
    start
        .call(&mut g.store, ())
        .expect("the guest returns normally");

    let random: String = (0..8u8)
        .map(|i| format!("{:02x}", i.wrapping_mul(17) ^ 0xA5))
        .collect();
    let expected = format!(
        "hello from rust\n\
         args: [\"rust-hello.wasm\", \"a b\"]\n\
         GREETING=hi\n\
         now: 1700000000.123456789\n\
         instant ok: true\n\
         elapsed_ns: 1500\n\
         random: {random}\n\
         random errno: 0\n"
    );
    assert_eq!(String::from_utf8_lossy(&g.host().stdout), expected);
    assert_eq!(g.host().stderr, b"warning: to stderr\n");
    let calls = &g.host().calls;
    assert!(
        calls.contains(&"clock_time_get(id=realtime, precision=1)".to_string()),
        "{calls:?}"
    );
    assert!(
        calls.contains(&"clock_time_get(id=monotonic, precision=1)".to_string()),
        "{calls:?}"
    );
}
