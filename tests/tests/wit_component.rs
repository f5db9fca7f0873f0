//! A real component on a host of `wasi_stubs::p2` that implements a handful of functions: the
//! Rust wasip1 guest `guests/rust-component` (committed built, `fixtures/rust-component.wasm`),
//! made a component here with wasmtime 48's preview1 command adapter (from the
//! `wasi-preview1-component-adapter-provider` crate) by `wit-component`, run through
//! `wasi:cli/run.run`. Its stdout, written by the adapter with
//! `[method]output-stream.blocking-write-and-flush` (in chunks of at most 4096 bytes), comes out
//! byte-exactly, with the wall clock and random bytes the host chose.
//!
//! What the adapter needs of a host besides what the guest uses: it opens stdin, stdout and
//! stderr when it starts (`get-stdin`, `get-stdout`, `get-stderr`), whether the guest uses them
//! or not, and these return a resource, which has no default answer but a trap; so the host
//! hands out handles for all three. The one other function called answers its default:
//! `get-directories` (the adapter lists the preopens when it starts), an empty list. A test
//! with `Policy::TRAP` proves that it is the only one (`RELIED_ON`): the guest's environment is
//! never asked for (`get-environment`).

use wasi_stubs::component::{Answer, Coverage, Defaults, NotImplemented, Policy};
use wasi_stubs::p2::wasi;
use wasi_stubs::p2::wasi::clocks::wall_clock::Datetime;
use wasi_stubs::p2::wasi::io::streams::{InputStream, OutputStream, StreamError};
use wasi_stubs::wasi_stubs;
use wasmtime::component::{Component, Linker, Resource};
use wasmtime::{Engine, Store};

const GUEST: &[u8] = include_bytes!("../guests/fixtures/rust-component.wasm");

/// The handles the host hands out for the three standard streams (their `rep`s).
const STDIN: u32 = 0;
const STDOUT: u32 = 1;
const STDERR: u32 = 2;

/// What the host's wall clock says.
const NOW: Datetime = Datetime {
    seconds: 1_700_000_000,
    nanoseconds: 123_456_789,
};

#[derive(Default)]
struct Host {
    policy: Policy,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// The length of each `blocking-write-and-flush`.
    writes: Vec<usize>,
}

impl Defaults for Host {
    fn policy(&self) -> &Policy {
        &self.policy
    }
}

#[wasi_stubs(override(get_stdin))]
impl wasi::cli::stdin::Host for Host {
    fn get_stdin(&mut self) -> wasmtime::Result<Resource<InputStream>> {
        Ok(Resource::new_own(STDIN))
    }
}

#[wasi_stubs(override(get_stdout))]
impl wasi::cli::stdout::Host for Host {
    fn get_stdout(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        Ok(Resource::new_own(STDOUT))
    }
}

#[wasi_stubs(override(get_stderr))]
impl wasi::cli::stderr::Host for Host {
    fn get_stderr(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        Ok(Resource::new_own(STDERR))
    }
}

#[wasi_stubs(override(output_stream_blocking_write_and_flush))]
impl wasi::io::streams::Host for Host {
    fn output_stream_blocking_write_and_flush(
        &mut self,
        stream: Resource<OutputStream>,
        contents: Vec<u8>,
    ) -> wasmtime::Result<Result<(), StreamError>> {
        self.writes.push(contents.len());
        match stream.rep() {
            STDOUT => self.stdout.extend_from_slice(&contents),
            STDERR => self.stderr.extend_from_slice(&contents),
            _ => return Ok(Err(StreamError::Closed)),
        }
        Ok(Ok(()))
    }
}

#[wasi_stubs(override(now))]
impl wasi::clocks::wall_clock::Host for Host {
    fn now(&mut self) -> wasmtime::Result<Datetime> {
        Ok(NOW)
    }
}

#[wasi_stubs(override(get_random_bytes))]
impl wasi::random::random::Host for Host {
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        Ok((0..len).map(|i| i as u8).collect())
    }
}

macro_rules! defaults {
    ($($path:path),* $(,)?) => { $(impl $path for Host {})* };
}

defaults!(
    wasi::cli::environment::Host,
    wasi::cli::exit::Host,
    wasi::io::error::Host,
    wasi::io::poll::Host,
    wasi::cli::terminal_input::Host,
    wasi::cli::terminal_output::Host,
    wasi::cli::terminal_stdin::Host,
    wasi::cli::terminal_stdout::Host,
    wasi::cli::terminal_stderr::Host,
    wasi::clocks::monotonic_clock::Host,
    wasi::filesystem::types::Host,
    wasi::filesystem::preopens::Host,
    wasi::sockets::network::Host,
    wasi::sockets::instance_network::Host,
    wasi::sockets::udp::Host,
    wasi::sockets::udp_create_socket::Host,
    wasi::sockets::tcp::Host,
    wasi::sockets::tcp_create_socket::Host,
    wasi::sockets::ip_name_lookup::Host,
    wasi::random::insecure::Host,
    wasi::random::insecure_seed::Host,
);

