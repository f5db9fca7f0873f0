//! The `wasi_snapshot_preview1` answers of a [`Files`] table.

use super::{FIRST_FD, Files, FsError, Kind, MAX_READ, OpenFlags, PATH_MAX, SeekFrom, Stat};
use crate::preview1::{
    Advice, Dircookie, Dirent, Errno, Fd, Fdflags, Fdstat, Filedelta, Filesize, Filestat, Filetype,
    IovecArray, Lookupflags, Oflags, Prestat, PrestatDir, Rights, Size, Whence,
};
use crate::{Error, GuestBuffer, GuestMemory, GuestPtr, GuestStr, GuestType};

impl From<FsError> for Errno {
    fn from(e: FsError) -> Errno {
        match e {
            FsError::NotFound => Errno::Noent,
            FsError::NotDir => Errno::Notdir,
            FsError::IsDir => Errno::Isdir,
            FsError::Loop => Errno::Loop,
            FsError::NameTooLong => Errno::Nametoolong,
            FsError::Escape => Errno::Perm,
            FsError::ReadOnly => Errno::Rofs,
            FsError::Exists => Errno::Exist,
            FsError::BadFd => Errno::Badf,
            FsError::TooManyOpen => Errno::Mfile,
            FsError::Invalid => Errno::Inval,
            FsError::Overflow => Errno::Overflow,
            FsError::Unsupported => Errno::Notsup,
            FsError::Access => Errno::Acces,
            FsError::Os(_) => Errno::Io,
        }
    }
}

impl From<FsError> for Error<Errno> {
    fn from(e: FsError) -> Self {
        Error::Errno(e.into())
    }
}

/// The rights that ask for a write: any of them in `path_open` is `EROFS` (`EISDIR` for a
/// directory).
pub const WRITE_RIGHTS: Rights = Rights::from_bits_truncate(
    Rights::FD_WRITE.bits()
        | Rights::FD_DATASYNC.bits()
        | Rights::FD_ALLOCATE.bits()
        | Rights::FD_FILESTAT_SET_SIZE.bits(),
);

/// The rights of a file of a tree: reading, seeking, advice, stat.
pub const FILE_RIGHTS: Rights = Rights::from_bits_truncate(
    Rights::FD_READ.bits()
        | Rights::FD_SEEK.bits()
        | Rights::FD_TELL.bits()
        | Rights::FD_ADVISE.bits()
        | Rights::FD_FILESTAT_GET.bits()
        | Rights::POLL_FD_READWRITE.bits(),
);

/// The rights of a directory of a tree: opening, listing, stat, reading links.
pub const DIR_RIGHTS: Rights = Rights::from_bits_truncate(
    Rights::PATH_OPEN.bits()
        | Rights::FD_READDIR.bits()
        | Rights::PATH_READLINK.bits()
        | Rights::PATH_FILESTAT_GET.bits()
        | Rights::FD_FILESTAT_GET.bits(),
);

fn filetype(kind: Kind) -> Filetype {
    match kind {
        Kind::File => Filetype::RegularFile,
        Kind::Dir => Filetype::Directory,
        Kind::Symlink => Filetype::SymbolicLink,
        Kind::Other => Filetype::Unknown,
    }
}

fn filestat(s: Stat) -> Filestat {
    Filestat {
        dev: s.dev,
        ino: s.ino,
        filetype: filetype(s.kind),
        nlink: s.nlink,
        size: s.size,
        atim: s.atime,
        mtim: s.mtime,
        ctim: s.ctime,
    }
}

/// The bytes the buffers of `iovs` hold together, counted up to [`MAX_READ`]; every record
/// counted is read from guest memory, so a bad list fails here, before the file is read.
fn wanted(mem: &GuestMemory<'_>, iovs: IovecArray) -> Result<usize, Error<Errno>> {
    mem.check_array(iovs)?;
    let mut total = 0usize;
    for i in 0..iovs.len() {
        let Some(ptr) = iovs.get(i) else { break };
        let (_, len) = mem.read(ptr)?.buffer();
        total = total.saturating_add(len as usize);
        if total >= MAX_READ {
            return Ok(MAX_READ);
        }
    }
    Ok(total)
}

fn size(n: usize) -> Result<Size, Error<Errno>> {
    Size::try_from(n).map_err(|_| Errno::Overflow.into())
}

