//! Read-only file trees served to a guest as preopened directories.
//!
//! A [`Tree`] is a directory the guest may read and never change: a host directory
//! ([`Tree::dir`], Unix only), files held in memory ([`Tree::memory`], [`MemoryTree`]), or a tar
//! archive read once ([`Tree::tar`]). [`Files`] is a descriptor table that serves one or more
//! trees as preopens, with a bounded number of open descriptors; its core ([`Files::open`],
//! [`Files::read`], [`Files::read_dir`], ...) speaks in plain Rust types, and its `fd_*`/`path_*`
//! methods answer the `wasi_snapshot_preview1` functions of the same names from it.
//! [`MinimalHost`](super::MinimalHost) composes it through
//! [`preopen`](super::MinimalHostBuilder::preopen).
//!
//! ```no_run
//! use wasi_stubs::host::{MinimalHost, Tree};
//!
//! # fn main() -> std::io::Result<()> {
//! let host = MinimalHost::builder()
//!     .preopen("/usr/local/lib", Tree::dir("python-stdlib")?)
//!     .preopen("/data", Tree::memory([("config.json", b"{}".to_vec())]).unwrap())
//!     .build();
//! # Ok(()) }
//! ```
//!
//! # No way out
//!
//! Paths are resolved here, one component at a time, never by the host's kernel as a whole:
//!
//! - an absolute path, a `..` that would climb above the directory descriptor the path starts
//!   from, and a symbolic link whose target is absolute or climbs above it are [`FsError::Escape`]
//!   (`EPERM` to a preview1 guest, as wasmtime answers);
//! - a `..` never asks the host for a parent: the resolver keeps the directories it went through
//!   and steps back to the one it came from;
//! - more than [`MAX_SYMLINKS`] links in one resolution is [`FsError::Loop`] (`ELOOP`), a path
//!   longer than [`PATH_MAX`] bytes or a component longer than [`NAME_MAX`] is
//!   [`FsError::NameTooLong`] (`ENAMETOOLONG`), before anything is looked up.
//!
//! For a host directory, the root is opened once, when the tree is made, and every later lookup
//! is relative to a directory descriptor already inside the tree: `openat(dir, name,
//! O_NOFOLLOW)` for one name at a time, so the kernel never follows a symbolic link on the
//! tree's behalf (a link is read with `readlinkat` and resolved here, under the rules above). A
//! name swapped for a link between the check and the open (a race with another host process)
//! makes the open fail, not follow it. Only directories and regular files are opened: a FIFO, a
//! socket or a device inside the tree can be listed and stat-ed, not opened
//! ([`FsError::Unsupported`]). Nothing is ever written, created, or opened for writing.

mod memory;
mod preview1;
mod resolve;
mod tar;
#[cfg(unix)]
mod unix;

use std::fmt;
use std::path::Path;
use std::sync::Arc;

pub use memory::{MemoryTree, TreeError};
pub use preview1::{DIR_RIGHTS, FILE_RIGHTS, WRITE_RIGHTS};

use resolve::{DirRef, Last};

/// The longest path the guest may pass, in bytes (as Linux's `PATH_MAX`).
pub const PATH_MAX: usize = 4096;
/// The longest name of one path component, in bytes (as Linux's `NAME_MAX`).
pub const NAME_MAX: usize = 255;
/// The most symbolic links followed while resolving one path (as Linux's limit).
pub const MAX_SYMLINKS: u32 = 40;
/// The default bound of a [`Files`] table: descriptors the guest opens, preopens not counted.
pub const DEFAULT_MAX_OPEN: usize = 1024;
/// The most bytes one read copies from a host file (a guest asking for more gets a short read).
pub const MAX_READ: usize = 1 << 20;

/// What kind of file an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
    /// A FIFO, a socket or a device (of a host directory): listed, never opened.
    Other,
}

