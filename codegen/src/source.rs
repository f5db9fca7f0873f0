//! The witx source text, read by us before the `witx` crate reads it: bounded reading, the limits
//! a document must keep ([`crate::MAX_NESTING`], [`crate::MAX_FILE_BYTES`],
//! [`crate::MAX_DECLARATIONS`], [`crate::MAX_LOCATE_COST`]), and finding where a definition is
//! written, for errors.
//!
//! The `witx` crate reads files itself (its `WitxIo` trait is not reachable from `witx::load`),
//! without a size limit, and parses with recursion as deep as the text nests. So every file of a
//! document — the given ones and every file they `use`, resolved as `witx` resolves them — is read
//! and checked here first. The lexing mirrors `wast`'s where it matters: strings (with `\`
//! escapes), `;;` line comments and nested `(; ;)` block comments hide parentheses.

use std::collections::HashSet;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::{Error, MAX_DECLARATIONS, MAX_FILE_BYTES, MAX_LOCATE_COST, MAX_NESTING};

/// One file of a document.
pub(crate) struct Source {
    /// The file as it is named in messages: a given path as given, a used file as its `use` names
    /// it, joined to the directory of the file using it.
    pub path: PathBuf,
    pub text: String,
}

/// A place in a file, shown `file:line:column` (both from 1; the column counts bytes, as the
/// `witx` crate's do).
pub(crate) fn place(path: &Path, text: &str, offset: usize) -> String {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    format!("{}:{line}:{column}", path.display())
}

/// Reads every file of the document made of `paths`, following `use` directives as the `witx`
/// crate does (relative to the directory of the file that uses them, each file once), and checks
/// the limits. A file that cannot be opened or read, or is not UTF-8, is skipped: `witx` reports
/// it in its own words when it gets there.
pub(crate) fn read_document(paths: &[impl AsRef<Path>]) -> Result<Vec<Source>, Error> {
    let mut reader = Reader {
        seen: HashSet::new(),
        sources: Vec::new(),
        declarations: 0,
    };
    for path in paths {
        let path = path.as_ref();
        // `witx` takes the file name apart from its directory, and panics when there is none.
        let Some(file) = path.file_name() else {
            return Err(Error::new(format!(
                "{}: not a witx file: the path names no file",
                path.display()
            )));
        };
        let root = path.parent().unwrap_or(Path::new("."));
        reader.visit(root, Path::new(file), None, 0)?;
    }
    Ok(reader.sources)
}

struct Reader {
    /// Canonical paths of the files read, as `witx` keeps them.
    seen: HashSet<PathBuf>,
    sources: Vec<Source>,
    declarations: usize,
}