/// `wasi_snapshot_preview1` functions, answered from the table: each takes and returns the
/// preview1 types, so that a host's override is one line. Descriptors the table does not hold
/// are `EBADF`.
impl Files {
    /// `fd_prestat_get`: a directory with its guest path's length, for the preopens.
    pub fn fd_prestat_get(&self, fd: Fd) -> Result<Prestat, Error<Errno>> {
        let name = self.preopen_name(fd.raw())?;
        Ok(Prestat::Dir(PrestatDir {
            pr_name_len: size(name.len())?,
        }))
    }

    /// `fd_prestat_dir_name`: the guest path of a preopen, without a NUL; `ENAMETOOLONG` when
    /// `path_len` is shorter.
    pub fn fd_prestat_dir_name(
        &self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        path: GuestPtr<u8>,
        path_len: Size,
    ) -> Result<(), Error<Errno>> {
        // Guest pointers first: a bad buffer is EFAULT whatever the descriptor.
        mem.bytes(path, path_len)?;
        let name = self.preopen_name(fd.raw())?;
        if (path_len as usize) < name.len() {
            return Err(Errno::Nametoolong.into());
        }
        Ok(mem.copy_from(path, name.as_bytes())?)
    }

    /// `path_open`, read-only (see [`Files::open`]): a write right ([`WRITE_RIGHTS`]), `trunc`,
    /// or `creat` of a missing file is `EROFS`; `creat | excl` of one that exists is `EEXIST`.
    #[allow(clippy::too_many_arguments)]
    pub fn path_open(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        dirflags: Lookupflags,
        path: GuestStr,
        oflags: Oflags,
        fs_rights_base: Rights,
        _fs_rights_inheriting: Rights,
        _fdflags: Fdflags,
    ) -> Result<Fd, Error<Errno>> {
        let path = guest_path(mem, path)?;
        let flags = OpenFlags {
            follow: dirflags.contains(Lookupflags::SYMLINK_FOLLOW),
            directory: oflags.contains(Oflags::DIRECTORY),
            create: oflags.contains(Oflags::CREAT),
            exclusive: oflags.contains(Oflags::EXCL),
            truncate: oflags.contains(Oflags::TRUNC),
            write: !(fs_rights_base & WRITE_RIGHTS).is_empty(),
        };
        Ok(Fd::new(self.open(fd.raw(), path, flags)?))
    }

    /// `fd_read` from the offset of a file (at most [`MAX_READ`] bytes of a host file at once).
    pub fn fd_read(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: IovecArray,
    ) -> Result<Size, Error<Errno>> {
        let want = wanted(mem, iovs)?;
        let n = self.read_with(fd.raw(), want, |bytes| {
            mem.scatter(iovs, bytes).map(|n| n as usize)
        })??;
        size(n)
    }

    /// `fd_pread` at `offset`, leaving the file's offset where it was.
    pub fn fd_pread(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: IovecArray,
        offset: Filesize,
    ) -> Result<Size, Error<Errno>> {
        let want = wanted(mem, iovs)?;
        let n = self.pread_with(fd.raw(), offset, want, |bytes| {
            mem.scatter(iovs, bytes).map(|n| n as usize)
        })??;
        size(n)
    }

