//! What one WIT call costs through the glue generated for `wasi_stubs::p2`, against "the floor"
//! and the incumbent, in one process.
//!
//! * `floor`: hand-written `LinkerInstance::func_wrap` closures doing the same work (the same
//!   `Work` as the preview1 benchmark), with the resources the guest's imports name defined by
//!   hand;
//! * `glue`: `wasi_stubs::p2::add_to_linker` with a host overriding `get-stdout`,
//!   `[method]output-stream.blocking-write-and-flush` and `wall-clock.now` with that work;
//! * `minimal`: `wasi_stubs::host::MinimalComponentHost`, the ready host, as `wasi-stubs run`
//!   builds it, with stdout discarded and a fixed clock: its handle table, its `Output` and its
//!   clock source behind the same glue;
//! * `incumbent`: `wasmtime_wasi::p2::add_to_linker_sync` with a `WasiCtx` whose stdout is a
//!   sink and whose wall clock ticks once per reading.
//!
//! The guest is a component built here with `wit-component` from a core module (WAT) and a small
//! world importing `wasi:cli/stdout` and `wasi:clocks/wall-clock`: its export `write(n)` writes 16
//! bytes to stdout with `blocking-write-and-flush` `n` times, `now(n)` reads the wall clock `n`
//! times; both trap on an error. The reported time is per call.
//!
//! `cargo bench -p wasi-stubs --bench component -- --count CASE VARIANT CALLS` makes `CALLS`
//! calls of one case (`write_16`, `now`) with one variant (`floor`, `glue`, `minimal`,
//! `incumbent`) and
//! nothing else, for callgrind: `BENCH=component bash stubs/benches/count.sh` gives instructions per
//! call.

use std::cell::Cell;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use wasi_stubs::component::Defaults;
use wasi_stubs::host::{ClockSource, MinimalComponentHost, Output};
use wasi_stubs::p2::wasi;
use wasi_stubs::p2::wasi::clocks::wall_clock::Datetime;
use wasi_stubs::p2::wasi::io::streams::{OutputStream, StreamError};
use wasmtime::component::{
    Component, Instance, InstancePre, Linker, Resource, ResourceTable, ResourceType, TypedFunc,
};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// Calls per `run`.
const N: u32 = 10_000;
/// The sink is cleared when it grows past this.
const SINK_LIMIT: usize = 1 << 20;
/// What the clocks return, plus a per-call tick, in nanoseconds.
const CLOCK_BASE: u64 = 1_700_000_000_000_000_000;
/// What `write` writes each call.
const BYTES: &[u8; 16] = b"0123456789abcdef";

/// The cases: (name, export).
const CASES: [(&str, &str); 2] = [("write_16", "write"), ("now", "now")];

const WORLD: &str = r#"
package bench:glue;

world bench {
  import wasi:cli/stdout@0.2.12;
  import wasi:clocks/wall-clock@0.2.12;
  export write: func(n: u32);
  export now: func(n: u32);
}
"#;

/// The core module: the stdout handle is fetched once and kept in a global; the results of
/// `blocking-write-and-flush` (`result<_, stream-error>`, its tag first) and of `now` (a
/// `datetime`) go to a return area at 64.
const CORE: &str = r#"
(module
  (import "wasi:cli/stdout@0.2.12" "get-stdout" (func $get_stdout (result i32)))
  (import "wasi:io/streams@0.2.12" "[method]output-stream.blocking-write-and-flush"
    (func $write (param i32 i32 i32 i32)))
  (import "wasi:clocks/wall-clock@0.2.12" "now" (func $now (param i32)))
  (memory (export "memory") 1)
  (global $stdout (mut i32) (i32.const 0))
  (data (i32.const 256) "0123456789abcdef")
  (func (export "write") (param $n i32)
    (if (i32.eqz (global.get $stdout))
      (then (global.set $stdout (call $get_stdout))))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (call $write (global.get $stdout) (i32.const 256) (i32.const 16) (i32.const 64))
        (if (i32.load8_u (i32.const 64)) (then unreachable))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next))))
  (func (export "now") (param $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (call $now (i32.const 64))
        (if (i64.eqz (i64.load (i32.const 64))) (then unreachable))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))))
"#;

/// The guest component, built from [`CORE`] and [`WORLD`] over the vendored WASI 0.2 WIT.
fn guest() -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("wasi-stubs-bench-{}", std::process::id()));
    let wit = wasi_stubs_codegen::wit::vendored::WASI_0_2
        .write_to(&dir)
        .unwrap();
    let mut resolve = wit_parser::Resolve::default();
    resolve.push_dir(&wit).unwrap();
    let package = resolve.push_str("bench.wit", WORLD).unwrap();
    let world = resolve.select_world(&[package], Some("bench")).unwrap();
    let mut module = wat::parse_str(CORE).unwrap();
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .unwrap();
    let component = wit_component::ComponentEncoder::default()
        .module(&module)
        .unwrap()
        .validate(true)
        .encode()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    component
}

// ---------------------------------------------------------------------------------------------
// The work, shared by floor and glue.

