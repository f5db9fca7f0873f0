//! The committed generator output for `codegen/tests/golden/kitchen_sink.witx` compiles, and every
//! kind of type crosses the boundary as the document says: scalars, flags, handles, chars, floats,
//! strings, lists of buffers, records and unions by reference, tuples of results, plain results,
//! functions that return nothing and a `noreturn` one.

#[allow(dead_code)]
mod kitchen {
    include!("../../codegen/tests/golden/kitchen_sink.rs");
}

use kitchen::*;
use wasi_stubs::{Error, Exit, GuestMemory, GuestPtr, GuestStr, NoErrorCode, Policy};
use wasi_stubs_tests::Guest;

#[derive(Default)]
struct Sink {
    seen: Vec<String>,
    bytes: Vec<u8>,
}

impl KitchenSink for Sink {
    #[allow(clippy::too_many_arguments)]
    fn scalars(
        &mut self,
        kind: Kind,
        mode: Mode,
        caps: Caps,
        h: Handle,
        small: Small,
        large: Large,
        ratio: f64,
        letter: Letter,
    ) -> Result<(), Error<Errno>> {
        self.seen.push(format!(
            "{kind:?} {mode:?} {caps:?} {h} {small} {large} {ratio} {letter}"
        ));
        Ok(())
    }

    fn lists(
        &mut self,
        mem: &mut GuestMemory<'_>,
        name: GuestStr,
        bufs: BufArray,
    ) -> Result<Size, Error<Errno>> {
        let name = mem.str(name)?.to_string();
        let total = mem.gather(bufs, |b| self.bytes.extend_from_slice(b))?;
        self.seen.push(format!("lists({name}, {})", bufs.len()));
        Ok(total)
    }

