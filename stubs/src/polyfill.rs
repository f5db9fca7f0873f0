//! The hand-written part of the `wasi_unstable` polyfill: what the generator cannot derive from
//! the two documents.
//!
//! Only `poll_oneoff` is here. Its subscriptions sit in guest memory behind a pointer, and a
//! snapshot_0 subscription is 56 bytes (its clock has a leading `identifier`) where a preview1 one
//! is 48: a preview1 host reading them in place would read garbage from the second one on. The
//! polyfill never rewrites guest memory: it reads each subscription with its own stride, converts
//! it (with the generated conversion, which pairs fields and cases by name), hands the host a
//! scratch memory holding the preview1 subscriptions and room for the events, and copies the
//! events the host wrote back to the guest. The scratch memory is allocated only once every
//! subscription has been read and converted: an invalid one costs nothing, and valid ones cost
//! 80 bytes for each 56 the guest holds (`ENOMEM` if the host cannot have them).

use crate::{Error, GuestArray, GuestError, GuestMemory, GuestPtr, GuestType};
use crate::{preview0 as p0, preview1 as p1};

/// A value of one document's type converted to the corresponding type of another document: what
/// a generated polyfill uses to serve an older module from a host of a newer one. Enum cases,
/// flags, fields and union cases are paired by name.
pub trait Polyfill<T>: Sized {
    /// The converted value; [`GuestError::InvalidValue`] for a parameter the target cannot express,
    /// [`GuestError::ResultOverflow`] for a result the older type cannot hold.
    fn polyfill(self) -> Result<T, GuestError>;
}

