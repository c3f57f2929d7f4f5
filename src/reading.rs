//! Reading files through reader workers, for the page: which worker holds
//! which file, what is being read, and how the replies become the import
//! the page shows.
//!
//! The file on screen has its worker (`current`), which re-validates it
//! for another mapping or mode. A file being opened gets a fresh worker
//! (`pending`); only once it is read whole does it replace the file on
//! screen, and the old worker is terminated, so its memory goes back.
//! Until then its first rows show provisionally, and a failure, a crash
//! or Cancel puts back what was there. A spare worker, started once the
//! page has rendered, takes the next file at once and writes files.

use std::sync::Arc;

use employee_import::export::Table;
use employee_import::session::{Assembly, ChunkError, EarlyRows, Outcomes, Reply, Request};
use employee_import::{
    CellEdit, ColumnMapping, Explained, Import, ImportOptions, Lang, LedgerRow, Mode, PasswordAsk,
    Reference, ReportRow, SavedJob, SheetRow, ValidationReport,
};
use leptos::prelude::*;

use crate::after_paint;
use crate::file;
use crate::storage;
use crate::worker::{Event, ReaderWorker, ToWorker};

/// The file on screen, as far as the page needs it (the bytes live in the
/// worker).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenFile {
    pub name: String,
    pub fingerprint: String,
}

/// How far a read has got, for its progress bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub file: String,
    /// Rows read so far and the rows the sheet says it spans; `None`
    /// until a reader that streams tells.
    pub rows: Option<(u32, Option<u32>)>,
    /// Once read: chunks of rows taken in, of how many.
    pub received: Option<(usize, usize)>,
}

impl Progress {
    /// A read of `file` that has told nothing yet.
    fn starting(file: String) -> Self {
        Progress {
            file,
            rows: None,
            received: None,
        }
    }
}

/// What went wrong while reading, for the page's notice.
#[derive(Debug, Clone)]
pub enum ReadFailure {
    /// The file cannot be opened (this way).
    Import { file: String, error: Arc<Explained> },
    /// The worker reading it died: a panic or memory exhausted.
    Crashed { file: String },
    /// The worker of the file on screen died; its choices need the file
    /// opened again.
    Gone,
    /// The browser could not give the file's bytes.
    File { file: String, cause: String },
    /// A file could not be written.
    Write(String),
}

/// The import and file on screen before a new file's first rows.
struct Shown {
    import: Option<Import>,
    file: Option<OpenFile>,
}

impl Shown {
    fn put_back(self, reading: Reading) {
        reading.import.set(self.import);
        reading.file.set(self.file);
    }
}

struct Pending {
    id: u64,
    worker: ReaderWorker,
    file: String,
    /// A new sheet or header row of the file on screen (its worker read
    /// it), rather than another file.
    reopen: bool,
    /// What the page showed before the first rows of this file replaced
    /// it, to put back if the file cannot be read.
    previous: Option<Shown>,
    fingerprint: String,
    resumed: bool,
    /// The sheet's rows sent ahead while the file is read, decoded as
    /// they come.
    early: EarlyRows,
    assembly: Option<Assembly<Import>>,
    /// Which company lists the worker was given before it read (0: none).
    lists: u64,
}

impl Pending {
    fn new(id: u64, worker: ReaderWorker, file: String, reopen: bool) -> Self {
        Pending {
            id,
            worker,
            file,
            reopen,
            previous: None,
            fingerprint: String::new(),
            resumed: false,
            early: EarlyRows::default(),
            assembly: None,
            lists: 0,
        }
    }
}

#[derive(Default)]
struct Workers {
    next_id: u64,
    current: Option<(u64, ReaderWorker)>,
    pending: Option<Pending>,
    spare: Option<(u64, ReaderWorker)>,
    revalidation: Option<Assembly<ValidationReport>>,
    lists: Option<Lists>,
    /// A spare reader's made-up rows went to `on_rehearsal`.
    rehearsed: bool,
}

/// The company's tags and organizations, as every reader resolves names
/// against them (the page itself judges no row).
struct Lists {
    /// Counts up from 1 with each load.
    version: u64,
    reference: Reference,
}

impl Lists {
    /// The version of `lists` (0: none).
    fn version(lists: Option<&Lists>) -> u64 {
        lists.map_or(0, |lists| lists.version)
    }

