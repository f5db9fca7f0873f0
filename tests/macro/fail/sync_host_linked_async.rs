// A host of the synchronous trait cannot be linked with `add_to_linker_async` (nor run with
// `Guest::run_async`): the error says which trait to implement.
use wasi_stubs::preview1::{self, Clockid, Errno, Timestamp, WasiSnapshotPreview1};
use wasi_stubs::{Ctx, Error, wasi_stubs};

struct Host;

#[wasi_stubs(override(clock_time_get))]
impl WasiSnapshotPreview1 for Host {
    fn clock_time_get(&mut self, _id: Clockid, _precision: Timestamp) -> Result<Timestamp, Error<Errno>> {
        Ok(0)
    }
}

fn main() {
    let engine = wasmtime::Engine::default();
    let mut linker = wasmtime::Linker::new(&engine);
    preview1::add_to_linker_async(&mut linker, |ctx: &mut Ctx<Host>| ctx).unwrap();
}
