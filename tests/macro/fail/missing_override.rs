use wasi_stubs::preview1::WasiSnapshotPreview1;
use wasi_stubs::wasi_stubs;

struct Host;

#[wasi_stubs]
impl WasiSnapshotPreview1 for Host {}

fn main() {}
