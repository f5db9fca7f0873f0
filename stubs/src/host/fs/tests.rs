use super::*;

fn tree() -> Tree {
    let mut t = MemoryTree::new();
    t.add_file("a.txt", b"0123456789".to_vec()).unwrap();
    t.add_file("d/b.txt", b"b".to_vec()).unwrap();
    t.add_file("d/e/c.txt", b"c".to_vec()).unwrap();
    t.add_symlink("d/up", "../a.txt").unwrap();
    t.add_symlink("d/out", "../../x").unwrap();
    t.add_symlink("to-d", "d/").unwrap();
    t.into_tree()
}

fn files() -> (Files, u32) {
    let mut f = Files::new().max_open(8);
    let fd = f.preopen("/p", tree());
    (f, fd)
}

const READ: OpenFlags = OpenFlags {
    follow: true,
    directory: false,
    create: false,
    exclusive: false,
    truncate: false,
    write: false,
};

fn read_all(f: &mut Files, fd: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 3];
    loop {
        let n = f.read(fd, &mut buf).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn paths_resolve_inside_the_tree_and_never_above_it() {
    let (mut f, root) = files();
    for path in [
        "a.txt",
        "./a.txt",
        "d/../a.txt",
        "d//up",
        "to-d/../a.txt",
        "d/e/../../a.txt",
    ] {
        let fd = f
            .open(root, path, READ)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(read_all(&mut f, fd), b"0123456789", "{path}");
        f.close(fd).unwrap();
    }
    for (path, want) in [
        ("..", FsError::Escape),
        ("d/../..", FsError::Escape),
        ("/a.txt", FsError::Escape),
        ("d/out", FsError::Escape),
        ("", FsError::NotFound),
        ("a.txt/", FsError::NotDir),
        ("a.txt/x", FsError::NotDir),
        ("nope/x", FsError::NotFound),
        ("a\0b", FsError::Invalid),
    ] {
        assert_eq!(f.open(root, path, READ), Err(want), "{path}");
    }
    // A directory descriptor is a root of its own: `..` above it is an escape.
    let d = f
        .open(
            root,
            "d",
            OpenFlags {
                directory: true,
                ..READ
            },
        )
        .unwrap();
    assert_eq!(f.open(d, "../a.txt", READ), Err(FsError::Escape));
    assert_eq!(
        f.open(d, "up", READ),
        Err(FsError::Escape),
        "a link above the descriptor"
    );
    let c = f.open(d, "e/c.txt", READ).unwrap();
    assert_eq!(read_all(&mut f, c), b"c");
    assert_eq!(
        f.open(c, "x", READ),
        Err(FsError::NotDir),
        "a file is no directory"
    );
    assert_eq!(f.read(d, &mut [0; 4]), Err(FsError::IsDir));
}

#[test]
fn opens_that_would_write_are_refused() {
    let (mut f, root) = files();
    let with = |g: fn(&mut OpenFlags)| {
        let mut flags = READ;
        g(&mut flags);
        flags
    };
    assert_eq!(
        f.open(root, "a.txt", with(|o| o.write = true)),
        Err(FsError::ReadOnly)
    );
    assert_eq!(
        f.open(root, "a.txt", with(|o| o.truncate = true)),
        Err(FsError::ReadOnly)
    );
    assert_eq!(
        f.open(root, "new", with(|o| o.create = true)),
        Err(FsError::ReadOnly)
    );
    assert_eq!(
        f.open(root, "no/new", with(|o| o.create = true)),
        Err(FsError::NotFound)
    );
    let excl = with(|o| {
        o.create = true;
        o.exclusive = true;
    });
    assert_eq!(f.open(root, "a.txt", excl), Err(FsError::Exists));
    assert_eq!(
        f.open(root, "d", with(|o| o.write = true)),
        Err(FsError::IsDir)
    );
    assert_eq!(
        f.open(root, "to-d", with(|o| o.follow = false)),
        Err(FsError::Loop)
    );
    assert_eq!(f.open_count(), 1, "nothing was opened");
}

#[test]
fn seeks_and_positional_reads() {
    let (mut f, root) = files();
    let fd = f.open(root, "a.txt", READ).unwrap();
    assert_eq!(f.seek(fd, SeekFrom::End(-3)), Ok(7));
    assert_eq!(read_all(&mut f, fd), b"789");
    assert_eq!(f.tell(fd), Ok(10));
    assert_eq!(f.seek(fd, SeekFrom::Current(-11)), Err(FsError::Invalid));
    assert_eq!(f.seek(fd, SeekFrom::End(i64::MAX)), Err(FsError::Overflow));
    assert_eq!(f.seek(fd, SeekFrom::Start(100)), Ok(100));
    assert_eq!(f.read(fd, &mut [0; 4]), Ok(0), "past the end");
    let got = f.pread_with(fd, 2, 3, |b| Ok::<_, ()>(b.len())).unwrap();
    assert_eq!(got, Ok(3));
    assert_eq!(f.tell(fd), Ok(100), "pread does not move the offset");
    assert_eq!(f.seek(root, SeekFrom::Start(0)), Err(FsError::BadFd));
}

#[test]
fn listings_page_by_cookie() {
    let (mut f, root) = files();
    let all: Vec<(u64, Vec<u8>)> = f
        .read_dir(root, 0)
        .unwrap()
        .map(|(next, e)| (next, e.name.clone()))
        .collect();
    let names: Vec<&[u8]> = all.iter().map(|(_, n)| &n[..]).collect();
    assert_eq!(names, [&b"."[..], b"..", b"a.txt", b"d", b"to-d"]);
    assert_eq!(
        all.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    // One entry at a time, by the cookie of the last one.
    let mut cookie = 0;
    let mut paged = Vec::new();
    while let Some((next, e)) = f.read_dir(root, cookie).unwrap().next() {
        paged.push(e.name.clone());
        cookie = next;
    }
    assert_eq!(paged.iter().map(Vec::as_slice).collect::<Vec<_>>(), names);
    assert_eq!(f.read_dir(root, u64::MAX).unwrap().count(), 0);
    let fd = f.open(root, "a.txt", READ).unwrap();
    assert!(matches!(f.read_dir(fd, 0), Err(FsError::NotDir)));
}

#[test]
fn stats_links_and_fixed_times() {
    let mut f = Files::new();
    let root = f.preopen("/p", tree().fixed_time(42));
    let s = f.stat_path(root, "to-d", false).unwrap();
    assert_eq!((s.kind, s.size, s.mtime), (Kind::Symlink, 2, 42));
    let s = f.stat_path(root, "to-d", true).unwrap();
    assert_eq!(s.kind, Kind::Dir);
    assert_eq!(f.stat_path(root, "d/up", true).unwrap().size, 10);
    assert_eq!(f.read_link(root, "d/up"), Ok(b"../a.txt".to_vec()));
    assert_eq!(f.read_link(root, "a.txt"), Err(FsError::Invalid));
    assert_eq!(f.stat(root).unwrap().kind, Kind::Dir);
    assert_eq!(f.preopen_name(root), Ok("/p"));
    f.close(root).unwrap();
    assert_eq!(f.stat(root), Err(FsError::BadFd));
    assert_eq!(f.close(root), Err(FsError::BadFd));
    assert!(f.is_empty());
}

#[test]
fn memory_trees_refuse_bad_paths() {
    let mut t = MemoryTree::new();
    assert!(matches!(
        t.add_file("../x", vec![]),
        Err(TreeError::BadPath { .. })
    ));
    assert!(matches!(
        t.add_file("", vec![]),
        Err(TreeError::BadPath { .. })
    ));
    assert!(matches!(
        t.add_file(&"x".repeat(256), vec![]),
        Err(TreeError::BadPath { .. })
    ));
    t.add_file("f", vec![1]).unwrap();
    assert!(matches!(
        t.add_file("f/g", vec![]),
        Err(TreeError::Conflict { .. })
    ));
    assert!(matches!(t.add_dir("f"), Err(TreeError::Conflict { .. })));
    t.add_file("/f", vec![2]).unwrap();
    assert_eq!(
        t.file_at("f").as_deref(),
        Some(&[2u8][..]),
        "a later file replaces"
    );
}

#[cfg(unix)]
#[test]
fn host_directories_are_served_from_descriptors_opened_once() {
    let base = std::env::temp_dir().join(format!("wasi-stubs-fs-unit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(base.join("tree/d")).unwrap();
    std::fs::write(base.join("tree/a.txt"), "0123456789").unwrap();
    std::fs::write(base.join("outside.txt"), "no").unwrap();
    std::os::unix::fs::symlink("../a.txt", base.join("tree/d/up")).unwrap();
    std::os::unix::fs::symlink("../outside.txt", base.join("tree/out")).unwrap();
    let tree = Tree::dir(base.join("tree")).unwrap();
    // Renamed after it was opened: the tree is the directory, not the path.
    std::fs::rename(base.join("tree"), base.join("moved")).unwrap();
    let mut f = Files::new();
    let root = f.preopen("/", tree);
    let fd = f.open(root, "d/up", READ).unwrap();
    assert_eq!(read_all(&mut f, fd), b"0123456789");
    assert_eq!(f.open(root, "out", READ), Err(FsError::Escape));
    assert_eq!(
        f.open(
            root,
            "d/",
            OpenFlags {
                directory: true,
                ..READ
            }
        )
        .map(|_| ()),
        Ok(())
    );
    let names: Vec<Vec<u8>> = f
        .read_dir(root, 0)
        .unwrap()
        .map(|(_, e)| e.name.clone())
        .collect();
    assert_eq!(names, [&b"."[..], b"..", b"a.txt", b"d", b"out"]);
    assert!(Tree::dir(base.join("missing")).is_err());
    std::fs::remove_dir_all(&base).unwrap();
}
