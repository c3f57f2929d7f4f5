//! The pure core of the Ruangkerja employee importer.
//!
//! Everything the app decides lives here, and nothing here touches the
//! outside world: no network, no files, no clock, no browser. The shell hands
//! in bytes and API answers as values and gets back values to render or send,
//! so the whole workflow is tested with plain `cargo test` on the host and can
//! later move into a Web Worker unchanged.
//!
//! The data flows in one direction:
//!
//! ```text
//! bytes --sheet--> Sheet --mapping--> ColumnMapping --validate--> ValidationReport
//!       --Ledger::new--> Ledger --plan_batches--> Batch --(shell sends)--> BulkResult
//!       --Ledger::apply_bulk_result--> one RowState per sheet row
//! ```
//!
//! Before the first send, `preflight` looks every employee ID up and each
//! row is assessed against what Ruangkerja holds: a taken ID is held back
//! from a create, an update carries the stored value for every empty cell.
//!
//! Row identity is the row number the user sees in their spreadsheet
//! (1-based, as Excel shows it); it travels through every stage.

pub mod config;
pub mod contract;
mod duplicates;
pub mod export;
pub mod import;
pub mod job;
pub mod lang;
pub mod ledger;
pub mod mapping;
pub mod names;
pub mod preflight;
pub mod send;
pub mod session;
pub mod sheet;
pub mod tally;
pub mod template;
pub mod validate;

pub use import::{
    detect_header_row, CellEdit, Explained, Import, ImportError, ImportOptions, Outlook,
    PasswordAsk,
};
pub use job::{fingerprint, Carried, JournalEntry, SavedCounts, SavedJob};
pub use lang::Lang;
pub use ledger::{Batch, BatchItems, FoundUser, Ledger, LedgerCounts, LedgerRow, RowState};
pub use mapping::{map_headers, ColumnMapping, Field};
pub use names::{Names, Reference};
pub use preflight::{Assessment, Change, CheckJob, Directory, Found, Operation, Preflight};
pub use send::{Dispatcher, Failure, Hold, Job, SendSettings};
pub use sheet::{
    read_workbook, CellValue, Format, Limits, Sheet, SheetError, SheetInfo, SheetRow, Workbook,
};
pub use tally::{RowFilter, Tally};
pub use validate::{
    validate, validate_after, validate_with, CellIssue, ColumnCounts, IssueKind, Judged, Mode,
    NameChoice, ReportRow, Severity, Taken, UserRow, ValidationReport,
};