/// The attributes of a file, as `stat` gives them. Times are in ns since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// The kind of file.
    pub kind: Kind,
    /// The device it is on.
    pub dev: u64,
    /// Its serial number on the device.
    pub ino: u64,
    /// The number of hard links to it.
    pub nlink: u64,
    /// Its size in bytes (for a link, the length of its target).
    pub size: u64,
    /// Last access.
    pub atime: u64,
    /// Last change of contents.
    pub mtime: u64,
    /// Last change of status.
    pub ctime: u64,
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// The name (bytes: a host file name need not be UTF-8).
    pub name: Vec<u8>,
    /// Its serial number.
    pub ino: u64,
    /// Its kind (a link is a link: not followed).
    pub kind: Kind,
}

/// Why a file operation failed. [`Errno`](crate::preview1::Errno) has a case for each.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FsError {
    /// No such file or directory (`ENOENT`).
    NotFound,
    /// A component that must be a directory is not (`ENOTDIR`).
    NotDir,
    /// A directory where a file is needed (`EISDIR`).
    IsDir,
    /// Too many symbolic links, or a link where links are not followed (`ELOOP`).
    Loop,
    /// A path or a name too long (`ENAMETOOLONG`).
    NameTooLong,
    /// A path that leads out of its directory: absolute, `..` above it, or through a link that
    /// does (`EPERM`).
    Escape,
    /// A write: the trees are read-only (`EROFS`).
    ReadOnly,
    /// `O_CREAT | O_EXCL` on a name that exists (`EEXIST`).
    Exists,
    /// Not an open descriptor of this table, or one that cannot do this (`EBADF`).
    BadFd,
    /// The table is full (`EMFILE`).
    TooManyOpen,
    /// An invalid argument: a NUL in a path, a seek before the start, `readlink` of a file that
    /// is not a link (`EINVAL`).
    Invalid,
    /// A result too large for its type (`EOVERFLOW`).
    Overflow,
    /// A FIFO, socket or device: not served (`ENOTSUP`).
    Unsupported,
    /// The host refused access (`EACCES`).
    Access,
    /// Another error of the host, by its raw OS error number (`EIO` unless it has a counterpart).
    Os(i32),
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            FsError::NotFound => "no such file or directory",
            FsError::NotDir => "not a directory",
            FsError::IsDir => "is a directory",
            FsError::Loop => "too many levels of symbolic links",
            FsError::NameTooLong => "file name too long",
            FsError::Escape => "the path leads out of its directory",
            FsError::ReadOnly => "read-only file tree",
            FsError::Exists => "file exists",
            FsError::BadFd => "bad file descriptor",
            FsError::TooManyOpen => "too many open files",
            FsError::Invalid => "invalid argument",
            FsError::Overflow => "value too large",
            FsError::Unsupported => "not a regular file or directory",
            FsError::Access => "permission denied",
            FsError::Os(n) => return write!(f, "host error {n}"),
        };
        f.write_str(what)
    }
}

impl std::error::Error for FsError {}

#[derive(Debug)]
enum Backend {
    Memory(Arc<MemoryTree>),
    #[cfg(unix)]
    Host(Arc<unix::HostDir>),
}

/// A read-only directory tree: cheap to clone (its contents are shared), so one tree can serve
/// many instances.
#[derive(Debug, Clone)]
pub struct Tree {
    backend: Arc<Backend>,
    fixed_time: Option<u64>,
}

