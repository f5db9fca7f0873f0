//! The committed generator output for the WIT package `codegen/tests/wit/kitchen-sink` (world
//! `sink`, golden file `codegen/tests/golden/wit_sink.rs`) compiles, links every import of the
//! world with exact types, and answers a component's calls: a host's own functions with its
//! values, the others with the default of their result type or its policy.

#[allow(dead_code)]
mod sink {
    include!("../../codegen/tests/golden/wit_sink.rs");
}

use std::path::Path;

use sink::example::base::errors;
use sink::example::sink::shapes::{self, ErrorCode, Point, StreamError};
use wasi_stubs::component::{Answer, Cases, Defaults, NotImplemented, Policy};
use wasi_stubs_tests::components::encode;
use wasmtime::component::{Component, Linker, Resource};
use wasmtime::{Engine, Store};
use wit_component::dummy_module;
use wit_parser::{LiftLowerAbi, ManglingAndAbi, Resolve, WorldId};

/// A host that implements a few functions and takes every other default.
#[derive(Default)]
struct Host {
    policy: Policy,
    greeted: Vec<String>,
}

impl Defaults for Host {
    fn policy(&self) -> &Policy {
        &self.policy
    }
}

impl sink::Host for Host {
    fn greet(&mut self, who: String) -> wasmtime::Result<String> {
        self.greeted.push(who.clone());
        Ok(format!("hello, {who}"))
    }
}

impl shapes::Host for Host {
    fn find(&mut self, name: String) -> wasmtime::Result<Option<Point>> {
        Ok((name == "origin").then_some(Point {
            x: 0,
            y: 0,
            type_: 7,
        }))
    }
}

impl errors::Host for Host {}
impl sink::logging::Host for Host {}

fn package() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/tests/wit/kitchen-sink")
}

/// The component of a core module for `world`: the module's own, or the dummy module that
/// imports every function of the world.
fn component(resolve: &Resolve, world: WorldId, module: Option<Vec<u8>>) -> Vec<u8> {
    let module = module.unwrap_or_else(|| {
        dummy_module(resolve, world, ManglingAndAbi::Legacy(LiftLowerAbi::Sync))
    });
    encode(module, resolve, world)
}

fn linker(engine: &Engine) -> Linker<Host> {
    let mut linker = Linker::new(engine);
    sink::add_to_linker(&mut linker, |host: &mut Host| host).unwrap();
    linker
}

#[test]
fn a_component_importing_the_whole_world_instantiates_against_the_generated_linker() {
    let world = wasi_stubs_codegen::wit::load(package(), "sink").unwrap();
    let bytes = component(world.resolve(), world.id(), None);
    let engine = Engine::default();
    let component = Component::new(&engine, &bytes).unwrap();
    // Every import is there: the dummy module imports each function of the world.
    let imports: Vec<String> = component
        .component_type()
        .imports(&engine)
        .map(|(name, _)| name.to_string())
        .collect();
    for name in [
        "example:base/errors@0.1.0",
        "example:sink/shapes@1.2.0",
        "logging",
        "greet",
        "lookup",
    ] {
        assert!(imports.iter().any(|i| i == name), "{name} in {imports:?}");
    }
    let linker = linker(&engine);
    let mut store = Store::new(&engine, Host::default());
    linker.instantiate(&mut store, &component).unwrap();
}

#[test]
fn a_linker_missing_an_interface_does_not_instantiate() {
    let world = wasi_stubs_codegen::wit::load(package(), "sink").unwrap();
    let bytes = component(world.resolve(), world.id(), None);
    let engine = Engine::default();
    let component = Component::new(&engine, &bytes).unwrap();
    let mut linker: Linker<Host> = Linker::new(&engine);
    shapes::add_to_linker(&mut linker, |host: &mut Host| host).unwrap();
    let mut store = Store::new(&engine, Host::default());
    let err = linker.instantiate(&mut store, &component).unwrap_err();
    assert!(
        format!("{err:#}").contains("example:base/errors@0.1.0"),
        "{err:#}"
    );
}

