//! The reading side of the page/worker split, sans I/O.
//!
//! A [`Session`] owns one file's bytes and everything that reads them: the
//! workbook reader, header detection, mapping, whole-sheet validation. The
//! shell runs it in a Web Worker and passes it [`Request`]s; it answers
//! with [`Reply`]s through a callback, as they happen: progress and the
//! first screen of rows while a big sheet is still being read, then the
//! finished [`Import`] cut into [`Chunk`]s that the page can take in one
//! at a time without freezing (see [`Assembly`]).
//!
//! Chunks travel encoded with postcard, a compact binary form of the same
//! serde types: on 100,000 rows it is 23 MB against JSON's 66 MB, and
//! decodes in less than half the time. They carry the sheet's and the
//! report's rows only; the page derives each row's ledger entry from its
//! report row, as the worker did, and the few rows whose state says more
//! (an outcome, an exclusion) come once with the head, as [`Outcomes`].
//!
//! The page keeps its own copy of the import, because it owns the
//! outcomes of a run, which must outlive a worker that crashed on another
//! file. Both copies apply the same cell edits, so a later re-validation
//! here sees what the page sees.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::import::{CellEdit, Explained, Import, ImportError, ImportOptions};
use crate::job::{fingerprint, SavedJob};
use crate::ledger::{Ledger, LedgerRow, RowState};
use crate::mapping::ColumnMapping;
use crate::names::{Names, Reference};
use crate::sheet::{decrypt_workbook, Limits, ReadProgress, ReadWatch, Sheet, SheetRow, Workbook};
use crate::validate::{Judged, Mode, ReportRow, Taken, ValidationReport};

/// Rows per [`Chunk`]: small enough for the page to take one in a few
/// milliseconds.
pub const CHUNK_ROWS: usize = 1_000;

/// What the page asks of the file's session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Read the file with these choices (`None`: decide). A saved job of
    /// the same file is resumed instead; a stored mapping of the same
    /// headers is applied when the mapping is left to the importer.
    Open {
        options: ImportOptions,
        saved: Vec<SavedJob>,
        mappings: Vec<ColumnMapping>,
    },
    /// Decrypt the protected workbook held with this password, then open
    /// it as `Open` would. The password is dropped once tried.
    Password {
        password: String,
        saved: Vec<SavedJob>,
        mappings: Vec<ColumnMapping>,
    },
    /// Validate every row again for another mapping or mode.
    Revalidate { mapping: ColumnMapping, mode: Mode },
    /// The admin changed a cell: the session's copy changes and judges
    /// the rows again; an `Edited` reply follows.
    Edit(CellEdit),
    /// The company's tags and organizations were loaded (or are gone):
    /// names are resolved against them from now on; an open import with a
    /// tag or organization column is validated again (a `Revalidated`
    /// reply follows; see `ValidationReport::uses_names`).
    Names(Option<Reference>),
}

/// What the session tells the page.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// Rows read so far, and the rows the sheet says it spans.
    Progress { rows: u32, total: Option<u32> },
    /// The first screen of rows, mapped and validated, while the rest is
    /// still being read. Provisional: duplicates are judged among these
    /// rows only.
    First {
        import: Box<Import>,
        fingerprint: String,
    },
    /// Rows of `sheet` from index `start`, read so far, sent while the
    /// rest of the file is read so that the page decodes them meanwhile
    /// (see [`EarlyRows`]): a [`Chunk`], encoded, of sheet rows and the
    /// report rows of the data rows among them, judged early
    /// ([`crate::validate::judge_early`]). A `start` of 0 begins again
    /// (another sheet, or the sheet read again).
    Rows {
        sheet: String,
        start: u32,
        #[serde(with = "serde_bytes")]
        chunk: Vec<u8>,
    },
    /// The whole import, without its rows; `chunks` [`Reply::Chunk`]s
    /// follow with them. The first `early` sheet rows and `early_report`
    /// report rows are those sent before by [`Reply::Rows`]; the chunks'
    /// rows come after them, with corrections to the early report rows
    /// that the whole sheet changed.
    Opened {
        head: Box<Import>,
        fingerprint: String,
        /// The saved job was resumed.
        resumed: bool,
        early: u32,
        early_report: u32,
        chunks: usize,
        outcomes: Outcomes,
    },
    /// A new report for another mapping or mode, without its rows;
    /// `chunks` chunks follow.
    Revalidated {
        head: Box<ValidationReport>,
        chunks: usize,
    },
    /// The rows an edit judged again, by index: the page takes them in
    /// ([`Import::take_rows`]) and never judges a row itself.
    Edited { rows: Vec<(u32, ReportRow)> },
    /// One [`Chunk`], encoded: see [`encode_chunks`].
    Chunk(#[serde(with = "serde_bytes")] Vec<u8>),
    /// The file cannot be opened (or opened this way); whatever the page
    /// shows stays.
    Failed {
        error: Explained,
        fingerprint: String,
    },
}

/// A run of rows of an import or report in transit: consecutive slices of
/// the sheet's rows and of the report's rows (empty when not part of the
/// transfer), and report rows sent before that changed, by index.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Chunk {
    pub sheet_rows: Vec<SheetRow>,
    pub report_rows: Vec<ReportRow>,
    pub corrections: Vec<(u32, ReportRow)>,
}

