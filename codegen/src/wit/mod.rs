//! The generator for the component model: a WIT world in, host-side Rust out.
//!
//! [`load`] reads a WIT package directory (with its `deps/`) through `wit-parser` and selects a
//! world; [`World::generate`] emits, for every interface the world imports and for the world's
//! own imported functions:
//!
//! - a Rust type for each of its types: records, variants and enums with wasmtime's
//!   `ComponentType`/`Lift`/`Lower` derives, flags with `wasmtime::component::flags!`, `option`,
//!   `result`, `list` and tuples as `Option`, `Result`, `Vec` and tuples, a resource as a type
//!   without values whose handles are `wasmtime::component::Resource<R>` (for `own` and
//!   `borrow` alike), `use`d types as aliases;
//! - a `Host` trait with one method per function (resource constructors `<resource>_new`,
//!   methods and statics `<resource>_<name>`), each with a default body that gives the
//!   function's default answer (the rule of its result type, under the host's
//!   `wasi_stubs::component::Policy`), and a `<resource>_drop` per resource; with
//!   `impl wasi_stubs::component::Interface for dyn Host`, which names the interface and what a
//!   host can override (by WIT name: `[resource-drop]<resource>`, then the functions), for the
//!   coverage `#[wasi_stubs(override(...))]` records;
//! - an `add_to_linker` that defines every function and resource in a
//!   `wasmtime::component::Linker` instance named as the WIT names it
//!   (`wasi:io/streams@0.2.12`), with exactly the WIT's types;
//!
//! and at the top, an `Imports` trait that every host implementing all the `Host` traits has,
//! with the `add_to_linker` that links the whole world.
//!
//! The code is ordinary Rust over wasmtime's own machinery (no `bindgen!` call), so that what a
//! host implements and what the linker defines can both be read in the output. It calls the
//! runtime by the path `wasi_stubs::component` and wasmtime by `wasmtime` (with its
//! `component-model` feature): a crate that includes it depends on both.
//!
//! ```no_run
//! let world = wasi_stubs_codegen::wit::load("wit", "wasi:cli/command")?;
//! std::fs::write("command.rs", world.generate_file()?)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod funcs;
mod names;
mod types;
pub mod vendored;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use wit_parser::{
    Docs, Function, InterfaceId, Resolve, TypeDefKind, TypeId, TypeOwner, WorldId, WorldItem,
    WorldKey,
};