impl Tree {
    /// The host directory at `path`, opened now (so a later rename of `path` does not change
    /// what the guest sees). Unix only: elsewhere an [`std::io::ErrorKind::Unsupported`] error.
    pub fn dir(path: impl AsRef<Path>) -> std::io::Result<Tree> {
        #[cfg(unix)]
        {
            let dir = unix::HostDir::open(path.as_ref())?;
            Ok(Tree::new(Backend::Host(Arc::new(dir))))
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            Err(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "host directory trees need a Unix host",
            ))
        }
    }

    /// Files in memory, by path (`a/b.txt`; directories are implied). See [`MemoryTree`] for
    /// directories, links and what a path may be.
    pub fn memory<P: AsRef<str>, B: Into<Arc<[u8]>>>(
        files: impl IntoIterator<Item = (P, B)>,
    ) -> Result<Tree, TreeError> {
        let mut tree = MemoryTree::new();
        for (path, bytes) in files {
            tree.add_file(path.as_ref(), bytes)?;
        }
        Ok(tree.into_tree())
    }

    /// The files, directories and symbolic links of a tar archive (ustar, GNU long names, pax
    /// `path` and `linkpath`), read once into memory. Hard links are copies; other entries are
    /// skipped; a path with `..` or a malformed header is an error.
    pub fn tar(bytes: &[u8]) -> Result<Tree, TreeError> {
        Ok(tar::read(bytes)?.into_tree())
    }

    /// Every time of every file reads `nanos` (ns since the Unix epoch), so that stats and
    /// listings are the same every run.
    pub fn fixed_time(mut self, nanos: u64) -> Tree {
        self.fixed_time = Some(nanos);
        self
    }

    fn new(backend: Backend) -> Tree {
        Tree {
            backend: Arc::new(backend),
            fixed_time: None,
        }
    }

    fn root(&self) -> DirRef {
        match &*self.backend {
            Backend::Memory(_) => DirRef::Memory(memory::ROOT),
            #[cfg(unix)]
            Backend::Host(dir) => DirRef::Host(dir.root()),
        }
    }

    fn fix(&self, mut stat: Stat) -> Stat {
        if let Some(t) = self.fixed_time {
            stat.atime = t;
            stat.mtime = t;
            stat.ctime = t;
        }
        stat
    }
}

/// How [`Files::open`] opens a path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenFlags {
    /// Follows a symbolic link in the last component (links before it are always followed).
    pub follow: bool,
    /// The path must be a directory (`O_DIRECTORY`).
    pub directory: bool,
    /// Creates the file if it does not exist (`O_CREAT`): a write.
    pub create: bool,
    /// With `create`: fails if it exists (`O_EXCL`).
    pub exclusive: bool,
    /// Truncates the file (`O_TRUNC`): a write.
    pub truncate: bool,
    /// Opens for writing: a write.
    pub write: bool,
}

/// Where [`Files::seek`] counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeekFrom {
    /// From the start.
    Start(u64),
    /// From the current offset.
    Current(i64),
    /// From the end.
    End(i64),
}

#[derive(Debug)]
enum Handle {
    File(resolve::FileRef),
    Dir {
        dir: DirRef,
        /// The serial number of the directory `..` names; `None` for its own (a preopen's:
        /// nothing above a tree's root is looked at).
        parent_ino: Option<u64>,
        /// The listing `fd_readdir` pages through, taken at cookie 0.
        listing: Option<Vec<DirEntry>>,
    },
}

#[derive(Debug)]
struct Open {
    tree: Tree,
    handle: Handle,
    offset: u64,
    /// The guest path of a preopen.
    preopen: Option<String>,
}

/// A descriptor table of read-only trees: the preopens first, from fd 3, then the descriptors
/// the guest opens, each at the lowest free number; at most [`Files::max_open`] of those.
#[derive(Debug)]
pub struct Files {
    slots: Vec<Option<Open>>,
    max_open: usize,
    /// Whether a tree was ever preopened (closing them all does not make the table new).
    has_trees: bool,
}

/// The first descriptor number of a [`Files`] table (0–2 are stdio).
pub const FIRST_FD: u32 = 3;

impl Default for Files {
    fn default() -> Self {
        Files::new()
    }
}

impl Files {
    /// An empty table bounded at [`DEFAULT_MAX_OPEN`] open descriptors.
    pub fn new() -> Self {
        Files {
            slots: Vec::new(),
            max_open: DEFAULT_MAX_OPEN,
            has_trees: false,
        }
    }

    /// The most descriptors the guest may have open at once, preopens not counted (an open past
    /// it is [`FsError::TooManyOpen`], `EMFILE`). Each descriptor of a host directory tree holds
    /// one descriptor of the host process, so this also bounds what the guest costs the host.
    pub fn max_open(mut self, n: usize) -> Self {
        self.max_open = n;
        self
    }

    /// Serves `tree` as the preopened directory `guest_path` (what `fd_prestat_dir_name` names);
    /// returns its descriptor. Preopens do not count against [`Files::max_open`].
    pub fn preopen(&mut self, guest_path: impl Into<String>, tree: Tree) -> u32 {
        let dir = tree.root();
        let open = Open {
            tree,
            handle: Handle::Dir {
                dir,
                parent_ino: None,
                listing: None,
            },
            offset: 0,
            preopen: Some(guest_path.into()),
        };
        let at = self.free_slot();
        self.slots[at] = Some(open);
        self.has_trees = true;
        FIRST_FD.saturating_add(u32::try_from(at).unwrap_or(u32::MAX))
    }

