//! `wasi-stubs run`: a guest on `wasi_stubs::host::MinimalHost`, through `wasi_stubs::lifecycle`.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use wasi_stubs::host::{
    ClockSource, MinimalComponentHost, MinimalHost, MinimalHostBuilder, Output, RandomSource, Tree,
};
use wasi_stubs::lifecycle::component::{self, ComponentGuest};
use wasi_stubs::lifecycle::{self, Guest, Kind, Limits, RunError};
use wasi_stubs::wasmtime::{self, Func, Linker, Store, Val, ValType};
use wasi_stubs::{Ctx, Exit, Policy};

use crate::{Failure, Result, input};

/// Exit status of a run stopped by `--timeout`, as with `timeout(1)`.
pub const EXIT_TIMEOUT: u8 = 124;
/// Exit status of a run stopped by `--fuel`.
pub const EXIT_OUT_OF_FUEL: u8 = 125;
/// Exit status of a guest that trapped: 128 + SIGABRT, as a process that aborts (and as
/// `wasmtime run`).
pub const EXIT_TRAP: u8 = 134;

use crate::policy::{BadInputArg, PolicyArg};

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Exit status: the guest's exit code (0 when `_start` returns, the code of `proc_exit` otherwise; \
codes above 255 become 255); 2 when the guest cannot run (bad file, usage, imports this host does \
not define or links with another type, a `_start`/`_initialize` of the wrong type, a shared \
memory, a reactor that exits from `_initialize` before --invoke, an option that does not apply \
to a component); 124 on --timeout; 125 on \
--fuel; 134 when the guest traps.")]
pub struct Args {
    /// The guest: a core wasm module (binary or text), a command (exports `_start`), a reactor
    /// (exports `_initialize`) or a library (neither); or a component (a command exports
    /// `wasi:cli/run`), run on the minimal host for `wasi:cli/command`
    #[arg(value_name = "GUEST.wasm")]
    guest: PathBuf,

