//! Link every WASI import a guest asks for into wasmtime; implement only the functions you want.
//!
//! `wasi-stubs` generates, from the witx spec, a trait per WASI module whose every method has a
//! default body answering `ENOSYS`, plus the glue that links each function into a
//! [`wasmtime::Linker`] with its exact core wasm signature. A host implements the handful of
//! functions it cares about with typed, checked arguments; every other import still resolves.
//!
//! ```no_run
//! use wasi_stubs::preview1::{self, Clockid, Errno, Size, Timestamp, WasiSnapshotPreview1};
//! use wasi_stubs::{Ctx, Error, GuestMemory};
//!
//! #[derive(Default)]
//! struct Host {
//!     stdout: Vec<u8>,
//! }
//!
//! impl WasiSnapshotPreview1 for Host {
//!     fn fd_write(
//!         &mut self,
//!         mem: &mut GuestMemory<'_>,
//!         fd: preview1::Fd,
//!         iovs: preview1::CiovecArray,
//!     ) -> Result<Size, Error<Errno>> {
//!         match fd.raw() {
//!             1 | 2 => Ok(mem.gather(iovs, |bytes| self.stdout.extend_from_slice(bytes))?),
//!             _ => Err(Errno::Badf.into()),
//!         }
//!     }
//!     fn clock_time_get(&mut self, _id: Clockid, _precision: Timestamp) -> Result<Timestamp, Error<Errno>> {
//!         Ok(1_700_000_000_000_000_000)
//!     }
//! }
//!
//! # fn main() -> wasmtime::Result<()> {
//! let engine = wasmtime::Engine::default();
//! let mut linker = wasmtime::Linker::new(&engine);
//! preview1::add_to_linker(&mut linker, |ctx: &mut Ctx<Host>| ctx)?;
//! let mut store = wasmtime::Store::new(&engine, Ctx::new(Host::default()));
//! # Ok(()) }
//! ```
//!
//! # Error rules
//!
//! | situation | default | with [`OnBadInput::Trap`] / [`OnNotImplemented::Trap`] |
//! |---|---|---|
//! | a function the host does not implement | `ENOSYS` (52) | trap naming the function |
//! | a pointer or length out of bounds, a length or sum that overflows | `EFAULT` (21) | trap naming function and argument |
//! | a misaligned pointer | `EINVAL` (28) | trap |
//! | an invalid enum, flags or union tag value | `EINVAL` (28) | trap |
//! | invalid UTF-8 where the spec says string | `EILSEQ` (25) | trap |
//! | a result that does not fit the guest type | `EOVERFLOW` (61) | trap |
//! | `proc_exit(code)` | a trap carrying [`Exit`] | same |
//! | the guest exports no memory | `EFAULT` for functions that touch memory | trap |
//!
//! Results are written to guest memory only when the call succeeds, and every result pointer is
//! checked before the host runs.

#![deny(unsafe_code)]
#![warn(missing_docs)]

// Generated code names this crate `::wasi_stubs`, wherever it is compiled.
extern crate self as wasi_stubs;

pub mod component;
mod ctx;
mod describe;
mod error;
mod glue;
pub mod host;
pub mod lifecycle;
mod memory;
mod polyfill;
pub mod trace;

pub use wasi_stubs_macros::wasi_stubs;
pub use wasmtime;

pub use ctx::{Ctx, OnBadInput, OnNotImplemented, Policy};
pub use error::{BadInput, Error, Exit, NoErrorCode};
pub use memory::{
    GuestArray, GuestBuffer, GuestError, GuestMemory, GuestPtr, GuestStr, GuestType,
    string_table_sizes,
};