    /// Whether the table has no descriptor open, preopens included.
    pub fn is_empty(&self) -> bool {
        self.slots.iter().all(Option::is_none)
    }

    /// Whether a tree was ever preopened in this table (even if the guest has closed it since).
    pub fn has_trees(&self) -> bool {
        self.has_trees
    }

    /// The number of open descriptors, preopens included.
    pub fn open_count(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }

    /// The index of a free slot, made if there is none.
    fn free_slot(&mut self) -> usize {
        match self.slots.iter().position(Option::is_none) {
            Some(at) => at,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        }
    }

    /// [`FsError::TooManyOpen`] when the guest has [`Files::max_open`] descriptors open.
    fn check_room(&self) -> Result<(), FsError> {
        let opened = self
            .slots
            .iter()
            .filter(|s| s.as_ref().is_some_and(|o| o.preopen.is_none()))
            .count();
        if opened >= self.max_open {
            return Err(FsError::TooManyOpen);
        }
        Ok(())
    }

    fn insert(&mut self, open: Open) -> Result<u32, FsError> {
        self.check_room()?;
        let at = self.free_slot();
        // Descriptors stay below 2^31, as the spec promises.
        let fd = u32::try_from(at)
            .ok()
            .and_then(|at| at.checked_add(FIRST_FD))
            .filter(|fd| *fd < 1 << 31)
            .ok_or(FsError::TooManyOpen)?;
        self.slots[at] = Some(open);
        Ok(fd)
    }

    fn get(&self, fd: u32) -> Result<&Open, FsError> {
        fd.checked_sub(FIRST_FD)
            .and_then(|i| self.slots.get(i as usize))
            .and_then(Option::as_ref)
            .ok_or(FsError::BadFd)
    }

    fn get_mut(&mut self, fd: u32) -> Result<&mut Open, FsError> {
        fd.checked_sub(FIRST_FD)
            .and_then(|i| self.slots.get_mut(i as usize))
            .and_then(Option::as_mut)
            .ok_or(FsError::BadFd)
    }

    /// The guest path of the preopen `fd` ([`FsError::BadFd`] for any other descriptor).
    pub fn preopen_name(&self, fd: u32) -> Result<&str, FsError> {
        self.get(fd)?.preopen.as_deref().ok_or(FsError::BadFd)
    }

    /// Opens `path` relative to the directory `dirfd`; returns the new descriptor.
    ///
    /// Read-only: `create` on a missing name, `truncate` and `write` are [`FsError::ReadOnly`]
    /// (a directory asked for writing is [`FsError::IsDir`]), `create` + `exclusive` on a name
    /// that exists is [`FsError::Exists`].
    pub fn open(&mut self, dirfd: u32, path: &str, flags: OpenFlags) -> Result<u32, FsError> {
        let open = self.get(dirfd)?;
        // Before anything is looked up: a full table costs the host nothing more.
        self.check_room()?;
        let Handle::Dir { dir, .. } = &open.handle else {
            return Err(FsError::NotDir);
        };
        let tree = open.tree.clone();
        let last = resolve::resolve(&tree, dir.clone(), path, flags.follow)?;
        let wants_write = flags.write || flags.truncate;
        let handle = match last {
            Last::Missing if flags.create => return Err(FsError::ReadOnly),
            Last::Missing => return Err(FsError::NotFound),
            _ if flags.create && flags.exclusive => return Err(FsError::Exists),
            Last::Dir { dir, parent } => {
                if wants_write {
                    return Err(FsError::IsDir);
                }
                let parent_ino = Some(stat_dir(&tree, &parent)?.ino);
                Handle::Dir {
                    dir,
                    parent_ino,
                    listing: None,
                }
            }
            Last::Entry { kind, .. } if flags.directory => {
                return Err(if kind == Kind::Symlink {
                    FsError::Loop
                } else {
                    FsError::NotDir
                });
            }
            Last::Entry {
                kind: Kind::Symlink,
                ..
            } => return Err(FsError::Loop),
            Last::Entry { .. } if wants_write => return Err(FsError::ReadOnly),
            Last::Entry {
                kind: Kind::Other, ..
            } => return Err(FsError::Unsupported),
            Last::Entry { parent, name, .. } => {
                Handle::File(resolve::open_file(&tree, &parent, &name)?)
            }
        };
        self.insert(Open {
            tree,
            handle,
            offset: 0,
            preopen: None,
        })
    }

