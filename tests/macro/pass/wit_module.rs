// `module` names the interface when the trait is written `Host` alone.
use wasi_stubs::component::{Coverage, Defaults};
use wasi_stubs::p2::wasi::clocks::wall_clock::{self, Datetime, Host as WallClock};
use wasi_stubs::wasi_stubs;

struct Host;

impl Defaults for Host {}

#[wasi_stubs(override(now, resolution), module = "wasi:clocks/wall-clock")]
impl WallClock for Host {
    fn now(&mut self) -> wasmtime::Result<Datetime> {
        Ok(Datetime { seconds: 1, nanoseconds: 0 })
    }
    fn resolution(&mut self) -> wasmtime::Result<Datetime> {
        Ok(Datetime { seconds: 0, nanoseconds: 1 })
    }
}

fn main() {
    assert_eq!(<Host as Coverage<dyn wall_clock::Host>>::OVERRIDES, ["now", "resolution"]);
}
