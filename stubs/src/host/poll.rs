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
    let n = nsubscriptions;
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
    // Every subscription is read as it was when the call began, and checked before any event is
    // written. When the events would land on subscriptions not yet read (a guest may overlap the
    // two arrays), the subscriptions are saved first: a copy no larger than the guest's own array.
    let saved = (subscriptions.start < events.end && events.start < subscriptions.end)
        .then(|| mem.as_bytes()[subscriptions.clone()].to_vec());
    let size = Subscription::SIZE as usize;
    let read = |mem: &GuestMemory<'_>, i: u32| -> Result<Subscription, GuestError> {
        let at = i as usize * size;
        match &saved {
            Some(saved) => Subscription::read_from(&saved[at..at + size]),
            None => Subscription::read_from(&mem.as_bytes()[subscriptions.start + at..][..size]),
        }
    };

    // Each clock subscription's wait is measured from the same two readings.
    let start = [clocks.realtime(), clocks.monotonic()];
    let remaining = |id: Clockid, timeout: u64, flags: Subclockflags| -> u64 {
        let now = if id == Clockid::Realtime {
            start[0]
        } else {
            start[1]
        };
        if flags.contains(Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME) {
            timeout.saturating_sub(now)
        } else {
            timeout
        }
    };
    let mut earliest: Option<u64> = None;
    let mut fd_ready = false;
    for i in 0..n {
        match read(mem, i)?.u {
            SubscriptionU::Clock(c) => {
                let wait = remaining(c.id, c.timeout, c.flags);
                earliest = Some(earliest.map_or(wait, |e| e.min(wait)));
            }
            SubscriptionU::FdRead(_) | SubscriptionU::FdWrite(_) => fd_ready = true,
        }
    }
    let waited = match (fd_ready, earliest) {
        (false, Some(wait)) => {
            clocks.sleep_until(Clockid::Monotonic, start[1].saturating_add(wait))?;
            clocks.monotonic().saturating_sub(start[1]).max(wait)
        }
        _ => 0,
    };

    let mut fired = 0;
    for i in 0..n {
        let sub = read(mem, i)?;
        let (r#type, error, nbytes, flags) = match sub.u {
            SubscriptionU::Clock(c) => {
                if remaining(c.id, c.timeout, c.flags) > waited {
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
        mem.write(out.at(fired)?, event)?;
        fired += 1;
    }
    Ok(fired)
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
