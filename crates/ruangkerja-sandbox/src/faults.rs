//! Fault injection: the configuration (the same fields as command-line
//! flags and as JSON for `PUT /__sandbox/faults`) and the seeded decision
//! of what happens to each API request.
//!
//! Every request to `/ruangkerja/...` draws exactly four numbers from one
//! seeded generator, whatever the outcome (except a request to a spelling
//! of the email bulk path that is not served: it answers as an unknown
//! path and draws nothing), so the same seed and the same
//! sequence of requests give the same faults. One draw picks the outcome by
//! the configured shares, in the order of [`Outcome`]; the others pick the
//! jitter, the 5xx status and which items an omitting answer leaves out.

use serde::{Deserialize, Serialize};

use crate::rng::SplitMix;

/// Faults and limits, as flags (`--error-rate 0.2`) and as JSON
/// (`{"errorRate": 0.2}`). Rates are shares of requests from 0 to 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, clap::Args)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Fixed delay before every API answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Extra delay from 0 to this many milliseconds, drawn per request.
    #[arg(long, default_value_t = 0)]
    pub jitter_ms: u64,
    /// Share of requests answered with a server error instead of being applied.
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// The server errors to choose from, evenly.
    #[arg(long, value_delimiter = ',', default_values_t = [500u16, 502, 503])]
    pub error_statuses: Vec<u16>,
    /// Share of requests answered 429 with a `Retry-After` header.
    #[arg(long, default_value_t = 0.0)]
    pub rate_limit_rate: f64,
    /// The `Retry-After` of a 429, in seconds.
    #[arg(long, default_value_t = 1)]
    pub retry_after_seconds: u64,
    /// Share of requests never answered (held until the sandbox stops).
    #[arg(long, default_value_t = 0.0)]
    pub hang_rate: f64,
    /// Share of requests applied, then closed without any HTTP answer.
    #[arg(long, default_value_t = 0.0)]
    pub drop_after_apply_rate: f64,
    /// Share of requests applied, then answered 200 with truncated JSON.
    #[arg(long, default_value_t = 0.0)]
    pub malformed_json_rate: f64,
    /// Share of bulk requests applied whose answer leaves some items out of
    /// both `successItems` and `failedItems`.
    #[arg(long, default_value_t = 0.0)]
    pub omit_items_rate: f64,
    /// Every token stops working after this many authorised requests.
    #[arg(long)]
    pub token_expires_after_requests: Option<u32>,
    /// Most items a bulk request may carry; more is a request-level error.
    #[arg(long, default_value_t = 500)]
    pub max_items: usize,
    /// Which spelling(s) of the email bulk path are served: the docs' text
    /// says `update-email-bulk`, their curl `update-bulk-email`.
    #[arg(long, value_enum, default_value_t = EmailBulkPath::UpdateEmailBulk)]
    pub email_bulk_path: EmailBulkPath,
    /// What an absent, `null` or `""` optional field of an update item
    /// does to the stored value; the docs do not say.
    #[arg(long, value_enum, default_value_t = UpdateNulls::Keep)]
    pub update_nulls: UpdateNulls,
}

/// The spellings of the email bulk path. The docs name the endpoint
/// `update-email-bulk` and spell it `update-bulk-email` in their curl, so
/// the app must cope with either; a spelling not served answers 404 like
/// any unknown path, which is what the app's fallback is tested against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum EmailBulkPath {
    #[serde(rename = "update-email-bulk")]
    #[value(name = "update-email-bulk")]
    UpdateEmailBulk,
    #[serde(rename = "update-bulk-email")]
    #[value(name = "update-bulk-email")]
    UpdateBulkEmail,
    #[serde(rename = "both")]
    #[value(name = "both")]
    Both,
}

impl EmailBulkPath {
    /// The route of each spelling, as the router knows it.
    pub const EMAIL_FIRST: &'static str = "/ruangkerja/users/update-email-bulk";
    pub const BULK_FIRST: &'static str = "/ruangkerja/users/update-bulk-email";

