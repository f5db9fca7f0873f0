//! Running a guest: a command (`_start`, its exit code) or a reactor (`_initialize` exactly once,
//! then its exports), with time and fuel limits and a clear word about imports nobody defines.
//!
//! ```no_run
//! use wasi_stubs::host::MinimalHost;
//! use wasi_stubs::lifecycle::{Guest, Limits};
//!
//! # fn main() -> wasmtime::Result<()> {
//! let limits = Limits::default().timeout(std::time::Duration::from_secs(5));
//! let engine = wasi_stubs::lifecycle::engine(&limits)?;
//! let guest = Guest::from_file(&engine, "guest.wasm")?;
//! let linker = guest.linker::<MinimalHost>()?;
//! let exited = guest.run(&linker, MinimalHost::default(), &limits)?;
//! println!("exit code {}", exited.code);
//! # Ok(()) }
//! ```

use std::fmt;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use wasmtime::{
    Config, Engine, Instance, Linker, Module, Store, Trap, Val, WasmParams, WasmResults,
};

use crate::preview1::WasiSnapshotPreview1;
use crate::{Ctx, Exit, Policy, preview0, preview1};

/// What a guest module is, from its exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Exports `_start`: run once, to an exit code.
    Command,
    /// Exports `_initialize`: initialise once, then call its exports.
    Reactor,
    /// Exports neither: a library that needs no initialisation.
    Library,
}

/// Bounds on a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    timeout: Option<Duration>,
    fuel: Option<u64>,
    policy: Policy,
    trap_unknown_imports: bool,
    trace: bool,
}

impl Limits {
    /// Interrupts the guest's own code after `timeout` of wall time (epoch interruption; time the
    /// host spends inside a call, such as a sleep, is not interrupted).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Stops the guest after it has used `fuel` units (about one per wasm instruction).
    pub fn fuel(mut self, fuel: u64) -> Self {
        self.fuel = Some(fuel);
        self
    }

    /// The store's policy for bad input and unimplemented functions.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Traces every WASI call (see [`crate::trace`]).
    pub fn trace(mut self, on: bool) -> Self {
        self.trace = on;
        self
    }

    /// Defines every import nobody else defines as a function that traps when called, instead of
    /// refusing to instantiate.
    pub fn trap_unknown_imports(mut self, yes: bool) -> Self {
        self.trap_unknown_imports = yes;
        self
    }
}

/// An engine able to enforce `limits` (epoch interruption for a timeout, fuel for fuel).
pub fn engine(limits: &Limits) -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config.epoch_interruption(limits.timeout.is_some());
    config.consume_fuel(limits.fuel.is_some());
    Engine::new(&config)
}

/// Why a run ended without an exit code.
#[derive(Debug)]
pub enum RunError {
    /// The module exports both `_start` and `_initialize`.
    Ambiguous,
    /// The guest is not the kind the call needs (a reactor given to [`Guest::run`], ...).
    WrongKind {
        /// What the call needs.
        expected: &'static str,
        /// What the guest is.
        found: Kind,
    },
    /// Imports that no one defines, as `module::name`.
    MissingImports(Vec<String>),
    /// The guest ran past its time limit.
    Timeout(Duration),
    /// The guest used up its fuel.
    OutOfFuel(u64),
    /// The module does not compile.
    Compile(wasmtime::Error),
    /// The module cannot be linked with what the linker defines (an import of another type).
    Link(wasmtime::Error),
    /// The guest trapped (or the host failed it).
    Trap(wasmtime::Error),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Ambiguous => f.write_str(
                "the module exports both `_start` and `_initialize`: it is neither a command nor a reactor",
            ),
            RunError::WrongKind { expected, found } => {
                write!(f, "the module is a {found:?}, not a {expected}")
            }
            RunError::MissingImports(names) => write!(
                f,
                "the module imports what this host does not define: {}",
                names.join(", ")
            ),
            RunError::Timeout(t) => write!(f, "the guest ran longer than its time limit of {t:?}"),
            RunError::OutOfFuel(n) => write!(f, "the guest used up its fuel ({n} units)"),
            RunError::Compile(e) => write!(f, "the module does not compile: {e:#}"),
            RunError::Link(e) => write!(f, "the module cannot run on this host: {e:#}"),
            RunError::Trap(e) => write!(f, "the guest trapped: {e:#}"),
        }
    }
}

