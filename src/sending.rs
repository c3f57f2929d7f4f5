//! Drives the core's [`Dispatcher`]: performs its jobs with the API client,
//! reports what happened back to it, and wakes it when a backoff is over.
//! Every decision (what to send, retry, look up) is the dispatcher's.

use std::collections::HashSet;

use employee_import::{
    Dispatcher, Hold, Import, Job, JournalEntry, Ledger, SavedCounts, SendSettings, Tally,
};
use futures::future::join_all;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiClient, ApiError};
use crate::journal;
use crate::lock::{self, SendLock};

/// A journal entry to append: the file's fingerprint, its number, the rows.
type Append = (String, u64, JournalEntry);

/// How many batches ahead of those in flight the journal marks in flight,
/// per request at once: a request never waits for the journal, and after
/// a crash only these rows are looked up, not the whole rest of the run.
const MARK_AHEAD: usize = 2;

/// How often, at most, a run redraws the rows on screen.
const REDRAW_MS: u32 = 50;

/// How many lookups of one batch run at once.
const LOOKUP_CONCURRENCY: usize = 8;

pub(crate) fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Calls `pump` at `wake` (ms since the epoch) when that is later than
/// `now` and earlier than the wake already arranged in `timer_due`: one
/// timer at a time wakes a sans-IO machine after its backoffs.
pub(crate) fn wake_at(
    timer_due: StoredValue<Option<u64>>,
    wake: Option<u64>,
    now: u64,
    pump: impl FnOnce() + 'static,
) {
    let Some(wake) = wake.filter(|&wake| wake > now) else {
        return;
    };
    if !timer_due.with_value(|due| due.is_none_or(|due| wake < due)) {
        return;
    }
    timer_due.set_value(Some(wake));
    spawn_local(async move {
        TimeoutFuture::new((wake - now).min(u32::MAX as u64) as u32).await;
        if timer_due.get_value() == Some(wake) {
            timer_due.set_value(None);
        }
        pump();
    });
}

/// What a run writes: the users (create-bulk, update-bulk), or the opt-in
/// e-mail change (update-email-bulk) with its own ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Step {
    #[default]
    Users,
    Emails,
}

impl Step {
    pub fn ledger(self, import: &Import) -> &Ledger {
        match self {
            Step::Users => &import.ledger,
            Step::Emails => &import.emails,
        }
    }

    fn ledger_mut(self, import: &mut Import) -> &mut Ledger {
        match self {
            Step::Users => &mut import.ledger,
            Step::Emails => &mut import.emails,
        }
    }
}

/// The state of a run, for the progress display.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RunState {
    pub active: bool,
    pub step: Step,
    pub hold: Option<Hold>,
    /// Rows this run set out to send.
    pub planned: usize,
    pub started_ms: f64,
    /// The browser refused to save the job (too large, or storage off):
    /// a reload would lose track of this run.
    pub unsaved: bool,
}

/// The last request of a run that failed while no later one has been
/// answered: what the status line under the progress bar says, until the
/// API answers again.
#[derive(Debug, Clone, PartialEq)]
pub struct Trouble {
    pub error: ApiError,
    /// Requests failed in a row.
    pub failures: u32,
    /// When the next try leaves, if one is planned.
    pub retry_at_ms: Option<f64>,
}

/// Handles to the signals a run reads and writes; `Copy`, so every job
/// and timer can carry it.
#[derive(Clone, Copy)]
pub struct SendLoop {
    pub import: RwSignal<Option<Import>>,
    pub base_url: RwSignal<String>,
    pub token: RwSignal<String>,
    pub timeout_seconds: RwSignal<u32>,
    pub run: RwSignal<RunState>,
    /// A failure the run is getting over, if any (see [`Trouble`]).
    pub trouble: RwSignal<Option<Trouble>>,
    /// The counts on screen: during a run, kept by the rows each answer
    /// changed (the import is updated without notifying its readers) and
    /// shown with the redraw.
    tally: RwSignal<Tally>,
    /// During a run, the counts as of the last answer (`tally` may be up
    /// to one redraw behind).
    running: StoredValue<Option<Tally>>,
    /// Notified when a run changed rows, for the views that show them.
    pub outcomes: Trigger,
    /// The loaded file's name and fingerprint, to save the job under.
    job_file: Signal<Option<(String, String)>>,
    /// This tab, as the writer of the journal.
    tab: StoredValue<String>,
    /// Entries journaled since the run began.
    entries: StoredValue<u64>,
    /// A redraw of the rows on screen is arranged.
    redraw_due: StoredValue<bool>,
    /// Rows the journal was asked to mark in flight, and those it has
    /// (see `mark_ahead`).
    marked: StoredValue<HashSet<u32>>,
    durable: StoredValue<HashSet<u32>>,
    /// Told when another tab holds the sending lock.
    on_busy: Callback<()>,
    dispatcher: StoredValue<Option<Dispatcher>>,
    timer_due: StoredValue<Option<u64>>,
    lock: StoredValue<Option<SendLock>, LocalStorage>,
    starting: StoredValue<bool>,
}

