//! One spreadsheet's journey from bytes to a ledger of rows.
//!
//! [`Import::open`] is the entry point the shell calls when a file is
//! dropped: it reads the workbook, finds the header row, maps the columns,
//! suggests a mode and validates every data row. Each later choice of the
//! user (another sheet, header row, mapping or mode) makes a new `Import`
//! from the same bytes or re-validates the sheet it holds.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::contract::UpdateEmailItem;
use crate::ledger::{batches_of, Batch, BatchItems, Ledger, RowState};
use crate::mapping::{map_headers, ColumnMapping, Field};
use crate::names::{fold, split_tags, Names};
use crate::preflight::{
    assess, email_change, email_item, renamed_to, update_item, Assessment, Directory, Found,
    Operation,
};
use crate::sheet::{
    read_workbook_watched, CellValue, Format, Limits, ReadWatch, Sheet, SheetError, SheetInfo,
    Workbook,
};
use crate::validate::{
    validate_after, validate_with, Judged, Mode, ReportRow, Taken, ValidationReport,
};

/// How many rows from the top are searched for the header row.
const HEADER_SEARCH_ROWS: usize = 30;

/// Why a file cannot be imported at all.
#[derive(Debug, thiserror::Error, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ImportError {
    #[error(transparent)]
    Sheet(#[from] SheetError),
    #[error(
        "No header row found in sheet \"{sheet}\": none of its first rows names a field such as employeeID, name, email or isActive (or NIK, Nama, Surel, Status). Add a row of column names above the employees and retry."
    )]
    NoHeaderRow { sheet: String },
    #[error(
        "Row {row} of sheet \"{sheet}\" is not a header row: none of its cells names a field such as employeeID, name, email or isActive. Choose the row that holds the column names."
    )]
    NotAHeaderRow { sheet: String, row: u32 },
    #[error("The sheet \"{sheet}\" has a header row but no employees below it.")]
    NoDataRows { sheet: String },
}

impl ImportError {
    /// The message in the user's language; English is the `Display` text.
    pub fn message(&self, lang: crate::Lang) -> String {
        match (self, lang) {
            (ImportError::Sheet(error), _) => error.message(lang),
            (_, crate::Lang::En) => self.to_string(),
            (ImportError::NoHeaderRow { sheet }, crate::Lang::Id) => format!("Baris judul kolom tidak ditemukan di lembar kerja \"{sheet}\": tidak ada baris awal yang menyebut kolom seperti NIK, Nama, Email, No. HP atau Status. Tambahkan baris nama kolom di atas data karyawan, lalu coba lagi."),
            (ImportError::NotAHeaderRow { sheet, row }, crate::Lang::Id) => format!("Baris {row} di lembar kerja \"{sheet}\" bukan baris judul kolom: tidak ada selnya yang menyebut kolom seperti NIK, Nama, Email atau Status. Pilih baris yang berisi nama kolom."),
            (ImportError::NoDataRows { sheet }, crate::Lang::Id) => format!("Lembar kerja \"{sheet}\" punya baris judul kolom tetapi tidak ada karyawan di bawahnya."),
        }
    }
}

/// An [`ImportError`] as the page shows it: its message written out in
/// both languages where the error happened, in the reader worker. The page
/// then needs neither the errors' decoders nor their texts, which are a
/// good part of what its first render would otherwise download.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Explained {
    pub en: String,
    pub id: String,
    /// The workbook is held, waiting for its password.
    pub password: Option<PasswordAsk>,
}

/// Why a workbook waits for its password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PasswordAsk {
    Required,
    /// The password given did not open it.
    Wrong,
}

impl Explained {
    pub fn of(error: &ImportError) -> Explained {
        Explained {
            en: error.message(crate::Lang::En),
            id: error.message(crate::Lang::Id),
            password: match error {
                ImportError::Sheet(SheetError::PasswordRequired) => Some(PasswordAsk::Required),
                ImportError::Sheet(SheetError::WrongPassword) => Some(PasswordAsk::Wrong),
                _ => None,
            },
        }
    }

    /// A file refused for its size before it is read, on the page.
    pub fn too_large(size_mb: f64, limit_mb: usize) -> Explained {
        Explained {
            en: crate::sheet::too_large(crate::Lang::En, size_mb, limit_mb),
            id: crate::sheet::too_large(crate::Lang::Id, size_mb, limit_mb),
            password: None,
        }
    }

    pub fn message(&self, lang: crate::Lang) -> &str {
        match lang {
            crate::Lang::En => &self.en,
            crate::Lang::Id => &self.id,
        }
    }
}

/// The user's choices; `None` means "decide for me".
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ImportOptions {
    pub sheet: Option<String>,
    pub header_row: Option<u32>,
    pub mapping: Option<ColumnMapping>,
    pub mode: Option<Mode>,
    /// Fixed by the app, not chosen: not part of a request.
    #[serde(skip)]
    pub limits: Limits,
    /// The company's tags and organizations, when loaded: names are
    /// resolved against them. Sent on its own (see `session::Request`).
    #[serde(skip)]
    pub names: Option<Arc<Names>>,
}

