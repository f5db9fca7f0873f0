//! Documents the generator must refuse, with the place, rather than crash on (stack overflow,
//! panic, memory or time without end) or turn into Rust that does not compile; and names it must
//! escape. (The code of the escaped ones was checked to compile when these tests were written;
//! here they check the names.)

use std::path::{Path, PathBuf};

use wasi_stubs_codegen::{
    Generator, MAX_DECLARATIONS, MAX_NESTING, MAX_TYPE_PARTS, generate, load,
};

/// A directory of its own for one test, removed at the end.
struct Dir(PathBuf);

impl Dir {
    fn new(test: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!(
            "wasi-stubs-codegen-hostile-{}-{test}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }

    fn write(&self, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The error of generating the document `text`, and the file it was in.
fn refused(test: &str, text: &str) -> (String, PathBuf) {
    let dir = Dir::new(test);
    let path = dir.write("doc.witx", text);
    let e = Generator::witx([&path])
        .generate_string()
        .err()
        .unwrap_or_else(|| panic!("{test}: the document generates"));
    (e.to_string(), path)
}

/// Asserts `error` starts with `file:place: ` and has each of `words`.
fn assert_at(error: &str, file: &Path, place: &str, words: &[&str]) {
    let start = format!("{}:{place}: ", file.display());
    assert!(error.starts_with(&start), "starts with {start}: {error}");
    for w in words {
        assert!(error.contains(w), "has `{w}`: {error}");
    }
    assert_eq!(error.lines().count(), 1, "{error}");
}

/// The code generated for `text`, which must generate.
fn generated(test: &str, text: &str) -> String {
    let dir = Dir::new(test);
    let path = dir.write("doc.witx", text);
    Generator::witx([&path])
        .generate_string()
        .unwrap_or_else(|e| panic!("{test}: {e}"))
}

// Loading: limits that keep the `witx` crate from crashing or running without end.

#[test]
fn a_list_nested_2000_deep_is_refused_not_a_stack_overflow() {
    let text = format!(
        "(typename $t\n  {}u8{})\n",
        "(list ".repeat(2000),
        ")".repeat(2000)
    );
    let (e, path) = refused("deep", &text);
    // The first `(` past the limit: the 50th `(list` (the typename's is the first).
    let column = 3 + (MAX_NESTING - 1) * "(list ".len();
    assert_at(
        &e,
        &path,
        &format!("2:{column}"),
        &["parentheses nested deeper than 50"],
    );
}

#[test]
fn nesting_is_checked_in_every_used_file() {
    let dir = Dir::new("deep-use");
    dir.write(
        "deep.witx",
        format!(
            ";; (((( in a comment\n{}{}",
            "(".repeat(500),
            ")".repeat(500)
        ),
    );
    let root = dir.write("root.witx", "(typename $a u8)\n(use \"deep.witx\")\n");
    let e = load(&[&root]).unwrap_err().to_string();
    assert_at(
        &e,
        &dir.0.join("deep.witx"),
        "2:51",
        &["nested deeper than 50"],
    );
}

#[test]
fn nesting_up_to_the_limit_is_accepted() {
    // The typename's `(` and 49 `(list`s: loaded, generated and formatted on a test thread's
    // stack.
    let depth = MAX_NESTING - 1;
    let text = format!(
        "(typename $deep {}u8{})\n(module $m (@interface func (export \"f\") (param $x $deep)))\n",
        "(list ".repeat(depth),
        ")".repeat(depth)
    );
    let code = generated("limit", &text);
    assert!(code.contains("pub type Deep = "), "{code}");
}

#[test]
fn a_use_of_dev_zero_is_refused_after_the_size_limit() {
    let dir = Dir::new("zero");
    let root = dir.write("zero.witx", ";; reads forever\n(use \"/dev/zero\")\n");
    let e = load(&[&root]).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "/dev/zero: larger than 16 MiB, the most a witx file may have (used at {}:2:6)",
            root.display()
        )
    );
}

#[test]
fn a_path_that_names_no_file_is_refused_not_a_panic() {
    for path in ["/", "..", "."] {
        let e = load(&[path]).unwrap_err().to_string();
        assert_eq!(
            e,
            format!("{path}: not a witx file: the path names no file")
        );
    }
}

#[test]
fn a_chain_of_uses_deeper_than_the_limit_is_refused() {
    let dir = Dir::new("chain");
    for i in 0..=MAX_NESTING + 1 {
        dir.write(
            &format!("f{i}.witx"),
            format!("(use \"f{}.witx\")\n", i + 1),
        );
    }
    let e = load(&[dir.0.join("f0.witx")]).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "{}: `use`s nested deeper than 50 files",
            dir.0.join("f51.witx").display()
        )),
        "{e}"
    );
}

