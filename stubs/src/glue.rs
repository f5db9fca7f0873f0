//! What the generated glue calls: [`link`] links one function ([`link_async`] one whose host
//! method is async), and [`run`] is the sequence of every call (find the host and memory, describe a traced call, lift the arguments and call the
//! host, turn its outcome into the wasm result or a trap, end the trace line); the small functions
//! below lift wasm arguments into checked guest values. Hosts do not need these; they are public
//! (in `wasi_stubs::__private`) so that generated code, which lives in other crates too, can reach
//! them.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;

use wasmtime::{Caller, Extern, Linker, Memory, WasmRet, WasmTy};

use crate::ctx::Trace;
use crate::describe::Line;
use crate::error::ErrorCode;
use crate::memory::Scalar;
use crate::{
    BadInput, Ctx, Error, GuestArray, GuestError, GuestMemory, GuestPtr, GuestStr, GuestType,
    NoErrorCode, OnBadInput, OnNotImplemented, Policy,
};

/// What the glue knows of one function besides its call: its import name and how a traced call
/// shows. `A` is the tuple of its core wasm parameters, `W` its core wasm result (`()` for none),
/// and `MEMORY` whether a call touches guest memory (the host's method takes it, or the glue reads
/// a parameter from it or writes a result to it); a call of a function that does not is not
/// slowed by looking up a memory.
pub struct Func<A, W, const MEMORY: bool> {
    /// The import name.
    pub name: &'static str,
    /// Appends the arguments of a traced call, as the guest passed them, to its trace line
    /// (`fd=1, iovs=1 [12 bytes]`).
    pub describe: fn(&GuestMemory<'_>, A, &mut String),
    /// Appends what a traced call that did not trap gives the guest (`Ok(12)`, `Err(badf)`); it
    /// gets the wasm arguments too, to read the results it points at.
    pub report: fn(W, &GuestMemory<'_>, A, &mut String),
}

/// The `report` of a function whose wasm result is nothing: `Ok`.
pub fn report_unit<A>((): (), _: &GuestMemory<'_>, _: A, out: &mut String) {
    out.push_str("Ok");
}

/// Links the function `func` of `module` into `linker`, with `call` between its core wasm
/// arguments and the host that `get` finds in the store's data.
///
/// `func` gives the function's constant (`|| &FN_FD_WRITE`): through a closure, so that the
/// constant's address is known where the call is compiled rather than loaded from the linked
/// closure, and its name and functions cost the ordinary call nothing. `call` lifts the arguments
/// into the host method's, calls it and writes its results (if it succeeds); [`run`] does the
/// rest.
#[inline]
pub fn link<T, H, A, W, R, const MEMORY: bool>(
    linker: &mut Linker<T>,
    module: &str,
    get: impl Fn(&mut T) -> &mut Ctx<H> + Send + Sync + Copy + 'static,
    func: impl Fn() -> &'static Func<A, W, MEMORY> + Send + Sync + Copy + 'static,
    call: impl Fn(&mut H, &mut GuestMemory<'_>, A) -> R + Send + Sync + Copy + 'static,
) -> wasmtime::Result<()>
where
    T: 'static,
    H: 'static,
    A: WasmArgs,
    W: Copy + 'static,
    wasmtime::Result<W>: WasmRet,
    R: Outcome<W>,
{
    A::link(linker, module, func().name, move |caller, args| {
        run(caller, &get, func(), args, call)
    })
}

/// The future of an async host method's `call_` function, borrowing the host and guest memory.
pub type BoxFuture<'a, R> = Pin<Box<dyn Future<Output = R> + Send + 'a>>;

/// Links the function `func` of `module` into `linker` as [`link`] does, for a host method that
/// is async: `call` returns a future, which the call awaits (with `Linker::func_wrap_async`), so
/// that an instance run with `call_async` lets other tasks run while the host waits.
///
/// The call is the same sequence as [`run`]'s: the guest is suspended while the host waits, so
/// the context and guest memory it was given stay its own until the future ends.
#[inline]
pub fn link_async<T, H, A, W, R, const MEMORY: bool>(
    linker: &mut Linker<T>,
    module: &str,
    get: impl Fn(&mut T) -> &mut Ctx<H> + Send + Sync + Copy + 'static,
    func: impl Fn() -> &'static Func<A, W, MEMORY> + Send + Sync + Copy + 'static,
    call: impl for<'a, 'm> Fn(&'a mut H, &'a mut GuestMemory<'m>, A) -> BoxFuture<'a, R>
    + Send
    + Sync
    + Copy
    + 'static,
) -> wasmtime::Result<()>
where
    T: Send + 'static,
    H: Send + 'static,
    A: WasmArgs,
    W: Copy + Send + 'static,
    wasmtime::Result<W>: WasmRet,
    R: Outcome<W>,
{
    A::link_async(linker, module, func().name, move |mut caller, args| {
        Box::new(async move {
            let func = func();
            let (outcome, traced) = {
                let (ctx, mut mem) = begin(&mut caller, &get, func, args);
                let result = call(ctx.host_mut(), &mut mem, args).await;
                (result.outcome(ctx, func.name), ctx.tracing())
            };
            end(&mut caller, &get, func, args, outcome, traced)
        })
    })
}

/// One call of a generated function: the host context and guest memory found (see `enter`),
/// the call described if it is traced, `call` made, its outcome turned into the wasm result
/// ([`Outcome`]) and, if it is traced, its trace line ended and emitted.
///
/// An ordinary call (memory bound if it needs memory, tracing off) tests one field of the context
/// before the host's method, as it would with no tracing switch: `traced` is a constant `false`
/// on its path, so the compiler folds the first trace branch away there; after the method, it
/// tests the switch once. Nothing of the call is kept across the method for tracing: the end of
/// a traced call finds its memory again and takes the arguments and the outcome by value, so
/// that they stay in registers. All paths make one and the same call of the host, so its method
/// has one caller and is inlined as it would be with no tracing (two call sites, one for the
/// ordinary path and one for the others, cost a host that is not small its inlining).
#[inline(always)]
pub fn run<T: 'static, H, A: Copy, W: Copy, R: Outcome<W>, const MEMORY: bool>(
    mut caller: Caller<'_, T>,
    get: &impl Fn(&mut T) -> &mut Ctx<H>,
    func: &'static Func<A, W, MEMORY>,
    args: A,
    call: impl FnOnce(&mut H, &mut GuestMemory<'_>, A) -> R,
) -> wasmtime::Result<W> {
    let (outcome, traced) = {
        let (ctx, mut mem) = begin(&mut caller, get, func, args);
        let result = call(ctx.host_mut(), &mut mem, args);
        (result.outcome(ctx, func.name), ctx.tracing())
    };
    end(&mut caller, get, func, args, outcome, traced)
}

/// The start of a call, sync or async: the host context and guest memory (see `enter`), the
/// arguments described if the call is traced.
#[inline(always)]
fn begin<'c, T: 'static, H, A: Copy, W: Copy, const MEMORY: bool>(
    caller: &'c mut Caller<'_, T>,
    get: &impl Fn(&mut T) -> &mut Ctx<H>,
    func: &'static Func<A, W, MEMORY>,
    args: A,
) -> (&'c mut Ctx<H>, GuestMemory<'c>) {
    let (ctx, mut mem, traced) = if MEMORY {
        enter(caller, get)
    } else {
        enter_without_memory(caller, get)
    };
    if traced {
        describe(ctx, mem.reborrow(), func, args);
    }
    (ctx, mem)
}

/// The end of a call, sync or async: if the switch is still on after the host's method
/// (`traced`), the call's line ended and emitted.
///
/// Nested calls cannot mix up trace lines: a host method has no `Caller`, so it cannot call
/// back into the guest while its own line is kept.
#[inline(always)]
fn end<T: 'static, H, A: Copy, W: Copy, const MEMORY: bool>(
    caller: &mut Caller<'_, T>,
    get: &impl Fn(&mut T) -> &mut Ctx<H>,
    func: &'static Func<A, W, MEMORY>,
    args: A,
    outcome: wasmtime::Result<W>,
    traced: bool,
) -> wasmtime::Result<W> {
    if traced {
        return match outcome {
            Ok(value) => {
                report(caller, get, func, args, Ok(value));
                Ok(value)
            }
            Err(trap) => Err(report_trap(caller, get, func, args, trap)),
        };
    }
    outcome
}

/// Ends the line of a traced call that trapped, emits it, and gives the trap back.
#[cold]
#[inline(never)]
fn report_trap<T: 'static, H, A: Copy, W: Copy, const MEMORY: bool>(
    caller: &mut Caller<'_, T>,
    get: &impl Fn(&mut T) -> &mut Ctx<H>,
    func: &'static Func<A, W, MEMORY>,
    args: A,
    trap: wasmtime::Error,
) -> wasmtime::Error {
    report(caller, get, func, args, Err(&trap));
    trap
}

/// Ends the line of a traced call with what the guest gets (the wasm result, after the policy,
/// or the trap) and emits it.
#[cold]
#[inline(never)]
fn report<T: 'static, H, A: Copy, W: Copy, const MEMORY: bool>(
    caller: &mut Caller<'_, T>,
    get: &impl Fn(&mut T) -> &mut Ctx<H>,
    func: &'static Func<A, W, MEMORY>,
    args: A,
    outcome: Result<W, &wasmtime::Error>,
) {
    // The memory the call had, found again (the host cannot have replaced it: it has no
    // `Caller`), for the results it wrote.
    let memory = if MEMORY {
        find_memory(caller, get)
    } else {
        None
    };
    let (ctx, mem) = match memory {
        Some(memory) => {
            let (bytes, data) = memory.data_and_store_mut(caller);
            (get(data), GuestMemory::new(bytes))
        }
        None => (get(caller.data_mut()), GuestMemory::missing()),
    };
    if let Some(line) = end_line(ctx) {
        crate::describe::emit(line, outcome, |value, out| {
            (func.report)(value, &mem, args, out)
        });
    }
}

/// Keeps the start of a traced call's line, `name(arguments)`, described before the call, in the
/// context until [`report`].
#[cold]
#[inline(never)]
fn describe<H, A, W, const MEMORY: bool>(
    ctx: &mut Ctx<H>,
    mem: GuestMemory<'_>,
    func: &Func<A, W, MEMORY>,
    args: A,
) {
    let mut line = String::with_capacity(64);
    line.push_str(func.name);
    line.push('(');
    (func.describe)(&mem, args, &mut line);
    line.push(')');
    ctx.trace.line = Some(line);
    ctx.trace.note = None;
}

/// The tuple of a function's core wasm parameters: links a function of them, as
/// `Linker::func_wrap` does a closure of as many parameters. Implemented for tuples of up to 17
/// `i32`, `i64`, `f32` and `f64`, the most `func_wrap` takes.
pub trait WasmArgs: Copy + Send + Sync + 'static {
    /// Links `f` as `module`'s `name`: each call hands it the arguments as `Self`.
    fn link<T: 'static, W>(
        linker: &mut Linker<T>,
        module: &str,
        name: &str,
        f: impl Fn(Caller<'_, T>, Self) -> wasmtime::Result<W> + Send + Sync + 'static,
    ) -> wasmtime::Result<()>
    where
        wasmtime::Result<W>: WasmRet;

