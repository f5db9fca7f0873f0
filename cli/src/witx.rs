//! Loading witx documents, with the generator's errors on one line.

use std::path::PathBuf;

use wasi_stubs_codegen::witx;

use crate::{Failure, Result};

/// Loads the document made of `paths` (its `use` directives followed).
pub fn load(paths: &[PathBuf]) -> Result<witx::Document> {
    wasi_stubs_codegen::load(paths).map_err(|e| error(paths, &e))
}

/// The generator's error on one line, naming the file and place: its messages put the place
/// first (`file.witx:4:15: Unknown name `nope``) or, for syntax errors, on a `--> file:line:col`
/// line under the message, and then quote the source.
pub fn error(paths: &[PathBuf], e: &wasi_stubs_codegen::Error) -> Failure {
    Failure::Input(one_line(paths, &e.to_string()))
}

fn one_line(paths: &[PathBuf], message: &str) -> String {
    let line = crate::place_first(message);
    let names_a_file = starts_with_place(&line)
        || paths
            .iter()
            .any(|p| line.contains(&p.display().to_string()));
    if names_a_file || paths.is_empty() {
        line
    } else {
        // A message of the generator itself (say an ABI it cannot express) names no file.
        format!("{}: {line}", crate::join_paths(paths, ", "))
    }
}

/// Whether `line` starts with a place, `file:line:column: ` (a file the document `use`s, say).
fn starts_with_place(line: &str) -> bool {
    let Some((place, _)) = line.split_once(": ") else {
        return false;
    };
    let mut parts = place.rsplitn(3, ':');
    let number =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    number(parts.next()) && number(parts.next()) && parts.next().is_some_and(|f| !f.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_become_one_line() {
        let paths = [PathBuf::from("a.witx")];
        assert_eq!(
            one_line(
                &paths,
                "a.witx:4:15: Unknown name `nope`\nin \"a.witx\":\n    4 | x\n      ^"
            ),
            "a.witx:4:15: Unknown name `nope`"
        );
        assert_eq!(
            one_line(
                &paths,
                "invalid witx: expected `)`\n     --> a.witx:2:1\n      |\n    2 | (module $m"
            ),
            "a.witx:2:1: invalid witx: expected `)`"
        );
        assert_eq!(
            one_line(&paths, "parameter `x`: no"),
            "a.witx: parameter `x`: no"
        );
        // A place in a file the document uses.
        assert_eq!(
            one_line(&paths, "dir/b.witx:3:12: nested too deep"),
            "dir/b.witx:3:12: nested too deep"
        );
        assert_eq!(one_line(&paths, "note: 3:12: x"), "a.witx: note: 3:12: x");
    }
}
