//! The page's one owner of state, [`AppState`], whose methods are the
//! actions a user can take: open a file, choose a sheet, map a column,
//! edit a cell, start, pause... Views get its signals to read and call its
//! methods; they decide nothing.
//!
//! The heavy work is elsewhere: reading in the reader worker (through
//! [`Reading`]), sending and checking in their loops ([`SendLoop`],
//! [`CheckLoop`]), every rule in the `employee_import` core.

use std::sync::Arc;

use employee_import::export;
use employee_import::{
    Carried, CellEdit, Explained, Field, Import, ImportOptions, Lang, Mode, RowFilter, RowState,
    SavedJob, SendSettings, Tally,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::checking::CheckLoop;
use crate::i18n::{self, text};
use crate::lists::ListsLoader;
use crate::reading::{ReadFailure, Reading};
use crate::sending::{SendLoop, Step};
use crate::{file, journal, lock, storage};

/// What went wrong, kept as a value so it is shown in the current language.
#[derive(Clone)]
pub enum Notice {
    Import { file: String, error: Arc<Explained> },
    Read(ReadFailure),
    Api(ApiError),
    Config(String),
    Export(String),
    Copied(usize),
    TokenExpired,
    TokenMissing,
    OtherTabSending,
    FileSentElsewhere,
    OutcomesElsewhere(usize),
}

impl Notice {
    /// Something went wrong or needs care (shown as an alert), rather than
    /// news (shown as a status).
    pub fn is_problem(&self) -> bool {
        !matches!(self, Notice::Copied(_) | Notice::OutcomesElsewhere(_))
    }

    /// The token is missing or refused: the admin's next step is in the
    /// connection.
    pub fn needs_connection(&self) -> bool {
        matches!(
            self,
            Notice::Api(ApiError::TokenRefused(_)) | Notice::TokenExpired | Notice::TokenMissing
        )
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            Notice::Import { file, error } => format!("{file}: {}", error.message(lang)),
            Notice::Read(failure) => i18n::read_failure(lang, failure),
            Notice::Api(error) => error.message(lang),
            Notice::Config(error) => error.clone(),
            Notice::Copied(count) => format!("{} ({count})", text(lang).copied),
            Notice::TokenExpired => text(lang).token_expired.to_owned(),
            Notice::TokenMissing => text(lang).token_missing.to_owned(),
            Notice::OtherTabSending => text(lang).other_tab_sending.to_owned(),
            Notice::FileSentElsewhere => text(lang).file_sent_elsewhere.to_owned(),
            Notice::OutcomesElsewhere(lost) => i18n::outcomes_elsewhere(lang, *lost),
            Notice::Export(error) => lang.pick(
                format!("The result file could not be made: {error}"),
                format!("Berkas hasil tidak dapat dibuat: {error}"),
            ),
        }
    }
}

/// Everything the page holds, and the actions on it. Copy: every field is
/// a handle into Leptos' arena.
#[derive(Clone, Copy)]
pub struct AppState {
    pub lang: RwSignal<Lang>,
    pub base_url: RwSignal<String>,
    /// The deployer's page on getting a token (config.json), if any.
    pub token_help_url: RwSignal<Option<String>>,
    pub token: RwSignal<String>,
    /// The token's expiry, when it came from a sign-in (ms since the epoch).
    pub token_expiry: RwSignal<Option<f64>>,
    /// Whether the token is kept in this tab's session storage.
    pub remember: RwSignal<bool>,
    pub import: RwSignal<Option<Import>>,
    /// Every row count shown: counted whole when the import changes,
    /// kept by the rows each answer changed while a run sends.
    pub tally: RwSignal<Tally>,
    pub notice: RwSignal<Option<Notice>>,
    pub filter: RwSignal<RowFilter>,
    /// The newest job kept in this browser's journal, offered for resuming.
    pub saved_job: RwSignal<Option<SavedJob>>,
    /// The jobs kept for files of the size of the file being opened: the
    /// reader resumes the one whose fingerprint matches.
    candidates: StoredValue<Vec<SavedJob>>,
    /// Another sheet or header row the admin chose for a file whose rows
    /// were sent: read once the admin confirms.
    pub pending_reread: RwSignal<Option<ImportOptions>>,
    /// The outcomes of the file on screen by employee ID, over every way
    /// it was read, put back on the rows after each re-read.
    carried: StoredValue<Carried>,
    carry_next: StoredValue<bool>,
    pub batch_size: RwSignal<usize>,
    pub concurrency: RwSignal<usize>,
    timeout_seconds: RwSignal<u32>,
    pub reading: Reading,
    pub sender: SendLoop,
    pub checker: CheckLoop,
    /// The company's tags and organizations, for names in the sheet.
    pub lists: ListsLoader,
}

