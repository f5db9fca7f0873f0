//! A Go reactor (`GOOS=wasip1 -buildmode=c-shared` with `//go:wasmexport` functions): initialised
//! exactly once, then its exports are called like library functions, their output captured.
//!
//! ```text
//! cargo run --example go_reactor
//! ```

use wasi_stubs::host::MinimalHost;
use wasi_stubs::lifecycle::{self, Guest, Limits};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/guests/fixtures/go-reactor.wasm"
    );
    let limits = Limits::default();
    let engine = lifecycle::engine(&limits)?;
    let guest = Guest::from_file(&engine, path)?;
    println!("{path}: a {:?}", guest.kind());

    let linker = guest.linker::<MinimalHost>()?;
    // `initialize` runs `_initialize` once; the exports are reachable only through what it returns.
    let mut reactor = guest.initialize(&linker, MinimalHost::default(), &limits)?;
    let sum: i32 = reactor.call("add", (2, 40))?;
    println!("add(2, 40) = {sum}");
    for n in 1..=3 {
        reactor.call::<i32, ()>("greet", n)?;
    }
    reactor.call::<(), ()>("warn", ())?;
    print!(
        "captured stdout:\n{}",
        String::from_utf8_lossy(reactor.host().stdout())
    );
    print!(
        "captured stderr:\n{}",
        String::from_utf8_lossy(reactor.host().stderr())
    );
    Ok(())
}
