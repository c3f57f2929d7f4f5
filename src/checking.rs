//! Drives the core's [`Preflight`]: performs its list requests with the API
//! client, hands the pages back, and records what it found in the import.
//! Every decision (method, retries, what counts as found) is the core's.

use employee_import::{Found, Hold, Import, Preflight, SendSettings};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiClient, ApiError};
use crate::sending::{now_ms, wake_at};

/// How often what the check found is shown while it runs.
const SHOW_EVERY_MS: u64 = 1_000;

/// The state of a check, for its progress display.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CheckState {
    pub active: bool,
    pub hold: Option<Hold>,
    /// IDs settled and IDs to check.
    pub checked: usize,
    pub total: usize,
    pub requests: u64,
}

/// Handles to the signals a check reads and writes; `Copy`, so every
/// request and timer can carry it.
#[derive(Clone, Copy)]
pub struct CheckLoop {
    import: RwSignal<Option<Import>>,
    base_url: RwSignal<String>,
    token: RwSignal<String>,
    timeout_seconds: RwSignal<u32>,
    pub state: RwSignal<CheckState>,
    on_error: Callback<ApiError>,
    /// Told when a check ends by itself (not cancelled).
    on_done: Callback<()>,
    preflight: StoredValue<Option<Preflight>>,
    timer_due: StoredValue<Option<u64>>,
    /// Found but not yet recorded in the import, and when it last was.
    found: StoredValue<Vec<(String, Found)>>,
    last_shown: StoredValue<u64>,
    /// The settings of the check, for the one that follows it.
    settings: StoredValue<SendSettings>,
    cancelled: StoredValue<bool>,
}

impl CheckLoop {
    pub fn new(
        import: RwSignal<Option<Import>>,
        base_url: RwSignal<String>,
        token: RwSignal<String>,
        timeout_seconds: RwSignal<u32>,
        on_error: Callback<ApiError>,
        on_done: Callback<()>,
    ) -> Self {
        CheckLoop {
            import,
            base_url,
            token,
            timeout_seconds,
            state: RwSignal::new(CheckState::default()),
            on_error,
            on_done,
            preflight: StoredValue::new(None),
            timer_due: StoredValue::new(None),
            found: StoredValue::new(Vec::new()),
            last_shown: StoredValue::new(0),
            settings: StoredValue::new(SendSettings::default()),
            cancelled: StoredValue::new(false),
        }
    }

    /// Looks up every ID the import needs and never looked up, and with
    /// `again` also those whose lookup failed; false when there is none (or
    /// a check already runs).
    pub fn start(self, settings: SendSettings, again: bool) -> bool {
        if self.state.get_untracked().active {
            return false;
        }
        let ids = self
            .import
            .with_untracked(|i| {
                i.as_ref().map(|i| {
                    if again {
                        i.ids_to_check_again()
                    } else {
                        i.ids_to_check()
                    }
                })
            })
            .unwrap_or_default();
        if ids.is_empty() {
            return false;
        }
        let total = ids.len();
        self.cancelled.set_value(false);
        self.settings.set_value(settings.clone());
        self.preflight
            .set_value(Some(Preflight::new(ids, settings, now_ms())));
        self.state.set(CheckState {
            active: true,
            hold: None,
            checked: 0,
            total,
            requests: 0,
        });
        self.pump();
        true
    }

    /// Resumes after a new token was given.
    pub fn resume(self) {
        self.preflight.update_value(|p| {
            if let Some(p) = p {
                p.resume();
            }
        });
        self.pump();
    }

    /// Starts no new request; IDs not checked stay "not checked".
    pub fn cancel(self) {
        self.cancelled.set_value(true);
        self.preflight.update_value(|p| {
            if let Some(p) = p {
                p.cancel();
            }
        });
        self.pump();
    }

    /// Records what was found so far in the import.
    fn show_found(self, now: u64) {
        self.last_shown.set_value(now);
        let found = self
            .found
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        if !found.is_empty() {
            self.import.update(|i| {
                if let Some(i) = i {
                    i.record_found(found);
                }
            });
        }
    }

    fn pump(self) {
        let now = now_ms();
        let status = self.preflight.try_update_value(|p| {
            p.as_mut().map(|p| {
                let jobs = p.poll(now);
                let settled = p.take_settled();
                let (checked, total) = p.progress();
                (
                    jobs,
                    settled,
                    checked,
                    total,
                    p.requests(),
                    p.hold(),
                    p.is_finished(),
                    p.next_wake_ms(),
                )
            })
        });
        let Some(Some((jobs, settled, checked, total, requests, hold, finished, wake))) = status
        else {
            return;
        };
        let client = ApiClient {
            base_url: self.base_url.get_untracked(),
            token: self.token.get_untracked(),
            timeout_seconds: self.timeout_seconds.get_untracked(),
        };
        for job in jobs {
            let client = client.clone();
            spawn_local(async move {
                let answer = client.check(&job).await;
                let now = now_ms();
                let mut failed = None;
                self.preflight.update_value(|p| {
                    let Some(p) = p else { return };
                    match answer {
                        Ok(page) => p.on_page(job.id, page),
                        Err(error) => {
                            p.on_failure(job.id, &error.to_failure(), now);
                            failed = Some(error);
                        }
                    }
                });
                // Every failure is told, while the check retries by itself.
                if let Some(error) = failed {
                    self.on_error.run(error);
                }
                self.pump();
            });
        }
        // What was found reaches the grid in bursts: every answer would
        // re-render the page while the next requests wait to start.
        self.found.update_value(|found| found.extend(settled));
        let due = now.saturating_sub(self.last_shown.get_value()) >= SHOW_EVERY_MS;
        if finished || due {
            self.show_found(now);
        }
        self.state.set(CheckState {
            active: !finished,
            hold,
            checked,
            total,
            requests,
        });
        if finished {
            self.preflight.set_value(None);
            // A choice made while checking (mode, mapping, an edited ID)
            // may want IDs this check did not ask for: ask them too.
            if !self.cancelled.get_value() && self.start(self.settings.get_value(), false) {
                return;
            }
            self.on_done.run(());
            return;
        }
        wake_at(self.timer_due, wake, now, move || self.pump());
    }
}