    /// Tells `worker` the lists, if any; their version.
    fn give(lists: Option<&Lists>, worker: &ReaderWorker) -> u64 {
        if let Some(lists) = lists {
            worker.ask(&ToWorker::session(Request::Names(Some(
                lists.reference.clone(),
            ))));
        }
        Lists::version(lists)
    }
}

impl Workers {
    fn lists_version(&self) -> u64 {
        Lists::version(self.lists.as_ref())
    }
}

/// The page's side of reading; `Copy`, so every callback can carry it.
#[derive(Clone, Copy)]
pub struct Reading {
    import: RwSignal<Option<Import>>,
    pub file: RwSignal<Option<OpenFile>>,
    pub progress: RwSignal<Option<Progress>>,
    /// Another mapping or mode is being applied to every row.
    pub revalidating: RwSignal<bool>,
    /// Edits the worker has not answered yet: until it has, the rows they
    /// touch are not final.
    edits_unanswered: RwSignal<u32>,
    /// A protected workbook waits for its password (its name).
    pub locked: RwSignal<Option<String>>,
    pub password_error: RwSignal<Option<Explained>>,
    on_failure: Callback<ReadFailure>,
    /// Told when a file was read whole (`true`: a saved job was resumed),
    /// or re-validated (`false`).
    on_ready: Callback<bool>,
    /// Given the first made-up rows a spare reader hands over.
    on_rehearsal: Callback<Box<Import>>,
    workers: StoredValue<Workers, LocalStorage>,
}

impl Reading {
    pub fn new(
        import: RwSignal<Option<Import>>,
        on_failure: Callback<ReadFailure>,
        on_ready: Callback<bool>,
        on_rehearsal: Callback<Box<Import>>,
    ) -> Self {
        Reading {
            import,
            file: RwSignal::new(None),
            progress: RwSignal::new(None),
            revalidating: RwSignal::new(false),
            edits_unanswered: RwSignal::new(0),
            locked: RwSignal::new(None),
            password_error: RwSignal::new(None),
            on_failure,
            on_ready,
            on_rehearsal,
            workers: StoredValue::new_local(Workers::default()),
        }
    }

    /// Whether a file is being read or re-validated: the rows on screen
    /// are not final.
    pub fn busy(self) -> bool {
        self.progress.with(Option::is_some) || self.revalidating.get()
    }

    /// Whether every edit's rows came back from the worker: until then
    /// they may be judged wrongly, and nothing is checked or sent (more
    /// edits may follow meanwhile).
    pub fn edits_answered(self) -> bool {
        self.edits_unanswered.get() == 0
    }

    /// Starts the spare worker, so the first file need not wait for one.
    pub fn warm_up(self) {
        if self.workers.with_value(|w| w.spare.is_none()) {
            if let Some(spare) = self.spawn() {
                self.workers.update_value(|w| w.spare = Some(spare));
            }
        }
    }

    fn spawn(self) -> Option<(u64, ReaderWorker)> {
        let id = self.workers.try_update_value(|w| {
            w.next_id += 1;
            w.next_id
        })?;
        match ReaderWorker::spawn(move |event| self.on_event(id, event)) {
            Ok(worker) => Some((id, worker)),
            Err(error) => {
                self.on_failure.run(ReadFailure::Write(error));
                None
            }
        }
    }

    /// Reads a file the admin picked, resuming the job among `saved`
    /// (looked up meanwhile: the file's bytes do not wait for it) that
    /// is of this very file.
    pub fn open_file(
        self,
        picked: web_sys::File,
        saved: impl std::future::Future<Output = Vec<SavedJob>> + 'static,
    ) {
        let name = picked.name();
        let Some((id, worker)) = self
            .workers
            .try_update_value(|w| w.spare.take())
            .flatten()
            .or_else(|| self.spawn())
        else {
            return;
        };
        // The worker reads the file while the page draws the progress
        // bar; the bytes never pass through the page.
        worker.load(&picked);
        self.cancel();
        self.locked.set(None);
        self.password_error.set(None);
        self.progress.set(Some(Progress::starting(name.clone())));
        self.workers
            .update_value(|w| w.pending = Some(Pending::new(id, worker, name, false)));
        leptos::task::spawn_local(async move {
            let request = Request::Open {
                options: ImportOptions::default(),
                saved: saved.await,
                mappings: storage::load_mappings(),
            };
            self.workers.update_value(|w| {
                if let Some(pending) = w.pending.as_mut().filter(|p| p.id == id) {
                    pending.lists = Lists::give(w.lists.as_ref(), &pending.worker);
                    pending.worker.ask(&ToWorker::session(request));
                }
            });
        });
    }

