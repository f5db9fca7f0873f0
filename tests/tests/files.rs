//! Read-only trees served as preopens: a C guest (tests/guests/c-files) lists, reads, seeks,
//! stats, and tries to write and to escape, against a host directory, a memory tree and a tar
//! archive; WAT guests check bad pointers and `wasi_unstable`. On Linux, inotify watches a
//! sentinel file next to the tree and a directory outside it, and proves that nothing there is
//! opened or read while the guest tries its escapes.
#![cfg(unix)]

use std::path::{Path, PathBuf};

use wasi_stubs::Policy;
use wasi_stubs::host::{MemoryTree, MinimalHost, Tree};
use wasi_stubs::lifecycle::{self, Guest, Limits};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("guests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs the c-files guest with `tree` at `/data` and at most `max_open` descriptors; its exit
/// code and stdout.
fn run_c_files(tree: Tree, max_open: usize) -> (u32, String) {
    let limits = Limits::default();
    let engine = lifecycle::engine(&limits).unwrap();
    let guest = Guest::new(&engine, fixture("c-files.wasm")).unwrap();
    let linker = guest.linker::<MinimalHost>().unwrap();
    let host = MinimalHost::builder()
        .args(["c-files"])
        .preopen("/data", tree)
        .max_open(max_open)
        .build();
    let exited = guest.run(&linker, host, &limits).unwrap();
    let stderr = String::from_utf8_lossy(exited.host.stderr()).into_owned();
    assert_eq!(stderr, "", "the guest wrote to stderr");
    (
        exited.code,
        String::from_utf8_lossy(exited.host.stdout()).into_owned(),
    )
}

/// What the guest prints with the host directory of [`make_tree`] at `/data`.
const EXPECTED: &str = "\
preopen 3: ok /data
preopen 4: EBADF
readdir: .(3) ..(3) dir-link(7) escape-link(7) etc-link(7) hello.txt(4) link(7) loop-a(7) loop-b(7) outside-link(7) pipe(0) sub(3)
fd_readdir by cookie: . .. dir-link escape-link etc-link hello.txt link loop-a loop-b outside-link pipe sub (12 entries, ok)
fopen+fread: hello, world
open O_RDONLY: ok
lseek 7 + read 5: 7 world
lseek -6 from end + read: 7 world
tell: 13
pread 5 at 0: hello, offset still 13
lseek before the start: EINVAL
write to a read-only fd: EBADF
fstat: ok
fstat size: 13 regular: 1
read after close: EBADF
stat sub: ok
sub is a directory: 1
stat link: ok
link followed size: 13
lstat link: ok
link is a link: 1
readlink: hello.txt
readlink of a file: EINVAL
through a link to a directory: nested
stat missing: ENOENT
stat hello.txt/: ENOTDIR
open a FIFO: ENOTSUP
open O_WRONLY: EROFS
open O_RDWR: EROFS
open O_CREAT new: EROFS
open O_CREAT|O_EXCL existing: EEXIST
open O_TRUNC: EROFS
open a directory for writing: EISDIR
mkdir: ENOSYS
unlink: ENOSYS
../sentinel: EPERM
sub/../../sentinel: EPERM
/etc/passwd: EPERM
etc-link/passwd (link to /etc): EPERM
escape-link (link to ../sentinel): EPERM
outside-link (absolute link out): EPERM
loop-a (a link loop): ELOOP
link without follow: ELOOP
hello.txt as a directory: ENOTDIR
a 64 KiB path: ENAMETOOLONG
a 64 KiB name: ENAMETOOLONG
a 300-byte name: ENAMETOOLONG
10000 opens: 1024 opened, 8976 refused with EMFILE
open after closing them: ok fd 4
";

/// The same, for a tree without the FIFO (memory trees and tar archives hold none).
fn expected_without_fifo() -> String {
    EXPECTED
        .replace(" pipe(0)", "")
        .replace(" pipe sub (12 entries", " sub (11 entries")
        .replace("open a FIFO: ENOTSUP", "open a FIFO: ENOENT")
}

/// A fresh directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "wasi-stubs-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `base/tree` holds what the guest reads; beside it `base/sentinel` and `base/outside/secret`,
/// which it must never reach.
fn make_tree(base: &Path) -> PathBuf {
    use std::os::unix::fs::symlink;
    let tree = base.join("tree");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    std::fs::create_dir_all(base.join("outside")).unwrap();
    std::fs::write(tree.join("hello.txt"), "hello, world\n").unwrap();
    std::fs::write(tree.join("sub/nested.txt"), "nested\n").unwrap();
    std::fs::write(base.join("sentinel"), "never read\n").unwrap();
    std::fs::write(base.join("outside/secret"), "never read\n").unwrap();
    symlink("hello.txt", tree.join("link")).unwrap();
    symlink("/etc", tree.join("etc-link")).unwrap();
    symlink("../sentinel", tree.join("escape-link")).unwrap();
    symlink(base.join("outside"), tree.join("outside-link")).unwrap();
    symlink("loop-b", tree.join("loop-a")).unwrap();
    symlink("loop-a", tree.join("loop-b")).unwrap();
    symlink("sub", tree.join("dir-link")).unwrap();
    rustix::fs::mkfifoat(rustix::fs::CWD, tree.join("pipe"), 0o644.into()).unwrap();
    tree
}

/// The same tree in memory (no FIFO).
fn memory_tree() -> MemoryTree {
    let mut tree = MemoryTree::new();
    tree.add_file("hello.txt", b"hello, world\n".to_vec())
        .unwrap();
    tree.add_file("sub/nested.txt", b"nested\n".to_vec())
        .unwrap();
    for (link, target) in [
        ("link", "hello.txt"),
        ("etc-link", "/etc"),
        ("escape-link", "../sentinel"),
        ("outside-link", "/tmp"),
        ("loop-a", "loop-b"),
        ("loop-b", "loop-a"),
        ("dir-link", "sub"),
    ] {
        tree.add_symlink(link, target).unwrap();
    }
    tree
}

#[test]
fn a_c_guest_reads_a_host_directory_and_cannot_write_or_leave_it() {
    let base = TempDir::new("files-host");
    let tree = make_tree(&base.0);
    let tree = Tree::dir(&tree).unwrap();
    #[cfg(target_os = "linux")]
    let watch = Watch::new(&base.0);
    // Each descriptor of a host tree holds a host descriptor: fewer than the process may have
    // (often 1,024), so that the test passes wherever it runs.
    let (code, stdout) = run_c_files(tree, 256);
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        EXPECTED.replace("1024 opened, 8976 refused", "256 opened, 9744 refused")
    );
    #[cfg(target_os = "linux")]
    watch.assert_untouched();
}

