//! The WASI 0.2 WIT this crate carries: `wasi:cli@0.2.12` and the packages it uses, from the
//! `wit/` folder of this package (its `README.md` says where they come from and under which
//! license).
//!
//! The files are compiled into this crate, so that a build script that depends on it has them
//! wherever the crate was built. [`load`](Vendored::load) writes them into a directory the caller
//! owns (a build script's `OUT_DIR`) and loads a world from there, since wit-parser reads
//! directories.
//!
//! ```no_run
//! use wasi_stubs_codegen::wit::vendored;
//!
//! // In a build script.
//! let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
//! let world = vendored::WASI_0_2.load(&out.join("wit"), "wasi:cli/command")?;
//! std::fs::write(out.join("p2.rs"), world.generate_file()?)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};

use super::{Error, World};

/// A vendored WIT package directory: its files, by path inside the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vendored {
    /// The folder under `wit/`: `wasi-0.2`.
    pub folder: &'static str,
    /// The version of its packages: `0.2.12`.
    pub version: &'static str,
    /// The path and text of every file, the main package first.
    pub files: &'static [(&'static str, &'static str)],
}

/// WASI 0.2.12: `wasi:cli` with `wasi:io`, `wasi:clocks`, `wasi:filesystem`, `wasi:random` and
/// `wasi:sockets` in `deps/`.
pub const WASI_0_2: Vendored = Vendored {
    folder: "wasi-0.2",
    version: "0.2.12",
    files: &[
        ("cli.wit", include_str!("../../wit/wasi-0.2/cli.wit")),
        (
            "deps/io.wit",
            include_str!("../../wit/wasi-0.2/deps/io.wit"),
        ),
        (
            "deps/clocks.wit",
            include_str!("../../wit/wasi-0.2/deps/clocks.wit"),
        ),
        (
            "deps/filesystem.wit",
            include_str!("../../wit/wasi-0.2/deps/filesystem.wit"),
        ),
        (
            "deps/random.wit",
            include_str!("../../wit/wasi-0.2/deps/random.wit"),
        ),
        (
            "deps/sockets.wit",
            include_str!("../../wit/wasi-0.2/deps/sockets.wit"),
        ),
    ],
};

impl Vendored {
    /// Writes the files into `dir/<folder>/` (creating it, replacing files of the same names) and
    /// returns that directory.
    pub fn write_to(&self, dir: &Path) -> Result<PathBuf, Error> {
        let folder = dir.join(self.folder);
        for (name, text) in self.files {
            let path = folder.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| Error::new(format!("{}: {e}", parent.display())))?;
            }
            std::fs::write(&path, text)
                .map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
        }
        Ok(folder)
    }

    /// Writes the files into `dir` ([`write_to`](Self::write_to)) and loads `world` from there
    /// with [`load`](super::load).
    pub fn load(&self, dir: &Path, world: &str) -> Result<World, Error> {
        super::load(self.write_to(dir)?, world)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded texts are the files of `wit/`, and `wasi:cli/command` imports what the WASI
    /// 0.2 command world imports: 27 interfaces, 123 functions and 14 resources, counted by the
    /// generator's summary.
    #[test]
    fn the_vendored_command_world_loads() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("wit")
            .join(WASI_0_2.folder);
        for (name, text) in WASI_0_2.files {
            assert_eq!(
                std::fs::read_to_string(root.join(name)).unwrap(),
                *text,
                "{name}"
            );
        }
        let dir = std::env::temp_dir().join(format!("wasi-stubs-wit-{}", std::process::id()));
        let world = WASI_0_2.load(&dir, "wasi:cli/command").unwrap();
        assert_eq!(world.name(), "wasi:cli/command@0.2.12");
        let summary = world.summary().unwrap();
        let functions: usize = summary.iter().map(|i| i.functions.len()).sum();
        let resources: usize = summary.iter().map(|i| i.resources.len()).sum();
        let interfaces = world.resolve().worlds[world.id()].imports.len();
        assert_eq!((interfaces, functions, resources), (27, 123, 14));
        std::fs::remove_dir_all(&dir).ok();
    }
}
