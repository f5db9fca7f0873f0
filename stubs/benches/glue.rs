//! What one WASI call costs through the generated glue, against "the floor" and the incumbent.
//!
//! * `floor`: a hand-written `Linker::func_wrap` closure per function, doing the same work with
//!   the same safety checks as the glue (bounds, alignment of the iovec array and of result
//!   pointers, checked sum of lengths, enum validation, result pointer checked before the work and
//!   written after), with the guest's `Memory` held in the store data from instantiation.
//! * `glue`: `wasi_stubs::preview1::add_to_linker` with a host implementing the same work, memory
//!   bound with `Ctx::bind_memory`.
//! * `glue_traced`: the same with tracing switched on for the store (no subscriber installed):
//!   what building each call's trace line costs. `glue` has the switch off, its normal state.
//! * `incumbent`: `wasmtime_wasi::p1::add_to_linker_sync` with a `WasiP1Ctx` whose stdout is a
//!   sink, whose monotonic clock is a counter and whose secure RNG is `Deterministic`.
//!
//! Each call case is a WAT guest whose `run(n)` makes the call `n` times (and traps on a nonzero
//! errno); the reported time is per call. The `setup` group times a new `Store` plus
//! instantiation from an `InstancePre` of a guest importing the four functions of the five cases.

use std::cell::Cell;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use wasi_stubs::preview1::{
    self, CiovecArray, Clockid, Errno, Fd, Size, Timestamp, WasiSnapshotPreview1,
};
use wasi_stubs::{Ctx, Error, GuestMemory, GuestPtr};
use wasmtime::{Caller, Engine, Instance, InstancePre, Linker, Memory, Module, Store, TypedFunc};
use wasmtime_wasi::p1::WasiP1Ctx;

/// Calls per `run`.
const N: u32 = 10_000;
/// The sink is cleared when it grows past this.
const SINK_LIMIT: usize = 1 << 20;
/// What the clocks return, plus a per-call tick.
const CLOCK_BASE: u64 = 1_700_000_000_000_000_000;
/// The arguments whose sizes `args_sizes_get` reports: 2 arguments, 16 bytes with their NULs.
const ARGS: [&str; 2] = ["bench", "123456789"];
const ARGS_BUF_SIZE: u32 = 16;

const EBADF: i32 = 8;
const EFAULT: i32 = 21;
const EINVAL: i32 = 28;

// ---------------------------------------------------------------------------------------------
// Guests
//
// Memory layout: the iovec array at 0 (up to 4 entries), `nwritten` at 64, the timestamp at 72,
// the two sizes at 80 and 84, the random buffer at 128 (32 bytes), iovec data at 256.

const LAYOUT: &str = r#"
  (memory (export "memory") 1)
  (data (i32.const 0)
    "\00\01\00\00\40\00\00\00"
    "\40\01\00\00\40\00\00\00"
    "\80\01\00\00\40\00\00\00"
    "\c0\01\00\00\40\00\00\00")
  (data (i32.const 256) "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
"#;

const IMPORT_FD_WRITE: &str = r#"(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))"#;
const IMPORT_CLOCK: &str = r#"(import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))"#;
const IMPORT_RANDOM: &str = r#"(import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))"#;
const IMPORT_ARGS: &str = r#"(import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))"#;

/// One call case: its name, the import it needs, a prologue run once per `run`, and the call
/// expression (an `i32` errno).
struct Case {
    name: &'static str,
    import: &'static str,
    prologue: &'static str,
    call: &'static str,
}

const CASES: [Case; 5] = [
    Case {
        name: "fd_write_1x16",
        import: IMPORT_FD_WRITE,
        // One iovec of 16 bytes: shorten the first entry's length.
        prologue: "(i32.store (i32.const 4) (i32.const 16))",
        call: "(call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 64))",
    },
    Case {
        name: "fd_write_4x64",
        import: IMPORT_FD_WRITE,
        prologue: "",
        call: "(call $fd_write (i32.const 1) (i32.const 0) (i32.const 4) (i32.const 64))",
    },
    Case {
        name: "clock_time_get",
        import: IMPORT_CLOCK,
        prologue: "",
        call: "(call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 72))",
    },
    Case {
        name: "random_get_32",
        import: IMPORT_RANDOM,
        prologue: "",
        call: "(call $random_get (i32.const 128) (i32.const 32))",
    },
    Case {
        name: "args_sizes_get",
        import: IMPORT_ARGS,
        prologue: "",
        call: "(call $args_sizes_get (i32.const 80) (i32.const 84))",
    },
];

/// A guest that exports `run(n)`, making the case's call `n` times and trapping on an error.
fn case_wat(case: &Case) -> String {
    format!(
        r#"(module
  {import}
  {LAYOUT}
  (func (export "run") (param $n i32)
    {prologue}
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (if {call} (then unreachable))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))))"#,
        import = case.import,
        prologue = case.prologue,
        call = case.call,
    )
}

