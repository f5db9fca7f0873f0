//! Per module: the host trait, `add_to_linker` and the function table.

use std::collections::HashMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use witx::{BuiltinType, InterfaceFunc, InterfaceFuncParam, Module, Type, TypeRef, WasmType};

use crate::source::Def;
use crate::types::{is_buffer, is_char, rust_type};
use crate::{Error, names};

/// The module's trait, `add_to_linker`, function table and glue; with `polyfill`, also a
/// `polyfill` submodule serving this module from a host of the target document's trait.
pub fn generate(
    module: &Module,
    polyfill: Option<&crate::polyfill::Target<'_>>,
) -> Result<TokenStream, Error> {
    let module_name = module.name.as_str();
    let rust_module = names::module(&module.name);
    let trait_name = names::trait_name(&module.name);
    let module_docs = names::docs_or(&module.docs, || {
        format!("The functions of the witx module `{module_name}`.")
    });
    let mut methods = Vec::new();
    let mut calls = Vec::new();
    let mut registrations = Vec::new();
    let mut infos = Vec::new();
    let funcs: Vec<_> = module.funcs().collect();
    let mut parsed = Vec::new();
    for func in &funcs {
        let f = Func::new(func, &trait_name)
            .map_err(|e| Error::new(format!("{module_name}::{}: {e}", func.name.as_str())))?;
        methods.push(f.method());
        calls.push(f.glue_const());
        calls.push(f.call());
        registrations.push(f.registration(None, &quote!()));
        infos.push(f.info());
        parsed.push(f);
    }
    let polyfill = match polyfill {
        Some(target) => crate::polyfill::generate(module, &parsed, target)?,
        None => quote!(),
    };
    let doc_line = format!(
        " The host side of `{module_name}`: every method has a default body, so a host implements \
         only the functions it wants."
    );
    let add_doc = format!(
        " Links every function of `{module_name}` into `linker`, calling the host that `get` \
         finds in the store's data."
    );
    Ok(quote! {
        #module_docs
        pub mod #rust_module {
            // The spec sets the arity of its functions, and of the tuples of their wasm arguments.
            #![allow(unused_imports, clippy::too_many_arguments, clippy::type_complexity)]
            use super::*;

            /// The name the guest imports these functions from.
            pub const MODULE: &str = #module_name;

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

            #polyfill
        }
    })
}

/// How one witx parameter arrives as core wasm values.
pub(crate) enum Lift {
    /// One `i32` or `i64` checked into a scalar (integer, enum, flags, handle, pointer).
    Scalar(TokenStream),
    /// A float, as it is.
    Float,
    /// A string: pointer and length.
    Str,
    /// A list: pointer and length.
    Array(TokenStream),
    /// A record or union passed by address, read by the glue.
    ByRef,
}

pub(crate) struct Param {
    pub name: Ident,
    pub ty: TokenStream,
    pub lift: Lift,
    pub docs: String,
}

/// What the witx result becomes.
pub(crate) enum Results {
    /// `(expected T (error E))`: out-pointers for `T`'s parts, an error code as the wasm result.
    Expected {
        ok: Vec<TokenStream>,
        error: TokenStream,
    },
    /// A plain value returned as the wasm result.
    Value(TokenStream),
    /// Nothing.
    None,
    /// A `noreturn` function.
    NoReturn,
}

pub(crate) struct Func<'a> {
    pub func: &'a InterfaceFunc,
    trait_name: &'a Ident,
    pub name: Ident,
    pub params: Vec<Param>,
    pub results: Results,
    wasm_params: Vec<WasmType>,
    wasm_results: Vec<WasmType>,
}

