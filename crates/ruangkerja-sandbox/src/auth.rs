//! Access tokens: the static token printed at start, tokens issued by
//! `POST /oauth/token`, their expiry, and the sandbox's clock.
//!
//! The clock is the real monotonic clock plus an offset that
//! `POST /__sandbox/clock` moves forward, so tests can expire a token
//! without sleeping. The static token never expires by time; both kinds
//! stop working after `tokenExpiresAfterRequests` authorised requests when
//! that fault is set.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::rng::SplitMix;

#[derive(Debug)]
pub struct Tokens {
    static_token: String,
    /// Issued token to the sandbox time it expires at.
    issued: HashMap<String, Duration>,
    /// Authorised requests per token since start, reset or a fault change.
    uses: HashMap<String, u32>,
    rng: SplitMix,
    started: Instant,
    offset: Duration,
}

impl Tokens {
    pub fn new(static_token: String, seed: u64) -> Tokens {
        Tokens {
            static_token,
            issued: HashMap::new(),
            uses: HashMap::new(),
            rng: SplitMix::new(seed ^ 0x70CE_70CE_70CE_70CE),
            started: Instant::now(),
            offset: Duration::ZERO,
        }
    }

    /// The sandbox's time since start.
    pub fn now(&self) -> Duration {
        self.started.elapsed() + self.offset
    }

    pub fn advance_clock(&mut self, by: Duration) {
        self.offset += by;
    }

    /// A new token valid for `lifetime`.
    pub fn issue(&mut self, lifetime: Duration) -> String {
        let token = self.rng.next_token();
        self.issued.insert(token.clone(), self.now() + lifetime);
        token
    }

    /// Whether `token` may make one more request; counts the request when
    /// it may.
    pub fn authorise(&mut self, token: Option<&str>, use_limit: Option<u32>) -> bool {
        let Some(token) = token else { return false };
        let known = token == self.static_token
            || self
                .issued
                .get(token)
                .is_some_and(|expires_at| self.now() < *expires_at);
        if !known {
            return false;
        }
        let uses = self.uses.entry(token.to_owned()).or_default();
        if use_limit.is_some_and(|limit| *uses >= limit) {
            return false;
        }
        *uses += 1;
        true
    }

    /// Starts counting requests toward `tokenExpiresAfterRequests` anew.
    pub fn forget_uses(&mut self) {
        self.uses.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_static_token_works_and_others_do_not() {
        let mut tokens = Tokens::new("secret".into(), 1);
        assert!(tokens.authorise(Some("secret"), None));
        assert!(!tokens.authorise(Some("other"), None));
        assert!(!tokens.authorise(None, None));
    }

    #[test]
    fn an_issued_token_expires_when_the_clock_passes_its_lifetime() {
        let mut tokens = Tokens::new("secret".into(), 1);
        let token = tokens.issue(Duration::from_secs(60));
        assert!(tokens.authorise(Some(&token), None));
        tokens.advance_clock(Duration::from_secs(61));
        assert!(!tokens.authorise(Some(&token), None));
        assert!(tokens.authorise(Some("secret"), None));
    }

    #[test]
    fn a_token_stops_after_the_request_limit_until_uses_are_forgotten() {
        let mut tokens = Tokens::new("secret".into(), 1);
        assert!(tokens.authorise(Some("secret"), Some(2)));
        assert!(tokens.authorise(Some("secret"), Some(2)));
        assert!(!tokens.authorise(Some("secret"), Some(2)));
        tokens.forget_uses();
        assert!(tokens.authorise(Some("secret"), Some(2)));
    }

    #[test]
    fn issued_tokens_are_reproducible_for_a_seed() {
        let mut a = Tokens::new("s".into(), 4);
        let mut b = Tokens::new("s".into(), 4);
        let lifetime = Duration::from_secs(1);
        assert_eq!(a.issue(lifetime), b.issue(lifetime));
        assert_ne!(a.issue(lifetime), a.issue(lifetime));
    }
}
