use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::path::PathBuf;
use std::str::FromStr;

use serde::Serialize;

use crate::guest::{Guest, GuestKind, ImportType, Signature};
use crate::spec::{Host, Spec};

/// What the host does with one import.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Status {
    /// A function of a WASI module that the host implements itself.
    Overridden,
    /// A function of a WASI module that the host does not implement: it gets `policy`.
    Default {
        /// The policy's name, as the host gave it (`nosys`, `badf`, ...).
        policy: String,
    },
    /// The module is a WASI module but has no item of this name: instantiation fails.
    Unknown,
    /// The function is in the spec but the import's type differs (or the import is not a
    /// function): instantiation fails.
    WrongSignature {
        /// The signature the host links.
        expected: Signature,
    },
    /// An import from a module that is not a WASI module: the audit says nothing of it.
    OtherModule,
}

impl Status {
    /// The status as named in JSON: `overridden`, `default`, `unknown`, `wrong_signature`,
    /// `other_module`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Overridden => "overridden",
            Status::Default { .. } => "default",
            Status::Unknown => "unknown",
            Status::WrongSignature { .. } => "wrong_signature",
            Status::OtherModule => "other_module",
        }
    }

    /// Whether wasmtime would refuse to instantiate the guest because of this import.
    pub fn fails_instantiation(&self) -> bool {
        matches!(self, Status::Unknown | Status::WrongSignature { .. })
    }
}

/// One import of the guest and what the host does with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The import's position in the import section, from 0.
    pub index: usize,
    /// The module name.
    pub module: String,
    /// The item name.
    pub name: String,
    /// The import's type as the guest declares it.
    pub ty: ImportType,
    /// What the host does with it.
    pub status: Status,
    /// For a repeated import (same module, name and type as an earlier one, as Go emits for
    /// `fd_write`), the index of the first one.
    pub duplicate_of: Option<usize>,
}

impl Entry {
    /// Why a policy may deny this import, for people: `not implemented by the host (gets nosys)`,
    /// `not a function of wasi_snapshot_preview1`, `imported as (i32) -> (), the host links
    /// (i32) -> (i32)`. `None` for an import the host implements or of another module, which no
    /// policy denies.
    pub fn reason(&self) -> Option<String> {
        match &self.status {
            Status::Default { policy } => {
                Some(format!("not implemented by the host (gets {policy})"))
            }
            Status::Unknown => Some(format!("not a function of {}", self.module)),
            Status::WrongSignature { expected } => Some(format!(
                "imported as {}, the host links {expected}",
                self.ty
            )),
            Status::Overridden | Status::OtherModule => None,
        }
    }
}

/// A policy a guest can break: `default` denies every WASI import the host does not implement
/// itself, `unknown` every import that would fail instantiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Deny {
    /// Denies imports the host answers with a default policy — and, being stricter, those that
    /// [`Deny::Unknown`] denies: the guest may only import what the host really implements.
    Default,
    /// Denies imports that are not in the spec or have the wrong signature.
    Unknown,
}

impl Deny {
    /// Whether an import with `status` breaks this policy.
    pub fn denies(self, status: &Status) -> bool {
        match self {
            Deny::Default => {
                matches!(status, Status::Default { .. }) || status.fails_instantiation()
            }
            Deny::Unknown => status.fails_instantiation(),
        }
    }

    /// `default` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Deny::Default => "default",
            Deny::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Deny {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Deny {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "default" => Ok(Deny::Default),
            "unknown" => Ok(Deny::Unknown),
            other => Err(format!(
                "unknown policy `{other}`: expected `default` or `unknown`"
            )),
        }
    }
}

/// Counts over the distinct imports (a repeated import counts once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Entries in the import section.
    pub imports: usize,
    /// Distinct imports: `imports - duplicates`, and the sum of the five statuses.
    pub distinct: usize,
    /// Entries that repeat an earlier one.
    pub duplicates: usize,
    /// Distinct imports the host implements.
    pub overridden: usize,
    /// Distinct imports that get a default policy.
    pub default: usize,
    /// Distinct imports not in the spec of their WASI module.
    pub unknown: usize,
    /// Distinct imports with the wrong type.
    pub wrong_signature: usize,
    /// Distinct imports from other modules.
    pub other_module: usize,
}

/// The audit of one guest against one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The guest's file, when it came from one.
    pub file: Option<PathBuf>,
    /// Command, reactor, library or both.
    pub kind: GuestKind,
    /// Whether the guest exports a memory named `memory`.
    pub exports_memory: bool,
    /// The WASI modules audited against.
    pub modules: Vec<String>,
    /// The host audited.
    pub host: Host,
    /// Every import, in order, duplicates included.
    pub entries: Vec<Entry>,
}

