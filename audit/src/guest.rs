use std::fmt;
use std::path::Path;

use serde::{Serialize, Serializer};
use wasmparser::{
    CompositeInnerType, ExternalKind, FuncValidatorAllocations, Parser, Payload, TypeRef,
    ValidPayload, Validator,
};

use crate::error::{Error, ErrorKind};

/// A core wasm value type, written as in the text format (`i32`, `externref`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ValType {
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// `v128`
    V128,
    /// A reference type, as wasmparser writes it (`funcref`, `externref`, `(ref null $0)`, ...).
    Ref(String),
}

impl From<wasi_stubs::WasmType> for ValType {
    fn from(t: wasi_stubs::WasmType) -> Self {
        match t {
            wasi_stubs::WasmType::I32 => ValType::I32,
            wasi_stubs::WasmType::I64 => ValType::I64,
            wasi_stubs::WasmType::F32 => ValType::F32,
            wasi_stubs::WasmType::F64 => ValType::F64,
        }
    }
}

impl From<wasmparser::ValType> for ValType {
    fn from(t: wasmparser::ValType) -> Self {
        match t {
            wasmparser::ValType::I32 => ValType::I32,
            wasmparser::ValType::I64 => ValType::I64,
            wasmparser::ValType::F32 => ValType::F32,
            wasmparser::ValType::F64 => ValType::F64,
            wasmparser::ValType::V128 => ValType::V128,
            wasmparser::ValType::Ref(r) => ValType::Ref(r.to_string()),
        }
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::Ref(r) => r,
        })
    }
}

