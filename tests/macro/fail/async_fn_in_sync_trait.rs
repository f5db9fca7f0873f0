// The synchronous trait has no async methods: an `async fn` is refused, pointing at the async
// trait where `fd_write` is async.
use wasi_stubs::preview1::{CiovecArray, Errno, Fd, Size, WasiSnapshotPreview1};
use wasi_stubs::{Error, GuestMemory, wasi_stubs};

struct Host;

#[wasi_stubs(override(fd_write))]
impl WasiSnapshotPreview1 for Host {
    async fn fd_write(&mut self, mem: &mut GuestMemory<'_>, _fd: Fd, iovs: CiovecArray) -> Result<Size, Error<Errno>> {
        Ok(mem.gather(iovs, |_| {})?)
    }
}

fn main() {}
