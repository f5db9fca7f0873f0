//! The `Host` trait of a unit, with a default answer per function, and its `add_to_linker`.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use wit_parser::{Function, FunctionKind, Type, TypeDef, TypeDefKind};

use super::{Error, Generator, Scope, names, types};

/// The trait method of `f`: `get-stdout` → `get_stdout`, `[method]output-stream.write` →
/// `output_stream_write`, `[static]pollable.x` → `pollable_x`, `[constructor]fields` →
/// `fields_new`.
pub(super) fn method_name(generator: &Generator<'_>, f: &Function) -> Result<Ident, Error> {
    let kebab = match &f.kind {
        FunctionKind::Freestanding => f.name.clone(),
        FunctionKind::Method(r) | FunctionKind::Static(r) => {
            format!("{}-{}", resource_name(generator, *r), f.item_name())
        }
        FunctionKind::Constructor(r) => format!("{}-new", resource_name(generator, *r)),
        FunctionKind::AsyncFreestanding
        | FunctionKind::AsyncMethod(_)
        | FunctionKind::AsyncStatic(_) => {
            return Err(Error::new(format!(
                "{}: `{}` is an async function, which wasmtime's synchronous component API \
                 cannot link",
                generator.at(f.span),
                f.name
            )));
        }
    };
    Ok(names::snake(&kebab))
}

/// The trait method called when the guest drops an owned handle of the resource `wit`:
/// `output-stream` → `output_stream_drop`.
pub(super) fn drop_method(wit: &str) -> Ident {
    names::snake(&format!("{wit}-drop"))
}

fn resource_name(generator: &Generator<'_>, id: wit_parser::TypeId) -> String {
    generator.resolve.types[id].name.clone().unwrap_or_default()
}

/// What a function answers when the host does not implement it, by the shape of its result.
enum Rule {
    /// `result<_, E>`, `E` an enum or variant (named here): the case the policy names.
    ErrorCase(String),
    /// `result<_>`: the error.
    Error,
    /// `option<_>`: `none`.
    None,
    /// `list<_>`: empty.
    Empty,
    /// Anything else: a trap.
    Trap,
}

impl Rule {
    fn of(generator: &Generator<'_>, result: Option<&Type>) -> Rule {
        let resolve = generator.resolve;
        let Some(id) = result.and_then(|t| types::resolved(resolve, t)) else {
            return Rule::Trap;
        };
        match &resolve.types[id].kind {
            TypeDefKind::Result(r) => match &r.err {
                None => Rule::Error,
                Some(e) => match types::resolved(resolve, e).map(|e| &resolve.types[e]) {
                    Some(
                        def @ TypeDef {
                            kind: TypeDefKind::Enum(_) | TypeDefKind::Variant(_),
                            ..
                        },
                    ) => Rule::ErrorCase(def.name.clone().unwrap_or_default()),
                    _ => Rule::Trap,
                },
            },
            TypeDefKind::Option(_) => Rule::None,
            TypeDefKind::List(_) => Rule::Empty,
            _ => Rule::Trap,
        }
    }

    /// The runtime function that gives the answer, and a sentence for the method's docs.
    fn call(&self) -> (TokenStream, String) {
        match self {
            Rule::ErrorCase(error) => (
                quote!(error_case),
                format!("`Err` with the case of `{error}` the policy names"),
            ),
            Rule::Error => (quote!(error), "`Err(())`".to_string()),
            Rule::None => (quote!(none), "`None`".to_string()),
            Rule::Empty => (quote!(empty), "an empty list".to_string()),
            Rule::Trap => (quote!(trap), "a trap naming the function".to_string()),
        }
    }
}

