//! `--invoke` on a component: the export found by name (`f`, or `interface#f` for a function of an
//! exported instance), its arguments read from the command line and its results printed one to a
//! line, both in the notation of the WebAssembly Value Encoding (WAVE, by wasmtime's `wasm_wave`):
//! `42`, `"text"`, `[1, 2]`, `{a: 1}`, `some(3)`, `ok`, `err("no")`.

use wasmtime::Engine;
use wasmtime::component::types::{ComponentFunc, ComponentItem, Type};
use wasmtime::component::{Component, Val};

/// The export `export` of `component` (`f` or `interface#f`) as (interface, function, type), or
/// why not, with the functions the component does export.
pub fn find(
    engine: &Engine,
    component: &Component,
    export: &str,
) -> Result<(Option<String>, String, ComponentFunc), String> {
    let ty = component.component_type();
    let mut functions = Vec::new();
    let mut found = None;
    for (name, item) in ty.exports(engine) {
        match item.ty {
            ComponentItem::ComponentFunc(func) => {
                if name == export {
                    found = Some((None, name.to_string(), func));
                }
                functions.push(name.to_string());
            }
            ComponentItem::ComponentInstance(instance) => {
                for (f, item) in instance.exports(engine) {
                    if let ComponentItem::ComponentFunc(func) = item.ty {
                        let full = format!("{name}#{f}");
                        if full == export {
                            found = Some((Some(name.to_string()), f.to_string(), func));
                        }
                        functions.push(full);
                    }
                }
            }
            _ => {}
        }
    }
    functions.sort_unstable();
    found.ok_or_else(|| {
        let listed = match functions.is_empty() {
            true => "it exports no function".to_string(),
            false => format!("its functions: {}", functions.join(", ")),
        };
        format!("no exported function `{export}` ({listed})")
    })
}

/// The arguments of a call of `func`, from the command line.
pub fn parse_args(
    func: &ComponentFunc,
    export: &str,
    texts: &[String],
) -> Result<Vec<Val>, String> {
    let params: Vec<(String, Type)> = func
        .params()
        .map(|(name, ty)| (name.to_string(), ty))
        .collect();
    if let Some(option) = texts.iter().find(|t| t.starts_with("--")) {
        return Err(format!(
            "--invoke {export}: `{option}` is not an argument: --invoke takes the rest of the \
             command line, so put options before it"
        ));
    }
    if params.len() != texts.len() {
        return Err(format!(
            "--invoke {export}: it takes {} argument{} ({}), {} given",
            params.len(),
            if params.len() == 1 { "" } else { "s" },
            params
                .iter()
                .map(|(name, ty)| format!("{name}: {}", type_name(ty)))
                .collect::<Vec<_>>()
                .join(", "),
            texts.len()
        ));
    }
    params
        .iter()
        .zip(texts)
        .map(|((name, ty), text)| {
            parse(ty, text).map_err(|why| format!("--invoke {export}: argument `{name}`: {why}"))
        })
        .collect()
}

/// One argument of type `ty`, in WAVE (the WebAssembly Value Encoding: `[1, 2]`, `{a: 1}`,
/// `some(3)`, `ok("x")`, `{read, write}`), with what a command line makes easier: a string as it is
/// (`hello` for `"hello"`), a char as it is, integers also in hex (`0xff`), an option's value
/// without `some(...)`, and flags separated by commas.
fn parse(ty: &Type, text: &str) -> Result<Val, String> {
    let bad = |what: &str| format!("`{text}` is not {what}");
    macro_rules! int {
        ($variant:ident, $t:ty, $what:literal) => {
            crate::run::parse_int(text)
                .and_then(|n| <$t>::try_from(n).ok())
                .map(Val::$variant)
                .ok_or_else(|| bad($what))
        };
    }
    match ty {
        Type::S8 => int!(S8, i8, "an s8"),
        Type::U8 => int!(U8, u8, "a u8"),
        Type::S16 => int!(S16, i16, "an s16"),
        Type::U16 => int!(U16, u16, "a u16"),
        Type::S32 => int!(S32, i32, "an s32"),
        Type::U32 => int!(U32, u32, "a u32"),
        Type::S64 => int!(S64, i64, "an s64"),
        Type::U64 => int!(U64, u64, "a u64"),
        Type::String if !text.starts_with('"') => Ok(Val::String(text.to_string())),
        Type::Char if !text.starts_with('\'') => {
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(Val::Char(c)),
                _ => Err(bad("one char")),
            }
        }
        Type::Enum(e) => match e.names().find(|n| *n == text) {
            Some(name) => Ok(Val::Enum(name.to_string())),
            None => Err(bad(&format!(
                "a case of the enum ({})",
                e.names().collect::<Vec<_>>().join(", ")
            ))),
        },
        Type::Flags(f) if !text.starts_with('{') => {
            let names: Vec<&str> = f.names().collect();
            let mut set = Vec::new();
            for flag in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if !names.contains(&flag) {
                    return Err(format!(
                        "`{flag}` is not a flag of the type ({})",
                        names.join(", ")
                    ));
                }
                set.push(flag.to_string());
            }
            Ok(Val::Flags(set))
        }
        Type::Option(o) if text != "none" && !text.starts_with("some(") => {
            Ok(Val::Option(Some(Box::new(parse(&o.ty(), text)?))))
        }
        Type::Own(_) | Type::Borrow(_) | Type::Future(_) | Type::Stream(_) | Type::ErrorContext => {
            Err(format!(
                "the export takes a {}, which a command line cannot make: --invoke passes values \
                 written in WAVE",
                type_name(ty)
            ))
        }
        Type::Map(_) | Type::FixedLengthList(_) => Err(format!(
            "the export takes a {}, which WAVE has no notation for yet",
            match ty {
                Type::Map(_) => "map",
                _ => "fixed-length list",
            }
        )),
        _ => Val::from_wave(ty, text).map_err(|e| {
            format!(
                "`{text}` is not a valid {} in WAVE notation: {e}",
                type_name(ty)
            )
        }),
    }
}

