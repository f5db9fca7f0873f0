//! Test-fixture guest for wasm32-wasip1.
//!
//! Every line it prints is a deterministic function of what the host provides
//! (args, environment, clock readings, random bytes), so tests can assert the
//! output byte-exactly.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn random_get(buf: *mut u8, buf_len: usize) -> u16;
}

fn main() {
    // 1. stdout
    println!("hello from rust");

    // 2. stderr
    eprintln!("warning: to stderr");

    // 3. command-line arguments
    let args: Vec<String> = std::env::args().collect();
    println!("args: {:?}", args);

    // 4. environment variable
    match std::env::var("GREETING") {
        Ok(v) => println!("GREETING={}", v),
        Err(_) => println!("GREETING unset"),
    }

    // 5. wall clock
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("system time before UNIX epoch");
    println!("now: {}.{:09}", now.as_secs(), now.subsec_nanos());

    // 6. monotonic clock
    let earlier = Instant::now();
    let mut acc: u64 = 0;
    for i in 0..1000u64 {
        acc = acc.wrapping_add(i);
    }
    std::hint::black_box(acc);
    let later = Instant::now();
    println!("instant ok: {}", later >= earlier);
    println!("elapsed_ns: {}", (later - earlier).as_nanos());

    // 7. randomness, straight from the WASI import
    let mut buf = [0u8; 8];
    // SAFETY: calling a raw WASI import; `buf` is valid, writable memory of exactly `buf.len()` bytes.
    let errno = unsafe { random_get(buf.as_mut_ptr(), buf.len()) };
    let hex: String = buf.iter().map(|b| format!("{:02x}", b)).collect();
    println!("random: {}", hex);
    println!("random errno: {}", errno);

    // 8. normal return => exit code 0
}