    /// Whether a request to `route` (a matched route pattern) is refused as
    /// an unknown path: it is one spelling of the email bulk path, and not
    /// one this setting serves.
    pub fn refuses(self, route: &str) -> bool {
        match self {
            EmailBulkPath::UpdateEmailBulk => route == Self::BULK_FIRST,
            EmailBulkPath::UpdateBulkEmail => route == Self::EMAIL_FIRST,
            EmailBulkPath::Both => false,
        }
    }
}

/// How an update reads an optional field it was not given a value for
/// (`username`, `phone`, `tagSerials`: absent, `null` or `""`). The docs
/// are silent; `Clear` is the worst reading for the app, so its tests can
/// prove that no data is lost under either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum UpdateNulls {
    /// The stored value stays.
    Keep,
    /// The stored value is cleared.
    Clear,
}

impl Default for FaultConfig {
    fn default() -> FaultConfig {
        FaultConfig {
            latency_ms: 0,
            jitter_ms: 0,
            error_rate: 0.0,
            error_statuses: vec![500, 502, 503],
            rate_limit_rate: 0.0,
            retry_after_seconds: 1,
            hang_rate: 0.0,
            drop_after_apply_rate: 0.0,
            malformed_json_rate: 0.0,
            omit_items_rate: 0.0,
            token_expires_after_requests: None,
            max_items: 500,
            email_bulk_path: EmailBulkPath::UpdateEmailBulk,
            update_nulls: UpdateNulls::Keep,
        }
    }
}

impl FaultConfig {
    /// Why this configuration cannot be used, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        let rates = [
            ("errorRate", self.error_rate),
            ("rateLimitRate", self.rate_limit_rate),
            ("hangRate", self.hang_rate),
            ("dropAfterApplyRate", self.drop_after_apply_rate),
            ("malformedJsonRate", self.malformed_json_rate),
            ("omitItemsRate", self.omit_items_rate),
        ];
        for (name, rate) in rates {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0 and 1, not {rate}"));
            }
        }
        let total: f64 = rates.iter().map(|(_, rate)| rate).sum();
        if total > 1.0 + 1e-9 {
            return Err(format!("the rates add up to {total}, more than 1"));
        }
        if self.error_rate > 0.0 && self.error_statuses.is_empty() {
            return Err("errorStatuses must name at least one status".to_owned());
        }
        if let Some(status) = self
            .error_statuses
            .iter()
            .find(|status| !(500..=599).contains(*status))
        {
            return Err(format!("errorStatuses must be 5xx, not {status}"));
        }
        if self.max_items == 0 {
            return Err("maxItems must be at least 1".to_owned());
        }
        Ok(())
    }
}

/// What happens to one API request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Never answered; nothing applied.
    Hang,
    /// Applied, then the connection is closed without an answer.
    DropAfterApply,
    /// Answered with this 5xx status; nothing applied.
    ServerError(u16),
    /// Answered 429 with `Retry-After`; nothing applied.
    RateLimited { retry_after_seconds: u64 },
    /// Applied, answered 200 with the JSON cut short.
    MalformedJson,
    /// Applied; the answer leaves out the items this seed picks.
    OmitItems { seed: u64 },
    /// Answered as the docs say.
    Normal,
}

/// One request's fate: its delay and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub delay_ms: u64,
    pub outcome: Outcome,
}

/// The configured faults and the generator that decides them.
#[derive(Debug)]
pub struct Faults {
    pub config: FaultConfig,
    rng: SplitMix,
}

impl Faults {
    pub fn new(config: FaultConfig, seed: u64) -> Faults {
        Faults {
            config,
            rng: fault_stream(seed),
        }
    }

    /// New faults from now on; a seed restarts the decisions from it.
    pub fn reconfigure(&mut self, config: FaultConfig, seed: Option<u64>) {
        self.config = config;
        if let Some(seed) = seed {
            self.rng = fault_stream(seed);
        }
    }