#[derive(Default)]
struct Work {
    out: Vec<u8>,
    ticks: u64,
}

impl Work {
    #[inline]
    fn sink(&mut self, bytes: &[u8]) {
        if self.out.len() > SINK_LIMIT {
            self.out.clear();
        }
        self.out.extend_from_slice(bytes);
    }
    #[inline]
    fn now(&mut self) -> Datetime {
        self.ticks += 1;
        let t = CLOCK_BASE + self.ticks;
        Datetime {
            seconds: t / 1_000_000_000,
            nanoseconds: (t % 1_000_000_000) as u32,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The floor: hand-written closures.

#[derive(Default)]
struct Floor {
    work: Work,
}

fn floor_linker(engine: &Engine) -> Linker<Floor> {
    let mut linker = Linker::<Floor>::new(engine);
    let ignore = |_: wasmtime::StoreContextMut<'_, Floor>, _: u32| Ok(());
    let mut error = linker.instance("wasi:io/error@0.2.12").unwrap();
    error
        .resource(
            "error",
            ResourceType::host::<wasi::io::error::Error>(),
            ignore,
        )
        .unwrap();
    let mut poll = linker.instance("wasi:io/poll@0.2.12").unwrap();
    poll.resource(
        "pollable",
        ResourceType::host::<wasi::io::poll::Pollable>(),
        ignore,
    )
    .unwrap();
    let mut streams = linker.instance("wasi:io/streams@0.2.12").unwrap();
    streams
        .resource(
            "input-stream",
            ResourceType::host::<wasi::io::streams::InputStream>(),
            ignore,
        )
        .unwrap();
    streams
        .resource(
            "output-stream",
            ResourceType::host::<OutputStream>(),
            ignore,
        )
        .unwrap();
    streams
        .func_wrap(
            "[method]output-stream.blocking-write-and-flush",
            |mut store, (_stream, contents): (Resource<OutputStream>, Vec<u8>)| {
                store.data_mut().work.sink(&contents);
                Ok((Ok::<(), StreamError>(()),))
            },
        )
        .unwrap();
    let mut stdout = linker.instance("wasi:cli/stdout@0.2.12").unwrap();
    stdout
        .func_wrap("get-stdout", |_store, ()| {
            Ok((Resource::<OutputStream>::new_own(1),))
        })
        .unwrap();
    let mut clock = linker.instance("wasi:clocks/wall-clock@0.2.12").unwrap();
    clock
        .func_wrap("now", |mut store, ()| Ok((store.data_mut().work.now(),)))
        .unwrap();
    linker
}

// ---------------------------------------------------------------------------------------------
// The glue: a host of the generated traits.

#[derive(Default)]
struct Host {
    work: Work,
}

impl Defaults for Host {}

impl wasi::cli::stdout::Host for Host {
    fn get_stdout(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        Ok(Resource::new_own(1))
    }
}

impl wasi::io::streams::Host for Host {
    fn output_stream_blocking_write_and_flush(
        &mut self,
        _stream: Resource<OutputStream>,
        contents: Vec<u8>,
    ) -> wasmtime::Result<Result<(), StreamError>> {
        self.work.sink(&contents);
        Ok(Ok(()))
    }
}

impl wasi::clocks::wall_clock::Host for Host {
    fn now(&mut self) -> wasmtime::Result<Datetime> {
        Ok(self.work.now())
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
    wasi::cli::stdin::Host,
    wasi::cli::stderr::Host,
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
    wasi::random::random::Host,
    wasi::random::insecure::Host,
    wasi::random::insecure_seed::Host,
);

fn glue_linker(engine: &Engine) -> Linker<Host> {
    let mut linker = Linker::new(engine);
    wasi_stubs::p2::add_to_linker(&mut linker, |host: &mut Host| host).unwrap();
    linker
}

// ---------------------------------------------------------------------------------------------
// The ready host.

fn minimal_linker(engine: &Engine) -> Linker<MinimalComponentHost> {
    let mut linker = Linker::new(engine);
    wasi_stubs::p2::add_to_linker(&mut linker, |host: &mut MinimalComponentHost| host).unwrap();
    linker
}

fn minimal() -> MinimalComponentHost {
    MinimalComponentHost::builder()
        .stdout(Output::discard())
        .clock(ClockSource::Fixed(CLOCK_BASE))
        .build_component()
}

// ---------------------------------------------------------------------------------------------
// The incumbent: wasmtime-wasi's p2.

struct Incumbent {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Incumbent {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// A wall clock that ticks once per reading, like `Work::now`.
struct TickClock(Cell<u64>);

impl wasmtime_wasi::HostWallClock for TickClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }
    fn now(&self) -> Duration {
        self.0.set(self.0.get() + 1);
        Duration::from_nanos(CLOCK_BASE + self.0.get())
    }
}

fn incumbent_linker(engine: &Engine) -> Linker<Incumbent> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    linker
}

fn incumbent() -> Incumbent {
    Incumbent {
        ctx: WasiCtx::builder()
            .stdout(wasmtime_wasi::p2::pipe::SinkOutputStream)
            .wall_clock(TickClock(Cell::new(0)))
            .build(),
        table: ResourceTable::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Running

fn instantiate<T: 'static>(pre: &InstancePre<T>, data: T) -> (Store<T>, Instance) {
    let mut store = Store::new(pre.engine(), data);
    let instance = pre.instantiate(&mut store).unwrap();
    (store, instance)
}

fn export<T: 'static>(
    store: &mut Store<T>,
    instance: &Instance,
    name: &str,
) -> TypedFunc<(u32,), ()> {
    instance
        .get_typed_func::<(u32,), ()>(&mut *store, name)
        .unwrap()
}

/// Times `export(N)` and reports the time per call.
fn bench_run<T: 'static>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: &str,
    name: &str,
    (mut store, instance): (Store<T>, Instance),
) {
    let run = export(&mut store, &instance, name);
    group.bench_function(id, |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                run.call(&mut store, (black_box(N),)).unwrap();
            }
            start.elapsed() / N
        })
    });
}

