//! `#[wasi_stubs(override(fd_write, clock_time_get))]`: put it on a host's impl of a generated
//! trait, and the compiler checks that the functions the host claims to override are exactly the
//! ones it implements, and that each is a function of the spec. The host's override set is then
//! available at run time as `wasi_stubs::Coverage` (for the `Host` traits of `wasi_stubs::p2`,
//! `wasi_stubs::component::Coverage`).
//!
//! The function names come from the vendored witx documents and WASI 0.2 WIT, read when this
//! crate is built.

#![forbid(unsafe_code)]

mod args;

use std::collections::HashSet;

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::{ImplItem, ItemImpl};
use wasi_stubs_codegen::suggest::{did_you_mean, nearest};

use crate::args::Args;

/// One witx module the macro knows: its import name, generated trait and functions (witx name,
/// method name).
struct Spec {
    module: &'static str,
    trait_name: &'static str,
    functions: &'static [(&'static str, &'static str)],
    /// The async form of the trait `wasi_stubs` generates (`WasiSnapshotPreview1Async`), or
    /// empty.
    async_trait: &'static str,
    /// The functions the async trait has as async (witx names, which are the methods' names).
    async_functions: &'static [&'static str],
}

const SPECS: &[Spec] = include!(concat!(env!("OUT_DIR"), "/specs.rs"));

/// One interface of `wasi_stubs::p2` (the WASI 0.2 world `wasi:cli/command`): its linker
/// instance, the module of its `Host` trait (relative to `p2`), and what a host can override
/// (WIT name, method name): the resource destructors, then the functions.
struct WitInterface {
    instance: &'static str,
    module: &'static str,
    functions: &'static [(&'static str, &'static str)],
}

const INTERFACES: &[WitInterface] = include!(concat!(env!("OUT_DIR"), "/interfaces.rs"));

/// What the impl is checked against: a witx module or a WIT interface.
struct Target {
    /// How messages name it: `wasi_snapshot_preview1`, `wasi:cli/stdout@0.2.12`.
    name: &'static str,
    /// Per function: the name the coverage records (witx or WIT) and the trait method.
    functions: &'static [(&'static str, &'static str)],
    /// Whether it is a WIT interface (`wasi_stubs::component::Coverage`), not a witx module
    /// (`wasi_stubs::Coverage`).
    wit: bool,
    /// For a witx trait, what its methods must be: sync, or async for some.
    asyncness: Asyncness,
}

/// Which methods of the trait the impl is of are async.
struct Asyncness {
    /// The trait's name.
    trait_name: &'static str,
    /// Its async methods (none for a synchronous trait).
    functions: &'static [&'static str],
    /// For a synchronous trait with an async form, that form's name, else empty.
    async_form: &'static str,
    /// For a synchronous trait with an async form, the methods async there.
    async_form_functions: &'static [&'static str],
}

