use wasi_stubs::preview1::{
    self, Clockid, Errno, Size, Timestamp, WasiSnapshotPreview1,
};
use wasi_stubs::{Coverage, Error, GuestMemory, GuestPtr, wasi_stubs};

struct Host;

// The string spelling, in any order.
#[wasi_stubs(override = "random_get, clock_time_get, args_sizes_get, proc_exit, sched_yield")]
impl preview1::WasiSnapshotPreview1 for Host {
    fn clock_time_get(&mut self, _id: Clockid, _precision: Timestamp) -> Result<Timestamp, Error<Errno>> {
        Ok(0)
    }
    fn random_get(&mut self, mem: &mut GuestMemory<'_>, buf: GuestPtr<u8>, len: Size) -> Result<(), Error<Errno>> {
        mem.bytes_mut(buf, len)?.fill(4);
        Ok(())
    }
    fn args_sizes_get(&mut self) -> Result<(Size, Size), Error<Errno>> {
        Ok((0, 0))
    }
    fn proc_exit(&mut self, rval: preview1::Exitcode) -> wasi_stubs::wasmtime::Error {
        wasi_stubs::Exit { code: rval }.into()
    }
    fn sched_yield(&mut self) -> Result<(), Error<Errno>> {
        Ok(())
    }
}

fn main() {
    // Recorded in document order, whatever the order of the list.
    assert_eq!(
        <Host as Coverage<dyn WasiSnapshotPreview1>>::OVERRIDES,
        ["args_sizes_get", "clock_time_get", "proc_exit", "sched_yield", "random_get"]
    );
    assert!(<Host as Coverage<dyn WasiSnapshotPreview1>>::overrides("sched_yield"));
    assert!(!<Host as Coverage<dyn WasiSnapshotPreview1>>::overrides("fd_write"));
}
