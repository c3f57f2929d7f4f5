//! Sending the planned batches: concurrency, retries, and reconciliation of
//! answers that never arrived, without ever creating a user twice.
//!
//! The [`Dispatcher`] does no I/O and reads no clock (the sans-IO style of
//! quinn-proto). The shell asks it for [`Job`]s with the current time,
//! performs them (an HTTP call, or a lookup of employee IDs) and reports
//! back what happened; the dispatcher updates the [`Ledger`] and decides
//! what comes next.
//!
//! The API has no idempotency key; its only guard is the unique employee
//! ID (10101). So when a request may have been applied but its answer was
//! lost (network error, timeout, 5xx, an unreadable answer, an answer that
//! leaves items out), its rows are not simply resent: their employee IDs are
//! looked up first, and only the rows that are not there go out again.
//!
//! A user found by that lookup is recorded as this import's doing only when
//! it is proven: pre-flight saw the ID free, and the user found has the
//! row's name (and e-mail and phone, where sent); an e-mail change is proven
//! by the new address. Anything else is [`RowState::Exists`]: someone has
//! the ID, and the admin is told who, never that we created them. A 10101
//! after such an attempt is looked up the same way, and only in a create.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::contract::{codes, ApiErrorBody, BulkResult, UserDetail};
use crate::ledger::{Batch, BatchItems, FoundUser, Ledger, RowState};
use crate::preflight::proves_created;

/// How sending behaves; every field is a user-visible setting or a policy
/// constant worth naming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendSettings {
    pub batch_size: usize,
    pub concurrency: usize,
    /// Attempts per batch before its rows are given up as failed.
    pub max_attempts: u32,
    pub base_delay_ms: u64,
    pub max_delay_ms: u64,
}

impl Default for SendSettings {
    fn default() -> Self {
        SendSettings {
            batch_size: 100,
            concurrency: 3,
            // With the backoff below, eight attempts span about a minute:
            // long enough to ride out a flaky hotel Wi-Fi.
            max_attempts: 8,
            base_delay_ms: 500,
            max_delay_ms: 30_000,
        }
    }
}

/// Why a request gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No answer at all: the network failed, or the browser hid the answer.
    Network(String),
    /// No answer within the client's time limit.
    Timeout,
    /// A 5xx answer.
    Server { status: u16 },
    /// 429; `retry_after_ms` from the Retry-After header when readable.
    RateLimited { retry_after_ms: Option<u64> },
    /// A 2xx answer that could not be read.
    Malformed(String),
    /// The token was refused.
    Unauthorized,
    /// The API refused the request as a whole with an error body (for
    /// example too many items); sending it again would fail the same way.
    Refused { status: u16, error: ApiErrorBody },
}

impl Failure {
    /// Whether the request may have been applied although no answer says so.
    pub fn may_have_been_applied(&self) -> bool {
        matches!(
            self,
            Failure::Network(_) | Failure::Timeout | Failure::Server { .. } | Failure::Malformed(_)
        )
    }

    pub fn describe(&self) -> String {
        match self {
            Failure::Network(cause) => format!("network error: {cause}"),
            Failure::Timeout => "no answer in time".to_owned(),
            Failure::Server { status } => format!("server error HTTP {status}"),
            Failure::RateLimited { .. } => "rate limited (HTTP 429)".to_owned(),
            Failure::Malformed(cause) => format!("unreadable answer: {cause}"),
            Failure::Unauthorized => "access token refused".to_owned(),
            Failure::Refused { status, error } => format!(
                "refused (HTTP {status}, {} {}: {})",
                error.error_code, error.message, error.detail
            ),
        }
    }
}

/// Something for the shell to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    /// Send this batch to its bulk endpoint.
    Send { id: u64, batch: Batch },
    /// Look these employee IDs up and report the users found
    /// ([`Dispatcher::on_lookup`]).
    Lookup { id: u64, employee_ids: Vec<String> },
}

#[derive(Debug, Clone)]
struct Pending {
    batch: Batch,
    /// Attempts already made.
    attempts: u32,
    ready_at_ms: u64,
    /// Look the rows up before sending again: an earlier attempt may have
    /// been applied.
    reconcile_first: bool,
}

#[derive(Debug, Clone)]
struct Running {
    id: u64,
    pending: Pending,
    lookup_ids: Option<Vec<(u32, String)>>,
}

/// Why sending is on hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// The user paused.
    Paused,
    /// The token was refused: sending waits for a new one.
    NeedsToken,
}

#[derive(Debug)]
pub struct Dispatcher {
    settings: SendSettings,
    backoff: Backoff,
    next_id: u64,
    queue: VecDeque<Pending>,
    running: Vec<Running>,
    hold: Option<Hold>,
    cancelled: bool,
    /// Rows that were in a request that may have been applied: a later
    /// 10101 for them is our own earlier attempt, not a user error.
    maybe_applied: HashSet<u32>,
}

