use wasi_stubs::component::Defaults;
use wasi_stubs::p2::wasi::cli::stdout::Host;
use wasi_stubs::wasi_stubs;

struct Stub;

impl Defaults for Stub {}

#[wasi_stubs(override())]
impl Host for Stub {}

fn main() {}
