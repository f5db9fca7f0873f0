use std::fmt;
use std::path::{Path, PathBuf};

/// Why a guest could not be read: the message names the file (when the guest came from one) and
/// the byte offset where reading stopped, in wasmparser's style:
///
/// ```text
/// guest.wasm: truncated module: unexpected end-of-file (at offset 0x3f2)
/// ```
#[derive(Debug)]
pub struct Error {
    file: Option<PathBuf>,
    offset: Option<usize>,
    kind: ErrorKind,
}

/// What was wrong with the input.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read.
    Io(std::io::Error),
    /// The file is larger than [`crate::MAX_GUEST_BYTES`].
    TooLarge,
    /// The file is empty.
    Empty,
    /// The input does not start with the `\0asm` magic.
    NotWasm,
    /// The input is a WebAssembly component (layer 1), not a core module.
    Component,
    /// The component does not decode or validate (wasmtime's message).
    InvalidComponent(String),
    /// The header names a binary version other than 1.
    UnsupportedVersion(u32),
    /// The input ends in the middle of the module.
    Truncated(String),
    /// The binary does not follow the format (wasmparser's message).
    Malformed(String),
    /// The module decodes but does not validate (wasmparser's message).
    Invalid(String),
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, offset: Option<usize>) -> Self {
        Error {
            file: None,
            offset,
            kind,
        }
    }

    pub(crate) fn io(path: &Path, e: std::io::Error) -> Self {
        Error::new(ErrorKind::Io(e), None).in_file(path)
    }

    /// The same error, naming `file` as the input.
    #[must_use]
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    /// The file the guest was read from, if any.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The byte offset in the input where reading stopped, if the error has one.
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }

    /// What was wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}: ", file.display())?;
        }
        match &self.kind {
            ErrorKind::Io(e) => write!(f, "{e}")?,
            ErrorKind::TooLarge => write!(
                f,
                "larger than {} MiB, the most a guest may have",
                crate::MAX_GUEST_BYTES >> 20
            )?,
            ErrorKind::Empty => f.write_str("empty file, not a WebAssembly module")?,
            ErrorKind::NotWasm => f.write_str(
                "not a WebAssembly module: the file does not start with the `\\0asm` magic",
            )?,
            ErrorKind::Component => f.write_str(
                "a WebAssembly component, not a core module (wasip1 guests are core modules)",
            )?,
            ErrorKind::InvalidComponent(m) => write!(f, "invalid component: {m}")?,
            ErrorKind::UnsupportedVersion(v) => {
                write!(f, "unsupported WebAssembly binary version {v:#x}")?
            }
            ErrorKind::Truncated(m) => write!(f, "truncated module: {m}")?,
            ErrorKind::Malformed(m) => write!(f, "malformed module: {m}")?,
            ErrorKind::Invalid(m) => write!(f, "invalid module: {m}")?,
        }
        if let Some(offset) = self.offset {
            write!(f, " (at offset {offset:#x})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}
