//! The glue fuzzer (`wasi_stubs_tests::fuzz`) in every `cargo test`: the committed corpus
//! (`tests/fuzz/corpus.txt`, seeds that once found a bug) is replayed, and a bounded pass from a
//! fixed seed must find nothing and call every function of both modules. The long runs are the
//! `fuzz` binary's: `cargo run --release -p wasi-stubs-tests --bin fuzz -- --seconds 600`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

use wasi_stubs_tests::PREVIEW1_NAMES;
use wasi_stubs_tests::fuzz::{self, Config, Fuzzer, Module};

#[global_allocator]
static ALLOCATOR: wasi_stubs_tests::counting::Counting = wasi_stubs_tests::counting::Counting;

/// The allocation counters are process-wide: one test of this binary at a time, or another's
/// allocations would count in a fuzzed call's.
static SERIAL: Mutex<()> = Mutex::new(());

const CORPUS: &str = include_str!("../fuzz/corpus.txt");

/// A call slower than this is a failure of its own (debug builds are slow; a release build
/// takes microseconds per call).
const SLOW_CALL: Duration = Duration::from_secs(10);

/// The bounded pass: about 10 s in a debug build.
const EXECUTIONS: u64 = 6000;

/// Runs `work` on another thread; fails the test, naming the execution, if one call runs past
/// `per_call` (a host stuck in a loop the guest chose would otherwise hold the suite for minutes),
/// or if everything takes longer than `total`.
fn watched<R: Send + 'static>(
    per_call: Duration,
    total: Duration,
    work: impl FnOnce(Arc<AtomicBool>) -> R + Send + 'static,
) -> R {
    let cancel = Arc::new(AtomicBool::new(false));
    let (done, result) = mpsc::channel();
    let worker_cancel = cancel.clone();
    let started = Instant::now();
    std::thread::spawn(move || {
        let _ = done.send(work(worker_cancel));
    });
    loop {
        match result.recv_timeout(Duration::from_millis(100)) {
            Ok(r) => return r,
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the fuzzing thread panicked"),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        // An execution from before this run is one of a run given up on, still stuck.
        if let Some(run) = fuzz::running()
            && run.since >= started
            && run.since.elapsed() > per_call
        {
            cancel.store(true, Ordering::Relaxed);
            panic!(
                "execution {:#018x} ({}) has been in one host call for {:.1?}; replay it with \
                 `cargo run --release -p wasi-stubs-tests --bin fuzz -- --replay {:#x}`",
                run.seed,
                run.function,
                run.since.elapsed(),
                run.seed
            );
        }
        if started.elapsed() > total {
            cancel.store(true, Ordering::Relaxed);
            panic!("still fuzzing after {total:?}");
        }
    }
}

#[test]
fn the_fuzzer_knows_every_function_of_both_modules() {
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    fuzz::check_signatures().unwrap();
    let names: Vec<&str> = Module::Preview1
        .functions()
        .iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names, PREVIEW1_NAMES);
    let preview0: Vec<&str> = Module::Preview0
        .functions()
        .iter()
        .map(|f| f.name)
        .collect();
    let expected: Vec<&str> = PREVIEW1_NAMES
        .iter()
        .copied()
        .filter(|n| *n != "sock_accept")
        .collect();
    assert_eq!(preview0, expected);
}

#[test]
fn the_corpus_parses_and_each_seed_still_calls_its_function() {
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    let corpus = fuzz::parse_corpus(CORPUS).unwrap();
    assert!(!corpus.is_empty());
    for entry in &corpus {
        assert!(!entry.comment.is_empty(), "{entry:?} says what it found");
        let (module, function) = fuzz::function_of(entry.seed);
        assert_eq!(
            (module.label(), function),
            (entry.module.as_str(), entry.function.as_str()),
            "seed {:#x} no longer calls what the corpus says: the generator changed, so the seed \
             no longer stands for the input that found `{}`",
            entry.seed,
            entry.comment
        );
    }
}

#[test]
fn the_corpus_replays_without_failure() {
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    let corpus = fuzz::parse_corpus(CORPUS).unwrap();
    let failures = watched(SLOW_CALL * 2, Duration::from_secs(600), move |cancel| {
        let mut fuzzer = Fuzzer::new();
        let mut failures = String::new();
        for entry in corpus {
            if cancel.load(Ordering::Relaxed) {
                break;
            }
            let report = fuzzer.replay(entry.seed, SLOW_CALL);
            assert_eq!(report.executions, 1);
            if !report.failures.is_empty() {
                failures.push_str(&format!(
                    "seed {:#x} ({}): {}\n{}",
                    entry.seed,
                    entry.function,
                    entry.comment,
                    report.failures_text()
                ));
            }
        }
        failures
    });
    assert!(failures.is_empty(), "corpus seeds fail again:\n{failures}");
}

#[test]
fn a_bounded_pass_finds_nothing_and_calls_every_function() {
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    let report = watched(SLOW_CALL * 2, Duration::from_secs(600), |cancel| {
        fuzz::run(Config {
            seed: 0x5EED_F022,
            executions: Some(EXECUTIONS),
            slow_call: SLOW_CALL,
            cancel: Some(cancel),
            ..Config::default()
        })
    });
    assert!(
        report.counted_allocations,
        "the counting allocator is not installed"
    );
    assert_eq!(report.executions, EXECUTIONS);
    assert!(
        report.failures.is_empty(),
        "{}\n{}",
        report.progress_line(),
        report.failures_text()
    );
    for module in [Module::Preview1, Module::Preview0] {
        assert_eq!(
            report.missing(module),
            Vec::<&str>::new(),
            "{} functions never called",
            module.label()
        );
    }
    assert_eq!(report.covered(Module::Preview1), 46);
    assert_eq!(report.covered(Module::Preview0), 45);
    for name in PREVIEW1_NAMES {
        assert!(
            report.calls[&(Module::Preview1, name)].executions > 0,
            "{name}"
        );
    }
    // Deep enough to matter: the functions `MinimalHost` implements succeed sometimes.
    for name in [
        "fd_read",
        "fd_write",
        "poll_oneoff",
        "args_get",
        "random_get",
    ] {
        for module in [Module::Preview1, Module::Preview0] {
            assert!(
                report.calls[&(module, name)].succeeded > 0,
                "{} {name} never succeeded: {:?}",
                module.label(),
                report.calls[&(module, name)]
            );
        }
    }
}
