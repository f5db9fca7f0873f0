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

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod check;
mod funcs;
mod names;
pub mod polyfill;
mod source;
mod types;
pub mod vendored;

use std::fmt;
use std::path::Path;

use proc_macro2::TokenStream;
use quote::quote;

pub use witx;

/// The deepest a witx file may nest parentheses (strings and comments aside), and the longest
/// chain of files `use`ing each other. The `witx` crate parses with recursion, and so do `syn`
/// and `prettyplease` formatting the generated types (a list of lists is a `GuestArray` of
/// `GuestArray`s): a text nested 2,000 deep overflows any stack, and at this limit generating
/// still fits in the 2 MiB stack of a thread (a test's) in a debug build. The WASI documents nest
/// 5 deep.
pub const MAX_NESTING: usize = 50;

/// The most bytes [`load`] reads of one witx file: 16 MiB (the WASI files have 22 KiB).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// The most declarations (typenames, modules, constants) a document may have, all its files
/// together: a chain of typenames each naming the one before is as deep in the `witx` crate's
/// data as it is long, and dropping it recurses as deep (preview1 has 48 declarations).
pub const MAX_DECLARATIONS: usize = 10_000;

/// The `witx` crate finds the line and column of every name it reads (a `$id` or a string) by
/// going through the file from its start to the end of the name's line, so reading a file takes
/// time in proportion to its names times its size. A file may cost at most this much, counting
/// for each name 16 for each line before it and 1 for every 16 bytes up to the end of its line
/// (each WASI file costs about 2 million; one that costs the most takes about 2 s to read in a
/// debug build).
pub const MAX_LOCATE_COST: u64 = 1_000_000_000;

/// The most parts the types of a document may have when every type name in them is replaced by
/// its definition, all typenames together. Computing a layout takes time in proportion to it (or
/// worse: the `witx` crate's hashes whole types), and a document can make it exponential in its
/// size: `(typename $t2 (variant (case $a $t1) (case $b $t1)))` doubles `$t1`. Preview1's
/// types have 291 parts.
pub const MAX_TYPE_PARTS: usize = 100_000;

/// Why a document could not be loaded or generated; the message names the file and place.
///
/// An error of [`generate`] about a definition of the document (two names that become the same
/// Rust name, an enum with more cases than its tag holds, ...) names the definition; the
/// `witx` crate's document does not keep where definitions are written, so [`Error::locate`]
/// finds the place in the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
    /// The definition the message is about.
    at: Option<Box<source::Def>>,
    /// An earlier definition the message names (the first of two that collide).
    first: Option<Box<source::Def>>,
}

impl Error {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            at: None,
            first: None,
        }
    }

    /// An error about the definition `at`.
    pub(crate) fn at(at: source::Def, message: impl Into<String>) -> Self {
        Error {
            at: Some(Box::new(at)),
            ..Error::new(message)
        }
    }

    /// The same error, also naming the earlier definition `first`.
    pub(crate) fn with_first(mut self, first: source::Def) -> Self {
        self.first = Some(Box::new(first));
        self
    }

    /// The same error with the place of the definition it is about put first
    /// (`file.witx:3:12: ...`), and the place of an earlier definition it names added, found in the
    /// files of the document `paths` (as given to [`load`]). When the definition is not found,
    /// the message starts with the files instead. An error that is not about a definition is
    /// returned as it is.
    #[must_use]
    pub fn locate(self, paths: &[impl AsRef<Path>]) -> Self {
        let Some(at) = &self.at else {
            return self;
        };
        // What cannot be read now was read when the document was loaded; then nothing is found.
        let sources = source::read_document(paths).unwrap_or_default();
        let place = at.locate(&sources).unwrap_or_else(|| {
            paths
                .iter()
                .map(|p| p.as_ref().display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        });
        let mut message = format!("{place}: {}", self.message);
        if let Some(first) = self.first.as_ref().and_then(|f| f.locate(&sources)) {
            message.push_str(&format!(" (at {first})"));
        }
        Error::new(message)
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
///
/// Before the `witx` crate parses anything, every file of the document is read (at most
/// [`MAX_FILE_BYTES`] of each, so that a `(use "/dev/zero")` is refused rather than read until
/// memory runs out) and checked against [`MAX_NESTING`], [`MAX_DECLARATIONS`] and
/// [`MAX_LOCATE_COST`]: a document
/// beyond them is refused (`file.witx:1:201: parentheses nested deeper than 50, ...`) rather
/// than crashing the process with a stack overflow.
pub fn load(paths: &[impl AsRef<Path>]) -> Result<witx::Document, Error> {
    source::read_document(paths)?;
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
///
/// A document the generated code could not compile for is refused, naming the definition (use
/// [`Error::locate`] for its place): two names that become the same Rust name (typenames, a
/// typename and a module's trait, enum cases, flags, record fields, functions, parameters,
/// constants), a name the generated code needs for itself (`T`, `H`, `Send`, ...), an enum or
/// union with more cases than its tag type holds (or none), flags beyond their representation,
/// an empty tuple, a constant its type cannot hold, or types beyond [`MAX_TYPE_PARTS`].
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
    check::document(doc)?;
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

/// Loads the document at `paths`, generates its code and formats it; errors name the place.
pub fn generate_file(paths: &[impl AsRef<Path>]) -> Result<String, Error> {
    pretty(generate(&load(paths)?).map_err(|e| e.locate(paths))?)
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
