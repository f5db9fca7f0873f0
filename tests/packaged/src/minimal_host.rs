//! The README's ready host ("A ready host"), word for word but for the guest's path, taken from the
//! command line: built by `run.sh` against the packaged crates, as a user of crates.io builds it.

use wasi_stubs::host::{ClockSource, MinimalHost, Output, RandomSource};
use wasi_stubs::lifecycle::{self, Guest, Limits};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let host = MinimalHost::builder()
        .args(["guest.wasm", "--verbose"])
        .stdout(Output::log_stdout())                         // one `log` record per line
        .clock(ClockSource::Virtual(1_700_000_000_000_000_000)) // moves only when the guest sleeps
        .random(RandomSource::Seeded(42))                     // the same bytes every run
        .build();
    let limits = Limits::default().timeout(std::time::Duration::from_secs(5));
    let engine = lifecycle::engine(&limits)?;
    let guest = Guest::from_file(&engine, std::env::args().nth(1).expect("usage: host GUEST.wasm"))?;
    let exited = guest.run(&guest.linker::<MinimalHost>()?, host, &limits)?;
    println!("exit code {}", exited.code);
    Ok(())
}
