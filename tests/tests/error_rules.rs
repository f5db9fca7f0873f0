//! The error rules of the crate docs, seen from WAT guests: what a guest gets for bad pointers,
//! lengths and values under the default (errno) policy and under `Policy::TRAP`, and a sweep of
//! pseudo-random arguments that must never panic the host.

use wasi_stubs::preview1::{
    self, CiovecArray, Clockid, Errno, Fd, IovecArray, Size, Timestamp, WasiSnapshotPreview1,
};
use wasi_stubs::{Ctx, Error, Exit, GuestMemory, GuestPtr, Policy};
use wasmtime::{Engine, Instance, Linker, Memory, Module, Store};

const SUCCESS: i32 = 0;
const EBADF: i32 = 8;
const EFAULT: i32 = 21;
const EINVAL: i32 = 28;
const ENOSYS: i32 = 52;
const EOVERFLOW: i32 = 61;

const PAGE: u32 = 65536;

/// The host of the error rules: `fd_write` to fd 1 appends to `stdout`, `clock_time_get` answers
/// 123; everything else is the trait's default.
#[derive(Default)]
struct Host {
    stdout: Vec<u8>,
    fd_write_calls: usize,
    clock_calls: usize,
}

impl WasiSnapshotPreview1 for Host {
    fn fd_write(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: CiovecArray,
    ) -> Result<Size, Error<Errno>> {
        self.fd_write_calls += 1;
        match fd.raw() {
            1 => Ok(mem.gather(iovs, |bytes| self.stdout.extend_from_slice(bytes))?),
            _ => Err(Errno::Badf.into()),
        }
    }

    fn clock_time_get(
        &mut self,
        _id: Clockid,
        _precision: Timestamp,
    ) -> Result<Timestamp, Error<Errno>> {
        self.clock_calls += 1;
        Ok(123)
    }
}

/// A host that implements nothing.
struct Nothing;

impl WasiSnapshotPreview1 for Nothing {}

/// A host that implements more functions that touch memory, for the sweep.
#[derive(Default)]
struct Busy {
    written: usize,
    seed: u8,
}

impl WasiSnapshotPreview1 for Busy {
    fn fd_write(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: CiovecArray,
    ) -> Result<Size, Error<Errno>> {
        if fd.raw() > 2 {
            return Err(Errno::Badf.into());
        }
        Ok(mem.gather(iovs, |bytes| self.written += bytes.len())?)
    }

    fn fd_read(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: IovecArray,
    ) -> Result<Size, Error<Errno>> {
        if fd.raw() != 0 {
            return Err(Errno::Badf.into());
        }
        Ok(mem.scatter(iovs, b"input from the host")?)
    }

    fn clock_time_get(
        &mut self,
        id: Clockid,
        _precision: Timestamp,
    ) -> Result<Timestamp, Error<Errno>> {
        match id {
            Clockid::Realtime | Clockid::Monotonic => Ok(u64::MAX),
            _ => Err(Errno::Inval.into()),
        }
    }

    fn args_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        argv: GuestPtr<GuestPtr<u8>>,
        argv_buf: GuestPtr<u8>,
    ) -> Result<(), Error<Errno>> {
        Ok(mem.write_string_table(argv, argv_buf, &["prog", "--flag"])?)
    }

    fn random_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        buf: GuestPtr<u8>,
        buf_len: Size,
    ) -> Result<(), Error<Errno>> {
        for byte in mem.bytes_mut(buf, buf_len)? {
            self.seed = self.seed.wrapping_mul(31).wrapping_add(7);
            *byte = self.seed;
        }
        Ok(())
    }
}

