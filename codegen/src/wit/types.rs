//! Rust types for WIT types.

use std::collections::{HashMap, HashSet};

use proc_macro2::TokenStream;
use quote::quote;
use wit_parser::{Handle, Type, TypeDefKind, TypeId};

use super::{Error, MAX_TYPE_DEPTH, Scope, names};

/// The Rust type of a WIT type used in a field, parameter or result.
pub(super) fn ty(scope: &mut Scope<'_, '_>, ty: &Type) -> Result<TokenStream, Error> {
    expr(scope, ty, 0)
}

fn expr(scope: &mut Scope<'_, '_>, ty: &Type, depth: usize) -> Result<TokenStream, Error> {
    Ok(match ty {
        Type::Bool => quote!(bool),
        Type::U8 => quote!(u8),
        Type::U16 => quote!(u16),
        Type::U32 => quote!(u32),
        Type::U64 => quote!(u64),
        Type::S8 => quote!(i8),
        Type::S16 => quote!(i16),
        Type::S32 => quote!(i32),
        Type::S64 => quote!(i64),
        Type::F32 => quote!(f32),
        Type::F64 => quote!(f64),
        Type::Char => quote!(char),
        Type::String => quote!(String),
        Type::ErrorContext => {
            return Err(Error::new(format!(
                "{}: `error-context` is not supported (it belongs to the async component model)",
                scope.generator.at(scope.unit.span)
            )));
        }
        Type::Id(id) => {
            let def = &scope.resolve().types[*id];
            if def.name.is_some() {
                return scope.path_to(*id);
            }
            if depth >= MAX_TYPE_DEPTH {
                return Err(Error::new(format!(
                    "{}: types nested deeper than {MAX_TYPE_DEPTH}",
                    scope.generator.at(def.span)
                )));
            }
            anonymous(scope, *id, depth + 1)?
        }
    })
}