impl std::error::Error for RunError {}

/// A compiled guest module and its kind.
#[derive(Debug, Clone)]
pub struct Guest {
    module: Module,
    kind: Kind,
}

/// A command's end: its exit code (0 when `_start` returned) and the host, with what it gathered.
#[derive(Debug)]
pub struct Exited<H> {
    /// The exit code.
    pub code: u32,
    /// The host.
    pub host: H,
}

impl Guest {
    /// Compiles `wasm` (binary, or text with wasmtime's `wat` feature) and finds its kind.
    pub fn new(engine: &Engine, wasm: impl AsRef<[u8]>) -> Result<Self, RunError> {
        let module = Module::new(engine, wasm).map_err(RunError::Compile)?;
        Guest::from_module(module)
    }

    /// Reads and compiles the module at `path`.
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Self, RunError> {
        let module = Module::from_file(engine, path).map_err(RunError::Compile)?;
        Guest::from_module(module)
    }

    /// The kind of an already compiled module.
    pub fn from_module(module: Module) -> Result<Self, RunError> {
        let exports = |name| module.get_export(name).is_some();
        let kind = match (exports("_start"), exports("_initialize")) {
            (true, true) => return Err(RunError::Ambiguous),
            (true, false) => Kind::Command,
            (false, true) => Kind::Reactor,
            (false, false) => Kind::Library,
        };
        Ok(Guest { module, kind })
    }

    /// The module.
    pub fn module(&self) -> &Module {
        &self.module
    }

    /// The kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// A linker with `wasi_snapshot_preview1`, and `wasi_unstable` served from it, for a store
    /// holding a `Ctx<H>`. Define the guest's other imports on it before running.
    pub fn linker<H: WasiSnapshotPreview1 + 'static>(&self) -> wasmtime::Result<Linker<Ctx<H>>> {
        let mut linker = Linker::new(self.module.engine());
        preview1::add_to_linker(&mut linker, |ctx: &mut Ctx<H>| ctx)?;
        preview0::polyfill::add_to_linker(&mut linker, |ctx: &mut Ctx<H>| ctx)?;
        Ok(linker)
    }

    /// The imports `linker` does not define, as `module::name`, each once.
    pub fn missing_imports<T>(&self, linker: &Linker<T>, store: &mut Store<T>) -> Vec<String> {
        let mut missing: Vec<String> = Vec::new();
        for import in self.module.imports() {
            let name = format!("{}::{}", import.module(), import.name());
            if linker.get_by_import(&mut *store, &import).is_none() && !missing.contains(&name) {
                missing.push(name);
            }
        }
        missing
    }

    /// Runs a command: `_start`, to its exit code (0 if it returns, the code of `proc_exit`
    /// otherwise).
    pub fn run<H: WasiSnapshotPreview1 + 'static>(
        &self,
        linker: &Linker<Ctx<H>>,
        host: H,
        limits: &Limits,
    ) -> Result<Exited<H>, RunError> {
        if self.kind != Kind::Command {
            return Err(RunError::WrongKind {
                expected: "command",
                found: self.kind,
            });
        }
        let (mut store, instance) = self.instantiate(linker, host, limits)?;
        let start = instance
            .get_typed_func::<(), ()>(&mut store, "_start")
            .map_err(RunError::Trap)?;
        let outcome = limited(&mut store, limits, |store| start.call(store, ()));
        let code = match outcome {
            Ok(()) => 0,
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

    /// Initialises a reactor (`_initialize`, exactly once) or instantiates a library, and hands
    /// back the instance, whose exports can be called from then on.
    pub fn initialize<H: WasiSnapshotPreview1 + 'static>(
        &self,
        linker: &Linker<Ctx<H>>,
        host: H,
        limits: &Limits,
    ) -> Result<Reactor<H>, RunError> {
        if self.kind == Kind::Command {
            return Err(RunError::WrongKind {
                expected: "reactor or library",
                found: self.kind,
            });
        }
        let (mut store, instance) = self.instantiate(linker, host, limits)?;
        if self.kind == Kind::Reactor {
            let init = instance
                .get_typed_func::<(), ()>(&mut store, "_initialize")
                .map_err(RunError::Trap)?;
            limited(&mut store, limits, |store| init.call(store, ()))?;
        }
        Ok(Reactor {
            store,
            instance,
            limits: limits.clone(),
        })
    }

    fn instantiate<H: WasiSnapshotPreview1 + 'static>(
        &self,
        linker: &Linker<Ctx<H>>,
        host: H,
        limits: &Limits,
    ) -> Result<(Store<Ctx<H>>, Instance), RunError> {
        let engine = self.module.engine();
        let mut ctx = Ctx::new(host).with_policy(limits.policy.clone());
        ctx.set_tracing(limits.trace);
        let mut store = Store::new(engine, ctx);
        let missing = self.missing_imports(linker, &mut store);
        let pre = if missing.is_empty() {
            linker.instantiate_pre(&self.module)
        } else if limits.trap_unknown_imports {
            let mut linker = linker.clone();
            linker
                .define_unknown_imports_as_traps(&self.module)
                .map_err(RunError::Link)?;
            linker.instantiate_pre(&self.module)
        } else {
            return Err(RunError::MissingImports(missing));
        }
        .map_err(RunError::Link)?;
        // A start function is guest code too: it runs under the limits.
        let instance = limited(&mut store, limits, |store| pre.instantiate(store))?;
        if let Some(memory) = instance.get_memory(&mut store, "memory") {
            store.data_mut().bind_memory(memory);
        }
        Ok((store, instance))
    }
}

