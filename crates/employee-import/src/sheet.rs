//! Reading spreadsheet bytes into a [`Sheet`] of plain cell values.
//!
//! calamine types stop at this module's border: the rest of the core sees
//! only [`Sheet`], [`SheetRow`] and [`CellValue`].
//!
//! Cells are read with calamine's streaming cell reader rather than
//! `worksheet_range`, because the latter allocates for the sheet's *declared*
//! dimensions: a 2 KB file claiming a cell at XFD1048576 would ask for
//! hundreds of gigabytes and kill the wasm module. We enforce our own caps
//! while streaming instead.

use std::io::Cursor;

use calamine::{DataRef, Reader, SheetVisible, Xlsx};

/// Files larger than this are refused before any parsing starts.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;
/// Data rows beyond this are refused: the app is built for up to this many.
pub const MAX_ROWS: u32 = 200_000;
/// Columns beyond this are refused; an employee sheet has a dozen or so.
pub const MAX_COLUMNS: u32 = 256;

/// One cell's value, as the spreadsheet typed it.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// An Excel date or time serial (days since 1899-12-30).
    DateTime(f64),
    /// A formula error such as `#N/A`.
    Error(String),
}

impl CellValue {
    pub fn is_empty(&self) -> bool {
        match self {
            CellValue::Empty => true,
            CellValue::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as the user would read it in the cell, without silently
    /// changing it: whole numbers keep their exact digits (`1001`, not
    /// `1001.0`; `6281122334455`, not `6.28E+12`).
    pub fn to_text(&self) -> String {
        match self {
            CellValue::Empty => String::new(),
            CellValue::Text(text) => text.trim().to_owned(),
            CellValue::Number(number) | CellValue::DateTime(number) => number_text(*number),
            CellValue::Bool(true) => "TRUE".to_owned(),
            CellValue::Bool(false) => "FALSE".to_owned(),
            CellValue::Error(error) => error.clone(),
        }
    }
}

/// Formats a number with its exact digits and no exponent.
pub fn number_text(number: f64) -> String {
    // Below 2^53 every whole f64 is an exact integer, so printing it as an
    // integer loses nothing. Rust's f64 Display never uses an exponent and
    // prints the shortest text that reads back to the same number.
    const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0;
    if number.fract() == 0.0 && number.abs() < EXACT_INTEGER_LIMIT {
        format!("{}", number as i64)
    } else {
        format!("{number}")
    }
}

/// A row of the sheet that holds at least one value.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    /// The row number the user sees in their spreadsheet (1-based).
    pub number: u32,
    /// Cells from column A onwards; trailing empty cells may be missing.
    pub cells: Vec<CellValue>,
}

impl SheetRow {
    pub fn cell(&self, column: usize) -> &CellValue {
        self.cells.get(column).unwrap_or(&CellValue::Empty)
    }
}

/// The non-empty rows of one worksheet, in sheet order.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<SheetRow>,
}

/// Why a file could not be read as a sheet at all. Problems with single rows
/// or cells are never a `SheetError`: they are issues in the validation report.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SheetError {
    #[error("This file is empty. Choose a spreadsheet that contains your employees.")]
    EmptyFile,
    #[error(
        "This file is not an .xlsx workbook. Open it in your spreadsheet program and save it as Excel Workbook (.xlsx)."
    )]
    NotAWorkbook,
    #[error("This workbook could not be read ({0}). It may be damaged; open it in your spreadsheet program, save it again as .xlsx and retry.")]
    Unreadable(String),
    #[error("This workbook has no worksheet that can be read.")]
    NoWorksheet,
    #[error(
        "The sheet \"{0}\" is empty. Put a header row and one row per employee in the first sheet."
    )]
    EmptySheet(String),
    #[error(
        "The file is {size_mb:.1} MB, over the {limit_mb} MB limit. Split it into smaller files."
    )]
    FileTooLarge { size_mb: f64, limit_mb: usize },
    #[error("The sheet \"{sheet}\" has data in row {row}, beyond the limit of {limit} rows. Split it into smaller files.")]
    TooManyRows { sheet: String, row: u32, limit: u32 },
    #[error("The sheet \"{sheet}\" has data in column {column}, beyond the limit of {limit} columns. Delete the stray cells far to the right and retry.")]
    TooManyColumns {
        sheet: String,
        column: u32,
        limit: u32,
    },
}

/// Reads the first visible worksheet of an .xlsx workbook.
pub fn read_sheet(bytes: &[u8]) -> Result<Sheet, SheetError> {
    if bytes.is_empty() {
        return Err(SheetError::EmptyFile);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(SheetError::FileTooLarge {
            size_mb: bytes.len() as f64 / (1024.0 * 1024.0),
            limit_mb: MAX_FILE_BYTES / (1024 * 1024),
        });
    }
    // Decide by content, never by file name: an xlsx is a zip archive.
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(SheetError::NotAWorkbook);
    }
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|error| SheetError::Unreadable(error.to_string()))?;
    let name = workbook
        .sheets_metadata()
        .iter()
        .find(|sheet| sheet.visible == SheetVisible::Visible)
        .map(|sheet| sheet.name.clone())
        .ok_or(SheetError::NoWorksheet)?;
    let rows = read_rows(&mut workbook, &name)?;
    if rows.is_empty() {
        return Err(SheetError::EmptySheet(name));
    }
    Ok(Sheet { name, rows })
}

