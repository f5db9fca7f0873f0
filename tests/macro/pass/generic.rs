use std::io::Write;

use wasi_stubs::preview1::{CiovecArray, Errno, Fd, Size, WasiSnapshotPreview1};
use wasi_stubs::{Coverage, Error, GuestMemory, wasi_stubs};

struct Host<W> {
    out: W,
}

#[wasi_stubs(override = "fd_write")]
impl<W> WasiSnapshotPreview1 for Host<W>
where
    W: Write + Send + 'static,
{
    fn fd_write(&mut self, mem: &mut GuestMemory<'_>, _fd: Fd, iovs: CiovecArray) -> Result<Size, Error<Errno>> {
        let mut failed = false;
        let n = mem.gather(iovs, |bytes| failed |= self.out.write_all(bytes).is_err())?;
        if failed { Err(Errno::Io.into()) } else { Ok(n) }
    }
}

fn main() {
    let _host = Host { out: Vec::<u8>::new() };
    assert_eq!(<Host<Vec<u8>> as Coverage<dyn WasiSnapshotPreview1>>::OVERRIDES, ["fd_write"]);
}