    /// Reads another sheet or header row of the file on screen.
    pub fn reopen(self, options: ImportOptions) {
        let Some(name) = self
            .file
            .with_untracked(|f| f.as_ref().map(|f| f.name.clone()))
        else {
            return;
        };
        let Some((id, worker)) = self
            .workers
            .try_update_value(|w| w.current.take())
            .flatten()
        else {
            self.on_failure.run(ReadFailure::Gone);
            return;
        };
        self.progress.set(Some(Progress::starting(name.clone())));
        worker.ask(&ToWorker::session(Request::Open {
            options,
            saved: Vec::new(),
            mappings: Vec::new(),
        }));
        self.workers.update_value(|w| {
            // The worker of the file on screen has the latest lists.
            let mut pending = Pending::new(id, worker, name, true);
            pending.lists = w.lists_version();
            w.pending = Some(pending);
        });
    }

    /// Tries the password the admin typed on the workbook waiting for it.
    pub fn password(self, password: String, saved: Vec<SavedJob>) {
        let file = self.workers.with_value(|w| {
            w.pending.as_ref().map(|pending| {
                pending.worker.ask(&ToWorker::session(Request::Password {
                    password,
                    saved,
                    mappings: storage::load_mappings(),
                }));
                pending.file.clone()
            })
        });
        if let Some(file) = file {
            self.progress.set(Some(Progress::starting(file)));
        }
    }

    /// Stops reading the file being opened; what the page showed before
    /// stays.
    pub fn cancel(self) {
        self.locked.set(None);
        self.password_error.set(None);
        self.drop_pending();
    }

    fn drop_pending(self) {
        let pending = self
            .workers
            .try_update_value(|w| w.pending.take())
            .flatten();
        self.progress.set(None);
        if let Some(pending) = pending {
            if let Some(previous) = pending.previous {
                previous.put_back(self);
            }
            if pending.reopen {
                // The file on screen keeps its worker.
                self.workers
                    .update_value(|w| w.current = Some((pending.id, pending.worker)));
            }
        }
    }

    /// Validates every row again for another mapping or mode, in the
    /// worker; outcomes and exclusions stay.
    pub fn revalidate(self, mapping: ColumnMapping, mode: Mode) {
        let sent = self.workers.with_value(|w| {
            w.current.as_ref().map(|(_, worker)| {
                worker.ask(&ToWorker::session(Request::Revalidate { mapping, mode }))
            })
        });
        match sent {
            Some(()) => self.revalidating.set(true),
            None => self.on_failure.run(ReadFailure::Gone),
        }
    }

    /// Resolves names against the company's lists from now on: the
    /// worker of the file on screen validates every row again, and every
    /// later reader gets them first.
    pub fn set_lists(self, reference: Reference) {
        self.workers.update_value(|w| {
            let version = w.lists_version() + 1;
            w.lists = Some(Lists { version, reference });
        });
        self.give_lists_to_current();
    }

    fn give_lists_to_current(self) {
        let asked = self.workers.with_value(|w| {
            let (_, worker) = w.current.as_ref()?;
            Lists::give(w.lists.as_ref(), worker);
            Some(())
        });
        let uses_names = self
            .import
            .with_untracked(|i| i.as_ref().is_some_and(|i| i.report.uses_names()));
        if asked.is_some() && uses_names {
            self.revalidating.set(true);
        }
    }

    /// Tells the worker of a cell the admin changed (already changed on
    /// the page): it judges the rows again and answers with them.
    pub fn edit(self, edit: CellEdit) {
        let asked = self.workers.with_value(|w| {
            let (_, worker) = w.current.as_ref()?;
            worker.ask(&ToWorker::session(Request::Edit(edit)));
            Some(())
        });
        match asked {
            Some(()) => self.edits_unanswered.update(|n| *n += 1),
            None => self.on_failure.run(ReadFailure::Gone),
        }
    }