impl Reader {
    /// Reads `root/file`, which the `use` at `used_at` names (none for a given file), and the
    /// files it uses; `depth` counts the `use`s that led here.
    fn visit(
        &mut self,
        root: &Path,
        file: &Path,
        used_at: Option<&str>,
        depth: usize,
    ) -> Result<(), Error> {
        let shown = root.join(file);
        let Ok(canonical) = shown.canonicalize() else {
            return Ok(());
        };
        if !self.seen.insert(canonical.clone()) {
            return Ok(());
        }
        let from = used_at.map_or_else(String::new, |at| format!(" (used at {at})"));
        if depth > MAX_NESTING {
            return Err(Error::new(format!(
                "{}: `use`s nested deeper than {MAX_NESTING} files, the most a witx document may \
                 have{from}",
                shown.display()
            )));
        }
        let Ok(f) = std::fs::File::open(&canonical) else {
            return Ok(());
        };
        // At most one byte more than allowed, so that a device or pipe is bounded too.
        let mut bytes = Vec::new();
        if f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).is_err() {
            return Ok(());
        }
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(Error::new(format!(
                "{}: larger than {} MiB, the most a witx file may have{from}",
                shown.display(),
                MAX_FILE_BYTES >> 20
            )));
        }
        let Ok(text) = String::from_utf8(bytes) else {
            return Ok(());
        };
        let scan = scan(&text).map_err(|offset| {
            Error::new(format!(
                "{}: parentheses nested deeper than {MAX_NESTING}, the most a witx file may have",
                place(&shown, &text, offset)
            ))
        })?;
        if scan.cost > MAX_LOCATE_COST {
            return Err(Error::new(format!(
                "{}: too many names in too large a file: the `witx` crate would go through the \
                 file up to every name it reads (at a cost of {}, more than the \
                 {MAX_LOCATE_COST} a witx file may have)",
                shown.display(),
                scan.cost
            )));
        }
        self.declarations += scan.declarations;
        if self.declarations > MAX_DECLARATIONS {
            return Err(Error::new(format!(
                "{}: the document has more than {MAX_DECLARATIONS} declarations (typenames, \
                 modules, constants), the most a witx document may have",
                shown.display()
            )));
        }
        let dir = canonical.parent().unwrap_or(root).to_path_buf();
        let uses: Vec<(String, String)> = scan
            .uses
            .iter()
            .map(|(target, offset)| (target.clone(), place(&shown, &text, *offset)))
            .collect();
        self.sources.push(Source { path: shown, text });
        for (target, at) in uses {
            self.visit(&dir, Path::new(&target), Some(&at), depth + 1)?;
        }
        Ok(())
    }
}

/// What [`scan`] finds in a file.
#[derive(Debug, Default, PartialEq)]
struct Scan {
    /// Every `(use "...")` at the top level: the path and the offset of its string.
    uses: Vec<(String, usize)>,
    /// Top-level forms other than `use`.
    declarations: usize,
    /// What the `witx` crate's finding the place of every name costs (see [`MAX_LOCATE_COST`]).
    cost: u64,
}

/// Checks the nesting of `text` and finds its `use` directives; `Err` is the offset of the first
/// parenthesis nested deeper than [`MAX_NESTING`].
fn scan(text: &str) -> Result<Scan, usize> {
    let mut out = Scan::default();
    let mut depth = 0usize;
    // After a top-level `(`: 1; after `(use`: 2.
    let mut state = 0u8;
    // The line of the last name, where counting lines stopped, and the names on that line.
    let (mut line, mut counted, mut on_line) = (1u64, 0usize, 0u64);
    for token in Lexer::new(text) {
        if let Token::Str(at, _) | Token::Atom(at, _) = &token
            && (matches!(token, Token::Str(..)) || text[*at..].starts_with('$'))
        {
            let between = &text.as_bytes()[counted..*at];
            if let Some(newline) = between.iter().position(|&b| b == b'\n') {
                // The last name's line ended: each of its names cost the bytes up to its end.
                out.cost = out
                    .cost
                    .saturating_add(on_line.saturating_mul((counted + newline) as u64 / 16));
                line += between.iter().filter(|&&b| b == b'\n').count() as u64;
                on_line = 0;
            }
            counted = *at;
            on_line += 1;
            out.cost = out.cost.saturating_add(line.saturating_mul(16));
        }
        let next_state = match (&token, state) {
            (Token::Open(at), _) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(*at);
                }
                u8::from(depth == 1)
            }
            (Token::Atom(_, "use"), 1) => 2,
            (Token::Str(at, value), 2) => {
                // A string that is not UTF-8 is not a path `witx` would follow: it refuses it.
                if let Some(Ok(path)) = value.clone().map(String::from_utf8) {
                    out.uses.push((path, *at));
                }
                0
            }
            (Token::Close(_), _) => {
                depth = depth.saturating_sub(1);
                0
            }
            _ => 0,
        };
        if state == 1 && !matches!(token, Token::Atom(_, "use")) {
            out.declarations += 1;
        }
        state = next_state;
    }
    let end = counted + text[counted..].find('\n').unwrap_or(text.len() - counted);
    out.cost = out
        .cost
        .saturating_add(on_line.saturating_mul(end as u64 / 16));
    Ok(out)
}

