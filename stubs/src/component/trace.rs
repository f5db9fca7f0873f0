//! Tracing of WIT calls: when the host's [`Defaults::tracing`](super::Defaults::tracing) is on,
//! every call of a generated function emits a `tracing` event (target
//! [`crate::trace::TARGET`], level `INFO`) such as
//! `wasi:io/streams#[method]output-stream.blocking-write-and-flush(self=1, contents=[12 bytes]) -> ok`:
//! the arguments as the guest passed them (each by [`Describe`]), then what it gets back
//! (`ok`, `err(closed)`, `some(..)`, `exit(3)`, `trap: ...`).

use std::fmt::Write as _;

use wasmtime::component::Resource;

use crate::Exit;

/// How a traced WIT call shows a value on its line: numbers, `bool` and `char` as written,
/// strings quoted (the first 64 characters), `list<u8>` as its length (`[12 bytes]`), other lists
/// by their first 8 items, handles by their number, `option` as `none` / `some(x)`, `result` as
/// `ok` / `ok(x)` / `err(x)`, tuples in parentheses.
///
/// The generator implements it for every record, variant, enum and flags type of a world
/// (records as `{name: value, ...}`, cases by their WIT names), so a host rarely writes one.
pub trait Describe {
    /// Appends the value to `out`.
    fn describe(&self, out: &mut String);

    /// Whether the type is `u8`: a `list<u8>` is shown as a count of bytes.
    #[doc(hidden)]
    fn is_byte() -> bool
    where
        Self: Sized,
    {
        false
    }
}

macro_rules! by_display {
    ($($t:ty),*) => {$(
        impl Describe for $t {
            fn describe(&self, out: &mut String) {
                let _ = write!(out, "{self}");
            }
        }
    )*};
}

by_display!(bool, u16, u32, u64, i8, i16, i32, i64, f32, f64);

impl Describe for u8 {
    fn describe(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }

    fn is_byte() -> bool {
        true
    }
}

impl Describe for char {
    fn describe(&self, out: &mut String) {
        let _ = write!(out, "{self:?}");
    }
}

/// The longest string shown whole; a longer one is cut there and ends with `...`.
const STRING_SHOWN: usize = 64;
/// The most items of a list shown; a longer one ends with `, ... (N items)`.
const ITEMS_SHOWN: usize = 8;

impl Describe for String {
    fn describe(&self, out: &mut String) {
        self.as_str().describe(out);
    }
}

impl Describe for str {
    fn describe(&self, out: &mut String) {
        match self.char_indices().nth(STRING_SHOWN) {
            Some((cut, _)) => {
                let _ = write!(out, "{:?}...", &self[..cut]);
            }
            None => {
                let _ = write!(out, "{self:?}");
            }
        }
    }
}

impl<T: Describe> Describe for Vec<T> {
    fn describe(&self, out: &mut String) {
        if T::is_byte() {
            let _ = write!(out, "[{} bytes]", self.len());
            return;
        }
        out.push('[');
        for (i, item) in self.iter().take(ITEMS_SHOWN).enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            item.describe(out);
        }
        if self.len() > ITEMS_SHOWN {
            let _ = write!(out, ", ... ({} items)", self.len());
        }
        out.push(']');
    }
}

impl<T: Describe> Describe for Option<T> {
    fn describe(&self, out: &mut String) {
        match self {
            None => out.push_str("none"),
            Some(x) => {
                out.push_str("some(");
                x.describe(out);
                out.push(')');
            }
        }
    }
}

impl<T: Describe, E: Describe> Describe for Result<T, E> {
    fn describe(&self, out: &mut String) {
        let (case, payload): (&str, &dyn Describe) = match self {
            Ok(x) => ("ok", x),
            Err(e) => ("err", e),
        };
        out.push_str(case);
        // `ok` of `result<_, E>` (a `()` payload) is shown bare.
        let start = out.len();
        out.push('(');
        payload.describe(out);
        if out[start..] == *"(()" {
            out.truncate(start);
        } else {
            out.push(')');
        }
    }
}

impl<T: 'static> Describe for Resource<T> {
    fn describe(&self, out: &mut String) {
        let _ = write!(out, "{}", self.rep());
    }
}

