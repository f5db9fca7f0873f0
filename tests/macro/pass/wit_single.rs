use wasi_stubs::component::{Coverage, Defaults};
use wasi_stubs::p2::wasi;
use wasi_stubs::p2::wasi::io::streams::OutputStream;
use wasi_stubs::wasi_stubs;
use wasmtime::component::Resource;

struct Host;

impl Defaults for Host {}

#[wasi_stubs(override(get_stdout))]
impl wasi::cli::stdout::Host for Host {
    fn get_stdout(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        Ok(Resource::new_own(1))
    }
}

fn main() {
    type Stdout = dyn wasi::cli::stdout::Host;
    assert_eq!(<Host as Coverage<Stdout>>::OVERRIDES, ["get-stdout"]);
    assert!(<Host as Coverage<Stdout>>::overrides("get-stdout"));
}