/// A token of witx text, with its offset.
#[derive(Debug, Clone, PartialEq)]
enum Token<'a> {
    Open(usize),
    Close(usize),
    /// Anything else that is not a string: a keyword, `$id`, number, `@annotation`.
    Atom(usize, &'a str),
    /// A string, with its value (`None` when an escape is invalid, which `wast` refuses).
    Str(usize, Option<Vec<u8>>),
}

/// The tokens of witx text, comments and whitespace skipped. It stops where `wast` finds the text
/// ends in the middle of a string or block comment (`wast` refuses the file then).
struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer { text, pos: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn string(&mut self) -> Option<Option<Vec<u8>>> {
        let bytes = self.bytes();
        let mut value = Some(Vec::new());
        loop {
            let b = *bytes.get(self.pos)?;
            self.pos += 1;
            match b {
                b'"' => return Some(value),
                b'\\' => {
                    let e = *bytes.get(self.pos)?;
                    self.pos += 1;
                    let decoded = match e {
                        b'"' | b'\'' | b'\\' => Some(vec![e]),
                        b't' => Some(vec![b'\t']),
                        b'n' => Some(vec![b'\n']),
                        b'r' => Some(vec![b'\r']),
                        b'u' => self.unicode_escape(),
                        _ if e.is_ascii_hexdigit() => match bytes.get(self.pos) {
                            Some(&l) if l.is_ascii_hexdigit() => {
                                self.pos += 1;
                                Some(vec![hex(e) * 16 + hex(l)])
                            }
                            _ => None,
                        },
                        _ => None,
                    };
                    value = match (value, decoded) {
                        (Some(mut v), Some(d)) => {
                            v.extend(d);
                            Some(v)
                        }
                        _ => None,
                    };
                }
                _ => {
                    if let Some(v) = &mut value {
                        v.push(b);
                    }
                }
            }
        }
    }

    /// `\u{hex}` after the `u`: the character's UTF-8, or `None` if it is not one.
    fn unicode_escape(&mut self) -> Option<Vec<u8>> {
        let rest = &self.text[self.pos..];
        let body = rest.strip_prefix('{')?;
        let end = body.find('}')?;
        let digits: String = body[..end].chars().filter(|&c| c != '_').collect();
        self.pos += end + 2;
        let c = char::from_u32(u32::from_str_radix(&digits, 16).ok()?)?;
        Some(c.to_string().into_bytes())
    }
}

fn hex(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let bytes = self.bytes();
        loop {
            let start = self.pos;
            let b = *bytes.get(start)?;
            let next = bytes.get(start + 1).copied();
            match (b, next) {
                (b' ' | b'\t' | b'\n' | b'\r', _) => self.pos += 1,
                (b';', Some(b';')) => {
                    self.pos = match bytes[start..].iter().position(|&c| c == b'\n') {
                        Some(i) => start + i,
                        None => bytes.len(),
                    };
                }
                (b'(', Some(b';')) => {
                    // Nested, as `wast` counts: `(;` opens, `;)` closes.
                    self.pos += 2;
                    let mut level = 1;
                    while level > 0 {
                        let c = *bytes.get(self.pos)?;
                        let d = bytes.get(self.pos + 1).copied();
                        match (c, d) {
                            (b'(', Some(b';')) => {
                                level += 1;
                                self.pos += 2;
                            }
                            (b';', Some(b')')) => {
                                level -= 1;
                                self.pos += 2;
                            }
                            _ => self.pos += 1,
                        }
                    }
                }
                (b'(', _) => {
                    self.pos += 1;
                    return Some(Token::Open(start));
                }
                (b')', _) => {
                    self.pos += 1;
                    return Some(Token::Close(start));
                }
                (b'"', _) => {
                    self.pos += 1;
                    let value = self.string()?;
                    return Some(Token::Str(start, value));
                }
                _ => {
                    let len = bytes[start..]
                        .iter()
                        .position(|&c| {
                            matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'(' | b')' | b'"' | b';')
                        })
                        .unwrap_or(bytes.len() - start);
                    // A lone `;` (not `;;`) is a token of its own.
                    let len = len.max(1);
                    self.pos = start + len;
                    // Token boundaries are ASCII, so the slice is on character boundaries,
                    // except for a lone non-ASCII `;`-free run, which ends at an ASCII byte too.
                    return Some(Token::Atom(start, self.text.get(start..self.pos)?));
                }
            }
        }
    }
}

