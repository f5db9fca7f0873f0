//! Test-fixture guest for wasm32-wasip1 that sleeps.
//!
//! Sleeps for the number of milliseconds given as its first argument (1000 without one), through
//! `std::thread::sleep` (one `poll_oneoff` with a relative monotonic clock subscription), then
//! prints `slept N ms` with N the monotonic time that passed, and exits with code 0. With
//! `spin` as its first argument it loops forever instead, never calling the host: a guest only
//! a time limit stops.

use std::time::{Duration, Instant};

fn main() {
    let arg = std::env::args().nth(1);
    if arg.as_deref() == Some("spin") {
        let mut n: u64 = 0;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }
    let ms: u64 = arg.and_then(|a| a.parse().ok()).unwrap_or(1000);
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(ms));
    println!("slept {} ms", start.elapsed().as_millis());
}
