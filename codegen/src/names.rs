//! Rust names for witx names, and doc comments.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// A type name: `ciovec_array` → `CiovecArray`.
pub fn type_name(id: &witx::Id) -> Ident {
    camel(id.as_str(), "T")
}

/// An enum or union case: `2big` of `errno` → `E2big` (a name may not start with a digit, so it
/// takes the first letter of its type).
pub fn case(ty: &witx::Id, id: &witx::Id) -> Ident {
    let prefix = ty.as_str()[..1].to_uppercase();
    camel(id.as_str(), &prefix)
}

/// A flag constant: `fd_datasync` → `FD_DATASYNC`.
pub fn flag(ty: &witx::Id, id: &witx::Id) -> Ident {
    let prefix = ty.as_str()[..1].to_uppercase();
    ident(&prefixed(&id.as_str().to_shouty_snake_case(), &prefix))
}

/// A field, parameter or function: `fs_rights_base` stays, keywords become raw identifiers.
pub fn snake(id: &witx::Id) -> Ident {
    ident(&prefixed(&id.as_str().to_snake_case(), "_"))
}

/// An identifier as written in text, without the `r#` of a raw identifier: `r#type` → `type`.
pub fn plain(ident: &Ident) -> String {
    let name = ident.to_string();
    match name.strip_prefix("r#") {
        Some(plain) => plain.to_string(),
        None => name,
    }
}

/// The trait of a module: `wasi_snapshot_preview1` → `WasiSnapshotPreview1`.
pub fn trait_name(id: &witx::Id) -> Ident {
    camel(id.as_str(), "M")
}

/// The async form of a module's trait: `wasi_snapshot_preview1` → `WasiSnapshotPreview1Async`.
pub fn async_trait_name(id: &witx::Id) -> Ident {
    quote::format_ident!("{}Async", trait_name(id))
}

/// The Rust module holding a witx module's trait and glue.
pub fn module(id: &witx::Id) -> Ident {
    snake(id)
}

fn camel(name: &str, prefix: &str) -> Ident {
    ident(&prefixed(&name.to_upper_camel_case(), prefix))
}

fn prefixed(name: &str, prefix: &str) -> String {
    if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        format!("{prefix}{name}")
    } else {
        name.to_string()
    }
}

/// The prefix of a constant of a plain integer type, from its type's name: `size` → `SIZE` (as
/// `SIZE_PAGE`); what cannot be in a Rust identifier becomes `_`.
pub fn const_prefix(ty: &witx::Id) -> String {
    let upper: String = ty
        .as_str()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    prefixed(&upper, "_")
}

fn ident(name: &str) -> Ident {
    match name {
        "self" | "Self" | "super" | "crate" | "_" => {
            Ident::new(&format!("{name}_"), Span::call_site())
        }
        // Reserved in the 2024 edition, which `syn`'s list of keywords does not have.
        "gen" => Ident::new_raw(name, Span::call_site()),
        _ if syn::parse_str::<Ident>(name).is_ok() => Ident::new(name, Span::call_site()),
        _ if syn::parse_str::<Ident>(&format!("r#{name}")).is_ok() => {
            Ident::new_raw(name, Span::call_site())
        }
        // A character Rust does not take in identifiers (`x²`: heck keeps what is alphanumeric,
        // Rust takes what Unicode calls identifier characters) becomes `_`.
        _ => {
            let valid = |s: &str| syn::parse_str::<Ident>(s).is_ok();
            let mut fixed: String = name
                .chars()
                .map(|c| if valid(&format!("a{c}")) { c } else { '_' })
                .collect();
            if !fixed.starts_with(|c: char| valid(&format!("{c}a"))) {
                fixed.insert(0, '_');
            }
            ident(&fixed)
        }
    }
}

/// `#[doc]` attributes carrying witx documentation, or `fallback` for an item the document does
/// not document (every public item of the generated code has documentation).
pub fn docs_or(docs: &str, fallback: impl FnOnce() -> String) -> TokenStream {
    if docs.trim().is_empty() {
        self::docs(&fallback())
    } else {
        self::docs(docs)
    }
}

/// `#[doc]` attributes carrying witx documentation.
pub fn docs(docs: &str) -> TokenStream {
    let lines = docs.trim_end().lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}
