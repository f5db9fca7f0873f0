//! A fuzzer for the generated glue that runs on stable Rust: every function of
//! `wasi_snapshot_preview1` (46) and of `wasi_unstable` (45, served by
//! [`wasi_stubs::preview0::polyfill`] from a preview1 host) is called from a WAT guest with
//! guest-chosen arguments and guest memory filled with a pattern and plausible structures, under
//! both policies, and every outcome is judged against the error rules.
//!
//! One *execution* is one input (a function, its arguments, a memory image, a stdin) derived from
//! a 64-bit seed alone, run twice on the same kind of store: once under `Policy::default()` (errno)
//! and once under `Policy::TRAP`. Each store starts the call from the image and a fresh host, so an
//! execution is reproduced by its seed ([`replay`]). What is checked:
//!
//! - no host panic (`panic`);
//! - a call that fails (an errno other than 0, a trap, `proc_exit`) leaves guest memory
//!   byte-identical (`wrote-on-failure`);
//! - a call that succeeds writes only its results and the buffers it fills, as the input laid them
//!   out before the call (`wrote-outside`: a read that follows an iovec its own copy rewrote);
//! - host allocation during a call stays under 1 MiB + 2 × the guest memory, and under 64 KiB + the
//!   guest memory (one copy of the guest's data) when the call fails on bad input (`alloc`,
//!   `alloc-on-failure`; only when [`crate::counting::Counting`] is the global allocator);
//! - no call takes longer than [`Config::slow_call`] (`slow`); a test names a call that does not
//!   come back with [`running`];
//! - the errno is one the error rules allow: the [`Nothing`] host answers only `nosys`, `fault`,
//!   `inval`, `ilseq` or `overflow` under the errno policy and always traps under the trap policy;
//!   `MinimalHost` never answers `fault`, `ilseq`, `overflow` or `nosys` under the trap policy,
//!   and its functions not overridden answer as `Nothing`'s do; a guest without memory gets
//!   `EFAULT` (or `EINVAL` for a bad scalar met first) from every function with a result pointer,
//!   and from every other function that is given a buffer that is not empty;
//!   only `proc_exit` ends a call under the errno policy, always with `Exit { code }`; a trap
//!   under the trap policy names the function (`errno`, `trap-policy`, `no-memory`, `proc_exit`,
//!   `errno-policy-trapped`, `trap-unnamed`);
//! - the two policies agree (`policy-mismatch`): when the trap policy returns, the errno policy
//!   returns the same code and leaves the same memory; when it traps, the errno policy traps the
//!   same way or returns an errno of bad input (`fault`, `inval`, `ilseq`, `overflow`, `nosys`).
//!
//! Stores come in lanes: module (preview1, preview0) × host ([`Nothing`], `MinimalHost` on a
//! virtual clock and seeded random bytes, its stdout and stderr discarded) × memory (bound with
//! `Ctx::bind_memory`, found by export, 16 pages instead of 1, or no memory at all) × tracing on or
//! off. Instances are reused: memory is restored from the image before each call.
//!
//! Inputs are drawn half the time *sane* (nearly every pointer in bounds and aligned, every record
//! valid, so that calls get deep into the host: buffers over their own iovec records, events over
//! the subscriptions) and otherwise *hostile* (lengths of `u32::MAX`, lists that overflow the
//! address space, records straddling the end of memory, invalid tags, enum values and UTF-8).

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use wasi_stubs::host::{ClockSource, MinimalHost, Output, RandomSource};
use wasi_stubs::preview1::WasiSnapshotPreview1;
use wasi_stubs::{Coverage, Ctx, Exit, FuncInfo, Policy, WasmType, preview0, preview1};
use wasmtime::{Engine, Func, Linker, Memory, Store, Val};

use crate::{counting, wat_signature};

// ---------------------------------------------------------------------------------------------
// Random numbers

/// splitmix64: small, fast, and every seed is a good one.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// True `percent` times in 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, choices: &[T]) -> T {
        choices[self.below(choices.len() as u64) as usize]
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of execution `i` of a run started from `seed`.
pub fn execution_seed(seed: u64, i: u64) -> u64 {
    mix(seed ^ mix(i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15)))
}

// ---------------------------------------------------------------------------------------------
// What each function takes

/// The two modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Module {
    /// `wasi_snapshot_preview1`, linked with `preview1::add_to_linker`.
    Preview1,
    /// `wasi_unstable`, linked with `preview0::polyfill::add_to_linker` from the same host.
    Preview0,
}

impl Module {
    /// Every function of the module, as linked.
    pub fn functions(self) -> &'static [FuncInfo] {
        match self {
            Module::Preview1 => preview1::FUNCTIONS,
            Module::Preview0 => preview0::FUNCTIONS,
        }
    }

    /// The name guests import from.
    pub fn import_name(self) -> &'static str {
        match self {
            Module::Preview1 => preview1::MODULE,
            Module::Preview0 => preview0::MODULE,
        }
    }

    /// `preview1` or `preview0`.
    pub fn label(self) -> &'static str {
        match self {
            Module::Preview1 => "preview1",
            Module::Preview0 => "preview0",
        }
    }

    fn subscription_size(self) -> u32 {
        match self {
            Module::Preview1 => 48,
            Module::Preview0 => 56,
        }
    }

    fn filestat_size(self) -> u32 {
        match self {
            Module::Preview1 => 64,
            Module::Preview0 => 56,
        }
    }

    fn rights_mask(self) -> u64 {
        match self {
            Module::Preview1 => (1 << 30) - 1,
            Module::Preview0 => (1 << 29) - 1,
        }
    }
}

/// What a parameter (or a pair or triple of core wasm parameters) of a function is, from the
/// witx documents; the generator picks its values accordingly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A file descriptor (i32).
    Fd,
    /// An enum with this many cases (i32).
    Enum(u32),
    /// Flags with this mask of valid bits (i32).
    Flags(u32),
    /// `rights` (i64), the mask depending on the module.
    Rights,
    /// A 64-bit value: a timestamp, file size or offset, cookie (i64).
    U64,
    /// A 32-bit value every bit pattern of which is valid, or a u16 (i32).
    U32,
    /// A pointer to a result of this size and alignment (i32).
    Out(u32, u32),
    /// A pointer to a `filestat` result, whose size depends on the module (i32).
    Filestat,
    /// A string: pointer and length (i32, i32).
    Str,
    /// A byte buffer: pointer and length (i32, i32).
    Buf,
    /// A list of iovecs: pointer and count (i32, i32).
    Iovs,
    /// Where `args_get` (0) or `environ_get` (1) writes its pointers (i32).
    Table(u8),
    /// Where it writes its strings (i32).
    TableBuf(u8),
    /// `poll_oneoff`'s subscriptions, events and count (i32, i32, i32).
    Poll,
}

impl Kind {
    fn wasm(self) -> &'static [WasmType] {
        use WasmType::{I32, I64};
        match self {
            Kind::Rights | Kind::U64 => &[I64],
            Kind::Str | Kind::Buf | Kind::Iovs => &[I32, I32],
            Kind::Poll => &[I32, I32, I32],
            _ => &[I32],
        }
    }

    fn is_out(self) -> bool {
        matches!(self, Kind::Out(..) | Kind::Filestat)
    }

    fn touches_memory(self) -> bool {
        matches!(
            self,
            Kind::Out(..)
                | Kind::Filestat
                | Kind::Str
                | Kind::Buf
                | Kind::Iovs
                | Kind::Table(_)
                | Kind::TableBuf(_)
                | Kind::Poll
        )
    }
}

use Kind::*;

const FDFLAGS: Kind = Flags(0x1F);
const FSTFLAGS: Kind = Flags(0xF);
const LOOKUPFLAGS: Kind = Flags(0x1);
const OFLAGS: Kind = Flags(0xF);
const SIZE_OUT: Kind = Out(4, 4);
const U64_OUT: Kind = Out(8, 8);