    /// Sets an environment variable of the guest; `KEY` alone passes this process's value
    /// (repeatable)
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse_env)]
    env: Vec<(String, String)>,

    /// An argument for the guest, after its name (repeatable; the arguments after `--` follow)
    #[arg(long = "arg", value_name = "ARG", allow_hyphen_values = true)]
    args: Vec<String>,

    /// Serves the host directory HOST_DIR to the guest, read-only, as GUEST_DIR (default: HOST_DIR
    /// as written); repeatable. Paths cannot leave it: `..` above it, absolute paths and links
    /// that lead out are EPERM; any write is EROFS
    #[arg(long = "dir", value_name = "HOST_DIR[::GUEST_DIR]")]
    dirs: Vec<String>,

    /// Serves the files of the tar archive FILE (read into memory once) to the guest, read-only,
    /// as GUEST_DIR; repeatable
    #[arg(long = "dir-tar", value_name = "FILE::GUEST_DIR")]
    dir_tars: Vec<String>,

    /// Random bytes from ChaCha20 seeded with N, the same every run (default: the OS's)
    #[arg(long, value_name = "N")]
    seed: Option<u64>,

    /// The clock: `system`; `fixed:NANOS` (realtime stands at NANOS since the Unix epoch);
    /// `virtual[:NANOS]` (time moves only when the guest sleeps, realtime from NANOS, default 0).
    /// With `fixed` and `virtual` sleeping does not wait
    #[arg(long, value_name = "CLOCK", default_value = "system", value_parser = parse_clock)]
    clock: ClockSource,

    /// What a function the minimal host does not implement answers
    #[arg(long, value_enum, default_value_t = PolicyArg::Nosys)]
    policy: PolicyArg,

    /// What a bad pointer, length, value or string from the guest gets: the errno of the error
    /// rules (EFAULT, EINVAL, EILSEQ, EOVERFLOW), or a trap naming the function and argument
    #[arg(long, value_enum, default_value_t = BadInputArg::Errno)]
    bad_input: BadInputArg,

    /// Prints every WASI call (a WIT call for a component), with decoded arguments and result,
    /// to stderr
    #[arg(long)]
    trace: bool,

    /// Calls an export of a reactor or library with these arguments (i32, i64, f32 or f64, as
    /// the export's type says; `inf`, `-inf` and `nan` too) and prints its results, one per
    /// line. For a component, EXPORT is `f` or `INTERFACE#f` (`example:calc/ops#add`), and the
    /// arguments and results are in WAVE notation (`[1, 2]`, `{a: 1}`, `some(3)`; a string or
    /// char may be bare). It takes the rest of the command
    /// line: put it after the other options
    #[arg(
        long,
        value_names = ["EXPORT", "ARGS"],
        num_args = 1..,
        allow_hyphen_values = true
    )]
    invoke: Option<Vec<String>>,

    /// Stops the guest after SECS seconds of wall time (fractions allowed), a sleep included;
    /// compiling the guest before it runs is not counted
    #[arg(long, value_name = "SECS", value_parser = parse_secs)]
    timeout: Option<Duration>,

    /// Stops the guest after N units of fuel (about one per wasm instruction)
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,

    /// The most linear memory the guest may have, all memories together (a number of bytes, or
    /// with a suffix: 64Ki, 512Mi, 4Gi); growing past it fails as when out of memory
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes, default_value = "1Gi")]
    max_memory: u64,

    /// The most table elements the guest may have, all tables together
    #[arg(long, value_name = "N", default_value_t = lifecycle::DEFAULT_MAX_TABLE_ELEMENTS)]
    max_table_elements: u64,

    /// Compiles the guest without wasmtime's compilation cache (by default a guest compiled
    /// once is loaded from the cache afterwards, as with `wasmtime run`)
    #[arg(long)]
    no_cache: bool,

    /// Defines imports this host does not know as functions that trap when called, instead of
    /// refusing the guest
    #[arg(long)]
    trap_unknown_imports: bool,

    /// The guest's arguments, after its name
    #[arg(last = true, value_name = "GUEST_ARGS")]
    guest_args: Vec<String>,
}

fn parse_env(s: &str) -> Result<(String, String), String> {
    let (key, value) = match s.split_once('=') {
        Some((key, value)) => (key, value.to_string()),
        None => match std::env::var(s) {
            Ok(value) => (s, value),
            Err(_) => {
                return Err(format!(
                    "`{s}` is not KEY=VALUE, and this process has no variable `{s}` to pass"
                ));
            }
        },
    };
    if key.is_empty() {
        return Err("the variable's name is empty".to_string());
    }
    Ok((key.to_string(), value))
}

fn parse_clock(s: &str) -> Result<ClockSource, String> {
    let (kind, at) = match s.split_once(':') {
        Some((kind, at)) => (kind, Some(at)),
        None => (s, None),
    };
    let nanos = || match at {
        None => Ok(0),
        Some(at) => at.replace('_', "").parse::<u64>().map_err(|e| {
            format!("`{at}` is not a number of nanoseconds since the Unix epoch: {e}")
        }),
    };
    match kind {
        "system" if at.is_none() => Ok(ClockSource::System),
        "fixed" => Ok(ClockSource::Fixed(nanos()?)),
        "virtual" => Ok(ClockSource::Virtual(nanos()?)),
        _ => Err(format!(
            "`{s}` is not a clock: expected `system`, `fixed:NANOS` or `virtual[:NANOS]`"
        )),
    }
}

/// A number of bytes, with an optional binary suffix (`Ki`, `Mi`, `Gi`, or `K`, `M`, `G`).
fn parse_bytes(s: &str) -> Result<u64, String> {
    let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit: u64 = match &s[digits.len()..] {
        "" => 1,
        "K" | "Ki" | "k" | "KiB" => 1 << 10,
        "M" | "Mi" | "MiB" => 1 << 20,
        "G" | "Gi" | "GiB" => 1 << 30,
        other => return Err(format!("`{other}` is not a unit: expected Ki, Mi or Gi")),
    };
    digits
        .replace('_', "")
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(|| format!("`{s}` is not a number of bytes"))
}

