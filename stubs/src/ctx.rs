//! The per-store state the generated glue works with.

use std::ops::{Deref, DerefMut};

use wasmtime::Memory;

/// Holds a host (`H`, the type that implements a generated trait) together with what the glue
/// needs for each call: the guest's memory and the [`Policy`].
///
/// Put one in the store's data and hand `add_to_linker` a closure that finds it, as with
/// wasmtime-wasi's contexts. It dereferences to the host.
#[derive(Debug)]
pub struct Ctx<H> {
    host: H,
    memory: Option<Memory>,
    /// The bound memory while tracing is off: the one field an ordinary call tests, so that the
    /// tracing switch and the memory lookup share a single branch (see `glue::run`).
    pub(crate) fast: Option<Memory>,
    pub(crate) policy: Policy,
    pub(crate) trace: Trace,
    /// The store's memory and table budget under a run's limits (see [`crate::lifecycle`]).
    pub(crate) budget: crate::lifecycle::Budget,
}

/// What tracing keeps of the call in progress.
#[derive(Debug, Default)]
pub(crate) struct Trace {
    /// The switch.
    pub(crate) on: bool,
    /// The start of the call's trace line: its name and arguments.
    pub(crate) line: Option<String>,
    /// Why the call failed, when its error code does not say it all (bad input, a function
    /// the host does not implement).
    pub(crate) note: Option<String>,
}

impl<H> Ctx<H> {
    /// Wraps `host` with the default policy: errno for bad guest input, `ENOSYS` for functions the
    /// host does not implement.
    pub fn new(host: H) -> Self {
        Ctx {
            host,
            memory: None,
            fast: None,
            policy: Policy::default(),
            trace: Trace::default(),
            budget: Default::default(),
        }
    }

    /// The same context with `policy`.
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The host.
    pub fn host(&self) -> &H {
        &self.host
    }

    /// The host, mutably.
    pub fn host_mut(&mut self) -> &mut H {
        &mut self.host
    }

    /// Gives the host back.
    pub fn into_host(self) -> H {
        self.host
    }

    /// The policy in force.
    #[inline]
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Changes the policy for the calls that follow.
    pub fn set_policy(&mut self, policy: Policy) {
        self.policy = policy;
    }

    /// Turns tracing of every WASI call on or off for this store (see [`crate::trace`]).
    pub fn set_tracing(&mut self, on: bool) {
        self.trace.on = on;
        self.update_fast();
    }

    /// Whether calls are traced.
    #[inline]
    pub fn tracing(&self) -> bool {
        self.trace.on
    }

    /// Binds the guest's memory, so that calls stop looking up its `memory` export by name (which
    /// costs more than a whole `fd_write`). Bind the memory of the instance this store runs; a
    /// store that runs several instances which each export a memory should not bind one.
    pub fn bind_memory(&mut self, memory: Memory) {
        self.memory = Some(memory);
        self.update_fast();
    }

    /// The bound memory, if any.
    pub fn memory(&self) -> Option<Memory> {
        self.memory
    }

    fn update_fast(&mut self) {
        self.fast = if self.trace.on { None } else { self.memory };
    }
}

impl<H> Deref for Ctx<H> {
    type Target = H;
    fn deref(&self) -> &H {
        &self.host
    }
}

impl<H> DerefMut for Ctx<H> {
    fn deref_mut(&mut self) -> &mut H {
        &mut self.host
    }
}

/// What the guest gets when things go wrong: see the error rules in the crate docs.
///
/// ```
/// use wasi_stubs::{OnBadInput, OnNotImplemented, Policy};
///
/// let policy = Policy::default()
///     .bad_input(OnBadInput::Trap)
///     .not_implemented(OnNotImplemented::Errno("badf"))
///     .not_implemented_for("path_open", OnNotImplemented::Trap);
/// assert_eq!(policy.for_function("path_open"), &OnNotImplemented::Trap);
/// assert_eq!(policy.for_function("fd_read"), &OnNotImplemented::Errno("badf"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    bad_input: OnBadInput,
    not_implemented: OnNotImplemented,
    per_function: Vec<(String, OnNotImplemented)>,
}

impl Policy {
    /// Traps on bad guest input and on unimplemented functions: for debugging a guest.
    pub const TRAP: Policy = Policy {
        bad_input: OnBadInput::Trap,
        not_implemented: OnNotImplemented::Trap,
        per_function: Vec::new(),
    };

    /// What bad guest input gets.
    pub fn bad_input(mut self, on: OnBadInput) -> Self {
        self.bad_input = on;
        self
    }

    /// What every function the host does not implement gets, unless set per function.
    pub fn not_implemented(mut self, on: OnNotImplemented) -> Self {
        self.not_implemented = on;
        self
    }

    /// What the function `name` gets when the host does not implement it.
    pub fn not_implemented_for(mut self, name: impl Into<String>, on: OnNotImplemented) -> Self {
        let name = name.into();
        self.per_function.retain(|(n, _)| *n != name);
        self.per_function.push((name, on));
        self
    }

    /// What bad guest input gets.
    pub fn on_bad_input(&self) -> OnBadInput {
        self.bad_input
    }

    /// What a function the host does not implement gets, unless it has a policy of its own.
    pub fn on_not_implemented(&self) -> &OnNotImplemented {
        &self.not_implemented
    }

    /// What a call of `name` gets when the host does not implement it.
    pub fn for_function(&self, name: &str) -> &OnNotImplemented {
        self.per_function
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&self.not_implemented, |(_, on)| on)
    }
}

/// What a bad guest pointer, length, enum value or string gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnBadInput {
    /// The errno of the error rules: `EFAULT` (bounds), `EINVAL` (alignment, invalid values),
    /// `EILSEQ` (UTF-8), `EOVERFLOW` (results too large).
    #[default]
    Errno,
    /// A trap naming the function and the argument.
    Trap,
}

/// What a call to a function the host does not implement gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnNotImplemented {
    /// The document's `nosys` error code (`ENOSYS`, 52, in WASI); a trap if it has none.
    #[default]
    Nosys,
    /// The document's error code with this name (`"badf"` for `EBADF`); a trap if it has none.
    Errno(&'static str),
    /// Logs a warning naming the function (through the `log` crate), then answers `nosys`.
    LogThenNosys,
    /// A trap naming the function and saying this host does not implement it.
    Trap,
}