#[test]
fn the_same_guest_reads_a_memory_tree() {
    let (code, stdout) = run_c_files(memory_tree().into_tree().fixed_time(1_000_000_000), 1024);
    assert_eq!(code, 0);
    assert_eq!(stdout, expected_without_fifo());
}

/// A ustar entry.
fn tar_entry(out: &mut Vec<u8>, name: &str, kind: u8, data: &[u8], link: &str) {
    let mut h = vec![0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..107].copy_from_slice(b"0000644");
    h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
    h[136..147].copy_from_slice(b"14000000000");
    h[156] = kind;
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    out.extend(h);
    out.extend(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
}

#[test]
fn the_same_guest_reads_a_tar_archive() {
    let mut tar = Vec::new();
    tar_entry(&mut tar, "./", b'5', b"", "");
    tar_entry(&mut tar, "./hello.txt", b'0', b"hello, world\n", "");
    tar_entry(&mut tar, "./sub/", b'5', b"", "");
    tar_entry(&mut tar, "./sub/nested.txt", b'0', b"nested\n", "");
    for (link, target) in [
        ("link", "hello.txt"),
        ("etc-link", "/etc"),
        ("escape-link", "../sentinel"),
        ("outside-link", "/tmp"),
        ("loop-a", "loop-b"),
        ("loop-b", "loop-a"),
        ("dir-link", "sub"),
    ] {
        tar_entry(&mut tar, link, b'2', b"", target);
    }
    tar.extend([0u8; 1024]);
    let (code, stdout) = run_c_files(Tree::tar(&tar).unwrap(), 1024);
    assert_eq!(code, 0);
    assert_eq!(stdout, expected_without_fifo());
}

/// inotify watches on everything next to the tree: an open or a read of any of it is an event.
#[cfg(target_os = "linux")]
struct Watch {
    fd: std::os::fd::OwnedFd,
    watched: Vec<(i32, &'static str)>,
}

#[cfg(target_os = "linux")]
impl Watch {
    fn new(base: &Path) -> Watch {
        use rustix::fs::inotify::{self, CreateFlags, WatchFlags};
        let fd = inotify::init(CreateFlags::NONBLOCK | CreateFlags::CLOEXEC).unwrap();
        let flags = WatchFlags::OPEN | WatchFlags::ACCESS;
        let mut watched = Vec::new();
        for (path, what) in [
            (base.join("sentinel"), "the sentinel"),
            (base.join("outside"), "the directory outside"),
            (base.join("outside/secret"), "the file outside"),
            (base.to_path_buf(), "the directory around the tree"),
        ] {
            let wd = inotify::add_watch(&fd, &path, flags).unwrap();
            watched.push((wd, what));
        }
        Watch { fd, watched }
    }

    fn assert_untouched(&self) {
        use std::mem::MaybeUninit;
        let mut buf = [MaybeUninit::<u8>::uninit(); 4096];
        let mut reader = rustix::fs::inotify::Reader::new(&self.fd, &mut buf);
        let mut events = Vec::new();
        loop {
            match reader.next() {
                Ok(event) => {
                    let name = event
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let what = self
                        .watched
                        .iter()
                        .find(|(wd, _)| *wd == event.wd())
                        .map_or("?", |(_, what)| what);
                    // The directory around the tree sees the tree's own root listed (`tree`).
                    if what == "the directory around the tree" && name == "tree" {
                        continue;
                    }
                    events.push(format!("{what}: {name:?} {:?}", event.events()));
                }
                Err(rustix::io::Errno::AGAIN) => break,
                Err(e) => panic!("inotify: {e}"),
            }
        }
        assert!(
            events.is_empty(),
            "files outside the tree were opened or read: {events:#?}"
        );
    }
}

/// The watch itself sees an open of the sentinel (so that its silence above means something).
#[cfg(target_os = "linux")]
#[test]
fn the_watch_sees_an_open_of_the_sentinel() {
    let base = TempDir::new("files-watch");
    make_tree(&base.0);
    let watch = Watch::new(&base.0);
    std::fs::read(base.0.join("sentinel")).unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        watch.assert_untouched();
    }));
    assert!(caught.is_err(), "the watch missed an open");
}