/// Counts every row of the import again ([`Import::tally`]) in parts, a
/// task each, and shows the count once whole. A change meanwhile starts
/// the count over; during a run, whose answers change rows without
/// telling, the rows are counted at once.
#[derive(Clone, Copy)]
struct Recount {
    import: RwSignal<Option<Import>>,
    tally: RwSignal<Tally>,
    sender: SendLoop,
    /// Counts the changes to the import.
    generation: StoredValue<u64>,
    counting: StoredValue<bool>,
}

impl Recount {
    /// Rows counted per task: about 5 ms on the page.
    const ROWS: usize = 10_000;

    fn queue(self) {
        self.generation.update_value(|g| *g += 1);
        if !self.counting.get_value() {
            self.counting.set_value(true);
            self.step(0, Tally::default(), self.generation.get_value());
        }
    }

    /// Counts, in a task of its own, the rows from `from` on, adding them
    /// to `counted` (the rows before, as of change `generation`).
    fn step(self, from: usize, counted: Tally, generation: u64) {
        set_timeout(
            move || {
                // Rows counted before a change, or before a run began,
                // may have changed since.
                let now = self.generation.get_value();
                let at_once = self.sender.keeps_count();
                let (from, mut counted) = if now != generation || at_once {
                    (0, Tally::default())
                } else {
                    (from, counted)
                };
                let (part, end, rows) = self.import.with_untracked(|i| {
                    let Some(i) = i else {
                        return (Tally::default(), 0, 0);
                    };
                    let rows = i.report.rows.len();
                    let end = if at_once {
                        rows
                    } else {
                        (from + Self::ROWS).min(rows)
                    };
                    (i.tally_of(from..end), end, rows)
                });
                counted.add(&part);
                if end < rows {
                    return self.step(end, counted, now);
                }
                self.counting.set_value(false);
                self.tally.set(counted);
                self.sender.recounted(counted);
            },
            std::time::Duration::ZERO,
        );
    }
}

impl AppState {
    /// The state of a page just opened: settings from `config.json` (loaded
    /// in the background), a token kept in this tab, a saved job.
    pub fn load() -> AppState {
        let state = AppState::new(storage::load_lang().unwrap_or_default());
        if let Some((kept, expiry)) = storage::load_tab_token() {
            state.token.set(kept);
            state.token_expiry.set(expiry);
            state.remember.set(true);
        }
        state.load_config();
        state.load_saved_job();
        state
    }

