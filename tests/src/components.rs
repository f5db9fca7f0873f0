//! Components for the tests, made from core modules with `wit-component`.

use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
};
use wit_component::{ComponentEncoder, StringEncoding, embed_component_metadata};
use wit_parser::{Resolve, WorldId};

/// A wasip1 command module made a component with wasmtime 48's preview1 command adapter, as
/// `wasm-tools component new --adapt` does.
pub fn adapt_command(module: &[u8]) -> Vec<u8> {
    ComponentEncoder::default()
        .module(module)
        .expect("the module is a wasip1 module")
        .adapter(
            WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
            WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
        )
        .expect("the adapter fits the module")
        .validate(true)
        .encode()
        .expect("the adapted component encodes")
}

/// The component of a core `module` that imports and exports by the canonical ABI names of
/// `world` (a hand-written one, or `wit_component::dummy_module`'s).
pub fn encode(mut module: Vec<u8>, resolve: &Resolve, world: WorldId) -> Vec<u8> {
    embed_component_metadata(&mut module, resolve, world, StringEncoding::UTF8)
        .expect("the world's metadata embeds");
    ComponentEncoder::default()
        .module(&module)
        .expect("the module fits its world")
        .validate(true)
        .encode()
        .expect("the component encodes")
}