/// Why a WIT world could not be loaded or generated. The message names the file, line and column
/// where it can (wit-parser's own errors as wit-parser renders them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl Error {
    fn new(message: impl Into<String>) -> Self {
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

/// A WIT world selected from a resolved set of packages: what [`World::generate`] works on.
#[derive(Debug, Clone)]
pub struct World {
    resolve: Resolve,
    world: WorldId,
}

/// Reads the WIT package in directory `dir` (and the packages of its `deps/`) and selects the
/// world `world`: a name of the package's own (`command`) or a full one (`wasi:cli/command`,
/// `wasi:cli/command@0.2.12`).
///
/// Errors name the file and place as wit-parser gives them (`world.wit:3:10: ...`).
///
/// Every file wit-parser would read (`dir/*.wit`, and in `dir/deps/` the `*.wit`, `*.wat` and
/// `*.wasm` files and the `*.wit` files of its folders) must be a regular file of at most
/// [`MAX_FILE_BYTES`]: a `zero.wit` that links to `/dev/zero` is refused rather than read until
/// memory runs out.
pub fn load(dir: impl AsRef<Path>, world: &str) -> Result<World, Error> {
    let dir = dir.as_ref();
    check_files(dir)?;
    let mut resolve = Resolve::default();
    let (package, _files) = resolve
        .push_dir(dir)
        .map_err(|e| Error::new(resolve.render_error(&e)))?;
    let world = resolve
        .select_world(&[package], Some(world))
        .map_err(|e| Error::new(format!("{}: {e:#}", dir.display())))?;
    Ok(World { resolve, world })
}

/// The most bytes of one file [`load`] lets wit-parser read: 16 MiB (the WASI 0.2 files have at
/// most 40 KiB).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Refuses what wit-parser would read in `dir` that is not a regular file of at most
/// [`MAX_FILE_BYTES`] (wit-parser reads each file whole, following links).
fn check_files(dir: &Path) -> Result<(), Error> {
    let io = |path: &Path, e: std::io::Error| Error::new(format!("{}: {e}", path.display()));
    let has_extension = |path: &Path, exts: &[&str]| {
        path.extension()
            .is_some_and(|e| exts.iter().any(|x| e == *x))
    };
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    let deps = dir.join("deps");
    if deps.is_dir() {
        for entry in std::fs::read_dir(&deps).map_err(|e| io(&deps, e))? {
            let path = entry.map_err(|e| io(&deps, e))?.path();
            if path.is_dir() {
                folders.push(path);
            } else if has_extension(&path, &["wit", "wat", "wasm"]) {
                files.push(path);
            }
        }
    }
    for folder in &folders {
        for entry in std::fs::read_dir(folder).map_err(|e| io(folder, e))? {
            let path = entry.map_err(|e| io(folder, e))?.path();
            if !path.is_dir() && has_extension(&path, &["wit"]) {
                files.push(path);
            }
        }
    }
    for path in files {
        let meta = std::fs::metadata(&path).map_err(|e| io(&path, e))?;
        if !meta.is_file() {
            return Err(Error::new(format!(
                "{}: not a regular file (WIT is read from files)",
                path.display()
            )));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(Error::new(format!(
                "{}: {} bytes, more than the {MAX_FILE_BYTES} a WIT file may have",
                path.display(),
                meta.len()
            )));
        }
    }
    Ok(())
}

impl World {
    /// The world `world` of `resolve`.
    pub fn new(resolve: Resolve, world: WorldId) -> Self {
        World { resolve, world }
    }

    /// The resolved packages.
    pub fn resolve(&self) -> &Resolve {
        &self.resolve
    }

    /// The world's id in [`resolve`](Self::resolve).
    pub fn id(&self) -> WorldId {
        self.world
    }

    /// The world's full name: `wasi:cli/command@0.2.12`.
    pub fn name(&self) -> String {
        world_name(&self.resolve, self.world)
    }

    /// The code for the world's imports (see the [module docs](self)).
    ///
    /// A world the generated code could not serve is refused with the place of the definition:
    /// `async` functions, `future`, `stream`, `error-context`, `map` and fixed-length list
    /// types, names that become the same Rust name, names the generated code uses itself
    /// (`Host`, `Result`, `Resource`, ...), and types nested deeper than [`MAX_TYPE_DEPTH`].
    pub fn generate(&self) -> Result<TokenStream, Error> {
        Generator::new(&self.resolve, self.world)?.generate()
    }

    /// [`generate`](Self::generate), formatted as a Rust file with a header saying it is
    /// generated.
    pub fn generate_file(&self) -> Result<String, Error> {
        pretty(self.generate()?, &self.name())
    }

    /// What [`generate`](Self::generate) links: per imported interface, its instance name, trait
    /// path, functions and resources.
    pub fn summary(&self) -> Result<Vec<Interface>, Error> {
        let generator = Generator::new(&self.resolve, self.world)?;
        generator
            .units
            .iter()
            .filter(|unit| unit.has_host())
            .map(|unit| unit.summary(&generator))
            .collect()
    }
}

/// One interface (or the world's own functions) as generated: see [`World::summary`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// The linker instance: `wasi:io/streams@0.2.12`; empty for the world's own functions,
    /// which are linked at the root.
    pub instance: String,
    /// The generated trait, relative to the generated code: `wasi::io::streams::Host`.
    pub trait_path: String,
    /// Per function, in WIT order: its WIT name (`[method]output-stream.write`) and its trait
    /// method (`output_stream_write`).
    pub functions: Vec<(String, String)>,
    /// The resources the interface defines, in WIT order.
    pub resources: Vec<String>,
    /// Per resource, in WIT order: the name the canonical ABI gives its destructor
    /// (`[resource-drop]output-stream`) and the trait method called then
    /// (`output_stream_drop`).
    pub drops: Vec<(String, String)>,
}

/// How deep types may nest (`list<list<...>>`, a record of a variant of ...), so that a
/// pathological WIT file cannot overflow the generator's stack. The WASI worlds nest 4 deep.
pub const MAX_TYPE_DEPTH: usize = 64;

/// Formats generated tokens as a Rust file, with a header naming the world.
pub fn pretty(tokens: TokenStream, world: &str) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| Error::new(format!("generated code does not parse: {e}")))?;
    let body = prettyplease::unparse(&file);
    Ok(format!(
        "// Generated by wasi-stubs-codegen from the WIT world `{world}`. Do not edit.\n\n{body}"
    ))
}

