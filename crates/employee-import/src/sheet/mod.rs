//! Reading spreadsheet bytes into a [`Sheet`] of plain cell values.
//!
//! The format is decided by content, never by file name: .xlsx/.xlsm go
//! through `xlsx`, a faster reader that gives what calamine gives and hands
//! calamine what it does not know; .xlsb, .xls and .ods go through calamine
//! (an encrypted .xlsx through `encrypted` first); text is read as an XML
//! Spreadsheet 2003 (`spreadsheetml`), a web-page table (`html`), or
//! comma/semicolon/tab separated text through the `csv` crate. calamine types stop at this module's border:
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
mod encrypted;
mod guard;
mod html;
mod spreadsheetml;
mod xlsx;

use std::fmt;
use std::io::Cursor;

use calamine::{
    Data, DataRef, ExcelDateTime, Ods, Reader, SheetType, SheetVisible, Xls, Xlsb, Xlsx,
};

pub use encrypted::{decrypt as decrypt_workbook, EXCEL_DEFAULT_PASSWORD};
pub use guard::Refusal;
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
    /// All zip parts together, unpacked: what the reader may inflate.
    pub max_unpacked_bytes: u64,
    /// The shared-strings part, which calamine holds in memory whole.
    pub max_shared_strings_bytes: u64,
    /// Memory for the dense cell ranges calamine's .xls and .ods readers
    /// build for every sheet at once (estimated from the cells present).
    pub max_range_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 50 * 1024 * 1024,
            max_rows: 200_000,
            max_columns: 256,
            max_zip_entries: 1_000,
            max_zip_entry_bytes: 1_000_000_000,
            max_inflate_ratio: 500,
            inflate_grace_bytes: 100 * 1024,
            max_unpacked_bytes: 512 * 1024 * 1024,
            max_shared_strings_bytes: 128 * 1024 * 1024,
            max_range_bytes: 384 * 1024 * 1024,
        }
    }
}

/// The file formats the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    Delimited { delimiter: u8 },
    Html,
    SpreadsheetMl,
}

impl Format {
    /// The format's name in the page's language (English is `Display`).
    pub fn name(&self, lang: crate::Lang) -> String {
        if lang == crate::Lang::En {
            return self.to_string();
        }
        match self {
            Format::Xlsx => "Workbook Excel (.xlsx)",
            Format::Xlsb => "Workbook biner Excel (.xlsb)",
            Format::Xls => "Workbook Excel 97-2003 (.xls)",
            Format::Ods => "Spreadsheet OpenDocument (.ods)",
            Format::Delimited { delimiter: b'\t' } => "Teks dipisah tab",
            Format::Delimited { delimiter: b';' } => "Teks dipisah titik koma (CSV)",
            Format::Delimited { .. } => "Teks dipisah koma (CSV)",
            Format::Html => "Tabel halaman web (.xls/.html)",
            Format::SpreadsheetMl => "XML Spreadsheet 2003 (.xml/.xls)",
        }
        .to_owned()
    }
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
            Format::Html => f.write_str("Web page table (.xls/.html)"),
            Format::SpreadsheetMl => f.write_str("XML Spreadsheet 2003 (.xml/.xls)"),
        }
    }
}

/// A worksheet's name and whether the workbook hides it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<SheetRow>,
}