/// A [`Chunk`] borrowed from the whole; encodes exactly as a `Chunk`.
#[derive(Serialize)]
struct ChunkOf<'a> {
    sheet_rows: &'a [SheetRow],
    report_rows: &'a [ReportRow],
    corrections: &'a [(u32, ReportRow)],
}

/// A chunk that did not decode: the page and the worker are not the same
/// build, or the bytes were cut.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("a chunk of rows from the reader could not be decoded: {0}")]
pub struct ChunkError(String);

impl ChunkError {
    /// A decoder's own words for what did not decode.
    pub fn new(detail: impl Into<String>) -> Self {
        ChunkError(detail.into())
    }
}

/// Cuts the rows into encoded chunks of [`CHUNK_ROWS`], without copying
/// the rows themselves.
/// The iterator is lazy and exact-sized: the head can say how many
/// chunks follow before the first is encoded, so the page decodes one
/// while the next is encoded.
pub fn encode_chunks<'a>(
    sheet_rows: &'a [SheetRow],
    report_rows: &'a [ReportRow],
    corrections: &'a [(u32, ReportRow)],
) -> impl ExactSizeIterator<Item = Vec<u8>> + 'a {
    fn slice<T>(rows: &[T], chunk: usize) -> &[T] {
        let start = (chunk * CHUNK_ROWS).min(rows.len());
        &rows[start..(start + CHUNK_ROWS).min(rows.len())]
    }
    let longest = sheet_rows
        .len()
        .max(report_rows.len())
        .max(corrections.len());
    (0..longest.div_ceil(CHUNK_ROWS)).map(move |chunk| {
        let of = ChunkOf {
            sheet_rows: slice(sheet_rows, chunk),
            report_rows: slice(report_rows, chunk),
            corrections: slice(corrections, chunk),
        };
        encode(&of)
    })
}

pub fn decode_chunk(bytes: &[u8]) -> Result<Chunk, ChunkError> {
    decode(bytes)
}

/// A message between the worker and the page (a [`Reply`] inside the
/// shell's envelope) in the chunks' binary form. The page then carries
/// one decoder per type, postcard's, and no JSON decoder for any of them:
/// that alone is a twentieth of what its first render downloads.
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    // Plain data into a Vec: encoding cannot fail.
    postcard::to_allocvec(message).unwrap_or_default()
}

pub fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ChunkError> {
    postcard::from_bytes(bytes).map_err(|error| ChunkError(error.to_string()))
}

/// The ledger rows whose state cannot be derived from the report row
/// (anything but ready or invalid; for e-mail changes, anything but
/// left out), sent once beside the chunks.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Outcomes {
    pub ledger: Vec<LedgerRow>,
    pub emails: Vec<LedgerRow>,
}

impl Outcomes {
    fn of(import: &Import) -> Outcomes {
        let kept = |rows: &[LedgerRow], derived: fn(&RowState) -> bool| -> Vec<LedgerRow> {
            rows.iter()
                .filter(|row| !derived(&row.state))
                .cloned()
                .collect()
        };
        Outcomes {
            ledger: kept(import.ledger.rows(), |state| {
                matches!(state, RowState::Ready | RowState::Invalid)
            }),
            emails: kept(import.emails.rows(), |state| *state == RowState::Excluded),
        }
    }
}

/// One file's reading state.
pub struct Session {
    bytes: Vec<u8>,
    fingerprint: String,
    import: Option<Import>,
    names: Option<Arc<Names>>,
}

impl Session {
    pub fn new(bytes: Vec<u8>) -> Session {
        Session {
            fingerprint: fingerprint(&bytes),
            bytes,
            import: None,
            names: None,
        }
    }

    /// The file's fingerprint (of its bytes as given, before decryption).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Answers `request`, telling `out` each reply as it happens.
    pub fn handle(&mut self, request: Request, out: &mut dyn FnMut(Reply)) {
        match request {
            Request::Open {
                options,
                saved,
                mappings,
            } => self.open(&options, saved, &mappings, out),
            Request::Password {
                password,
                saved,
                mappings,
            } => match decrypt_workbook(&self.bytes, &password) {
                Ok(plain) => {
                    // The decrypted workbook stands in for the file from
                    // now on; the fingerprint stays the file's own.
                    self.bytes = plain;
                    self.open(&ImportOptions::default(), saved, &mappings, out);
                }
                Err(error) => out(self.failed(error.into())),
            },
            Request::Revalidate { mapping, mode } => {
                if let Some(import) = &mut self.import {
                    import.revalidate(mapping, mode);
                    revalidated(import, out);
                }
            }
            Request::Names(reference) => {
                self.names = reference.map(|reference| Arc::new(Names::new(reference)));
                if let Some(import) = &mut self.import {
                    if import.set_names(self.names.clone()) {
                        revalidated(import, out);
                    }
                }
            }
            Request::Edit(edit) => {
                if let Some(import) = &mut self.import {
                    let touched = import.edit_cell_touched(edit.row, edit.field, &edit.text);
                    let rows = touched
                        .into_iter()
                        .map(|index| (index as u32, import.report.rows[index].clone()))
                        .collect();
                    out(Reply::Edited { rows });
                }
            }
        }
    }

