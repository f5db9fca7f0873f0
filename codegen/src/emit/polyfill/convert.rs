//! The conversions between the named types of the two documents, as impls of the runtime's
//! `Polyfill` trait: enum cases, flags, record fields and union cases are paired *by name*
//! (never by position: that is how a seek from the start would become a seek from the end), what
//! the target lacks is dropped where that is safe (a result flag, a parameter field), and
//! integers are narrowed with a check (`EOVERFLOW` rather than truncation).

use std::collections::{BTreeMap, BTreeSet, btree_map::Entry};

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use witx::{BuiltinType, Layout, Type, TypeRef};

use super::layout_equal_behind_pointer;
use crate::types::{is_char, rust_type};
use crate::{Error, names};

/// Which way a value is converted.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Dir {
    /// A parameter: from the guest's (old) type to the host's (new) one.
    ToNew,
    /// A result: from the host's (new) type to the guest's (old) one.
    ToOld,
}

/// The conversions between named types that the polyfill needs, generated once each.
#[derive(Default)]
pub(super) struct Conversions {
    /// (direction, old type name) → (old type, new type)
    needed: BTreeMap<(Dir, String), (TypeRef, TypeRef)>,
    /// The keys of `needed` whose impl is yet to be generated.
    pending: BTreeSet<(Dir, String)>,
}

/// Whether two types are the very same Rust type in both documents' generated code: builtins,
/// and pointers to them. (A named type is generated anew in each document.)
fn same_rust_type(a: &TypeRef, b: &TypeRef) -> bool {
    match (a, b) {
        (TypeRef::Value(a), TypeRef::Value(b)) => match (&**a, &**b) {
            (Type::Builtin(a), Type::Builtin(b)) => a == b,
            (Type::Pointer(a), Type::Pointer(b))
            | (Type::ConstPointer(a), Type::ConstPointer(b)) => same_rust_type(a, b),
            _ => false,
        },
        _ => false,
    }
}

/// A named type's name, or `None` for a builtin (through aliases).
fn resolve(t: &TypeRef) -> (Option<witx::Id>, std::rc::Rc<Type>) {
    match t {
        TypeRef::Name(nt) => match &**nt.type_() {
            Type::Builtin(_) | Type::Pointer(_) | Type::ConstPointer(_) | Type::List(_) => {
                (None, nt.type_().clone())
            }
            _ => (Some(nt.name.clone()), nt.type_().clone()),
        },
        TypeRef::Value(v) => (None, v.clone()),
    }
}

fn int_bits(b: BuiltinType) -> Option<(u32, bool)> {
    Some(match b {
        BuiltinType::U8 { .. } => (8, false),
        BuiltinType::U16 => (16, false),
        BuiltinType::U32 { .. } => (32, false),
        BuiltinType::U64 => (64, false),
        BuiltinType::S8 => (8, true),
        BuiltinType::S16 => (16, true),
        BuiltinType::S32 => (32, true),
        BuiltinType::S64 => (64, true),
        _ => return None,
    })
}

impl Conversions {
    /// Asks for the conversion between two named types (nothing for builtins).
    pub(super) fn register(&mut self, old: &TypeRef, new: &TypeRef, dir: Dir) {
        if let (Some(name), Some(_)) = (resolve(old).0, resolve(new).0) {
            let key = (dir, name.as_str().to_string());
            if let Entry::Vacant(entry) = self.needed.entry(key.clone()) {
                entry.insert((old.clone(), new.clone()));
                self.pending.insert(key);
            }
        }
    }

