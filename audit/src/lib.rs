//! Which WASI functions a guest imports, and what a wasi-stubs host answers to each.
//!
//! The audit reads a core wasm module (with `wasmparser`, validating it), joins every import with
//! the specs of the WASI modules (name and core signature of each function) and with the set of
//! functions the host overrides, and gives each import a [`Status`]:
//!
//! | status | meaning |
//! |---|---|
//! | `overridden` | a function of a WASI module that the host implements itself |
//! | `default` | a function of a WASI module that the host leaves to its default policy (`nosys`, ...) |
//! | `unknown` | the module is a WASI module but has no such function: instantiation would fail |
//! | `wrong_signature` | the function is in the spec, the import's core type is not its type: instantiation would fail |
//! | `other_module` | an import from a module that is not a WASI module; listed, not judged |
//!
//! ```no_run
//! use wasi_stubs::OnNotImplemented;
//! use wasi_stubs_audit::{Deny, Host, Spec, audit_file};
//!
//! let host = Host::new(OnNotImplemented::Nosys).with_overrides(["fd_write", "clock_time_get", "random_get"]);
//! let report = audit_file("guest.wasm", &Spec::builtin(), &host)?;
//! print!("{}", report.to_table());
//! for entry in report.violations(&[Deny::Default]) {
//!     eprintln!("{}.{} is only stubbed", entry.module, entry.name);
//! }
//! # Ok::<(), wasi_stubs_audit::Error>(())
//! ```
//!
//! A host built with `#[wasi_stubs(override(...))]` gives its own list:
//! `Host::of::<MyHost, dyn preview1::WasiSnapshotPreview1>(OnNotImplemented::Nosys)`. The policy
//! is wasi-stubs' own: [`Host::new`] takes the [`wasi_stubs::OnNotImplemented`] of functions the
//! host does not implement, [`Host::from_policy`] the whole [`wasi_stubs::Policy`] a host's `Ctx`
//! gets (per-function answers included).
//!
//! # Repeated imports
//!
//! A module may import the same function more than once (Go's `wasip1` port imports `fd_write`
//! and `random_get` twice). Each import entry is reported, in order; an entry with the same
//! module, name and type as an earlier one carries `duplicate_of` (the earlier index). The
//! [`Summary`] counts distinct imports, and [`Report::violations`] lists each distinct import
//! once, so a policy check names every missing function once.
//!
//! # JSON
//!
//! [`Report::to_json`] gives an object with these fields (layout version [`SCHEMA`] = 1):
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `schema` | number | `1` |
//! | `file` | string or null | the guest's path, as given |
//! | `kind` | string | `command` (exports `_start`), `reactor` (exports `_initialize`), `library` (neither), `both` (both: invalid) |
//! | `exports_memory` | bool | the guest exports a memory named `memory` |
//! | `modules` | array of strings | the WASI modules audited against |
//! | `host.overrides` | array of strings | the functions the host implements, sorted |
//! | `host.default_policy` | string | the policy the others get |
//! | `imports` | array of objects | every import entry, in order (below) |
//! | `summary` | object | `imports`, `distinct`, `duplicates`, and per status the count of distinct imports: `overridden`, `default`, `unknown`, `wrong_signature`, `other_module` |
//! | `deny` | array of strings | the policies checked: `default`, `unknown` |
//! | `violations` | array of numbers | the `index` of each distinct import that breaks them |
//!
//! Each import:
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `index` | number | position in the import section, from 0 |
//! | `module`, `name` | string | the import's names |
//! | `type` | string | `func`, `table`, `memory`, `global` or `tag` |
//! | `signature` | object or null | for a function: `{"params": ["i32", ...], "results": ["i32"]}` |
//! | `status` | string | `overridden`, `default`, `unknown`, `wrong_signature`, `other_module` |
//! | `policy` | string or null | for `default`: the policy it gets |
//! | `expected` | object or null | for `wrong_signature`: the signature the host links |
//! | `duplicate_of` | number or null | for a repeated import: the index of the first |
//!
//! Fields are only ever added within a schema version.
//!
//! # Components
//!
//! [`audit_component`] reads a component's imports (with wasmtime) against a [`ComponentHost`]
//! (the `wasi:cli/command` interfaces of `wasi_stubs::p2` and the overrides a host declares with
//! `#[wasi_stubs(override(...))]`), giving each imported function a [`ComponentStatus`]:
//! overridden, default (with the answer [`wasi_stubs::component::Policy::default_answer`] names),
//! unknown, or wrong type (found by wasmtime's typecheck against the linker of `wasi_stubs::p2`).
//! Its JSON is layout [`COMPONENT_SCHEMA`] = 2, described in the README.

#![forbid(unsafe_code)]

mod component;
mod error;
mod guest;
mod report;
mod spec;

pub use component::{
    COMPONENT_SCHEMA, ComponentFunction, ComponentHost, ComponentImport, ComponentReport,
    ComponentStatus, HostInterface, audit_component,
};
pub use error::{Error, ErrorKind};
pub use guest::{Guest, GuestKind, Import, ImportType, MAX_GUEST_BYTES, Signature, ValType};
pub use report::{
    Deny, Entry, MAX_NAME_CHARS, Report, SCHEMA, Status, Summary, audit, audit_file, display_name,
};
pub use spec::{Host, Spec, SpecFunction, UnknownName};

#[cfg(test)]
mod tests;
