use std::collections::BTreeSet;

use wasi_stubs::{OnNotImplemented, Policy};
use wasi_stubs_codegen::suggest::nearest;

use crate::guest::Signature;

/// One function of a spec: its import name and core wasm signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecFunction {
    /// The import name (`fd_write`).
    pub name: String,
    /// The core wasm signature the host links it with.
    pub signature: Signature,
}

/// A module the host links: its import name and every function with its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// The import module name (`wasi_snapshot_preview1`).
    pub module: String,
    /// The functions, in document order.
    pub functions: Vec<SpecFunction>,
}

impl Spec {
    /// A spec from a generated function table (`wasi_stubs::preview1::FUNCTIONS`).
    fn from_table(module: impl Into<String>, table: &[wasi_stubs::FuncInfo]) -> Self {
        Spec {
            module: module.into(),
            functions: table
                .iter()
                .map(|f| SpecFunction {
                    name: f.name.to_string(),
                    signature: Signature::of(f),
                })
                .collect(),
        }
    }

    /// The spec of a generated trait: `Spec::of::<dyn preview1::WasiSnapshotPreview1>()`.
    pub fn of<S: wasi_stubs::Spec + ?Sized>() -> Self {
        Spec::from_table(S::MODULE, S::FUNCTIONS)
    }

    /// `wasi_snapshot_preview1`, 46 functions.
    pub fn preview1() -> Self {
        Spec::of::<dyn wasi_stubs::preview1::WasiSnapshotPreview1>()
    }

    /// `wasi_unstable` (snapshot_0), 45 functions.
    pub fn preview0() -> Self {
        Spec::of::<dyn wasi_stubs::preview0::WasiUnstable>()
    }

    /// The two WASI modules wasi-stubs links: [`Spec::preview1`] and [`Spec::preview0`].
    pub fn builtin() -> Vec<Spec> {
        vec![Spec::preview1(), Spec::preview0()]
    }

    /// The function named `name`.
    pub fn function(&self, name: &str) -> Option<&SpecFunction> {
        self.functions.iter().find(|f| f.name == name)
    }
}

/// What a host answers: the functions it implements itself (by name) and the
/// [`wasi_stubs::Policy`] the others get (only its [`OnNotImplemented`] answers matter here).
///
/// Overrides are names, not (module, name) pairs: a wasi-stubs host implements the preview1 trait
/// and serves `wasi_unstable` through the polyfill, so a preview1 override answers the snapshot_0
/// import of the same name too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    overrides: BTreeSet<String>,
    policy: Policy,
}

impl Host {
    /// A host that overrides nothing; every function gets `default_policy`.
    pub fn new(default_policy: OnNotImplemented) -> Self {
        Host::from_policy(Policy::default().not_implemented(default_policy))
    }

    /// A host that overrides nothing, with the policy it gives its `wasi_stubs::Ctx`.
    pub fn from_policy(policy: Policy) -> Self {
        Host {
            overrides: BTreeSet::new(),
            policy,
        }
    }

    /// The host `H`, from the override list `#[wasi_stubs(override(...))]` checked:
    /// `Host::of::<MyHost, dyn WasiSnapshotPreview1>(OnNotImplemented::Nosys)`.
    pub fn of<H, S>(default_policy: OnNotImplemented) -> Self
    where
        H: wasi_stubs::Coverage<S>,
        S: wasi_stubs::Spec + ?Sized,
    {
        Host::new(default_policy).with_overrides(H::OVERRIDES.iter().copied())
    }

    /// Adds overridden function names.
    #[must_use]
    pub fn with_overrides<I>(mut self, names: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.overrides.extend(names.into_iter().map(Into::into));
        self
    }

    /// Gives one function a policy other than the default ([`Policy::not_implemented_for`]).
    #[must_use]
    pub fn with_policy(mut self, function: impl Into<String>, policy: OnNotImplemented) -> Self {
        self.policy = self.policy.not_implemented_for(function, policy);
        self
    }

    /// The overridden names, sorted.
    pub fn overrides(&self) -> impl Iterator<Item = &str> {
        self.overrides.iter().map(String::as_str)
    }

    /// Whether the host implements `name` itself.
    pub fn overrides_function(&self, name: &str) -> bool {
        self.overrides.contains(name)
    }

    /// The policy of the functions the host does not implement.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The default policy's name (`nosys`, `trap`, `log`, or the errno's name such as `badf`).
    pub fn default_policy(&self) -> &'static str {
        label(self.policy.on_not_implemented())
    }

    /// The name of the policy `name` gets when the host does not override it.
    pub fn policy_for(&self, name: &str) -> &'static str {
        label(self.policy.for_function(name))
    }

    /// The overridden names that no function of `specs` has, each with the nearest name that
    /// exists, if one is close: a host's list with a typo.
    pub fn unknown_overrides(&self, specs: &[Spec]) -> Vec<UnknownName> {
        let known = || {
            specs
                .iter()
                .flat_map(|s| s.functions.iter().map(|f| f.name.as_str()))
        };
        self.overrides
            .iter()
            .filter(|name| !known().any(|k| k == name.as_str()))
            .map(|name| UnknownName {
                name: name.clone(),
                suggestion: nearest(name, known()).map(str::to_string),
            })
            .collect()
    }
}

/// The name a policy is shown with in reports: `nosys`, `trap`, `log` (a warning, then
/// `nosys`), or the errno's name (`badf`).
fn label(on: &OnNotImplemented) -> &'static str {
    match *on {
        OnNotImplemented::Nosys => "nosys",
        OnNotImplemented::Errno(name) => name,
        OnNotImplemented::LogThenNosys => "log",
        OnNotImplemented::Trap => "trap",
    }
}

/// A function name that is in no spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// The name as given.
    pub name: String,
    /// The nearest known name, if one is close enough to be a typo.
    pub suggestion: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_tables() {
        let specs = Spec::builtin();
        assert_eq!(specs[0].module, "wasi_snapshot_preview1");
        assert_eq!(specs[0].functions.len(), 46);
        assert_eq!(specs[1].module, "wasi_unstable");
        assert_eq!(specs[1].functions.len(), 45);
        assert_eq!(
            specs[0].function("fd_write").unwrap().signature.to_string(),
            "(i32, i32, i32, i32) -> (i32)"
        );
        assert_eq!(
            Spec::of::<dyn wasi_stubs::preview1::WasiSnapshotPreview1>(),
            specs[0]
        );
    }

    #[test]
    fn host_policies_and_unknown_names() {
        let host = Host::new(OnNotImplemented::Nosys)
            .with_overrides(["fd_write", "fd_wrte", "bogus_call"])
            .with_policy("path_open", OnNotImplemented::Trap);
        assert_eq!(host.policy_for("path_open"), "trap");
        assert_eq!(host.policy_for("fd_read"), "nosys");
        assert!(host.overrides_function("fd_write"));
        let unknown = host.unknown_overrides(&Spec::builtin());
        assert_eq!(
            unknown,
            vec![
                UnknownName {
                    name: "bogus_call".into(),
                    suggestion: None
                },
                UnknownName {
                    name: "fd_wrte".into(),
                    suggestion: Some("fd_write".into())
                },
            ]
        );
    }
}