/// A guest that re-exports, under the same names, thin wrappers of a few preview1 imports, so
/// that the tests call the imports with whatever arguments they like.
fn guest_wat(with_memory: bool) -> String {
    let memory = if with_memory {
        r#"(memory (export "memory") 1)"#
    } else {
        ""
    };
    format!(
        r#"
        (module
          (import "wasi_snapshot_preview1" "fd_write"
            (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_read"
            (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "clock_time_get"
            (func $clock_time_get (param i32 i64 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_get"
            (func $args_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "random_get"
            (func $random_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
          {memory}
          (func (export "fd_write") (param i32 i32 i32 i32) (result i32)
            local.get 0 local.get 1 local.get 2 local.get 3 call $fd_write)
          (func (export "fd_read") (param i32 i32 i32 i32) (result i32)
            local.get 0 local.get 1 local.get 2 local.get 3 call $fd_read)
          (func (export "clock_time_get") (param i32 i64 i32) (result i32)
            local.get 0 local.get 1 local.get 2 call $clock_time_get)
          (func (export "args_get") (param i32 i32) (result i32)
            local.get 0 local.get 1 call $args_get)
          (func (export "random_get") (param i32 i32) (result i32)
            local.get 0 local.get 1 call $random_get)
          (func (export "sched_yield") (result i32) call $sched_yield))
        "#
    )
}

struct Guest<H: 'static> {
    store: Store<Ctx<H>>,
    instance: Instance,
}

impl<H: WasiSnapshotPreview1 + 'static> Guest<H> {
    fn new(host: H, policy: Policy) -> Self {
        Self::build(host, policy, true)
    }

    fn without_memory(host: H, policy: Policy) -> Self {
        Self::build(host, policy, false)
    }

    fn build(host: H, policy: Policy, with_memory: bool) -> Self {
        let engine = Engine::default();
        let mut linker = Linker::new(&engine);
        preview1::add_to_linker(&mut linker, |ctx: &mut Ctx<H>| ctx).unwrap();
        let module = Module::new(&engine, guest_wat(with_memory)).unwrap();
        let mut store = Store::new(&engine, Ctx::new(host).with_policy(policy));
        let instance = linker.instantiate(&mut store, &module).unwrap();
        Guest { store, instance }
    }

    fn host(&self) -> &H {
        self.store.data().host()
    }

    fn host_mut(&mut self) -> &mut H {
        self.store.data_mut().host_mut()
    }

    fn memory(&mut self) -> Memory {
        self.instance
            .get_memory(&mut self.store, "memory")
            .expect("the guest exports a memory")
    }

    fn mem(&mut self) -> &mut [u8] {
        let memory = self.memory();
        memory.data_mut(&mut self.store)
    }

    fn snapshot(&mut self) -> Vec<u8> {
        self.mem().to_vec()
    }

    fn write_u32(&mut self, at: u32, value: u32) {
        let at = at as usize;
        self.mem()[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }

    fn write_iovecs(&mut self, at: u32, iovecs: &[(u32, u32)]) {
        for (i, &(buf, len)) in (0u32..).zip(iovecs) {
            self.write_u32(at + 8 * i, buf);
            self.write_u32(at + 8 * i + 4, len);
        }
    }

    fn fd_write(
        &mut self,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        nwritten: u32,
    ) -> wasmtime::Result<i32> {
        let f = self
            .instance
            .get_typed_func::<(i32, i32, i32, i32), i32>(&mut self.store, "fd_write")?;
        f.call(
            &mut self.store,
            (fd as i32, iovs as i32, iovs_len as i32, nwritten as i32),
        )
    }

    fn fd_read(&mut self, fd: u32, iovs: u32, iovs_len: u32, nread: u32) -> wasmtime::Result<i32> {
        let f = self
            .instance
            .get_typed_func::<(i32, i32, i32, i32), i32>(&mut self.store, "fd_read")?;
        f.call(
            &mut self.store,
            (fd as i32, iovs as i32, iovs_len as i32, nread as i32),
        )
    }

    fn clock_time_get(&mut self, id: u32, precision: u64, ret: u32) -> wasmtime::Result<i32> {
        let f = self
            .instance
            .get_typed_func::<(i32, i64, i32), i32>(&mut self.store, "clock_time_get")?;
        f.call(&mut self.store, (id as i32, precision as i64, ret as i32))
    }

    fn args_get(&mut self, argv: u32, argv_buf: u32) -> wasmtime::Result<i32> {
        let f = self
            .instance
            .get_typed_func::<(i32, i32), i32>(&mut self.store, "args_get")?;
        f.call(&mut self.store, (argv as i32, argv_buf as i32))
    }

    fn random_get(&mut self, buf: u32, len: u32) -> wasmtime::Result<i32> {
        let f = self
            .instance
            .get_typed_func::<(i32, i32), i32>(&mut self.store, "random_get")?;
        f.call(&mut self.store, (buf as i32, len as i32))
    }

    fn sched_yield(&mut self) -> wasmtime::Result<i32> {
        let f = self
            .instance
            .get_typed_func::<(), i32>(&mut self.store, "sched_yield")?;
        f.call(&mut self.store, ())
    }
}

impl Guest<Host> {
    /// Asserts that no `fd_write` reached the host's buffer.
    fn assert_nothing_written(&self) {
        assert!(
            self.host().stdout.is_empty(),
            "the host buffer holds {:?}",
            self.host().stdout
        );
    }
}

fn errno_guest() -> Guest<Host> {
    Guest::new(Host::default(), Policy::default())
}

fn trap_guest() -> Guest<Host> {
    Guest::new(Host::default(), Policy::TRAP)
}

/// The whole error chain wasmtime shows for a failed call.
fn trap_message(result: wasmtime::Result<i32>) -> String {
    match result {
        Ok(code) => panic!("expected a trap, the call returned {code}"),
        Err(err) => {
            assert!(err.downcast_ref::<Exit>().is_none(), "{err:?}");
            format!("{err:#}")
        }
    }
}

fn assert_mentions(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(
            message.contains(part),
            "{part:?} not in trap message:\n{message}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The default policy: errno.

#[test]
fn iovec_array_out_of_bounds_is_efault() {
    let mut g = errno_guest();
    g.write_u32(PAGE - 4, 0);
    // One 8-byte iovec starting 4 bytes before the end; two starting 8 bytes before it.
    assert_eq!(g.fd_write(1, PAGE - 4, 1, 0).unwrap(), EFAULT);
    assert_eq!(g.fd_write(1, PAGE - 8, 2, 0).unwrap(), EFAULT);
    // Entirely outside memory, and at the very top of the address space.
    assert_eq!(g.fd_write(1, PAGE, 1, 0).unwrap(), EFAULT);
    assert_eq!(g.fd_write(1, 0xFFFF_FFF8, 1, 0).unwrap(), EFAULT);
    // A count whose byte size (count * 8) does not fit in 32 bits.
    assert_eq!(g.fd_write(1, 0, 0x2000_0000, 0).unwrap(), EFAULT);
    assert_eq!(g.fd_write(1, 0, u32::MAX, 0).unwrap(), EFAULT);
    g.assert_nothing_written();
    assert_eq!(
        g.host().fd_write_calls,
        0,
        "argument checks come before the host"
    );
    // The nwritten pointer (0) was never written.
    assert_eq!(&g.mem()[0..4], &[0; 4]);
}

#[test]
fn iovec_buffer_out_of_bounds_is_efault_and_nothing_is_consumed() {
    let mut g = errno_guest();
    g.mem()[100..105].copy_from_slice(b"hello");
    // A good buffer followed by one that runs 4 bytes past the end of memory.
    g.write_iovecs(16, &[(100, 5), (PAGE - 6, 10)]);
    assert_eq!(g.fd_write(1, 16, 2, 0).unwrap(), EFAULT);
    // A buffer that starts past the end, and one whose end wraps past 2^32.
    g.write_iovecs(16, &[(100, 5), (PAGE, 1)]);
    assert_eq!(g.fd_write(1, 16, 2, 0).unwrap(), EFAULT);
    g.write_iovecs(16, &[(100, 5), (0xFFFF_FFF0, 0x20)]);
    assert_eq!(g.fd_write(1, 16, 2, 0).unwrap(), EFAULT);
    g.assert_nothing_written();
    assert_eq!(&g.mem()[0..4], &[0; 4], "nwritten was written");
}

#[test]
fn iovec_lengths_whose_sum_overflows_u32_are_efault() {
    let mut g = errno_guest();
    g.write_iovecs(16, &[(0, 0x8000_0000), (0, 0x8000_0000)]);
    assert_eq!(g.fd_write(1, 16, 2, 0).unwrap(), EFAULT);
    g.assert_nothing_written();

    // Each buffer above is also out of bounds of a 1-page memory. Here every buffer is in
    // bounds and only the sum overflows: 65537 iovecs of 64 KiB each (2^32 + 2^16 bytes).
    let memory = g.memory();
    memory.grow(&mut g.store, 9).unwrap();
    let count = PAGE + 1;
    let bytes = g.mem();
    for i in 0..count as usize {
        let at = PAGE as usize + 8 * i;
        bytes[at..at + 4].copy_from_slice(&0u32.to_le_bytes());
        bytes[at + 4..at + 8].copy_from_slice(&PAGE.to_le_bytes());
    }
    assert_eq!(g.fd_write(1, PAGE, count, 0).unwrap(), EFAULT);
    g.assert_nothing_written();
    assert_eq!(g.host().fd_write_calls, 2);

    // Under the trap policy the message says which check failed: the length overflow.
    g.store.data_mut().set_policy(Policy::TRAP);
    let message = trap_message(g.fd_write(1, PAGE, count, 0));
    eprintln!("sum overflow, trap policy:\n{message}\n");
    assert_mentions(&message, &["fd_write", "ciovec", "overflows"]);
    g.assert_nothing_written();
}

#[test]
fn misaligned_iovec_array_is_einval() {
    let mut g = errno_guest();
    g.mem()[100..105].copy_from_slice(b"hello");
    g.write_iovecs(2, &[(100, 5)]);
    assert_eq!(g.fd_write(1, 2, 1, 0).unwrap(), EINVAL);
    assert_eq!(g.fd_write(1, 1, 1, 0).unwrap(), EINVAL);
    g.assert_nothing_written();
    assert_eq!(g.host().fd_write_calls, 0);
}

#[test]
fn unknown_clock_is_einval() {
    let mut g = errno_guest();
    assert_eq!(g.clock_time_get(99, 0, 8).unwrap(), EINVAL);
    assert_eq!(g.clock_time_get(4, 0, 8).unwrap(), EINVAL);
    assert_eq!(g.clock_time_get(u32::MAX, 0, 8).unwrap(), EINVAL);
    assert_eq!(g.host().clock_calls, 0, "the host saw an invalid clock id");
    assert_eq!(&g.mem()[8..16], &[0; 8], "the result was written");

    // The enum check is the glue's: a host that implements nothing gets EINVAL too, not ENOSYS.
    let mut g = Guest::new(Nothing, Policy::default());
    assert_eq!(g.clock_time_get(99, 0, 8).unwrap(), EINVAL);
    assert_eq!(g.clock_time_get(0, 0, 8).unwrap(), ENOSYS);
}

#[test]
fn out_of_bounds_result_pointer_is_efault_and_the_host_is_not_called() {
    let mut g = errno_guest();
    g.mem()[100..105].copy_from_slice(b"hello");
    g.write_iovecs(16, &[(100, 5)]);
    // Sentinels around the end of memory, where the bad pointers point.
    let len = g.mem().len();
    g.mem()[len - 16..].fill(0xAA);
    let before = g.snapshot();

    // Aligned and out of bounds: EFAULT.
    for ret in [PAGE, PAGE + 4, 0xFFFF_FFFC] {
        assert_eq!(
            g.fd_write(1, 16, 1, ret).unwrap(),
            EFAULT,
            "nwritten at {ret:#x}"
        );
    }
    // Misaligned *and* out of bounds: bounds are checked first, so still EFAULT.
    for ret in [PAGE - 2, 0xFFFF_FFFF] {
        assert_eq!(
            g.fd_write(1, 16, 1, ret).unwrap(),
            EFAULT,
            "nwritten at {ret:#x}"
        );
    }
    g.assert_nothing_written();
    assert_eq!(
        g.host().fd_write_calls,
        0,
        "the host ran before the result pointer was checked"
    );

    // clock_time_get's result is a u64 (align 8).
    for ret in [PAGE, PAGE + 8, 0xFFFF_FFF8] {
        assert_eq!(
            g.clock_time_get(0, 0, ret).unwrap(),
            EFAULT,
            "ret at {ret:#x}"
        );
    }
    for ret in [PAGE - 4, PAGE - 2, 0xFFFF_FFFF] {
        assert_eq!(
            g.clock_time_get(0, 0, ret).unwrap(),
            EFAULT,
            "ret at {ret:#x}"
        );
    }
    assert_eq!(g.host().clock_calls, 0);

    assert!(g.snapshot() == before, "guest memory changed");
}

#[test]
fn misaligned_result_pointer_in_bounds_is_einval() {
    let mut g = errno_guest();
    g.mem()[100..105].copy_from_slice(b"hello");
    g.write_iovecs(16, &[(100, 5)]);
    let before = g.snapshot();
    assert_eq!(g.fd_write(1, 16, 1, 2).unwrap(), EINVAL);
    assert_eq!(g.clock_time_get(0, 0, 4).unwrap(), EINVAL);
    g.assert_nothing_written();
    assert_eq!(g.host().fd_write_calls + g.host().clock_calls, 0);
    assert!(g.snapshot() == before, "guest memory changed");
}

#[test]
fn a_guest_without_memory_gets_efault_for_memory_functions_only() {
    let mut g = Guest::without_memory(Host::default(), Policy::default());
    assert_eq!(g.clock_time_get(0, 0, 0).unwrap(), EFAULT);
    assert_eq!(g.fd_write(1, 0, 0, 0).unwrap(), EFAULT);
    assert_eq!(g.sched_yield().unwrap(), ENOSYS);
    assert_eq!(g.host().clock_calls, 0);
    g.assert_nothing_written();
}

#[test]
fn a_successful_call_writes_the_bytes_and_the_result_exactly() {
    let mut g = errno_guest();
    g.mem()[100..107].copy_from_slice(b"hello, ");
    g.mem()[200..205].copy_from_slice(b"world");
    g.write_iovecs(16, &[(100, 7), (300, 0), (200, 5)]);
    g.mem()[40..52].fill(0xAA);
    assert_eq!(g.fd_write(1, 16, 3, 44).unwrap(), SUCCESS);
    assert_eq!(g.host().stdout, b"hello, world");
    let memory = g.memory();
    let data = memory.data(&g.store);
    assert_eq!(
        &data[40..52],
        &[0xAA, 0xAA, 0xAA, 0xAA, 12, 0, 0, 0, 0xAA, 0xAA, 0xAA, 0xAA]
    );

    // An empty list writes nothing and answers 0.
    assert_eq!(g.fd_write(1, 16, 0, 44).unwrap(), SUCCESS);
    assert_eq!(&g.mem()[44..48], &[0, 0, 0, 0]);
    // The host's own errno goes through unchanged, and nwritten is left alone.
    g.write_u32(44, 0xDEAD_BEEF);
    assert_eq!(g.fd_write(2, 16, 3, 44).unwrap(), EBADF);
    assert_eq!(&g.mem()[44..48], &0xDEAD_BEEFu32.to_le_bytes());
    assert_eq!(g.host().stdout, b"hello, world");

    g.mem()[56..72].fill(0xAA);
    assert_eq!(g.clock_time_get(1, 1000, 64).unwrap(), SUCCESS);
    let memory = g.memory();
    let data = memory.data(&g.store);
    assert_eq!(&data[56..64], &[0xAA; 8]);
    assert_eq!(&data[64..72], &123u64.to_le_bytes());
    assert_eq!(g.host().clock_calls, 1);
}

// ---------------------------------------------------------------------------------------------
// Policy::TRAP: the same failures end the call with a message naming function and argument.

#[test]
fn trap_policy_iovec_errors_name_function_and_argument() {
    let mut g = trap_guest();
    g.mem()[100..105].copy_from_slice(b"hello");

    let message = trap_message(g.fd_write(1, PAGE - 4, 1, 0));
    eprintln!("iovec array out of bounds:\n{message}\n");
    assert_mentions(&message, &["fd_write", "`iovs`", "out of bounds"]);

    let message = trap_message(g.fd_write(1, 0, 0x2000_0000, 0));
    eprintln!("iovec count overflow:\n{message}\n");
    assert_mentions(&message, &["fd_write", "`iovs`"]);

    let message = trap_message(g.fd_write(1, 2, 1, 0));
    eprintln!("misaligned iovec array:\n{message}\n");
    assert_mentions(&message, &["fd_write", "`iovs`", "aligned"]);

    // The buffers are checked by the host's `gather`, not by the glue, so these messages name
    // the function but not the argument.
    g.write_iovecs(16, &[(100, 5), (PAGE - 6, 10)]);
    let message = trap_message(g.fd_write(1, 16, 2, 0));
    eprintln!("iovec buffer out of bounds:\n{message}\n");
    assert_mentions(
        &message,
        &["fd_write", "10 bytes of `u8` at 0xfffa", "out of bounds"],
    );

    g.write_iovecs(16, &[(0, 0x8000_0000), (0, 0x8000_0000)]);
    let message = trap_message(g.fd_write(1, 16, 2, 0));
    eprintln!("iovec lengths 2 x 0x8000_0000:\n{message}\n");
    assert_mentions(&message, &["fd_write", "out of bounds"]);

    g.assert_nothing_written();
    assert_eq!(&g.mem()[0..4], &[0; 4]);
}

#[test]
fn trap_policy_bad_clock_and_result_pointer_name_function_and_argument() {
    let mut g = trap_guest();
    let message = trap_message(g.clock_time_get(99, 0, 8));
    eprintln!("clock id 99:\n{message}\n");
    assert_mentions(&message, &["clock_time_get", "`id`", "99"]);

    let message = trap_message(g.clock_time_get(0, 0, PAGE));
    eprintln!("clock_time_get ret out of bounds:\n{message}\n");
    assert_mentions(&message, &["clock_time_get", "`ret`", "out of bounds"]);

    g.mem()[100..105].copy_from_slice(b"hello");
    g.write_iovecs(16, &[(100, 5)]);
    let before = g.snapshot();
    for ret in [PAGE, PAGE - 2, 0xFFFF_FFFF] {
        let message = trap_message(g.fd_write(1, 16, 1, ret));
        eprintln!("fd_write nwritten at {ret:#x}:\n{message}\n");
        assert_mentions(&message, &["fd_write", "`ret`"]);
    }
    assert!(g.snapshot() == before, "guest memory changed");
    g.assert_nothing_written();
    assert_eq!(g.host().fd_write_calls + g.host().clock_calls, 0);

    // The instance is still usable after a trap from a host function.
    assert_eq!(g.fd_write(1, 16, 1, 0).unwrap(), SUCCESS);
    assert_eq!(g.host().stdout, b"hello");
}

#[test]
fn trap_policy_without_memory_names_function() {
    let mut g = Guest::without_memory(Host::default(), Policy::TRAP);
    let message = trap_message(g.clock_time_get(0, 0, 0));
    eprintln!("no memory:\n{message}\n");
    assert_mentions(&message, &["clock_time_get", "`ret`", "no memory"]);
}

#[test]
fn trap_policy_unimplemented_function_names_it() {
    let mut g = trap_guest();
    let message = trap_message(g.sched_yield());
    eprintln!("not implemented:\n{message}\n");
    assert_mentions(&message, &["sched_yield", "not implemented"]);

    let mut g = Guest::without_memory(Host::default(), Policy::TRAP);
    let message = trap_message(g.sched_yield());
    assert_mentions(&message, &["sched_yield", "not implemented"]);

    // Implemented functions still work under the trap policy.
    let mut g = trap_guest();
    assert_eq!(g.clock_time_get(0, 0, 8).unwrap(), SUCCESS);
    assert_eq!(&g.mem()[8..16], &123u64.to_le_bytes());
}

// ---------------------------------------------------------------------------------------------
// The sweep: pseudo-random arguments never panic the host.

/// xorshift64*, fixed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A 32-bit argument: an edge value, a small or near-the-end address, or anything.
    fn arg(&mut self) -> u32 {
        const EDGES: [u32; 14] = [
            0,
            1,
            2,
            4,
            8,
            0xFFFF,
            65535,
            65536,
            65532,
            65528,
            0xFFFF_FFFF,
            0xFFFF_FFF8,
            i32::MIN as u32,
            i32::MAX as u32,
        ];
        match self.below(4) {
            0 => EDGES[self.below(EDGES.len() as u64) as usize],
            1 => self.below(512) as u32,
            2 => PAGE - self.below(512) as u32,
            _ => self.next() as u32,
        }
    }

    fn arg64(&mut self) -> u64 {
        match self.below(3) {
            0 => [0, 1, u64::MAX, i64::MIN as u64, 0xFFFF_FFFF][self.below(5) as usize],
            1 => self.below(8),
            _ => self.next(),
        }
    }
}

#[derive(Default, Debug)]
struct Tally {
    ok: std::collections::BTreeMap<i32, usize>,
    traps: usize,
}

/// Checks one outcome: an errno of the rules, or (under the trap policy only) a trap naming the
/// function; never `Exit`.
fn check(func: &str, policy: &Policy, result: wasmtime::Result<i32>, tally: &mut Tally) {
    match result {
        Ok(code) => {
            assert!(
                [SUCCESS, EBADF, EFAULT, EINVAL, ENOSYS, EOVERFLOW].contains(&code),
                "{func} returned {code}"
            );
            if *policy == Policy::TRAP {
                assert!(
                    code == SUCCESS || code == EBADF || code == EINVAL,
                    "{func} returned {code} under the trap policy"
                );
            }
            *tally.ok.entry(code).or_default() += 1;
        }
        Err(err) => {
            assert!(
                *policy == Policy::TRAP,
                "{func} trapped under the errno policy: {err:?}"
            );
            assert!(err.downcast_ref::<Exit>().is_none(), "{func}: {err:?}");
            let message = format!("{err:#}");
            assert!(message.contains(func), "{func}: {message}");
            tally.traps += 1;
        }
    }
}

fn sweep<H: WasiSnapshotPreview1 + 'static>(
    name: &str,
    mut make: impl FnMut() -> H,
    after_call: impl Fn(&mut H),
) -> Vec<Tally> {
    let mut tallies = Vec::new();
    for policy in [Policy::default(), Policy::TRAP] {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut g = Guest::new(make(), policy.clone());
        let mut tally = Tally::default();
        for _ in 0..400 {
            // Scribble on the start and the end of memory, where the arguments mostly point:
            // random bytes, or plausible iovecs.
            let plausible = rng.below(2) == 0;
            for base in [0usize, PAGE as usize - 256] {
                for i in (0..256).step_by(4) {
                    let word = if plausible {
                        if i % 8 == 0 {
                            rng.arg()
                        } else {
                            rng.below(64) as u32
                        }
                    } else {
                        rng.next() as u32
                    };
                    g.mem()[base + i..base + i + 4].copy_from_slice(&word.to_le_bytes());
                }
            }
            let fd = [0, 1, 2, 3, u32::MAX][rng.below(5) as usize];
            let r = g.fd_write(fd, rng.arg(), rng.arg(), rng.arg());
            check("fd_write", &policy, r, &mut tally);
            let r = g.fd_read(fd, rng.arg(), rng.arg(), rng.arg());
            check("fd_read", &policy, r, &mut tally);
            let id = match rng.below(3) {
                0 => rng.below(6) as u32,
                _ => rng.arg(),
            };
            let r = g.clock_time_get(id, rng.arg64(), rng.arg());
            check("clock_time_get", &policy, r, &mut tally);
            let r = g.args_get(rng.arg(), rng.arg());
            check("args_get", &policy, r, &mut tally);
            let r = g.random_get(rng.arg(), rng.arg());
            check("random_get", &policy, r, &mut tally);
            after_call(g.host_mut());
        }
        eprintln!("sweep {name} {policy:?}: {tally:?}");
        tallies.push(tally);
    }
    tallies
}

#[test]
fn pseudo_random_arguments_never_panic() {
    let nothing = sweep("nothing", || Nothing, |_| {});
    // A host that implements nothing never succeeds: ENOSYS or an argument errno, or a trap.
    assert!(!nothing[0].ok.contains_key(&SUCCESS));
    assert!(nothing[0].ok.contains_key(&ENOSYS));
    assert!(nothing[1].ok.is_empty(), "{:?}", nothing[1]);

    let host = sweep("host", Host::default, |h| h.stdout.clear());
    let busy = sweep("busy", Busy::default, |_| {});
    // The sweep is not vacuous: calls succeed, fail with EFAULT and EINVAL, and trap.
    for tallies in [&host, &busy] {
        for code in [SUCCESS, EFAULT, EINVAL] {
            assert!(
                tallies[0].ok.contains_key(&code),
                "no {code}: {:?}",
                tallies[0]
            );
        }
        assert!(tallies[1].traps > 0);
        assert!(tallies[1].ok.contains_key(&SUCCESS), "{:?}", tallies[1]);
    }
}
