//! [`MinimalComponentHost`]: the host of [`MinimalHost`](super::MinimalHost) for components of
//! the world `wasi:cli/command` (WASI 0.2), made of the same blocks.
//!
//! The blocks are shared, not copied: the standard streams are a [`Stdio`] (its [`Output`]
//! targets and stdin bytes), time a [`Clocks`] on a [`ClockSource`], random bytes an [`Entropy`]
//! on a [`RandomSource`], and the host is set up by the same [`MinimalHostBuilder`]
//! ([`MinimalHostBuilder::build_component`]).
//!
//! [`ClockSource`]: super::ClockSource
//! [`RandomSource`]: super::RandomSource

use wasmtime::component::Resource;

use super::{Clocks, Entropy, MinimalHostBuilder, Stdio};
use crate::component::{Defaults, Policy};
use crate::p2::wasi;
use crate::p2::wasi::clocks::monotonic_clock::{Duration, Instant};
use crate::p2::wasi::clocks::wall_clock::Datetime;
use crate::p2::wasi::io::poll::Pollable;
use crate::p2::wasi::io::streams::{InputStream, OutputStream, StreamError};
use crate::preview1::{Clockid, Errno};
use crate::{Error, Exit, wasi_stubs};

/// The most handles (streams and pollables) a guest may hold at once by default; one more is a
/// trap.
pub const DEFAULT_MAX_HANDLES: usize = 1 << 16;

/// What `check-write` permits on stdout and stderr: the most bytes a `write` should carry.
pub const WRITE_PERMIT: u64 = 1 << 16;

/// The most bytes one `read` of stdin returns, whatever the guest asks for.
pub const READ_CHUNK: u64 = 1 << 16;

/// The most random bytes one call returns; a guest asking for more traps (the host would
/// otherwise allocate whatever the guest names).
pub const MAX_RANDOM_BYTES: u64 = 1 << 24;

/// A host for components of `wasi:cli/command`: stdin, stdout and stderr as streams, args and
/// environment, `exit` and `exit-with-code`, the wall and monotonic clocks with their pollables,
/// `wasi:io/poll`, and the three random interfaces. Build one with
/// [`MinimalComponentHost::builder`]; link it with [`crate::p2::add_to_linker`] or run a
/// component on it with [`crate::lifecycle::component`].
///
/// | interface | answers |
/// |---|---|
/// | `wasi:cli/stdin`, `stdout`, `stderr` | a new stream handle per call |
/// | `wasi:io/streams` output | `write`, `blocking-write-and-flush` into the [`Output`](super::Output) targets; `check-write` permits [`WRITE_PERMIT`] bytes (a [channel](super::Output::channel) that is full: 0; one whose receiver is gone, or a [buffer](super::Output::buffer) holding [`MAX_BUFFER`](super::MAX_BUFFER) bytes: `stream-error.closed`, as their writes); `flush`, `blocking-flush` succeed (an output has nothing to flush: a `log` output keeps a partial line until its newline, as for preview1); `subscribe` is ready at once |
/// | `wasi:io/streams` input | `read`, `blocking-read`, `skip`, `blocking-skip` from the stdin bytes, at most [`READ_CHUNK`] a call, then `stream-error.closed`; `subscribe` is ready at once |
/// | `wasi:cli/environment` | the args, the environment (`KEY=VALUE` split at the first `=`), no initial directory |
/// | `wasi:cli/exit` | `exit(ok)` ends the run with code 0, `exit(err)` with 1, `exit-with-code(n)` with `n`: a trap carrying [`Exit`] |
/// | `wasi:clocks/wall-clock`, `monotonic-clock` | [`Clocks`]: realtime and monotonic, 1 ns resolution; `subscribe-duration`, `subscribe-instant` |
/// | `wasi:io/poll` | `poll` and `pollable.block` wait for the earliest pollable (sleeping on the system clock, up to the run's [deadline](crate::lifecycle::deadline); moving a fixed or virtual clock at once) and `poll` answers the indices of the ready ones |
/// | `wasi:random/random`, `insecure`, `insecure-seed` | [`Entropy`]; the seed is drawn once |
/// | everything else | its default answer under the host's [`Policy`] (`get-directories`: empty; terminals: none) |
///
/// A handle the host did not make (or already dropped) traps naming the function; a guest
/// holding more than [`MinimalComponentHost::max_handles`] handles traps too, so a guest costs
/// bounded host memory.
#[derive(Debug)]
pub struct MinimalComponentHost {
    /// Stdin, stdout and stderr.
    pub stdio: Stdio,
    /// The clocks.
    pub clocks: Clocks,
    /// The random bytes.
    pub random: Entropy,
    /// The arguments, the program's name first.
    pub args: Vec<String>,
    /// The environment, as `KEY=VALUE`.
    pub env: Vec<String>,
    policy: Policy,
    table: Table,
    seed: Option<(u64, u64)>,
    trace: bool,
}

impl Default for MinimalComponentHost {
    fn default() -> Self {
        MinimalComponentHost::builder().build_component()
    }
}