/// A read and validated spreadsheet, with the state of each of its rows.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Import {
    pub format: Format,
    pub sheets: Vec<SheetInfo>,
    pub sheet: Sheet,
    pub header_row: u32,
    pub report: ValidationReport,
    pub ledger: Ledger,
    /// The user's cell edits, in order, so a saved job can replay them.
    pub edits: Vec<CellEdit>,
    /// What Ruangkerja holds for the IDs looked up so far.
    pub directory: Directory,
    /// Employee IDs pre-flight saw free: the proof that a user found with
    /// one of them after a lost answer is this import's.
    pub seen_free: BTreeSet<String>,
    /// Rows of a create whose ID exists, sent as updates of those users.
    pub switched: BTreeSet<u32>,
    /// Rows without a change that the admin chose to send anyway.
    pub unchanged_included: BTreeSet<u32>,
    /// Rows that went out as updates (in an update, or moved to one).
    pub sent_as_update: BTreeSet<u32>,
    /// The opt-in e-mail change (`update-email-bulk`): one state per row;
    /// rows not part of it are `Excluded`.
    pub emails: Ledger,
}

/// What the next send would do, row by row, in counts: the pre-flight
/// summary the admin sees before anything is written. Only rows that could
/// go out now (ready or not sent) are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outlook {
    pub to_create: usize,
    pub to_update: usize,
    pub unchanged: usize,
    /// Create: the ID already exists.
    pub exists: usize,
    /// Update: the ID does not exist.
    pub not_found: usize,
    /// Update: the new ID belongs to another user.
    pub taken: usize,
    pub could_not_check: usize,
    pub not_checked: usize,
    /// Rows whose e-mail address differs from the stored one.
    pub email_changes: usize,
    /// Rows whose earlier request may have been applied: looked up first,
    /// then sent if they are not there.
    pub unconfirmed: usize,
    /// Rows the import still has work for: see [`Outlook::waiting`].
    pub(crate) waiting: usize,
}

/// What "sendable", "startable" and "waiting" mean, once: the send button,
/// the summary, the saved job's notice and whether a finished run keeps
/// its saved job all ask here.
impl Outlook {
    /// Rows the next send writes (or, if unconfirmed, may write).
    pub fn sendable(&self) -> usize {
        self.to_create + self.to_update + self.unconfirmed
    }

    /// Rows the start button acts on: it sends them, or checks them first.
    pub fn startable(&self) -> usize {
        self.sendable() + self.not_checked
    }

    /// Rows the import still has work for: those the start button acts on,
    /// those to check again after a failed lookup, and e-mail changes whose
    /// answer was lost. Rows that exist, are not found, are unchanged or
    /// wait for the admin's decision are not waiting.
    pub fn waiting(&self) -> usize {
        self.waiting
    }
}

/// One cell the user changed in the preview.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CellEdit {
    pub row: u32,
    pub field: Field,
    pub text: String,
}

impl Import {
    pub fn open(bytes: &[u8], options: &ImportOptions) -> Result<Import, ImportError> {
        Import::open_watched(bytes, options, &mut ())
    }

    /// `open`, telling `watch` how far the read has got (see [`ReadWatch`]).
    pub fn open_watched(
        bytes: &[u8],
        options: &ImportOptions,
        watch: &mut dyn ReadWatch,
    ) -> Result<Import, ImportError> {
        Import::from_workbook(Import::read_watched(bytes, options, watch)?, options)
    }

    /// The workbook `open_watched` maps and validates: the sheet chosen,
    /// or the first visible one with a header row.
    pub fn read_watched(
        bytes: &[u8],
        options: &ImportOptions,
        watch: &mut dyn ReadWatch,
    ) -> Result<Workbook, ImportError> {
        Ok(if options.sheet.is_none() && options.header_row.is_none() {
            // The first sheet with data is often a cover or an instructions
            // sheet: prefer the first visible one that has a header row,
            // looked for in the same parsed workbook.
            let has_header = |sheet: &Sheet| detect_header_row(sheet).is_some();
            read_workbook_watched(bytes, None, &options.limits, &has_header, watch)?
        } else {
            read_workbook_watched(
                bytes,
                options.sheet.as_deref(),
                &options.limits,
                &|_| true,
                watch,
            )?
        })
    }

    /// Maps and validates a sheet that has been read.
    pub fn from_workbook(
        workbook: Workbook,
        options: &ImportOptions,
    ) -> Result<Import, ImportError> {
        Import::from_workbook_judged(workbook, options, &[], None).map(|(import, _)| import)
    }

