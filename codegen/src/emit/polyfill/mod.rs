//! Serving an older witx module from a host of a newer one (`wasi_unstable` from a
//! `wasi_snapshot_preview1` host): a `polyfill` submodule with its own `add_to_linker`, linking
//! the older module's glue to an `Adapter` that implements the older trait by calling the newer.
//!
//! Functions and parameters are matched by name (witx's polyfill analysis); a value whose types
//! differ is converted by the impls of [`convert`]. A function whose pointers or lists point at
//! elements of different layout is delegated to a hand-written function of the same name
//! ([`Polyfill::manual`](crate::Polyfill::manual)).

mod convert;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use witx::{Module, RepEquality, Representable, Type, TypeRef, polyfill::ModulePolyfill};

use self::convert::{Conversions, Dir};
use super::shared::{call_name, const_name, registration, signature};
use crate::generator::AsyncFunctions;
use crate::model::{Func, Results, expected_parts};
use crate::{Error, Polyfill, names};

/// The `polyfill` submodule of the older module `old`, whose functions are `funcs`; with
/// `asynchronous`, also its async form (`add_to_linker_async` and `AsyncAdapter`), for a target
/// generated with the same functions async.
pub(super) fn emit(
    old: &Module,
    funcs: &[Func<'_>],
    target: &Polyfill<'_>,
    asynchronous: Option<&AsyncFunctions>,
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
    let mut async_methods = Vec::new();
    let mut async_registrations = Vec::new();
    for (f, fp) in funcs.iter().zip(&analysis.funcs) {
        let context = |e: Error| Error::new(format!("polyfill of `{}`: {e}", f.func.name.as_str()));
        if !fp.unknown_params.is_empty() || !fp.unknown_results.is_empty() {
            return Err(context(Error::new(
                "parameters or results differ by name between the documents",
            )));
        }
        registrations.push(registration(
            f,
            Some(&format_ident!("Adapter")),
            &quote!(super::),
        ));
        let is_async = asynchronous.is_some_and(|set| set.contains(f.func.name.as_str()));
        if asynchronous.is_some() {
            async_registrations.push(async_registration(f, is_async));
        }
        let signature = signature(f);
        // An async method of the adapter is an `async fn`, as a host would write it.
        let (async_signature, wait) = if is_async {
            (quote!(async #signature), quote!(.await))
        } else {
            (signature.clone(), quote!())
        };
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
            let manual_async = format_ident!("{}_async", names::plain(name));
            // For the async form, `name_async`, taking a host of the newer async trait (and
            // async where the function is).
            async_methods.push(quote! {
                #async_signature {
                    #manual::#manual_async(self.0, #mem #(#old_names),*)#wait
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
        let sync_call = quote!(self.0.#name(#mem #(#args),*));
        let mut forward = |call: TokenStream| -> Result<TokenStream, Error> {
            Ok(match (&f.results, fp.mapped_results.first()) {
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
                    let (old_ok, old_error) = result_parts(&result.old.tref);
                    let (new_ok, new_error) = result_parts(&result.new.tref);
                    let values: Vec<Ident> =
                        (0..ok.len()).map(|i| format_ident!("value{i}")).collect();
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
                    let map_err = match result_parts(&result.new.tref).1 {
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
            })
        };
        let body = forward(sync_call.clone())?;
        methods.push(quote!(#signature { #body }));
        if asynchronous.is_some() {
            async_methods.push(if is_async {
                let body = forward(quote!(#sync_call.await))?;
                quote!(#async_signature { #body })
            } else {
                quote!(#signature { #body })
            });
        }
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
    let async_form = asynchronous.map(|_| {
        let new_async = names::async_trait_name(&new.name);
        let old_async = names::async_trait_name(&old.name);
        quote! {
            /// Links every function of the older module into `linker`, served by the host of
            /// the newer module's async trait that `get` finds in the store's data (see the
            /// older module's `add_to_linker_async`).
            pub fn add_to_linker_async<
                T: ::core::marker::Send + 'static,
                H: #new_path::#new_async + 'static,
            >(
                linker: &mut ::wasi_stubs::wasmtime::Linker<T>,
                get: impl Fn(&mut T) -> &mut ::wasi_stubs::Ctx<H> + Send + Sync + Copy + 'static,
            ) -> ::wasi_stubs::wasmtime::Result<()> {
                use ::wasi_stubs::__private::{link, link_async};
                #(#async_registrations)*
                ::core::result::Result::Ok(())
            }

            /// The older async trait, implemented by converting to and from the newer one.
            struct AsyncAdapter<'a, H>(&'a mut H);

            impl<H: #new_path::#new_async> #old_async for AsyncAdapter<'_, H> {
                #(#async_methods)*
            }
        }
    });
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

            #async_form

            #impls
        }
    })
}

/// Links a function of the async form: its glue in the older module's `async_glue`, with the
/// host wrapped in an `AsyncAdapter` that the call's future owns.
fn async_registration(f: &Func<'_>, is_async: bool) -> TokenStream {
    let (call, name) = (call_name(f), const_name(f));
    if is_async {
        quote! {
            link_async(linker, super::MODULE, get, || &super::#name, |host, mem, args| {
                ::std::boxed::Box::pin(async move {
                    super::async_glue::#call(&mut AsyncAdapter(host), mem, args).await
                })
            })?;
        }
    } else {
        quote! {
            link(linker, super::MODULE, get, || &super::#name, |host, mem, args| {
                super::async_glue::#call(&mut AsyncAdapter(host), mem, args)
            })?;
        }
    }
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
fn result_parts(t: &TypeRef) -> (Vec<&TypeRef>, Option<&TypeRef>) {
    match &**t.type_() {
        Type::Variant(v) => expected_parts(v).unwrap_or_default(),
        _ => (Vec::new(), None),
    }
}

/// Converts the error of a call whose error type is `NoErrorCode` into another's.
fn no_error_code() -> TokenStream {
    quote!(.map_err(|e| e.map_code(|never| match never {})))
}