/// Why a file could not be read as a sheet at all. Problems with single rows
/// or cells are never a `SheetError`: they are issues in the validation report.
#[derive(Debug, thiserror::Error, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum SheetError {
    #[error("This file is empty. Choose a spreadsheet that contains your employees.")]
    EmptyFile,
    #[error(
        "This file is not a spreadsheet. Use an Excel workbook (.xlsx, .xlsm, .xlsb, .xls), an OpenDocument spreadsheet (.ods) or a CSV file."
    )]
    NotASpreadsheet,
    /// Neither a workbook nor text in UTF-8, UTF-16, UTF-32 or Windows-1252.
    #[error(
        "This file is not a spreadsheet, nor a text table (CSV) in an encoding this app reads (UTF-8, UTF-16, UTF-32 or Windows-1252). If it is a CSV file, open it in Excel, save it as \"CSV UTF-8\" (File > Save As) and retry; otherwise use an Excel workbook (.xlsx, .xls) or an OpenDocument spreadsheet (.ods)."
    )]
    NotText,
    #[error(
        "This workbook is protected by a password in a way this app cannot open (a protected .xls or .ods). Open it in your spreadsheet program, remove the password (File > Info > Protect Workbook), save it and retry."
    )]
    PasswordProtected,
    /// An encrypted .xlsx that Excel's default password does not open.
    #[error("This workbook is protected by a password. Type the password to open it; it is used only in this browser and never kept.")]
    PasswordRequired,
    #[error("That password does not open this workbook. Check the password (capital letters count) and try again.")]
    WrongPassword,
    #[error("This workbook is encrypted in a way this app cannot open ({0}). Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password), save it and retry.")]
    EncryptionUnsupported(String),
    /// The reader's own words are kept for support, after the admin's.
    #[error("This workbook could not be read: it may be damaged, or saved in a way this app does not understand. Open it in Excel or LibreOffice, save it again as .xlsx and retry. Technical detail for support: {}", detail(.0))]
    Unreadable(String),
    #[error("This workbook has no worksheet that can be read.")]
    NoWorksheet,
    #[error("This workbook has no sheet named \"{0}\".")]
    NoSuchSheet(String),
    #[error("The sheet \"{0}\" is empty. Choose the sheet that lists your employees.")]
    EmptySheet(String),
    #[error("{}", too_large(crate::Lang::En, *size_mb, *limit_mb))]
    FileTooLarge { size_mb: f64, limit_mb: usize },
    #[error("The sheet \"{sheet}\" has data in row {row}, beyond the limit of {limit} rows (by {}). Split it into smaller files, or delete stray cells far below your data.", row - limit)]
    TooManyRows { sheet: String, row: u32, limit: u32 },
    #[error("The sheet \"{sheet}\" has data in column {column}, beyond the limit of {limit} columns (by {}). Delete the stray cells far to the right and retry.", column - limit)]
    TooManyColumns {
        sheet: String,
        column: u32,
        limit: u32,
    },
    /// Refused by a guard before the reader could exhaust memory or crash.
    #[error("{0}")]
    Refused(Refusal),
    /// A BIFF2–4 workbook (Excel 2.x, 3.0 or 4.0), which calamine cannot read.
    #[error("This is an Excel 2–4 file (from before 1997), a format this app cannot read. Open it in Excel or LibreOffice, save it as an Excel workbook (.xlsx) and retry.")]
    OldExcel,
    /// An HTML file (often named .xls) without a table that holds data.
    #[error("This file is a web page (HTML), not a spreadsheet, and it holds no table of data. Export the employee list again as Excel (.xlsx) or CSV, or open this file in Excel or LibreOffice, save it as .xlsx and retry.")]
    WebPageWithoutTable,
    /// An .xls whose text is in a code page calamine does not know.
    #[error("This .xls file says its text is written in code page {0}, which this app does not know. Open it in Excel or LibreOffice, save it as an Excel workbook (.xlsx) and retry.")]
    UnknownCodePage(u16),
    /// A workbook holding an Excel 4.0 macro sheet, which calamine refuses.
    #[error("This workbook holds an Excel 4.0 macro sheet, which this app cannot open. Copy the sheet of employees into a new workbook, save it as .xlsx and retry.")]
    MacroSheet,
    #[error("This XML Spreadsheet 2003 file is damaged at line {line} and cannot be read. Open it in Excel or LibreOffice and save it as .xlsx, or export it again from the program that made it, then retry.")]
    XmlSpreadsheetDamaged { line: u64 },
}

/// The message for a file over the size limit, which the page also
/// gives on its own, before reading (see [`crate::Explained::too_large`]).
pub fn too_large(lang: crate::Lang, size_mb: f64, limit_mb: usize) -> String {
    // Tenths of a megabyte as integers: the page formats no float.
    let tenths = (size_mb.max(0.0) * 10.0).round() as u64;
    let size = format!("{}.{}", tenths / 10, tenths % 10);
    match lang {
        crate::Lang::En => format!(
            "The file is {size} MB, over the {limit_mb} MB limit. Split it into smaller files."
        ),
        crate::Lang::Id => format!(
            "Berkas berukuran {size} MB, melebihi batas {limit_mb} MB. Pecah menjadi beberapa berkas."
        ),
    }
}