impl MinimalHostBuilder {
    /// The host for components, from the same settings. Preopened trees and
    /// [`max_open`](Self::max_open) are not served to components (their file system answers
    /// its defaults: no preopens).
    pub fn build_component(self) -> MinimalComponentHost {
        MinimalComponentHost {
            stdio: Stdio::new(self.stdin, self.stdout, self.stderr),
            clocks: Clocks::new(self.clock),
            random: Entropy::new(self.random),
            args: self.args,
            env: self.env,
            policy: Policy::default(),
            table: Table::new(DEFAULT_MAX_HANDLES),
            seed: None,
            trace: false,
        }
    }
}

impl MinimalComponentHost {
    /// The builder of [`MinimalHost`](super::MinimalHost) (empty args, env and stdin, stdout and
    /// stderr into buffers, the system clock, random bytes from the operating system); finish
    /// it with [`MinimalHostBuilder::build_component`].
    pub fn builder() -> MinimalHostBuilder {
        super::MinimalHost::builder()
    }

    /// What the functions this host does not implement answer (by default
    /// [`Policy::default`]).
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The most handles the guest may hold at once (default [`DEFAULT_MAX_HANDLES`]).
    pub fn max_handles(mut self, n: usize) -> Self {
        self.table.max = n;
        self
    }

    /// What the guest wrote to stdout, with a buffer output.
    pub fn stdout(&self) -> &[u8] {
        self.stdio.stdout.contents()
    }

    /// What the guest wrote to stderr, with a buffer output.
    pub fn stderr(&self) -> &[u8] {
        self.stdio.stderr.contents()
    }

    /// The number of handles the guest holds.
    pub fn handles(&self) -> usize {
        self.table.len()
    }

    fn output(
        &mut self,
        stream: &Resource<OutputStream>,
        function: &str,
    ) -> wasmtime::Result<&mut super::Output> {
        match self.table.get(stream.rep()) {
            Some(Entry::Stdout) => Ok(&mut self.stdio.stdout),
            Some(Entry::Stderr) => Ok(&mut self.stdio.stderr),
            _ => Err(bad_handle(function, "output-stream", stream.rep())),
        }
    }

    fn input(&self, stream: &Resource<InputStream>, function: &str) -> wasmtime::Result<()> {
        match self.table.get(stream.rep()) {
            Some(Entry::Stdin) => Ok(()),
            _ => Err(bad_handle(function, "input-stream", stream.rep())),
        }
    }

    fn wait(&self, pollable: &Resource<Pollable>, function: &str) -> wasmtime::Result<Wait> {
        match self.table.get(pollable.rep()) {
            Some(Entry::Pollable(wait)) => Ok(wait),
            _ => Err(bad_handle(function, "pollable", pollable.rep())),
        }
    }

    fn pollable(&mut self, wait: Wait) -> wasmtime::Result<Resource<Pollable>> {
        Ok(Resource::new_own(self.table.push(Entry::Pollable(wait))?))
    }

    fn drop_handle(&mut self, rep: u32, kind: &str, is: fn(Entry) -> bool) -> wasmtime::Result<()> {
        match self.table.get(rep) {
            Some(entry) if is(entry) => {
                self.table.remove(rep);
                Ok(())
            }
            _ => Err(bad_handle(&format!("[resource-drop]{kind}"), kind, rep)),
        }
    }

    /// Stdin's next bytes, at most `len` (and [`READ_CHUNK`]); `closed` at its end.
    fn read_stdin(&mut self, len: u64) -> Result<&[u8], StreamError> {
        let max = usize::try_from(len.min(READ_CHUNK)).unwrap_or(usize::MAX);
        if max > 0 && self.stdio.stdin_remaining().is_empty() {
            return Err(StreamError::Closed);
        }
        Ok(self.stdio.read_stdin(max))
    }

    /// Waits until the monotonic clock reads `at`.
    fn sleep_until(&mut self, at: u64) -> wasmtime::Result<()> {
        self.clocks
            .sleep_until(Clockid::Monotonic, at)
            .map_err(trap)
    }

    fn random_bytes(&mut self, len: u64, function: &str) -> wasmtime::Result<Vec<u8>> {
        if len > MAX_RANDOM_BYTES {
            return Err(wasmtime::format_err!(
                "{function}: the guest asked for {len} random bytes, more than this host's \
                 limit of {MAX_RANDOM_BYTES} per call"
            ));
        }
        // At most `MAX_RANDOM_BYTES`, so it fits in a usize.
        let mut bytes = vec![0; len as usize];
        self.random.fill(&mut bytes).map_err(trap)?;
        Ok(bytes)
    }

    fn random_u64(&mut self) -> wasmtime::Result<u64> {
        let mut bytes = [0; 8];
        self.random.fill(&mut bytes).map_err(trap)?;
        Ok(u64::from_le_bytes(bytes))
    }
}

/// Whether a pollable is ready: at once, or when the monotonic clock reaches an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    Ready,
    Until(u64),
}

impl Wait {
    fn ready(self, now: u64) -> bool {
        match self {
            Wait::Ready => true,
            Wait::Until(at) => at <= now,
        }
    }
}

/// What a handle the host made stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Stdin,
    Stdout,
    Stderr,
    Pollable(Wait),
}

/// The host's side of the handles it gave the guest: `rep` → what it stands for. Reps of dropped
/// handles are reused.
#[derive(Debug)]
struct Table {
    entries: Vec<Option<Entry>>,
    free: Vec<u32>,
    max: usize,
}

