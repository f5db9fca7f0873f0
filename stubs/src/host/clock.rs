//! Clocks: the system's, one fixed at an instant, or a virtual one that moves only when the guest
//! sleeps.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::Error;
use crate::preview1::{Clockid, Errno, Timestamp};

/// Where a host's time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockSource {
    /// The system clock for realtime; time since the instance started for monotonic. Sleeping
    /// sleeps.
    System,
    /// Realtime stands still at this instant (ns since the Unix epoch); monotonic time starts at
    /// [`VIRTUAL_MONOTONIC_START`] and moves only when the guest sleeps, by the time it asked for.
    /// Nothing waits.
    Fixed(u64),
    /// Both clocks move only when the guest sleeps, by the time it asked for: realtime from this
    /// instant (ns since the Unix epoch), monotonic from [`VIRTUAL_MONOTONIC_START`]. Nothing
    /// waits.
    Virtual(u64),
}

/// Where the monotonic clock of a fixed or virtual source starts, in ns: one second, not zero,
/// because some runtimes (Go's) take a monotonic reading of 0 for a broken clock.
pub const VIRTUAL_MONOTONIC_START: u64 = 1_000_000_000;

/// The clocks of one instance.
///
/// The process and thread CPU-time clocks answer the time the instance has run (the monotonic
/// clock): an upper bound of the CPU time it used, which keeps C's `clock()` working.
#[derive(Debug, Clone)]
pub struct Clocks {
    source: ClockSource,
    started: Instant,
    /// The time slept on a virtual or fixed clock, in ns.
    slept: u64,
}

impl Clocks {
    /// Clocks from `source`.
    pub fn new(source: ClockSource) -> Self {
        Clocks {
            source,
            started: Instant::now(),
            slept: 0,
        }
    }

    /// The source.
    pub fn source(&self) -> ClockSource {
        self.source
    }

    /// `clock_time_get`.
    pub fn time_get(&self, id: Clockid) -> Result<Timestamp, Error<Errno>> {
        Ok(match id {
            Clockid::Realtime => self.realtime(),
            Clockid::Monotonic | Clockid::ProcessCputimeId | Clockid::ThreadCputimeId => {
                self.monotonic()
            }
        })
    }

    /// `clock_res_get`: 1 ns for every clock.
    pub fn res_get(&self, _id: Clockid) -> Result<Timestamp, Error<Errno>> {
        Ok(1)
    }

    /// Realtime, in ns since the Unix epoch.
    pub fn realtime(&self) -> u64 {
        match self.source {
            ClockSource::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, saturating_ns),
            ClockSource::Fixed(at) => at,
            ClockSource::Virtual(start) => start.saturating_add(self.slept),
        }
    }

    /// Monotonic time, in ns: since the instance started on the system clock, from
    /// [`VIRTUAL_MONOTONIC_START`] on the others.
    pub fn monotonic(&self) -> u64 {
        match self.source {
            ClockSource::System => saturating_ns(self.started.elapsed()),
            ClockSource::Fixed(_) | ClockSource::Virtual(_) => {
                VIRTUAL_MONOTONIC_START.saturating_add(self.slept)
            }
        }
    }

    /// Now on `id`'s clock.
    pub fn now(&self, id: Clockid) -> u64 {
        match id {
            Clockid::Realtime => self.realtime(),
            _ => self.monotonic(),
        }
    }

    /// Waits until `deadline` on `id`'s clock: sleeps on the system clock, moves time forward on
    /// the others.
    ///
    /// A sleep on the system clock never outlasts the run in progress: it ends at
    /// [`lifecycle::deadline`](crate::lifecycle::deadline), and the call then fails with the
    /// interrupt trap that a timeout gives (`wasmtime::Trap::Interrupt`).
    pub fn sleep_until(&mut self, id: Clockid, deadline: u64) -> Result<(), Error<Errno>> {
        let now = self.now(id);
        if deadline <= now {
            return Ok(());
        }
        let ns = deadline - now;
        match self.source {
            ClockSource::System => crate::lifecycle::sleep(Duration::from_nanos(ns)),
            ClockSource::Fixed(_) | ClockSource::Virtual(_) => {
                self.slept = self.slept.saturating_add(ns);
                Ok(())
            }
        }
    }
}

impl Clocks {
    /// [`sleep_until`](Self::sleep_until) for a host on an async store: a sleep on the system
    /// clock awaits a tokio timer ([`lifecycle::sleep_async`](crate::lifecycle::sleep_async)),
    /// ending at the run's deadline in the same way; the other clocks move at once.
    pub async fn sleep_until_async(
        &mut self,
        id: Clockid,
        deadline: u64,
    ) -> Result<(), Error<Errno>> {
        let now = self.now(id);
        if deadline <= now {
            return Ok(());
        }
        let ns = deadline - now;
        match self.source {
            ClockSource::System => crate::lifecycle::sleep_async(Duration::from_nanos(ns)).await,
            ClockSource::Fixed(_) | ClockSource::Virtual(_) => {
                self.slept = self.slept.saturating_add(ns);
                Ok(())
            }
        }
    }
}

fn saturating_ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