    /// An expression converting `value` of type `from` to type `to`, or `None` when `value` is
    /// used as it is; may use `?` with a `GuestError`.
    pub(super) fn convert(
        &mut self,
        from: &TypeRef,
        to: &TypeRef,
        value: TokenStream,
        dir: Dir,
    ) -> Result<Option<TokenStream>, Error> {
        let (from_name, from_ty) = resolve(from);
        let (to_name, to_ty) = resolve(to);
        match (from_name, to_name) {
            (Some(_), Some(_)) => {
                match dir {
                    Dir::ToNew => self.register(from, to, dir),
                    Dir::ToOld => self.register(to, from, dir),
                }
                Ok(Some(
                    quote!(::wasi_stubs::__private::Polyfill::polyfill(#value)?),
                ))
            }
            (None, None) => match (&*from_ty, &*to_ty) {
                (Type::Builtin(a), Type::Builtin(b)) if a == b => Ok(None),
                (Type::Builtin(a), Type::Builtin(b)) => {
                    let (Some((fa, sa)), Some((fb, sb))) = (int_bits(*a), int_bits(*b)) else {
                        return Err(Error::new("builtin types differ and are not integers"));
                    };
                    let to_rust = rust_type(to)?;
                    if sa == sb && fa <= fb {
                        Ok(Some(quote!(#to_rust::from(#value))))
                    } else {
                        let ty = match to {
                            TypeRef::Name(nt) => nt.name.as_str().to_string(),
                            TypeRef::Value(_) => to_rust.to_string(),
                        };
                        Ok(Some(quote! {
                            #to_rust::try_from(#value).map_err(|_| ::wasi_stubs::GuestError::ResultOverflow { ty: #ty })?
                        }))
                    }
                }
                (Type::Pointer(_), Type::Pointer(_))
                | (Type::ConstPointer(_), Type::ConstPointer(_)) => {
                    if !layout_equal_behind_pointer(from, to) {
                        Err(Error::new("pointers to types of different layout"))
                    } else if same_rust_type(from, to) {
                        Ok(None)
                    } else {
                        Ok(Some(quote!(#value.cast())))
                    }
                }
                (Type::List(a), Type::List(_)) if is_char(a) => Ok(None),
                (Type::List(_), Type::List(_)) => {
                    if layout_equal_behind_pointer(from, to) {
                        Ok(Some(
                            quote!(::wasi_stubs::GuestArray::new(#value.ptr().cast(), #value.len())),
                        ))
                    } else {
                        Err(Error::new("lists of types of different layout"))
                    }
                }
                _ => Err(Error::new("the types differ in kind")),
            },
            _ => Err(Error::new(
                "a named type on one side is a builtin on the other",
            )),
        }
    }

    /// The `Polyfill` impls for every pair of named types used, including the ones they contain.
    pub(super) fn generate(
        mut self,
        old_path: &TokenStream,
        new_path: &TokenStream,
    ) -> Result<TokenStream, Error> {
        let mut out = TokenStream::new();
        // Generating one conversion may ask for more (the types it contains): each joins
        // `pending` once, when first registered.
        while let Some(key) = self.pending.pop_first() {
            let (old, new) = self.needed[&key].clone();
            let (dir, _) = key;
            let (from, to) = match dir {
                Dir::ToNew => (&old, &new),
                Dir::ToOld => (&new, &old),
            };
            let (from_path, to_path) = match dir {
                Dir::ToNew => (old_path, new_path),
                Dir::ToOld => (new_path, old_path),
            };
            let from_name = resolve(from).0.expect("named");
            let to_name = resolve(to).0.expect("named");
            let context = |e: Error| {
                Error::new(format!(
                    "`{}` to `{}`: {e}",
                    from_name.as_str(),
                    to_name.as_str()
                ))
            };
            let from_ty = names::type_name(&from_name);
            let to_ty = names::type_name(&to_name);
            let body = self.body(from, to, dir, &to_ty, to_path).map_err(context)?;
            out.extend(quote! {
                impl ::wasi_stubs::__private::Polyfill<#to_path::#to_ty> for #from_path::#from_ty {
                    #[inline]
                    fn polyfill(self) -> ::core::result::Result<#to_path::#to_ty, ::wasi_stubs::GuestError> {
                        #body
                    }
                }
            });
        }
        Ok(out)
    }

    /// The body of one conversion: pairs cases, flags and fields by name.
    fn body(
        &mut self,
        from: &TypeRef,
        to: &TypeRef,
        dir: Dir,
        to_ty: &Ident,
        to_path: &TokenStream,
    ) -> Result<TokenStream, Error> {
        let from_nt = match from {
            TypeRef::Name(nt) => nt.clone(),
            TypeRef::Value(_) => return Err(Error::new("anonymous type")),
        };
        let to_nt = match to {
            TypeRef::Name(nt) => nt.clone(),
            TypeRef::Value(_) => return Err(Error::new("anonymous type")),
        };
        let target = quote!(#to_path::#to_ty);
        let to_witx = to_nt.name.as_str();
        let invalid = match dir {
            Dir::ToNew => {
                quote!(::wasi_stubs::GuestError::InvalidValue { ty: #to_witx, value: ::wasi_stubs::__private::Scalar::lower(self) })
            }
            Dir::ToOld => quote!(::wasi_stubs::GuestError::ResultOverflow { ty: #to_witx }),
        };
        Ok(match (&**from_nt.type_(), &**to_nt.type_()) {
            (Type::Variant(a), Type::Variant(b)) if a.is_enum() && b.is_enum() => {
                let arms = a.cases.iter().map(|c| {
                    let from_case = names::case(&from_nt.name, &c.name);
                    match b.cases.iter().find(|d| d.name == c.name) {
                        Some(d) => {
                            let to_case = names::case(&to_nt.name, &d.name);
                            quote!(Self::#from_case => ::core::result::Result::Ok(#target::#to_case))
                        }
                        None => quote!(Self::#from_case => ::core::result::Result::Err(#invalid)),
                    }
                });
                quote!(match self { #(#arms,)* })
            }
            (Type::Record(a), Type::Record(b))
                if a.bitflags_repr().is_some() && b.bitflags_repr().is_some() =>
            {
                let mut steps = Vec::new();
                for m in &a.members {
                    let from_flag = names::flag(&from_nt.name, &m.name);
                    match b.members.iter().find(|n| n.name == m.name) {
                        Some(n) => {
                            let to_flag = names::flag(&to_nt.name, &n.name);
                            steps.push(quote! {
                                if self.contains(Self::#from_flag) {
                                    out |= #target::#to_flag;
                                }
                            });
                        }
                        // A result flag the older document lacks is dropped; a parameter flag
                        // the newer one lacks cannot be honoured.
                        None if dir == Dir::ToOld => {}
                        None => steps.push(quote! {
                            if self.contains(Self::#from_flag) {
                                return ::core::result::Result::Err(#invalid);
                            }
                        }),
                    }
                }
                quote! {
                    let mut out = #target::empty();
                    #(#steps)*
                    ::core::result::Result::Ok(out)
                }
            }
            (Type::Handle(_), Type::Handle(_)) => {
                quote!(::core::result::Result::Ok(#target::new(self.raw())))
            }
            (Type::Record(a), Type::Record(b)) if !a.is_tuple() && !b.is_tuple() => {
                let mut fields = Vec::new();
                for n in &b.members {
                    let m = a.members.iter().find(|m| m.name == n.name).ok_or_else(|| {
                        Error::new(format!("field `{}` has no counterpart", n.name.as_str()))
                    })?;
                    let from_field = names::snake(&m.name);
                    let to_field = names::snake(&n.name);
                    let value = self
                        .convert(&m.tref, &n.tref, quote!(self.#from_field), dir)?
                        .unwrap_or_else(|| quote!(self.#from_field));
                    fields.push(quote!(#to_field: #value));
                }
                quote!(::core::result::Result::Ok(#target { #(#fields,)* }))
            }
            (Type::Variant(a), Type::Variant(b)) => {
                let mut arms = Vec::new();
                for c in &a.cases {
                    let from_case = names::case(&from_nt.name, &c.name);
                    let d = b.cases.iter().find(|d| d.name == c.name).ok_or_else(|| {
                        Error::new(format!("case `{}` has no counterpart", c.name.as_str()))
                    })?;
                    let to_case = names::case(&to_nt.name, &d.name);
                    arms.push(match (&c.tref, &d.tref) {
                        (Some(p), Some(q)) => {
                            let value = self
                                .convert(p, q, quote!(payload), dir)?
                                .unwrap_or_else(|| quote!(payload));
                            quote!(Self::#from_case(payload) => ::core::result::Result::Ok(#target::#to_case(#value)))
                        }
                        (None, None) => quote!(Self::#from_case => ::core::result::Result::Ok(#target::#to_case)),
                        _ => return Err(Error::new(format!("case `{}` differs in payload", c.name.as_str()))),
                    });
                }
                quote!(match self { #(#arms,)* })
            }
            _ => {
                return Err(Error::new(format!(
                    "cannot derive a conversion between a {} and a {} (size {} and {})",
                    from_nt.type_().kind(),
                    to_nt.type_().kind(),
                    from_nt.mem_size(),
                    to_nt.mem_size()
                )));
            }
        })
    }
}
