use wasi_stubs::preview1::{Errno, Size, WasiSnapshotPreview1 as Preview1};
use wasi_stubs::{Coverage, Error, wasi_stubs};

struct Host;

// One name a line, as rustfmt lays out a long list, with a trailing comma; `module` after it
// (the trait is renamed, so it is not found by name).
#[wasi_stubs(
    override(
        args_sizes_get,
        environ_sizes_get,
    ),
    module = "wasi_snapshot_preview1",
)]
impl Preview1 for Host {
    fn args_sizes_get(&mut self) -> Result<(Size, Size), Error<Errno>> {
        Ok((0, 0))
    }
    fn environ_sizes_get(&mut self) -> Result<(Size, Size), Error<Errno>> {
        Ok((0, 0))
    }
}

struct One;

#[wasi_stubs(override(sched_yield,), module = "wasi_snapshot_preview1")]
impl Preview1 for One {
    fn sched_yield(&mut self) -> Result<(), Error<Errno>> {
        Ok(())
    }
}

fn main() {
    assert_eq!(<Host as Coverage<dyn Preview1>>::OVERRIDES, ["args_sizes_get", "environ_sizes_get"]);
    assert_eq!(<One as Coverage<dyn Preview1>>::OVERRIDES, ["sched_yield"]);
}
