//! Running a component: a command (`wasi:cli/run@0.2.x#run`, to its exit code), or any component
//! instantiated and its exports called, under the same [`Limits`] as a module and with the same
//! [`RunError`]s.
//!
//! ```no_run
//! use wasi_stubs::host::MinimalComponentHost;
//! use wasi_stubs::lifecycle::Limits;
//! use wasi_stubs::lifecycle::component::ComponentGuest;
//!
//! # fn main() -> wasmtime::Result<()> {
//! let limits = Limits::default().timeout(std::time::Duration::from_secs(5));
//! let engine = wasi_stubs::lifecycle::engine(&limits)?;
//! let guest = ComponentGuest::from_file(&engine, "guest.wasm")?;
//! let linker = guest.linker::<MinimalComponentHost>()?;
//! let exited = guest.run(&linker, MinimalComponentHost::default(), &limits)?;
//! println!("exit code {}", exited.code);
//! # Ok(()) }
//! ```
//!
//! What [`Limits`] means for a component: the timeout, fuel, `max_memory` and
//! `max_table_elements` as for a module (the store's limits count every core memory and table
//! of the component's instances), and `trap_unknown_imports` defines the imports nobody defines
//! as traps; without it, an import nobody defines is [`RunError::MissingImports`] (naming the
//! first one, `interface#function`) and one of another type [`RunError::Link`]. The policy of the functions a host does not implement is the host's own
//! ([`crate::component::Defaults::policy`]), not [`Limits::policy`], which is preview1's; and
//! [`Limits::trace`] sets the host's own switch
//! ([`crate::component::Defaults::set_tracing`]), as it sets the context's for a module.

use std::path::Path;

use wasmtime::component::{
    Component, ComponentExportIndex, ComponentNamedList, Instance, Lift, Linker, Lower, Val,
};
use wasmtime::{Engine, Store, Trap};

use super::{Budget, Exited, Kind, Limits, RunError, limited};
use crate::component::Defaults;
use crate::{Ctx, Exit, p2};

/// A linker with every import of `wasi:cli/command` (WASI 0.2, any 0.2.x version the guest
/// names), answered by the host `H` of a store holding a `Ctx<H>`: what
/// [`ComponentGuest::linker`] gives.
pub fn linker<H: p2::Imports + 'static>(engine: &Engine) -> wasmtime::Result<Linker<Ctx<H>>> {
    let mut linker = Linker::new(engine);
    p2::add_to_linker(&mut linker, |ctx: &mut Ctx<H>| ctx.host_mut())?;
    Ok(linker)
}

/// A compiled component, and its `wasi:cli/run` if it is a command.
#[derive(Clone)]
pub struct ComponentGuest {
    component: Component,
    run: Option<ComponentExportIndex>,
}

impl std::fmt::Debug for ComponentGuest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComponentGuest")
            .field("command", &self.run.is_some())
            .finish_non_exhaustive()
    }
}

impl ComponentGuest {
    /// Compiles `wasm` (a component's binary, or its text with wasmtime's `wat` feature).
    pub fn new(engine: &Engine, wasm: impl AsRef<[u8]>) -> Result<Self, RunError> {
        let component = Component::new(engine, wasm).map_err(RunError::Compile)?;
        Ok(ComponentGuest::from_component(component))
    }

    /// Reads and compiles the component at `path`.
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Self, RunError> {
        let component = Component::from_file(engine, path).map_err(RunError::Compile)?;
        Ok(ComponentGuest::from_component(component))
    }

    /// An already compiled component. It is a command when it exports `run` from an instance
    /// `wasi:cli/run@0.2.x` (the version the guest was built against).
    pub fn from_component(component: Component) -> Self {
        let engine = component.engine().clone();
        let interface = component
            .component_type()
            .exports(&engine)
            .map(|(name, _)| name.to_string())
            .find(|name| name.starts_with("wasi:cli/run@0.2."));
        let run = interface.and_then(|interface| {
            let interface = component.get_export_index(None, interface.as_str())?;
            component.get_export_index(Some(&interface), "run")
        });
        ComponentGuest { component, run }
    }

