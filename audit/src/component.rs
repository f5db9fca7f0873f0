//! The audit of a component: its imported interfaces and functions against the interfaces of
//! `wasi:cli/command` a wasi-stubs component host serves.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;
use wasi_stubs::component::{
    Coverage, Interface, InterfaceVisitor, NoOverrides, Policy, ResultShape,
};
use wasi_stubs::host::MinimalComponentHost;
use wasi_stubs::p2;
use wasi_stubs::wasmtime::component::types::{ComponentItem, Type};
use wasi_stubs::wasmtime::component::{Component, Linker};
use wasi_stubs::wasmtime::{Config, Engine};

use crate::error::{Error, ErrorKind};
use crate::report::{Deny, display_name};

/// The layout version of [`ComponentReport::to_json`]: 2 (the module report is layout 1).
pub const COMPONENT_SCHEMA: u32 = 2;

/// One interface a component host serves: its versioned name and every function, with whether
/// the host overrides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostInterface {
    /// `wasi:cli/stdout@0.2.12`.
    pub name: &'static str,
    /// Every function by WIT name, in the trait's order, with whether the host overrides it.
    pub functions: Vec<(&'static str, bool)>,
}

impl HostInterface {
    /// The interface `I` with the overrides `H` declares by `#[wasi_stubs(override(...))]`.
    pub fn of<H: Coverage<I>, I: Interface + ?Sized>() -> Self {
        HostInterface {
            name: I::NAME,
            functions: H::coverage().collect(),
        }
    }
}

/// Collects the interfaces of a world, each with what the host `H` overrides of it, from the
/// world's generated `for_each_interface` (no list of them is kept here).
struct Collect(Vec<HostInterface>);

impl<H> InterfaceVisitor<H> for Collect {
    fn visit<I: Interface + ?Sized>(&mut self)
    where
        H: Coverage<I>,
    {
        self.0.push(HostInterface::of::<H, I>());
    }
}

/// A component host to audit against: the interfaces of `wasi:cli/command` (WASI 0.2.12) it
/// serves, what it overrides, and the [`Policy`] the others follow.
#[derive(Debug, Clone)]
pub struct ComponentHost {
    interfaces: Vec<HostInterface>,
    policy: Policy,
}

impl ComponentHost {
    /// [`MinimalComponentHost`], with the overrides its impls declare.
    pub fn minimal(policy: Policy) -> Self {
        ComponentHost {
            interfaces: {
                let mut collect = Collect(Vec::new());
                p2::for_each_interface::<MinimalComponentHost, _>(&mut collect);
                collect.0
            },
            policy,
        }
    }

    /// A host that overrides nothing: every function gives its default answer.
    pub fn none(policy: Policy) -> Self {
        ComponentHost {
            interfaces: {
                let mut collect = Collect(Vec::new());
                p2::for_each_interface::<NoOverrides, _>(&mut collect);
                collect.0
            },
            policy,
        }
    }

    /// The interfaces served.
    pub fn interfaces(&self) -> &[HostInterface] {
        &self.interfaces
    }

    /// The served interface an import named `name` (`wasi:cli/stdout@0.2.6`) links to: the same
    /// package and interface, with a semver-compatible version.
    fn serving(&self, name: &str) -> Option<&HostInterface> {
        let (path, version) = split_version(name);
        self.interfaces.iter().find(|i| {
            let (p, v) = split_version(i.name);
            p == path && compatible(v, version)
        })
    }
}

fn split_version(name: &str) -> (&str, Option<&str>) {
    match name.split_once('@') {
        Some((p, v)) => (p, Some(v)),
        None => (name, None),
    }
}

/// Whether an import of `wanted` is served by `served`, as wasmtime matches versions: the same
/// major version (for 0.x, the same minor one).
fn compatible(served: Option<&str>, wanted: Option<&str>) -> bool {
    let key = |v: &str| -> Option<(u64, u64)> {
        let mut parts = v.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some(if major == 0 { (0, minor) } else { (major, 0) })
    };
    match (served, wanted) {
        (Some(s), Some(w)) => s == w || key(s).is_some_and(|k| Some(k) == key(w)),
        (None, None) => true,
        _ => false,
    }
}