fn read_rows(workbook: &mut Xlsx<Cursor<&[u8]>>, sheet: &str) -> Result<Vec<SheetRow>, SheetError> {
    let unreadable = |error: calamine::XlsxError| SheetError::Unreadable(error.to_string());
    let mut cells = workbook.worksheet_cells_reader(sheet).map_err(unreadable)?;
    let mut rows: Vec<SheetRow> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let value = cell_value(cell.get_value());
        if value.is_empty() {
            continue;
        }
        let (row, column) = cell.get_position();
        let number = row + 1;
        if number > MAX_ROWS + 1 {
            return Err(SheetError::TooManyRows {
                sheet: sheet.to_owned(),
                row: number,
                limit: MAX_ROWS,
            });
        }
        if column >= MAX_COLUMNS {
            return Err(SheetError::TooManyColumns {
                sheet: sheet.to_owned(),
                column: column + 1,
                limit: MAX_COLUMNS,
            });
        }
        // The cell reader streams in document order, which is row order.
        if rows.last().map(|last| last.number) != Some(number) {
            rows.push(SheetRow {
                number,
                cells: Vec::new(),
            });
        }
        if let Some(current) = rows.last_mut() {
            let column = column as usize;
            if current.cells.len() <= column {
                current.cells.resize(column + 1, CellValue::Empty);
            }
            current.cells[column] = value;
        }
    }
    Ok(rows)
}

fn cell_value(data: &DataRef<'_>) -> CellValue {
    match data {
        DataRef::Empty => CellValue::Empty,
        DataRef::String(text) => CellValue::Text(text.clone()),
        DataRef::SharedString(text) => CellValue::Text((*text).to_owned()),
        DataRef::Int(number) => CellValue::Number(*number as f64),
        DataRef::Float(number) => CellValue::Number(*number),
        DataRef::Bool(value) => CellValue::Bool(*value),
        DataRef::DateTime(value) => CellValue::DateTime(value.as_f64()),
        DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => CellValue::Text(text.clone()),
        DataRef::Error(error) => CellValue::Error(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;

    fn xlsx(build: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
        let mut workbook = Workbook::new();
        build(workbook.add_worksheet());
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn reads_cells_with_their_sheet_row_numbers() {
        let bytes = xlsx(|sheet| {
            sheet.write_string(0, 0, "employeeID").unwrap();
            sheet.write_string(0, 1, "name").unwrap();
            sheet.write_string(1, 0, "E1").unwrap();
            sheet.write_string(1, 1, "Ani").unwrap();
            // Row 3 left blank on purpose.
            sheet.write_string(3, 0, "E2").unwrap();
            sheet.write_boolean(3, 2, true).unwrap();
        });
        let sheet = read_sheet(&bytes).unwrap();
        assert_eq!(sheet.name, "Sheet1");
        let numbers: Vec<u32> = sheet.rows.iter().map(|row| row.number).collect();
        assert_eq!(numbers, [1, 2, 4]);
        assert_eq!(sheet.rows[1].cell(1), &CellValue::Text("Ani".into()));
        assert_eq!(sheet.rows[2].cell(1), &CellValue::Empty);
        assert_eq!(sheet.rows[2].cell(2), &CellValue::Bool(true));
    }

    #[test]
    fn numeric_ids_and_phones_keep_their_exact_digits() {
        let bytes = xlsx(|sheet| {
            sheet.write_number(0, 0, 1001.0).unwrap();
            sheet.write_number(0, 1, 6281122334455.0).unwrap();
            sheet.write_number(0, 2, 2.5).unwrap();
        });
        let row = &read_sheet(&bytes).unwrap().rows[0];
        let texts: Vec<String> = row.cells.iter().map(CellValue::to_text).collect();
        assert_eq!(texts, ["1001", "6281122334455", "2.5"]);
    }

    #[test]
    fn a_file_that_is_not_a_workbook_is_refused_by_content() {
        assert_eq!(
            read_sheet(b"employeeID,name\nE1,Ani\n"),
            Err(SheetError::NotAWorkbook)
        );
        assert_eq!(read_sheet(b""), Err(SheetError::EmptyFile));
    }

    #[test]
    fn a_damaged_zip_is_a_clear_error_not_a_panic() {
        let mut bytes = xlsx(|sheet| {
            sheet.write_string(0, 0, "employeeID").unwrap();
        });
        bytes.truncate(bytes.len() / 2);
        assert!(matches!(read_sheet(&bytes), Err(SheetError::Unreadable(_))));
    }

    #[test]
    fn an_empty_sheet_is_reported_by_name() {
        let bytes = xlsx(|_| {});
        assert_eq!(
            read_sheet(&bytes),
            Err(SheetError::EmptySheet("Sheet1".into()))
        );
    }

    #[test]
    fn a_stray_cell_far_to_the_right_is_refused_without_allocating_for_it() {
        let bytes = xlsx(|sheet| {
            sheet.write_string(0, 0, "employeeID").unwrap();
            sheet.write_string(1_048_575, 16_383, "x").unwrap();
        });
        assert!(matches!(
            read_sheet(&bytes),
            Err(SheetError::TooManyRows { row: 1_048_576, .. })
        ));
    }
}
