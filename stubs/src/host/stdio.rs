//! Standard input, output and error: fds 0, 1 and 2 behave as a character device or pipe does in
//! POSIX; every other fd is `EBADF`.

use std::fmt;
use std::io::Write;

use crate::preview1::{
    CiovecArray, Errno, Fd, Fdflags, Fdstat, Filetype, IovecArray, Rights, Size,
};
use crate::{Error, GuestMemory};

/// Where a guest's stdout or stderr goes.
pub struct Output {
    sink: Sink,
    /// With the `log` sink: the start of a line not yet ended by a newline.
    partial: Vec<u8>,
}

/// A function handed each write.
type Callback = Box<dyn FnMut(&[u8]) + Send>;

enum Sink {
    Buffer(Vec<u8>),
    Callback(Callback),
    Log {
        level: log::Level,
        target: &'static str,
    },
    Stdout,
    Stderr,
    Discard,
    Channel(tokio::sync::mpsc::Sender<Vec<u8>>),
}

impl Output {
    /// Kept in a buffer of this instance: read it with [`Output::contents`] or [`Output::take`].
    ///
    /// It keeps at most [`MAX_BUFFER`] bytes, so that a guest writing in a loop cannot grow the
    /// host's memory without bound: a write that does not fit is short, and once the buffer is
    /// full a guest's `fd_write` fails with `ENOSPC` (a component's stream is closed). Taking the
    /// contents makes room again. [`Output::write`], which cannot fail, drops what does not fit.
    pub fn buffer() -> Self {
        Output::new(Sink::Buffer(Vec::new()))
    }

    /// Handed to `f` as written, write by write.
    pub fn callback(f: impl FnMut(&[u8]) + Send + 'static) -> Self {
        Output::new(Sink::Callback(Box::new(f)))
    }

    /// One `log` record per line at `level`, with target `wasi_stubs::guest::stdout` (or
    /// `stderr`, as set by [`Output::log_stdout`] and [`Output::log_stderr`]). A partial line waits
    /// for its newline, or for the output to be dropped; a line longer than [`MAX_MESSAGE`] is
    /// logged in parts of that size.
    pub fn log(level: log::Level, target: &'static str) -> Self {
        Output::new(Sink::Log { level, target })
    }

    /// Lines as `log` records at `info`, target `wasi_stubs::guest::stdout`.
    pub fn log_stdout() -> Self {
        Output::log(log::Level::Info, "wasi_stubs::guest::stdout")
    }

    /// Lines as `log` records at `warn`, target `wasi_stubs::guest::stderr`.
    pub fn log_stderr() -> Self {
        Output::log(log::Level::Warn, "wasi_stubs::guest::stderr")
    }

    /// The host process's own stdout.
    pub fn inherit_stdout() -> Self {
        Output::new(Sink::Stdout)
    }

    /// The host process's own stderr.
    pub fn inherit_stderr() -> Self {
        Output::new(Sink::Stderr)
    }

    /// Sent to a tokio channel, one message per `fd_write` (the bytes of all its buffers, at most
    /// [`MAX_MESSAGE`]; a larger write is short): an
    /// async sink, for a host that hands the guest's output to a task. On an async store
    /// (`MinimalHost` as a [`WasiSnapshotPreview1Async`](crate::preview1::WasiSnapshotPreview1Async)
    /// host, [`Stdio::fd_write_async`]) a write waits for room in the channel, without blocking
    /// the thread; a synchronous `fd_write` that finds the channel full fails with `EAGAIN`. A
    /// write after the receiver is dropped fails with `EPIPE`. [`Output::write`], which cannot
    /// fail, sends if there is room and drops the bytes otherwise.
    pub fn channel(sender: tokio::sync::mpsc::Sender<Vec<u8>>) -> Self {
        Output::new(Sink::Channel(sender))
    }

    /// Nowhere.
    pub fn discard() -> Self {
        Output::new(Sink::Discard)
    }

    fn new(sink: Sink) -> Self {
        Output {
            sink,
            partial: Vec::new(),
        }
    }

    /// How many of `max` bytes a write may hand over now: none while a channel output is full,
    /// `EPIPE` once its receiver is gone; what a buffer has room for, `ENOSPC` once it is full;
    /// `max` for the other outputs.
    pub(crate) fn permit(&self, max: u64) -> Result<u64, Errno> {
        match &self.sink {
            Sink::Channel(sender) if sender.is_closed() => Err(Errno::Pipe),
            Sink::Channel(sender) if sender.capacity() == 0 => Ok(0),
            Sink::Buffer(buf) => match MAX_BUFFER - buf.len() {
                0 => Err(Errno::Nospc),
                room => Ok(max.min(room as u64)),
            },
            _ => Ok(max),
        }
    }

