use wasi_stubs::preview1::WasiSnapshotPreview1;
use wasi_stubs::{Coverage, wasi_stubs};

/// A pure stub host, as with `override = ""`: every function answers ENOSYS.
struct Stubs;

#[wasi_stubs(override())]
impl WasiSnapshotPreview1 for Stubs {}

fn main() {
    assert!(<Stubs as Coverage<dyn WasiSnapshotPreview1>>::OVERRIDES.is_empty());
}
