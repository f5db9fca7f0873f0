//! The `--policy` of `run` and the `--default-policy` of `audit`: what a function the host does
//! not implement answers.

use wasi_stubs::OnNotImplemented;

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
