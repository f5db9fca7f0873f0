//! Test-fixture guest for wasm32-wasip1, run as a component through the preview1 command
//! adapter (`tests/tests/wit_component.rs`).
//!
//! What it prints is a function of what the host answers for the wall clock and random bytes
//! only, so the test asserts its stdout byte-exactly. It touches nothing else a host would have
//! to implement: no stderr, arguments, environment, monotonic clock or files.

use std::time::{SystemTime, UNIX_EPOCH};

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn random_get(buf: *mut u8, buf_len: usize) -> u16;
}

fn main() {
    println!("hello from a component");

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("system time before UNIX epoch");
    println!("now: {}.{:09}", now.as_secs(), now.subsec_nanos());

    let mut buf = [0u8; 16];
    // SAFETY: calling a raw WASI import; `buf` is valid, writable memory of exactly `buf.len()` bytes.
    let errno = unsafe { random_get(buf.as_mut_ptr(), buf.len()) };
    let hex: String = buf.iter().map(|b| format!("{:02x}", b)).collect();
    println!("random: {hex} (errno {errno})");

    // One write larger than the adapter's 4096-byte chunks of `blocking-write-and-flush`.
    let long: String = (0..5000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    println!("{long}");
}
