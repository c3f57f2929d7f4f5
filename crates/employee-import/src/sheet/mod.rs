//! Reading spreadsheet bytes into a [`Sheet`] of plain cell values.
//!
//! The format is decided by content, never by file name: .xlsx/.xlsm,
//! .xlsb, .xls and .ods go through calamine, comma/semicolon/tab separated
//! text through the `csv` crate. calamine types stop at this module's border:
//! the rest of the core sees only [`Workbook`], [`Sheet`], [`SheetRow`] and
//! [`CellValue`].
//!
//! Every limit is checked before the work it protects. xlsx and xlsb cells
//! are streamed with calamine's cell readers rather than `worksheet_range`,
//! which allocates for the sheet's *declared* dimensions (a 2 KB file
//! claiming a cell at XFD1048576 would ask for hundreds of gigabytes); zip
//! entries are checked for size and inflate ratio before anything inflates
//! (see `guard`).

mod cfb_guard;
mod delimited;
mod guard;

use std::fmt;
use std::io::Cursor;

use calamine::{
    Data, DataRef, ExcelDateTime, Ods, Reader, SheetType, SheetVisible, Xls, Xlsb, Xlsx,
};

use guard::{inspect_zip, ZipKind};

/// The caps that keep a hostile or accidental file from exhausting memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub max_file_bytes: usize,
    /// Data rows; the header row comes on top.
    pub max_rows: u32,
    pub max_columns: u32,
    pub max_zip_entries: usize,
    pub max_zip_entry_bytes: u64,
    pub max_inflate_ratio: u64,
    pub inflate_grace_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 50 * 1024 * 1024,
            max_rows: 200_000,
            max_columns: 256,
            max_zip_entries: 1_000,
            max_zip_entry_bytes: 1_000_000_000,
            max_inflate_ratio: 100,
            inflate_grace_bytes: 100 * 1024,
        }
    }
}

/// The file formats the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    Delimited { delimiter: u8 },
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Format::Xlsx => f.write_str("Excel workbook (.xlsx)"),
            Format::Xlsb => f.write_str("Excel binary workbook (.xlsb)"),
            Format::Xls => f.write_str("Excel 97-2003 workbook (.xls)"),
            Format::Ods => f.write_str("OpenDocument spreadsheet (.ods)"),
            Format::Delimited { delimiter: b'\t' } => f.write_str("tab-separated text"),
            Format::Delimited { delimiter: b';' } => f.write_str("semicolon-separated text (CSV)"),
            Format::Delimited { .. } => f.write_str("comma-separated text (CSV)"),
        }
    }
}

/// A worksheet's name and whether the workbook hides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetInfo {
    pub name: String,
    pub hidden: bool,
}

/// A workbook's sheet list and the one sheet that was read.
#[derive(Debug, Clone, PartialEq)]
pub struct Workbook {
    pub format: Format,
    pub sheets: Vec<SheetInfo>,
    pub sheet: Sheet,
}

/// One cell's value, as the spreadsheet typed it.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A date or time, already written as ISO 8601 text.
    Date(String),
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
            CellValue::Text(text) | CellValue::Date(text) => text.trim().to_owned(),
            CellValue::Number(number) => number_text(*number),
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