const WAT: &str = r#"
(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell" (func $tell (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $stat (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink" (func $readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "a.txt")
  (data (i32.const 16) "ln")
  ;; an iovec: 8 bytes at 256
  (data (i32.const 32) "\00\01\00\00\08\00\00\00")
  (func (export "open") (param $path i32) (param $len i32) (result i32)
    (call $open (i32.const 3) (i32.const 0) (local.get $path) (local.get $len) (i32.const 0)
      (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 64)))
  (func (export "open_at") (param $out i32) (result i32)
    (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 5) (i32.const 0)
      (i64.const 2) (i64.const 0) (i32.const 0) (local.get $out)))
  (func (export "read") (param $fd i32) (param $iovs i32) (param $n i32) (result i32)
    (call $read (local.get $fd) (local.get $iovs) (local.get $n) (i32.const 72)))
  (func (export "tell") (param $fd i32) (result i32)
    (call $tell (local.get $fd) (i32.const 80)))
  (func (export "readdir") (param $buf i32) (param $len i32) (result i32)
    (call $readdir (i32.const 3) (local.get $buf) (local.get $len) (i64.const 0) (i32.const 88)))
  (func (export "name") (param $buf i32) (param $len i32) (result i32)
    (call $name (i32.const 3) (local.get $buf) (local.get $len)))
  (func (export "stat") (param $out i32) (result i32)
    (call $stat (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 5) (local.get $out)))
  (func (export "readlink") (param $buf i32) (param $len i32) (result i32)
    (call $readlink (i32.const 3) (i32.const 16) (i32.const 2) (local.get $buf) (local.get $len) (i32.const 96)))
  (func (export "close") (param $fd i32) (result i32) (call $close (local.get $fd))))
"#;