impl Dispatcher {
    /// A dispatcher for `batches`, whose rows become `Sending` until they
    /// have an outcome; `seed` drives the backoff jitter.
    pub fn new(
        batches: Vec<Batch>,
        settings: SendSettings,
        seed: u64,
        ledger: &mut Ledger,
    ) -> Self {
        for batch in &batches {
            ledger.start_batch(batch);
        }
        Dispatcher {
            queue: batches
                .into_iter()
                .map(|batch| Pending {
                    batch,
                    attempts: 0,
                    ready_at_ms: 0,
                    reconcile_first: false,
                })
                .collect(),
            settings,
            backoff: Backoff::new(seed),
            next_id: 1,
            running: Vec::new(),
            hold: None,
            cancelled: false,
            maybe_applied: HashSet::new(),
        }
    }

    /// Adds batches whose rows may already have been applied (unconfirmed
    /// rows of an earlier run): they are looked up before anything is sent.
    pub fn reconcile_first(&mut self, batches: Vec<Batch>, ledger: &mut Ledger) {
        for batch in batches {
            ledger.start_batch(&batch);
            self.maybe_applied.extend(&batch.rows);
            self.queue.push_back(Pending {
                batch,
                attempts: 0,
                ready_at_ms: 0,
                reconcile_first: true,
            });
        }
    }

    pub fn hold(&self) -> Option<Hold> {
        self.hold
    }

    pub fn pause(&mut self) {
        self.hold = Some(Hold::Paused);
    }

    /// Resumes after a pause or after a new token was given.
    pub fn resume(&mut self) {
        self.hold = None;
    }

    /// Sends nothing new; requests in flight finish; rows not yet sent are
    /// marked so.
    pub fn cancel(&mut self, ledger: &mut Ledger) {
        self.cancelled = true;
        for pending in self.queue.drain(..) {
            if pending.reconcile_first {
                // An earlier attempt may have been applied: not "not sent".
                for &number in &pending.batch.rows {
                    ledger.set_state(number, RowState::Unconfirmed);
                }
            } else {
                ledger.fail_batch(&pending.batch, "cancelled before sending");
            }
        }
    }

    /// True when nothing is queued or in flight.
    pub fn is_finished(&self) -> bool {
        self.queue.is_empty() && self.running.is_empty()
    }

    pub fn in_flight(&self) -> usize {
        self.running.len()
    }

    /// How many requests go out at once.
    pub fn concurrency(&self) -> usize {
        self.settings.concurrency.max(1)
    }

    /// The rows of the next `batches` batches to go out, in the order
    /// they are queued: what the job journal marks as in flight ahead of
    /// time, so that no request waits for the journal.
    pub fn upcoming(&self, batches: usize) -> Vec<u32> {
        self.queue
            .iter()
            .take(batches)
            .flat_map(|pending| pending.batch.rows.iter().copied())
            .collect()
    }

    /// The jobs to start now, up to the concurrency limit.
    pub fn poll(&mut self, now_ms: u64, ledger: &mut Ledger) -> Vec<Job> {
        let mut jobs = Vec::new();
        if self.hold.is_some() || self.cancelled {
            return jobs;
        }
        while self.running.len() < self.settings.concurrency.max(1) {
            let Some(index) = self.queue.iter().position(|p| p.ready_at_ms <= now_ms) else {
                break;
            };
            let Some(pending) = self.queue.remove(index) else {
                break;
            };
            let id = self.next_id;
            self.next_id += 1;
            ledger.start_batch(&pending.batch);
            if pending.reconcile_first {
                let lookup_ids = lookup_ids(&pending.batch);
                jobs.push(Job::Lookup {
                    id,
                    employee_ids: lookup_ids.iter().map(|(_, id)| id.clone()).collect(),
                });
                self.running.push(Running {
                    id,
                    pending,
                    lookup_ids: Some(lookup_ids),
                });
            } else {
                jobs.push(Job::Send {
                    id,
                    batch: pending.batch.clone(),
                });
                self.running.push(Running {
                    id,
                    pending,
                    lookup_ids: None,
                });
            }
        }
        jobs
    }

    /// When to poll again for a batch waiting out its backoff, if any.
    pub fn next_wake_ms(&self) -> Option<u64> {
        if self.hold.is_some() || self.cancelled {
            return None;
        }
        self.queue.iter().map(|p| p.ready_at_ms).min()
    }

    fn take(&mut self, id: u64) -> Option<Running> {
        let index = self.running.iter().position(|r| r.id == id)?;
        Some(self.running.remove(index))
    }

