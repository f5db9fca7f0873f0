//! Differential tests: wasi-stubs' `MinimalHost` against wasmtime-wasi's preview1
//! (`wasmtime_wasi::p1::add_to_linker_sync` with a `WasiP1Ctx`).
//!
//! Each case makes one call, with the same arguments, on the same initial guest memory, in fresh
//! instances of one WAT guest linked four ways:
//!
//! * `Stubs`: `wasi_stubs::preview1::add_to_linker` with `MinimalHost`, memory bound with
//!   `Ctx::bind_memory`, default policy (errno for bad input);
//! * `StubsUnbound`: the same without `bind_memory` (the glue looks the `memory` export up), which
//!   must give exactly what `Stubs` gives;
//! * `StubsTrap`: the same with `Policy::TRAP`, to compare with wasmtime-wasi, which traps on bad
//!   pointers;
//! * `Wasi`: wasmtime-wasi 48.
//!
//! Every call runs twice per side, once on memory filled with `0x00` and once with `0xFF` (then the
//! case's own bytes written over it), so that "the bytes a call changed" is exact even when a value
//! it writes happens to equal the fill. Where the two implementations answer alike, the test
//! asserts the same outcome (errno, trap or exit code), byte-identical memory afterwards and the
//! same bytes on stdout and stderr; where the values legitimately differ (random bytes, clock
//! resolutions) it compares which bytes changed.
//!
//! Where they differ, the difference is asserted as such, each with a comment saying which side
//! follows the spec and our error rules (the brief's "Error rules" table). In short:
//!
//! 1. Bad pointers (out of bounds, misaligned, overflowing): wasi-stubs answers `EFAULT`/`EINVAL`
//!    and writes nothing (our rules); wasmtime-wasi traps, following the legacy witx-docs ("If a
//!    misaligned pointer is passed to a function, the function shall trap"). Under `Policy::TRAP`
//!    wasi-stubs traps too. Both are allowed; the default is ours by choice.
//! 2. wasmtime-wasi writes guest memory (and stdout) before it fails: `args_get`/`environ_get`
//!    with a buffer or pointer array one element short write every string that fits, then trap;
//!    `args_sizes_get`/`environ_sizes_get` write the second result (they store results last to
//!    first) before trapping on a bad first pointer; `fd_write` writes to stdout before trapping on
//!    a bad `nwritten` pointer. Our rules say a result is written only when the call succeeds:
//!    wasi-stubs is right.
//! 3. wasmtime-wasi fails calls that end exactly at the end of a 4 GiB memory, after writing
//!    everything: `args_get`/`environ_get` whose last NUL is on byte `0xFFFFFFFF`, or whose
//!    pointer array ends there, and `random_get` whose buffer ends there (it computes the address
//!    past the end and traps on the overflow). wasi-stubs succeeds: it is right.
//! 4. `fd_write` with several non-empty iovecs: wasmtime-wasi writes only the first one (a short
//!    write, which POSIX allows and libc retries); wasi-stubs writes them all. Both are correct.
//!    Because wasmtime-wasi never looks past the first non-empty iovec, a later iovec out of bounds
//!    or lengths whose sum overflows succeed there as a short write; wasi-stubs answers `EFAULT`
//!    with nothing written, as our rules (and Linux `writev`) say.
//! 5. An iovec list far too long for memory: wasmtime-wasi answers `ENOMEM` (its hostcall fuel)
//!    before looking at memory; wasi-stubs answers `EFAULT` (out of bounds), as our rules say.
//! 6. Zero-length accesses at an address past the end of memory (`random_get(p, 0)`, an empty
//!    iovec, an empty iovec list, `args_get` with no arguments): wasmtime-wasi never dereferences
//!    and succeeds;
//!    wasi-stubs checks the address (`p <= memory size`) and answers `EFAULT`, or `EINVAL` for a
//!    misaligned empty pointer array. The spec is silent; our rules say "a guest pointer out of
//!    bounds", which wasi-stubs applies literally. A judgment call, reported.
//! 7. `clock_res_get` on the CPU-time clocks: wasi-stubs answers (1 ns, as for the others);
//!    wasmtime-wasi answers `EBADF` (preview2 has no CPU-time clocks). The spec lists both clocks;
//!    wasi-stubs is the more faithful, and `EBADF` is no errno for a clock.
//! 8. An invalid clock id: wasi-stubs answers `EINVAL` (our rules); wasmtime-wasi traps.
//! 9. `proc_exit` with a code of 126 or more: wasi-stubs exits with the code (the spec's
//!    `exitcode` is a `u32`; our rules: "a trap that carries code"); wasmtime-wasi traps with
//!    "exit with invalid exit status outside of [0..126)" and no exit code.
//! 10. `args_sizes_get`/`environ_sizes_get` with both result pointers at one address: wasi-stubs
//!     stores the results first to last (the size stays), wasmtime-wasi last to first (the count
//!     stays). The spec says nothing of overlapping results; neither is wrong.
//!
//! The 4 GiB cases compare the first and the last 64 KiB of memory only. Set
//! `DIFFERENTIAL_VERBOSE=1` to print every case with what each side answered and changed
//! (`cargo test -p wasi-stubs-tests --test differential -- --nocapture`).

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use wasi_stubs::host::{MinimalHost, Output, RandomSource};
use wasi_stubs::{Ctx, Exit, Policy, preview1};
use wasmtime::{Engine, Instance, Linker, Module, Store, Val};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{Deterministic, I32Exit, WasiCtxBuilder};

const PAGE: u32 = 65536;
/// The fills every call runs under.
const FILLS: [u8; 2] = [0x00, 0xFF];
/// Capacity of wasmtime-wasi's stdout and stderr pipes.
const SINK: usize = 16 << 20;
/// Memories larger than this are compared on their first and last page only.
const WHOLE_MEMORY_LIMIT: usize = 64 * PAGE as usize;

const ESUCCESS: i32 = 0;
const EBADF: i32 = 8;
const EFAULT: i32 = 21;
const EINVAL: i32 = 28;
const ENOMEM: i32 = 48;

// ---------------------------------------------------------------------------------------------
// The guest

fn guest_wat(pages: u32) -> String {
    let imports = [
        ("args_get", 2, true),
        ("args_sizes_get", 2, true),
        ("environ_get", 2, true),
        ("environ_sizes_get", 2, true),
        ("clock_res_get", 2, true),
        ("fd_write", 4, true),
        ("random_get", 2, true),
        ("proc_exit", 1, false),
    ];
    let mut wat = String::from("(module\n");
    for (name, params, result) in imports {
        let params = " i32".repeat(params);
        let result = if result { " (result i32)" } else { "" };
        wat.push_str(&format!(
            "  (import \"wasi_snapshot_preview1\" \"{name}\" (func ${name} (param{params}){result}))\n"
        ));
    }
    wat.push_str(&format!("  (memory (export \"memory\") {pages})\n"));
    // Exported wrappers: a host function called straight from the host has no calling instance
    // (and so no `memory` export to find).
    for (name, params, result) in imports {
        let decl = " i32".repeat(params);
        let result = if result { " (result i32)" } else { "" };
        let args: String = (0..params).map(|i| format!(" (local.get {i})")).collect();
        wat.push_str(&format!(
            "  (func (export \"{name}\") (param{decl}){result} (call ${name}{args}))\n"
        ));
    }
    wat.push(')');
    wat
}