/// A reader's error text as a short detail for support: one line, at most
/// 120 characters.
fn detail(cause: &str) -> String {
    let line: String = cause.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(120) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line,
    }
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
            SheetError::NotText => "Berkas ini bukan spreadsheet, juga bukan tabel teks (CSV) dengan encoding yang dapat dibaca aplikasi ini (UTF-8, UTF-16, UTF-32 atau Windows-1252). Jika ini berkas CSV, buka di Excel, simpan sebagai \"CSV UTF-8\" (File > Simpan Sebagai), lalu coba lagi; jika bukan, gunakan workbook Excel (.xlsx, .xls) atau spreadsheet OpenDocument (.ods).".to_owned(),
            SheetError::PasswordProtected => "Workbook ini dilindungi kata sandi dengan cara yang tidak dapat dibuka aplikasi ini (.xls atau .ods yang dilindungi). Buka di program spreadsheet Anda, hapus kata sandinya, simpan, lalu coba lagi.".to_owned(),
            SheetError::PasswordRequired => "Workbook ini dilindungi kata sandi. Ketik kata sandinya untuk membukanya; kata sandi hanya dipakai di browser ini dan tidak disimpan.".to_owned(),
            SheetError::WrongPassword => "Kata sandi itu tidak membuka workbook ini. Periksa kata sandinya (huruf besar berpengaruh) lalu coba lagi.".to_owned(),
            SheetError::EncryptionUnsupported(what) => format!("Workbook ini dienkripsi dengan cara yang tidak dapat dibuka aplikasi ini ({what}). Buka di Excel, hapus kata sandinya (File > Info > Protect Workbook > Encrypt with Password), simpan, lalu coba lagi."),
            SheetError::Unreadable(cause) => format!("Workbook ini tidak dapat dibaca: mungkin rusak, atau disimpan dengan cara yang tidak dipahami aplikasi ini. Buka di Excel atau LibreOffice, simpan ulang sebagai .xlsx, lalu coba lagi. Detail teknis untuk dukungan: {}", detail(cause)),
            SheetError::NoWorksheet => "Workbook ini tidak punya lembar kerja yang dapat dibaca.".to_owned(),
            SheetError::NoSuchSheet(name) => format!("Workbook ini tidak punya lembar kerja bernama \"{name}\"."),
            SheetError::EmptySheet(name) => format!("Lembar kerja \"{name}\" kosong. Pilih lembar kerja yang berisi daftar karyawan Anda."),
            SheetError::FileTooLarge { size_mb, limit_mb } => too_large(lang, *size_mb, *limit_mb),
            SheetError::TooManyRows { sheet, row, limit } => format!("Sheet \"{sheet}\" berisi data di baris {row}, melebihi batas {limit} baris (lebih {}). Pecah berkasnya, atau hapus sel yang tersasar jauh di bawah data.", row - limit),
            SheetError::TooManyColumns { sheet, column, limit } => format!("Sheet \"{sheet}\" berisi data di kolom {column}, melebihi batas {limit} kolom (lebih {}). Hapus sel yang tersasar jauh di kanan, lalu coba lagi.", column - limit),
            SheetError::Refused(refusal) => refusal.message(lang),
            SheetError::OldExcel => "Ini berkas Excel 2–4 (dari sebelum 1997), format yang tidak dapat dibaca aplikasi ini. Buka di Excel atau LibreOffice, simpan sebagai workbook Excel (.xlsx), lalu coba lagi.".to_owned(),
            SheetError::WebPageWithoutTable => "Berkas ini halaman web (HTML), bukan spreadsheet, dan tidak berisi tabel data. Ekspor ulang daftar karyawan sebagai Excel (.xlsx) atau CSV, atau buka berkas ini di Excel atau LibreOffice, simpan sebagai .xlsx, lalu coba lagi.".to_owned(),
            SheetError::UnknownCodePage(page) => format!("Berkas .xls ini menyatakan teksnya ditulis dalam code page {page}, yang tidak dikenal aplikasi ini. Buka di Excel atau LibreOffice, simpan sebagai workbook Excel (.xlsx), lalu coba lagi."),
            SheetError::MacroSheet => "Workbook ini berisi lembar kerja makro Excel 4.0, yang tidak dapat dibuka aplikasi ini. Salin lembar kerja berisi data karyawan ke workbook baru, simpan sebagai .xlsx, lalu coba lagi.".to_owned(),
            SheetError::XmlSpreadsheetDamaged { line } => format!("Berkas XML Spreadsheet 2003 ini rusak di baris {line} sehingga tidak dapat dibaca. Buka di Excel atau LibreOffice lalu simpan sebagai .xlsx, atau ekspor ulang dari program pembuatnya, lalu coba lagi."),
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
    read_picked(bytes, Pick::from(choice), limits, &mut ())
}

