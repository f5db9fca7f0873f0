//! `wasi-stubs audit`: a guest's imports against a host.

use std::path::{Path, PathBuf};

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use wasi_stubs::host::MinimalHost;
use wasi_stubs::preview1::WasiSnapshotPreview1;
use wasi_stubs_audit::{
    ComponentHost, Deny, Guest, GuestKind, Host, Spec, audit_component, display_name,
};

use crate::policy::PolicyArg;
use crate::{Failure, Result, emit, input};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum HostKind {
    /// Nothing overridden: every function gets the default policy
    None,
    /// The functions wasi-stubs' minimal host implements
    Minimal,
}

/// `--deny`: the audit's [`Deny`] by its name, listing the possible values in help and errors.
fn deny_parser() -> impl TypedValueParser<Value = Deny> {
    let value = |deny: Deny, help: &'static str| PossibleValue::new(deny.as_str()).help(help);
    PossibleValuesParser::new([
        value(
            Deny::Default,
            "Imports the host does not implement itself (and those `unknown` denies)",
        ),
        value(
            Deny::Unknown,
            "Imports that would fail instantiation: not in the spec, or the wrong signature",
        ),
    ])
    .try_map(|name| name.parse::<Deny>())
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The guest: a core wasm module or a component (binary or text)
    #[arg(value_name = "GUEST.wasm")]
    guest: PathBuf,

    /// The host whose overrides to audit against (by default the one `run` uses)
    #[arg(long, value_enum, default_value_t = HostKind::Minimal)]
    host: HostKind,

    /// More overridden functions, comma separated (`fd_write,random_get`); core modules only
    #[arg(long = "override", value_name = "NAMES", value_delimiter = ',')]
    overrides: Vec<String>,

    /// The policy functions that are not overridden get, shown in the report
    #[arg(long, value_name = "POLICY", value_enum, default_value_t = PolicyArg::Nosys)]
    default_policy: PolicyArg,

    /// Print the report as JSON (see the README for the fields)
    #[arg(long)]
    json: bool,

    /// Exit 1 when an import breaks this policy; comma separated or repeated
    #[arg(long, value_delimiter = ',', value_parser = deny_parser())]
    deny: Vec<Deny>,
}

pub fn run(args: Args) -> Result<()> {
    // A component is told apart first: `--override` names preview1 functions, which it refuses.
    let bytes = read_guest(&args.guest)?;
    if wasmparser::Parser::is_component(&bytes) {
        return run_component(&args, &bytes);
    }
    let specs = Spec::builtin();
    let overrides = args
        .overrides
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty());
    let policy = args.default_policy.into();
    let host = match args.host {
        HostKind::None => Host::new(policy),
        HostKind::Minimal => Host::of::<MinimalHost, dyn WasiSnapshotPreview1>(policy),
    }
    .with_overrides(overrides);
    if let Some(unknown) = host.unknown_overrides(&specs).first() {
        let modules = specs
            .iter()
            .map(|s| s.module.as_str())
            .collect::<Vec<_>>()
            .join(" or ");
        let help = match &unknown.suggestion {
            Some(s) => format!(" (did you mean `{s}`?)"),
            None => String::new(),
        };
        return Err(input(format!(
            "--override: `{}` is not a function of {modules}{help}",
            unknown.name
        )));
    }

    let guest = Guest::parse(&bytes).map_err(|e| input(e.in_file(&args.guest)))?;
    let mut report = wasi_stubs_audit::audit(&guest, &specs, &host);
    report.file = Some(args.guest.clone());
    let deny = &args.deny;

    if args.json {
        emit(&report.to_json_string(deny))?;
    } else {
        emit(&report.to_table())?;
    }
    if report.kind == GuestKind::Both {
        eprintln!(
            "warning: {} exports both `_start` and `_initialize`: a runner rejects it",
            args.guest.display()
        );
    }

    let violations = report.violations(deny);
    if violations.is_empty() {
        return Ok(());
    }
    let policies = deny
        .iter()
        .map(|d| format!("--deny {d}"))
        .collect::<Vec<_>>()
        .join(", ");
    eprintln!(
        "error: {}: {} import{} break{} {policies}",
        args.guest.display(),
        violations.len(),
        if violations.len() == 1 { "" } else { "s" },
        if violations.len() == 1 { "s" } else { "" },
    );
    for e in violations {
        if let Some(why) = e.reason() {
            eprintln!(
                "  {}.{}: {why}",
                display_name(&e.module),
                display_name(&e.name)
            );
        }
    }
    Err(Failure::Check)
}

