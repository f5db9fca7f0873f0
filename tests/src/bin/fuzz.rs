//! The long-running fuzzer of the generated glue (see `wasi_stubs_tests::fuzz`).
//!
//! ```text
//! cargo run --release -p wasi-stubs-tests --bin fuzz -- --seconds 600 [--seed N]
//! cargo run --release -p wasi-stubs-tests --bin fuzz -- --executions 100000 --seed 7
//! cargo run --release -p wasi-stubs-tests --bin fuzz -- --replay 0x1234abcd...
//! ```
//!
//! It prints a progress line every few seconds and a summary at the end: executions, executions
//! per second, functions covered, and each distinct failure with the seeds that reproduce it
//! (`--replay SEED` runs one again and explains it). The exit status is 1 when something failed.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasi_stubs_tests::fuzz::{self, Config, Fuzzer, Module, Report};

#[global_allocator]
static ALLOCATOR: wasi_stubs_tests::counting::Counting = wasi_stubs_tests::counting::Counting;

const USAGE: &str = "usage: fuzz [--seconds N | --executions N] [--seed N] [--progress SECS] \
                     [--slow-call SECS] [--stats] [--no-trace]\n       fuzz --replay SEED...";

struct Args {
    seconds: Option<u64>,
    executions: Option<u64>,
    seed: Option<u64>,
    progress: u64,
    slow_call: f64,
    stats: bool,
    no_trace: bool,
    replay: Vec<u64>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        seconds: None,
        executions: None,
        seed: None,
        progress: 5,
        slow_call: 0.5,
        stats: false,
        no_trace: false,
        replay: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        let number = |name: &str, v: String| {
            fuzz::parse_seed(&v).ok_or_else(|| format!("{name}: not a number: {v}"))
        };
        match arg.as_str() {
            "--seconds" => args.seconds = Some(number("--seconds", value("--seconds")?)?),
            "--executions" => {
                args.executions = Some(number("--executions", value("--executions")?)?)
            }
            "--seed" => args.seed = Some(number("--seed", value("--seed")?)?),
            "--progress" => args.progress = number("--progress", value("--progress")?)?,
            "--slow-call" => {
                let v = value("--slow-call")?;
                args.slow_call = v
                    .parse()
                    .map_err(|_| format!("--slow-call: not a number: {v}"))?;
            }
            "--stats" => args.stats = true,
            "--no-trace" => args.no_trace = true,
            "--replay" => {
                args.replay.push(number("--replay", value("--replay")?)?);
                for more in it.by_ref() {
                    args.replay.push(number("--replay", more)?);
                }
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let slow_call = Duration::from_secs_f64(args.slow_call);
    if !args.replay.is_empty() {
        let mut fuzzer = Fuzzer::new();
        let mut failed = false;
        for seed in args.replay {
            print!("{}", fuzz::explain(&mut fuzzer, seed));
            let report = fuzzer.replay(seed, slow_call);
            if report.failures.is_empty() {
                println!("  no failure");
            } else {
                failed = true;
                print!("{}", report.failures_text());
            }
        }
        return if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        };
    }

    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    let (executions, duration) = match (args.executions, args.seconds) {
        (None, None) => (None, Some(Duration::from_secs(60))),
        (e, s) => (e, s.map(Duration::from_secs)),
    };
    println!(
        "fuzzing the glue: seed {seed:#x}, {}, allocation counting {}",
        match (executions, duration) {
            (Some(n), Some(d)) => format!("{n} executions or {d:?}"),
            (Some(n), None) => format!("{n} executions"),
            (None, Some(d)) => format!("{d:?}"),
            (None, None) => unreachable!(),
        },
        if wasi_stubs_tests::counting::installed() {
            "on"
        } else {
            "off"
        }
    );

    // A watchdog names a call that does not come back.
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut reported = 0;
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(500));
                if let Some(run) = fuzz::running()
                    && run.since.elapsed() > slow_call
                    && run.seed != reported
                {
                    reported = run.seed;
                    eprintln!(
                        "slow: execution {:#018x} ({}) has run for {:.1?}",
                        run.seed,
                        run.function,
                        run.since.elapsed()
                    );
                }
            }
        })
    };

    let mut known = 0;
    let config = Config {
        seed,
        executions,
        duration,
        slow_call,
        progress: Some(Box::new(move |report: &Report| {
            println!("{}", report.progress_line());
            for f in &report.failures[known..] {
                println!(
                    "  new failure: {} {} [{}], seed {:#018x}: {}",
                    f.module.label(),
                    f.function,
                    f.rule,
                    f.seed(),
                    f.examples[0].1
                );
            }
            known = report.failures.len();
        })),
        progress_every: Duration::from_secs(args.progress.max(1)),
        examples_per_failure: 3,
        cancel: None,
        traced_lanes: !args.no_trace,
    };
    let report = fuzz::run(config);
    done.store(true, Ordering::Relaxed);
    let _ = watchdog.join();

    println!();
    println!("== summary");
    println!("seed: {seed:#x}");
    println!(
        "executions: {} in {:.1?} ({:.0} executions/s, {} calls)",
        report.executions,
        report.elapsed,
        report.rate(),
        report.executions * 2
    );
    for module in [Module::Preview1, Module::Preview0] {
        let missing = report.missing(module);
        println!(
            "{} functions covered: {}/{}{}",
            module.label(),
            report.covered(module),
            module.functions().len(),
            if missing.is_empty() {
                String::new()
            } else {
                format!(" (never called: {})", missing.join(", "))
            }
        );
    }
    if report.counted_allocations {
        println!(
            "largest host allocation of a call: {} bytes",
            report.max_allocation
        );
    }
    if report.redrawn_slow > 0 {
        println!(
            "inputs drawn again for the shape of a call already reported slow: {}",
            report.redrawn_slow
        );
    }
    if args.stats {
        println!("per function (executions: succeeded / errno / trapped, errno policy):");
        for ((module, name), s) in &report.calls {
            println!(
                "  {:<8} {:<24} {:>8}: {} / {} / {}",
                module.label(),
                name,
                s.executions,
                s.succeeded,
                s.errno,
                s.trapped
            );
        }
    }
    if report.failures.is_empty() {
        println!("failures: none");
        ExitCode::SUCCESS
    } else {
        println!(
            "failures: {} failing executions, {} distinct (module, function, rule); replay one with `--replay SEED`:",
            report.failed_executions(),
            report.failures.len()
        );
        print!("{}", report.failures_text());
        ExitCode::FAILURE
    }
}