/// Reads like `read_workbook` without a choice, but when the sheet it
/// would pick does not satisfy `prefer`, goes on through the later visible
/// sheets of the same parsed workbook and returns the first that does (or
/// the default when none does). The workbook is opened and parsed once.
pub fn read_workbook_preferring(
    bytes: &[u8],
    limits: &Limits,
    prefer: &dyn Fn(&Sheet) -> bool,
) -> Result<Workbook, SheetError> {
    read_picked(bytes, Pick::FirstWithData(Some(prefer)), limits, &mut ())
}

/// `read_workbook` (with `choice`) or `read_workbook_preferring` (without),
/// telling `watch` how far the read has got as rows come in.
pub fn read_workbook_watched(
    bytes: &[u8],
    choice: Option<&str>,
    limits: &Limits,
    prefer: &dyn Fn(&Sheet) -> bool,
    watch: &mut dyn ReadWatch,
) -> Result<Workbook, SheetError> {
    let pick = match choice {
        Some(name) => Pick::Named(name),
        None => Pick::FirstWithData(Some(prefer)),
    };
    read_picked(bytes, pick, limits, watch)
}

/// How far a read has got, for a reader that streams its cells (.xlsx and
/// .xlsb); the other formats are read whole and tell nothing on the way.
pub struct ReadProgress<'r> {
    pub format: Format,
    pub sheets: &'r [SheetInfo],
    pub sheet: &'r str,
    /// Every complete row read so far, in sheet order.
    pub rows: &'r [SheetRow],
    /// The rows the sheet says it spans (its stated dimension), when known.
    pub total: Option<u32>,
    /// No cell has gone back above the last row so far (a sheet whose XML
    /// lists rows out of order): rows already told about are as they will
    /// stay. Told at once when it stops being true.
    pub in_order: bool,
}

