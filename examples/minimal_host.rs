//! The ready-made host in a few lines: runs a WASI command with the guest's stdout and stderr as
//! this process's own, and exits with the guest's exit code.
//!
//! ```text
//! cargo run --example minimal_host -- [GUEST.wasm] [ARGS...]
//! ```
//!
//! Without a `.wasm` path it runs the bundled C guest `tests/guests/fixtures/c-hello.wasm`.

use wasi_stubs::host::{MinimalHost, Output};
use wasi_stubs::lifecycle::{self, Guest, Limits};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut cli = std::env::args().skip(1).peekable();
    let path = match cli.next_if(|arg| arg.ends_with(".wasm")) {
        Some(path) => path,
        None => concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/guests/fixtures/c-hello.wasm"
        )
        .into(),
    };

    let host = MinimalHost::builder()
        .args(std::iter::once(path.clone()).chain(cli))
        .env("GREETING", "hello from the host")
        .stdout(Output::inherit_stdout())
        .stderr(Output::inherit_stderr())
        .build();

    let limits = Limits::default();
    let engine = lifecycle::engine(&limits)?;
    let guest = Guest::from_file(&engine, &path)?;
    let linker = guest.linker::<MinimalHost>()?;
    let exited = guest.run(&linker, host, &limits)?;
    std::process::exit(exited.code as i32);
}
