//! Pieces of code that more than one emitter writes: the trait method's signature (the trait and
//! the polyfill's adapter), its return type (the trait and the glue), and the line that links a
//! function (the glue and the polyfill), with the names of the glue items it refers to.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::model::{Func, Results};
use crate::names;

/// `fn name(&mut self, [mem,] params) -> Result<..>`, as the trait declares it.
pub(super) fn signature(f: &Func<'_>) -> TokenStream {
    let name = &f.name;
    let mem = f
        .host_needs_memory()
        .then(|| quote!(mem: &mut ::wasi_stubs::GuestMemory<'_>,));
    let params = f.params.iter().map(|p| {
        let (n, t) = (&p.name, &p.ty);
        quote!(#n: #t)
    });
    let ret = return_type(f);
    quote!(fn #name(&mut self, #mem #(#params),*) -> #ret)
}

/// `fn name(&mut self, [mem,] params) -> impl Future<Output = Result<..>> + Send where Self:
/// Sized`, as the async trait declares an async method (`Self: Sized` keeps the trait a `dyn`
/// type, for its `Spec` impl; a host's `async fn` need not repeat it).
pub(super) fn async_signature(f: &Func<'_>) -> TokenStream {
    let name = &f.name;
    let mem = f
        .host_needs_memory()
        .then(|| quote!(mem: &mut ::wasi_stubs::GuestMemory<'_>,));
    let params = f.params.iter().map(|p| {
        let (n, t) = (&p.name, &p.ty);
        quote!(#n: #t)
    });
    let ret = return_type(f);
    quote! {
        fn #name(&mut self, #mem #(#params),*)
            -> impl ::core::future::Future<Output = #ret> + ::core::marker::Send
        where
            Self: Sized
    }
}

/// What the trait method returns.
pub(super) fn return_type(f: &Func<'_>) -> TokenStream {
    match &f.results {
        Results::Expected { ok, error } => {
            let ok = match ok.as_slice() {
                [one] => quote!(#one),
                many => quote!((#(#many),*)),
            };
            quote!(::core::result::Result<#ok, ::wasi_stubs::Error<#error>>)
        }
        Results::Value(ty) => {
            quote!(::core::result::Result<#ty, ::wasi_stubs::Error<::wasi_stubs::NoErrorCode>>)
        }
        Results::None => {
            quote!(::core::result::Result<(), ::wasi_stubs::Error<::wasi_stubs::NoErrorCode>>)
        }
        Results::NoReturn => quote!(::wasi_stubs::wasmtime::Error),
    }
}

/// The glue's function between the wasm arguments and the trait method: `call_fd_write`.
pub(super) fn call_name(f: &Func<'_>) -> Ident {
    format_ident!("call_{}", f.name)
}

/// The name of the function's `wasi_stubs::__private::Func` constant: `FN_FD_WRITE`.
pub(super) fn const_name(f: &Func<'_>) -> Ident {
    format_ident!("FN_{}", names::plain(&f.name).to_uppercase())
}

/// Links the function: one call of `wasi_stubs::__private::link` with the function's constant
/// and its `call_` function. `adapter` wraps the host found in the store (`Adapter` from a
/// polyfill), and `scope` is the path prefix of the module's items (`super::` from a child
/// module).
pub(super) fn registration(
    f: &Func<'_>,
    adapter: Option<&Ident>,
    scope: &TokenStream,
) -> TokenStream {
    let call = call_name(f);
    let name = const_name(f);
    let call = match adapter {
        None => quote!(#scope #call),
        Some(adapter) => quote!(|host, mem, args| #scope #call(&mut #adapter(host), mem, args)),
    };
    quote! {
        link(linker, #scope MODULE, get, || &#scope #name, #call)?;
    }
}