impl Table {
    fn new(max: usize) -> Self {
        Table {
            entries: Vec::new(),
            free: Vec::new(),
            max,
        }
    }

    fn len(&self) -> usize {
        self.entries.len() - self.free.len()
    }

    fn push(&mut self, entry: Entry) -> wasmtime::Result<u32> {
        if self.len() >= self.max {
            return Err(wasmtime::format_err!(
                "the guest holds {} handles, the most this host allows: drop some before making more",
                self.len()
            ));
        }
        let rep = match self.free.pop() {
            Some(rep) => {
                self.entries[rep as usize] = Some(entry);
                rep
            }
            None => {
                let rep = u32::try_from(self.entries.len())
                    .map_err(|_| wasmtime::format_err!("the host's handle table is full"))?;
                self.entries.push(Some(entry));
                rep
            }
        };
        Ok(rep)
    }

    fn get(&self, rep: u32) -> Option<Entry> {
        self.entries.get(rep as usize).copied().flatten()
    }

    fn remove(&mut self, rep: u32) -> Option<Entry> {
        let entry = self.entries.get_mut(rep as usize)?.take()?;
        self.free.push(rep);
        Some(entry)
    }
}

/// A stream write into `out`: a [channel](super::Output::channel) whose receiver is gone, or a
/// [buffer](super::Output::buffer) without room for the bytes, answers `stream-error.closed`; a
/// channel that is full, which `check-write` had said (0 bytes), traps naming the function, as a
/// write past `check-write`'s permit does: a synchronous store cannot wait for room. Either way
/// the output has taken none of the bytes.
fn stream_write(
    out: &mut super::Output,
    contents: Vec<u8>,
    function: &str,
) -> wasmtime::Result<Result<(), StreamError>> {
    match out.write_owned(contents) {
        Ok(()) => Ok(Ok(())),
        Err(Errno::Pipe | Errno::Nospc) => Ok(Err(StreamError::Closed)),
        Err(_) => Err(wasmtime::format_err!(
            "wasi:io/streams#{function}: the output channel is full (check-write permits 0 bytes)"
        )),
    }
}

fn bad_handle(function: &str, kind: &str, rep: u32) -> wasmtime::Error {
    wasmtime::format_err!(
        "{function}: handle {rep} is not an {kind} of this host (never made, or already dropped)"
    )
}

/// A block's error as a trap: the interrupt of a run's deadline, or what else failed.
fn trap(error: Error<Errno>) -> wasmtime::Error {
    match error {
        Error::Trap(e) => e,
        Error::Errno(errno) => wasmtime::format_err!("the host failed with {errno:?}"),
        Error::BadInput(bad) => wasmtime::format_err!("bad input: {:?}", bad.error),
        Error::NotImplemented => wasmtime::format_err!("not implemented"),
    }
}

fn datetime(ns: u64) -> Datetime {
    Datetime {
        seconds: ns / 1_000_000_000,
        nanoseconds: (ns % 1_000_000_000) as u32,
    }
}

impl Defaults for MinimalComponentHost {
    fn policy(&self) -> &Policy {
        &self.policy
    }

    fn tracing(&self) -> bool {
        self.trace
    }

    fn set_tracing(&mut self, on: bool) {
        self.trace = on;
    }
}

#[wasi_stubs(override(get_environment, get_arguments, initial_cwd))]
impl wasi::cli::environment::Host for MinimalComponentHost {
    fn get_environment(&mut self) -> wasmtime::Result<Vec<(String, String)>> {
        Ok(self
            .env
            .iter()
            .map(|pair| match pair.split_once('=') {
                Some((key, value)) => (key.to_string(), value.to_string()),
                None => (pair.clone(), String::new()),
            })
            .collect())
    }

    fn get_arguments(&mut self) -> wasmtime::Result<Vec<String>> {
        Ok(self.args.clone())
    }

    fn initial_cwd(&mut self) -> wasmtime::Result<Option<String>> {
        Ok(None)
    }
}

#[wasi_stubs(override(exit, exit_with_code))]
impl wasi::cli::exit::Host for MinimalComponentHost {
    fn exit(&mut self, status: Result<(), ()>) -> wasmtime::Result<()> {
        let code = if status.is_ok() { 0 } else { 1 };
        Err(Exit { code }.into())
    }

    fn exit_with_code(&mut self, status_code: u8) -> wasmtime::Result<()> {
        Err(Exit {
            code: status_code.into(),
        }
        .into())
    }
}

#[wasi_stubs(override(get_stdin))]
impl wasi::cli::stdin::Host for MinimalComponentHost {
    fn get_stdin(&mut self) -> wasmtime::Result<Resource<InputStream>> {
        Ok(Resource::new_own(self.table.push(Entry::Stdin)?))
    }
}

#[wasi_stubs(override(get_stdout))]
impl wasi::cli::stdout::Host for MinimalComponentHost {
    fn get_stdout(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        Ok(Resource::new_own(self.table.push(Entry::Stdout)?))
    }
}

#[wasi_stubs(override(get_stderr))]
impl wasi::cli::stderr::Host for MinimalComponentHost {
    fn get_stderr(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        Ok(Resource::new_own(self.table.push(Entry::Stderr)?))
    }
}