    /// A state with nothing loaded, no file and no token: until given a
    /// file or a token it reads, stores and sends nothing. (The page's
    /// rehearsal renders one, see [`crate::rehearse`].)
    pub fn new(lang: Lang) -> AppState {
        let lang = RwSignal::new(lang);
        let base_url = RwSignal::new(String::new());
        let token = RwSignal::new(String::new());
        let import = RwSignal::new(None::<Import>);
        let tally = RwSignal::new(Tally::default());
        let notice = RwSignal::new(None::<Notice>);
        // Set once the state exists: what follows a file read whole.
        let after_read = StoredValue::new_local(None::<AppState>);
        let carry_next = StoredValue::new(false);
        let reading = Reading::new(
            import,
            Callback::new(move |failure| {
                notice.set(Some(Notice::Read(failure)));
                // What is on screen stays, and the pickers show it again.
                carry_next.set_value(false);
                import.update(|_| ());
            }),
            Callback::new(move |resumed| {
                if let Some(state) = after_read.get_value() {
                    state.file_read(resumed);
                }
            }),
            Callback::new(move |import: Box<Import>| {
                let has_a_file = move || {
                    after_read
                        .try_get_value()
                        .flatten()
                        .is_some_and(AppState::has_a_file)
                };
                // Only before the first file: once a file has been shown,
                // the page's code is warm.
                if !has_a_file() {
                    crate::rehearse(lang.get_untracked(), *import, has_a_file);
                }
            }),
        );
        let file = reading.file;
        let timeout_seconds =
            RwSignal::new(employee_import::config::AppConfig::default().request_timeout_seconds);
        let on_request_error =
            Callback::new(move |error: ApiError| notice.set(Some(Notice::Api(error))));
        // A run's job is saved under the file on screen.
        let job_file = Signal::derive(move || {
            file.with(|f| f.as_ref().map(|f| (f.name.clone(), f.fingerprint.clone())))
        });
        // This tab, as a writer of the journal.
        let tab = format!("{:016x}", (js_sys::Math::random() * 2f64.powi(53)) as u64);
        let sender = SendLoop::new(
            import,
            base_url,
            token,
            timeout_seconds,
            tally,
            tab,
            Callback::new(move |()| notice.set(Some(Notice::OtherTabSending))),
            job_file,
        );
        // Pre-flight: what Ruangkerja holds for the file's IDs, before sending.
        let checker = CheckLoop::new(
            import,
            base_url,
            token,
            timeout_seconds,
            on_request_error,
            // A finished check answers the failures it told on the way
            // (unless a run is sending, whose failures are its own).
            Callback::new(move |()| {
                let stale = notice.with_untracked(|n| matches!(n, Some(Notice::Api(_))));
                if stale && !sender.run.with_untracked(|run| run.active) {
                    notice.set(None);
                }
            }),
        );
        let lists = ListsLoader::new(Callback::new(move |reference| reading.set_lists(reference)));
        // The lists load once a token is given (or changed), when typing
        // has paused; lists loaded stay when the token is cleared.
        Effect::new(move |before: Option<String>| {
            let token_now = token.get();
            let url_now = base_url.get();
            if token_now.trim().is_empty() || url_now.is_empty() {
                lists.token_gone();
                return token_now;
            }
            // A token given whole (from config.json, a sign-in, a paste)
            // loads at once; one being typed, once typing pauses.
            let pause = if before.unwrap_or_default().is_empty() {
                0
            } else {
                400
            };
            let timeout = timeout_seconds.get_untracked();
            let given = token_now.clone();
            gloo_timers::callback::Timeout::new(pause, move || {
                if token.get_untracked() == given && base_url.get_untracked() == url_now {
                    lists.load(api::ApiClient {
                        base_url: url_now,
                        token: given,
                        timeout_seconds: timeout,
                    });
                }
            })
            .forget();
            token_now
        });
        // Every row is counted again once per burst of changes, a few
        // thousand rows per task: counting 100,000 rows at once, at the
        // end of a read, held the page 70-200 ms.
        let recount = Recount {
            import,
            tally,
            sender,
            generation: StoredValue::new(0),
            counting: StoredValue::new(false),
        };
        Effect::new(move |_| {
            import.track();
            recount.queue();
        });
        let defaults = SendSettings::default();
        let state = AppState {
            lang,
            base_url,
            token_help_url: RwSignal::new(None),
            token,
            token_expiry: RwSignal::new(None),
            remember: RwSignal::new(false),
            import,
            tally,
            notice,
            filter: RwSignal::new(RowFilter::All),
            saved_job: RwSignal::new(None),
            candidates: StoredValue::new(Vec::new()),
            pending_reread: RwSignal::new(None),
            carried: StoredValue::new(Carried::default()),
            carry_next,
            batch_size: RwSignal::new(defaults.batch_size),
            concurrency: RwSignal::new(defaults.concurrency),
            timeout_seconds,
            reading,
            sender,
            checker,
            lists,
        };
        after_read.set_value(Some(state));
        state
    }