/// The parameters of every function, by name, as the witx documents give them (the two snapshots
/// differ only in sizes and masks, which [`Module`] knows).
const SIGNATURES: &[(&str, &[(&str, Kind)])] = &[
    ("args_get", &[("argv", Table(0)), ("argv_buf", TableBuf(0))]),
    ("args_sizes_get", &[("ret0", SIZE_OUT), ("ret1", SIZE_OUT)]),
    (
        "environ_get",
        &[("environ", Table(1)), ("environ_buf", TableBuf(1))],
    ),
    (
        "environ_sizes_get",
        &[("ret0", SIZE_OUT), ("ret1", SIZE_OUT)],
    ),
    ("clock_res_get", &[("id", Enum(4)), ("ret", U64_OUT)]),
    (
        "clock_time_get",
        &[("id", Enum(4)), ("precision", U64), ("ret", U64_OUT)],
    ),
    (
        "fd_advise",
        &[
            ("fd", Fd),
            ("offset", U64),
            ("len", U64),
            ("advice", Enum(6)),
        ],
    ),
    ("fd_allocate", &[("fd", Fd), ("offset", U64), ("len", U64)]),
    ("fd_close", &[("fd", Fd)]),
    ("fd_datasync", &[("fd", Fd)]),
    ("fd_fdstat_get", &[("fd", Fd), ("ret", Out(24, 8))]),
    ("fd_fdstat_set_flags", &[("fd", Fd), ("flags", FDFLAGS)]),
    (
        "fd_fdstat_set_rights",
        &[("fd", Fd), ("base", Rights), ("inheriting", Rights)],
    ),
    ("fd_filestat_get", &[("fd", Fd), ("ret", Filestat)]),
    ("fd_filestat_set_size", &[("fd", Fd), ("size", U64)]),
    (
        "fd_filestat_set_times",
        &[
            ("fd", Fd),
            ("atim", U64),
            ("mtim", U64),
            ("fst_flags", FSTFLAGS),
        ],
    ),
    (
        "fd_pread",
        &[
            ("fd", Fd),
            ("iovs", Iovs),
            ("offset", U64),
            ("ret", SIZE_OUT),
        ],
    ),
    ("fd_prestat_get", &[("fd", Fd), ("ret", Out(8, 4))]),
    ("fd_prestat_dir_name", &[("fd", Fd), ("path", Buf)]),
    (
        "fd_pwrite",
        &[
            ("fd", Fd),
            ("iovs", Iovs),
            ("offset", U64),
            ("ret", SIZE_OUT),
        ],
    ),
    ("fd_read", &[("fd", Fd), ("iovs", Iovs), ("ret", SIZE_OUT)]),
    (
        "fd_readdir",
        &[("fd", Fd), ("buf", Buf), ("cookie", U64), ("ret", SIZE_OUT)],
    ),
    ("fd_renumber", &[("fd", Fd), ("to", Fd)]),
    (
        "fd_seek",
        &[
            ("fd", Fd),
            ("offset", U64),
            ("whence", Enum(3)),
            ("ret", U64_OUT),
        ],
    ),
    ("fd_sync", &[("fd", Fd)]),
    ("fd_tell", &[("fd", Fd), ("ret", U64_OUT)]),
    ("fd_write", &[("fd", Fd), ("iovs", Iovs), ("ret", SIZE_OUT)]),
    ("path_create_directory", &[("fd", Fd), ("path", Str)]),
    (
        "path_filestat_get",
        &[
            ("fd", Fd),
            ("flags", LOOKUPFLAGS),
            ("path", Str),
            ("ret", Filestat),
        ],
    ),
    (
        "path_filestat_set_times",
        &[
            ("fd", Fd),
            ("flags", LOOKUPFLAGS),
            ("path", Str),
            ("atim", U64),
            ("mtim", U64),
            ("fst_flags", FSTFLAGS),
        ],
    ),
    (
        "path_link",
        &[
            ("old_fd", Fd),
            ("old_flags", LOOKUPFLAGS),
            ("old_path", Str),
            ("new_fd", Fd),
            ("new_path", Str),
        ],
    ),
    (
        "path_open",
        &[
            ("fd", Fd),
            ("dirflags", LOOKUPFLAGS),
            ("path", Str),
            ("oflags", OFLAGS),
            ("base", Rights),
            ("inheriting", Rights),
            ("fdflags", FDFLAGS),
            ("ret", SIZE_OUT),
        ],
    ),
    (
        "path_readlink",
        &[("fd", Fd), ("path", Str), ("buf", Buf), ("ret", SIZE_OUT)],
    ),
    ("path_remove_directory", &[("fd", Fd), ("path", Str)]),
    (
        "path_rename",
        &[
            ("fd", Fd),
            ("old_path", Str),
            ("new_fd", Fd),
            ("new_path", Str),
        ],
    ),
    (
        "path_symlink",
        &[("old_path", Str), ("fd", Fd), ("new_path", Str)],
    ),
    ("path_unlink_file", &[("fd", Fd), ("path", Str)]),
    ("poll_oneoff", &[("in/out/n", Poll), ("ret", SIZE_OUT)]),
    ("proc_exit", &[("rval", U32)]),
    ("proc_raise", &[("sig", Enum(31))]),
    ("sched_yield", &[]),
    ("random_get", &[("buf", Buf)]),
    (
        "sock_accept",
        &[("fd", Fd), ("flags", FDFLAGS), ("ret", SIZE_OUT)],
    ),
    (
        "sock_recv",
        &[
            ("fd", Fd),
            ("ri_data", Iovs),
            ("ri_flags", Flags(0x3)),
            ("ret0", SIZE_OUT),
            ("ret1", Out(2, 2)),
        ],
    ),
    (
        "sock_send",
        &[
            ("fd", Fd),
            ("si_data", Iovs),
            ("si_flags", U32),
            ("ret", SIZE_OUT),
        ],
    ),
    ("sock_shutdown", &[("fd", Fd), ("how", Flags(0x3))]),
];

fn signature(name: &str) -> Option<&'static [(&'static str, Kind)]> {
    SIGNATURES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, params)| *params)
}

/// Checks that the fuzzer knows every function of both modules, with the core wasm parameters
/// they are linked with.
pub fn check_signatures() -> Result<(), String> {
    for module in [Module::Preview1, Module::Preview0] {
        for f in module.functions() {
            let params = signature(f.name)
                .ok_or_else(|| format!("{}: no signature for {}", module.label(), f.name))?;
            let wasm: Vec<WasmType> = params.iter().flat_map(|(_, k)| k.wasm()).copied().collect();
            if wasm != f.params {
                return Err(format!(
                    "{} {}: the fuzzer passes {wasm:?}, linked as {:?}",
                    module.label(),
                    f.name,
                    f.params
                ));
            }
            let expected: &[WasmType] = if f.name == "proc_exit" {
                &[]
            } else {
                &[WasmType::I32]
            };
            if f.results != expected {
                return Err(format!("{}: results {:?}", f.name, f.results));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Hosts and lanes

/// A host that implements nothing: every call takes the trait's default body.
pub struct Nothing;

impl WasiSnapshotPreview1 for Nothing {}

/// The host's arguments and environment: `args_get` and `environ_get` write these.
const ARGS: [&str; 3] = ["fuzz.wasm", "two words", "ünï"];
const ENV: [(&str, &str); 2] = [("HOME", "/"), ("LANG", "x=ÿ")];

fn table_sizes(which: u8) -> (u32, u32) {
    let strings: Vec<String> = if which == 0 {
        ARGS.iter().map(|s| s.to_string()).collect()
    } else {
        ENV.iter().map(|(k, v)| format!("{k}={v}")).collect()
    };
    let bytes = strings.iter().map(|s| s.len() as u32 + 1).sum();
    (strings.len() as u32, bytes)
}

trait FuzzHost: WasiSnapshotPreview1 + Sized + 'static {
    fn fresh(stdin: &[u8]) -> Self;
}

impl FuzzHost for Nothing {
    fn fresh(_: &[u8]) -> Self {
        Nothing
    }
}

impl FuzzHost for MinimalHost {
    fn fresh(stdin: &[u8]) -> Self {
        let mut builder = MinimalHost::builder()
            .args(ARGS)
            .stdin(stdin.to_vec())
            .stdout(Output::discard())
            .stderr(Output::discard())
            .clock(ClockSource::Virtual(0))
            .random(RandomSource::Seeded(1));
        for (k, v) in ENV {
            builder = builder.env(k, v);
        }
        // A read-only tree at fd 3, so that the file functions get past `EBADF` into the tree.
        builder.preopen("/", fuzz_tree()).build()
    }
}

/// A small tree in memory, made once: files, a directory, links (one out of the tree, one loop).
fn fuzz_tree() -> wasi_stubs::host::Tree {
    static TREE: std::sync::OnceLock<wasi_stubs::host::Tree> = std::sync::OnceLock::new();
    TREE.get_or_init(|| {
        let mut t = wasi_stubs::host::MemoryTree::new();
        let files: [(&str, &[u8]); 3] = [
            ("a", b"0123456789"),
            ("d/b.txt", b"b"),
            ("d/e/c", &[0xAB; 300]),
        ];
        for (path, bytes) in files {
            let _ = t.add_file(path, bytes.to_vec());
        }
        for (link, target) in [("l", "a"), ("d/up", "../a"), ("out", "../x"), ("x", "x")] {
            let _ = t.add_symlink(link, target);
        }
        t.into_tree().fixed_time(0)
    })
    .clone()
}

/// Which host a lane runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum HostKind {
    Nothing,
    Minimal,
}

/// How a lane's guest memory is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum MemoryKind {
    /// Bound with `Ctx::bind_memory`.
    Bound,
    /// Looked up by its export on each call.
    Unbound,
    /// The guest has no memory.
    Missing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct LaneKey {
    module: Module,
    host: HostKind,
    memory: MemoryKind,
    pages: u32,
    trace: bool,
}

impl LaneKey {
    fn describe(&self) -> String {
        let host = match self.host {
            HostKind::Nothing => "Nothing",
            HostKind::Minimal => "MinimalHost",
        };
        let memory = match self.memory {
            MemoryKind::Bound => format!("memory bound, {} page(s)", self.pages),
            MemoryKind::Unbound => format!("memory by export, {} page(s)", self.pages),
            MemoryKind::Missing => "no memory".to_owned(),
        };
        let trace = if self.trace { ", traced" } else { "" };
        format!("{} on {host}, {memory}{trace}", self.module.label())
    }

    fn memory_size(&self) -> usize {
        match self.memory {
            MemoryKind::Missing => 0,
            _ => self.pages as usize * 65536,
        }
    }
}

/// A guest that imports every function of `module` and exports, under the same name, a function
/// with the same signature that forwards its arguments to it.
fn guest_wat(module: Module, memory: bool) -> String {
    let mut wat = String::from("(module\n");
    for (i, f) in module.functions().iter().enumerate() {
        let _ = writeln!(
            wat,
            "  (import \"{}\" \"{}\" (func $f{i}{}))",
            module.import_name(),
            f.name,
            wat_signature(f)
        );
    }
    if memory {
        wat.push_str("  (memory (export \"memory\") 1)\n");
    }
    for (i, f) in module.functions().iter().enumerate() {
        let _ = write!(wat, "  (func (export \"{}\"){}", f.name, wat_signature(f));
        for p in 0..f.params.len() {
            let _ = write!(wat, " local.get {p}");
        }
        let _ = writeln!(wat, " call $f{i})");
    }
    wat.push_str(")\n");
    wat
}

/// One store of a lane: its functions by index in the module's `FUNCTIONS`, its memory.
struct Target<H: 'static> {
    store: Store<Ctx<H>>,
    funcs: Vec<Func>,
    memory: Option<Memory>,
}

/// A lane: the same guest on two stores, one per policy.
struct Lane<H: 'static> {
    errno: Target<H>,
    trap: Target<H>,
}

