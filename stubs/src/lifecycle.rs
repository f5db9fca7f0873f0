//! Running a guest: a command (`_start`, its exit code) or a reactor (`_initialize` exactly once,
//! then its exports), with time, fuel, memory and table limits and a clear word about imports
//! nobody defines.
//!
//! On an async store, for a host of `WasiSnapshotPreview1Async`: [`Guest::run_async`],
//! [`Guest::initialize_async`] and [`AsyncReactor`], under the same limits, with a time limit
//! that makes a guest running wasm yield to the executor every [`TICK`].
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

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use wasmtime::{
    Config, Engine, ExternType, FuncType, Instance, InstancePre, Linker, Module, ResourceLimiter,
    Store, Trap, UpdateDeadline, Val, WasmParams, WasmResults,
};

mod asynchronous;
pub mod component;

pub use asynchronous::{AsyncReactor, FUEL_PER_YIELD, TICK, linker_async, sleep_async};

use crate::preview1::WasiSnapshotPreview1;
use crate::{Ctx, Error, Exit, Policy, preview0, preview1};

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

/// The most linear memory a guest may have by default, all its memories together: 1 GiB.
pub const DEFAULT_MAX_MEMORY: u64 = 1 << 30;
/// The most table elements a guest may have by default, all its tables together: 1,000,000
/// (about 8 MB of host memory for funcref tables).
pub const DEFAULT_MAX_TABLE_ELEMENTS: u64 = 1_000_000;
/// The most instances, memories and tables (each) a store of a run may hold.
pub const MAX_INSTANCES: usize = 100;

/// Bounds on a run: time, fuel, and the store's memory and tables, with the policy and tracing
/// of its calls.
///
/// By default a run has no time or fuel limit, and its guest at most [`DEFAULT_MAX_MEMORY`] of
/// linear memory and [`DEFAULT_MAX_TABLE_ELEMENTS`] table elements: a `memory.grow` or
/// `table.grow` past them fails (returns -1) as it would when the system is out of memory, and
/// a module that declares more does not instantiate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    timeout: Option<Duration>,
    fuel: Option<u64>,
    max_memory: u64,
    max_table_elements: u64,
    policy: Policy,
    trap_unknown_imports: bool,
    trace: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: None,
            fuel: None,
            max_memory: DEFAULT_MAX_MEMORY,
            max_table_elements: DEFAULT_MAX_TABLE_ELEMENTS,
            policy: Policy::default(),
            trap_unknown_imports: false,
            trace: false,
        }
    }
}

impl Limits {
    /// Stops the guest after `timeout` of wall time: its own code by epoch interruption, and a
    /// host sleep that would outlast the deadline at the deadline (see [`deadline`]); on an async
    /// store, whatever an async host method awaits is also given up at the deadline. Compiling
    /// the module happens before the run and is not counted.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Stops the guest after it has used `fuel` units (about one per wasm instruction).
    pub fn fuel(mut self, fuel: u64) -> Self {
        self.fuel = Some(fuel);
        self
    }

    /// The most linear memory, in bytes, that the guest's memories may hold together.
    pub fn max_memory(mut self, bytes: u64) -> Self {
        self.max_memory = bytes;
        self
    }

