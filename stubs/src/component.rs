//! What the code generated from a WIT world calls: the default answers of the functions a host
//! does not implement, and the [`Policy`] that chooses them.
//!
//! A WIT function has no errno. What a function the host did not implement answers follows its
//! result type, one rule per shape:
//!
//! | result type | default answer | generated body |
//! |---|---|---|
//! | `result<_, E>`, `E` an `enum` or `variant` | the first case of `E` the policy names that `E` has and that carries no payload (by default [`DEFAULT_CASES`]: `unsupported`, `not-supported`, `closed`); a trap if `E` has none of them | [`error_case`] |
//! | `result<_>` (no error type) | the error | [`error`] |
//! | `option<_>` | `none` | [`none`] |
//! | `list<_>` | empty | [`empty`] |
//! | anything else: no result, a number, a string, a resource, a record, a `result<_, string>` | a trap naming `interface#function` | [`trap`] |
//!
//! Dropping a resource the host handed out calls the trait's `*_drop` method, which by default
//! does nothing: a host that implements no constructor has nothing to free.
//!
//! The policy overrides the rule per function, or globally, at run time and without touching
//! the trait: [`Defaults::policy`] hands it to the default bodies.
//!
//! ```
//! use wasi_stubs::component::{Answer, Policy};
//!
//! let policy = Policy::default()
//!     .answer_for("wasi:filesystem/types#[method]descriptor.read", Answer::Cases(vec!["bad-descriptor".into()]))
//!     .answer_for("wasi:cli/environment#get-environment", Answer::Trap);
//! assert_eq!(policy.answer("wasi:cli/environment@0.2.12#get-environment"), &Answer::Trap);
//! assert_eq!(policy.answer("wasi:cli/environment@0.2.12#get-arguments"), &Answer::Default);
//! assert_eq!(Policy::TRAP.answer("wasi:io/streams@0.2.12#[method]output-stream.write"), &Answer::Trap);
//! ```

use std::fmt;

pub(crate) mod trace;

pub use trace::Describe;

/// The case names [`Policy::default`] tries, in order, for a `result<_, E>`: WASI's file system
/// and I/O errors answer `error-code.unsupported`, its sockets `error-code.not-supported`, its
/// streams `stream-error.closed`.
pub const DEFAULT_CASES: &[&str] = &["unsupported", "not-supported", "closed"];

/// How the functions a host does not implement answer: by default the rule of their result type
/// (see the [module docs](self)), overridable per function and globally.
///
/// Functions are named `interface#function` with the names of the WIT:
/// `wasi:io/streams#[method]output-stream.write`, `wasi:cli/environment#get-environment`. The
/// interface may carry its version (`wasi:io/streams@0.2.12#...`) to name only that version; the
/// `[method]`, `[static]` or `[constructor]` prefix of a resource function may be left out. A world's
/// own functions are named `package:name/world#function`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// The case names for `result<_, E>`; `None` for [`DEFAULT_CASES`].
    cases: Option<Vec<String>>,
    /// What every function gets unless it is named in `per_function`.
    all: Answer,
    per_function: Vec<(String, Answer)>,
}

/// What a function the host does not implement answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Answer {
    /// The rule of the function's result type, with the policy's case names.
    #[default]
    Default,
    /// For a `result<_, E>`: the first of these cases of `E` (that has no payload); a trap when
    /// `E` has none of them. Other result types answer by their rule.
    Cases(Vec<String>),
    /// A trap naming the function, whatever its result type.
    Trap,
}

impl Policy {
    /// Every function the host does not implement traps, naming itself: for finding out what a
    /// guest calls.
    pub const TRAP: Policy = Policy {
        cases: None,
        all: Answer::Trap,
        per_function: Vec::new(),
    };

    /// The default policy: every function answers by the rule of its result type, with
    /// [`DEFAULT_CASES`].
    pub const DEFAULT: Policy = Policy {
        cases: None,
        all: Answer::Default,
        per_function: Vec::new(),
    };