/// `audit` on a component: its imported interfaces and functions against
/// [`wasi_stubs::host::MinimalComponentHost`] (or a host overriding nothing), with the policy's
/// default answers.
fn run_component(args: &Args, bytes: &[u8]) -> Result<()> {
    let file = args.guest.display();
    let refuse = |option: &str, why: &str| -> Result<()> {
        Err(input(format!("{file}: a component: {option} {why}")))
    };
    if !args.overrides.is_empty() {
        return refuse(
            "--override",
            "names preview1 functions, for core modules only",
        );
    }
    let Some(policy) = args.default_policy.for_components() else {
        return refuse(
            "--default-policy log",
            "applies to core modules only (use nosys, badf or trap)",
        );
    };
    let host = match args.host {
        HostKind::None => ComponentHost::none(policy),
        HostKind::Minimal => ComponentHost::minimal(policy),
    };
    let mut report = audit_component(bytes, &host).map_err(|e| input(e.in_file(&args.guest)))?;
    report.file = Some(args.guest.clone());
    let deny = &args.deny;
    if args.json {
        emit(&report.to_json_string(deny))?;
    } else {
        emit(&report.to_table())?;
    }
    let violations = report.violations(deny);
    if violations.is_empty() {
        return Ok(());
    }
    let policies = deny
        .iter()
        .map(|d| format!("--deny {d}"))
        .collect::<Vec<_>>()
        .join(", ");
    let n = violations.len();
    eprintln!(
        "error: {file}: {n} imported function{} break{} {policies}",
        if n == 1 { "" } else { "s" },
        if n == 1 { "s" } else { "" },
    );
    for (import, function) in violations {
        eprintln!(
            "  {}#{}: {}",
            display_name(&import.name),
            display_name(&function.name),
            import.reason(function)
        );
    }
    Err(Failure::Check)
}

/// The bytes of the guest at `path`, as a binary module: WebAssembly text (`.wat`, recognised by
/// its content, as `run` does) is compiled. At most [`wasi_stubs_audit::MAX_GUEST_BYTES`] are read
/// (512 MiB): a larger file, or a device such as `/dev/zero`, is refused. Errors are one line
/// naming the file (and, for text, the line and column).
pub(crate) fn read_guest(path: &Path) -> Result<Vec<u8>> {
    let bytes = Guest::read_bytes(path).map_err(input)?;
    if !is_text(&bytes) {
        return Ok(bytes);
    }
    match wat::parse_bytes(&bytes) {
        Ok(wasm) => Ok(wasm.into_owned()),
        Err(mut e) => {
            e.set_path(path);
            Err(input(crate::place_first(&e.to_string())))
        }
    }
}

/// Whether `bytes` look like WebAssembly text: UTF-8 starting with `(` or a `;;` comment (after
/// white space), not the binary magic.
fn is_text(bytes: &[u8]) -> bool {
    !bytes.starts_with(b"\0asm")
        && std::str::from_utf8(bytes).is_ok_and(|s| {
            let s = s.trim_start();
            s.starts_with('(') || s.starts_with(";;")
        })
}

#[cfg(test)]
mod tests {
    use wasi_stubs::OnNotImplemented;

    use super::*;

    #[test]
    fn text_is_told_from_binary_by_its_content() {
        assert!(is_text(b"(module)"));
        assert!(is_text(b"  ;; a guest\n(module)"));
        assert!(!is_text(b"\0asm\x01\0\0\0"));
        assert!(!is_text(b"hello"));
        assert!(!is_text(b"(\xff"));
        assert!(!is_text(b""));
    }

    #[test]
    fn the_minimal_host_names_preview1_functions() {
        let host = Host::of::<MinimalHost, dyn WasiSnapshotPreview1>(OnNotImplemented::Nosys);
        assert_eq!(host.unknown_overrides(&[Spec::preview1()]), vec![]);
        assert_eq!(host.overrides().count(), 28);
    }
}
