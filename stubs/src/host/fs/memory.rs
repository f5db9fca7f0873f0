//! Trees held in memory.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use super::resolve::{Child, DirRef};
use super::{Backend, DirEntry, FsError, Kind, NAME_MAX, PATH_MAX, Stat, Tree};

/// The root's node.
pub(super) const ROOT: usize = 0;

/// Why a memory tree (or a tar archive read into one) could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TreeError {
    /// A path that is empty, absolute with `..`, has a NUL, or is too long.
    BadPath {
        /// The path, as given (lossy for non-UTF-8 bytes).
        path: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A path that needs a directory where a file or link is, or the other way round.
    Conflict {
        /// The path.
        path: String,
    },
    /// A tar archive that cannot be read.
    Tar {
        /// The offset of the header at fault, in bytes from the start of the archive.
        offset: u64,
        /// What is wrong.
        why: String,
    },
}

impl fmt::Display for TreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TreeError::BadPath { path, why } => write!(f, "`{path}`: {why}"),
            TreeError::Conflict { path } => {
                write!(f, "`{path}`: a file and a directory of the same name")
            }
            TreeError::Tar { offset, why } => write!(f, "tar archive, at byte {offset}: {why}"),
        }
    }
}

impl std::error::Error for TreeError {}

#[derive(Debug)]
pub(super) enum Content {
    File(Arc<[u8]>),
    Dir(BTreeMap<String, usize>),
    Link(Vec<u8>),
}

#[derive(Debug)]
struct Node {
    content: Content,
    mtime: u64,
}

/// A tree of files, directories and symbolic links in memory, built path by path; then
/// [`MemoryTree::into_tree`].
///
/// A path is relative (a leading `/` and `.` components are ignored, so `/a/./b` is `a/b`), has
/// no `..`, no NUL, no component over [`NAME_MAX`] bytes and at most [`PATH_MAX`] bytes in all.
/// The directories of a path are made as needed; a later file at the same path replaces an
/// earlier one.
///
/// ```
/// use wasi_stubs::host::MemoryTree;
///
/// let mut tree = MemoryTree::new();
/// tree.add_file("lib/os.py", b"import posix".to_vec()).unwrap();
/// tree.add_dir("empty").unwrap();
/// tree.add_symlink("current", "lib").unwrap();
/// let tree = tree.into_tree().fixed_time(0);
/// ```
#[derive(Debug)]
pub struct MemoryTree {
    nodes: Vec<Node>,
}

impl Default for MemoryTree {
    fn default() -> Self {
        MemoryTree::new()
    }
}

impl MemoryTree {
    /// An empty tree: a root directory.
    pub fn new() -> Self {
        MemoryTree {
            nodes: vec![Node {
                content: Content::Dir(BTreeMap::new()),
                mtime: 0,
            }],
        }
    }

    /// Adds the file `path` holding `bytes`.
    pub fn add_file(&mut self, path: &str, bytes: impl Into<Arc<[u8]>>) -> Result<(), TreeError> {
        self.add(path, Content::File(bytes.into()), 0)
    }

    /// Adds the directory `path` (and those above it).
    pub fn add_dir(&mut self, path: &str) -> Result<(), TreeError> {
        self.add(path, Content::Dir(BTreeMap::new()), 0)
    }

    /// Adds the symbolic link `path` to `target` (which is resolved as the guest resolves any
    /// link: an absolute target, or one that climbs above the tree, is refused when followed).
    pub fn add_symlink(&mut self, path: &str, target: &str) -> Result<(), TreeError> {
        if target.len() > PATH_MAX || target.contains('\0') {
            return Err(bad(target, "not a valid link target"));
        }
        self.add(path, Content::Link(target.as_bytes().to_vec()), 0)
    }

    /// The tree, ready to preopen.
    pub fn into_tree(self) -> Tree {
        Tree::new(Backend::Memory(Arc::new(self)))
    }

    pub(super) fn add(
        &mut self,
        path: &str,
        content: Content,
        mtime: u64,
    ) -> Result<(), TreeError> {
        if path.len() > PATH_MAX {
            return Err(bad(path, "longer than PATH_MAX"));
        }
        if path.contains('\0') {
            return Err(bad(path, "has a NUL byte"));
        }
        let names: Vec<&str> = path
            .split('/')
            .filter(|c| !c.is_empty() && *c != ".")
            .collect();
        if names.contains(&"..") {
            return Err(bad(path, "has a `..` component"));
        }
        if names.iter().any(|c| c.len() > NAME_MAX) {
            return Err(bad(path, "has a component longer than NAME_MAX"));
        }
        let Some((leaf, dirs)) = names.split_last() else {
            return match content {
                Content::Dir(_) => Ok(()),
                _ => Err(bad(path, "names the root")),
            };
        };
        let mut at = ROOT;
        for name in dirs {
            at = match self.child_of(at, name) {
                Some(n) if matches!(self.nodes[n].content, Content::Dir(_)) => n,
                Some(_) => return Err(conflict(path)),
                None => self.insert(at, name, Content::Dir(BTreeMap::new()), mtime)?,
            };
        }
        match (self.child_of(at, leaf), content) {
            (Some(n), Content::Dir(_)) => match self.nodes[n].content {
                Content::Dir(_) => {
                    self.nodes[n].mtime = mtime;
                    Ok(())
                }
                _ => Err(conflict(path)),
            },
            (Some(n), content) => {
                if matches!(self.nodes[n].content, Content::Dir(_)) {
                    return Err(conflict(path));
                }
                self.nodes[n] = Node { content, mtime };
                Ok(())
            }
            (None, content) => self.insert(at, leaf, content, mtime).map(drop),
        }
    }

