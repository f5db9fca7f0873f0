//! Tracing of WASI calls: with [`Ctx::set_tracing`](crate::Ctx::set_tracing) (or
//! [`Limits::trace`](crate::lifecycle::Limits::trace)) on, every call of a generated function
//! emits a `tracing` event (target [`TARGET`], `wasi_stubs::trace`, level `INFO`) such as
//! `fd_write(fd=1, iovs=1 [12 bytes]) -> Ok(12)`: the arguments as the guest passed them, then
//! what the guest gets back after the [`Policy`](crate::Policy) (`Err(nosys) (not implemented)`,
//! ``Err(inval) (bad `id`: ...)``, `exit(7)`, `trap: ...`).
//!
//! When it is off, an ordinary call does not pay for it: the tracing switch shares the one test
//! of the context that says whether the guest's memory is bound (see
//! [`Ctx::bind_memory`](crate::Ctx::bind_memory)).
//!
//! ```
//! // Show the trace lines, and nothing else, with `tracing-subscriber`:
//! // tracing_subscriber::fmt().with_env_filter(wasi_stubs::trace::TARGET).init();
//! assert_eq!(wasi_stubs::trace::TARGET, "wasi_stubs::trace");
//! ```

/// The target of the `tracing` events of traced calls.
pub const TARGET: &str = "wasi_stubs::trace";