/// A guest importing the four functions of the five cases, for the setup group.
fn setup_wat() -> String {
    let mut body = String::new();
    // One call of each function (the two fd_write cases share their import).
    for case in &CASES[1..] {
        body.push_str(&format!("(drop {})\n", case.call));
    }
    format!(
        r#"(module
  {IMPORT_FD_WRITE}
  {IMPORT_CLOCK}
  {IMPORT_RANDOM}
  {IMPORT_ARGS}
  {LAYOUT}
  (func (export "run") (param $n i32)
    {body}))"#
    )
}

// ---------------------------------------------------------------------------------------------
// The work, shared by floor and glue so both do exactly the same thing once the checks pass.

#[derive(Default)]
struct Work {
    out: Vec<u8>,
    ticks: u64,
    counter: u8,
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
    #[inline]
    fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            *b = self.counter;
            self.counter = self.counter.wrapping_add(1);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The floor: hand-written closures.

#[derive(Default)]
struct Floor {
    memory: Option<Memory>,
    work: Work,
}

/// `len` bytes at guest address `ptr`, in 64-bit arithmetic.
#[inline]
fn span(mem_len: usize, ptr: u32, len: u64) -> Option<std::ops::Range<usize>> {
    let end = u64::from(ptr) + len;
    (end <= mem_len as u64).then_some(ptr as usize..end as usize)
}

/// Checks a result pointer of a type of size and alignment `size`: `Err(errno)` if it is bad.
#[inline]
fn out_ptr(mem_len: usize, ptr: i32, size: u32) -> Result<std::ops::Range<usize>, i32> {
    let ptr = ptr as u32;
    if !ptr.is_multiple_of(size) {
        return Err(EINVAL);
    }
    span(mem_len, ptr, size.into()).ok_or(EFAULT)
}

#[inline]
fn le32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn floor_fd_write(
    mut caller: Caller<'_, Floor>,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    ret: i32,
) -> i32 {
    let Some(memory) = caller.data().memory else {
        return EFAULT;
    };
    let (mem, state) = memory.data_and_store_mut(&mut caller);
    let (iovs, iovs_len) = (iovs as u32, iovs_len as u32);
    if !iovs.is_multiple_of(4) {
        return EINVAL;
    }
    let Some(array) = span(mem.len(), iovs, u64::from(iovs_len) * 8) else {
        return EFAULT;
    };
    let ret = match out_ptr(mem.len(), ret, 4) {
        Ok(ret) => ret,
        Err(errno) => return errno,
    };
    if fd != 1 && fd != 2 {
        return EBADF;
    }
    let iovecs = &mem[array];
    let mut total = 0u32;
    for iov in iovecs.chunks_exact(8) {
        let (ptr, len) = (le32(iov, 0), le32(iov, 4));
        if span(mem.len(), ptr, len.into()).is_none() {
            return EFAULT;
        }
        total = match total.checked_add(len) {
            Some(total) => total,
            None => return EFAULT,
        };
    }
    for iov in iovecs.chunks_exact(8) {
        let (ptr, len) = (le32(iov, 0) as usize, le32(iov, 4) as usize);
        if len != 0 {
            state.work.sink(&mem[ptr..ptr + len]);
        }
    }
    mem[ret].copy_from_slice(&total.to_le_bytes());
    0
}

fn floor_clock_time_get(mut caller: Caller<'_, Floor>, id: i32, _precision: i64, ret: i32) -> i32 {
    let Some(memory) = caller.data().memory else {
        return EFAULT;
    };
    let (mem, state) = memory.data_and_store_mut(&mut caller);
    if id as u32 > 3 {
        return EINVAL;
    }
    let ret = match out_ptr(mem.len(), ret, 8) {
        Ok(ret) => ret,
        Err(errno) => return errno,
    };
    if id as u32 > 1 {
        return EBADF;
    }
    mem[ret].copy_from_slice(&state.work.now().to_le_bytes());
    0
}

fn floor_random_get(mut caller: Caller<'_, Floor>, buf: i32, buf_len: i32) -> i32 {
    let Some(memory) = caller.data().memory else {
        return EFAULT;
    };
    let (mem, state) = memory.data_and_store_mut(&mut caller);
    let Some(buf) = span(mem.len(), buf as u32, u64::from(buf_len as u32)) else {
        return EFAULT;
    };
    state.work.fill(&mut mem[buf]);
    0
}

fn floor_args_sizes_get(mut caller: Caller<'_, Floor>, ret0: i32, ret1: i32) -> i32 {
    let Some(memory) = caller.data().memory else {
        return EFAULT;
    };
    let mem = memory.data_mut(&mut caller);
    let (ret0, ret1) = match (out_ptr(mem.len(), ret0, 4), out_ptr(mem.len(), ret1, 4)) {
        (Ok(ret0), Ok(ret1)) => (ret0, ret1),
        (Err(errno), _) | (_, Err(errno)) => return errno,
    };
    mem[ret0].copy_from_slice(&(ARGS.len() as u32).to_le_bytes());
    mem[ret1].copy_from_slice(&ARGS_BUF_SIZE.to_le_bytes());
    0
}

fn floor_linker(engine: &Engine) -> Linker<Floor> {
    let mut linker = Linker::new(engine);
    let m = preview1::MODULE;
    linker.func_wrap(m, "fd_write", floor_fd_write).unwrap();
    linker
        .func_wrap(m, "clock_time_get", floor_clock_time_get)
        .unwrap();
    linker.func_wrap(m, "random_get", floor_random_get).unwrap();
    linker
        .func_wrap(m, "args_sizes_get", floor_args_sizes_get)
        .unwrap();
    linker
}

fn floor_instantiate(pre: &InstancePre<Floor>) -> (Store<Floor>, Instance) {
    let mut store = Store::new(pre.module().engine(), Floor::default());
    let instance = pre.instantiate(&mut store).unwrap();
    store.data_mut().memory = instance.get_memory(&mut store, "memory");
    (store, instance)
}

// ---------------------------------------------------------------------------------------------
// The glue: a host of the generated trait.

#[derive(Default)]
struct Host {
    work: Work,
}

impl WasiSnapshotPreview1 for Host {
    fn fd_write(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: CiovecArray,
    ) -> Result<Size, Error<Errno>> {
        match fd.raw() {
            1 | 2 => Ok(mem.gather(iovs, |bytes| self.work.sink(bytes))?),
            _ => Err(Errno::Badf.into()),
        }
    }