/// `ns:pkg/world@version`.
fn world_name(resolve: &Resolve, world: WorldId) -> String {
    let world = &resolve.worlds[world];
    match world.package.map(|p| &resolve.packages[p].name) {
        Some(package) => {
            let version = package
                .version
                .as_ref()
                .map(|v| format!("@{v}"))
                .unwrap_or_default();
            format!(
                "{}:{}/{}{version}",
                package.namespace, package.name, world.name
            )
        }
        None => world.name.clone(),
    }
}

/// What is generated in one Rust module: an imported interface, or the world itself (its own
/// types and functions, at the top).
struct Unit<'a> {
    /// The Rust module path from the top (`["wasi", "io", "streams"]`); empty for the world.
    path: Vec<Ident>,
    /// The linker instance (`wasi:io/streams@0.2.12`); `None` for the world, linked at the root.
    instance: Option<String>,
    /// How function names start in default answers: the instance, or the world's name.
    qualifier: String,
    docs: &'a Docs,
    /// The named types it defines or `use`s, in WIT order.
    types: Vec<TypeId>,
    /// The resources it defines (not those it `use`s), in WIT order.
    resources: Vec<TypeId>,
    functions: Vec<&'a Function>,
    /// Where it is imported, for errors about it as a whole.
    span: wit_parser::Span,
}

impl Unit<'_> {
    /// The qualifier without its version, as trace lines name functions: `wasi:io/streams`.
    fn unversioned(&self) -> &str {
        self.qualifier
            .split_once('@')
            .map_or(self.qualifier.as_str(), |(name, _)| name)
    }

    /// Whether the unit has a `Host` trait and an `add_to_linker`: it has functions or
    /// resources. An interface of types only needs nothing in the linker.
    fn has_host(&self) -> bool {
        !self.functions.is_empty() || !self.resources.is_empty()
    }

    fn summary(&self, generator: &Generator<'_>) -> Result<Interface, Error> {
        let mut trait_path: Vec<String> = self.path.iter().map(Ident::to_string).collect();
        trait_path.push("Host".to_string());
        Ok(Interface {
            instance: self.instance.clone().unwrap_or_default(),
            trait_path: trait_path.join("::"),
            functions: self
                .functions
                .iter()
                .map(|f| {
                    Ok((
                        f.name.clone(),
                        funcs::method_name(generator, f)?.to_string(),
                    ))
                })
                .collect::<Result<_, Error>>()?,
            resources: self
                .resources
                .iter()
                .map(|id| {
                    generator.resolve.types[*id]
                        .name
                        .clone()
                        .unwrap_or_default()
                })
                .collect(),
            drops: self
                .resources
                .iter()
                .map(|id| {
                    let name = generator.resolve.types[*id]
                        .name
                        .as_deref()
                        .unwrap_or_default();
                    (
                        format!("[resource-drop]{name}"),
                        funcs::drop_method(name).to_string(),
                    )
                })
                .collect(),
        })
    }
}

/// The generator's view of a world: its units and where each interface's module is.
struct Generator<'a> {
    resolve: &'a Resolve,
    world: WorldId,
    units: Vec<Unit<'a>>,
    /// The module path of every imported interface.
    modules: HashMap<InterfaceId, Vec<Ident>>,
    /// The error types of `result`s whose default answer names a case: they get `impl Cases`,
    /// beside their definition.
    error_types: Vec<TypeId>,
}

