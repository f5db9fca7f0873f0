//! A witx document that is not WASI: the legacy wasi-nn interface (`cli/tests/witx/wasi-nn.witx`,
//! from the `wasmtime-wasi-nn` 48 package). `tests/nn/wasi_nn.rs` is what `wasi-stubs gen`
//! generates for it (the CLI's tests check it is current); here a host implements one of its
//! functions, a WAT guest calls it through the generated `add_to_linker`, and the functions the
//! host leaves alone answer what the policy says.
//!
//! wasi-nn's error enum, `nn_errno`, has no `nosys` case, so the default policy (`nosys`) has no
//! code to answer: an unimplemented function traps with `NAME: not implemented by this host`
//! unless the policy names one of `nn_errno`'s cases. Likewise it has no `fault` or `inval`, so
//! bad guest pointers trap instead of answering an errno.

#[allow(dead_code, unused_imports)]
mod nn {
    include!("../nn/wasi_nn.rs");
}

use nn::wasi_ephemeral_nn::{self, WasiEphemeralNn};
use nn::{ExecutionTarget, Graph, GraphBuilderArray, GraphEncoding, NnErrno};
use wasi_stubs::wasmtime::{Engine, Instance, Linker, Module, Store};
use wasi_stubs::{Ctx, Error, GuestMemory, OnNotImplemented, Policy};

/// Implements `load` only: it keeps the builder bytes and hands out graph handles from 100.
#[derive(Debug, Default)]
struct NnHost {
    loaded: Vec<(Vec<Vec<u8>>, GraphEncoding, ExecutionTarget)>,
}

impl WasiEphemeralNn for NnHost {
    fn load(
        &mut self,
        mem: &mut GuestMemory<'_>,
        builder: GraphBuilderArray,
        encoding: GraphEncoding,
        target: ExecutionTarget,
    ) -> Result<Graph, Error<NnErrno>> {
        if encoding != GraphEncoding::Onnx {
            return Err(NnErrno::InvalidEncoding.into());
        }
        let mut parts = Vec::new();
        for i in 0..builder.len() {
            let Some(at) = builder.get(i) else {
                return Err(NnErrno::InvalidArgument.into());
            };
            let part = mem.read(at)?;
            parts.push(mem.bytes(part.ptr(), part.len())?.to_vec());
        }
        self.loaded.push((parts, encoding, target));
        Ok(Graph::new(99 + self.loaded.len() as u32))
    }
}