    /// Records the answer to a `Send` job.
    pub fn on_answer(&mut self, id: u64, result: &BulkResult, ledger: &mut Ledger) {
        let Some(running) = self.take(id) else { return };
        let batch = &running.pending.batch;
        ledger.apply_bulk_result(batch, result);
        // Rows the answer left out may have been applied; so may rows whose
        // earlier request may have been applied and which are now refused
        // as "already there" (10101 for a create, 10102 for an e-mail
        // change). Both are looked up, and proven, before anything else.
        let already_there = match batch.items {
            BatchItems::Create(_) => Some(codes::USER_EMPLOYEE_ID_EXISTS),
            BatchItems::Email(_) => Some(codes::USER_EMAIL_EXISTS),
            // In an update a 10101 is a taken new ID: never our success.
            BatchItems::Update(_) => None,
        };
        let reconcile: HashSet<u32> = batch
            .rows
            .iter()
            .copied()
            .filter(|&n| match ledger.state_of(n) {
                Some(RowState::Unconfirmed) => true,
                Some(RowState::Rejected(error)) => {
                    Some(error.error_code) == already_there && self.maybe_applied.contains(&n)
                }
                _ => false,
            })
            .collect();
        if reconcile.is_empty() {
            return;
        }
        let attempts = running.pending.attempts + 1;
        if attempts >= self.settings.max_attempts || self.cancelled {
            // The lookups never settled it. A create may be ours: it stays
            // to be checked. A refused e-mail change stays refused, as the
            // API said.
            if let BatchItems::Create(_) = batch.items {
                for &number in &reconcile {
                    ledger.set_state(number, RowState::Unconfirmed);
                }
            }
            return;
        }
        self.maybe_applied.extend(&reconcile);
        let subset = batch.subset(|n| reconcile.contains(&n));
        ledger.start_batch(&subset);
        self.queue.push_front(Pending {
            batch: subset,
            attempts,
            ready_at_ms: 0,
            reconcile_first: true,
        });
    }

    /// Records that a `Send` or `Lookup` job failed.
    pub fn on_failure(&mut self, id: u64, failure: &Failure, now_ms: u64, ledger: &mut Ledger) {
        let Some(running) = self.take(id) else { return };
        let mut pending = running.pending;
        let was_lookup = running.lookup_ids.is_some();
        if !was_lookup && failure.may_have_been_applied() {
            self.maybe_applied.extend(&pending.batch.rows);
        }
        match failure {
            Failure::Unauthorized => {
                // Nothing was applied; wait for a new token, then go again.
                // Queued rows stay "sending", as all rows of a run do.
                self.hold = Some(Hold::NeedsToken);
                self.queue.push_front(pending);
                return;
            }
            Failure::Refused { .. } => {
                ledger.fail_batch(&pending.batch, &failure.describe());
                return;
            }
            _ => {}
        }
        pending.reconcile_first |= was_lookup || failure.may_have_been_applied();
        self.retry_or_give_up(pending, failure, now_ms, ledger);
    }

    /// Counts an attempt; queues the batch again after a backoff, or gives
    /// its rows up when the attempts are spent.
    fn retry_or_give_up(
        &mut self,
        mut pending: Pending,
        failure: &Failure,
        now_ms: u64,
        ledger: &mut Ledger,
    ) {
        pending.attempts += 1;
        if pending.attempts >= self.settings.max_attempts || self.cancelled {
            let reason = format!(
                "gave up after {} attempts: {}",
                pending.attempts,
                failure.describe()
            );
            if pending.reconcile_first {
                // It may have been applied: the row stays to be checked.
                for &number in &pending.batch.rows {
                    ledger.set_state(number, RowState::Unconfirmed);
                }
            } else {
                ledger.fail_batch(&pending.batch, &reason);
            }
            return;
        }
        pending.ready_at_ms = now_ms
            + self
                .backoff
                .retry_delay_ms(failure, pending.attempts, &self.settings);
        self.queue.push_back(pending);
    }