// ---------------------------------------------------------------------------------------------
// Cases, runs and their outcomes

/// The arguments and environment both hosts are configured with.
#[derive(Clone, Debug, Default)]
struct World {
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl World {
    /// A few of everything: empty strings, non-ASCII, `=` in a value, an empty key.
    fn mixed() -> Self {
        World {
            args: ["prog", "", "héllo wörld", "日本語", "🦀 crab", "", "last"]
                .map(String::from)
                .to_vec(),
            env: [
                ("HOME", "/home/guest"),
                ("EMPTY", ""),
                ("UNICODE", "ünï©ødé ✓"),
                ("EQUALS", "a=b=c"),
                ("", "no key"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .to_vec(),
        }
    }

    /// Many entries: 1000 arguments, 500 variables.
    fn many() -> Self {
        let args = (0..1000)
            .map(|i| match i % 11 {
                0 => String::new(),
                7 => format!("ü{i}"),
                _ => format!("argument-{i}"),
            })
            .collect();
        let env = (0..500)
            .map(|i| (format!("K{i}"), format!("välue {i}")))
            .collect();
        World { args, env }
    }

    fn strings(&self, table: Table) -> Vec<String> {
        match table {
            Table::Args => self.args.clone(),
            Table::Env => self.env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        }
    }
}

/// `args_*` or `environ_*`.
#[derive(Clone, Copy, Debug)]
enum Table {
    Args,
    Env,
}

impl Table {
    fn get(self) -> &'static str {
        match self {
            Table::Args => "args_get",
            Table::Env => "environ_get",
        }
    }
    fn sizes_get(self) -> &'static str {
        match self {
            Table::Args => "args_sizes_get",
            Table::Env => "environ_sizes_get",
        }
    }
}

/// The number of strings and the bytes they take with their NULs.
fn table_size(strings: &[String]) -> (u32, u32) {
    let size = strings.iter().map(|s| s.len() + 1).sum::<usize>();
    (strings.len() as u32, size as u32)
}

/// One call: the guest export, its arguments, the memory size and the bytes placed in memory
/// (over the fill) before the call.
#[derive(Clone, Debug)]
struct Case {
    name: String,
    pages: u32,
    world: World,
    pokes: Vec<(u32, Vec<u8>)>,
    func: &'static str,
    args: Vec<u32>,
}

impl Case {
    fn new(name: impl Into<String>, func: &'static str, args: &[u32]) -> Self {
        Case {
            name: name.into(),
            pages: 1,
            world: World::default(),
            pokes: Vec::new(),
            func,
            args: args.to_vec(),
        }
    }
    fn pages(mut self, pages: u32) -> Self {
        self.pages = pages;
        self
    }
    fn world(mut self, world: &World) -> Self {
        self.world = world.clone();
        self
    }
    fn poke(mut self, at: u32, bytes: impl Into<Vec<u8>>) -> Self {
        self.pokes.push((at, bytes.into()));
        self
    }
}

/// What the guest got from the call.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Errno(i32),
    /// A function without results (`proc_exit`) returned.
    Returned,
    /// `wasi_stubs::Exit` or `wasmtime_wasi::I32Exit`.
    Exit(u32),
    /// Any other trap, with its message.
    Trap(String),
}

impl Outcome {
    fn is_trap(&self) -> bool {
        matches!(self, Outcome::Trap(_))
    }
}

fn classify(error: &wasmtime::Error) -> Outcome {
    if let Some(exit) = error.downcast_ref::<Exit>() {
        return Outcome::Exit(exit.code);
    }
    if let Some(exit) = error.downcast_ref::<I32Exit>() {
        return Outcome::Exit(exit.0 as u32);
    }
    Outcome::Trap(format!("{error:#}"))
}

/// Parts of guest memory: the whole of a small memory, the first and last page of a big one.
#[derive(Clone, PartialEq, Eq)]
struct Snapshot(Vec<(usize, Vec<u8>)>);

fn windows(len: usize) -> Vec<Range<usize>> {
    if len <= WHOLE_MEMORY_LIMIT {
        std::iter::once(0..len).collect()
    } else {
        let page = PAGE as usize;
        vec![0..page, len - page..len]
    }
}

impl Snapshot {
    fn take(bytes: &[u8], windows: &[Range<usize>]) -> Self {
        Snapshot(
            windows
                .iter()
                .map(|w| (w.start, bytes[w.clone()].to_vec()))
                .collect(),
        )
    }

    /// The addresses whose bytes differ from `before`.
    fn changed_from(&self, before: &Snapshot) -> Vec<u64> {
        let mut addrs = Vec::new();
        for ((start, after), (_, before)) in self.0.iter().zip(&before.0) {
            for (i, (a, b)) in after.iter().zip(before).enumerate() {
                if a != b {
                    addrs.push((start + i) as u64);
                }
            }
        }
        addrs
    }

    fn byte(&self, addr: u64) -> u8 {
        let addr = addr as usize;
        for (start, bytes) in &self.0 {
            if (*start..start + bytes.len()).contains(&addr) {
                return bytes[addr - start];
            }
        }
        panic!("{addr:#x} is not in a compared window");
    }

    fn u32_at(&self, addr: u32) -> u32 {
        u32::from_le_bytes(std::array::from_fn(|i| {
            self.byte(u64::from(addr) + i as u64)
        }))
    }
}

/// Sorted addresses as ranges.
fn ranges(addrs: impl IntoIterator<Item = u64>) -> Vec<Range<u64>> {
    let mut out: Vec<Range<u64>> = Vec::new();
    for a in addrs {
        match out.last_mut() {
            Some(r) if r.end == a => r.end = a + 1,
            _ => out.push(a..a + 1),
        }
    }
    out
}

/// One call on one side under one fill.
struct Run {
    outcome: Outcome,
    before: Snapshot,
    after: Snapshot,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Stubs,
    StubsUnbound,
    StubsTrap,
    Wasi,
}

const SIDES: [Side; 4] = [Side::Stubs, Side::StubsUnbound, Side::StubsTrap, Side::Wasi];

/// Fills the compared windows, places the case's bytes, makes the call and takes the memory
/// before and after.
fn call<T>(
    store: &mut Store<T>,
    instance: Instance,
    case: &Case,
    fill: u8,
) -> (Outcome, Snapshot, Snapshot) {
    let memory = instance
        .get_memory(&mut *store, "memory")
        .expect("the guest exports its memory");
    let windows = windows(memory.data_size(&*store));
    let bytes = memory.data_mut(&mut *store);
    for w in &windows {
        bytes[w.clone()].fill(fill);
    }
    for (at, data) in &case.pokes {
        let at = *at as usize;
        assert!(
            windows
                .iter()
                .any(|w| w.start <= at && at + data.len() <= w.end),
            "{}: the bytes at {at:#x} are outside the compared memory",
            case.name
        );
        bytes[at..at + data.len()].copy_from_slice(data);
    }
    let before = Snapshot::take(memory.data(&*store), &windows);
    let func = instance
        .get_func(&mut *store, case.func)
        .expect("the guest exports the function");
    let params: Vec<Val> = case.args.iter().map(|a| Val::I32(*a as i32)).collect();
    let mut results = vec![Val::I32(-1); func.ty(&*store).results().len()];
    let outcome = match func.call(&mut *store, &params, &mut results) {
        Ok(()) => match results.first() {
            Some(Val::I32(errno)) => Outcome::Errno(*errno),
            _ => Outcome::Returned,
        },
        Err(error) => classify(&error),
    };
    let after = Snapshot::take(memory.data(&*store), &windows);
    (outcome, before, after)
}

