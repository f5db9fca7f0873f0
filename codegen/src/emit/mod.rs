//! From a checked document to Rust tokens: the types ([`crate::types`]), then per witx module a
//! Rust module assembled from the emitters, each reading the same function model
//! ([`crate::model::Func`], built once per function here):
//!
//! - [`traits`]: the host trait with default bodies, and the table of functions;
//! - [`glue`]: `add_to_linker` and the code between core wasm and the trait;
//! - [`polyfill`]: optionally, the older module served from a newer document's host.
//!
//! No emitter uses another; what two of them write alike is in [`shared`].

mod glue;
mod polyfill;
mod shared;
mod traits;

use proc_macro2::TokenStream;
use quote::quote;
use witx::Module;

use crate::model::Func;
use crate::{Error, Polyfill, check, names, types};

/// The code of `doc`: its types, and a Rust module per witx module. A document with a single
/// module also re-exports that module's items at the top, so that its `add_to_linker` sits beside
/// its types.
pub(crate) fn document(
    doc: &witx::Document,
    polyfill: Option<&Polyfill<'_>>,
) -> Result<TokenStream, Error> {
    check::document(doc)?;
    let types = types::generate(doc)?;
    let modules = doc
        .modules()
        .map(|m| module(&m, polyfill))
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

/// One witx module: its name, trait and table, glue, and with `polyfill` a `polyfill` submodule
/// serving it from a host of the target document's trait.
fn module(module: &Module, polyfill: Option<&Polyfill<'_>>) -> Result<TokenStream, Error> {
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
    let host = traits::emit(module_name, &trait_name, &module_docs, &funcs);
    let glue = glue::emit(module_name, &trait_name, &funcs);
    let polyfill = match polyfill {
        Some(target) => polyfill::emit(module, &funcs, target)?,
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
        }
    })
}
