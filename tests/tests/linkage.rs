//! Every preview1 import links, with the same core wasm signatures as wasmtime-wasi.

use std::collections::BTreeMap;

use wasi_stubs::preview1::{self, WasiSnapshotPreview1};
use wasi_stubs::{Ctx, Exit, WasmType};
use wasi_stubs_tests::{PREVIEW1_NAMES, wat_signature, wat_type};
use wasmtime::{Engine, Extern, FuncType, Linker, Module, Store, ValType};

const MODULE: &str = "wasi_snapshot_preview1";

/// A host that implements nothing: every call takes the trait's default body.
struct Nothing;

impl WasiSnapshotPreview1 for Nothing {}

fn zero(ty: WasmType) -> &'static str {
    match ty {
        WasmType::I32 => "i32.const 0",
        WasmType::I64 => "i64.const 0",
        WasmType::F32 => "f32.const 0",
        WasmType::F64 => "f64.const 0",
    }
}

fn val_type(ty: WasmType) -> ValType {
    match ty {
        WasmType::I32 => ValType::I32,
        WasmType::I64 => ValType::I64,
        WasmType::F32 => ValType::F32,
        WasmType::F64 => ValType::F64,
    }
}

/// A guest that imports every function of `FUNCTIONS` and exports, under the same name, a
/// function that calls it with all-zero arguments and returns its result. `proc_exit`'s export
/// takes the exit code instead.
fn import_everything_wat() -> String {
    let mut imports = String::new();
    let mut exports = String::new();
    for (i, f) in preview1::FUNCTIONS.iter().enumerate() {
        imports.push_str(&format!(
            "  (import \"{MODULE}\" \"{}\" (func $f{i}{}))\n",
            f.name,
            wat_signature(f)
        ));
        if f.name == "proc_exit" {
            exports.push_str(&format!(
                "  (func (export \"proc_exit\") (param i32) local.get 0 call $f{i})\n"
            ));
        } else {
            let args: Vec<&str> = f.params.iter().map(|&p| zero(p)).collect();
            let results: Vec<&str> = f.results.iter().map(|&r| wat_type(r)).collect();
            exports.push_str(&format!(
                "  (func (export \"{}\") (result {}) {} call $f{i})\n",
                f.name,
                results.join(" "),
                args.join(" ")
            ));
        }
    }
    format!("(module\n{imports}  (memory (export \"memory\") 1)\n{exports})\n")
}

fn nothing_linker(engine: &Engine) -> Linker<Ctx<Nothing>> {
    let mut linker = Linker::new(engine);
    preview1::add_to_linker(&mut linker, |ctx: &mut Ctx<Nothing>| ctx).unwrap();
    linker
}

fn render(types: impl Iterator<Item = ValType>) -> Vec<String> {
    types.map(|t| t.to_string()).collect()
}

fn same_types(a: impl ExactSizeIterator<Item = ValType>, b: &[ValType]) -> bool {
    a.len() == b.len() && a.zip(b).all(|(x, y)| ValType::eq(&x, y))
}

/// The functions a linker defines in `wasi_snapshot_preview1`, by name.
fn preview1_func_types<T: 'static>(
    linker: &Linker<T>,
    store: &mut Store<T>,
) -> BTreeMap<String, FuncType> {
    let externs: Vec<(String, String, Extern)> = linker
        .iter(&mut *store)
        .map(|(module, name, ext)| (module.to_string(), name.to_string(), ext))
        .collect();
    let mut types = BTreeMap::new();
    for (module, name, ext) in externs {
        if module != MODULE {
            continue;
        }
        let func = match ext {
            Extern::Func(func) => func,
            other => panic!("{module}::{name} is not a function: {other:?}"),
        };
        let previous = types.insert(name.clone(), func.ty(&*store));
        assert!(previous.is_none(), "{name} defined twice");
    }
    types
}

#[test]
fn functions_lists_exactly_the_46_preview1_functions() {
    assert_eq!(preview1::FUNCTIONS.len(), 46);
    let names: Vec<&str> = preview1::FUNCTIONS.iter().map(|f| f.name).collect();
    assert_eq!(names, PREVIEW1_NAMES, "names or document order differ");
    assert_eq!(preview1::MODULE, MODULE);
}

#[test]
fn a_guest_importing_everything_gets_enosys_and_proc_exit_exits() {
    let engine = Engine::default();
    let linker = nothing_linker(&engine);
    let wat = import_everything_wat();
    let module = Module::new(&engine, &wat).unwrap_or_else(|e| panic!("{e:?}\n{wat}"));
    assert_eq!(module.imports().len(), 46);
    let mut store = Store::new(&engine, Ctx::new(Nothing));
    let instance = linker.instantiate(&mut store, &module).unwrap();

    let mut called = 0;
    for f in preview1::FUNCTIONS {
        if f.name == "proc_exit" {
            let func = instance
                .get_typed_func::<i32, ()>(&mut store, "proc_exit")
                .unwrap();
            let err = func.call(&mut store, 7).unwrap_err();
            assert_eq!(
                err.downcast_ref::<Exit>(),
                Some(&Exit { code: 7 }),
                "proc_exit(7) ended with {err:?}"
            );
        } else {
            assert_eq!(f.results, &[WasmType::I32], "{}", f.name);
            let func = instance
                .get_typed_func::<(), i32>(&mut store, f.name)
                .unwrap();
            let code = func
                .call(&mut store, ())
                .unwrap_or_else(|e| panic!("{} trapped: {e:?}", f.name));
            assert_eq!(code, 52, "{} returned {code}, not ENOSYS", f.name);
        }
        called += 1;
    }
    assert_eq!(called, 46);
}