    /// Writes the template in the worker and downloads it.
    pub fn write_template(self, mode: Mode, lang: Lang) {
        let reference = self
            .workers
            .with_value(|w| w.lists.as_ref().map(|lists| lists.reference.clone()));
        self.write(ToWorker::Template {
            mode,
            lang,
            reference,
        });
    }

    /// Writes a result table in the worker and downloads it as `name`.
    pub fn write_table(self, table: Table, csv: bool, name: String) {
        self.write(ToWorker::Table { table, csv, name });
    }

    fn write(self, message: ToWorker) {
        self.warm_up();
        self.workers.with_value(|w| {
            if let Some((_, spare)) = &w.spare {
                spare.ask(&message);
            }
        });
    }

    fn on_event(self, id: u64, event: Event) {
        match event {
            Event::Written(written) => {
                if let Err(error) = file::download(&written.name, &written.bytes, &written.mime) {
                    self.on_failure.run(ReadFailure::Write(error));
                }
            }
            Event::WriteFailed(error) => self.on_failure.run(ReadFailure::Write(error)),
            Event::Unreadable(cause) => {
                let file = self.workers.with_value(|w| {
                    w.pending
                        .as_ref()
                        .filter(|p| p.id == id)
                        .map(|p| p.file.clone())
                });
                if let Some(file) = file {
                    self.drop_pending();
                    self.on_failure.run(ReadFailure::File { file, cause });
                }
            }
            Event::Crashed => self.crashed(id),
            Event::Reply(reply) => self.on_reply(id, reply),
            // Only the first: the page's code is warm after it.
            Event::Rehearsal(import) => {
                let first = self
                    .workers
                    .try_update_value(|w| !std::mem::replace(&mut w.rehearsed, true));
                if first == Some(true) {
                    self.on_rehearsal.run(import);
                }
            }
        }
    }

    /// Rows the page cannot decode (a worker of another build): the
    /// worker is treated as dead, so nothing half-read is shown.
    fn undecodable(self, id: u64, error: ChunkError) {
        web_sys::console::error_1(&error.to_string().into());
        self.crashed(id);
    }

    fn crashed(self, id: u64) {
        // The dead worker's closures are running: it is dropped only
        // after this event (see `ReaderWorker`'s Drop).
        let pending = self
            .workers
            .try_update_value(|w| match &w.pending {
                Some(p) if p.id == id => w.pending.take(),
                _ => None,
            })
            .flatten();
        let (was_current, was_spare) = self.workers.with_value(|w| {
            (
                w.current.as_ref().is_some_and(|(c, _)| *c == id),
                w.spare.as_ref().is_some_and(|(s, _)| *s == id),
            )
        });
        if let Some(pending) = pending {
            if let Some(previous) = pending.previous {
                previous.put_back(self);
            }
            self.progress.set(None);
            self.locked.set(None);
            if pending.reopen {
                self.on_failure.run(ReadFailure::Gone);
            }
            self.on_failure
                .run(ReadFailure::Crashed { file: pending.file });
        } else if was_current {
            self.workers.update_value(|w| w.current = None);
            self.revalidating.set(false);
            self.edits_unanswered.set(0);
            self.workers.update_value(|w| w.revalidation = None);
            self.on_failure.run(ReadFailure::Gone);
        } else if was_spare {
            self.workers.update_value(|w| w.spare = None);
            self.on_failure.run(ReadFailure::Write(
                "the worker that writes files stopped".to_owned(),
            ));
        }
    }