impl<'a> Func<'a> {
    fn new(func: &'a InterfaceFunc, trait_name: &'a Ident) -> Result<Self, Error> {
        if let Err(e) = func.abi.validate(&func.params, &func.results) {
            return Err(Error::new(e));
        }
        let (wasm_params, wasm_results) = func.wasm_signature();
        let results = if func.noreturn {
            Results::NoReturn
        } else {
            match func.results.first() {
                None => Results::None,
                Some(result) => match &**result.tref.type_() {
                    Type::Variant(v) => {
                        let (ok, err) = Self::expected_parts(v)
                            .ok_or_else(|| Error::new("a variant result must be `expected`"))?;
                        let error = match err {
                            Some(err) => rust_type(err)?,
                            None => quote!(::wasi_stubs::NoErrorCode),
                        };
                        let ok = ok.into_iter().map(rust_type).collect::<Result<_, _>>()?;
                        Results::Expected { ok, error }
                    }
                    _ => Results::Value(rust_type(&result.tref)?),
                },
            }
        };
        let outs = out_names(func);
        let mut wasm = wasm_params.iter();
        let mut params = Vec::new();
        for p in &func.params {
            let context = |e: Error| Error::new(format!("parameter `{}`: {e}", p.name.as_str()));
            let ty = rust_type(&p.tref).map_err(context)?;
            let lift = match &**p.tref.type_() {
                Type::List(elem) if is_char(elem) => Lift::Str,
                Type::List(elem) => Lift::Array(rust_type(elem).map_err(context)?),
                Type::Record(r) if r.bitflags_repr().is_none() => Lift::ByRef,
                Type::Variant(v) if !v.is_enum() => Lift::ByRef,
                Type::Builtin(BuiltinType::F32 | BuiltinType::F64) => Lift::Float,
                _ => Lift::Scalar(ty.clone()),
            };
            let consumed = if matches!(lift, Lift::Str | Lift::Array(_)) {
                2
            } else {
                1
            };
            for _ in 0..consumed {
                wasm.next()
                    .ok_or_else(|| Error::new("the witx ABI gives fewer wasm parameters"))?;
            }
            params.push(Param {
                name: param_name(p, &outs),
                ty,
                lift,
                docs: p.docs.clone(),
            });
        }
        if let Results::Expected { ok, .. } = &results {
            // The witx ABI appends one out-pointer per part of the `ok` value.
            if wasm.len() != ok.len() {
                return Err(Error::new(
                    "the witx ABI gives a different number of out-pointers",
                ));
            }
        }
        Ok(Func {
            func,
            trait_name,
            name: names::snake(&func.name),
            params,
            results,
            wasm_params,
            wasm_results,
        })
    }

    /// The parts of an `(expected T (error E))` result: the `ok` value's (a tuple's members, or
    /// the one type; none without `T`) and the error type (`None` without `E`). `None` for a
    /// variant that is not `expected`.
    pub(crate) fn expected_parts(v: &witx::Variant) -> Option<(Vec<&TypeRef>, Option<&TypeRef>)> {
        let (ok, err) = v.as_expected()?;
        let ok = match ok {
            None => Vec::new(),
            Some(ok) => match &**ok.type_() {
                Type::Record(r) if r.is_tuple() => r.members.iter().map(|m| &m.tref).collect(),
                _ => vec![ok],
            },
        };
        Some((ok, err))
    }

    /// Whether the host method gets the guest memory: some parameter holds a pointer or list.
    pub fn host_needs_memory(&self) -> bool {
        self.func.params.iter().any(|p| holds_pointer(&p.tref))
    }

    /// Whether the glue touches memory: the host does, a parameter is read from it, or a result
    /// is written to it.
    fn glue_needs_memory(&self) -> bool {
        self.host_needs_memory()
            || self.params.iter().any(|p| matches!(p.lift, Lift::ByRef))
            || matches!(&self.results, Results::Expected { ok, .. } if !ok.is_empty())
    }

