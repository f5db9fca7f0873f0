//! The `--policy` of `run` and the `--default-policy` of `audit`: what a function the host does
//! not implement answers.

use wasi_stubs::{OnBadInput, OnNotImplemented};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum PolicyArg {
    /// `ENOSYS` (52)
    Nosys,
    /// A trap naming the function: the run stops there
    Trap,
    /// `EBADF` (8)
    Badf,
    /// A warning on stderr naming the function, then `ENOSYS`
    Log,
}

impl From<PolicyArg> for OnNotImplemented {
    fn from(policy: PolicyArg) -> Self {
        match policy {
            PolicyArg::Nosys => OnNotImplemented::Nosys,
            PolicyArg::Trap => OnNotImplemented::Trap,
            PolicyArg::Badf => OnNotImplemented::Errno("badf"),
            PolicyArg::Log => OnNotImplemented::LogThenNosys,
        }
    }
}

impl PolicyArg {
    /// The same choice for a component's WIT functions: `nosys` is the WIT default answers,
    /// `trap` traps everywhere, `badf` answers `bad-descriptor` where the error type has that
    /// case (else the usual cases); `log` has no WIT counterpart (`None`).
    pub(crate) fn for_components(self) -> Option<wasi_stubs::component::Policy> {
        use wasi_stubs::component::{DEFAULT_CASES, Policy};
        match self {
            PolicyArg::Nosys => Some(Policy::DEFAULT),
            PolicyArg::Trap => Some(Policy::TRAP),
            PolicyArg::Badf => Some(
                Policy::default()
                    .cases(std::iter::once("bad-descriptor").chain(DEFAULT_CASES.iter().copied())),
            ),
            PolicyArg::Log => None,
        }
    }
}

/// The `--bad-input` of `run`: what a bad pointer, length, value or string from the guest gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum BadInputArg {
    /// The errno of the error rules: EFAULT, EINVAL, EILSEQ, EOVERFLOW
    Errno,
    /// A trap naming the function and the argument: the run stops there
    Trap,
}

impl From<BadInputArg> for OnBadInput {
    fn from(on: BadInputArg) -> Self {
        match on {
            BadInputArg::Errno => OnBadInput::Errno,
            BadInputArg::Trap => OnBadInput::Trap,
        }
    }
}