#[wasi_stubs(override(
    input_stream_drop,
    output_stream_drop,
    input_stream_read,
    input_stream_blocking_read,
    input_stream_skip,
    input_stream_blocking_skip,
    input_stream_subscribe,
    output_stream_check_write,
    output_stream_write,
    output_stream_blocking_write_and_flush,
    output_stream_flush,
    output_stream_blocking_flush,
    output_stream_subscribe
))]
impl wasi::io::streams::Host for MinimalComponentHost {
    fn input_stream_drop(&mut self, handle: Resource<InputStream>) -> wasmtime::Result<()> {
        self.drop_handle(handle.rep(), "input-stream", |e| e == Entry::Stdin)
    }

    fn output_stream_drop(&mut self, handle: Resource<OutputStream>) -> wasmtime::Result<()> {
        self.drop_handle(handle.rep(), "output-stream", |e| {
            matches!(e, Entry::Stdout | Entry::Stderr)
        })
    }

    fn input_stream_read(
        &mut self,
        self_: Resource<InputStream>,
        len: u64,
    ) -> wasmtime::Result<Result<Vec<u8>, StreamError>> {
        self.input(&self_, "[method]input-stream.read")?;
        Ok(self.read_stdin(len).map(<[u8]>::to_vec))
    }

    fn input_stream_blocking_read(
        &mut self,
        self_: Resource<InputStream>,
        len: u64,
    ) -> wasmtime::Result<Result<Vec<u8>, StreamError>> {
        self.input(&self_, "[method]input-stream.blocking-read")?;
        Ok(self.read_stdin(len).map(<[u8]>::to_vec))
    }

    fn input_stream_skip(
        &mut self,
        self_: Resource<InputStream>,
        len: u64,
    ) -> wasmtime::Result<Result<u64, StreamError>> {
        self.input(&self_, "[method]input-stream.skip")?;
        Ok(self.read_stdin(len).map(|bytes| bytes.len() as u64))
    }

    fn input_stream_blocking_skip(
        &mut self,
        self_: Resource<InputStream>,
        len: u64,
    ) -> wasmtime::Result<Result<u64, StreamError>> {
        self.input(&self_, "[method]input-stream.blocking-skip")?;
        Ok(self.read_stdin(len).map(|bytes| bytes.len() as u64))
    }

    fn input_stream_subscribe(
        &mut self,
        self_: Resource<InputStream>,
    ) -> wasmtime::Result<Resource<Pollable>> {
        self.input(&self_, "[method]input-stream.subscribe")?;
        self.pollable(Wait::Ready)
    }

    fn output_stream_check_write(
        &mut self,
        self_: Resource<OutputStream>,
    ) -> wasmtime::Result<Result<u64, StreamError>> {
        let out = self.output(&self_, "[method]output-stream.check-write")?;
        Ok(out.permit(WRITE_PERMIT).map_err(|_| StreamError::Closed))
    }

    fn output_stream_write(
        &mut self,
        self_: Resource<OutputStream>,
        contents: Vec<u8>,
    ) -> wasmtime::Result<Result<(), StreamError>> {
        let function = "[method]output-stream.write";
        stream_write(self.output(&self_, function)?, contents, function)
    }

    fn output_stream_blocking_write_and_flush(
        &mut self,
        self_: Resource<OutputStream>,
        contents: Vec<u8>,
    ) -> wasmtime::Result<Result<(), StreamError>> {
        let function = "[method]output-stream.blocking-write-and-flush";
        stream_write(self.output(&self_, function)?, contents, function)
    }

    fn output_stream_flush(
        &mut self,
        self_: Resource<OutputStream>,
    ) -> wasmtime::Result<Result<(), StreamError>> {
        self.output(&self_, "[method]output-stream.flush")?;
        Ok(Ok(()))
    }

    fn output_stream_blocking_flush(
        &mut self,
        self_: Resource<OutputStream>,
    ) -> wasmtime::Result<Result<(), StreamError>> {
        self.output(&self_, "[method]output-stream.blocking-flush")?;
        Ok(Ok(()))
    }

    fn output_stream_subscribe(
        &mut self,
        self_: Resource<OutputStream>,
    ) -> wasmtime::Result<Resource<Pollable>> {
        self.output(&self_, "[method]output-stream.subscribe")?;
        self.pollable(Wait::Ready)
    }
}

#[wasi_stubs(override(pollable_drop, pollable_ready, pollable_block, poll))]
impl wasi::io::poll::Host for MinimalComponentHost {
    fn pollable_drop(&mut self, handle: Resource<Pollable>) -> wasmtime::Result<()> {
        self.drop_handle(handle.rep(), "pollable", |e| {
            matches!(e, Entry::Pollable(_))
        })
    }

    fn pollable_ready(&mut self, self_: Resource<Pollable>) -> wasmtime::Result<bool> {
        let wait = self.wait(&self_, "[method]pollable.ready")?;
        Ok(wait.ready(self.clocks.monotonic()))
    }

    fn pollable_block(&mut self, self_: Resource<Pollable>) -> wasmtime::Result<()> {
        match self.wait(&self_, "[method]pollable.block")? {
            Wait::Until(at) if at > self.clocks.monotonic() => self.sleep_until(at),
            _ => Ok(()),
        }
    }