/// An initialised reactor (or a library): its exports are callable.
pub struct Reactor<H: 'static> {
    store: Store<Ctx<H>>,
    instance: Instance,
    limits: Limits,
}

impl<H: 'static> Reactor<H> {
    /// Calls the export `name` with typed parameters and results, under the run's limits.
    pub fn call<P: WasmParams, R: WasmResults>(
        &mut self,
        name: &str,
        params: P,
    ) -> Result<R, RunError> {
        let func = self
            .instance
            .get_typed_func::<P, R>(&mut self.store, name)
            .map_err(RunError::Trap)?;
        limited(&mut self.store, &self.limits, |store| {
            func.call(store, params)
        })
    }

    /// Calls the export `name` with parameters and results known only at run time (their types
    /// are the export's `FuncType`), under the run's limits.
    pub fn call_dynamic(&mut self, name: &str, params: &[Val]) -> Result<Vec<Val>, RunError> {
        let func = self
            .instance
            .get_func(&mut self.store, name)
            .ok_or_else(|| {
                RunError::Trap(wasmtime::format_err!("no exported function `{name}`"))
            })?;
        let mut results = vec![Val::I32(0); func.ty(&self.store).results().len()];
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
}

/// Runs `f` on `store` with the time and fuel limits in force.
fn limited<T, R>(
    store: &mut Store<T>,
    limits: &Limits,
    f: impl FnOnce(&mut Store<T>) -> wasmtime::Result<R>,
) -> Result<R, RunError> {
    if let Some(fuel) = limits.fuel {
        store.set_fuel(fuel).map_err(RunError::Trap)?;
    }
    // A watchdog thread bumps the engine's epoch when the time is up, unless told to stop first.
    let watchdog = limits.timeout.map(|timeout| {
        store.set_epoch_deadline(1);
        let engine = store.engine().clone();
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(timeout) {
                engine.increment_epoch();
            }
        });
        (stop, thread)
    });
    let outcome = f(store);
    if let Some((stop, thread)) = watchdog {
        drop(stop);
        let _ = thread.join();
    }
    outcome.map_err(|e| match e.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => RunError::Timeout(limits.timeout.unwrap_or_default()),
        Some(Trap::OutOfFuel) => RunError::OutOfFuel(limits.fuel.unwrap_or_default()),
        _ => RunError::Trap(e),
    })
}
