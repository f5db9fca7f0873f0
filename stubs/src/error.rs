//! What a host function returns when it does not succeed.

use std::fmt;

use crate::GuestError;

/// The error of a host function whose witx result is `(expected T (error $E))`.
///
/// `E` is the document's error enum (`Errno` for WASI). The glue turns each variant into what the
/// guest sees: an errno result, or a trap that ends the call.
#[derive(Debug)]
pub enum Error<E> {
    /// Returned to the guest as this error code.
    Errno(E),
    /// The guest passed something invalid (a pointer out of bounds, an unknown enum value, ...).
    /// The store's [`Policy`](crate::Policy) decides between the errno of the error rules and a trap.
    /// (Boxed, so that a host method's result stays small on the path that succeeds.)
    BadInput(Box<BadInput>),
    /// The host does not implement this function: what every default trait method returns. The
    /// store's [`Policy`](crate::Policy) decides what the guest gets (`ENOSYS` unless configured).
    NotImplemented,
    /// Ends the guest with a trap carrying this error.
    Trap(wasmtime::Error),
}

impl<E> Error<E> {
    /// A trap with `message`.
    pub fn trap(message: impl fmt::Display) -> Self {
        Error::Trap(wasmtime::Error::msg(message.to_string()))
    }

    /// The same error with its code converted by `f` (a code `f` cannot convert becomes a bad
    /// input, answered by the policy). Used to serve one document's functions from another's.
    #[inline]
    pub fn map_code<F>(self, f: impl FnOnce(E) -> Result<F, GuestError>) -> Error<F> {
        match self {
            Error::Errno(code) => match f(code) {
                Ok(code) => Error::Errno(code),
                Err(error) => error.into(),
            },
            Error::BadInput(bad) => Error::BadInput(bad),
            Error::NotImplemented => Error::NotImplemented,
            Error::Trap(trap) => Error::Trap(trap),
        }
    }

    /// Names the parameter a [`Error::BadInput`] came from, if it names none yet.
    #[inline]
    pub fn in_arg(mut self, arg: &'static str) -> Self {
        if let Error::BadInput(bad) = &mut self {
            bad.arg.get_or_insert(arg);
        }
        self
    }
}

/// What was wrong with a value the guest passed, and in which parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadInput {
    /// The parameter the bad value came from, when known.
    pub arg: Option<&'static str>,
    /// What was wrong.
    pub error: GuestError,
}

impl<E> From<GuestError> for Error<E> {
    #[cold]
    fn from(error: GuestError) -> Self {
        Error::BadInput(Box::new(BadInput { arg: None, error }))
    }
}

impl<E> From<wasmtime::Error> for Error<E> {
    fn from(error: wasmtime::Error) -> Self {
        Error::Trap(error)
    }
}

/// An error enum of a witx document (preview1's `errno`): the generator implements it for every
/// enum used as the error of a function result.
pub trait ErrorCode: Copy + fmt::Debug + Send + Sync + 'static {
    /// The value returned to the guest.
    fn raw(self) -> u64;
    /// The case's name in the document (`"nosys"`).
    fn name(self) -> &'static str;
    /// The case called `name` in the document, if there is one.
    fn from_name(name: &str) -> Option<Self>;
}

/// The error type of functions whose result has no error enum: every failure of theirs is a trap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoErrorCode {}

impl ErrorCode for NoErrorCode {
    fn raw(self) -> u64 {
        match self {}
    }
    fn name(self) -> &'static str {
        match self {}
    }
    fn from_name(_: &str) -> Option<Self> {
        None
    }
}

/// The trap that ends a guest that called a `noreturn` function such as `proc_exit`.
///
/// Find it with `error.downcast_ref::<Exit>()` on the error a call returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit {
    /// The exit code the guest asked for.
    pub code: u32,
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "guest exited with code {}", self.code)
    }
}

impl std::error::Error for Exit {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug)]
    enum Code {
        _A,
    }

    #[test]
    fn a_host_result_fits_in_two_registers() {
        // Results come back from every host method; keeping them at 16 bytes keeps them out of
        // memory on the hot path.
        assert!(std::mem::size_of::<Result<u32, Error<Code>>>() <= 16);
        assert!(std::mem::size_of::<Result<(u32, u32), Error<Code>>>() <= 16);
    }

    #[test]
    fn in_arg_names_only_an_unnamed_bad_input() {
        let e: Error<Code> = GuestError::NoMemory.into();
        match e.in_arg("first").in_arg("second") {
            Error::BadInput(bad) => assert_eq!(bad.arg, Some("first")),
            other => panic!("{other:?}"),
        }
    }
}
