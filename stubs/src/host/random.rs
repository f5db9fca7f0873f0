//! Random bytes for `random_get`: the operating system's, or a ChaCha20 stream from a seed.

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

use crate::Error;
use crate::preview1::Errno;

/// Where a host's random bytes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RandomSource {
    /// The operating system (`getrandom`).
    Os,
    /// ChaCha20 seeded with this number: the same bytes every run.
    Seeded(u64),
}

/// The random bytes of one instance.
#[derive(Debug, Clone)]
pub struct Entropy {
    rng: Option<ChaCha20Rng>,
}

impl Entropy {
    /// Random bytes from `source`.
    pub fn new(source: RandomSource) -> Self {
        Entropy {
            rng: match source {
                RandomSource::Os => None,
                RandomSource::Seeded(seed) => Some(ChaCha20Rng::seed_from_u64(seed)),
            },
        }
    }

    /// Fills `buf`; `EIO` if the operating system cannot.
    pub fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error<Errno>> {
        match &mut self.rng {
            Some(rng) => {
                rng.fill_bytes(buf);
                Ok(())
            }
            None => getrandom::fill(buf).map_err(|_| Errno::Io.into()),
        }
    }
}