/// A definition of a witx document, for pointing at it in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Def {
    /// `(typename $name ...)`
    Typename(String),
    /// A field, case or flag of a typename.
    Member { ty: String, name: String },
    /// `(module $name ...)`
    Module(String),
    /// `(@interface func (export "func") ...)` in a module.
    Func { module: String, func: String },
    /// `(param $param ...)` of a function.
    Param {
        module: String,
        func: String,
        param: String,
    },
    /// `(@witx const $ty $name value)`
    Constant { ty: String, name: String },
}

impl Def {
    fn steps(&self) -> Vec<Step<'_>> {
        match self {
            Def::Typename(t) => vec![Step::Form("typename", t)],
            Def::Member { ty, name } => vec![Step::Form("typename", ty), Step::Member(name)],
            Def::Module(m) => vec![Step::Form("module", m)],
            Def::Func { module, func } => vec![Step::Form("module", module), Step::Func(func)],
            Def::Param {
                module,
                func,
                param,
            } => vec![
                Step::Form("module", module),
                Step::Func(func),
                Step::Form("param", param),
            ],
            Def::Constant { ty, name } => vec![Step::Constant(ty, name)],
        }
    }

    /// Where the definition is in `sources` (`file:line:column`): of the name if it is found, or
    /// else of the name of the deepest enclosing definition found (its typename, module or
    /// function), or `None`.
    pub(crate) fn locate(&self, sources: &[Source]) -> Option<String> {
        let steps = self.steps();
        let mut best: Option<(usize, String)> = None;
        for source in sources {
            let (matched, offset) = find(&source.text, &steps);
            if matched > 0 && best.as_ref().is_none_or(|(m, _)| matched > *m) {
                best = Some((matched, place(&source.path, &source.text, offset)));
                if matched == steps.len() {
                    break;
                }
            }
        }
        best.map(|(_, at)| at)
    }
}

/// One step of the way to a definition: a form inside the previous one (not necessarily directly).
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    /// A form `(keyword $id ...)`.
    Form(&'static str, &'a str),
    /// `(field $id`, `(case $id`, or `$id` directly inside `(enum ...)` or `(flags ...)`.
    Member(&'a str),
    /// `(@interface func (export "name") ...)`.
    Func(&'a str),
    /// `(@witx const $ty $name ...)`.
    Constant(&'a str, &'a str),
}

/// A form being read: its first tokens, and how many steps it and its parents matched.
struct Frame<'a> {
    head: Vec<Token<'a>>,
    children: usize,
    level: usize,
    /// `(@interface func`: matches a [`Step::Func`] once its `(export "...")` is read.
    func: bool,
    /// `(export "...")`, the string's offset and value.
    export: Option<(usize, Vec<u8>)>,
}