/// Loads two builders ("abcd" and "model") with the encoding and target given, writing the graph
/// to `ret`; `init` asks for an execution context of `graph`, written to 0x300. 0x200 and 0x300
/// start as 0xffffffff, to see whether a result was written.
const GUEST: &str = r#"
(module
  (import "wasi_ephemeral_nn" "load"
    (func $load (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_ephemeral_nn" "init_execution_context"
    (func $init_execution_context (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0x100) "abcd")
  (data (i32.const 0x110) "model")
  ;; the builder array: two (pointer, length) records
  (data (i32.const 0x80) "\00\01\00\00\04\00\00\00\10\01\00\00\05\00\00\00")
  (data (i32.const 0x200) "\ff\ff\ff\ff")
  (data (i32.const 0x300) "\ff\ff\ff\ff")
  (func (export "load") (param $builders i32) (param $encoding i32) (param $target i32)
    (param $ret i32) (result i32)
    (call $load (local.get $builders) (i32.const 2) (local.get $encoding) (local.get $target)
      (local.get $ret)))
  (func (export "init") (param $graph i32) (result i32)
    (call $init_execution_context (local.get $graph) (i32.const 0x300))))
"#;

const BUILDERS: i32 = 0x80;
const ONNX: i32 = 1;
const GPU: i32 = 1;

struct Nn {
    store: Store<Ctx<NnHost>>,
    instance: Instance,
}

impl Nn {
    fn new(policy: Policy) -> Self {
        let engine = Engine::default();
        let module = Module::new(&engine, GUEST).unwrap();
        let mut linker = Linker::new(&engine);
        wasi_ephemeral_nn::add_to_linker(&mut linker, |ctx: &mut Ctx<NnHost>| ctx).unwrap();
        let mut store = Store::new(&engine, Ctx::new(NnHost::default()).with_policy(policy));
        let instance = linker.instantiate(&mut store, &module).unwrap();
        Nn { store, instance }
    }

    fn call(&mut self, name: &str, args: &[i32]) -> wasi_stubs::wasmtime::Result<i32> {
        let func = self.instance.get_func(&mut self.store, name).unwrap();
        let args: Vec<_> = args.iter().map(|a| (*a).into()).collect();
        let mut results = [0i32.into()];
        func.call(&mut self.store, &args, &mut results)?;
        Ok(results[0].unwrap_i32())
    }

    fn u32_at(&mut self, offset: usize) -> u32 {
        let memory = self.instance.get_memory(&mut self.store, "memory").unwrap();
        let bytes = &memory.data(&self.store)[offset..offset + 4];
        u32::from_le_bytes(bytes.try_into().unwrap())
    }
}

#[test]
fn the_generated_module_has_the_documents_six_functions() {
    use wasi_stubs::Spec;
    assert_eq!(<dyn WasiEphemeralNn as Spec>::MODULE, "wasi_ephemeral_nn");
    let names: Vec<&str> = <dyn WasiEphemeralNn as Spec>::FUNCTIONS
        .iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(
        names,
        [
            "load",
            "load_by_name",
            "init_execution_context",
            "set_input",
            "get_output",
            "compute"
        ]
    );
}

#[test]
fn an_implemented_function_gets_typed_arguments_and_its_result_lands_in_memory() {
    let mut nn = Nn::new(Policy::default());
    assert_eq!(nn.call("load", &[BUILDERS, ONNX, GPU, 0x200]).unwrap(), 0);
    assert_eq!(nn.u32_at(0x200), 100);
    let host = nn.store.data().host();
    assert_eq!(
        host.loaded,
        [(
            vec![b"abcd".to_vec(), b"model".to_vec()],
            GraphEncoding::Onnx,
            ExecutionTarget::Gpu
        )]
    );

    // The host's own error code: `invalid_encoding` (2), and nothing written.
    let openvino = 0;
    assert_eq!(
        nn.call("load", &[BUILDERS, openvino, GPU, 0x204]).unwrap(),
        NnErrno::InvalidEncoding as i32
    );
    assert_eq!(nn.u32_at(0x204), 0);
    assert_eq!(nn.store.data().host().loaded.len(), 1);
}

#[test]
fn without_a_nosys_case_an_unimplemented_function_traps_by_default() {
    let mut nn = Nn::new(Policy::default());
    let err = nn.call("init", &[100]).unwrap_err();
    assert!(
        format!("{err:?}").contains("init_execution_context: not implemented by this host"),
        "{err:?}"
    );
    assert_eq!(nn.u32_at(0x300), u32::MAX);

    // Logging first does not give it a `nosys` to answer either.
    let mut nn = Nn::new(Policy::default().not_implemented(OnNotImplemented::LogThenNosys));
    let err = nn.call("init", &[100]).unwrap_err();
    assert!(
        format!("{err:?}").contains("init_execution_context: not implemented by this host"),
        "{err:?}"
    );
}

#[test]
fn a_policy_naming_one_of_the_documents_codes_answers_it() {
    let mut nn = Nn::new(
        Policy::default().not_implemented(OnNotImplemented::Errno("unsupported_operation")),
    );
    assert_eq!(
        nn.call("init", &[100]).unwrap(),
        NnErrno::UnsupportedOperation as i32
    );
    assert_eq!(nn.u32_at(0x300), u32::MAX);
    // The implemented function is unaffected.
    assert_eq!(nn.call("load", &[BUILDERS, ONNX, GPU, 0x200]).unwrap(), 0);
    assert_eq!(nn.u32_at(0x200), 100);

    // Per function, too; a name the document does not have is a trap.
    let mut nn = Nn::new(
        Policy::default()
            .not_implemented(OnNotImplemented::Errno("no_such_code"))
            .not_implemented_for("init_execution_context", OnNotImplemented::Errno("busy")),
    );
    assert_eq!(nn.call("init", &[100]).unwrap(), NnErrno::Busy as i32);
    let mut nn = Nn::new(Policy::default().not_implemented(OnNotImplemented::Errno("nosys")));
    let err = nn.call("init", &[100]).unwrap_err();
    assert!(
        format!("{err:?}").contains("init_execution_context: not implemented by this host"),
        "{err:?}"
    );
}

#[test]
fn bad_guest_input_traps_without_fault_or_inval_cases() {
    let mut nn = Nn::new(Policy::default());
    // The builder array runs past the end of memory: `fault`, which nn_errno does not have.
    let err = nn
        .call("load", &[0xffff_fff0_u32 as i32, ONNX, GPU, 0x200])
        .unwrap_err();
    let message = format!("{err:?}");
    assert!(message.contains("load: argument `builder`"), "{message}");
    // An encoding that is no case of `graph_encoding`: `inval`, which it does not have either.
    let mut nn = Nn::new(Policy::default());
    let err = nn.call("load", &[BUILDERS, 77, GPU, 0x200]).unwrap_err();
    let message = format!("{err:?}");
    assert!(message.contains("load: argument `encoding`"), "{message}");
    assert_eq!(nn.u32_at(0x200), u32::MAX);
    assert!(nn.store.data().host().loaded.is_empty());
}