    /// The case names every `result<_, E>` tries, in order, instead of [`DEFAULT_CASES`].
    pub fn cases<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.cases = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// What every function not named by [`answer_for`](Self::answer_for) answers.
    pub fn answer_all(mut self, answer: Answer) -> Self {
        self.all = answer;
        self
    }

    /// What the function `name` (`interface#function`, see [`Policy`]) answers; replaces what was
    /// set for the same name.
    pub fn answer_for(mut self, name: impl Into<String>, answer: Answer) -> Self {
        let name = name.into();
        self.per_function.retain(|(n, _)| *n != name);
        self.per_function.push((name, answer));
        self
    }

    /// What the function `function` (`interface@version#function`, as generated code names it)
    /// answers: the last setting whose name matches it, else the global one.
    pub fn answer(&self, function: &str) -> &Answer {
        self.per_function
            .iter()
            .rev()
            .find(|(name, _)| names_match(name, function))
            .map_or(&self.all, |(_, answer)| answer)
    }

    /// The case names a `result<_, E>` of `function` tries, in order; `None` when it traps.
    /// Nothing is allocated: a default answer is the common call of a stub host.
    fn cases_for(&self, function: &str) -> Option<impl Iterator<Item = &str> + Clone> {
        let (listed, default): (&[String], &[&str]) = match self.answer(function) {
            Answer::Trap => return None,
            Answer::Cases(names) => (names, &[]),
            Answer::Default => match &self.cases {
                Some(names) => (names, &[]),
                None => (&[], DEFAULT_CASES),
            },
        };
        Some(
            listed
                .iter()
                .map(String::as_str)
                .chain(default.iter().copied()),
        )
    }
}

/// Whether the policy's `name` names the generated `function` (`interface@version#function`).
fn names_match(name: &str, function: &str) -> bool {
    let (Some((want_interface, want_function)), Some((interface, function))) =
        (name.split_once('#'), function.split_once('#'))
    else {
        return name == function;
    };
    let interface_matches = want_interface == interface
        || interface
            .split_once('@')
            .is_some_and(|(unversioned, _)| unversioned == want_interface);
    let function_matches = want_function == function
        || function
            .split_once(']')
            .is_some_and(|(kind, plain)| kind.starts_with('[') && plain == want_function);
    interface_matches && function_matches
}

/// The holder of the [`Policy`] the default bodies follow: the supertrait of every trait
/// generated from a WIT interface. A host that keeps the default policy implements it with an
/// empty `impl`; one that changes it at run time returns its own.
pub trait Defaults {
    /// The policy in force for this host.
    fn policy(&self) -> &Policy {
        &DEFAULT_POLICY
    }

    /// Whether the host's WIT calls are traced: each call of a generated function, overridden
    /// or not, then emits a `tracing` event (target [`crate::trace::TARGET`]) with its decoded
    /// arguments and its answer, such as
    /// `wasi:cli/stdout#get-stdout() -> 1`. Off unless the host keeps a switch.
    fn tracing(&self) -> bool {
        false
    }

    /// Turns tracing on or off, for [`Limits::trace`](crate::lifecycle::Limits::trace); a host
    /// that keeps no switch (the default) is never traced.
    fn set_tracing(&mut self, on: bool) {
        let _ = on;
    }
}

static DEFAULT_POLICY: Policy = Policy::DEFAULT;

/// A WIT interface as generated: implemented for `dyn Host` of every generated `Host` trait
/// (`dyn p2::wasi::cli::stdout::Host`), so that the trait names its interface.
pub trait Interface {
    /// The interface as the linker names its instance: `wasi:cli/stdout@0.2.12` (for a world's
    /// own functions, the world: `package:name/world@version`).
    const NAME: &'static str;
    /// What a host can override, by WIT name, in the trait's order: the destructor of each
    /// resource the interface defines, by the name the canonical ABI gives it
    /// (`[resource-drop]output-stream`), then every function (`[method]output-stream.write`).
    const FUNCTIONS: &'static [&'static str];
}