#[test]
fn more_declarations_than_the_limit_are_refused() {
    // A chain of aliases as long as this one is as deep in witx's data (dropping it recursed).
    // On one line: on a line each, witx would take long to read them, which is refused first.
    let mut text = String::from("(typename $a0 u32)");
    for i in 1..=MAX_DECLARATIONS {
        text.push_str(&format!(" (typename $a{i} $a{})", i - 1));
    }
    let dir = Dir::new("declarations");
    let path = dir.write("many.witx", &text);
    let e = load(&[&path]).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}: the document has more than 10000 declarations (typenames, modules, constants), \
             the most a witx document may have",
            path.display()
        )
    );
}

#[test]
fn a_file_witx_would_take_minutes_to_read_is_refused() {
    // witx goes through the file from its start to every name: 20,000 names after a million
    // lines would take it minutes.
    let mut text = "\n".repeat(1_000_000);
    text.push_str("(typename $e (enum (@witx tag u16)\n");
    for i in 0..20_000 {
        text.push_str(&format!("  $c{i}\n"));
    }
    text.push_str("))\n");
    let dir = Dir::new("slow");
    let path = dir.write("slow.witx", &text);
    let start = std::time::Instant::now();
    let e = load(&[&path]).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "{}: too many names in too large a file",
            path.display()
        )),
        "{e}"
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn types_that_unfold_exponentially_are_refused_at_once() {
    // Each typename holds the one before twice: 2^60 parts, which witx's layouts (and the
    // generator's) would go through one by one.
    let mut text = String::from("(typename $t0 u32)\n");
    for i in 1..=60 {
        text.push_str(&format!(
            "(typename $t{i} (variant (case $a $t{0}) (case $b $t{0})))\n",
            i - 1
        ));
    }
    let start = std::time::Instant::now();
    let (e, path) = refused("exponential", &text);
    assert_at(
        &e,
        &path,
        "15:11",
        &[
            &format!("more than {MAX_TYPE_PARTS} parts"),
            "`t14` alone has 65533",
        ],
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

// Generating: names that collide in Rust, pointing at the second and naming the first.

#[test]
fn typenames_that_become_the_same_rust_type_are_refused_at_the_second() {
    let (e, path) = refused(
        "typenames",
        "(typename $foo_bar u32)\n(typename $size u8)\n(typename $foo__bar u64)\n",
    );
    assert_at(
        &e,
        &path,
        "3:11",
        &[
            "typename `foo__bar` becomes the Rust name `FooBar`, as does typename `foo_bar`",
            &format!("(at {}:1:11)", path.display()),
        ],
    );
    let (e, path) = refused(
        "typenames-case",
        "(typename $FooBar u32)\n(typename $foo_bar u8)\n",
    );
    assert_at(&e, &path, "2:11", &["as does typename `FooBar`"]);
}

#[test]
fn a_typename_and_a_modules_trait_of_the_same_rust_name_are_refused() {
    let (e, path) = refused(
        "trait",
        "(typename $foo_bar u32)\n(module $fooBar\n  (@interface func (export \"f\")))\n",
    );
    assert_at(
        &e,
        &path,
        "2:9",
        &[
            "the trait of module `fooBar` becomes the Rust name `FooBar`, as does typename `foo_bar`",
        ],
    );
}

#[test]
fn modules_that_become_the_same_rust_module_are_refused() {
    let (e, path) = refused(
        "modules",
        "(module $foo_bar (@interface func (export \"f\")))\n(module $fooBar)\n",
    );
    assert_at(
        &e,
        &path,
        "2:9",
        &["module `fooBar` becomes the Rust name `foo_bar`, as does module `foo_bar`"],
    );
}

#[test]
fn enum_and_union_cases_that_become_the_same_rust_name_are_refused() {
    let (e, path) = refused(
        "cases",
        "(typename $e\n  (enum (@witx tag u8)\n    $foo_bar\n    $FooBar))\n",
    );
    assert_at(
        &e,
        &path,
        "4:5",
        &["case `FooBar` of `e` becomes the Rust name `FooBar`, as does case `foo_bar` of `e`"],
    );
    let (e, path) = refused(
        "union-cases",
        "(typename $u (variant (@witx tag u8) (case $a_b u32) (case $aB)))\n",
    );
    assert_at(
        &e,
        &path,
        "1:60",
        &["case `aB` of `u` becomes the Rust name `AB`"],
    );
}

#[test]
fn flags_that_become_the_same_rust_name_are_refused() {
    let (e, path) = refused(
        "flags",
        "(typename $f (flags (@witx repr u8) $read_data $readData))\n",
    );
    assert_at(
        &e,
        &path,
        "1:48",
        &["flag `readData` of `f` becomes the Rust name `READ_DATA`, as does flag `read_data`"],
    );
}

#[test]
fn record_fields_that_become_the_same_rust_name_are_refused() {
    let (e, path) = refused(
        "fields",
        "(typename $r (record\n  (field $self u32)\n  (field $Self u8)))\n",
    );
    assert_at(
        &e,
        &path,
        "3:10",
        &["field `Self` of `r` becomes the Rust name `self_`, as does field `self` of `r`"],
    );
}

#[test]
fn functions_that_become_the_same_method_are_refused() {
    let (e, path) = refused(
        "functions",
        "(module $m\n  (@interface func (export \"fd_write\"))\n  (@interface func (export \"fdWrite\")))\n",
    );
    assert_at(
        &e,
        &path,
        "3:28",
        &["function `fdWrite` becomes the Rust name `fd_write`, as does function `fd_write`"],
    );
}

#[test]
fn parameters_that_become_the_same_rust_name_are_refused() {
    let (e, path) = refused(
        "params",
        "(module $m (@interface func (export \"f\")\n  (param $fooBar u32)\n  (param $foo_bar u32)))\n",
    );
    assert_at(
        &e,
        &path,
        "3:10",
        &["parameter `foo_bar` of `f` becomes the Rust name `foo_bar`, as does parameter `fooBar`"],
    );
    // A string `x` is passed as `x_ptr` and `x_len`.
    let (e, path) = refused(
        "params-ptr",
        "(typename $s string)\n(module $m (@interface func (export \"f\") (param $x $s) (param $x_ptr u32)))\n",
    );
    assert_at(
        &e,
        &path,
        "2:63",
        &["parameter `x_ptr` of `f` becomes the Rust name `x_ptr`"],
    );
}

#[test]
fn names_the_generated_code_uses_for_its_own_are_refused() {
    for (name, rust) in [("t", "T"), ("h", "H"), ("send", "Send"), ("copy", "Copy")] {
        let (e, path) = refused(name, &format!("(typename ${name} u32)\n"));
        assert_at(
            &e,
            &path,
            "1:11",
            &[&format!(
                "typename `{name}` becomes the Rust name `{rust}`, which the generated code uses"
            )],
        );
    }
    let (e, path) = refused("sync", "(module $sync)\n");
    assert_at(
        &e,
        &path,
        "1:9",
        &["module `sync` becomes the Rust name `Sync`"],
    );
}

// Generating: types and constants Rust cannot have as written.

#[test]
fn an_enum_with_more_cases_than_its_tag_holds_is_refused() {
    let cases: Vec<String> = (0..300).map(|i| format!("$c{i}")).collect();
    let (e, path) = refused(
        "enum300",
        &format!("(typename $e (enum (@witx tag u8) {}))\n", cases.join(" ")),
    );
    assert_at(
        &e,
        &path,
        "1:11",
        &["enum `e` has 300 cases, more than its tag type `u8` holds (256)"],
    );
    let cases: Vec<String> = (0..257).map(|i| format!("(case $c{i} u32)")).collect();
    let (e, path) = refused(
        "union257",
        &format!(
            "(typename $u (variant (@witx tag u8) {}))\n",
            cases.join(" ")
        ),
    );
    assert_at(
        &e,
        &path,
        "1:11",
        &["union `u` has 257 cases, more than its tag type `u8`"],
    );
    // 256 fit.
    let cases: Vec<String> = (0..256).map(|i| format!("$c{i}")).collect();
    generated(
        "enum256",
        &format!("(typename $e (enum (@witx tag u8) {}))\n", cases.join(" ")),
    );
}

#[test]
fn an_enum_of_no_cases_is_refused() {
    let (e, path) = refused("no-cases", "(typename $e (variant (@witx tag u8)))\n");
    assert_at(&e, &path, "1:11", &["enum `e` has no cases"]);
}

#[test]
fn an_empty_tuple_is_refused_not_a_panic() {
    // witx cannot lay it out: its alignment is 0, and `align_to` overflows.
    let (e, path) = refused(
        "empty-tuple",
        "(typename $unit (tuple))\n(typename $r (record (field $u $unit)))\n",
    );
    assert_at(&e, &path, "1:11", &["typename `unit` is an empty tuple"]);
}

#[test]
fn flags_beyond_their_representation_are_refused_with_the_place() {
    let flags: Vec<String> = (0..9).map(|i| format!("$f{i}")).collect();
    let (e, path) = refused(
        "flags9",
        &format!(
            "(typename $a u8)\n(typename $f (flags (@witx repr u8) {}))\n",
            flags.join(" ")
        ),
    );
    assert_at(
        &e,
        &path,
        "2:11",
        &["flags `f` has 9 flags, more than its representation `u8` holds (8)"],
    );
}

/// `witx` keeps a constant only when a declaration follows it.
const END: &str = "(module $end)\n";

#[test]
fn constants_their_type_cannot_hold_are_refused() {
    for (ty, value, words) in [
        ("u8", "256", "256 does not fit in its type `u8`"),
        (
            "s64",
            "9223372036854775808",
            "does not fit in its type `s64`",
        ),
        (
            "(@witx usize)",
            "4294967296",
            "does not fit in its type `u32`",
        ),
        (
            "(flags (@witx repr u8) $a)",
            "300",
            "300 does not fit in its type `u8`",
        ),
        ("(handle)", "4294967296", "does not fit in its type `u32`"),
        ("f32", "1", "`c` is not an integer type"),
        ("char", "65", "`c` is not an integer type"),
    ] {
        let (e, path) = refused(
            "const",
            &format!("(typename $c {ty})\n(@witx const $c $x {value})\n{END}"),
        );
        assert_at(&e, &path, "2:17", &["constant `x` of `c`: ", words]);
    }
}

#[test]
fn constants_that_become_the_same_rust_name_are_refused() {
    let (e, path) = refused(
        "const-flag",
        &format!("(typename $m (flags (@witx repr u8) $read))\n(@witx const $m $read 1)\n{END}"),
    );
    assert_at(
        &e,
        &path,
        "2:17",
        &["constant `read` of `m` becomes the Rust name `READ`, as does flag `read` of `m`"],
    );
    let (e, path) = refused(
        "const-top",
        &format!(
            "(typename $a_b u32)\n(typename $a u32)\n(@witx const $a_b $c 1)\n(@witx const $a $b_c 2)\n{END}"
        ),
    );
    assert_at(
        &e,
        &path,
        "4:17",
        &["constant `b_c` of `a` becomes the Rust name `A_B_C`, as does constant `c` of `a_b`"],
    );
}

#[test]
fn a_constant_of_an_alias_of_an_integer_is_a_module_constant() {
    // Not `impl Len { ... }`: an inherent impl on `u32` does not compile.
    let code = generated(
        "const-alias",
        &format!("(typename $size u32)\n(typename $len $size)\n(@witx const $len $x 1)\n{END}"),
    );
    assert!(code.contains("pub const LEN_X: Len = 1;"), "{code}");
    assert!(!code.contains("impl Len"), "{code}");
}

#[test]
fn a_constant_of_a_type_named_with_a_dash_is_a_rust_identifier() {
    let code = generated(
        "const-dash",
        &format!("(typename $my-size u32)\n(@witx const $my-size $x 1)\n{END}"),
    );
    assert!(code.contains("pub const MY_SIZE_X: MySize = 1;"), "{code}");
}

// Generating: names escaped rather than refused.

#[test]
fn parameters_named_like_the_glues_own_variables_are_renamed() {
    let code = generated(
        "glue-names",
        "(typename $errno (enum (@witx tag u8) $ok $bad))\n(typename $n u32)\n\
         (module $m (@interface func (export \"f\")\n\
           (param $mem u32) (param $result u32) (param $ctx u32) (param $ret u32) (param $line u32)\n\
           (result $error (expected $n (error $errno)))))\n",
    );
    let code = code.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        code.contains(
            "fn f( &mut self, mem_: u32, result_: u32, ctx_: u32, ret_: u32, line_: u32, )"
        ),
        "{code}"
    );
}

#[test]
fn a_function_name_rust_cannot_take_becomes_a_valid_identifier() {
    // heck keeps `²` (it is alphanumeric); Rust does not take it in identifiers.
    let code = generated(
        "unicode",
        "(module $m (@interface func (export \"x²\")) (@interface func (export \"héllo\")))\n",
    );
    assert!(code.contains("fn x_("), "{code}");
    assert!(code.contains("fn héllo("), "{code}");
    assert!(
        code.contains("name: \"x²\""),
        "the import keeps its name: {code}"
    );
}

#[test]
fn gen_is_a_raw_identifier_as_the_2024_edition_reserves_it() {
    let code = generated(
        "gen",
        "(typename $r (record (field $gen u32)))\n(module $m (@interface func (export \"gen\")))\n",
    );
    assert!(code.contains("pub r#gen: u32"), "{code}");
    assert!(code.contains("fn r#gen("), "{code}");
}

#[test]
fn a_function_of_more_core_parameters_than_wasmtime_links_is_refused() {
    let params: Vec<String> = (0..18).map(|i| format!("(param $p{i} u32)")).collect();
    let (e, path) = refused(
        "params18",
        &format!(
            "(module $m (@interface func (export \"f\") {}))\n",
            params.join(" ")
        ),
    );
    assert_at(
        &e,
        &path,
        "1:37",
        &["function `f` takes 18 core wasm parameters", "at most 17"],
    );
}

#[test]
fn an_error_of_generate_gets_its_place_from_locate() {
    let dir = Dir::new("locate");
    let path = dir.write("doc.witx", "(typename $a_b u8)\n(typename $aB u8)\n");
    let doc = load(&[&path]).unwrap();
    let e = generate(&doc).unwrap_err();
    assert!(e.to_string().starts_with("typename `aB` becomes"), "{e}");
    let located = e.locate(&[&path]).to_string();
    assert!(
        located.starts_with(&format!("{}:2:11: typename `aB`", path.display())),
        "{located}"
    );
    assert!(
        located.ends_with(&format!("(at {}:1:11)", path.display())),
        "{located}"
    );
}