/// `poll_oneoff` of `wasi_unstable`, served by a preview1 host.
pub fn poll_oneoff<H: p1::WasiSnapshotPreview1 + ?Sized>(
    host: &mut H,
    mem: &mut GuestMemory<'_>,
    r#in: GuestPtr<p0::Subscription>,
    out: GuestPtr<p0::Event>,
    nsubscriptions: p0::Size,
) -> Result<p0::Size, Error<p0::Errno>> {
    let mut scratch = Scratch::new(mem, r#in, out, nsubscriptions)?;
    let mut view = GuestMemory::new(&mut scratch.bytes);
    let nevents = host
        .poll_oneoff(&mut view, scratch.r#in, scratch.out, nsubscriptions)
        .map_err(|e| e.map_code(Polyfill::polyfill))?;
    scratch.events_back(mem, out, nevents)
}

/// `poll_oneoff` of `wasi_unstable`, served by a host of preview1's async trait: the same
/// conversions around an awaited call (for the async form of the polyfill).
pub async fn poll_oneoff_async<H: p1::WasiSnapshotPreview1Async>(
    host: &mut H,
    mem: &mut GuestMemory<'_>,
    r#in: GuestPtr<p0::Subscription>,
    out: GuestPtr<p0::Event>,
    nsubscriptions: p0::Size,
) -> Result<p0::Size, Error<p0::Errno>> {
    let mut scratch = Scratch::new(mem, r#in, out, nsubscriptions)?;
    let mut view = GuestMemory::new(&mut scratch.bytes);
    let nevents = host
        .poll_oneoff(&mut view, scratch.r#in, scratch.out, nsubscriptions)
        .await
        .map_err(|e| e.map_code(Polyfill::polyfill))?;
    scratch.events_back(mem, out, nevents)
}

/// The preview1 subscriptions of a snapshot_0 `poll_oneoff`, and room for the events, in a
/// memory of their own.
struct Scratch {
    bytes: Vec<u8>,
    r#in: GuestPtr<p1::Subscription>,
    out: GuestPtr<p1::Event>,
    n: u32,
}

impl Scratch {
    /// Checks both of the guest's arrays and converts every subscription.
    fn new(
        mem: &GuestMemory<'_>,
        r#in: GuestPtr<p0::Subscription>,
        out: GuestPtr<p0::Event>,
        n: p0::Size,
    ) -> Result<Scratch, Error<p0::Errno>> {
        // Both arrays are checked before the host runs; their size bounds the scratch memory by
        // the guest's own memory.
        mem.check_array(GuestArray::new(r#in, n))
            .map_err(|e| Error::from(e).in_arg("in"))?;
        mem.check_array(GuestArray::new(out, n))
            .map_err(|e| Error::from(e).in_arg("out"))?;

        // Every subscription is read and converted before anything is allocated, so that a bad
        // one (say the last of millions) costs the host nothing.
        for i in 0..n {
            let _: p1::Subscription = mem.read(r#in.at(i)?)?.polyfill()?;
        }

        let subscriptions_len = n as usize * p1::Subscription::SIZE as usize;
        let events_at = subscriptions_len.next_multiple_of(p1::Event::ALIGN as usize);
        let scratch_len = events_at + n as usize * p1::Event::SIZE as usize;
        let mut bytes = Vec::new();
        if bytes.try_reserve_exact(scratch_len).is_err() {
            return Err(p0::Errno::Nomem.into());
        }
        bytes.resize(scratch_len, 0u8);
        let mut view = GuestMemory::new(&mut bytes);
        let new_in = GuestPtr::<p1::Subscription>::new(0);
        let new_out = GuestPtr::<p1::Event>::new(events_at as u32);
        for i in 0..n {
            let subscription: p1::Subscription = mem.read(r#in.at(i)?)?.polyfill()?;
            view.write(new_in.at(i)?, subscription)?;
        }
        Ok(Scratch {
            bytes,
            r#in: new_in,
            out: new_out,
            n,
        })
    }

    /// Copies the `nevents` events the host wrote back to the guest, converted.
    fn events_back(
        &mut self,
        mem: &mut GuestMemory<'_>,
        out: GuestPtr<p0::Event>,
        nevents: p0::Size,
    ) -> Result<p0::Size, Error<p0::Errno>> {
        let n = self.n;
        if nevents > n {
            return Err(Error::trap(format!(
                "poll_oneoff: the host reported {nevents} events for {n} subscriptions"
            )));
        }
        let view = GuestMemory::new(&mut self.bytes);
        // Every event is converted before the first is written, so that a call that fails leaves
        // the guest's memory as it was (`out` was checked whole in `new`).
        for i in 0..nevents {
            let _: p0::Event = view.read(self.out.at(i)?)?.polyfill()?;
        }
        for i in 0..nevents {
            let event: p0::Event = view.read(self.out.at(i)?)?.polyfill()?;
            mem.write(out.at(i)?, event)?;
        }
        Ok(nevents)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whence_is_converted_by_name_not_by_value() {
        // snapshot_0: cur=0 end=1 set=2; preview1: set=0 cur=1 end=2.
        assert_eq!(p0::Whence::Cur.polyfill(), Ok(p1::Whence::Cur));
        assert_eq!(p0::Whence::End.polyfill(), Ok(p1::Whence::End));
        assert_eq!(p0::Whence::Set.polyfill(), Ok(p1::Whence::Set));
        assert_eq!(p0::Whence::Cur.raw(), 0);
        assert_eq!(p1::Whence::Set.raw(), 0);
    }

    #[test]
    fn filestat_narrows_nlink_with_a_check() {
        let stat = |nlink| p1::Filestat {
            dev: 1,
            ino: 2,
            filetype: p1::Filetype::RegularFile,
            nlink,
            size: 3,
            atim: 4,
            mtim: 5,
            ctim: 6,
        };
        let old: p0::Filestat = stat(7).polyfill().unwrap();
        assert_eq!((old.dev, old.ino, old.nlink, old.size), (1, 2, 7, 3));
        assert_eq!(old.filetype, p0::Filetype::RegularFile);
        assert_eq!((old.atim, old.mtim, old.ctim), (4, 5, 6));
        assert_eq!(
            Polyfill::<p0::Filestat>::polyfill(stat(u64::from(u32::MAX) + 1)),
            Err(GuestError::ResultOverflow { ty: "linkcount" })
        );
        assert_eq!(<p0::Filestat as GuestType>::SIZE, 56);
        assert_eq!(<p1::Filestat as GuestType>::SIZE, 64);
    }

    #[test]
    fn rights_pair_by_name_and_sock_accept_is_dropped_on_the_way_back() {
        let old = p0::Rights::FD_READ | p0::Rights::SOCK_SHUTDOWN;
        let new: p1::Rights = old.polyfill().unwrap();
        assert_eq!(new, p1::Rights::FD_READ | p1::Rights::SOCK_SHUTDOWN);
        let back: p0::Rights = (new | p1::Rights::SOCK_ACCEPT).polyfill().unwrap();
        assert_eq!(back, old);
        assert_eq!(
            p1::Rights::all().bits().count_ones(),
            p0::Rights::all().bits().count_ones() + 1
        );
    }

    #[test]
    fn a_clock_subscription_loses_its_identifier() {
        let old = p0::Subscription {
            userdata: 9,
            u: p0::SubscriptionU::Clock(p0::SubscriptionClock {
                identifier: 77,
                id: p0::Clockid::Monotonic,
                timeout: 1_000,
                precision: 10,
                flags: p0::Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME,
            }),
        };
        let new: p1::Subscription = old.polyfill().unwrap();
        assert_eq!(
            new,
            p1::Subscription {
                userdata: 9,
                u: p1::SubscriptionU::Clock(p1::SubscriptionClock {
                    id: p1::Clockid::Monotonic,
                    timeout: 1_000,
                    precision: 10,
                    flags: p1::Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME,
                }),
            }
        );
        assert_eq!(<p0::Subscription as GuestType>::SIZE, 56);
        assert_eq!(<p1::Subscription as GuestType>::SIZE, 48);
    }
}