    /// `fd_seek` on a file: `EINVAL` before the start, `EBADF` on a directory.
    pub fn fd_seek(
        &mut self,
        fd: Fd,
        offset: Filedelta,
        whence: Whence,
    ) -> Result<Filesize, Error<Errno>> {
        let pos = match whence {
            Whence::Set => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::Inval)?),
            Whence::Cur => SeekFrom::Current(offset),
            Whence::End => SeekFrom::End(offset),
        };
        Ok(self.seek(fd.raw(), pos)?)
    }

    /// `fd_tell` of a file.
    pub fn fd_tell(&mut self, fd: Fd) -> Result<Filesize, Error<Errno>> {
        Ok(self.tell(fd.raw())?)
    }

    /// `fd_close`, a preopen too.
    pub fn fd_close(&mut self, fd: Fd) -> Result<(), Error<Errno>> {
        Ok(self.close(fd.raw())?)
    }

    /// `fd_fdstat_get`: a regular file with [`FILE_RIGHTS`], or a directory with [`DIR_RIGHTS`]
    /// that hands on both and [`WRITE_RIGHTS`] too. The write rights are there so that a libc
    /// that asks only for the rights a directory hands on (wasi-libc) asks for them when it
    /// opens for writing, and gets `EROFS`, rather than a descriptor that cannot write.
    pub fn fd_fdstat_get(&self, fd: Fd) -> Result<Fdstat, Error<Errno>> {
        let kind = self.kind(fd.raw())?;
        let (base, inheriting) = match kind {
            Kind::Dir => (DIR_RIGHTS, DIR_RIGHTS | FILE_RIGHTS | WRITE_RIGHTS),
            _ => (FILE_RIGHTS, Rights::empty()),
        };
        Ok(Fdstat {
            fs_filetype: filetype(kind),
            fs_flags: Fdflags::empty(),
            fs_rights_base: base,
            fs_rights_inheriting: inheriting,
        })
    }

    /// `fd_filestat_get`.
    pub fn fd_filestat_get(&self, fd: Fd) -> Result<Filestat, Error<Errno>> {
        Ok(filestat(self.stat(fd.raw())?))
    }

    /// `path_filestat_get`: with `symlink_follow`, of what a link in the last component leads to.
    pub fn path_filestat_get(
        &self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        flags: Lookupflags,
        path: GuestStr,
    ) -> Result<Filestat, Error<Errno>> {
        let path = guest_path(mem, path)?;
        let follow = flags.contains(Lookupflags::SYMLINK_FOLLOW);
        Ok(filestat(self.stat_path(fd.raw(), path, follow)?))
    }

    /// `fd_readdir`: `dirent`s each followed by its name, as many as fit in `buf_len` bytes, the
    /// last one cut short when it does not fit (as the spec says); see [`Files::read_dir`] for
    /// the order and the cookies.
    pub fn fd_readdir(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        buf: GuestPtr<u8>,
        buf_len: Size,
        cookie: Dircookie,
    ) -> Result<Size, Error<Errno>> {
        let out = mem.bytes_mut(buf, buf_len)?;
        let mut used = 0usize;
        for (next, entry) in self.read_dir(fd.raw(), cookie)? {
            if used == out.len() {
                break;
            }
            // Names are at most NAME_MAX bytes; nothing here may fail once the guest's buffer
            // is being written (a failed call writes nothing), so a head that cannot be made
            // ends the listing where it is.
            let Ok(d_namlen) = u32::try_from(entry.name.len()) else {
                break;
            };
            let mut head = [0u8; Dirent::SIZE as usize];
            let dirent = Dirent {
                d_next: next,
                d_ino: entry.ino,
                d_namlen,
                d_type: filetype(entry.kind),
            };
            if dirent.write_to(&mut head).is_err() {
                break;
            }
            for part in [&head[..], &entry.name[..]] {
                let n = part.len().min(out.len() - used);
                out[used..used + n].copy_from_slice(&part[..n]);
                used += n;
            }
        }
        size(used)
    }

    /// `fd_advise`: accepted (and ignored) on a file; `EBADF` on a directory.
    pub fn fd_advise(
        &mut self,
        fd: Fd,
        _offset: Filesize,
        _len: Filesize,
        _advice: Advice,
    ) -> Result<(), Error<Errno>> {
        match self.kind(fd.raw())? {
            Kind::Dir => Err(Errno::Badf.into()),
            _ => Ok(()),
        }
    }

    /// `path_readlink`: the link's target, cut to `buf_len` bytes as POSIX `readlink` does;
    /// `EINVAL` when the path is not a link.
    pub fn path_readlink(
        &self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        path: GuestStr,
        buf: GuestPtr<u8>,
        buf_len: Size,
    ) -> Result<Size, Error<Errno>> {
        mem.bytes(buf, buf_len)?;
        let path = guest_path(mem, path)?;
        let target = self.read_link(fd.raw(), path)?;
        let out = mem.bytes_mut(buf, buf_len)?;
        let n = target.len().min(out.len());
        out[..n].copy_from_slice(&target[..n]);
        size(n)
    }

    /// Whether `fd` is a descriptor of this table.
    pub fn holds(&self, fd: Fd) -> bool {
        fd.raw() >= FIRST_FD && self.get(fd.raw()).is_ok()
    }
}

/// The guest's path: its bytes checked first (`EFAULT`), then its length (`ENAMETOOLONG` past
/// [`PATH_MAX`]) before its UTF-8, so that no path is scanned further than a path may be long.
fn guest_path<'m>(mem: &'m GuestMemory<'_>, path: GuestStr) -> Result<&'m str, Error<Errno>> {
    mem.bytes(path.ptr(), path.len())?;
    if path.len() as usize > PATH_MAX {
        return Err(Errno::Nametoolong.into());
    }
    Ok(mem.str(path)?)
}