struct Harness {
    engine: Engine,
    stubs: Linker<Ctx<MinimalHost>>,
    wasi: Linker<WasiP1Ctx>,
    modules: HashMap<u32, Module>,
}

impl Harness {
    fn new() -> Self {
        let engine = Engine::default();
        let mut stubs = Linker::new(&engine);
        preview1::add_to_linker(&mut stubs, |ctx: &mut Ctx<MinimalHost>| ctx).unwrap();
        let mut wasi = Linker::new(&engine);
        wasmtime_wasi::p1::add_to_linker_sync(&mut wasi, |ctx: &mut WasiP1Ctx| ctx).unwrap();
        Harness {
            engine,
            stubs,
            wasi,
            modules: HashMap::new(),
        }
    }

    fn module(&mut self, pages: u32) -> Module {
        let engine = &self.engine;
        self.modules
            .entry(pages)
            .or_insert_with(|| Module::new(engine, guest_wat(pages)).expect("the guest compiles"))
            .clone()
    }

    fn run(&mut self, side: Side, case: &Case, fill: u8) -> Run {
        let module = self.module(case.pages);
        if side == Side::Wasi {
            let stdout = MemoryOutputPipe::new(SINK);
            let stderr = MemoryOutputPipe::new(SINK);
            let ctx = WasiCtxBuilder::new()
                .args(&case.world.args)
                .envs(&case.world.env)
                .stdout(stdout.clone())
                .stderr(stderr.clone())
                .secure_random(Deterministic::new((1..=251).collect()))
                .build_p1();
            let mut store = Store::new(&self.engine, ctx);
            let instance = self
                .wasi
                .instantiate(&mut store, &module)
                .expect("the guest instantiates on wasmtime-wasi");
            let (outcome, before, after) = call(&mut store, instance, case, fill);
            drop(store);
            return Run {
                outcome,
                before,
                after,
                stdout: stdout.contents().to_vec(),
                stderr: stderr.contents().to_vec(),
            };
        }
        let mut builder = MinimalHost::builder()
            .args(case.world.args.iter().cloned())
            .stdout(Output::buffer())
            .stderr(Output::buffer())
            .random(RandomSource::Seeded(7));
        for (k, v) in &case.world.env {
            builder = builder.env(k, v);
        }
        let mut ctx = Ctx::new(builder.build());
        if side == Side::StubsTrap {
            ctx = ctx.with_policy(Policy::TRAP);
        }
        let mut store = Store::new(&self.engine, ctx);
        let instance = self
            .stubs
            .instantiate(&mut store, &module)
            .expect("the guest instantiates on wasi-stubs");
        if side != Side::StubsUnbound {
            let memory = instance.get_memory(&mut store, "memory").unwrap();
            store.data_mut().bind_memory(memory);
        }
        let (outcome, before, after) = call(&mut store, instance, case, fill);
        let host = store.data().host();
        Run {
            outcome,
            before,
            after,
            stdout: host.stdout().to_vec(),
            stderr: host.stderr().to_vec(),
        }
    }

    /// Runs `case` on every side under both fills.
    fn diff(&mut self, case: Case) -> Diff {
        let mut runs = Vec::new();
        for side in SIDES {
            let [a, b] = FILLS.map(|fill| self.run(side, &case, fill));
            assert_eq!(
                a.outcome, b.outcome,
                "{}: {side:?} answers differently on memory filled with 0x00 and 0xFF",
                case.name
            );
            runs.push((side, [a, b]));
        }
        let diff = Diff {
            name: case.name,
            runs,
        };
        diff.stubs_unbound_agrees();
        if std::env::var_os("DIFFERENTIAL_VERBOSE").is_some() {
            eprintln!("{}", diff.both());
        }
        diff
    }
}

/// A case run on every side.
struct Diff {
    name: String,
    runs: Vec<(Side, [Run; 2])>,
}

impl Diff {
    fn runs(&self, side: Side) -> &[Run; 2] {
        &self.runs.iter().find(|(s, _)| *s == side).unwrap().1
    }

    fn outcome(&self, side: Side) -> &Outcome {
        &self.runs(side)[0].outcome
    }

    /// The addresses the call changed, under either fill.
    fn changed(&self, side: Side) -> Vec<Range<u64>> {
        let set: BTreeSet<u64> = self
            .runs(side)
            .iter()
            .flat_map(|r| r.after.changed_from(&r.before))
            .collect();
        ranges(set)
    }

    fn stdout(&self, side: Side) -> &[u8] {
        &self.runs(side)[0].stdout
    }

    fn stderr(&self, side: Side) -> &[u8] {
        &self.runs(side)[0].stderr
    }

    /// The `u32` at `addr` after the call (memory filled with 0x00).
    fn u32_at(&self, side: Side, addr: u32) -> u32 {
        self.runs(side)[0].after.u32_at(addr)
    }

    fn same_memory(&self, a: Side, b: Side) -> bool {
        self.runs(a)
            .iter()
            .zip(self.runs(b))
            .all(|(x, y)| x.after == y.after)
    }

    fn same_output(&self, a: Side, b: Side) -> bool {
        self.runs(a)
            .iter()
            .zip(self.runs(b))
            .all(|(x, y)| x.stdout == y.stdout && x.stderr == y.stderr)
    }

    /// Binding the memory or not makes no difference to wasi-stubs.
    fn stubs_unbound_agrees(&self) {
        assert_eq!(
            self.outcome(Side::Stubs),
            self.outcome(Side::StubsUnbound),
            "{}: wasi-stubs answers differently with and without bind_memory",
            self.name
        );
        assert!(
            self.same_memory(Side::Stubs, Side::StubsUnbound),
            "{}: wasi-stubs writes differently with and without bind_memory",
            self.name
        );
        assert!(
            self.same_output(Side::Stubs, Side::StubsUnbound),
            "{}: wasi-stubs outputs differently with and without bind_memory",
            self.name
        );
    }

    fn describe(&self, side: Side) -> String {
        format!(
            "{:?} -> {:?}, changed {:x?}, stdout {:?}, stderr {:?}",
            side,
            self.outcome(side),
            self.changed(side),
            String::from_utf8_lossy(self.stdout(side)),
            String::from_utf8_lossy(self.stderr(side)),
        )
    }

    fn both(&self) -> String {
        format!(
            "{}:\n  {}\n  {}",
            self.name,
            self.describe(Side::Stubs),
            self.describe(Side::Wasi)
        )
    }

    /// Under `Policy::TRAP` wasi-stubs answers as under the default policy (no bad input).
    fn trap_policy_agrees(&self) -> &Self {
        assert_eq!(
            self.outcome(Side::Stubs),
            self.outcome(Side::StubsTrap),
            "{}: Policy::TRAP changes the outcome of a good call",
            self.name
        );
        assert!(
            self.same_memory(Side::Stubs, Side::StubsTrap)
                && self.same_output(Side::Stubs, Side::StubsTrap),
            "{}: Policy::TRAP changes what a good call writes",
            self.name
        );
        self
    }

