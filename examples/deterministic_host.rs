//! A deterministic host: a virtual clock that moves only when the guest sleeps, random bytes from
//! a seed, output captured per instance. The same guest gives the same bytes every run, however
//! long it sleeps, and finishes at once.
//!
//! ```text
//! cargo run --example deterministic_host -- [GUEST.wasm]
//! ```
//!
//! Without a path it runs the bundled Go guest `tests/guests/fixtures/go-hello.wasm` twice (it
//! prints the time, sleeps 10 s, prints random bytes and exits with 3) and checks that both runs
//! printed the same bytes.

use wasi_stubs::host::{ClockSource, MinimalHost, RandomSource};
use wasi_stubs::lifecycle::{self, Guest, Limits};

fn run(guest: &Guest) -> Result<(u32, Vec<u8>), Box<dyn std::error::Error>> {
    let host = MinimalHost::builder()
        .args(["guest", "deterministic"])
        .clock(ClockSource::Virtual(1_700_000_000_000_000_000))
        .random(RandomSource::Seeded(2024))
        .build();
    let linker = guest.linker::<MinimalHost>()?;
    let exited = guest.run(&linker, host, &Limits::default())?;
    Ok((exited.code, exited.host.stdout().to_vec()))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/guests/fixtures/go-hello.wasm"
        )
        .into()
    });
    let engine = lifecycle::engine(&Limits::default())?;
    let guest = Guest::from_file(&engine, &path)?;

    let started = std::time::Instant::now();
    let (code, first) = run(&guest)?;
    let (_, second) = run(&guest)?;
    print!("{}", String::from_utf8_lossy(&first));
    println!(
        "--- exit code {code}; two runs in {:.1?}",
        started.elapsed()
    );
    if first == second {
        println!("--- both runs printed the same {} bytes", first.len());
        Ok(())
    } else {
        Err("the two runs printed different bytes".into())
    }
}