fn parse_secs(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .parse()
        .map_err(|e| format!("`{s}` is not a number of seconds: {e}"))?;
    Duration::try_from_secs_f64(secs).map_err(|e| format!("`{s}` seconds: {e}"))
}

/// Runs the guest; the guest's exit code on success.
pub fn run(args: Args) -> Result<u8> {
    install_loggers(args.trace);
    let path = &args.guest;
    let mut limits = Limits::default()
        .policy(
            Policy::default()
                .not_implemented(args.policy.into())
                .bad_input(args.bad_input.into()),
        )
        .max_memory(args.max_memory)
        .max_table_elements(args.max_table_elements)
        .trap_unknown_imports(args.trap_unknown_imports)
        .trace(args.trace);
    if let Some(timeout) = args.timeout {
        limits = limits.timeout(timeout);
    }
    if let Some(fuel) = args.fuel {
        limits = limits.fuel(fuel);
    }

    let mut config = lifecycle::config(&limits);
    if !args.no_cache {
        // As `wasmtime run`: the user's cache configuration, or the default cache directory. A
        // cache that cannot be set up only costs time.
        match wasmtime::Cache::from_file(None) {
            Ok(cache) => {
                config.cache(Some(cache));
            }
            Err(e) => log::warn!(target: "wasi_stubs", "no compilation cache: {e:#}"),
        }
    }
    let engine = wasmtime::Engine::new(&config)
        .map_err(|e| input(format!("cannot set up the engine: {e:#}")))?;
    let ran = Ran { path };
    let bytes = crate::audit::read_guest(path)?;
    if wasmparser::Parser::is_component(&bytes) {
        return run_component(args, &engine, &limits, &bytes);
    }
    let linker = lifecycle::linker::<MinimalHost>(&engine)
        .map_err(|e| input(format!("cannot link the minimal host: {e:#}")))?;
    // A guest that cannot link fails before it is compiled: in milliseconds, not after the
    // minute a large guest takes to compile.
    if !args.trap_unknown_imports {
        let missing = undefined_imports(&bytes, &linker, &engine);
        if !missing.is_empty() {
            return ran.failed(RunError::MissingImports(missing));
        }
    }
    let guest = compile(&engine, path, &bytes)?;
    if guest.kind() == Kind::Command && args.invoke.is_some() {
        return Err(input(format!(
            "{}: a command (it exports `_start`): --invoke needs a reactor or a library",
            path.display()
        )));
    }

    let mut builder = host_builder(&args);
    for (guest_path, tree) in trees(&args.dirs, &args.dir_tars)? {
        builder = builder.preopen(guest_path, tree);
    }
    let host = builder.build();
    if guest.kind() == Kind::Command {
        return match guest.run(&linker, host, &limits) {
            Ok(exited) => Ok(exit_code(exited.code)),
            Err(e) => ran.failed(e),
        };
    }
    let mut reactor = match guest.initialize(&linker, host, &limits) {
        Ok(reactor) => reactor,
        // Without an export to call, a reactor that exits is done, as a command is.
        Err(RunError::ExitedDuringInit(code)) if args.invoke.is_none() => {
            return Ok(exit_code(code));
        }
        Err(e) => return ran.failed(e),
    };
    let Some(invoke) = args.invoke else {
        return Ok(0);
    };
    let Some((export, params)) = invoke.split_first() else {
        return Err(input("--invoke needs the name of an export"));
    };
    let (store, instance) = reactor.parts();
    let func = instance.get_func(&mut *store, export).ok_or_else(|| {
        let mut exports: Vec<String> = instance
            .exports(&mut *store)
            .filter(|e| e.clone().into_func().is_some())
            .map(|e| e.name().to_string())
            .filter(|n| !n.starts_with('_'))
            .collect();
        exports.sort_unstable();
        let listed = if exports.is_empty() {
            "it exports no function".to_string()
        } else {
            format!("its functions: {}", exports.join(", "))
        };
        input(format!(
            "{}: no exported function `{export}` ({listed})",
            path.display()
        ))
    })?;
    let args = parse_args(store, func, export, params)?;
    let results = match reactor.call_dynamic(export, &args) {
        Ok(results) => results,
        Err(e) => return ran.failed(e),
    };
    let mut out = String::new();
    for v in &results {
        let _ = writeln!(out, "{}", show(v));
    }
    crate::emit(&out)?;
    Ok(0)
}