    /// Links `f` as `module`'s `name` with `Linker::func_wrap_async`: each call hands it the
    /// arguments as `Self`, and awaits the future it returns.
    fn link_async<T: Send + 'static, W>(
        linker: &mut Linker<T>,
        module: &str,
        name: &str,
        f: impl for<'a> Fn(Caller<'a, T>, Self) -> CallFuture<'a, W> + Send + Sync + 'static,
    ) -> wasmtime::Result<()>
    where
        wasmtime::Result<W>: WasmRet;
}

/// What [`WasmArgs::link_async`]'s function returns: the future of one call.
pub type CallFuture<'a, W> = Box<dyn Future<Output = wasmtime::Result<W>> + Send + 'a>;

macro_rules! wasm_args {
    ($($a:ident $v:ident)*) => {
        impl<$($a: WasmTy + Copy + Sync + 'static),*> WasmArgs for ($($a,)*) {
            #[inline]
            fn link<T: 'static, W>(
                linker: &mut Linker<T>,
                module: &str,
                name: &str,
                f: impl Fn(Caller<'_, T>, Self) -> wasmtime::Result<W> + Send + Sync + 'static,
            ) -> wasmtime::Result<()>
            where
                wasmtime::Result<W>: WasmRet,
            {
                linker.func_wrap(module, name, move |caller: Caller<'_, T>, $($v: $a),*| {
                    f(caller, ($($v,)*))
                })?;
                Ok(())
            }

            #[inline]
            fn link_async<T: Send + 'static, W>(
                linker: &mut Linker<T>,
                module: &str,
                name: &str,
                f: impl for<'a> Fn(Caller<'a, T>, Self) -> CallFuture<'a, W> + Send + Sync + 'static,
            ) -> wasmtime::Result<()>
            where
                wasmtime::Result<W>: WasmRet,
            {
                linker.func_wrap_async(module, name, move |caller: Caller<'_, T>, args: Self| {
                    f(caller, args)
                })?;
                Ok(())
            }
        }
    };
}