    /// Offers the newest job of the journal; jobs past their time go.
    fn load_saved_job(self) {
        storage::forget_legacy_job();
        spawn_local(async move {
            let newest = journal::newest(js_sys::Date::now()).await;
            if self.import.with_untracked(Option::is_none) {
                self.saved_job.set(newest.map(|stored| stored.job));
            }
        });
    }

    fn load_config(self) {
        spawn_local(async move {
            match api::load_config().await {
                Ok(config) => {
                    if let Some(n) = config.batch_size {
                        self.batch_size.set(n.clamp(1, 500));
                    }
                    if let Some(n) = config.concurrency {
                        self.concurrency.set(n.clamp(1, 10));
                    }
                    // The deployer's language applies until the user picks one.
                    if let Some(chosen) = config.lang().filter(|_| storage::load_lang().is_none()) {
                        self.lang.set(chosen);
                    }
                    self.base_url.set(config.api_base_url);
                    // Only a web address is linked.
                    self.token_help_url.set(
                        config.token_help_url.filter(|url| {
                            url.starts_with("https://") || url.starts_with("http://")
                        }),
                    );
                    self.timeout_seconds.set(config.request_timeout_seconds);
                    if let Some(preset) = config
                        .access_token
                        .filter(|_| self.token.get_untracked().is_empty())
                    {
                        self.token.set(preset);
                    }
                }
                Err(error) => {
                    self.base_url
                        .set(employee_import::config::PRODUCTION_BASE_URL.to_owned());
                    self.notice.set(Some(Notice::Config(error)));
                }
            }
        });
    }

    /// A run is sending.
    pub fn sending(self) -> bool {
        self.sender.run.with(|run| run.active)
    }

    /// Pre-flight is looking users up.
    pub fn checking(self) -> bool {
        self.checker.state.with(|state| state.active)
    }

    fn send_settings(self) -> SendSettings {
        SendSettings {
            batch_size: self.batch_size.get_untracked(),
            concurrency: self.concurrency.get_untracked(),
            ..SendSettings::default()
        }
    }

    /// Whether a file is on screen, being read or waiting for its password
    /// (untracked).
    fn has_a_file(self) -> bool {
        let reading = self.reading;
        self.import.with_untracked(Option::is_some)
            || reading.file.with_untracked(Option::is_some)
            || reading.progress.with_untracked(Option::is_some)
            || reading.locked.with_untracked(Option::is_some)
    }

    /// Whether a token is given (untracked).
    pub fn has_token(self) -> bool {
        !self.token.get_untracked().trim().is_empty()
    }

    /// An expired token is caught before anything is sent: true, and the
    /// admin told, when it has expired.
    fn token_expired(self) -> bool {
        let expired = self
            .token_expiry
            .get_untracked()
            .is_some_and(|at| js_sys::Date::now() >= at);
        if expired {
            self.notice.set(Some(Notice::TokenExpired));
        }
        expired
    }

    /// True, and the admin told, when no token is there to send with.
    fn token_missing(self) -> bool {
        let missing = !self.has_token();
        if missing {
            self.notice.set(Some(Notice::TokenMissing));
        }
        missing
    }

    /// Looks up whatever the import needs and has not got, when a token is
    /// there to ask with: after a file is opened, a cell edited, the mode
    /// changed. Without a token the rows stay "not checked" and the send
    /// button asks for one.
    fn check_if_needed(self) {
        let reading_rows = self.reading.progress.with_untracked(Option::is_some);
        let settled = untrack(|| self.reading.edits_answered());
        if self.has_token() && !self.sender.run.get_untracked().active && !reading_rows && settled {
            self.checker.start(self.send_settings(), false);
        }
    }

    /// A file read whole (or re-validated) replaces what the page showed.
    fn file_read(self, resumed: bool) {
        if resumed {
            self.saved_job.set(None);
            // Another tab may be sending this very file: its outcomes so
            // far are on screen, and this tab must not send it too.
            spawn_local(async move {
                if !self.sending() && lock::held_elsewhere().await {
                    self.notice.set(Some(Notice::FileSentElsewhere));
                }
            });
        }
        self.notice.update(|n| {
            if matches!(n, Some(Notice::Read(_) | Notice::Import { .. })) {
                *n = None;
            }
        });
        if self.carry_next.get_value() {
            self.carry_next.set_value(false);
            let mut lost = 0;
            self.carried.with_value(|carried| {
                self.import.update(|current| {
                    if let Some(current) = current {
                        lost = current.carry(carried);
                    }
                });
            });
            if lost > 0 {
                self.notice.set(Some(Notice::OutcomesElsewhere(lost)));
            }
        }
        self.check_if_needed();
    }

