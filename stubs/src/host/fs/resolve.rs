//! Path resolution, one component at a time, and what each backend answers for one name.

use std::sync::Arc;

use super::{Backend, DirEntry, FsError, Kind, MAX_SYMLINKS, NAME_MAX, PATH_MAX, Stat, Tree};

/// A directory inside a tree.
#[derive(Debug, Clone)]
pub(super) enum DirRef {
    /// A node of a memory tree.
    Memory(usize),
    /// An open host directory, inside the tree.
    #[cfg(unix)]
    Host(Arc<std::os::fd::OwnedFd>),
}

/// An open file of a tree.
#[derive(Debug)]
pub(super) enum FileRef {
    /// A node of a memory tree.
    Memory(usize),
    /// An open host file, read with positional reads.
    #[cfg(unix)]
    Host(std::fs::File),
}

/// What a name inside a directory is.
pub(super) enum Child {
    Dir(DirRef),
    Link(Vec<u8>),
    Other(Kind),
}

/// Where a path led.
#[derive(Debug)]
pub(super) enum Last {
    /// A directory (a path that ends in a directory, `.`, `..` or a slash); with the directory
    /// it was found in (itself when it is the one the path started from).
    Dir { dir: DirRef, parent: DirRef },
    /// Something that is not a directory (a link not followed, a file), by its name in `parent`.
    Entry {
        parent: DirRef,
        name: String,
        kind: Kind,
    },
    /// The last component does not exist; the directory it would be in does.
    Missing,
}

/// Resolves `path` from the directory `start`, never above it. With `follow`, a link in the last
/// component is followed; links before it always are.
pub(super) fn resolve(
    tree: &Tree,
    start: DirRef,
    path: &str,
    follow: bool,
) -> Result<Last, FsError> {
    if path.is_empty() {
        return Err(FsError::NotFound);
    }
    if path.len() > PATH_MAX {
        return Err(FsError::NameTooLong);
    }
    if path.contains('\0') {
        return Err(FsError::Invalid);
    }
    if path.starts_with('/') {
        return Err(FsError::Escape);
    }
    // The components still to walk, last first; a trailing slash is a trailing `.`, so that the
    // name before it must be a directory and a link there is followed.
    let mut rest: Vec<Vec<u8>> = Vec::new();
    push_components(&mut rest, path.as_bytes())?;
    let mut stack = vec![start];
    let mut links = 0u32;
    while let Some(name) = rest.pop() {
        let last = rest.is_empty();
        let top = stack.last().cloned().ok_or(FsError::Escape)?;
        match &name[..] {
            b"" | b"." => {
                if last {
                    return Ok(dir_at(&stack));
                }
            }
            b".." => {
                if stack.len() == 1 {
                    return Err(FsError::Escape);
                }
                stack.pop();
                if last {
                    return Ok(dir_at(&stack));
                }
            }
            _ => {
                if name.len() > NAME_MAX {
                    return Err(FsError::NameTooLong);
                }
                let name = String::from_utf8(name).map_err(|_| FsError::Invalid)?;
                let child = match lookup(tree, &top, &name) {
                    Ok(child) => child,
                    Err(FsError::NotFound) if last => return Ok(Last::Missing),
                    Err(e) => return Err(e),
                };
                match child {
                    Child::Dir(dir) => {
                        stack.push(dir);
                        if last {
                            return Ok(dir_at(&stack));
                        }
                    }
                    Child::Link(_) if last && !follow => {
                        return Ok(Last::Entry {
                            parent: top,
                            name,
                            kind: Kind::Symlink,
                        });
                    }
                    Child::Link(target) => {
                        links += 1;
                        if links > MAX_SYMLINKS {
                            return Err(FsError::Loop);
                        }
                        if target.first() == Some(&b'/') {
                            return Err(FsError::Escape);
                        }
                        if target.is_empty() {
                            return Err(FsError::NotFound);
                        }
                        if target.len() > PATH_MAX {
                            return Err(FsError::NameTooLong);
                        }
                        push_components(&mut rest, &target)?;
                    }
                    Child::Other(kind) if last => {
                        return Ok(Last::Entry {
                            parent: top,
                            name,
                            kind,
                        });
                    }
                    Child::Other(_) => return Err(FsError::NotDir),
                }
            }
        }
    }
    Ok(dir_at(&stack))
}

/// Pushes the components of `path` onto `rest` (the stack of components still to walk), so
/// that its first is walked next.
fn push_components(rest: &mut Vec<Vec<u8>>, path: &[u8]) -> Result<(), FsError> {
    // Bounded: 40 links of at most PATH_MAX bytes each, on top of the path itself.
    if rest.len() + path.len() > (MAX_SYMLINKS as usize + 1) * PATH_MAX {
        return Err(FsError::NameTooLong);
    }
    if path.ends_with(b"/") {
        rest.push(b".".to_vec());
    }
    rest.extend(
        path.split(|b| *b == b'/')
            .rev()
            .filter(|c| !c.is_empty())
            .map(<[u8]>::to_vec),
    );
    Ok(())
}