    /// The most elements that the guest's tables may hold together.
    pub fn max_table_elements(mut self, elements: u64) -> Self {
        self.max_table_elements = elements;
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

/// The engine configuration that enforces `limits` (epoch interruption for a timeout, fuel for
/// fuel), to add settings of one's own to (a compilation cache, say) before [`Engine::new`].
pub fn config(limits: &Limits) -> Config {
    let mut config = Config::new();
    config.epoch_interruption(limits.timeout.is_some());
    config.consume_fuel(limits.fuel.is_some());
    config
}

/// An engine able to enforce `limits` (see [`config`]).
pub fn engine(limits: &Limits) -> wasmtime::Result<Engine> {
    Engine::new(&config(limits))
}

/// A linker with `wasi_snapshot_preview1`, and `wasi_unstable` served from it, for a store
/// holding a `Ctx<H>`: what [`Guest::linker`] gives, before any module is compiled.
pub fn linker<H: WasiSnapshotPreview1 + 'static>(
    engine: &Engine,
) -> wasmtime::Result<Linker<Ctx<H>>> {
    let mut linker = Linker::new(engine);
    preview1::add_to_linker(&mut linker, |ctx: &mut Ctx<H>| ctx)?;
    preview0::polyfill::add_to_linker(&mut linker, |ctx: &mut Ctx<H>| ctx)?;
    Ok(linker)
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
    /// The module cannot run here, for the reason given: a `_start` or `_initialize` that is not a
    /// function without parameters and results, a shared memory.
    Unsupported(String),
    /// Imports that no one defines: every one of a module, as `module::name`; for a component,
    /// the first the linker met, as `interface#function` (or the import's name).
    MissingImports(Vec<String>),
    /// The guest ran past its time limit.
    Timeout(Duration),
    /// The guest used up its fuel.
    OutOfFuel(u64),
    /// The guest does not compile.
    Compile(wasmtime::Error),
    /// The module cannot be linked with what the linker defines (an import of another type).
    Link(wasmtime::Error),
    /// The module's memories or tables start larger than the run's limits allow.
    OverLimit(String),
    /// A reactor called `proc_exit` with this code from `_initialize`: it cannot be used.
    ExitedDuringInit(u32),
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
            RunError::Unsupported(why) => write!(f, "the module cannot run: {why}"),
            RunError::OverLimit(why) => write!(f, "the module cannot run within its limits: {why}"),
            RunError::ExitedDuringInit(code) => write!(
                f,
                "the reactor called `proc_exit({code})` from `_initialize`: its exports cannot be used"
            ),
            RunError::MissingImports(names) => write!(
                f,
                "the guest imports what this host does not define: {}",
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

    /// The kind of an already compiled module. A module this crate cannot run is refused here,
    /// before anything is instantiated: one that exports both `_start` and `_initialize`, one
    /// whose `_start` or `_initialize` is not a function without parameters and results, and one
    /// with a shared memory (WASI threads are not supported).
    pub fn from_module(module: Module) -> Result<Self, RunError> {
        let entry = |name: &str| -> Result<bool, RunError> {
            match module.get_export(name) {
                None => Ok(false),
                Some(ExternType::Func(ty)) if no_params_or_results(&ty) => Ok(true),
                Some(ExternType::Func(ty)) => Err(RunError::Unsupported(format!(
                    "`{name}` must take no parameters and return nothing, but its type is `{ty}`"
                ))),
                Some(other) => Err(RunError::Unsupported(format!(
                    "`{name}` must be a function, but it is a {}",
                    extern_kind(&other)
                ))),
            }
        };
        let kind = match (entry("_start")?, entry("_initialize")?) {
            (true, true) => return Err(RunError::Ambiguous),
            (true, false) => Kind::Command,
            (false, true) => Kind::Reactor,
            (false, false) => Kind::Library,
        };
        let shared = module
            .imports()
            .map(|i| (i.name().to_string(), i.ty()))
            .chain(module.exports().map(|e| (e.name().to_string(), e.ty())))
            .find(|(_, ty)| matches!(ty, ExternType::Memory(m) if m.is_shared()));
        if let Some((name, _)) = shared {
            return Err(RunError::Unsupported(format!(
                "its memory `{name}` is shared (a threads module): shared memories are not supported"
            )));
        }
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
        linker(self.module.engine())
    }

    /// The imports `linker` does not define, as `module::name`, each once, in the module's
    /// order.
    pub fn missing_imports<T>(&self, linker: &Linker<T>, store: &mut Store<T>) -> Vec<String> {
        let mut seen = HashSet::new();
        let mut missing: Vec<String> = Vec::new();
        for import in self.module.imports() {
            if linker.get_by_import(&mut *store, &import).is_none()
                && seen.insert((import.module(), import.name()))
            {
                missing.push(format!("{}::{}", import.module(), import.name()));
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
        let code = exit_code(limited(&mut store, limits, |store| start.call(store, ())))?;
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
            initialized(limited(&mut store, limits, |store| init.call(store, ())))?;
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
        let (mut store, pre) = self.prepare(linker, host, limits)?;
        // A start function is guest code too: it runs under the limits.
        let instance = limited(&mut store, limits, |store| pre.instantiate(store));
        let instance = instantiated(&mut store, instance)?;
        Ok((store, instance))
    }

    /// A store for `host` under `limits`, and the module linked with `linker` (with unknown
    /// imports as traps if the limits say so).
    fn prepare<H: 'static>(
        &self,
        linker: &Linker<Ctx<H>>,
        host: H,
        limits: &Limits,
    ) -> Result<Prepared<H>, RunError> {
        let engine = self.module.engine();
        let mut ctx = Ctx::new(host).with_policy(limits.policy.clone());
        ctx.set_tracing(limits.trace);
        ctx.budget = Budget {
            max_memory: limits.max_memory,
            max_table_elements: limits.max_table_elements,
            ..Budget::default()
        };
        let mut store = Store::new(engine, ctx);
        store.limiter(|ctx| &mut ctx.budget);
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
        Ok((store, pre))
    }
}

/// A store for a run and the module linked for it, not instantiated yet.
type Prepared<H> = (Store<Ctx<H>>, InstancePre<Ctx<H>>);

/// The instance of an instantiation run under the limits, with its memory bound; a module whose
/// memories or tables start larger than the limits does not instantiate.
fn instantiated<H>(
    store: &mut Store<Ctx<H>>,
    instance: Result<Instance, RunError>,
) -> Result<Instance, RunError> {
    let instance = match instance {
        Ok(instance) => instance,
        Err(RunError::Trap(e)) => {
            return Err(match store.data().budget.refusal() {
                Some(why) if e.downcast_ref::<Trap>().is_none() => RunError::OverLimit(why),
                _ => RunError::Trap(e),
            });
        }
        Err(other) => return Err(other),
    };
    if let Some(memory) = instance.get_memory(&mut *store, "memory") {
        store.data_mut().bind_memory(memory);
    }
    Ok(instance)
}

/// A command's exit code from how `_start` ended: 0 if it returned, the code of `proc_exit`.
fn exit_code(outcome: Result<(), RunError>) -> Result<u32, RunError> {
    match outcome {
        Ok(()) => Ok(0),
        Err(RunError::Trap(e)) => match e.downcast_ref::<Exit>() {
            Some(exit) => Ok(exit.code),
            None => Err(RunError::Trap(e)),
        },
        Err(other) => Err(other),
    }
}

/// How a reactor's `_initialize` ended: a `proc_exit` there makes it unusable.
fn initialized(outcome: Result<(), RunError>) -> Result<(), RunError> {
    match outcome {
        Ok(()) => Ok(()),
        Err(RunError::Trap(e)) => Err(match e.downcast_ref::<Exit>() {
            Some(exit) => RunError::ExitedDuringInit(exit.code),
            None => RunError::Trap(e),
        }),
        Err(other) => Err(other),
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
    // Host sleeps on this thread end at the run's deadline, or an enclosing run's if that is
    // sooner. The engine's epoch is shared: other runs' watchdogs and the async ticker move it
    // too, so reaching the epoch deadline stops this guest only once that deadline has passed,
    // and a run without one carries on.
    let outer = DEADLINE.get();
    let deadline = match (
        outer,
        limits.timeout.and_then(|t| Instant::now().checked_add(t)),
    ) {
        (Some(outer), Some(at)) => Some(outer.min(at)),
        (outer, at) => outer.or(at),
    };
    DEADLINE.set(deadline);
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(move |_| {
        Ok(match deadline {
            Some(at) if Instant::now() >= at => UpdateDeadline::Interrupt,
            _ => UpdateDeadline::Continue(1),
        })
    });
    // A watchdog thread moves the epoch when the time is up and every tick after that until the
    // run ends (a move that lands while the guest is renewing its epoch deadline is spent
    // without stopping it), unless told to stop first.
    let watchdog = limits.timeout.map(|timeout| {
        let engine = store.engine().clone();
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let mut wait = timeout;
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(wait) {
                engine.increment_epoch();
                wait = asynchronous::TICK;
            }
        });
        (stop, thread)
    });
    let outcome = f(store);
    DEADLINE.set(outer);
    if let Some((stop, thread)) = watchdog {
        drop(stop);
        let _ = thread.join();
    }
    ended(outcome, limits)
}

/// A run's outcome, with the traps of its time and fuel limits as theirs.
fn ended<R>(outcome: wasmtime::Result<R>, limits: &Limits) -> Result<R, RunError> {
    outcome.map_err(|e| match e.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => RunError::Timeout(limits.timeout.unwrap_or_default()),
        Some(Trap::OutOfFuel) => RunError::OutOfFuel(limits.fuel.unwrap_or_default()),
        _ => RunError::Trap(e),
    })
}

fn no_params_or_results(ty: &FuncType) -> bool {
    ty.params().len() == 0 && ty.results().len() == 0
}

fn extern_kind(ty: &ExternType) -> &'static str {
    match ty {
        ExternType::Func(_) => "function",
        ExternType::Global(_) => "global",
        ExternType::Table(_) => "table",
        ExternType::Memory(_) => "memory",
        ExternType::Tag(_) => "tag",
    }
}

