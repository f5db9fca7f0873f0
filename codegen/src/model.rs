//! The function model: what one witx function is on the Rust side, built once and read by every
//! emitter (the trait, the glue, the polyfill).
//!
//! A [`Func`] gives each parameter its Rust name and type, how it arrives from wasm ([`Lift`])
//! and which core wasm values carry it (its slots), and says what the result becomes
//! ([`Results`]): a value, nothing, an error code with out-pointers (`ret`, `ret0`, ...), or no
//! return at all. Nothing here emits code of its own.

use std::collections::HashMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use witx::{BuiltinType, InterfaceFunc, InterfaceFuncParam, Type, TypeRef, WasmType};

use crate::source::Def;
use crate::types::{is_char, rust_type};
use crate::{Error, names};

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

/// One parameter of a function.
pub(crate) struct Param {
    /// Its Rust name (in the trait and the glue).
    pub name: Ident,
    /// Its Rust type.
    pub ty: TokenStream,
    /// How the glue gets its value from the core wasm values.
    pub lift: Lift,
    /// The core wasm values that carry it, in order: one, or pointer and length.
    pub slots: Vec<WasmType>,
    /// Its documentation in the witx.
    pub docs: String,
}

impl Param {
    /// The names of its core wasm values: its own name, or `x_ptr` and `x_len` for a list `x`.
    pub fn slot_names(&self) -> Vec<Ident> {
        match self.lift {
            Lift::Str | Lift::Array(_) => vec![self.ptr_name(), self.len_name()],
            _ => vec![self.name.clone()],
        }
    }

    /// The name of a list's pointer value: `x_ptr`.
    pub fn ptr_name(&self) -> Ident {
        format_ident!("{}_ptr", self.name)
    }

    /// The name of a list's length value: `x_len`.
    pub fn len_name(&self) -> Ident {
        format_ident!("{}_len", self.name)
    }
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

/// One function of a module.
pub(crate) struct Func<'a> {
    pub func: &'a InterfaceFunc,
    /// The trait method's name.
    pub name: Ident,
    pub params: Vec<Param>,
    pub results: Results,
    /// The out-pointers of an `expected` result, the core wasm parameters after the others:
    /// `ret`, or `ret0`, `ret1`, ... (none for another result).
    pub outs: Vec<Ident>,
    pub wasm_params: Vec<WasmType>,
    pub wasm_results: Vec<WasmType>,
}

impl<'a> Func<'a> {
    /// The model of `func`, or why no glue can be generated for it (an ABI the witx crate
    /// refuses, a variant result that is not `expected`, an anonymous compound type).
    pub fn new(func: &'a InterfaceFunc) -> Result<Self, Error> {
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
                        let (ok, err) = expected_parts(v)
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
            let mut slots = Vec::new();
            for _ in 0..consumed {
                slots.push(
                    *wasm
                        .next()
                        .ok_or_else(|| Error::new("the witx ABI gives fewer wasm parameters"))?,
                );
            }
            params.push(Param {
                name: param_name(p, &outs),
                ty,
                lift,
                slots,
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
            name: names::snake(&func.name),
            params,
            results,
            outs: outs.iter().map(|o| format_ident!("{o}")).collect(),
            wasm_params,
            wasm_results,
        })
    }

    /// Whether the host method gets the guest memory: some parameter holds a pointer or list.
    pub fn host_needs_memory(&self) -> bool {
        self.func.params.iter().any(|p| holds_pointer(&p.tref))
    }

    /// The names of the core wasm parameters, in order: the parameters' slots, then the
    /// out-pointers.
    pub fn wasm_names(&self) -> Vec<Ident> {
        let mut names: Vec<Ident> = self.params.iter().flat_map(Param::slot_names).collect();
        names.extend(self.outs.iter().cloned());
        names
    }
}

/// The parts of an `(expected T (error E))` result: the `ok` value's (a tuple's members, or the
/// one type; none without `T`) and the error type (`None` without `E`). `None` for a variant that
/// is not `expected`.
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
        Some(Type::Variant(v)) if !func.noreturn => expected_parts(v).map_or(0, |(ok, _)| ok.len()),
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