    fn on_reply(self, id: u64, reply: Reply) {
        let is_pending = self
            .workers
            .with_value(|w| w.pending.as_ref().is_some_and(|p| p.id == id));
        if !is_pending {
            // The file on screen: a re-validation.
            if self
                .workers
                .with_value(|w| w.current.as_ref().is_some_and(|(c, _)| *c == id))
            {
                self.on_revalidation(id, reply);
            }
            return;
        }
        match reply {
            Reply::Progress { rows, total } => {
                if let Some(total) = total {
                    self.workers.update_value(|w| {
                        if let Some(p) = &mut w.pending {
                            p.early.expect(rows, total);
                        }
                    });
                }
                self.progress.update(|p| {
                    if let Some(p) = p {
                        p.rows = Some((rows, total));
                    }
                });
            }
            Reply::First {
                import,
                fingerprint,
            } => {
                // Moved out, not cloned: a 100,000-row import is big.
                let previous = Shown {
                    import: self.import.try_update_untracked(Option::take).flatten(),
                    file: self.file.get_untracked(),
                };
                let file = self
                    .workers
                    .with_value(|w| w.pending.as_ref().map(|p| p.file.clone()));
                self.workers.update_value(|w| {
                    if let Some(p) = &mut w.pending {
                        p.previous.get_or_insert(previous);
                        p.fingerprint = fingerprint.clone();
                    }
                });
                self.import.set(Some(*import));
                // The rows on screen are this file's: so is the name above.
                self.file.set(file.map(|name| OpenFile {
                    name,
                    fingerprint: fingerprint.clone(),
                }));
            }
            Reply::Rows {
                sheet,
                start,
                chunk,
            } => {
                let taken = self.workers.try_update_value(|w| {
                    let p = w.pending.as_mut()?;
                    let chunk = page_wire::decode_chunk(&chunk);
                    Some(chunk.map(|chunk| p.early.push(sheet, start, chunk)))
                });
                if let Some(Some(Err(error))) = taken {
                    self.undecodable(id, error);
                }
            }
            Reply::Opened {
                head,
                fingerprint,
                resumed,
                early,
                early_report,
                chunks,
                outcomes,
            } => {
                let taken = self.workers.try_update_value(|w| {
                    let p = w.pending.as_mut()?;
                    p.fingerprint = fingerprint;
                    p.resumed = resumed;
                    let sheet = head.sheet.name.clone();
                    let mut assembly = Assembly::new(*head, chunks, outcomes);
                    let taken = std::mem::take(&mut p.early).take(&sheet, early, early_report);
                    let taken = taken.map(|rows| assembly.take_early(rows));
                    p.assembly = Some(assembly);
                    Some(taken)
                });
                if let Some(Some(Err(error))) = taken {
                    return self.undecodable(id, error);
                }
                self.received(0, chunks);
                if chunks == 0 {
                    self.finish_open_soon(id);
                }
            }
            Reply::Chunk(chunk) => {
                let received = self.workers.try_update_value(|w| {
                    let assembly = w.pending.as_mut()?.assembly.as_mut()?;
                    Some(page_wire::decode_chunk(&chunk).map(|chunk| {
                        assembly.push(chunk);
                        assembly.received()
                    }))
                });
                match received.flatten() {
                    Some(Ok((done, of))) => {
                        self.received(done, of);
                        if done == of {
                            self.finish_open_soon(id);
                        }
                    }
                    Some(Err(error)) => self.undecodable(id, error),
                    None => {}
                }
            }
            Reply::Failed { error, .. } => {
                let file = self
                    .workers
                    .with_value(|w| w.pending.as_ref().map(|p| p.file.clone()))
                    .unwrap_or_default();
                if let Some(ask) = error.password {
                    // The worker keeps the file, waiting for the password.
                    self.progress.set(None);
                    self.password_error
                        .set((ask == PasswordAsk::Wrong).then_some(error));
                    self.locked.set(Some(file));
                    return;
                }
                self.cancel();
                self.on_failure.run(ReadFailure::Import {
                    file,
                    error: Arc::new(error),
                });
            }
            Reply::Revalidated { .. } | Reply::Edited { .. } => {}
        }
    }

    fn received(self, done: usize, of: usize) {
        // Every tenth chunk is often enough for the bar, and spares the
        // page a render per chunk.
        if !done.is_multiple_of(10) && done != of {
            return;
        }
        self.progress.update(|p| {
            if let Some(p) = p {
                p.received = Some((done, of));
            }
        });
    }

    /// `finish_open` of the read by worker `id`, in a task of its own:
    /// the page's render of the finished import is a task of tens of
    /// milliseconds, and so is taking in the rows before it. A read
    /// stopped or replaced meanwhile is left alone.
    fn finish_open_soon(self, id: u64) {
        gloo_timers::callback::Timeout::new(0, move || {
            if self
                .workers
                .with_value(|w| w.pending.as_ref().is_some_and(|p| p.id == id))
            {
                self.finish_open();
            }
        })
        .forget();
    }

