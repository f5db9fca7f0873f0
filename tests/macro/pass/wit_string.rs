// The string spelling takes WIT names as well as method names; the path may be short.
use wasi_stubs::component::{Coverage, Defaults, Interface};
use wasi_stubs::p2::wasi::io::streams;
use wasi_stubs::p2::wasi::io::streams::{OutputStream, StreamError};
use wasi_stubs::wasi_stubs;
use wasmtime::component::Resource;

struct Host;

impl Defaults for Host {}

#[wasi_stubs(override = "[method]output-stream.blocking-write-and-flush, output_stream_drop,")]
impl streams::Host for Host {
    fn output_stream_drop(&mut self, _stream: Resource<OutputStream>) -> wasmtime::Result<()> {
        Ok(())
    }

    fn output_stream_blocking_write_and_flush(
        &mut self,
        _stream: Resource<OutputStream>,
        _contents: Vec<u8>,
    ) -> wasmtime::Result<Result<(), StreamError>> {
        Ok(Ok(()))
    }
}

fn main() {
    type Streams = dyn streams::Host;
    assert_eq!(<Streams as Interface>::NAME, "wasi:io/streams@0.2.12");
    assert_eq!(
        <Host as Coverage<Streams>>::OVERRIDES,
        [
            "[resource-drop]output-stream",
            "[method]output-stream.blocking-write-and-flush"
        ]
    );
    let covered: Vec<&str> = <Host as Coverage<Streams>>::coverage()
        .filter(|(_, overridden)| *overridden)
        .map(|(name, _)| name)
        .collect();
    assert_eq!(covered, <Host as Coverage<Streams>>::OVERRIDES);
    assert_eq!(<Host as Coverage<Streams>>::coverage().count(), 17);
}
