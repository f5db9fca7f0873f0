// A host of the async trait: `fd_write` and `poll_oneoff` are `async fn`, `clock_time_get` stays
// synchronous, everything else keeps its default; linked with `add_to_linker_async`.
use wasi_stubs::preview1::{
    self, CiovecArray, Clockid, Errno, Event, Fd, Size, Subscription, Timestamp,
    WasiSnapshotPreview1Async,
};
use wasi_stubs::{Coverage, Ctx, Error, GuestMemory, GuestPtr, wasi_stubs};

#[derive(Default)]
struct Host {
    written: Vec<u8>,
}

#[wasi_stubs(override(fd_write, poll_oneoff, clock_time_get))]
impl WasiSnapshotPreview1Async for Host {
    async fn fd_write(&mut self, mem: &mut GuestMemory<'_>, _fd: Fd, iovs: CiovecArray) -> Result<Size, Error<Errno>> {
        let n = mem.gather(iovs, |b| self.written.extend_from_slice(b))?;
        wasi_stubs::lifecycle::sleep_async(std::time::Duration::from_millis(1)).await?;
        Ok(n)
    }

    async fn poll_oneoff(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        _in: GuestPtr<Subscription>,
        _out: GuestPtr<Event>,
        _n: Size,
    ) -> Result<Size, Error<Errno>> {
        Err(Errno::Inval.into())
    }

    fn clock_time_get(&mut self, _id: Clockid, _precision: Timestamp) -> Result<Timestamp, Error<Errno>> {
        Ok(0)
    }
}

fn main() {
    assert_eq!(
        <Host as Coverage<dyn WasiSnapshotPreview1Async>>::OVERRIDES,
        ["clock_time_get", "fd_write", "poll_oneoff"]
    );
    let engine = wasmtime::Engine::default();
    let mut linker = wasmtime::Linker::new(&engine);
    preview1::add_to_linker_async(&mut linker, |ctx: &mut Ctx<Host>| ctx).unwrap();
}