wasm_args!();
wasm_args!(A0 a0);
wasm_args!(A0 a0 A1 a1);
wasm_args!(A0 a0 A1 a1 A2 a2);
wasm_args!(A0 a0 A1 a1 A2 a2 A3 a3);
wasm_args!(A0 a0 A1 a1 A2 a2 A3 a3 A4 a4);
wasm_args!(A0 a0 A1 a1 A2 a2 A3 a3 A4 a4 A5 a5);
wasm_args!(A0 a0 A1 a1 A2 a2 A3 a3 A4 a4 A5 a5 A6 a6);
wasm_args!(A0 a0 A1 a1 A2 a2 A3 a3 A4 a4 A5 a5 A6 a6 A7 a7);
wasm_args!(A0 a0 A1 a1 A2 a2 A3 a3 A4 a4 A5 a5 A6 a6 A7 a7 A8 a8);
wasm_args!(A0 a0 A1 a1 A2 a2 A3 a3 A4 a4 A5 a5 A6 a6 A7 a7 A8 a8 A9 a9);
wasm_args!(A0 a0 A1 a1 A2 a2 A3 a3 A4 a4 A5 a5 A6 a6 A7 a7 A8 a8 A9 a9 A10 a10);
wasm_args!(A0 a0 A1 a1 A2 a2 A3 a3 A4 a4 A5 a5 A6 a6 A7 a7 A8 a8 A9 a9 A10 a10 A11 a11);
wasm_args!(A0 a0 A1 a1 A2 a2 A3 a3 A4 a4 A5 a5 A6 a6 A7 a7 A8 a8 A9 a9 A10 a10 A11 a11 A12 a12);
wasm_args!(
    A0 a0 A1 a1 A2 a2 A3 a3 A4 a4 A5 a5 A6 a6 A7 a7 A8 a8 A9 a9 A10 a10 A11 a11 A12 a12 A13 a13
);
wasm_args!(
    A0 a0 A1 a1 A2 a2 A3 a3 A4 a4 A5 a5 A6 a6 A7 a7 A8 a8 A9 a9 A10 a10 A11 a11 A12 a12 A13 a13
    A14 a14
);
wasm_args!(
    A0 a0 A1 a1 A2 a2 A3 a3 A4 a4 A5 a5 A6 a6 A7 a7 A8 a8 A9 a9 A10 a10 A11 a11 A12 a12 A13 a13
    A14 a14 A15 a15
);
wasm_args!(
    A0 a0 A1 a1 A2 a2 A3 a3 A4 a4 A5 a5 A6 a6 A7 a7 A8 a8 A9 a9 A10 a10 A11 a11 A12 a12 A13 a13
    A14 a14 A15 a15 A16 a16
);