    /// Both answer alike: the same outcome, byte-identical memory under both fills, the same
    /// output.
    fn same(&self) -> &Self {
        self.same_outcome_and_output();
        assert!(
            self.same_memory(Side::Stubs, Side::Wasi),
            "memory differs after the call: {}",
            self.both()
        );
        self.trap_policy_agrees()
    }

    /// The same outcome and the same bytes changed, whatever their values (random bytes, clock
    /// resolutions); the same output.
    fn same_shape(&self) -> &Self {
        self.same_outcome_and_output();
        assert_eq!(
            self.changed(Side::Stubs),
            self.changed(Side::Wasi),
            "different bytes changed: {}",
            self.both()
        );
        self.trap_policy_agrees()
    }

    fn same_outcome_and_output(&self) {
        assert_eq!(
            self.outcome(Side::Stubs),
            self.outcome(Side::Wasi),
            "outcomes differ: {}",
            self.both()
        );
        assert!(
            self.same_output(Side::Stubs, Side::Wasi),
            "output differs: {}",
            self.both()
        );
    }

    /// wasi-stubs answers `outcome`.
    fn stubs_answers(&self, outcome: Outcome) -> &Self {
        assert_eq!(self.outcome(Side::Stubs), &outcome, "{}", self.both());
        self
    }

    /// wasmtime-wasi answers `outcome`.
    fn wasi_answers(&self, outcome: Outcome) -> &Self {
        assert_eq!(self.outcome(Side::Wasi), &outcome, "{}", self.both());
        self
    }

    /// wasi-stubs rejects the call as bad input with `errno`, writing nothing to memory or
    /// output; under `Policy::TRAP` it traps, writing nothing either.
    fn stubs_rejects(&self, errno: i32) -> &Self {
        assert_eq!(
            self.outcome(Side::Stubs),
            &Outcome::Errno(errno),
            "{}",
            self.both()
        );
        for side in [Side::Stubs, Side::StubsTrap] {
            assert!(
                self.changed(side).is_empty(),
                "wasi-stubs wrote memory on a failed call: {}",
                self.describe(side)
            );
            assert!(
                self.stdout(side).is_empty() && self.stderr(side).is_empty(),
                "wasi-stubs wrote output on a failed call: {}",
                self.describe(side)
            );
        }
        assert!(
            self.outcome(Side::StubsTrap).is_trap(),
            "{}: Policy::TRAP does not trap: {}",
            self.name,
            self.describe(Side::StubsTrap)
        );
        self
    }

    /// wasi-stubs succeeds, writing nothing.
    fn stubs_succeeds_untouched(&self) -> &Self {
        assert_eq!(
            self.outcome(Side::Stubs),
            &Outcome::Errno(ESUCCESS),
            "{}",
            self.both()
        );
        assert!(self.changed(Side::Stubs).is_empty(), "{}", self.both());
        self.trap_policy_agrees()
    }

    /// wasmtime-wasi traps.
    fn wasi_traps(&self) -> &Self {
        assert!(
            self.outcome(Side::Wasi).is_trap(),
            "wasmtime-wasi does not trap: {}",
            self.both()
        );
        self
    }

    /// wasmtime-wasi traps having written nothing: memory and output are what wasi-stubs leaves
    /// under `Policy::TRAP`.
    fn wasi_traps_cleanly(&self) -> &Self {
        self.wasi_traps();
        assert!(
            self.same_memory(Side::StubsTrap, Side::Wasi)
                && self.same_output(Side::StubsTrap, Side::Wasi),
            "wasmtime-wasi wrote before trapping: {}",
            self.both()
        );
        self
    }

    /// wasmtime-wasi traps after writing guest memory, only inside `allowed`: the memory a
    /// successful call would have written. Our rules write results only on success.
    fn wasi_traps_after_writing(&self, allowed: &[Range<u64>]) -> &Self {
        self.wasi_traps();
        let changed = self.changed(Side::Wasi);
        assert!(
            !changed.is_empty(),
            "wasmtime-wasi no longer writes before trapping: {}",
            self.both()
        );
        assert!(
            changed
                .iter()
                .all(|c| allowed.iter().any(|a| a.start <= c.start && c.end <= a.end)),
            "wasmtime-wasi wrote outside {allowed:x?}: {}",
            self.both()
        );
        self
    }

    /// wasmtime-wasi succeeds writing nothing (a zero-length access it never dereferences).
    fn wasi_succeeds_untouched(&self) -> &Self {
        assert_eq!(
            self.outcome(Side::Wasi),
            &Outcome::Errno(ESUCCESS),
            "{}",
            self.both()
        );
        assert!(self.changed(Side::Wasi).is_empty(), "{}", self.both());
        self
    }
}

fn iovecs(list: &[(u32, u32)]) -> Vec<u8> {
    list.iter()
        .flat_map(|(ptr, len)| ptr.to_le_bytes().into_iter().chain(len.to_le_bytes()))
        .collect()
}

fn span(start: u32, len: u32) -> Range<u64> {
    u64::from(start)..u64::from(start) + u64::from(len)
}

// ---------------------------------------------------------------------------------------------
// args_sizes_get, environ_sizes_get