enum AnyLane {
    Nothing(Lane<Nothing>),
    Minimal(Lane<MinimalHost>),
}

/// What the guests are compiled into, and the linkers of both hosts.
struct Guests {
    engine: Engine,
    modules: HashMap<(Module, bool), wasmtime::Module>,
    nothing: Linker<Ctx<Nothing>>,
    minimal: Linker<Ctx<MinimalHost>>,
}

fn linker<H: WasiSnapshotPreview1 + 'static>(engine: &Engine) -> Linker<Ctx<H>> {
    let mut linker = Linker::new(engine);
    preview1::add_to_linker(&mut linker, |ctx: &mut Ctx<H>| ctx).expect("preview1 links");
    preview0::polyfill::add_to_linker(&mut linker, |ctx: &mut Ctx<H>| ctx)
        .expect("the preview0 polyfill links");
    linker
}

impl Guests {
    fn new() -> Self {
        let engine = Engine::default();
        let mut modules = HashMap::new();
        for module in [Module::Preview1, Module::Preview0] {
            for memory in [true, false] {
                let wat = guest_wat(module, memory);
                let compiled = wasmtime::Module::new(&engine, &wat)
                    .unwrap_or_else(|e| panic!("the fuzz guest compiles: {e:?}\n{wat}"));
                modules.insert((module, memory), compiled);
            }
        }
        Guests {
            nothing: linker(&engine),
            minimal: linker(&engine),
            engine,
            modules,
        }
    }

    fn lane(&self, key: LaneKey) -> AnyLane {
        match key.host {
            HostKind::Nothing => AnyLane::Nothing(Lane {
                errno: self.target(&self.nothing, key, Policy::default()),
                trap: self.target(&self.nothing, key, Policy::TRAP),
            }),
            HostKind::Minimal => AnyLane::Minimal(Lane {
                errno: self.target(&self.minimal, key, Policy::default()),
                trap: self.target(&self.minimal, key, Policy::TRAP),
            }),
        }
    }

    fn target<H: FuzzHost>(
        &self,
        linker: &Linker<Ctx<H>>,
        key: LaneKey,
        policy: Policy,
    ) -> Target<H> {
        let has_memory = key.memory != MemoryKind::Missing;
        let module = &self.modules[&(key.module, has_memory)];
        let mut ctx = Ctx::new(H::fresh(&[])).with_policy(policy);
        ctx.set_tracing(key.trace);
        let mut store = Store::new(&self.engine, ctx);
        let instance = linker
            .instantiate(&mut store, module)
            .expect("the fuzz guest instantiates");
        let funcs = key
            .module
            .functions()
            .iter()
            .map(|f| {
                instance
                    .get_func(&mut store, f.name)
                    .expect("every wrapper is exported")
            })
            .collect();
        let memory = instance.get_memory(&mut store, "memory");
        if let Some(memory) = memory {
            if key.pages > 1 {
                memory
                    .grow(&mut store, u64::from(key.pages - 1))
                    .expect("the guest memory grows");
            }
            if key.memory == MemoryKind::Bound {
                store.data_mut().bind_memory(memory);
            }
        }
        Target {
            store,
            funcs,
            memory,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs

/// One execution's input, all derived from its seed.
struct Input {
    seed: u64,
    lane: LaneKey,
    func: usize,
    /// The core wasm arguments.
    params: Vec<Val>,
    /// What each parameter of the signature got, for reports.
    args: Vec<String>,
    /// The lengths of the memory regions the arguments describe (`Buf`, `Str`, `Iovs` counts).
    lengths: Vec<u64>,
    /// Guest memory before the call (empty without memory).
    image: Vec<u8>,
    stdin: Vec<u8>,
    /// What was laid out in memory (only when generated verbosely).
    notes: Vec<String>,
}

impl Input {
    fn info(&self) -> &'static FuncInfo {
        &self.lane.module.functions()[self.func]
    }

    fn describe(&self) -> String {
        let mut s = format!("{}({})", self.info().name, self.args.join(", "));
        let _ = write!(s, " [{}", self.lane.describe());
        if self.lane.host == HostKind::Minimal {
            let _ = write!(s, ", stdin {} bytes", self.stdin.len());
        }
        s.push(']');
        s
    }
}

/// The functions `MinimalHost` implements: their answers are its own.
fn minimal_overrides() -> &'static [&'static str] {
    <MinimalHost as Coverage<dyn WasiSnapshotPreview1>>::OVERRIDES
}

/// The functions drawn more often on `MinimalHost`'s lanes: those it implemented before it served
/// read-only trees, written out so that a seed stands for the same input however many functions
/// the host gains (the corpus depends on it); the file functions are drawn at the common rate.
const DRAWN_OFTEN: &[&str] = &[
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_res_get",
    "clock_time_get",
    "fd_fdstat_get",
    "fd_pread",
    "fd_prestat_get",
    "fd_pwrite",
    "fd_read",
    "fd_seek",
    "fd_tell",
    "fd_write",
    "poll_oneoff",
    "proc_exit",
    "sched_yield",
    "random_get",
];

struct Gen {
    rng: Rng,
    module: Module,
    image: Vec<u8>,
    size: u32,
    /// Addresses already used, for overlaps.
    spots: Vec<u32>,
    /// Whether this input is mostly valid (so that calls get deep into the host) rather than
    /// mostly hostile.
    sane: bool,
    verbose: bool,
    notes: Vec<String>,
}

impl Gen {
    fn note(&mut self, f: impl FnOnce() -> String) {
        if self.verbose {
            self.notes.push(f());
        }
    }

    fn put(&mut self, at: u64, bytes: &[u8]) {
        for (i, b) in bytes.iter().enumerate() {
            let a = at + i as u64;
            if a < self.image.len() as u64 {
                self.image[a as usize] = *b;
            }
        }
    }

    fn put_u16(&mut self, at: u64, v: u16) {
        self.put(at, &v.to_le_bytes());
    }

    fn put_u32(&mut self, at: u64, v: u32) {
        self.put(at, &v.to_le_bytes());
    }

    fn put_u64(&mut self, at: u64, v: u64) {
        self.put(at, &v.to_le_bytes());
    }

    fn fill_pattern(&mut self) {
        let size = self.size;
        let pattern = self.rng.below(9);
        match pattern {
            0 => self.image.fill(0),
            1 => self.image.fill(0xFF),
            2 => {
                let b = self.rng.next_u64() as u8;
                self.image.fill(b);
            }
            3 => {
                for (i, b) in self.image.iter_mut().enumerate() {
                    *b = i as u8;
                }
            }
            4 | 5 => {
                for chunk in self.image.chunks_mut(8) {
                    let r = self.rng.next_u64().to_le_bytes();
                    chunk.copy_from_slice(&r[..chunk.len()]);
                }
            }
            6 => {
                // Plausible iovecs everywhere: in-bounds pointers, small lengths.
                let ptr = self.rng.below(u64::from(size.saturating_sub(64))) as u32;
                let len = self.rng.pick(&[0u32, 1, 8, 16, 64]);
                let mut rec = [0u8; 8];
                rec[..4].copy_from_slice(&ptr.to_le_bytes());
                rec[4..].copy_from_slice(&len.to_le_bytes());
                for chunk in self.image.chunks_mut(8) {
                    chunk.copy_from_slice(&rec[..chunk.len()]);
                }
            }
            7 => {
                // Pointers to the last bytes of memory.
                let word = size.wrapping_sub(2).to_le_bytes();
                for chunk in self.image.chunks_mut(4) {
                    chunk.copy_from_slice(&word[..chunk.len()]);
                }
            }
            _ => {
                // Zero with sparse random bytes.
                self.image.fill(0);
                let n = self.rng.below(64);
                for _ in 0..n {
                    let at = self.rng.below(u64::from(size));
                    let b = self.rng.next_u64() as u8;
                    self.put(at, &[b]);
                }
            }
        }
        self.note(|| format!("memory pattern {pattern}"));
    }

    /// An address for `len` bytes aligned to `align`: mostly in bounds and aligned, sometimes at
    /// the very end of memory, straddling it, misaligned, on top of something placed before, or
    /// out of bounds.
    fn place(&mut self, len: u64, align: u32) -> u32 {
        let size = u64::from(self.size);
        let align = u64::from(align.max(1));
        let fits = len <= size;
        if fits && self.sane && self.rng.chance(92) {
            let at = self.place_valid(len, align);
            if self.spots.len() < 64 {
                self.spots.push(at);
            }
            return at;
        }
        let roll = self.rng.below(100);
        let at: u64 = match roll {
            0..=54 if fits => {
                let at = self.rng.below(size - len + 1);
                at - at % align
            }
            55..=63 if fits => {
                let at = size - len;
                at - at % align
            }
            64..=75 if !self.spots.is_empty() => {
                let spot = u64::from(self.rng.pick(&self.spots));
                let delta = self.rng.below(17) as i64 - 8;
                let at = (spot as i64 + delta * align as i64).max(0) as u64;
                at.min(u64::from(u32::MAX))
            }
            76..=81 if fits && align > 1 => {
                let at = self.rng.below(size - len + 1);
                at - at % align + 1 + self.rng.below(align - 1)
            }
            82..=87 if len > 0 => {
                let back = len.min(size);
                size - back + 1 + self.rng.below(back.min(16))
            }
            88..=90 => 0,
            91..=95 => size + self.rng.pick(&[0, 1, 8, 4096, 65536]),
            96..=99 => u64::from(u32::MAX) - self.rng.below(64),
            _ => {
                let at = self.rng.below(size.max(1));
                at - at % align
            }
        };
        let at = at.min(u64::from(u32::MAX)) as u32;
        if self.spots.len() < 64 {
            self.spots.push(at);
        }
        at
    }

