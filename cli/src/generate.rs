//! `wasi-stubs gen`: the generator as a command.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{Expr, ExprLit, Item, Lit, LitStr};

use crate::{Failure, Result, emit, file_error, input, join_paths, write_file};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The witx document: one or more files (their `use` directives are followed)
    #[arg(
        long,
        value_name = "FILE",
        num_args = 1..,
        required_unless_present = "wit",
        conflicts_with = "wit"
    )]
    witx: Vec<PathBuf>,

    /// Serve the document's module under this import name instead of the one the witx gives
    /// (the document must have exactly one module)
    #[arg(long, value_name = "NAME", conflicts_with = "wit")]
    module_name: Option<String>,

    /// A WIT package directory (with its `deps/`): generate the component-model host side of
    /// one of its worlds, `--world`, instead of a witx document
    #[arg(long, value_name = "DIR", requires = "world")]
    wit: Option<PathBuf>,

    /// The world of `--wit`: a name of the package's own (`command`) or a full one
    /// (`wasi:cli/command`, `wasi:cli/command@0.2.12`)
    #[arg(long, value_name = "NAME", requires = "wit")]
    world: Option<String>,

    /// Write the code to this file instead of stdout
    #[arg(
        short = 'o',
        long = "output",
        value_name = "OUT.rs",
        conflicts_with = "check"
    )]
    output: Option<PathBuf>,

    /// Do not write: exit 1 if this file differs from what would be generated, 0 if equal
    #[arg(long, value_name = "OUT.rs")]
    check: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    // What is generated from, for messages: the source and the options that name it again.
    let (code, source, options) = match (&args.wit, &args.world) {
        (Some(dir), Some(world)) => (
            generate_wit(dir, world)?,
            "WIT world",
            format!("--wit {} --world {world}", dir.display()),
        ),
        _ => {
            let module_name = match &args.module_name {
                Some(name) => format!(" --module-name {name}"),
                None => String::new(),
            };
            (
                generate(&args.witx, args.module_name.as_deref())?,
                "witx document",
                format!("--witx {}{module_name}", join_paths(&args.witx, " ")),
            )
        }
    };
    if let Some(path) = &args.check {
        let current = read_to_compare(path, code.len())?;
        return match first_difference(&current, &code) {
            None => Ok(()),
            Some(diff) => {
                eprintln!(
                    "error: {} is not what the {source} generates: {diff}",
                    path.display(),
                );
                eprintln!(
                    "  = help: regenerate it with `wasi-stubs gen {options} -o {}`",
                    path.display()
                );
                Err(Failure::Check)
            }
        };
    }
    match &args.output {
        Some(path) => write_file(path, &code),
        None => emit(&code),
    }
}

/// The file at `path`, to compare with `len` bytes of generated code: at most one byte more is
/// read, which is enough to tell that it differs (so `--check /dev/zero` ends).
fn read_to_compare(path: &std::path::Path, len: usize) -> Result<String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| file_error(path, e))?;
    let mut bytes = Vec::new();
    file.take(len as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| file_error(path, e))?;
    if bytes.len() > len {
        // Longer than the code, so not it: what is read compares, even cut in a character.
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    String::from_utf8(bytes).map_err(|e| file_error(path, e))
}

/// Loads the WIT package in `dir`, and generates and formats the host side of its world `world`.
/// Errors name the file and place, as wit-parser gives them.
pub fn generate_wit(dir: &std::path::Path, world: &str) -> Result<String> {
    wasi_stubs_codegen::wit::load(dir, world)
        .and_then(|w| w.generate_file())
        .map_err(input)
}

/// Loads, generates and formats the document, under `module_name` if given.
pub fn generate(witx: &[PathBuf], module_name: Option<&str>) -> Result<String> {
    let doc = crate::witx::load(witx)?;
    // The generator names the definition it refuses; its place is found in the files.
    let tokens = wasi_stubs_codegen::generate(&doc)
        .map_err(|e| crate::witx::error(witx, &e.locate(witx)))?;
    let tokens = match module_name {
        None => tokens,
        Some(name) => {
            let modules: Vec<_> = doc.modules().collect();
            let [module] = modules.as_slice() else {
                return Err(input(format!(
                    "{}: --module-name needs a document with exactly one module; this one has {}",
                    join_paths(witx, ", "),
                    modules.len()
                )));
            };
            if name.is_empty() {
                return Err(input("--module-name must not be empty"));
            }
            rename(tokens, module.name.as_str(), name)?
        }
    };
    wasi_stubs_codegen::pretty(tokens).map_err(|e| crate::witx::error(witx, &e))
}