#[test]
fn sizes() {
    let mut h = Harness::new();
    let mem = PAGE;
    for world in [World::mixed(), World::many(), World::default()] {
        for table in [Table::Args, Table::Env] {
            let f = table.sizes_get();
            let (count, size) = table_size(&world.strings(table));
            let n = world.args.len();
            let case = |name: &str, ret0: u32, ret1: u32| {
                Case::new(format!("{f} ({n} args): {name}"), f, &[ret0, ret1]).world(&world)
            };

            let d = h.diff(case("well placed", 0x100, 0x104));
            d.same().stubs_answers(Outcome::Errno(ESUCCESS));
            assert_eq!(d.u32_at(Side::Wasi, 0x100), count, "{}", d.name);
            assert_eq!(d.u32_at(Side::Wasi, 0x104), size, "{}", d.name);

            // DIFFERENCE: both results at one address. wasi-stubs writes them in the order of
            // the spec (the count, then the size: the size stays); wasmtime-wasi (wiggle) writes
            // them in reverse (the count stays). The spec says nothing of overlapping results;
            // neither is wrong, and no guest should rely on it.
            let d = h.diff(case("one address for both", 0x100, 0x100));
            d.stubs_answers(Outcome::Errno(ESUCCESS))
                .wasi_answers(Outcome::Errno(ESUCCESS))
                .trap_policy_agrees();
            assert_eq!(
                d.changed(Side::Stubs),
                d.changed(Side::Wasi),
                "{}",
                d.both()
            );
            assert_eq!(d.u32_at(Side::Stubs, 0x100), size, "{}", d.name);
            assert_eq!(d.u32_at(Side::Wasi, 0x100), count, "{}", d.name);
            // At the very end of memory, in either order.
            h.diff(case("at the end", mem - 8, mem - 4)).same();
            h.diff(case("at the end, swapped", mem - 4, mem - 8)).same();

            // Out of bounds and misaligned result pointers: wasi-stubs answers by the error
            // rules and writes nothing; wasmtime-wasi traps. wasmtime-wasi writes the second
            // result first, so a bad second pointer traps before anything is written ...
            h.diff(case("ret1 out of bounds", 0x100, mem))
                .stubs_rejects(EFAULT)
                .wasi_traps_cleanly();
            h.diff(case("ret1 straddles the end", 0x100, mem - 2))
                .stubs_rejects(EFAULT)
                .wasi_traps_cleanly();
            h.diff(case("ret1 misaligned", 0x100, 0x106))
                .stubs_rejects(EINVAL)
                .wasi_traps_cleanly();
            h.diff(case("both out of bounds", u32::MAX - 3, u32::MAX - 3))
                .stubs_rejects(EFAULT)
                .wasi_traps_cleanly();
            // ... DIFFERENCE: and a bad first pointer traps after the second result is written.
            // Our rules write results only when the call succeeds: wasi-stubs is right.
            for (name, ret0, errno) in [
                ("ret0 out of bounds", mem, EFAULT),
                ("ret0 straddles the end", mem - 2, EFAULT),
                ("ret0 at u32::MAX - 3", u32::MAX - 3, EFAULT),
                ("ret0 misaligned", 0x101, EINVAL),
            ] {
                let d = h.diff(case(name, ret0, 0x104));
                d.stubs_rejects(errno)
                    .wasi_traps_after_writing(&[span(0x104, 4)]);
                assert_eq!(d.u32_at(Side::Wasi, 0x104), size, "{}", d.name);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// args_get, environ_get

/// The string-table cases for one table of one world in a memory of `pages` pages.
fn table_cases(h: &mut Harness, world: &World, table: Table, pages: u32) {
    let f = table.get();
    let strings = world.strings(table);
    let (count, size) = table_size(&strings);
    assert!(count > 0);
    let mem = pages * PAGE;
    let ptrs = 4 * count;
    let argv = 0x100;
    let buf = (argv + ptrs + 0x100) & !0xFF;
    assert!(buf + size + 0x100 < mem - size - ptrs, "the layout fits");
    let label = format!("{f} ({count} strings, {size} bytes, {pages} pages)");
    let case = |name: &str, argv: u32, buf: u32| {
        Case::new(format!("{label}: {name}"), f, &[argv, buf])
            .world(world)
            .pages(pages)
    };
    // What a successful call may write, for calls with `argv` and `buf` where they are.
    let table_at = |argv: u32, buf: u32| [span(argv, ptrs), span(buf, size)];

    let d = h.diff(case("well placed", argv, buf));
    d.same().stubs_answers(Outcome::Errno(ESUCCESS));
    assert_eq!(
        d.changed(Side::Stubs),
        table_at(argv, buf),
        "{}: the pointers and the strings, nothing else",
        d.name
    );
    assert_eq!(d.u32_at(Side::Stubs, argv), buf);

    // The last NUL on the last byte of memory: must succeed.
    let d = h.diff(case("buffer ends on the last byte", argv, mem - size));
    d.same().stubs_answers(Outcome::Errno(ESUCCESS));
    assert!(
        d.changed(Side::Stubs).last().unwrap().end == u64::from(mem),
        "{}: the last NUL is on the last byte",
        d.name
    );
    h.diff(case("pointer array ends on the last byte", mem - ptrs, buf))
        .same()
        .stubs_answers(Outcome::Errno(ESUCCESS));
    let packed_buf = mem - size;
    let packed_argv = (packed_buf - ptrs) & !3;
    h.diff(case("both packed at the end", packed_argv, packed_buf))
        .same()
        .stubs_answers(Outcome::Errno(ESUCCESS));
    // Overlapping pointer array and strings: both write pointer i then string i, in order.
    h.diff(case("strings over the pointer array", argv, argv))
        .same()
        .stubs_answers(Outcome::Errno(ESUCCESS));
    h.diff(case("strings at an odd address", argv, buf + 1))
        .same();
    h.diff(case("pointer array at address 0", 0, buf)).same();

    // One byte or one pointer short. DIFFERENCE: wasmtime-wasi writes every pointer and string
    // that fits, then traps; wasi-stubs answers EFAULT having written nothing (our rules: a
    // result is written only when the call succeeds).
    h.diff(case("buffer one byte too short", argv, mem - size + 1))
        .stubs_rejects(EFAULT)
        .wasi_traps_after_writing(&table_at(argv, mem - size + 1));
    h.diff(case(
        "pointer array one pointer too short",
        mem - ptrs + 4,
        buf,
    ))
    .stubs_rejects(EFAULT)
    .wasi_traps_after_writing(&table_at(mem - ptrs + 4, buf));
    // The strings far out of bounds: wasmtime-wasi writes argv[0], then traps.
    h.diff(case("buffer out of bounds", argv, u32::MAX - 7))
        .stubs_rejects(EFAULT)
        .wasi_traps_after_writing(&[span(argv, 4)]);
    // The pointer array out of bounds: the first thing wasmtime-wasi writes, so it traps clean.
    h.diff(case("pointer array out of bounds", mem + 64, buf))
        .stubs_rejects(EFAULT)
        .wasi_traps_cleanly();
    h.diff(case("pointer array at u32::MAX - 3", u32::MAX - 3, buf))
        .stubs_rejects(EFAULT)
        .wasi_traps_cleanly();
    // Out of bounds and misaligned: bounds first, EFAULT.
    h.diff(case(
        "pointer array out of bounds and misaligned",
        mem + 1,
        buf,
    ))
    .stubs_rejects(EFAULT)
    .wasi_traps_cleanly();
    for offset in 1..4 {
        h.diff(case(
            &format!("pointer array misaligned by {offset}"),
            argv + offset,
            buf,
        ))
        .stubs_rejects(EINVAL)
        .wasi_traps_cleanly();
    }
}

#[test]
fn args_get_and_environ_get() {
    let mut h = Harness::new();
    for table in [Table::Args, Table::Env] {
        table_cases(&mut h, &World::mixed(), table, 1);
        table_cases(&mut h, &World::mixed(), table, 2);
    }
}

#[test]
fn args_get_and_environ_get_with_many_entries() {
    let mut h = Harness::new();
    for table in [Table::Args, Table::Env] {
        table_cases(&mut h, &World::many(), table, 2);
    }
}

#[test]
fn empty_args_and_environ() {
    let mut h = Harness::new();
    let world = World::default();
    let mem = PAGE;
    for table in [Table::Args, Table::Env] {
        let f = table.get();
        let case = |name: &str, argv: u32, buf: u32| {
            Case::new(format!("{f} (empty): {name}"), f, &[argv, buf]).world(&world)
        };
        h.diff(case("well placed", 0x100, 0x200))
            .same()
            .stubs_succeeds_untouched();
        h.diff(case("both at the end of memory", mem, mem))
            .same()
            .stubs_succeeds_untouched();
        // DIFFERENCE (zero-length accesses): with nothing to write, wasmtime-wasi never looks at
        // the pointers; wasi-stubs checks them as our rules say (a pointer past the end is out of
        // bounds, a misaligned pointer array is misaligned, even when empty). The spec is silent.
        h.diff(case("both out of bounds", mem + 64, u32::MAX))
            .stubs_rejects(EFAULT)
            .wasi_succeeds_untouched();
        h.diff(case("pointer array misaligned", 0x101, 0x200))
            .stubs_rejects(EINVAL)
            .wasi_succeeds_untouched();
    }
}

// ---------------------------------------------------------------------------------------------
// clock_res_get

#[test]
fn clock_res_get() {
    let mut h = Harness::new();
    let mem = PAGE;
    let case = |name: &str, id: u32, ret: u32| {
        Case::new(
            format!("clock_res_get: {name}"),
            "clock_res_get",
            &[id, ret],
        )
    };
    // Realtime and monotonic: both answer; the values may differ (wasi-stubs says 1 ns,
    // wasmtime-wasi asks the system), so compare which bytes change: the 8 at `ret`.
    for id in [0, 1] {
        for ret in [0x100, 0, mem - 8] {
            let d = h.diff(case(&format!("clock {id} into {ret:#x}"), id, ret));
            d.same_shape().stubs_answers(Outcome::Errno(ESUCCESS));
            assert_eq!(d.changed(Side::Stubs), [span(ret, 8)], "{}", d.name);
            assert_eq!(d.u32_at(Side::Stubs, ret), 1, "wasi-stubs: 1 ns");
        }
    }
    // DIFFERENCE: the CPU-time clocks. wasi-stubs answers (1 ns, as for every clock);
    // wasmtime-wasi answers EBADF (preview2 has no CPU-time clocks). The spec lists both clock ids
    // as valid; EBADF is no errno for a clock: wasi-stubs is the faithful one.
    for id in [2, 3] {
        let d = h.diff(case(&format!("cpu-time clock {id}"), id, 0x100));
        d.stubs_answers(Outcome::Errno(ESUCCESS))
            .wasi_answers(Outcome::Errno(EBADF))
            .trap_policy_agrees();
        assert_eq!(d.changed(Side::Stubs), [span(0x100, 8)]);
        assert!(d.changed(Side::Wasi).is_empty(), "{}", d.both());
    }
    // DIFFERENCE: an invalid clock id. wasi-stubs answers EINVAL (our rules: an invalid enum
    // value); wasmtime-wasi traps.
    for id in [4, 100, u32::MAX] {
        h.diff(case(&format!("invalid clock {id:#x}"), id, 0x100))
            .stubs_rejects(EINVAL)
            .wasi_traps_cleanly();
    }
    // The clock id is checked before the result pointer.
    h.diff(case("invalid clock, bad pointer", 4, mem))
        .stubs_rejects(EINVAL)
        .wasi_traps_cleanly();
    // Bad result pointers: EFAULT/EINVAL and nothing written; wasmtime-wasi traps.
    for (name, ret, errno) in [
        ("result out of bounds", mem, EFAULT),
        ("result straddles the end", mem - 4, EFAULT),
        ("result at u32::MAX - 7", u32::MAX - 7, EFAULT),
        ("result misaligned by 4", 0x104, EINVAL),
        ("result misaligned by 1", 0x101, EINVAL),
    ] {
        for id in [0, 1] {
            h.diff(case(&format!("{name} (clock {id})"), id, ret))
                .stubs_rejects(errno)
                .wasi_traps_cleanly();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// fd_write

/// Where `fd_write` cases keep their bytes.
const IOVS: u32 = 0x100;
const NWRITTEN: u32 = 0x80;
const TEXT: &[(u32, &[u8])] = &[
    (0x1000, b"hello, world\n"),
    (0x1100, b"second "),
    (0x1200, b"third\n"),
];

fn fd_write_case(name: &str, fd: u32, iovs: &[(u32, u32)]) -> Case {
    let mut case = Case::new(
        format!("fd_write: {name}"),
        "fd_write",
        &[fd, IOVS, iovs.len() as u32, NWRITTEN],
    )
    .poke(IOVS, iovecs(iovs));
    for (at, text) in TEXT {
        case = case.poke(*at, *text);
    }
    case
}

#[test]
fn fd_write() {
    let mut h = Harness::new();
    let mem = PAGE;

    let d = h.diff(fd_write_case("no iovecs", 1, &[]));
    d.same().stubs_answers(Outcome::Errno(ESUCCESS));
    assert_eq!(d.u32_at(Side::Wasi, NWRITTEN), 0);

    let d = h.diff(fd_write_case("one iovec", 1, &[(0x1000, 13)]));
    d.same().stubs_answers(Outcome::Errno(ESUCCESS));
    assert_eq!(d.stdout(Side::Wasi), b"hello, world\n");
    assert_eq!(d.u32_at(Side::Wasi, NWRITTEN), 13);
    assert_eq!(d.changed(Side::Stubs), [span(NWRITTEN, 4)], "{}", d.both());

    let d = h.diff(fd_write_case("one iovec to stderr", 2, &[(0x1000, 13)]));
    d.same().stubs_answers(Outcome::Errno(ESUCCESS));
    assert_eq!(d.stderr(Side::Wasi), b"hello, world\n");

    // Zero-length iovecs around one that is not: both skip them.
    let d = h.diff(fd_write_case(
        "zero-length iovecs around one",
        1,
        &[(0x1100, 0), (0x1000, 5), (0x1200, 0)],
    ));
    d.same();
    assert_eq!(d.stdout(Side::Stubs), b"hello");
    h.diff(fd_write_case(
        "only zero-length iovecs",
        1,
        &[(0x1000, 0), (0x1100, 0)],
    ))
    .same()
    .stubs_answers(Outcome::Errno(ESUCCESS));

    // An iovec ending on the last byte of memory, and an iovec array ending there.
    let d = h.diff(
        fd_write_case("iovec ends on the last byte", 1, &[(mem - 5, 5)]).poke(mem - 5, *b"tail\n"),
    );
    d.same().stubs_answers(Outcome::Errno(ESUCCESS));
    assert_eq!(d.stdout(Side::Stubs), b"tail\n");
    h.diff(
        Case::new(
            "fd_write: iovec array ends on the last byte",
            "fd_write",
            &[1, mem - 8, 1, NWRITTEN],
        )
        .poke(mem - 8, iovecs(&[(0x1000, 13)]))
        .poke(0x1000, *b"hello, world\n"),
    )
    .same()
    .stubs_answers(Outcome::Errno(ESUCCESS));
    // nwritten inside the bytes written, and on the last bytes of memory.
    h.diff(
        Case::new(
            "fd_write: nwritten inside the data",
            "fd_write",
            &[1, IOVS, 1, 0x1004],
        )
        .poke(IOVS, iovecs(&[(0x1000, 13)]))
        .poke(0x1000, *b"hello, world\n"),
    )
    .same();
    h.diff(
        Case::new(
            "fd_write: nwritten at the end",
            "fd_write",
            &[1, IOVS, 1, mem - 4],
        )
        .poke(IOVS, iovecs(&[(0x1000, 13)]))
        .poke(0x1000, *b"hello, world\n"),
    )
    .same();

    // DIFFERENCE: several non-empty iovecs. wasmtime-wasi writes only the first (a short write:
    // POSIX allows it and libc retries the rest); wasi-stubs writes them all. Both are correct.
    let d = h.diff(fd_write_case(
        "three iovecs",
        1,
        &[(0x1000, 13), (0x1100, 7), (0x1200, 6)],
    ));
    d.stubs_answers(Outcome::Errno(ESUCCESS))
        .wasi_answers(Outcome::Errno(ESUCCESS))
        .trap_policy_agrees();
    assert_eq!(d.stdout(Side::Stubs), b"hello, world\nsecond third\n");
    assert_eq!(d.u32_at(Side::Stubs, NWRITTEN), 26);
    assert_eq!(d.stdout(Side::Wasi), b"hello, world\n");
    assert_eq!(d.u32_at(Side::Wasi, NWRITTEN), 13);

    // Bad fds: EBADF on both, nothing written, whatever the buffers.
    for fd in [0, 3, 100, u32::MAX] {
        h.diff(fd_write_case(&format!("fd {fd}"), fd, &[(0x1000, 13)]))
            .same()
            .stubs_answers(Outcome::Errno(EBADF));
        // Both look at the fd before the buffers' bounds.
        h.diff(fd_write_case(
            &format!("fd {fd} with a buffer out of bounds"),
            fd,
            &[(mem - 4, 13)],
        ))
        .same()
        .stubs_answers(Outcome::Errno(EBADF));
    }

    // Out of bounds: wasi-stubs EFAULT, nothing written; wasmtime-wasi traps, nothing written.
    for (name, iovs) in [
        ("iovec one byte past the end", &[(mem - 12, 13)][..]),
        ("iovec far out of bounds", &[(u32::MAX - 15, 32)][..]),
        ("iovec starting past the end", &[(mem + 1, 1)][..]),
    ] {
        h.diff(fd_write_case(name, 1, iovs))
            .stubs_rejects(EFAULT)
            .wasi_traps_cleanly();
    }
    for (name, at, count, errno) in [
        ("iovec array past the end", mem - 4, 1, EFAULT),
        ("iovec array far out of bounds", u32::MAX - 7, 1, EFAULT),
        ("iovec array misaligned", IOVS + 2, 1, EINVAL),
    ] {
        h.diff(
            Case::new(
                format!("fd_write: {name}"),
                "fd_write",
                &[1, at, count, NWRITTEN],
            )
            .poke(IOVS, iovecs(&[(0x1000, 13), (0x1000, 13)])),
        )
        .stubs_rejects(errno)
        .wasi_traps_cleanly();
    }
    // With a bad fd, the iovec array is still checked first on both.
    h.diff(Case::new(
        "fd_write: fd 3 with the iovec array out of bounds",
        "fd_write",
        &[3, mem - 4, 1, NWRITTEN],
    ))
    .stubs_rejects(EFAULT)
    .wasi_traps_cleanly();

    // DIFFERENCE: an iovec list far longer than memory. wasmtime-wasi answers ENOMEM (its
    // hostcall fuel) without looking at memory; wasi-stubs answers EFAULT (out of bounds, our
    // rules).
    for count in [0x1000_0000, 0x2000_0000, u32::MAX] {
        h.diff(fd_write_case("", 1, &[(0x1000, 13)]).with_args(
            format!("fd_write: {count:#x} iovecs"),
            &[1, IOVS, count, NWRITTEN],
        ))
        .stubs_rejects(EFAULT)
        .wasi_answers(Outcome::Errno(ENOMEM));
    }

    // DIFFERENCE: a later iovec out of bounds. wasmtime-wasi writes the first iovec and
    // succeeds (it never reads further); wasi-stubs answers EFAULT having written nothing, as our
    // rules (and Linux `writev`) say.
    let d = h.diff(fd_write_case(
        "second iovec out of bounds",
        1,
        &[(0x1000, 13), (mem - 4, 13)],
    ));
    d.stubs_rejects(EFAULT)
        .wasi_answers(Outcome::Errno(ESUCCESS));
    assert_eq!(d.stdout(Side::Wasi), b"hello, world\n");

    // An empty iovec starting exactly at the end of memory is in bounds on both.
    h.diff(fd_write_case("empty iovec at the end", 1, &[(mem, 0)]))
        .same()
        .stubs_answers(Outcome::Errno(ESUCCESS));
    // DIFFERENCE (zero-length accesses): an empty iovec whose pointer is past the end of memory,
    // and an empty iovec array at a misaligned or out-of-bounds address. wasmtime-wasi never
    // dereferences them and writes 0 bytes; wasi-stubs answers EFAULT or EINVAL. The spec is
    // silent.
    for (name, iovs, count, errno) in [
        ("empty iovec past the end", IOVS, 1, EFAULT),
        ("no iovecs at a misaligned address", IOVS + 1, 0, EINVAL),
        ("no iovecs past the end", mem + 8, 0, EFAULT),
    ] {
        let d = h.diff(
            Case::new(
                format!("fd_write: {name}"),
                "fd_write",
                &[1, iovs, count, NWRITTEN],
            )
            .poke(IOVS, iovecs(&[(u32::MAX - 15, 0)])),
        );
        d.stubs_rejects(errno)
            .wasi_answers(Outcome::Errno(ESUCCESS));
        assert_eq!(d.changed(Side::Wasi), [span(NWRITTEN, 4)], "{}", d.both());
        assert_eq!(d.u32_at(Side::Wasi, NWRITTEN), 0);
        assert!(d.stdout(Side::Wasi).is_empty());
    }

    // DIFFERENCE: a bad nwritten pointer. wasi-stubs checks it before writing anything (EFAULT,
    // EINVAL, nothing on stdout); wasmtime-wasi writes to stdout, then traps on the pointer. Our
    // rules: nothing happens on a failed call; wasi-stubs is right.
    for (name, ret, errno) in [
        ("nwritten out of bounds", mem, EFAULT),
        ("nwritten misaligned", NWRITTEN + 1, EINVAL),
    ] {
        let d = h.diff(
            Case::new(format!("fd_write: {name}"), "fd_write", &[1, IOVS, 1, ret])
                .poke(IOVS, iovecs(&[(0x1000, 13)]))
                .poke(0x1000, *b"hello, world\n"),
        );
        d.stubs_rejects(errno).wasi_traps();
        assert!(d.changed(Side::Wasi).is_empty(), "{}", d.both());
        assert_eq!(d.stdout(Side::Wasi), b"hello, world\n", "{}", d.both());
    }
}

impl Case {
    /// The same bytes in memory, another call.
    fn with_args(mut self, name: impl Into<String>, args: &[u32]) -> Self {
        self.name = name.into();
        self.args = args.to_vec();
        self
    }
}

#[test]
fn fd_write_lengths_whose_sum_overflows() {
    // 16385 iovecs each covering all of a 4-page memory: every buffer is in bounds, the sum of
    // their lengths is 16385 * 2^18 > u32::MAX.
    let mut h = Harness::new();
    let pages = 4;
    let mem = pages * PAGE;
    let count = (1u64 << 32).div_ceil(u64::from(mem)) as usize + 1;
    let list = vec![(0, mem); count];
    let case = Case::new(
        "fd_write: lengths whose sum overflows",
        "fd_write",
        &[1, 0, count as u32, mem - 4],
    )
    .pages(pages)
    .poke(0, iovecs(&list));
    let d = h.diff(case);
    // DIFFERENCE: wasi-stubs answers EFAULT (our rules: a sum that overflows), writing nothing;
    // wasmtime-wasi writes the first iovec, all of memory, and succeeds (a short write).
    d.stubs_rejects(EFAULT)
        .wasi_answers(Outcome::Errno(ESUCCESS));
    assert_eq!(d.stdout(Side::Wasi).len(), mem as usize);
    assert_eq!(d.u32_at(Side::Wasi, mem - 4), mem);
}

// ---------------------------------------------------------------------------------------------
// random_get

#[test]
fn random_get() {
    let mut h = Harness::new();
    let mem = PAGE;
    let case = |name: &str, buf: u32, len: u32| {
        Case::new(format!("random_get: {name}"), "random_get", &[buf, len])
    };
    // The bytes differ (each side has its own deterministic source here), so compare which
    // bytes changed: exactly `len` at `buf`, under both fills.
    for (name, buf, len) in [
        ("0 bytes", 0x100, 0),
        ("1 byte", 0x100, 1),
        ("32 bytes", 0x100, 32),
        ("32 bytes at an odd address", 0x101, 32),
        ("up to the end of memory", 0x100, mem - 0x100),
        ("the last byte", mem - 1, 1),
        ("all of memory", 0, mem),
        ("0 bytes at the end", mem, 0),
    ] {
        let d = h.diff(case(name, buf, len));
        d.same_shape().stubs_answers(Outcome::Errno(ESUCCESS));
        let expect: Vec<Range<u64>> = if len == 0 {
            vec![]
        } else {
            vec![span(buf, len)]
        };
        assert_eq!(d.changed(Side::Stubs), expect, "{}", d.both());
    }
    // Past the end: wasi-stubs EFAULT, nothing written; wasmtime-wasi traps, nothing written.
    for (name, buf, len) in [
        ("one byte past the end", 0x100, mem - 0x100 + 1),
        ("starting past the end", mem, 1),
        ("far out of bounds", u32::MAX - 15, 32),
        // wasmtime-wasi traps before looking at memory: more than its 64 MiB limit.
        ("u32::MAX bytes", 0, u32::MAX),
    ] {
        h.diff(case(name, buf, len))
            .stubs_rejects(EFAULT)
            .wasi_traps_cleanly();
    }
    // DIFFERENCE (zero-length accesses): 0 bytes at an address past the end. wasmtime-wasi
    // writes nothing and succeeds; wasi-stubs answers EFAULT. The spec is silent.
    h.diff(case("0 bytes past the end", u32::MAX, 0))
        .stubs_rejects(EFAULT)
        .wasi_succeeds_untouched();
}

// ---------------------------------------------------------------------------------------------
// proc_exit

#[test]
fn proc_exit() {
    let mut h = Harness::new();
    for code in [0, 1, 125] {
        h.diff(Case::new(
            format!("proc_exit({code})"),
            "proc_exit",
            &[code],
        ))
        .same()
        .stubs_answers(Outcome::Exit(code));
    }
    // DIFFERENCE: wasmtime-wasi refuses codes of 126 and more with a plain trap that carries no
    // exit code. The spec's exitcode is a u32 whose meaning is the environment's; our rules say
    // proc_exit is always a trap that carries the code: wasi-stubs is right.
    for code in [126, 255, 256, u32::MAX] {
        let d = h.diff(Case::new(
            format!("proc_exit({code})"),
            "proc_exit",
            &[code],
        ));
        d.stubs_answers(Outcome::Exit(code)).trap_policy_agrees();
        d.wasi_traps();
        assert!(d.changed(Side::Wasi).is_empty() && d.changed(Side::Stubs).is_empty());
        let Outcome::Trap(message) = d.outcome(Side::Wasi) else {
            unreachable!()
        };
        assert!(message.contains("invalid exit status"), "{message}");
    }
}

// ---------------------------------------------------------------------------------------------
// A 4 GiB memory

/// 65536 pages: wasmtime reserves 4 GiB of address space per instance (plus its guard region)
/// and the kernel maps only the pages touched, so each of the few dozen instances here costs
/// little real memory. Only the first and last 64 KiB are compared.
#[test]
fn four_gib_memory() {
    let mut h = Harness::new();
    let pages = 65536;
    let end = u32::MAX; // the last byte
    let world = World::mixed();
    for table in [Table::Args, Table::Env] {
        let f = table.get();
        let (count, size) = table_size(&world.strings(table));
        let ptrs = 4 * count;
        let case = |name: &str, argv: u32, buf: u32| {
            Case::new(format!("{f} (4 GiB): {name}"), f, &[argv, buf])
                .world(&world)
                .pages(pages)
        };
        // The last NUL on byte 0xFFFFFFFF. wasi-stubs must succeed. DIFFERENCE: wasmtime-wasi
        // writes the whole table, then traps computing the address past the last NUL (2^32).
        let buf = end - size + 1;
        let d = h.diff(case("last NUL on byte 0xFFFFFFFF", 0x100, buf));
        d.stubs_answers(Outcome::Errno(ESUCCESS))
            .trap_policy_agrees();
        assert_eq!(
            d.changed(Side::Stubs).last().map(|r| r.end),
            Some(1 << 32),
            "{}",
            d.both()
        );
        d.wasi_traps();
        assert!(
            d.same_memory(Side::Stubs, Side::Wasi),
            "wasmtime-wasi wrote the same table before trapping: {}",
            d.both()
        );
        // The pointer array ends on 0xFFFFFFFF. DIFFERENCE: wasmtime-wasi writes the last
        // pointer, then traps computing the address of the next one, before the last string.
        let d = h.diff(case(
            "pointer array ends on byte 0xFFFFFFFF",
            end - ptrs + 1,
            0x100,
        ));
        d.stubs_answers(Outcome::Errno(ESUCCESS))
            .trap_policy_agrees();
        d.wasi_traps_after_writing(&[span(end - ptrs + 1, ptrs), span(0x100, size)]);
        assert!(!d.same_memory(Side::Stubs, Side::Wasi), "{}", d.both());
    }
    let case = |name: &str, func: &'static str, args: &[u32]| {
        Case::new(format!("{func} (4 GiB): {name}"), func, args).pages(pages)
    };
    // random_get ending on the last byte. DIFFERENCE: wasmtime-wasi writes the bytes, then traps
    // computing the address past them.
    let d = h.diff(case(
        "ends on byte 0xFFFFFFFF",
        "random_get",
        &[end - 31, 32],
    ));
    d.stubs_answers(Outcome::Errno(ESUCCESS))
        .trap_policy_agrees();
    assert_eq!(d.changed(Side::Stubs), [span(end - 31, 32)]);
    d.wasi_traps_after_writing(&[span(end - 31, 32)]);
    // These end on the last byte on both.
    h.diff(case(
        "results end on byte 0xFFFFFFFF",
        "args_sizes_get",
        &[end - 7, end - 3],
    ))
    .same()
    .stubs_answers(Outcome::Errno(ESUCCESS));
    h.diff(case(
        "result ends on byte 0xFFFFFFFF",
        "clock_res_get",
        &[1, end - 7],
    ))
    .same_shape()
    .stubs_answers(Outcome::Errno(ESUCCESS));
    let d = h.diff(
        case(
            "iovec ends on byte 0xFFFFFFFF",
            "fd_write",
            &[1, IOVS, 1, NWRITTEN],
        )
        .poke(IOVS, iovecs(&[(end - 4, 5)]))
        .poke(end - 4, *b"tail\n"),
    );
    d.same().stubs_answers(Outcome::Errno(ESUCCESS));
    assert_eq!(d.stdout(Side::Stubs), b"tail\n");
}
