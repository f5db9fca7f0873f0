//! Building blocks for hosts, and [`MinimalHost`], a ready host made of them.
//!
//! Each block works inside a host's own overrides: [`Stdio`] (fds 0–2), [`Clocks`],
//! [`Entropy`], [`poll_oneoff`], and [`crate::GuestMemory::write_string_table`] with
//! [`crate::string_table_sizes`] for args and environment. [`MinimalHost`] composes them into the
//! host that a guest's language runtime needs to start, print, read the time, draw random
//! numbers, sleep and exit; every other function gets the store's default policy.
//! [`MinimalComponentHost`] is the same host, from the same blocks and builder, for components
//! of `wasi:cli/command` (WASI 0.2).
//!
//! On an async store `MinimalHost` is a host of `WasiSnapshotPreview1Async` too: its
//! `poll_oneoff` awaits a timer ([`poll_oneoff_async`]) and its `fd_write` to an
//! [`Output::channel`] waits for room, without blocking the thread.
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

mod asynchronous;
mod clock;
mod component;
pub mod fs;
mod poll;
mod random;
mod stdio;

pub use clock::{ClockSource, Clocks, VIRTUAL_MONOTONIC_START};
pub use component::{
    DEFAULT_MAX_HANDLES, MAX_RANDOM_BYTES, MinimalComponentHost, READ_CHUNK, WRITE_PERMIT,
};
pub use fs::{Files, MemoryTree, Tree};
pub use poll::{poll_oneoff, poll_oneoff_async};
pub use random::{Entropy, RandomSource};
pub use stdio::{MAX_BUFFER, MAX_MESSAGE, Output, Stdio};

use crate::preview1::{
    self, Advice, CiovecArray, Clockid, Dircookie, Errno, Exitcode, Fd, Fdflags, Fdstat, Filedelta,
    Filesize, Filestat, Filetype, IovecArray, Lookupflags, Oflags, Prestat, Rights, Size,
    Timestamp, WasiSnapshotPreview1, Whence,
};
use crate::{Error, Exit, GuestMemory, GuestPtr, GuestStr, wasi_stubs};

/// A host with stdio, clocks, random bytes, args and environment, clock-only `poll_oneoff`,
/// `proc_exit` and `sched_yield`. Build one with [`MinimalHost::builder`].
///
/// What it answers beyond the blocks: positional I/O and seeking on fds 0–2 are `ESPIPE`, as on a
/// pipe, so that standard libraries fall back to `fd_write`. Without preopened trees,
/// `fd_prestat_get` is `EBADF` (which tells libc and Go start-up code to carry on), and the other
/// file functions answer as if the host did not implement them (the store's
/// [`Policy`](crate::Policy)). With trees ([`MinimalHostBuilder::preopen`]), [`Files`] answers
/// them for fds 3 and up: read-only, confined to the trees (`fd_write`, `fd_pwrite`,
/// `fd_allocate` and `fd_filestat_set_size` on their descriptors are `EBADF`, as on descriptors
/// open for reading only). The functions that create, change or remove files (`path_*` but
/// `path_open`, `path_filestat_get` and `path_readlink`), and every other function, get the
/// store's [`Policy`](crate::Policy).
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
    /// The preopened read-only trees and the descriptors open in them (fds 3 and up).
    pub files: Files,
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
            preopens: Vec::new(),
            max_open: fs::DEFAULT_MAX_OPEN,
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
    preopens: Vec<(String, Tree)>,
    max_open: usize,
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

    /// Serves `tree`, read-only, as the preopened directory `guest_path` (say `/data`, or `/`
    /// for the whole of the guest's file system); preopens get fds 3, 4, ... in the order given.
    pub fn preopen(mut self, guest_path: impl Into<String>, tree: Tree) -> Self {
        self.preopens.push((guest_path.into(), tree));
        self
    }

    /// The most descriptors the guest may open in the trees at once (default
    /// [`fs::DEFAULT_MAX_OPEN`]); one more is `EMFILE`.
    pub fn max_open(mut self, n: usize) -> Self {
        self.max_open = n;
        self
    }

    /// The host.
    pub fn build(self) -> MinimalHost {
        let mut files = Files::new().max_open(self.max_open);
        for (path, tree) in self.preopens {
            files.preopen(path, tree);
        }
        MinimalHost {
            stdio: Stdio::new(self.stdin, self.stdout, self.stderr),
            clocks: Clocks::new(self.clock),
            random: Entropy::new(self.random),
            args: self.args,
            env: self.env,
            files,
        }
    }
}

impl MinimalHost {
    /// Whether file functions go to [`MinimalHost::files`]: with trees, for fds 3 and up.
    fn serves(&self, fd: Fd) -> bool {
        fd.raw() > 2 && self.files.has_trees()
    }

    /// What a file function gets for stdio, or for any fd without trees: the store's policy, as
    /// before trees existed.
    fn no_files<T>() -> Result<T, Error<Errno>> {
        Err(Error::NotImplemented)
    }
}