/// The linkers and their `InstancePre`s of the guest, checked: each variant's `write(1)` and
/// `now(1)` succeed, and floor and glue do the same work.
struct Pres {
    floor: InstancePre<Floor>,
    glue: InstancePre<Host>,
    minimal: InstancePre<MinimalComponentHost>,
    incumbent: InstancePre<Incumbent>,
}

impl Pres {
    fn new(engine: &Engine) -> Pres {
        let component = Component::new(engine, guest()).unwrap();
        let pres = Pres {
            floor: floor_linker(engine).instantiate_pre(&component).unwrap(),
            glue: glue_linker(engine).instantiate_pre(&component).unwrap(),
            minimal: minimal_linker(engine).instantiate_pre(&component).unwrap(),
            incumbent: incumbent_linker(engine)
                .instantiate_pre(&component)
                .unwrap(),
        };
        let (mut store, instance) = instantiate(&pres.floor, Floor::default());
        for (_, name) in CASES {
            export(&mut store, &instance, name)
                .call(&mut store, (1,))
                .unwrap();
        }
        let floor = (store.data().work.out.clone(), store.data().work.ticks);
        let (mut store, instance) = instantiate(&pres.glue, Host::default());
        for (_, name) in CASES {
            export(&mut store, &instance, name)
                .call(&mut store, (1,))
                .unwrap();
        }
        let glue = (store.data().work.out.clone(), store.data().work.ticks);
        assert_eq!(floor, (BYTES.to_vec(), 1));
        assert_eq!(glue, floor);
        let (mut store, instance) = instantiate(&pres.minimal, minimal());
        for (_, name) in CASES {
            export(&mut store, &instance, name)
                .call(&mut store, (1,))
                .unwrap();
        }
        let (mut store, instance) = instantiate(&pres.incumbent, incumbent());
        for (_, name) in CASES {
            export(&mut store, &instance, name)
                .call(&mut store, (1,))
                .unwrap();
        }
        pres
    }
}

fn calls(c: &mut Criterion) {
    let engine = Engine::default();
    let pres = Pres::new(&engine);
    for (case, name) in CASES {
        let mut group = c.benchmark_group(format!("p2/{case}"));
        bench_run(
            &mut group,
            "floor",
            name,
            instantiate(&pres.floor, Floor::default()),
        );
        bench_run(
            &mut group,
            "glue",
            name,
            instantiate(&pres.glue, Host::default()),
        );
        bench_run(
            &mut group,
            "minimal",
            name,
            instantiate(&pres.minimal, minimal()),
        );
        bench_run(
            &mut group,
            "incumbent",
            name,
            instantiate(&pres.incumbent, incumbent()),
        );
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    targets = calls
}

/// `--count CASE VARIANT CALLS`: `CALLS` calls of one case with one variant, and nothing else
/// (see the module docs).
fn count(case: &str, variant: &str, calls: u32) {
    let engine = Engine::default();
    let name = CASES
        .iter()
        .find(|(c, _)| *c == case)
        .map(|(_, name)| *name)
        .unwrap_or_else(|| panic!("no case `{case}`: write_16 or now"));
    let pres = Pres::new(&engine);
    macro_rules! go {
        ($pre:expr, $data:expr) => {{
            let (mut store, instance) = instantiate($pre, $data);
            let run = export(&mut store, &instance, name);
            run.call(&mut store, (black_box(calls),)).unwrap();
        }};
    }
    match variant {
        "floor" => go!(&pres.floor, Floor::default()),
        "glue" => go!(&pres.glue, Host::default()),
        "minimal" => go!(&pres.minimal, minimal()),
        "incumbent" => go!(&pres.incumbent, incumbent()),
        other => panic!("no variant `{other}`: floor, glue, minimal or incumbent"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--count") {
        let [case, variant, calls] =
            [1, 2, 3].map(|i| args.get(at + i).cloned().unwrap_or_default());
        count(&case, &variant, calls.parse().expect("a number of calls"));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