/// A guest that calls some imports of the world and exports what it got back.
const PROBE_WIT: &str = r#"
package example:probe;

world probe {
    include example:sink/sink@1.2.0;
    export probe-count: func() -> u64;
    export probe-favorite: func() -> u32;
    export probe-check: func() -> u32;
    export probe-nested: func() -> u32;
    export probe-find: func() -> s32;
    export probe-greet: func() -> u32;
}
"#;

const PROBE_WAT: &str = r#"
(module
  (import "example:sink/shapes@1.2.0" "count" (func $count (result i64)))
  (import "example:sink/shapes@1.2.0" "favorite" (func $favorite (param i32)))
  (import "example:sink/shapes@1.2.0" "check" (func $check (param i32 i32)))
  (import "example:sink/shapes@1.2.0" "nested" (func $nested (param i32)))
  (import "example:sink/shapes@1.2.0" "find" (func $find (param i32 i32 i32)))
  (import "$root" "greet" (func $greet (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "world")
  (data (i32.const 110) "origin")
  (global $bump (mut i32) (i32.const 4096))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $at i32)
    (local.set $at (global.get $bump))
    (global.set $bump (i32.add (global.get $bump) (local.get 3)))
    (local.get $at))
  (func (export "probe-count") (result i64) (call $count))
  ;; option<color>: the tag at 16.
  (func (export "probe-favorite") (result i32)
    (call $favorite (i32.const 16))
    (i32.load8_u (i32.const 16)))
  ;; result<bool>: the tag at 16.
  (func (export "probe-check") (result i32)
    (call $check (i32.const 1) (i32.const 16))
    (i32.load8_u (i32.const 16)))
  ;; result<result<u8, u8>, error-code>: the tag at 16, the error code at 17.
  (func (export "probe-nested") (result i32)
    (call $nested (i32.const 16))
    (i32.or
      (i32.shl (i32.load8_u (i32.const 16)) (i32.const 8))
      (i32.load8_u (i32.const 17))))
  ;; option<point>: -1 for none, else the point's `type` field (x at 20, y at 24, type at 28).
  (func (export "probe-find") (result i32)
    (call $find (i32.const 110) (i32.const 6) (i32.const 16))
    (if (result i32) (i32.load8_u (i32.const 16))
      (then (i32.load8_u (i32.const 28)))
      (else (i32.const -1))))
  ;; string: its length (pointer at 16, length at 20).
  (func (export "probe-greet") (result i32)
    (call $greet (i32.const 100) (i32.const 5) (i32.const 16))
    (i32.load (i32.const 20)))
)
"#;

struct Probe {
    store: Store<Host>,
    instance: wasmtime::component::Instance,
}

impl Probe {
    fn new(policy: Policy) -> Self {
        let world = wasi_stubs_codegen::wit::load(package(), "sink").unwrap();
        let mut resolve = world.resolve().clone();
        let package = resolve.push_str("probe.wit", PROBE_WIT).unwrap();
        let probe = resolve.select_world(&[package], Some("probe")).unwrap();
        let module = wat::parse_str(PROBE_WAT).unwrap();
        let bytes = component(&resolve, probe, Some(module));
        let engine = Engine::default();
        let component = Component::new(&engine, &bytes).unwrap();
        let mut store = Store::new(
            &engine,
            Host {
                policy,
                ..Host::default()
            },
        );
        let instance = linker(&engine).instantiate(&mut store, &component).unwrap();
        Probe { store, instance }
    }

    fn call<R: wasmtime::component::ComponentNamedList + wasmtime::component::Lift + 'static>(
        &mut self,
        name: &str,
    ) -> wasmtime::Result<R> {
        let f = self
            .instance
            .get_typed_func::<(), R>(&mut self.store, name)
            .unwrap();
        f.call(&mut self.store, ())
    }
}