    /// An aligned address where `len` bytes fit (`len` must fit): anywhere, at the very end, or
    /// near something placed before.
    fn place_valid(&mut self, len: u64, align: u64) -> u32 {
        let size = u64::from(self.size);
        let last = size - len;
        let at = match self.rng.below(10) {
            0..=4 => self.rng.below(last + 1),
            5 => last,
            _ if !self.spots.is_empty() => {
                let spot = u64::from(self.rng.pick(&self.spots));
                let delta = self.rng.below(33) as i64 - 16;
                (spot as i64 + delta * align as i64).clamp(0, last as i64) as u64
            }
            _ => self.rng.below(last + 1),
        };
        (at - at % align) as u32
    }

    fn fd(&mut self) -> u32 {
        match self.rng.below(10) {
            0..=5 => self.rng.below(3) as u32,
            6 => 3,
            7 => self.rng.pick(&[4, 5, 100, 1 << 16]),
            8 => u32::MAX,
            _ => self.rng.next_u32(),
        }
    }

    fn enum_value(&mut self, cases: u32) -> u32 {
        if self.rng.chance(80) {
            self.rng.below(u64::from(cases)) as u32
        } else {
            let random = self.rng.next_u32();
            self.rng
                .pick(&[cases, cases + 1, 255, 256, 0xFFFF, u32::MAX, random])
        }
    }

    fn flags(&mut self, mask: u64, width: u32) -> u64 {
        let all = if width == 64 {
            u64::MAX
        } else {
            (1 << width) - 1
        };
        match self.rng.below(10) {
            0..=5 => self.rng.next_u64() & mask,
            6 => 0,
            7 => mask,
            8 => (mask + 1) | (self.rng.next_u64() & mask),
            _ => self.rng.next_u64() & all,
        }
    }

    fn u64_value(&mut self) -> u64 {
        let random = self.rng.next_u64();
        self.rng.pick(&[
            0,
            1,
            2,
            1000,
            1_000_000_000,
            u64::MAX,
            i64::MAX as u64,
            i64::MIN as u64,
            u64::from(u32::MAX),
            random,
        ])
    }

    fn length(&mut self) -> u32 {
        let size = self.size;
        if self.sane && self.rng.chance(90) {
            return if self.rng.chance(70) {
                self.rng.pick(&[0, 1, 2, 3, 7, 8, 16, 31, 64, 100, 255])
            } else {
                self.rng.below(u64::from(size / 2)) as u32
            };
        }
        match self.rng.below(20) {
            0..=2 => 0,
            3..=4 => 1,
            5..=10 => self.rng.pick(&[2, 3, 7, 8, 16, 31, 64, 100, 255]),
            11..=13 => self.rng.below(4096) as u32,
            14 => size,
            15 => size - 1,
            16 => size + 1,
            17 => u32::MAX,
            18 => 0x8000_0000,
            _ => self.rng.below(u64::from(size)) as u32,
        }
    }

    /// A byte buffer: its address and length.
    fn buf(&mut self) -> (u32, u32) {
        let len = self.length();
        let ptr = self.place(u64::from(len), 1);
        (ptr, len)
    }

    fn string(&mut self) -> (u32, u32) {
        const CONTENTS: &[&[u8]] = &[
            b"file.txt",
            b"a/b/c",
            b"",
            b"\xFF",
            b"ab\xC3",
            b"\xC0\x80",
            b"\xED\xA0\x80",
            "h\u{e9}llo w\u{f6}rld \u{1F980}".as_bytes(),
            b"x\0y",
            b"../../etc/passwd",
            b"\xF4\x90\x80\x80",
        ];
        const VALID: &[&[u8]] = &[b"file.txt", b"a/b/c", b"", "d\u{e9}j\u{e0} vu".as_bytes()];
        let content: Vec<u8> = match self.rng.below(12) {
            _ if self.sane && self.rng.chance(85) => self.rng.pick(VALID).to_vec(),
            0..=9 => self.rng.pick(CONTENTS).to_vec(),
            10 => vec![b'a'; 300],
            _ => (0..self.rng.below(32))
                .map(|_| self.rng.next_u64() as u8)
                .collect(),
        };
        let len = match self.rng.below(20) {
            _ if self.sane && self.rng.chance(90) => content.len() as u32,
            0..=15 => content.len() as u32,
            16 => content.len() as u32 + 1 + self.rng.below(8) as u32,
            17 => (content.len() as u32).saturating_sub(1),
            18 => u32::MAX,
            _ => self.size + 1,
        };
        let ptr = self.place(u64::from(len).min(content.len() as u64), 1);
        self.put(u64::from(ptr), &content);
        self.note(|| format!("string at {ptr:#x}, len {len}: {content:?}"));
        (ptr, len)
    }

    /// A list of iovecs: its address and count, the records written into memory.
    fn iovs(&mut self) -> (u32, u32) {
        let size = self.size;
        if self.sane {
            return self.sane_iovs();
        }
        let n: u32 = match self.rng.below(100) {
            0..=29 => 1,
            30..=49 => 2,
            50..=64 => 3 + self.rng.below(2) as u32,
            65..=74 => 5 + self.rng.below(12) as u32,
            75..=79 => 0,
            80..=84 => self
                .rng
                .pick(&[u32::MAX, 0x2000_0000, 0x1000_0000, size / 8 + 1]),
            85..=89 => size / 8,
            _ => self.rng.below(65) as u32,
        };
        let bytes = u64::from(n) * 8;
        let ptr = self.place(bytes, 4);
        if bytes > u64::from(size) {
            self.note(|| format!("iovs at {ptr:#x}: {n} records, more than memory holds"));
            return (ptr, n);
        }
        let mut described = Vec::new();
        for i in 0..u64::from(n).min(4096) {
            let at = u64::from(ptr) + i * 8;
            let small = self
                .rng
                .pick(&[0u32, 1, 2, 3, 7, 8, 16, 31, 64, 100, 255, 1000]);
            let (buf, len): (u32, u32) = match self.rng.below(100) {
                0..=39 => {
                    let len = if self.rng.chance(70) {
                        small
                    } else {
                        self.rng.below(u64::from(size / 4)) as u32
                    };
                    (self.rng.below(u64::from(size - len + 1)) as u32, len)
                }
                40..=54 => {
                    // Over the list itself.
                    let start = (u64::from(ptr) + self.rng.below(bytes + 8)).saturating_sub(4);
                    (start.min(u64::from(u32::MAX)) as u32, small.max(4))
                }
                55..=61 => (size - small, small),
                62..=67 => (size - small + 1, small.max(1)),
                68..=73 => (
                    self.rng
                        .pick(&[size, size + 1, u32::MAX, u32::MAX - 3, 0x8000_0000]),
                    small.max(1),
                ),
                74..=79 => (
                    self.rng.below(u64::from(size)) as u32,
                    self.rng
                        .pick(&[u32::MAX, 0x8000_0000, 0x7FFF_FFFF, size + 1]),
                ),
                80..=85 => (self.rng.pick(&[u32::MAX, size + 100, size]), 0),
                86..=91 => (0, size),
                _ => {
                    let spot = if self.spots.is_empty() {
                        0
                    } else {
                        self.rng.pick(&self.spots)
                    };
                    (spot, small)
                }
            };
            self.put_u32(at, buf);
            self.put_u32(at + 4, len);
            if self.verbose && described.len() < 16 {
                described.push(format!("({buf:#x}, {len})"));
            }
        }
        self.note(|| format!("iovs at {ptr:#x}, {n} records: {}", described.join(" ")));
        (ptr, n)
    }

    /// A list of iovecs of which (nearly) every record is valid, buffers often on top of the list
    /// itself or of other arguments.
    fn sane_iovs(&mut self) -> (u32, u32) {
        let size = self.size;
        let n = match self.rng.below(10) {
            0 => 0,
            1..=3 => 1,
            4..=6 => 2 + self.rng.below(2) as u32,
            _ => 4 + self.rng.below(13) as u32,
        };
        let bytes = u64::from(n) * 8;
        let ptr = self.place(bytes, 4);
        let mut described = Vec::new();
        for i in 0..u64::from(n) {
            let at = u64::from(ptr) + i * 8;
            let len = if self.rng.chance(80) {
                self.rng
                    .pick(&[0u32, 1, 2, 3, 4, 7, 8, 12, 16, 24, 31, 64, 100])
            } else {
                self.rng.below(u64::from(size / 8)) as u32
            };
            let last = u64::from(size - len);
            let buf = match self.rng.below(10) {
                0..=3 => self.rng.below(last + 1),
                4..=6 => {
                    // Over the list itself, records before or after this one included.
                    let off = self.rng.below(bytes + 16) as i64 - 8;
                    (i64::from(ptr) + off).clamp(0, last as i64) as u64
                }
                7 => last,
                _ if !self.spots.is_empty() => u64::from(self.rng.pick(&self.spots)).min(last),
                _ => self.rng.below(last + 1),
            } as u32;
            let (buf, len) = if self.rng.chance(3) {
                (self.rng.pick(&[size, u32::MAX]), 8)
            } else {
                (buf, len)
            };
            self.put_u32(at, buf);
            self.put_u32(at + 4, len);
            if self.verbose {
                described.push(format!("({buf:#x}, {len})"));
            }
        }
        self.note(|| format!("iovs at {ptr:#x}, {n} records: {}", described.join(" ")));
        (ptr, n)
    }

