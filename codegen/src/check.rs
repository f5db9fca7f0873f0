//! What the generated code needs of a document beyond what the `witx` crate checks: Rust names
//! that do not collide, tags that hold their cases, constants their types hold, and types small
//! enough to lay out. A document that breaks one is refused here, naming the definition, rather
//! than turned into code that does not compile.

use std::collections::HashMap;

use witx::{BuiltinType, Document, Id, IntRepr, Layout, NamedType, Type, TypeRef};

use crate::source::Def;
use crate::{Error, MAX_TYPE_PARTS, names};

/// Type names the generated code uses for its own: generic parameters (`T`, `H`) and the
/// prelude traits it names without a path (in `add_to_linker`'s and the glue's bounds). A type
/// or trait of the document with one of these names would shadow them.
const RESERVED_TYPES: &[&str] = &["T", "H", "Fn", "Send", "Sync", "Copy", "Sized"];

pub(crate) fn document(doc: &Document) -> Result<(), Error> {
    type_parts(doc)?;
    let mut top = Names::default();
    for nt in doc.typenames() {
        typename(&nt, &mut top)?;
    }
    modules(doc, &mut top)?;
    constants(doc, &mut top)
}

/// Rust names defined in one scope, each with the definition it came from.
#[derive(Default)]
struct Names {
    defined: HashMap<String, (Def, String)>,
}

impl Names {
    /// Defines `rust`, for `what` (`typename `foo_bar``) at `def`; an error if it is defined.
    fn define(&mut self, rust: &str, def: Def, what: String) -> Result<(), Error> {
        match self.defined.get(rust) {
            Some((first, first_what)) => Err(Error::at(
                def,
                format!(
                    "{what} becomes the Rust name `{rust}`, as does {first_what}: rename one of them"
                ),
            )
            .with_first(first.clone())),
            None => {
                self.defined.insert(rust.to_string(), (def, what));
                Ok(())
            }
        }
    }
}

fn reserved(rust: &str, def: Def, what: &str) -> Result<(), Error> {
    if RESERVED_TYPES.contains(&rust) {
        return Err(Error::at(
            def,
            format!(
                "{what} becomes the Rust name `{rust}`, which the generated code uses for its own: \
                 rename it"
            ),
        ));
    }
    Ok(())
}

/// The number of values a tag of `repr` holds.
fn capacity(repr: IntRepr) -> u128 {
    1u128 << (repr.mem_size() * 8)
}

fn repr_name(repr: IntRepr) -> &'static str {
    match repr {
        IntRepr::U8 => "u8",
        IntRepr::U16 => "u16",
        IntRepr::U32 => "u32",
        IntRepr::U64 => "u64",
    }
}

