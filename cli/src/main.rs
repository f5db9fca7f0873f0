//! `wasi-stubs`: run a guest on the minimal host, audit a guest's WASI imports, generate wasmtime
//! glue from witx, list a spec.
//!
//! Exit status: 0 on success; 1 when a check fails (`audit --deny`, `gen --check`); 2 on bad
//! input or usage (a missing or malformed file, an unknown name), with a one-line
//! `error: FILE: ...` message on stderr. `run` exits with the guest's exit code, or 124 (time
//! limit), 125 (fuel), 134 (trap) with an `error: ...` message.

#![forbid(unsafe_code)]

mod audit;
mod generate;
mod invoke;
mod policy;
mod run;
mod spec;
mod witx;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "wasi-stubs",
    version,
    about,
    long_about = None,
    after_help = "Exit status: 0 on success, 1 when a check fails (`audit --deny`, `gen --check`), \
                  2 on bad input or usage; `run` exits with the guest's exit code, 124 on its \
                  time limit, 125 on its fuel limit, 134 when the guest traps."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a guest on the minimal host: a command (module or component) to its exit code, or a
    /// reactor's export
    Run(run::Args),
    /// List a guest's imports and what a host answers to each; fail on a policy
    Audit(audit::Args),
    /// Generate the Rust trait, types and linker glue for a witx document or a WIT world
    Gen(generate::Args),
    /// List every function of a spec with its core wasm signature
    Spec(spec::Args),
}

/// Why a command did not succeed.
#[derive(Debug)]
enum Failure {
    /// A check found something (`--deny`, `--check`): exit 1. What it found is already printed.
    Check,
    /// Bad input or usage: exit 2 with `error: <message>`.
    Input(String),
    /// A run that ended without an exit code (trap, limit): exit `code` with `error: <message>`.
    Exit { code: u8, message: String },
}

/// Bad input, with a message that names the file and place.
fn input(e: impl std::fmt::Display) -> Failure {
    Failure::Input(e.to_string())
}

/// Bad input in the file at `path` (one it cannot read or write): `FILE: error`.
pub(crate) fn file_error(path: &Path, e: impl std::fmt::Display) -> Failure {
    Failure::Input(format!("{}: {e}", path.display()))
}

/// The files of `paths`, joined with `separator`.
pub(crate) fn join_paths(paths: &[PathBuf], separator: &str) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(separator)
}

/// A parser's message `what\n --> file:line:col\n | source...` as `file:line:col: what`: the
/// place first, on one line (the first line alone when the message gives no place).
pub(crate) fn place_first(message: &str) -> String {
    let mut lines = message.lines();
    let what = lines.next().unwrap_or_default().trim();
    match lines.find_map(|l| l.trim().strip_prefix("--> ")) {
        Some(place) => format!("{place}: {what}"),
        None => what.to_string(),
    }
}

type Result<T, E = Failure> = std::result::Result<T, E>;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version exit 0, usage errors 2: clap's own codes.
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Audit(args) => audit::run(args).map(|()| 0),
        Command::Gen(args) => generate::run(args).map(|()| 0),
        Command::Spec(args) => spec::run(args).map(|()| 0),
    };
    // What the guest printed goes out before any message about how it ended.
    let _ = std::io::stdout().flush();
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Failure::Check) => ExitCode::from(1),
        Err(Failure::Input(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Exit { code, message }) => {
            eprintln!("error: {message}");
            ExitCode::from(code)
        }
    }
}

/// Writes `text` to stdout; a closed pipe (`| head`) is not an error.
fn emit(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::Input(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// Writes `text` to `path`, naming the file on failure.
fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| file_error(path, e))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn place_first_puts_the_place_first() {
        assert_eq!(
            super::place_first("expected `)`\n     --> a.wat:3:1\n      |\n    3 | (func"),
            "a.wat:3:1: expected `)`"
        );
        assert_eq!(super::place_first("  no place\nmore"), "no place");
        assert_eq!(super::place_first(""), "");
    }
}