/// Joins the imports of `guest` with the `specs` (the WASI modules) and what `host` overrides.
pub fn audit(guest: &Guest, specs: &[Spec], host: &Host) -> Report {
    let mut first: HashMap<(&str, &str, &ImportType), usize> = HashMap::new();
    let entries = guest
        .imports
        .iter()
        .enumerate()
        .map(|(index, import)| {
            let status = match specs.iter().find(|s| s.module == import.module) {
                None => Status::OtherModule,
                Some(spec) => match spec.function(&import.name) {
                    None => Status::Unknown,
                    Some(f) if import.ty.signature() != Some(&f.signature) => {
                        Status::WrongSignature {
                            expected: f.signature.clone(),
                        }
                    }
                    Some(f) if host.overrides_function(&f.name) => Status::Overridden,
                    Some(f) => Status::Default {
                        policy: host.policy_for(&f.name).to_string(),
                    },
                },
            };
            let key = (import.module.as_str(), import.name.as_str(), &import.ty);
            let duplicate_of = match first.get(&key) {
                Some(&i) => Some(i),
                None => {
                    first.insert(key, index);
                    None
                }
            };
            Entry {
                index,
                module: import.module.clone(),
                name: import.name.clone(),
                ty: import.ty.clone(),
                status,
                duplicate_of,
            }
        })
        .collect();
    Report {
        file: None,
        kind: guest.kind,
        exports_memory: guest.exports_memory,
        modules: specs.iter().map(|s| s.module.clone()).collect(),
        host: host.clone(),
        entries,
    }
}

/// Reads the guest in the file at `path` and audits it.
pub fn audit_file(
    path: impl AsRef<std::path::Path>,
    specs: &[Spec],
    host: &Host,
) -> Result<Report, crate::Error> {
    let guest = Guest::read(path.as_ref())?;
    let mut report = audit(&guest, specs, host);
    report.file = Some(path.as_ref().to_path_buf());
    Ok(report)
}

impl Report {
    /// Distinct imports only: each repeated import once, at its first position.
    pub fn distinct(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.duplicate_of.is_none())
    }

    /// The counts.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            imports: self.entries.len(),
            ..Summary::default()
        };
        for e in self.distinct() {
            s.distinct += 1;
            match e.status {
                Status::Overridden => s.overridden += 1,
                Status::Default { .. } => s.default += 1,
                Status::Unknown => s.unknown += 1,
                Status::WrongSignature { .. } => s.wrong_signature += 1,
                Status::OtherModule => s.other_module += 1,
            }
        }
        s.duplicates = s.imports - s.distinct;
        s
    }

    /// The distinct imports that break any of the `deny` policies (a repeated import once).
    pub fn violations(&self, deny: &[Deny]) -> Vec<&Entry> {
        self.distinct()
            .filter(|e| deny.iter().any(|d| d.denies(&e.status)))
            .collect()
    }

    /// The report as a JSON value (see the crate docs for the fields), with the violations of
    /// `deny`.
    pub fn to_json(&self, deny: &[Deny]) -> serde_json::Value {
        // Plain structs of strings, numbers and lists: serializing cannot fail.
        serde_json::to_value(self.wire(deny)).unwrap_or(serde_json::Value::Null)
    }

    /// [`Report::to_json`] pretty-printed, fields in the documented order, ending with a newline.
    pub fn to_json_string(&self, deny: &[Deny]) -> String {
        let mut s = serde_json::to_string_pretty(&self.wire(deny)).unwrap_or_default();
        s.push('\n');
        s
    }

    fn wire(&self, deny: &[Deny]) -> ReportJson<'_> {
        ReportJson {
            schema: SCHEMA,
            file: self.file.as_ref().map(|f| f.display().to_string()),
            kind: self.kind,
            exports_memory: self.exports_memory,
            modules: &self.modules,
            host: HostJson {
                overrides: self.host.overrides().collect(),
                default_policy: self.host.default_policy(),
            },
            imports: self.entries.iter().map(EntryJson::from).collect(),
            summary: self.summary(),
            deny: deny.to_vec(),
            violations: self.violations(deny).iter().map(|e| e.index).collect(),
        }
    }

    /// The report as a table for people.
    ///
    /// ```text
    /// guest: go-hello.wasm (command, exports memory)
    /// host: 28 functions overridden, default policy `nosys`
    ///
    ///  #  module                  name         signature      status
    ///  0  wasi_snapshot_preview1  sched_yield  () -> (i32)    overridden
    ///  ...
    /// 18 imports, 16 distinct: 15 overridden, 1 default, 0 unknown, 0 wrong signature, 0 other module
    /// ```
    ///
    /// Names are shown as [`display_name`] gives them (control characters escaped, at most
    /// [`MAX_NAME_CHARS`] characters); a column is padded to at most 100 characters.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let file = self
            .file
            .as_ref()
            .map_or_else(|| "<input>".to_string(), |f| f.display().to_string());
        let memory = if self.exports_memory {
            "exports memory"
        } else {
            "exports no memory"
        };
        let _ = writeln!(out, "guest: {file} ({}, {memory})", self.kind);
        let overridden = self.host.overrides().count();
        let _ = writeln!(
            out,
            "host: {overridden} function{} overridden, default policy `{}`",
            if overridden == 1 { "" } else { "s" },
            self.host.default_policy()
        );
        out.push('\n');

        let header = ["#", "module", "name", "signature", "status"];
        let rows: Vec<[String; 5]> = self
            .entries
            .iter()
            .map(|e| {
                [
                    e.index.to_string(),
                    display_name(&e.module),
                    display_name(&e.name),
                    e.ty.to_string(),
                    status_text(e),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count()).min(MAX_COLUMN);
            }
        }
        // Padded by hand: `format!`'s width must fit in a `u16`, and a name need not.
        let mut line = |cells: [&str; 5]| {
            let mut l = String::new();
            pad(&mut l, cells[0], widths[0], true);
            for (cell, w) in cells.iter().zip(widths).skip(1) {
                l.push_str("  ");
                pad(&mut l, cell, w, false);
            }
            out.push_str(l.trim_end());
            out.push('\n');
        };
        line(header);
        for row in &rows {
            line([&row[0], &row[1], &row[2], &row[3], &row[4]]);
        }

        let s = self.summary();
        let _ = writeln!(
            out,
            "\n{} import{}, {} distinct: {} overridden, {} default, {} unknown, {} wrong signature, {} other module",
            s.imports,
            if s.imports == 1 { "" } else { "s" },
            s.distinct,
            s.overridden,
            s.default,
            s.unknown,
            s.wrong_signature,
            s.other_module
        );
        out
    }
}

