// `clock_time_get` is synchronous in the async trait too: an `async fn` is refused.
use wasi_stubs::preview1::{Clockid, Errno, Timestamp, WasiSnapshotPreview1Async};
use wasi_stubs::{Error, wasi_stubs};

struct Host;

#[wasi_stubs(override(clock_time_get))]
impl WasiSnapshotPreview1Async for Host {
    async fn clock_time_get(&mut self, _id: Clockid, _precision: Timestamp) -> Result<Timestamp, Error<Errno>> {
        Ok(0)
    }
}

fn main() {}
