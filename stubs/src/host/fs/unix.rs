//! Host directories on Unix: everything relative to a directory descriptor already inside the
//! tree, one name at a time, with `O_NOFOLLOW`.

use std::os::fd::OwnedFd;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;

use super::resolve::{Child, DirRef};
use super::{DirEntry, FsError, Kind, Stat};

/// The root of a host directory tree, opened once.
#[derive(Debug)]
pub(super) struct HostDir {
    root: Arc<OwnedFd>,
}

impl HostDir {
    pub(super) fn open(path: &Path) -> std::io::Result<HostDir> {
        // The root itself is the one path the host chose: it may be reached through links.
        let fd = rustix::fs::open(
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(HostDir { root: Arc::new(fd) })
    }

    pub(super) fn root(&self) -> Arc<OwnedFd> {
        self.root.clone()
    }
}

fn error(e: Errno) -> FsError {
    match e {
        Errno::NOENT => FsError::NotFound,
        Errno::NOTDIR => FsError::NotDir,
        Errno::ISDIR => FsError::IsDir,
        Errno::LOOP => FsError::Loop,
        Errno::NAMETOOLONG => FsError::NameTooLong,
        Errno::ACCESS | Errno::PERM => FsError::Access,
        Errno::MFILE | Errno::NFILE => FsError::TooManyOpen,
        Errno::INVAL => FsError::Invalid,
        Errno::OVERFLOW => FsError::Overflow,
        other => FsError::Os(other.raw_os_error()),
    }
}

fn kind(file_type: FileType) -> Kind {
    match file_type {
        FileType::RegularFile => Kind::File,
        FileType::Directory => Kind::Dir,
        FileType::Symlink => Kind::Symlink,
        _ => Kind::Other,
    }
}

/// A number of a `stat` field, whatever its width and sign on this platform; 0 if negative.
fn n(x: impl Into<i128>) -> u64 {
    u64::try_from(x.into()).unwrap_or(0)
}

fn nanos(secs: impl Into<i128>, nsec: impl Into<i128>) -> u64 {
    let t = secs.into().saturating_mul(1_000_000_000) + nsec.into();
    u64::try_from(t).unwrap_or(if t < 0 { 0 } else { u64::MAX })
}

fn stat(st: &rustix::fs::Stat) -> Stat {
    Stat {
        kind: kind(FileType::from_raw_mode(st.st_mode)),
        dev: n(st.st_dev),
        ino: n(st.st_ino),
        nlink: n(st.st_nlink),
        size: n(st.st_size),
        atime: nanos(st.st_atime, st.st_atime_nsec),
        mtime: nanos(st.st_mtime, st.st_mtime_nsec),
        ctime: nanos(st.st_ctime, st.st_ctime_nsec),
    }
}

/// What `name` in `dir` is. A directory is opened (`O_DIRECTORY | O_NOFOLLOW`); a link is read,
/// not followed; anything else is only stat-ed.
pub(super) fn lookup(dir: &OwnedFd, name: &str) -> Result<Child, FsError> {
    let st = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW).map_err(error)?;
    match kind(FileType::from_raw_mode(st.st_mode)) {
        Kind::Dir => {
            let fd = rustix::fs::openat(
                dir,
                name,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(error)?;
            Ok(Child::Dir(DirRef::Host(Arc::new(fd))))
        }
        Kind::Symlink => {
            let target = rustix::fs::readlinkat(dir, name, Vec::new()).map_err(error)?;
            Ok(Child::Link(target.into_bytes()))
        }
        other => Ok(Child::Other(other)),
    }
}

pub(super) fn stat_at(dir: &OwnedFd, name: &str) -> Result<Stat, FsError> {
    rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)
        .map(|st| stat(&st))
        .map_err(error)
}

pub(super) fn fstat(fd: impl std::os::fd::AsFd) -> Result<Stat, FsError> {
    rustix::fs::fstat(fd).map(|st| stat(&st)).map_err(error)
}

/// Opens the regular file `name` in `dir` for reading. `O_NOFOLLOW` and `O_NONBLOCK`: a name
/// swapped for a link or a FIFO since it was looked up is refused, not followed or waited on.
pub(super) fn open_file(dir: &OwnedFd, name: &str) -> Result<std::fs::File, FsError> {
    let fd = rustix::fs::openat(
        dir,
        name,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(error)?;
    if fstat(&fd)?.kind != Kind::File {
        return Err(FsError::Unsupported);
    }
    Ok(std::fs::File::from(fd))
}

pub(super) fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> Result<usize, FsError> {
    loop {
        match file.read_at(buf, offset) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(e
                    .raw_os_error()
                    .map_or(FsError::Os(5), |n| error(Errno::from_raw_os_error(n))));
            }
        }
    }
}

/// The entries of `dir`, `.` and `..` left out.
pub(super) fn list(dir: &OwnedFd) -> Result<Vec<DirEntry>, FsError> {
    let mut entries = Vec::new();
    let listing = rustix::fs::Dir::read_from(dir).map_err(error)?;
    for entry in listing {
        let entry = entry.map_err(error)?;
        let name = entry.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        let file_type = match entry.file_type() {
            FileType::Unknown => std::str::from_utf8(name)
                .ok()
                .and_then(|s| rustix::fs::statat(dir, s, AtFlags::SYMLINK_NOFOLLOW).ok())
                .map_or(FileType::Unknown, |st| FileType::from_raw_mode(st.st_mode)),
            t => t,
        };
        entries.push(DirEntry {
            name: name.to_vec(),
            ino: entry.ino(),
            kind: kind(file_type),
        });
    }
    Ok(entries)
}