    fn child_of(&self, dir: usize, name: &str) -> Option<usize> {
        match &self.nodes.get(dir)?.content {
            Content::Dir(children) => children.get(name).copied(),
            _ => None,
        }
    }

    fn insert(
        &mut self,
        dir: usize,
        name: &str,
        content: Content,
        mtime: u64,
    ) -> Result<usize, TreeError> {
        let n = self.nodes.len();
        match self.nodes.get_mut(dir).map(|d| &mut d.content) {
            Some(Content::Dir(children)) => {
                children.insert(name.to_string(), n);
            }
            _ => return Err(conflict(name)),
        }
        self.nodes.push(Node { content, mtime });
        Ok(n)
    }

    /// The bytes of the file at `path`, if there is one (for tar hard links).
    pub(super) fn file_at(&self, path: &str) -> Option<Arc<[u8]>> {
        let mut at = ROOT;
        for name in path.split('/').filter(|c| !c.is_empty() && *c != ".") {
            at = self.child_of(at, name)?;
        }
        match &self.nodes.get(at)?.content {
            Content::File(bytes) => Some(bytes.clone()),
            _ => None,
        }
    }

    fn node(&self, n: usize) -> Result<&Node, FsError> {
        self.nodes.get(n).ok_or(FsError::BadFd)
    }

    pub(super) fn child(&self, dir: usize, name: &str) -> Result<usize, FsError> {
        match &self.node(dir)?.content {
            Content::Dir(children) => children.get(name).copied().ok_or(FsError::NotFound),
            _ => Err(FsError::NotDir),
        }
    }

    pub(super) fn lookup(&self, dir: usize, name: &str) -> Result<Child, FsError> {
        let n = self.child(dir, name)?;
        Ok(match &self.node(n)?.content {
            Content::Dir(_) => Child::Dir(DirRef::Memory(n)),
            Content::Link(target) => Child::Link(target.clone()),
            Content::File(_) => Child::Other(Kind::File),
        })
    }

    pub(super) fn contents(&self, n: usize) -> Result<&[u8], FsError> {
        match &self.node(n)?.content {
            Content::File(bytes) => Ok(bytes),
            Content::Dir(_) => Err(FsError::IsDir),
            Content::Link(_) => Err(FsError::Loop),
        }
    }

    fn kind(content: &Content) -> Kind {
        match content {
            Content::File(_) => Kind::File,
            Content::Dir(_) => Kind::Dir,
            Content::Link(_) => Kind::Symlink,
        }
    }

    pub(super) fn stat(&self, n: usize) -> Result<Stat, FsError> {
        let node = self.node(n)?;
        let size = match &node.content {
            Content::File(bytes) => bytes.len() as u64,
            Content::Link(target) => target.len() as u64,
            Content::Dir(_) => 0,
        };
        Ok(Stat {
            kind: Self::kind(&node.content),
            dev: 0,
            ino: n as u64 + 1,
            nlink: 1,
            size,
            atime: node.mtime,
            mtime: node.mtime,
            ctime: node.mtime,
        })
    }

    pub(super) fn list(&self, dir: usize) -> Result<Vec<DirEntry>, FsError> {
        match &self.node(dir)?.content {
            Content::Dir(children) => children
                .iter()
                .map(|(name, &n)| {
                    Ok(DirEntry {
                        name: name.as_bytes().to_vec(),
                        ino: n as u64 + 1,
                        kind: Self::kind(&self.node(n)?.content),
                    })
                })
                .collect(),
            _ => Err(FsError::NotDir),
        }
    }
}

pub(super) fn file(bytes: Arc<[u8]>) -> Content {
    Content::File(bytes)
}

pub(super) fn dir() -> Content {
    Content::Dir(BTreeMap::new())
}

pub(super) fn link(target: Vec<u8>) -> Content {
    Content::Link(target)
}

fn bad(path: &str, why: &'static str) -> TreeError {
    TreeError::BadPath {
        path: path.to_string(),
        why,
    }
}

fn conflict(path: &str) -> TreeError {
    TreeError::Conflict {
        path: path.to_string(),
    }
}