    /// Rows still being read or re-validated are not final: nothing may
    /// act on them.
    fn rows_final(self) -> bool {
        !self.reading.busy()
    }

    /// Final, and judged again after every edit: what checking and
    /// sending need.
    fn rows_settled(self) -> bool {
        self.rows_final() && self.reading.edits_answered()
    }

    pub fn choose_language(self, chosen: Lang) {
        // Remembered only once the user picks: until then a deployer's
        // config.json may choose.
        storage::save_lang(chosen);
        self.lang.set(chosen);
    }

    pub fn open_file(self, picked: web_sys::File) {
        self.notice.set(None);
        self.filter.set(RowFilter::All);
        // Too big a file is refused before the browser reads it.
        let limit = employee_import::sheet::Limits::default().max_file_bytes;
        if picked.size() > limit as f64 {
            let error =
                Explained::too_large(picked.size() / (1024.0 * 1024.0), limit / (1024 * 1024));
            self.notice.set(Some(Notice::Import {
                file: picked.name(),
                error: Arc::new(error),
            }));
            return;
        }
        self.carried.set_value(Carried::default());
        self.pending_reread.set(None);
        // The journal's jobs for a file of this size (a fingerprint ends
        // with the size): the reader resumes the one of this very file.
        let size = picked.size();
        self.reading.open_file(picked, async move {
            let candidates = journal::for_size(size).await;
            self.candidates.set_value(candidates.clone());
            candidates
        });
    }

    pub fn give_password(self, password: String) {
        self.reading.password(password, self.candidates.get_value());
    }

    pub fn stop_reading(self) {
        self.reading.cancel();
    }

    pub fn discard_saved_job(self) {
        if let Some(job) = self.saved_job.get_untracked() {
            spawn_local(async move {
                let _ = journal::discard(&job.fingerprint).await;
            });
        }
        self.saved_job.set(None);
    }

    /// Reads the file on screen another way. Once rows were sent, the
    /// admin is asked first (`confirm_reread`).
    fn reopen(self, options: ImportOptions) {
        if self.sending() || !self.rows_final() {
            return;
        }
        let sent = self
            .import
            .with_untracked(|i| i.as_ref().map_or(0, |i| i.carried().len()));
        if sent > 0 {
            self.pending_reread.set(Some(options));
        } else {
            self.reread(options);
        }
    }

    /// The admin confirms reading the file another way after rows were
    /// sent: each outcome goes to the row with the same employee ID.
    pub fn confirm_reread(self) {
        if let Some(options) = self.pending_reread.get_untracked() {
            self.pending_reread.set(None);
            self.reread(options);
        }
    }

    /// The admin keeps the reading on screen; the pickers show it again.
    pub fn cancel_reread(self) {
        self.pending_reread.set(None);
        self.import.update(|_| ());
    }

    fn reread(self, options: ImportOptions) {
        if self.sending() || !self.rows_final() {
            return;
        }
        let now = self
            .import
            .with_untracked(|i| i.as_ref().map(Import::carried))
            .unwrap_or_default();
        self.carried.update_value(|carried| carried.merge(now));
        self.carry_next
            .set_value(self.carried.with_value(|carried| !carried.is_empty()));
        self.reading.reopen(options);
    }

    pub fn choose_sheet(self, name: String) {
        self.reopen(ImportOptions {
            sheet: Some(name),
            ..ImportOptions::default()
        })
    }

    pub fn choose_header_row(self, row: u32) {
        let sheet = self
            .import
            .with_untracked(|i| i.as_ref().map(|i| i.sheet.name.clone()));
        self.reopen(ImportOptions {
            sheet,
            header_row: Some(row),
            ..ImportOptions::default()
        })
    }

