//! `wasi-stubs audit`: a guest's imports against a host.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use wasi_stubs::host::MinimalHost;
use wasi_stubs::preview1::WasiSnapshotPreview1;
use wasi_stubs_audit::{Deny, GuestKind, Host, Spec};

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
    /// The guest: a core wasm module
    #[arg(value_name = "GUEST.wasm")]
    guest: PathBuf,

    /// The host whose overrides to audit against
    #[arg(long, value_enum, default_value_t = HostKind::None)]
    host: HostKind,

    /// More overridden functions, comma separated (`fd_write,random_get`)
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

    let report = wasi_stubs_audit::audit_file(&args.guest, &specs, &host).map_err(input)?;
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
            eprintln!("  {}.{}: {why}", e.module, e.name);
        }
    }
    Err(Failure::Check)
}

#[cfg(test)]
mod tests {
    use wasi_stubs::OnNotImplemented;

    use super::*;

    #[test]
    fn the_minimal_host_names_preview1_functions() {
        let host = Host::of::<MinimalHost, dyn WasiSnapshotPreview1>(OnNotImplemented::Nosys);
        assert_eq!(host.unknown_overrides(&[Spec::preview1()]), vec![]);
        assert_eq!(host.overrides().count(), 18);
    }
}