impl<'a> Generator<'a> {
    fn new(resolve: &'a Resolve, world: WorldId) -> Result<Self, Error> {
        let w = resolve
            .worlds
            .get(world)
            .ok_or_else(|| Error::new("the world is not in the resolved packages"))?;
        let mut root = Unit {
            path: Vec::new(),
            instance: None,
            qualifier: world_name(resolve, world),
            docs: &w.docs,
            types: Vec::new(),
            resources: Vec::new(),
            functions: Vec::new(),
            span: w.span,
        };
        let mut units = Vec::new();
        let mut modules = HashMap::new();
        for (key, item) in &w.imports {
            match item {
                WorldItem::Function(f) => root.functions.push(f),
                WorldItem::Type { id, .. } => {
                    root.types.push(*id);
                    if is_resource(resolve, *id) {
                        root.resources.push(*id);
                    }
                }
                WorldItem::Interface { id, span, .. } => {
                    let interface = resolve
                        .interfaces
                        .get(*id)
                        .ok_or_else(|| Error::new("an imported interface is not resolved"))?;
                    let (path, instance) = match key {
                        WorldKey::Name(name) => (vec![names::snake(name)], name.clone()),
                        WorldKey::Interface(_) => {
                            let package = interface
                                .package
                                .map(|p| &resolve.packages[p].name)
                                .ok_or_else(|| {
                                    Error::new(format!(
                                        "{}: an imported interface without a package",
                                        resolve.render_location(*span)
                                    ))
                                })?;
                            let name = interface.name.as_deref().unwrap_or_default();
                            let instance = resolve.id_of(*id).ok_or_else(|| {
                                Error::new(format!(
                                    "{}: an imported interface without a name",
                                    resolve.render_location(*span)
                                ))
                            })?;
                            (
                                vec![
                                    names::snake(&package.namespace),
                                    names::snake(&package.name),
                                    names::snake(name),
                                ],
                                instance,
                            )
                        }
                    };
                    let types: Vec<TypeId> = interface.types.values().copied().collect();
                    let resources = types
                        .iter()
                        .copied()
                        .filter(|t| is_resource(resolve, *t))
                        .collect();
                    modules.insert(*id, path.clone());
                    units.push(Unit {
                        path,
                        qualifier: instance.clone(),
                        instance: Some(instance),
                        docs: &interface.docs,
                        types,
                        resources,
                        functions: interface.functions.values().collect(),
                        // An import elaborated from another's `use` has no place of its own.
                        span: if span.is_known() {
                            *span
                        } else {
                            interface.span
                        },
                    });
                }
            }
        }
        check_module_paths(resolve, &units)?;
        units.insert(0, root);
        let mut generator = Generator {
            resolve,
            world,
            units,
            modules,
            error_types: Vec::new(),
        };
        generator.error_types = funcs::error_types(
            &generator,
            generator.units.iter().flat_map(|u| &u.functions).copied(),
        );
        Ok(generator)
    }

    /// Where `location` is, for an error: `file.wit:3:5`.
    fn at(&self, span: wit_parser::Span) -> String {
        self.resolve.render_location(span)
    }