/// What the host does with one imported function of a component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentStatus {
    /// The host implements it.
    Overridden,
    /// The host leaves it to its default: `answer` is what it gets (`error-code.unsupported`,
    /// `none`, `empty`, `error`, `trap`).
    Default {
        /// The answer, as [`Policy::default_answer`] names it.
        answer: String,
    },
    /// The interface or the function is not one the host serves: instantiation fails.
    Unknown,
    /// The function is served with another type: instantiation fails.
    WrongType {
        /// wasmtime's reason.
        reason: String,
    },
}

impl ComponentStatus {
    /// `overridden`, `default`, `unknown` or `wrong_type`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ComponentStatus::Overridden => "overridden",
            ComponentStatus::Default { .. } => "default",
            ComponentStatus::Unknown => "unknown",
            ComponentStatus::WrongType { .. } => "wrong_type",
        }
    }

    /// Whether `deny` denies a function with this status.
    pub fn denied_by(&self, deny: Deny) -> bool {
        match self {
            ComponentStatus::Overridden => false,
            ComponentStatus::Default { .. } => deny == Deny::Default,
            ComponentStatus::Unknown | ComponentStatus::WrongType { .. } => true,
        }
    }
}

/// One imported function and its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentFunction {
    /// The WIT name (`[method]output-stream.blocking-write-and-flush`).
    pub name: String,
    /// What the host does with it.
    pub status: ComponentStatus,
}

/// One imported interface (instance) of the component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentImport {
    /// The import's name with its version: `wasi:cli/stdout@0.2.6`.
    pub name: String,
    /// The interface the host serves it with (`wasi:cli/stdout@0.2.12`), if any.
    pub served_as: Option<String>,
    /// Its functions, in the component's order (a function imported directly, not in an
    /// instance, is its own only function).
    pub functions: Vec<ComponentFunction>,
}

impl ComponentImport {
    /// Why `deny` denies the function `f` of this import, for people.
    pub fn reason(&self, f: &ComponentFunction) -> String {
        match &f.status {
            ComponentStatus::Overridden => "implemented by the host".into(),
            ComponentStatus::Default { answer } => {
                format!("not implemented by the host (gets {answer})")
            }
            ComponentStatus::Unknown => match &self.served_as {
                Some(served) => format!("not a function of {served}"),
                None => "not an interface the host serves".into(),
            },
            ComponentStatus::WrongType { reason } => format!("the wrong type: {reason}"),
        }
    }
}

/// The audit of a component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentReport {
    /// The file it was read from, if any.
    pub file: Option<PathBuf>,
    /// Every imported interface, once, in the component's order.
    pub imports: Vec<ComponentImport>,
}