/// The minimal host's settings from the command line, for a module and a component alike: args
/// (the guest file's name first), env, stdout and stderr inherited, the clock and the random
/// source.
fn host_builder(args: &Args) -> MinimalHostBuilder {
    let path = &args.guest;
    let name = path
        .file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy()
        .into_owned();
    let mut builder = MinimalHost::builder()
        .args(
            std::iter::once(name)
                .chain(args.args.iter().cloned())
                .chain(args.guest_args.iter().cloned()),
        )
        .stdout(Output::inherit_stdout())
        .stderr(Output::inherit_stderr())
        .clock(args.clock)
        .random(match args.seed {
            Some(seed) => RandomSource::Seeded(seed),
            None => RandomSource::Os,
        });
    for (key, value) in &args.env {
        builder = builder.env(key, value);
    }
    builder
}

/// Runs a component on [`MinimalComponentHost`]: a command (it exports `wasi:cli/run`) to its
/// exit code; another component is instantiated (its start-up runs) and the run ends with 0.
/// The options that mean nothing for a component are refused rather than ignored.
fn run_component(
    args: Args,
    engine: &wasmtime::Engine,
    limits: &Limits,
    bytes: &[u8],
) -> Result<u8> {
    let path = &args.guest;
    let file = path.display();
    let refuse = |option: &str, why: &str| -> Result<u8> {
        Err(input(format!("{file}: a component: {option} {why}")))
    };
    if !args.dirs.is_empty() || !args.dir_tars.is_empty() {
        return refuse(
            "--dir and --dir-tar",
            "are served to core modules only (a component gets no preopens)",
        );
    }
    if args.bad_input != BadInputArg::Errno {
        return refuse(
            "--bad-input",
            "applies to core modules only (the canonical ABI checks a component's arguments)",
        );
    }
    let Some(policy) = args.policy.for_components() else {
        return refuse(
            "--policy log",
            "applies to core modules only (use nosys, badf or trap)",
        );
    };
    let guest = ComponentGuest::new(engine, bytes).map_err(|e| {
        let message = match e {
            RunError::Compile(e) => one_line(&format!("{e:#}")),
            other => other.to_string(),
        };
        input(format!("{file}: {message}"))
    })?;
    // The export and its arguments are checked before anything runs.
    let call = match &args.invoke {
        Some(invoke) => {
            let Some((export, texts)) = invoke.split_first() else {
                return Err(input("--invoke needs the name of an export"));
            };
            let (interface, name, func) = crate::invoke::find(engine, guest.component(), export)
                .map_err(|why| input(format!("{file}: {why}")))?;
            let params = crate::invoke::parse_args(&func, export, texts).map_err(input)?;
            Some((interface, name, params))
        }
        None => None,
    };
    let linker = component::linker::<MinimalComponentHost>(engine)
        .map_err(|e| input(format!("cannot link the minimal component host: {e:#}")))?;
    let host = host_builder(&args).build_component().with_policy(policy);
    let ran = Ran { path };
    // A command too: `--invoke` calls the export instead of `run`.
    if let Some((interface, name, params)) = call {
        let mut instance = match guest.instantiate(&linker, host, limits) {
            Ok(instance) => instance,
            Err(e) => return ran.failed(e),
        };
        let results = match instance.call_dynamic(interface.as_deref(), &name, &params) {
            Ok(results) => results,
            Err(e) => return ran.failed(e),
        };
        let mut out = String::new();
        for v in &results {
            let _ = writeln!(out, "{}", crate::invoke::show(v));
        }
        crate::emit(&out)?;
        return Ok(0);
    }
    if guest.is_command() {
        return match guest.run(&linker, host, limits) {
            Ok(exited) => Ok(exit_code(exited.code)),
            Err(e) => ran.failed(e),
        };
    }
    match guest.instantiate(&linker, host, limits) {
        Ok(_) => Ok(0),
        Err(e) => ran.failed(e),
    }
}

