use wasi_stubs::wasi_stubs;

trait Greet {
    fn greet(&self);
}

struct Host;

#[wasi_stubs(override = "greet")]
impl Greet for Host {
    fn greet(&self) {}
}

fn main() {}