    fn records(
        &mut self,
        mem: &mut GuestMemory<'_>,
        stat: Stat,
        shape: Shape,
        r#in: GuestPtr<Pair>,
    ) -> Result<(Size, Kind), Error<Errno>> {
        let pair = mem.read(r#in)?;
        let name = mem.str(stat.name)?;
        self.seen.push(format!(
            "records({:?} {:#x} {:?} {} {} {name}, {shape:?}, {pair:?})",
            stat.kind, stat.size, stat.mode, stat.ratio, stat.owner
        ));
        Ok((pair.0 + 1, stat.kind))
    }

    fn plain(&mut self, x: u32) -> Result<u64, Error<NoErrorCode>> {
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
  (func (export "scalars") (param i32 i32 i64 i32 i32 i64 f64 i32) (result i32)
    (call $scalars (local.get 0) (local.get 1) (local.get 2) (local.get 3)
                   (local.get 4) (local.get 5) (local.get 6) (local.get 7)))
  (func (export "lists") (param i32 i32 i32 i32 i32) (result i32)
    (call $lists (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "records") (param i32 i32 i32 i32 i32) (result i32)
    (call $records (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
  (func (export "plain") (param i32) (result i64) (call $plain (local.get 0)))
  (func (export "nothing") (call $nothing))
  (func (export "stop") (param i32) (call $stop (local.get 0)))
)
"#;

type Scalars = (i32, i32, i64, i32, i32, i64, f64, i32);
type Five = (i32, i32, i32, i32, i32);

struct Kitchen {
    guest: Guest<Sink>,
}

impl Kitchen {
    fn new(policy: Policy) -> Self {
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(&engine, GUEST).unwrap();
        let mut linker = wasmtime::Linker::new(&engine);
        add_to_linker(&mut linker, |ctx: &mut wasi_stubs::Ctx<Sink>| ctx).unwrap();
        let mut store = wasmtime::Store::new(
            &engine,
            wasi_stubs::Ctx::new(Sink::default()).with_policy(policy),
        );
        let instance = linker.instantiate(&mut store, &module).unwrap();
        Kitchen {
            guest: Guest { store, instance },
        }
    }

    fn scalars(&mut self, args: Scalars) -> wasmtime::Result<i32> {
        let g = &mut self.guest;
        let f = g
            .instance
            .get_typed_func::<Scalars, i32>(&mut g.store, "scalars")?;
        f.call(&mut g.store, args)
    }

    fn five(&mut self, name: &str, args: Five) -> wasmtime::Result<i32> {
        let g = &mut self.guest;
        let f = g.instance.get_typed_func::<Five, i32>(&mut g.store, name)?;
        f.call(&mut g.store, args)
    }
}

#[test]
fn the_function_table_matches_the_document() {
    let names: Vec<_> = FUNCTIONS.iter().map(|f| f.name).collect();
    assert_eq!(
        names,
        ["scalars", "lists", "records", "plain", "nothing", "stop"]
    );
    assert_eq!(MODULE, "kitchen_sink");
}

#[test]
fn scalars_of_every_kind_are_lifted_and_checked() {
    let mut k = Kitchen::new(Policy::default());
    let ok = k
        .scalars((1, 3, 5, 7, -2, -9_000_000_000, 2.5, 'é' as i32))
        .unwrap();
    assert_eq!(ok, 0);
    assert_eq!(
        k.guest.host().seen,
        ["Dir Mode(read | write) Caps(a | c) 7 -2 -9000000000 2.5 é"]
    );
    // An enum value, flag bits, a surrogate char and an s8 out of range are all this document's
    // `inval` (3, where WASI's is 28).
    let inval = i32::from(Errno::Inval.raw());
    assert_eq!(k.scalars((2, 0, 0, 0, 0, 0, 0.0, 65)).unwrap(), inval);
    assert_eq!(k.scalars((0, 4, 0, 0, 0, 0, 0.0, 65)).unwrap(), inval);
    assert_eq!(k.scalars((0, 0, 8, 0, 0, 0, 0.0, 65)).unwrap(), inval);
    assert_eq!(k.scalars((0, 0, 0, 0, 0, 0, 0.0, 0xD800)).unwrap(), inval);
    assert_eq!(k.scalars((0, 0, 0, 0, 300, 0, 0.0, 65)).unwrap(), inval);
    assert_eq!(k.scalars((0, 0, 0, 0, -129, 0, 0.0, 65)).unwrap(), inval);
    assert_eq!(
        k.guest.host().seen.len(),
        1,
        "the host never saw a bad value"
    );
}

#[test]
fn strings_and_lists_of_buffers() {
    let mut k = Kitchen::new(Policy::default());
    k.guest.set_memory(100, "héllo".as_bytes());
    k.guest.set_memory(300, b"abc");
    k.guest.set_memory(310, b"de");
    let bufs: Vec<u8> = [300u32, 3, 310, 2]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    k.guest.set_memory(200, &bufs);
    assert_eq!(k.five("lists", (100, 6, 200, 2, 600)).unwrap(), 0);
    assert_eq!(k.guest.memory(600, 4), 5u32.to_le_bytes());
    assert_eq!(k.guest.host().bytes, b"abcde");
    assert_eq!(k.guest.host().seen, ["lists(héllo, 2)"]);

    let (fault, inval) = (i32::from(Errno::Fault.raw()), i32::from(Errno::Inval.raw()));
    assert_eq!(k.five("lists", (65530, 7, 200, 2, 600)).unwrap(), fault);
    assert_eq!(
        k.five("lists", (100, 0, 202, 2, 600)).unwrap(),
        inval,
        "misaligned list"
    );
    // This document's errno has no `ilseq`: invalid UTF-8 cannot be answered, so it traps.
    k.guest.set_memory(100, &[0xC3, 0x28]);
    let err = k.five("lists", (100, 2, 200, 2, 600)).unwrap_err();
    assert!(
        format!("{err:?}")
            .contains("lists: argument `name`: the string at 0x64 is not valid UTF-8"),
        "{err:?}"
    );
}

#[test]
fn records_and_unions_by_reference_and_tuple_results() {
    let mut k = Kitchen::new(Policy::default());
    let mut stat = vec![0u8; 40];
    stat[0] = 1;
    stat[8..16].copy_from_slice(&0x1122_3344_5566_7788u64.to_le_bytes());
    stat[16] = 3;
    stat[20..24].copy_from_slice(&1.5f32.to_le_bytes());
    stat[24..28].copy_from_slice(&9u32.to_le_bytes());
    stat[28..32].copy_from_slice(&100u32.to_le_bytes());
    stat[32..36].copy_from_slice(&2u32.to_le_bytes());
    k.guest.set_memory(400, &stat);
    k.guest.set_memory(100, b"hi");
    let mut shape = vec![0u8; 16];
    shape[0] = 1;
    shape[8..16].copy_from_slice(&2.5f64.to_le_bytes());
    k.guest.set_memory(448, &shape);
    k.guest.set_memory(512, &[41, 0, 0, 0, 7, 0, 0, 0]);

    assert_eq!(k.five("records", (400, 448, 512, 600, 604)).unwrap(), 0);
    assert_eq!(k.guest.memory(600, 5), [42, 0, 0, 0, 1]);
    assert_eq!(
        k.guest.host().seen,
        ["records(Dir 0x1122334455667788 Mode(read | write) 1.5 9 hi, Circle(2.5), Pair(41, 7))"]
    );

    let (fault, inval) = (i32::from(Errno::Fault.raw()), i32::from(Errno::Inval.raw()));
    k.guest.set_memory(448, &[5]);
    assert_eq!(
        k.five("records", (400, 448, 512, 600, 604)).unwrap(),
        inval,
        "bad union tag"
    );
    assert_eq!(
        k.five("records", (404, 448, 512, 600, 604)).unwrap(),
        inval,
        "misaligned record"
    );
    assert_eq!(
        k.five("records", (65512, 448, 512, 600, 604)).unwrap(),
        fault,
        "out of bounds"
    );
    assert_eq!(k.guest.host().seen.len(), 1);
}

#[test]
fn plain_results_nothing_and_noreturn() {
    let mut k = Kitchen::new(Policy::default());
    let g = &mut k.guest;
    let plain = g
        .instance
        .get_typed_func::<i32, i64>(&mut g.store, "plain")
        .unwrap();
    assert_eq!(plain.call(&mut g.store, 14).unwrap(), 42);

    // `nothing` has no error code to answer with, so not implementing it traps.
    let nothing = g
        .instance
        .get_typed_func::<(), ()>(&mut g.store, "nothing")
        .unwrap();
    let err = nothing.call(&mut g.store, ()).unwrap_err();
    assert!(
        format!("{err:?}").contains("nothing: not implemented by this host"),
        "{err:?}"
    );

    let stop = g
        .instance
        .get_typed_func::<i32, ()>(&mut g.store, "stop")
        .unwrap();
    let err = stop.call(&mut g.store, 5).unwrap_err();
    assert_eq!(err.downcast_ref::<Exit>(), Some(&Exit { code: 5 }));
}

#[test]
fn the_document_constants_and_types_are_usable() {
    assert_eq!(Mode::ALL, Mode::READ | Mode::WRITE);
    assert_eq!(Handle::STDIN.raw(), 0);
    assert_eq!(SIZE_PAGE, 65536);
    assert_eq!(Errno::E2big.raw(), 1);
    assert_eq!(Errno::from_raw(4), Some(Errno::Nosys));
    assert_eq!(<Shape as wasi_stubs::GuestType>::SIZE, 48);
    assert_eq!(<Stat as wasi_stubs::GuestType>::SIZE, 40);
}