macro_rules! tuples {
    ($(($($name:ident),*)),*) => {$(
        impl<$($name: Describe),*> Describe for ($($name,)*) {
            #[allow(non_snake_case)]
            fn describe(&self, out: &mut String) {
                let ($($name,)*) = self;
                out.push('(');
                let mut _first = true;
                $(
                    if !_first {
                        out.push_str(", ");
                    }
                    _first = false;
                    $name.describe(out);
                )*
                out.push(')');
            }
        }
    )*};
}

// As many as wasmtime lifts and lowers.
tuples!(
    (),
    (A),
    (A, B),
    (A, B, C),
    (A, B, C, D),
    (A, B, C, D, E),
    (A, B, C, D, E, F),
    (A, B, C, D, E, F, G),
    (A, B, C, D, E, F, G, H),
    (A, B, C, D, E, F, G, H, I),
    (A, B, C, D, E, F, G, H, I, J),
    (A, B, C, D, E, F, G, H, I, J, K),
    (A, B, C, D, E, F, G, H, I, J, K, L),
    (A, B, C, D, E, F, G, H, I, J, K, L, M),
    (A, B, C, D, E, F, G, H, I, J, K, L, M, N),
    (A, B, C, D, E, F, G, H, I, J, K, L, M, N, O),
    (A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P)
);

/// The start of a traced call's line: `function(name=value, ...)`. What generated code calls
/// when the host traces.
pub fn call(function: &str, args: &[(&str, &dyn Describe)]) -> String {
    let mut line = String::with_capacity(64);
    line.push_str(function);
    line.push('(');
    for (i, (name, value)) in args.iter().enumerate() {
        if i > 0 {
            line.push_str(", ");
        }
        line.push_str(name);
        line.push('=');
        value.describe(&mut line);
    }
    line.push(')');
    line
}

/// Ends the line of a traced call (`line`, from [`call`]) with what the guest gets, emits it,
/// and hands the result on.
#[cold]
pub fn answer<R: Describe>(mut line: String, result: wasmtime::Result<R>) -> wasmtime::Result<R> {
    line.push_str(" -> ");
    match &result {
        Ok(value) => value.describe(&mut line),
        Err(e) => match e.downcast_ref::<Exit>() {
            Some(exit) => {
                let _ = write!(line, "exit({})", exit.code);
            }
            None => {
                let _ = write!(line, "trap: {e}");
            }
        },
    }
    tracing::info!(target: crate::trace::TARGET, "{line}");
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(value: &dyn Describe) -> String {
        let mut out = String::new();
        value.describe(&mut out);
        out
    }

    #[test]
    fn values_are_shown_as_the_trace_promises() {
        assert_eq!(shown(&vec![0u8; 12]), "[12 bytes]");
        assert_eq!(shown(&vec![1u32, 2, 3]), "[1, 2, 3]");
        assert_eq!(
            shown(&(0..10).collect::<Vec<u64>>()),
            "[0, 1, 2, 3, 4, 5, 6, 7, ... (10 items)]"
        );
        assert_eq!(shown(&Ok::<(), u8>(())), "ok");
        assert_eq!(shown(&Ok::<u64, u8>(5)), "ok(5)");
        assert_eq!(shown(&Err::<(), String>("no".into())), "err(\"no\")");
        assert_eq!(shown(&Some(Some(1u8))), "some(some(1))");
        assert_eq!(shown(&None::<u8>), "none");
        assert_eq!(shown(&(1u8, 'x', true)), "(1, 'x', true)");
        assert_eq!(shown(&()), "()");
        let long = "é".repeat(100);
        assert_eq!(shown(&long), format!("{:?}...", "é".repeat(64)));
        let handle = Resource::<u8>::new_own(7);
        assert_eq!(shown(&handle), "7");
    }

    #[test]
    fn a_line_has_the_arguments_and_the_answer() {
        let line = call("wasi:cli/exit#exit", &[("status", &Err::<(), ()>(()))]);
        assert_eq!(line, "wasi:cli/exit#exit(status=err)");
        assert_eq!(answer(line.clone(), Ok(3u8)).unwrap(), 3);
        let exit: wasmtime::Result<()> = Err(wasmtime::Error::new(Exit { code: 2 }));
        assert_eq!(
            answer(line, exit)
                .unwrap_err()
                .downcast_ref::<Exit>()
                .unwrap()
                .code,
            2
        );
    }
}