    pub fn decide(&mut self) -> Decision {
        let pick = self.rng.next_unit();
        let jitter = self.rng.up_to(self.config.jitter_ms);
        let status_draw = self.rng.next_u64();
        let omit_seed = self.rng.next_u64();
        let config = &self.config;
        let shares = [
            (config.hang_rate, Outcome::Hang),
            (config.drop_after_apply_rate, Outcome::DropAfterApply),
            (config.error_rate, Outcome::ServerError(0)),
            (
                config.rate_limit_rate,
                Outcome::RateLimited {
                    retry_after_seconds: config.retry_after_seconds,
                },
            ),
            (config.malformed_json_rate, Outcome::MalformedJson),
            (
                config.omit_items_rate,
                Outcome::OmitItems { seed: omit_seed },
            ),
        ];
        let mut bound = 0.0;
        let mut outcome = Outcome::Normal;
        for (share, candidate) in shares {
            bound += share;
            if share > 0.0 && pick < bound {
                outcome = candidate;
                break;
            }
        }
        if outcome == Outcome::ServerError(0) {
            let statuses = &config.error_statuses;
            outcome =
                Outcome::ServerError(statuses[(status_draw % statuses.len() as u64) as usize]);
        }
        Decision {
            delay_ms: config.latency_ms + jitter,
            outcome,
        }
    }
}

/// A stream of its own, so faults do not shift the serials.
fn fault_stream(seed: u64) -> SplitMix {
    SplitMix::new(seed ^ 0xFA17_FA17_FA17_FA17)
}

