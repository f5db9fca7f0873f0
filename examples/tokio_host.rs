//! Guests on an async store, on tokio: runs several copies of a WASI command at once on a
//! single-threaded runtime. Each guest's stdout goes to a channel read by a task of the host, its
//! sleeps (`poll_oneoff`) await a timer instead of blocking the thread, and a time limit stops
//! it, even if it spins.
//!
//! ```text
//! cargo run --example tokio_host -- [COPIES] [GUEST.wasm] [ARGS...]
//! ```
//!
//! Without a `.wasm` path it runs 10 copies of the bundled Rust guest
//! `tests/guests/fixtures/rust-sleep.wasm`, which sleeps one second: they end together, after
//! about one second.

use std::time::{Duration, Instant};

use wasi_stubs::host::{MinimalHost, Output};
use wasi_stubs::lifecycle::{self, Guest, Limits};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut cli = std::env::args().skip(1).peekable();
    let copies: usize = match cli.next_if(|arg| arg.parse::<usize>().is_ok()) {
        Some(n) => n.parse()?,
        None => 10,
    };
    let path = match cli.next_if(|arg| arg.ends_with(".wasm")) {
        Some(path) => path,
        None => concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/guests/fixtures/rust-sleep.wasm"
        )
        .into(),
    };
    let args: Vec<String> = std::iter::once(path.clone()).chain(cli).collect();

    // One thread for every guest: what waits must not block it.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    runtime.block_on(async {
        let limits = Limits::default().timeout(Duration::from_secs(10));
        let engine = lifecycle::engine(&limits)?;
        // Compiled once, instantiated for each copy.
        let guest = Guest::from_file(&engine, &path)?;
        let linker = guest.linker_async::<MinimalHost>()?;
        let start = Instant::now();
        let mut runs = Vec::new();
        for copy in 0..copies {
            // Room for 16 writes: a guest that writes faster than the host reads waits.
            let (stdout, mut lines) = tokio::sync::mpsc::channel::<Vec<u8>>(16);
            tokio::spawn(async move {
                while let Some(bytes) = lines.recv().await {
                    print!("[{copy}] {}", String::from_utf8_lossy(&bytes));
                }
            });
            let host = MinimalHost::builder()
                .args(args.iter())
                .stdout(Output::channel(stdout))
                .stderr(Output::inherit_stderr())
                .build();
            let (guest, linker, limits) = (guest.clone(), linker.clone(), limits.clone());
            runs.push(tokio::spawn(async move {
                guest.run_async(&linker, host, &limits).await
            }));
        }
        let mut failed = 0;
        for (copy, run) in runs.into_iter().enumerate() {
            match run.await? {
                Ok(exited) => println!("[{copy}] exit code {}", exited.code),
                Err(e) => {
                    println!("[{copy}] {e}");
                    failed += 1;
                }
            }
        }
        println!(
            "{copies} guests ended after {:.2?}, {failed} of them without an exit code",
            start.elapsed()
        );
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
