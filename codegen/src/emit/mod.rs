//! From a checked document to Rust tokens: the types ([`crate::types`]), then per witx module a
//! Rust module assembled from the emitters, each reading the same function model
//! ([`crate::model::Func`], built once per function here):
//!
//! - [`traits`]: the host trait with default bodies, and the table of functions;
//! - [`glue`]: `add_to_linker` and the code between core wasm and the trait;
//! - [`polyfill`]: optionally, the older module served from a newer document's host;
//! - with [`AsyncFunctions`], the async form of the trait ([`traits::emit_async`]) and of the
//!   glue ([`glue::emit_async`]).
//!
//! No emitter uses another; what two of them write alike is in [`shared`].

mod glue;
mod polyfill;
mod shared;
mod traits;

use proc_macro2::TokenStream;
use quote::quote;
use witx::Module;

use crate::generator::AsyncFunctions;
use crate::model::Func;
use crate::suggest::did_you_mean;
use crate::{Error, Polyfill, check, names, types};

/// The code of `doc`: its types, and a Rust module per witx module. A document with a single
/// module also re-exports that module's items at the top, so that its `add_to_linker` sits beside
/// its types.
pub(crate) fn document(
    doc: &witx::Document,
    polyfill: Option<&Polyfill<'_>>,
    asynchronous: Option<&AsyncFunctions>,
) -> Result<TokenStream, Error> {
    check::document(doc)?;
    if let Some(AsyncFunctions::Only(names)) = asynchronous {
        check_async_names(doc, names)?;
    }
    let types = types::generate(doc)?;
    let modules = doc
        .modules()
        .map(|m| module(&m, polyfill, asynchronous))
        .collect::<Result<Vec<_>, _>>()?;
    let reexport = match doc.modules().collect::<Vec<_>>().as_slice() {
        [only] => {
            let name = names::module(&only.name);
            quote!(pub use self::#name::*;)
        }
        _ => quote!(),
    };
    Ok(quote! {
        #types
        #(#modules)*
        #reexport
    })
}

/// Every name marked async is a function of the document, and is marked once.
fn check_async_names(doc: &witx::Document, names: &[String]) -> Result<(), Error> {
    let functions: Vec<String> = doc
        .modules()
        .flat_map(|m| {
            m.funcs()
                .map(|f| f.name.as_str().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    for (i, name) in names.iter().enumerate() {
        if !functions.contains(name) {
            return Err(Error::new(format!(
                "async_functions: `{name}` is not a function of the document{}",
                did_you_mean(name, functions.iter().map(String::as_str))
            )));
        }
        if names[..i].contains(name) {
            return Err(Error::new(format!(
                "async_functions: `{name}` is listed twice"
            )));
        }
    }
    Ok(())
}

/// One witx module: its name, trait and table, glue, with `polyfill` a `polyfill` submodule
/// serving it from a host of the target document's trait, and with `asynchronous` the async
/// trait and glue.
fn module(
    module: &Module,
    polyfill: Option<&Polyfill<'_>>,
    asynchronous: Option<&AsyncFunctions>,
) -> Result<TokenStream, Error> {
    let module_name = module.name.as_str();
    let rust_module = names::module(&module.name);
    let trait_name = names::trait_name(&module.name);
    let module_docs = names::docs_or(&module.docs, || {
        format!("The functions of the witx module `{module_name}`.")
    });
    let witx_funcs: Vec<_> = module.funcs().collect();
    let funcs = witx_funcs
        .iter()
        .map(|func| {
            Func::new(func)
                .map_err(|e| Error::new(format!("{module_name}::{}: {e}", func.name.as_str())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let async_trait = asynchronous.map(|_| names::async_trait_name(&module.name));
    let host = traits::emit(
        module_name,
        &trait_name,
        async_trait.as_ref(),
        &module_docs,
        &funcs,
    );
    let glue = glue::emit(module_name, &trait_name, &funcs);
    let polyfill = match polyfill {
        Some(target) => polyfill::emit(module, &funcs, target, asynchronous)?,
        None => quote!(),
    };
    let asynchronous = match asynchronous {
        Some(set) => {
            let async_trait = names::async_trait_name(&module.name);
            let is_async: Vec<bool> = funcs
                .iter()
                .map(|f| set.contains(f.func.name.as_str()))
                .collect();
            let host = traits::emit_async(
                module_name,
                &trait_name,
                &async_trait,
                &module_docs,
                &funcs,
                &is_async,
            );
            let glue = glue::emit_async(module_name, &async_trait, &funcs, &is_async);
            quote!(#host #glue)
        }
        None => quote!(),
    };
    Ok(quote! {
        #module_docs
        pub mod #rust_module {
            // The spec sets the arity of its functions, and of the tuples of their wasm arguments.
            #![allow(unused_imports, clippy::too_many_arguments, clippy::type_complexity)]
            use super::*;

            /// The name the guest imports these functions from.
            pub const MODULE: &str = #module_name;

            #host
            #glue
            #polyfill
            #asynchronous
        }
    })
}
