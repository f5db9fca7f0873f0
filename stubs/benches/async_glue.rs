//! What one WASI call costs through the async glue (`add_to_linker_async`, instances called with
//! `call_async` on a single-threaded tokio runtime), against the synchronous glue and wasmtime-wasi's
//! async preview1, in one process.
//!
//! * `sync_glue`: `wasi_stubs::preview1::add_to_linker` with a host of `WasiSnapshotPreview1`,
//!   called with `call`.
//! * `async_glue`: `wasi_stubs::preview1::add_to_linker_async` with a host of
//!   `WasiSnapshotPreview1Async` doing the same work, called with `call_async`. `fd_write` and
//!   `sched_yield` are async methods there (linked with `func_wrap_async`); `clock_time_get` is a
//!   synchronous method of the async trait (linked with `func_wrap`, on the async store).
//! * `wasmtime_wasi_async`: `wasmtime_wasi::p1::add_to_linker_async` with a `WasiP1Ctx` whose
//!   stdout is a sink and whose monotonic clock is a counter, called with `call_async`.
//!
//! Each case is a WAT guest whose `run(n)` makes the call `n` times (trapping on a nonzero
//! errno); the time reported is per call. `cargo bench -p wasi-stubs --bench async_glue`.
//!
//! Measured on the 2-core development machine, otherwise idle (criterion medians, ns per call):
//! `fd_write` of 16 bytes 7.4 sync, 46.6 async, 198 wasmtime-wasi async; `clock_time_get` 5.8
//! sync, 6.1 async glue (a synchronous method there), 47.9 wasmtime-wasi async; `sched_yield` 2.4
//! sync, 37.4 async, 55.3 wasmtime-wasi async. An async method costs about 35-40 ns more than a
//! synchronous one: `func_wrap_async`'s boxed future and its poll, and the boxed future of the
//! glue's `call_` function.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use wasi_stubs::preview1::{
    self, CiovecArray, Clockid, Errno, Fd, Size, Timestamp, WasiSnapshotPreview1,
    WasiSnapshotPreview1Async,
};
use wasi_stubs::{Ctx, Error, GuestMemory};
use wasmtime::{Engine, Instance, Linker, Module, Store, TypedFunc};
use wasmtime_wasi::p1::WasiP1Ctx;

/// Calls per `run`.
const N: u32 = 10_000;
/// The sink is cleared when it grows past this.
const SINK_LIMIT: usize = 1 << 20;
const CLOCK_BASE: u64 = 1_700_000_000_000_000_000;

/// One call case: its name, its import, and the call (an `i32` errno).
struct Case {
    name: &'static str,
    import: &'static str,
    call: &'static str,
}

const CASES: [Case; 3] = [
    Case {
        name: "fd_write_1x16",
        import: r#"(import "wasi_snapshot_preview1" "fd_write" (func $f (param i32 i32 i32 i32) (result i32)))"#,
        call: "(call $f (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 64))",
    },
    Case {
        name: "clock_time_get",
        import: r#"(import "wasi_snapshot_preview1" "clock_time_get" (func $f (param i32 i64 i32) (result i32)))"#,
        call: "(call $f (i32.const 1) (i64.const 1) (i32.const 72))",
    },
    Case {
        name: "sched_yield",
        import: r#"(import "wasi_snapshot_preview1" "sched_yield" (func $f (result i32)))"#,
        call: "(call $f)",
    },
];

/// A guest whose `run(n)` makes the case's call `n` times; one iovec of 16 bytes at 0.
fn case_wat(case: &Case) -> String {
    format!(
        r#"(module
  {import}
  (memory (export "memory") 1)
  (data (i32.const 0) "\00\01\00\00\10\00\00\00")
  (data (i32.const 256) "0123456789abcdef")
  (func (export "run") (param $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (if {call} (then unreachable))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))))"#,
        import = case.import,
        call = case.call,
    )
}

// ---------------------------------------------------------------------------------------------
// The hosts: the same work, synchronous and async.

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
    fn now(&mut self) -> u64 {
        self.ticks += 1;
        CLOCK_BASE + self.ticks
    }
}

#[derive(Default)]
struct SyncHost(Work);

impl WasiSnapshotPreview1 for SyncHost {
    fn fd_write(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: CiovecArray,
    ) -> Result<Size, Error<Errno>> {
        match fd.raw() {
            1 | 2 => Ok(mem.gather(iovs, |bytes| self.0.sink(bytes))?),
            _ => Err(Errno::Badf.into()),
        }
    }

    fn clock_time_get(
        &mut self,
        id: Clockid,
        _precision: Timestamp,
    ) -> Result<Timestamp, Error<Errno>> {
        match id {
            Clockid::Realtime | Clockid::Monotonic => Ok(self.0.now()),
            _ => Err(Errno::Badf.into()),
        }
    }

    fn sched_yield(&mut self) -> Result<(), Error<Errno>> {
        Ok(())
    }
}

#[derive(Default)]
struct AsyncHost(Work);