    fn clock_time_get(
        &mut self,
        id: Clockid,
        _precision: Timestamp,
    ) -> Result<Timestamp, Error<Errno>> {
        match id {
            Clockid::Realtime | Clockid::Monotonic => Ok(self.work.now()),
            _ => Err(Errno::Badf.into()),
        }
    }

    fn random_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        buf: GuestPtr<u8>,
        buf_len: Size,
    ) -> Result<(), Error<Errno>> {
        self.work.fill(mem.bytes_mut(buf, buf_len)?);
        Ok(())
    }

    fn args_sizes_get(&mut self) -> Result<(Size, Size), Error<Errno>> {
        Ok((ARGS.len() as u32, ARGS_BUF_SIZE))
    }
}

fn glue_linker(engine: &Engine) -> Linker<Ctx<Host>> {
    let mut linker = Linker::new(engine);
    preview1::add_to_linker(&mut linker, |ctx: &mut Ctx<Host>| ctx).unwrap();
    linker
}

fn glue_instantiate(pre: &InstancePre<Ctx<Host>>) -> (Store<Ctx<Host>>, Instance) {
    let mut store = Store::new(pre.module().engine(), Ctx::new(Host::default()));
    let instance = pre.instantiate(&mut store).unwrap();
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    store.data_mut().bind_memory(memory);
    (store, instance)
}