/// The Rust type of an anonymous WIT type: `option<T>`, `result<T, E>`, `list<T>`, a tuple or
/// a handle.
fn anonymous(scope: &mut Scope<'_, '_>, id: TypeId, depth: usize) -> Result<TokenStream, Error> {
    let def = &scope.resolve().types[id];
    Ok(match &def.kind {
        TypeDefKind::Option(t) => {
            let t = expr(scope, t, depth)?;
            quote!(Option<#t>)
        }
        TypeDefKind::Result(r) => {
            let ok = optional(scope, r.ok.as_ref(), depth)?;
            let err = optional(scope, r.err.as_ref(), depth)?;
            quote!(Result<#ok, #err>)
        }
        TypeDefKind::List(t) => {
            let t = expr(scope, t, depth)?;
            quote!(Vec<#t>)
        }
        TypeDefKind::Tuple(tuple) => {
            let types = tuple
                .types
                .iter()
                .map(|t| expr(scope, t, depth))
                .collect::<Result<Vec<_>, _>>()?;
            quote!((#(#types,)*))
        }
        TypeDefKind::Handle(Handle::Own(resource) | Handle::Borrow(resource)) => {
            let resource = scope.path_to(*resource)?;
            scope.uses_resource = true;
            quote!(Resource<#resource>)
        }
        TypeDefKind::Type(t) => expr(scope, t, depth)?,
        other => return Err(unsupported(scope, id, other.as_str())),
    })
}

fn optional(
    scope: &mut Scope<'_, '_>,
    ty: Option<&Type>,
    depth: usize,
) -> Result<TokenStream, Error> {
    match ty {
        Some(t) => expr(scope, t, depth),
        None => Ok(quote!(())),
    }
}

fn unsupported(scope: &Scope<'_, '_>, id: TypeId, kind: &str) -> Error {
    let def = &scope.resolve().types[id];
    Error::new(format!(
        "{}: `{kind}` types are not supported (wasmtime's synchronous component API has no \
         Rust type for them)",
        scope.generator.at(def.span)
    ))
}

/// The item for the named type `id` of the unit: a struct, an enum, a `flags!`, a resource's
/// type or an alias.
pub(super) fn definition(scope: &mut Scope<'_, '_>, id: TypeId) -> Result<TokenStream, Error> {
    let resolve = scope.resolve();
    let def = &resolve.types[id];
    let wit_name = def.name.as_deref().unwrap_or_default();
    let name = names::camel(wit_name);
    scope.define(&name, scope.generator.at(def.span));
    let docs = names::docs(&def.docs);
    let (handles, floats) = contents(scope, &Type::Id(id), 0, &mut HashMap::new())?;
    // `Resource<R>` has no `Clone` or `PartialEq`, and floats no `Eq`.
    let derives = match (handles, floats) {
        (true, _) => quote!(Debug),
        (false, true) => quote!(Clone, Debug, PartialEq),
        (false, false) => quote!(Clone, Debug, PartialEq, Eq),
    };
    Ok(match &def.kind {
        TypeDefKind::Record(record) => {
            scope.uses_derives = true;
            let mut shown = Vec::new();
            let fields = members(
                scope,
                wit_name,
                def.span,
                record.fields.iter().map(|f| (&f.name, &f.docs, f)),
                names::snake,
                |scope, ident, field| {
                    let wit = &field.name;
                    let prefix = match shown.is_empty() {
                        true => format!("{wit}: "),
                        false => format!(", {wit}: "),
                    };
                    shown.push(quote! {
                        out.push_str(#prefix);
                        wasi_stubs::component::Describe::describe(&self.#ident, out);
                    });
                    let ty = ty(scope, &field.ty)?;
                    // The derive names a field as Rust does unless told otherwise.
                    let rename = if ident == wit {
                        quote!()
                    } else {
                        quote!(#[component(name = #wit)])
                    };
                    Ok(quote! {
                        #rename
                        pub #ident: #ty
                    })
                },
            )?;
            quote! {
                #docs
                #[derive(ComponentType, Lift, Lower, #derives)]
                #[component(record)]
                pub struct #name {
                    #(#fields,)*
                }

                impl wasi_stubs::component::Describe for #name {
                    fn describe(&self, out: &mut String) {
                        out.push('{');
                        #(#shown)*
                        out.push('}');
                    }
                }
            }
        }
        TypeDefKind::Variant(variant) => {
            scope.uses_derives = true;
            if variant.cases.is_empty() {
                return Err(Error::new(format!(
                    "{}: the variant `{wit_name}` has no cases",
                    scope.generator.at(def.span)
                )));
            }
            let mut shown = Vec::new();
            let cases = members(
                scope,
                wit_name,
                def.span,
                variant.cases.iter().map(|c| (&c.name, &c.docs, c)),
                names::camel,
                |scope, ident, case| {
                    let wit = &case.name;
                    let payload = match &case.ty {
                        Some(t) => {
                            let open = format!("{wit}(");
                            shown.push(quote! {
                                Self::#ident(payload) => {
                                    out.push_str(#open);
                                    wasi_stubs::component::Describe::describe(payload, out);
                                    out.push(')');
                                }
                            });
                            let t = ty(scope, t)?;
                            quote!((#t))
                        }
                        None => {
                            shown.push(quote!(Self::#ident => out.push_str(#wit),));
                            quote!()
                        }
                    };
                    Ok(quote! {
                        #[component(name = #wit)]
                        #ident #payload
                    })
                },
            )?;
            quote! {
                #docs
                #[derive(ComponentType, Lift, Lower, #derives)]
                #[component(variant)]
                pub enum #name {
                    #(#cases,)*
                }

                impl wasi_stubs::component::Describe for #name {
                    fn describe(&self, out: &mut String) {
                        match self {
                            #(#shown)*
                        }
                    }
                }
            }
        }
        TypeDefKind::Enum(e) => {
            scope.uses_derives = true;
            let repr = match e.cases.len() {
                0 => {
                    return Err(Error::new(format!(
                        "{}: the enum `{wit_name}` has no cases",
                        scope.generator.at(def.span)
                    )));
                }
                1..=0x100 => quote!(u8),
                0x101..=0x1_0000 => quote!(u16),
                _ => quote!(u32),
            };
            let mut shown = Vec::new();
            let cases = members(
                scope,
                wit_name,
                def.span,
                e.cases.iter().map(|c| (&c.name, &c.docs, c)),
                names::camel,
                |_, ident, case| {
                    let wit = &case.name;
                    shown.push(quote!(Self::#ident => #wit,));
                    Ok(quote! {
                        #[component(name = #wit)]
                        #ident
                    })
                },
            )?;
            quote! {
                #docs
                #[derive(ComponentType, Lift, Lower, Clone, Copy, Debug, PartialEq, Eq, Hash)]
                #[component(enum)]
                #[repr(#repr)]
                pub enum #name {
                    #(#cases,)*
                }

                impl wasi_stubs::component::Describe for #name {
                    fn describe(&self, out: &mut String) {
                        out.push_str(match self {
                            #(#shown)*
                        });
                    }
                }
            }
        }
        TypeDefKind::Flags(flags) => {
            let consts = members(
                scope,
                wit_name,
                def.span,
                flags.flags.iter().map(|f| (&f.name, &f.docs, f)),
                names::shouty,
                |_, ident, flag| {
                    let wit = &flag.name;
                    Ok(quote! {
                        #[component(name = #wit)]
                        const #ident;
                    })
                },
            )?;
            // `flags!` takes no attributes on the type, so the WIT's docs of the type itself are
            // not kept (those of each flag are).
            quote! {
                wasmtime::component::flags! {
                    #name {
                        #(#consts)*
                    }
                }

                impl wasi_stubs::component::Describe for #name {
                    fn describe(&self, out: &mut String) {
                        out.push_str(&format!("{self:?}"));
                    }
                }
            }
        }
        TypeDefKind::Resource => {
            let docs = if def.docs.contents.is_some() {
                docs
            } else {
                names::doc_lines(&format!("The resource `{wit_name}`."))
            };
            let note = names::doc_lines(&format!(
                "\nA type without values: the host's handles are `Resource<{name}>`, and what \
                 each stands for is the host's to keep."
            ));
            quote! {
                #docs
                #note
                pub enum #name {}
            }
        }
        TypeDefKind::Type(t) => {
            let target = ty(scope, t)?;
            let docs = if def.docs.contents.is_none()
                && let Type::Id(of) = t
                && let Some(name) = &resolve.types[*of].name
            {
                let owner = match resolve.types[*of].owner {
                    wit_parser::TypeOwner::Interface(i) => resolve.id_of(i),
                    wit_parser::TypeOwner::World(w) => Some(super::world_name(resolve, w)),
                    wit_parser::TypeOwner::None => None,
                };
                names::doc_lines(&format!("The `{name}` of `{}`.", owner.unwrap_or_default()))
            } else {
                docs
            };
            quote! {
                #docs
                pub type #name = #target;
            }
        }
        TypeDefKind::Option(_)
        | TypeDefKind::Result(_)
        | TypeDefKind::List(_)
        | TypeDefKind::Tuple(_)
        | TypeDefKind::Handle(_) => {
            let target = anonymous(scope, id, 1)?;
            quote! {
                #docs
                pub type #name = #target;
            }
        }
        other => return Err(unsupported(scope, id, other.as_str())),
    })
}

/// The members of a record, variant, enum or flags type `ty`: each `(WIT name, docs, item)`
/// named in Rust by `rust_name`, refused when it comes out as the Rust name of an earlier one,
/// and written, after its docs, by `member`.
fn members<'a, T: 'a>(
    scope: &mut Scope<'_, '_>,
    ty: &str,
    span: wit_parser::Span,
    items: impl Iterator<Item = (&'a String, &'a wit_parser::Docs, &'a T)>,
    rust_name: fn(&str) -> proc_macro2::Ident,
    mut member: impl FnMut(&mut Scope<'_, '_>, &proc_macro2::Ident, &'a T) -> Result<TokenStream, Error>,
) -> Result<Vec<TokenStream>, Error> {
    let mut seen = HashSet::new();
    items
        .map(|(wit, docs, item)| {
            let ident = rust_name(wit);
            if !seen.insert(ident.to_string()) {
                return Err(Error::new(format!(
                    "{}: two members of `{ty}` have the Rust name `{ident}`",
                    scope.generator.at(span)
                )));
            }
            let docs = names::docs(docs);
            let body = member(scope, &ident, item)?;
            Ok(quote! {
                #docs
                #body
            })
        })
        .collect()
}

/// Whether a type holds resource handles, and whether it holds floats (which decide the traits a
/// generated type can derive).
fn contents(
    scope: &Scope<'_, '_>,
    ty: &Type,
    depth: usize,
    known: &mut HashMap<TypeId, (bool, bool)>,
) -> Result<(bool, bool), Error> {
    let id = match ty {
        Type::F32 | Type::F64 => return Ok((false, true)),
        Type::Id(id) => *id,
        _ => return Ok((false, false)),
    };
    // Each type is looked into once: types that share their parts (`r0 { a: r1, b: r1 }`, ...)
    // would otherwise be walked once per path, exponentially many.
    if let Some(found) = known.get(&id) {
        return Ok(*found);
    }
    let def = &scope.resolve().types[id];
    if depth >= MAX_TYPE_DEPTH {
        return Err(Error::new(format!(
            "{}: types nested deeper than {MAX_TYPE_DEPTH}",
            scope.generator.at(def.span)
        )));
    }
    let parts: Vec<&Type> = match &def.kind {
        TypeDefKind::Handle(_) | TypeDefKind::Resource => {
            known.insert(id, (true, false));
            return Ok((true, false));
        }
        TypeDefKind::Record(r) => r.fields.iter().map(|f| &f.ty).collect(),
        TypeDefKind::Variant(v) => v.cases.iter().filter_map(|c| c.ty.as_ref()).collect(),
        TypeDefKind::Tuple(t) => t.types.iter().collect(),
        TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => vec![t],
        TypeDefKind::Result(r) => r.ok.iter().chain(r.err.iter()).collect(),
        _ => Vec::new(),
    };
    let mut found = (false, false);
    for t in parts {
        let (h, f) = contents(scope, t, depth + 1, known)?;
        found = (found.0 || h, found.1 || f);
    }
    known.insert(id, found);
    Ok(found)
}

/// The definition behind a type, through aliases (`use`d types and `type a = b`).
pub(super) fn resolved(resolve: &wit_parser::Resolve, ty: &Type) -> Option<TypeId> {
    let mut ty = *ty;
    // An alias chain is no longer than the number of types.
    for _ in 0..=resolve.types.len() {
        match ty {
            Type::Id(id) => match &resolve.types[id].kind {
                TypeDefKind::Type(next) => ty = *next,
                _ => return Some(id),
            },
            _ => return None,
        }
    }
    None
}
