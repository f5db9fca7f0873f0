use std::collections::{BTreeMap, BTreeSet};

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
    pub fn from_table(module: impl Into<String>, table: &[wasi_stubs::FuncInfo]) -> Self {
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
        Spec::from_table(
            wasi_stubs::preview1::MODULE,
            wasi_stubs::preview1::FUNCTIONS,
        )
    }

    /// `wasi_unstable` (snapshot_0), 45 functions.
    pub fn preview0() -> Self {
        Spec::from_table(
            wasi_stubs::preview0::MODULE,
            wasi_stubs::preview0::FUNCTIONS,
        )
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

/// What a host answers: the functions it implements itself (by name) and the policy the others get.
///
/// Overrides are names, not (module, name) pairs: a wasi-stubs host implements the preview1 trait
/// and serves `wasi_unstable` through the polyfill, so a preview1 override answers the snapshot_0
/// import of the same name too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    overrides: BTreeSet<String>,
    default_policy: String,
    policies: BTreeMap<String, String>,
}

impl Host {
    /// A host that overrides nothing; every function gets `default_policy` (a label such as
    /// `nosys`, `badf`, `trap` or `log`, shown in the report).
    pub fn new(default_policy: impl Into<String>) -> Self {
        Host {
            overrides: BTreeSet::new(),
            default_policy: default_policy.into(),
            policies: BTreeMap::new(),
        }
    }

    /// The host `H`, from the override list `#[wasi_stubs(override = "...")]` checked:
    /// `Host::of::<MyHost, dyn WasiSnapshotPreview1>("nosys")`.
    pub fn of<H, S>(default_policy: impl Into<String>) -> Self
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

    /// Gives one function a policy other than the default.
    #[must_use]
    pub fn with_policy(mut self, function: impl Into<String>, policy: impl Into<String>) -> Self {
        self.policies.insert(function.into(), policy.into());
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

    /// The default policy.
    pub fn default_policy(&self) -> &str {
        &self.default_policy
    }

    /// The policy `name` gets when the host does not override it.
    pub fn policy_for(&self, name: &str) -> &str {
        self.policies
            .get(name)
            .map_or(self.default_policy.as_str(), String::as_str)
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
                suggestion: suggest(name, known()).map(str::to_string),
            })
            .collect()
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

/// The candidate nearest to `name` by edit distance, if it is close enough to be a typo (at most
/// a third of the name's length, and at least one edit).
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("fd_wirte", "fd_write"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
    }

    #[test]
    fn suggestions() {
        let names = ["fd_write", "fd_read", "random_get"];
        assert_eq!(suggest("fd_wrte", names), Some("fd_write"));
        assert_eq!(suggest("random_gte", names), Some("random_get"));
        assert_eq!(suggest("sock_open", names), None);
    }

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
        let host = Host::new("nosys")
            .with_overrides(["fd_write", "fd_wrte", "bogus_call"])
            .with_policy("path_open", "trap");
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
