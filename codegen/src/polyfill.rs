//! Serving an older witx module from a host of a newer one (`wasi_unstable` from a
//! `wasi_snapshot_preview1` host).
//!
//! Everything is decided from the two documents. Functions are matched by name and parameters by
//! name (witx's polyfill analysis). A parameter or result whose types are representationally equal
//! is forwarded as it is; one whose types differ is converted by a generated `Polyfill`
//! impl that pairs enum cases, flags, record fields and union cases *by name* (never by position:
//! that is how a seek from the start would become a seek from the end), drops what the target
//! lacks where that is safe (a result flag, a parameter field), and narrows integers with a check
//! (`EOVERFLOW` rather than truncation). A pointer or list whose element types differ cannot be
//! forwarded, since the host would read the guest's memory with the wrong layout: such a function
//! is delegated to a hand-written function of the same name under [`Target::manual`].

use std::collections::{BTreeMap, BTreeSet, btree_map::Entry};

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use witx::{
    BuiltinType, Document, Layout, Module, RepEquality, Representable, Type, TypeRef,
    polyfill::ModulePolyfill,
};

use crate::funcs::{Func, Results};
use crate::{Error, names};

/// The newer document a module is served from.
pub struct Target<'a> {
    /// The newer document; its module is the one with the same functions (its only module, or
    /// the one of the same name).
    pub doc: &'a Document,
    /// Where the newer document's generated code lives (`crate::preview1`).
    pub path: TokenStream,
    /// Where the older document's generated code lives (`crate::preview0`).
    pub old_path: TokenStream,
    /// Where hand-written functions for what cannot be derived live (`crate::polyfill`).
    pub manual: TokenStream,
}

/// Which way a value is converted.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Dir {
    /// A parameter: from the guest's (old) type to the host's (new) one.
    ToNew,
    /// A result: from the host's (new) type to the guest's (old) one.
    ToOld,
}

/// The conversions between named types that the polyfill needs, generated once each.
#[derive(Default)]
struct Conversions {
    /// (direction, old type name) → (old type, new type)
    needed: BTreeMap<(Dir, String), (TypeRef, TypeRef)>,
    /// The keys of `needed` whose impl is yet to be generated.
    pending: BTreeSet<(Dir, String)>,
}

