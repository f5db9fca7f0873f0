//! Test-fixture guest for wasm32-wasip1, run as a component through the preview1 command
//! adapter (`cli/tests/components.rs`): everything a command asks of a minimal host.
//!
//! Every line it prints is a function of what the host answers (arguments, environment, the
//! wall clock, random bytes; the monotonic clock only as the length of its sleep), so the test
//! asserts its stdout byte-exactly.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    println!("hello from rust");
    eprintln!("warning: to stderr");
    let args: Vec<String> = std::env::args().collect();
    println!("args: {}", args.join(" "));
    match std::env::var("GREETING") {
        Ok(v) => println!("GREETING={v}"),
        Err(_) => println!("GREETING unset"),
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("system time before UNIX epoch");
    println!("now: {}", now.as_nanos());
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(10));
    println!("slept: {}s", start.elapsed().as_secs());
    // `HashMap`'s keys are random bytes from the host: std draws them through `random_get`.
    let mut buf = [0u8; 8];
    getrandom(&mut buf);
    let hex: String = buf.iter().map(|b| format!("{b:02x}")).collect();
    println!("random: {hex}");
    std::process::exit(3);
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn random_get(buf: *mut u8, buf_len: usize) -> u16;
}

fn getrandom(buf: &mut [u8]) {
    // SAFETY: calling a raw WASI import; `buf` is valid, writable memory of exactly `buf.len()` bytes.
    let errno = unsafe { random_get(buf.as_mut_ptr(), buf.len()) };
    assert_eq!(errno, 0, "random_get");
}