impl WasiSnapshotPreview1Async for AsyncHost {
    async fn fd_write(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: CiovecArray,
    ) -> Result<Size, Error<Errno>> {
        match fd.raw() {
            1 | 2 => Ok(mem.gather(iovs, |bytes| self.0.sink(bytes))?),
            _ => Err(Errno::Badf.into()),
        }
    }

    fn clock_time_get(
        &mut self,
        id: Clockid,
        _precision: Timestamp,
    ) -> Result<Timestamp, Error<Errno>> {
        match id {
            Clockid::Realtime | Clockid::Monotonic => Ok(self.0.now()),
            _ => Err(Errno::Badf.into()),
        }
    }

    async fn sched_yield(&mut self) -> Result<(), Error<Errno>> {
        Ok(())
    }
}

/// A monotonic clock that ticks once per reading, like `Work::now`.
struct TickClock(AtomicU64);

impl wasmtime_wasi::HostMonotonicClock for TickClock {
    fn resolution(&self) -> u64 {
        1
    }
    fn now(&self) -> u64 {
        CLOCK_BASE + self.0.fetch_add(1, Ordering::Relaxed) + 1
    }
}

fn wasmtime_wasi_ctx() -> WasiP1Ctx {
    wasmtime_wasi::WasiCtxBuilder::new()
        .stdout(wasmtime_wasi::p2::pipe::SinkOutputStream)
        .monotonic_clock(TickClock(AtomicU64::new(0)))
        .build_p1()
}

/// A store of `data` with the guest instantiated by `linker` (asynchronously for an async
/// store).
fn instantiate<T: Send + 'static>(
    rt: &tokio::runtime::Runtime,
    linker: &Linker<T>,
    module: &Module,
    data: T,
    asynchronous: bool,
) -> (Store<T>, Instance) {
    let mut store = Store::new(module.engine(), data);
    let instance = if asynchronous {
        rt.block_on(linker.instantiate_async(&mut store, module))
            .unwrap()
    } else {
        linker.instantiate(&mut store, module).unwrap()
    };
    (store, instance)
}

/// Binds the guest's memory to the store's `Ctx`, as hosts of the glue do.
fn bind<H>((mut store, instance): (Store<Ctx<H>>, Instance)) -> (Store<Ctx<H>>, Instance) {
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    store.data_mut().bind_memory(memory);
    (store, instance)
}

/// Times `run(N)`, with `call` or (`asynchronous`) `call_async`, and reports the time per call.
/// Before timing, one `run(1)` checks the call did its work (16 bytes written, the clock read).
fn bench_run<T: Send + 'static>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    rt: &tokio::runtime::Runtime,
    case: &Case,
    id: &str,
    (mut store, instance): (Store<T>, Instance),
    asynchronous: bool,
) {
    let run: TypedFunc<i32, ()> = instance.get_typed_func(&mut store, "run").unwrap();
    let once = |store: &mut Store<T>| {
        if asynchronous {
            rt.block_on(run.call_async(&mut *store, 1)).unwrap();
        } else {
            run.call(&mut *store, 1).unwrap();
        }
    };
    once(&mut store);
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    let mem = memory.data(&store);
    match case.name {
        "fd_write_1x16" => assert_eq!(mem[64..68], 16u32.to_le_bytes(), "{id}"),
        "clock_time_get" => {
            assert_eq!(mem[72..80], (CLOCK_BASE + 1).to_le_bytes(), "{id}")
        }
        _ => {}
    }
    group.bench_function(id, |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            if asynchronous {
                rt.block_on(async {
                    for _ in 0..iters {
                        run.call_async(&mut store, black_box(N as i32))
                            .await
                            .unwrap();
                    }
                });
            } else {
                for _ in 0..iters {
                    run.call(&mut store, black_box(N as i32)).unwrap();
                }
            }
            start.elapsed() / N
        })
    });
}

fn calls(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let engine = Engine::default();
    let mut sync_glue = Linker::new(&engine);
    preview1::add_to_linker(&mut sync_glue, |ctx: &mut Ctx<SyncHost>| ctx).unwrap();
    let mut async_glue = Linker::new(&engine);
    preview1::add_to_linker_async(&mut async_glue, |ctx: &mut Ctx<AsyncHost>| ctx).unwrap();
    let mut incumbent = Linker::new(&engine);
    wasmtime_wasi::p1::add_to_linker_async(&mut incumbent, |ctx: &mut WasiP1Ctx| ctx).unwrap();

    for case in &CASES {
        let module = Module::new(&engine, case_wat(case)).unwrap();
        let mut group = c.benchmark_group(format!("async/{}", case.name));
        let sync_host = Ctx::new(SyncHost::default());
        let store = bind(instantiate(&rt, &sync_glue, &module, sync_host, false));
        bench_run(&mut group, &rt, case, "sync_glue", store, false);
        let async_host = Ctx::new(AsyncHost::default());
        let store = bind(instantiate(&rt, &async_glue, &module, async_host, true));
        bench_run(&mut group, &rt, case, "async_glue", store, true);
        let store = instantiate(&rt, &incumbent, &module, wasmtime_wasi_ctx(), true);
        bench_run(&mut group, &rt, case, "wasmtime_wasi_async", store, true);
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    targets = calls
}
criterion_main!(benches);
