// A host of the async trait cannot be linked with the synchronous `add_to_linker`, whose calls
// could not await it.
use wasi_stubs::preview1::{self, CiovecArray, Errno, Fd, Size, WasiSnapshotPreview1Async};
use wasi_stubs::{Ctx, Error, GuestMemory, wasi_stubs};

struct Host;

#[wasi_stubs(override(fd_write))]
impl WasiSnapshotPreview1Async for Host {
    async fn fd_write(&mut self, mem: &mut GuestMemory<'_>, _fd: Fd, iovs: CiovecArray) -> Result<Size, Error<Errno>> {
        Ok(mem.gather(iovs, |_| {})?)
    }
}

fn main() {
    let engine = wasmtime::Engine::default();
    let mut linker = wasmtime::Linker::new(&engine);
    preview1::add_to_linker(&mut linker, |ctx: &mut Ctx<Host>| ctx).unwrap();
}