/// Reads the component `bytes` (wasmtime's parser and validator), joins its imports with what
/// `host` serves and overrides, and finds functions of the wrong type by typechecking the
/// imports against the linker of `wasi_stubs::p2`.
pub fn audit_component(bytes: &[u8], host: &ComponentHost) -> Result<ComponentReport, Error> {
    let mut config = Config::new();
    // Compiling is not needed to read types, but wasmtime compiles on load: keep it cheap.
    config.cranelift_opt_level(wasi_stubs::wasmtime::OptLevel::None);
    let engine = Engine::new(&config).map_err(invalid)?;
    let component = Component::new(&engine, bytes).map_err(invalid)?;
    let wrong = wrong_types(&engine, &component, host);

    let mut imports = Vec::new();
    for (name, item) in component.component_type().imports(&engine) {
        let served = host.serving(name);
        let mut functions = Vec::new();
        match item.ty {
            ComponentItem::ComponentInstance(instance) => {
                let exports: Vec<_> = instance.exports(&engine).collect();
                let types: Vec<(&str, &Type)> = exports
                    .iter()
                    .filter_map(|(n, i)| match &i.ty {
                        ComponentItem::Type(t) => Some((*n, t)),
                        _ => None,
                    })
                    .collect();
                for (fname, fitem) in &exports {
                    let ComponentItem::ComponentFunc(func) = &fitem.ty else {
                        continue;
                    };
                    let status = match served {
                        None => ComponentStatus::Unknown,
                        Some(s) => match s.functions.iter().find(|(n, _)| n == fname) {
                            None => ComponentStatus::Unknown,
                            Some(_) if wrong.iter().any(|w| w.0 == name && w.1 == *fname) => {
                                let reason = wrong
                                    .iter()
                                    .find(|w| w.0 == name && w.1 == *fname)
                                    .map(|w| w.2.clone())
                                    .unwrap_or_default();
                                ComponentStatus::WrongType { reason }
                            }
                            Some((_, true)) => ComponentStatus::Overridden,
                            Some((_, false)) => {
                                let shape = shape_of(func.results().next().as_ref(), &types);
                                let function = format!("{}#{fname}", s.name);
                                ComponentStatus::Default {
                                    answer: host.policy.default_answer(&function, &shape),
                                }
                            }
                        },
                    };
                    functions.push(ComponentFunction {
                        name: fname.to_string(),
                        status,
                    });
                }
            }
            ComponentItem::ComponentFunc(_) => functions.push(ComponentFunction {
                name: name.to_string(),
                status: ComponentStatus::Unknown,
            }),
            // Types, resources, modules and components imported on their own: not WASI
            // functions, nothing to judge.
            _ => continue,
        }
        imports.push(ComponentImport {
            name: name.to_string(),
            served_as: served.map(|s| s.name.to_string()),
            functions,
        });
    }
    Ok(ComponentReport {
        file: None,
        imports,
    })
}

fn invalid(e: wasi_stubs::wasmtime::Error) -> Error {
    let message = format!("{e:#}");
    let line: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    Error::new(ErrorKind::InvalidComponent(line.join(" ")), None)
}

/// The shape of a function's result, naming an error `enum` or `variant` by the type the
/// instance exports for it.
fn shape_of(result: Option<&Type>, types: &[(&str, &Type)]) -> ResultShape {
    match result {
        Some(Type::Result(r)) => {
            let Some(err) = r.err() else {
                return ResultShape::ErrorUnit;
            };
            let cases: Vec<String> = match &err {
                Type::Enum(e) => e.names().map(str::to_string).collect(),
                Type::Variant(v) => v
                    .cases()
                    .filter(|c| c.ty.is_none())
                    .map(|c| c.name.to_string())
                    .collect(),
                _ => return ResultShape::Other,
            };
            let error = types
                .iter()
                .find(|(_, t)| **t == err)
                .map_or("error", |(n, _)| n)
                .to_string();
            ResultShape::ErrorCases { error, cases }
        }
        Some(Type::Option(_)) => ResultShape::Option,
        Some(Type::List(_)) => ResultShape::List,
        _ => ResultShape::Other,
    }
}