/// The non-empty rows of one worksheet, in sheet order. Blank rows are not
/// kept: they are neither data nor errors.
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
        "This file is not a spreadsheet. Use an Excel workbook (.xlsx, .xlsm, .xlsb, .xls), an OpenDocument spreadsheet (.ods) or a CSV file."
    )]
    NotASpreadsheet,
    /// Neither a workbook nor text in UTF-8, UTF-16 or Windows-1252.
    #[error(
        "This file is not a spreadsheet, nor a text table (CSV) in an encoding this app reads (UTF-8, UTF-16 or Windows-1252). If it is a CSV file, open it in Excel, save it as \"CSV UTF-8\" (File > Save As) and retry; otherwise use an Excel workbook (.xlsx, .xls) or an OpenDocument spreadsheet (.ods)."
    )]
    NotText,
    #[error(
        "This workbook is protected by a password. Open it in your spreadsheet program, remove the password (File > Info > Protect Workbook), save it and retry."
    )]
    PasswordProtected,
    #[error("This workbook could not be read ({0}). It may be damaged; open it in your spreadsheet program, save it again and retry.")]
    Unreadable(String),
    #[error("This workbook has no worksheet that can be read.")]
    NoWorksheet,
    #[error("This workbook has no sheet named \"{0}\".")]
    NoSuchSheet(String),
    #[error("The sheet \"{0}\" is empty. Choose the sheet that lists your employees.")]
    EmptySheet(String),
    #[error(
        "The file is {size_mb:.1} MB, over the {limit_mb} MB limit. Split it into smaller files."
    )]
    FileTooLarge { size_mb: f64, limit_mb: usize },
    #[error("The sheet \"{sheet}\" has data in row {row}, beyond the limit of {limit} rows (by {}). Split it into smaller files, or delete stray cells far below your data.", row - limit)]
    TooManyRows { sheet: String, row: u32, limit: u32 },
    #[error("The sheet \"{sheet}\" has data in column {column}, beyond the limit of {limit} columns (by {}). Delete the stray cells far to the right and retry.", column - limit)]
    TooManyColumns {
        sheet: String,
        column: u32,
        limit: u32,
    },
    #[error("This file is refused because {0}. Save the workbook again from your spreadsheet program and retry.")]
    OverLimit(String),
}

impl SheetError {
    /// The message in the user's language; English is the `Display` text.
    pub fn message(&self, lang: crate::Lang) -> String {
        if lang == crate::Lang::En {
            return self.to_string();
        }
        match self {
            SheetError::EmptyFile => "Berkas ini kosong. Pilih spreadsheet yang berisi data karyawan Anda.".to_owned(),
            SheetError::NotASpreadsheet => "Berkas ini bukan spreadsheet. Gunakan workbook Excel (.xlsx, .xlsm, .xlsb, .xls), spreadsheet OpenDocument (.ods) atau berkas CSV.".to_owned(),
            SheetError::NotText => "Berkas ini bukan spreadsheet, juga bukan tabel teks (CSV) dengan encoding yang dapat dibaca aplikasi ini (UTF-8, UTF-16 atau Windows-1252). Jika ini berkas CSV, buka di Excel, simpan sebagai \"CSV UTF-8\" (File > Simpan Sebagai), lalu coba lagi; jika bukan, gunakan workbook Excel (.xlsx, .xls) atau spreadsheet OpenDocument (.ods).".to_owned(),
            SheetError::PasswordProtected => "Workbook ini dilindungi kata sandi. Buka di program spreadsheet Anda, hapus kata sandinya, simpan, lalu coba lagi.".to_owned(),
            SheetError::Unreadable(cause) => format!("Workbook ini tidak dapat dibaca ({cause}). Mungkin rusak; buka di program spreadsheet Anda, simpan ulang, lalu coba lagi."),
            SheetError::NoWorksheet => "Workbook ini tidak punya sheet yang dapat dibaca.".to_owned(),
            SheetError::NoSuchSheet(name) => format!("Workbook ini tidak punya sheet bernama \"{name}\"."),
            SheetError::EmptySheet(name) => format!("Sheet \"{name}\" kosong. Pilih sheet yang berisi daftar karyawan Anda."),
            SheetError::FileTooLarge { size_mb, limit_mb } => format!("Berkas berukuran {size_mb:.1} MB, melebihi batas {limit_mb} MB. Pecah menjadi beberapa berkas."),
            SheetError::TooManyRows { sheet, row, limit } => format!("Sheet \"{sheet}\" berisi data di baris {row}, melebihi batas {limit} baris (lebih {}). Pecah berkasnya, atau hapus sel yang tersasar jauh di bawah data.", row - limit),
            SheetError::TooManyColumns { sheet, column, limit } => format!("Sheet \"{sheet}\" berisi data di kolom {column}, melebihi batas {limit} kolom (lebih {}). Hapus sel yang tersasar jauh di kanan, lalu coba lagi.", column - limit),
            SheetError::OverLimit(reason) => format!("Berkas ini ditolak: {reason}. Simpan ulang workbook dari program spreadsheet Anda, lalu coba lagi."),
        }
    }
}