    /// Maps and validates a sheet like [`Import::from_workbook`], with two
    /// differences. When the mapping is left to the importer, a mapping
    /// the admin chose before for the same headers (in `stored`) is taken
    /// rather than guessed, and the mode follows it unless one was chosen.
    /// And the first data rows can come judged already, as the sheet was
    /// read (`early`): they are taken if they were judged with the
    /// choices made here, and judged again otherwise. Returns the import
    /// and which of the early rows count: none, or all of them with the
    /// indices of those the whole sheet changed
    /// ([`crate::validate::validate_after`]).
    pub fn from_workbook_judged(
        workbook: Workbook,
        options: &ImportOptions,
        stored: &[ColumnMapping],
        early: Option<Judged>,
    ) -> Result<(Import, Taken), ImportError> {
        let sheet = workbook.sheet;
        let header_row = match options.header_row {
            Some(row) => row,
            None => detect_header_row(&sheet).ok_or_else(|| ImportError::NoHeaderRow {
                sheet: sheet.name.clone(),
            })?,
        };
        let mapping = match &options.mapping {
            Some(mapping) => mapping.clone(),
            None => {
                let mapping = map_headers(&header_texts(&sheet, header_row));
                if mapping.maps_nothing() {
                    return Err(ImportError::NotAHeaderRow {
                        sheet: sheet.name.clone(),
                        row: header_row,
                    });
                }
                let key = mapping.headers_key();
                let columns = mapping.fields.len();
                stored
                    .iter()
                    .find(|stored| stored.headers_key() == key && stored.fields.len() == columns)
                    .cloned()
                    .unwrap_or(mapping)
            }
        };
        if !sheet.rows.iter().any(|row| row.number > header_row) {
            return Err(ImportError::NoDataRows { sheet: sheet.name });
        }
        let mode = options.mode.unwrap_or_else(|| Mode::suggested_by(&mapping));
        let early = early
            .filter(|early| early.header_row == header_row && early.mode == mode)
            .unwrap_or_else(|| Judged::new(sheet.name.clone(), header_row, mapping.clone(), mode));
        let names = options.names.clone();
        let (report, taken) = validate_after(&sheet, &mapping, names, early);
        let ledger = Ledger::new(&report);
        let emails = Ledger::untouched(&report);
        let import = Import {
            format: workbook.format,
            sheets: workbook.sheets,
            sheet,
            header_row,
            report,
            ledger,
            edits: Vec::new(),
            directory: Directory::default(),
            seen_free: BTreeSet::new(),
            switched: BTreeSet::new(),
            unchanged_included: BTreeSet::new(),
            sent_as_update: BTreeSet::new(),
            emails,
        };
        Ok((import, taken))
    }

    /// Opens with every choice left to the importer.
    pub fn from_bytes(bytes: &[u8]) -> Result<Import, ImportError> {
        Import::open(bytes, &ImportOptions::default())
    }

    /// Re-validates with another mapping or mode. Excluded rows stay
    /// excluded; rows with an outcome keep it.
    pub fn revalidate(&mut self, mapping: ColumnMapping, mode: Mode) {
        let names = self.report.names.clone();
        let report = validate_with(&self.sheet, self.header_row, &mapping, mode, names);
        self.set_report(report);
    }

    /// Resolves tag and organization names against `names` from now on
    /// (`None`: the lists are gone), and re-validates every row when a
    /// column feeds tags or an organization; whether it did.
    pub fn set_names(&mut self, names: Option<Arc<Names>>) -> bool {
        self.report.names = names;
        let revalidate = self.report.uses_names();
        if revalidate {
            self.revalidate(self.report.mapping.clone(), self.report.mode);
        }
        revalidate
    }

    /// Takes a report made for this import's sheet (by `revalidate` here,
    /// or by the reader worker's copy), keeping excluded rows and outcomes,
    /// and the names this side resolves against (a report that crossed
    /// from the worker comes without them).
    pub fn set_report(&mut self, report: ValidationReport) {
        let names = self.report.names.take();
        self.report = report;
        if self.report.names.is_none() {
            self.report.names = names;
        }
        self.ledger.refresh(&self.report);
    }

    /// The cell edits that put the value the app proposes (a phone in
    /// international form, a leading zero put back) into every `field`
    /// cell that has one: "Apply to all" in a column.
    pub fn edits_proposed(&self, field: Field) -> Vec<CellEdit> {
        self.report
            .rows
            .iter()
            .filter_map(|row| {
                let proposed = row
                    .issues
                    .iter()
                    .find(|issue| issue.field == field)
                    .and_then(|issue| issue.kind.proposed())?;
                Some(CellEdit {
                    row: row.row.number,
                    field,
                    text: proposed.to_owned(),
                })
            })
            .collect()
    }

    /// The cell edits that put `choice` in place of `value` in the `field`
    /// cell of every data row holding it (compared as names are: case and
    /// extra spaces ignored): the whole cell for an organization, one
    /// value among the others for tags. One click on a suggestion fixes
    /// every row with the same typo.
    pub fn edits_replacing(&self, field: Field, value: &str, choice: &str) -> Vec<CellEdit> {
        let Some(column) = self.report.mapping.column_of(field) else {
            return Vec::new();
        };
        let wanted = fold(value);
        let header_row = self.header_row;
        self.sheet
            .rows
            .iter()
            .filter(|row| row.number > header_row)
            .filter_map(|row| {
                let text = row.cell(column).to_text();
                let replaced = if field == Field::TagSerials {
                    let tags = split_tags(&text);
                    tags.iter().any(|tag| fold(tag) == wanted).then(|| {
                        tags.iter()
                            .map(|tag| if fold(tag) == wanted { choice } else { tag })
                            .collect::<Vec<_>>()
                            .join("; ")
                    })
                } else {
                    (fold(&text) == wanted).then(|| choice.to_owned())
                };
                Some(CellEdit {
                    row: row.number,
                    field,
                    text: replaced?,
                })
            })
            .collect()
    }