/// Which functions of the interface `I` a host implements itself; the others give their default
/// answer.
///
/// `#[wasi_stubs(override(...))]` on the host's `impl` of the interface's `Host` trait implements
/// it from the list it checked, so that
/// `<MyHost as Coverage<dyn p2::wasi::cli::stdout::Host>>::OVERRIDES` is what the host really
/// overrides, by WIT name (`["get-stdout"]`).
pub trait Coverage<I: Interface + ?Sized> {
    /// The WIT names of the functions the host overrides, in the order of
    /// [`Interface::FUNCTIONS`].
    const OVERRIDES: &'static [&'static str];

    /// Whether the host overrides the function `name` (a WIT name).
    fn overrides(name: &str) -> bool {
        Self::OVERRIDES.contains(&name)
    }

    /// Every function of the interface, in order, with whether the host overrides it.
    fn coverage() -> impl Iterator<Item = (&'static str, bool)> {
        I::FUNCTIONS
            .iter()
            .map(|f| (*f, Self::OVERRIDES.contains(f)))
    }
}

/// A host that overrides nothing: every interface's [`Coverage`] is empty. For auditing what a
/// host without overrides would answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoOverrides;

impl<I: Interface + ?Sized> Coverage<I> for NoOverrides {
    const OVERRIDES: &'static [&'static str] = &[];
}

/// What is done for each interface of a world, by its generated `for_each_interface`: each
/// interface's `dyn Host` comes to [`visit`](Self::visit) with what the host `H` overrides of it.
///
/// ```
/// use wasi_stubs::component::{Coverage, Interface, InterfaceVisitor};
/// use wasi_stubs::host::MinimalComponentHost;
///
/// struct Names(Vec<(&'static str, usize)>);
///
/// impl InterfaceVisitor<MinimalComponentHost> for Names {
///     fn visit<I: Interface + ?Sized>(&mut self)
///     where
///         MinimalComponentHost: Coverage<I>,
///     {
///         self.0.push((I::NAME, <MinimalComponentHost as Coverage<I>>::OVERRIDES.len()));
///     }
/// }
///
/// let mut names = Names(Vec::new());
/// wasi_stubs::p2::for_each_interface::<MinimalComponentHost, _>(&mut names);
/// assert_eq!(names.0.len(), 27);
/// assert!(names.0.contains(&("wasi:cli/stdout@0.2.12", 1)));
/// ```
pub trait InterfaceVisitor<H: ?Sized> {
    /// Called with the interface `I`.
    fn visit<I: Interface + ?Sized>(&mut self)
    where
        H: Coverage<I>;
}

/// The cases of a WIT `enum` or `variant` that a default answer can name: those without a
/// payload. Generated for every type that is the error of a function's `result`.
pub trait Cases: Sized {
    /// The case called `name` in the WIT, if it has no payload.
    fn case(name: &str) -> Option<Self>;
}

/// The error of a call that traps because the host does not implement the function (or its
/// policy says so). It is the trap's source: `error.downcast_ref::<NotImplemented>()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotImplemented {
    /// The function: `interface@version#function`.
    pub function: &'static str,
    /// Why it traps rather than answering: the policy, its result type, or the cases tried.
    pub reason: String,
}

impl fmt::Display for NotImplemented {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not implemented by this host ({})",
            self.function, self.reason
        )
    }
}

impl std::error::Error for NotImplemented {}

fn not_implemented(function: &'static str, reason: impl Into<String>) -> wasmtime::Error {
    wasmtime::Error::new(NotImplemented {
        function,
        reason: reason.into(),
    })
}

fn trapped_by_policy(function: &'static str) -> wasmtime::Error {
    not_implemented(function, "the policy traps")
}