/// The largest tar archive `--dir-tar` reads.
const MAX_TAR: u64 = 2 << 30;

/// The trees of `--dir` and `--dir-tar`, with their guest paths, in that order.
fn trees(dirs: &[String], tars: &[String]) -> Result<Vec<(String, Tree)>> {
    let mut trees = Vec::new();
    for spec in dirs {
        let (host, guest) = match spec.split_once("::") {
            Some((host, guest)) => (host, guest),
            None => (spec.as_str(), spec.as_str()),
        };
        if host.is_empty() || guest.is_empty() {
            return Err(input(format!(
                "--dir {spec}: expected HOST_DIR or HOST_DIR::GUEST_DIR"
            )));
        }
        let tree = Tree::dir(host).map_err(|e| {
            input(format!(
                "--dir {spec}: cannot open the directory {host}: {e}"
            ))
        })?;
        trees.push((guest.to_string(), tree));
    }
    for spec in tars {
        let Some((file, guest)) = spec
            .split_once("::")
            .filter(|(f, g)| !f.is_empty() && !g.is_empty())
        else {
            return Err(input(format!("--dir-tar {spec}: expected FILE::GUEST_DIR")));
        };
        let path = Path::new(file);
        let bytes = read_bounded(path, MAX_TAR).map_err(|e| crate::file_error(path, e))?;
        let tree = Tree::tar(&bytes).map_err(|e| crate::file_error(path, e))?;
        trees.push((guest.to_string(), tree));
    }
    Ok(trees)
}

/// The file at `path`, if it holds at most `max` bytes.
fn read_bounded(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(std::io::Error::other(format!("larger than {max} bytes")));
    }
    Ok(bytes)
}

/// The imports of `bytes` that `linker` does not define, as `module::name`, each once, read from
/// the import section alone (nothing is compiled or validated: a module too broken to say is
/// left to the compiler's message).
fn undefined_imports(
    bytes: &[u8],
    linker: &Linker<Ctx<MinimalHost>>,
    engine: &wasmtime::Engine,
) -> Vec<String> {
    use wasmparser::{Parser, Payload};
    let mut store = Store::new(engine, Ctx::new(MinimalHost::default()));
    let defined: HashSet<(String, String)> = linker
        .iter(&mut store)
        .map(|(module, name, _)| (module.to_string(), name.to_string()))
        .collect();
    let mut seen = HashSet::new();
    let mut missing = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload {
            Ok(Payload::ImportSection(section)) => {
                for import in section.into_imports() {
                    let Ok(import) = import else { return missing };
                    let key = (import.module.to_string(), import.name.to_string());
                    if !defined.contains(&key) && seen.insert(key.clone()) {
                        missing.push(format!("{}::{}", key.0, key.1));
                    }
                }
            }
            // Imports come before everything that takes time to read.
            Ok(Payload::FunctionSection(_) | Payload::CodeSectionStart { .. }) | Err(_) => break,
            Ok(_) => {}
        }
    }
    missing
}

/// Compiles the guest; a module that does not compile gets one line naming the file and the
/// place.
fn compile(engine: &wasmtime::Engine, path: &Path, bytes: &[u8]) -> Result<Guest> {
    Guest::new(engine, bytes).map_err(|e| {
        // The audit's reader names the place (`... (at offset 0x2a)`); wasmtime's message for
        // what it alone rejects.
        let message = match wasi_stubs_audit::Guest::parse(bytes) {
            Err(bad) => bad.to_string(),
            Ok(_) => one_line(&match e {
                RunError::Compile(e) => format!("{e:#}"),
                other => other.to_string(),
            }),
        };
        input(format!("{}: {message}", path.display()))
    })
}