    fn failed(&self, error: ImportError) -> Reply {
        Reply::Failed {
            error: Explained::of(&error),
            fingerprint: self.fingerprint.clone(),
        }
    }

    fn open(
        &mut self,
        options: &ImportOptions,
        saved: Vec<SavedJob>,
        mappings: &[ColumnMapping],
        out: &mut dyn FnMut(Reply),
    ) {
        let saved = saved
            .into_iter()
            .find(|job| job.fingerprint == self.fingerprint);
        let resumed = saved.is_some();
        let options = &ImportOptions {
            names: self.names.clone(),
            ..options.clone()
        };
        let opened = match &saved {
            Some(job) => Import::resume(&self.bytes, job).map(|mut import| {
                if self.names.is_some() {
                    import.set_names(self.names.clone());
                }
                (import, 0, Taken::default())
            }),
            None => {
                let mut first = FirstRows {
                    options,
                    mappings,
                    fingerprint: &self.fingerprint,
                    out: &mut *out,
                    shown: false,
                    streamed: Streamed::Nothing,
                };
                Import::read_watched(&self.bytes, options, &mut first).and_then(|workbook| {
                    let (early, judged) = first.streamed.take(&workbook.sheet);
                    let (import, taken) =
                        Import::from_workbook_judged(workbook, options, mappings, judged)?;
                    Ok((import, early, taken))
                })
            }
        };
        match opened {
            Ok((import, early, taken)) => {
                let import = self.import.insert(import);
                let corrections: Vec<(u32, ReportRow)> = taken
                    .changed
                    .iter()
                    .map(|&index| (index as u32, import.report.rows[index].clone()))
                    .collect();
                let chunks = encode_chunks(
                    &import.sheet.rows[early..],
                    &import.report.rows[taken.rows..],
                    &corrections,
                );
                out(Reply::Opened {
                    head: Box::new(import_head(import)),
                    fingerprint: self.fingerprint.clone(),
                    resumed,
                    early: early as u32,
                    early_report: taken.rows as u32,
                    chunks: chunks.len(),
                    outcomes: Outcomes::of(import),
                });
                chunks.for_each(|chunk| out(Reply::Chunk(chunk)));
            }
            Err(error) => out(self.failed(error)),
        }
    }
}

/// Sends the import's report, validated again, to the page.
fn revalidated(import: &Import, out: &mut dyn FnMut(Reply)) {
    let chunks = encode_chunks(&[], &import.report.rows, &[]);
    out(Reply::Revalidated {
        head: Box::new(report_head(&import.report)),
        chunks: chunks.len(),
    });
    chunks.for_each(|chunk| out(Reply::Chunk(chunk)));
}

/// The report without its rows.
fn report_head(report: &ValidationReport) -> ValidationReport {
    ValidationReport {
        mode: report.mode,
        mapping: report.mapping.clone(),
        missing_fields: report.missing_fields.clone(),
        unused_fields: report.unused_fields.clone(),
        rows: Vec::new(),
        // Not sent: the page sets its own.
        names: None,
    }
}

/// The import without its rows: those of its sheet, report and ledgers.
fn import_head(import: &Import) -> Import {
    Import {
        format: import.format,
        sheets: import.sheets.clone(),
        sheet: Sheet {
            name: import.sheet.name.clone(),
            rows: Vec::new(),
        },
        header_row: import.header_row,
        report: report_head(&import.report),
        ledger: Ledger::default(),
        edits: import.edits.clone(),
        directory: import.directory.clone(),
        seen_free: import.seen_free.clone(),
        switched: import.switched.clone(),
        unchanged_included: import.unchanged_included.clone(),
        sent_as_update: import.sent_as_update.clone(),
        emails: Ledger::default(),
    }
}

/// Shows the first screen of rows of a sheet as soon as they are read,
/// and then how far the read has got.
struct FirstRows<'a> {
    options: &'a ImportOptions,
    mappings: &'a [ColumnMapping],
    fingerprint: &'a str,
    out: &'a mut dyn FnMut(Reply),
    shown: bool,
    streamed: Streamed,
}

/// The rows sent ahead of the import ([`Reply::Rows`]).
enum Streamed {
    Nothing,
    /// `rows` sheet rows, and `judged`'s report rows: its sheet's.
    Sheet {
        rows: usize,
        judged: Judged,
    },
    /// A cell went back into a row already sent: nothing sent counts.
    Stopped,
}

impl Streamed {
    /// How many of `sheet`'s rows were sent ahead, as they are in it, and
    /// the report rows judged and sent with them.
    fn take(&mut self, sheet: &Sheet) -> (usize, Option<Judged>) {
        match std::mem::replace(self, Streamed::Nothing) {
            // `Import::from_workbook_judged` takes the report rows only
            // if they are the sheet's first data rows, judged alike.
            Streamed::Sheet { rows, judged } if judged.sheet == sheet.name => {
                (rows.min(sheet.rows.len()), Some(judged))
            }
            _ => (0, None),
        }
    }
}