    /// `poll_oneoff`'s subscriptions, events and count.
    fn poll(&mut self) -> (u32, u32, u32) {
        let sub = self.module.subscription_size();
        let size = self.size;
        let fit = size / sub;
        let mass = self.rng.chance(4);
        let n: u32 = if mass {
            fit
        } else if self.sane {
            1 + self.rng.below(8) as u32
        } else {
            match self.rng.below(100) {
                0..=29 => 1,
                30..=54 => 2,
                55..=69 => 3 + self.rng.below(3) as u32,
                70..=79 => 6 + self.rng.below(27) as u32,
                80..=84 => 0,
                85..=89 => self
                    .rng
                    .pick(&[u32::MAX, 0x1000_0000, fit + 1, u32::MAX / sub + 1]),
                _ => fit,
            }
        };
        let bytes = u64::from(n) * u64::from(sub);
        let ptr = if mass && self.rng.chance(50) {
            0
        } else {
            self.place(bytes, 8)
        };
        let count = if bytes > u64::from(size) {
            self.rng.below(4)
        } else {
            u64::from(n)
        };
        let bad_last = mass && self.rng.chance(70);
        let mut described = Vec::new();
        for i in 0..count {
            let at = u64::from(ptr) + i * u64::from(sub);
            let valid = mass || self.rng.chance(if self.sane { 96 } else { 85 });
            self.subscription(at, valid, mass, &mut described);
        }
        if bad_last && count > 0 {
            let at = u64::from(ptr) + (count - 1) * u64::from(sub);
            self.put(at + 8, &[7]);
        }
        let out = if self.rng.chance(40) {
            // On top of the subscriptions, a few words away.
            let k = self.rng.below(19) as i64 - 6;
            (i64::from(ptr) + k * 8).clamp(0, i64::from(u32::MAX)) as u32
        } else if mass {
            ptr
        } else {
            self.place(u64::from(n) * 32, 8)
        };
        self.note(|| {
            format!(
                "subscriptions at {ptr:#x} ({n}, {sub} bytes each, last invalid: {bad_last}): {}; events at {out:#x}",
                described.join(" ")
            )
        });
        (ptr, out, n)
    }

    fn subscription(&mut self, at: u64, valid: bool, mass: bool, described: &mut Vec<String>) {
        let userdata = self.rng.next_u64();
        self.put_u64(at, userdata);
        let tag: u8 = if mass {
            0
        } else if valid {
            self.rng.pick(&[0, 0, 0, 1, 2])
        } else {
            let random = self.rng.next_u64() as u8;
            self.rng.pick(&[3, 4, 255, random])
        };
        self.put(at + 8, &[tag]);
        // The clock of snapshot_0 starts with a 64-bit identifier.
        let clock = if self.module == Module::Preview0 {
            let identifier = self.rng.next_u64();
            self.put_u64(at + 16, identifier);
            at + 24
        } else {
            at + 16
        };
        match tag {
            0 => {
                let id = if mass || self.rng.chance(90) {
                    self.rng.below(4) as u32
                } else {
                    self.rng.pick(&[4, 5, u32::MAX])
                };
                let random = self.rng.next_u64();
                let timeout = if mass {
                    0
                } else {
                    self.rng
                        .pick(&[0, 1, 1000, 1_000_000_000, u64::MAX, i64::MAX as u64, random])
                };
                let flags: u16 = if mass || self.rng.chance(85) {
                    self.rng.pick(&[0, 1])
                } else {
                    self.rng.pick(&[2, 3, 0xFFFF])
                };
                self.put_u32(clock, id);
                self.put_u64(clock + 8, timeout);
                let precision = self.rng.next_u64();
                self.put_u64(clock + 16, precision);
                self.put_u16(clock + 24, flags);
                if self.verbose && described.len() < 16 {
                    described.push(format!("clock(id={id}, timeout={timeout}, flags={flags})"));
                }
            }
            1 | 2 => {
                let fd = self.fd();
                self.put_u32(at + 16, fd);
                if self.verbose && described.len() < 16 {
                    described.push(format!(
                        "fd{}({fd})",
                        if tag == 1 { "read" } else { "write" }
                    ));
                }
            }
            _ => {
                if self.verbose && described.len() < 16 {
                    described.push(format!("tag {tag}"));
                }
            }
        }
    }
}

/// The input of the execution `seed`.
fn generate(seed: u64, verbose: bool) -> Input {
    let mut rng = Rng::new(seed);
    let module = if rng.chance(55) {
        Module::Preview1
    } else {
        Module::Preview0
    };
    let host = if rng.chance(35) {
        HostKind::Nothing
    } else {
        HostKind::Minimal
    };
    let (memory, pages) = match rng.below(100) {
        0..=44 => (MemoryKind::Bound, 1),
        45..=79 => (MemoryKind::Unbound, 1),
        80..=87 => (MemoryKind::Missing, 1),
        88..=93 => (MemoryKind::Bound, 16),
        _ => (MemoryKind::Unbound, 16),
    };
    let trace = rng.chance(25);
    let lane = LaneKey {
        module,
        host,
        memory,
        pages,
        trace,
    };
    let functions = module.functions();
    let func = if host == HostKind::Minimal && rng.chance(35) {
        let name = rng.pick(DRAWN_OFTEN);
        functions
            .iter()
            .position(|f| f.name == name)
            .unwrap_or_default()
    } else {
        rng.below(functions.len() as u64) as usize
    };
    let stdin = if host == HostKind::Minimal {
        let len = rng.pick(&[0usize, 1, 5, 64, 300, 5000, 70000]);
        let byte = rng.pick(&[0xEEu8, 0xFF, 0x00, 0x41]);
        if rng.chance(50) {
            vec![byte; len]
        } else {
            (0..len).map(|i| (i as u8) ^ byte).collect()
        }
    } else {
        Vec::new()
    };
    let size = pages * 65536;
    let sane = rng.chance(55);
    let mut g = Gen {
        sane,
        module,
        image: vec![0; size as usize],
        size,
        rng,
        spots: Vec::new(),
        verbose,
        notes: Vec::new(),
    };
    g.fill_pattern();

    let info = &functions[func];
    let params_spec = signature(info.name).unwrap_or(&[]);
    let mut params = Vec::new();
    let mut args = Vec::new();
    let mut lengths = Vec::new();
    for &(name, kind) in params_spec {
        match kind {
            Fd => {
                let fd = g.fd();
                params.push(Val::I32(fd as i32));
                args.push(format!("{name}={fd}"));
            }
            Enum(cases) => {
                let v = g.enum_value(cases);
                params.push(Val::I32(v as i32));
                args.push(format!("{name}={v}"));
            }
            Flags(mask) => {
                let v = g.flags(u64::from(mask), 32) as u32;
                params.push(Val::I32(v as i32));
                args.push(format!("{name}={v:#x}"));
            }
            Rights => {
                let v = g.flags(module.rights_mask(), 64);
                params.push(Val::I64(v as i64));
                args.push(format!("{name}={v:#x}"));
            }
            U64 => {
                let v = g.u64_value();
                params.push(Val::I64(v as i64));
                args.push(format!("{name}={v}"));
            }
            U32 => {
                let v = g.rng.pick(&[0, 1, 7, 255, 256, 0xFFFF, 0x1_0000, u32::MAX]);
                params.push(Val::I32(v as i32));
                args.push(format!("{name}={v}"));
            }
            Out(len, align) => {
                let at = g.place(u64::from(len), align);
                params.push(Val::I32(at as i32));
                args.push(format!("{name}={at:#x}"));
            }
            Filestat => {
                let at = g.place(u64::from(module.filestat_size()), 8);
                params.push(Val::I32(at as i32));
                args.push(format!("{name}={at:#x}"));
            }
            Str => {
                let (ptr, len) = g.string();
                params.extend([Val::I32(ptr as i32), Val::I32(len as i32)]);
                args.push(format!("{name}={ptr:#x}+{len}"));
                lengths.push(u64::from(len));
            }
            Buf => {
                let (ptr, len) = g.buf();
                params.extend([Val::I32(ptr as i32), Val::I32(len as i32)]);
                args.push(format!("{name}={ptr:#x}+{len}"));
                lengths.push(u64::from(len));
            }
            Iovs => {
                let (ptr, n) = g.iovs();
                params.extend([Val::I32(ptr as i32), Val::I32(n as i32)]);
                args.push(format!("{name}={ptr:#x}x{n}"));
                lengths.push(u64::from(n));
            }
            Table(which) => {
                let (count, _) = table_sizes(which);
                let count = if g.rng.chance(85) { count } else { count - 1 };
                let at = g.place(u64::from(count) * 4, 4);
                params.push(Val::I32(at as i32));
                args.push(format!("{name}={at:#x}"));
            }
            TableBuf(which) => {
                let (_, bytes) = table_sizes(which);
                let bytes = if g.rng.chance(85) { bytes } else { bytes - 1 };
                let at = g.place(u64::from(bytes), 1);
                params.push(Val::I32(at as i32));
                args.push(format!("{name}={at:#x}"));
            }
            Poll => {
                let (subs, out, n) = g.poll();
                params.extend([
                    Val::I32(subs as i32),
                    Val::I32(out as i32),
                    Val::I32(n as i32),
                ]);
                args.push(format!("in={subs:#x}, out={out:#x}, nsubscriptions={n}"));
                lengths.push(u64::from(n));
            }
        }
    }
    let image = if memory == MemoryKind::Missing {
        Vec::new()
    } else {
        g.image
    };
    Input {
        seed,
        lane,
        func,
        params,
        args,
        lengths,
        image,
        stdin,
        notes: g.notes,
    }
}

// ---------------------------------------------------------------------------------------------
// Running a call

thread_local! {
    static FUZZING: Cell<bool> = const { Cell::new(false) };
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Keeps the message of a panic on the fuzzing thread (instead of printing it) for the report.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if FUZZING.with(Cell::get) {
                let payload = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "<non-string payload>".to_owned());
                let at = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                PANIC.with(|p| *p.borrow_mut() = Some(format!("{payload}{at}")));
            } else {
                previous(info);
            }
        }));
    });
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Res {
    /// The function returned this errno.
    Ret(i32),
    /// The function returned without a result (only `proc_exit` has none, and it must not).
    Returned,
    /// The call ended with `Exit`.
    Exit(u32),
    /// The call trapped with this message.
    Trap(String),
    /// The host panicked.
    Panic(String),
}