/// What the run was, for messages.
struct Ran<'a> {
    path: &'a Path,
}

impl Ran<'_> {
    /// The exit status and message for a run that ended without an exit code: a trap, a time or
    /// fuel limit, `proc_exit` from a reactor's export, or a module that could not be
    /// instantiated.
    fn failed(&self, e: RunError) -> Result<u8> {
        let file = self.path.display();
        let (code, message) = match e {
            RunError::Trap(e) => {
                if let Some(exit) = e.downcast_ref::<Exit>() {
                    return Ok(exit_code(exit.code));
                }
                (
                    EXIT_TRAP,
                    format!("{file}: the guest trapped: {}", trap(&e)),
                )
            }
            RunError::Timeout(t) => (
                EXIT_TIMEOUT,
                format!("{file}: stopped after the time limit of {}", secs(t)),
            ),
            RunError::OutOfFuel(n) => (
                EXIT_OUT_OF_FUEL,
                format!("{file}: stopped: the guest used up its fuel ({n} units)"),
            ),
            RunError::MissingImports(names) => {
                // A list long enough to hide the message is cut (`wasi-stubs audit` lists all).
                const SHOWN: usize = 20;
                let mut list = names
                    .iter()
                    .take(SHOWN)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                if names.len() > SHOWN {
                    let _ = write!(list, " and {} more", names.len() - SHOWN);
                }
                return Err(input(format!(
                    "{file}: imports that this host does not define: {list} \
                     (--trap-unknown-imports defines them as functions that trap)"
                )));
            }
            RunError::Link(e) => {
                return Err(input(format!(
                    "{file}: cannot run on this host: {}",
                    one_line(&format!("{e:#}"))
                )));
            }
            other => return Err(input(format!("{file}: {other}"))),
        };
        Err(Failure::Exit { code, message })
    }
}

/// The arguments of `--invoke EXPORT ARGS...`, parsed by the export's parameter types.
fn parse_args(
    store: &Store<Ctx<MinimalHost>>,
    func: Func,
    export: &str,
    params: &[String],
) -> Result<Vec<Val>> {
    let ty = func.ty(store);
    let types: Vec<ValType> = ty.params().collect();
    if let Some(option) = params.iter().find(|p| p.starts_with("--")) {
        return Err(input(format!(
            "--invoke {export}: `{option}` is not an argument: --invoke takes the rest of the \
             command line, so put options before it"
        )));
    }
    if types.len() != params.len() {
        return Err(input(format!(
            "--invoke {export}: it takes {} argument{} ({}), {} given",
            types.len(),
            if types.len() == 1 { "" } else { "s" },
            types
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            params.len()
        )));
    }
    types
        .iter()
        .zip(params)
        .enumerate()
        .map(|(i, (ty, text))| {
            parse_val(ty, text)
                .map_err(|why| input(format!("--invoke {export}: argument {}: {why}", i + 1)))
        })
        .collect()
}

/// An export's argument, from the command line.
fn parse_val(ty: &ValType, text: &str) -> Result<Val, String> {
    let bad = |what: &str| format!("`{text}` is not {what}");
    match ty {
        ValType::I32 => {
            let n = parse_int(text).ok_or_else(|| bad("an i32"))?;
            // Signed or unsigned: -1 and 4294967295 are the same i32.
            let n = i32::try_from(n)
                .or_else(|_| u32::try_from(n).map(|u| u as i32))
                .map_err(|_| bad("an i32 (out of range)"))?;
            Ok(Val::I32(n))
        }
        ValType::I64 => {
            let n = parse_int(text).ok_or_else(|| bad("an i64"))?;
            let n = i64::try_from(n)
                .or_else(|_| u64::try_from(n).map(|u| u as i64))
                .map_err(|_| bad("an i64 (out of range)"))?;
            Ok(Val::I64(n))
        }
        ValType::F32 => text
            .parse::<f32>()
            .map(|f| Val::F32(f.to_bits()))
            .map_err(|_| bad("an f32")),
        ValType::F64 => text
            .parse::<f64>()
            .map(|f| Val::F64(f.to_bits()))
            .map_err(|_| bad("an f64")),
        other => Err(format!(
            "the export takes a {other}: --invoke passes only i32, i64, f32 and f64"
        )),
    }
}

