//! [`MinimalHost`] on an async store: its impl of [`WasiSnapshotPreview1Async`], the same host
//! whose waits do not block the thread. `poll_oneoff` awaits a timer on the system clock (fixed
//! and virtual clocks answer at once, as in the synchronous host), `fd_write` to an
//! [`Output::channel`](super::Output::channel) waits for room in the channel, and `sched_yield`
//! lets the executor run other tasks; every other method answers as the synchronous host does.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{MinimalHost, poll_oneoff_async};
use crate::preview1::{
    Advice, CiovecArray, Clockid, Dircookie, Errno, Event, Exitcode, Fd, Fdflags, Fdstat,
    Filedelta, Filesize, Filestat, IovecArray, Lookupflags, Oflags, Prestat, Rights, Size,
    Subscription, Timestamp, WasiSnapshotPreview1, WasiSnapshotPreview1Async, Whence,
};
use crate::{Error, GuestMemory, GuestPtr, GuestStr, wasi_stubs};

#[wasi_stubs(override(
    args_get,
    args_sizes_get,
    environ_get,
    environ_sizes_get,
    clock_res_get,
    clock_time_get,
    fd_advise,
    fd_allocate,
    fd_close,
    fd_fdstat_get,
    fd_filestat_get,
    fd_filestat_set_size,
    fd_pread,
    fd_prestat_get,
    fd_prestat_dir_name,
    fd_pwrite,
    fd_read,
    fd_readdir,
    fd_seek,
    fd_tell,
    fd_write,
    path_filestat_get,
    path_open,
    path_readlink,
    poll_oneoff,
    proc_exit,
    sched_yield,
    random_get
))]
impl WasiSnapshotPreview1Async for MinimalHost {
    fn args_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        argv: GuestPtr<GuestPtr<u8>>,
        argv_buf: GuestPtr<u8>,
    ) -> Result<(), Error<Errno>> {
        WasiSnapshotPreview1::args_get(self, mem, argv, argv_buf)
    }

    fn args_sizes_get(&mut self) -> Result<(Size, Size), Error<Errno>> {
        WasiSnapshotPreview1::args_sizes_get(self)
    }

    fn environ_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        environ: GuestPtr<GuestPtr<u8>>,
        environ_buf: GuestPtr<u8>,
    ) -> Result<(), Error<Errno>> {
        WasiSnapshotPreview1::environ_get(self, mem, environ, environ_buf)
    }

    fn environ_sizes_get(&mut self) -> Result<(Size, Size), Error<Errno>> {
        WasiSnapshotPreview1::environ_sizes_get(self)
    }

    fn clock_res_get(&mut self, id: Clockid) -> Result<Timestamp, Error<Errno>> {
        WasiSnapshotPreview1::clock_res_get(self, id)
    }

    fn clock_time_get(
        &mut self,
        id: Clockid,
        precision: Timestamp,
    ) -> Result<Timestamp, Error<Errno>> {
        WasiSnapshotPreview1::clock_time_get(self, id, precision)
    }

    fn fd_advise(
        &mut self,
        fd: Fd,
        offset: Filesize,
        len: Filesize,
        advice: Advice,
    ) -> Result<(), Error<Errno>> {
        WasiSnapshotPreview1::fd_advise(self, fd, offset, len, advice)
    }

    fn fd_allocate(&mut self, fd: Fd, offset: Filesize, len: Filesize) -> Result<(), Error<Errno>> {
        WasiSnapshotPreview1::fd_allocate(self, fd, offset, len)
    }

    fn fd_close(&mut self, fd: Fd) -> Result<(), Error<Errno>> {
        WasiSnapshotPreview1::fd_close(self, fd)
    }

    fn fd_fdstat_get(&mut self, fd: Fd) -> Result<Fdstat, Error<Errno>> {
        WasiSnapshotPreview1::fd_fdstat_get(self, fd)
    }

    fn fd_filestat_get(&mut self, fd: Fd) -> Result<Filestat, Error<Errno>> {
        WasiSnapshotPreview1::fd_filestat_get(self, fd)
    }

    fn fd_filestat_set_size(&mut self, fd: Fd, size: Filesize) -> Result<(), Error<Errno>> {
        WasiSnapshotPreview1::fd_filestat_set_size(self, fd, size)
    }

    async fn fd_pread(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: IovecArray,
        offset: Filesize,
    ) -> Result<Size, Error<Errno>> {
        WasiSnapshotPreview1::fd_pread(self, mem, fd, iovs, offset)
    }

    fn fd_prestat_get(&mut self, fd: Fd) -> Result<Prestat, Error<Errno>> {
        WasiSnapshotPreview1::fd_prestat_get(self, fd)
    }

    fn fd_prestat_dir_name(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        path: GuestPtr<u8>,
        path_len: Size,
    ) -> Result<(), Error<Errno>> {
        WasiSnapshotPreview1::fd_prestat_dir_name(self, mem, fd, path, path_len)
    }

    async fn fd_pwrite(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: CiovecArray,
        offset: Filesize,
    ) -> Result<Size, Error<Errno>> {
        WasiSnapshotPreview1::fd_pwrite(self, mem, fd, iovs, offset)
    }

    async fn fd_read(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: IovecArray,
    ) -> Result<Size, Error<Errno>> {
        WasiSnapshotPreview1::fd_read(self, mem, fd, iovs)
    }

    fn fd_readdir(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        buf: GuestPtr<u8>,
        buf_len: Size,
        cookie: Dircookie,
    ) -> Result<Size, Error<Errno>> {
        WasiSnapshotPreview1::fd_readdir(self, mem, fd, buf, buf_len, cookie)
    }

    fn fd_seek(
        &mut self,
        fd: Fd,
        offset: Filedelta,
        whence: Whence,
    ) -> Result<Filesize, Error<Errno>> {
        WasiSnapshotPreview1::fd_seek(self, fd, offset, whence)
    }

    fn fd_tell(&mut self, fd: Fd) -> Result<Filesize, Error<Errno>> {
        WasiSnapshotPreview1::fd_tell(self, fd)
    }

    async fn fd_write(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        iovs: CiovecArray,
    ) -> Result<Size, Error<Errno>> {
        self.stdio.fd_write_async(mem, fd, iovs).await
    }

    fn path_filestat_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        flags: Lookupflags,
        path: GuestStr,
    ) -> Result<Filestat, Error<Errno>> {
        WasiSnapshotPreview1::path_filestat_get(self, mem, fd, flags, path)
    }

    fn path_open(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        dirflags: Lookupflags,
        path: GuestStr,
        oflags: Oflags,
        fs_rights_base: Rights,
        fs_rights_inheriting: Rights,
        fdflags: Fdflags,
    ) -> Result<Fd, Error<Errno>> {
        WasiSnapshotPreview1::path_open(
            self,
            mem,
            fd,
            dirflags,
            path,
            oflags,
            fs_rights_base,
            fs_rights_inheriting,
            fdflags,
        )
    }

    fn path_readlink(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: Fd,
        path: GuestStr,
        buf: GuestPtr<u8>,
        buf_len: Size,
    ) -> Result<Size, Error<Errno>> {
        WasiSnapshotPreview1::path_readlink(self, mem, fd, path, buf, buf_len)
    }

    async fn poll_oneoff(
        &mut self,
        mem: &mut GuestMemory<'_>,
        r#in: GuestPtr<Subscription>,
        out: GuestPtr<Event>,
        nsubscriptions: Size,
    ) -> Result<Size, Error<Errno>> {
        poll_oneoff_async(
            mem,
            r#in,
            out,
            nsubscriptions,
            &mut self.clocks,
            &mut self.stdio,
        )
        .await
    }

    fn proc_exit(&mut self, rval: Exitcode) -> wasmtime::Error {
        WasiSnapshotPreview1::proc_exit(self, rval)
    }

    async fn sched_yield(&mut self) -> Result<(), Error<Errno>> {
        YieldNow(false).await;
        Ok(())
    }

    fn random_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        buf: GuestPtr<u8>,
        buf_len: Size,
    ) -> Result<(), Error<Errno>> {
        WasiSnapshotPreview1::random_get(self, mem, buf, buf_len)
    }
}

/// Ready at its second poll: lets the executor run the other tasks once.
struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
