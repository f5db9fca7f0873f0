//! The small functions the generated glue calls: lifting wasm arguments into checked guest
//! values, finding the host and memory of a call, and turning a host's outcome into the wasm
//! result or a trap. Hosts do not need these; they are public so that generated code (which lives
//! in other crates too) can reach them.

use wasmtime::{Caller, Extern};

use crate::{
    BadInput, Ctx, Error, ErrorCode, GuestArray, GuestError, GuestMemory, GuestPtr, GuestStr,
    GuestType, OnBadInput, OnNotImplemented, Policy, Scalar,
};

/// The host context and the guest memory for a call of a function that touches memory.
///
/// The memory bound with [`Ctx::bind_memory`] is used if there is one; otherwise the caller's
/// `memory` export is looked up. A guest without one gets [`GuestMemory::missing`].
// Always inlined: shared by every generated function, it is otherwise left out of line and its
// result travels through memory, which costs more than the rest of a small call.
#[inline(always)]
pub fn enter<'a, T: 'static, H: 'a>(
    caller: &'a mut Caller<'_, T>,
    get: &impl Fn(&mut T) -> &mut Ctx<H>,
) -> (&'a mut Ctx<H>, GuestMemory<'a>) {
    let memory = match get(caller.data_mut()).memory() {
        Some(memory) => Some(memory),
        None => match caller.get_export("memory") {
            Some(Extern::Memory(memory)) => Some(memory),
            _ => None,
        },
    };
    match memory {
        Some(memory) => {
            let (bytes, data) = memory.data_and_store_mut(caller);
            (get(data), GuestMemory::new(bytes))
        }
        None => (get(caller.data_mut()), GuestMemory::missing()),
    }
}

/// The host context for a call of a function that never touches memory.
#[inline(always)]
pub fn enter_without_memory<'a, T: 'static, H: 'a>(
    caller: &'a mut Caller<'_, T>,
    get: &impl Fn(&mut T) -> &mut Ctx<H>,
) -> (&'a mut Ctx<H>, GuestMemory<'a>) {
    (get(caller.data_mut()), GuestMemory::missing())
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
pub fn errno_result<E: ErrorCode>(
    policy: &Policy,
    func: &'static str,
    result: Result<(), Error<E>>,
) -> wasmtime::Result<u64> {
    match result {
        Ok(()) => Ok(0),
        Err(Error::Errno(code)) => Ok(code.raw()),
        Err(error) => failure(policy, func, error).map(E::raw),
    }
}

/// The wasm result of a function whose witx result is a plain value: errors of such functions
/// can only trap.
#[inline]
pub fn value_result<V, E: ErrorCode>(
    policy: &Policy,
    func: &'static str,
    result: Result<V, Error<E>>,
) -> wasmtime::Result<V> {
    match result {
        Ok(v) => Ok(v),
        Err(error) => Err(match failure(policy, func, error) {
            Ok(code) => wasmtime::Error::msg(format!(
                "{func}: failed with `{}`, which this function cannot return",
                code.name()
            )),
            Err(trap) => trap,
        }),
    }
}

/// The error code a failed call returns, or the trap it ends with, under `policy`.
#[cold]
pub fn failure<E: ErrorCode>(
    policy: &Policy,
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
            code.ok_or_else(|| {
                wasmtime::Error::msg(format!("{func}: not implemented by this host"))
            })
        }
        Error::Trap(trap) => Err(trap),
    }
}