    /// Replaces the value of `field` in row `number` with `text`, as if the
    /// user had typed it into the sheet, and re-validates. A field without
    /// a column gets one, so a missing required value can be filled in.
    pub fn edit_cell(&mut self, number: u32, field: Field, text: &str) {
        self.edit_cell_touched(number, field, text);
    }

    /// Edits like [`Import::edit_cell`]; the indices of the report rows
    /// that were judged again (the row and those sharing a value with it).
    pub fn edit_cell_touched(&mut self, number: u32, field: Field, text: &str) -> Vec<usize> {
        if !self.set_cell(number, field, text) {
            return Vec::new();
        }
        let touched = self
            .report
            .revalidate_row(&self.sheet, self.header_row, number);
        self.ledger.refresh_rows(&self.report, touched.clone());
        touched
    }

    /// The page's side of an edit: the cell changes as in `edit_cell`,
    /// but the rows are judged again by the reader worker, whose answer
    /// [`Import::take_rows`] puts in. Whether the cell changed.
    pub fn set_cell(&mut self, number: u32, field: Field, text: &str) -> bool {
        let Ok(sheet_index) = self
            .sheet
            .rows
            .binary_search_by_key(&number, |row| row.number)
        else {
            return false;
        };
        if number <= self.header_row {
            return false;
        }
        let column = match self.report.mapping.column_of(field) {
            Some(column) => column,
            None => {
                let mapping = &mut self.report.mapping;
                mapping.headers.push(field.api_name().to_owned());
                mapping.fields.push(Some(field));
                mapping.headers.len() - 1
            }
        };
        let cells = &mut self.sheet.rows[sheet_index].cells;
        if cells.len() <= column {
            cells.resize(column + 1, CellValue::Empty);
        }
        let text = text.trim();
        cells[column] = if text.is_empty() {
            CellValue::Empty
        } else {
            CellValue::Text(text.to_owned())
        };
        self.report
            .missing_fields
            .retain(|missing| *missing != field);
        if field == Field::EmployeeId {
            // Choices made for the user the old ID named do not carry over.
            self.switched.remove(&number);
            self.unchanged_included.remove(&number);
        }
        self.edits.push(CellEdit {
            row: number,
            field,
            text: text.to_owned(),
        });
        true
    }

    /// Report rows judged again elsewhere (by the reader worker, after
    /// an edit), by index.
    pub fn take_rows(&mut self, rows: Vec<(u32, ReportRow)>) {
        let mut touched = Vec::with_capacity(rows.len());
        for (index, row) in rows {
            if let Some(slot) = self.report.rows.get_mut(index as usize) {
                *slot = row;
                touched.push(index as usize);
            }
        }
        self.ledger.refresh_rows(&self.report, touched);
    }

    /// Leaves row `number` out of the import, or takes it back in. For a
    /// row without changes, "in" means: send it anyway.
    pub fn set_excluded(&mut self, number: u32, excluded: bool) {
        // A row without any change (e-mail included) is not sent unless
        // the admin includes it; every other row goes out unless excluded.
        let unchanged = self.index_of(number).is_some_and(|index| {
            self.assessment(index) == Assessment::Unchanged && self.email_change(index).is_none()
        });
        if unchanged && self.ledger.state_of(number) == Some(&RowState::Ready) {
            if excluded {
                self.unchanged_included.remove(&number);
            } else {
                self.unchanged_included.insert(number);
            }
            return;
        }
        self.ledger.set_excluded(number, excluded, &self.report);
    }

    pub(crate) fn index_of(&self, number: u32) -> Option<usize> {
        self.report
            .rows
            .binary_search_by_key(&number, |row| row.row.number)
            .ok()
    }

    /// The endpoint the row at `index` goes to.
    pub fn operation(&self, index: usize) -> Operation {
        let number = self.report.rows[index].row.number;
        if self.report.mode == Mode::Update || self.switched.contains(&number) {
            Operation::Update
        } else {
            Operation::Create
        }
    }

    /// What the row at `index` would do, judged against the directory.
    pub fn assessment(&self, index: usize) -> Assessment {
        assess(
            &self.report.rows[index].row,
            self.operation(index),
            &self.directory,
        )
    }

    /// Whether the row at `index` goes out with the next send.
    fn goes_out(&self, index: usize) -> bool {
        let report_row = &self.report.rows[index];
        let number = report_row.row.number;
        report_row.is_valid()
            && self
                .ledger
                .state_of(number)
                .is_some_and(RowState::is_sendable)
            && self.assessment(index).is_sendable(
                self.operation(index),
                self.unchanged_included.contains(&number),
            )
    }

    /// The e-mail change of the row at `index`, when its user exists and
    /// the row sends another address.
    pub fn email_change(&self, index: usize) -> Option<(String, String)> {
        if self.outcome_operation(index) != Operation::Update {
            return None;
        }
        let row = &self.report.rows[index].row;
        // After a rename the user is found under the new ID (after a reload
        // only there); within the run, also under the old one.
        let current = self
            .current_id(index)
            .and_then(|id| self.directory.user(id))
            .or_else(|| self.directory.user(row.employee_id.as_deref()?))?;
        email_change(row, current)
    }