/// The default answer of a `result<T, E>` whose `E` is an `enum` or `variant`: the first case the
/// policy names that `E` has.
pub fn error_case<H, T, E>(host: &H, function: &'static str) -> wasmtime::Result<Result<T, E>>
where
    H: Defaults + ?Sized,
    E: Cases,
{
    let Some(names) = host.policy().cases_for(function) else {
        return Err(trapped_by_policy(function));
    };
    match names.clone().find_map(E::case) {
        Some(case) => Ok(Err(case)),
        None => Err(not_implemented(
            function,
            format!(
                "its error type has none of the cases the policy names: {}",
                names.collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// The default answer of a `result<T>` without an error type: the error.
pub fn error<H, T>(host: &H, function: &'static str) -> wasmtime::Result<Result<T, ()>>
where
    H: Defaults + ?Sized,
{
    match host.policy().answer(function) {
        Answer::Trap => Err(trapped_by_policy(function)),
        Answer::Default | Answer::Cases(_) => Ok(Err(())),
    }
}

/// The default answer of an `option<T>`: `none`.
pub fn none<H, T>(host: &H, function: &'static str) -> wasmtime::Result<Option<T>>
where
    H: Defaults + ?Sized,
{
    match host.policy().answer(function) {
        Answer::Trap => Err(trapped_by_policy(function)),
        Answer::Default | Answer::Cases(_) => Ok(None),
    }
}

/// The default answer of a `list<T>`: empty.
pub fn empty<H, T>(host: &H, function: &'static str) -> wasmtime::Result<Vec<T>>
where
    H: Defaults + ?Sized,
{
    match host.policy().answer(function) {
        Answer::Trap => Err(trapped_by_policy(function)),
        Answer::Default | Answer::Cases(_) => Ok(Vec::new()),
    }
}

/// The default answer of a function whose result has no error channel (none, a number, a
/// resource, a record, ...): a trap naming it.
pub fn trap<H, T>(host: &H, function: &'static str) -> wasmtime::Result<T>
where
    H: Defaults + ?Sized,
{
    let _ = host;
    Err(not_implemented(
        function,
        "its result type has no error to answer with",
    ))
}

/// The shape of a WIT function's result, as far as its default answer goes: what
/// [`Policy::default_answer`] needs to name the answer without the generated types (the audit
/// reads it from a component's import types).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultShape {
    /// `result<_, E>` with `E` an `enum` or `variant`: `E`'s name and its cases that carry no
    /// payload.
    ErrorCases {
        /// The name of `E` (`error-code`).
        error: String,
        /// Its cases without a payload, in order.
        cases: Vec<String>,
    },
    /// `result<_>` without an error type.
    ErrorUnit,
    /// `option<_>`.
    Option,
    /// `list<_>`.
    List,
    /// Anything else: no result, a number, a string, a resource, a record, `result<_, string>`.
    Other,
}

impl Policy {
    /// What `function` (`interface@version#function`) answers when the host does not implement
    /// it and its result has `shape`, by the rule of the [module docs](self), for people:
    /// `error-code.unsupported`, `error`, `none`, `empty` or `trap`.
    pub fn default_answer(&self, function: &str, shape: &ResultShape) -> String {
        if *self.answer(function) == Answer::Trap {
            return "trap".into();
        }
        match shape {
            ResultShape::ErrorCases { error, cases } => self
                .cases_for(function)
                .and_then(|mut names| names.find(|n| cases.iter().any(|c| c == n)))
                .map_or_else(|| "trap".into(), |case| format!("{error}.{case}")),
            ResultShape::ErrorUnit => "error".into(),
            ResultShape::Option => "none".into(),
            ResultShape::List => "empty".into(),
            ResultShape::Other => "trap".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum StreamError {
        Closed,
    }

    impl Cases for StreamError {
        fn case(name: &str) -> Option<Self> {
            match name {
                "closed" => Some(StreamError::Closed),
                _ => None,
            }
        }
    }

    struct Host(Policy);

    impl Defaults for Host {
        fn policy(&self) -> &Policy {
            &self.0
        }
    }

    const WRITE: &str = "wasi:io/streams@0.2.12#[method]output-stream.write";

    fn message(error: wasmtime::Error) -> String {
        error.downcast_ref::<NotImplemented>().unwrap().to_string()
    }

    #[test]
    fn each_shape_answers_by_its_rule() {
        let host = Host(Policy::default());
        let answer: Result<u64, StreamError> = error_case(&host, WRITE).unwrap();
        assert_eq!(answer, Err(StreamError::Closed));
        assert_eq!(error::<_, u32>(&host, WRITE).unwrap(), Err(()));
        assert_eq!(none::<_, u32>(&host, WRITE).unwrap(), None);
        assert_eq!(empty::<_, u8>(&host, WRITE).unwrap(), Vec::<u8>::new());
        let trapped =
            message(trap::<_, u64>(&host, "wasi:clocks/wall-clock@0.2.12#now").unwrap_err());
        assert!(
            trapped.contains("wasi:clocks/wall-clock@0.2.12#now"),
            "{trapped}"
        );
    }

    #[test]
    fn default_answers_are_named_by_result_shape() {
        let cases = ResultShape::ErrorCases {
            error: "error-code".into(),
            cases: vec!["access".into(), "unsupported".into()],
        };
        let f = "wasi:filesystem/types@0.2.12#[method]descriptor.read";
        assert_eq!(
            Policy::DEFAULT.default_answer(f, &cases),
            "error-code.unsupported"
        );
        assert_eq!(Policy::TRAP.default_answer(f, &cases), "trap");
        let access = Policy::default().cases(["access"]);
        assert_eq!(access.default_answer(f, &cases), "error-code.access");
        let none = Policy::default().cases(["busy"]);
        assert_eq!(none.default_answer(f, &cases), "trap");
        assert_eq!(
            Policy::DEFAULT.default_answer(f, &ResultShape::Option),
            "none"
        );
        assert_eq!(
            Policy::DEFAULT.default_answer(f, &ResultShape::List),
            "empty"
        );
        assert_eq!(
            Policy::DEFAULT.default_answer(f, &ResultShape::ErrorUnit),
            "error"
        );
        assert_eq!(
            Policy::DEFAULT.default_answer(f, &ResultShape::Other),
            "trap"
        );
    }

    #[test]
    fn a_policy_overrides_per_function_and_globally() {
        let host = Host(Policy::default().cases(["unsupported"]));
        let trapped = message(error_case::<_, (), StreamError>(&host, WRITE).unwrap_err());
        assert!(trapped.contains("none of the cases"), "{trapped}");
        assert!(trapped.contains("unsupported"), "{trapped}");

        let host = Host(Policy::default().cases(["unsupported"]).answer_for(
            "wasi:io/streams#output-stream.write",
            Answer::Cases(vec!["closed".into()]),
        ));
        assert_eq!(
            error_case::<_, (), StreamError>(&host, WRITE).unwrap(),
            Err(StreamError::Closed)
        );

        let host = Host(Policy::TRAP);
        for trapped in [
            message(error_case::<_, (), StreamError>(&host, WRITE).unwrap_err()),
            message(none::<_, u8>(&host, WRITE).unwrap_err()),
            message(empty::<_, u8>(&host, WRITE).unwrap_err()),
            message(error::<_, u8>(&host, WRITE).unwrap_err()),
        ] {
            assert!(trapped.contains(WRITE), "{trapped}");
        }
        let host = Host(Policy::TRAP.answer_for(WRITE, Answer::Default));
        assert_eq!(none::<_, u8>(&host, WRITE).unwrap(), None);
    }

    #[test]
    fn names_match_with_or_without_version_and_kind() {
        for name in [
            WRITE,
            "wasi:io/streams#[method]output-stream.write",
            "wasi:io/streams#output-stream.write",
            "wasi:io/streams@0.2.12#output-stream.write",
        ] {
            assert!(names_match(name, WRITE), "{name}");
        }
        for name in [
            "wasi:io/streams@0.2.0#output-stream.write",
            "wasi:io/stream#output-stream.write",
            "wasi:io/streams#write",
            "output-stream.write",
        ] {
            assert!(!names_match(name, WRITE), "{name}");
        }
    }
}
