//! The WASI witx documents this crate carries: preview1 (`wasi_snapshot_preview1`) and preview0
//! (`wasi_unstable`), from the `witx/` folder of this package (its `README.md` says where they come
//! from and under which license).
//!
//! The files are compiled into this crate, so a build script that depends on it has them wherever
//! the crate was built: from crates.io, from a checkout, or from another checkout sharing the
//! target directory. [`load`](Vendored::load) writes a document into a directory the caller owns
//! (a build script's `OUT_DIR`) and loads it from there, since [`load`](crate::load) reads files.
//!
//! ```no_run
//! use wasi_stubs_codegen::vendored;
//!
//! // In a build script.
//! let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
//! let doc = vendored::PREVIEW1.load(&out.join("witx"))?;
//! wasi_stubs_codegen::Generator::document(&doc).write_to(out.join("preview1.rs"))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};

use crate::Error;

/// One vendored witx document: the files of one folder of `witx/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vendored {
    /// The folder under `witx/`: `preview1`, `preview0`.
    pub folder: &'static str,
    /// The module the document defines: `wasi_snapshot_preview1`, `wasi_unstable`.
    pub module: &'static str,
    /// The name and text of every file, the one to load first (it `use`s the others).
    pub files: &'static [(&'static str, &'static str)],
}

/// `wasi_snapshot_preview1`, 46 functions: `witx/preview1/`.
pub const PREVIEW1: Vendored = Vendored {
    folder: "preview1",
    module: "wasi_snapshot_preview1",
    files: &[
        (
            "wasi_snapshot_preview1.witx",
            include_str!("../witx/preview1/wasi_snapshot_preview1.witx"),
        ),
        (
            "typenames.witx",
            include_str!("../witx/preview1/typenames.witx"),
        ),
    ],
};

/// The functions of [`PREVIEW1`] that `wasi_stubs` generates as async in its async trait
/// (`WasiSnapshotPreview1Async`, with [`Generator::async_functions`](crate::Generator::async_functions)):
/// those a host may have to wait in, for input, for room to write, for time or for a peer.
pub const PREVIEW1_ASYNC: &[&str] = &[
    "fd_pread",
    "fd_pwrite",
    "fd_read",
    "fd_write",
    "poll_oneoff",
    "sched_yield",
    "sock_accept",
    "sock_recv",
    "sock_send",
];

/// `wasi_unstable` (snapshot_0), 45 functions: `witx/preview0/`.
pub const PREVIEW0: Vendored = Vendored {
    folder: "preview0",
    module: "wasi_unstable",
    files: &[
        (
            "wasi_unstable.witx",
            include_str!("../witx/preview0/wasi_unstable.witx"),
        ),
        (
            "typenames.witx",
            include_str!("../witx/preview0/typenames.witx"),
        ),
    ],
};

/// Every vendored document, preview1 first.
pub const ALL: [Vendored; 2] = [PREVIEW1, PREVIEW0];

impl Vendored {
    /// Writes the document's files into `dir/<folder>/` (creating it, replacing files of the
    /// same names) and returns the path of the file to load.
    pub fn write_to(&self, dir: &Path) -> Result<PathBuf, Error> {
        let folder = dir.join(self.folder);
        std::fs::create_dir_all(&folder)
            .map_err(|e| Error::new(format!("{}: {e}", folder.display())))?;
        for (name, text) in self.files {
            let path = folder.join(name);
            std::fs::write(&path, text)
                .map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
        }
        Ok(folder.join(self.files[0].0))
    }

    /// Writes the document into `dir` ([`write_to`](Self::write_to)) and loads it from there
    /// with [`load`](crate::load).
    pub fn load(&self, dir: &Path) -> Result<witx::Document, Error> {
        crate::load(&[self.write_to(dir)?])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded texts are the files of `witx/`, and they load as the modules they say.
    #[test]
    fn the_vendored_documents_load() {
        let dir = std::env::temp_dir().join(format!("wasi-stubs-vendored-{}", std::process::id()));
        for (v, functions) in [(PREVIEW1, 46), (PREVIEW0, 45)] {
            for (name, text) in v.files {
                let file = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("witx")
                    .join(v.folder)
                    .join(name);
                assert_eq!(std::fs::read_to_string(&file).unwrap(), *text, "{name}");
            }
            let doc = v.load(&dir).unwrap();
            let names = crate::module_names(&doc);
            assert_eq!(names.len(), 1);
            assert_eq!(names[0].module, v.module);
            assert_eq!(names[0].functions.len(), functions);
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