/// The guest module made a component with the preview1 command adapter.
fn component() -> Vec<u8> {
    wasi_stubs_tests::components::adapt_command(GUEST)
}

/// Runs the component through `wasi:cli/run.run` on a host with `policy`: the host afterwards,
/// with what `run` returned.
fn run(policy: Policy) -> (Host, wasmtime::Result<Result<(), ()>>) {
    let engine = Engine::default();
    let component = Component::new(&engine, component()).unwrap();
    let mut linker = Linker::new(&engine);
    wasi_stubs::p2::add_to_linker(&mut linker, |host: &mut Host| host).unwrap();
    let mut store = Store::new(
        &engine,
        Host {
            policy,
            ..Host::default()
        },
    );
    let instance = linker.instantiate(&mut store, &component).unwrap();
    // The adapter exports `wasi:cli/run` at the WASI version it was built against.
    let interface = component
        .component_type()
        .exports(&engine)
        .map(|(name, _)| name.to_string())
        .find(|name| name.starts_with("wasi:cli/run@0.2."))
        .expect("the command adapter exports wasi:cli/run");
    let interface = instance
        .get_export_index(&mut store, None, &interface)
        .unwrap();
    let run = instance
        .get_export_index(&mut store, Some(&interface), "run")
        .unwrap();
    let run = instance
        .get_typed_func::<(), (Result<(), ()>,)>(&mut store, run)
        .unwrap();
    let result = run.call(&mut store, ()).map(|(result,)| result);
    (store.into_data(), result)
}

/// What the guest prints, given the host's clock and random bytes.
fn expected_stdout() -> Vec<u8> {
    let long: String = (0..5000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    format!(
        "hello from a component\n\
         now: 1700000000.123456789\n\
         random: 000102030405060708090a0b0c0d0e0f (errno 0)\n\
         {long}\n"
    )
    .into_bytes()
}

#[test]
fn an_adapted_wasip1_guest_runs_on_a_host_of_six_functions_and_its_stdout_is_exact() {
    let (host, result) = run(Policy::default());
    result.unwrap().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&host.stdout),
        String::from_utf8_lossy(&expected_stdout())
    );
    assert_eq!(host.stdout, expected_stdout());
    assert!(host.stderr.is_empty());
    // The long line went in chunks of at most 4096 bytes.
    assert!(host.writes.iter().all(|&n| n <= 4096), "{:?}", host.writes);
    assert!(host.writes.len() >= 4, "{:?}", host.writes);
}

/// The defaults the adapter and the guest rely on, besides the host's overrides.
const RELIED_ON: [&str; 1] = ["wasi:filesystem/preopens@0.2.12#get-directories"];

/// With every default answer a trap but those of [`RELIED_ON`] it runs; leaving any of them out,
/// it fails naming that one.
#[test]
fn the_adapter_relies_on_exactly_the_documented_defaults() {
    let allowing = |names: &[&str]| {
        names.iter().fold(Policy::TRAP, |policy, name| {
            policy.answer_for(*name, Answer::Default)
        })
    };
    let (host, result) = run(allowing(&RELIED_ON));
    result.unwrap().unwrap();
    assert_eq!(host.stdout, expected_stdout());

    for left_out in RELIED_ON {
        let others: Vec<&str> = RELIED_ON.into_iter().filter(|n| *n != left_out).collect();
        let (_, result) = run(allowing(&others));
        let error = result.unwrap_err();
        let trap = error
            .downcast_ref::<NotImplemented>()
            .unwrap_or_else(|| panic!("{error:?}"));
        assert_eq!(trap.function, left_out);
    }
}

#[test]
fn the_attribute_records_the_overrides_by_wit_name() {
    type Streams = dyn wasi::io::streams::Host;
    assert_eq!(
        <Host as Coverage<Streams>>::OVERRIDES,
        ["[method]output-stream.blocking-write-and-flush"]
    );
    assert_eq!(
        <Host as Coverage<dyn wasi::cli::stdout::Host>>::OVERRIDES,
        ["get-stdout"]
    );
    assert!(<Host as Coverage<dyn wasi::random::random::Host>>::overrides("get-random-bytes"));
    let defaulted = <Host as Coverage<Streams>>::coverage()
        .filter(|(_, overridden)| !overridden)
        .count();
    assert_eq!(defaulted, 16);
}