/// Reads the sheet named `choice`, or by default the first visible sheet
/// that holds data, and lists every sheet of the workbook.
pub fn read_workbook(
    bytes: &[u8],
    choice: Option<&str>,
    limits: &Limits,
) -> Result<Workbook, SheetError> {
    if bytes.is_empty() {
        return Err(SheetError::EmptyFile);
    }
    if bytes.len() > limits.max_file_bytes {
        return Err(SheetError::FileTooLarge {
            size_mb: bytes.len() as f64 / (1024.0 * 1024.0),
            limit_mb: limits.max_file_bytes / (1024 * 1024),
        });
    }
    // calamine has panicked on damaged files before (fuzzing found one in
    // its .xls container reader): a panic becomes an error here wherever
    // unwinding exists. On wasm32 a panic cannot be caught; the shell's
    // panic hook then tells the user what happened.
    std::panic::catch_unwind(|| read_by_content(bytes, choice, limits)).unwrap_or_else(|_| {
        Err(SheetError::Unreadable(
            "the spreadsheet reader failed on this file".to_owned(),
        ))
    })
}

fn read_by_content(
    bytes: &[u8],
    choice: Option<&str>,
    limits: &Limits,
) -> Result<Workbook, SheetError> {
    if bytes.starts_with(b"PK\x03\x04") {
        match inspect_zip(bytes, limits)? {
            ZipKind::Xlsx => read_calamine::<Xlsx<_>>(bytes, Format::Xlsx, choice, limits),
            ZipKind::Xlsb => read_calamine::<Xlsb<_>>(bytes, Format::Xlsb, choice, limits),
            ZipKind::Ods => read_calamine::<Ods<_>>(bytes, Format::Ods, choice, limits),
        }
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // An OLE compound file: either a legacy .xls, or an encrypted
        // .xlsx, which Office wraps in one with an "EncryptionInfo" stream.
        if contains_utf16(bytes, "EncryptionInfo") {
            return Err(SheetError::PasswordProtected);
        }
        cfb_guard::check_compound_file(bytes)?;
        read_calamine::<Xls<_>>(bytes, Format::Xls, choice, limits)
    } else {
        let text = delimited::decode(bytes)?;
        let delimiter = delimited::sniff_delimiter(&text);
        let name = "CSV".to_owned();
        if choice.is_some_and(|wanted| wanted != name) {
            return Err(SheetError::NoSuchSheet(
                choice.unwrap_or_default().to_owned(),
            ));
        }
        let rows = delimited::read_rows(&text, delimiter, limits)?;
        if rows.is_empty() {
            return Err(SheetError::EmptySheet(name));
        }
        Ok(Workbook {
            format: Format::Delimited { delimiter },
            sheets: vec![SheetInfo {
                name: name.clone(),
                hidden: false,
            }],
            sheet: Sheet { name, rows },
        })
    }
}