#[wasi_stubs(override(
    args_get,
    args_sizes_get,
    environ_get,
    environ_sizes_get,
    clock_res_get,
    clock_time_get,
    fd_advise,
    fd_allocate,
    fd_close,
    fd_fdstat_get,
    fd_filestat_get,
    fd_filestat_set_size,
    fd_pread,
    fd_prestat_get,
    fd_prestat_dir_name,
    fd_pwrite,
    fd_read,
    fd_readdir,
    fd_seek,
    fd_tell,
    fd_write,
    path_filestat_get,
    path_open,
    path_readlink,
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

    fn fd_advise(
        &mut self,
        fd: Fd,
        offset: Filesize,
        len: Filesize,
        advice: Advice,
    ) -> Result<(), Error<Errno>> {
        if self.serves(fd) {
            self.files.fd_advise(fd, offset, len, advice)
        } else if fd.raw() <= 2 {
            Err(Stdio::not_seekable(fd))
        } else {
            Self::no_files()
        }
    }

    fn fd_allocate(
        &mut self,
        fd: Fd,
        _offset: Filesize,
        _len: Filesize,
    ) -> Result<(), Error<Errno>> {
        if self.serves(fd) {
            // Nothing in a tree is open for writing, as `posix_fallocate` on a read-only fd.
            Err(Errno::Badf.into())
        } else {
            Self::no_files()
        }
    }

    fn fd_close(&mut self, fd: Fd) -> Result<(), Error<Errno>> {
        if self.serves(fd) {
            self.files.fd_close(fd)
        } else {
            Self::no_files()
        }
    }

    fn fd_fdstat_get(&mut self, fd: Fd) -> Result<Fdstat, Error<Errno>> {
        if self.serves(fd) {
            self.files.fd_fdstat_get(fd)
        } else {
            self.stdio.fd_fdstat_get(fd)
        }
    }

    fn fd_filestat_get(&mut self, fd: Fd) -> Result<Filestat, Error<Errno>> {
        if self.serves(fd) {
            return self.files.fd_filestat_get(fd);
        }
        if fd.raw() <= 2 && self.files.has_trees() {
            // A character device, as `fd_fdstat_get` says.
            return Ok(Filestat {
                dev: 0,
                ino: 0,
                filetype: Filetype::CharacterDevice,
                nlink: 1,
                size: 0,
                atim: 0,
                mtim: 0,
                ctim: 0,
            });
        }
        Self::no_files()
    }

    fn fd_filestat_set_size(&mut self, fd: Fd, _size: Filesize) -> Result<(), Error<Errno>> {
        if self.serves(fd) {
            // Nothing in a tree is open for writing, as `ftruncate` on a read-only fd.
            Err(Errno::Badf.into())
        } else {
            Self::no_files()
        }
    }

    fn fd_pread(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: IovecArray,
        offset: Filesize,
    ) -> Result<Size, Error<Errno>> {
        if self.serves(fd) {
            self.files.fd_pread(mem, fd, iovs, offset)
        } else {
            Err(Stdio::not_seekable(fd))
        }
    }

    fn fd_prestat_get(&mut self, fd: Fd) -> Result<Prestat, Error<Errno>> {
        self.files.fd_prestat_get(fd)
    }

    fn fd_prestat_dir_name(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        path: GuestPtr<u8>,
        path_len: Size,
    ) -> Result<(), Error<Errno>> {
        if self.serves(fd) {
            self.files.fd_prestat_dir_name(mem, fd, path, path_len)
        } else {
            Self::no_files()
        }
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
        if self.serves(fd) {
            self.files.fd_read(mem, fd, iovs)
        } else {
            self.stdio.fd_read(mem, fd, iovs)
        }
    }

    fn fd_readdir(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        buf: GuestPtr<u8>,
        buf_len: Size,
        cookie: Dircookie,
    ) -> Result<Size, Error<Errno>> {
        if self.serves(fd) {
            self.files.fd_readdir(mem, fd, buf, buf_len, cookie)
        } else {
            Self::no_files()
        }
    }

    fn fd_seek(
        &mut self,
        fd: Fd,
        offset: Filedelta,
        whence: Whence,
    ) -> Result<Filesize, Error<Errno>> {
        if self.serves(fd) {
            self.files.fd_seek(fd, offset, whence)
        } else {
            Err(Stdio::not_seekable(fd))
        }
    }

    fn fd_tell(&mut self, fd: Fd) -> Result<Filesize, Error<Errno>> {
        if self.serves(fd) {
            self.files.fd_tell(fd)
        } else {
            Err(Stdio::not_seekable(fd))
        }
    }

    fn fd_write(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: CiovecArray,
    ) -> Result<Size, Error<Errno>> {
        self.stdio.fd_write(mem, fd, iovs)
    }

    fn path_filestat_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        flags: Lookupflags,
        path: GuestStr,
    ) -> Result<Filestat, Error<Errno>> {
        if self.serves(fd) {
            self.files.path_filestat_get(mem, fd, flags, path)
        } else {
            Self::no_files()
        }
    }

    fn path_open(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        dirflags: Lookupflags,
        path: GuestStr,
        oflags: Oflags,
        fs_rights_base: Rights,
        fs_rights_inheriting: Rights,
        fdflags: Fdflags,
    ) -> Result<Fd, Error<Errno>> {
        if self.serves(fd) {
            self.files.path_open(
                mem,
                fd,
                dirflags,
                path,
                oflags,
                fs_rights_base,
                fs_rights_inheriting,
                fdflags,
            )
        } else {
            Self::no_files()
        }
    }

    fn path_readlink(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        path: GuestStr,
        buf: GuestPtr<u8>,
        buf_len: Size,
    ) -> Result<Size, Error<Errno>> {
        if self.serves(fd) {
            self.files.path_readlink(mem, fd, path, buf, buf_len)
        } else {
            Self::no_files()
        }
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