    /// A guest's write of `iovs` to any output but a channel: all of it, or for a buffer what
    /// [`write`](Self::write) keeps (`ENOSPC` if it keeps none of a write of something).
    fn gather(&mut self, mem: &GuestMemory<'_>, iovs: CiovecArray) -> Result<Size, Error<Errno>> {
        let before = self.contents().len();
        let total = mem.gather(iovs, |bytes| self.write(bytes))?;
        let Sink::Buffer(buf) = &self.sink else {
            return Ok(total);
        };
        // What the buffer kept: at most MAX_BUFFER, which fits a `Size`.
        match (buf.len() - before) as Size {
            0 if total > 0 => Err(Errno::Nospc.into()),
            kept => Ok(kept),
        }
    }

    /// Writes `bytes` the guest handed over as a whole (one `fd_write`, one stream write): a
    /// channel output sends them as one message, or refuses them, sending nothing, when it is
    /// full (`EAGAIN`) or closed (`EPIPE`); a buffer takes them if they fit, else none of them
    /// (`ENOSPC`); the other outputs take them as [`write`](Self::write).
    pub(crate) fn write_owned(&mut self, bytes: Vec<u8>) -> Result<(), Errno> {
        use tokio::sync::mpsc::error::TrySendError;
        match &mut self.sink {
            Sink::Channel(sender) => sender.try_send(bytes).map_err(|e| match e {
                TrySendError::Full(_) => Errno::Again,
                TrySendError::Closed(_) => Errno::Pipe,
            }),
            Sink::Buffer(buf) if bytes.len() > MAX_BUFFER - buf.len() => Err(Errno::Nospc),
            _ => {
                self.write(&bytes);
                Ok(())
            }
        }
    }

    /// Writes `bytes` (to a buffer, what fits in [`MAX_BUFFER`]).
    pub fn write(&mut self, bytes: &[u8]) {
        match &mut self.sink {
            Sink::Buffer(buf) => {
                let room = MAX_BUFFER - buf.len();
                buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
            }
            Sink::Callback(f) => f(bytes),
            Sink::Log { level, target } => {
                let (level, target) = (*level, *target);
                let mut rest = bytes;
                loop {
                    // A line waits for its newline in at most MAX_MESSAGE bytes: a guest that
                    // never ends its line gets it logged in parts, not the host's memory.
                    let room = MAX_MESSAGE - self.partial.len();
                    let window = &rest[..rest.len().min(room + 1)];
                    match window.iter().position(|b| *b == b'\n') {
                        Some(at) => {
                            self.partial.extend_from_slice(&rest[..at]);
                            rest = &rest[at + 1..];
                            emit(level, target, strip_cr(&self.partial));
                        }
                        None if rest.len() > room => {
                            self.partial.extend_from_slice(&rest[..room]);
                            rest = &rest[room..];
                            emit(level, target, &self.partial);
                        }
                        None => {
                            self.partial.extend_from_slice(rest);
                            break;
                        }
                    }
                    self.partial.clear();
                }
            }
            // The host's own streams: a failure to write there is the host's, not the guest's.
            Sink::Stdout => drop(std::io::stdout().write_all(bytes)),
            Sink::Stderr => drop(std::io::stderr().write_all(bytes)),
            Sink::Discard => {}
            Sink::Channel(sender) => drop(sender.try_send(bytes.to_vec())),
        }
    }

    /// What a buffer output holds (empty for the other kinds).
    pub fn contents(&self) -> &[u8] {
        match &self.sink {
            Sink::Buffer(buf) => buf,
            _ => &[],
        }
    }

    /// Takes what a buffer output holds, leaving it empty.
    pub fn take(&mut self) -> Vec<u8> {
        match &mut self.sink {
            Sink::Buffer(buf) => std::mem::take(buf),
            _ => Vec::new(),
        }
    }

    /// Emits a partial line of a `log` output as a record of its own.
    pub fn flush(&mut self) {
        if let Sink::Log { level, target } = self.sink
            && !self.partial.is_empty()
        {
            emit(level, target, strip_cr(&self.partial));
            self.partial.clear();
        }
    }
}

/// The most bytes an [`Output::buffer`] keeps: 64 MiB. A guest's write past it is short, then
/// fails with `ENOSPC` until the host takes the contents.
pub const MAX_BUFFER: usize = 64 << 20;

/// The most bytes one `fd_write` sends to a channel as a message: a write of more is short.
/// Buffers may overlap, so without it a guest with a few pages of memory could make the host copy
/// 4 GiB for one call.
pub const MAX_MESSAGE: usize = 1 << 20;

/// The bytes of a write's buffers, in one message of at most [`MAX_MESSAGE`] bytes.
fn gather_all(mem: &GuestMemory<'_>, iovs: CiovecArray) -> Result<Vec<u8>, Error<Errno>> {
    let mut bytes = Vec::new();
    mem.gather(iovs, |b| {
        let room = MAX_MESSAGE - bytes.len();
        bytes.extend_from_slice(&b[..b.len().min(room)]);
    })?;
    Ok(bytes)
}

fn emit(level: log::Level, target: &str, line: &[u8]) {
    log::log!(target: target, level, "{}", String::from_utf8_lossy(line));
}

