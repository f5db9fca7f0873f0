//! Building blocks for hosts, and [`MinimalHost`], a ready host made of them.
//!
//! Each block works inside a host's own overrides: [`Stdio`] (fds 0–2), [`Clocks`],
//! [`Entropy`], [`poll_oneoff`], and [`crate::GuestMemory::write_string_table`] with
//! [`crate::string_table_sizes`] for args and environment. [`MinimalHost`] composes them into the
//! host that a guest's language runtime needs to start, print, read the time, draw random
//! numbers, sleep and exit; every other function gets the store's default policy.
//!
//! ```no_run
//! use wasi_stubs::host::{ClockSource, MinimalHost, Output, RandomSource};
//!
//! let host = MinimalHost::builder()
//!     .args(["guest.wasm", "--verbose"])
//!     .env("GREETING", "hello")
//!     .stdout(Output::log_stdout())
//!     .clock(ClockSource::Virtual(1_700_000_000_000_000_000))
//!     .random(RandomSource::Seeded(42))
//!     .build();
//! ```

mod clock;
mod poll;
mod random;
mod stdio;

pub use clock::{ClockSource, Clocks, VIRTUAL_MONOTONIC_START};
pub use poll::poll_oneoff;
pub use random::{Entropy, RandomSource};
pub use stdio::{Output, Stdio};

use crate::preview1::{
    self, CiovecArray, Clockid, Errno, Exitcode, Fd, Fdstat, Filedelta, Filesize, IovecArray,
    Prestat, Size, Timestamp, WasiSnapshotPreview1, Whence,
};
use crate::{Error, Exit, GuestMemory, GuestPtr, wasi_stubs};

/// A host with stdio, clocks, random bytes, args and environment, clock-only `poll_oneoff`,
/// `proc_exit` and `sched_yield`. Build one with [`MinimalHost::builder`].
///
/// What it answers beyond the blocks: `fd_prestat_get` is `EBADF` (there are no preopened
/// directories, which tells libc and Go start-up code to carry on), and positional I/O and
/// seeking on fds 0–2 are `ESPIPE`, as on a pipe, so that standard libraries fall back to
/// `fd_write`. Every other function gets the store's [`Policy`](crate::Policy).
#[derive(Debug)]
pub struct MinimalHost {
    /// fds 0–2.
    pub stdio: Stdio,
    /// The clocks.
    pub clocks: Clocks,
    /// The random bytes.
    pub random: Entropy,
    /// The arguments, `argv[0]` included.
    pub args: Vec<String>,
    /// The environment, as `KEY=VALUE`.
    pub env: Vec<String>,
}

impl Default for MinimalHost {
    fn default() -> Self {
        MinimalHost::builder().build()
    }
}

impl MinimalHost {
    /// A builder with empty args, env and stdin, stdout and stderr into buffers, the system clock
    /// and random bytes from the operating system.
    pub fn builder() -> MinimalHostBuilder {
        MinimalHostBuilder {
            args: Vec::new(),
            env: Vec::new(),
            stdin: Vec::new(),
            stdout: Output::buffer(),
            stderr: Output::buffer(),
            clock: ClockSource::System,
            random: RandomSource::Os,
        }
    }

    /// What the guest wrote to stdout, with a buffer output.
    pub fn stdout(&self) -> &[u8] {
        self.stdio.stdout.contents()
    }

    /// What the guest wrote to stderr, with a buffer output.
    pub fn stderr(&self) -> &[u8] {
        self.stdio.stderr.contents()
    }
}

/// Sets up a [`MinimalHost`].
#[derive(Debug)]
pub struct MinimalHostBuilder {
    args: Vec<String>,
    env: Vec<String>,
    stdin: Vec<u8>,
    stdout: Output,
    stderr: Output,
    clock: ClockSource,
    random: RandomSource,
}

impl MinimalHostBuilder {
    /// The arguments, `argv[0]` (the program's name) first.
    pub fn args<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }

    /// Adds `key=value` to the environment.
    pub fn env(mut self, key: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        self.env
            .push(format!("{}={}", key.as_ref(), value.as_ref()));
        self
    }

    /// What stdin reads before end-of-file (nothing by default).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = bytes.into();
        self
    }

    /// Where stdout goes (a buffer by default).
    pub fn stdout(mut self, output: Output) -> Self {
        self.stdout = output;
        self
    }

    /// Where stderr goes (a buffer by default).
    pub fn stderr(mut self, output: Output) -> Self {
        self.stderr = output;
        self
    }

    /// Where time comes from (the system by default).
    pub fn clock(mut self, clock: ClockSource) -> Self {
        self.clock = clock;
        self
    }

    /// Where random bytes come from (the operating system by default).
    pub fn random(mut self, random: RandomSource) -> Self {
        self.random = random;
        self
    }

    /// The host.
    pub fn build(self) -> MinimalHost {
        MinimalHost {
            stdio: Stdio::new(self.stdin, self.stdout, self.stderr),
            clocks: Clocks::new(self.clock),
            random: Entropy::new(self.random),
            args: self.args,
            env: self.env,
        }
    }
}