/// The glue with tracing switched on for the store: each call builds its trace line (no
/// subscriber is installed, so the `tracing` event itself goes nowhere).
fn glue_traced_instantiate(pre: &InstancePre<Ctx<Host>>) -> (Store<Ctx<Host>>, Instance) {
    let (mut store, instance) = glue_instantiate(pre);
    store.data_mut().set_tracing(true);
    (store, instance)
}

// ---------------------------------------------------------------------------------------------
// The incumbent: wasmtime-wasi's preview1.

/// A monotonic clock that ticks once per reading, like the others' `Work::now`.
struct TickClock(Cell<u64>);

impl wasmtime_wasi::HostMonotonicClock for TickClock {
    fn resolution(&self) -> u64 {
        1
    }
    fn now(&self) -> u64 {
        self.0.set(self.0.get() + 1);
        CLOCK_BASE + self.0.get()
    }
}

fn incumbent_linker(engine: &Engine) -> Linker<WasiP1Ctx> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |ctx: &mut WasiP1Ctx| ctx).unwrap();
    linker
}

fn incumbent_ctx() -> WasiP1Ctx {
    wasmtime_wasi::WasiCtxBuilder::new()
        .stdout(wasmtime_wasi::p2::pipe::SinkOutputStream)
        .args(&ARGS)
        .monotonic_clock(TickClock(Cell::new(0)))
        .secure_random(wasmtime_wasi::Deterministic::new((0..=255).collect()))
        .build_p1()
}

fn incumbent_instantiate(pre: &InstancePre<WasiP1Ctx>) -> (Store<WasiP1Ctx>, Instance) {
    let mut store = Store::new(pre.module().engine(), incumbent_ctx());
    let instance = pre.instantiate(&mut store).unwrap();
    (store, instance)
}

// ---------------------------------------------------------------------------------------------
// Running

/// Times `run(N)` and reports the time per call.
fn bench_run<T: 'static>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: &str,
    (mut store, instance): (Store<T>, Instance),
) {
    let run: TypedFunc<i32, ()> = instance.get_typed_func(&mut store, "run").unwrap();
    group.bench_function(id, |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                run.call(&mut store, black_box(N as i32)).unwrap();
            }
            start.elapsed() / N
        })
    });
}

/// Runs `run(1)` and returns the guest memory, to check what a variant wrote.
fn run_once<T: 'static>((mut store, instance): (Store<T>, Instance)) -> Vec<u8> {
    let run: TypedFunc<i32, ()> = instance.get_typed_func(&mut store, "run").unwrap();
    run.call(&mut store, 1).unwrap();
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    memory.data(&store)[..512].to_vec()
}

/// Checks that every variant of a case does what the case says, before timing it.
fn check(case: &Case, mems: [Vec<u8>; 4]) {
    for (variant, mem) in ["floor", "glue", "glue_traced", "incumbent"]
        .iter()
        .zip(&mems)
    {
        let what = format!("{} / {variant}", case.name);
        match case.name {
            // The incumbent writes only the first non-empty iovec per call.
            "fd_write_1x16" => assert_eq!(le32(mem, 64), 16, "{what}"),
            "fd_write_4x64" => {
                let expect = if *variant == "incumbent" { 64 } else { 256 };
                assert_eq!(le32(mem, 64), expect, "{what}");
            }
            "clock_time_get" => {
                let t = u64::from_le_bytes(mem[72..80].try_into().unwrap());
                assert_eq!(t, CLOCK_BASE + 1, "{what}");
            }
            // The incumbent draws its bytes from its RNG its own way: only check it wrote.
            "random_get_32" if *variant == "incumbent" => {
                assert!(mem[128..160].iter().any(|&b| b != 0), "{what}");
            }
            "random_get_32" => {
                let expect: Vec<u8> = (0..32).collect();
                assert_eq!(mem[128..160], expect[..], "{what}");
            }
            "args_sizes_get" => {
                assert_eq!((le32(mem, 80), le32(mem, 84)), (2, ARGS_BUF_SIZE), "{what}");
            }
            other => unreachable!("{other}"),
        }
    }
}