    /// Records the result of a `Lookup` job: the users found for its
    /// employee IDs, and the IDs that could not be checked (their lookup
    /// failed). IDs in neither list do not exist. A row whose user is found
    /// and proven ours is applied; found but not proven, it is
    /// [`RowState::Exists`]; not there, it is sent again; not checked, it is
    /// looked up again after a backoff.
    pub fn on_lookup(
        &mut self,
        id: u64,
        found: &[UserDetail],
        unchecked: &[String],
        now_ms: u64,
        ledger: &mut Ledger,
    ) {
        let Some(running) = self.take(id) else { return };
        let checked = running.lookup_ids.unwrap_or_default();
        let found: HashMap<&str, &UserDetail> = found
            .iter()
            .map(|user| (user.employee_id.as_str(), user))
            .collect();
        let batch = &running.pending.batch;
        let mut settled: HashSet<u32> = HashSet::new();
        let mut again: HashSet<u32> = HashSet::new();
        for (number, employee_id) in &checked {
            if unchecked.contains(employee_id) {
                again.insert(*number);
                continue;
            }
            let Some(user) = found.get(employee_id.as_str()) else {
                continue;
            };
            settled.insert(*number);
            let state = if proves_applied(batch, *number, user) {
                RowState::Applied
            } else if matches!(batch.items, BatchItems::Email(_)) {
                // The user is there without the new address: not applied.
                settled.remove(number);
                continue;
            } else {
                RowState::Exists(FoundUser::from(*user))
            };
            ledger.set_state(*number, state);
        }
        let pending = &running.pending;
        let unresolved = pending.batch.subset(|n| again.contains(&n));
        if !unresolved.rows.is_empty() {
            let retry = Pending {
                batch: unresolved,
                attempts: pending.attempts,
                ready_at_ms: 0,
                reconcile_first: true,
            };
            self.retry_or_give_up(
                retry,
                &Failure::Network("the lookup failed".to_owned()),
                now_ms,
                ledger,
            );
        }
        let rest = pending
            .batch
            .subset(|n| !settled.contains(&n) && !again.contains(&n));
        if !rest.rows.is_empty() {
            self.queue.push_front(Pending {
                batch: rest,
                attempts: pending.attempts,
                ready_at_ms: 0,
                reconcile_first: false,
            });
        }
    }
}

/// Exponential backoff with full jitter: a random delay between half and
/// all of base x 2^(attempt-1), capped; reproducible for a seed.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    rng: u64,
}

impl Backoff {
    pub(crate) fn new(seed: u64) -> Backoff {
        Backoff { rng: seed }
    }

    /// How long to wait before attempt `attempt + 1` after `failure`: what
    /// a 429's Retry-After asks, or the backoff.
    pub(crate) fn retry_delay_ms(
        &mut self,
        failure: &Failure,
        attempt: u32,
        settings: &SendSettings,
    ) -> u64 {
        match failure {
            Failure::RateLimited {
                retry_after_ms: Some(ms),
            } => *ms,
            _ => self.delay_ms(attempt, settings.base_delay_ms, settings.max_delay_ms),
        }
    }

    pub(crate) fn delay_ms(&mut self, attempt: u32, base_ms: u64, max_ms: u64) -> u64 {
        let ceiling = base_ms
            .saturating_mul(1 << attempt.saturating_sub(1).min(20))
            .min(max_ms);
        // splitmix64
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ceiling / 2 + z % (ceiling / 2 + 1)
    }
}

/// Whether `user`, found after the row's request may have been applied, is
/// that request's doing (see the module documentation).
fn proves_applied(batch: &Batch, number: u32, user: &UserDetail) -> bool {
    let Some(index) = batch.rows.iter().position(|&n| n == number) else {
        return false;
    };
    let seen_free = batch.seen_free.get(index).copied().unwrap_or(false);
    match &batch.items {
        BatchItems::Create(items) => {
            let item = &items[index];
            seen_free
                && proves_created(
                    &item.name,
                    item.email.as_deref(),
                    item.phone.as_deref(),
                    user,
                )
        }
        BatchItems::Update(items) => seen_free && user.name.trim() == items[index].name.trim(),
        BatchItems::Email(items) => user
            .email
            .as_deref()
            .is_some_and(|email| email.trim().eq_ignore_ascii_case(items[index].email.trim())),
    }
}