/// The (import, function, reason) of every imported function whose type differs from what the
/// linker of `wasi_stubs::p2` defines. wasmtime's typecheck stops at the first mismatch: each one
/// found is replaced by a dynamically typed function (which matches any type) and the check
/// repeated, with the functions and interfaces the host does not serve defined the same way.
fn wrong_types(
    engine: &Engine,
    component: &Component,
    host: &ComponentHost,
) -> Vec<(String, String, String)> {
    let ty = component.component_type();
    // Every import with its functions; `None` for a function imported directly.
    let imports: Vec<(&str, Option<Vec<String>>)> = ty
        .imports(engine)
        .filter_map(|(name, item)| match item.ty {
            ComponentItem::ComponentInstance(i) => Some((
                name,
                Some(
                    i.exports(engine)
                        .filter(|(_, e)| matches!(e.ty, ComponentItem::ComponentFunc(_)))
                        .map(|(n, _)| n.to_string())
                        .collect(),
                ),
            )),
            ComponentItem::ComponentFunc(_) => Some((name, None)),
            _ => None,
        })
        .collect();
    let limit: usize = imports
        .iter()
        .map(|(_, f)| f.as_ref().map_or(1, Vec::len))
        .sum();
    let mut wrong: Vec<(String, String, String)> = Vec::new();
    for _ in 0..=limit {
        let mut linker: Linker<MinimalComponentHost> = Linker::new(engine);
        linker.allow_shadowing(true);
        if p2::add_to_linker(&mut linker, |h| h).is_err() {
            break;
        }
        let mut defined = true;
        for (name, functions) in &imports {
            let Some(functions) = functions else {
                defined &= linker.root().func_new(name, |_, _, _, _| Ok(())).is_ok();
                continue;
            };
            let served = host.serving(name);
            // Reopening the served instance by its own name keeps what the host defines.
            let Ok(mut instance) = linker.instance(served.map_or(*name, |s| s.name)) else {
                defined = false;
                continue;
            };
            for f in functions {
                let known = served.is_some_and(|s| s.functions.iter().any(|(n, _)| n == f));
                let found_wrong = wrong.iter().any(|w| w.0 == *name && w.1 == *f);
                if !known || found_wrong {
                    defined &= instance.func_new(f, |_, _, _, _| Ok(())).is_ok();
                }
            }
        }
        if !defined {
            break;
        }
        let Err(e) = linker.substituted_component_type(component) else {
            break;
        };
        let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
        let Some(found) = mismatch(&chain) else {
            break;
        };
        if wrong.iter().any(|w| w.0 == found.0 && w.1 == found.1) {
            break;
        }
        wrong.push(found);
    }
    wrong
}

/// The instance, export and reason of wasmtime's typecheck error (its context chain:
/// "component imports instance `X`, ...", "instance export `f` has the wrong type", reason).
fn mismatch(chain: &[String]) -> Option<(String, String, String)> {
    let quoted = |s: &str| s.split('`').nth(1).map(str::to_string);
    let instance = chain
        .iter()
        .find(|c| c.starts_with("component imports instance"))
        .and_then(|c| quoted(c))?;
    let at = chain
        .iter()
        .position(|c| c.starts_with("instance export") && c.ends_with("has the wrong type"))?;
    let export = quoted(&chain[at])?;
    let reason = chain
        .get(at + 1..)
        .map(|r| r.join(": "))
        .unwrap_or_default();
    Some((instance, export, reason))
}

impl ComponentReport {
    /// Every (import, function) that breaks one of `deny`, each once.
    pub fn violations(&self, deny: &[Deny]) -> Vec<(&ComponentImport, &ComponentFunction)> {
        self.imports
            .iter()
            .flat_map(|i| i.functions.iter().map(move |f| (i, f)))
            .filter(|(_, f)| deny.iter().any(|d| f.status.denied_by(*d)))
            .collect()
    }

    /// Counts per status: overridden, default, unknown, wrong type.
    fn counts(&self) -> [usize; 4] {
        let mut counts = [0; 4];
        for f in self.imports.iter().flat_map(|i| &i.functions) {
            counts[match f.status {
                ComponentStatus::Overridden => 0,
                ComponentStatus::Default { .. } => 1,
                ComponentStatus::Unknown => 2,
                ComponentStatus::WrongType { .. } => 3,
            }] += 1;
        }
        counts
    }

