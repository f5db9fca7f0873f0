//! The host side of a module: the trait with one method per function, each with a default body
//! (not implemented, or for `proc_exit` an exit), and the table of the functions' core wasm
//! signatures (`FUNCTIONS`, and the trait's `Spec` impl that points at it); and the async form of
//! the trait, whose chosen methods return futures.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use witx::WasmType;

use super::shared::{async_signature, signature};
use crate::model::{Func, Lift, Param, Results};
use crate::names;

/// `FUNCTIONS`, the trait and its `Spec` impl. With the name of the async form of the trait, a
/// host that implements only that form and is given where the trait is needed gets an error that
/// says so.
pub(super) fn emit(
    module_name: &str,
    trait_name: &Ident,
    async_trait: Option<&Ident>,
    module_docs: &TokenStream,
    funcs: &[Func<'_>],
) -> TokenStream {
    let infos = funcs.iter().map(info);
    let methods = funcs.iter().map(method);
    let doc_line = format!(
        " The host side of `{module_name}`: every method has a default body, so a host implements \
         only the functions it wants."
    );
    let on_unimplemented = async_trait.map(|async_trait| {
        let message = format!("`{{Self}}` is not a host of `{trait_name}`, the synchronous form of `{module_name}`");
        let note = format!(
            "implement `{trait_name}` for a host linked with `add_to_linker`; a host of `{async_trait}` links with `add_to_linker_async` and runs on an async store"
        );
        quote!(#[diagnostic::on_unimplemented(message = #message, note = #note)])
    });
    quote! {
        /// Every function of the module with its core wasm signature, in document order.
        pub const FUNCTIONS: &[::wasi_stubs::FuncInfo] = &[#(#infos,)*];

        #module_docs
        ///
        #[doc = #doc_line]
        #[allow(unused_variables)]
        #on_unimplemented
        pub trait #trait_name {
            #(#methods)*
        }

        impl ::wasi_stubs::Spec for dyn #trait_name {
            const MODULE: &'static str = MODULE;
            const FUNCTIONS: &'static [::wasi_stubs::FuncInfo] = FUNCTIONS;
        }
    }
}

/// The async form of the trait: the methods of the functions `is_async` marks return a future
/// (a host writes them as `async fn`), the others are as in the trait; each has the same default
/// body.
pub(super) fn emit_async(
    module_name: &str,
    trait_name: &Ident,
    async_trait: &Ident,
    module_docs: &TokenStream,
    funcs: &[Func<'_>],
    is_async: &[bool],
) -> TokenStream {
    let methods = funcs
        .iter()
        .zip(is_async)
        .map(|(f, is_async)| async_method(f, *is_async));
    let names: Vec<String> = funcs
        .iter()
        .zip(is_async)
        .filter(|(_, a)| **a)
        .map(|(f, _)| format!("`{}`", f.name))
        .collect();
    let async_list = match names.as_slice() {
        [] => "none of its functions".to_string(),
        _ if names.len() == funcs.len() => "every function".to_string(),
        _ => names.join(", "),
    };
    let doc_line = format!(
        " The host side of `{module_name}` on an async wasmtime store: as [`{trait_name}`], but \
         the methods of {async_list} return a future (write them as `async fn`), which \
         `add_to_linker_async` awaits without blocking the executor. Every method has a default \
         body, so a host implements only the functions it wants; the futures must be `Send`."
    );
    let message =
        format!("`{{Self}}` is not a host of `{async_trait}`, the async form of `{module_name}`");
    let note = format!(
        "implement `{async_trait}` for the host linked with `add_to_linker_async` (`async fn` for {async_list}); a host of `{trait_name}` links with `add_to_linker`"
    );
    quote! {
        #module_docs
        ///
        #[doc = #doc_line]
        #[allow(unused_variables)]
        #[diagnostic::on_unimplemented(message = #message, note = #note)]
        pub trait #async_trait: ::core::marker::Send {
            #(#methods)*
        }

        impl ::wasi_stubs::Spec for dyn #async_trait {
            const MODULE: &'static str = MODULE;
            const FUNCTIONS: &'static [::wasi_stubs::FuncInfo] = FUNCTIONS;
        }
    }
}

/// A method of the async trait: as in the trait, or with `is_async` returning a future of the
/// same result, whose default is the same answer.
fn async_method(f: &Func<'_>, is_async: bool) -> TokenStream {
    if !is_async {
        return method(f);
    }
    let docs = method_docs(f);
    let signature = async_signature(f);
    let body = default_body(f);
    // Scalars only, so that the default future does not borrow the host or guest memory.
    let moved = match &f.results {
        Results::NoReturn => quote!(move),
        _ => quote!(),
    };
    quote! {
        #docs
        #signature {
            async #moved { #body }
        }
    }
}

/// The trait method: the function's docs (with its parameters' and result's), its signature and
/// the default body.
fn method(f: &Func<'_>) -> TokenStream {
    let docs = method_docs(f);
    let signature = signature(f);
    let body = default_body(f);
    quote! {
        #docs
        #signature {
            #body
        }
    }
}

/// The function's docs, with its parameters' and result's.
fn method_docs(f: &Func<'_>) -> TokenStream {
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
    names::docs_or(&docs, || {
        format!("The witx function `{}`.", f.func.name.as_str())
    })
}

/// The default answer: not implemented, or for a `noreturn` function whose first parameter is a
/// scalar (`proc_exit`) an exit with it.
fn default_body(f: &Func<'_>) -> TokenStream {
    match &f.results {
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
