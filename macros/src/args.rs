//! The attribute's arguments: `override(fd_write, random_get)` (or the string spelling
//! `override = "fd_write, random_get"`) and `module = "..."`.

use proc_macro2::{Delimiter, Punct, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token};
use wasi_stubs_codegen::suggest::nearest;

use crate::{INTERFACES, SPECS};

/// The forms the attribute takes, for error messages.
const FORMS: &str = "expected `override(fd_write, ...)` or `module = \"...\"`";

/// The attribute's arguments.
pub(crate) struct Args {
    /// The listed names, each with the span its errors point at: the identifier, or for the
    /// string spelling the whole string.
    pub(crate) overrides: Option<Vec<(String, Span)>>,
    pub(crate) module: Option<LitStr>,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut args = Args {
            overrides: None,
            module: None,
        };
        while !input.is_empty() {
            if !input.peek(Ident::peek_any) {
                let token: TokenTree = input.parse()?;
                let message = match &token {
                    TokenTree::Literal(literal) => match rewrite(&[vec![token.clone()]]) {
                        Some(list) if string_value(literal).is_some() => format!(
                            "the list of functions goes in `override(...)`: `override({list})`"
                        ),
                        _ => FORMS.to_string(),
                    },
                    _ => FORMS.to_string(),
                };
                return Err(syn::Error::new(token.span(), message));
            }
            // `override` is a reserved word, so it is read as any identifier.
            let key = Ident::parse_any(input)?;
            match key.to_string().as_str() {
                "override" if args.overrides.is_some() => {
                    return Err(syn::Error::new(key.span(), "`override` is given twice"));
                }
                "override" => args.overrides = Some(parse_override(input, &key)?),
                "module" if args.module.is_some() => {
                    return Err(syn::Error::new(key.span(), "`module` is given twice"));
                }
                "module" => {
                    input.parse::<Token![=]>()?;
                    args.module = Some(input.parse()?);
                }
                other => {
                    let message = if let Some(near) = nearest(other, ["override", "module"]) {
                        format!("unknown argument `{other}`; did you mean `{near}`? ({FORMS})")
                    } else if is_function(other) {
                        format!(
                            "unknown argument `{other}`; the list of functions goes in `override(...)`: `override({other})`"
                        )
                    } else {
                        format!("unknown argument `{other}`; {FORMS}")
                    };
                    return Err(syn::Error::new(key.span(), message));
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    }
}

/// What follows `override`: `(a, b)` or `= "a, b"`.
fn parse_override(input: ParseStream, key: &Ident) -> syn::Result<Vec<(String, Span)>> {
    if input.peek(Token![=]) {
        let eq: Token![=] = input.parse()?;
        if input.peek(LitStr) {
            let list: LitStr = input.parse()?;
            return Ok(list
                .value()
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map(|name| (name.to_string(), list.span()))
                .collect());
        }
        return Err(match input.parse::<TokenTree>() {
            Ok(TokenTree::Ident(name)) => syn::Error::new(
                name.span(),
                format!(
                    "expected a string after `override =`; write `override({name})` or `override = \"{name}\"`"
                ),
            ),
            Ok(token) => syn::Error::new(
                token.span(),
                "expected a string after `override =`; write `override(fd_write, ...)` or `override = \"fd_write, ...\"`",
            ),
            Err(_) => syn::Error::new(
                eq.span,
                "expected a string after `override =`; write `override(fd_write, ...)` or `override = \"fd_write, ...\"`",
            ),
        });
    }
    if input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in input);
        return parse_names(&content);
    }
    if input.peek(syn::token::Bracket) || input.peek(syn::token::Brace) {
        let group: TokenTree = input.parse()?;
        return Err(syn::Error::new(
            group.span(),
            "the list goes in parentheses: `override(fd_write, ...)`",
        ));
    }
    Err(syn::Error::new(
        key.span(),
        "`override` needs the list of overridden functions: `override(fd_write, ...)`, or `override()` for none",
    ))
}

/// The names inside `override(...)`: identifiers separated by commas, with an optional trailing
/// comma. Anything else is an error at that element, and every bad element is reported.
fn parse_names(content: ParseStream) -> syn::Result<Vec<(String, Span)>> {
    let mut elements: Vec<Vec<TokenTree>> = Vec::new();
    let mut errors: Vec<syn::Error> = Vec::new();
    while !content.is_empty() {
        let mut element = Vec::new();
        while !content.is_empty() && !content.peek(Token![,]) {
            element.push(content.parse::<TokenTree>()?);
        }
        if !content.is_empty() {
            let comma: Token![,] = content.parse()?;
            if element.is_empty() {
                errors.push(syn::Error::new(
                    comma.span,
                    "expected a function name before this `,`",
                ));
                continue;
            }
        }
        elements.push(element);
    }

    let mut names = Vec::new();
    for element in &elements {
        match element.as_slice() {
            [TokenTree::Ident(ident)] => names.push((ident.unraw().to_string(), ident.span())),
            [TokenTree::Literal(literal)] if string_value(literal).is_some() => {
                let hint = match rewrite(&elements) {
                    Some(list) => format!("write the names without quotes: `override({list})`"),
                    None => "write each name as an identifier: `override(fd_write, random_get)`, or the whole list as one string: `override = \"fd_write, random_get\"`".to_string(),
                };
                errors.push(syn::Error::new(
                    literal.span(),
                    format!("expected a function name, found a string; {hint}"),
                ));
            }
            _ => {
                let tokens: TokenStream = element.iter().cloned().collect();
                let message = match (path_last(element), element.as_slice()) {
                    (Some(last), _) => format!(
                        "expected a function name, found a path; write the name alone: `override({last})`"
                    ),
                    (None, [TokenTree::Ident(name), TokenTree::Group(group)])
                        if group.delimiter() == Delimiter::Parenthesis =>
                    {
                        format!(
                            "expected a function name, found a call; write the name alone: `override({name})`"
                        )
                    }
                    (None, _) => "expected a function name; write the names as identifiers: `override(fd_write, random_get)`".to_string(),
                };
                errors.push(syn::Error::new_spanned(tokens, message));
            }
        }
    }
    match errors.into_iter().reduce(|mut all, e| {
        all.combine(e);
        all
    }) {
        Some(e) => Err(e),
        None => Ok(names),
    }
}