    /// The component.
    pub fn component(&self) -> &Component {
        &self.component
    }

    /// Whether it is a command: it exports `wasi:cli/run@0.2.x#run`.
    pub fn is_command(&self) -> bool {
        self.run.is_some()
    }

    /// A linker with every import of `wasi:cli/command`, for a store holding a `Ctx<H>`. Define
    /// the guest's other imports on it before running.
    pub fn linker<H: p2::Imports + 'static>(&self) -> wasmtime::Result<Linker<Ctx<H>>> {
        linker(self.component.engine())
    }

    /// Runs a command: `wasi:cli/run#run`, to its exit code: 0 when it returns `ok`, 1 when it
    /// returns `err`, and the code of `wasi:cli/exit` (a trap carrying [`Exit`]) when it exits.
    pub fn run<H: p2::Imports + 'static>(
        &self,
        linker: &Linker<Ctx<H>>,
        host: H,
        limits: &Limits,
    ) -> Result<Exited<H>, RunError> {
        let Some(run) = self.run else {
            return Err(RunError::WrongKind {
                expected: "command (a component exporting `wasi:cli/run@0.2.x`)",
                found: Kind::Library,
            });
        };
        let (mut store, instance) = self.instantiate_in(linker, host, limits)?;
        let run = instance
            .get_typed_func::<(), (Result<(), ()>,)>(&mut store, run)
            .map_err(RunError::Link)?;
        let code = match limited(&mut store, limits, |store| run.call(store, ())) {
            Ok((Ok(()),)) => 0,
            Ok((Err(()),)) => 1,
            Err(RunError::Trap(e)) => match e.downcast_ref::<Exit>() {
                Some(exit) => exit.code,
                None => return Err(RunError::Trap(e)),
            },
            Err(other) => return Err(other),
        };
        Ok(Exited {
            code,
            host: store.into_data().into_host(),
        })
    }

    /// Instantiates the component (a command too: its `run` is then an export like another), and
    /// hands back the instance, whose exports can be called from then on.
    pub fn instantiate<H: p2::Imports + 'static>(
        &self,
        linker: &Linker<Ctx<H>>,
        host: H,
        limits: &Limits,
    ) -> Result<ComponentInstance<H>, RunError> {
        let (store, instance) = self.instantiate_in(linker, host, limits)?;
        Ok(ComponentInstance {
            store,
            instance,
            limits: limits.clone(),
        })
    }

    fn instantiate_in<H: Defaults + 'static>(
        &self,
        linker: &Linker<Ctx<H>>,
        mut host: H,
        limits: &Limits,
    ) -> Result<(Store<Ctx<H>>, Instance), RunError> {
        host.set_tracing(limits.trace);
        let engine = self.component.engine();
        let mut ctx = Ctx::new(host);
        ctx.budget = Budget {
            max_memory: limits.max_memory,
            max_table_elements: limits.max_table_elements,
            ..Budget::default()
        };
        let mut store = Store::new(engine, ctx);
        store.limiter(|ctx| &mut ctx.budget);
        let pre = match linker.instantiate_pre(&self.component) {
            Ok(pre) => pre,
            Err(_) if limits.trap_unknown_imports => {
                let mut linker = linker.clone();
                linker
                    .define_unknown_imports_as_traps(&self.component)
                    .map_err(RunError::Link)?;
                linker
                    .instantiate_pre(&self.component)
                    .map_err(RunError::Link)?
            }
            Err(e) => {
                return Err(match missing_import(&e) {
                    Some(name) => RunError::MissingImports(vec![name]),
                    None => RunError::Link(e),
                });
            }
        };
        // Start functions and core instantiation are guest code too: they run under the limits.
        match limited(&mut store, limits, |store| pre.instantiate(store)) {
            Ok(instance) => Ok((store, instance)),
            Err(RunError::Trap(e)) => Err(match store.data().budget.refusal() {
                Some(why) if e.downcast_ref::<Trap>().is_none() => RunError::OverLimit(why),
                _ => RunError::Trap(e),
            }),
            Err(other) => Err(other),
        }
    }
}

