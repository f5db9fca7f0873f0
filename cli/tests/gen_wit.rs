//! `wasi-stubs gen --wit DIR --world NAME`: the component-model generator as a command, with
//! `-o` and `--check` as for witx, and errors that name the file and place.

mod common;

use common::*;

fn kitchen_sink() -> std::path::PathBuf {
    root().join("codegen/tests/wit/kitchen-sink")
}

#[test]
fn gen_wit_writes_checks_and_prints_the_world() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sink.rs");
    let wit = kitchen_sink();
    let gen_args = |tail: &[&std::ffi::OsStr]| {
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "gen".as_ref(),
            "--wit".as_ref(),
            wit.as_os_str(),
            "--world".as_ref(),
            "sink".as_ref(),
        ];
        args.extend(tail);
        run(args)
    };
    let o = gen_args(&["-o".as_ref(), out.as_os_str()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let code = std::fs::read_to_string(&out).unwrap();
    // The committed golden output is what the command writes.
    let golden = std::fs::read_to_string(root().join("codegen/tests/golden/wit_sink.rs")).unwrap();
    assert_eq!(code, golden);

    let o = gen_args(&["--check".as_ref(), out.as_os_str()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty() && o.stderr.is_empty());

    std::fs::write(&out, code.replacen("fn greet", "fn greeted", 1)).unwrap();
    let o = gen_args(&["--check".as_ref(), out.as_os_str()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!(
            "error: {} is not what the WIT world generates: line ",
            out.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "= help: regenerate it with `wasi-stubs gen --wit {} --world sink -o",
            wit.display()
        )),
        "{err}"
    );

    let o = gen_args(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), golden);
}

#[test]
fn gen_wit_errors_name_the_place_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.wit"),
        "package a:b;\ninterface i {\n    f: func() -> future<u8>;\n}\nworld w { import i; }\n",
    )
    .unwrap();
    let o = run([
        "gen".as_ref(),
        "--wit".as_ref(),
        dir.path().as_os_str(),
        "--world".as_ref(),
        "w".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("bad.wit:3:"), "{err}");
    assert!(err.contains("`future`"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let o = run([
        "gen".as_ref(),
        "--wit".as_ref(),
        kitchen_sink().as_os_str(),
        "--world".as_ref(),
        "nope".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nope"), "{}", stderr(&o));
}

#[test]
fn gen_wit_usage_errors_exit_2() {
    let wit = kitchen_sink();
    let witx = preview1_witx();
    // --wit needs --world, and takes neither --witx nor --module-name.
    for args in [
        vec!["gen".as_ref(), "--wit".as_ref(), wit.as_os_str()],
        vec!["gen".as_ref(), "--world".as_ref(), "sink".as_ref()],
        vec![
            "gen".as_ref(),
            "--wit".as_ref(),
            wit.as_os_str(),
            "--world".as_ref(),
            "sink".as_ref(),
            "--module-name".as_ref(),
            "x".as_ref(),
        ],
        vec![
            "gen".as_ref(),
            "--wit".as_ref(),
            wit.as_os_str(),
            "--world".as_ref(),
            "sink".as_ref(),
            "--witx".as_ref(),
            witx.as_os_str(),
        ],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}
