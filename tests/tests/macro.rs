//! `#[wasi_stubs(override(...))]` (and its string spelling, `override = "..."`): what it accepts
//! and refuses at compile time (trybuild cases under `tests/macro/`, `ident_*` for the identifier
//! form, `wit_*` on the `Host` traits of `wasi_stubs::p2`), and the coverage it records, checked
//! at run time against a guest (for WIT interfaces, in `wit_component.rs`).

use wasi_stubs::preview1::{CiovecArray, Errno, Fd, Size, WasiSnapshotPreview1};
use wasi_stubs::{Coverage, Error, GuestMemory, Policy, wasi_stubs};
use wasi_stubs_tests::Guest;

#[test]
fn compile_checks() {
    let cases = trybuild::TestCases::new();
    cases.pass("macro/pass/*.rs");
    cases.compile_fail("macro/fail/*.rs");
}

#[derive(Default)]
struct Logger {
    written: Vec<u8>,
}

#[wasi_stubs(override(fd_write))]
impl WasiSnapshotPreview1 for Logger {
    fn fd_write(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: CiovecArray,
    ) -> Result<Size, Error<Errno>> {
        match fd.raw() {
            1 => Ok(mem.gather(iovs, |b| self.written.extend_from_slice(b))?),
            _ => Err(Errno::Badf.into()),
        }
    }
}

#[test]
fn coverage_lists_exactly_the_overrides() {
    type Cov = dyn WasiSnapshotPreview1;
    assert_eq!(<Logger as Coverage<Cov>>::OVERRIDES, ["fd_write"]);
    let coverage: Vec<(&str, bool)> = <Logger as Coverage<Cov>>::coverage()
        .map(|(f, overridden)| (f.name, overridden))
        .collect();
    assert_eq!(coverage.len(), 46);
    assert_eq!(
        coverage.iter().filter(|(_, o)| *o).collect::<Vec<_>>(),
        [&("fd_write", true)]
    );
    assert!(coverage.contains(&("fd_read", false)));
}

#[test]
fn an_override_is_reached_and_the_rest_answer_enosys() {
    let wat = r#"
    (module
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 8) "\10\00\00\00\02\00\00\00")
      (data (i32.const 16) "hi")
      (func (export "write") (result i32) (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 0)))
      (func (export "read") (result i32) (call $fd_read (i32.const 0) (i32.const 8) (i32.const 1) (i32.const 0)))
    )"#;
    let mut g = Guest::new(wat, Logger::default(), Policy::default()).unwrap();
    assert_eq!(g.call("write", &[]).unwrap(), 0);
    assert_eq!(g.host().written, b"hi");
    assert_eq!(g.call("read", &[]).unwrap(), 52);
}