fn dir_at(stack: &[DirRef]) -> Last {
    let dir = stack.last().cloned();
    let parent = stack
        .len()
        .checked_sub(2)
        .and_then(|i| stack.get(i))
        .cloned();
    match (dir, parent) {
        (Some(dir), Some(parent)) => Last::Dir { dir, parent },
        (Some(dir), None) => Last::Dir {
            parent: dir.clone(),
            dir,
        },
        // The stack always holds the start.
        (None, _) => Last::Missing,
    }
}

fn lookup(tree: &Tree, dir: &DirRef, name: &str) -> Result<Child, FsError> {
    match (&*tree.backend, dir) {
        (Backend::Memory(m), DirRef::Memory(n)) => m.lookup(*n, name),
        #[cfg(unix)]
        (Backend::Host(_), DirRef::Host(fd)) => super::unix::lookup(fd, name),
        #[cfg(unix)]
        _ => Err(FsError::BadFd),
    }
}

pub(super) fn stat_dir(tree: &Tree, dir: &DirRef) -> Result<Stat, FsError> {
    match (&*tree.backend, dir) {
        (Backend::Memory(m), DirRef::Memory(n)) => m.stat(*n),
        #[cfg(unix)]
        (Backend::Host(_), DirRef::Host(fd)) => super::unix::fstat(fd),
        #[cfg(unix)]
        _ => Err(FsError::BadFd),
    }
}

pub(super) fn stat_entry(tree: &Tree, parent: &DirRef, name: &str) -> Result<Stat, FsError> {
    match (&*tree.backend, parent) {
        (Backend::Memory(m), DirRef::Memory(n)) => m.stat(m.child(*n, name)?),
        #[cfg(unix)]
        (Backend::Host(_), DirRef::Host(fd)) => super::unix::stat_at(fd, name),
        #[cfg(unix)]
        _ => Err(FsError::BadFd),
    }
}

pub(super) fn stat_file(tree: &Tree, file: &FileRef) -> Result<Stat, FsError> {
    match (&*tree.backend, file) {
        (Backend::Memory(m), FileRef::Memory(n)) => m.stat(*n),
        #[cfg(unix)]
        (Backend::Host(_), FileRef::Host(f)) => super::unix::fstat(f),
        #[cfg(unix)]
        _ => Err(FsError::BadFd),
    }
}

pub(super) fn file_size(tree: &Tree, file: &FileRef) -> Result<u64, FsError> {
    stat_file(tree, file).map(|s| s.size)
}

pub(super) fn open_file(tree: &Tree, parent: &DirRef, name: &str) -> Result<FileRef, FsError> {
    match (&*tree.backend, parent) {
        (Backend::Memory(m), DirRef::Memory(n)) => Ok(FileRef::Memory(m.child(*n, name)?)),
        #[cfg(unix)]
        (Backend::Host(_), DirRef::Host(fd)) => super::unix::open_file(fd, name).map(FileRef::Host),
        #[cfg(unix)]
        _ => Err(FsError::BadFd),
    }
}

pub(super) fn read_link(tree: &Tree, parent: &DirRef, name: &str) -> Result<Vec<u8>, FsError> {
    match lookup(tree, parent, name)? {
        Child::Link(target) => Ok(target),
        _ => Err(FsError::Invalid),
    }
}

pub(super) fn list(tree: &Tree, dir: &DirRef) -> Result<Vec<DirEntry>, FsError> {
    match (&*tree.backend, dir) {
        (Backend::Memory(m), DirRef::Memory(n)) => m.list(*n),
        #[cfg(unix)]
        (Backend::Host(_), DirRef::Host(fd)) => super::unix::list(fd),
        #[cfg(unix)]
        _ => Err(FsError::BadFd),
    }
}

/// Reads up to `len` bytes (at most [`MAX_READ`](super::MAX_READ) from a host file) at
/// `offset`, and hands them to `sink`.
pub(super) fn read_at<E>(
    tree: &Tree,
    file: &FileRef,
    offset: u64,
    len: usize,
    sink: impl FnOnce(&[u8]) -> Result<usize, E>,
) -> Result<Result<usize, E>, FsError> {
    match (&*tree.backend, file) {
        (Backend::Memory(m), FileRef::Memory(n)) => {
            let bytes = m.contents(*n)?;
            let start = usize::try_from(offset)
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            let end = start.saturating_add(len).min(bytes.len());
            Ok(sink(&bytes[start..end]))
        }
        #[cfg(unix)]
        (Backend::Host(_), FileRef::Host(f)) => {
            let mut buf = vec![0; len.min(super::MAX_READ)];
            let n = super::unix::read_at(f, &mut buf, offset)?;
            Ok(sink(&buf[..n]))
        }
        #[cfg(unix)]
        _ => Err(FsError::BadFd),
    }
}
