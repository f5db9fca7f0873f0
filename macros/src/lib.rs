//! `#[wasi_stubs(override(fd_write, clock_time_get))]`: put it on a host's impl of a generated
//! trait, and the compiler checks that the functions the host claims to override are exactly the
//! ones it implements, and that each is a function of the spec. The host's override set is then
//! available at run time as `wasi_stubs::Coverage`.
//!
//! The spec's function names come from the vendored witx documents, read when this crate is built.

#![forbid(unsafe_code)]

mod args;

use std::collections::HashSet;

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::{ImplItem, ItemImpl};
use wasi_stubs_codegen::suggest::did_you_mean;

use crate::args::Args;

/// One witx module the macro knows: its import name, generated trait and functions (witx name,
/// method name).
struct Spec {
    module: &'static str,
    trait_name: &'static str,
    functions: &'static [(&'static str, &'static str)],
}

const SPECS: &[Spec] = include!(concat!(env!("OUT_DIR"), "/specs.rs"));

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
            "#[wasi_stubs] goes on an impl of a generated trait, such as `impl WasiSnapshotPreview1 for MyHost`",
        )
        .to_compile_error();
    };
    let spec = match find_spec(&args, &trait_path) {
        Ok(spec) => spec,
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
    let module = spec.module;
    let methods: Vec<&str> = spec.functions.iter().map(|(_, m)| *m).collect();

    // The listed names: each once, each a function of the module.
    let mut seen = HashSet::new();
    let mut valid = Vec::new();
    for (name, span) in &listed {
        if !seen.insert(name.as_str()) {
            errors.push(syn::Error::new(
                *span,
                format!("`{name}` is listed twice in `override`"),
            ));
        } else if !methods.contains(&name.as_str()) {
            errors.push(syn::Error::new(
                *span,
                format!(
                    "`{name}` is not a function of `{module}`{}",
                    did_you_mean(name, methods.iter().copied())
                ),
            ));
        } else {
            valid.push((name.as_str(), *span));
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

    let witx_names: Vec<&str> = spec
        .functions
        .iter()
        .filter(|(_, method)| valid.iter().any(|(n, _)| n == method))
        .map(|(witx, _)| *witx)
        .collect();
    let (impl_generics, _, where_clause) = item.generics.split_for_impl();
    let self_ty = &item.self_ty;
    let errors = errors.into_iter().map(|e| e.to_compile_error());
    let item = item.to_token_stream();
    quote! {
        #(#errors)*
        #item
        impl #impl_generics ::wasi_stubs::Coverage<dyn #trait_path> for #self_ty #where_clause {
            const OVERRIDES: &'static [&'static str] = &[#(#witx_names),*];
        }
    }
}

/// The spec the impl's trait belongs to: by `module = "..."`, or by the trait's name.
fn find_spec(args: &Args, trait_path: &syn::Path) -> syn::Result<&'static Spec> {
    if let Some(module) = &args.module {
        let name = module.value();
        let modules: Vec<&str> = SPECS.iter().map(|s| s.module).collect();
        return SPECS.iter().find(|s| s.module == name).ok_or_else(|| {
            syn::Error::new(
                module.span(),
                format!(
                    "`{name}` is not a known witx module{}",
                    did_you_mean(&name, modules.iter().copied())
                ),
            )
        });
    }
    let last = trait_path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    let traits: Vec<&str> = SPECS.iter().map(|s| s.trait_name).collect();
    SPECS.iter().find(|s| s.trait_name == last).ok_or_else(|| {
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
    })
}