impl Res {
    fn failed(&self) -> bool {
        !matches!(self, Res::Ret(0) | Res::Returned)
    }

    fn show(&self) -> String {
        match self {
            Res::Ret(c) => format!("returned {c} ({})", errno_name(*c)),
            Res::Returned => "returned".to_owned(),
            Res::Exit(code) => format!("exit({code})"),
            Res::Trap(msg) => format!("trap: {}", first_line(msg)),
            Res::Panic(msg) => format!("panic: {msg}"),
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

fn errno_name(code: i32) -> &'static str {
    match code {
        0 => "success",
        8 => "badf",
        21 => "fault",
        25 => "ilseq",
        28 => "inval",
        29 => "io",
        48 => "nomem",
        52 => "nosys",
        58 => "notsup",
        61 => "overflow",
        70 => "spipe",
        _ => "other",
    }
}

struct Outcome {
    res: Res,
    /// The first and last bytes of memory that differ from the image.
    changed: Option<(usize, usize)>,
    /// Memory after a call that succeeded.
    after: Option<Vec<u8>>,
    peak: usize,
    elapsed: Duration,
}

fn call<H: FuzzHost>(target: &mut Target<H>, input: &Input) -> Outcome {
    *target.store.data_mut().host_mut() = H::fresh(&input.stdin);
    if let Some(memory) = target.memory {
        memory
            .data_mut(&mut target.store)
            .copy_from_slice(&input.image);
    }
    let func = target.funcs[input.func];
    let has_result = !input.info().results.is_empty();
    let mut results = [Val::I32(0)];
    let results = if has_result {
        &mut results[..]
    } else {
        &mut results[..0]
    };
    PANIC.with(|p| p.borrow_mut().take());
    FUZZING.with(|f| f.set(true));
    let start = counting::start();
    let started = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        func.call(&mut target.store, &input.params, results)
    }));
    let elapsed = started.elapsed();
    let peak = counting::peak_since(start);
    FUZZING.with(|f| f.set(false));
    let res = match outcome {
        Ok(Ok(())) if has_result => Res::Ret(results[0].unwrap_i32()),
        Ok(Ok(())) => Res::Returned,
        Ok(Err(error)) => match error.downcast_ref::<Exit>() {
            Some(exit) => Res::Exit(exit.code),
            None => Res::Trap(error.root_cause().to_string()),
        },
        Err(payload) => Res::Panic(
            PANIC
                .with(|p| p.borrow_mut().take())
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "<unknown>".to_owned()),
        ),
    };
    let (changed, after) = match target.memory {
        Some(memory) => {
            let now = memory.data(&target.store);
            let changed = diff(&input.image, now);
            let after = (!res.failed() && changed.is_some()).then(|| now.to_vec());
            (changed, after)
        }
        None => (None, None),
    };
    Outcome {
        res,
        changed,
        after,
        peak,
        elapsed,
    }
}

fn diff(before: &[u8], after: &[u8]) -> Option<(usize, usize)> {
    if before == after {
        return None;
    }
    if before.len() != after.len() {
        return Some((before.len().min(after.len()), before.len().max(after.len())));
    }
    let first = before.iter().zip(after).position(|(a, b)| a != b)?;
    let last = before.iter().zip(after).rposition(|(a, b)| a != b)?;
    Some((first, last))
}

fn run_lane<H: FuzzHost>(lane: &mut Lane<H>, input: &Input) -> (Outcome, Outcome) {
    let errno = call(&mut lane.errno, input);
    let trap = call(&mut lane.trap, input);
    (errno, trap)
}

// ---------------------------------------------------------------------------------------------
// The oracle

const FAULT: i32 = 21;
const ILSEQ: i32 = 25;
const INVAL: i32 = 28;
const NOSYS: i32 = 52;
const OVERFLOW: i32 = 61;
/// What bad input or a function the host does not implement get under the errno policy.
const STUB_ERRNOS: [i32; 5] = [NOSYS, FAULT, INVAL, ILSEQ, OVERFLOW];
/// The largest preview1 errno (`notcapable`).
const MAX_ERRNO: i32 = 76;

/// Bounds of an execution's checks.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    slow_call: Duration,
    count_alloc: bool,
}

/// What one execution did wrong: each finding names the rule it broke.
fn judge(
    input: &Input,
    errno: &Outcome,
    trap: &Outcome,
    bounds: Bounds,
) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    let info = input.info();
    let name = info.name;
    let params = signature(name).unwrap_or(&[]);
    let has_out = params.iter().any(|(_, k)| k.is_out());
    let touches_memory = params.iter().any(|(_, k)| k.touches_memory());
    let implemented = input.lane.host == HostKind::Minimal && minimal_overrides().contains(&name);
    let mem_size = input.lane.memory_size();
    let no_memory = input.lane.memory == MemoryKind::Missing;
    // The input is bad (as the errno policy says), rather than refused by the host.
    let bad_input =
        matches!(errno.res, Res::Ret(c) if [FAULT, INVAL, ILSEQ, OVERFLOW].contains(&c));

    for (policy, o) in [("errno policy", errno), ("trap policy", trap)] {
        let mut fail = |rule: &'static str, what: String| {
            found.push((rule, format!("{policy}: {what}")));
        };
        if let Res::Panic(msg) = &o.res {
            fail("panic", format!("host panicked: {msg}"));
        }
        if o.res.failed()
            && let Some((first, last)) = o.changed
        {
            fail(
                "wrote-on-failure",
                format!(
                    "{}, yet guest memory changed at {first:#x}..={last:#x}",
                    o.res.show()
                ),
            );
        }
        if bounds.count_alloc {
            let bound = (1 << 20) + 2 * mem_size;
            let failure_bound = (64 << 10) + mem_size;
            if o.peak > bound {
                fail(
                    "alloc",
                    format!(
                        "{}, host allocated {} bytes at peak (bound {bound})",
                        o.res.show(),
                        o.peak
                    ),
                );
            } else if bad_input && o.peak > failure_bound {
                fail(
                    "alloc-on-failure",
                    format!(
                        "{}, host allocated {} bytes at peak for a call that failed on bad input (bound {failure_bound})",
                        o.res.show(),
                        o.peak
                    ),
                );
            }
        }
        if let Some(after) = &o.after
            && let Some((at, len)) = wrote_outside(input, after)
        {
            fail(
                "wrote-outside",
                format!(
                    "{}, and wrote {len} byte(s) at {at:#x}, outside every result and buffer the call may write",
                    o.res.show()
                ),
            );
        }
        if o.elapsed > bounds.slow_call {
            fail("slow", format!("{} after {:.1?}", o.res.show(), o.elapsed));
        }
        if name == "proc_exit" {
            let code = match input.params.first() {
                Some(Val::I32(c)) => *c as u32,
                _ => 0,
            };
            if o.res != Res::Exit(code) {
                fail("proc_exit", format!("{}, not exit({code})", o.res.show()));
            }
            continue;
        }
        match &o.res {
            Res::Exit(code) => fail(
                "proc_exit",
                format!("ended with exit({code}) though it is not proc_exit"),
            ),
            Res::Returned => fail("errno", "returned no errno".to_owned()),
            Res::Ret(c) if !(0..=MAX_ERRNO).contains(c) => {
                fail("errno", format!("returned {c}, which is no errno"))
            }
            _ => {}
        }
    }

    // The errno policy: only errnos, and which ones.
    match &errno.res {
        Res::Trap(msg) => found.push((
            "errno-policy-trapped",
            format!("errno policy: trapped: {}", first_line(msg)),
        )),
        Res::Ret(c) if name != "proc_exit" => {
            let c = *c;
            if !implemented && !STUB_ERRNOS.contains(&c) {
                found.push((
                    "errno",
                    format!(
                        "errno policy: returned {c} ({}) from a function this host does not implement; only nosys, fault, inval, ilseq or overflow may come back",
                        errno_name(c)
                    ),
                ));
            }
            if no_memory {
                let all_empty = input.lengths.iter().all(|&l| l == 0)
                    && !params.iter().any(|(_, k)| {
                        matches!(k, Out(..) | Filestat | Table(_) | TableBuf(_) | Poll)
                    });
                let allowed: &[i32] = if has_out {
                    &[FAULT, INVAL]
                } else {
                    &[FAULT, INVAL, NOSYS]
                };
                // Buffers that are all empty touch no memory: the call answers as it would
                // with memory (success, or the descriptor's error).
                if touches_memory && !allowed.contains(&c) && !all_empty {
                    found.push((
                        "no-memory",
                        format!(
                            "errno policy: returned {c} ({}) to a guest without memory; expected fault",
                            errno_name(c)
                        ),
                    ));
                }
            }
        }
        _ => {}
    }

    // The trap policy: bad input and unimplemented functions trap.
    if name != "proc_exit" {
        match &trap.res {
            Res::Ret(c) => {
                let c = *c;
                if !implemented {
                    found.push((
                        "trap-policy",
                        format!(
                            "trap policy: returned {c} ({}) from a function this host does not implement",
                            errno_name(c)
                        ),
                    ));
                } else if [FAULT, ILSEQ, OVERFLOW, NOSYS].contains(&c) {
                    found.push((
                        "trap-policy",
                        format!(
                            "trap policy: returned {c} ({}), which only bad input gives",
                            errno_name(c)
                        ),
                    ));
                } else if no_memory && has_out {
                    found.push((
                        "no-memory",
                        format!("trap policy: returned {c} to a guest without memory"),
                    ));
                }
            }
            Res::Trap(msg) if !msg.contains(name) => found.push((
                "trap-unnamed",
                format!(
                    "trap policy: the trap does not name `{name}`: {}",
                    first_line(msg)
                ),
            )),
            _ => {}
        }
    }

    // The two policies agree.
    match (&trap.res, &errno.res) {
        (Res::Ret(t), Res::Ret(e)) if t != e => found.push((
            "policy-mismatch",
            format!("trap policy returned {t}, errno policy {e}"),
        )),
        (Res::Ret(0), Res::Ret(0)) if errno.after != trap.after => found.push((
            "policy-mismatch",
            format!(
                "both succeeded but left different memory (changed {:x?} vs {:x?})",
                errno.changed, trap.changed
            ),
        )),
        (Res::Ret(t), other) if !matches!(other, Res::Panic(_) | Res::Ret(_)) => found.push((
            "policy-mismatch",
            format!("trap policy returned {t}, errno policy {}", other.show()),
        )),
        (Res::Trap(_), Res::Ret(e)) if !STUB_ERRNOS.contains(e) => found.push((
            "policy-mismatch",
            format!(
                "trap policy trapped, errno policy returned {e} ({}), which is no errno of bad input",
                errno_name(*e)
            ),
        )),
        (Res::Exit(t), other) if *other != Res::Exit(*t) && name != "proc_exit" => {
            found.push((
                "policy-mismatch",
                format!("trap policy exit({t}), errno policy {}", other.show()),
            ))
        }
        _ => {}
    }
    found
}