/// Follows `steps` through the forms of `text`: how many it matched, and the offset of the name
/// in the deepest matched form.
fn find(text: &str, steps: &[Step<'_>]) -> (usize, usize) {
    let new_frame = |level| Frame {
        head: Vec::new(),
        children: 0,
        level,
        func: false,
        export: None,
    };
    let mut stack = vec![new_frame(0)];
    let mut best = (0, 0);
    let is_id =
        |t: &Token<'_>, id: &str| matches!(t, Token::Atom(_, a) if a.strip_prefix('$') == Some(id));
    for token in Lexer::new(text) {
        match token {
            Token::Open(_) => {
                // A text too deep for the limits is refused before anything is located in it.
                if stack.len() > MAX_NESTING + 1 {
                    break;
                }
                let Some(parent) = stack.last_mut() else {
                    break;
                };
                if parent.children < 4 {
                    parent.head.push(token.clone());
                }
                parent.children += 1;
                let level = parent.level;
                stack.push(new_frame(level));
            }
            Token::Close(_) => {
                if stack.len() == 1 {
                    continue;
                }
                let Some(child) = stack.pop() else { break };
                let Some(parent) = stack.last_mut() else {
                    break;
                };
                if let (Some((offset, name)), true) = (&child.export, parent.func)
                    && let Some(Step::Func(f)) = steps.get(parent.level)
                    && name.as_slice() == f.as_bytes()
                {
                    parent.level += 1;
                    parent.func = false;
                    best = (parent.level, *offset);
                    if parent.level == steps.len() {
                        return best;
                    }
                }
            }
            token => {
                let Some(frame) = stack.last_mut() else { break };
                let index = frame.children;
                frame.children += 1;
                if index < 4 {
                    frame.head.push(token.clone());
                }
                let Some(step) = steps.get(frame.level) else {
                    continue;
                };
                let head = &frame.head;
                let keyword =
                    |i: usize, k: &str| matches!(head.get(i), Some(Token::Atom(_, a)) if *a == k);
                let offset = match &token {
                    Token::Atom(at, _) | Token::Str(at, _) => *at,
                    _ => 0,
                };
                let matched = match *step {
                    Step::Form(k, id) => index == 1 && keyword(0, k) && is_id(&token, id),
                    Step::Member(id) => {
                        (index == 1
                            && (keyword(0, "field") || keyword(0, "case"))
                            && is_id(&token, id))
                            || (index >= 1
                                && (keyword(0, "enum") || keyword(0, "flags"))
                                && is_id(&token, id))
                    }
                    Step::Func(_) => {
                        if index == 1 && keyword(0, "@interface") && keyword(1, "func") {
                            frame.func = true;
                        }
                        false
                    }
                    Step::Constant(ty, name) => {
                        index == 3
                            && keyword(0, "@witx")
                            && keyword(1, "const")
                            && head.get(2).is_some_and(|t| is_id(t, ty))
                            && is_id(&token, name)
                    }
                };
                if index == 1
                    && keyword(0, "export")
                    && let Token::Str(at, Some(value)) = &token
                {
                    frame.export = Some((*at, value.clone()));
                }
                if matched {
                    frame.level += 1;
                    if frame.level > best.0 {
                        best = (frame.level, offset);
                    }
                    if frame.level == steps.len() {
                        return best;
                    }
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<Token<'_>> {
        Lexer::new(text).collect()
    }

    #[test]
    fn the_lexer_skips_comments_and_strings_as_wast_does() {
        assert_eq!(
            tokens("(a ;; ( comment\n \"(\\\")\" (; ( (; ;) ( ;) b)"),
            vec![
                Token::Open(0),
                Token::Atom(1, "a"),
                Token::Str(17, Some(b"(\")".to_vec())),
                Token::Atom(40, "b"),
                Token::Close(41),
            ]
        );
        assert_eq!(
            tokens("\"\\2f dev\\u{2F}x\\q\" ;x"),
            vec![
                Token::Str(0, None),
                Token::Atom(19, ";"),
                Token::Atom(20, "x")
            ]
        );
        assert_eq!(
            tokens("\"\\2fa\""),
            vec![Token::Str(0, Some(b"/a".to_vec()))]
        );
        // Unterminated: wast refuses the file; the lexer stops.
        assert_eq!(tokens("( \"abc"), vec![Token::Open(0)]);
        assert_eq!(tokens("( (; abc"), vec![Token::Open(0)]);
    }

    #[test]
    fn nesting_is_counted_outside_strings_and_comments() {
        let deep = format!("{}{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert!(scan(&deep).is_ok());
        let too_deep = format!("(x\n {}", "(".repeat(MAX_NESTING));
        // The first `(` of the run is at 4, the one past the limit `MAX_NESTING - 1` later.
        assert_eq!(scan(&too_deep), Err(4 + MAX_NESTING - 1));
        let hidden = format!(
            "\"{0}\" ;; {0}\n (; {0} ;) (a)",
            "(".repeat(MAX_NESTING * 2)
        );
        assert_eq!(scan(&hidden).unwrap().declarations, 1);
    }

    #[test]
    fn uses_are_found_at_the_top_level() {
        let s = scan("(use \"a.witx\") (module $m (use \"no\")) ( use\n\"b\\2ewitx\")").unwrap();
        assert_eq!(
            s.uses,
            vec![("a.witx".to_string(), 5), ("b.witx".to_string(), 44)]
        );
        assert_eq!(s.declarations, 1);
    }

    /// The limits leave real documents far behind: the vendored WASI files are well within a
    /// hundredth of each.
    #[test]
    fn the_wasi_documents_are_far_from_the_limits() {
        let witx = Path::new(env!("CARGO_MANIFEST_DIR")).join("witx");
        for doc in [
            "preview1/wasi_snapshot_preview1.witx",
            "preview0/wasi_unstable.witx",
        ] {
            let sources = read_document(&[witx.join(doc)]).unwrap();
            assert_eq!(sources.len(), 2, "{doc} and its typenames");
            let mut declarations = 0;
            for s in &sources {
                let scan = scan(&s.text).unwrap();
                assert!(scan.cost < crate::MAX_LOCATE_COST / 50, "{}", scan.cost);
                assert!(s.text.len() as u64 * 100 < MAX_FILE_BYTES);
                declarations += scan.declarations;
            }
            assert!(declarations * 100 < MAX_DECLARATIONS, "{declarations}");
        }
    }

    #[test]
    fn places_count_lines_and_bytes_from_one() {
        let p = Path::new("f.witx");
        assert_eq!(place(p, "ab\ncd", 0), "f.witx:1:1");
        assert_eq!(place(p, "ab\ncd", 4), "f.witx:2:2");
    }

    #[test]
    fn definitions_are_found_in_the_text() {
        let text = "(typename $a u8)\n\
                    (typename $e (enum (@witx tag u8) $x\n  $y))\n\
                    (typename $r (record (field $f u8) (field $g $a)))\n\
                    (@witx const $e $c 1)\n\
                    (module $m\n  (@interface func (export \"f\")\n    (param $p u8) (param $q u8)))\n";
        let sources = [Source {
            path: PathBuf::from("d.witx"),
            text: text.to_string(),
        }];
        let at = |d: Def| d.locate(&sources);
        let s = String::from;
        assert_eq!(at(Def::Typename(s("e"))).unwrap(), "d.witx:2:11");
        assert_eq!(
            at(Def::Member {
                ty: s("e"),
                name: s("y")
            })
            .unwrap(),
            "d.witx:3:3"
        );
        assert_eq!(
            at(Def::Member {
                ty: s("r"),
                name: s("g")
            })
            .unwrap(),
            "d.witx:4:43"
        );
        assert_eq!(
            at(Def::Constant {
                ty: s("e"),
                name: s("c")
            })
            .unwrap(),
            "d.witx:5:17"
        );
        assert_eq!(at(Def::Module(s("m"))).unwrap(), "d.witx:6:9");
        assert_eq!(
            at(Def::Func {
                module: s("m"),
                func: s("f")
            })
            .unwrap(),
            "d.witx:7:28"
        );
        assert_eq!(
            at(Def::Param {
                module: s("m"),
                func: s("f"),
                param: s("q")
            })
            .unwrap(),
            "d.witx:8:26"
        );
        // Not found: the deepest form found, or nothing.
        assert_eq!(
            at(Def::Member {
                ty: s("r"),
                name: s("nope")
            })
            .unwrap(),
            "d.witx:4:11"
        );
        assert_eq!(at(Def::Typename(s("nope"))), None);
    }
}
