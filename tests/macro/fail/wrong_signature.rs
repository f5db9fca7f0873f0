use wasi_stubs::preview1::{Errno, Timestamp, WasiSnapshotPreview1};
use wasi_stubs::{Error, wasi_stubs};

struct Host;

#[wasi_stubs(override = "clock_time_get")]
impl WasiSnapshotPreview1 for Host {
    // The clock id is a `Clockid`, not a `u32`.
    fn clock_time_get(&mut self, _id: u32, _precision: Timestamp) -> Result<Timestamp, Error<Errno>> {
        Ok(0)
    }
}

fn main() {}