    fn poll(&mut self, in_: Vec<Resource<Pollable>>) -> wasmtime::Result<Vec<u32>> {
        if in_.is_empty() {
            return Err(wasmtime::format_err!(
                "wasi:io/poll#poll: the list of pollables is empty"
            ));
        }
        // One pass checks every handle and finds the earliest instant, with no copy of the
        // guest's list; a second gives the indices ready then.
        const FUNCTION: &str = "wasi:io/poll#poll";
        let now = self.clocks.monotonic();
        let mut earliest = u64::MAX;
        for p in &in_ {
            match self.wait(p, FUNCTION)? {
                Wait::Until(at) if at > now => earliest = earliest.min(at),
                _ => earliest = now,
            }
        }
        let now = if earliest > now {
            self.sleep_until(earliest)?;
            // The sleep lasted at least until `earliest`: that one is ready, even if the clock
            // (read again) says a nanosecond less.
            self.clocks.monotonic().max(earliest)
        } else {
            now
        };
        Ok((0u32..)
            .zip(&in_)
            .filter(|(_, p)| self.wait(p, FUNCTION).is_ok_and(|w| w.ready(now)))
            .map(|(i, _)| i)
            .collect())
    }
}

#[wasi_stubs(override(now, resolution, subscribe_instant, subscribe_duration))]
impl wasi::clocks::monotonic_clock::Host for MinimalComponentHost {
    fn now(&mut self) -> wasmtime::Result<Instant> {
        Ok(self.clocks.monotonic())
    }

    fn resolution(&mut self) -> wasmtime::Result<Duration> {
        self.clocks.res_get(Clockid::Monotonic).map_err(trap)
    }

    fn subscribe_instant(&mut self, when: Instant) -> wasmtime::Result<Resource<Pollable>> {
        self.pollable(Wait::Until(when))
    }

    fn subscribe_duration(&mut self, when: Duration) -> wasmtime::Result<Resource<Pollable>> {
        let at = self.clocks.monotonic().saturating_add(when);
        self.pollable(Wait::Until(at))
    }
}

#[wasi_stubs(override(now, resolution))]
impl wasi::clocks::wall_clock::Host for MinimalComponentHost {
    fn now(&mut self) -> wasmtime::Result<Datetime> {
        Ok(datetime(self.clocks.realtime()))
    }

    fn resolution(&mut self) -> wasmtime::Result<Datetime> {
        self.clocks
            .res_get(Clockid::Realtime)
            .map(datetime)
            .map_err(trap)
    }
}

#[wasi_stubs(override(get_random_bytes, get_random_u64))]
impl wasi::random::random::Host for MinimalComponentHost {
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        self.random_bytes(len, "wasi:random/random#get-random-bytes")
    }

    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        self.random_u64()
    }
}

#[wasi_stubs(override(get_insecure_random_bytes, get_insecure_random_u64))]
impl wasi::random::insecure::Host for MinimalComponentHost {
    fn get_insecure_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        self.random_bytes(len, "wasi:random/insecure#get-insecure-random-bytes")
    }

    fn get_insecure_random_u64(&mut self) -> wasmtime::Result<u64> {
        self.random_u64()
    }
}

#[wasi_stubs(override(insecure_seed))]
impl wasi::random::insecure_seed::Host for MinimalComponentHost {
    fn insecure_seed(&mut self) -> wasmtime::Result<(u64, u64)> {
        if let Some(seed) = self.seed {
            return Ok(seed);
        }
        let seed = (self.random_u64()?, self.random_u64()?);
        self.seed = Some(seed);
        Ok(seed)
    }
}

macro_rules! defaults {
    ($($path:path),* $(,)?) => {
        $(
            impl $path for MinimalComponentHost {}
            // What `#[wasi_stubs(override(...))]` says of an interface the host leaves to its
            // defaults: nothing overridden (the audit reads it).
            impl crate::component::Coverage<dyn $path> for MinimalComponentHost {
                const OVERRIDES: &'static [&'static str] = &[];
            }
        )*
    };
}