impl FirstRows<'_> {
    /// Sends the rows read since the last report, and the report rows of
    /// those that are data rows, judged with the choices of the first
    /// screen: the page decodes them while the rest is read, instead of
    /// after.
    fn stream(&mut self, progress: &ReadProgress<'_>, first: Option<Judged>) {
        if !progress.in_order {
            self.streamed = Streamed::Stopped;
        }
        let streamed = std::mem::replace(&mut self.streamed, Streamed::Nothing);
        let (start, mut judged) = match (streamed, first) {
            (Streamed::Stopped, _) => {
                self.streamed = Streamed::Stopped;
                return;
            }
            (_, Some(first)) => (0, first),
            (Streamed::Sheet { rows, judged }, None)
                if judged.sheet == progress.sheet && rows <= progress.rows.len() =>
            {
                (rows, judged)
            }
            // Another sheet, or this one read again from its start: its
            // rows are judged with the first screen's choices.
            (Streamed::Sheet { mut judged, .. }, None) => {
                judged.restart(progress.sheet);
                (0, judged)
            }
            (Streamed::Nothing, None) => return,
        };
        let names = self.options.names.as_deref();
        // A chunk's worth at a time: the page takes each in one short task.
        for (index, rows) in progress.rows[start..].chunks(CHUNK_ROWS).enumerate() {
            let chunk = encode(&ChunkOf {
                sheet_rows: rows,
                report_rows: judged.judge(rows, names),
                corrections: &[],
            });
            (self.out)(Reply::Rows {
                sheet: progress.sheet.to_owned(),
                start: (start + index * CHUNK_ROWS) as u32,
                chunk,
            });
        }
        self.streamed = Streamed::Sheet {
            rows: progress.rows.len(),
            judged,
        };
    }
}

impl ReadWatch for FirstRows<'_> {
    fn rows_read(&mut self, progress: &ReadProgress<'_>) {
        let mut first = None;
        if !self.shown {
            let workbook = Workbook {
                format: progress.format,
                sheets: progress.sheets.to_vec(),
                sheet: Sheet {
                    name: progress.sheet.to_owned(),
                    rows: progress.rows.to_vec(),
                },
            };
            // A sheet whose first rows hold no header is not shown: the
            // reader goes on to a sheet that has one.
            let shown = Import::from_workbook_judged(workbook, self.options, self.mappings, None);
            if let Ok((import, _)) = shown {
                self.shown = true;
                first = Some(Judged::new(
                    import.sheet.name.clone(),
                    import.header_row,
                    import.report.mapping.clone(),
                    import.report.mode,
                ));
                (self.out)(Reply::First {
                    import: Box::new(import),
                    fingerprint: self.fingerprint.to_owned(),
                });
            }
        }
        if self.shown {
            self.stream(progress, first);
        }
        (self.out)(Reply::Progress {
            rows: progress.rows.len() as u32,
            total: progress.total,
        });
    }
}

/// The rows the page took in while the file was read ([`Reply::Rows`]),
/// kept for the assembly that [`Reply::Opened`] begins.
#[derive(Debug, Default)]
pub struct EarlyRows {
    sheet: String,
    rows: Vec<SheetRow>,
    report: Vec<ReportRow>,
    /// Both ledgers' rows for the report rows, made as they come: made
    /// at once when the file is read whole, for 100,000 rows, they held
    /// the page for over 50 ms.
    ledger: Vec<LedgerRow>,
    emails: Vec<LedgerRow>,
    /// A piece came out of step: none of it can be used.
    broken: bool,
}

/// The rows sent ahead, as [`EarlyRows::take`] gives them to the
/// assembly: sheet rows, report rows, and each report row's row of both
/// ledgers.
#[derive(Debug, Default)]
pub struct Early {
    sheet_rows: Vec<SheetRow>,
    report_rows: Vec<ReportRow>,
    ledger: Vec<LedgerRow>,
    emails: Vec<LedgerRow>,
}

impl EarlyRows {
    /// Makes room at once for the rows a sheet says it spans
    /// ([`Reply::Progress`]), once `read` of them are read: growing by
    /// doubling would hold the old and the new vector at once, tens of
    /// megabytes of report rows that the page's memory keeps ever after.
    /// Only for a sheet with thousands of rows read (a sheet may claim
    /// more than it holds), and never beyond the reader's row limit.
    pub fn expect(&mut self, read: u32, total: u32) {
        const SURE: u32 = 5_000;
        if read < SURE {
            return;
        }
        let total = total.min(Limits::default().max_rows + 1) as usize;
        self.rows.reserve(total.saturating_sub(self.rows.len()));
        self.report.reserve(total.saturating_sub(self.report.len()));
        self.ledger.reserve(total.saturating_sub(self.ledger.len()));
        self.emails.reserve(total.saturating_sub(self.emails.len()));
    }

    /// Keeps the rows of a [`Reply::Rows`], decoded ([`decode_chunk`]).
    pub fn push(&mut self, sheet: String, start: u32, chunk: Chunk) {
        let ledger = Ledger::new_rows(&chunk.report_rows);
        let emails = Ledger::untouched_rows(&chunk.report_rows);
        if start == 0 {
            *self = EarlyRows {
                sheet,
                rows: chunk.sheet_rows,
                report: chunk.report_rows,
                ledger,
                emails,
                broken: false,
            };
        } else if self.sheet == sheet && self.rows.len() == start as usize {
            self.rows.extend(chunk.sheet_rows);
            self.report.extend(chunk.report_rows);
            self.ledger.extend(ledger);
            self.emails.extend(emails);
        } else {
            self.broken = true;
        }
    }