    /// The employee ID the row's user has now: the new one once a rename
    /// went through.
    fn current_id(&self, index: usize) -> Option<&str> {
        let row = &self.report.rows[index].row;
        match self.ledger.state_of(row.number) {
            Some(RowState::Created { .. } | RowState::Applied) => {
                renamed_to(row).or(row.employee_id.as_deref())
            }
            _ => row.employee_id.as_deref(),
        }
    }

    /// The endpoint a row went to, once it was sent (a later change of mode
    /// does not relabel it); before that, the one it would go to.
    pub fn outcome_operation(&self, index: usize) -> Operation {
        let number = self.report.rows[index].row.number;
        match self.ledger.state_of(number) {
            Some(RowState::Invalid | RowState::Excluded | RowState::Ready) | None => {
                self.operation(index)
            }
            Some(_) if self.sent_as_update.contains(&number) => Operation::Update,
            Some(_) => Operation::Create,
        }
    }

    /// Notes which rows go out as updates, so their outcome says "updated"
    /// whatever the mode later becomes.
    pub fn note_sent(&mut self, batches: &[Batch]) {
        for batch in batches {
            if let BatchItems::Update(_) = batch.items {
                self.sent_as_update.extend(&batch.rows);
            }
        }
    }

    /// Rows done (created or applied) that were updates rather than
    /// creations, for a summary that tells the two apart.
    pub fn updated_count(&self) -> usize {
        (0..self.report.rows.len())
            .filter(|&index| self.was_updated(index))
            .count()
    }

    /// Whether the row at `index` is done, as an update.
    pub(crate) fn was_updated(&self, index: usize) -> bool {
        matches!(
            self.ledger.rows()[index].state,
            RowState::Created { .. } | RowState::Applied
        ) && self.outcome_operation(index) == Operation::Update
    }

    /// The pre-flight summary of the rows that could go out now.
    pub fn outlook(&self) -> Outlook {
        let mut outlook = Outlook::default();
        for index in 0..self.report.rows.len() {
            self.add_to_outlook(index, &mut outlook);
        }
        outlook
    }

    /// Counts the row at `index` in `outlook`.
    pub(crate) fn add_to_outlook(&self, index: usize, outlook: &mut Outlook) {
        let report_row = &self.report.rows[index];
        let number = report_row.row.number;
        // An e-mail change whose answer was lost waits to be looked up.
        if self.emails.state_of(number) == Some(&RowState::Unconfirmed) {
            outlook.waiting += 1;
        }
        let state = self.ledger.state_of(number);
        if report_row.is_valid() && state == Some(&RowState::Unconfirmed) {
            outlook.unconfirmed += 1;
            outlook.waiting += 1;
            return;
        }
        if !report_row.is_valid() || !state.is_some_and(RowState::is_sendable) {
            return;
        }
        let operation = self.operation(index);
        let counter = match self.assessment(index) {
            Assessment::NotChecked => {
                outlook.waiting += 1;
                &mut outlook.not_checked
            }
            Assessment::CouldNotCheck { .. } if operation == Operation::Create => {
                outlook.waiting += 1;
                outlook.could_not_check += 1;
                &mut outlook.to_create
            }
            Assessment::CouldNotCheck { .. } => {
                outlook.waiting += 1;
                &mut outlook.could_not_check
            }
            Assessment::New => {
                outlook.waiting += 1;
                &mut outlook.to_create
            }
            Assessment::Exists { .. } => &mut outlook.exists,
            Assessment::NotFound => &mut outlook.not_found,
            Assessment::RenameTaken { .. } => &mut outlook.taken,
            Assessment::Changes(_) => {
                outlook.waiting += 1;
                &mut outlook.to_update
            }
            Assessment::Unchanged if self.unchanged_included.contains(&number) => {
                outlook.waiting += 1;
                &mut outlook.to_update
            }
            // Only the e-mail changes: counted with the e-mail changes.
            Assessment::Unchanged if self.email_change(index).is_some() => {
                outlook.email_changes += 1;
                return;
            }
            Assessment::Unchanged => &mut outlook.unchanged,
        };
        *counter += 1;
        if self.email_change(index).is_some() {
            outlook.email_changes += 1;
        }
    }

    /// The employee IDs pre-flight must look up before the next send: those
    /// of the rows that could go out (and of unconfirmed ones), the new IDs
    /// of renames, and the current IDs of updated users whose e-mail change
    /// is still to come; each only if never looked up.
    pub fn ids_to_check(&self) -> Vec<String> {
        self.ids_wanted(|id| self.directory.get(id).is_none())
    }

    /// As [`Import::ids_to_check`], and the IDs whose lookup failed before
    /// ("Check again").
    pub fn ids_to_check_again(&self) -> Vec<String> {
        self.ids_wanted(|id| !self.directory.knows(id))
    }