#[wasi_stubs(override(
    args_get,
    args_sizes_get,
    environ_get,
    environ_sizes_get,
    clock_res_get,
    clock_time_get,
    fd_fdstat_get,
    fd_pread,
    fd_prestat_get,
    fd_pwrite,
    fd_read,
    fd_seek,
    fd_tell,
    fd_write,
    poll_oneoff,
    proc_exit,
    sched_yield,
    random_get
))]
impl WasiSnapshotPreview1 for MinimalHost {
    fn args_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        argv: GuestPtr<GuestPtr<u8>>,
        argv_buf: GuestPtr<u8>,
    ) -> Result<(), Error<Errno>> {
        Ok(mem.write_string_table(argv, argv_buf, &self.args)?)
    }

    fn args_sizes_get(&mut self) -> Result<(Size, Size), Error<Errno>> {
        Ok(crate::string_table_sizes(&self.args)?)
    }

    fn environ_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        environ: GuestPtr<GuestPtr<u8>>,
        environ_buf: GuestPtr<u8>,
    ) -> Result<(), Error<Errno>> {
        Ok(mem.write_string_table(environ, environ_buf, &self.env)?)
    }

    fn environ_sizes_get(&mut self) -> Result<(Size, Size), Error<Errno>> {
        Ok(crate::string_table_sizes(&self.env)?)
    }

    fn clock_res_get(&mut self, id: Clockid) -> Result<Timestamp, Error<Errno>> {
        self.clocks.res_get(id)
    }

    fn clock_time_get(
        &mut self,
        id: Clockid,
        _precision: Timestamp,
    ) -> Result<Timestamp, Error<Errno>> {
        self.clocks.time_get(id)
    }

    fn fd_fdstat_get(&mut self, fd: Fd) -> Result<Fdstat, Error<Errno>> {
        self.stdio.fd_fdstat_get(fd)
    }

    fn fd_pread(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: Fd,
        _iovs: IovecArray,
        _offset: Filesize,
    ) -> Result<Size, Error<Errno>> {
        Err(Stdio::not_seekable(fd))
    }

    fn fd_prestat_get(&mut self, _fd: Fd) -> Result<Prestat, Error<Errno>> {
        Err(Errno::Badf.into())
    }

    fn fd_pwrite(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        fd: Fd,
        _iovs: CiovecArray,
        _offset: Filesize,
    ) -> Result<Size, Error<Errno>> {
        Err(Stdio::not_seekable(fd))
    }

    fn fd_read(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: IovecArray,
    ) -> Result<Size, Error<Errno>> {
        self.stdio.fd_read(mem, fd, iovs)
    }

    fn fd_seek(
        &mut self,
        fd: Fd,
        _offset: Filedelta,
        _whence: Whence,
    ) -> Result<Filesize, Error<Errno>> {
        Err(Stdio::not_seekable(fd))
    }

    fn fd_tell(&mut self, fd: Fd) -> Result<Filesize, Error<Errno>> {
        Err(Stdio::not_seekable(fd))
    }

    fn fd_write(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: CiovecArray,
    ) -> Result<Size, Error<Errno>> {
        self.stdio.fd_write(mem, fd, iovs)
    }

    fn poll_oneoff(
        &mut self,
        mem: &mut GuestMemory<'_>,
        r#in: GuestPtr<preview1::Subscription>,
        out: GuestPtr<preview1::Event>,
        nsubscriptions: Size,
    ) -> Result<Size, Error<Errno>> {
        poll_oneoff(
            mem,
            r#in,
            out,
            nsubscriptions,
            &mut self.clocks,
            &self.stdio,
        )
    }

    fn proc_exit(&mut self, rval: Exitcode) -> wasmtime::Error {
        Exit { code: rval }.into()
    }

    fn sched_yield(&mut self) -> Result<(), Error<Errno>> {
        Ok(())
    }

    fn random_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        buf: GuestPtr<u8>,
        buf_len: Size,
    ) -> Result<(), Error<Errno>> {
        self.random.fill(mem.bytes_mut(buf, buf_len)?)
    }
}
