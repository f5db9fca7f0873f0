//! Running guests on an async store: [`Guest::run_async`], [`Guest::initialize_async`] and
//! [`AsyncReactor`], under the same [`Limits`] as the synchronous runs, for hosts of
//! [`WasiSnapshotPreview1Async`].
//!
//! A time limit works by epoch interruption here too, but with yields: every [`TICK`] a shared
//! thread moves the epoch of each engine that has a timed async run in progress, and a guest
//! running wasm then yields to the executor (or, past its deadline, is stopped). So a guest
//! spinning in a loop does not starve the other guests of its thread, and is stopped by its
//! timeout; a guest waiting in an async host call (a sleep) does not hold the thread at all, and
//! is stopped at its deadline too, whatever the host awaits. A run with a fuel limit yields every
//! [`FUEL_PER_YIELD`] units as well, so a spinning guest with fuel and no time limit does not hold
//! the thread either.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use wasmtime::{
    Engine, Instance, Linker, Store, Trap, UpdateDeadline, Val, WasmParams, WasmResults,
};

use super::{
    DEADLINE, Exited, Guest, Kind, Limits, RunError, ended, exit_code, initialized, instantiated,
};
use crate::preview0;
use crate::preview1::{self, WasiSnapshotPreview1Async};
use crate::{Ctx, Error};

/// How often a timed async run's guest yields to the executor while it runs wasm: 10 ms.
pub const TICK: Duration = Duration::from_millis(10);

/// How often an async run with a fuel limit yields to the executor while it runs wasm, in fuel
/// units (about a wasm instruction each, so a few milliseconds): what [`TICK`] is for a time limit,
/// for runs that have none.
pub const FUEL_PER_YIELD: u64 = 10_000_000;

/// A linker with `wasi_snapshot_preview1`, and `wasi_unstable` served from it, for a store
/// holding a `Ctx<H>` whose host implements [`WasiSnapshotPreview1Async`] (see
/// [`preview1::add_to_linker_async`]): what [`Guest::linker_async`] gives.
pub fn linker_async<H: WasiSnapshotPreview1Async + 'static>(
    engine: &Engine,
) -> wasmtime::Result<Linker<Ctx<H>>> {
    let mut linker = Linker::new(engine);
    preview1::add_to_linker_async(&mut linker, |ctx: &mut Ctx<H>| ctx)?;
    preview0::polyfill::add_to_linker_async(&mut linker, |ctx: &mut Ctx<H>| ctx)?;
    Ok(linker)
}

