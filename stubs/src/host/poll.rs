//! `poll_oneoff` for hosts without files or sockets: clock subscriptions sleep (or move a virtual
//! clock), stdio subscriptions are ready at once, other fds get an event carrying `EBADF`.

use crate::preview1::{
    Clockid, Errno, Event, EventFdReadwrite, Eventrwflags, Eventtype, Fd, Size, Subclockflags,
    Subscription, SubscriptionU,
};
use crate::{Error, GuestArray, GuestError, GuestMemory, GuestPtr, GuestType};

use super::{Clocks, Stdio};

/// `poll_oneoff`: waits for the earliest clock subscription unless an fd subscription is ready,
/// then writes exactly one event per subscription that fired, in subscription order, and returns
/// their number. Relative and absolute (`subscription_clock_abstime`) timeouts are both honoured.
/// No subscriptions is `EINVAL`. Nothing is written unless every subscription is valid.
///
/// A sleep on the system clock ends at the deadline of the run in progress
/// ([`crate::lifecycle::deadline`]), with the interrupt trap of a timeout. No host memory is
/// allocated, however many subscriptions, unless the guest overlaps the events with the
/// subscriptions: then a copy of its subscriptions.
pub fn poll_oneoff(
    mem: &mut GuestMemory<'_>,
    r#in: GuestPtr<Subscription>,
    out: GuestPtr<Event>,
    nsubscriptions: Size,
    clocks: &mut Clocks,
    stdio: &Stdio,
) -> Result<Size, Error<Errno>> {
    let poll = Poll::read(mem, r#in, out, nsubscriptions, clocks)?;
    let waited = match poll.wait {
        Some(wait) => {
            clocks.sleep_until(Clockid::Monotonic, poll.start[1].saturating_add(wait))?;
            poll.waited(clocks, wait)
        }
        None => 0,
    };
    poll.write_events(mem, waited, stdio)
}

/// [`poll_oneoff`] for a host on an async store: the same answers, but a sleep on the system
/// clock awaits a tokio timer ([`crate::lifecycle::sleep_async`]) instead of blocking the thread,
/// so that other guests run meanwhile; fixed and virtual clocks return at once, as there.
pub async fn poll_oneoff_async(
    mem: &mut GuestMemory<'_>,
    r#in: GuestPtr<Subscription>,
    out: GuestPtr<Event>,
    nsubscriptions: Size,
    clocks: &mut Clocks,
    stdio: &mut Stdio,
) -> Result<Size, Error<Errno>> {
    let poll = Poll::read(mem, r#in, out, nsubscriptions, clocks)?;
    let waited = match poll.wait {
        Some(wait) => {
            clocks
                .sleep_until_async(Clockid::Monotonic, poll.start[1].saturating_add(wait))
                .await?;
            poll.waited(clocks, wait)
        }
        None => 0,
    };
    poll.write_events(mem, waited, stdio)
}

/// A call of `poll_oneoff` with its subscriptions checked: what to wait for, and where the
/// events go.
struct Poll {
    out: GuestPtr<Event>,
    n: u32,
    /// Where the subscriptions are in guest memory.
    subscriptions: std::ops::Range<usize>,
    /// A copy of the subscriptions when the events would overwrite them.
    saved: Option<Vec<u8>>,
    /// Realtime and monotonic when the call began: every clock subscription's wait is measured
    /// from them.
    start: [u64; 2],
    /// How long to wait, in ns on the monotonic clock: none when an fd subscription is ready or
    /// there is no clock subscription.
    wait: Option<u64>,
}

impl Poll {
    /// Checks the arrays and every subscription, and finds the wait.
    fn read(
        mem: &GuestMemory<'_>,
        r#in: GuestPtr<Subscription>,
        out: GuestPtr<Event>,
        n: Size,
        clocks: &Clocks,
    ) -> Result<Poll, Error<Errno>> {
        if n == 0 {
            return Err(Errno::Inval.into());
        }
        mem.check_array(GuestArray::new(r#in, n))
            .map_err(|e| Error::from(e).in_arg("in"))?;
        mem.check_array(GuestArray::new(out, n))
            .map_err(|e| Error::from(e).in_arg("out"))?;
        let span = |at: u32, size: u32| at as usize..at as usize + n as usize * size as usize;
        let subscriptions = span(r#in.offset(), Subscription::SIZE);
        let events = span(out.offset(), Event::SIZE);
        // Every subscription is read as it was when the call began, and checked before any
        // event is written. When the events would land on subscriptions not yet read (a guest
        // may overlap the two arrays), the subscriptions are saved first: a copy no larger than
        // the guest's own array.
        let saved = (subscriptions.start < events.end && events.start < subscriptions.end)
            .then(|| mem.as_bytes()[subscriptions.clone()].to_vec());
        let mut poll = Poll {
            out,
            n,
            subscriptions,
            saved,
            start: [clocks.realtime(), clocks.monotonic()],
            wait: None,
        };
        let mut earliest: Option<u64> = None;
        let mut fd_ready = false;
        for i in 0..n {
            match poll.subscription(mem, i)?.u {
                SubscriptionU::Clock(c) => {
                    let wait = poll.remaining(c.id, c.timeout, c.flags);
                    earliest = Some(earliest.map_or(wait, |e| e.min(wait)));
                }
                SubscriptionU::FdRead(_) | SubscriptionU::FdWrite(_) => fd_ready = true,
            }
        }
        poll.wait = earliest.filter(|_| !fd_ready);
        Ok(poll)
    }

    /// The `i`th subscription, as it was when the call began.
    fn subscription(&self, mem: &GuestMemory<'_>, i: u32) -> Result<Subscription, GuestError> {
        let size = Subscription::SIZE as usize;
        let at = i as usize * size;
        match &self.saved {
            Some(saved) => Subscription::read_from(&saved[at..at + size]),
            None => {
                Subscription::read_from(&mem.as_bytes()[self.subscriptions.start + at..][..size])
            }
        }
    }

    /// How long a clock subscription waits from the start of the call.
    fn remaining(&self, id: Clockid, timeout: u64, flags: Subclockflags) -> u64 {
        let now = if id == Clockid::Realtime {
            self.start[0]
        } else {
            self.start[1]
        };
        if flags.contains(Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME) {
            timeout.saturating_sub(now)
        } else {
            timeout
        }
    }

    /// The time waited, after a wait of `wait` ns: at least that.
    fn waited(&self, clocks: &Clocks, wait: u64) -> u64 {
        clocks.monotonic().saturating_sub(self.start[1]).max(wait)
    }

    /// Writes one event per subscription that fired after `waited` ns, in subscription order,
    /// and returns their number.
    fn write_events(
        &self,
        mem: &mut GuestMemory<'_>,
        waited: u64,
        stdio: &Stdio,
    ) -> Result<Size, Error<Errno>> {
        let mut fired = 0;
        for i in 0..self.n {
            let sub = self.subscription(mem, i)?;
            let (r#type, error, nbytes, flags) = match sub.u {
                SubscriptionU::Clock(c) => {
                    if self.remaining(c.id, c.timeout, c.flags) > waited {
                        continue;
                    }
                    (Eventtype::Clock, Errno::Success, 0, Eventrwflags::empty())
                }
                SubscriptionU::FdRead(s) => fd_event(Eventtype::FdRead, s.file_descriptor, stdio),
                SubscriptionU::FdWrite(s) => fd_event(Eventtype::FdWrite, s.file_descriptor, stdio),
            };
            let event = Event {
                userdata: sub.userdata,
                error,
                r#type,
                fd_readwrite: EventFdReadwrite { nbytes, flags },
            };
            mem.write(self.out.at(fired)?, event)?;
            fired += 1;
        }
        Ok(fired)
    }
}

/// Stdin is readable (hung up at end-of-file), stdout and stderr writable; other fds are `EBADF`.
fn fd_event(r#type: Eventtype, fd: Fd, stdio: &Stdio) -> (Eventtype, Errno, u64, Eventrwflags) {
    match (r#type, fd.raw()) {
        (Eventtype::FdRead, 0) => {
            let left = stdio.stdin_remaining().len() as u64;
            let flags = if left == 0 {
                Eventrwflags::FD_READWRITE_HANGUP
            } else {
                Eventrwflags::empty()
            };
            (r#type, Errno::Success, left, flags)
        }
        (Eventtype::FdWrite, 1 | 2) => (r#type, Errno::Success, 0, Eventrwflags::empty()),
        _ => (r#type, Errno::Badf, 0, Eventrwflags::empty()),
    }
}