fn contains_utf16(haystack: &[u8], needle: &str) -> bool {
    let needle: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// The calamine readers, behind one interface that yields cells by stream.
trait CellSource<'a>: Sized {
    fn open(bytes: &'a [u8]) -> Result<Self, SheetError>;
    fn metadata(&self) -> Vec<calamine::Sheet>;
    fn read_rows(&mut self, sheet: &str, limits: &Limits) -> Result<Vec<SheetRow>, SheetError>;
}

fn read_calamine<'a, S: CellSource<'a>>(
    bytes: &'a [u8],
    format: Format,
    choice: Option<&str>,
    limits: &Limits,
) -> Result<Workbook, SheetError> {
    let mut source = S::open(bytes)?;
    let worksheets: Vec<calamine::Sheet> = source
        .metadata()
        .into_iter()
        .filter(|sheet| sheet.typ == SheetType::WorkSheet)
        .collect();
    let sheets: Vec<SheetInfo> = worksheets
        .iter()
        .map(|sheet| SheetInfo {
            name: sheet.name.clone(),
            hidden: sheet.visible != SheetVisible::Visible,
        })
        .collect();
    let sheet = match choice {
        Some(wanted) => {
            let info = sheets
                .iter()
                .find(|info| info.name == wanted)
                .ok_or_else(|| SheetError::NoSuchSheet(wanted.to_owned()))?;
            let rows = source.read_rows(&info.name, limits)?;
            if rows.is_empty() {
                return Err(SheetError::EmptySheet(info.name.clone()));
            }
            Sheet {
                name: info.name.clone(),
                rows,
            }
        }
        None => first_sheet_with_data(&mut source, &sheets, limits)?,
    };
    Ok(Workbook {
        format,
        sheets,
        sheet,
    })
}

fn first_sheet_with_data<'a, S: CellSource<'a>>(
    source: &mut S,
    sheets: &[SheetInfo],
    limits: &Limits,
) -> Result<Sheet, SheetError> {
    let first_visible = sheets
        .iter()
        .find(|info| !info.hidden)
        .ok_or(SheetError::NoWorksheet)?;
    for info in sheets.iter().filter(|info| !info.hidden) {
        let rows = source.read_rows(&info.name, limits)?;
        if !rows.is_empty() {
            return Ok(Sheet {
                name: info.name.clone(),
                rows,
            });
        }
    }
    Err(SheetError::EmptySheet(first_visible.name.clone()))
}

fn unreadable(error: impl fmt::Display) -> SheetError {
    SheetError::Unreadable(error.to_string())
}

/// xlsx and xlsb have the same streaming cell reader API in calamine, under
/// different types: one implementation serves both.
macro_rules! streaming_cell_source {
    ($reader:ident) => {
        impl<'a> CellSource<'a> for $reader<Cursor<&'a [u8]>> {
            fn open(bytes: &'a [u8]) -> Result<Self, SheetError> {
                $reader::new(Cursor::new(bytes)).map_err(unreadable)
            }
            fn metadata(&self) -> Vec<calamine::Sheet> {
                self.sheets_metadata().to_vec()
            }
            fn read_rows(
                &mut self,
                sheet: &str,
                limits: &Limits,
            ) -> Result<Vec<SheetRow>, SheetError> {
                let mut cells = self.worksheet_cells_reader(sheet).map_err(unreadable)?;
                let mut rows = Vec::new();
                while let Some(cell) = cells.next_cell().map_err(unreadable)? {
                    let (row, column) = cell.get_position();
                    push_cell(
                        &mut rows,
                        row,
                        column,
                        from_data_ref(cell.get_value()),
                        sheet,
                        limits,
                    )?;
                }
                Ok(rows)
            }
        }
    };
}

streaming_cell_source!(Xlsx);
streaming_cell_source!(Xlsb);

impl<'a> CellSource<'a> for Xls<Cursor<&'a [u8]>> {
    fn open(bytes: &'a [u8]) -> Result<Self, SheetError> {
        Xls::new(Cursor::new(bytes)).map_err(|error| match error {
            calamine::XlsError::Password => SheetError::PasswordProtected,
            other => unreadable(other),
        })
    }
    fn metadata(&self) -> Vec<calamine::Sheet> {
        self.sheets_metadata().to_vec()
    }
    fn read_rows(&mut self, sheet: &str, limits: &Limits) -> Result<Vec<SheetRow>, SheetError> {
        // calamine has no streaming reader for .xls; its ranges span the
        // cells actually present, and the format itself caps a sheet at
        // 65,536 x 256 cells.
        let range = self.worksheet_range(sheet).map_err(unreadable)?;
        range_rows(&range, sheet, limits)
    }
}

impl<'a> CellSource<'a> for Ods<Cursor<&'a [u8]>> {
    fn open(bytes: &'a [u8]) -> Result<Self, SheetError> {
        Ods::new(Cursor::new(bytes)).map_err(unreadable)
    }
    fn metadata(&self) -> Vec<calamine::Sheet> {
        self.sheets_metadata().to_vec()
    }
    fn read_rows(&mut self, sheet: &str, limits: &Limits) -> Result<Vec<SheetRow>, SheetError> {
        let range = self.worksheet_range(sheet).map_err(unreadable)?;
        range_rows(&range, sheet, limits)
    }
}

fn range_rows(
    range: &calamine::Range<Data>,
    sheet: &str,
    limits: &Limits,
) -> Result<Vec<SheetRow>, SheetError> {
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut rows = Vec::new();
    for (row, column, value) in range.used_cells() {
        push_cell(
            &mut rows,
            top + row as u32,
            left + column as u32,
            from_data(value),
            sheet,
            limits,
        )?;
    }
    Ok(rows)
}