defaults!(
    wasi::io::error::Host,
    wasi::cli::terminal_input::Host,
    wasi::cli::terminal_output::Host,
    wasi::cli::terminal_stdin::Host,
    wasi::cli::terminal_stdout::Host,
    wasi::cli::terminal_stderr::Host,
    wasi::filesystem::types::Host,
    wasi::filesystem::preopens::Host,
    wasi::sockets::network::Host,
    wasi::sockets::instance_network::Host,
    wasi::sockets::udp::Host,
    wasi::sockets::udp_create_socket::Host,
    wasi::sockets::tcp::Host,
    wasi::sockets::tcp_create_socket::Host,
    wasi::sockets::ip_name_lookup::Host,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::{ClockSource, Output, RandomSource, VIRTUAL_MONOTONIC_START};
    use wasi::clocks::monotonic_clock::Host as _;
    use wasi::io::poll::Host as _;
    use wasi::io::streams::Host as _;

    fn host() -> MinimalComponentHost {
        MinimalComponentHost::builder()
            .stdin(b"abcdef".to_vec())
            .clock(ClockSource::Virtual(1_700_000_000_000_000_000))
            .random(RandomSource::Seeded(7))
            .build_component()
    }

    fn borrow<T: 'static>(r: &Resource<T>) -> Resource<T> {
        Resource::new_borrow(r.rep())
    }

    #[test]
    fn a_channel_output_permits_what_it_has_room_for_and_loses_no_bytes() {
        let (sender, mut receiver) = tokio::sync::mpsc::channel(1);
        let mut host = MinimalComponentHost::builder()
            .stdout(Output::channel(sender))
            .build_component();
        let out = wasi::cli::stdout::Host::get_stdout(&mut host).unwrap();
        // `StreamError` holds a handle, so it has no `PartialEq`: compared as `Ok(n)` / `None`.
        let permit = |host: &mut MinimalComponentHost| match host
            .output_stream_check_write(borrow(&out))
            .unwrap()
        {
            Ok(n) => Some(n),
            Err(StreamError::Closed) => None,
            Err(other) => panic!("{other:?}"),
        };
        assert_eq!(permit(&mut host), Some(WRITE_PERMIT));
        host.output_stream_write(borrow(&out), b"one".to_vec())
            .unwrap()
            .unwrap();
        // Full: no room is promised, and a write anyway traps rather than drop the bytes.
        assert_eq!(permit(&mut host), Some(0));
        let full = host
            .output_stream_blocking_write_and_flush(borrow(&out), b"two".to_vec())
            .unwrap_err();
        assert!(
            full.to_string().contains("blocking-write-and-flush"),
            "{full}"
        );
        assert_eq!(receiver.try_recv().unwrap(), b"one");
        assert_eq!(permit(&mut host), Some(WRITE_PERMIT));
        // The receiver gone: closed, for good.
        drop(receiver);
        assert_eq!(permit(&mut host), None);
        assert!(matches!(
            host.output_stream_write(borrow(&out), b"three".to_vec()),
            Ok(Err(StreamError::Closed))
        ));
    }

    #[test]
    fn a_full_buffer_closes_its_stream_without_taking_more() {
        let mut host = MinimalComponentHost::builder().build_component();
        let out = wasi::cli::stdout::Host::get_stdout(&mut host).unwrap();
        let chunk = vec![b'x'; WRITE_PERMIT as usize];
        let mut writes = 0;
        loop {
            match host.output_stream_check_write(borrow(&out)).unwrap() {
                Ok(n) => {
                    host.output_stream_write(borrow(&out), chunk[..n as usize].to_vec())
                        .unwrap()
                        .unwrap();
                    writes += 1;
                }
                Err(StreamError::Closed) => break,
                Err(other) => panic!("{other:?}"),
            }
        }
        assert_eq!(writes, super::super::MAX_BUFFER / WRITE_PERMIT as usize);
        assert_eq!(host.stdout().len(), super::super::MAX_BUFFER);
        // A write past the permit is refused whole, as closed.
        assert!(matches!(
            host.output_stream_blocking_write_and_flush(borrow(&out), b"more".to_vec()),
            Ok(Err(StreamError::Closed))
        ));
        assert_eq!(host.stdout().len(), super::super::MAX_BUFFER);
    }

    #[test]
    fn clock_resolutions_are_the_preview1_hosts() {
        use wasi::clocks::wall_clock::Host as Wall;
        let mut host = host();
        let (mono, real) = (
            host.clocks.res_get(Clockid::Monotonic).unwrap(),
            host.clocks.res_get(Clockid::Realtime).unwrap(),
        );
        assert_eq!(
            wasi::clocks::monotonic_clock::Host::resolution(&mut host).unwrap(),
            mono
        );
        let wall = Wall::resolution(&mut host).unwrap();
        assert_eq!(
            u64::from(wall.nanoseconds) + wall.seconds * 1_000_000_000,
            real
        );
    }

    #[test]
    fn output_streams_write_into_their_targets() {
        let mut host = MinimalComponentHost::builder()
            .stderr(Output::buffer())
            .build_component();
        let out = wasi::cli::stdout::Host::get_stdout(&mut host).unwrap();
        let err = wasi::cli::stderr::Host::get_stderr(&mut host).unwrap();
        assert_eq!(
            host.output_stream_check_write(borrow(&out))
                .unwrap()
                .unwrap(),
            WRITE_PERMIT
        );
        host.output_stream_write(borrow(&out), b"hello ".to_vec())
            .unwrap()
            .unwrap();
        host.output_stream_blocking_write_and_flush(borrow(&out), b"world\n".to_vec())
            .unwrap()
            .unwrap();
        host.output_stream_flush(borrow(&out)).unwrap().unwrap();
        host.output_stream_blocking_flush(borrow(&err))
            .unwrap()
            .unwrap();
        host.output_stream_write(borrow(&err), b"oops".to_vec())
            .unwrap()
            .unwrap();
        assert_eq!(host.stdout(), b"hello world\n");
        assert_eq!(host.stderr(), b"oops");
        let ready = host.output_stream_subscribe(borrow(&out)).unwrap();
        assert!(host.pollable_ready(borrow(&ready)).unwrap());
        assert_eq!(host.handles(), 3);
        host.pollable_drop(ready).unwrap();
        host.output_stream_drop(out).unwrap();
        host.output_stream_drop(err).unwrap();
        assert_eq!(host.handles(), 0);
    }

    #[test]
    fn stdin_reads_its_bytes_then_closed() {
        let mut host = host();
        let stdin = wasi::cli::stdin::Host::get_stdin(&mut host).unwrap();
        assert_eq!(
            host.input_stream_read(borrow(&stdin), 2).unwrap().unwrap(),
            b"ab"
        );
        assert_eq!(
            host.input_stream_skip(borrow(&stdin), 1).unwrap().unwrap(),
            1
        );
        assert_eq!(
            host.input_stream_read(borrow(&stdin), 0).unwrap().unwrap(),
            b""
        );
        assert_eq!(
            host.input_stream_blocking_read(borrow(&stdin), u64::MAX)
                .unwrap()
                .unwrap(),
            b"def"
        );
        assert!(matches!(
            host.input_stream_read(borrow(&stdin), 1).unwrap(),
            Err(StreamError::Closed)
        ));
        assert!(matches!(
            host.input_stream_blocking_skip(borrow(&stdin), 1).unwrap(),
            Err(StreamError::Closed)
        ));
    }

    #[test]
    fn foreign_or_dropped_handles_trap_naming_the_function() {
        let mut host = host();
        let out = wasi::cli::stdout::Host::get_stdout(&mut host).unwrap();
        let rep = out.rep();
        host.output_stream_drop(out).unwrap();
        let error = host
            .output_stream_write(Resource::new_borrow(rep), b"x".to_vec())
            .unwrap_err()
            .to_string();
        assert!(error.contains("[method]output-stream.write"), "{error}");
        assert!(error.contains("not an output-stream"), "{error}");
        let error = host
            .input_stream_read(Resource::new_borrow(99), 1)
            .unwrap_err()
            .to_string();
        assert!(error.contains("handle 99"), "{error}");
        assert!(host.pollable_drop(Resource::new_own(99)).is_err());
        // A stdin handle is not an output stream, nor a pollable.
        let stdin = wasi::cli::stdin::Host::get_stdin(&mut host).unwrap();
        assert!(
            host.output_stream_check_write(Resource::new_borrow(stdin.rep()))
                .is_err()
        );
        assert!(
            host.pollable_ready(Resource::new_borrow(stdin.rep()))
                .is_err()
        );
        assert!(host.poll(Vec::new()).is_err());
    }

    #[test]
    fn the_handle_table_is_bounded_and_reuses_reps() {
        let mut host = host().max_handles(2);
        let a = host.subscribe_duration(1).unwrap();
        let b = host.subscribe_duration(1).unwrap();
        let error = host.subscribe_duration(1).unwrap_err().to_string();
        assert!(error.contains("2 handles"), "{error}");
        let rep = a.rep();
        host.pollable_drop(a).unwrap();
        let c = host.subscribe_duration(1).unwrap();
        assert_eq!(c.rep(), rep);
        assert_ne!(b.rep(), c.rep());
    }

    #[test]
    fn poll_moves_a_virtual_clock_to_the_earliest_pollable() {
        let mut host = host();
        let start = host.clocks.monotonic();
        assert_eq!(start, VIRTUAL_MONOTONIC_START);
        let late = host.subscribe_duration(10_000_000_000).unwrap();
        let early = host.subscribe_instant(start + 2_000_000_000).unwrap();
        let later = host.subscribe_duration(20_000_000_000).unwrap();
        let began = std::time::Instant::now();
        let ready = host
            .poll(vec![borrow(&late), borrow(&early), borrow(&later)])
            .unwrap();
        assert_eq!(ready, [1]);
        assert_eq!(host.clocks.monotonic(), start + 2_000_000_000);
        assert!(!host.pollable_ready(borrow(&late)).unwrap());
        host.pollable_block(borrow(&late)).unwrap();
        assert_eq!(host.clocks.monotonic(), start + 10_000_000_000);
        let ready = host
            .poll(vec![borrow(&late), borrow(&early), borrow(&later)])
            .unwrap();
        assert_eq!(ready, [0, 1]);
        assert!(began.elapsed() < std::time::Duration::from_secs(1));
        // The wall clock moved with it.
        let now = wasi::clocks::wall_clock::Host::now(&mut host).unwrap();
        assert_eq!(now.seconds, 1_700_000_010);
        assert_eq!(now.nanoseconds, 0);
    }

    #[test]
    fn random_is_seeded_bounded_and_the_seed_is_stable() {
        use wasi::random::insecure_seed::Host as _;
        use wasi::random::random::Host as _;
        let mut a = host();
        let mut b = host();
        let bytes = a.get_random_bytes(32).unwrap();
        assert_eq!(bytes.len(), 32);
        assert_eq!(bytes, b.get_random_bytes(32).unwrap());
        let mut expected = [0u8; 8];
        let mut c = host();
        c.random.fill(&mut [0u8; 32]).unwrap();
        c.random.fill(&mut expected).unwrap();
        assert_eq!(a.get_random_u64().unwrap(), u64::from_le_bytes(expected));
        let seed = a.insecure_seed().unwrap();
        assert_eq!(a.insecure_seed().unwrap(), seed);
        let error = a
            .get_random_bytes(MAX_RANDOM_BYTES + 1)
            .unwrap_err()
            .to_string();
        assert!(error.contains("random bytes"), "{error}");
    }

    #[test]
    fn environment_and_exit() {
        use wasi::cli::environment::Host as _;
        use wasi::cli::exit::Host as _;
        let mut host = MinimalComponentHost::builder()
            .args(["prog", "one"])
            .env("A", "1=2")
            .build_component();
        assert_eq!(host.get_arguments().unwrap(), ["prog", "one"]);
        assert_eq!(
            host.get_environment().unwrap(),
            [("A".to_string(), "1=2".to_string())]
        );
        assert_eq!(host.initial_cwd().unwrap(), None);
        let code = |e: wasmtime::Error| e.downcast_ref::<Exit>().map(|e| e.code);
        assert_eq!(code(host.exit(Ok(())).unwrap_err()), Some(0));
        assert_eq!(code(host.exit(Err(())).unwrap_err()), Some(1));
        assert_eq!(code(host.exit_with_code(42).unwrap_err()), Some(42));
    }

    /// A guest calling the host's functions in any order with any handles and sizes: every call
    /// answers or traps, none panics, and the host's memory stays bounded (handles by the table,
    /// output by `MAX_BUFFER`, random bytes by `MAX_RANDOM_BYTES`). A pseudo-random sequence from a
    /// fixed seed, so that a failure repeats.
    #[test]
    fn any_sequence_of_calls_answers_or_traps_without_a_panic() {
        use wasi::cli::environment::Host as _;
        use wasi::cli::exit::Host as _;
        use wasi::cli::stdin::Host as _;
        use wasi::cli::stdout::Host as _;
        use wasi::clocks::wall_clock::Host as Wall;
        use wasi::random::insecure::Host as _;
        use wasi::random::insecure_seed::Host as _;
        use wasi::random::random::Host as _;

        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_f491_4f6c_dd1d)
        };
        let mut host = host();
        let (mut traps, mut answers) = (0u32, 0u32);
        for _ in 0..20_000 {
            let pick = next();
            // Mostly small reps, which the table hands out, sometimes any number at all.
            let rep = match pick % 8 {
                0 => u32::MAX,
                1 => next() as u32,
                _ => (next() % 12) as u32,
            };
            let size = match (pick >> 8) % 8 {
                0 => 0,
                1 => u64::MAX,
                2 => MAX_RANDOM_BYTES + 1,
                3 => WRITE_PERMIT + 1,
                4 => next(),
                _ => next() % 100,
            };
            let (input, output, pollable) = (
                Resource::<InputStream>::new_borrow(rep),
                Resource::<OutputStream>::new_borrow(rep),
                Resource::<Pollable>::new_borrow(rep),
            );
            let bytes = vec![b'x'; (size % 70_000) as usize];
            let ok = match (pick >> 16) % 30 {
                0 => host.get_stdin().is_ok(),
                1 => host.get_stdout().is_ok(),
                2 => wasi::cli::stderr::Host::get_stderr(&mut host).is_ok(),
                3 => host.input_stream_read(input, size).is_ok(),
                4 => host.input_stream_blocking_read(input, size).is_ok(),
                5 => host.input_stream_skip(input, size).is_ok(),
                6 => host.input_stream_blocking_skip(input, size).is_ok(),
                7 => host.input_stream_subscribe(input).is_ok(),
                8 => host.input_stream_drop(Resource::new_own(rep)).is_ok(),
                9 => host.output_stream_check_write(output).is_ok(),
                10 => host.output_stream_write(output, bytes).is_ok(),
                11 => host
                    .output_stream_blocking_write_and_flush(output, bytes)
                    .is_ok(),
                12 => host.output_stream_flush(output).is_ok(),
                13 => host.output_stream_blocking_flush(output).is_ok(),
                14 => host.output_stream_subscribe(output).is_ok(),
                15 => host.output_stream_drop(Resource::new_own(rep)).is_ok(),
                16 => host.pollable_ready(pollable).is_ok(),
                17 => host.pollable_block(pollable).is_ok(),
                18 => {
                    let list = (0..next() % 5)
                        .map(|_| Resource::new_borrow((next() % 12) as u32))
                        .collect();
                    host.poll(list).is_ok()
                }
                19 => host.pollable_drop(Resource::new_own(rep)).is_ok(),
                20 => host.subscribe_instant(size).is_ok(),
                21 => host.subscribe_duration(size).is_ok(),
                22 => wasi::clocks::monotonic_clock::Host::now(&mut host).is_ok(),
                23 => Wall::now(&mut host).is_ok() && Wall::resolution(&mut host).is_ok(),
                24 => host.get_random_bytes(size).is_ok(),
                25 => host.get_insecure_random_bytes(size).is_ok(),
                26 => host.get_random_u64().is_ok() && host.get_insecure_random_u64().is_ok(),
                27 => host.insecure_seed().is_ok(),
                28 => host.get_environment().is_ok() && host.get_arguments().is_ok(),
                _ => match size % 2 {
                    0 => host.exit(Err(())).is_ok(),
                    _ => host.exit_with_code(size as u8).is_ok(),
                },
            };
            if ok {
                answers += 1;
            } else {
                traps += 1;
            }
        }
        // Both kinds of outcome happened: the sequence reached past the first bad handle.
        assert!(
            answers > 1000 && traps > 1000,
            "{answers} answers, {traps} traps"
        );
        assert!(host.stdout().len() <= super::super::MAX_BUFFER);
    }
}
