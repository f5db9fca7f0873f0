//! `wasi-stubs spec`: every function of a spec with its core wasm signature.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;
use wasi_stubs_audit::{Signature, Spec, SpecFunction, ValType, display_name};
use wasi_stubs_codegen::witx;

use crate::{Result, emit};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A witx document to list instead of the built-in preview1 and preview0 tables: one or more
    /// files (their `use` directives are followed)
    #[arg(long, value_name = "FILE", num_args = 1..)]
    witx: Vec<PathBuf>,

    /// Print JSON: {"schema": 1, "modules": [{"module", "functions": [{"name", "params", "results"}]}]}
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<()> {
    let specs = if args.witx.is_empty() {
        Spec::builtin()
    } else {
        from_witx(&args.witx)?
    };
    emit(&if args.json {
        json(&specs)
    } else {
        text(&specs)
    })
}

/// The specs of every module of the document, with the signatures the witx ABI gives (the ones
/// the generated `add_to_linker` links).
pub fn from_witx(paths: &[PathBuf]) -> Result<Vec<Spec>> {
    let doc = crate::witx::load(paths)?;
    Ok(doc
        .modules()
        .map(|module| Spec {
            module: module.name.as_str().to_string(),
            functions: module
                .funcs()
                .map(|f| {
                    // `load` validated every function's ABI (witx does, and refuses the document
                    // otherwise), so `wasm_signature` cannot panic.
                    let (params, results) = f.wasm_signature();
                    SpecFunction {
                        name: f.name.as_str().to_string(),
                        signature: Signature {
                            params: params.into_iter().map(val_type).collect(),
                            results: results.into_iter().map(val_type).collect(),
                        },
                    }
                })
                .collect(),
        })
        .collect())
}

/// witx's value type as the audit's (which maps wasi-stubs' and wasmparser's types, not witx's).
fn val_type(t: witx::WasmType) -> ValType {
    match t {
        witx::WasmType::I32 => ValType::I32,
        witx::WasmType::I64 => ValType::I64,
        witx::WasmType::F32 => ValType::F32,
        witx::WasmType::F64 => ValType::F64,
    }
}

fn text(specs: &[Spec]) -> String {
    let mut out = String::new();
    for (i, spec) in specs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let n = spec.functions.len();
        let _ = writeln!(
            out,
            "{}: {n} function{}",
            display_name(&spec.module),
            if n == 1 { "" } else { "s" }
        );
        // Names as the audit's table shows them (a long one shortened: `--json` has it whole),
        // padded by hand: `format!`'s width must fit in a `u16`.
        let names: Vec<String> = spec
            .functions
            .iter()
            .map(|f| display_name(&f.name))
            .collect();
        let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
        for (f, name) in spec.functions.iter().zip(&names) {
            let fill = width - name.chars().count();
            let _ = writeln!(out, "  {name}{}  {}", " ".repeat(fill), f.signature);
        }
    }
    out
}

#[derive(Serialize)]
struct SpecsJson<'a> {
    schema: u32,
    modules: Vec<ModuleJson<'a>>,
}

#[derive(Serialize)]
struct ModuleJson<'a> {
    module: &'a str,
    functions: Vec<FunctionJson<'a>>,
}

#[derive(Serialize)]
struct FunctionJson<'a> {
    name: &'a str,
    params: &'a [ValType],
    results: &'a [ValType],
}

fn json(specs: &[Spec]) -> String {
    let doc = SpecsJson {
        schema: 1,
        modules: specs
            .iter()
            .map(|s| ModuleJson {
                module: &s.module,
                functions: s
                    .functions
                    .iter()
                    .map(|f| FunctionJson {
                        name: &f.name,
                        params: &f.signature.params,
                        results: &f.signature.results,
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in tables are the generator's output for the vendored witx: computing them
    /// again from the witx gives the same signatures.
    #[test]
    fn witx_signatures_match_the_generated_tables() {
        let witx = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../codegen/witx");
        let p1 = from_witx(&[witx.join("preview1/wasi_snapshot_preview1.witx")]).unwrap();
        let p0 = from_witx(&[witx.join("preview0/wasi_unstable.witx")]).unwrap();
        assert_eq!(p1, vec![Spec::preview1()]);
        assert_eq!(p0, vec![Spec::preview0()]);
    }

    #[test]
    fn text_lists_every_function() {
        let out = text(&Spec::builtin());
        assert!(out.starts_with("wasi_snapshot_preview1: 46 functions\n  args_get "));
        assert!(out.contains("\nwasi_unstable: 45 functions\n"));
        assert!(out.contains("  fd_write  ") || out.contains("  fd_write "));
    }
}
