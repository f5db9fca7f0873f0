//! The entry point: [`Generator`], a document in and Rust code out, and [`Polyfill`], the newer
//! document an older module may be served from.

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;

use crate::{Error, emit, load, pretty};

/// Generates the Rust code of one witx document: given as loaded ([`document`](Self::document))
/// or as the files to load ([`witx`](Self::witx)), optionally with a [`polyfill`](Self::polyfill),
/// as tokens ([`generate`](Self::generate)), a formatted file ([`generate_string`](Self::generate_string))
/// or written out ([`write_to`](Self::write_to)).
///
/// The code has the document's types, and per module a trait, `add_to_linker` and the function
/// table; it calls the runtime in the `wasi-stubs` crate by the path `::wasi_stubs`.
///
/// ```
/// use wasi_stubs_codegen::{Generator, vendored};
///
/// let dir = std::env::temp_dir().join("wasi-stubs-codegen-doc-generator");
/// let preview1 = vendored::PREVIEW1.load(&dir)?;
/// let code = Generator::document(&preview1).generate_string()?;
/// assert!(code.contains("pub trait WasiSnapshotPreview1"));
/// assert!(code.contains("pub fn add_to_linker"));
/// # Ok::<(), wasi_stubs_codegen::Error>(())
/// ```
///
/// In a build script, from files of the package:
///
/// ```no_run
/// use wasi_stubs_codegen::Generator;
///
/// let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
/// Generator::witx(["witx/my_module.witx"]).write_to(out.join("my_module.rs"))?;
/// # Ok::<(), wasi_stubs_codegen::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Generator<'a> {
    input: Input<'a>,
    polyfill: Option<Polyfill<'a>>,
    asynchronous: Option<AsyncFunctions>,
}

/// Which functions the async form of a module's trait has as `async` (see
/// [`Generator::async_functions`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AsyncFunctions {
    /// Every function of every module.
    All,
    /// These, by witx name; the others stay synchronous.
    Only(Vec<String>),
}

impl AsyncFunctions {
    /// Whether the function `name` (a witx name) is async.
    pub(crate) fn contains(&self, name: &str) -> bool {
        match self {
            AsyncFunctions::All => true,
            AsyncFunctions::Only(names) => names.iter().any(|n| n == name),
        }
    }
}

#[derive(Debug, Clone)]
enum Input<'a> {
    Document(&'a witx::Document),
    /// Loaded by [`load`] when generating; errors then name the place in these files.
    Witx(Vec<PathBuf>),
}

/// The newer document an older module is served from, for [`Generator::polyfill`]
/// (`wasi_unstable` from a `wasi_snapshot_preview1` host).
///
/// Everything is decided from the two documents. Functions are matched by name and parameters
/// by name (witx's polyfill analysis). A parameter or result whose types are representationally
/// equal is forwarded as it is; one whose types differ is converted by a generated `Polyfill`
/// impl that pairs enum cases, flags, record fields and union cases *by name* (never by
/// position: that is how a seek from the start would become a seek from the end), drops what
/// the target lacks where that is safe (a result flag, a parameter field), and narrows integers
/// with a check (`EOVERFLOW` rather than truncation). A pointer or list whose element types
/// differ cannot be forwarded, since the host would read the guest's memory with the wrong
/// layout: such a function is delegated to a hand-written function of the same name under
/// [`manual`](Self::manual).
#[derive(Debug, Clone)]
pub struct Polyfill<'a> {
    /// The newer document; its module is the one with the same functions (its only module, or
    /// the one of the same name).
    pub doc: &'a witx::Document,
    /// Where the newer document's generated code lives (`crate::preview1`).
    pub path: TokenStream,
    /// Where the older document's generated code lives (`crate::preview0`).
    pub old_path: TokenStream,
    /// Where hand-written functions for what cannot be derived live (`crate::polyfill`).
    pub manual: TokenStream,
}

impl<'a> Generator<'a> {
    /// Generates `doc`, a document already [`load`]ed. Its errors name the definition they are
    /// about; [`Error::locate`] finds its place in the files.
    pub fn document(doc: &'a witx::Document) -> Self {
        Generator {
            input: Input::Document(doc),
            polyfill: None,
            asynchronous: None,
        }
    }

