//! A host that logs through the `log` crate gets a Go guest's stdout lines as info records and
//! its stderr lines as warn records, one per line. (Its own test binary: one logger a process.)

use std::sync::Mutex;

use wasi_stubs::host::{ClockSource, MinimalHost, Output, RandomSource};
use wasi_stubs::lifecycle::{self, Guest, Limits};

static RECORDS: Mutex<Vec<(log::Level, String, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        if record.target().starts_with("wasi_stubs::guest") {
            RECORDS.lock().unwrap().push((
                record.level(),
                record.target().to_string(),
                record.args().to_string(),
            ));
        }
    }
    fn flush(&self) {}
}

#[test]
fn go_stdout_is_info_and_stderr_is_warn_one_record_per_line() {
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Trace);
    let wasm = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/guests/fixtures/go-hello.wasm"
    ))
    .unwrap();
    let host = MinimalHost::builder()
        .args(["go-hello"])
        .stdout(Output::log_stdout())
        .stderr(Output::log_stderr())
        .clock(ClockSource::Fixed(5))
        .random(RandomSource::Seeded(1))
        .build();
    let limits = Limits::default();
    let engine = lifecycle::engine(&limits).unwrap();
    let guest = Guest::new(&engine, wasm).unwrap();
    let linker = guest.linker::<MinimalHost>().unwrap();
    let exited = guest.run(&linker, host, &limits).unwrap();
    let code = exited.code;
    drop(exited);
    let records = RECORDS.lock().unwrap().clone();
    assert_eq!(code, 3, "{records:?}");
    let info: Vec<&str> = records
        .iter()
        .filter(|(l, t, _)| *l == log::Level::Info && t == "wasi_stubs::guest::stdout")
        .map(|(_, _, m)| m.as_str())
        .collect();
    let warn: Vec<&str> = records
        .iter()
        .filter(|(l, t, _)| *l == log::Level::Warn && t == "wasi_stubs::guest::stderr")
        .map(|(_, _, m)| m.as_str())
        .collect();
    assert_eq!(
        &info[..5],
        [
            "hello from go",
            "args: [go-hello]",
            "GREETING=",
            "now: 5",
            "slept: 10s"
        ]
    );
    assert!(info[5].starts_with("random: "), "{info:?}");
    assert_eq!(info.len(), 6);
    assert_eq!(warn, ["warning: to stderr"]);
    let guest_records = records
        .iter()
        .filter(|(_, t, _)| t.ends_with("stdout") || t.ends_with("stderr"))
        .count();
    assert_eq!(guest_records, 7, "nothing else: {records:?}");
}

/// Installs the logger: one for every test of this binary, set by whichever runs first.
fn capture() {
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Trace);
}

/// The messages logged so far with `target`.
fn logged(target: &str) -> Vec<String> {
    RECORDS
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, t, _)| t == target)
        .map(|(_, _, m)| m.clone())
        .collect()
}

#[test]
fn a_partial_line_is_logged_when_the_output_is_dropped() {
    capture();
    let mut out = Output::log(log::Level::Info, "wasi_stubs::guest::partial");
    out.write(b"one\ntw");
    out.write(b"o\r\nthr");
    drop(out);
    assert_eq!(logged("wasi_stubs::guest::partial"), ["one", "two", "thr"]);
}

#[test]
fn a_line_that_never_ends_is_logged_in_parts_of_max_message_bytes() {
    capture();
    let max = wasi_stubs::host::MAX_MESSAGE;
    let target = "wasi_stubs::guest::long";
    let lengths = || logged(target).iter().map(String::len).collect::<Vec<_>>();
    let mut out = Output::log(log::Level::Info, target);
    // Two and a half parts without a newline, written in pieces, then an ended line.
    for _ in 0..5 {
        out.write(&vec![b'x'; max / 2]);
    }
    assert_eq!(lengths(), [max, max]);
    out.write(b"y\r\nz");
    drop(out);
    assert_eq!(lengths(), [max, max, max / 2 + 1, 1]);
    let ends: Vec<String> = logged(target)
        .iter()
        .skip(2)
        .map(|m| m[m.len().saturating_sub(2)..].to_string())
        .collect();
    assert_eq!(ends, ["xy", "z"]);
}

#[test]
fn a_line_of_exactly_max_message_bytes_is_one_record() {
    capture();
    let max = wasi_stubs::host::MAX_MESSAGE;
    let mut out = Output::log(log::Level::Info, "wasi_stubs::guest::exact");
    out.write(&vec![b'x'; max]);
    out.write(b"\n");
    let mut line = vec![b'y'; max];
    line.push(b'\n');
    out.write(&line);
    drop(out);
    let lengths: Vec<usize> = logged("wasi_stubs::guest::exact")
        .iter()
        .map(String::len)
        .collect();
    assert_eq!(lengths, [max, max]);
}