/// The unit's `Host` trait, the `Cases` of its error types and its `add_to_linker`.
pub(super) fn host(scope: &mut Scope<'_, '_>) -> Result<TokenStream, Error> {
    let generator = scope.generator;
    let unit = scope.unit;
    let resolve = generator.resolve;
    let mut methods = Vec::new();
    let mut registrations = Vec::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    // What the host can override, by the names the coverage uses.
    let mut coverage_names: Vec<String> = Vec::new();
    let mut many_params = false;
    // Whether a signature (`complex_method`) or a closure's parameter tuple (`complex_link`)
    // reaches clippy's `type_complexity` threshold: WIT types nest as they like.
    let mut complex_method = false;
    let mut complex_link = false;

    for &id in &unit.resources {
        let def = &resolve.types[id];
        let wit = def.name.as_deref().unwrap_or_default();
        let marker = names::camel(wit);
        let method = drop_method(wit);
        coverage_names.push(format!("[resource-drop]{wit}"));
        claim(&mut seen, &method, generator.at(def.span))?;
        let docs = names::doc_lines(&format!(
            "Called when the guest drops an owned `{wit}` handle.\n\nUnless the host \
             implements it: nothing to free."
        ));
        methods.push(quote! {
            #docs
            fn #method(&mut self, handle: Resource<#marker>) -> wasmtime::Result<()> {
                Ok(())
            }
        });
        let traced = format!("{}#[resource-drop]{wit}", unit.unversioned());
        registrations.push(quote! {
            instance.resource(
                #wit,
                wasmtime::component::ResourceType::host::<#marker>(),
                move |mut store, rep| {
                    let host = get(store.data_mut());
                    if host.tracing() {
                        let line = wasi_stubs::__private::wit_call(#traced, &[("self", &rep)]);
                        return wasi_stubs::__private::wit_answer(
                            line,
                            host.#method(Resource::new_own(rep)),
                        );
                    }
                    host.#method(Resource::new_own(rep))
                },
            )?;
        });
        scope.uses_resource = true;
    }

    for f in &unit.functions {
        let method = method_name(generator, f)?;
        claim(&mut seen, &method, generator.at(f.span))?;
        coverage_names.push(f.name.clone());
        let mut params = Vec::new();
        let mut param_types = Vec::new();
        let mut args = Vec::new();
        let mut seen_params = Vec::new();
        let mut traced_args = Vec::new();
        for p in &f.params {
            let mut ident = names::snake(&p.name);
            // The registration's closure has `store`, `get`, `host` and `line` in scope: a
            // parameter of one of those names takes `_`.
            if ["store", "get", "host", "line"].contains(&ident.to_string().as_str()) {
                ident = Ident::new(&format!("{ident}_"), ident.span());
            }
            if seen_params.contains(&ident) {
                return Err(Error::new(format!(
                    "{}: two parameters of `{}` have the Rust name `{ident}`",
                    generator.at(f.span),
                    f.name
                )));
            }
            seen_params.push(ident.clone());
            let wit = &p.name;
            traced_args.push(quote!((#wit, &#ident as &dyn wasi_stubs::component::Describe)));
            let ty = types::ty(scope, &p.ty)?;
            params.push(quote!(#ident: #ty));
            param_types.push(ty);
            args.push(ident);
        }
        many_params |= f.params.len() > 6;
        let result = match &f.result {
            Some(t) => types::ty(scope, t)?,
            None => quote!(()),
        };
        complex_method |= param_types.iter().chain([&result]).any(too_complex);
        complex_link |= too_complex(&quote!((#(#param_types,)*)));
        let rule = Rule::of(generator, f.result.as_ref());
        let (answer, says) = rule.call();
        let function = format!("{}#{}", unit.qualifier, f.name);
        let mut docs = names::docs(&f.docs);
        docs.extend(names::doc_lines(&format!(
            "{}Unless the host implements it: {says}.",
            if f.docs.contents.is_some() { "\n" } else { "" }
        )));
        methods.push(quote! {
            #docs
            fn #method(&mut self, #(#params),*) -> wasmtime::Result<#result> {
                wasi_stubs::component::#answer(self, #function)
            }
        });
        let name = &f.name;
        let traced = format!("{}#{}", unit.unversioned(), f.name);
        // The traced call is the cold branch; an ordinary one tests the switch and calls the host.
        let call = quote!(host.#method(#(#args),*));
        let (traced_answer, answer) = if f.result.is_some() {
            (
                quote!(wasi_stubs::__private::wit_answer(line, #call).map(|result| (result,))),
                quote!(Ok((#call?,))),
            )
        } else {
            (quote!(wasi_stubs::__private::wit_answer(line, #call)), call)
        };
        registrations.push(quote! {
            instance.func_wrap(
                #name,
                move |mut store, (#(#args,)*): (#(#param_types,)*)| {
                    let host = get(store.data_mut());
                    if host.tracing() {
                        let line = wasi_stubs::__private::wit_call(#traced, &[#(#traced_args),*]);
                        return #traced_answer;
                    }
                    #answer
                },
            )?;
        });
    }

    let what = match &unit.instance {
        Some(instance) => format!("`{instance}`"),
        None => format!("the world `{}`", unit.qualifier),
    };
    let trait_doc = names::doc_lines(&format!(
        "The functions of {what}, each with a default answer (see `wasi_stubs::component`): \
         implement the ones this host serves."
    ));
    // A default body does not use the parameters: they are named for the implementations.
    let mut lints = vec![quote!(unused_variables)];
    if many_params {
        lints.push(quote!(clippy::too_many_arguments));
    }
    if complex_method {
        lints.push(quote!(clippy::type_complexity));
    }
    let lints = quote!(#[allow(#(#lints),*)]);
    let link_lints = if complex_link {
        quote!(#[allow(clippy::type_complexity)])
    } else {
        quote!()
    };
    let instance = match &unit.instance {
        Some(_) => quote!(let mut instance = linker.instance(NAME)?;),
        None => quote!(let mut instance = linker.root();),
    };
    let link_doc = names::doc_lines(&format!(
        "Links every function and resource of {what} into `linker`, answered by the host \
         that `get` finds in the store's data."
    ));
    let link = if unit.path.is_empty() {
        // The world's own functions are linked by the top `add_to_linker`.
        Ident::new("add_functions_to_linker", proc_macro2::Span::call_site())
    } else {
        Ident::new("add_to_linker", proc_macro2::Span::call_site())
    };
    let interface_name = match &unit.instance {
        Some(_) => quote!(NAME),
        None => {
            let name = &unit.qualifier;
            quote!(#name)
        }
    };
    Ok(quote! {
        #trait_doc
        #lints
        pub trait Host: wasi_stubs::component::Defaults {
            #(#methods)*
        }

        impl wasi_stubs::component::Interface for dyn Host {
            const NAME: &'static str = #interface_name;
            const FUNCTIONS: &'static [&'static str] = &[#(#coverage_names),*];
        }

        #link_doc
        #link_lints
        pub fn #link<T: 'static, H: Host + 'static>(
            linker: &mut wasmtime::component::Linker<T>,
            get: impl Fn(&mut T) -> &mut H + Send + Sync + Copy + 'static,
        ) -> wasmtime::Result<()> {
            #instance
            #(#registrations)*
            Ok(())
        }
    })
}

/// Refuses a trait method named as an earlier one.
fn claim(seen: &mut Vec<(String, String)>, method: &Ident, at: String) -> Result<(), Error> {
    let name = method.to_string();
    if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
        return Err(Error::new(format!(
            "{at}: the trait method `{name}` is already the method of the function at {first}"
        )));
    }
    seen.push((name, at));
    Ok(())
}

/// The error types of the `result`s of `functions` that answer by [`Rule::ErrorCase`], through
/// aliases: the types that need [`error_cases`].
pub(super) fn error_types<'a>(
    generator: &Generator<'_>,
    functions: impl Iterator<Item = &'a Function>,
) -> Vec<wit_parser::TypeId> {
    let resolve = generator.resolve;
    let mut found = Vec::new();
    for f in functions {
        if let Rule::ErrorCase(_) = Rule::of(generator, f.result.as_ref())
            && let Some(result) = f.result.as_ref().and_then(|t| types::resolved(resolve, t))
            && let TypeDefKind::Result(r) = &resolve.types[result].kind
            && let Some(error) = r.err.as_ref().and_then(|e| types::resolved(resolve, e))
            && !found.contains(&error)
        {
            found.push(error);
        }
    }
    found
}

/// `impl Cases` for the error type `id` of a `result`: its cases without a payload, by WIT name.
pub(super) fn error_cases(
    scope: &mut Scope<'_, '_>,
    id: wit_parser::TypeId,
) -> Result<TokenStream, Error> {
    let def = &scope.resolve().types[id];
    let ty = scope.path_to(id)?;
    let cases: Vec<(&str, Ident)> = match &def.kind {
        TypeDefKind::Enum(e) => e
            .cases
            .iter()
            .map(|c| (c.name.as_str(), names::camel(&c.name)))
            .collect(),
        TypeDefKind::Variant(v) => v
            .cases
            .iter()
            .filter(|c| c.ty.is_none())
            .map(|c| (c.name.as_str(), names::camel(&c.name)))
            .collect(),
        _ => Vec::new(),
    };
    let arms = cases
        .iter()
        .map(|(wit, ident)| quote!(#wit => Some(#ty::#ident),));
    let name = if cases.is_empty() {
        quote!(_name)
    } else {
        quote!(name)
    };
    let body = if cases.is_empty() {
        quote!(None)
    } else {
        quote!(match name {
            #(#arms)*
            _ => None,
        })
    };
    Ok(quote! {
        impl wasi_stubs::component::Cases for #ty {
            fn case(#name: &str) -> Option<Self> {
                #body
            }
        }
    })
}

/// Whether clippy's `type_complexity` lint would take the Rust type `ty` for too complex (a score
/// over 250), scored as clippy scores it: 10 for each path, tuple, slice or array, times how deep
/// it is nested in other such types.
fn too_complex(ty: &TokenStream) -> bool {
    fn score(ty: &syn::Type, nest: u64) -> u64 {
        match ty {
            syn::Type::Path(path) => {
                10 * nest
                    + path
                        .path
                        .segments
                        .iter()
                        .flat_map(|s| match &s.arguments {
                            syn::PathArguments::AngleBracketed(args) => args.args.iter().collect(),
                            _ => Vec::new(),
                        })
                        .map(|arg| match arg {
                            syn::GenericArgument::Type(t) => score(t, nest + 1),
                            _ => 0,
                        })
                        .sum::<u64>()
            }
            syn::Type::Tuple(tuple) => {
                10 * nest + tuple.elems.iter().map(|t| score(t, nest + 1)).sum::<u64>()
            }
            syn::Type::Slice(s) => 10 * nest + score(&s.elem, nest + 1),
            syn::Type::Array(a) => 10 * nest + score(&a.elem, nest + 1),
            syn::Type::Reference(r) => nest + score(&r.elem, nest),
            syn::Type::Paren(p) => score(&p.elem, nest),
            _ => 0,
        }
    }
    // Trait methods return `wasmtime::Result<T>`: one level more than `T`.
    syn::parse2::<syn::Type>(quote!(wasmtime::Result<#ty>)).is_ok_and(|t| score(&t, 1) > 250)
}