    pub fn map_column(self, column: usize, field: Option<Field>) {
        if self.sending() || !self.rows_final() {
            return;
        }
        let chosen = self.import.with_untracked(|current| {
            let current = current.as_ref()?;
            let mut mapping = current.report.mapping.clone();
            mapping.assign(column, field);
            Some((mapping, current.report.mode))
        });
        if let Some((mapping, mode)) = chosen {
            storage::save_mapping(&mapping);
            self.reading.revalidate(mapping, mode);
        }
    }

    pub fn choose_mode(self, mode: Mode) {
        if self.sending() || !self.rows_final() {
            return;
        }
        let mapping = self
            .import
            .with_untracked(|i| i.as_ref().map(|i| i.report.mapping.clone()));
        if let Some(mapping) = mapping {
            self.reading.revalidate(mapping, mode);
        }
    }

    pub fn edit_cell(self, number: u32, field: Field, value: String) {
        self.apply_edits(vec![CellEdit {
            row: number,
            field,
            text: value,
        }]);
    }

    /// The cells change here at once; the worker judges their rows and
    /// answers with them.
    fn apply_edits(self, edits: Vec<CellEdit>) {
        if !self.rows_final() {
            return;
        }
        self.import.update(|current| {
            if let Some(current) = current {
                for edit in &edits {
                    current.set_cell(edit.row, edit.field, &edit.text);
                }
            }
        });
        for edit in edits {
            self.reading.edit(edit);
        }
    }

    pub fn set_excluded(self, number: u32, excluded: bool) {
        if !self.rows_final() {
            return;
        }
        self.import.update(|current| {
            if let Some(current) = current {
                current.set_excluded(number, excluded);
            }
        });
    }

    pub fn set_token(self, value: String) {
        self.token.set(value.clone());
        self.token_expiry.set(None);
        if self.remember.get_untracked() {
            storage::save_tab_token(&value, None);
        }
    }

    pub fn set_remember(self, keep: bool) {
        self.remember.set(keep);
        if keep {
            storage::save_tab_token(
                &self.token.get_untracked(),
                self.token_expiry.get_untracked(),
            );
        } else {
            storage::clear_tab_token();
        }
    }

    pub fn sign_in(self, client_id: String, client_secret: String) {
        let client = api::ApiClient {
            base_url: self.base_url.get_untracked(),
            token: String::new(),
            timeout_seconds: self.timeout_seconds.get_untracked(),
        };
        spawn_local(async move {
            match client.exchange_token(&client_id, &client_secret).await {
                Ok(grant) => {
                    // Whole seconds ("3600", or "3600.0"): no float parser on the page.
                    let whole = grant.expires_in.trim().split('.').next().unwrap_or("");
                    let seconds: u32 = whole.parse().unwrap_or(0);
                    let expiry =
                        (seconds > 0).then(|| js_sys::Date::now() + f64::from(seconds) * 1000.0);
                    self.token.set(grant.access_token.clone());
                    self.token_expiry.set(expiry);
                    if self.remember.get_untracked() {
                        storage::save_tab_token(&grant.access_token, expiry);
                    }
                    self.notice.set(None);
                }
                Err(error) => self.notice.set(Some(Notice::Api(error))),
            }
        });
    }

    /// The start button: checks the rows not checked yet, or sends.
    pub fn start(self) {
        if !self.rows_settled() {
            return;
        }
        if self.token_expired() || self.token_missing() {
            return;
        }
        self.notice.set(None);
        if self.checking() {
            return;
        }
        // Nothing is written before every row was checked and shown.
        if !self.checker.start(self.send_settings(), false) {
            self.sender.start(Step::Users, self.send_settings());
        }
    }

    /// "Check again": IDs that could not be checked are asked anew.
    pub fn check_again(self) {
        if !self.rows_settled() {
            return;
        }
        if self.token_missing() {
            return;
        }
        self.notice.set(None);
        self.checker.start(self.send_settings(), true);
    }

    pub fn cancel_check(self) {
        self.checker.cancel();
    }

    pub fn resume_check(self) {
        self.notice.set(None);
        self.checker.resume();
    }