/// The value of a string literal token.
fn string_value(literal: &proc_macro2::Literal) -> Option<String> {
    syn::parse2::<LitStr>(TokenTree::Literal(literal.clone()).into())
        .ok()
        .map(|s| s.value())
}

/// The list `a, b, c` with every string element unquoted (a string may hold several names,
/// `"a, b"`), if each element then is an identifier.
fn rewrite(elements: &[Vec<TokenTree>]) -> Option<String> {
    let mut names = Vec::new();
    for element in elements {
        match element.as_slice() {
            [TokenTree::Ident(ident)] => names.push(ident.to_string()),
            [TokenTree::Literal(literal)] => {
                let value = string_value(literal)?;
                for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    syn::parse_str::<Ident>(name).ok()?;
                    names.push(name.to_string());
                }
            }
            _ => return None,
        }
    }
    Some(names.join(", "))
}

/// The last segment of a path `a::b` or `::a::b`, if the element is one.
fn path_last(element: &[TokenTree]) -> Option<&Ident> {
    let colons = |a: &Punct, b: &Punct| a.as_char() == ':' && b.as_char() == ':';
    let mut rest = element;
    if let [TokenTree::Punct(a), TokenTree::Punct(b), tail @ ..] = rest
        && colons(a, b)
    {
        rest = tail;
    }
    loop {
        let [TokenTree::Ident(ident), tail @ ..] = rest else {
            return None;
        };
        match tail {
            [] => return Some(ident),
            [TokenTree::Punct(a), TokenTree::Punct(b), tail @ ..] if colons(a, b) => rest = tail,
            _ => return None,
        }
    }
}

/// Whether `name` is a function of one of the specs or WIT interfaces.
fn is_function(name: &str) -> bool {
    SPECS
        .iter()
        .any(|spec| spec.functions.iter().any(|(_, method)| *method == name))
        || INTERFACES
            .iter()
            .any(|i| i.functions.iter().any(|(_, method)| *method == name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(attr: &str) -> syn::Result<Vec<String>> {
        let args: Args = syn::parse_str(attr)?;
        Ok(args
            .overrides
            .unwrap_or_default()
            .into_iter()
            .map(|(name, _)| name)
            .collect())
    }

    fn error(attr: &str) -> String {
        names(attr).unwrap_err().to_string()
    }

    #[test]
    fn both_spellings_give_the_same_list() {
        let want = ["fd_write", "random_get"];
        assert_eq!(names("override(fd_write, random_get)").unwrap(), want);
        assert_eq!(names("override(fd_write, r#random_get,)").unwrap(), want);
        assert_eq!(names("override = \"fd_write, random_get\"").unwrap(), want);
        assert_eq!(
            names("override = \" fd_write,,random_get, \"").unwrap(),
            want
        );
        assert!(names("override()").unwrap().is_empty());
        assert!(names("override = \"\"").unwrap().is_empty());
        let args: Args = syn::parse_str("override(fd_write), module = \"wasi_unstable\",").unwrap();
        assert_eq!(args.module.unwrap().value(), "wasi_unstable");
    }

    #[test]
    fn misuse_is_explained() {
        assert!(error("override(\"a\", b)").contains("`override(a, b)`"));
        assert!(error("override(\"a b\")").contains("as one string"));
        assert!(error("override(::p1::fd_write)").contains("`override(fd_write)`"));
        assert!(error("override(fd_write())").contains("found a call"));
        assert!(error("override(,)").contains("before this `,`"));
        assert!(error("overrides(a)").contains("did you mean `override`?"));
        assert!(error("modul = \"x\"").contains("did you mean `module`?"));
        assert!(error("random_get").contains("`override(random_get)`"));
        assert!(error("override = a").contains("`override(a)` or `override = \"a\"`"));
        assert!(error("override").contains("`override()` for none"));
        assert!(error("override{a}").contains("parentheses"));
        assert!(error("override(), override()").contains("given twice"));
    }

    #[test]
    fn every_bad_element_is_reported() {
        let err = names("override(\"a\", b::c, 1, d)").unwrap_err();
        assert_eq!(err.into_iter().count(), 3);
    }
}