/// A line without the `\r` of a `\r\n` ending.
fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

impl Drop for Output {
    fn drop(&mut self) {
        self.flush();
    }
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.sink {
            Sink::Buffer(b) => return write!(f, "Output::buffer({} bytes)", b.len()),
            Sink::Callback(_) => "callback",
            Sink::Log { .. } => "log",
            Sink::Stdout => "inherit_stdout",
            Sink::Stderr => "inherit_stderr",
            Sink::Discard => "discard",
            Sink::Channel(_) => "channel",
        };
        write!(f, "Output::{kind}")
    }
}

/// fds 0, 1 and 2.
#[derive(Debug)]
pub struct Stdio {
    stdin: Vec<u8>,
    read: usize,
    /// fd 1.
    pub stdout: Output,
    /// fd 2.
    pub stderr: Output,
}

impl Default for Stdio {
    /// Empty stdin; stdout and stderr into buffers.
    fn default() -> Self {
        Stdio::new(Vec::new(), Output::buffer(), Output::buffer())
    }
}

impl Stdio {
    /// Stdin reads `stdin` then end-of-file.
    pub fn new(stdin: Vec<u8>, stdout: Output, stderr: Output) -> Self {
        Stdio {
            stdin,
            read: 0,
            stdout,
            stderr,
        }
    }

    /// The bytes of stdin not read yet.
    pub fn stdin_remaining(&self) -> &[u8] {
        &self.stdin[self.read..]
    }

    /// Reads up to `max` bytes of stdin, as consumed: empty at end-of-file. What a component's
    /// `input-stream` reads.
    pub fn read_stdin(&mut self, max: usize) -> &[u8] {
        let start = self.read;
        let n = max.min(self.stdin.len() - start);
        self.read += n;
        &self.stdin[start..start + n]
    }

    /// `fd_write`: fds 1 and 2, `EBADF` otherwise.
    pub fn fd_write(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: CiovecArray,
    ) -> Result<Size, Error<Errno>> {
        let out = match fd.raw() {
            1 => &mut self.stdout,
            2 => &mut self.stderr,
            _ => return Err(Errno::Badf.into()),
        };
        if let Sink::Channel(_) = &out.sink {
            let bytes = gather_all(mem, iovs)?;
            let n = bytes.len() as Size;
            return Ok(out.write_owned(bytes).map(|()| n)?);
        }
        out.gather(mem, iovs)
    }

    /// [`fd_write`](Self::fd_write) for a host on an async store: the same, but a write to a
    /// [`Output::channel`] waits for room in the channel instead of failing with `EAGAIN`.
    pub async fn fd_write_async(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: CiovecArray,
    ) -> Result<Size, Error<Errno>> {
        let out = match fd.raw() {
            1 => &mut self.stdout,
            2 => &mut self.stderr,
            _ => return Err(Errno::Badf.into()),
        };
        if let Sink::Channel(sender) = &out.sink {
            let bytes = gather_all(mem, iovs)?;
            let n = bytes.len() as Size;
            return match sender.send(bytes).await {
                Ok(()) => Ok(n),
                Err(_) => Err(Errno::Pipe.into()),
            };
        }
        out.gather(mem, iovs)
    }

    /// `fd_read`: fd 0 from the configured bytes (0 at end-of-file), `EBADF` otherwise.
    pub fn fd_read(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: IovecArray,
    ) -> Result<Size, Error<Errno>> {
        if fd.raw() != 0 {
            return Err(Errno::Badf.into());
        }
        let n = mem.scatter(iovs, &self.stdin[self.read..])?;
        self.read += n as usize;
        Ok(n)
    }

    /// `fd_fdstat_get`: a character device for 0–2 (read rights on 0, write rights on 1 and 2),
    /// `EBADF` otherwise.
    pub fn fd_fdstat_get(&self, fd: Fd) -> Result<Fdstat, Error<Errno>> {
        let base = match fd.raw() {
            0 => Rights::FD_READ | Rights::POLL_FD_READWRITE,
            1 | 2 => Rights::FD_WRITE | Rights::POLL_FD_READWRITE,
            _ => return Err(Errno::Badf.into()),
        };
        Ok(Fdstat {
            fs_filetype: Filetype::CharacterDevice,
            fs_flags: if fd.raw() == 0 {
                Fdflags::empty()
            } else {
                Fdflags::APPEND
            },
            fs_rights_base: base,
            fs_rights_inheriting: Rights::empty(),
        })
    }

    /// What positional I/O and seeking (`fd_pread`, `fd_pwrite`, `fd_seek`, `fd_tell`) get:
    /// `ESPIPE` on 0–2, as on a pipe, and `EBADF` elsewhere.
    pub fn not_seekable(fd: Fd) -> Error<Errno> {
        match fd.raw() {
            0..=2 => Errno::Spipe.into(),
            _ => Errno::Badf.into(),
        }
    }
}