    /// The first `count` sheet rows and `report` report rows of `sheet`,
    /// as `Opened` announces them.
    pub fn take(self, sheet: &str, count: u32, report: u32) -> Result<Early, ChunkError> {
        let (count, report) = (count as usize, report as usize);
        if count == 0 && report == 0 {
            return Ok(Early::default());
        }
        if self.broken
            || self.sheet != sheet
            || self.rows.len() < count
            || self.report.len() < report
        {
            return Err(ChunkError(format!(
                "{count} rows and {report} judged rows of sheet \"{sheet}\" were announced, \
                 {} and {} of \"{}\" arrived",
                self.rows.len(),
                self.report.len(),
                self.sheet
            )));
        }
        let mut early = Early {
            sheet_rows: self.rows,
            report_rows: self.report,
            ledger: self.ledger,
            emails: self.emails,
        };
        early.sheet_rows.truncate(count);
        early.report_rows.truncate(report);
        early.ledger.truncate(report);
        early.emails.truncate(report);
        Ok(early)
    }
}

/// An import or report being put back together from its chunks, on the
/// page.
#[derive(Debug)]
pub struct Assembly<T> {
    whole: T,
    chunks: usize,
    missing: usize,
    outcomes: Outcomes,
    reserved: bool,
}

impl<T: Assemble> Assembly<T> {
    pub fn new(head: T, chunks: usize, outcomes: Outcomes) -> Self {
        let mut assembly = Assembly {
            whole: head,
            chunks,
            missing: chunks,
            outcomes,
            reserved: false,
        };
        if chunks == 0 {
            assembly.finish();
        }
        assembly
    }

    /// Room for every row the chunks bring, at once, unless rows were
    /// taken early: growing a 100,000-row vector step by step copies it
    /// over and over, each time in one long task.
    fn reserve(&mut self) {
        if !std::mem::replace(&mut self.reserved, true) {
            self.whole.reserve(self.chunks * CHUNK_ROWS);
        }
    }

    /// Chunks taken in, of how many.
    pub fn received(&self) -> (usize, usize) {
        (self.chunks - self.missing, self.chunks)
    }

    /// Adds the next chunk, decoded ([`decode_chunk`]); whether the
    /// whole is complete.
    pub fn push(&mut self, chunk: Chunk) -> bool {
        self.reserve();
        self.whole.take_chunk(chunk);
        self.missing = self.missing.saturating_sub(1);
        if self.missing == 0 {
            self.finish();
        }
        self.missing == 0
    }

    fn finish(&mut self) {
        self.whole.take_outcomes(std::mem::take(&mut self.outcomes));
    }

    pub fn is_complete(&self) -> bool {
        self.missing == 0
    }

    pub fn into_whole(self) -> T {
        self.whole
    }
}

impl Assembly<Import> {
    /// The rows sent ahead ([`EarlyRows::take`]), before any chunk:
    /// moved in, not copied, with the room [`EarlyRows::expect`] made for
    /// the rest. Reserving more here would copy every row into a vector
    /// twice as big, both held at once.
    pub fn take_early(&mut self, early: Early) {
        self.reserved = !(early.sheet_rows.is_empty() && early.report_rows.is_empty());
        let import = &mut self.whole;
        append(&mut import.sheet.rows, early.sheet_rows);
        append(&mut import.report.rows, early.report_rows);
        import.ledger.extend_rows(early.ledger);
        import.emails.extend_rows(early.emails);
    }
}

/// Appends `rows` to `to`; into an empty vector without room for them,
/// by moving the vector in rather than copying its rows.
pub(crate) fn append<T>(to: &mut Vec<T>, rows: Vec<T>) {
    if to.is_empty() && to.capacity() < rows.len() {
        *to = rows;
    } else {
        to.extend(rows);
    }
}

/// What [`Assembly`] can put together.
pub trait Assemble {
    fn reserve(&mut self, rows: usize);
    fn take_chunk(&mut self, chunk: Chunk);
    fn take_outcomes(&mut self, _outcomes: Outcomes) {}
}

impl Assemble for Import {
    fn reserve(&mut self, rows: usize) {
        self.sheet.rows.reserve(rows);
        self.report.rows.reserve(rows);
        self.ledger.reserve(rows);
        self.emails.reserve(rows);
    }

    fn take_chunk(&mut self, chunk: Chunk) {
        append(&mut self.sheet.rows, chunk.sheet_rows);
        self.ledger
            .extend_rows(Ledger::new_rows(&chunk.report_rows));
        self.emails
            .extend_rows(Ledger::untouched_rows(&chunk.report_rows));
        append(&mut self.report.rows, chunk.report_rows);
        if !chunk.corrections.is_empty() {
            self.take_rows(chunk.corrections);
        }
    }

    fn take_outcomes(&mut self, outcomes: Outcomes) {
        self.ledger.put_rows(outcomes.ledger);
        self.emails.put_rows(outcomes.emails);
    }
}

impl Assemble for ValidationReport {
    fn reserve(&mut self, rows: usize) {
        self.rows.reserve(rows);
    }

