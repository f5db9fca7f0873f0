// The futures of an async host must be `Send` (wasmtime's `func_wrap_async` moves them between
// threads): a host holding an `Rc` is refused at its impl.
use std::rc::Rc;

use wasi_stubs::preview1::WasiSnapshotPreview1Async;
use wasi_stubs::wasi_stubs;

struct Host(Rc<()>);

#[wasi_stubs(override())]
impl WasiSnapshotPreview1Async for Host {}

fn main() {}
