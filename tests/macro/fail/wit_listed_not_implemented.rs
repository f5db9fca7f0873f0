use wasi_stubs::component::Defaults;
use wasi_stubs::p2::wasi;
use wasi_stubs::wasi_stubs;

struct Host;

impl Defaults for Host {}

#[wasi_stubs(override(now))]
impl wasi::clocks::wall_clock::Host for Host {}

fn main() {}