fn calls(c: &mut Criterion) {
    let engine = Engine::default();
    let (floor, glue, incumbent) = (
        floor_linker(&engine),
        glue_linker(&engine),
        incumbent_linker(&engine),
    );
    for case in &CASES {
        let module = Module::new(&engine, case_wat(case)).unwrap();
        let floor_pre = floor.instantiate_pre(&module).unwrap();
        let glue_pre = glue.instantiate_pre(&module).unwrap();
        let incumbent_pre = incumbent.instantiate_pre(&module).unwrap();
        check(
            case,
            [
                run_once(floor_instantiate(&floor_pre)),
                run_once(glue_instantiate(&glue_pre)),
                run_once(glue_traced_instantiate(&glue_pre)),
                run_once(incumbent_instantiate(&incumbent_pre)),
            ],
        );

        let mut group = c.benchmark_group(format!("call/{}", case.name));
        bench_run(&mut group, "floor", floor_instantiate(&floor_pre));
        bench_run(&mut group, "glue", glue_instantiate(&glue_pre));
        bench_run(
            &mut group,
            "glue_traced",
            glue_traced_instantiate(&glue_pre),
        );
        bench_run(
            &mut group,
            "incumbent",
            incumbent_instantiate(&incumbent_pre),
        );
        group.finish();
    }
}

fn setup(c: &mut Criterion) {
    let engine = Engine::default();
    let module = Module::new(&engine, setup_wat()).unwrap();
    let floor_pre = floor_linker(&engine).instantiate_pre(&module).unwrap();
    let glue_pre = glue_linker(&engine).instantiate_pre(&module).unwrap();
    let incumbent_pre = incumbent_linker(&engine).instantiate_pre(&module).unwrap();

    let mut group = c.benchmark_group("setup");
    group.bench_function("floor", |b| b.iter(|| floor_instantiate(&floor_pre)));
    group.bench_function("glue", |b| b.iter(|| glue_instantiate(&glue_pre)));
    group.bench_function("incumbent", |b| {
        b.iter(|| incumbent_instantiate(&incumbent_pre))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30);
    targets = calls, setup
}
/// Instruction counts per call, which do not move from run to run as times do on a shared
/// machine: `cargo bench -p wasi-stubs --bench glue -- --count CASE VARIANT CALLS` makes `CALLS`
/// calls of one case and nothing else, so that running it under
/// `valgrind --tool=callgrind` with two numbers of calls gives the instructions of one call as
/// the difference over the calls. `stubs/benches/count.sh` does that for every case.
fn count(case: &str, variant: &str, calls: u32) {
    let engine = Engine::default();
    let case = CASES
        .iter()
        .find(|c| c.name == case)
        .unwrap_or_else(|| panic!("no case `{case}`"));
    let module = Module::new(&engine, case_wat(case)).unwrap();
    macro_rules! go {
        ($linker:expr, $instantiate:expr) => {{
            let pre = $linker.instantiate_pre(&module).unwrap();
            let (mut store, instance) = $instantiate(&pre);
            let run: TypedFunc<i32, ()> = instance.get_typed_func(&mut store, "run").unwrap();
            run.call(&mut store, black_box(calls as i32)).unwrap();
        }};
    }
    match variant {
        "floor" => go!(floor_linker(&engine), floor_instantiate),
        "glue" => go!(glue_linker(&engine), glue_instantiate),
        "incumbent" => go!(incumbent_linker(&engine), incumbent_instantiate),
        other => panic!("no variant `{other}`: floor, glue or incumbent"),
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
