use wasi_stubs::component::Defaults;
use wasi_stubs::p2::wasi;
use wasi_stubs::p2::wasi::io::streams::OutputStream;
use wasi_stubs::wasi_stubs;
use wasmtime::component::Resource;

struct Host;

impl Defaults for Host {}

// The method name and the WIT name are the same function.
#[wasi_stubs(override = "get_stdout, get-stdout")]
impl wasi::cli::stdout::Host for Host {
    fn get_stdout(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        Ok(Resource::new_own(1))
    }
}

fn main() {}