/// The import a linking error says nobody defines, as `interface#function` (or the import's
/// name when it is not an instance): the first the linker met, from wasmtime's words (`component
/// imports instance `X`, ...` / `instance export `f` has the wrong type` / `function
/// implementation is missing`). `None` for another error, which stays a [`RunError::Link`].
fn missing_import(error: &wasmtime::Error) -> Option<String> {
    let chain: Vec<String> = error.chain().map(ToString::to_string).collect();
    if !chain.last()?.ends_with("implementation is missing") {
        return None;
    }
    let quoted = |text: &str, prefix: &str| -> Option<String> {
        let rest = text.strip_prefix(prefix)?;
        let start = rest.find('`')? + 1;
        let len = rest[start..].find('`')?;
        Some(rest[start..start + len].to_string())
    };
    let import = quoted(&chain[0], "component imports ")?;
    let exports: Vec<String> = chain[1..]
        .iter()
        .filter_map(|line| quoted(line, "instance export "))
        .collect();
    Some(match exports.is_empty() {
        true => import,
        false => format!("{import}#{}", exports.join(".")),
    })
}

/// An instantiated component: its exports are callable, under the run's limits.
pub struct ComponentInstance<H: 'static> {
    store: Store<Ctx<H>>,
    instance: Instance,
    limits: Limits,
}

impl<H: 'static> ComponentInstance<H> {
    /// The export `name`, of the exported instance `interface` (`"wasi:cli/run@0.2.12"`) or of
    /// the component itself (`None`).
    pub fn export(&mut self, interface: Option<&str>, name: &str) -> Option<ComponentExportIndex> {
        let interface = match interface {
            Some(interface) => Some(self.instance.get_export_index(
                &mut self.store,
                None,
                interface,
            )?),
            None => None,
        };
        self.instance
            .get_export_index(&mut self.store, interface.as_ref(), name)
    }

    fn function(
        &mut self,
        interface: Option<&str>,
        name: &str,
    ) -> Result<ComponentExportIndex, RunError> {
        self.export(interface, name).ok_or_else(|| {
            RunError::Trap(match interface {
                Some(interface) => {
                    wasmtime::format_err!("no exported function `{name}` in `{interface}`")
                }
                None => wasmtime::format_err!("no exported function `{name}`"),
            })
        })
    }

    /// Calls the export `name` (of the instance `interface`, or of the component) with typed
    /// parameters and results, under the run's limits.
    pub fn call<P, R>(
        &mut self,
        interface: Option<&str>,
        name: &str,
        params: P,
    ) -> Result<R, RunError>
    where
        P: ComponentNamedList + Lower,
        R: ComponentNamedList + Lift,
    {
        let index = self.function(interface, name)?;
        let func = self
            .instance
            .get_typed_func::<P, R>(&mut self.store, index)
            .map_err(RunError::Link)?;
        limited(&mut self.store, &self.limits, |store| {
            func.call(store, params)
        })
    }

    /// Calls the export `name` with parameters and results known only at run time, under the
    /// run's limits.
    pub fn call_dynamic(
        &mut self,
        interface: Option<&str>,
        name: &str,
        params: &[Val],
    ) -> Result<Vec<Val>, RunError> {
        let index = self.function(interface, name)?;
        let func = self
            .instance
            .get_func(&mut self.store, index)
            .ok_or_else(|| RunError::Trap(wasmtime::format_err!("`{name}` is not a function")))?;
        let mut results = vec![Val::Bool(false); func.ty(&self.store).results().len()];
        limited(&mut self.store, &self.limits, |store| {
            func.call(store, params, &mut results)
        })?;
        Ok(results)
    }

    /// The host.
    pub fn host(&self) -> &H {
        self.store.data().host()
    }

    /// The host, mutably.
    pub fn host_mut(&mut self) -> &mut H {
        self.store.data_mut().host_mut()
    }

    /// The store and instance, for what this type does not offer.
    pub fn parts(&mut self) -> (&mut Store<Ctx<H>>, &Instance) {
        (&mut self.store, &self.instance)
    }

    /// The host, once done with the instance.
    pub fn into_host(self) -> H {
        self.store.into_data().into_host()
    }
}