impl SendLoop {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        import: RwSignal<Option<Import>>,
        base_url: RwSignal<String>,
        token: RwSignal<String>,
        timeout_seconds: RwSignal<u32>,
        tally: RwSignal<Tally>,
        tab: String,
        on_busy: Callback<()>,
        job_file: Signal<Option<(String, String)>>,
    ) -> Self {
        SendLoop {
            import,
            base_url,
            token,
            timeout_seconds,
            run: RwSignal::new(RunState::default()),
            trouble: RwSignal::new(None),
            tally,
            running: StoredValue::new(None),
            outcomes: Trigger::new(),
            on_busy,
            job_file,
            tab: StoredValue::new(tab),
            entries: StoredValue::new(0),
            redraw_due: StoredValue::new(false),
            marked: StoredValue::new(HashSet::new()),
            durable: StoredValue::new(HashSet::new()),
            dispatcher: StoredValue::new(None),
            timer_due: StoredValue::new(None),
            lock: StoredValue::new_local(None),
            starting: StoredValue::new(false),
        }
    }

    /// Sends every ready row (and any row not sent before), and looks up
    /// unconfirmed rows before anything of theirs goes out again; or, for
    /// [`Step::Emails`], the e-mail changes.
    pub fn start(self, step: Step, settings: SendSettings) {
        if self.run.get_untracked().active || self.starting.get_value() {
            return;
        }
        self.starting.set_value(true);
        spawn_local(async move {
            // One sending tab at a time: another tab may be sending this
            // very job, and the API cannot tell a resend from a new user.
            let lock = lock::try_acquire().await;
            let Some(lock) = lock else {
                self.starting.set_value(false);
                self.on_busy.run(());
                return;
            };
            self.adopt_other_tabs().await;
            let begun = self.begin(step, settings).await;
            self.starting.set_value(false);
            if begun {
                self.lock.set_value(Some(lock));
                self.pump();
                self.run.notify();
                self.tally.set(self.running.get_value().unwrap_or_default());
                self.outcomes.notify();
            }
        });
    }

    /// Takes in what another tab did with the same file since this one
    /// read its journal: rows it created are not sent again, rows it left
    /// unconfirmed are looked up first.
    async fn adopt_other_tabs(self) {
        let Some((_, fingerprint)) = self.job_file.get_untracked() else {
            return;
        };
        let Some(stored) = journal::load(&fingerprint).await else {
            return;
        };
        if stored.writer != self.tab.get_value() {
            self.import.update(|current| {
                if let Some(current) = current {
                    current.adopt_outcomes(&stored.job);
                }
            });
        }
    }

    /// Plans the run and begins its journal; false when there is nothing
    /// to send.
    async fn begin(self, step: Step, settings: SendSettings) -> bool {
        let mut planned = 0;
        let mut queued = HashSet::new();
        let mut ahead = Vec::new();
        // Not notifying the import's readers: what planning changes is
        // rows' states and counts, which the run shows itself.
        self.import.update_untracked(|current| {
            let Some(current) = current else { return };
            let size = settings.batch_size;
            let (batches, unconfirmed) = match step {
                Step::Users => (current.plan(size), current.plan_unconfirmed(size)),
                Step::Emails => {
                    let batches = current.plan_emails(size);
                    current.start_emails(&batches);
                    (batches, current.plan_emails_unconfirmed(size))
                }
            };
            current.note_sent(&batches);
            current.note_sent(&unconfirmed);
            planned = batches
                .iter()
                .chain(&unconfirmed)
                .map(|b| b.rows.len())
                .sum();
            // Rows only queued are not in flight yet: the journal marks
            // them shortly before their request (`mark_ahead`). Rows of a
            // run before, which may have been applied, stay marked.
            queued.extend(batches.iter().flat_map(|b| b.rows.iter().copied()));
            let ledger = step.ledger_mut(current);
            let mut dispatcher = Dispatcher::new(batches, settings, now_ms(), ledger);
            dispatcher.reconcile_first(unconfirmed, ledger);
            ahead = dispatcher.upcoming(MARK_AHEAD * dispatcher.concurrency());
            for row in &ahead {
                queued.remove(row);
            }
            self.dispatcher.set_value(Some(dispatcher));
            // From here on the counts follow the rows each step changes.
            current.ledger.track_changes(true);
            current.emails.track_changes(true);
            self.running.set_value(Some(current.tally()));
        });
        if planned == 0 {
            self.stop_tracking();
            return false;
        }
        // Shown once the first requests have left (see `start`).
        self.trouble.set(None);
        self.run.update_untracked(|run| {
            *run = RunState {
                active: true,
                step,
                hold: None,
                planned,
                started_ms: js_sys::Date::now(),
                unsaved: false,
            }
        });
        // The journal holds every row in flight before any request leaves.
        let head = self
            .job_file
            .get_untracked()
            .and_then(|(name, fingerprint)| {
                self.import.with_untracked(|i| {
                    i.as_ref().map(|i| {
                        i.save(&name, &fingerprint)
                            .without(&queued, step == Step::Emails)
                    })
                })
            });
        self.entries.set_value(0);
        let ahead: HashSet<u32> = ahead.into_iter().collect();
        self.marked.set_value(ahead.clone());
        self.durable.set_value(HashSet::new());
        if let Some(head) = head {
            let written = journal::begin(&head, &self.tab.get_value(), js_sys::Date::now()).await;
            if written.is_err() {
                self.run.update(|run| run.unsaved = true);
            }
        }
        self.durable.set_value(ahead);
        true
    }

    fn stop_tracking(self) {
        if let Some(tally) = self.running.try_update_value(Option::take).flatten() {
            self.tally.set(tally);
        }
        self.import.update_untracked(|current| {
            if let Some(current) = current {
                current.ledger.track_changes(false);
                current.emails.track_changes(false);
            }
        });
    }

    pub fn pause(self) {
        self.dispatcher.update_value(|d| {
            if let Some(d) = d {
                d.pause();
            }
        });
        self.pump();
    }

    /// Resumes after a pause, or after a new token was pasted.
    pub fn resume(self) {
        self.dispatcher.update_value(|d| {
            if let Some(d) = d {
                d.resume();
            }
        });
        self.pump();
    }

    pub fn cancel(self) {
        self.change(|d, ledger| d.cancel(ledger));
        self.pump();
        self.settle_soon();
    }

    /// Starts whatever the dispatcher allows now, once the rows it marks
    /// as in flight are journaled, and arranges to be called again when a
    /// backoff ends.
    fn pump(self) {
        let now = now_ms();
        let mut jobs = Vec::new();
        let marked = self.change(|d, ledger| jobs = d.poll(now, ledger));
        let status = self.dispatcher.with_value(|d| {
            d.as_ref()
                .map(|d| (d.hold(), d.is_finished(), d.next_wake_ms()))
        });
        let Some((hold, finished, wake)) = status else {
            return;
        };
        if self.run.with_untracked(|run| run.hold != hold) {
            self.run.update(|run| run.hold = hold);
        }
        if finished {
            self.dispatcher.set_value(None);
            spawn_local(self.journal(self.settle()));
            // Dropping the lock lets another tab send.
            self.lock.set_value(None);
            self.stop_tracking();
            // The rows on screen show the last answers now.
            self.outcomes.notify();
            self.trouble.set(None);
            self.run.update(|run| run.active = false);
            return;
        }
        let sending: Vec<u32> = jobs
            .iter()
            .flat_map(|job| match job {
                Job::Send { batch, .. } => batch.rows.clone(),
                Job::Lookup { .. } => Vec::new(),
            })
            .collect();
        let durable = self
            .durable
            .with_value(|durable| sending.iter().all(|row| durable.contains(row)));
        let ahead = self.mark_ahead();
        if marked || !durable {
            // A request leaves only once the journal has its rows in
            // flight. (Rarely waited for: they were marked ahead.)
            let journaled = self.settle();
            spawn_local(async move {
                self.journal(journaled).await;
                self.journal_marks(ahead).await;
                self.durable.update_value(|durable| durable.extend(sending));
                for job in jobs {
                    spawn_local(self.perform(job));
                }
            });
        } else {
            for job in jobs {
                spawn_local(self.perform(job));
            }
            spawn_local(self.journal_marks(ahead));
        }
        wake_at(self.timer_due, wake, now, move || self.pump());
    }

    /// The journal entry marking in flight the rows of the next batches
    /// not marked yet, if any.
    fn mark_ahead(self) -> Option<(Append, Vec<u32>)> {
        let step = self.run.with_untracked(|run| run.step);
        let upcoming = self
            .dispatcher
            .with_value(|d| d.as_ref().map(|d| d.upcoming(MARK_AHEAD * d.concurrency())))?;
        let new: Vec<u32> = self.marked.with_value(|marked| {
            upcoming
                .into_iter()
                .filter(|row| !marked.contains(row))
                .collect()
        });
        if new.is_empty() {
            return None;
        }
        self.marked.update_value(|marked| marked.extend(&new));
        let counts = self.running.get_value().map(|t| SavedCounts::of(&t))?;
        let entry = JournalEntry::in_flight(&new, step == Step::Emails, counts);
        Some((self.numbered(entry)?, new))
    }

    /// The entry with the file it belongs to and its number in the run.
    fn numbered(self, entry: JournalEntry) -> Option<Append> {
        let (_, fingerprint) = self.job_file.get_untracked()?;
        self.entries.update_value(|n| *n += 1);
        Some((fingerprint, self.entries.get_value(), entry))
    }

    async fn journal_marks(self, marks: Option<(Append, Vec<u32>)>) {
        let Some((append, rows)) = marks else {
            return;
        };
        self.journal(Some(append)).await;
        self.durable.update_value(|durable| durable.extend(rows));
    }

    async fn perform(self, job: Job) {
        let client = ApiClient {
            base_url: self.base_url.get_untracked(),
            token: self.token.get_untracked(),
            timeout_seconds: self.timeout_seconds.get_untracked(),
        };
        match job {
            Job::Send { id, batch } => {
                let answer = client.send_batch(&batch).await;
                let now = now_ms();
                self.change(|d, ledger| match &answer {
                    Ok(result) => d.on_answer(id, result, ledger),
                    Err(error) => d.on_failure(id, &error.to_failure(), now, ledger),
                });
                // Told where the admin watches, under the progress bar, and
                // gone once the API answers again.
                match answer {
                    Ok(_) if self.trouble.with_untracked(Option::is_some) => self.trouble.set(None),
                    Ok(_) => {}
                    Err(error) => self.troubled(error),
                }
                self.pump();
                // Counted and journaled once the next request has left:
                // until then the journal has these rows in flight, which a
                // reload looks up. What must be written before a request
                // leaves is a change of the rows it carries (`pump`).
                self.settle_soon();
            }
            Job::Lookup { id, employee_ids } => {
                let mut existing = Vec::new();
                let mut unchecked = Vec::new();
                let mut last_error = None;
                for chunk in employee_ids.chunks(LOOKUP_CONCURRENCY) {
                    let answers = join_all(
                        chunk
                            .iter()
                            .map(|employee_id| client.lookup_user(employee_id)),
                    )
                    .await;
                    for (employee_id, answer) in chunk.iter().zip(answers) {
                        match answer {
                            Ok(Some(user)) => existing.push(user),
                            Ok(None) => {}
                            Err(error) => {
                                unchecked.push(employee_id.clone());
                                last_error = Some(error);
                            }
                        }
                    }
                }
                let now = now_ms();
                // A refused token stops everything; other lookup errors
                // only leave their IDs to be checked again.
                self.change(|d, ledger| match &last_error {
                    Some(error @ ApiError::TokenRefused(_)) => {
                        d.on_failure(id, &error.to_failure(), now, ledger)
                    }
                    _ => d.on_lookup(id, &existing, &unchecked, now, ledger),
                });
                match last_error {
                    Some(error) => self.troubled(error),
                    None if self.trouble.with_untracked(Option::is_some) => self.trouble.set(None),
                    None => {}
                }
                self.pump();
                self.settle_soon();
            }
        }
    }

    fn troubled(self, error: ApiError) {
        let retry_at_ms = self
            .dispatcher
            .with_value(|d| d.as_ref().and_then(|d| d.next_wake_ms()))
            .map(|ms| ms as f64);
        self.trouble.update(|trouble| {
            let failures = trouble.as_ref().map_or(0, |t| t.failures) + 1;
            *trouble = Some(Trouble {
                error,
                failures,
                retry_at_ms,
            });
        });
    }

    /// Lets the dispatcher change the step's ledger, without notifying the
    /// import's readers; true when it changed a row's state.
    fn change(self, f: impl FnOnce(&mut Dispatcher, &mut Ledger)) -> bool {
        let step = self.run.with_untracked(|run| run.step);
        let mut changed = false;
        self.import.update_untracked(|current| {
            let Some(current) = current else { return };
            let ledger = step.ledger_mut(current);
            let before = ledger.logged();
            self.dispatcher.update_value(|d| {
                if let Some(d) = d {
                    f(d, ledger);
                }
            });
            changed = ledger.logged() > before;
        });
        changed
    }

    /// Brings the counts up to date with the rows changed since the last
    /// time, arranges a redraw, and returns their journal entry.
    fn settle(self) -> Option<Append> {
        let mut tally = self.running.get_value()?;
        let mut entry = None;
        self.import.update_untracked(|current| {
            let Some(current) = current else { return };
            let changed = current.retally(&mut tally);
            if !changed.0.is_empty() || !changed.1.is_empty() {
                entry = Some(current.journal_entry(&changed, &tally));
            }
        });
        let entry = entry?;
        self.running.set_value(Some(tally));
        self.redraw_soon();
        self.numbered(entry)
    }

    /// `settle` and journal, in a task of their own: it runs after the
    /// tasks already queued, the next request among them.
    fn settle_soon(self) {
        spawn_local(async move {
            let append = self.settle();
            self.journal(append).await;
        });
    }

    /// Whether a run keeps the counts itself, by the rows each answer
    /// changed.
    pub fn keeps_count(self) -> bool {
        self.running.with_value(Option::is_some)
    }

    /// The import changed under a run (an edit, an exclusion): its counts
    /// were taken whole, and the run goes on from them. That count never
    /// holds rows changed and not yet settled: between a `change` and its
    /// `settle` nothing notifies the import, and effects run on the same
    /// first-in, first-out task queue as `settle_soon`.
    pub fn recounted(self, tally: Tally) {
        if self.running.with_value(Option::is_some) {
            self.running.set_value(Some(tally));
        }
    }

    /// Shows the counts and redraws the rows on screen within 50 ms, once
    /// however many answers arrive meanwhile: the next request leaves
    /// before the page redraws, and redrawing per answer would cost more
    /// than the answers.
    fn redraw_soon(self) {
        if self.redraw_due.get_value() {
            return;
        }
        self.redraw_due.set_value(true);
        spawn_local(async move {
            TimeoutFuture::new(REDRAW_MS).await;
            self.redraw_due.set_value(false);
            if let Some(tally) = self.running.get_value() {
                self.tally.set(tally);
            }
            self.outcomes.notify();
        });
    }

    /// Appends an entry to the journal; a journal that cannot be written
    /// is told (a reload would lose track of this run).
    async fn journal(self, append: Option<Append>) {
        let Some((fingerprint, n, entry)) = append else {
            return;
        };
        if journal::append(&fingerprint, n, &entry).await.is_err()
            && !self.run.with_untracked(|run| run.unsaved)
        {
            self.run.update(|run| run.unsaved = true);
        }
    }
}