impl Guest {
    /// A linker with `wasi_snapshot_preview1` and `wasi_unstable` for a host of
    /// [`WasiSnapshotPreview1Async`] ([`linker_async`]). Define the guest's other imports on it before running.
    pub fn linker_async<H: WasiSnapshotPreview1Async + 'static>(
        &self,
    ) -> wasmtime::Result<Linker<Ctx<H>>> {
        linker_async(self.module.engine())
    }

    /// Runs a command asynchronously: [`Guest::run`] for a host of
    /// [`WasiSnapshotPreview1Async`], with `linker` from [`Guest::linker_async`]. The host's
    /// async methods are awaited, and while the guest runs wasm under a time limit it yields to
    /// the executor every [`TICK`].
    pub async fn run_async<H: WasiSnapshotPreview1Async + 'static>(
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
        let (mut store, instance) = self.instantiate_async(linker, host, limits).await?;
        let start = instance
            .get_typed_func::<(), ()>(&mut store, "_start")
            .map_err(RunError::Trap)?;
        let run = Limited::new(&mut store, limits)?;
        let outcome = run.finish(start.call_async(&mut store, ())).await;
        let code = exit_code(outcome)?;
        Ok(Exited {
            code,
            host: store.into_data().into_host(),
        })
    }

    /// Initialises a reactor (`_initialize`, exactly once) or instantiates a library
    /// asynchronously: [`Guest::initialize`] for a host of [`WasiSnapshotPreview1Async`].
    pub async fn initialize_async<H: WasiSnapshotPreview1Async + 'static>(
        &self,
        linker: &Linker<Ctx<H>>,
        host: H,
        limits: &Limits,
    ) -> Result<AsyncReactor<H>, RunError> {
        if self.kind == Kind::Command {
            return Err(RunError::WrongKind {
                expected: "reactor or library",
                found: self.kind,
            });
        }
        let (mut store, instance) = self.instantiate_async(linker, host, limits).await?;
        if self.kind == Kind::Reactor {
            let init = instance
                .get_typed_func::<(), ()>(&mut store, "_initialize")
                .map_err(RunError::Trap)?;
            let run = Limited::new(&mut store, limits)?;
            initialized(run.finish(init.call_async(&mut store, ())).await)?;
        }
        Ok(AsyncReactor {
            store,
            instance,
            limits: limits.clone(),
        })
    }

    async fn instantiate_async<H: WasiSnapshotPreview1Async + 'static>(
        &self,
        linker: &Linker<Ctx<H>>,
        host: H,
        limits: &Limits,
    ) -> Result<(Store<Ctx<H>>, Instance), RunError> {
        let (mut store, pre) = self.prepare(linker, host, limits)?;
        let run = Limited::new(&mut store, limits)?;
        let instance = run.finish(pre.instantiate_async(&mut store)).await;
        let instance = instantiated(&mut store, instance)?;
        Ok((store, instance))
    }
}

/// An initialised reactor (or a library) on an async store: its exports are called with
/// [`call_async`](Self::call_async).
pub struct AsyncReactor<H: 'static> {
    store: Store<Ctx<H>>,
    instance: Instance,
    limits: Limits,
}

impl<H: Send + 'static> AsyncReactor<H> {
    /// Calls the export `name` with typed parameters and results, under the run's limits.
    pub async fn call_async<P, R>(&mut self, name: &str, params: P) -> Result<R, RunError>
    where
        P: WasmParams + Send + Sync,
        R: WasmResults + Send + Sync,
    {
        let func = self
            .instance
            .get_typed_func::<P, R>(&mut self.store, name)
            .map_err(RunError::Trap)?;
        let run = Limited::new(&mut self.store, &self.limits)?;
        run.finish(func.call_async(&mut self.store, params)).await
    }

    /// Calls the export `name` with parameters and results known only at run time, under the
    /// run's limits.
    pub async fn call_dynamic_async(
        &mut self,
        name: &str,
        params: &[Val],
    ) -> Result<Vec<Val>, RunError> {
        let func = self
            .instance
            .get_func(&mut self.store, name)
            .ok_or_else(|| {
                RunError::Trap(wasmtime::format_err!("no exported function `{name}`"))
            })?;
        let mut results = vec![Val::I32(0); func.ty(&self.store).results().len()];
        let run = Limited::new(&mut self.store, &self.limits)?;
        run.finish(func.call_async(&mut self.store, params, &mut results))
            .await?;
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

/// One call into the guest under the time and fuel limits of a run, armed on its store.
struct Limited<'l> {
    limits: &'l Limits,
    deadline: Option<Instant>,
    /// Keeps the engine's epoch moving while the call runs.
    _ticking: Option<Ticking>,
}

