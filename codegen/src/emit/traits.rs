//! The host side of a module: the trait with one method per function, each with a default body
//! (not implemented, or for `proc_exit` an exit), and the table of the functions' core wasm
//! signatures (`FUNCTIONS`, and the trait's `Spec` impl that points at it).

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use witx::WasmType;

use super::shared::signature;
use crate::model::{Func, Lift, Param, Results};
use crate::names;

/// `FUNCTIONS`, the trait and its `Spec` impl.
pub(super) fn emit(
    module_name: &str,
    trait_name: &Ident,
    module_docs: &TokenStream,
    funcs: &[Func<'_>],
) -> TokenStream {
    let infos = funcs.iter().map(info);
    let methods = funcs.iter().map(method);
    let doc_line = format!(
        " The host side of `{module_name}`: every method has a default body, so a host implements \
         only the functions it wants."
    );
    quote! {
        /// Every function of the module with its core wasm signature, in document order.
        pub const FUNCTIONS: &[::wasi_stubs::FuncInfo] = &[#(#infos,)*];

        #module_docs
        ///
        #[doc = #doc_line]
        #[allow(unused_variables)]
        pub trait #trait_name {
            #(#methods)*
        }

        impl ::wasi_stubs::Spec for dyn #trait_name {
            const MODULE: &'static str = MODULE;
            const FUNCTIONS: &'static [::wasi_stubs::FuncInfo] = FUNCTIONS;
        }
    }
}

/// The trait method: the function's docs (with its parameters' and result's), its signature and
/// the default body.
fn method(f: &Func<'_>) -> TokenStream {
    let mut docs = f.func.docs.trim_end().to_string();
    let documented: Vec<_> = f
        .params
        .iter()
        .filter(|p| !p.docs.trim().is_empty())
        .collect();
    if !documented.is_empty() {
        docs.push_str("\n\n# Parameters\n");
        for p in documented {
            let text = p.docs.trim().replace('\n', "\n  ");
            docs.push_str(&format!("\n- `{}`: {text}", p.name));
        }
    }
    for r in &f.func.results {
        if !r.docs.trim().is_empty() {
            docs.push_str(&format!("\n\n# Result\n\n{}", r.docs.trim()));
        }
    }
    let docs = names::docs_or(&docs, || {
        format!("The witx function `{}`.", f.func.name.as_str())
    });
    let signature = signature(f);
    let body = match &f.results {
        Results::NoReturn => match f.params.first() {
            Some(Param {
                name,
                lift: Lift::Scalar(_),
                ..
            }) => quote! {
                ::wasi_stubs::Exit { code: ::wasi_stubs::__private::Scalar::lower(#name) as u32 }.into()
            },
            _ => {
                let msg = format!("{}: not implemented by this host", f.func.name.as_str());
                quote!(::wasi_stubs::wasmtime::Error::msg(#msg))
            }
        },
        _ => quote!(::core::result::Result::Err(
            ::wasi_stubs::Error::NotImplemented
        )),
    };
    quote! {
        #docs
        #signature {
            #body
        }
    }
}

/// The function's entry in `FUNCTIONS`.
fn info(f: &Func<'_>) -> TokenStream {
    let name = f.func.name.as_str();
    let params = f.wasm_params.iter().map(|t| info_type(*t));
    let results = f.wasm_results.iter().map(|t| info_type(*t));
    quote! {
        ::wasi_stubs::FuncInfo {
            name: #name,
            params: &[#(#params),*],
            results: &[#(#results),*],
        }
    }
}

fn info_type(t: WasmType) -> TokenStream {
    match t {
        WasmType::I32 => quote!(::wasi_stubs::WasmType::I32),
        WasmType::I64 => quote!(::wasi_stubs::WasmType::I64),
        WasmType::F32 => quote!(::wasi_stubs::WasmType::F32),
        WasmType::F64 => quote!(::wasi_stubs::WasmType::F64),
    }
}
