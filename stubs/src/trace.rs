//! Tracing of WASI calls: with [`Ctx::set_tracing`](crate::Ctx::set_tracing) on, every call of a
//! generated function emits a `tracing` event (target `wasi_stubs::trace`, level `INFO`) such as
//! `fd_write(fd=1, iovs=1 [12 bytes]) -> Ok(12)`: the arguments as the guest passed them, then
//! what the guest gets back after the [`Policy`](crate::Policy) (`Err(nosys) (not implemented)`,
//! ``Err(inval) (bad `id`: ...)``, `exit(7)`, `trap: ...`).
//!
//! When it is off, an ordinary call does not pay for it: see [`crate::glue::enter`].

use std::fmt::Write;

use crate::{Exit, GuestArray, GuestBuffer, GuestMemory, GuestPtr, GuestStr, GuestType};

/// How a value shows in a trace line: enum cases by name, flags by names, strings by their
/// (truncated) contents, pointers in hex.
pub trait TraceArg {
    /// Appends the value to `out`; `mem` is the guest's memory, for what a value points at.
    fn trace(&self, mem: &GuestMemory<'_>, out: &mut String);
}

macro_rules! trace_display {
    ($($t:ty),*) => {$(
        impl TraceArg for $t {
            fn trace(&self, _: &GuestMemory<'_>, out: &mut String) {
                let _ = write!(out, "{self}");
            }
        }
    )*};
}

trace_display!(u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, char);

impl<T> TraceArg for GuestPtr<T> {
    fn trace(&self, _: &GuestMemory<'_>, out: &mut String) {
        let _ = write!(out, "{:#x}", self.offset());
    }
}

impl<T> TraceArg for GuestArray<T> {
    fn trace(&self, _: &GuestMemory<'_>, out: &mut String) {
        let _ = write!(out, "{}", self.len());
    }
}

/// The longest string shown whole in a trace line.
const STRING_LIMIT: usize = 64;

impl TraceArg for GuestStr {
    fn trace(&self, mem: &GuestMemory<'_>, out: &mut String) {
        match mem.str(*self) {
            Ok(s) if s.len() <= STRING_LIMIT => {
                let _ = write!(out, "{s:?}");
            }
            Ok(s) => {
                let cut = (0..=STRING_LIMIT)
                    .rev()
                    .find(|i| s.is_char_boundary(*i))
                    .unwrap_or(0);
                let _ = write!(out, "{:?}… ({} bytes)", &s[..cut], s.len());
            }
            Err(e) => {
                let _ = write!(out, "<{e}>");
            }
        }
    }
}

/// A list of buffers: its count and the bytes they hold, `iovs=2 [12 bytes]`.
pub fn buffers<B: GuestBuffer>(bufs: GuestArray<B>, mem: &GuestMemory<'_>, out: &mut String) {
    let mut total = 0u64;
    let mut bad = false;
    for i in 0..bufs.len() {
        match bufs.get(i).map(|p| mem.read(p)) {
            Some(Ok(b)) => total += u64::from(b.buffer().1),
            _ => bad = true,
        }
    }
    if bad {
        let _ = write!(out, "{} [unreadable]", bufs.len());
    } else {
        let _ = write!(out, "{} [{total} bytes]", bufs.len());
    }
}

/// A value read from memory (a record or union passed by address, or a result written back).
pub fn read<T: GuestType + TraceArg>(ptr: i32, mem: &GuestMemory<'_>, out: &mut String) {
    match mem.read(GuestPtr::<T>::new(ptr as u32)) {
        Ok(v) => v.trace(mem, out),
        Err(e) => {
            let _ = write!(out, "<{e}>");
        }
    }
}

/// A scalar as passed, decoded if it is valid.
pub fn scalar<S: crate::Scalar + TraceArg>(raw: u64, mem: &GuestMemory<'_>, out: &mut String) {
    match S::lift(raw) {
        Ok(v) => v.trace(mem, out),
        Err(_) => {
            let _ = write!(out, "{raw} (invalid)");
        }
    }
}

/// A traced call's line before its outcome: the call as described before the host ran, and why
/// it failed when its error code does not say it all.
#[derive(Debug)]
pub struct Line {
    pub(crate) call: String,
    pub(crate) note: Option<String>,
}

/// Ends a trace line with what the guest gets (the wasm result, after the policy, shown by
/// `ok`, or the trap) and emits it.
pub fn emit<W>(
    Line {
        call: mut line,
        note,
    }: Line,
    outcome: Result<W, &wasmtime::Error>,
    ok: impl FnOnce(W, &mut String),
) {
    line.push_str(" -> ");
    match outcome {
        Ok(value) => ok(value, &mut line),
        Err(trap) => {
            let _ = match trap.downcast_ref::<Exit>() {
                Some(exit) => write!(line, "exit({})", exit.code),
                None => write!(line, "trap: {trap}"),
            };
        }
    }
    if let Some(note) = note {
        let _ = write!(line, " ({note})");
    }
    tracing::info!(target: "wasi_stubs::trace", "{line}");
}