    fn ids_wanted(&self, wanted: impl Fn(&str) -> bool) -> Vec<String> {
        let mut ids = BTreeSet::new();
        for (index, report_row) in self.report.rows.iter().enumerate() {
            if !report_row.is_valid() {
                continue;
            }
            let row = &report_row.row;
            let state = self.ledger.state_of(row.number);
            let waiting = state.is_some_and(|s| s.is_sendable() || *s == RowState::Unconfirmed);
            let email_to_come = row.email.is_some()
                && matches!(state, Some(RowState::Created { .. } | RowState::Applied))
                && self.outcome_operation(index) == Operation::Update
                && matches!(
                    self.emails.state_of(row.number),
                    Some(
                        RowState::Excluded
                            | RowState::Ready
                            | RowState::NotSent { .. }
                            | RowState::Unconfirmed
                    )
                );
            let candidates = if waiting {
                [row.employee_id.as_deref(), renamed_to(row)]
            } else if email_to_come {
                [self.current_id(index), None]
            } else {
                continue;
            };
            for id in candidates.into_iter().flatten() {
                if wanted(id) {
                    ids.insert(id.to_owned());
                }
            }
        }
        ids.into_iter().collect()
    }

    /// Records what pre-flight found.
    pub fn record_found(&mut self, found: Vec<(String, Found)>) {
        for (id, found) in found {
            if found == Found::Absent {
                self.seen_free.insert(id.clone());
            }
            self.directory.record(id, found);
        }
    }

    /// Moves the rows of a create whose ID exists into an update of those
    /// users ("Update these N users instead"); answers how many moved.
    pub fn update_existing_instead(&mut self) -> usize {
        let moving: Vec<u32> = (0..self.report.rows.len())
            .filter(|&index| {
                let report_row = &self.report.rows[index];
                report_row.is_valid()
                    && self
                        .ledger
                        .state_of(report_row.row.number)
                        .is_some_and(RowState::is_sendable)
                    && matches!(self.assessment(index), Assessment::Exists { .. })
            })
            .map(|index| self.report.rows[index].row.number)
            .collect();
        self.switched.extend(&moving);
        moving.len()
    }

    /// The rows that can be sent now, in batches of at most `size`:
    /// creations first, then updates.
    pub fn plan(&self, size: usize) -> Vec<Batch> {
        self.plan_rows(size, |index| self.goes_out(index))
    }

    /// The unconfirmed rows, in batches, to be looked up before any resend.
    pub fn plan_unconfirmed(&self, size: usize) -> Vec<Batch> {
        self.plan_rows(size, |index| {
            let report_row = &self.report.rows[index];
            report_row.is_valid()
                && self.ledger.state_of(report_row.row.number) == Some(&RowState::Unconfirmed)
        })
    }

    fn plan_rows(&self, size: usize, wanted: impl Fn(usize) -> bool) -> Vec<Batch> {
        let mut creates = Vec::new();
        let mut updates = Vec::new();
        for (index, report_row) in self.report.rows.iter().enumerate() {
            if !wanted(index) {
                continue;
            }
            let row = &report_row.row;
            let Some(id) = row.employee_id.clone() else {
                continue;
            };
            match self.operation(index) {
                Operation::Create => {
                    let seen_free = self.seen_free.contains(&id);
                    if let Some(item) = row.to_create_item() {
                        creates.push((row.number, id, seen_free, item));
                    }
                }
                Operation::Update => {
                    // Without the stored user an update could erase values.
                    // An unconfirmed rename whose old ID is gone (it landed
                    // before a reload) is planned from the new ID's user:
                    // the lookup that comes first settles it.
                    let unconfirmed =
                        self.ledger.state_of(row.number) == Some(&RowState::Unconfirmed);
                    let current = self.directory.user(&id).or_else(|| {
                        renamed_to(row)
                            .filter(|_| unconfirmed)
                            .and_then(|new| self.directory.user(new))
                    });
                    let Some(current) = current else {
                        continue;
                    };
                    let seen_free = renamed_to(row).is_some_and(|new| self.seen_free.contains(new));
                    if let Some(item) = update_item(row, current) {
                        updates.push((row.number, id, seen_free, item));
                    }
                }
            }
        }
        let mut batches = batches_of(creates, size, BatchItems::Create);
        batches.extend(batches_of(updates, size, BatchItems::Update));
        batches
    }

    /// The e-mail changes that can be sent now: rows sent as updates whose
    /// address differs, once their update is done or was not needed. A
    /// renamed user is addressed by the new ID.
    pub fn plan_emails(&self, size: usize) -> Vec<Batch> {
        let items: Vec<_> = (0..self.report.rows.len())
            .filter_map(|index| self.planned_email(index))
            .collect();
        batches_of(items, size, BatchItems::Email)
    }

    /// The e-mail change the row at `index` would send now, if any.
    pub(crate) fn planned_email(
        &self,
        index: usize,
    ) -> Option<(u32, String, bool, UpdateEmailItem)> {
        let report_row = &self.report.rows[index];
        let row = &report_row.row;
        let number = row.number;
        if !report_row.is_valid() || self.email_change(index).is_none() {
            return None;
        }
        if !matches!(
            self.emails.state_of(number),
            Some(RowState::Excluded | RowState::Ready | RowState::NotSent { .. })
        ) {
            return None;
        }
        let id = row.employee_id.as_deref()?;
        let id = match self.ledger.state_of(number)? {
            RowState::Created { .. } | RowState::Applied => renamed_to(row).unwrap_or(id),
            // No update needed; an excluded row is never touched.
            RowState::Ready if self.assessment(index) == Assessment::Unchanged => id,
            _ => return None,
        };
        let item = email_item(row, id)?;
        Some((number, id.to_owned(), false, item))
    }

