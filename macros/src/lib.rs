//! `#[wasi_stubs(override = "fd_write, clock_time_get")]`: put it on a host's impl of a generated
//! trait, and the compiler checks that the functions the host claims to override are exactly the
//! ones it implements, and that each is a function of the spec. The host's override set is then
//! available at run time as `wasi_stubs::Coverage`.
//!
//! The spec's function names come from the vendored witx documents, read when this crate is built.

use std::collections::HashSet;

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, ImplItem, ItemImpl, LitStr, Token, parenthesized};

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
/// #[wasi_stubs(override = "fd_write, random_get")]
/// impl WasiSnapshotPreview1 for MyHost {
///     fn fd_write(/* ... */) -> Result<Size, Error<Errno>> { /* ... */ }
///     fn random_get(/* ... */) -> Result<(), Error<Errno>> { /* ... */ }
/// }
/// ```
///
/// - `override = "a, b"` (or `override("a", "b")`) lists the methods the impl implements; an
///   empty list (`override = ""`) is a host that implements nothing.
/// - `module = "wasi_unstable"` names the witx module when the trait is not one of the generated
///   traits by name (it is found from the trait's name otherwise).
///
/// A name that is not a function of the module, a name listed twice, a name listed but not
/// implemented, and a method implemented but not listed are compile errors pointing at the name.
/// The expansion is the impl, untouched, and an impl of `wasi_stubs::Coverage` recording the set.
#[proc_macro_attribute]
pub fn wasi_stubs(attr: TokenStream, item: TokenStream) -> TokenStream {
    let args = syn::parse_macro_input!(attr as Args);
    let item = syn::parse_macro_input!(item as ItemImpl);
    expand(args, item).into()
}

/// The attribute's arguments.
struct Args {
    overrides: Option<Vec<(String, Span)>>,
    module: Option<LitStr>,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut args = Args {
            overrides: None,
            module: None,
        };
        while !input.is_empty() {
            // `override` is a reserved word, so it is read as any identifier.
            let key = Ident::parse_any(input)?;
            match key.to_string().as_str() {
                "override" if args.overrides.is_some() => {
                    return Err(syn::Error::new(key.span(), "`override` is given twice"));
                }
                "override" => args.overrides = Some(parse_names(input)?),
                "module" if args.module.is_some() => {
                    return Err(syn::Error::new(key.span(), "`module` is given twice"));
                }
                "module" => {
                    input.parse::<Token![=]>()?;
                    args.module = Some(input.parse()?);
                }
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown argument `{other}`; expected `override = \"...\"` or `module = \"...\"`"
                        ),
                    ));
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    }
}

/// `= "a, b"` or `("a", "b")`.
fn parse_names(input: ParseStream) -> syn::Result<Vec<(String, Span)>> {
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        let list: LitStr = input.parse()?;
        Ok(list
            .value()
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(|name| (name.to_string(), list.span()))
            .collect())
    } else if input.peek(syn::token::Paren) {
        let content;
        parenthesized!(content in input);
        let names = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
        Ok(names.iter().map(|n| (n.value(), n.span())).collect())
    } else {
        Err(input.error("expected `override = \"fd_write, ...\"` or `override(\"fd_write\", ...)`"))
    }
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
            "#[wasi_stubs] needs the list of overridden functions: `override = \"fd_write, ...\"` (`override = \"\"` for none)",
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
                    suggest(name, &methods)
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
                    suggest(&name, &methods)
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
                    suggest(&name, &modules)
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
                suggest(&last, &traits)
            ),
        )
    })
}

/// `; did you mean `x`?` for the nearest candidate, if one is near enough.
fn suggest(name: &str, candidates: &[&str]) -> String {
    candidates
        .iter()
        .map(|c| (distance(name, c), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min()
        .map(|(_, c)| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