/// Checks a host's impl of a generated trait against the spec, and records its overrides.
///
/// ```ignore
/// #[wasi_stubs(override(fd_write, random_get))]
/// impl WasiSnapshotPreview1 for MyHost {
///     fn fd_write(/* ... */) -> Result<Size, Error<Errno>> { /* ... */ }
///     fn random_get(/* ... */) -> Result<(), Error<Errno>> { /* ... */ }
/// }
/// ```
///
/// - `override(a, b)` lists the methods the impl implements, by name (a trailing comma is fine);
///   `override()` is a host that implements nothing. `override = "a, b"` is the same list as one
///   string (`override = ""` for none); its errors point at the whole string.
/// - `module = "wasi_unstable"` names the witx module when the trait is not one of the generated
///   traits by name (it is found from the trait's name otherwise).
///
/// On the `Host` trait of an interface of `wasi_stubs::p2` (WASI 0.2), the interface is found
/// from the modules the trait's path names (`stdout::Host`, `wasi::cli::stdout::Host`), or from
/// `module = "wasi:cli/stdout"`; the names are the trait's methods (`get_stdout`,
/// `output_stream_write`, `output_stream_drop`), and in the string spelling may be WIT names too
/// (`override = "get-stdout, [method]output-stream.write"`). The coverage is an impl of
/// `wasi_stubs::component::Coverage<dyn wasi::cli::stdout::Host>`, by WIT names.
///
/// ```ignore
/// #[wasi_stubs(override(get_stdout))]
/// impl wasi::cli::stdout::Host for MyHost {
///     fn get_stdout(&mut self) -> wasmtime::Result<Resource<OutputStream>> { /* ... */ }
/// }
/// ```
///
/// A name that is not a function of the module (with the nearest one as "did you mean"), a name
/// listed twice, a name listed but not implemented, and a method implemented but not listed are
/// compile errors pointing at the name. So is anything in `override(...)` that is not a name (a
/// string, a path), and an unknown argument. The expansion is the impl, untouched, and an impl of
/// `wasi_stubs::Coverage` recording the set.
#[proc_macro_attribute]
pub fn wasi_stubs(attr: TokenStream, item: TokenStream) -> TokenStream {
    let args = match syn::parse::<Args>(attr) {
        Ok(args) => args,
        Err(e) => {
            // The impl is kept, so that the attribute's error is the only one.
            let e = e.to_compile_error();
            let item = proc_macro2::TokenStream::from(item);
            return quote!(#e #item).into();
        }
    };
    let item = syn::parse_macro_input!(item as ItemImpl);
    expand(args, item).into()
}

fn expand(args: Args, mut item: ItemImpl) -> proc_macro2::TokenStream {
    let mut errors: Vec<syn::Error> = Vec::new();
    let Some((_, trait_path, _)) = item.trait_.clone() else {
        return syn::Error::new_spanned(
            &item.self_ty,
            "#[wasi_stubs] goes on an impl of a generated trait, such as `impl WasiSnapshotPreview1 for MyHost` or `impl wasi::cli::stdout::Host for MyHost`",
        )
        .to_compile_error();
    };
    let target = match find_target(&args, &trait_path) {
        Ok(target) => target,
        Err(e) => {
            let e = e.to_compile_error();
            return quote!(#e #item);
        }
    };
    let Some(listed) = args.overrides else {
        let e = syn::Error::new(
            Span::call_site(),
            "#[wasi_stubs] needs the list of overridden functions: `override(fd_write, ...)` (`override()` for none)",
        );
        let e = e.to_compile_error();
        return quote!(#e #item);
    };
    let module = target.name;
    let methods: Vec<&str> = target.functions.iter().map(|(_, m)| *m).collect();

    // The listed names: each once, each a function of the module. A WIT interface's functions
    // may be listed by their WIT names too (`override = "get-stdout"`).
    let mut seen = HashSet::new();
    let mut valid = Vec::new();
    for (name, span) in &listed {
        let method = target
            .functions
            .iter()
            .find(|(coverage, method)| method == name || (target.wit && coverage == name))
            .map(|(_, method)| *method);
        match method {
            Some(method) if !seen.insert(method) => errors.push(syn::Error::new(
                *span,
                format!("`{name}` is listed twice in `override`"),
            )),
            Some(method) => valid.push((method, *span)),
            None => {
                // A WIT interface's functions by either name, so that a WIT name gets one.
                let candidates = target.functions.iter().flat_map(|(coverage, method)| {
                    [*method].into_iter().chain(target.wit.then_some(*coverage))
                });
                errors.push(syn::Error::new(
                    *span,
                    format!(
                        "`{name}` is not a function of `{module}`{}",
                        did_you_mean(name, candidates)
                    ),
                ))
            }
        }
    }

    // The implemented methods: each a function of the module, each listed.
    let mut implemented = HashSet::new();
    item.items.retain(|impl_item| {
        let ImplItem::Fn(f) = impl_item else {
            return true;
        };
        let ident = &f.sig.ident;
        let name = ident.unraw().to_string();
        if !methods.contains(&name.as_str()) {
            errors.push(syn::Error::new(
                ident.span(),
                format!(
                    "`{name}` is not a function of `{module}`{}",
                    did_you_mean(&name, methods.iter().copied())
                ),
            ));
            // Dropped, so that the compiler does not report it a second time.
            return false;
        }
        implemented.insert(name.clone());
        if let Some(e) = check_asyncness(f, &name, &target.asyncness) {
            errors.push(e);
            // Dropped, so that the compiler does not add a type mismatch to the message.
            return false;
        }
        if !seen.contains(name.as_str()) {
            errors.push(syn::Error::new(
                ident.span(),
                format!("`{name}` is implemented but not listed in `override`; add it to the list"),
            ));
        }
        true
    });
    for (name, span) in &valid {
        if !implemented.contains(*name) {
            errors.push(syn::Error::new(
                *span,
                format!(
                    "`{name}` is listed in `override` but not implemented in this impl; implement `fn {name}` or remove it from the list"
                ),
            ));
        }
    }

    let names: Vec<&str> = target
        .functions
        .iter()
        .filter(|(_, method)| valid.iter().any(|(n, _)| n == method))
        .map(|(name, _)| *name)
        .collect();
    let coverage = if target.wit {
        quote!(::wasi_stubs::component::Coverage)
    } else {
        quote!(::wasi_stubs::Coverage)
    };
    let (impl_generics, _, where_clause) = item.generics.split_for_impl();
    let self_ty = &item.self_ty;
    let errors = errors.into_iter().map(|e| e.to_compile_error());
    let item = item.to_token_stream();
    quote! {
        #(#errors)*
        #item
        impl #impl_generics #coverage<dyn #trait_path> for #self_ty #where_clause {
            const OVERRIDES: &'static [&'static str] = &[#(#names),*];
        }
    }
}

/// An async method where the trait's is sync, or a sync one where the trait's is async: what to
/// write instead. A method that returns `impl Future` counts as async.
fn check_asyncness(f: &syn::ImplItemFn, name: &str, asyncness: &Asyncness) -> Option<syn::Error> {
    if asyncness.trait_name.is_empty() {
        return None;
    }
    let returns_future = matches!(&f.sig.output, syn::ReturnType::Type(_, ty) if matches!(**ty, syn::Type::ImplTrait(_)));
    let is_async = f.sig.asyncness.is_some() || returns_future;
    let should_be = asyncness.functions.contains(&name);
    let trait_name = asyncness.trait_name;
    let span = match &f.sig.asyncness {
        Some(token) => token.span,
        None => f.sig.ident.span(),
    };
    let message = match (should_be, is_async) {
        (true, false) => format!(
            "`{name}` is async in `{trait_name}`: write it as `async fn {name}`, or implement the synchronous trait and link it with `add_to_linker`"
        ),
        (false, true) if asyncness.async_form_functions.contains(&name) => format!(
            "`{name}` is not async in `{trait_name}`: remove `async`, or implement `{}` instead (where `{name}` is async) and link it with `add_to_linker_async` on an async store",
            asyncness.async_form
        ),
        (false, true) if asyncness.functions.is_empty() => {
            format!("`{name}` is not async in `{trait_name}`: remove `async`")
        }
        (false, true) => format!(
            "`{name}` is not async in `{trait_name}`, whose async methods are {}: remove `async` (to await in `{name}`, generate the trait with it among `Generator::async_functions`)",
            asyncness
                .functions
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => return None,
    };
    Some(syn::Error::new(span, message))
}

/// What the impl's trait is checked against: a WIT interface when the trait is a `Host` or
/// `module` names a WIT interface (`wasi:cli/stdout`), else a witx module.
fn find_target(args: &Args, trait_path: &syn::Path) -> syn::Result<Target> {
    let last = trait_path
        .segments
        .last()
        .map(|s| s.ident.unraw().to_string())
        .unwrap_or_default();
    let wit = match &args.module {
        Some(module) => module.value().contains(':'),
        None => last == "Host",
    };
    if wit {
        let interface = find_interface(args, trait_path)?;
        return Ok(Target {
            name: interface.instance,
            functions: interface.functions,
            wit: true,
            asyncness: Asyncness {
                trait_name: "",
                functions: &[],
                async_form: "",
                async_form_functions: &[],
            },
        });
    }
    let (spec, is_async) = find_spec(args, trait_path)?;
    let asyncness = if is_async {
        Asyncness {
            trait_name: spec.async_trait,
            functions: spec.async_functions,
            async_form: "",
            async_form_functions: &[],
        }
    } else {
        Asyncness {
            trait_name: spec.trait_name,
            functions: &[],
            async_form: spec.async_trait,
            async_form_functions: spec.async_functions,
        }
    };
    Ok(Target {
        name: spec.module,
        functions: spec.functions,
        wit: false,
        asyncness,
    })
}

/// The WIT interface of a `Host` trait: by `module = "wasi:cli/stdout"` (with or without its
/// version), or by the modules the trait's path names (`wasi::cli::stdout::Host`,
/// `stdout::Host`, `wasi_stubs::p2::wasi::cli::stdout::Host`).
fn find_interface(args: &Args, trait_path: &syn::Path) -> syn::Result<&'static WitInterface> {
    let unversioned = |i: &WitInterface| i.instance.split('@').next().unwrap_or_default();
    if let Some(module) = &args.module {
        let name = module.value();
        return INTERFACES
            .iter()
            .find(|i| i.instance == name || unversioned(i) == name)
            .ok_or_else(|| {
                syn::Error::new(
                    module.span(),
                    format!(
                        "`{name}` is not an interface of `wasi_stubs::p2`{}",
                        did_you_mean(&name, INTERFACES.iter().map(unversioned))
                    ),
                )
            });
    }
    // The modules before `Host`, without what only says where the path starts.
    let mut written: Vec<String> = trait_path
        .segments
        .iter()
        .map(|s| s.ident.unraw().to_string())
        .collect();
    written.pop();
    while written
        .first()
        .is_some_and(|s| matches!(s.as_str(), "crate" | "self" | "super"))
    {
        written.remove(0);
    }
    if written.is_empty() {
        return Err(syn::Error::new_spanned(
            trait_path,
            "`Host` alone does not say which interface this is: write the trait with its module, such as `stdout::Host` or `wasi::cli::stdout::Host`, or name the interface with `module = \"wasi:cli/stdout\"`",
        ));
    }
    let modules = |i: &WitInterface| i.module.split("::").collect::<Vec<_>>();
    let matches: Vec<&WitInterface> = INTERFACES
        .iter()
        .filter(|i| {
            let module = modules(i);
            written.ends_with(&module.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                || module.ends_with(&written.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .collect();
    let path = format!("{}::Host", written.join("::"));
    match matches.as_slice() {
        [one] => Ok(one),
        [] => {
            // The nearest interface, compared on as many modules as the path names.
            let depth = written.len().min(3);
            let tail = written[written.len() - depth..].join("::");
            let candidates: Vec<(String, &WitInterface)> = INTERFACES
                .iter()
                .map(|i| {
                    let module = modules(i);
                    let from = module.len().saturating_sub(depth);
                    (module[from..].join("::"), i)
                })
                .collect();
            let hint = match nearest(&tail, candidates.iter().map(|(c, _)| c.as_str())) {
                Some(near) => {
                    let module = candidates
                        .iter()
                        .find(|(c, _)| c == near)
                        .map_or(near, |(_, i)| i.module);
                    format!("; did you mean `{module}::Host`?")
                }
                None => String::new(),
            };
            Err(syn::Error::new_spanned(
                trait_path,
                format!(
                    "`{path}` is not the `Host` trait of an interface of `wasi_stubs::p2`{hint}"
                ),
            ))
        }
        many => {
            let all = many
                .iter()
                .map(|i| format!("`{}::Host`", i.module))
                .collect::<Vec<_>>()
                .join(", ");
            Err(syn::Error::new_spanned(
                trait_path,
                format!("`{path}` could be any of {all}: write more of its path"),
            ))
        }
    }
}

/// The spec the impl's trait belongs to, and whether the trait is its async form: by
/// `module = "..."` (with the trait's name telling the async form), or by the trait's name.
fn find_spec(args: &Args, trait_path: &syn::Path) -> syn::Result<(&'static Spec, bool)> {
    let last = trait_path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    if let Some(module) = &args.module {
        let name = module.value();
        let modules: Vec<&str> = SPECS.iter().map(|s| s.module).collect();
        let spec = SPECS.iter().find(|s| s.module == name).ok_or_else(|| {
            syn::Error::new(
                module.span(),
                format!(
                    "`{name}` is not a known witx module{}",
                    did_you_mean(&name, modules.iter().copied())
                ),
            )
        })?;
        return Ok((
            spec,
            !spec.async_trait.is_empty() && last == spec.async_trait,
        ));
    }
    if let Some(spec) = SPECS
        .iter()
        .find(|s| !s.async_trait.is_empty() && s.async_trait == last)
    {
        return Ok((spec, true));
    }
    let traits: Vec<&str> = SPECS
        .iter()
        .flat_map(|s| [s.trait_name, s.async_trait])
        .filter(|t| !t.is_empty())
        .collect();
    let spec = SPECS.iter().find(|s| s.trait_name == last).ok_or_else(|| {
        let known = traits
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ");
        syn::Error::new_spanned(
            trait_path,
            format!(
                "`{last}` is not a trait generated by wasi-stubs{}; expected one of {known}, or name its witx module with `module = \"...\"`",
                did_you_mean(&last, traits.iter().copied())
            ),
        )
    })?;
    Ok((spec, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The instance `#[wasi_stubs]` checks an impl of `path` against, or its error.
    fn interface(path: &str, module: Option<&str>) -> Result<&'static str, String> {
        let args = Args {
            overrides: None,
            module: module.map(|m| syn::LitStr::new(m, Span::call_site())),
        };
        let path: syn::Path = syn::parse_str(path).unwrap();
        find_target(&args, &path)
            .map(|t| t.name)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_host_trait_is_found_by_any_tail_of_its_path() {
        for path in [
            "stdout::Host",
            "cli::stdout::Host",
            "wasi::cli::stdout::Host",
            "::wasi_stubs::p2::wasi::cli::stdout::Host",
            "crate::stdout::Host",
            "super::super::stdout::Host",
        ] {
            assert_eq!(
                interface(path, None).unwrap(),
                "wasi:cli/stdout@0.2.12",
                "{path}"
            );
        }
        assert_eq!(
            interface("random::Host", None).unwrap(),
            "wasi:random/random@0.2.12"
        );
        for module in ["wasi:clocks/wall-clock", "wasi:clocks/wall-clock@0.2.12"] {
            assert_eq!(
                interface("Host", Some(module)).unwrap(),
                "wasi:clocks/wall-clock@0.2.12"
            );
        }
        // A witx trait is still found by its name.
        assert_eq!(
            interface("WasiSnapshotPreview1", None).unwrap(),
            "wasi_snapshot_preview1"
        );
    }

    #[test]
    fn a_path_that_names_no_interface_is_explained() {
        assert!(interface("Host", None).unwrap_err().contains("alone"));
        let e = interface("wasi::cli::stdot::Host", None).unwrap_err();
        assert!(e.contains("did you mean `wasi::cli::stdout::Host`?"), "{e}");
        let e = interface("other::cli::stdout::Host", None).unwrap_err();
        assert!(e.contains("did you mean `wasi::cli::stdout::Host`?"), "{e}");
        let e = interface("Host", Some("wasi:io/stream")).unwrap_err();
        assert!(e.contains("did you mean `wasi:io/streams`?"), "{e}");
    }

    /// The table has the 27 interfaces of `wasi:cli/command`, each found by its module path.
    #[test]
    fn every_interface_of_the_table_is_found_by_its_path() {
        assert_eq!(INTERFACES.len(), 27);
        for i in INTERFACES {
            let path = format!("{}::Host", i.module);
            assert_eq!(interface(&path, None).unwrap(), i.instance);
        }
    }
}
