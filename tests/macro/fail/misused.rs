// Each impl misuses the attribute in another way; each error points at what is wrong.
use wasi_stubs::preview1::WasiSnapshotPreview1;
use wasi_stubs::wasi_stubs;

struct A;
#[wasi_stubs(override(fd_write(), 7, fd_write::<u8>))]
impl WasiSnapshotPreview1 for A {}

struct B;
#[wasi_stubs(override(fd_write,, random_get))]
impl WasiSnapshotPreview1 for B {}

struct C;
#[wasi_stubs(override("fd_write, random_get"))]
impl WasiSnapshotPreview1 for C {}

struct D;
#[wasi_stubs(override = fd_write)]
impl WasiSnapshotPreview1 for D {}

struct E;
#[wasi_stubs(override[fd_write])]
impl WasiSnapshotPreview1 for E {}

struct F;
#[wasi_stubs(override, module = "wasi_snapshot_preview1")]
impl WasiSnapshotPreview1 for F {}

struct G;
#[wasi_stubs(override(), override = "")]
impl WasiSnapshotPreview1 for G {}

struct H;
#[wasi_stubs(fd_write)]
impl WasiSnapshotPreview1 for H {}

struct I;
#[wasi_stubs("fd_write")]
impl WasiSnapshotPreview1 for I {}

fn main() {}
