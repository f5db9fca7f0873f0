use wasi_stubs::component::Defaults;
use wasi_stubs::p2::wasi;
use wasi_stubs::p2::wasi::clocks::wall_clock::Datetime;
use wasi_stubs::wasi_stubs;

struct Host;

impl Defaults for Host {}

#[wasi_stubs(override())]
impl wasi::clocks::wall_clock::Host for Host {
    fn now(&mut self) -> wasmtime::Result<Datetime> {
        Ok(Datetime { seconds: 1, nanoseconds: 0 })
    }
    fn nowe(&mut self) -> wasmtime::Result<Datetime> {
        Ok(Datetime { seconds: 1, nanoseconds: 0 })
    }
}

fn main() {}