impl<'l> Limited<'l> {
    /// Sets the store's fuel (yielding every [`FUEL_PER_YIELD`]), and with a timeout an epoch
    /// callback that yields every tick and stops the guest at the deadline.
    fn new<T: Send>(store: &mut Store<T>, limits: &'l Limits) -> Result<Self, RunError> {
        if let Some(fuel) = limits.fuel {
            store.set_fuel(fuel).map_err(RunError::Trap)?;
            // Without a timeout there is no tick: fuel is what makes a spinning guest yield.
            store
                .fuel_async_yield_interval(Some(FUEL_PER_YIELD))
                .map_err(RunError::Trap)?;
        }
        let outer = DEADLINE.get();
        let deadline = match (
            outer,
            limits.timeout.and_then(|t| Instant::now().checked_add(t)),
        ) {
            (Some(outer), Some(at)) => Some(outer.min(at)),
            (outer, at) => outer.or(at),
        };
        // As on a synchronous store, the epoch deadline stops the guest only once its own
        // deadline (or an enclosing run's) has passed; before that the guest yields.
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            Ok(match deadline {
                Some(at) if Instant::now() >= at => UpdateDeadline::Interrupt,
                _ => UpdateDeadline::Yield(1),
            })
        });
        // A timeout too long to be an `Instant` has no deadline: the guest only yields.
        let ticking = (limits.timeout.is_some() || deadline.is_some())
            .then(|| Ticking::start(store.engine()));
        Ok(Limited {
            limits,
            deadline,
            _ticking: ticking,
        })
    }

    /// Awaits `call` with the run's deadline in force for the host's sleeps, and turns the traps
    /// of the limits into theirs.
    async fn finish<R>(
        self,
        call: impl Future<Output = wasmtime::Result<R>> + Send,
    ) -> Result<R, RunError> {
        let outcome = WithDeadline::new(self.deadline, call).await;
        ended(outcome, self.limits)
    }
}

/// A future polled with [`deadline`](super::deadline) answering `deadline`: many async runs share
/// a thread, so the deadline a host's sleep reads is set for each poll of its run.
///
/// It also holds the run to its deadline while the guest waits in a host future that does not
/// look at it (a channel, a socket): once the deadline has passed and the call is still pending,
/// it ends with the interrupt trap of a timeout, and the call in progress is dropped. The ticker
/// wakes it at the deadline.
struct WithDeadline<F> {
    deadline: Option<Instant>,
    alarm: Option<Arc<Alarm>>,
    inner: Pin<Box<F>>,
}

impl<F> WithDeadline<F> {
    fn new(deadline: Option<Instant>, inner: F) -> Self {
        WithDeadline {
            deadline,
            alarm: None,
            inner: Box::pin(inner),
        }
    }
}

impl<R, F: Future<Output = wasmtime::Result<R>>> Future for WithDeadline<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let outer = DEADLINE.replace(self.deadline);
        let poll = self.inner.as_mut().poll(cx);
        DEADLINE.set(outer);
        let (Poll::Pending, Some(at)) = (&poll, self.deadline) else {
            return poll;
        };
        if Instant::now() >= at {
            return Poll::Ready(Err(wasmtime::Error::new(Trap::Interrupt)));
        }
        match &self.alarm {
            Some(alarm) => alarm.set(cx.waker()),
            None => self.alarm = Some(Alarm::register(at, cx.waker())),
        }
        Poll::Pending
    }
}

/// Sleeps for `duration` without blocking the thread (a tokio timer), or until the
/// [`deadline`](super::deadline) of the run in progress if that comes first; then the call fails
/// with the interrupt trap of a timeout and the run ends as [`RunError::Timeout`]. What
/// [`super::sleep`] is for a synchronous host.
///
/// It needs a tokio runtime with its time driver (`enable_time`); without a runtime the call
/// fails with a trap that says so.
pub async fn sleep_async<E>(duration: Duration) -> Result<(), Error<E>> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(Error::Trap(wasmtime::Error::msg(
            "an async host sleeps on a tokio timer: run the guest inside a tokio runtime with time enabled",
        )));
    }
    let left = super::deadline().map(|d| d.saturating_duration_since(Instant::now()));
    match left {
        Some(left) if left < duration => {
            tokio::time::sleep(left).await;
            Err(Error::Trap(wasmtime::Error::new(Trap::Interrupt)))
        }
        _ => {
            tokio::time::sleep(duration).await;
            Ok(())
        }
    }
}