/// Where a call that succeeded may write: its result pointers, and the buffers it fills (the
/// iovecs of the reads as they were before the call, `random_get`'s buffer, ...), from the input.
fn writable(input: &Input) -> Vec<(u64, u64)> {
    let name = input.info().name;
    let params = signature(name).unwrap_or(&[]);
    let fills_iovs = matches!(name, "fd_read" | "fd_pread" | "sock_recv");
    let fills_buf = matches!(
        name,
        "random_get" | "fd_readdir" | "path_readlink" | "fd_prestat_dir_name"
    );
    let raw = |i: usize| match input.params.get(i) {
        Some(Val::I32(v)) => u64::from(*v as u32),
        _ => 0,
    };
    let word = |at: u64| -> u64 {
        let at = at as usize;
        input.image.get(at..at + 4).map_or(0, |b| {
            u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        })
    };
    let mut regions = Vec::new();
    let mut i = 0;
    for &(_, kind) in params {
        match kind {
            Out(size, _) => regions.push((raw(i), u64::from(size))),
            Filestat => regions.push((raw(i), u64::from(input.lane.module.filestat_size()))),
            Table(which) => regions.push((raw(i), u64::from(table_sizes(which).0) * 4)),
            TableBuf(which) => regions.push((raw(i), u64::from(table_sizes(which).1))),
            Buf if fills_buf => regions.push((raw(i), raw(i + 1))),
            Iovs if fills_iovs => {
                let (ptr, n) = (raw(i), raw(i + 1));
                for r in 0..n.min(input.image.len() as u64 / 8) {
                    let at = ptr + r * 8;
                    regions.push((word(at), word(at + 4)));
                }
            }
            Poll => regions.push((raw(i + 1), raw(i + 2) * 32)),
            _ => {}
        }
        i += kind.wasm().len();
    }
    regions
}

/// The first run of bytes `after` changed from the image outside [`writable`], if any.
fn wrote_outside(input: &Input, after: &[u8]) -> Option<(usize, usize)> {
    let regions = writable(input);
    let allowed = |at: usize| {
        let at = at as u64;
        regions
            .iter()
            .any(|&(start, len)| at >= start && at - start < len)
    };
    let mut found: Option<(usize, usize)> = None;
    for (at, (a, b)) in input.image.iter().zip(after).enumerate() {
        if a != b && !allowed(at) {
            match &mut found {
                None => found = Some((at, 1)),
                Some((start, len)) if *start + *len == at => *len += 1,
                Some(_) => break,
            }
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Runs and reports

/// A function handed the report so far, now and then.
pub type Progress = Box<dyn FnMut(&Report)>;

/// What a run does.
pub struct Config {
    /// Execution `i` runs the input of [`execution_seed`]`(seed, i)`.
    pub seed: u64,
    /// Stop after this many executions.
    pub executions: Option<u64>,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// A call taking longer than this is a failure.
    pub slow_call: Duration,
    /// Called with the report so far every `progress_every`.
    pub progress: Option<Progress>,
    /// How often `progress` is called.
    pub progress_every: Duration,
    /// Keep this many example executions per distinct failure.
    pub examples_per_failure: usize,
    /// Set to stop the run after the execution in progress.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Whether inputs may run on traced lanes (`Ctx::set_tracing(true)`); without, inputs drawn
    /// for one are drawn again.
    pub traced_lanes: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 0,
            executions: Some(1000),
            duration: None,
            slow_call: Duration::from_millis(500),
            progress: None,
            progress_every: Duration::from_secs(5),
            examples_per_failure: 3,
            cancel: None,
            traced_lanes: true,
        }
    }
}

/// How often a function was called, and how its calls under the errno policy ended.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallStats {
    /// Executions of the function (each runs it once per policy).
    pub executions: u64,
    /// Calls that returned 0 under the errno policy.
    pub succeeded: u64,
    /// Calls that returned an errno under the errno policy.
    pub errno: u64,
    /// Calls that trapped under the errno policy (`proc_exit`'s exit included).
    pub trapped: u64,
}

/// A kind of failure (function and broken rule) and the executions that showed it.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The module of the function.
    pub module: Module,
    /// The function.
    pub function: &'static str,
    /// The rule it broke (`wrote-on-failure`, `panic`, `alloc`, ...).
    pub rule: &'static str,
    /// How many executions broke it.
    pub count: u64,
    /// The first executions that broke it: seed and what happened.
    pub examples: Vec<(u64, String)>,
}

impl Failure {
    /// The seed that reproduces it first.
    pub fn seed(&self) -> u64 {
        self.examples[0].0
    }
}

/// What a run found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The run's seed.
    pub seed: u64,
    /// Executions run (each is two calls).
    pub executions: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// Per function, by module and name.
    pub calls: BTreeMap<(Module, &'static str), CallStats>,
    /// Distinct failures, in the order found.
    pub failures: Vec<Failure>,
    /// Whether allocation was counted (`Counting` installed).
    pub counted_allocations: bool,
    /// The largest host allocation of any call, in bytes.
    pub max_allocation: usize,
    /// Inputs drawn again because they had the shape of a call already reported slow (the same
    /// function on the same kind of lane, traced or not, with a list or buffer longer than
    /// memory): a slow call reported once is not paid for again and again.
    pub redrawn_slow: u64,
}

impl Report {
    fn new(seed: u64) -> Self {
        Report {
            seed,
            executions: 0,
            elapsed: Duration::ZERO,
            calls: BTreeMap::new(),
            failures: Vec::new(),
            counted_allocations: counting::installed(),
            max_allocation: 0,
            redrawn_slow: 0,
        }
    }

    /// The functions of `module` called at least once.
    pub fn covered(&self, module: Module) -> usize {
        module
            .functions()
            .iter()
            .filter(|f| {
                self.calls
                    .get(&(module, f.name))
                    .is_some_and(|c| c.executions > 0)
            })
            .count()
    }

