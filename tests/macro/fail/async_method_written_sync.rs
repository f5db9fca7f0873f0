// `fd_write` is async in the async trait: a synchronous `fn` is refused, saying what to write.
use wasi_stubs::preview1::{CiovecArray, Errno, Fd, Size, WasiSnapshotPreview1Async};
use wasi_stubs::{Error, GuestMemory, wasi_stubs};

struct Host;

#[wasi_stubs(override(fd_write))]
impl WasiSnapshotPreview1Async for Host {
    fn fd_write(&mut self, mem: &mut GuestMemory<'_>, _fd: Fd, iovs: CiovecArray) -> Result<Size, Error<Errno>> {
        Ok(mem.gather(iovs, |_| {})?)
    }
}

fn main() {}
