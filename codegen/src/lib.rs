//! The wasi-stubs generator: a witx document in, Rust tokens out.
//!
//! For every typename of the document it emits a Rust type with its guest-memory layout (taken
//! from witx) and checked reading and writing; for every module, a trait with one method per
//! function whose default body answers "not implemented" (`ENOSYS` under the default policy), an
//! `add_to_linker` that links every function into a `wasmtime::Linker` with the core wasm
//! signature of the witx ABI, and a table of those signatures.
//!
//! The generated code calls the runtime in the `wasi-stubs` crate by the path `::wasi_stubs`. It
//! holds no `unsafe` and knows nothing of WASI that the document does not say.
//!
//! ```no_run
//! let code = wasi_stubs_codegen::generate_file(&["witx/preview1/wasi_snapshot_preview1.witx"])?;
//! std::fs::write("preview1.rs", code)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod funcs;
mod names;
pub mod polyfill;
mod types;

use std::fmt;
use std::path::Path;

use proc_macro2::TokenStream;
use quote::quote;

pub use witx;

/// Why a document could not be loaded or generated; the message names the file and place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl Error {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Loads and validates a witx document from `paths` (their `use` directives are followed).
///
/// The error names the file, line and column (`file.witx:2:31: Unknown name `nope``) and quotes
/// the source line.
pub fn load(paths: &[impl AsRef<Path>]) -> Result<witx::Document, Error> {
    witx::load(paths).map_err(|e| Error::new(describe(&e, paths)))
}

fn describe(e: &witx::WitxError, paths: &[impl AsRef<Path>]) -> String {
    use witx::ValidationError as V;
    match e {
        witx::WitxError::Validation(v) => {
            let at = match v {
                V::UnknownName { location, .. }
                | V::WrongKindName { location, .. }
                | V::Recursive { location, .. }
                | V::InvalidRepr { location, .. }
                | V::Abi { location, .. }
                | V::AnonymousRecord { location, .. }
                | V::UnionSizeMismatch { location, .. }
                | V::InvalidUnionField { location, .. }
                | V::InvalidUnionTag { location, .. } => location,
                V::NameAlreadyExists { at_location, .. } => at_location,
            };
            format!(
                "{}:{}:{}: {v}\n{}",
                at.path.display(),
                at.line,
                at.column,
                v.report()
            )
        }
        witx::WitxError::Parse(p) => {
            // wast's message carries `--> file:line:column` and the source line.
            format!("invalid witx: {p}")
        }
        witx::WitxError::Io(path, io) => {
            let from = paths
                .iter()
                .map(|p| p.as_ref().display().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            format!("{}: {io} (loading {from})", path.display())
        }
    }
}

/// Generates the Rust code for `doc`: types, and per module a trait, `add_to_linker` and the
/// function table. A document with a single module also re-exports that module's items at the
/// top, so that its `add_to_linker` sits beside its types.
pub fn generate(doc: &witx::Document) -> Result<TokenStream, Error> {
    generate_document(doc, None)
}

/// Like [`generate`], and also, in each module, a `polyfill` submodule whose `add_to_linker`
/// serves the module from a host of `target`'s trait (see [`polyfill`]).
pub fn generate_with_polyfill(
    doc: &witx::Document,
    target: &polyfill::Target<'_>,
) -> Result<TokenStream, Error> {
    generate_document(doc, Some(target))
}

fn generate_document(
    doc: &witx::Document,
    target: Option<&polyfill::Target<'_>>,
) -> Result<TokenStream, Error> {
    let types = types::generate(doc)?;
    let modules = doc
        .modules()
        .map(|module| funcs::generate(&module, target))
        .collect::<Result<Vec<_>, _>>()?;
    let reexport = match doc.modules().collect::<Vec<_>>().as_slice() {
        [only] => {
            let name = names::module(&only.name);
            quote!(pub use self::#name::*;)
        }
        _ => quote!(),
    };
    Ok(quote! {
        #types
        #(#modules)*
        #reexport
    })
}

/// Formats generated tokens as a Rust source file, with a header saying it is generated.
pub fn pretty(tokens: TokenStream) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| Error::new(format!("generated code does not parse: {e}")))?;
    let body = prettyplease::unparse(&file);
    Ok(format!(
        "// Generated by wasi-stubs-codegen from a witx document. Do not edit.\n\n{body}"
    ))
}

/// Loads the document at `paths`, generates its code and formats it.
pub fn generate_file(paths: &[impl AsRef<Path>]) -> Result<String, Error> {
    pretty(generate(&load(paths)?)?)
}

/// The Rust-side names of one witx module: what a macro needs to check a host against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleNames {
    /// The import module name (`wasi_snapshot_preview1`).
    pub module: String,
    /// The generated trait (`WasiSnapshotPreview1`).
    pub trait_name: String,
    /// Per function, in document order: its witx name and the trait method's name.
    pub functions: Vec<(String, String)>,
}

/// The names of every module of `doc`, as [`generate`] gives them to Rust items.
pub fn module_names(doc: &witx::Document) -> Vec<ModuleNames> {
    doc.modules()
        .map(|m| ModuleNames {
            module: m.name.as_str().to_string(),
            trait_name: names::trait_name(&m.name).to_string(),
            functions: m
                .funcs()
                .map(|f| {
                    (
                        f.name.as_str().to_string(),
                        names::plain(&names::snake(&f.name)),
                    )
                })
                .collect(),
        })
        .collect()
}