    /// Rows whose user exists go out as updates instead of creations.
    pub fn update_instead(self) {
        if !self.rows_settled() {
            return;
        }
        self.import.update(|current| {
            if let Some(current) = current {
                current.update_existing_instead();
            }
        });
    }

    /// Sends the opt-in e-mail changes.
    pub fn change_emails(self) {
        if !self.rows_settled() {
            return;
        }
        if self.token_expired() {
            return;
        }
        self.notice.set(None);
        self.sender.start(Step::Emails, self.send_settings());
    }

    /// Sends again the rows the API refused, once fixed.
    pub fn retry_rejected(self) {
        if !self.rows_settled() || self.checking() {
            return;
        }
        if self.token_expired() {
            return;
        }
        self.import.update(|current| {
            if let Some(current) = current {
                current.ledger.retry_rejected(&current.report);
            }
        });
        self.notice.set(None);
        self.sender.start(Step::Users, self.send_settings());
    }

    pub fn pause(self) {
        self.sender.pause();
    }

    pub fn resume(self) {
        self.notice.set(None);
        self.checker.resume();
        self.sender.resume();
    }

    pub fn cancel(self) {
        self.sender.cancel();
    }

    /// Loads the tags and organizations again.
    pub fn refresh_lists(self) {
        if !self.token.get_untracked().trim().is_empty() {
            self.lists.load(api::ApiClient {
                base_url: self.base_url.get_untracked(),
                token: self.token.get_untracked(),
                timeout_seconds: self.timeout_seconds.get_untracked(),
            });
        }
    }

    /// Puts `choice` (a suggested name or path) in place of `value` in the
    /// `field` cell of every row holding it.
    pub fn use_choice(self, field: Field, value: String, choice: String) {
        let edits = self.import.with_untracked(|i| {
            i.as_ref()
                .map(|i| i.edits_replacing(field, &value, &choice))
                .unwrap_or_default()
        });
        self.apply_edits(edits);
    }

    /// Puts the value the app proposes into every cell of `field` that has
    /// one: a column's local phone numbers in international form at once.
    pub fn apply_proposals(self, field: Field) {
        let edits = self.import.with_untracked(|i| {
            i.as_ref()
                .map(|i| i.edits_proposed(field))
                .unwrap_or_default()
        });
        self.apply_edits(edits);
    }

    pub fn download_template(self) {
        let mode = self
            .import
            .with_untracked(|i| i.as_ref().map(|i| i.report.mode))
            .unwrap_or_default();
        self.reading.write_template(mode, self.lang.get_untracked());
    }

    /// A result file (every row, or the rows to fix), written by a reader
    /// worker, named after the file on screen.
    pub fn download_table(self, rows_to_fix: bool, csv: bool) {
        let lang = self.lang.get_untracked();
        let stem = self.reading.file.with_untracked(|f| {
            f.as_ref().map(|f| {
                f.name
                    .rsplit_once('.')
                    .map_or(f.name.clone(), |(stem, _)| stem.to_owned())
            })
        });
        let Some(stem) = stem else { return };
        let table = self.import.with_untracked(|current| {
            let current = current.as_ref()?;
            Some(if rows_to_fix {
                (export::failed_rows_table(current, lang), "rows-to-fix")
            } else {
                (export::results_table(current, lang), "results")
            })
        });
        if let Some((table, kind)) = table {
            let name = format!("{stem}-{kind}.{}", if csv { "csv" } else { "xlsx" });
            self.reading.write_table(table, csv, name);
        }
    }

    /// Copies the serials of the users created, one per line.
    pub fn copy_serials(self) {
        let serials: Vec<String> = self.import.with_untracked(|current| {
            current
                .as_ref()
                .map(|current| {
                    current
                        .ledger
                        .rows()
                        .iter()
                        .filter_map(|row| match &row.state {
                            RowState::Created { serial } => Some(serial.clone()),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default()
        });
        spawn_local(async move {
            match file::copy_text(&serials.join("\n")).await {
                Ok(()) => self.notice.set(Some(Notice::Copied(serials.len()))),
                Err(error) => self.notice.set(Some(Notice::Export(error))),
            }
        });
    }
}