/// The IDs that prove a row was applied: the employee ID for a creation,
/// the new ID for a rename. An update that keeps its ID proves nothing by
/// existing, and sending it again is harmless, so it is not looked up.
fn lookup_ids(batch: &Batch) -> Vec<(u32, String)> {
    match &batch.items {
        BatchItems::Create(items) => batch
            .rows
            .iter()
            .zip(items)
            .map(|(&n, item)| (n, item.employee_id.clone()))
            .collect(),
        BatchItems::Update(items) => batch
            .rows
            .iter()
            .zip(items)
            .filter_map(|(&n, item)| Some((n, item.new_employee_id.clone()?)))
            .collect(),
        // An e-mail change is proven by the address the user now has.
        BatchItems::Email(items) => batch
            .rows
            .iter()
            .zip(items)
            .map(|(&n, item)| (n, item.employee_id.clone()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{FailedItem, SerialResponse, SuccessItem, UserDetail};
    use crate::import::Import;
    use crate::preflight::Found;
    use serde_json::json;

    fn import(rows: usize) -> Import {
        let mut csv = String::from("employeeID,name,email,isActive\n");
        for n in 0..rows {
            csv.push_str(&format!("E{n},Name {n},e{n}@x.id,TRUE\n"));
        }
        let mut import = Import::from_bytes(csv.as_bytes()).unwrap();
        // Pre-flight saw every ID free.
        import.record_found(
            (0..rows)
                .map(|n| (format!("E{n}"), Found::Absent))
                .collect(),
        );
        import
    }

    /// The user the row for `id` would create, as a lookup returns it.
    fn found(id: &str) -> UserDetail {
        let n = &id[1..];
        UserDetail {
            employee_id: id.to_owned(),
            name: format!("Name {n}"),
            username: None,
            email: Some(format!("e{n}@x.id")),
            phone: None,
            is_active: true,
            company_name: None,
            company_serial: None,
            organization_display_name: None,
            organization_level_serial: None,
            tags: Vec::new(),
        }
    }

    fn settings(batch_size: usize, concurrency: usize) -> SendSettings {
        SendSettings {
            batch_size,
            concurrency,
            ..SendSettings::default()
        }
    }

    fn success_for(batch: &Batch) -> BulkResult {
        BulkResult {
            failed_items: vec![],
            success_items: batch
                .employee_ids
                .iter()
                .map(|id| SuccessItem {
                    payload: json!({"employeeID": id}),
                    response: SerialResponse {
                        serial: format!("S-{id}"),
                    },
                })
                .collect(),
        }
    }

    /// A bulk answer refusing `id` as taken (10101), as the docs word it.
    fn id_taken(id: &str) -> BulkResult {
        BulkResult {
            success_items: vec![],
            failed_items: vec![FailedItem {
                error: ApiErrorBody {
                    error_code: 10101,
                    message: "USER_EMPLOYEE_ID_EXISTS".into(),
                    detail: "employee id already been taken".into(),
                },
                payload: json!({"employeeID": id}),
            }],
        }
    }

    fn send_ids(jobs: &[Job]) -> Vec<(u64, Vec<u32>)> {
        jobs.iter()
            .filter_map(|job| match job {
                Job::Send { id, batch } => Some((*id, batch.rows.clone())),
                Job::Lookup { .. } => None,
            })
            .collect()
    }

    #[test]
    fn batches_go_out_in_sheet_order_no_more_than_the_concurrency_at_once() {
        let mut import = import(7);
        let mut dispatcher = Dispatcher::new(import.plan(2), settings(2, 3), 1, &mut import.ledger);
        let jobs = dispatcher.poll(0, &mut import.ledger);
        assert_eq!(
            send_ids(&jobs)
                .iter()
                .map(|(_, rows)| rows.clone())
                .collect::<Vec<_>>(),
            [vec![2, 3], vec![4, 5], vec![6, 7]]
        );
        assert_eq!(
            import.ledger.counts().sending,
            7,
            "queued rows count as sending"
        );
        assert!(dispatcher.poll(0, &mut import.ledger).is_empty());
        let Job::Send { id, batch } = &jobs[0] else {
            panic!()
        };
        dispatcher.on_answer(*id, &success_for(batch), &mut import.ledger);
        let next = dispatcher.poll(0, &mut import.ledger);
        assert_eq!(send_ids(&next)[0].1, [8]);
    }

    #[test]
    fn a_server_error_is_retried_after_a_backoff_and_reconciled_first() {
        let mut import = import(2);
        let mut dispatcher =
            Dispatcher::new(import.plan(100), settings(100, 1), 7, &mut import.ledger);
        let jobs = dispatcher.poll(0, &mut import.ledger);
        let (id, _) = send_ids(&jobs)[0].clone();
        dispatcher.on_failure(
            id,
            &Failure::Server { status: 503 },
            1_000,
            &mut import.ledger,
        );
        assert!(
            dispatcher.poll(1_000, &mut import.ledger).is_empty(),
            "waits out the backoff"
        );
        let wake = dispatcher.next_wake_ms().unwrap();
        assert!((1_250..=1_500).contains(&wake), "{wake}");
        // The 503 may have been applied: the IDs are looked up first.
        let jobs = dispatcher.poll(wake, &mut import.ledger);
        let Job::Lookup { id, employee_ids } = &jobs[0] else {
            panic!("{jobs:?}")
        };
        assert_eq!(employee_ids, &["E0", "E1"]);
        dispatcher.on_lookup(*id, &[found("E0")], &[], wake, &mut import.ledger);
        assert_eq!(import.ledger.state_of(2), Some(&RowState::Applied));
        // Only the row that does not exist is sent again.
        let jobs = dispatcher.poll(wake, &mut import.ledger);
        assert_eq!(send_ids(&jobs)[0].1, [3]);
    }

    #[test]
    fn retry_after_is_honoured_and_a_429_is_not_reconciled() {
        let mut import = import(1);
        let mut dispatcher =
            Dispatcher::new(import.plan(100), settings(100, 1), 7, &mut import.ledger);
        let (id, _) = send_ids(&dispatcher.poll(0, &mut import.ledger))[0].clone();
        dispatcher.on_failure(
            id,
            &Failure::RateLimited {
                retry_after_ms: Some(2_000),
            },
            10,
            &mut import.ledger,
        );
        assert_eq!(dispatcher.next_wake_ms(), Some(2_010));
        let jobs = dispatcher.poll(2_010, &mut import.ledger);
        assert!(matches!(jobs[0], Job::Send { .. }), "{jobs:?}");
    }

    #[test]
    fn after_the_last_attempt_rows_fail_or_stay_unconfirmed_if_they_may_have_been_applied() {
        let mut import = import(1);
        let mut dispatcher = Dispatcher::new(
            import.plan(100),
            SendSettings {
                max_attempts: 2,
                ..settings(100, 1)
            },
            7,
            &mut import.ledger,
        );
        let mut now = 0;
        let (id, _) = send_ids(&dispatcher.poll(now, &mut import.ledger))[0].clone();
        dispatcher.on_failure(
            id,
            &Failure::RateLimited {
                retry_after_ms: None,
            },
            now,
            &mut import.ledger,
        );
        now = dispatcher.next_wake_ms().unwrap();
        let (id, _) = send_ids(&dispatcher.poll(now, &mut import.ledger))[0].clone();
        dispatcher.on_failure(
            id,
            &Failure::RateLimited {
                retry_after_ms: None,
            },
            now,
            &mut import.ledger,
        );
        assert!(
            matches!(import.ledger.state_of(2), Some(RowState::NotSent { reason }) if reason.contains("gave up after 2 attempts"))
        );
        assert!(dispatcher.is_finished());

        let mut import = super::tests::import(1);
        let mut dispatcher = Dispatcher::new(
            import.plan(100),
            SendSettings {
                max_attempts: 1,
                ..settings(100, 1)
            },
            7,
            &mut import.ledger,
        );
        let (id, _) = send_ids(&dispatcher.poll(0, &mut import.ledger))[0].clone();
        dispatcher.on_failure(id, &Failure::Timeout, 0, &mut import.ledger);
        assert_eq!(import.ledger.state_of(2), Some(&RowState::Unconfirmed));
    }

    #[test]
    fn a_refused_token_holds_sending_until_resumed_and_loses_no_row() {
        let mut import = import(3);
        let mut dispatcher = Dispatcher::new(import.plan(1), settings(1, 1), 7, &mut import.ledger);
        let (id, _) = send_ids(&dispatcher.poll(0, &mut import.ledger))[0].clone();
        dispatcher.on_failure(id, &Failure::Unauthorized, 0, &mut import.ledger);
        assert_eq!(dispatcher.hold(), Some(Hold::NeedsToken));
        assert_eq!(
            import.ledger.state_of(2),
            Some(&RowState::Sending),
            "still part of the run: never offered as ready while the run waits"
        );
        assert!(dispatcher.poll(0, &mut import.ledger).is_empty());
        dispatcher.resume();
        assert_eq!(send_ids(&dispatcher.poll(0, &mut import.ledger))[0].1, [2]);
    }

    #[test]
    fn items_missing_from_the_answer_are_looked_up_not_resent_blindly() {
        let mut import = import(2);
        let mut dispatcher =
            Dispatcher::new(import.plan(100), settings(100, 1), 7, &mut import.ledger);
        let jobs = dispatcher.poll(0, &mut import.ledger);
        let Job::Send { id, batch } = &jobs[0] else {
            panic!()
        };
        let mut answer = success_for(batch);
        answer.success_items.truncate(1);
        dispatcher.on_answer(*id, &answer, &mut import.ledger);
        let jobs = dispatcher.poll(0, &mut import.ledger);
        let Job::Lookup { id, employee_ids } = &jobs[0] else {
            panic!("{jobs:?}")
        };
        assert_eq!(employee_ids, &["E1"]);
        dispatcher.on_lookup(*id, &[found("E1")], &[], 0, &mut import.ledger);
        assert_eq!(import.ledger.state_of(3), Some(&RowState::Applied));
        assert!(dispatcher.is_finished());
    }

    #[test]
    fn a_10101_after_an_unanswered_attempt_is_ours_once_the_lookup_proves_it() {
        let mut import = import(1);
        let mut dispatcher =
            Dispatcher::new(import.plan(100), settings(100, 1), 7, &mut import.ledger);
        let (id, _) = send_ids(&dispatcher.poll(0, &mut import.ledger))[0].clone();
        dispatcher.on_failure(id, &Failure::Network("reset".into()), 0, &mut import.ledger);
        let wake = dispatcher.next_wake_ms().unwrap();
        let Job::Lookup { id, .. } = dispatcher.poll(wake, &mut import.ledger).remove(0) else {
            panic!()
        };
        // The lookup did not see it yet (the write was still landing)...
        dispatcher.on_lookup(id, &[], &[], wake, &mut import.ledger);
        let Job::Send { id, batch } = dispatcher.poll(wake, &mut import.ledger).remove(0) else {
            panic!()
        };
        // ...and the resend is refused because our first attempt created it.
        let answer = id_taken(&batch.employee_ids[0]);
        dispatcher.on_answer(id, &answer, &mut import.ledger);
        assert_eq!(import.ledger.state_of(2), Some(&RowState::Sending));
        // Looked up again: the user found is the one the row describes.
        let Job::Lookup { id, .. } = dispatcher.poll(wake, &mut import.ledger).remove(0) else {
            panic!()
        };
        dispatcher.on_lookup(id, &[found("E0")], &[], wake, &mut import.ledger);
        assert_eq!(import.ledger.state_of(2), Some(&RowState::Applied));
    }

    /// Sends the import's one batch, loses the answer, and answers the
    /// lookup with `user`.
    fn lose_answer_then_find(import: &mut Import, user: UserDetail) {
        let mut dispatcher =
            Dispatcher::new(import.plan(100), settings(100, 1), 7, &mut import.ledger);
        let (id, _) = send_ids(&dispatcher.poll(0, &mut import.ledger))[0].clone();
        dispatcher.on_failure(id, &Failure::Timeout, 0, &mut import.ledger);
        let wake = dispatcher.next_wake_ms().unwrap();
        let Job::Lookup { id, .. } = dispatcher.poll(wake, &mut import.ledger).remove(0) else {
            panic!()
        };
        dispatcher.on_lookup(id, &[user], &[], wake, &mut import.ledger);
        assert!(dispatcher.is_finished());
    }

    #[test]
    fn a_user_found_with_other_values_after_a_lost_answer_is_not_reported_as_created() {
        let mut import = import(1);
        let mut someone_else = found("E0");
        someone_else.name = "Someone Else".into();
        lose_answer_then_find(&mut import, someone_else);
        assert!(
            matches!(import.ledger.state_of(2), Some(RowState::Exists(f)) if f.name == "Someone Else"),
            "{:?}",
            import.ledger.state_of(2)
        );
    }

    #[test]
    fn a_matching_user_is_not_proven_ours_when_pre_flight_never_saw_the_id_free() {
        let mut import = import(1);
        import.seen_free.clear();
        import.record_found(vec![(
            "E0".into(),
            Found::Unchecked {
                reason: "down".into(),
            },
        )]);
        lose_answer_then_find(&mut import, found("E0"));
        assert!(matches!(
            import.ledger.state_of(2),
            Some(RowState::Exists(_))
        ));
    }

    #[test]
    fn a_refusal_after_a_lost_answer_that_no_lookup_settles_ends_after_the_last_attempt() {
        let mut import = import(1);
        let settings = SendSettings {
            max_attempts: 3,
            ..settings(100, 1)
        };
        let mut dispatcher = Dispatcher::new(import.plan(100), settings, 7, &mut import.ledger);
        let refused = |batch: &Batch| id_taken(&batch.employee_ids[0]);
        let mut now = 0;
        let mut sends = 0;
        for _ in 0..100 {
            if dispatcher.is_finished() {
                break;
            }
            now = dispatcher.next_wake_ms().unwrap_or(now).max(now);
            for job in dispatcher.poll(now, &mut import.ledger) {
                match job {
                    Job::Send { id, batch } if sends == 0 => {
                        sends += 1;
                        let _ = batch;
                        dispatcher.on_failure(id, &Failure::Timeout, now, &mut import.ledger);
                    }
                    Job::Send { id, batch } => {
                        sends += 1;
                        dispatcher.on_answer(id, &refused(&batch), &mut import.ledger);
                    }
                    // The lookup never sees the user (say it is hidden).
                    Job::Lookup { id, .. } => {
                        dispatcher.on_lookup(id, &[], &[], now, &mut import.ledger)
                    }
                }
            }
        }
        assert!(dispatcher.is_finished(), "{sends} sends and still going");
        assert!(sends <= 3, "{sends} sends");
        assert_eq!(import.ledger.state_of(2), Some(&RowState::Unconfirmed));
    }

    #[test]
    fn in_an_update_a_10101_is_a_refusal_never_a_success() {
        let csv = "employeeID,newEmployeeID,name\nE0,E9,Name 0\n";
        let mut import = Import::from_bytes(csv.as_bytes()).unwrap();
        import.record_found(vec![
            ("E0".into(), Found::Exists(Box::new(found("E0")))),
            ("E9".into(), Found::Absent),
        ]);
        let mut dispatcher =
            Dispatcher::new(import.plan(100), settings(100, 1), 7, &mut import.ledger);
        let (id, _) = send_ids(&dispatcher.poll(0, &mut import.ledger))[0].clone();
        // The first attempt is lost; the rename is looked up: not there yet.
        dispatcher.on_failure(id, &Failure::Timeout, 0, &mut import.ledger);
        let wake = dispatcher.next_wake_ms().unwrap();
        let Job::Lookup { id, employee_ids } = dispatcher.poll(wake, &mut import.ledger).remove(0)
        else {
            panic!()
        };
        assert_eq!(employee_ids, ["E9"]);
        dispatcher.on_lookup(id, &[], &[], wake, &mut import.ledger);
        let (id, _) = send_ids(&dispatcher.poll(wake, &mut import.ledger))[0].clone();
        let answer = id_taken("E0");
        dispatcher.on_answer(id, &answer, &mut import.ledger);
        assert!(
            matches!(import.ledger.state_of(2), Some(RowState::Rejected(e)) if e.error_code == 10101)
        );
        assert!(dispatcher.is_finished());
    }

    #[test]
    fn unconfirmed_rows_of_an_earlier_run_are_looked_up_before_anything_is_sent() {
        let mut import = import(2);
        for number in [2, 3] {
            import.ledger.set_state(number, RowState::Unconfirmed);
        }
        let batch = import
            .report
            .rows
            .iter()
            .map(|r| r.row.number)
            .collect::<Vec<_>>();
        assert_eq!(batch, [2, 3]);
        let mut dispatcher = Dispatcher::new(Vec::new(), settings(100, 1), 7, &mut import.ledger);
        let unconfirmed = import.plan_unconfirmed(100);
        dispatcher.reconcile_first(unconfirmed, &mut import.ledger);
        let Job::Lookup { id, employee_ids } = dispatcher.poll(0, &mut import.ledger).remove(0)
        else {
            panic!()
        };
        assert_eq!(employee_ids, ["E0", "E1"]);
        dispatcher.on_lookup(id, &[found("E1")], &[], 0, &mut import.ledger);
        assert_eq!(send_ids(&dispatcher.poll(0, &mut import.ledger))[0].1, [2]);
        assert_eq!(import.ledger.state_of(3), Some(&RowState::Applied));
    }

    #[test]
    fn ids_whose_lookup_failed_are_looked_up_again_the_others_go_on() {
        let mut import = import(3);
        let mut dispatcher =
            Dispatcher::new(import.plan(100), settings(100, 2), 7, &mut import.ledger);
        let (id, _) = send_ids(&dispatcher.poll(0, &mut import.ledger))[0].clone();
        dispatcher.on_failure(id, &Failure::Server { status: 500 }, 0, &mut import.ledger);
        let wake = dispatcher.next_wake_ms().unwrap();
        let Job::Lookup { id, .. } = dispatcher.poll(wake, &mut import.ledger).remove(0) else {
            panic!()
        };
        dispatcher.on_lookup(
            id,
            &[found("E0")],
            &["E2".to_owned()],
            wake,
            &mut import.ledger,
        );
        assert_eq!(import.ledger.state_of(2), Some(&RowState::Applied));
        // E1 does not exist: sent again now. E2 could not be checked: looked up later.
        let jobs = dispatcher.poll(wake, &mut import.ledger);
        assert_eq!(send_ids(&jobs)[0].1, [3]);
        let later = dispatcher.next_wake_ms().unwrap();
        let jobs = dispatcher.poll(later, &mut import.ledger);
        assert!(
            matches!(&jobs[0], Job::Lookup { employee_ids, .. } if employee_ids == &["E2"]),
            "{jobs:?}"
        );
    }

    #[test]
    fn cancel_sends_nothing_new_and_marks_unsent_rows() {
        let mut import = import(4);
        let mut dispatcher = Dispatcher::new(import.plan(1), settings(1, 1), 7, &mut import.ledger);
        let jobs = dispatcher.poll(0, &mut import.ledger);
        dispatcher.cancel(&mut import.ledger);
        assert!(dispatcher.poll(0, &mut import.ledger).is_empty());
        let Job::Send { id, batch } = &jobs[0] else {
            panic!()
        };
        dispatcher.on_answer(*id, &success_for(batch), &mut import.ledger);
        let counts = import.ledger.counts();
        assert_eq!((counts.created, counts.not_sent), (1, 3));
        assert!(dispatcher.is_finished());

        // A batch waiting to be retried after a lost answer stays unconfirmed.
        let mut import = super::tests::import(1);
        let mut dispatcher = Dispatcher::new(import.plan(1), settings(1, 1), 7, &mut import.ledger);
        let (id, _) = send_ids(&dispatcher.poll(0, &mut import.ledger))[0].clone();
        dispatcher.on_failure(id, &Failure::Timeout, 0, &mut import.ledger);
        dispatcher.cancel(&mut import.ledger);
        assert_eq!(import.ledger.state_of(2), Some(&RowState::Unconfirmed));
    }
}