/// The engines whose epoch the ticker thread moves, each with the number of timed async calls
/// in progress on it, and the alarms of those calls.
struct Ticker {
    engines: Mutex<Vec<(Engine, usize)>>,
    alarms: Mutex<Vec<Arc<Alarm>>>,
    wake: Condvar,
}

fn ticker() -> &'static Ticker {
    static TICKER: OnceLock<&'static Ticker> = OnceLock::new();
    TICKER.get_or_init(|| {
        let ticker: &'static Ticker = Box::leak(Box::new(Ticker {
            engines: Mutex::new(Vec::new()),
            alarms: Mutex::new(Vec::new()),
            wake: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("wasi-stubs-epoch".into())
            .spawn(move || ticker.run())
            .expect("spawn the epoch ticker thread");
        ticker
    })
}

impl Ticker {
    /// Every [`TICK`], moves the epoch of every registered engine and rings the alarms that are
    /// due; sleeps while there is no engine (an alarm belongs to a call with a deadline, whose
    /// engine is registered while it runs).
    fn run(&self) {
        loop {
            let mut engines = self.engines.lock().unwrap_or_else(|e| e.into_inner());
            while engines.is_empty() {
                engines = self.wake.wait(engines).unwrap_or_else(|e| e.into_inner());
            }
            drop(engines);
            std::thread::sleep(TICK);
            let engines = self.engines.lock().unwrap_or_else(|e| e.into_inner());
            for (engine, _) in engines.iter() {
                engine.increment_epoch();
            }
            drop(engines);
            let now = Instant::now();
            let mut due = Vec::new();
            let mut alarms = self.alarms.lock().unwrap_or_else(|e| e.into_inner());
            alarms.retain(|alarm| {
                // An alarm only the ticker holds belongs to a call that has ended.
                if Arc::strong_count(alarm) == 1 {
                    return false;
                }
                let ring = now >= alarm.at;
                if ring {
                    due.push(Arc::clone(alarm));
                }
                !ring
            });
            drop(alarms);
            // Woken with no lock held: an executor may poll the task inside `wake`.
            for alarm in due {
                alarm.ring();
            }
        }
    }
}

/// The waker of a timed async call, woken by the ticker at the call's deadline.
struct Alarm {
    at: Instant,
    waker: Mutex<Waker>,
}

impl Alarm {
    fn register(at: Instant, waker: &Waker) -> Arc<Alarm> {
        let alarm = Arc::new(Alarm {
            at,
            waker: Mutex::new(waker.clone()),
        });
        let mut alarms = ticker().alarms.lock().unwrap_or_else(|e| e.into_inner());
        alarms.push(Arc::clone(&alarm));
        alarm
    }

    fn set(&self, waker: &Waker) {
        let mut mine = self.waker.lock().unwrap_or_else(|e| e.into_inner());
        if !mine.will_wake(waker) {
            *mine = waker.clone();
        }
    }

    /// Wakes the call (its deadline has come).
    fn ring(&self) {
        let waker = self.waker.lock().unwrap_or_else(|e| e.into_inner()).clone();
        waker.wake();
    }
}

/// An engine registered with the ticker while a timed async call runs on it.
struct Ticking(Engine);

impl Ticking {
    fn start(engine: &Engine) -> Self {
        let ticker = ticker();
        let mut engines = ticker.engines.lock().unwrap_or_else(|e| e.into_inner());
        match engines.iter_mut().find(|(e, _)| Engine::same(e, engine)) {
            Some((_, count)) => *count += 1,
            None => engines.push((engine.clone(), 1)),
        }
        ticker.wake.notify_one();
        Ticking(engine.clone())
    }
}

impl Drop for Ticking {
    fn drop(&mut self) {
        let mut engines = ticker().engines.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = engines.iter().position(|(e, _)| Engine::same(e, &self.0)) {
            engines[at].1 -= 1;
            if engines[at].1 == 0 {
                engines.swap_remove(at);
            }
        }
    }
}
