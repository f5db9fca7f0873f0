//! `wasi_stubs::p2`, generated from the vendored `wasi:cli/command@0.2.12`, links every import of
//! the world: a component built here from `wit-component`'s dummy module for the world (which
//! imports every function and resource of it) instantiates against `p2::add_to_linker` alone,
//! with no `define_unknown_imports_as_traps` and no shadowing, so every function and resource type
//! is exact. A component built against `0.2.0` names links too (wasmtime matches
//! semver-compatible versions). A component that calls each of the world's 123 functions gets the
//! default answer the rule of its result type promises.

use std::path::{Path, PathBuf};

use wasi_stubs::component::Defaults;
use wasi_stubs::p2::wasi;
use wasi_stubs_codegen::wit::vendored::WASI_0_2;
use wasi_stubs_tests::components::encode;
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};
use wit_component::dummy_module;
use wit_parser::{LiftLowerAbi, ManglingAndAbi};

/// A host that implements nothing: every function answers its default.
struct Host;

impl Defaults for Host {}
impl wasi::cli::environment::Host for Host {}
impl wasi::cli::exit::Host for Host {}
impl wasi::io::error::Host for Host {}
impl wasi::io::poll::Host for Host {}
impl wasi::io::streams::Host for Host {}
impl wasi::cli::stdin::Host for Host {}
impl wasi::cli::stdout::Host for Host {}
impl wasi::cli::stderr::Host for Host {}
impl wasi::cli::terminal_input::Host for Host {}
impl wasi::cli::terminal_output::Host for Host {}
impl wasi::cli::terminal_stdin::Host for Host {}
impl wasi::cli::terminal_stdout::Host for Host {}
impl wasi::cli::terminal_stderr::Host for Host {}
impl wasi::clocks::monotonic_clock::Host for Host {}
impl wasi::clocks::wall_clock::Host for Host {}
impl wasi::filesystem::types::Host for Host {}
impl wasi::filesystem::preopens::Host for Host {}
impl wasi::sockets::network::Host for Host {}
impl wasi::sockets::instance_network::Host for Host {}
impl wasi::sockets::udp::Host for Host {}
impl wasi::sockets::udp_create_socket::Host for Host {}
impl wasi::sockets::tcp::Host for Host {}
impl wasi::sockets::tcp_create_socket::Host for Host {}
impl wasi::sockets::ip_name_lookup::Host for Host {}
impl wasi::random::random::Host for Host {}
impl wasi::random::insecure::Host for Host {}
impl wasi::random::insecure_seed::Host for Host {}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasi-stubs-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The component of the dummy module of `wasi:cli/command` read from the WIT in `dir`.
fn command_component(dir: &Path) -> Vec<u8> {
    let world = wasi_stubs_codegen::wit::load(dir, "wasi:cli/command").unwrap();
    let (resolve, id) = (world.resolve(), world.id());
    let module = dummy_module(resolve, id, ManglingAndAbi::Legacy(LiftLowerAbi::Sync));
    encode(module, resolve, id)
}

fn instantiate(bytes: &[u8]) -> (Engine, Component) {
    let engine = Engine::default();
    let component = Component::new(&engine, bytes).unwrap();
    let mut linker = Linker::new(&engine);
    wasi_stubs::p2::add_to_linker(&mut linker, |host: &mut Host| host).unwrap();
    let mut store = Store::new(&engine, Host);
    linker
        .instantiate(&mut store, &component)
        .unwrap_or_else(|e| panic!("{e:#}"));
    (engine, component)
}