    /// Generates the document at `paths` (their `use` directives are followed), [`load`]ed when
    /// generating. Every error names its place in the files (`file.witx:3:12: ...`).
    pub fn witx<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) -> Self {
        Generator {
            input: Input::Witx(
                paths
                    .into_iter()
                    .map(|p| p.as_ref().to_path_buf())
                    .collect(),
            ),
            polyfill: None,
            asynchronous: None,
        }
    }

    /// Also generates, in each module, a `polyfill` submodule whose `add_to_linker` serves the
    /// module from a host of `target`'s trait.
    ///
    /// ```
    /// use quote::quote;
    /// use wasi_stubs_codegen::{Generator, Polyfill, vendored};
    ///
    /// let dir = std::env::temp_dir().join("wasi-stubs-codegen-doc-polyfill");
    /// let preview1 = vendored::PREVIEW1.load(&dir)?;
    /// let preview0 = vendored::PREVIEW0.load(&dir)?;
    /// let code = Generator::document(&preview0)
    ///     .polyfill(Polyfill {
    ///         doc: &preview1,
    ///         path: quote!(crate::preview1),
    ///         old_path: quote!(crate::preview0),
    ///         manual: quote!(crate::polyfill),
    ///     })
    ///     .generate_string()?;
    /// assert!(code.contains("pub mod polyfill"));
    /// # Ok::<(), wasi_stubs_codegen::Error>(())
    /// ```
    #[must_use]
    pub fn polyfill(mut self, target: Polyfill<'a>) -> Self {
        self.polyfill = Some(target);
        self
    }

    /// Also generates, in each module, the async form of its trait and glue for hosts on an async
    /// wasmtime store: a trait named like the module's with `Async` after it
    /// (`WasiSnapshotPreview1Async`) whose methods for the functions named here (witx names)
    /// return `impl Future<Output = ...> + Send`, so that a host writes them as `async fn`, while
    /// the others keep their synchronous signature; every method keeps its default answer. Its
    /// `add_to_linker_async` links the async functions with `Linker::func_wrap_async` and the
    /// others with `Linker::func_wrap`, as `add_to_linker` does. With a
    /// [`polyfill`](Self::polyfill), the polyfill gets an `add_to_linker_async` too, serving the
    /// module from a host of the target's async trait: the target must be generated with the
    /// same functions async (those it has), and a hand-written function gets a second one named
    /// with `_async` after it, taking a host of the target's async trait.
    ///
    /// A name that is not a function of the document is an error of [`generate`](Self::generate),
    /// with the nearest function as "did you mean". [`all_async`](Self::all_async) makes every
    /// function async.
    ///
    /// ```
    /// use wasi_stubs_codegen::{Generator, vendored};
    ///
    /// let dir = std::env::temp_dir().join("wasi-stubs-codegen-doc-async");
    /// let preview1 = vendored::PREVIEW1.load(&dir)?;
    /// let code = Generator::document(&preview1)
    ///     .async_functions(["poll_oneoff", "fd_write"])
    ///     .generate_string()?;
    /// assert!(code.contains("pub trait WasiSnapshotPreview1Async"));
    /// assert!(code.contains("pub fn add_to_linker_async"));
    ///
    /// let typo = Generator::document(&preview1).async_functions(["fd_wrte"]).generate();
    /// assert!(typo.unwrap_err().to_string().contains("did you mean `fd_write`?"));
    /// # Ok::<(), wasi_stubs_codegen::Error>(())
    /// ```
    #[must_use]
    pub fn async_functions<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.asynchronous = Some(AsyncFunctions::Only(
            names.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// Also generates the async form of each module's trait and glue (see
    /// [`async_functions`](Self::async_functions)) with every function async.
    #[must_use]
    pub fn all_async(mut self) -> Self {
        self.asynchronous = Some(AsyncFunctions::All);
        self
    }

    /// The code, as tokens. A document with a single module also re-exports that module's items
    /// at the top, so that its `add_to_linker` sits beside its types.
    ///
    /// A document the generated code could not compile for is refused, naming the definition: two
    /// names that become the same Rust name (typenames, a typename and a module's trait, enum
    /// cases, flags, record fields, functions, parameters, constants), a name the generated code
    /// needs for itself (`T`, `H`, `Send`, ...), an enum or union with more cases than its tag
    /// type holds (or none), flags beyond their representation, an empty tuple, a constant its
    /// type cannot hold, or types beyond [`MAX_TYPE_PARTS`](crate::MAX_TYPE_PARTS).
    pub fn generate(&self) -> Result<TokenStream, Error> {
        let polyfill = self.polyfill.as_ref();
        let asynchronous = self.asynchronous.as_ref();
        match &self.input {
            Input::Document(doc) => emit::document(doc, polyfill, asynchronous),
            Input::Witx(paths) => {
                emit::document(&load(paths)?, polyfill, asynchronous).map_err(|e| e.locate(paths))
            }
        }
    }

    /// The code formatted as a Rust source file ([`pretty`]).
    pub fn generate_string(&self) -> Result<String, Error> {
        pretty(self.generate()?)
    }

    /// Writes the formatted code ([`generate_string`](Self::generate_string)) to the file at
    /// `path`, replacing it.
    pub fn write_to(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let code = self.generate_string()?;
        std::fs::write(path, code).map_err(|e| Error::new(format!("write {}: {e}", path.display())))
    }
}