/// The outcome of a call as the host's method gave it (with the glue's own errors), turned into
/// the core wasm result `W` or a trap under the store's policy.
///
/// - `Result<(), Error<E>>` (a witx `(expected (error E))` whose values went to out-pointers):
///   0 on success, the error code otherwise;
/// - `Result<S, Error<NoErrorCode>>`: a scalar `S` lowered to `i32` or `i64`, a float as it is,
///   nothing;
/// - `Result<Infallible, ...>` (a `noreturn` function): always the trap.
pub trait Outcome<W> {
    /// The wasm result, or the trap that ends the call.
    fn outcome<H>(self, ctx: &mut Ctx<H>, func: &'static str) -> wasmtime::Result<W>;
}

macro_rules! errno_outcome {
    ($($w:ty),*) => {$(
        impl<E: ErrorCode> Outcome<$w> for Result<(), Error<E>> {
            #[inline(always)]
            fn outcome<H>(self, ctx: &mut Ctx<H>, func: &'static str) -> wasmtime::Result<$w> {
                errno_result(ctx, func, self).map(|code| code as $w)
            }
        }
    )*};
}

errno_outcome!(i32, i64);

impl<S: Scalar> Outcome<i32> for Result<S, Error<NoErrorCode>> {
    #[inline(always)]
    fn outcome<H>(self, ctx: &mut Ctx<H>, func: &'static str) -> wasmtime::Result<i32> {
        value_result(ctx, func, self).map(lower32)
    }
}

impl<S: Scalar> Outcome<i64> for Result<S, Error<NoErrorCode>> {
    #[inline(always)]
    fn outcome<H>(self, ctx: &mut Ctx<H>, func: &'static str) -> wasmtime::Result<i64> {
        value_result(ctx, func, self).map(lower64)
    }
}

macro_rules! plain_outcome {
    ($($w:ty),*) => {$(
        impl Outcome<$w> for Result<$w, Error<NoErrorCode>> {
            #[inline(always)]
            fn outcome<H>(self, ctx: &mut Ctx<H>, func: &'static str) -> wasmtime::Result<$w> {
                value_result(ctx, func, self)
            }
        }
    )*};
}

plain_outcome!(f32, f64, ());

impl Outcome<()> for Result<Infallible, Error<NoErrorCode>> {
    #[inline(always)]
    fn outcome<H>(self, ctx: &mut Ctx<H>, func: &'static str) -> wasmtime::Result<()> {
        value_result(ctx, func, self).map(|never| match never {})
    }
}

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
fn enter<'a, T: 'static, H: 'a>(
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

/// The guest memory of a call whose memory is not bound, or that is traced: the bound one,
/// else the caller's `memory` export.
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
fn enter_without_memory<'a, T: 'static, H: 'a>(
    caller: &'a mut Caller<'_, T>,
    get: &impl Fn(&mut T) -> &mut Ctx<H>,
) -> (&'a mut Ctx<H>, GuestMemory<'a>, bool) {
    let ctx = get(caller.data_mut());
    let traced = ctx.tracing();
    (ctx, GuestMemory::missing(), traced)
}

/// The start of a traced call's line, kept by [`describe`], and why the call failed.
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
fn lower32<S: Scalar>(value: S) -> i32 {
    value.lower() as u32 as i32
}

/// Lowers a scalar returned as an `i64`.
#[inline]
fn lower64<S: Scalar>(value: S) -> i64 {
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
fn errno_result<E: ErrorCode, H>(
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
fn value_result<V, E: ErrorCode, H>(
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
