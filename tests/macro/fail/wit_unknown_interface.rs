use wasi_stubs::wasi_stubs;

struct A;
struct B;
struct C;

// A `Host` trait, but not of an interface of `wasi_stubs::p2`.
mod stdot {
    pub trait Host {}
}

mod logging {
    pub trait Host {}
}

#[wasi_stubs(override())]
impl stdot::Host for A {}

#[wasi_stubs(override())]
impl logging::Host for B {}

#[wasi_stubs(override(), module = "wasi:cli/stdot")]
impl logging::Host for C {}

fn main() {}