#[test]
fn signatures_match_wasmtime_wasi() {
    let engine = Engine::default();

    let ours_linker = nothing_linker(&engine);
    let mut ours_store = Store::new(&engine, Ctx::new(Nothing));
    let ours = preview1_func_types(&ours_linker, &mut ours_store);

    let mut theirs_linker: Linker<wasmtime_wasi::p1::WasiP1Ctx> = Linker::new(&engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut theirs_linker, |cx| cx).unwrap();
    let mut theirs_store = Store::new(&engine, wasmtime_wasi::WasiCtxBuilder::new().build_p1());
    let theirs = preview1_func_types(&theirs_linker, &mut theirs_store);

    assert_eq!(ours.len(), 46);
    assert_eq!(theirs.len(), 46);
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>()
    );
    let mut expected: Vec<&str> = PREVIEW1_NAMES.to_vec();
    expected.sort_unstable();
    assert_eq!(
        ours.keys().map(String::as_str).collect::<Vec<_>>(),
        expected
    );

    for (name, ty) in &ours {
        let other = &theirs[name];
        assert_eq!(
            render(ty.params()),
            render(other.params()),
            "params of {name}"
        );
        assert_eq!(
            render(ty.results()),
            render(other.results()),
            "results of {name}"
        );
        let other_params: Vec<ValType> = other.params().collect();
        let other_results: Vec<ValType> = other.results().collect();
        assert!(same_types(ty.params(), &other_params), "params of {name}");
        assert!(
            same_types(ty.results(), &other_results),
            "results of {name}"
        );
    }

    // `FUNCTIONS` describes what `add_to_linker` actually defines.
    for f in preview1::FUNCTIONS {
        let ty = &ours[f.name];
        let params: Vec<ValType> = f.params.iter().map(|&p| val_type(p)).collect();
        let results: Vec<ValType> = f.results.iter().map(|&r| val_type(r)).collect();
        assert!(
            same_types(ty.params(), &params),
            "FUNCTIONS says {} takes {:?}, linked as {ty}",
            f.name,
            render(params.iter().cloned())
        );
        assert!(
            same_types(ty.results(), &results),
            "FUNCTIONS says {} returns {:?}, linked as {ty}",
            f.name,
            render(results.iter().cloned())
        );
    }
}

#[test]
fn the_same_import_twice_under_two_names_instantiates() {
    let engine = Engine::default();
    let linker = nothing_linker(&engine);
    let wat = r#"
        (module
          (import "wasi_snapshot_preview1" "sched_yield" (func $yield_a (result i32)))
          (import "wasi_snapshot_preview1" "sched_yield" (func $yield_b (result i32)))
          (import "wasi_snapshot_preview1" "fd_write"
            (func $write_a (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_write"
            (func $write_b (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "a") (result i32) call $yield_a)
          (func (export "b") (result i32) call $yield_b)
          (func (export "write_a") (result i32)
            i32.const 1 i32.const 0 i32.const 0 i32.const 0 call $write_a)
          (func (export "write_b") (result i32)
            i32.const 1 i32.const 0 i32.const 0 i32.const 0 call $write_b))
    "#;
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, Ctx::new(Nothing));
    let instance = linker.instantiate(&mut store, &module).unwrap();
    for export in ["a", "b", "write_a", "write_b"] {
        let func = instance
            .get_typed_func::<(), i32>(&mut store, export)
            .unwrap();
        assert_eq!(func.call(&mut store, ()).unwrap(), 52, "{export}");
    }
}

#[test]
fn a_guest_importing_a_few_functions_instantiates() {
    let engine = Engine::default();
    let linker = nothing_linker(&engine);
    let wat = r#"
        (module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (import "wasi_snapshot_preview1" "clock_time_get"
            (func $clock (param i32 i64 i32) (result i32)))
          (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "clock") (result i32) i32.const 0 i64.const 0 i32.const 0 call $clock)
          (func (export "random") (result i32) i32.const 0 i32.const 16 call $random)
          (func (export "exit") (param i32) local.get 0 call $exit))
    "#;
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, Ctx::new(Nothing));
    let instance = linker.instantiate(&mut store, &module).unwrap();
    for export in ["clock", "random"] {
        let func = instance
            .get_typed_func::<(), i32>(&mut store, export)
            .unwrap();
        assert_eq!(func.call(&mut store, ()).unwrap(), 52, "{export}");
    }
    let exit = instance
        .get_typed_func::<i32, ()>(&mut store, "exit")
        .unwrap();
    let err = exit.call(&mut store, 0).unwrap_err();
    assert_eq!(err.downcast_ref::<Exit>(), Some(&Exit { code: 0 }));

    // A guest that imports nothing from preview1 instantiates too.
    let module = Module::new(&engine, "(module (memory (export \"memory\") 1))").unwrap();
    linker.instantiate(&mut store, &module).unwrap();
}

#[test]
fn a_wrong_signature_or_unknown_name_does_not_link() {
    let engine = Engine::default();
    let linker = nothing_linker(&engine);
    let mut store = Store::new(&engine, Ctx::new(Nothing));

    let wrong = Module::new(
        &engine,
        r#"(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32) (result i32))))"#,
    )
    .unwrap();
    let err = linker.instantiate(&mut store, &wrong).unwrap_err();
    assert!(format!("{err:?}").contains("fd_write"), "{err:?}");

    let unknown = Module::new(
        &engine,
        r#"(module (import "wasi_snapshot_preview1" "fd_frobnicate" (func (result i32))))"#,
    )
    .unwrap();
    let err = linker.instantiate(&mut store, &unknown).unwrap_err();
    assert!(format!("{err:?}").contains("fd_frobnicate"), "{err:?}");
}