    fn generate(&self) -> Result<TokenStream, Error> {
        let mut tree = Tree::default();
        for unit in &self.units {
            let items = self.unit(unit)?;
            tree.insert(&unit.path, unit, items);
        }
        let hosts: Vec<TokenStream> = self
            .units
            .iter()
            .filter(|u| u.has_host())
            .map(|u| {
                let path = &u.path;
                quote!(#(#path::)*Host)
            })
            .collect();
        let links = self.units.iter().filter(|u| u.has_host()).map(|u| {
            let path = &u.path;
            if path.is_empty() {
                quote!(add_functions_to_linker(linker, get)?;)
            } else {
                quote!(#(#path::)*add_to_linker(linker, get)?;)
            }
        });
        let full = world_name(self.resolve, self.world);
        let imports_doc = names::doc_lines(&format!(
            "Every import of the world `{full}`: implemented for every host that implements each \
             interface's `Host` trait (an empty `impl` keeps every default answer)."
        ));
        let link_doc = names::doc_lines(&format!(
            "Links every import of the world `{full}` into `linker`: each function and resource \
             of each imported interface, in an instance named as the WIT names it, answered by \
             the host that `get` finds in the store's data."
        ));
        let bound = if hosts.is_empty() {
            quote!(wasi_stubs::component::Defaults)
        } else {
            quote!(#(#hosts)+*)
        };
        let visit_doc = names::doc_lines(&format!(
            "Calls `visitor.visit::<dyn I>()` for the `Host` trait `I` of every import of the \
             world `{full}`, in the world's order, with what the host `H` overrides of each \
             (`wasi_stubs::component::NoOverrides` for a host that overrides nothing)."
        ));
        let top = quote! {
            #imports_doc
            pub trait Imports
            where
                Self: #bound,
            {
            }

            impl<H> Imports for H where H: ?Sized + #bound {}

            #visit_doc
            pub fn for_each_interface<H, V>(visitor: &mut V)
            where
                H: ?Sized #(+ wasi_stubs::component::Coverage<dyn #hosts>)*,
                V: wasi_stubs::component::InterfaceVisitor<H>,
            {
                #(visitor.visit::<dyn #hosts>();)*
            }

            #link_doc
            pub fn add_to_linker<T: 'static, H: Imports + 'static>(
                linker: &mut wasmtime::component::Linker<T>,
                get: impl Fn(&mut T) -> &mut H + Send + Sync + Copy + 'static,
            ) -> wasmtime::Result<()> {
                #(#links)*
                Ok(())
            }
        };
        let tree = tree.tokens(None);
        Ok(quote! {
            #top
            #tree
        })
    }

    /// The items of one unit: `use`s, types, trait and `add_to_linker`.
    fn unit(&self, unit: &Unit<'_>) -> Result<TokenStream, Error> {
        let mut scope = Scope::new(self, unit);
        let mut types = Vec::new();
        for &id in &unit.types {
            types.push(types::definition(&mut scope, id)?);
            if self.error_types.contains(&id) {
                types.push(funcs::error_cases(&mut scope, id)?);
            }
        }
        let host = if unit.has_host() {
            funcs::host(&mut scope)?
        } else {
            TokenStream::new()
        };
        let name = unit.instance.as_ref().map(|instance| {
            let doc = names::doc_lines(&format!(
                "The interface's name, as the linker names its instance: `{instance}`."
            ));
            quote!(#doc pub const NAME: &str = #instance;)
        });
        let uses = scope.uses();
        scope.check_names()?;
        Ok(quote! {
            #uses
            #name
            #(#types)*
            #host
        })
    }
}

/// Whether `id` is a resource definition (not an alias of one).
fn is_resource(resolve: &Resolve, id: TypeId) -> bool {
    matches!(resolve.types[id].kind, TypeDefKind::Resource)
}

/// Refuses two imports that would be one Rust module, or a module inside another's: two versions
/// of one interface (`wasi:io/streams@0.2.0` and `@0.2.12`), or an import named `wasi` beside
/// the `wasi:` packages.
fn check_module_paths(resolve: &Resolve, units: &[Unit<'_>]) -> Result<(), Error> {
    for (i, a) in units.iter().enumerate() {
        for b in &units[..i] {
            let (short, long) = if a.path.len() <= b.path.len() {
                (a, b)
            } else {
                (b, a)
            };
            if long.path.starts_with(&short.path) {
                let path: Vec<String> = a.path.iter().map(Ident::to_string).collect();
                return Err(Error::new(format!(
                    "{}: the import `{}` would be generated in the Rust module `{}`, which the \
                     import `{}` needs too (at {})",
                    resolve.render_location(a.span),
                    a.qualifier,
                    path.join("::"),
                    b.qualifier,
                    resolve.render_location(b.span),
                )));
            }
        }
    }
    Ok(())
}

/// The Rust modules of the generated code: a namespace and package module around each interface's.
#[derive(Default)]
struct Tree {
    items: TokenStream,
    children: Vec<(Ident, TokenStream, Tree)>,
}

impl Tree {
    /// Puts `items` at `path`, with the unit's docs on its module and docs naming the namespace
    /// and package on the modules around it.
    fn insert(&mut self, path: &[Ident], unit: &Unit<'_>, items: TokenStream) {
        match path {
            [] => self.items.extend(items),
            [last] => {
                let mut docs = names::docs(unit.docs);
                if docs.is_empty() {
                    let instance = unit.instance.as_deref().unwrap_or_default();
                    docs = names::doc_lines(&format!("The interface `{instance}`."));
                }
                self.children.push((
                    last.clone(),
                    docs,
                    Tree {
                        items,
                        children: Vec::new(),
                    },
                ));
            }
            [first, rest @ ..] => {
                let index = match self.children.iter().position(|(name, ..)| name == first) {
                    Some(index) => index,
                    None => {
                        let instance = unit.instance.as_deref().unwrap_or_default();
                        let depth = path.len();
                        // `wasi:io/streams@0.2.12`: the namespace is before the `:`, the
                        // package before the `/`.
                        let what = if depth == 3 {
                            let namespace = instance.split(':').next().unwrap_or_default();
                            format!("The interfaces of the `{namespace}:` packages.")
                        } else {
                            let package = instance.split('/').next().unwrap_or_default();
                            let version = instance
                                .split_once('@')
                                .map(|(_, v)| format!("@{v}"))
                                .unwrap_or_default();
                            format!("The interfaces of the package `{package}{version}`.")
                        };
                        self.children.push((
                            first.clone(),
                            names::doc_lines(&what),
                            Tree::default(),
                        ));
                        self.children.len() - 1
                    }
                };
                self.children[index].2.insert(rest, unit, items);
            }
        }
    }
}

impl Tree {
    /// The items and modules, in the module `parent` (`None` at the top).
    fn tokens(&self, parent: Option<&Ident>) -> TokenStream {
        let mut tokens = self.items.clone();
        for (name, docs, tree) in &self.children {
            // `wasi::random::random`: the WIT's names, kept.
            let inception =
                (parent == Some(name)).then(|| quote!(#[allow(clippy::module_inception)]));
            let inner = tree.tokens(Some(name));
            tokens.extend(quote! {
                #docs
                #inception
                pub mod #name {
                    #inner
                }
            });
        }
        tokens
    }
}

/// Generating one unit: the module it is in, and what its items use and define.
struct Scope<'g, 'a> {
    generator: &'g Generator<'a>,
    unit: &'g Unit<'a>,
    /// Whether an item names `Resource`, and derives `ComponentType`/`Lift`/`Lower`.
    uses_resource: bool,
    uses_derives: bool,
    /// The Rust names of the module's items, with where each comes from, to refuse a clash.
    items: Vec<(String, String)>,
}

impl<'g, 'a> Scope<'g, 'a> {
    fn new(generator: &'g Generator<'a>, unit: &'g Unit<'a>) -> Self {
        Scope {
            generator,
            unit,
            uses_resource: false,
            uses_derives: false,
            items: Vec::new(),
        }
    }

    fn resolve(&self) -> &'a Resolve {
        self.generator.resolve
    }

    /// Records the item `name` defined at `at`.
    fn define(&mut self, name: &Ident, at: String) {
        self.items.push((name.to_string(), at));
    }

    /// The `use`s the unit's items need.
    fn uses(&self) -> TokenStream {
        let mut names = Vec::new();
        if self.uses_derives {
            names.extend([quote!(ComponentType), quote!(Lift), quote!(Lower)]);
        }
        if self.uses_resource {
            names.push(quote!(Resource));
        }
        match names.as_slice() {
            [] => TokenStream::new(),
            [one] => quote!(use wasmtime::component::#one;),
            _ => quote!(use wasmtime::component::{#(#names),*};),
        }
    }

    /// Refuses two items of one name, or an item named as something the generated code uses.
    fn check_names(&self) -> Result<(), Error> {
        const RESERVED: &[&str] = &[
            "Host",
            "Imports",
            "NAME",
            "Result",
            "Option",
            "Vec",
            "String",
            "Box",
            "Ok",
            "Err",
            "Some",
            "None",
            "Resource",
            "ComponentType",
            "Lift",
            "Lower",
        ];
        for (i, (name, at)) in self.items.iter().enumerate() {
            if RESERVED.contains(&name.as_str()) {
                return Err(Error::new(format!(
                    "{at}: the Rust name `{name}` is one the generated code uses itself"
                )));
            }
            if let Some((_, first)) = self.items[..i].iter().find(|(n, _)| n == name) {
                return Err(Error::new(format!(
                    "{at}: the Rust name `{name}` is already the name of the item at {first}"
                )));
            }
        }
        Ok(())
    }

    /// The path from this unit's module to the named type `id`.
    fn path_to(&self, id: TypeId) -> Result<TokenStream, Error> {
        let def = &self.resolve().types[id];
        let name = names::camel(def.name.as_deref().unwrap_or_default());
        let target: &[Ident] = match def.owner {
            TypeOwner::World(_) => &[],
            TypeOwner::Interface(interface) => {
                self.generator.modules.get(&interface).ok_or_else(|| {
                    Error::new(format!(
                        "{}: the type `{}` belongs to an interface the world does not import",
                        self.generator.at(def.span),
                        def.name.as_deref().unwrap_or_default()
                    ))
                })?
            }
            TypeOwner::None => {
                return Err(Error::new(format!(
                    "{}: a named type without an owner",
                    self.generator.at(def.span)
                )));
            }
        };
        let here = &self.unit.path;
        let common = here.iter().zip(target).take_while(|(a, b)| a == b).count();
        let up = (common..here.len()).map(|_| quote!(super::));
        let down = &target[common..];
        Ok(quote!(#(#up)* #(#down::)* #name))
    }
}