/// Adds a cell at 0-based `row` and `column`, enforcing the row and column
/// caps before anything is allocated for the cell.
pub(crate) fn push_cell(
    rows: &mut Vec<SheetRow>,
    row: u32,
    column: u32,
    value: CellValue,
    sheet: &str,
    limits: &Limits,
) -> Result<(), SheetError> {
    if value.is_empty() {
        return Ok(());
    }
    let number = row + 1;
    // One header row comes on top of the data rows.
    if number > limits.max_rows.saturating_add(1) {
        return Err(SheetError::TooManyRows {
            sheet: sheet.to_owned(),
            row: number,
            limit: limits.max_rows + 1,
        });
    }
    if column >= limits.max_columns {
        return Err(SheetError::TooManyColumns {
            sheet: sheet.to_owned(),
            column: column + 1,
            limit: limits.max_columns,
        });
    }
    // Readers yield cells in row order; the search only runs for the rare
    // file whose XML lists rows out of order.
    let index = match rows.last() {
        Some(last) if last.number == number => rows.len() - 1,
        Some(last) if last.number > number => {
            match rows.binary_search_by_key(&number, |r| r.number) {
                Ok(index) => index,
                Err(index) => {
                    rows.insert(
                        index,
                        SheetRow {
                            number,
                            cells: Vec::new(),
                        },
                    );
                    index
                }
            }
        }
        _ => {
            rows.push(SheetRow {
                number,
                cells: Vec::new(),
            });
            rows.len() - 1
        }
    };
    let cells = &mut rows[index].cells;
    let column = column as usize;
    if cells.len() <= column {
        cells.resize(column + 1, CellValue::Empty);
    }
    cells[column] = value;
    Ok(())
}

fn from_data_ref(data: &DataRef<'_>) -> CellValue {
    match data {
        DataRef::Empty => CellValue::Empty,
        DataRef::String(text) => CellValue::Text(text.clone()),
        DataRef::SharedString(text) => CellValue::Text((*text).to_owned()),
        DataRef::Int(number) => CellValue::Number(*number as f64),
        DataRef::Float(number) => CellValue::Number(*number),
        DataRef::Bool(value) => CellValue::Bool(*value),
        DataRef::DateTime(value) => date_value(value),
        DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => CellValue::Date(text.clone()),
        DataRef::Error(error) => CellValue::Error(error.to_string()),
    }
}

fn from_data(data: &Data) -> CellValue {
    match data {
        Data::Empty => CellValue::Empty,
        Data::String(text) => CellValue::Text(text.clone()),
        Data::Int(number) => CellValue::Number(*number as f64),
        Data::Float(number) => CellValue::Number(*number),
        Data::Bool(value) => CellValue::Bool(*value),
        Data::DateTime(value) => date_value(value),
        Data::DateTimeIso(text) | Data::DurationIso(text) => CellValue::Date(text.clone()),
        Data::Error(error) => CellValue::Error(error.to_string()),
    }
}