/// Told about a streaming read: first once the first screen of rows is in,
/// then every [`WATCH_EVERY`] rows.
pub trait ReadWatch {
    fn rows_read(&mut self, progress: &ReadProgress<'_>);
}

/// A read nobody watches.
impl ReadWatch for () {
    fn rows_read(&mut self, _: &ReadProgress<'_>) {}
}

/// Rows in the first report to a watch: a screen of them.
pub const WATCH_FIRST: usize = 60;
/// Rows between later reports.
pub const WATCH_EVERY: usize = 5_000;

/// Which sheet to read.
#[derive(Clone, Copy)]
enum Pick<'p> {
    /// The sheet of this name.
    Named(&'p str),
    /// The first visible sheet with data, or a later one it prefers.
    FirstWithData(Option<&'p dyn Fn(&Sheet) -> bool>),
}

impl<'p> From<Option<&'p str>> for Pick<'p> {
    fn from(choice: Option<&'p str>) -> Self {
        choice.map_or(Pick::FirstWithData(None), Pick::Named)
    }
}

fn read_picked(
    bytes: &[u8],
    choice: Pick<'_>,
    limits: &Limits,
    watch: &mut dyn ReadWatch,
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
    // its .xls container reader; the known cases are now refused by the
    // guards first): a panic becomes a plain refusal here wherever
    // unwinding exists. On wasm32 a panic cannot be caught; the shell's
    // panic hook then tells the user what happened. (The preference is a
    // plain read of the sheet; nothing it sees outlives a panic.)
    let read = std::panic::AssertUnwindSafe(|| read_by_content(bytes, choice, limits, watch));
    std::panic::catch_unwind(read).unwrap_or_else(|_| Err(Refusal::ReaderFailed.into()))
}

fn read_by_content<'p>(
    bytes: &[u8],
    choice: impl Into<Pick<'p>>,
    limits: &Limits,
    watch: &mut dyn ReadWatch,
) -> Result<Workbook, SheetError> {
    let choice = choice.into();
    if bytes.starts_with(b"PK\x03\x04") {
        match inspect_zip(bytes, limits)? {
            ZipKind::Xlsx => {
                read_calamine::<xlsx::Source>(bytes, Format::Xlsx, choice, limits, watch)
            }
            ZipKind::Xlsb => read_calamine::<Xlsb<_>>(bytes, Format::Xlsb, choice, limits, watch),
            ZipKind::Ods => read_calamine::<Ods<_>>(bytes, Format::Ods, choice, limits, watch),
        }
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // An OLE compound file: either a legacy .xls, or an encrypted
        // .xlsx, which Office wraps in one with an "EncryptionInfo" stream.
        if contains_utf16(bytes, "EncryptionInfo") {
            cfb_guard::check_compound_file(bytes)?;
            // Excel opens a file encrypted with its default password
            // without asking; so does the app. Any other password is the
            // admin's to type (see `decrypt_workbook`).
            return match encrypted::decrypt_with_default(bytes)? {
                Some(plain) => read_by_content(&plain, choice, limits, watch),
                None => Err(SheetError::PasswordRequired),
            };
        }
        // The guard's copy has lying sheet dimensions replaced (see
        // `cfb_guard::check_xls`).
        let bytes = cfb_guard::check_xls(bytes, limits)?;
        read_calamine::<Xls<_>>(&bytes, Format::Xls, choice, limits, watch)
    } else if is_biff2_to_4(bytes) {
        Err(SheetError::OldExcel)
    } else {
        let text = delimited::decode(bytes)?;
        // Web pages and XML Spreadsheet 2003 files saved as .xls are text.
        if spreadsheetml::sniff(&text) {
            return spreadsheetml::read(&text, choice, limits);
        }
        if html::sniff(&text) {
            return html::read(&text, choice, limits);
        }
        let delimiter = delimited::sniff_delimiter(&text);
        let name = "CSV".to_owned();
        if let Pick::Named(wanted) = choice {
            if wanted != name {
                return Err(SheetError::NoSuchSheet(wanted.to_owned()));
            }
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

/// A bare BIFF2, BIFF3 or BIFF4 stream (Excel 2.x–4.0): it starts with a
/// BOF record (0x0009, 0x0209 or 0x0409) of a BOF's length, where Excel 5
/// and later wrap their workbooks in an OLE container.
fn is_biff2_to_4(bytes: &[u8]) -> bool {
    let [0x09, 0x00 | 0x02 | 0x04, low, high, ..] = *bytes else {
        return false;
    };
    let length = usize::from(u16::from_le_bytes([low, high]));
    (4..=16).contains(&length) && bytes.len() >= 4 + length
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
    /// Reads the sheet's rows; a streaming reader tells `watch` on the way.
    fn read_rows(
        &mut self,
        sheet: &str,
        limits: &Limits,
        watch: &mut Watching<'_, '_>,
    ) -> Result<Vec<SheetRow>, SheetError>;
}

/// A watch with what it is told besides the rows: the workbook's format and
/// sheets.
struct Watching<'w, 'r> {
    watch: &'w mut dyn ReadWatch,
    format: Format,
    sheets: &'r [SheetInfo],
    /// Rows read when the watch is told next.
    next: usize,
    /// See [`ReadProgress::in_order`].
    in_order: bool,
}

impl Watching<'_, '_> {
    /// A sheet read from its start, the watch told first at `next` rows.
    fn restart(&mut self, next: usize) {
        self.next = next;
        self.in_order = true;
    }

    /// Tells the watch when `rows` (the last one possibly still filling)
    /// has reached the next mark, or at once when the cell just added, in
    /// 0-based `row`, went into a row above the last.
    fn rows(&mut self, sheet: &str, rows: &[SheetRow], total: Option<u32>, row: u32) {
        let went_back = rows.last().is_some_and(|last| last.number > row + 1);
        if went_back && self.in_order {
            self.in_order = false;
        } else if rows.len() <= self.next {
            return;
        } else {
            self.next = (self.next / WATCH_EVERY + 1) * WATCH_EVERY;
        }
        self.watch.rows_read(&ReadProgress {
            format: self.format,
            sheets: self.sheets,
            sheet,
            rows: &rows[..rows.len().saturating_sub(1)],
            total,
            in_order: self.in_order,
        });
    }
}

fn read_calamine<'a, S: CellSource<'a>>(
    bytes: &'a [u8],
    format: Format,
    choice: Pick<'_>,
    limits: &Limits,
    watch: &mut dyn ReadWatch,
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
    let mut watching = Watching {
        watch,
        format,
        sheets: &sheets,
        next: WATCH_FIRST,
        in_order: true,
    };
    let sheet = match choice {
        Pick::Named(wanted) => {
            let info = sheets
                .iter()
                .find(|info| info.name == wanted)
                .ok_or_else(|| SheetError::NoSuchSheet(wanted.to_owned()))?;
            let rows = source.read_rows(&info.name, limits, &mut watching)?;
            if rows.is_empty() {
                return Err(SheetError::EmptySheet(info.name.clone()));
            }
            Sheet {
                name: info.name.clone(),
                rows,
            }
        }
        Pick::FirstWithData(prefer) => {
            first_sheet_with_data(&mut source, &sheets, limits, prefer, &mut watching)?
        }
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
    prefer: Option<&dyn Fn(&Sheet) -> bool>,
    watching: &mut Watching<'_, '_>,
) -> Result<Sheet, SheetError> {
    let first_visible = sheets
        .iter()
        .find(|info| !info.hidden)
        .ok_or(SheetError::NoWorksheet)?;
    let mut first_with_data = None;
    for info in sheets.iter().filter(|info| !info.hidden) {
        watching.restart(WATCH_FIRST);
        let rows = match source.read_rows(&info.name, limits, watching) {
            Ok(rows) => rows,
            // Once a sheet with data is found, a later sheet that cannot
            // be read is only not preferred.
            Err(_) if first_with_data.is_some() => continue,
            Err(error) => return Err(error),
        };
        if rows.is_empty() {
            continue;
        }
        let sheet = Sheet {
            name: info.name.clone(),
            rows,
        };
        match prefer {
            Some(prefer) if !prefer(&sheet) => {
                first_with_data.get_or_insert(sheet);
            }
            _ => return Ok(sheet),
        }
    }
    first_with_data.ok_or_else(|| SheetError::EmptySheet(first_visible.name.clone()))
}

fn unreadable(error: impl fmt::Display) -> SheetError {
    SheetError::Unreadable(error.to_string())
}

/// xlsx and xlsb have the same streaming cell reader API in calamine, under
/// different types: one implementation serves both.
macro_rules! streaming_cell_source {
    ($reader:ident, $open:expr) => {
        impl<'a> CellSource<'a> for $reader<Cursor<&'a [u8]>> {
            fn open(bytes: &'a [u8]) -> Result<Self, SheetError> {
                $reader::new(Cursor::new(bytes)).map_err($open)
            }
            fn metadata(&self) -> Vec<calamine::Sheet> {
                self.sheets_metadata().to_vec()
            }
            fn read_rows(
                &mut self,
                sheet: &str,
                limits: &Limits,
                watching: &mut Watching<'_, '_>,
            ) -> Result<Vec<SheetRow>, SheetError> {
                let mut cells = self.worksheet_cells_reader(sheet).map_err(unreadable)?;
                let stated = cells.dimensions().end.0;
                let total = (stated > 0).then_some(stated + 1);
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
                    watching.rows(sheet, &rows, total, row);
                }
                Ok(rows)
            }
        }
    };
}

streaming_cell_source!(Xlsx, xlsx_open_error);
streaming_cell_source!(Xlsb, xlsb_open_error);

/// calamine refuses a whole workbook that holds an Excel 4.0 macro sheet
/// (`xl/macrosheets/`), though Excel opens it: named, not "damaged".
fn xlsx_open_error(error: calamine::XlsxError) -> SheetError {
    match error {
        calamine::XlsxError::Unrecognized {
            typ: "sheet:type",
            val,
        } if val.contains("macrosheet") => SheetError::MacroSheet,
        error => unreadable(error),
    }
}

fn xlsb_open_error(error: calamine::XlsbError) -> SheetError {
    match error {
        calamine::XlsbError::Unrecognized {
            typ: "BoundSheet8:dt",
            val,
        } if val.contains("macrosheet") => SheetError::MacroSheet,
        error => unreadable(error),
    }
}

/// .xls and .ods have no streaming reader in calamine: a sheet is read as
/// one range. For .xls that range spans the cells actually present, and the
/// format itself caps a sheet at 65,536 x 256 cells; .ods is guarded before
/// calamine builds it. `$open` and `$read` turn calamine's errors into ours.
macro_rules! range_cell_source {
    ($reader:ident, $open:expr, $read:expr) => {
        impl<'a> CellSource<'a> for $reader<Cursor<&'a [u8]>> {
            fn open(bytes: &'a [u8]) -> Result<Self, SheetError> {
                $reader::new(Cursor::new(bytes)).map_err($open)
            }
            fn metadata(&self) -> Vec<calamine::Sheet> {
                self.sheets_metadata().to_vec()
            }
            fn read_rows(
                &mut self,
                sheet: &str,
                limits: &Limits,
                _: &mut Watching<'_, '_>,
            ) -> Result<Vec<SheetRow>, SheetError> {
                let range = self.worksheet_range(sheet).map_err($read)?;
                range_rows(&range, sheet, limits)
            }
        }
    };
}

range_cell_source!(Xls, xls_open_error, unreadable);
range_cell_source!(Ods, ods_error, ods_error);

fn xls_open_error(error: calamine::XlsError) -> SheetError {
    match error {
        calamine::XlsError::Password => SheetError::PasswordProtected,
        other => unreadable(other),
    }
}

/// A password-protected .ods is told as such, not as damaged: LibreOffice
/// encrypts it, and calamine says so.
fn ods_error(error: calamine::OdsError) -> SheetError {
    match error {
        calamine::OdsError::Password => SheetError::PasswordProtected,
        error => unreadable(error),
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
            // Rows are mostly as wide as the one before: room for that many
            // cells at once, not a growth at every few cells.
            let width = rows.last().map_or(0, |row| row.cells.len());
            rows.push(SheetRow {
                number,
                cells: Vec::with_capacity(width),
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

/// A one-sheet .xlsx written by hand around `rows` (the XML of its
/// `sheetData`), for tests elsewhere in the crate.
#[cfg(test)]
pub(crate) fn xlsx_package(rows: &str) -> Vec<u8> {
    xlsx::tests::one_sheet(rows)
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
    fn an_unreadable_workbook_is_told_in_plain_words_with_the_readers_text_last_and_short() {
        let cause = format!(
            "Expecting 'table-cell', found 'Text(BytesText {{ content: {} }})'",
            "x".repeat(300)
        );
        let error = SheetError::Unreadable(cause);
        for (lang, plain, detail) in [
            (
                crate::Lang::En,
                "This workbook could not be read: it may be damaged",
                "Technical detail for support: Expecting",
            ),
            (
                crate::Lang::Id,
                "Workbook ini tidak dapat dibaca: mungkin rusak",
                "Detail teknis untuk dukungan: Expecting",
            ),
        ] {
            let message = error.message(lang);
            assert!(message.starts_with(plain), "{message}");
            let (_, tail) = message.split_once(detail).unwrap();
            assert!(tail.chars().count() <= 121 && tail.ends_with('…'), "{tail}");
        }
    }

    #[test]
    fn a_file_that_only_looks_encrypted_is_refused_as_damaged_not_a_crash() {
        // Real encrypted workbooks are in tests/encrypted.rs.
        let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        bytes.extend(std::iter::repeat_n(0u8, 512));
        bytes.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(matches!(read(&bytes), Err(SheetError::Unreadable(_))));
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
            error.to_string().contains("inflates") && error.to_string().contains("500:1"),
            "{error}"
        );
        let tight = Limits {
            max_zip_entry_bytes: 1_000,
            ..Limits::default()
        };
        assert!(matches!(
            read_workbook(&bytes, None, &tight),
            Err(SheetError::Refused(Refusal::PartTooLarge { .. }))
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