/// What only generated code uses: the per-call sequence ([`link`](__private::link),
/// [`run`](__private::run)), the lifting of wasm arguments, the pieces of a trace line, field
/// access for [`GuestType`] impls, and the traits the generator implements for a document's types.
/// Not part of the API: it changes with the generator, which is built with this crate.
#[doc(hidden)]
pub mod __private {
    pub use crate::component::trace::{answer as wit_answer, call as wit_call};
    pub use crate::describe::{
        TraceArg, WasmInt, report_errno, trace_array, trace_buffers, trace_read, trace_scalar,
        trace_str, trace_value,
    };
    pub use crate::error::ErrorCode;
    pub use crate::glue::{
        BoxFuture, Func, Outcome, WasmArgs, arg, array, lift32, lift64, link, link_async, out_ptr,
        read, report_unit, run, string,
    };
    pub use crate::memory::{Scalar, read_field, write_field};
    pub use crate::polyfill::Polyfill;
}

/// The core wasm value types of a function signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WasmType {
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
}

/// One function of a witx module: its name and core wasm signature, as linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FuncInfo {
    /// The import name.
    pub name: &'static str,
    /// The core wasm parameter types.
    pub params: &'static [WasmType],
    /// The core wasm result types.
    pub results: &'static [WasmType],
}

// The README's example host compiles.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExample;

/// A witx module as generated: its import name and its functions. Implemented for `dyn Trait` of
/// every generated trait (`dyn preview1::WasiSnapshotPreview1`), so that the trait names its spec.
pub trait Spec {
    /// The name the guest imports the functions from.
    const MODULE: &'static str;
    /// Every function with its core wasm signature, in document order.
    const FUNCTIONS: &'static [FuncInfo];
}

/// Which functions of the spec `S` a host implements itself; the others get the default policy.
///
/// `#[wasi_stubs(override(...))]` implements it from the list it checked, so that
/// `<MyHost as Coverage<dyn WasiSnapshotPreview1>>::OVERRIDES` is what the host really overrides.
pub trait Coverage<S: Spec + ?Sized> {
    /// The witx names of the functions the host overrides, in document order.
    const OVERRIDES: &'static [&'static str];

    /// Whether the host overrides the function `name`.
    fn overrides(name: &str) -> bool {
        Self::OVERRIDES.contains(&name)
    }

    /// Every function of the spec, in document order, with whether the host overrides it.
    fn coverage() -> impl Iterator<Item = (&'static FuncInfo, bool)> {
        S::FUNCTIONS
            .iter()
            .map(|f| (f, Self::OVERRIDES.contains(&f.name)))
    }
}

/// `wasi_snapshot_preview1`: the types, the [`preview1::WasiSnapshotPreview1`] trait and
/// [`preview1::add_to_linker`], generated at build time from `witx/preview1`.
pub mod preview1 {
    include!(concat!(env!("OUT_DIR"), "/preview1.rs"));
}

/// `wasi_unstable` (snapshot_0): the types, the [`preview0::WasiUnstable`] trait and
/// [`preview0::add_to_linker`], generated at build time from `witx/preview0` by the same generator
/// as [`preview1`].
///
/// Most hosts do not implement `WasiUnstable` at all: [`preview0::polyfill::add_to_linker`] links
/// `wasi_unstable` into a linker so that every call is converted and forwarded to the host's
/// [`preview1::WasiSnapshotPreview1`] implementation, and one host serves both modules.
///
/// Seven functions differ between the two snapshots, through five types:
///
/// | type | snapshot_0 | preview1 | conversion |
/// |---|---|---|---|
/// | `whence` | cur=0, end=1, set=2 | set=0, cur=1, end=2 | by case name (`fd_seek`) |
/// | `filestat` | `nlink` u32, 56 bytes | `nlink` u64, 64 bytes | field by field; an `nlink` over `u32::MAX` is `EOVERFLOW` (`fd_filestat_get`, `path_filestat_get`) |
/// | `rights` | no `sock_accept` | `sock_accept` is bit 29 | by flag name; `sock_accept` is dropped from results (`fd_fdstat_get`, `fd_fdstat_set_rights`, `path_open`) |
/// | `subscription_clock` | a leading `identifier` | none | by field name, dropping `identifier`; a `subscription` is 56 bytes against 48 (`poll_oneoff`) |
/// | `fdstat` | holds `rights` | holds `rights` | field by field |
///
/// The conversions are generated from the two documents (cases, flags, fields and union cases
/// paired by name). `poll_oneoff`, whose subscriptions sit behind a pointer with a different
/// stride, is the one hand-written function: it reads the snapshot_0 subscriptions with their own
/// stride, never rewriting guest memory, and hands the host preview1 ones.
pub mod preview0 {
    include!(concat!(env!("OUT_DIR"), "/preview0.rs"));
}

