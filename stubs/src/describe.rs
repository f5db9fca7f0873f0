//! How a traced call shows: its arguments and results decoded from the wasm values, for the trace
//! line (see [`crate::trace`]). Generated code calls these (through `wasi_stubs::__private`).

use std::fmt::Write;

use crate::memory::Scalar;
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

/// A core wasm integer as the raw bits a scalar is lifted from: an `i32` zero-extended.
pub trait WasmInt: Copy {
    /// The bits.
    fn raw(self) -> u64;
}

impl WasmInt for i32 {
    #[inline]
    fn raw(self) -> u64 {
        u64::from(self as u32)
    }
}

impl WasmInt for i64 {
    #[inline]
    fn raw(self) -> u64 {
        self as u64
    }
}

/// `label` and a scalar as passed, decoded if it is valid (`fd=1`, `whence=7 (invalid)`).
pub fn trace_scalar<S: Scalar + TraceArg>(
    label: &str,
    raw: impl WasmInt,
    mem: &GuestMemory<'_>,
    out: &mut String,
) {
    out.push_str(label);
    let raw = raw.raw();
    match S::lift(raw) {
        Ok(v) => v.trace(mem, out),
        Err(_) => {
            let _ = write!(out, "{raw} (invalid)");
        }
    }
}

/// `label` and a value as it is (a float).
pub fn trace_value<V: TraceArg>(label: &str, value: V, mem: &GuestMemory<'_>, out: &mut String) {
    out.push_str(label);
    value.trace(mem, out);
}

/// `label` and a string argument: its contents, shortened.
pub fn trace_str(label: &str, ptr: i32, len: i32, mem: &GuestMemory<'_>, out: &mut String) {
    trace_value(
        label,
        GuestStr::new(GuestPtr::new(ptr as u32), len as u32),
        mem,
        out,
    );
}

/// `label` and a list argument: its length.
pub fn trace_array<T>(label: &str, ptr: i32, len: i32, mem: &GuestMemory<'_>, out: &mut String) {
    trace_value(
        label,
        GuestArray::<T>::new(GuestPtr::new(ptr as u32), len as u32),
        mem,
        out,
    );
}

/// `label` and a list of buffers: its count and the bytes they hold, `iovs=2 [12 bytes]`.
pub fn trace_buffers<B: GuestBuffer>(
    label: &str,
    ptr: i32,
    len: i32,
    mem: &GuestMemory<'_>,
    out: &mut String,
) {
    out.push_str(label);
    let bufs = GuestArray::<B>::new(GuestPtr::new(ptr as u32), len as u32);
    // A list that is not in memory as a whole is not read entry by entry: its length is the
    // guest's to choose, up to 2^32.
    let mut bad = mem.check_array(bufs).is_err();
    let mut total = 0u64;
    for i in 0..if bad { 0 } else { bufs.len() } {
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

/// `label` and a value read from memory (a record or union passed by address, or a result
/// written back).
pub fn trace_read<T: GuestType + TraceArg>(
    label: &str,
    ptr: i32,
    mem: &GuestMemory<'_>,
    out: &mut String,
) {
    out.push_str(label);
    match mem.read(GuestPtr::<T>::new(ptr as u32)) {
        Ok(v) => v.trace(mem, out),
        Err(e) => {
            let _ = write!(out, "<{e}>");
        }
    }
}

/// What a traced call of a function with an error code gives the guest: `Ok` (and `true`, for
/// the caller to add the results it wrote) or `Err(badf)`.
pub fn report_errno<E: Scalar + TraceArg>(
    value: impl WasmInt,
    mem: &GuestMemory<'_>,
    out: &mut String,
) -> bool {
    if value.raw() == 0 {
        out.push_str("Ok");
        true
    } else {
        trace_scalar::<E>("Err(", value, mem, out);
        out.push(')');
        false
    }
}

/// A traced call's line before its outcome: the call as described before the host ran, and why
/// it failed when its error code does not say it all.
#[derive(Debug)]
pub(crate) struct Line {
    pub(crate) call: String,
    pub(crate) note: Option<String>,
}

/// Ends a trace line with what the guest gets (the wasm result, after the policy, shown by
/// `ok`, or the trap) and emits it.
#[cold]
#[inline(never)]
pub(crate) fn emit<W>(
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
    tracing::info!(target: crate::trace::TARGET, "{line}");
}