pub(crate) fn generate(
    old: &Module,
    funcs: &[Func<'_>],
    target: &Target<'_>,
) -> Result<TokenStream, Error> {
    let new = match target.doc.module(&old.name) {
        Some(m) => m,
        None => {
            let mut modules = target.doc.modules();
            match (modules.next(), modules.next()) {
                (Some(only), None) => only,
                _ => {
                    return Err(Error::new(format!(
                        "polyfill: the target document has no module `{}` and more than one module",
                        old.name.as_str()
                    )));
                }
            }
        }
    };
    let analysis = ModulePolyfill::new(new.clone(), std::rc::Rc::new(old.clone()))
        .map_err(|e| Error::new(format!("polyfill of `{}`: {e}", old.name.as_str())))?;
    let new_path = &target.path;
    let old_path = &target.old_path;
    let manual = &target.manual;
    let new_trait = names::trait_name(&new.name);
    let old_trait = names::trait_name(&old.name);
    let mut conversions = Conversions::default();
    let mut methods = Vec::new();
    let mut registrations = Vec::new();
    let mut delegated = Vec::new();
    for (f, fp) in funcs.iter().zip(&analysis.funcs) {
        let context = |e: Error| Error::new(format!("polyfill of `{}`: {e}", f.func.name.as_str()));
        if !fp.unknown_params.is_empty() || !fp.unknown_results.is_empty() {
            return Err(context(Error::new(
                "parameters or results differ by name between the documents",
            )));
        }
        registrations.push(f.registration(Some(&format_ident!("Adapter")), &quote!(super::)));
        let signature = f.signature();
        let name = &f.name;
        let mem = f.host_needs_memory().then(|| quote!(mem,));
        let old_names: Vec<&Ident> = f.params.iter().map(|p| &p.name).collect();
        let manual_needed = fp
            .mapped_params
            .iter()
            .any(|p| !layout_equal_behind_pointer(&p.old.tref, &p.new.tref));
        if manual_needed {
            // The hand-written function converts the elements itself, with these impls: the
            // guest's elements into the host's for what it reads, the other way for what it
            // writes.
            for p in &fp.mapped_params {
                match (&**p.old.tref.type_(), &**p.new.tref.type_()) {
                    (Type::ConstPointer(o), Type::ConstPointer(n))
                    | (Type::List(o), Type::List(n)) => {
                        conversions.register(o, n, Dir::ToNew);
                    }
                    (Type::Pointer(o), Type::Pointer(n)) => conversions.register(o, n, Dir::ToOld),
                    _ => {}
                }
            }
            delegated.push(f.func.name.as_str().to_string());
            methods.push(quote! {
                #signature {
                    #manual::#name(self.0, #mem #(#old_names),*)
                }
            });
            continue;
        }
        // `mapped_params` pairs the old function's parameters in order, and (none being unknown)
        // covers every new one: put them in the new function's order, each converted from the
        // old one of its name.
        let mut pairs: Vec<_> = f.params.iter().zip(&fp.mapped_params).collect();
        pairs.sort_by_key(|(_, mapped)| {
            fp.new.params.iter().position(|p| p.name == mapped.new.name)
        });
        let mut conversions_in = Vec::new();
        let mut args = Vec::new();
        for (param, mapped) in pairs {
            let n = &param.name;
            let value = conversions
                .convert(&mapped.old.tref, &mapped.new.tref, quote!(#n), Dir::ToNew)
                .map_err(context)?;
            if let Some(value) = value {
                conversions_in.push(quote!(let #n = #value;));
            }
            args.push(quote!(#n));
        }
        let call = quote!(self.0.#name(#mem #(#args),*));
        let body = match (&f.results, fp.mapped_results.first()) {
            (Results::NoReturn, _) if conversions_in.is_empty() => call,
            (Results::NoReturn, _) => {
                // A conversion that fails cannot become an errno: the function never returns.
                quote! {
                    let converted = (|| -> ::core::result::Result<_, ::wasi_stubs::GuestError> {
                        #(#conversions_in)*
                        ::core::result::Result::Ok((#(#args,)*))
                    })();
                    match converted {
                        ::core::result::Result::Ok((#(#args,)*)) => #call,
                        ::core::result::Result::Err(e) => ::wasi_stubs::wasmtime::Error::new(e),
                    }
                }
            }
            (Results::Expected { ok, .. }, Some(result)) => {
                let (old_ok, old_error) = expected_parts(&result.old.tref);
                let (new_ok, new_error) = expected_parts(&result.new.tref);
                let values: Vec<Ident> = (0..ok.len()).map(|i| format_ident!("value{i}")).collect();
                let mut converted = Vec::new();
                for ((v, o), n) in values.iter().zip(&old_ok).zip(&new_ok) {
                    converted.push(
                        conversions
                            .convert(n, o, quote!(#v), Dir::ToOld)
                            .map_err(context)?,
                    );
                }
                let map_err = match (old_error, new_error) {
                    (Some(o), Some(n)) => {
                        // The closure calls the conversion of the error enum.
                        conversions.register(o, n, Dir::ToOld);
                        quote!(.map_err(|e| e.map_code(::wasi_stubs::__private::Polyfill::polyfill)))
                    }
                    // Both are `NoErrorCode`.
                    (None, None) => quote!(),
                    _ => no_error_code(),
                };
                if converted.iter().all(Option::is_none) {
                    quote! {
                        #(#conversions_in)*
                        #call #map_err
                    }
                } else {
                    let converted = values
                        .iter()
                        .zip(converted)
                        .map(|(v, c)| c.unwrap_or_else(|| quote!(#v)));
                    match values.as_slice() {
                        [value] => quote! {
                            #(#conversions_in)*
                            let #value = #call #map_err?;
                            ::core::result::Result::Ok(#(#converted)*)
                        },
                        _ => quote! {
                            #(#conversions_in)*
                            let (#(#values),*) = #call #map_err?;
                            ::core::result::Result::Ok((#(#converted),*))
                        },
                    }
                }
            }
            (Results::Value(_), Some(result)) => {
                let value = conversions
                    .convert(
                        &result.new.tref,
                        &result.old.tref,
                        quote!(value),
                        Dir::ToOld,
                    )
                    .map_err(context)?;
                // The older function's error is `NoErrorCode`; the newer one's may not be.
                let map_err = match expected_parts(&result.new.tref).1 {
                    None => quote!(),
                    Some(_) => no_error_code(),
                };
                match value {
                    None => quote! {
                        #(#conversions_in)*
                        #call #map_err
                    },
                    Some(value) => quote! {
                        #(#conversions_in)*
                        let value = #call #map_err?;
                        ::core::result::Result::Ok(#value)
                    },
                }
            }
            // No result in either document (a result only one has is rejected above): both
            // errors are `NoErrorCode`.
            _ => quote! {
                #(#conversions_in)*
                #call
            },
        };
        methods.push(quote!(#signature { #body }));
    }
    let impls = conversions.generate(old_path, new_path)?;
    let doc = format!(
        " Serves `{}` from a host of `{}`: every call is converted and forwarded to the host's \
         `{new_trait}` implementation.",
        old.name.as_str(),
        new.name.as_str()
    );
    let delegated_doc = if delegated.is_empty() {
        String::new()
    } else {
        format!(
            " Hand-written (element types behind a pointer differ): {}.",
            delegated
                .iter()
                .map(|d| format!("`{d}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Ok(quote! {
        #[doc = #doc]
        ///
        #[doc = #delegated_doc]
        pub mod polyfill {
            #![allow(unused_imports, clippy::too_many_arguments, clippy::type_complexity)]
            use #old_path::*;

            /// Links every function of the older module into `linker`, served by the host of
            /// the newer module's trait that `get` finds in the store's data.
            pub fn add_to_linker<T: 'static, H: #new_path::#new_trait + 'static>(
                linker: &mut ::wasi_stubs::wasmtime::Linker<T>,
                get: impl Fn(&mut T) -> &mut ::wasi_stubs::Ctx<H> + Send + Sync + Copy + 'static,
            ) -> ::wasi_stubs::wasmtime::Result<()> {
                use ::wasi_stubs::__private::link;
                #(#registrations)*
                ::core::result::Result::Ok(())
            }

            /// The older trait, implemented by converting to and from the newer one.
            struct Adapter<'a, H: ?Sized>(&'a mut H);

            impl<H: #new_path::#new_trait + ?Sized> #old_trait for Adapter<'_, H> {
                #(#methods)*
            }

            #impls
        }
    })
}

/// Whether a pointer or list parameter points at elements of identical layout in both documents
/// (always true for parameters that are not pointers or lists).
fn layout_equal_behind_pointer(old: &TypeRef, new: &TypeRef) -> bool {
    match (&**old.type_(), &**new.type_()) {
        (Type::Pointer(o), Type::Pointer(n))
        | (Type::ConstPointer(o), Type::ConstPointer(n))
        | (Type::List(o), Type::List(n)) => {
            o.type_().representable(n.type_()) == RepEquality::Eq
                && n.type_().representable(o.type_()) == RepEquality::Eq
        }
        _ => true,
    }
}

/// The parts of a result's `ok` value and its error type, if it is an `expected` (no parts and
/// no error otherwise).
fn expected_parts(t: &TypeRef) -> (Vec<&TypeRef>, Option<&TypeRef>) {
    match &**t.type_() {
        Type::Variant(v) => Func::expected_parts(v).unwrap_or_default(),
        _ => (Vec::new(), None),
    }
}

/// Converts the error of a call whose error type is `NoErrorCode` into another's.
fn no_error_code() -> TokenStream {
    quote!(.map_err(|e| e.map_code(|never| match never {})))
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
    fn register(&mut self, old: &TypeRef, new: &TypeRef, dir: Dir) {
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
    fn convert(
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
                    let to_rust = crate::types::rust_type(to)?;
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
                (Type::List(a), Type::List(_)) if crate::types::is_char(a) => Ok(None),
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
    fn generate(
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