impl Serialize for ValType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A core wasm function type. Displayed as `(i32, i64) -> (i32)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Signature {
    /// Parameter types.
    pub params: Vec<ValType>,
    /// Result types.
    pub results: Vec<ValType>,
}

impl Signature {
    /// The signature of a generated function table entry.
    pub fn of(func: &wasi_stubs::FuncInfo) -> Self {
        Signature {
            params: func.params.iter().copied().map(ValType::from).collect(),
            results: func.results.iter().copied().map(ValType::from).collect(),
        }
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(f: &mut fmt::Formatter<'_>, types: &[ValType]) -> fmt::Result {
            f.write_str("(")?;
            for (i, t) in types.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{t}")?;
            }
            f.write_str(")")
        }
        list(f, &self.params)?;
        f.write_str(" -> ")?;
        list(f, &self.results)
    }
}

/// What an import brings in: a function with its core type, or another kind of item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ImportType {
    /// A function.
    Func(Signature),
    /// A table.
    Table,
    /// A memory.
    Memory,
    /// A global.
    Global,
    /// An exception tag.
    Tag,
}

impl ImportType {
    /// `func`, `table`, `memory`, `global` or `tag`.
    pub fn kind(&self) -> &'static str {
        match self {
            ImportType::Func(_) => "func",
            ImportType::Table => "table",
            ImportType::Memory => "memory",
            ImportType::Global => "global",
            ImportType::Tag => "tag",
        }
    }

    /// The function signature, for a function import.
    pub fn signature(&self) -> Option<&Signature> {
        match self {
            ImportType::Func(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for ImportType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportType::Func(s) => write!(f, "{s}"),
            other => f.write_str(other.kind()),
        }
    }
}

/// One entry of the guest's import section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The module name (`wasi_snapshot_preview1`).
    pub module: String,
    /// The item name (`fd_write`).
    pub name: String,
    /// What is imported.
    pub ty: ImportType,
}

/// How a guest is meant to be started, from its exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GuestKind {
    /// Exports a `_start` function and no `_initialize`: run once.
    Command,
    /// Exports an `_initialize` function and no `_start`: initialise once, then call exports.
    Reactor,
    /// Exports neither.
    Library,
    /// Exports both, which WASI does not allow: a runner rejects it.
    Both,
}

impl GuestKind {
    /// `command`, `reactor`, `library` or `both`.
    pub fn as_str(self) -> &'static str {
        match self {
            GuestKind::Command => "command",
            GuestKind::Reactor => "reactor",
            GuestKind::Library => "library",
            GuestKind::Both => "both",
        }
    }
}

impl fmt::Display for GuestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the audit needs of a guest module: its imports in order, its kind, and whether it exports
/// its memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guest {
    /// Every import, in the order of the import section (duplicates included).
    pub imports: Vec<Import>,
    /// Command, reactor, library or both.
    pub kind: GuestKind,
    /// Whether the module exports a memory named `memory`.
    pub exports_memory: bool,
}

const MAGIC: &[u8; 4] = b"\0asm";

/// The most bytes [`Guest::read_bytes`] (and so [`Guest::read`] and [`crate::audit_file`]) reads
/// of a guest: 512 MiB. A larger file (or a device such as `/dev/zero`) is refused after reading
/// one byte more, rather than read until memory runs out. Guests of real toolchains are a few
/// MiB (a Go guest is 3 MiB).
pub const MAX_GUEST_BYTES: u64 = 512 << 20;

impl Guest {
    /// Reads the module in the file at `path`; errors name the file.
    pub fn read(path: impl AsRef<Path>) -> Result<Guest, Error> {
        let path = path.as_ref();
        let bytes = Guest::read_bytes(path)?;
        Guest::parse(&bytes).map_err(|e| e.in_file(path))
    }

    /// The bytes of the file at `path`, at most [`MAX_GUEST_BYTES`] of them (a larger file is an
    /// error, [`ErrorKind::TooLarge`]); errors name the file.
    pub fn read_bytes(path: impl AsRef<Path>) -> Result<Vec<u8>, Error> {
        use std::io::Read as _;
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut bytes = Vec::new();
        file.take(MAX_GUEST_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(path, e))?;
        if bytes.len() as u64 > MAX_GUEST_BYTES {
            return Err(Error::new(ErrorKind::TooLarge, None).in_file(path));
        }
        Ok(bytes)
    }

    /// Decodes and validates a core wasm module.
    pub fn parse(bytes: &[u8]) -> Result<Guest, Error> {
        check_header(bytes)?;
        let mut validator = Validator::new();
        let mut allocs = FuncValidatorAllocations::default();
        // Per type index, the function type if it is one.
        let mut types: Vec<Option<Signature>> = Vec::new();
        let mut imports = Vec::new();
        let mut start = false;
        let mut initialize = false;
        let mut exports_memory = false;

        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload.map_err(|e| decode_error(e, bytes.len()))?;
            match validator.payload(&payload).map_err(|e| {
                if is_eof(&e, bytes.len()) {
                    decode_error(e, bytes.len())
                } else {
                    invalid(e)
                }
            })? {
                ValidPayload::Func(func, body) => {
                    let mut v = func.into_validator(allocs);
                    v.validate(&body).map_err(invalid)?;
                    allocs = v.into_allocations();
                }
                ValidPayload::Ok | ValidPayload::End(_) | ValidPayload::Parser(_) => {}
            }
            match payload {
                Payload::TypeSection(section) => {
                    for group in section {
                        let group = group.map_err(|e| decode_error(e, bytes.len()))?;
                        for sub in group.types() {
                            types.push(match &sub.composite_type.inner {
                                CompositeInnerType::Func(f) => Some(Signature {
                                    params: f.params().iter().copied().map(Into::into).collect(),
                                    results: f.results().iter().copied().map(Into::into).collect(),
                                }),
                                _ => None,
                            });
                        }
                    }
                }
                Payload::ImportSection(section) => {
                    for import in section.into_imports() {
                        let import = import.map_err(|e| decode_error(e, bytes.len()))?;
                        let ty = match import.ty {
                            TypeRef::Func(i) | TypeRef::FuncExact(i) => ImportType::Func(
                                // The validator has checked the index and that it is a function.
                                types.get(i as usize).cloned().flatten().unwrap_or_default(),
                            ),
                            TypeRef::Table(_) => ImportType::Table,
                            TypeRef::Memory(_) => ImportType::Memory,
                            TypeRef::Global(_) => ImportType::Global,
                            TypeRef::Tag(_) => ImportType::Tag,
                        };
                        imports.push(Import {
                            module: import.module.to_string(),
                            name: import.name.to_string(),
                            ty,
                        });
                    }
                }
                Payload::ExportSection(section) => {
                    for export in section {
                        let export = export.map_err(|e| decode_error(e, bytes.len()))?;
                        match (export.name, export.kind) {
                            ("_start", ExternalKind::Func | ExternalKind::FuncExact) => {
                                start = true
                            }
                            ("_initialize", ExternalKind::Func | ExternalKind::FuncExact) => {
                                initialize = true
                            }
                            ("memory", ExternalKind::Memory) => exports_memory = true,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        let kind = match (start, initialize) {
            (true, false) => GuestKind::Command,
            (false, true) => GuestKind::Reactor,
            (false, false) => GuestKind::Library,
            (true, true) => GuestKind::Both,
        };
        Ok(Guest {
            imports,
            kind,
            exports_memory,
        })
    }
}

/// Checks the 8-byte preamble ourselves, so that the common mistakes (an empty or non-wasm file,
/// a component) get a plain message rather than a decoder's.
fn check_header(bytes: &[u8]) -> Result<(), Error> {
    if bytes.is_empty() {
        return Err(Error::new(ErrorKind::Empty, Some(0)));
    }
    let magic_len = bytes.len().min(4);
    if bytes[..magic_len] != MAGIC[..magic_len] {
        return Err(Error::new(ErrorKind::NotWasm, Some(0)));
    }
    if bytes.len() < 8 {
        return Err(Error::new(
            ErrorKind::Truncated("the 8-byte header is incomplete".into()),
            Some(bytes.len()),
        ));
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    let layer = u16::from_le_bytes([bytes[6], bytes[7]]);
    match (layer, version) {
        (0, 1) => Ok(()),
        (1, _) => Err(Error::new(ErrorKind::Component, Some(4))),
        _ => Err(Error::new(
            ErrorKind::UnsupportedVersion(u32::from_le_bytes([
                bytes[4], bytes[5], bytes[6], bytes[7],
            ])),
            Some(4),
        )),
    }
}

fn is_eof(e: &wasmparser::BinaryReaderError, len: usize) -> bool {
    e.message().contains("end-of-file") || e.offset() >= len
}

fn decode_error(e: wasmparser::BinaryReaderError, len: usize) -> Error {
    let offset = Some(e.offset());
    if is_eof(&e, len) {
        Error::new(ErrorKind::Truncated(e.message().to_string()), offset)
    } else {
        Error::new(ErrorKind::Malformed(e.message().to_string()), offset)
    }
}

/// An error of the validator; some of its checks are of the encoding (an unknown section id).
fn invalid(e: wasmparser::BinaryReaderError) -> Error {
    let message = e.message().to_string();
    let kind = if message.starts_with("malformed") {
        ErrorKind::Malformed(message)
    } else {
        ErrorKind::Invalid(message)
    };
    Error::new(kind, Some(e.offset()))
}
