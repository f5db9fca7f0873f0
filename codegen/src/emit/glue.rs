//! The wasmtime side of a module: `add_to_linker`, and per function a `call_` function that
//! lifts the core wasm arguments, checks the out-pointers, calls the host and writes its
//! results, and an `FN_` constant that tells the runtime how to link and trace it; and
//! `add_to_linker_async` for a host of the async trait, with its `call_` functions in a private
//! `async_glue` module (those of async methods return a future that awaits the host).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use witx::{Type, WasmType};

use super::shared::{call_name, const_name, registration, return_type};
use crate::model::{Func, Lift, Results};
use crate::names;
use crate::types::is_buffer;

/// `add_to_linker`, then each function's constant and `call_` function.
pub(super) fn emit(module_name: &str, trait_name: &Ident, funcs: &[Func<'_>]) -> TokenStream {
    let registrations = funcs.iter().map(|f| registration(f, None, &quote!()));
    let calls = funcs
        .iter()
        .flat_map(|f| [glue_const(f), call(f, trait_name, Glue::Sync)]);
    let add_doc = format!(
        " Links every function of `{module_name}` into `linker`, calling the host that `get` \
         finds in the store's data."
    );
    quote! {
        #[doc = #add_doc]
        pub fn add_to_linker<T: 'static, H: #trait_name + 'static>(
            linker: &mut ::wasi_stubs::wasmtime::Linker<T>,
            get: impl Fn(&mut T) -> &mut ::wasi_stubs::Ctx<H> + Send + Sync + Copy + 'static,
        ) -> ::wasi_stubs::wasmtime::Result<()> {
            use ::wasi_stubs::__private::link;
            #(#registrations)*
            ::core::result::Result::Ok(())
        }

        #(#calls)*
    }
}

/// `add_to_linker_async`, and the `async_glue` module with a `call_` function per function for a
/// host of `async_trait` (whose methods `is_async` marks return futures). The functions'
/// constants are `add_to_linker`'s.
pub(super) fn emit_async(
    module_name: &str,
    async_trait: &Ident,
    funcs: &[Func<'_>],
    is_async: &[bool],
) -> TokenStream {
    let registrations = funcs.iter().zip(is_async).map(|(f, is_async)| {
        let (call, name) = (call_name(f), const_name(f));
        let link = if *is_async {
            quote!(link_async)
        } else {
            quote!(link)
        };
        quote!(#link(linker, MODULE, get, || &#name, async_glue::#call)?;)
    });
    let calls = funcs.iter().zip(is_async).map(|(f, is_async)| {
        let glue = if *is_async {
            Glue::AsyncMethod
        } else {
            Glue::SyncMethodOfAsyncTrait
        };
        call(f, async_trait, glue)
    });
    let add_doc = format!(
        " Links every function of `{module_name}` into `linker`, calling the host of \
         [`{async_trait}`] that `get` finds in the store's data: its async methods with \
         `Linker::func_wrap_async`, so that an instance calls them through `call_async` and a \
         method that waits lets other tasks run; the others as `add_to_linker` does."
    );
    let glue_doc = format!(" The glue between core wasm and [`{async_trait}`].");
    quote! {
        #[doc = #add_doc]
        pub fn add_to_linker_async<T: ::core::marker::Send + 'static, H: #async_trait + 'static>(
            linker: &mut ::wasi_stubs::wasmtime::Linker<T>,
            get: impl Fn(&mut T) -> &mut ::wasi_stubs::Ctx<H> + Send + Sync + Copy + 'static,
        ) -> ::wasi_stubs::wasmtime::Result<()> {
            use ::wasi_stubs::__private::{link, link_async};
            #(#registrations)*
            ::core::result::Result::Ok(())
        }

        #[doc = #glue_doc]
        mod async_glue {
            use super::*;

            #(#calls)*
        }
    }
}

/// Whether the glue touches memory: the host does, a parameter is read from it, or a result is
/// written to it.
fn needs_memory(f: &Func<'_>) -> bool {
    f.host_needs_memory()
        || f.params.iter().any(|p| matches!(p.lift, Lift::ByRef))
        || matches!(&f.results, Results::Expected { ok, .. } if !ok.is_empty())
}

/// The type of the tuple of core wasm parameters: `(i32, i32)`.
fn args_type(f: &Func<'_>) -> TokenStream {
    let types = f.wasm_params.iter().map(|t| wasm_type(*t));
    quote!((#(#types,)*))
}

/// A pattern for the tuple of core wasm parameters binding those `used` says, `_` for others.
fn args_pattern(f: &Func<'_>, used: impl Fn(&Ident) -> bool) -> TokenStream {
    let names = f
        .wasm_names()
        .into_iter()
        .map(|n| if used(&n) { quote!(#n) } else { quote!(_) });
    quote!((#(#names,)*))
}

/// Which `call_` function [`call`] writes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Glue {
    /// For a method of the trait, beside `add_to_linker`.
    Sync,
    /// For a synchronous method of the async trait, in `async_glue`.
    SyncMethodOfAsyncTrait,
    /// For an async method of the async trait, in `async_glue`: it returns a future.
    AsyncMethod,
}

/// The function between the wasm arguments and the trait method: lifts the arguments, checks
/// the out-pointers, calls the host and writes its results. For an async method it returns a
/// future: the same steps, awaiting the host.
fn call(f: &Func<'_>, trait_name: &Ident, glue: Glue) -> TokenStream {
    let is_async = glue == Glue::AsyncMethod;
    let call = call_name(f);
    let name = &f.name;
    let pattern = args_pattern(f, |_| true);
    let args_type = args_type(f);
    let rt = quote!(::wasi_stubs::__private);
    let lifts = f.params.iter().map(|p| {
        let n = &p.name;
        let label = names::plain(&p.name);
        let value = match &p.lift {
            Lift::Scalar(ty) => {
                let lift = match p.slots[0] {
                    WasmType::I64 => quote!(lift64),
                    _ => quote!(lift32),
                };
                quote!(#rt::#lift::<#ty>(#n))
            }
            Lift::Float => return quote!(),
            Lift::Str => {
                let (ptr, len) = (p.ptr_name(), p.len_name());
                quote!(#rt::string(mem, #ptr, #len))
            }
            Lift::Array(elem) => {
                let (ptr, len) = (p.ptr_name(), p.len_name());
                quote!(#rt::array::<#elem>(mem, #ptr, #len))
            }
            Lift::ByRef => {
                let ty = &p.ty;
                quote!(#rt::read::<#ty>(mem, #n))
            }
        };
        quote!(let #n = #rt::arg(#label, #value)?;)
    });
    let mem_arg = f.host_needs_memory().then(|| quote!(mem,));
    let param_names = f.params.iter().map(|p| &p.name);
    let wait = is_async.then(|| quote!(.await));
    let host_call = quote!(host.#name(#mem_arg #(#param_names),*)#wait);
    let (ret, body) = match &f.results {
        Results::Expected { ok, error } => {
            let outs = &f.outs;
            let labels = outs.iter().map(|o| o.to_string());
            let checks = quote! {
                #(let #outs = #rt::arg(#labels, #rt::out_ptr::<#ok>(mem, #outs))?;)*
            };
            let labels = outs.iter().map(|o| o.to_string());
            let store = match outs.len() {
                0 => quote!(#host_call?;),
                1 => quote! {
                    let value = #host_call?;
                    #(#rt::arg(#labels, mem.write(#outs, value))?;)*
                },
                n => {
                    let values: Vec<_> = (0..n).map(|i| format_ident!("value{i}")).collect();
                    quote! {
                        let (#(#values),*) = #host_call?;
                        #(#rt::arg(#labels, mem.write(#outs, #values))?;)*
                    }
                }
            };
            (
                quote!(::core::result::Result<(), ::wasi_stubs::Error<#error>>),
                quote! {
                    #checks
                    #store
                    ::core::result::Result::Ok(())
                },
            )
        }
        Results::NoReturn => (
            quote! {
                ::core::result::Result<::core::convert::Infallible, ::wasi_stubs::Error<::wasi_stubs::NoErrorCode>>
            },
            quote!(::core::result::Result::Err(::wasi_stubs::Error::Trap(#host_call))),
        ),
        _ => (return_type(f), host_call),
    };
    let mem_param = if f
        .params
        .iter()
        .any(|p| !matches!(p.lift, Lift::Float | Lift::Scalar(_)))
        || mem_arg.is_some()
        || matches!(&f.results, Results::Expected { ok, .. } if !ok.is_empty())
    {
        quote!(mem)
    } else {
        quote!(_mem)
    };
    if is_async {
        return quote! {
            pub(super) fn #call<'a, H: #trait_name>(
                host: &'a mut H,
                #mem_param: &'a mut ::wasi_stubs::GuestMemory<'_>,
                #pattern: #args_type,
            ) -> ::wasi_stubs::__private::BoxFuture<'a, #ret> {
                ::std::boxed::Box::pin(async move {
                    #(#lifts)*
                    #body
                })
            }
        };
    }
    let visibility = (glue == Glue::SyncMethodOfAsyncTrait).then(|| quote!(pub(super)));
    quote! {
        #[inline]
        #visibility fn #call<H: #trait_name + ?Sized>(
            host: &mut H,
            #mem_param: &mut ::wasi_stubs::GuestMemory<'_>,
            #pattern: #args_type,
        ) -> #ret {
            #(#lifts)*
            #body
        }
    }
}

/// The function's constant for the glue: its name, whether a call touches memory, and how a
/// traced call shows: `describe` gives its arguments (`fd=1, iovs=1 [12 bytes]`), decoded from
/// the wasm arguments (never failing: what does not decode shows as such), and `report` what the
/// guest gets (`Ok(12)`, `Err(badf)`).
fn glue_const(f: &Func<'_>) -> TokenStream {
    let rt = quote!(::wasi_stubs::__private);
    let name = const_name(f);
    let import = f.func.name.as_str();
    let args_type = args_type(f);
    let wasm_ret = match f.wasm_results.as_slice() {
        [t] => wasm_type(*t),
        _ => quote!(()),
    };
    let memory = needs_memory(f);
    let parts: Vec<_> = f
        .params
        .iter()
        .zip(&f.func.params)
        .enumerate()
        .map(|(i, (p, witx))| {
            let n = &p.name;
            let label = format!("{}{}=", if i == 0 { "" } else { ", " }, names::plain(n));
            let (ptr, len) = (p.ptr_name(), p.len_name());
            match &p.lift {
                Lift::Scalar(ty) => quote!(#rt::trace_scalar::<#ty>(#label, #n, mem, line);),
                Lift::Float => quote!(#rt::trace_value(#label, #n, mem, line);),
                Lift::Str => quote!(#rt::trace_str(#label, #ptr, #len, mem, line);),
                Lift::Array(elem) => match &**witx.tref.type_() {
                    Type::List(e) if is_buffer(e) => {
                        quote!(#rt::trace_buffers::<#elem>(#label, #ptr, #len, mem, line);)
                    }
                    _ => quote!(#rt::trace_array::<#elem>(#label, #ptr, #len, mem, line);),
                },
                Lift::ByRef => {
                    let ty = &p.ty;
                    quote!(#rt::trace_read::<#ty>(#label, #n, mem, line);)
                }
            }
        })
        .collect();
    let outs = &f.outs;
    let describe = if parts.is_empty() {
        quote!(|_, _, _| {})
    } else {
        let pattern = args_pattern(f, |n| !outs.contains(n));
        quote!(|mem, #pattern, line| { #(#parts)* })
    };
    let report = match (&f.results, f.wasm_results.as_slice()) {
        (Results::Expected { ok, error }, [_]) => {
            if ok.is_empty() {
                quote!(|outcome, mem, _, line| {
                    #rt::report_errno::<#error>(outcome, mem, line);
                })
            } else {
                let pattern = args_pattern(f, |n| outs.contains(n));
                let seps = (0..ok.len()).map(|i| if i == 0 { "(" } else { ", " });
                quote!(|outcome, mem, #pattern, line| {
                    if #rt::report_errno::<#error>(outcome, mem, line) {
                        #(#rt::trace_read::<#ok>(#seps, #outs, mem, line);)*
                        line.push(')');
                    }
                })
            }
        }
        (Results::Value(ty), [t]) => {
            let value = match t {
                WasmType::F32 | WasmType::F64 => {
                    quote!(#rt::trace_value("Ok(", outcome, mem, line))
                }
                _ => quote!(#rt::trace_scalar::<#ty>("Ok(", outcome, mem, line)),
            };
            quote!(|outcome, mem, _, line| {
                #value;
                line.push(')');
            })
        }
        _ => quote!(#rt::report_unit),
    };
    quote! {
        const #name: #rt::Func<#args_type, #wasm_ret, #memory> = #rt::Func {
            name: #import,
            describe: #describe,
            report: #report,
        };
    }
}

/// A core wasm type as Rust names it.
fn wasm_type(t: WasmType) -> TokenStream {
    match t {
        WasmType::I32 => quote!(i32),
        WasmType::I64 => quote!(i64),
        WasmType::F32 => quote!(f32),
        WasmType::F64 => quote!(f64),
    }
}
