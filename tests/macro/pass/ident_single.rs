use wasi_stubs::preview1::{CiovecArray, Errno, Fd, Size, WasiSnapshotPreview1};
use wasi_stubs::{Coverage, Error, GuestMemory, wasi_stubs};

struct Host;

#[wasi_stubs(override(fd_write))]
impl WasiSnapshotPreview1 for Host {
    fn fd_write(&mut self, mem: &mut GuestMemory<'_>, _fd: Fd, iovs: CiovecArray) -> Result<Size, Error<Errno>> {
        Ok(mem.gather(iovs, |_| {})?)
    }
}

fn main() {
    assert_eq!(<Host as Coverage<dyn WasiSnapshotPreview1>>::OVERRIDES, ["fd_write"]);
}