    fn take_chunk(&mut self, chunk: Chunk) {
        append(&mut self.rows, chunk.report_rows);
        for (index, row) in chunk.corrections {
            if let Some(slot) = self.rows.get_mut(index as usize) {
                *slot = row;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::Field;
    use crate::Lang;
    use rust_xlsxwriter::Worksheet;

    fn csv(rows: usize) -> Vec<u8> {
        let mut text = String::from("employeeID,name,email,isActive\n");
        for i in 1..=rows {
            text.push_str(&format!("E{i},Karyawan {i},k{i}@example.com,TRUE\n"));
        }
        text.push_str("E1,Dup,dup@example.com,TRUE\n");
        text.into_bytes()
    }

    fn open(session: &mut Session, options: ImportOptions) -> Vec<Reply> {
        let mut replies = Vec::new();
        let request = Request::Open {
            options,
            saved: Vec::new(),
            mappings: Vec::new(),
        };
        session.handle(request, &mut |reply| replies.push(reply));
        replies
    }

    /// The assembly an open's head starts, and the chunks that follow it.
    fn head_and_chunks(replies: Vec<Reply>) -> (Assembly<Import>, Vec<Vec<u8>>) {
        let mut assembly = None;
        let mut chunks = Vec::new();
        let mut early = EarlyRows::default();
        for reply in replies {
            match reply {
                Reply::Rows {
                    sheet,
                    start,
                    chunk,
                } => early.push(sheet, start, decode_chunk(&chunk).unwrap()),
                Reply::Opened {
                    head,
                    chunks,
                    outcomes,
                    early: count,
                    early_report,
                    ..
                } => {
                    let sheet = head.sheet.name.clone();
                    let mut whole = Assembly::new(*head, chunks, outcomes);
                    let taken = std::mem::take(&mut early).take(&sheet, count, early_report);
                    whole.take_early(taken.unwrap());
                    assembly = Some(whole);
                }
                Reply::Chunk(chunk) => chunks.push(chunk),
                _ => {}
            }
        }
        (assembly.unwrap(), chunks)
    }

    /// What the page does with the replies of one request.
    fn assemble(replies: Vec<Reply>) -> Import {
        let (mut assembly, chunks) = head_and_chunks(replies);
        for chunk in chunks {
            assembly.push(decode_chunk(&chunk).unwrap());
        }
        assert!(assembly.is_complete());
        assembly.into_whole()
    }

    #[test]
    fn an_import_cut_into_chunks_is_put_back_together_exactly() {
        let bytes = csv(CHUNK_ROWS * 2 + 7);
        let direct = Import::from_bytes(&bytes).unwrap();
        let mut session = Session::new(bytes);
        let replies = open(&mut session, ImportOptions::default());
        let chunks = replies
            .iter()
            .filter(|r| matches!(r, Reply::Chunk(_)))
            .count();
        assert_eq!(chunks, 3);
        // The other replies survive the trip the worker makes them take.
        let replies: Vec<Reply> = replies
            .into_iter()
            .map(|r| match r {
                Reply::Chunk(_) => r,
                r => decode(&encode(&r)).unwrap(),
            })
            .collect();
        assert_eq!(assemble(replies), direct);
    }

    #[test]
    fn a_resumed_job_arrives_with_its_outcomes_and_edits() {
        let bytes = csv(CHUNK_ROWS + 5);
        let mut import = Import::from_bytes(&bytes).unwrap();
        import.edit_cell(3, Field::Name, "Budi");
        import.ledger.set_state(
            2,
            RowState::Created {
                serial: "OPENAPI1".into(),
            },
        );
        import.ledger.set_state(
            4,
            RowState::Rejected(crate::contract::ApiErrorBody {
                error_code: 10101,
                message: "USER_EMPLOYEE_ID_EXISTS".into(),
                detail: "taken".into(),
            }),
        );
        import.set_excluded(CHUNK_ROWS as u32 + 4, true);
        let saved = import.save("staff.csv", &crate::job::fingerprint(&bytes));
        let direct = Import::resume(&bytes, &saved).unwrap();

        let mut session = Session::new(bytes);
        let mut replies = Vec::new();
        let request = Request::Open {
            options: ImportOptions::default(),
            saved: vec![saved],
            mappings: Vec::new(),
        };
        // Every reply as the page gets it: encoded, posted, decoded.
        session.handle(request, &mut |reply| {
            replies.push(decode(&encode(&reply)).unwrap())
        });
        let Some(Reply::Opened { outcomes, .. }) = replies.first() else {
            panic!("first reply: {:?}", replies.first());
        };
        assert_eq!(outcomes.ledger.len(), 3, "{outcomes:?}");
        let page = assemble(replies);
        assert_eq!(page, direct);
        assert_eq!(page.report.rows[1].row.name.as_deref(), Some("Budi"));
        assert_eq!(
            page.ledger.state_of(2),
            Some(&RowState::Created {
                serial: "OPENAPI1".into()
            })
        );
    }

    #[test]
    fn a_damaged_chunk_is_an_error_not_a_panic() {
        let mut session = Session::new(csv(3));
        let (assembly, mut chunks) = head_and_chunks(open(&mut session, ImportOptions::default()));
        let chunk = &mut chunks[0];
        chunk.truncate(chunk.len() / 2);
        assert!(decode_chunk(chunk).is_err());
        assert!(!assembly.is_complete());
    }

    #[test]
    fn the_page_takes_an_edits_rows_from_the_session_and_ends_as_if_it_had_judged_them() {
        let mut session = Session::new(csv(10));
        let mut page = assemble(open(&mut session, ImportOptions::default()));
        let mut judged_here = page.clone();
        // Row 3 takes row 6's ID: both rows are judged again.
        judged_here.edit_cell(3, Field::EmployeeId, "E5");
        assert!(page.set_cell(3, Field::EmployeeId, "E5"));
        let edit = CellEdit {
            row: 3,
            field: Field::EmployeeId,
            text: "E5".into(),
        };
        let mut replies = Vec::new();
        session.handle(Request::Edit(edit), &mut |reply| replies.push(reply));
        let [Reply::Edited { rows }] = &replies[..] else {
            panic!("expected the edited rows, got {replies:?}");
        };
        let numbers: Vec<u32> = rows.iter().map(|(_, row)| row.row.number).collect();
        assert_eq!(numbers, [3, 6]);
        page.take_rows(rows.clone());
        assert_eq!(page, judged_here);
        assert!(!page.report.rows[1].is_valid());
    }

    #[test]
    fn a_revalidation_sends_the_new_report_and_keeps_the_pages_edits() {
        let bytes = csv(10);
        let mut session = Session::new(bytes.clone());
        let mut page = assemble(open(&mut session, ImportOptions::default()));
        // The page edits, and tells the session.
        page.edit_cell(3, Field::Name, "Budi");
        let edit = CellEdit {
            row: 3,
            field: Field::Name,
            text: "Budi".into(),
        };
        session.handle(Request::Edit(edit), &mut |_| {});
        let mapping = page.report.mapping.clone();
        let mut replies = Vec::new();
        session.handle(
            Request::Revalidate {
                mapping: mapping.clone(),
                mode: Mode::Update,
            },
            &mut |reply| replies.push(reply),
        );
        let mut assembly = None;
        for reply in replies {
            match reply {
                Reply::Revalidated { head, chunks } => {
                    assembly = Some(Assembly::new(*head, chunks, Outcomes::default()))
                }
                Reply::Chunk(chunk) => {
                    assembly
                        .as_mut()
                        .unwrap()
                        .push(decode_chunk(&chunk).unwrap());
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        let report = assembly.unwrap().into_whole();
        page.revalidate(mapping, Mode::Update);
        assert_eq!(report, page.report);
        assert_eq!(report.rows[1].row.name.as_deref(), Some("Budi"));
    }

    /// A 12,000-row .xlsx with these employee IDs, changed by `tweak`.
    fn big_xlsx(id: impl Fn(u32) -> String, tweak: impl FnOnce(&mut Worksheet)) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (column, header) in ["employeeID", "name", "email", "isActive"]
            .iter()
            .enumerate()
        {
            sheet.write(0, column as u16, *header).unwrap();
        }
        for row in 1..=12_000u32 {
            sheet.write(row, 0, id(row)).unwrap();
            sheet.write(row, 1, format!("Karyawan {row}")).unwrap();
            sheet.write(row, 2, format!("k{row}@example.com")).unwrap();
            sheet.write(row, 3, true).unwrap();
        }
        tweak(sheet);
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn a_big_xlsx_shows_its_first_screen_of_rows_before_the_whole_is_read() {
        let bytes = big_xlsx(|row| format!("E{row}"), |_| {});
        let mut session = Session::new(bytes);
        let replies = open(&mut session, ImportOptions::default());
        let Reply::First { import, .. } = &replies[0] else {
            panic!("first reply: {:?}", replies[0]);
        };
        assert!(import.report.rows.len() < 100);
        assert_eq!(import.report.rows[0].row.employee_id.as_deref(), Some("E1"));
        let progress: Vec<(u32, Option<u32>)> = replies
            .iter()
            .filter_map(|r| match r {
                Reply::Progress { rows, total } => Some((*rows, *total)),
                _ => None,
            })
            .collect();
        assert_eq!(progress.first(), Some(&(60, Some(12_001))));
        assert_eq!(progress.last(), Some(&(10_000, Some(12_001))));
        assert!(matches!(
            replies.iter().rev().find(|r| !matches!(r, Reply::Chunk(_))),
            Some(Reply::Opened { .. })
        ));
        // The sheet's rows went ahead as they were read, in order, and the
        // chunks carry only the rest.
        let starts: Vec<u32> = replies
            .iter()
            .filter_map(|r| match r {
                Reply::Rows { start, .. } => Some(*start),
                _ => None,
            })
            .collect();
        // The first screen, then a chunk's worth at a time up to each
        // report of progress.
        let mut expected = vec![0];
        expected.extend((60..5_000).step_by(CHUNK_ROWS));
        expected.extend((5_000..10_000).step_by(CHUNK_ROWS));
        assert_eq!(starts, expected);
        let early = replies.iter().find_map(|r| match r {
            Reply::Opened { early, .. } => Some(*early),
            _ => None,
        });
        assert_eq!(early, Some(10_000));
        let whole = assemble(replies);
        let read = session.import.as_ref().unwrap();
        assert_eq!(whole.sheet.rows, read.sheet.rows);
        assert_eq!(whole.report.rows, read.report.rows);
    }

    #[test]
    fn report_rows_go_ahead_too_and_what_the_whole_sheet_changes_in_them_follows() {
        // IDs typed as text, zero-padded to six digits...
        let bytes = big_xlsx(
            |row| format!("{row:06}"),
            |sheet| {
                // ...but one in a number cell, which lost its zeros; and
                // the last row but one has the e-mail of an early row.
                sheet.write(5, 0, 5).unwrap();
                sheet.write(11_999, 2, "k3@example.com").unwrap();
            },
        );
        let direct = Import::from_bytes(&bytes).unwrap();
        let mut session = Session::new(bytes);
        let replies = open(&mut session, ImportOptions::default());
        let early_report = replies.iter().find_map(|r| match r {
            Reply::Opened { early_report, .. } => Some(*early_report),
            _ => None,
        });
        // Every data row among the 10,000 sheet rows sent ahead.
        assert_eq!(early_report, Some(9_999));
        let ahead: usize = replies
            .iter()
            .filter_map(|r| match r {
                Reply::Rows { chunk, .. } => Some(decode_chunk(chunk).unwrap().report_rows.len()),
                _ => None,
            })
            .sum();
        assert_eq!(ahead, 9_999);
        let corrected: Vec<u32> = replies
            .iter()
            .filter_map(|r| match r {
                Reply::Chunk(chunk) => Some(decode_chunk(chunk).unwrap().corrections),
                _ => None,
            })
            .flatten()
            .map(|(_, row)| row.row.number)
            .collect();
        assert_eq!(corrected, vec![4, 6]);
        let whole = assemble(replies);
        let read = session.import.as_ref().unwrap();
        assert_eq!(whole.report.rows, read.report.rows);
        assert_eq!(whole.report, direct.report);
        assert_eq!(whole.ledger, direct.ledger);
        assert_eq!(whole.emails, direct.emails);
        let kinds = |number: u32| -> Vec<&'static str> {
            let row = whole
                .report
                .rows
                .iter()
                .find(|r| r.row.number == number)
                .unwrap();
            row.issues.iter().map(|issue| issue.kind.code()).collect()
        };
        assert_eq!(kinds(4), vec!["duplicate_in_file"]);
        assert_eq!(kinds(6), vec!["leading_zero_lost"]);
    }

    #[test]
    fn rows_listed_out_of_order_stop_the_rows_sent_ahead_and_come_whole_in_chunks() {
        use crate::sheet::xlsx_package;
        let mut data = String::from(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>employeeID</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c></row>"#,
        );
        let row = |n: u32| {
            format!(
                r#"<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>E{n}</t></is></c><c r="B{n}" t="inlineStr"><is><t>Karyawan {n}</t></is></c></row>"#
            )
        };
        for n in 2..=5_200 {
            if n != 30 {
                data.push_str(&row(n));
            }
        }
        // Row 30 comes last, after rows already sent ahead.
        data.push_str(&row(30));
        let bytes = xlsx_package(&data);
        let mut session = Session::new(bytes);
        let replies = open(&mut session, ImportOptions::default());
        let early = replies.iter().find_map(|r| match r {
            Reply::Opened { early, .. } => Some(*early),
            _ => None,
        });
        assert_eq!(early, Some(0));
        let whole = assemble(replies);
        let read = session.import.as_ref().unwrap();
        assert_eq!(read.sheet.rows[29].number, 30);
        assert_eq!(whole.sheet.rows, read.sheet.rows);
        assert_eq!(whole.report.rows, read.report.rows);
    }

    #[test]
    fn a_stored_mapping_of_the_same_headers_is_applied_and_sets_the_mode() {
        let bytes = csv(3);
        let mut stored = Import::from_bytes(&bytes).unwrap().report.mapping;
        stored.assign(1, None);
        let mut session = Session::new(bytes);
        let mut replies = Vec::new();
        let request = Request::Open {
            options: ImportOptions::default(),
            saved: Vec::new(),
            mappings: vec![stored.clone()],
        };
        session.handle(request, &mut |reply| replies.push(reply));
        let import = assemble(replies);
        assert_eq!(import.report.mapping, stored);
        assert_eq!(import.report.mode, Mode::suggested_by(&stored));
    }

    #[test]
    fn a_file_that_cannot_be_read_fails_with_its_fingerprint() {
        let mut session = Session::new(b"\x00\x01\x02 not a sheet".to_vec());
        let replies = open(&mut session, ImportOptions::default());
        let [Reply::Failed { error, fingerprint }] = &replies[..] else {
            panic!("expected one failure, got {replies:?}");
        };
        assert_eq!(fingerprint, session.fingerprint());
        // Written out in both languages for the page, which holds no
        // decoder of the errors themselves.
        let error_itself = ImportError::Sheet(crate::SheetError::NotText);
        assert_eq!(error, &Explained::of(&error_itself));
        assert_eq!(error.message(Lang::En), error_itself.message(Lang::En));
        assert_eq!(error.message(Lang::Id), error_itself.message(Lang::Id));
        assert_ne!(error.en, error.id);
        assert_eq!(error.password, None);
    }
}