    /// Closes `fd` (a preopen too).
    pub fn close(&mut self, fd: u32) -> Result<(), FsError> {
        let slot = fd
            .checked_sub(FIRST_FD)
            .and_then(|i| self.slots.get_mut(i as usize))
            .filter(|s| s.is_some())
            .ok_or(FsError::BadFd)?;
        *slot = None;
        while matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
        Ok(())
    }

    /// Reads up to `len` bytes at the offset of `fd` and moves it on; hands them to `sink`, which
    /// says how many it took (the offset moves by that many). A directory is [`FsError::IsDir`].
    pub fn read_with<E>(
        &mut self,
        fd: u32,
        len: usize,
        sink: impl FnOnce(&[u8]) -> Result<usize, E>,
    ) -> Result<Result<usize, E>, FsError> {
        let open = self.get_mut(fd)?;
        let taken = read_file(open, open.offset, len, sink)?;
        if let Ok(n) = taken {
            open.offset = open.offset.saturating_add(n as u64);
        }
        Ok(taken)
    }

    /// Reads into `buf` at the offset of `fd` and moves it on; the number of bytes read (0 at the
    /// end).
    pub fn read(&mut self, fd: u32, buf: &mut [u8]) -> Result<usize, FsError> {
        let len = buf.len();
        self.read_with(fd, len, |bytes| {
            buf[..bytes.len()].copy_from_slice(bytes);
            Ok::<_, std::convert::Infallible>(bytes.len())
        })
        .map(|r| r.unwrap_or_else(|never| match never {}))
    }

    /// Reads up to `len` bytes at `offset` without moving the offset of `fd`; hands them to
    /// `sink`, as [`Files::read_with`].
    pub fn pread_with<E>(
        &self,
        fd: u32,
        offset: u64,
        len: usize,
        sink: impl FnOnce(&[u8]) -> Result<usize, E>,
    ) -> Result<Result<usize, E>, FsError> {
        read_file(self.get(fd)?, offset, len, sink)
    }

    /// Moves the offset of the file `fd`; the new offset. Before the start is
    /// [`FsError::Invalid`]; a directory is [`FsError::BadFd`].
    pub fn seek(&mut self, fd: u32, pos: SeekFrom) -> Result<u64, FsError> {
        let open = self.get_mut(fd)?;
        let Handle::File(file) = &open.handle else {
            return Err(FsError::BadFd);
        };
        let base = match pos {
            SeekFrom::Start(n) => {
                open.offset = n;
                return Ok(n);
            }
            SeekFrom::Current(d) => (open.offset, d),
            SeekFrom::End(d) => (resolve::file_size(&open.tree, file)?, d),
        };
        let to = i128::from(base.0) + i128::from(base.1);
        let to = u64::try_from(to).map_err(|_| FsError::Invalid)?;
        // As preview1's filedelta: an offset that does not fit an i64 cannot be reported back.
        if to > i64::MAX as u64 {
            return Err(FsError::Overflow);
        }
        open.offset = to;
        Ok(to)
    }

    /// The offset of the file `fd`.
    pub fn tell(&self, fd: u32) -> Result<u64, FsError> {
        let open = self.get(fd)?;
        match open.handle {
            Handle::File(_) => Ok(open.offset),
            Handle::Dir { .. } => Err(FsError::BadFd),
        }
    }

    /// The kind of file `fd` is.
    pub fn kind(&self, fd: u32) -> Result<Kind, FsError> {
        Ok(match self.get(fd)?.handle {
            Handle::File(_) => Kind::File,
            Handle::Dir { .. } => Kind::Dir,
        })
    }

