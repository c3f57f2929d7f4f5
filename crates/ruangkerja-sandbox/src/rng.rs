//! The sandbox's only source of randomness: splitmix64, seeded.
//!
//! Serials, issued tokens and fault decisions each draw from their own
//! generator derived from `--seed`, so a run is reproducible: the same seed
//! and the same sequence of requests give the same serials and the same
//! faults.

/// A tiny seedable generator; good enough for unique-looking IDs and for
/// picking faults, not for anything secret.
#[derive(Debug, Clone)]
pub struct SplitMix {
    state: u64,
}

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

impl SplitMix {
    pub fn new(seed: u64) -> SplitMix {
        SplitMix { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in `[0, 1)`.
    pub fn next_unit(&mut self) -> f64 {
        // The top 53 bits fill an f64's mantissa exactly.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A uniform number in `0..=max`.
    pub fn up_to(&mut self, max: u64) -> u64 {
        match max.checked_add(1) {
            Some(bound) => self.next_u64() % bound,
            None => self.next_u64(),
        }
    }

    /// A user serial in the documented style: `OPENAPI` and nine capitals or
    /// digits, for example `OPENAPI9Z7ZIHIFW`.
    pub fn next_serial(&mut self) -> String {
        let mut z = self.next_u64();
        let mut serial = String::from("OPENAPI");
        for _ in 0..9 {
            serial.push(ALPHABET[(z % 36) as usize] as char);
            z /= 36;
        }
        serial
    }

    /// `len` capitals or digits, as the tail of a tag or organization
    /// serial (`RUKRTAG-9WHL0JGP`, `COMPFJLYTHWL`).
    pub fn next_code(&mut self, len: usize) -> String {
        let mut code = String::with_capacity(len);
        while code.len() < len {
            let mut z = self.next_u64();
            for _ in 0..12.min(len - code.len()) {
                code.push(ALPHABET[(z % 36) as usize] as char);
                z /= 36;
            }
        }
        code
    }

    /// One of `items`, evenly; `items` must not be empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }

    /// Whether an event of probability `share` happens.
    pub fn chance(&mut self, share: f64) -> bool {
        self.next_unit() < share
    }

    /// `items` in an order drawn from this generator (Fisher-Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for last in (1..items.len()).rev() {
            let other = self.up_to(last as u64) as usize;
            items.swap(last, other);
        }
    }

    /// An opaque access token of 32 capitals or digits.
    pub fn next_token(&mut self) -> String {
        let mut token = String::with_capacity(32);
        while token.len() < 32 {
            let mut z = self.next_u64();
            for _ in 0..12 {
                token.push(ALPHABET[(z % 36) as usize] as char);
                z /= 36;
            }
        }
        token.truncate(32);
        token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn serials_are_reproducible_for_a_seed_and_distinct() {
        let mut a = SplitMix::new(42);
        let mut b = SplitMix::new(42);
        let first: Vec<String> = (0..100).map(|_| a.next_serial()).collect();
        let second: Vec<String> = (0..100).map(|_| b.next_serial()).collect();
        assert_eq!(first, second);
        assert_eq!(first.iter().collect::<HashSet<_>>().len(), 100);
        assert!(first.iter().all(|s| s.len() == 16
            && s.starts_with("OPENAPI")
            && s[7..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())));
    }

    #[test]
    fn unit_draws_stay_in_the_half_open_interval() {
        let mut rng = SplitMix::new(3);
        assert!((0..10_000)
            .map(|_| rng.next_unit())
            .all(|u| (0.0..1.0).contains(&u)));
    }
}