/// WASI 0.2, the component model's `wasi:cli/command@0.2.12`: for each of the 27 interfaces the
/// world imports, its types, a `Host` trait whose every method has a default answer, and its
/// `add_to_linker`; [`p2::add_to_linker`] links them all into a
/// [`wasmtime::component::Linker`]. Generated at build time from the WIT vendored in
/// `wasi-stubs-codegen` by the same generator as any world (see [`component`] for the default
/// answers and their policy).
///
/// `#[wasi_stubs(override(now))]` on a host's `impl wasi::clocks::wall_clock::Host` checks the
/// listed methods against the interface, as for preview1, and records them, by WIT name, as
/// [`component::Coverage`]`<dyn wasi::clocks::wall_clock::Host>`.
///
/// ```no_run
/// use wasi_stubs::component::Defaults;
/// use wasi_stubs::p2::wasi;
///
/// #[derive(Default)]
/// struct Host {
///     stdout: Vec<u8>,
/// }
///
/// impl Defaults for Host {}
/// impl wasi::clocks::wall_clock::Host for Host {
///     fn now(&mut self) -> wasmtime::Result<wasi::clocks::wall_clock::Datetime> {
///         Ok(wasi::clocks::wall_clock::Datetime { seconds: 1_700_000_000, nanoseconds: 0 })
///     }
/// }
/// # macro_rules! rest { ($($path:path),*) => { $(impl $path for Host {})* } }
/// # rest!(wasi::cli::environment::Host, wasi::cli::exit::Host, wasi::io::error::Host,
/// #     wasi::io::poll::Host, wasi::io::streams::Host, wasi::cli::stdin::Host,
/// #     wasi::cli::stdout::Host, wasi::cli::stderr::Host, wasi::cli::terminal_input::Host,
/// #     wasi::cli::terminal_output::Host, wasi::cli::terminal_stdin::Host,
/// #     wasi::cli::terminal_stdout::Host, wasi::cli::terminal_stderr::Host,
/// #     wasi::clocks::monotonic_clock::Host, wasi::filesystem::types::Host,
/// #     wasi::filesystem::preopens::Host, wasi::sockets::network::Host,
/// #     wasi::sockets::instance_network::Host, wasi::sockets::udp::Host,
/// #     wasi::sockets::udp_create_socket::Host, wasi::sockets::tcp::Host,
/// #     wasi::sockets::tcp_create_socket::Host, wasi::sockets::ip_name_lookup::Host,
/// #     wasi::random::random::Host, wasi::random::insecure::Host,
/// #     wasi::random::insecure_seed::Host);
///
/// # fn main() -> wasmtime::Result<()> {
/// let engine = wasmtime::Engine::default();
/// let mut linker = wasmtime::component::Linker::new(&engine);
/// wasi_stubs::p2::add_to_linker(&mut linker, |host: &mut Host| host)?;
/// # Ok(()) }
/// ```
// wasmtime's `ComponentType`, `Lift` and `Lower` derives and its `flags!` expand to `unsafe impl`s
// of those traits (the generated source itself has no `unsafe`), so this module allows what the
// rest of the crate denies. The WIT leaves some fields undocumented, and `flags!` takes no docs
// for the type it defines nor gives its methods any: the module allows missing docs.
#[allow(unsafe_code, missing_docs)]
pub mod p2 {
    include!(concat!(env!("OUT_DIR"), "/p2.rs"));
}