/// A decimal or `0x` hexadecimal integer, with an optional sign.
pub(crate) fn parse_int(text: &str) -> Option<i128> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let digits = digits.replace('_', "");
    let n = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => u64::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<u64>().ok()?,
    };
    let n = i128::from(n);
    Some(if negative { -n } else { n })
}

/// A result, as printed: integers signed, floats as Rust prints them.
fn show(v: &Val) -> String {
    match v {
        Val::I32(n) => n.to_string(),
        Val::I64(n) => n.to_string(),
        Val::F32(bits) => f32::from_bits(*bits).to_string(),
        Val::F64(bits) => f64::from_bits(*bits).to_string(),
        Val::V128(v) => format!("{:#034x}", v.as_u128()),
        Val::FuncRef(f) => if f.is_some() {
            "funcref"
        } else {
            "null funcref"
        }
        .to_string(),
        Val::ExternRef(r) => if r.is_some() {
            "externref"
        } else {
            "null externref"
        }
        .to_string(),
        other => format!("{other:?}"),
    }
}

/// The guest's exit code as this process's: codes above 255 do not fit an exit status and become
/// 255 (never 0, as truncating would make 256).
fn exit_code(code: u32) -> u8 {
    u8::try_from(code).unwrap_or(u8::MAX)
}

/// A trap's message and, on the lines below, the wasm backtrace.
fn trap(e: &wasmtime::Error) -> String {
    let Some(backtrace) = e.downcast_ref::<wasmtime::WasmBacktrace>() else {
        return format!("{e:#}");
    };
    // wasmtime puts the backtrace on the trap as context ("error while executing at wasm
    // backtrace: ..."): the trap's own message is the rest of the chain.
    let mut out = e
        .chain()
        .skip(1)
        .map(|cause| cause.to_string())
        .collect::<Vec<_>>()
        .join(": ");
    if let Some(rest) = out.strip_prefix("wasm trap: ") {
        out = rest.to_string();
    }
    if out.is_empty() {
        out = "unknown trap".to_string();
    }
    let frames = backtrace.to_string();
    let mut frames = frames.lines().peekable();
    if frames
        .peek()
        .is_some_and(|l| l.starts_with("error while executing"))
    {
        frames.next();
    }
    out.push_str("\nwasm backtrace:");
    for line in frames {
        let _ = write!(out, "\n{line}");
    }
    out
}

fn secs(t: Duration) -> String {
    format!("{}s", t.as_secs_f64())
}

/// Joins a multi-line message on one line.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Warnings of the host (`--policy log`) go to stderr as `warning: ...`; with `--trace`, the
/// call trace goes to stderr as bare lines.
fn install_loggers(trace: bool) {
    static LOGGER: StderrLogger = StderrLogger;
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Warn);
    }
    if trace {
        use tracing_subscriber::layer::SubscriberExt as _;
        let subscriber = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .without_time()
            .with_level(false)
            .with_target(false)
            .finish()
            .with(tracing_subscriber::filter::Targets::new().with_target(
                wasi_stubs::trace::TARGET,
                tracing_subscriber::filter::LevelFilter::TRACE,
            ));
        let _ = tracing_subscriber::util::SubscriberInitExt::try_init(subscriber);
    }
}

/// `log` records of `wasi_stubs` at warning level or above, on stderr.
struct StderrLogger;

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn && metadata.target().starts_with("wasi_stubs")
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let level = match record.level() {
                log::Level::Error => "error",
                _ => "warning",
            };
            eprintln!("{level}: {}", record.args());
        }
    }

    fn flush(&self) {}
}