    /// The report as a table for people: each interface with its version and the one serving
    /// it, then each function with its status.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        if let Some(file) = &self.file {
            let _ = writeln!(out, "{}: a component", file.display());
        }
        let width = self
            .imports
            .iter()
            .flat_map(|i| &i.functions)
            .map(|f| display_name(&f.name).chars().count())
            .max()
            .unwrap_or(0);
        for import in &self.imports {
            let served = match &import.served_as {
                Some(s) => format!("served as {s}"),
                None => "not served".into(),
            };
            let _ = writeln!(out, "{}  ({served})", display_name(&import.name));
            for f in &import.functions {
                let status = match &f.status {
                    ComponentStatus::Overridden => "overridden".to_string(),
                    ComponentStatus::Default { answer } => format!("default ({answer})"),
                    ComponentStatus::Unknown => "unknown".into(),
                    ComponentStatus::WrongType { .. } => "wrong type".into(),
                };
                let name = display_name(&f.name);
                let _ = writeln!(out, "  {name:<width$}  {status}");
            }
        }
        let [o, d, u, w] = self.counts();
        let _ = writeln!(
            out,
            "{} interfaces, {} functions: {o} overridden, {d} default, {u} unknown, {w} wrong type",
            self.imports.len(),
            o + d + u + w
        );
        out
    }

    /// [`to_json`](Self::to_json), pretty, with a final newline.
    pub fn to_json_string(&self, deny: &[Deny]) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_json(deny)).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The report as JSON (layout [`COMPONENT_SCHEMA`], see the README).
    pub fn to_json(&self, deny: &[Deny]) -> serde_json::Value {
        #[derive(Serialize)]
        struct Function<'a> {
            name: &'a str,
            status: &'static str,
            answer: Option<&'a str>,
            reason: Option<&'a str>,
        }
        #[derive(Serialize)]
        struct Import<'a> {
            name: &'a str,
            version: Option<&'a str>,
            served_as: Option<&'a str>,
            functions: Vec<Function<'a>>,
        }
        let imports: Vec<Import> = self
            .imports
            .iter()
            .map(|i| Import {
                name: &i.name,
                version: split_version(&i.name).1,
                served_as: i.served_as.as_deref(),
                functions: i
                    .functions
                    .iter()
                    .map(|f| Function {
                        name: &f.name,
                        status: f.status.as_str(),
                        answer: match &f.status {
                            ComponentStatus::Default { answer } => Some(answer),
                            _ => None,
                        },
                        reason: match &f.status {
                            ComponentStatus::WrongType { reason } => Some(reason),
                            _ => None,
                        },
                    })
                    .collect(),
            })
            .collect();
        let [o, d, u, w] = self.counts();
        let violations: Vec<serde_json::Value> = self
            .violations(deny)
            .into_iter()
            .map(|(i, f)| serde_json::json!({"import": i.name, "function": f.name}))
            .collect();
        serde_json::json!({
            "schema": COMPONENT_SCHEMA,
            "file": self.file,
            "kind": "component",
            "imports": imports,
            "summary": {
                "interfaces": self.imports.len(),
                "functions": o + d + u + w,
                "overridden": o,
                "default": d,
                "unknown": u,
                "wrong_type": w,
            },
            "deny": deny,
            "violations": violations,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_match_as_wasmtime_matches_them() {
        assert!(compatible(Some("0.2.12"), Some("0.2.0")));
        assert!(compatible(Some("0.2.12"), Some("0.2.12")));
        assert!(!compatible(Some("0.2.12"), Some("0.3.0")));
        assert!(!compatible(Some("0.2.12"), None));
        assert!(compatible(Some("1.4.0"), Some("1.0.1")));
        assert!(!compatible(Some("1.4.0"), Some("2.0.0")));
    }

    #[test]
    fn the_minimal_host_serves_the_command_world_with_its_declared_overrides() {
        let host = ComponentHost::minimal(Policy::DEFAULT);
        assert_eq!(host.interfaces().len(), 27);
        let stdout = host.serving("wasi:cli/stdout@0.2.3").unwrap();
        assert_eq!(stdout.name, "wasi:cli/stdout@0.2.12");
        assert_eq!(stdout.functions, [("get-stdout", true)]);
        let types = host.serving("wasi:filesystem/types@0.2.12").unwrap();
        assert!(types.functions.iter().all(|(_, overridden)| !overridden));
        assert!(host.serving("wasi:cli/stdout@0.3.0").is_none());
        assert!(host.serving("wasi:cli/stdout").is_none());
        let none = ComponentHost::none(Policy::DEFAULT);
        assert!(
            none.interfaces()
                .iter()
                .flat_map(|i| &i.functions)
                .all(|(_, overridden)| !overridden)
        );
    }

    #[test]
    fn a_typecheck_error_names_instance_export_and_reason() {
        let chain = [
            "component imports instance `wasi:cli/stdout@0.2.0`, but a matching implementation was not found in the linker",
            "instance export `get-stdout` has the wrong type",
            "type mismatch with results",
            "expected `own` or `borrow`, found `u32`",
        ]
        .map(String::from);
        assert_eq!(
            mismatch(&chain),
            Some((
                "wasi:cli/stdout@0.2.0".into(),
                "get-stdout".into(),
                "type mismatch with results: expected `own` or `borrow`, found `u32`".into()
            ))
        );
        assert_eq!(mismatch(&chain[..1]), None);
        assert_eq!(mismatch(&[]), None);
    }

    #[test]
    fn an_error_enum_is_named_by_the_type_the_instance_exports() {
        let wat = r#"(component
          (import "example:net/sockets@0.2.0" (instance
            (type $e (enum "unknown" "access-denied" "not-supported"))
            (export "error-code" (type $code (eq $e)))
            (type $v (variant (case "closed") (case "failed" u32)))
            (export "stream-error" (type $stream (eq $v)))
            (export "open" (func (result (result u32 (error $code)))))
            (export "write" (func (result (result (error $stream)))))
            (export "flush" (func (result (result))))
            (export "peer" (func (result (option string))))
            (export "names" (func (result (list string))))
            (export "count" (func (result u64)))
            (export "text" (func (result (result (error string)))))))
        )"#;
        let bytes = wat::parse_str(wat).unwrap();
        let engine = Engine::default();
        let component = Component::new(&engine, &bytes).unwrap();
        let ty = component.component_type();
        let (_, item) = ty.imports(&engine).next().unwrap();
        let ComponentItem::ComponentInstance(instance) = item.ty else {
            panic!("an instance");
        };
        let exports: Vec<_> = instance.exports(&engine).collect();
        let types: Vec<(&str, &Type)> = exports
            .iter()
            .filter_map(|(n, i)| match &i.ty {
                ComponentItem::Type(t) => Some((*n, t)),
                _ => None,
            })
            .collect();
        let answers: Vec<String> = exports
            .iter()
            .filter_map(|(n, i)| match &i.ty {
                ComponentItem::ComponentFunc(f) => {
                    let shape = shape_of(f.results().next().as_ref(), &types);
                    Some(format!("{n}={}", Policy::DEFAULT.default_answer(n, &shape)))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            answers,
            [
                "open=error-code.not-supported",
                "write=stream-error.closed",
                "flush=error",
                "peer=none",
                "names=empty",
                "count=trap",
                "text=trap",
            ]
        );
    }

    #[test]
    fn a_function_of_another_shape_is_the_wrong_type() {
        let wat = r#"(component
          (import "wasi:filesystem/preopens@0.2.0" (instance
            (export "get-directories" (func (result (list u32))))))
        )"#;
        let bytes = wat::parse_str(wat).unwrap();
        let report = audit_component(&bytes, &ComponentHost::minimal(Policy::DEFAULT)).unwrap();
        assert_eq!(report.imports.len(), 1);
        // `list<u32>` is not `list<tuple<descriptor, string>>`.
        assert!(matches!(
            report.imports[0].functions[0].status,
            ComponentStatus::WrongType { .. }
        ));
        assert_eq!(report.violations(&[Deny::Unknown]).len(), 1);
    }

    #[test]
    fn bad_bytes_are_an_error_not_a_panic() {
        let host = ComponentHost::minimal(Policy::DEFAULT);
        for bytes in [
            &b"\0asm\x0d\x00\x01\x00\x7f\x7f\x7f"[..],
            b"\0asm\x0d\x00\x01\x00\x01\x05",
            b"",
        ] {
            let e = audit_component(bytes, &host).unwrap_err();
            assert!(matches!(e.kind(), ErrorKind::InvalidComponent(_)), "{e}");
            assert!(!e.to_string().contains('\n'), "{e}");
        }
    }
}
