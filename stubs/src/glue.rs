//! The small functions the generated glue calls: lifting wasm arguments into checked guest
//! values, finding the host and memory of a call, and turning a host's outcome into the wasm
//! result or a trap. Hosts do not need these; they are public so that generated code (which lives
//! in other crates too) can reach them.

use wasmtime::{Caller, Extern, Memory};

use crate::ctx::Trace;
use crate::trace::Line;
use crate::{
    BadInput, Ctx, Error, ErrorCode, GuestArray, GuestError, GuestMemory, GuestPtr, GuestStr,
    GuestType, OnBadInput, OnNotImplemented, Policy, Scalar,
};

/// The host context, the guest memory and whether the call is traced, for a call of a function
/// that touches memory.
///
/// The memory bound with [`Ctx::bind_memory`] is used if there is one; otherwise the caller's
/// `memory` export is looked up. A guest without one gets [`GuestMemory::missing`].
///
/// An ordinary call (memory bound, tracing off) tests one field of the context and branches
/// once, as it would with no tracing switch, and gets a constant `false`. Only a call whose
/// memory is not bound, or that is traced, reads the switch.
// Always inlined: shared by every generated function, it is otherwise left out of line and its
// result travels through memory, which costs more than the rest of a small call.
#[inline(always)]
pub fn enter<'a, T: 'static, H: 'a>(
    caller: &'a mut Caller<'_, T>,
    get: &impl Fn(&mut T) -> &mut Ctx<H>,
) -> (&'a mut Ctx<H>, GuestMemory<'a>, bool) {
    match get(caller.data_mut()).fast {
        Some(memory) => {
            let (bytes, data) = memory.data_and_store_mut(caller);
            (get(data), GuestMemory::new(bytes), false)
        }
        // Only the lookup is out of line: what is merged with the path above are a few values
        // in registers, not a structure returned through memory.
        None => match find_memory(caller, get) {
            Some(memory) => {
                let (bytes, data) = memory.data_and_store_mut(caller);
                let ctx = get(data);
                let traced = ctx.tracing();
                (ctx, GuestMemory::new(bytes), traced)
            }
            None => {
                let ctx = get(caller.data_mut());
                let traced = ctx.tracing();
                (ctx, GuestMemory::missing(), traced)
            }
        },
    }
}

/// The guest memory of a call on the slow path: the bound one, else the caller's `memory`
/// export.
#[cold]
#[inline(never)]
fn find_memory<T: 'static, H>(
    caller: &mut Caller<'_, T>,
    get: &impl Fn(&mut T) -> &mut Ctx<H>,
) -> Option<Memory> {
    match get(caller.data_mut()).memory() {
        Some(memory) => Some(memory),
        None => match caller.get_export("memory") {
            Some(Extern::Memory(memory)) => Some(memory),
            _ => None,
        },
    }
}

/// The host context, no memory and whether the call is traced, for a call of a function that
/// never touches memory.
#[inline(always)]
pub fn enter_without_memory<'a, T: 'static, H: 'a>(
    caller: &'a mut Caller<'_, T>,
    get: &impl Fn(&mut T) -> &mut Ctx<H>,
) -> (&'a mut Ctx<H>, GuestMemory<'a>, bool) {
    let ctx = get(caller.data_mut());
    let traced = ctx.tracing();
    (ctx, GuestMemory::missing(), traced)
}

/// Keeps the start of a traced call's trace line (its name and arguments, described before the
/// call) until [`end_trace`].
#[cold]
pub fn begin_trace<H>(ctx: &mut Ctx<H>, line: String) {
    ctx.trace.line = Some(line);
    ctx.trace.note = None;
}

/// Gives back the wasm result of a call, after handing it with the trace line kept by
/// [`begin_trace`] to `report` if calls are traced.
///
/// What an ordinary call pays for this is one test of the context's tracing switch after the
/// host's method: nothing of the call is kept across the method for it, and the result is taken
/// apart by value, so that it stays in registers.
// Nested calls cannot mix up trace lines: a host method has no `Caller`, so it cannot call back
// into the guest while its own line is kept.
#[inline(always)]
pub fn end_trace<H, W>(
    ctx: &mut Ctx<H>,
    outcome: wasmtime::Result<W>,
    report: impl FnOnce(Line, Result<W, &wasmtime::Error>),
) -> wasmtime::Result<W>
where
    W: Copy,
{
    let line = if ctx.tracing() { end_line(ctx) } else { None };
    match outcome {
        Ok(value) => {
            if let Some(line) = line {
                report(line, Ok(value));
            }
            Ok(value)
        }
        Err(trap) => {
            if let Some(line) = line {
                report(line, Err(&trap));
            }
            Err(trap)
        }
    }
}

#[cold]
fn end_line<H>(ctx: &mut Ctx<H>) -> Option<Line> {
    let call = ctx.trace.line.take()?;
    Some(Line {
        call,
        note: ctx.trace.note.take(),
    })
}

/// Names the parameter a guest error came from.
#[inline]
pub fn arg<T, E>(name: &'static str, value: Result<T, GuestError>) -> Result<T, Error<E>> {
    match value {
        Ok(v) => Ok(v),
        Err(error) => Err(Error::from(error).in_arg(name)),
    }
}