    /// The functions of `module` never called.
    pub fn missing(&self, module: Module) -> Vec<&'static str> {
        module
            .functions()
            .iter()
            .filter(|f| {
                self.calls
                    .get(&(module, f.name))
                    .is_none_or(|c| c.executions == 0)
            })
            .map(|f| f.name)
            .collect()
    }

    /// Executions that broke a rule.
    pub fn failed_executions(&self) -> u64 {
        self.failures.iter().map(|f| f.count).sum()
    }

    /// Executions per second.
    pub fn rate(&self) -> f64 {
        self.executions as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// One line: executions, rate, coverage, failures.
    pub fn progress_line(&self) -> String {
        format!(
            "[{:>6.1}s] {} executions ({:.0}/s), functions covered {}/{} preview1 + {}/{} preview0, {} failing executions ({} distinct failures)",
            self.elapsed.as_secs_f64(),
            self.executions,
            self.rate(),
            self.covered(Module::Preview1),
            Module::Preview1.functions().len(),
            self.covered(Module::Preview0),
            Module::Preview0.functions().len(),
            self.failed_executions(),
            self.failures.len()
        )
    }

    /// The failures, one paragraph each, with the seeds that reproduce them.
    pub fn failures_text(&self) -> String {
        let mut s = String::new();
        for f in &self.failures {
            let _ = writeln!(
                s,
                "{} {} [{}]: {} execution(s)",
                f.module.label(),
                f.function,
                f.rule,
                f.count
            );
            for (seed, what) in &f.examples {
                let _ = writeln!(s, "  seed {seed:#018x}: {what}");
            }
        }
        s
    }

    fn record(
        &mut self,
        input: &Input,
        errno: &Outcome,
        trap: &Outcome,
        found: Vec<(&'static str, String)>,
        examples: usize,
    ) {
        self.executions += 1;
        let info = input.info();
        let stats = self
            .calls
            .entry((input.lane.module, info.name))
            .or_default();
        stats.executions += 1;
        match errno.res {
            Res::Ret(0) | Res::Returned => stats.succeeded += 1,
            Res::Ret(_) => stats.errno += 1,
            _ => stats.trapped += 1,
        }
        self.max_allocation = self.max_allocation.max(errno.peak).max(trap.peak);
        let mut rules_seen: Vec<&'static str> = Vec::new();
        for (rule, what) in found {
            let first = !rules_seen.contains(&rule);
            rules_seen.push(rule);
            let entry = match self.failures.iter_mut().find(|f| {
                f.module == input.lane.module && f.function == info.name && f.rule == rule
            }) {
                Some(entry) => entry,
                None => {
                    self.failures.push(Failure {
                        module: input.lane.module,
                        function: info.name,
                        rule,
                        count: 0,
                        examples: Vec::new(),
                    });
                    self.failures.last_mut().expect("just pushed")
                }
            };
            if first {
                entry.count += 1;
            }
            let known = entry.examples.iter().any(|(s, _)| *s == input.seed);
            if entry.examples.len() < examples || known {
                let text = format!("{what}; input {}", input.describe());
                match entry.examples.iter_mut().find(|(s, _)| *s == input.seed) {
                    Some((_, existing)) => {
                        existing.push_str(" | ");
                        existing.push_str(&what);
                    }
                    None => entry.examples.push((input.seed, text)),
                }
            }
        }
    }
}

/// An execution in progress, as [`running`] gives it.
#[derive(Debug, Clone, Copy)]
pub struct Running {
    /// Its seed.
    pub seed: u64,
    /// The function it calls.
    pub function: &'static str,
    /// When it began.
    pub since: Instant,
}

/// The execution in progress in this process, for a watchdog to name a call that does not come
/// back. (A watchdog should ignore one that began before its own run: a run it gave up on may
/// still be stuck in a call.)
static RUNNING: std::sync::Mutex<Option<Running>> = std::sync::Mutex::new(None);

/// The execution in progress, if any.
pub fn running() -> Option<Running> {
    *RUNNING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn set_running(input: Option<&Input>) {
    *RUNNING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = input.map(|input| Running {
        seed: input.seed,
        function: input.info().name,
        since: Instant::now(),
    });
}

/// The compiled guests and the lanes made so far; reused across executions and runs.
pub struct Fuzzer {
    guests: Guests,
    lanes: HashMap<LaneKey, AnyLane>,
    /// Functions and lanes (module, function, traced) where a call with a list or buffer longer
    /// than memory was reported slow.
    slow_shapes: HashSet<(Module, &'static str, bool)>,
}

impl Default for Fuzzer {
    fn default() -> Self {
        Fuzzer::new()
    }
}

impl Fuzzer {
    /// Compiles the guests.
    pub fn new() -> Self {
        install_panic_hook();
        Fuzzer {
            guests: Guests::new(),
            lanes: HashMap::new(),
            slow_shapes: HashSet::new(),
        }
    }

    fn execute(&mut self, input: &Input) -> (Outcome, Outcome) {
        let guests = &self.guests;
        let lane = self
            .lanes
            .entry(input.lane)
            .or_insert_with(|| guests.lane(input.lane));
        set_running(Some(input));
        let outcomes = match lane {
            AnyLane::Nothing(lane) => run_lane(lane, input),
            AnyLane::Minimal(lane) => run_lane(lane, input),
        };
        set_running(None);
        // A store that a panic unwound through is not trusted again.
        if matches!(outcomes.0.res, Res::Panic(_)) || matches!(outcomes.1.res, Res::Panic(_)) {
            self.lanes.remove(&input.lane);
        }
        outcomes
    }

    /// Runs executions as `config` says.
    pub fn run(&mut self, mut config: Config) -> Report {
        let mut report = Report::new(config.seed);
        let bounds = Bounds {
            slow_call: config.slow_call,
            count_alloc: report.counted_allocations,
        };
        let started = Instant::now();
        let mut last_progress = started;
        let mut i = 0u64;
        loop {
            if config.executions.is_some_and(|n| i >= n)
                || config.duration.is_some_and(|d| started.elapsed() >= d)
                || config
                    .cancel
                    .as_ref()
                    .is_some_and(|c| c.load(Ordering::Relaxed))
            {
                break;
            }
            let mut seed = execution_seed(config.seed, i);
            let mut input = generate(seed, false);
            for _ in 0..16 {
                let slow = self.known_slow(&input);
                if !slow && (config.traced_lanes || !input.lane.trace) {
                    break;
                }
                report.redrawn_slow += u64::from(slow);
                seed = mix(seed ^ 0x510E_527F_ADE6_82D1);
                input = generate(seed, false);
            }
            self.one(&input, bounds, &mut report, config.examples_per_failure);
            i += 1;
            if let Some(progress) = &mut config.progress
                && last_progress.elapsed() >= config.progress_every
            {
                last_progress = Instant::now();
                report.elapsed = started.elapsed();
                progress(&report);
            }
        }
        report.elapsed = started.elapsed();
        report
    }

    /// Runs the one execution `seed` (as found in a report) and reports on it alone.
    pub fn replay(&mut self, seed: u64, slow_call: Duration) -> Report {
        let mut report = Report::new(seed);
        let bounds = Bounds {
            slow_call,
            count_alloc: report.counted_allocations,
        };
        let started = Instant::now();
        self.one(&generate(seed, false), bounds, &mut report, usize::MAX);
        report.elapsed = started.elapsed();
        report
    }

    fn one(&mut self, input: &Input, bounds: Bounds, report: &mut Report, examples: usize) {
        let (errno, trap) = self.execute(input);
        let found = judge(input, &errno, &trap, bounds);
        if found.iter().any(|(rule, _)| *rule == "slow") && oversized(input) {
            self.slow_shapes
                .insert((input.lane.module, input.info().name, input.lane.trace));
        }
        report.record(input, &errno, &trap, found, examples);
    }

    /// Whether `input` has the shape of a call already found slow.
    fn known_slow(&self, input: &Input) -> bool {
        oversized(input)
            && self
                .slow_shapes
                .contains(&(input.lane.module, input.info().name, input.lane.trace))
    }
}

/// Whether a list or buffer of `input` is longer than guest memory could hold.
fn oversized(input: &Input) -> bool {
    let limit = input.lane.memory_size().max(65536) as u64 / 8;
    input.lengths.iter().any(|&l| l > limit)
}

/// Runs as `config` says, on a new [`Fuzzer`].
pub fn run(config: Config) -> Report {
    Fuzzer::new().run(config)
}

/// Runs the one execution `seed` on a new [`Fuzzer`].
pub fn replay(seed: u64) -> Report {
    Fuzzer::new().replay(seed, Config::default().slow_call)
}

/// The module and function the execution `seed` calls.
pub fn function_of(seed: u64) -> (Module, &'static str) {
    let input = generate(seed, false);
    (input.lane.module, input.info().name)
}

/// Everything about the execution `seed`: its input with what was laid out in memory, and how
/// each policy's call ended.
pub fn explain(fuzzer: &mut Fuzzer, seed: u64) -> String {
    let input = generate(seed, true);
    let (errno, trap) = fuzzer.execute(&input);
    let mut s = format!("seed {seed:#018x}: {}\n", input.describe());
    for note in &input.notes {
        let _ = writeln!(s, "  {note}");
    }
    for (policy, o) in [("errno policy", &errno), ("trap policy", &trap)] {
        let _ = writeln!(
            s,
            "  {policy}: {}; memory changed: {:x?}; host allocated {} bytes at peak; {:.1?}",
            o.res.show(),
            o.changed,
            o.peak,
            o.elapsed
        );
    }
    s
}

/// One line of a corpus file: `SEED MODULE FUNCTION # what it once found`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusEntry {
    /// The execution seed.
    pub seed: u64,
    /// The module it calls.
    pub module: String,
    /// The function it calls.
    pub function: String,
    /// The comment.
    pub comment: String,
}

/// Parses a number as decimal or `0x` hexadecimal.
pub fn parse_seed(s: &str) -> Option<u64> {
    let s = s.trim().replace('_', "");
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// The entries of a corpus file; blank lines and lines starting with `#` are skipped.
pub fn parse_corpus(text: &str) -> Result<Vec<CorpusEntry>, String> {
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (fields, comment) = line.split_once('#').unwrap_or((line, ""));
        let fields: Vec<&str> = fields.split_whitespace().collect();
        let [seed, module, function] = fields[..] else {
            return Err(format!(
                "line {}: expected `SEED MODULE FUNCTION # comment`",
                n + 1
            ));
        };
        let seed = parse_seed(seed).ok_or_else(|| format!("line {}: bad seed {seed}", n + 1))?;
        entries.push(CorpusEntry {
            seed,
            module: module.to_owned(),
            function: function.to_owned(),
            comment: comment.trim().to_owned(),
        });
    }
    Ok(entries)
}
