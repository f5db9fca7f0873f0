//! The committed async form of `codegen/tests/golden/kitchen_sink.witx` (`lists`, `records`,
//! `plain` and `stop` async; `scalars` and `nothing` synchronous) compiles, and on an async store
//! its async methods are awaited, its synchronous ones called, and the methods a host leaves out
//! keep their default answers: the generator's async form works for a document that is not WASI.

#[allow(dead_code)]
mod kitchen {
    include!("../../codegen/tests/golden/kitchen_sink_async.rs");
}

use std::time::Duration;

use kitchen::*;
use wasi_stubs::{Ctx, Error, Exit, GuestMemory, GuestStr, NoErrorCode};
use wasmtime::{Engine, Instance, Linker, Module, Store};

#[derive(Default)]
struct Sink {
    seen: Vec<String>,
    bytes: Vec<u8>,
}

// `records`, `nothing` and `stop` keep their defaults.
impl KitchenSinkAsync for Sink {
    #[allow(clippy::too_many_arguments)]
    fn scalars(
        &mut self,
        kind: Kind,
        _mode: Mode,
        _caps: Caps,
        h: Handle,
        _small: Small,
        _large: Large,
        _ratio: f64,
        _letter: Letter,
    ) -> Result<(), Error<Errno>> {
        self.seen.push(format!("scalars({kind:?}, {h})"));
        Ok(())
    }

    async fn lists(
        &mut self,
        mem: &mut GuestMemory<'_>,
        name: GuestStr,
        bufs: BufArray,
    ) -> Result<Size, Error<Errno>> {
        let name = mem.str(name)?.to_string();
        // The guest is suspended while the host waits; its memory is still the host's to use.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let total = mem.gather(bufs, |b| self.bytes.extend_from_slice(b))?;
        self.seen.push(format!("lists({name}, {})", bufs.len()));
        Ok(total)
    }

    async fn plain(&mut self, x: u32) -> Result<u64, Error<NoErrorCode>> {
        tokio::task::yield_now().await;
        Ok(u64::from(x) * 3)
    }
}

const GUEST: &str = r#"
(module
  (import "kitchen_sink" "scalars" (func $scalars (param i32 i32 i64 i32 i32 i64 f64 i32) (result i32)))
  (import "kitchen_sink" "lists" (func $lists (param i32 i32 i32 i32 i32) (result i32)))
  (import "kitchen_sink" "records" (func $records (param i32 i32 i32 i32 i32) (result i32)))
  (import "kitchen_sink" "plain" (func $plain (param i32) (result i64)))
  (import "kitchen_sink" "nothing" (func $nothing))
  (import "kitchen_sink" "stop" (func $stop (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "h\c3\a9llo")
  (data (i32.const 200) "\2c\01\00\00\03\00\00\00\36\01\00\00\02\00\00\00")
  (data (i32.const 300) "abc")
  (data (i32.const 310) "de")
  (func (export "scalars") (result i32)
    (call $scalars (i32.const 1) (i32.const 3) (i64.const 5) (i32.const 7)
                   (i32.const -2) (i64.const 0) (f64.const 2.5) (i32.const 65)))
  (func (export "lists") (result i32)
    (call $lists (i32.const 100) (i32.const 6) (i32.const 200) (i32.const 2) (i32.const 600)))
  (func (export "bad_lists") (result i32)
    (call $lists (i32.const 65530) (i32.const 7) (i32.const 200) (i32.const 2) (i32.const 600)))
  (func (export "records") (result i32)
    (call $records (i32.const 400) (i32.const 448) (i32.const 512) (i32.const 600) (i32.const 604)))
  (func (export "plain") (param i32) (result i64) (call $plain (local.get 0)))
  (func (export "nothing") (call $nothing))
  (func (export "stop") (param i32) (call $stop (local.get 0)))
  (func (export "written") (result i32) (i32.load (i32.const 600)))
)
"#;

struct Kitchen {
    store: Store<Ctx<Sink>>,
    instance: Instance,
}

impl Kitchen {
    async fn new() -> Self {
        let engine = Engine::default();
        let module = Module::new(&engine, GUEST).unwrap();
        let mut linker = Linker::new(&engine);
        add_to_linker_async(&mut linker, |ctx: &mut Ctx<Sink>| ctx).unwrap();
        let mut store = Store::new(&engine, Ctx::new(Sink::default()));
        let instance = linker.instantiate_async(&mut store, &module).await.unwrap();
        Kitchen { store, instance }
    }

    async fn call<P, R>(&mut self, name: &str, params: P) -> wasmtime::Result<R>
    where
        P: wasmtime::WasmParams + Send + Sync,
        R: wasmtime::WasmResults + Send + Sync,
    {
        let f = self
            .instance
            .get_typed_func::<P, R>(&mut self.store, name)?;
        f.call_async(&mut self.store, params).await
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

#[test]
fn async_and_sync_methods_are_called_and_defaults_kept() {
    runtime().block_on(async {
        let mut k = Kitchen::new().await;
        assert_eq!(k.call::<(), i32>("scalars", ()).await.unwrap(), 0);
        assert_eq!(k.call::<(), i32>("lists", ()).await.unwrap(), 0);
        assert_eq!(k.call::<(), i32>("written", ()).await.unwrap(), 5);
        assert_eq!(k.call::<i32, i64>("plain", 14).await.unwrap(), 42);
        let host = k.store.data();
        assert_eq!(host.seen, ["scalars(Dir, 7)", "lists(héllo, 2)"]);
        assert_eq!(host.bytes, b"abcde");

        // Bad input is refused by the glue before the async method runs.
        let fault = i32::from(Errno::Fault.raw());
        assert_eq!(k.call::<(), i32>("bad_lists", ()).await.unwrap(), fault);
        assert_eq!(k.store.data().seen.len(), 2);

        // The defaults: `records` (async) answers `nosys`, `nothing` (sync, no error code)
        // traps, and `stop` (async) exits with its code.
        let nosys = i32::from(Errno::Nosys.raw());
        assert_eq!(k.call::<(), i32>("records", ()).await.unwrap(), nosys);
        let err = k.call::<(), ()>("nothing", ()).await.unwrap_err();
        assert!(
            format!("{err:?}").contains("nothing: not implemented by this host"),
            "{err:?}"
        );
        let err = k.call::<i32, ()>("stop", 5).await.unwrap_err();
        assert_eq!(err.downcast_ref::<Exit>(), Some(&Exit { code: 5 }));
    });
}