fn typename(nt: &NamedType, top: &mut Names) -> Result<(), Error> {
    let name = nt.name.as_str();
    let def = || Def::Typename(name.to_string());
    let rust = names::type_name(&nt.name).to_string();
    let what = format!("typename `{name}`");
    reserved(&rust, def(), &what)?;
    top.define(&rust, def(), what)?;
    let TypeRef::Value(ty) = &nt.tref else {
        return Ok(());
    };
    let member = |m: &Id| Def::Member {
        ty: name.to_string(),
        name: m.as_str().to_string(),
    };
    match &**ty {
        Type::Record(r) => match r.bitflags_repr() {
            Some(repr) => {
                let bits = repr.mem_size() * 8;
                if r.members.len() > bits {
                    return Err(Error::at(
                        def(),
                        format!(
                            "flags `{name}` has {} flags, more than its representation `{}` \
                             holds ({bits})",
                            r.members.len(),
                            repr_name(repr)
                        ),
                    ));
                }
                let mut scope = Names::default();
                for m in &r.members {
                    let rust = names::flag(&nt.name, &m.name).to_string();
                    let what = format!("flag `{}` of `{name}`", m.name.as_str());
                    scope.define(&rust, member(&m.name), what)?;
                }
            }
            None if r.members.is_empty() => {
                // The `witx` crate cannot lay out a record of nothing (its alignment is 0).
                return Err(Error::at(
                    def(),
                    format!(
                        "typename `{name}` is an empty tuple, which has no layout in guest memory"
                    ),
                ));
            }
            None if r.is_tuple() => {}
            None => {
                let mut scope = Names::default();
                for m in &r.members {
                    let rust = names::plain(&names::snake(&m.name));
                    let what = format!("field `{}` of `{name}`", m.name.as_str());
                    scope.define(&rust, member(&m.name), what)?;
                }
            }
        },
        Type::Variant(v) => {
            let kind = if v.is_enum() { "enum" } else { "union" };
            if v.cases.is_empty() {
                return Err(Error::at(
                    def(),
                    format!("{kind} `{name}` has no cases, so no value"),
                ));
            }
            let holds = capacity(v.tag_repr);
            if v.cases.len() as u128 > holds {
                return Err(Error::at(
                    def(),
                    format!(
                        "{kind} `{name}` has {} cases, more than its tag type `{}` holds ({holds})",
                        v.cases.len(),
                        repr_name(v.tag_repr)
                    ),
                ));
            }
            let mut scope = Names::default();
            for c in &v.cases {
                let rust = names::case(&nt.name, &c.name).to_string();
                let what = format!("case `{}` of `{name}`", c.name.as_str());
                scope.define(&rust, member(&c.name), what)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn modules(doc: &Document, top: &mut Names) -> Result<(), Error> {
    let mut rust_modules = Names::default();
    for module in doc.modules() {
        let name = module.name.as_str();
        let def = || Def::Module(name.to_string());
        let what = format!("module `{name}`");
        let rust = names::plain(&names::module(&module.name));
        rust_modules.define(&rust, def(), what.clone())?;
        let trait_name = names::trait_name(&module.name).to_string();
        reserved(&trait_name, def(), &what)?;
        top.define(&trait_name, def(), format!("the trait of {what}"))?;
        let mut methods = Names::default();
        for func in module.funcs() {
            let def = Def::Func {
                module: name.to_string(),
                func: func.name.as_str().to_string(),
            };
            let rust = names::plain(&names::snake(&func.name));
            let what = format!("function `{}`", func.name.as_str());
            methods.define(&rust, def, what)?;
            crate::model::check_params(name, &func)?;
        }
    }
    Ok(())
}

fn constants(doc: &Document, top: &mut Names) -> Result<(), Error> {
    // Per type (the one aliases lead to), the names in its `impl`: its flags, then constants.
    let mut impls: HashMap<String, Names> = HashMap::new();
    for nt in doc.typenames() {
        if let Type::Record(r) = &**nt.type_()
            && r.bitflags_repr().is_some()
            && let TypeRef::Value(_) = &nt.tref
        {
            let scope = impls.entry(nt.name.as_str().to_string()).or_default();
            for m in &r.members {
                let rust = names::flag(&nt.name, &m.name).to_string();
                let def = Def::Member {
                    ty: nt.name.as_str().to_string(),
                    name: m.name.as_str().to_string(),
                };
                let what = format!("flag `{}` of `{}`", m.name.as_str(), nt.name.as_str());
                scope.define(&rust, def, what)?;
            }
        }
    }
    for c in doc.constants() {
        let def = || Def::Constant {
            ty: c.ty.as_str().to_string(),
            name: c.name.as_str().to_string(),
        };
        let what = format!("constant `{}` of `{}`", c.name.as_str(), c.ty.as_str());
        let Some(nt) = doc.typename(&c.ty) else {
            return Err(Error::at(
                def(),
                format!("{what}: no type `{}`", c.ty.as_str()),
            ));
        };
        let target = defining(&nt);
        let fits = |max: u128, ty: &str| {
            if u128::from(c.value) > max {
                Err(Error::at(
                    def(),
                    format!("{what}: {} does not fit in its type `{ty}`", c.value),
                ))
            } else {
                Ok(())
            }
        };
        match &target.tref {
            TypeRef::Value(ty) => match &**ty {
                Type::Builtin(b) => {
                    let (max, ty) = match b {
                        BuiltinType::U8 { .. } => (u128::from(u8::MAX), "u8"),
                        BuiltinType::U16 => (u128::from(u16::MAX), "u16"),
                        BuiltinType::U32 { .. } => (u128::from(u32::MAX), "u32"),
                        BuiltinType::U64 => (u128::from(u64::MAX), "u64"),
                        BuiltinType::S8 => (i8::MAX as u128, "s8"),
                        BuiltinType::S16 => (i16::MAX as u128, "s16"),
                        BuiltinType::S32 => (i32::MAX as u128, "s32"),
                        BuiltinType::S64 => (i64::MAX as u128, "s64"),
                        BuiltinType::Char | BuiltinType::F32 | BuiltinType::F64 => {
                            return Err(Error::at(
                                def(),
                                format!(
                                    "{what}: a constant is an integer, and `{}` is not an \
                                     integer type",
                                    c.ty.as_str()
                                ),
                            ));
                        }
                    };
                    fits(max, ty)?;
                    let rust = format!(
                        "{}_{}",
                        names::const_prefix(&c.ty),
                        names::flag(&c.ty, &c.name)
                    );
                    top.define(&rust, def(), what)?;
                }
                Type::Record(r) if r.bitflags_repr().is_some() => {
                    let repr = r.bitflags_repr().unwrap_or(IntRepr::U64);
                    fits(capacity(repr) - 1, repr_name(repr))?;
                    let rust = names::flag(&c.ty, &c.name).to_string();
                    let scope = impls.entry(target.name.as_str().to_string()).or_default();
                    scope.define(&rust, def(), what)?;
                }
                Type::Handle(_) => {
                    fits(u128::from(u32::MAX), "u32")?;
                    let rust = names::flag(&c.ty, &c.name).to_string();
                    let scope = impls.entry(target.name.as_str().to_string()).or_default();
                    scope.define(&rust, def(), what)?;
                }
                other => {
                    return Err(Error::at(
                        def(),
                        format!("{what}: a {} cannot have constants", other.kind()),
                    ));
                }
            },
            // `defining` follows every name.
            TypeRef::Name(_) => {}
        }
    }
    Ok(())
}

/// The typename `nt` is an alias of (through any number of aliases), or `nt` itself.
pub(crate) fn defining(nt: &std::rc::Rc<NamedType>) -> std::rc::Rc<NamedType> {
    let mut nt = nt.clone();
    while let TypeRef::Name(inner) = &nt.tref {
        let inner = inner.clone();
        nt = inner;
    }
    nt
}

/// Refuses a document whose types, unfolded, have more than [`MAX_TYPE_PARTS`] parts.
fn type_parts(doc: &Document) -> Result<(), Error> {
    // Per typename, the parts of its definition unfolded. Names are defined before they are used
    // (witx refuses others), so each is known when it is met.
    let mut parts: HashMap<Id, usize> = HashMap::new();
    let mut total = 0usize;
    for nt in doc.typenames() {
        let n = unfolded(&nt.tref, &parts);
        parts.insert(nt.name.clone(), n);
        total = total.saturating_add(n);
        if total > MAX_TYPE_PARTS {
            let name = nt.name.as_str();
            return Err(Error::at(
                Def::Typename(name.to_string()),
                format!(
                    "the document's types have more than {MAX_TYPE_PARTS} parts with every type \
                     name replaced by its definition (`{name}` alone has {n}), the most the \
                     generator lays out"
                ),
            ));
        }
    }
    Ok(())
}

/// The parts of `tref` with every name replaced by its definition (known ones from `parts`).
fn unfolded(tref: &TypeRef, parts: &HashMap<Id, usize>) -> usize {
    match tref {
        TypeRef::Name(nt) => parts.get(&nt.name).copied().unwrap_or(1).saturating_add(1),
        // Anonymous types nest no deeper than the text, which `load` bounds.
        TypeRef::Value(ty) => match &**ty {
            Type::Record(r) => r
                .members
                .iter()
                .fold(1, |n, m| n.saturating_add(unfolded(&m.tref, parts))),
            Type::Variant(v) => v
                .cases
                .iter()
                .filter_map(|c| c.tref.as_ref())
                .fold(1, |n, t| n.saturating_add(unfolded(t, parts))),
            Type::List(t) | Type::Pointer(t) | Type::ConstPointer(t) => {
                unfolded(t, parts).saturating_add(1)
            }
            Type::Builtin(_) | Type::Handle(_) => 1,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The WASI documents are far from the limit on type parts.
    #[test]
    fn the_wasi_types_are_far_from_the_limit() {
        let witx = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("witx");
        for doc in [
            "preview1/wasi_snapshot_preview1.witx",
            "preview0/wasi_unstable.witx",
        ] {
            let doc = crate::load(&[witx.join(doc)]).unwrap();
            let mut parts = HashMap::new();
            let mut total = 0;
            for nt in doc.typenames() {
                let n = unfolded(&nt.tref, &parts);
                parts.insert(nt.name.clone(), n);
                total += n;
            }
            assert!(total * 50 < MAX_TYPE_PARTS, "{total}");
        }
    }
}