    /// The attributes of the file or directory `fd`.
    pub fn stat(&self, fd: u32) -> Result<Stat, FsError> {
        let open = self.get(fd)?;
        let stat = match &open.handle {
            Handle::File(file) => resolve::stat_file(&open.tree, file)?,
            Handle::Dir { dir, .. } => stat_dir(&open.tree, dir)?,
        };
        Ok(open.tree.fix(stat))
    }

    /// The attributes of `path` relative to the directory `dirfd`; with `follow`, of what a link
    /// in its last component leads to.
    pub fn stat_path(&self, dirfd: u32, path: &str, follow: bool) -> Result<Stat, FsError> {
        let (tree, dir) = self.dir(dirfd)?;
        let stat = match resolve::resolve(tree, dir.clone(), path, follow)? {
            Last::Missing => return Err(FsError::NotFound),
            Last::Dir { dir, .. } => stat_dir(tree, &dir)?,
            Last::Entry { parent, name, .. } => resolve::stat_entry(tree, &parent, &name)?,
        };
        Ok(tree.fix(stat))
    }

    /// The target of the symbolic link `path` relative to the directory `dirfd`
    /// ([`FsError::Invalid`] when it is not a link).
    pub fn read_link(&self, dirfd: u32, path: &str) -> Result<Vec<u8>, FsError> {
        let (tree, dir) = self.dir(dirfd)?;
        match resolve::resolve(tree, dir.clone(), path, false)? {
            Last::Missing => Err(FsError::NotFound),
            Last::Entry {
                kind: Kind::Symlink,
                parent,
                name,
            } => resolve::read_link(tree, &parent, &name),
            _ => Err(FsError::Invalid),
        }
    }

    /// The entries of the directory `fd` from position `cookie` on: `.` and `..` first (0 and 1),
    /// then the directory's own in byte order of their names; each with the cookie of the next.
    /// The listing is taken afresh at cookie 0 and kept for the cookies after it, so paging
    /// through resumes where it left off.
    pub fn read_dir(
        &mut self,
        fd: u32,
        cookie: u64,
    ) -> Result<impl Iterator<Item = (u64, &DirEntry)>, FsError> {
        let open = self.get_mut(fd)?;
        let tree = open.tree.clone();
        let Handle::Dir {
            dir,
            parent_ino,
            listing,
        } = &mut open.handle
        else {
            return Err(FsError::NotDir);
        };
        if cookie == 0 || listing.is_none() {
            let own = stat_dir(&tree, dir)?.ino;
            let mut entries = vec![
                DirEntry {
                    name: b".".to_vec(),
                    ino: own,
                    kind: Kind::Dir,
                },
                DirEntry {
                    name: b"..".to_vec(),
                    ino: parent_ino.unwrap_or(own),
                    kind: Kind::Dir,
                },
            ];
            let mut own_entries = resolve::list(&tree, dir)?;
            own_entries.sort_by(|a, b| a.name.cmp(&b.name));
            entries.extend(own_entries);
            *listing = Some(entries);
        }
        let entries = listing.as_deref().unwrap_or_default();
        let skip = usize::try_from(cookie).unwrap_or(usize::MAX);
        Ok((1u64..).zip(entries).skip(skip))
    }

    fn dir(&self, dirfd: u32) -> Result<(&Tree, &DirRef), FsError> {
        let open = self.get(dirfd)?;
        match &open.handle {
            Handle::Dir { dir, .. } => Ok((&open.tree, dir)),
            Handle::File(_) => Err(FsError::NotDir),
        }
    }
}

fn stat_dir(tree: &Tree, dir: &DirRef) -> Result<Stat, FsError> {
    resolve::stat_dir(tree, dir)
}

fn read_file<E>(
    open: &Open,
    offset: u64,
    len: usize,
    sink: impl FnOnce(&[u8]) -> Result<usize, E>,
) -> Result<Result<usize, E>, FsError> {
    match &open.handle {
        Handle::File(file) => resolve::read_at(&open.tree, file, offset, len, sink),
        Handle::Dir { .. } => Err(FsError::IsDir),
    }
}

#[cfg(test)]
mod tests;