/// A WIT type's name, as in an error message.
fn type_name(ty: &Type) -> &'static str {
    match ty {
        Type::Bool => "bool",
        Type::S8 => "s8",
        Type::U8 => "u8",
        Type::S16 => "s16",
        Type::U16 => "u16",
        Type::S32 => "s32",
        Type::U32 => "u32",
        Type::S64 => "s64",
        Type::U64 => "u64",
        Type::Float32 => "f32",
        Type::Float64 => "f64",
        Type::Char => "char",
        Type::String => "string",
        Type::List(_) | Type::FixedLengthList(_) => "list",
        Type::Map(_) => "map",
        Type::Record(_) => "record",
        Type::Tuple(_) => "tuple",
        Type::Variant(_) => "variant",
        Type::Enum(_) => "enum",
        Type::Option(_) => "option",
        Type::Result(_) => "result",
        Type::Flags(_) => "flags",
        Type::Own(_) => "own handle",
        Type::Borrow(_) => "borrow handle",
        Type::Future(_) => "future",
        Type::Stream(_) => "stream",
        Type::ErrorContext => "error-context",
    }
}

/// A result, in WAVE's notation; a value WAVE cannot write (one holding a resource handle, a
/// future, a stream, an error context or a map) in Rust's debug notation.
pub fn show(v: &Val) -> String {
    match wave_can_write(v) {
        true => v.to_wave().unwrap_or_else(|_| format!("{v:?}")),
        false => format!("{v:?}"),
    }
}

/// Whether WAVE has a notation for `v` (its writer panics on the kinds it has none for).
fn wave_can_write(v: &Val) -> bool {
    match v {
        Val::Resource(_) | Val::Future(_) | Val::Stream(_) | Val::ErrorContext(_) | Val::Map(_) => {
            false
        }
        Val::List(items) | Val::Tuple(items) | Val::FixedLengthList(items) => {
            items.iter().all(wave_can_write)
        }
        Val::Record(fields) => fields.iter().all(|(_, v)| wave_can_write(v)),
        Val::Variant(_, Some(v))
        | Val::Option(Some(v))
        | Val::Result(Ok(Some(v)) | Err(Some(v))) => wave_can_write(v),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_shown_in_wave_notation() {
        let v = Val::Record(vec![
            ("a".into(), Val::List(vec![Val::U8(1), Val::U8(2)])),
            (
                "b".into(),
                Val::Option(Some(Box::new(Val::String("x\"y".into())))),
            ),
            ("c".into(), Val::Result(Ok(None))),
            (
                "d".into(),
                Val::Result(Err(Some(Box::new(Val::Enum("nope".into()))))),
            ),
            ("e".into(), Val::Flags(vec!["r".into(), "w".into()])),
            (
                "f".into(),
                Val::Tuple(vec![Val::Char('z'), Val::Float64(f64::NEG_INFINITY)]),
            ),
        ]);
        assert_eq!(
            show(&v),
            r#"{a: [1, 2], b: some("x\"y"), c: ok, d: err(nope), e: {r, w}, f: ('z', -inf)}"#
        );
    }

    #[test]
    fn what_wave_cannot_write_is_shown_without_a_panic() {
        let map = Val::Map(vec![(Val::U8(1), Val::Bool(true))]);
        let nested = Val::Result(Ok(Some(Box::new(Val::List(vec![map.clone()])))));
        assert_eq!(show(&map), format!("{map:?}"));
        assert_eq!(show(&nested), format!("{nested:?}"));
    }
}