    fn return_type(&self) -> TokenStream {
        match &self.results {
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

    /// `fn name(&mut self, [mem,] params) -> Result<..>`, as the trait declares it.
    pub fn signature(&self) -> TokenStream {
        let name = &self.name;
        let mem = self
            .host_needs_memory()
            .then(|| quote!(mem: &mut ::wasi_stubs::GuestMemory<'_>,));
        let params = self.params.iter().map(|p| {
            let (n, t) = (&p.name, &p.ty);
            quote!(#n: #t)
        });
        let ret = self.return_type();
        quote!(fn #name(&mut self, #mem #(#params),*) -> #ret)
    }

    fn method(&self) -> TokenStream {
        let mut docs = self.func.docs.trim_end().to_string();
        let documented: Vec<_> = self
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
        for r in &self.func.results {
            if !r.docs.trim().is_empty() {
                docs.push_str(&format!("\n\n# Result\n\n{}", r.docs.trim()));
            }
        }
        let docs = names::docs_or(&docs, || {
            format!("The witx function `{}`.", self.func.name.as_str())
        });
        let signature = self.signature();
        let body = match &self.results {
            Results::NoReturn => match self.params.first() {
                Some(Param {
                    name,
                    lift: Lift::Scalar(_),
                    ..
                }) => quote! {
                    ::wasi_stubs::Exit { code: ::wasi_stubs::__private::Scalar::lower(#name) as u32 }.into()
                },
                _ => {
                    let msg = format!("{}: not implemented by this host", self.func.name.as_str());
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

    fn call_name(&self) -> Ident {
        format_ident!("call_{}", self.name)
    }

    /// The name of the function's `wasi_stubs::__private::Func` constant: `FN_FD_WRITE`.
    fn const_name(&self) -> Ident {
        format_ident!("FN_{}", names::plain(&self.name).to_uppercase())
    }

    /// The names and types of the core wasm parameters, in order.
    fn wasm_args(&self) -> Vec<(Ident, TokenStream)> {
        let mut names = Vec::new();
        for p in &self.params {
            match p.lift {
                Lift::Str | Lift::Array(_) => {
                    names.push(format_ident!("{}_ptr", p.name));
                    names.push(format_ident!("{}_len", p.name));
                }
                _ => names.push(p.name.clone()),
            }
        }
        names.extend(self.out_names());
        names
            .into_iter()
            .zip(self.wasm_params.iter().map(|t| wasm_type(*t)))
            .collect()
    }

    /// The out-pointers of an `expected` result, as the glue names them: `ret`, or `ret0`, `ret1`,
    /// ... (none for another result).
    fn out_names(&self) -> Vec<Ident> {
        match &self.results {
            Results::Expected { ok, .. } => match ok.len() {
                1 => vec![format_ident!("ret")],
                n => (0..n).map(|i| format_ident!("ret{i}")).collect(),
            },
            _ => Vec::new(),
        }
    }

    /// The type of the tuple of core wasm parameters: `(i32, i32)`.
    fn args_type(&self) -> TokenStream {
        let types = self.wasm_params.iter().map(|t| wasm_type(*t));
        quote!((#(#types,)*))
    }

    /// A pattern for the tuple of core wasm parameters binding those `used` says, `_` for others.
    fn args_pattern(&self, used: impl Fn(&Ident) -> bool) -> TokenStream {
        let names = self.wasm_args().into_iter().map(
            |(n, _)| {
                if used(&n) { quote!(#n) } else { quote!(_) }
            },
        );
        quote!((#(#names,)*))
    }

    /// The function between the wasm arguments and the trait method: lifts the arguments, checks
    /// the out-pointers, calls the host and writes its results.
    fn call(&self) -> TokenStream {
        let call = self.call_name();
        let name = &self.name;
        let trait_name = self.trait_name;
        let pattern = self.args_pattern(|_| true);
        let args_type = self.args_type();
        let rt = quote!(::wasi_stubs::__private);
        let lifts = self.params.iter().map(|p| {
            let n = &p.name;
            let label = names::plain(&p.name);
            let value = match &p.lift {
                Lift::Scalar(ty) => {
                    let lift = match self.wasm_type_of(p) {
                        WasmType::I64 => quote!(lift64),
                        _ => quote!(lift32),
                    };
                    quote!(#rt::#lift::<#ty>(#n))
                }
                Lift::Float => return quote!(),
                Lift::Str => {
                    let (ptr, len) = (format_ident!("{n}_ptr"), format_ident!("{n}_len"));
                    quote!(#rt::string(mem, #ptr, #len))
                }
                Lift::Array(elem) => {
                    let (ptr, len) = (format_ident!("{n}_ptr"), format_ident!("{n}_len"));
                    quote!(#rt::array::<#elem>(mem, #ptr, #len))
                }
                Lift::ByRef => {
                    let ty = &p.ty;
                    quote!(#rt::read::<#ty>(mem, #n))
                }
            };
            quote!(let #n = #rt::arg(#label, #value)?;)
        });
        let mem_arg = self.host_needs_memory().then(|| quote!(mem,));
        let param_names = self.params.iter().map(|p| &p.name);
        let host_call = quote!(host.#name(#mem_arg #(#param_names),*));
        let (ret, body) = match &self.results {
            Results::Expected { ok, error } => {
                let outs = self.out_names();
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
            _ => (self.return_type(), host_call),
        };
        let mem_param = if self
            .params
            .iter()
            .any(|p| !matches!(p.lift, Lift::Float | Lift::Scalar(_)))
            || mem_arg.is_some()
            || matches!(&self.results, Results::Expected { ok, .. } if !ok.is_empty())
        {
            quote!(mem)
        } else {
            quote!(_mem)
        };
        quote! {
            #[inline]
            fn #call<H: #trait_name + ?Sized>(
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
    /// traced call shows: `describe` gives its arguments (`fd=1, iovs=1 [12 bytes]`), decoded
    /// from the wasm arguments (never failing: what does not decode shows as such), and `report`
    /// what the guest gets (`Ok(12)`, `Err(badf)`).
    fn glue_const(&self) -> TokenStream {
        let rt = quote!(::wasi_stubs::__private);
        let name = self.const_name();
        let import = self.func.name.as_str();
        let args_type = self.args_type();
        let wasm_ret = match self.wasm_results.as_slice() {
            [t] => wasm_type(*t),
            _ => quote!(()),
        };
        let memory = self.glue_needs_memory();
        let parts: Vec<_> = self
            .params
            .iter()
            .zip(&self.func.params)
            .enumerate()
            .map(|(i, (p, witx))| {
                let n = &p.name;
                let label = format!("{}{}=", if i == 0 { "" } else { ", " }, names::plain(n));
                let (ptr, len) = (format_ident!("{n}_ptr"), format_ident!("{n}_len"));
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
        let outs = self.out_names();
        let describe = if parts.is_empty() {
            quote!(|_, _, _| {})
        } else {
            let pattern = self.args_pattern(|n| !outs.contains(n));
            quote!(|mem, #pattern, line| { #(#parts)* })
        };
        let report = match (&self.results, self.wasm_results.as_slice()) {
            (Results::Expected { ok, error }, [_]) => {
                if ok.is_empty() {
                    quote!(|outcome, mem, _, line| {
                        #rt::report_errno::<#error>(outcome, mem, line);
                    })
                } else {
                    let pattern = self.args_pattern(|n| outs.contains(n));
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

    fn wasm_type_of(&self, param: &Param) -> WasmType {
        let mut i = 0;
        for p in &self.params {
            if std::ptr::eq(p, param) {
                break;
            }
            i += if matches!(p.lift, Lift::Str | Lift::Array(_)) {
                2
            } else {
                1
            };
        }
        self.wasm_params[i]
    }

    /// Links the function: one call of `wasi_stubs::__private::link` with the function's
    /// constant and its `call_` function. `adapter` wraps the host found in the store (`Adapter`
    /// from a polyfill), and `scope` is the path prefix of this module's items (`super::` from a
    /// child module).
    pub fn registration(&self, adapter: Option<&Ident>, scope: &TokenStream) -> TokenStream {
        let call = self.call_name();
        let name = self.const_name();
        let call = match adapter {
            None => quote!(#scope #call),
            Some(adapter) => quote!(|host, mem, args| #scope #call(&mut #adapter(host), mem, args)),
        };
        quote! {
            link(linker, #scope MODULE, get, || &#scope #name, #call)?;
        }
    }

    fn info(&self) -> TokenStream {
        let name = self.func.name.as_str();
        let params = self.wasm_params.iter().map(|t| info_type(*t));
        let results = self.wasm_results.iter().map(|t| info_type(*t));
        quote! {
            ::wasi_stubs::FuncInfo {
                name: #name,
                params: &[#(#params),*],
                results: &[#(#results),*],
            }
        }
    }
}

/// Names the glue gives its own parameters and variables, beside the function's parameters (in
/// `call_X` and the `describe` and `report` closures of `FN_X`), or gave them before. A parameter
/// of one of these names gets a `_` after it (kept, so that the trait's parameter names do not
/// change).
const RESERVED_PARAMS: &[&str] = &[
    "host",
    "mem",
    "caller",
    "ctx",
    "traced",
    "result",
    "outcome",
    "get",
    "line",
    "trace_line",
];

/// The most core wasm parameters a function may have: the glue links it with
/// `Linker::func_wrap`, which wasmtime implements for closures of up to 17 parameters.
const MAX_WASM_PARAMS: usize = 17;

/// The names of the out-pointers of `func`'s `expected` result, as the glue names them: `ret`, or
/// `ret0`, `ret1`, ... (none for another result).
fn out_names(func: &InterfaceFunc) -> Vec<String> {
    let parts = match func.results.first().map(|r| &**r.tref.type_()) {
        Some(Type::Variant(v)) if !func.noreturn => {
            Func::expected_parts(v).map_or(0, |(ok, _)| ok.len())
        }
        _ => 0,
    };
    match parts {
        1 => vec!["ret".to_string()],
        n => (0..n).map(|i| format!("ret{i}")).collect(),
    }
}

/// A parameter's Rust name: its name in snake case, with a `_` after it when the glue uses that
/// name (`mem` becomes `mem_`).
fn param_name(p: &InterfaceFuncParam, outs: &[String]) -> Ident {
    let name = names::snake(&p.name);
    let plain = names::plain(&name);
    if RESERVED_PARAMS.contains(&plain.as_str()) || outs.contains(&plain) {
        format_ident!("{plain}_")
    } else {
        name
    }
}

/// Refuses a function two of whose parameters get the same Rust name, or the same name for a core
/// wasm argument (a list `x` is passed as `x_ptr` and `x_len`).
pub(crate) fn check_params(module: &str, func: &InterfaceFunc) -> Result<(), Error> {
    if func.abi.validate(&func.params, &func.results).is_err() {
        // Not a function the glue is generated for: `Func::new` says why.
        return Ok(());
    }
    let (wasm_params, _) = func.wasm_signature();
    if wasm_params.len() > MAX_WASM_PARAMS {
        return Err(Error::at(
            Def::Func {
                module: module.to_string(),
                func: func.name.as_str().to_string(),
            },
            format!(
                "function `{}` takes {} core wasm parameters; wasmtime's `Linker::func_wrap` \
                 links functions of at most {MAX_WASM_PARAMS}",
                func.name.as_str(),
                wasm_params.len()
            ),
        ));
    }
    let outs = out_names(func);
    let mut seen: HashMap<String, &witx::Id> = HashMap::new();
    for p in &func.params {
        let plain = names::plain(&param_name(p, &outs));
        let mut rust = vec![plain.clone()];
        if matches!(&**p.tref.type_(), Type::List(_)) {
            rust.push(format!("{plain}_ptr"));
            rust.push(format!("{plain}_len"));
        }
        for r in rust {
            if let Some(first) = seen.get(&r) {
                let def = |param: &witx::Id| Def::Param {
                    module: module.to_string(),
                    func: func.name.as_str().to_string(),
                    param: param.as_str().to_string(),
                };
                return Err(Error::at(
                    def(&p.name),
                    format!(
                        "parameter `{}` of `{}` becomes the Rust name `{r}`, as does parameter \
                         `{}`: rename one of them",
                        p.name.as_str(),
                        func.name.as_str(),
                        first.as_str()
                    ),
                )
                .with_first(def(first)));
            }
            seen.insert(r, &p.name);
        }
    }
    Ok(())
}

/// Whether a value of this type holds a guest pointer or list, which the host needs memory for.
fn holds_pointer(tref: &TypeRef) -> bool {
    match &**tref.type_() {
        Type::Pointer(_) | Type::ConstPointer(_) | Type::List(_) => true,
        Type::Record(r) => r.members.iter().any(|m| holds_pointer(&m.tref)),
        Type::Variant(v) => v
            .cases
            .iter()
            .filter_map(|c| c.tref.as_ref())
            .any(holds_pointer),
        Type::Handle(_) | Type::Builtin(_) => false,
    }
}

fn wasm_type(t: WasmType) -> TokenStream {
    match t {
        WasmType::I32 => quote!(i32),
        WasmType::I64 => quote!(i64),
        WasmType::F32 => quote!(f32),
        WasmType::F64 => quote!(f64),
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