fn date_value(value: &ExcelDateTime) -> CellValue {
    if value.is_duration() {
        return CellValue::Number(value.as_f64());
    }
    let (year, month, day, hour, minute, second, _) = value.to_ymd_hms_milli();
    if (hour, minute, second) == (0, 0, 0) {
        CellValue::Date(format!("{year:04}-{month:02}-{day:02}"))
    } else {
        CellValue::Date(format!(
            "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}"
        ))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook as XlsxWriter;
    use std::io::Write;

    pub(crate) fn xlsx(build: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
        let mut workbook = XlsxWriter::new();
        build(workbook.add_worksheet());
        workbook.save_to_buffer().unwrap()
    }

    fn read(bytes: &[u8]) -> Result<Workbook, SheetError> {
        read_workbook(bytes, None, &Limits::default())
    }

    /// Rewrites the archive's entries with `edit(name, content)`.
    fn rezip(bytes: &[u8], edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).unwrap();
            let name = entry.name().unwrap().into_owned();
            let mut content = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut content).unwrap();
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            out.start_file(name.clone(), options).unwrap();
            out.write_all(&edit(&name, content)).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn reads_cells_with_their_sheet_row_numbers_and_skips_blank_rows() {
        let bytes = xlsx(|sheet| {
            sheet.write_string(0, 0, "employeeID").unwrap();
            sheet.write_string(0, 1, "name").unwrap();
            sheet.write_string(1, 0, "E1").unwrap();
            sheet.write_string(1, 1, "Ani").unwrap();
            // Row 3 left blank on purpose.
            sheet.write_string(3, 0, "E2").unwrap();
            sheet.write_boolean(3, 2, true).unwrap();
        });
        let workbook = read(&bytes).unwrap();
        assert_eq!(workbook.format, Format::Xlsx);
        let sheet = workbook.sheet;
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
        let row = &read(&bytes).unwrap().sheet.rows[0];
        let texts: Vec<String> = row.cells.iter().map(CellValue::to_text).collect();
        assert_eq!(texts, ["1001", "6281122334455", "2.5"]);
    }

    #[test]
    fn dates_read_as_iso_text() {
        let bytes = xlsx(|sheet| {
            let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 3, 9).unwrap();
            let format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
            sheet
                .write_datetime_with_format(0, 0, &date, &format)
                .unwrap();
        });
        assert_eq!(
            read(&bytes).unwrap().sheet.rows[0].cells[0],
            CellValue::Date("2024-03-09".into())
        );
    }

    #[test]
    fn csv_is_recognised_by_content_with_bom_crlf_and_semicolons() {
        let bytes = b"\xEF\xBB\xBFemployeeID;name;phone\r\n00123;\"Ani; W.\";081122334455\r\n\r\nE2;Budi;\r\n";
        let workbook = read(bytes).unwrap();
        assert_eq!(workbook.format, Format::Delimited { delimiter: b';' });
        let rows = &workbook.sheet.rows;
        assert_eq!(rows.iter().map(|r| r.number).collect::<Vec<_>>(), [1, 2, 4]);
        assert_eq!(rows[0].cells[0], CellValue::Text("employeeID".into()));
        // Text stays text: the zeros an Excel number would lose are kept.
        assert_eq!(rows[1].cells[0], CellValue::Text("00123".into()));
        assert_eq!(rows[1].cells[1], CellValue::Text("Ani; W.".into()));
        assert_eq!(rows[1].cells[2], CellValue::Text("081122334455".into()));
    }

    #[test]
    fn a_file_that_is_not_a_spreadsheet_is_refused_by_content() {
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00";
        // Not a container we know, and not text: the message also says
        // what to do if it was meant to be a CSV.
        assert_eq!(read(png), Err(SheetError::NotText));
        assert_eq!(read(b""), Err(SheetError::EmptyFile));
        // A zip that holds no workbook, such as a .docx.
        let docx = rezip(&xlsx(|_| {}), |_, content| content);
        let docx = rezip_rename(&docx, "xl/workbook.xml", "word/document.xml");
        assert_eq!(read(&docx), Err(SheetError::NotASpreadsheet));
    }

    fn rezip_rename(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).unwrap();
            let original = entry.name().unwrap().into_owned();
            let name = if original == from {
                to.to_owned()
            } else {
                original
            };
            let mut content = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut content).unwrap();
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&content).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn a_damaged_zip_is_a_clear_error_not_a_panic() {
        let mut bytes = xlsx(|sheet| {
            sheet.write_string(0, 0, "employeeID").unwrap();
        });
        bytes.truncate(bytes.len() / 2);
        assert!(matches!(read(&bytes), Err(SheetError::Unreadable(_))));
    }

    #[test]
    fn an_encrypted_workbook_is_reported_as_password_protected() {
        let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        bytes.extend(std::iter::repeat_n(0u8, 512));
        bytes.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(read(&bytes), Err(SheetError::PasswordProtected));
    }

    #[test]
    fn an_empty_sheet_is_reported_by_name() {
        assert_eq!(
            read(&xlsx(|_| {})),
            Err(SheetError::EmptySheet("Sheet1".into()))
        );
    }

    #[test]
    fn sheets_are_listed_hidden_ones_marked_and_the_first_visible_sheet_with_data_is_read() {
        let mut workbook = XlsxWriter::new();
        workbook.add_worksheet().set_name("Cover").unwrap();
        let hidden = workbook.add_worksheet().set_name("Lookup").unwrap();
        hidden.write_string(0, 0, "secret").unwrap();
        hidden.set_hidden(true);
        let staff = workbook.add_worksheet().set_name("Staff").unwrap();
        staff.write_string(0, 0, "employeeID").unwrap();
        let bytes = workbook.save_to_buffer().unwrap();

        let read_default = read(&bytes).unwrap();
        let listed: Vec<(&str, bool)> = read_default
            .sheets
            .iter()
            .map(|s| (s.name.as_str(), s.hidden))
            .collect();
        assert_eq!(
            listed,
            [("Cover", false), ("Lookup", true), ("Staff", false)]
        );
        assert_eq!(read_default.sheet.name, "Staff");

        let picked = read_workbook(&bytes, Some("Lookup"), &Limits::default()).unwrap();
        assert_eq!(
            picked.sheet.rows[0].cells[0],
            CellValue::Text("secret".into())
        );
        assert_eq!(
            read_workbook(&bytes, Some("Nope"), &Limits::default()),
            Err(SheetError::NoSuchSheet("Nope".into()))
        );
    }

    #[test]
    fn a_stray_cell_far_away_is_refused_naming_the_limit_and_the_excess() {
        let bytes = xlsx(|sheet| {
            sheet.write_string(0, 0, "employeeID").unwrap();
            sheet.write_string(1_048_575, 0, "x").unwrap();
        });
        let error = read(&bytes).unwrap_err();
        assert_eq!(
            error,
            SheetError::TooManyRows {
                sheet: "Sheet1".into(),
                row: 1_048_576,
                limit: 200_001
            }
        );
        assert!(error.to_string().contains("by 848575"), "{error}");
        let wide = xlsx(|sheet| {
            sheet.write_string(0, 16_383, "x").unwrap();
        });
        assert!(matches!(
            read(&wide),
            Err(SheetError::TooManyColumns {
                column: 16_384,
                limit: 256,
                ..
            })
        ));
    }

    #[test]
    fn a_huge_declared_dimension_allocates_nothing_for_it() {
        let bytes = xlsx(|sheet| {
            sheet.write_string(0, 0, "employeeID").unwrap();
            sheet.write_string(1, 0, "E1").unwrap();
        });
        let bytes = rezip(&bytes, |name, content| {
            if name != "xl/worksheets/sheet1.xml" {
                return content;
            }
            let xml = String::from_utf8(content).unwrap();
            xml.replace(
                "<dimension ref=\"A1:A2\"/>",
                "<dimension ref=\"A1:XFD1048576\"/>",
            )
            .into_bytes()
        });
        assert!(bytes.len() < 10_000);
        assert_eq!(read(&bytes).unwrap().sheet.rows.len(), 2);
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_inflated() {
        let bytes = xlsx(|sheet| {
            sheet.write_string(0, 0, "employeeID").unwrap();
        });
        let bomb = rezip(&bytes, |name, content| {
            if name == "xl/worksheets/sheet1.xml" {
                let mut padded = content;
                padded.extend(std::iter::repeat_n(b' ', 50_000_000));
                padded
            } else {
                content
            }
        });
        let error = read(&bomb).unwrap_err();
        assert!(
            error.to_string().contains("inflates") && error.to_string().contains("100:1"),
            "{error}"
        );
        let tight = Limits {
            max_zip_entry_bytes: 1_000,
            ..Limits::default()
        };
        assert!(matches!(
            read_workbook(&bytes, None, &tight),
            Err(SheetError::OverLimit(_))
        ));
    }

    #[test]
    fn a_lying_shared_strings_count_is_refused_before_calamine_reserves_for_it() {
        let bytes = xlsx(|sheet| {
            sheet.write_string(0, 0, "employeeID").unwrap();
        });
        let lying = rezip(&bytes, |name, content| {
            if name != "xl/sharedStrings.xml" {
                return content;
            }
            let xml = String::from_utf8(content).unwrap();
            xml.replace("uniqueCount=\"1\"", "uniqueCount=\"4000000000000\"")
                .into_bytes()
        });
        let error = read(&lying).unwrap_err();
        assert!(
            error.to_string().contains("claims 4000000000000 strings"),
            "{error}"
        );
    }

    #[test]
    fn an_oversized_file_is_refused_before_parsing() {
        let limits = Limits {
            max_file_bytes: 1024 * 1024,
            ..Limits::default()
        };
        let bytes = vec![b'a'; 3 * 1024 * 1024 / 2];
        let error = read_workbook(&bytes, None, &limits).unwrap_err();
        assert_eq!(
            error.to_string(),
            "The file is 1.5 MB, over the 1 MB limit. Split it into smaller files."
        );
    }
}