/// Lifts a scalar passed as an `i32`.
#[inline]
pub fn lift32<S: Scalar>(raw: i32) -> Result<S, GuestError> {
    S::lift(u64::from(raw as u32))
}

/// Lifts a scalar passed as an `i64`.
#[inline]
pub fn lift64<S: Scalar>(raw: i64) -> Result<S, GuestError> {
    S::lift(raw as u64)
}

/// Lowers a scalar returned as an `i32`.
#[inline]
pub fn lower32<S: Scalar>(value: S) -> i32 {
    value.lower() as u32 as i32
}

/// Lowers a scalar returned as an `i64`.
#[inline]
pub fn lower64<S: Scalar>(value: S) -> i64 {
    value.lower() as i64
}

/// A list argument, checked for bounds and alignment.
#[inline]
pub fn array<T: GuestType>(
    mem: &GuestMemory<'_>,
    ptr: i32,
    len: i32,
) -> Result<GuestArray<T>, GuestError> {
    let array = GuestArray::new(GuestPtr::new(ptr as u32), len as u32);
    mem.check_array(array)?;
    Ok(array)
}

/// A string argument, checked for bounds and UTF-8.
#[inline]
pub fn string(mem: &GuestMemory<'_>, ptr: i32, len: i32) -> Result<GuestStr, GuestError> {
    let s = GuestStr::new(GuestPtr::new(ptr as u32), len as u32);
    mem.str(s)?;
    Ok(s)
}

/// A record or union passed by address, read from memory.
#[inline]
pub fn read<T: GuestType>(mem: &GuestMemory<'_>, ptr: i32) -> Result<T, GuestError> {
    mem.read(GuestPtr::new(ptr as u32))
}

/// A pointer the glue writes a result to, checked before the host runs so that a bad one means
/// the host is never called.
#[inline]
pub fn out_ptr<T: GuestType>(mem: &GuestMemory<'_>, ptr: i32) -> Result<GuestPtr<T>, GuestError> {
    let ptr = GuestPtr::new(ptr as u32);
    mem.check(ptr)?;
    Ok(ptr)
}

/// The wasm result of a function whose witx result is `(expected _ (error E))`: 0 on success, the
/// error code or a trap otherwise.
#[inline]
pub fn errno_result<E: ErrorCode, H>(
    ctx: &mut Ctx<H>,
    func: &'static str,
    result: Result<(), Error<E>>,
) -> wasmtime::Result<u64> {
    match result {
        Ok(()) => Ok(0),
        Err(Error::Errno(code)) => Ok(code.raw()),
        Err(error) => failure(&ctx.policy, &mut ctx.trace, func, error).map(E::raw),
    }
}

/// The wasm result of a function whose witx result is a plain value: errors of such functions
/// can only trap.
#[inline]
pub fn value_result<V, E: ErrorCode, H>(
    ctx: &mut Ctx<H>,
    func: &'static str,
    result: Result<V, Error<E>>,
) -> wasmtime::Result<V> {
    match result {
        Ok(v) => Ok(v),
        Err(error) => Err(match failure(&ctx.policy, &mut ctx.trace, func, error) {
            Ok(code) => wasmtime::Error::msg(format!(
                "{func}: failed with `{}`, which this function cannot return",
                code.name()
            )),
            Err(trap) => trap,
        }),
    }
}

/// The error code a failed call returns, or the trap it ends with, under `policy`; with tracing
/// on, why the call failed is noted for its trace line.
#[cold]
fn failure<E: ErrorCode>(
    policy: &Policy,
    trace: &mut Trace,
    func: &'static str,
    error: Error<E>,
) -> wasmtime::Result<E> {
    match error {
        Error::Errno(code) => Ok(code),
        Error::BadInput(bad) => {
            let BadInput { arg, error } = *bad;
            let code = match policy.on_bad_input() {
                OnBadInput::Errno => E::from_name(error.errno_name()),
                OnBadInput::Trap => None,
            };
            // A trap's message says it all; an error code does not.
            if trace.on && code.is_some() {
                trace.note = Some(match arg {
                    Some(arg) => format!("bad `{arg}`: {error}"),
                    None => format!("bad input: {error}"),
                });
            }
            code.ok_or_else(|| match arg {
                Some(arg) => wasmtime::Error::msg(format!("{func}: argument `{arg}`: {error}")),
                None => wasmtime::Error::msg(format!("{func}: {error}")),
            })
        }
        Error::NotImplemented => {
            let code = match policy.for_function(func) {
                OnNotImplemented::Nosys => E::from_name("nosys"),
                OnNotImplemented::Errno(name) => E::from_name(name),
                OnNotImplemented::LogThenNosys => {
                    log::warn!(target: "wasi_stubs", "{func}: not implemented by this host, answering nosys");
                    E::from_name("nosys")
                }
                OnNotImplemented::Trap => None,
            };
            if trace.on && code.is_some() {
                trace.note = Some("not implemented".to_owned());
            }
            code.ok_or_else(|| {
                wasmtime::Error::msg(format!("{func}: not implemented by this host"))
            })
        }
        Error::Trap(trap) => Err(trap),
    }
}