    /// The e-mail changes whose answer was lost: looked up (proven by the
    /// new address) before anything is resent.
    pub fn plan_emails_unconfirmed(&self, size: usize) -> Vec<Batch> {
        let items = self
            .report
            .rows
            .iter()
            .enumerate()
            .filter_map(|(index, report_row)| {
                let row = &report_row.row;
                if self.emails.state_of(row.number) != Some(&RowState::Unconfirmed) {
                    return None;
                }
                let id = self.current_id(index)?;
                let item = email_item(row, id)?;
                Some((row.number, id.to_owned(), false, item))
            });
        batches_of(items, size, BatchItems::Email)
    }

    /// Marks the e-mail changes of `batches` as part of the e-mail step.
    pub fn start_emails(&mut self, batches: &[Batch]) {
        for batch in batches {
            for &number in &batch.rows {
                self.emails.set_state(number, RowState::Ready);
            }
        }
    }
}

fn header_texts(sheet: &Sheet, header_row: u32) -> Vec<String> {
    sheet
        .rows
        .iter()
        .find(|row| row.number == header_row)
        .map(|row| row.cells.iter().map(CellValue::to_text).collect())
        .unwrap_or_default()
}

/// The row among the first ones whose cells name the most fields. Title
/// rows, merged banners and blank rows above the table name none or one.
pub fn detect_header_row(sheet: &Sheet) -> Option<u32> {
    sheet
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .map(|row| {
            let texts: Vec<String> = row.cells.iter().map(CellValue::to_text).collect();
            let named = map_headers(&texts).fields.iter().flatten().count();
            (named, row.number)
        })
        .filter(|&(named, _)| named > 0)
        // Most fields wins; the earlier row wins a tie.
        .max_by_key(|&(named, number)| (named, std::cmp::Reverse(number)))
        .map(|(_, number)| number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_name_replaces_the_same_value_in_every_row() {
        let csv = "employeeID,name,email,isActive,Tag,Unit\n\
            E1,A,a@x.id,ya,Onbording 2026; Shift Pagi,finance\n\
            E2,B,b@x.id,ya,onbording  2026,Finance \n\
            E3,C,c@x.id,ya,Shift Pagi,Human Resources\n";
        let import = Import::from_bytes(csv.as_bytes()).unwrap();
        let edit = |row: u32, field, text: &str| CellEdit {
            row,
            field,
            text: text.to_owned(),
        };
        assert_eq!(
            import.edits_replacing(
                Field::OrganizationSerial,
                "finance",
                "Jakarta Branch > Finance"
            ),
            [
                edit(2, Field::OrganizationSerial, "Jakarta Branch > Finance"),
                edit(3, Field::OrganizationSerial, "Jakarta Branch > Finance"),
            ]
        );
        assert_eq!(
            import.edits_replacing(Field::TagSerials, "Onbording 2026", "Onboarding 2026"),
            [
                edit(2, Field::TagSerials, "Onboarding 2026; Shift Pagi"),
                edit(3, Field::TagSerials, "Onboarding 2026"),
            ]
        );
        assert!(import.edits_replacing(Field::Phone, "x", "y").is_empty());
    }

    #[test]
    fn every_proposed_phone_of_a_column_is_applied_by_one_set_of_edits() {
        let csv = "employeeID,name,phone,isActive\n\
            E1,A,0812-3456-7001,ya\n\
            E2,B,6281234567002,ya\n\
            E3,C,0813 8522 6003,ya\n";
        let mut import = Import::from_bytes(csv.as_bytes()).unwrap();
        let edits = import.edits_proposed(Field::Phone);
        let texts: Vec<(u32, &str)> = edits.iter().map(|e| (e.row, e.text.as_str())).collect();
        assert_eq!(texts, [(2, "6281234567001"), (4, "6281385226003")]);
        for edit in edits {
            import.edit_cell(edit.row, edit.field, &edit.text);
        }
        assert!(import.report.rows.iter().all(|row| row.issues.is_empty()));
        assert!(import.edits_proposed(Field::Phone).is_empty());
        assert!(import.edits_proposed(Field::Name).is_empty());
    }
    use crate::ledger::RowState;
    use rust_xlsxwriter::Workbook;

    fn workbook(rows: &[&[&str]]) -> Vec<u8> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *text).unwrap();
            }
        }
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn an_xlsx_with_api_headers_becomes_ready_and_invalid_rows() {
        let bytes = workbook(&[
            &["employeeID", "name", "email", "isActive", "Notes"],
            &["E1", "Ani", "ani@example.com", "TRUE", "first"],
            &["E 2", "Budi", "budi@example.com", "TRUE", ""],
        ]);
        let mut import = Import::from_bytes(&bytes).unwrap();
        assert_eq!(import.header_row, 1);
        assert_eq!(import.ledger.state_of(2), Some(&RowState::Ready));
        assert_eq!(import.ledger.state_of(3), Some(&RowState::Invalid));
        assert_eq!(
            import.report.mapping.ignored_headers().collect::<Vec<_>>(),
            ["Notes"]
        );
        assert!(import.plan(100).is_empty(), "nothing goes out unchecked");
        assert_eq!(import.ids_to_check(), ["E1"]);
        import.record_found(vec![("E1".into(), Found::Absent)]);
        let batches = import.plan(usize::MAX);
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].rows, [2]);
    }

    #[test]
    fn editing_a_cell_revalidates_the_row_and_duplicates_across_rows() {
        let bytes = workbook(&[
            &["employeeID", "name", "email", "isActive"],
            &["E1", "Ani", "ani@example.com", "TRUE"],
            &["E1", "Budi", "budi@example.com", "TRUE"],
            &["E3", "", "citra@example.com", "TRUE"],
        ]);
        let mut import = Import::from_bytes(&bytes).unwrap();
        assert_eq!(import.ledger.counts().invalid, 3);
        import.edit_cell(3, Field::EmployeeId, " E2 ");
        assert_eq!(import.report.rows[1].row.employee_id.as_deref(), Some("E2"));
        assert_eq!(
            import.ledger.state_of(2),
            Some(&RowState::Ready),
            "the other duplicate is resolved too"
        );
        assert_eq!(import.ledger.state_of(3), Some(&RowState::Ready));
        import.edit_cell(4, Field::Name, "Citra");
        assert_eq!(import.ledger.counts().ready, 3);
        import.edit_cell(4, Field::EmployeeId, "e2");
        assert_eq!(
            import.ledger.state_of(3),
            Some(&RowState::Invalid),
            "a new duplicate is caught"
        );
    }

    #[test]
    fn a_missing_column_can_be_filled_in_by_editing() {
        let bytes = workbook(&[&["employeeID", "name", "email"], &["E1", "Ani", "a@x.id"]]);
        let mut import = Import::from_bytes(&bytes).unwrap();
        assert_eq!(import.report.missing_fields, [Field::IsActive]);
        import.edit_cell(2, Field::IsActive, "ya");
        assert!(import.report.missing_fields.is_empty());
        assert_eq!(import.ledger.state_of(2), Some(&RowState::Ready));
    }

    #[test]
    fn excluded_rows_stay_excluded_when_the_mode_changes() {
        let bytes = workbook(&[
            &["employeeID", "name", "email", "isActive"],
            &["E1", "Ani", "a@x.id", "1"],
        ]);
        let mut import = Import::from_bytes(&bytes).unwrap();
        import.set_excluded(2, true);
        let mapping = import.report.mapping.clone();
        import.revalidate(mapping, Mode::Update);
        assert_eq!(import.ledger.state_of(2), Some(&RowState::Excluded));
    }

    #[test]
    fn a_sheet_without_a_header_row_is_refused_by_name() {
        let bytes = workbook(&[&["E1", "Ani", "ani@example.com", "TRUE"]]);
        assert_eq!(
            Import::from_bytes(&bytes),
            Err(ImportError::NoHeaderRow {
                sheet: "Sheet1".into()
            })
        );
    }

    #[test]
    fn a_header_without_employees_is_refused() {
        let bytes = workbook(&[&["employeeID", "name"]]);
        assert!(matches!(
            Import::from_bytes(&bytes),
            Err(ImportError::NoDataRows { .. })
        ));
    }

    #[test]
    fn the_header_is_found_under_title_rows_and_blank_rows() {
        let bytes = workbook(&[
            &["Daftar Karyawan PT Maju Jaya"],
            &["Periode: November 2026", "", "Status: final"],
            &[],
            &["No", "NIK", "Nama Lengkap", "Surel", "No. HP", "Aktif"],
            &["1", "K001", "Ani", "ani@example.com", "6281122334455", "ya"],
        ]);
        let import = Import::from_bytes(&bytes).unwrap();
        assert_eq!(import.header_row, 4);
        assert_eq!(import.report.rows.len(), 1);
        assert_eq!(import.report.rows[0].row.number, 5);
        assert!(
            import.report.rows[0].is_valid(),
            "{:?}",
            import.report.rows[0].issues
        );
        assert_eq!(
            import.report.mapping.ignored_headers().collect::<Vec<_>>(),
            ["No"]
        );
    }

    #[test]
    fn the_caller_can_override_header_row_mapping_and_mode() {
        let bytes = workbook(&[&["Kode", "Nama", "Aktif"], &["K001", "Ani", "ya"]]);
        let detected = Import::from_bytes(&bytes).unwrap();
        assert!(detected
            .report
            .missing_fields
            .contains(&crate::Field::EmployeeId));
        let mut mapping = detected.report.mapping.clone();
        mapping.assign(0, Some(crate::Field::EmployeeId));
        let options = ImportOptions {
            header_row: Some(1),
            mapping: Some(mapping.clone()),
            mode: Some(Mode::Update),
            ..ImportOptions::default()
        };
        let chosen = Import::open(&bytes, &options).unwrap();
        assert_eq!(chosen.report.mode, Mode::Update);
        assert_eq!(
            chosen.report.rows[0].row.employee_id.as_deref(),
            Some("K001")
        );
        assert!(chosen.report.rows[0].is_valid());

        let wrong_row = ImportOptions {
            header_row: Some(2),
            ..ImportOptions::default()
        };
        assert_eq!(
            Import::open(&bytes, &wrong_row),
            Err(ImportError::NotAHeaderRow {
                sheet: "Sheet1".into(),
                row: 2
            })
        );
    }
}
