//! The README's first host, word for word but for the guest's path, taken from the command line:
//! built by `run.sh` against the packaged crates, as a user of crates.io builds it.

use wasi_stubs::preview1::{self, Clockid, CiovecArray, Errno, Fd, Size, Timestamp};
use wasi_stubs::{Ctx, Error, GuestMemory, GuestPtr, wasi_stubs};

#[derive(Default)]
struct Host { stdout: Vec<u8>, seed: u8 }

#[wasi_stubs(override(fd_write, clock_time_get, random_get))] // checked at compile time
impl preview1::WasiSnapshotPreview1 for Host {
    fn fd_write(&mut self, mem: &mut GuestMemory<'_>, fd: Fd, iovs: CiovecArray) -> Result<Size, Error<Errno>> {
        if fd.raw() != 1 { return Err(Errno::Badf.into()) }
        Ok(mem.gather(iovs, |bytes| self.stdout.extend_from_slice(bytes))?)
    }
    fn clock_time_get(&mut self, _id: Clockid, _precision: Timestamp) -> Result<Timestamp, Error<Errno>> {
        Ok(1_700_000_000_000_000_000)
    }
    fn random_get(&mut self, mem: &mut GuestMemory<'_>, buf: GuestPtr<u8>, len: Size) -> Result<(), Error<Errno>> {
        for b in mem.bytes_mut(buf, len)? { self.seed = self.seed.wrapping_mul(31).wrapping_add(7); *b = self.seed }
        Ok(())
    }
}

fn main() -> wasmtime::Result<()> {
    let engine = wasmtime::Engine::default();
    let module = wasmtime::Module::from_file(&engine, std::env::args().nth(1).expect("usage: host GUEST.wasm"))?;
    let mut linker = wasmtime::Linker::new(&engine);
    preview1::add_to_linker(&mut linker, |ctx: &mut Ctx<Host>| ctx)?; // all 46 functions
    let mut store = wasmtime::Store::new(&engine, Ctx::new(Host::default()));
    let instance = linker.instantiate(&mut store, &module)?;
    instance.get_typed_func::<(), ()>(&mut store, "_start")?.call(&mut store, ())?;
    print!("{}", String::from_utf8_lossy(&store.data().stdout));
    Ok(())
}
