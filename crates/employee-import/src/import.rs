//! One spreadsheet's journey from bytes to a ledger of rows.
//!
//! [`Import::from_bytes`] is the single entry point the shell calls when a
//! file is dropped: it reads the sheet, takes the first row as the header,
//! maps the columns and validates every data row.

use crate::ledger::{plan_batches, Batch, Ledger};
use crate::mapping::map_headers;
use crate::sheet::{read_sheet, CellValue, SheetError};
use crate::validate::{validate, Mode, ValidationReport};

/// Why a file cannot be imported at all.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ImportError {
    #[error(transparent)]
    Sheet(#[from] SheetError),
    #[error(
        "Row {row} of sheet \"{sheet}\" is not a header row: none of its cells names a field such as employeeID, name, email or isActive. Put the column names in the first row and retry."
    )]
    NoHeaderRow { sheet: String, row: u32 },
    #[error("The sheet \"{sheet}\" has a header row but no employees below it.")]
    NoDataRows { sheet: String },
}

/// A read and validated spreadsheet, with the state of each of its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub sheet_name: String,
    pub header_row: u32,
    pub report: ValidationReport,
    pub ledger: Ledger,
}

impl Import {
    pub fn from_bytes(bytes: &[u8], mode: Mode) -> Result<Import, ImportError> {
        let sheet = read_sheet(bytes)?;
        let header = &sheet.rows[0];
        let headers: Vec<String> = header.cells.iter().map(CellValue::to_text).collect();
        let mapping = map_headers(&headers);
        if mapping.maps_nothing() {
            return Err(ImportError::NoHeaderRow {
                sheet: sheet.name,
                row: header.number,
            });
        }
        if sheet.rows.len() < 2 {
            return Err(ImportError::NoDataRows { sheet: sheet.name });
        }
        let report = validate(&sheet, header.number, &mapping, mode);
        let ledger = Ledger::new(&report);
        Ok(Import {
            sheet_name: sheet.name,
            header_row: header.number,
            report,
            ledger,
        })
    }

    /// The rows that can be sent now, in batches of at most `size`.
    pub fn plan(&self, size: usize) -> Vec<Batch> {
        plan_batches(&self.report, &self.ledger, size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let import = Import::from_bytes(&bytes, Mode::Create).unwrap();
        assert_eq!(import.header_row, 1);
        assert_eq!(import.ledger.state_of(2), Some(&RowState::Ready));
        assert_eq!(import.ledger.state_of(3), Some(&RowState::Invalid));
        assert_eq!(
            import.report.mapping.ignored_headers().collect::<Vec<_>>(),
            ["Notes"]
        );
        let batches = import.plan(usize::MAX);
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].rows, [2]);
    }

    #[test]
    fn a_sheet_without_a_header_row_is_refused_with_its_row_number() {
        let bytes = workbook(&[&["E1", "Ani", "ani@example.com", "TRUE"]]);
        assert_eq!(
            Import::from_bytes(&bytes, Mode::Create),
            Err(ImportError::NoHeaderRow {
                sheet: "Sheet1".into(),
                row: 1
            })
        );
    }

    #[test]
    fn a_header_without_employees_is_refused() {
        let bytes = workbook(&[&["employeeID", "name"]]);
        assert!(matches!(
            Import::from_bytes(&bytes, Mode::Create),
            Err(ImportError::NoDataRows { .. })
        ));
    }
}