#[test]
fn a_component_importing_all_of_wasi_cli_command_instantiates_against_the_generated_linker() {
    let dir = temp_dir("command");
    let wit = WASI_0_2.write_to(&dir).unwrap();
    let (engine, component) = instantiate(&command_component(&wit));

    // What the component imports is all of the world: 27 interfaces, 123 functions, 14
    // resources.
    // Resources an interface `use`s are exports of its instance type too: count each once.
    let (mut interfaces, mut functions, mut resources) = (0, 0, Vec::new());
    for (name, item) in component.component_type().imports(&engine) {
        let ComponentItem::ComponentInstance(instance) = item.ty else {
            panic!("{name} is not an instance");
        };
        assert!(
            name.starts_with("wasi:") && name.ends_with("@0.2.12"),
            "{name}"
        );
        interfaces += 1;
        for (_, export) in instance.exports(&engine) {
            match export.ty {
                ComponentItem::ComponentFunc(_) => functions += 1,
                ComponentItem::Resource(ty) if !resources.contains(&ty) => resources.push(ty),
                _ => {}
            }
        }
    }
    assert_eq!((interfaces, functions, resources.len()), (27, 123, 14));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_component_built_against_wasi_0_2_0_names_links() {
    let dir = temp_dir("command-0.2.0");
    let wit = WASI_0_2.write_to(&dir).unwrap();
    // The same interfaces, named `@0.2.0` as a guest of the first WASI 0.2 release names them.
    for (name, _) in WASI_0_2.files {
        let path = wit.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        // Gates on later releases (`@since(version = 0.2.3)`) cannot name a version after the
        // package's own.
        let mut text = text.replace("@0.2.12", "@0.2.0");
        for minor in (1..=12).rev() {
            text = text.replace(&format!("version = 0.2.{minor}"), "version = 0.2.0");
        }
        std::fs::write(&path, text).unwrap();
    }
    let (engine, component) = instantiate(&command_component(&wit));
    let names: Vec<String> = component
        .component_type()
        .imports(&engine)
        .map(|(name, _)| name.to_string())
        .collect();
    assert!(
        names.contains(&"wasi:io/streams@0.2.0".to_string()),
        "{names:?}"
    );
    assert!(names.iter().all(|n| n.ends_with("@0.2.0")), "{names:?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_defaults_of_wasi_answer_as_documented() {
    use wasi::filesystem::types::{self, ErrorCode, Host as _};
    use wasi::io::streams::{self, Host as _, StreamError};
    use wasmtime::component::Resource;

    let mut host = Host;
    // `result<_, error-code>` of the file system: `unsupported`.
    let descriptor = Resource::<types::Descriptor>::new_borrow(0);
    assert_eq!(
        host.descriptor_get_type(descriptor).unwrap(),
        Err(ErrorCode::Unsupported)
    );
    // `result<_, stream-error>`: `closed`.
    let stream = Resource::<streams::OutputStream>::new_borrow(0);
    assert!(matches!(
        host.output_stream_check_write(stream).unwrap(),
        Err(StreamError::Closed)
    ));
    // `result<_, error-code>` of the sockets: `not-supported`.
    let network = Resource::<wasi::sockets::network::Network>::new_borrow(0);
    assert!(matches!(
        wasi::sockets::ip_name_lookup::Host::resolve_addresses(&mut host, network, "x".into())
            .unwrap(),
        Err(wasi::sockets::network::ErrorCode::NotSupported)
    ));
    // `list<_>`: empty; `option<_>`: none.
    assert!(
        wasi::filesystem::preopens::Host::get_directories(&mut host)
            .unwrap()
            .is_empty()
    );
    assert!(
        wasi::cli::terminal_stdout::Host::get_terminal_stdout(&mut host)
            .unwrap()
            .is_none()
    );
    // No error channel: a trap naming `interface#function`.
    let trap = wasi::clocks::wall_clock::Host::now(&mut host).unwrap_err();
    assert!(
        trap.to_string()
            .contains("wasi:clocks/wall-clock@0.2.12#now"),
        "{trap}"
    );
}

/// What a function of the world answers by default, by the rule of its result type (worked out
/// here from the WIT, independently of the generator): the value the probe export returns, or a
/// trap.
#[derive(Debug, PartialEq)]
enum Expected {
    /// `option<_>`: tag 0. `result<_>`: tag 1. `list<_>`: length 0. `result<_, E>`: tag 1 with
    /// the case of `E` (`| case << 8`).
    Value(u32),
    /// Anything else.
    Trap,
}

/// The type behind `ty`, through aliases.
fn definition(resolve: &wit_parser::Resolve, ty: &wit_parser::Type) -> Option<wit_parser::TypeId> {
    use wit_parser::{Type, TypeDefKind};
    let mut ty = *ty;
    loop {
        let Type::Id(id) = ty else { return None };
        match &resolve.types[id].kind {
            TypeDefKind::Type(next) => ty = *next,
            _ => return Some(id),
        }
    }
}

/// Whether zeros for the flat parameters of `ty` name a handle (which the guest does not have):
/// a handle anywhere but inside a list, which zeros make empty.
fn needs_a_handle(resolve: &wit_parser::Resolve, ty: &wit_parser::Type) -> bool {
    use wit_parser::TypeDefKind;
    let Some(id) = definition(resolve, ty) else {
        return false;
    };
    match &resolve.types[id].kind {
        TypeDefKind::Handle(_) | TypeDefKind::Resource => true,
        TypeDefKind::List(_) => false,
        TypeDefKind::Record(r) => r.fields.iter().any(|f| needs_a_handle(resolve, &f.ty)),
        TypeDefKind::Tuple(t) => t.types.iter().any(|t| needs_a_handle(resolve, t)),
        // Zeros pick the first case.
        TypeDefKind::Variant(v) => v.cases[0]
            .ty
            .as_ref()
            .is_some_and(|t| needs_a_handle(resolve, t)),
        TypeDefKind::Result(r) => r.ok.as_ref().is_some_and(|t| needs_a_handle(resolve, t)),
        _ => false,
    }
}

/// How the probe passes one parameter of a function to its import.
enum Param {
    /// A handle the host hands the probe (which the probe owns, and lends or gives to the
    /// import as the import takes it), of the resource `resource` of the interface `interface`,
    /// named `alias` in the probe's world.
    Handle {
        interface: String,
        resource: String,
        alias: String,
    },
    /// This many flat zeros.
    Zeros(usize),
}

/// An owned handle of rep 1 to the resource `resource` of `interface`, for the host to hand a
/// guest.
fn handle(
    store: &mut Store<Host>,
    interface: &str,
    resource: &str,
) -> wasmtime::component::ResourceAny {
    use wasmtime::component::Resource;
    fn make<T: 'static>(store: &mut Store<Host>) -> wasmtime::component::ResourceAny {
        Resource::<T>::new_own(1)
            .try_into_resource_any(store)
            .unwrap()
    }
    let interface = interface.split('@').next().unwrap();
    match (interface, resource) {
        ("wasi:io/error", "error") => make::<wasi::io::error::Error>(store),
        ("wasi:io/poll", "pollable") => make::<wasi::io::poll::Pollable>(store),
        ("wasi:io/streams", "input-stream") => make::<wasi::io::streams::InputStream>(store),
        ("wasi:io/streams", "output-stream") => make::<wasi::io::streams::OutputStream>(store),
        ("wasi:cli/terminal-input", "terminal-input") => {
            make::<wasi::cli::terminal_input::TerminalInput>(store)
        }
        ("wasi:cli/terminal-output", "terminal-output") => {
            make::<wasi::cli::terminal_output::TerminalOutput>(store)
        }
        ("wasi:filesystem/types", "descriptor") => {
            make::<wasi::filesystem::types::Descriptor>(store)
        }
        ("wasi:filesystem/types", "directory-entry-stream") => {
            make::<wasi::filesystem::types::DirectoryEntryStream>(store)
        }
        ("wasi:sockets/network", "network") => make::<wasi::sockets::network::Network>(store),
        ("wasi:sockets/udp", "udp-socket") => make::<wasi::sockets::udp::UdpSocket>(store),
        ("wasi:sockets/udp", "incoming-datagram-stream") => {
            make::<wasi::sockets::udp::IncomingDatagramStream>(store)
        }
        ("wasi:sockets/udp", "outgoing-datagram-stream") => {
            make::<wasi::sockets::udp::OutgoingDatagramStream>(store)
        }
        ("wasi:sockets/tcp", "tcp-socket") => make::<wasi::sockets::tcp::TcpSocket>(store),
        ("wasi:sockets/ip-name-lookup", "resolve-address-stream") => {
            make::<wasi::sockets::ip_name_lookup::ResolveAddressStream>(store)
        }
        other => panic!("no marker for {other:?}"),
    }
}

/// A guest that calls every function of `wasi:cli/command` (with zeros, and the handles the host
/// passes it for resource parameters) gets the default the module docs of
/// `wasi_stubs::component` promise for its result type: `None`, an empty list, `Err(())`, `Err`
/// with the case the policy names, or a trap naming the function.
#[test]
fn a_guest_calling_every_function_of_the_world_gets_its_documented_default() {
    use wasi_stubs::component::{DEFAULT_CASES, NotImplemented};
    use wasmtime::component::Val;
    use wit_parser::abi::{AbiVariant, WasmType};
    use wit_parser::{Handle, SizeAlign, TypeDefKind, TypeOwner, WorldItem};

    let dir = temp_dir("command-calls");
    let wit = WASI_0_2.write_to(&dir).unwrap();
    let world = wasi_stubs_codegen::wit::load(&wit, "wasi:cli/command").unwrap();
    let mut resolve = world.resolve().clone();
    let mut sizes = SizeAlign::default();
    sizes.fill(&resolve);
    let core = |t: &WasmType| match t {
        WasmType::I64 | WasmType::PointerOrI64 => "i64",
        WasmType::F32 => "f32",
        WasmType::F64 => "f64",
        _ => "i32",
    };

    // Per function: its import, the probe that calls it, and what it should answer.
    let mut imports = String::new();
    let mut probes = String::new();
    let mut exports = String::new();
    let mut uses: Vec<(String, String, String)> = Vec::new();
    let mut calls: Vec<(String, Vec<Param>, Expected)> = Vec::new();
    let mut skipped = Vec::new();
    let command = &resolve.worlds[world.id()];
    for (key, item) in &command.imports {
        let WorldItem::Interface { id, .. } = item else {
            continue;
        };
        let module = resolve.name_world_key(key);
        for f in resolve.interfaces[*id].functions.values() {
            let function = format!("{module}#{}", f.name);
            let mut params = Vec::new();
            for p in &f.params {
                let def = definition(&resolve, &p.ty).map(|id| &resolve.types[id].kind);
                if let Some(TypeDefKind::Handle(h)) = def {
                    let (Handle::Own(r) | Handle::Borrow(r)) = *h;
                    let r = definition(&resolve, &wit_parser::Type::Id(r)).unwrap();
                    let TypeOwner::Interface(owner) = resolve.types[r].owner else {
                        panic!("{function}: a resource outside an interface");
                    };
                    let interface = resolve.id_of(owner).unwrap();
                    let resource = resolve.types[r].name.clone().unwrap();
                    let alias = match uses
                        .iter()
                        .find(|(i, r, _)| *i == interface && *r == resource)
                    {
                        Some((_, _, alias)) => alias.clone(),
                        None => {
                            let alias = format!("r{}", uses.len());
                            uses.push((interface.clone(), resource.clone(), alias.clone()));
                            alias
                        }
                    };
                    params.push(Param::Handle {
                        interface,
                        resource,
                        alias,
                    });
                } else if needs_a_handle(&resolve, &p.ty) {
                    break;
                } else {
                    let alone = wit_parser::Function {
                        params: vec![p.clone()],
                        result: None,
                        ..f.clone()
                    };
                    let flat = resolve
                        .wasm_signature(AbiVariant::GuestImport, &alone)
                        .params;
                    params.push(Param::Zeros(flat.len()));
                }
            }
            let sig = resolve.wasm_signature(AbiVariant::GuestImport, f);
            if params.len() < f.params.len() || sig.indirect_params {
                skipped.push(function);
                continue;
            }
            let n = calls.len();
            let core_params: Vec<&str> = sig.params.iter().map(core).collect();
            let core_results: Vec<&str> = sig.results.iter().map(core).collect();
            imports.push_str(&format!(
                "(import \"{module}\" \"{}\" (func $f{n} (param {}) (result {})))\n",
                f.name,
                core_params.join(" "),
                core_results.join(" ")
            ));
            // Handles as the probe got them, zeros, and the return area at 1024 (the last
            // parameter when there is one).
            let mut args = Vec::new();
            let mut handles = 0;
            let mut slot = 0;
            for param in &params {
                match param {
                    Param::Handle { .. } => {
                        args.push(format!("(local.get {handles})"));
                        handles += 1;
                        slot += 1;
                    }
                    Param::Zeros(count) => {
                        for t in &core_params[slot..slot + count] {
                            args.push(format!("({t}.const 0)"));
                        }
                        slot += count;
                    }
                }
            }
            if sig.retptr {
                args.push("(i32.const 1024)".into());
            }
            let result = f.result.as_ref().and_then(|t| definition(&resolve, t));
            let tag = "(i32.load8_u (i32.const 1024))".to_string();
            let (read, answer) = match result.map(|id| &resolve.types[id].kind) {
                Some(TypeDefKind::Option(_)) => (tag, Expected::Value(0)),
                Some(TypeDefKind::List(_)) => (
                    "(i32.load (i32.const 1028))".to_string(),
                    Expected::Value(0),
                ),
                Some(TypeDefKind::Result(r)) => {
                    let error = r.err.as_ref().and_then(|e| definition(&resolve, e));
                    let cases: Option<Vec<(&str, bool)>> =
                        error.and_then(|e| match &resolve.types[e].kind {
                            TypeDefKind::Enum(e) => {
                                Some(e.cases.iter().map(|c| (c.name.as_str(), true)).collect())
                            }
                            TypeDefKind::Variant(v) => Some(
                                v.cases
                                    .iter()
                                    .map(|c| (c.name.as_str(), c.ty.is_none()))
                                    .collect(),
                            ),
                            _ => None,
                        });
                    let offset = sizes
                        .payload_offset(wit_parser::Int::U8, [r.ok.as_ref(), r.err.as_ref()])
                        .size_wasm32();
                    let with_case = format!(
                        "(i32.or {tag} (i32.shl (i32.load8_u (i32.const {})) (i32.const 8)))",
                        1024 + offset
                    );
                    match (&r.err, cases) {
                        (None, _) => (tag, Expected::Value(1)),
                        (Some(_), Some(cases)) => {
                            let case = DEFAULT_CASES.iter().find_map(|want| {
                                cases.iter().position(|(name, bare)| name == want && *bare)
                            });
                            match case {
                                Some(case) => (with_case, Expected::Value(1 | (case as u32) << 8)),
                                None => (with_case, Expected::Trap),
                            }
                        }
                        (Some(_), None) => (with_case, Expected::Trap),
                    }
                }
                _ => ("(i32.const 0)".to_string(), Expected::Trap),
            };
            // A direct `i32` result is the tag itself (`result<_, E>` with nothing to carry);
            // any other direct result is dropped, as the call traps.
            let (keep, read) = match core_results.first() {
                Some(&"i32") if !sig.retptr && answer != Expected::Trap => {
                    ("(local.set $r)", "(local.get $r)".to_string())
                }
                Some(_) => ("(drop)", read),
                None => ("", read),
            };
            let handle_params = vec!["i32"; handles].join(" ");
            probes.push_str(&format!(
                "(func (export \"call-{n}\") (param {handle_params}) (result i32) (local $r i32)\n  \
                 (call $f{n} {})\n  {keep}\n  {read})\n",
                args.join(" ")
            ));
            let wit_params: Vec<String> = params
                .iter()
                // The probe owns each handle it gets, and lends it where the import borrows
                // (a borrow it got would have to be dropped before it returns).
                .filter_map(|p| match p {
                    Param::Handle { alias, .. } => Some(alias.clone()),
                    Param::Zeros(_) => None,
                })
                .enumerate()
                .map(|(i, ty)| format!("h{i}: {ty}"))
                .collect();
            exports.push_str(&format!(
                "    export call-{n}: func({}) -> u32;\n",
                wit_params.join(", ")
            ));
            calls.push((function, params, answer));
        }
    }
    let uses: String = uses
        .iter()
        .map(|(interface, resource, alias)| {
            format!("    use {interface}.{{{resource} as {alias}}};\n")
        })
        .collect();
    let wat = format!(
        "(module\n{imports}\
         (memory (export \"memory\") 1)\n\
         (global $bump (mut i32) (i32.const 4096))\n\
         (func (export \"cabi_realloc\") (param i32 i32 i32 i32) (result i32)\n\
           (local $at i32)\n\
           (local.set $at (global.get $bump))\n\
           (global.set $bump (i32.add (global.get $bump) (i32.add (local.get 3) (i32.const 8))))\n\
           (local.get $at))\n\
         (func (export \"wasi:cli/run@0.2.12#run\") (result i32) (i32.const 0))\n\
         {probes})\n"
    );
    let caller = format!(
        "package test:caller;\nworld caller {{\n    include wasi:cli/command@0.2.12;\n{uses}{exports}}}\n"
    );
    let caller = resolve
        .push_str("caller.wit", &caller)
        .unwrap_or_else(|e| panic!("{e:#}\n{caller}"));
    let caller = resolve.select_world(&[caller], Some("caller")).unwrap();
    let module = wat::parse_str(&wat).unwrap_or_else(|e| panic!("{e}\n{wat}"));
    let bytes = encode(module, &resolve, caller);

    let engine = Engine::default();
    let component = Component::new(&engine, &bytes).unwrap();
    let mut linker = Linker::new(&engine);
    wasi_stubs::p2::add_to_linker(&mut linker, |host: &mut Host| host).unwrap();
    let pre = linker.instantiate_pre(&component).unwrap();
    let (mut values, mut traps) = (0, 0);
    for (n, (function, params, answer)) in calls.iter().enumerate() {
        // A trap ends an instance: each call gets its own.
        let mut store = Store::new(&engine, Host);
        let instance = pre.instantiate(&mut store).unwrap();
        let call = instance.get_func(&mut store, format!("call-{n}")).unwrap();
        let args: Vec<Val> = params
            .iter()
            .filter_map(|p| match p {
                Param::Handle {
                    interface,
                    resource,
                    ..
                } => Some(Val::Resource(handle(&mut store, interface, resource))),
                Param::Zeros(_) => None,
            })
            .collect();
        let mut results = [Val::U32(0)];
        match (call.call(&mut store, &args, &mut results), answer) {
            (Ok(()), Expected::Value(want)) => {
                assert_eq!(results[0], Val::U32(*want), "{function}");
                values += 1;
            }
            (Err(trap), Expected::Trap) => {
                let not = trap
                    .downcast_ref::<NotImplemented>()
                    .unwrap_or_else(|| panic!("{function}: {trap:?}"));
                assert_eq!(not.function, function);
                traps += 1;
            }
            (got, want) => panic!("{function}: got {got:?} {results:?}, want {want:?}"),
        }
    }
    // Every one of the 123 functions is called, and answers as documented.
    assert_eq!(skipped, Vec::<String>::new());
    assert_eq!((values, traps), (94, 29));
    std::fs::remove_dir_all(&dir).ok();
}
