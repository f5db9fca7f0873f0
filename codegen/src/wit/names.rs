//! Rust names for WIT names, and doc comments.
//!
//! WIT names are kebab-case words (`output-stream`, `ipv4-address`), so the conversions are the
//! usual ones: types and cases `UpperCamelCase`, functions, fields, parameters and modules
//! `snake_case`, flags `SHOUTY_SNAKE_CASE` (by the `heck` crate). A name that is a Rust keyword gets a trailing `_`
//! (`type` → `type_`, the `self` of a method → `self_`), as `bindgen!` does.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// A type or case: `output-stream` → `OutputStream`.
pub fn camel(name: &str) -> Ident {
    ident(&name.to_upper_camel_case())
}

/// A function, field, parameter or module: `blocking-write-and-flush` →
/// `blocking_write_and_flush`, `type` → `type_`.
pub fn snake(name: &str) -> Ident {
    ident(&name.to_snake_case())
}

/// A flag: `symlink-follow` → `SYMLINK_FOLLOW`.
pub fn shouty(name: &str) -> Ident {
    ident(&name.to_shouty_snake_case())
}

/// The names Rust does not take as identifiers (keywords of every edition, reserved words and
/// the weak keywords that cannot name an item), which get a trailing `_`.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "union", "_",
];

fn ident(name: &str) -> Ident {
    // wit-parser accepts only kebab-case ASCII words that start with a letter, so the conversions
    // give identifiers; what else could reach here is made one rather than panicking in
    // `Ident::new`.
    let mut name: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert(0, '_');
    }
    if KEYWORDS.contains(&name.as_str()) || name == "_" {
        name.push('_');
    }
    Ident::new(&name, Span::call_site())
}

/// The doc comment for WIT documentation, one `#[doc]` per line (which prettyplease prints as
/// `///` lines). A code fence without a language is marked `text`, so that rustdoc does not
/// take a WIT example for a Rust doctest.
pub fn docs(docs: &wit_parser::Docs) -> TokenStream {
    match &docs.contents {
        Some(text) => doc_lines(text),
        None => TokenStream::new(),
    }
}

/// `text` as doc attributes, one per line.
///
/// WIT documentation is Markdown written for WIT readers; a few of its habits trip rustdoc or
/// clippy, so the lines are normalised as they are copied: tabs become four spaces, a code fence
/// without a language is marked `text`, an indented code block is fenced as `text` (rustdoc would
/// take either for a Rust doctest), and the continuation lines of a list item are indented under
/// the item (clippy's `doc_lazy_continuation`).
pub fn doc_lines(text: &str) -> TokenStream {
    let lines = markdown(text).into_iter().map(|line| {
        let line = format!(" {line}");
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

fn markdown(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fence = false;
    let mut code = false;
    // The indentation of the content of the list item the lines continue, if any.
    let mut item: Option<usize> = None;
    let mut blank = true;
    for line in text.trim_end().lines() {
        let line = line.replace('\t', "    ");
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if code && (trimmed.is_empty() || indent >= 4) {
            out.push(line.get(4..).unwrap_or_default().to_string());
            continue;
        }
        if code {
            // The block has ended: close the fence, before a blank line if the block had one.
            let trailing = out
                .iter()
                .rev()
                .take_while(|l: &&String| l.is_empty())
                .count();
            out.insert(out.len() - trailing, "```".to_string());
            code = false;
        }
        if trimmed.starts_with("```") {
            if !fence && trimmed.trim_end() == "```" {
                out.push(line.replacen("```", "```text", 1));
            } else {
                out.push(line.clone());
            }
            fence = !fence;
            blank = false;
            continue;
        }
        if fence {
            out.push(line);
            continue;
        }
        if trimmed.is_empty() {
            item = None;
            blank = true;
            out.push(String::new());
            continue;
        }
        if let Some(width) = list_item(trimmed) {
            item = Some(indent + width);
            out.push(line);
        } else if let Some(width) = item.filter(|w| indent < *w) {
            out.push(format!("{}{trimmed}", " ".repeat(width)));
        } else if blank && indent >= 4 && item.is_none() {
            code = true;
            out.push("```text".to_string());
            out.push(line[4..].to_string());
        } else {
            out.push(line);
        }
        blank = false;
    }
    if code {
        out.push("```".to_string());
    }
    out
}

/// The width of a list item's marker and the space after it (`- `, `* `, `12. `), if `line`
/// starts one.
fn list_item(line: &str) -> Option<usize> {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let marker = if digits > 0 {
        line[digits..]
            .starts_with(['.', ')'])
            .then_some(digits + 1)?
    } else if line.starts_with(['-', '*', '+']) {
        1
    } else {
        return None;
    };
    line[marker..].starts_with(' ').then_some(marker + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_convert_as_bindgen_does() {
        assert_eq!(camel("output-stream").to_string(), "OutputStream");
        assert_eq!(camel("ipv4-address").to_string(), "Ipv4Address");
        assert_eq!(
            snake("blocking-write-and-flush").to_string(),
            "blocking_write_and_flush"
        );
        assert_eq!(snake("self").to_string(), "self_");
        assert_eq!(snake("type").to_string(), "type_");
        assert_eq!(shouty("symlink-follow").to_string(), "SYMLINK_FOLLOW");
    }

    #[test]
    fn markdown_is_normalised_for_rustdoc_and_clippy() {
        assert_eq!(
            markdown("Example:\n```\nfoo()\n\tbar()\n```"),
            ["Example:", "```text", "foo()", "    bar()", "```"]
        );
        assert_eq!(
            markdown("Text.\n\n    indented\n      more\n\nAfter."),
            [
                "Text.", "", "```text", "indented", "  more", "```", "", "After."
            ]
        );
        assert_eq!(
            markdown("- an item\nthat goes on\n- another\n\nA paragraph.\n12. numbered\nlazy"),
            [
                "- an item",
                "  that goes on",
                "- another",
                "",
                "A paragraph.",
                "12. numbered",
                "    lazy"
            ]
        );
        assert_eq!(
            markdown("-1 is not an item\nnext"),
            ["-1 is not an item", "next"]
        );
    }
}