thread_local! {
    /// When the run in progress on this thread must stop, if it has a time limit.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// When the run in progress on this thread (a [`Guest::run`], [`Guest::initialize`] or
/// [`Reactor`] call with a [`Limits::timeout`]) is stopped, if it has a time limit.
///
/// A host whose overrides wait (a sleep, a blocking read) should wait no longer than this: the
/// guest's code is interrupted at the deadline, but a host call is not. [`sleep`] does it.
pub fn deadline() -> Option<Instant> {
    DEADLINE.get()
}

/// Sleeps for `duration`, or until the [`deadline`] of the run in progress if that comes first;
/// then the call fails with the interrupt trap of a timeout (`wasmtime::Trap::Interrupt`), and
/// the run ends as [`RunError::Timeout`].
pub fn sleep<E>(duration: Duration) -> Result<(), Error<E>> {
    let Some(deadline) = deadline() else {
        std::thread::sleep(duration);
        return Ok(());
    };
    let now = Instant::now();
    let left = deadline.saturating_duration_since(now);
    if duration <= left {
        std::thread::sleep(duration);
        return Ok(());
    }
    std::thread::sleep(left);
    Err(Error::Trap(wasmtime::Error::new(Trap::Interrupt)))
}

/// The store's memory and table budget, kept in [`Ctx`]: the totals of all memories and all
/// tables, against the run's [`Limits`]. A store outside a run has no budget.
///
/// A growth is counted when it is approved. Past a type's own maximum it is refused here first;
/// the one failure left after approval (the system refusing to map memory) leaves the growth
/// counted, which only makes the budget stricter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    max_memory: u64,
    max_table_elements: u64,
    memory: u64,
    table_elements: u64,
    /// The last growth refused for the budget: what it would have made the total, and which.
    refused: Option<(u64, Resource)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resource {
    Memory,
    TableElements,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_memory: u64::MAX,
            max_table_elements: u64::MAX,
            memory: 0,
            table_elements: 0,
            refused: None,
        }
    }
}