#[test]
fn a_guest_gets_the_default_of_each_result_shape_and_the_hosts_own_answers() {
    let mut probe = Probe::new(Policy::default());
    // `option<color>`: none.
    assert_eq!(probe.call::<(u32,)>("probe-favorite").unwrap(), (0,));
    // `result<bool>`: the error.
    assert_eq!(probe.call::<(u32,)>("probe-check").unwrap(), (1,));
    // `result<_, error-code>`: the error, `unsupported` (case 1).
    assert_eq!(probe.call::<(u32,)>("probe-nested").unwrap(), (0x101,));
    // Implemented by the host: `find` and the world's own `greet`.
    assert_eq!(probe.call::<(i32,)>("probe-find").unwrap(), (7,));
    assert_eq!(
        probe.call::<(u32,)>("probe-greet").unwrap(),
        ("hello, world".len() as u32,)
    );
    assert_eq!(probe.store.data().greeted, ["world"]);
    // `u64`: no error channel, so a trap naming the function.
    let trap = probe.call::<(u64,)>("probe-count").unwrap_err();
    let not = trap
        .downcast_ref::<NotImplemented>()
        .unwrap_or_else(|| panic!("{trap:?}"));
    assert_eq!(not.function, "example:sink/shapes@1.2.0#count");
}

#[test]
fn the_policy_changes_the_answers_at_run_time() {
    let policy = Policy::default()
        .answer_for(
            "example:sink/shapes#nested",
            Answer::Cases(vec!["access".into()]),
        )
        .answer_for("example:sink/shapes#favorite", Answer::Trap);
    let mut probe = Probe::new(policy.clone());
    // `access` is case 0.
    assert_eq!(probe.call::<(u32,)>("probe-nested").unwrap(), (0x100,));
    assert_eq!(probe.call::<(u32,)>("probe-check").unwrap(), (1,));
    // A trap ends the instance: each one gets a new probe.
    let trap = probe.call::<(u32,)>("probe-favorite").unwrap_err();
    assert!(trap.downcast_ref::<NotImplemented>().is_some(), "{trap:?}");

    // Everything traps; what the host implements still answers.
    for name in ["probe-favorite", "probe-check", "probe-nested"] {
        let mut probe = Probe::new(Policy::TRAP);
        assert_eq!(probe.call::<(i32,)>("probe-find").unwrap(), (7,));
        let trap = probe.call::<(u32,)>(name).unwrap_err();
        let not = trap
            .downcast_ref::<NotImplemented>()
            .unwrap_or_else(|| panic!("{name}: {trap:?}"));
        assert!(not.to_string().contains("the policy traps"), "{not}");
    }
}

#[test]
fn defaults_answer_from_rust_too() {
    let mut host = Host::default();
    use shapes::Host as _;
    let canvas = Resource::<shapes::Canvas>::new_own(1);
    let other = Resource::<shapes::Canvas>::new_borrow(2);
    let at = Point {
        x: 1,
        y: 2,
        type_: 3,
    };
    assert!(matches!(
        host.canvas_copy_from(canvas, other, at).unwrap(),
        Err(StreamError::Closed)
    ));
    assert_eq!(
        host.measure(shapes::Shape::Empty).unwrap(),
        Err(ErrorCode::Unsupported)
    );
    assert!(host.trace().unwrap().is_empty());
    let trap = host.describe(shapes::Shape::Circle(1.0)).unwrap_err();
    assert!(trap.to_string().contains("#describe"), "{trap}");
    // Dropping a handle the host never made is fine.
    errors::Host::blob_drop(&mut host, Resource::new_own(5)).unwrap();
    assert_eq!(ErrorCode::case("other"), Some(ErrorCode::Other));
    assert!(StreamError::case("last-operation-failed").is_none());
}