    fn finish_open(self) {
        let Some(pending) = self
            .workers
            .try_update_value(|w| w.pending.take())
            .flatten()
        else {
            return;
        };
        let Some(assembly) = pending.assembly else {
            return;
        };
        let whole = assembly.into_whole();
        let stale = self
            .workers
            .with_value(|w| pending.lists != w.lists_version());
        let name = pending.file.clone();
        if let Some(import) = pending.previous.and_then(|previous| previous.import) {
            free_in_steps(import);
        }
        // The old file's worker goes, and its memory with it.
        self.workers.update_value(|w| {
            w.current = Some((pending.id, pending.worker));
            w.revalidation = None;
        });
        self.revalidating.set(false);
        // Edits of the file before, if any were unanswered, went with it.
        self.edits_unanswered.set(0);
        self.import.set(Some(whole));
        if stale {
            // The lists came while the file was being read.
            self.give_lists_to_current();
        }
        self.file.set(Some(OpenFile {
            name,
            fingerprint: pending.fingerprint,
        }));
        self.progress.set(None);
        self.locked.set(None);
        self.password_error.set(None);
        self.on_ready.run(pending.resumed);
        // The next file's spare reader compiles its wasm on another core,
        // and would compete with the finished report's first frame.
        after_paint(move || self.warm_up());
    }

    fn on_revalidation(self, id: u64, reply: Reply) {
        let report = match reply {
            Reply::Edited { rows } => {
                self.import.update(|current| {
                    if let Some(current) = current {
                        current.take_rows(rows);
                    }
                });
                self.edits_unanswered.update(|n| *n = n.saturating_sub(1));
                // Rows an edit made valid are looked up before sending.
                self.on_ready.run(false);
                return;
            }
            Reply::Revalidated { head, chunks } => {
                let assembly = Assembly::new(*head, chunks, Outcomes::default());
                if !assembly.is_complete() {
                    self.workers
                        .update_value(|w| w.revalidation = Some(assembly));
                    return;
                }
                assembly.into_whole()
            }
            Reply::Chunk(chunk) => {
                let whole = self.workers.try_update_value(|w| {
                    let assembly = w.revalidation.as_mut()?;
                    match page_wire::decode_chunk(&chunk).map(|chunk| assembly.push(chunk)) {
                        Ok(false) => None,
                        Ok(true) => w.revalidation.take().map(|a| Ok(a.into_whole())),
                        Err(error) => Some(Err(error)),
                    }
                });
                match whole.flatten() {
                    Some(Ok(report)) => report,
                    Some(Err(error)) => return self.undecodable(id, error),
                    None => return,
                }
            }
            _ => return,
        };
        self.import.update(|current| {
            if let Some(current) = current {
                current.set_report(report);
            }
        });
        self.revalidating.set(false);
        self.on_ready.run(false);
    }
}

/// Frees an import that left the screen a few thousand rows per task:
/// freeing 100,000 rows' strings at once (sheet, report and both
/// ledgers) is a task of about 100 ms. The first step waits for the next
/// frame to be painted: the import that replaced it shows first.
fn free_in_steps(import: Import) {
    struct Rows(
        Vec<SheetRow>,
        Vec<ReportRow>,
        Vec<LedgerRow>,
        Vec<LedgerRow>,
    );
    fn cut<T>(rows: &mut Vec<T>) -> bool {
        const ROWS: usize = 5_000;
        rows.truncate(rows.len().saturating_sub(ROWS));
        rows.is_empty()
    }
    fn step(mut rows: Rows) {
        let emptied = [
            cut(&mut rows.0),
            cut(&mut rows.1),
            cut(&mut rows.2),
            cut(&mut rows.3),
        ];
        if emptied.contains(&false) {
            gloo_timers::callback::Timeout::new(0, move || step(rows)).forget();
        }
    }
    after_paint(move || {
        // The rest (pre-flight's directory, the choices) goes now.
        let Import {
            sheet,
            report,
            ledger,
            emails,
            ..
        } = import;
        step(Rows(
            sheet.rows,
            report.rows,
            ledger.into_rows(),
            emails.into_rows(),
        ));
    });
}