impl Budget {
    /// Counts the growth from `current` to `desired` if it stays within the budget and the
    /// type's `maximum`.
    fn grow(
        &mut self,
        what: Resource,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> bool {
        if maximum.is_some_and(|m| desired > m) {
            return false;
        }
        let (used, max) = match what {
            Resource::Memory => (&mut self.memory, self.max_memory),
            Resource::TableElements => (&mut self.table_elements, self.max_table_elements),
        };
        let total = used.saturating_add((desired as u64).saturating_sub(current as u64));
        if total > max {
            self.refused = Some((total, what));
            return false;
        }
        *used = total;
        true
    }

    /// Why the budget refused its last growth, as the run's limits name it.
    fn refusal(&self) -> Option<String> {
        let (total, what) = self.refused?;
        Some(match what {
            Resource::Memory => format!(
                "it needs {total} bytes of linear memory, over the limit of {} \
                 (`Limits::max_memory`, `--max-memory`)",
                self.max_memory
            ),
            Resource::TableElements => format!(
                "it needs {total} table elements, over the limit of {} \
                 (`Limits::max_table_elements`, `--max-table-elements`)",
                self.max_table_elements
            ),
        })
    }
}

impl ResourceLimiter for Budget {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self.grow(Resource::Memory, current, desired, maximum))
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self.grow(Resource::TableElements, current, desired, maximum))
    }

    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn tables(&self) -> usize {
        MAX_INSTANCES
    }

    fn memories(&self) -> usize {
        MAX_INSTANCES
    }
}