/// Which of `count` items an omitting answer leaves out: each with even
/// odds, and at least one.
pub fn omitted_positions(seed: u64, count: usize) -> Vec<bool> {
    let mut rng = SplitMix::new(seed);
    let mut omitted: Vec<bool> = (0..count)
        .map(|_| rng.next_u64().is_multiple_of(2))
        .collect();
    if count > 0 && !omitted.contains(&true) {
        let position = (rng.next_u64() % count as u64) as usize;
        omitted[position] = true;
    }
    omitted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(config: &FaultConfig, seed: u64, n: usize) -> Vec<Decision> {
        let mut faults = Faults::new(config.clone(), seed);
        (0..n).map(|_| faults.decide()).collect()
    }

    #[test]
    fn without_faults_every_request_is_normal_and_undelayed() {
        let decisions = outcomes(&FaultConfig::default(), 1, 200);
        assert!(decisions
            .iter()
            .all(|d| d.outcome == Outcome::Normal && d.delay_ms == 0));
    }

    #[test]
    fn the_same_seed_gives_the_same_faults_and_another_seed_others() {
        let config = FaultConfig {
            error_rate: 0.3,
            hang_rate: 0.1,
            rate_limit_rate: 0.1,
            jitter_ms: 50,
            ..FaultConfig::default()
        };
        assert_eq!(outcomes(&config, 9, 100), outcomes(&config, 9, 100));
        assert_ne!(outcomes(&config, 9, 100), outcomes(&config, 10, 100));
    }

    #[test]
    fn every_fault_kind_occurs_at_its_share_and_replays_for_the_seed() {
        let config = FaultConfig {
            hang_rate: 0.15,
            drop_after_apply_rate: 0.15,
            error_rate: 0.15,
            rate_limit_rate: 0.15,
            malformed_json_rate: 0.15,
            omit_items_rate: 0.15,
            ..FaultConfig::default()
        };
        let decisions = outcomes(&config, 21, 2000);
        assert_eq!(decisions, outcomes(&config, 21, 2000));
        let kind = |d: &Decision| std::mem::discriminant(&d.outcome);
        let kinds = [
            Outcome::Hang,
            Outcome::DropAfterApply,
            Outcome::ServerError(500),
            Outcome::RateLimited {
                retry_after_seconds: 1,
            },
            Outcome::MalformedJson,
            Outcome::OmitItems { seed: 0 },
            Outcome::Normal,
        ];
        for expected in kinds {
            let share = decisions
                .iter()
                .filter(|d| kind(d) == std::mem::discriminant(&expected))
                .count() as f64
                / 2000.0;
            let target = if expected == Outcome::Normal {
                0.10
            } else {
                0.15
            };
            assert!((share - target).abs() < 0.03, "{expected:?}: {share}");
        }
    }

    #[test]
    fn shares_are_roughly_as_configured() {
        let config = FaultConfig {
            error_rate: 0.25,
            rate_limit_rate: 0.25,
            ..FaultConfig::default()
        };
        let decisions = outcomes(&config, 5, 4000);
        let errors = decisions
            .iter()
            .filter(|d| matches!(d.outcome, Outcome::ServerError(_)))
            .count();
        let limited = decisions
            .iter()
            .filter(|d| matches!(d.outcome, Outcome::RateLimited { .. }))
            .count();
        assert!((900..1100).contains(&errors), "{errors}");
        assert!((900..1100).contains(&limited), "{limited}");
        for status in [500, 502, 503] {
            assert!(decisions
                .iter()
                .any(|d| d.outcome == Outcome::ServerError(status)));
        }
    }

    #[test]
    fn delay_is_latency_plus_jitter_within_bounds() {
        let config = FaultConfig {
            latency_ms: 100,
            jitter_ms: 20,
            ..FaultConfig::default()
        };
        let delays: Vec<u64> = outcomes(&config, 3, 500)
            .iter()
            .map(|d| d.delay_ms)
            .collect();
        assert!(delays.iter().all(|d| (100..=120).contains(d)));
        assert!(delays.contains(&100) && delays.contains(&120));
    }

    #[test]
    fn an_omitting_answer_leaves_out_at_least_one_item() {
        for seed in 0..200 {
            let omitted = omitted_positions(seed, 3);
            assert!(omitted.contains(&true));
            assert_eq!(omitted, omitted_positions(seed, 3));
        }
    }

    #[test]
    fn the_path_settings_read_from_json_by_their_documented_names() {
        let config: FaultConfig = serde_json::from_value(serde_json::json!({
            "emailBulkPath": "update-bulk-email", "updateNulls": "clear"
        }))
        .unwrap();
        assert_eq!(config.email_bulk_path, EmailBulkPath::UpdateBulkEmail);
        assert_eq!(config.update_nulls, UpdateNulls::Clear);
        let defaults = serde_json::to_value(FaultConfig::default()).unwrap();
        assert_eq!(defaults["emailBulkPath"], "update-email-bulk");
        assert_eq!(defaults["updateNulls"], "keep");
        assert!(serde_json::from_value::<FaultConfig>(
            serde_json::json!({"emailBulkPath": "update-email"})
        )
        .is_err());
    }

    #[test]
    fn each_email_bulk_setting_refuses_only_the_spellings_it_does_not_serve() {
        let (email_first, bulk_first) = (EmailBulkPath::EMAIL_FIRST, EmailBulkPath::BULK_FIRST);
        let setting = EmailBulkPath::UpdateEmailBulk;
        assert!(!setting.refuses(email_first) && setting.refuses(bulk_first));
        let setting = EmailBulkPath::UpdateBulkEmail;
        assert!(setting.refuses(email_first) && !setting.refuses(bulk_first));
        let setting = EmailBulkPath::Both;
        assert!(!setting.refuses(email_first) && !setting.refuses(bulk_first));
        assert!(!EmailBulkPath::UpdateEmailBulk.refuses("/ruangkerja/users/update-bulk"));
    }

    #[test]
    fn rates_above_one_in_total_are_refused() {
        let config = FaultConfig {
            error_rate: 0.6,
            hang_rate: 0.6,
            ..FaultConfig::default()
        };
        assert!(config.check().is_err());
        assert!(FaultConfig::default().check().is_ok());
    }
}
