//! `wasi-stubs run --dir` and `--dir-tar`: read-only trees from the command line, with the
//! c-files guest (tests/guests/c-files), which reads /data, then tries to write and escape.

mod common;
use common::*;

use std::path::PathBuf;

/// A fresh directory holding `tree/` (what the guest reads) and `sentinel` beside it.
fn tree(name: &str) -> PathBuf {
    let base = std::env::temp_dir().join(format!("wasi-stubs-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(base.join("tree/sub")).unwrap();
    std::fs::write(base.join("tree/hello.txt"), "hello, world\n").unwrap();
    std::fs::write(base.join("tree/sub/nested.txt"), "nested\n").unwrap();
    std::fs::write(base.join("sentinel"), "never read\n").unwrap();
    base
}

#[test]
fn run_serves_a_host_directory_read_only() {
    let base = tree("dir");
    let spec = format!("{}::/data", base.join("tree").display());
    let o = run_guest(&fixture("c-files.wasm"), ["--dir", &spec]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.contains("preopen 3: ok /data\n"), "{out}");
    assert!(out.contains("fopen+fread: hello, world\n"), "{out}");
    assert!(out.contains("open O_WRONLY: EROFS\n"), "{out}");
    assert!(out.contains("../sentinel: EPERM\n"), "{out}");
    assert!(
        out.contains("10000 opens: 1024 opened, 8976 refused with EMFILE\n"),
        "{out}"
    );
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn run_serves_a_tar_archive() {
    let base = tree("tar");
    let tar = base.join("tree.tar");
    let made = std::process::Command::new("tar")
        .arg("-cf")
        .arg(&tar)
        .arg("-C")
        .arg(base.join("tree"))
        .arg(".")
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: no `tar` command to make the archive with");
        return;
    }
    let spec = format!("{}::/data", tar.display());
    let o = run_guest(&fixture("c-files.wasm"), ["--dir-tar", &spec]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.contains("fopen+fread: hello, world\n"), "{out}");
    assert!(
        out.contains("through a link to a directory: failed\n"),
        "{out}"
    );
    assert!(out.contains("open O_CREAT new: EROFS\n"), "{out}");
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn bad_dir_options_exit_2_with_a_message() {
    let base = tree("bad");
    let guest = fixture("c-files.wasm");
    let missing = base.join("missing");
    let not_tar = base.join("tree/hello.txt");
    for (args, says) in [
        (
            vec!["--dir".to_string(), missing.display().to_string()],
            "cannot open the directory",
        ),
        (
            vec!["--dir".to_string(), "::/data".to_string()],
            "expected HOST_DIR",
        ),
        (
            vec!["--dir-tar".to_string(), not_tar.display().to_string()],
            "expected FILE::GUEST_DIR",
        ),
        (
            vec![
                "--dir-tar".to_string(),
                format!("{}::/d", missing.display()),
            ],
            "missing",
        ),
        (
            vec![
                "--dir-tar".to_string(),
                format!("{}::/d", not_tar.display()),
            ],
            "tar archive",
        ),
    ] {
        let o = run_guest(&guest, &args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(says),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn run_help_documents_the_tree_options() {
    let o = run(["run", "--help"]);
    let out = stdout(&o);
    assert!(out.contains("--dir <HOST_DIR[::GUEST_DIR]>"), "{out}");
    assert!(out.contains("--dir-tar <FILE::GUEST_DIR>"), "{out}");
}