fn wat_host(max_open: usize) -> lifecycle::Reactor<MinimalHost> {
    let mut tree = MemoryTree::new();
    tree.add_file("a.txt", b"0123456789".to_vec()).unwrap();
    tree.add_symlink("ln", "a.txt").unwrap();
    let host = MinimalHost::builder()
        .preopen("/p", tree.into_tree())
        .max_open(max_open)
        .build();
    let limits = Limits::default().policy(Policy::default());
    let engine = lifecycle::engine(&limits).unwrap();
    let guest = Guest::new(&engine, WAT).unwrap();
    let linker = guest.linker::<MinimalHost>().unwrap();
    guest.initialize(&linker, host, &limits).unwrap()
}

fn mem(r: &mut lifecycle::Reactor<MinimalHost>) -> Vec<u8> {
    let (store, instance) = r.parts();
    let memory = instance.get_memory(&mut *store, "memory").unwrap();
    memory.data(&*store).to_vec()
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

const EFAULT: i32 = 21;
const EINVAL: i32 = 28;
const EILSEQ: i32 = 25;
const EMFILE: i32 = 33;
const ENAMETOOLONG: i32 = 37;
const EBADF: i32 = 8;

#[test]
fn bad_guest_pointers_get_efault_and_change_nothing() {
    let mut r = wat_host(16);
    // A path out of bounds, a path across the end of memory, invalid UTF-8.
    assert_eq!(
        r.call::<(i32, i32), i32>("open", (65_530, 16)).unwrap(),
        EFAULT
    );
    assert_eq!(r.call::<(i32, i32), i32>("open", (-1, 5)).unwrap(), EFAULT);
    {
        let (store, instance) = r.parts();
        let memory = instance.get_memory(&mut *store, "memory").unwrap();
        memory.data_mut(&mut *store)[200] = 0xff;
    }
    assert_eq!(r.call::<(i32, i32), i32>("open", (200, 1)).unwrap(), EILSEQ);
    // A result pointer out of bounds or misaligned: nothing opened (the next open gets fd 4).
    assert_eq!(r.call::<i32, i32>("open_at", 65_535).unwrap(), EFAULT);
    assert_eq!(r.call::<i32, i32>("open_at", 66).unwrap(), EINVAL);
    assert_eq!(r.call::<i32, i32>("open_at", 64).unwrap(), 0);
    assert_eq!(u32_at(&mem(&mut r), 64), 4);
    // A bad iovec list: EFAULT, and the offset has not moved.
    assert_eq!(
        r.call::<(i32, i32, i32), i32>("read", (4, 65_532, 2))
            .unwrap(),
        EFAULT
    );
    {
        let (store, instance) = r.parts();
        let memory = instance.get_memory(&mut *store, "memory").unwrap();
        // A second iovec whose buffer runs past the end of memory.
        memory.data_mut(&mut *store)[40..48].copy_from_slice(&[0xf0, 0xff, 0, 0, 0x20, 0, 0, 0]);
    }
    assert_eq!(
        r.call::<(i32, i32, i32), i32>("read", (4, 32, 2)).unwrap(),
        EFAULT
    );
    assert_eq!(r.call::<i32, i32>("tell", 4).unwrap(), 0);
    assert_eq!(u32_at(&mem(&mut r), 80), 0, "the offset did not move");
    assert_eq!(
        r.call::<(i32, i32, i32), i32>("read", (4, 32, 1)).unwrap(),
        0
    );
    let m = mem(&mut r);
    assert_eq!(&m[256..264], b"01234567");
    assert_eq!(u32_at(&m, 72), 8);
    // fd_readdir, fd_prestat_dir_name and path_readlink into buffers out of bounds.
    assert_eq!(
        r.call::<(i32, i32), i32>("readdir", (65_500, 100)).unwrap(),
        EFAULT
    );
    assert_eq!(
        r.call::<(i32, i32), i32>("name", (65_535, 2)).unwrap(),
        EFAULT
    );
    assert_eq!(
        r.call::<(i32, i32), i32>("name", (300, 1)).unwrap(),
        ENAMETOOLONG
    );
    assert_eq!(
        r.call::<(i32, i32), i32>("readlink", (65_535, 8)).unwrap(),
        EFAULT
    );
    // Cut short as POSIX readlink is.
    assert_eq!(r.call::<(i32, i32), i32>("readlink", (400, 3)).unwrap(), 0);
    let m = mem(&mut r);
    assert_eq!(&m[400..403], b"a.t");
    assert_eq!(u32_at(&m, 96), 3);
    // A filestat result across the end of memory.
    assert_eq!(r.call::<i32, i32>("stat", 65_528).unwrap(), EFAULT);
    // fd_close: twice is EBADF.
    assert_eq!(r.call::<i32, i32>("close", 4).unwrap(), 0);
    assert_eq!(r.call::<i32, i32>("close", 4).unwrap(), EBADF);
}

#[test]
fn the_descriptor_table_is_bounded() {
    let mut r = wat_host(3);
    for fd in 4..7 {
        assert_eq!(r.call::<i32, i32>("open_at", 64).unwrap(), 0);
        assert_eq!(u32_at(&mem(&mut r), 64), fd);
    }
    assert_eq!(r.call::<i32, i32>("open_at", 64).unwrap(), EMFILE);
    assert_eq!(r.call::<i32, i32>("close", 5).unwrap(), 0);
    assert_eq!(r.call::<i32, i32>("open_at", 64).unwrap(), 0);
    assert_eq!(u32_at(&mem(&mut r), 64), 5, "the lowest free number");
}

const WAT_UNSTABLE: &str = r#"
(module
  (import "wasi_unstable" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_filestat_get" (func $fstat (param i32 i32) (result i32)))
  (import "wasi_unstable" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "a.txt")
  (data (i32.const 32) "\00\01\00\00\04\00\00\00")
  (func (export "open") (result i32)
    (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 5) (i32.const 0)
      (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 64)))
  ;; snapshot_0's whence: cur=0, end=1, set=2
  (func (export "seek") (param $fd i32) (param $off i64) (param $whence i32) (result i32)
    (call $seek (local.get $fd) (local.get $off) (local.get $whence) (i32.const 72)))
  (func (export "fstat") (param $fd i32) (result i32) (call $fstat (local.get $fd) (i32.const 128)))
  (func (export "read") (param $fd i32) (result i32)
    (call $read (local.get $fd) (i32.const 32) (i32.const 1) (i32.const 80))))
"#;

#[test]
fn wasi_unstable_guests_read_trees_through_the_polyfill() {
    let mut tree = MemoryTree::new();
    tree.add_file("a.txt", b"0123456789".to_vec()).unwrap();
    let host = MinimalHost::builder()
        .preopen("/p", tree.into_tree().fixed_time(7))
        .build();
    let limits = Limits::default();
    let engine = lifecycle::engine(&limits).unwrap();
    let guest = Guest::new(&engine, WAT_UNSTABLE).unwrap();
    let linker = guest.linker::<MinimalHost>().unwrap();
    let mut r = guest.initialize(&linker, host, &limits).unwrap();
    assert_eq!(r.call::<(), i32>("open", ()).unwrap(), 0);
    let fd = u32_at(&mem(&mut r), 64) as i32;
    // set (2 in snapshot_0) to 6, cur (0) by -2, end (1) by -1.
    assert_eq!(
        r.call::<(i32, i64, i32), i32>("seek", (fd, 6, 2)).unwrap(),
        0
    );
    assert_eq!(u32_at(&mem(&mut r), 72), 6);
    assert_eq!(
        r.call::<(i32, i64, i32), i32>("seek", (fd, -2, 0)).unwrap(),
        0
    );
    assert_eq!(u32_at(&mem(&mut r), 72), 4);
    assert_eq!(r.call::<i32, i32>("read", fd).unwrap(), 0);
    assert_eq!(&mem(&mut r)[256..260], b"4567");
    assert_eq!(
        r.call::<(i32, i64, i32), i32>("seek", (fd, -1, 1)).unwrap(),
        0
    );
    assert_eq!(u32_at(&mem(&mut r), 72), 9);
    // snapshot_0's filestat: 56 bytes, a u32 nlink at 20, the size at 24, mtim at 40.
    assert_eq!(r.call::<i32, i32>("fstat", fd).unwrap(), 0);
    let m = mem(&mut r);
    assert_eq!(m[16 + 128], 4, "a regular file");
    assert_eq!(u32_at(&m, 128 + 20), 1, "nlink");
    assert_eq!(
        u64::from_le_bytes(m[128 + 24..128 + 32].try_into().unwrap()),
        10
    );
    assert_eq!(
        u64::from_le_bytes(m[128 + 40..128 + 48].try_into().unwrap()),
        7
    );
}