/// The widest [`Report::to_table`] pads a column: a longer cell (a long signature) makes its row
/// longer instead.
const MAX_COLUMN: usize = 100;

/// The most characters of a module or import name [`Report::to_table`] shows: a longer name is
/// shortened in the middle, with `…` (the JSON has every name whole).
pub const MAX_NAME_CHARS: usize = 100;

/// A module or import name as a table shows it: control characters escaped (`\n`, `\u{1b}`), so
/// that a name cannot break the table or the terminal, and shortened to [`MAX_NAME_CHARS`] with
/// `…` in the middle.
pub fn display_name(name: &str) -> String {
    let mut escaped = String::new();
    for c in name.chars() {
        if c.is_control() {
            escaped.extend(c.escape_default());
        } else {
            escaped.push(c);
        }
    }
    let count = escaped.chars().count();
    if count <= MAX_NAME_CHARS {
        return escaped;
    }
    let head = MAX_NAME_CHARS * 3 / 5;
    let tail = MAX_NAME_CHARS - head - 1;
    let mut short: String = escaped.chars().take(head).collect();
    short.push('…');
    short.extend(escaped.chars().skip(count - tail));
    short
}

/// Appends `cell` to `line`, padded with spaces to `width` characters (on the left if `right`).
fn pad(line: &mut String, cell: &str, width: usize, right: bool) {
    let fill = width.saturating_sub(cell.chars().count());
    if !right {
        line.push_str(cell);
    }
    line.extend(std::iter::repeat_n(' ', fill));
    if right {
        line.push_str(cell);
    }
}

fn status_text(e: &Entry) -> String {
    let mut s = match &e.status {
        Status::Overridden => "overridden".to_string(),
        Status::Default { policy } => format!("default ({policy})"),
        Status::Unknown => format!("unknown: {}", e.reason().unwrap_or_default()),
        // Shorter than the reason: the signature column shows the imported type.
        Status::WrongSignature { expected } => format!("wrong signature: expected {expected}"),
        Status::OtherModule => "other module".to_string(),
    };
    if let Some(first) = e.duplicate_of {
        let _ = write!(s, " (repeats #{first})");
    }
    s
}

/// The version of the JSON layout; bumped when a field changes meaning or goes away.
pub const SCHEMA: u32 = 1;

#[derive(Serialize)]
struct ReportJson<'a> {
    schema: u32,
    file: Option<String>,
    kind: GuestKind,
    exports_memory: bool,
    modules: &'a [String],
    host: HostJson<'a>,
    imports: Vec<EntryJson<'a>>,
    summary: Summary,
    deny: Vec<Deny>,
    violations: Vec<usize>,
}

#[derive(Serialize)]
struct HostJson<'a> {
    overrides: Vec<&'a str>,
    default_policy: &'a str,
}

#[derive(Serialize)]
struct EntryJson<'a> {
    index: usize,
    module: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    ty: &'static str,
    signature: Option<&'a Signature>,
    status: &'static str,
    policy: Option<&'a str>,
    expected: Option<&'a Signature>,
    duplicate_of: Option<usize>,
}

impl<'a> From<&'a Entry> for EntryJson<'a> {
    fn from(e: &'a Entry) -> Self {
        EntryJson {
            index: e.index,
            module: &e.module,
            name: &e.name,
            ty: e.ty.kind(),
            signature: e.ty.signature(),
            status: e.status.as_str(),
            policy: match &e.status {
                Status::Default { policy } => Some(policy),
                _ => None,
            },
            expected: match &e.status {
                Status::WrongSignature { expected } => Some(expected),
                _ => None,
            },
            duplicate_of: e.duplicate_of,
        }
    }
}
