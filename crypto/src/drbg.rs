//! A deterministic generator for test vectors and reproducible demos: SHA-512 in counter mode,
//! `block_i = SHA-512 framed("drbg", seed, u64 i)` (docs/e2e.md §9). Never used for real secrets:
//! the server and the trustee tool draw from the operating system.

use core::convert::Infallible;

use crate::hash::Hasher;

pub struct Drbg {
    seed: Vec<u8>,
    counter: u64,
    buf: [u8; 64],
    used: usize,
}

impl Drbg {
    pub fn new(seed: &[u8]) -> Drbg {
        Drbg { seed: seed.to_vec(), counter: 0, buf: [0; 64], used: 64 }
    }

    fn byte(&mut self) -> u8 {
        if self.used == 64 {
            self.buf = Hasher::new("drbg").bytes(&self.seed).u64(self.counter).finish();
            self.counter += 1;
            self.used = 0;
        }
        let b = self.buf[self.used];
        self.used += 1;
        b
    }
}

impl rand_core::TryRng for Drbg {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for d in dst {
            *d = self.byte();
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for Drbg {}