/// Rewrites the generated `pub const MODULE: &str = "<from>";` to `to`. Everything the glue
/// links goes through that constant (`add_to_linker`, the `Spec` impl), so the trait, the types
/// and the Rust module keep their names and only the import name changes.
fn rename(tokens: TokenStream, from: &str, to: &str) -> Result<TokenStream> {
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| input(format!("generated code does not parse: {e}")))?;
    match rewrite_module_name(&mut file.items, from, to) {
        1 => Ok(file.into_token_stream()),
        n => Err(input(format!(
            "cannot apply --module-name: the generated code has {n} `MODULE` constants for `{from}`, expected 1"
        ))),
    }
}

/// Rewrites every `const MODULE: &str = "<from>"` in `items` and their inline modules; returns
/// how many it rewrote.
fn rewrite_module_name(items: &mut [Item], from: &str, to: &str) -> usize {
    let mut count = 0;
    for item in items {
        match item {
            Item::Const(c) if c.ident == "MODULE" => {
                if let Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) = &mut *c.expr
                    && s.value() == from
                {
                    *s = LitStr::new(to, s.span());
                    count += 1;
                }
            }
            Item::Mod(m) => {
                if let Some((_, inner)) = &mut m.content {
                    count += rewrite_module_name(inner, from, to);
                }
            }
            _ => {}
        }
    }
    count
}

/// Where `current` and `expected` first differ, as `line N: "old" != "new"`, or `None`.
fn first_difference(current: &str, expected: &str) -> Option<String> {
    if current == expected {
        return None;
    }
    let mut old = current.lines();
    let mut new = expected.lines();
    let mut n = 0;
    loop {
        n += 1;
        match (old.next(), new.next()) {
            (Some(a), Some(b)) if a == b => continue,
            (Some(a), Some(b)) => {
                return Some(format!(
                    "line {n} is {:?}, the generated line is {:?}",
                    shorten(a.trim_start()),
                    shorten(b.trim_start())
                ));
            }
            (Some(_), None) => {
                return Some(format!("it has lines past the generated {}", n - 1));
            }
            (None, Some(_)) => {
                return Some(format!(
                    "it ends at line {}, the generated code goes on",
                    n - 1
                ));
            }
            // Same lines, different line endings or final newline.
            (None, None) => return Some("they differ in line endings".to_string()),
        }
    }
}

/// A line to quote in a message: at most 100 characters, a longer one cut in the middle (`…`).
fn shorten(line: &str) -> String {
    const MAX: usize = 100;
    let count = line.chars().count();
    if count <= MAX {
        return line.to_string();
    }
    let head: String = line.chars().take(MAX / 2).collect();
    let tail: String = line.chars().skip(count - (MAX / 2 - 1)).collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences() {
        assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
        assert_eq!(
            first_difference("a\nb\n", "a\nc\n").unwrap(),
            "line 2 is \"b\", the generated line is \"c\""
        );
        assert_eq!(
            first_difference("a\nb\nc\n", "a\nb\n").unwrap(),
            "it has lines past the generated 2"
        );
        assert_eq!(
            first_difference("a\n", "a\nb\n").unwrap(),
            "it ends at line 1, the generated code goes on"
        );
        assert_eq!(
            first_difference("a\r\n", "a\n").unwrap(),
            "they differ in line endings"
        );
        // A long line is quoted shortened.
        let long = "x".repeat(10_000);
        let diff = first_difference(&long, "y\n").unwrap();
        assert!(diff.len() < 200, "{diff}");
        assert!(diff.contains('…'), "{diff}");
    }

    #[test]
    fn renames_only_the_module_constant() {
        let tokens: TokenStream = syn::parse_quote! {
            pub mod m {
                pub const MODULE: &str = "old";
                pub const OTHER: &str = "old";
                pub mod inner { pub const MODULE: &str = "unrelated"; }
            }
        };
        let out = rename(tokens, "old", "new").unwrap().to_string();
        assert!(out.contains("MODULE : & str = \"new\""), "{out}");
        assert!(out.contains("OTHER : & str = \"old\""), "{out}");
        assert!(out.contains("\"unrelated\""), "{out}");
    }
}
