//! Checks on a zip-based workbook (.xlsx, .xlsm, .xlsb, .ods) before calamine
//! inflates anything, and the refusals every guard of this module tree gives.
//!
//! Neither calamine nor the zip crate caps decompressed size, calamine
//! reserves memory for the shared-strings count the file claims, and its
//! .ods reader builds every sheet as a dense range at once. A small hostile
//! file could otherwise ask for gigabytes and kill the wasm module.
//!
//! The checks look at the parts calamine will actually read, found the way
//! calamine finds them: entry names compared without case and with `\` read
//! as `/`, and the workbook part located through the package relationships
//! (`_rels/.rels`), wherever it lives. Sizes are judged on absolute output
//! (each part, all parts, the parts held in memory) as well as on the
//! inflate ratio. Only the central directory and a few small parts
//! (relationships, the start of the shared strings, the .xlsb sheet list)
//! are inflated here, plus an .ods's `content.xml`, streamed. The zip crate
//! stops every entry at its declared size, so the sizes judged here are the
//! sizes calamine gets.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{Cursor, Read};
use std::mem::size_of;

use zip::ZipArchive;

use super::{Format, Limits, SheetError};
use crate::Lang;

type Archive<'a> = ZipArchive<Cursor<&'a [u8]>>;

/// What kind of workbook a zip archive holds, judged by its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ZipKind {
    Xlsx,
    Xlsb,
    Ods,
}

/// Why a guard refused a file before the reader could exhaust memory or
/// crash on it. Each refusal says what the file is, what is wrong with it and
/// what to do, in English and in Bahasa Indonesia.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Refusal {
    /// The archive holds more entries than any workbook does.
    TooManyParts { parts: usize, limit: usize },
    /// One part unpacks to more than one part may.
    PartTooLarge {
        part: String,
        bytes: u64,
        limit: u64,
    },
    /// All parts together unpack to more than the memory budget.
    UnpacksTooLarge { bytes: u64, limit: u64 },
    /// A part inflates near deflate's own ceiling: content built to expand.
    InflatesTooMuch {
        part: String,
        ratio: u64,
        limit: u64,
    },
    /// The shared-strings part claims more strings than its size can hold.
    LyingStringCount {
        part: String,
        claimed: u64,
        most: u64,
    },
    /// The shared-strings part does not begin with its list of strings.
    StringsNotFound { part: String },
    /// The .xlsb keeps its workbook outside `xl/`, or its sheet list points
    /// at sheets its relationships do not name (calamine panics on that).
    XlsbLayout,
    /// An .xls record is cut short where the reader needs it (calamine
    /// panics on it).
    XlsRecordCut { what: String },
    /// The spreadsheet reader panicked on this file (caught where unwinding
    /// exists).
    ReaderFailed,
    /// An .xls or .ods sheet's cells spread over a range whose dense copy
    /// would not fit in memory (calamine builds these formats' sheets as
    /// whole rectangles, all at once).
    RangeTooLarge {
        /// `Format::Xls` or `Format::Ods`.
        format: Format,
        sheet: String,
        /// The range's first and last cells, in A1 style.
        from: String,
        to: String,
        bytes: u64,
        limit: u64,
    },
}

fn mb(bytes: u64) -> u64 {
    bytes.div_ceil(1024 * 1024)
}

/// An A1-style reference of the 1-based `row` and `column`.
pub(super) fn cell_name(row: u64, column: u64) -> String {
    let mut letters = Vec::new();
    let mut n = column;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{row}", String::from_utf8_lossy(&letters))
}

impl Refusal {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Refusal::TooManyParts { parts, limit }, Lang::En) => format!("This file holds {parts} parts, more than the {limit} a workbook has, so it is refused: it may not be a real spreadsheet. Open it in your spreadsheet program, save it as a new .xlsx file and retry."),
            (Refusal::TooManyParts { parts, limit }, Lang::Id) => format!("Berkas ini berisi {parts} bagian, lebih dari {limit} yang dimiliki sebuah workbook, sehingga ditolak: mungkin ini bukan spreadsheet sungguhan. Buka di program spreadsheet Anda, simpan sebagai berkas .xlsx baru, lalu coba lagi."),
            (Refusal::PartTooLarge { part, bytes, limit }, Lang::En) => format!("This workbook's part \"{part}\" unpacks to {} MB, over the {} MB this app can hold in the browser. Delete the sheets, images or formatting you do not need (or split the employees into smaller files) and retry.", mb(*bytes), mb(*limit)),
            (Refusal::PartTooLarge { part, bytes, limit }, Lang::Id) => format!("Bagian \"{part}\" dari workbook ini berukuran {} MB setelah dibuka, melebihi {} MB yang dapat ditampung aplikasi ini di browser. Hapus lembar kerja, gambar atau format yang tidak diperlukan (atau pecah data karyawan menjadi beberapa berkas), lalu coba lagi.", mb(*bytes), mb(*limit)),
            (Refusal::UnpacksTooLarge { bytes, limit }, Lang::En) => format!("This workbook unpacks to {} MB, over the {} MB this app can hold in the browser. Delete the sheets you do not need (or split the employees into smaller files) and retry.", mb(*bytes), mb(*limit)),
            (Refusal::UnpacksTooLarge { bytes, limit }, Lang::Id) => format!("Workbook ini berukuran {} MB setelah dibuka, melebihi {} MB yang dapat ditampung aplikasi ini di browser. Hapus lembar kerja yang tidak diperlukan (atau pecah data karyawan menjadi beberapa berkas), lalu coba lagi.", mb(*bytes), mb(*limit)),
            (Refusal::InflatesTooMuch { part, ratio, limit }, Lang::En) => format!("This workbook's part \"{part}\" inflates {ratio}:1, more than the {limit}:1 a spreadsheet reaches; only content built to exhaust memory does that (a zip bomb?), so it is refused. If you made this file yourself, open it in your spreadsheet program, save it again and retry."),
            (Refusal::InflatesTooMuch { part, ratio, limit }, Lang::Id) => format!("Bagian \"{part}\" dari workbook ini mengembang {ratio}:1, lebih dari {limit}:1 yang dicapai sebuah spreadsheet; hanya isi yang dibuat untuk menghabiskan memori yang begitu (zip bomb?), sehingga ditolak. Jika Anda sendiri yang membuat berkas ini, buka di program spreadsheet Anda, simpan ulang, lalu coba lagi."),
            (Refusal::LyingStringCount { part, claimed, most }, Lang::En) => format!("This workbook's list of texts (\"{part}\") claims {claimed} strings but its size can hold at most {most}: the file is damaged or built to exhaust memory, so it is refused. Open it in your spreadsheet program, save it again and retry."),
            (Refusal::LyingStringCount { part, claimed, most }, Lang::Id) => format!("Daftar teks workbook ini (\"{part}\") mengaku berisi {claimed} teks, padahal ukurannya hanya muat paling banyak {most}: berkas rusak atau dibuat untuk menghabiskan memori, sehingga ditolak. Buka di program spreadsheet Anda, simpan ulang, lalu coba lagi."),
            (Refusal::StringsNotFound { part }, Lang::En) => format!("This workbook's list of texts (\"{part}\") does not start with its list: the file is damaged, so it is refused. Open it in your spreadsheet program, save it again and retry."),
            (Refusal::StringsNotFound { part }, Lang::Id) => format!("Daftar teks workbook ini (\"{part}\") tidak diawali daftarnya: berkas rusak, sehingga ditolak. Buka di program spreadsheet Anda, simpan ulang, lalu coba lagi."),
            (Refusal::XlsbLayout, Lang::En) => "This Excel binary workbook (.xlsb) lists its sheets or places its parts in a way this app cannot follow, so it cannot be read. Open it in Excel, save it as an Excel workbook (.xlsx) and retry.".to_owned(),
            (Refusal::XlsbLayout, Lang::Id) => "Workbook biner Excel (.xlsb) ini mendaftar lembar kerja atau menaruh bagian-bagiannya dengan cara yang tidak dapat diikuti aplikasi ini, sehingga tidak dapat dibaca. Buka di Excel, simpan sebagai workbook Excel (.xlsx), lalu coba lagi.".to_owned(),
            (Refusal::XlsRecordCut { what }, Lang::En) => format!("This Excel 97-2003 workbook (.xls) is damaged: its {what} is cut short, so it cannot be read. Open it in your spreadsheet program, save it as an Excel workbook (.xlsx) and retry."),
            (Refusal::XlsRecordCut { what }, Lang::Id) => format!("Workbook Excel 97-2003 (.xls) ini rusak: {} terpotong, sehingga tidak dapat dibaca. Buka di program spreadsheet Anda, simpan sebagai workbook Excel (.xlsx), lalu coba lagi.", record_name_id(what)),
            (Refusal::ReaderFailed, Lang::En) => "This workbook could not be read: the spreadsheet reader stopped on something in it that it cannot handle (the file may be damaged). Open it in your spreadsheet program, save it as an Excel workbook (.xlsx) and retry.".to_owned(),
            (Refusal::ReaderFailed, Lang::Id) => "Workbook ini tidak dapat dibaca: pembaca spreadsheet berhenti pada sesuatu di dalamnya yang tidak dapat ditanganinya (berkas mungkin rusak). Buka di program spreadsheet Anda, simpan sebagai workbook Excel (.xlsx), lalu coba lagi.".to_owned(),
            (Refusal::RangeTooLarge { format, sheet, from, to, bytes, limit }, Lang::En) => format!("The sheet \"{sheet}\" of this {format} has cells spread from {from} to {to}; this format is read as the whole range between them, which would take about {} MB of memory, over the {} MB limit. Delete stray cells (or formatting) far from your data, or save the workbook as an Excel workbook (.xlsx), and retry.", mb(*bytes), mb(*limit)),
            (Refusal::RangeTooLarge { format, sheet, from, to, bytes, limit }, Lang::Id) => format!("Sheet \"{sheet}\" di {} ini punya sel yang tersebar dari {from} sampai {to}; format ini dibaca sebagai seluruh rentang di antaranya, yang akan memakan sekitar {} MB memori, melebihi batas {} MB. Hapus sel (atau format) yang tersasar jauh dari data Anda, atau simpan workbook sebagai workbook Excel (.xlsx), lalu coba lagi.", format_name_id(*format), mb(*bytes), mb(*limit)),
        }
    }
}

/// The Indonesian name of a format whose ranges are judged.
fn format_name_id(format: Format) -> &'static str {
    match format {
        Format::Ods => "spreadsheet OpenDocument (.ods)",
        _ => "workbook Excel 97-2003 (.xls)",
    }
}

/// The Indonesian name of an .xls record part named in English by a guard.
fn record_name_id(what: &str) -> &'static str {
    match what {
        "list of shared texts" => "daftar teks bersamanya",
        "list of sheets" => "daftar sheet-nya",
        _ => "salah satu catatannya",
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl From<Refusal> for SheetError {
    fn from(refusal: Refusal) -> Self {
        SheetError::Refused(refusal)
    }
}

fn unreadable(error: impl fmt::Display) -> SheetError {
    SheetError::Unreadable(error.to_string())
}

/// How much of a small part (relationships, the start of the shared
/// strings, the workbook's root element) is inflated to judge it.
const SCAN_BYTES: u64 = 1024 * 1024;
/// Enough of a part to find its root element.
const ROOT_BYTES: u64 = 64 * 1024;
/// The .xlsb sheet list is read whole, up to this size.
const XLSB_BOOK_BYTES: u64 = 16 * 1024 * 1024;

pub(super) fn inspect_zip(bytes: &[u8], limits: &Limits) -> Result<ZipKind, SheetError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    if archive.len() > limits.max_zip_entries {
        return Err(Refusal::TooManyParts {
            parts: archive.len(),
            limit: limits.max_zip_entries,
        }
        .into());
    }
    let mut parts = Parts::default();
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(unreadable)?;
        let name = entry.name().map_err(unreadable)?.into_owned();
        let (size, packed) = (entry.size(), entry.compressed_size());
        if size > limits.max_zip_entry_bytes {
            return Err(Refusal::PartTooLarge {
                part: name,
                bytes: size,
                limit: limits.max_zip_entry_bytes,
            }
            .into());
        }
        // Real sheets, even of long repeated strings, stay far below the
        // ratio (SheetJS's large_strings.xlsx inflates 121:1, its .xlsb
        // 140:1); deflate itself tops out near 1032:1. The ratio only
        // catches parts built to expand: what bounds memory and time is the
        // absolute output, judged below.
        if size > limits.inflate_grace_bytes
            && size > packed.saturating_mul(limits.max_inflate_ratio)
        {
            return Err(Refusal::InflatesTooMuch {
                part: name,
                ratio: size / packed.max(1),
                limit: limits.max_inflate_ratio,
            }
            .into());
        }
        total = total.saturating_add(size);
        parts.insert(&name, index, size);
    }
    // What the reader may inflate in all: sheets stream, but the shared
    // strings and styles stay in memory, and every byte takes time.
    if total > limits.max_unpacked_bytes {
        return Err(Refusal::UnpacksTooLarge {
            bytes: total,
            limit: limits.max_unpacked_bytes,
        }
        .into());
    }
    let kind = workbook_kind(&mut archive, &parts)?;
    // Every shared-strings part is checked, wherever it is: calamine reads
    // `<workbook folder>/sharedStrings.xml` (or `xl/sharedStrings.bin`)
    // in any case, and holds all of it in memory.
    for part in parts
        .by_key
        .values()
        .filter(|part| part.is_shared_strings())
    {
        check_shared_strings(&mut archive, part, limits)?;
    }
    match kind {
        ZipKind::Xlsb => check_xlsb_sheet_list(&mut archive, &parts)?,
        ZipKind::Ods => check_ods(&mut archive, limits)?,
        ZipKind::Xlsx => {}
    }
    Ok(kind)
}

/// One archive entry, under the name calamine looks it up by.
#[derive(Debug, Clone)]
struct Part {
    key: String,
    name: String,
    index: usize,
    size: u64,
}

impl Part {
    fn file_name(&self) -> &str {
        self.key.rsplit('/').next().unwrap_or(&self.key)
    }

    fn is_shared_strings(&self) -> bool {
        matches!(self.file_name(), "sharedstrings.xml" | "sharedstrings.bin")
    }
}

/// The archive's entries keyed as calamine's path cache keys them: `\`
/// read as `/`, lower case. A later entry of the same key wins, as there.
#[derive(Debug, Default)]
struct Parts {
    by_key: HashMap<String, Part>,
}

fn part_key(name: &str) -> String {
    name.replace('\\', "/").to_ascii_lowercase()
}

impl Parts {
    fn insert(&mut self, name: &str, index: usize, size: u64) {
        let key = part_key(name);
        self.by_key.insert(
            key.clone(),
            Part {
                key,
                name: name.to_owned(),
                index,
                size,
            },
        );
    }

    fn find(&self, path: &str) -> Option<&Part> {
        self.by_key.get(&part_key(path))
    }
}

/// The kind of workbook, found as calamine finds its workbook part.
fn workbook_kind(archive: &mut Archive<'_>, parts: &Parts) -> Result<ZipKind, SheetError> {
    // calamine's xlsx reader follows the package's officeDocument
    // relationship, so the workbook part may live anywhere.
    if let Some(target) = office_document(archive, parts)? {
        let path = target.strip_prefix('/').unwrap_or(&target);
        if let Some(part) = parts.find(path) {
            if part.key.ends_with(".bin") {
                // calamine's .xlsb reader only looks in `xl/`.
                return match parts.find("xl/workbook.bin") {
                    Some(_) => Ok(ZipKind::Xlsb),
                    None => Err(Refusal::XlsbLayout.into()),
                };
            } else {
                let head = read_head(archive, part.index, ROOT_BYTES)?;
                match StartTags::new(&head).next() {
                    Some((name, _)) if local_name(name) == b"workbook" => return Ok(ZipKind::Xlsx),
                    // Another Office document (a .docx, a .pptx).
                    Some(_) => {}
                    // Not XML this check reads: let calamine judge it.
                    None => return Ok(ZipKind::Xlsx),
                }
            }
        }
    }
    // The usual places, for packages whose relationships are missing or
    // damaged: calamine's .xlsb reader only ever looks here.
    if parts.find("xl/workbook.bin").is_some() {
        return Ok(ZipKind::Xlsb);
    }
    if parts.find("xl/workbook.xml").is_some() {
        return Ok(ZipKind::Xlsx);
    }
    // calamine's .ods reader opens "mimetype" and "content.xml" by their
    // exact names.
    if archive.index_for_name("content.xml").is_some() {
        if let Some(index) = archive.index_for_name("mimetype") {
            let mime = read_head(archive, index, 100)?;
            let odf = b"application/vnd.oasis.opendocument.";
            if mime.starts_with(odf)
                && !mime.starts_with(b"application/vnd.oasis.opendocument.spreadsheet")
            {
                // A text document, a presentation, a drawing...
                return Err(SheetError::NotASpreadsheet);
            }
        }
        return Ok(ZipKind::Ods);
    }
    Err(SheetError::NotASpreadsheet)
}

/// The target of the package's officeDocument relationship, the last one
/// as calamine takes it, if `_rels/.rels` names one.
fn office_document(archive: &mut Archive<'_>, parts: &Parts) -> Result<Option<String>, SheetError> {
    let Some(rels) = parts.find("_rels/.rels") else {
        return Ok(None);
    };
    let xml = read_head(archive, rels.index, SCAN_BYTES)?;
    let mut target = None;
    for (name, attrs) in StartTags::new(&xml) {
        if local_name(name) != b"Relationship" {
            continue;
        }
        let is_office_document = attribute(attrs, b"Type")
            .is_some_and(|kind| kind.ends_with(b"/relationships/officeDocument"));
        if is_office_document {
            if let Some(value) = attribute(attrs, b"Target") {
                target = Some(unescape(value));
            }
        }
    }
    Ok(target)
}

/// calamine reserves room for `uniqueCount` strings up front (24 bytes
/// each). Each string takes at least `<si><t/></si>` (12 bytes) of the part,
/// so a count above size / 12 is a lie, and believing it could exhaust
/// memory. The whole part stays in memory as strings, so its size is
/// capped as well.
fn check_shared_strings(
    archive: &mut Archive<'_>,
    part: &Part,
    limits: &Limits,
) -> Result<(), SheetError> {
    if part.size > limits.max_shared_strings_bytes {
        return Err(Refusal::PartTooLarge {
            part: part.name.clone(),
            bytes: part.size,
            limit: limits.max_shared_strings_bytes,
        }
        .into());
    }
    if !part.key.ends_with(".xml") {
        // calamine's .xlsb reader reserves nothing for the count it reads.
        return Ok(());
    }
    let head = read_head(archive, part.index, SCAN_BYTES)?;
    let most = part.size / 12 + 1;
    let mut tags = StartTags::new(&head);
    let list = tags.find(|(name, _)| local_name(name) == b"sst");
    if tags.doctype {
        // A document type could hide the real list from this check, and
        // define entities calamine cannot read (POI's "xmlbomb" files).
        return Err(Refusal::StringsNotFound {
            part: part.name.clone(),
        }
        .into());
    }
    match list {
        Some((_, attrs)) => {
            let claimed = attribute(attrs, b"uniqueCount")
                .and_then(|count| std::str::from_utf8(count).ok())
                .and_then(|count| count.parse::<u64>().ok());
            match claimed {
                Some(claimed) if claimed > most => Err(Refusal::LyingStringCount {
                    part: part.name.clone(),
                    claimed,
                    most,
                }
                .into()),
                _ => Ok(()),
            }
        }
        // Seen whole: calamine will not find the list either and says so.
        None if (head.len() as u64) < SCAN_BYTES => Ok(()),
        // Real parts start with the list; this one hides it further on.
        None => Err(Refusal::StringsNotFound {
            part: part.name.clone(),
        }
        .into()),
    }
}

/// calamine's .xlsb reader looks every sheet of `xl/workbook.bin` up in
/// `xl/_rels/workbook.bin.rels` by indexing a map, and panics when one is
/// missing (or when the sheet record is cut short). It reads that
/// relationships part by its exact name and only `Relationship` elements
/// without a namespace prefix; the same is done here.
fn check_xlsb_sheet_list(archive: &mut Archive<'_>, parts: &Parts) -> Result<(), SheetError> {
    let Some(book) = parts.find("xl/workbook.bin") else {
        return Ok(());
    };
    let book = read_head(archive, book.index, XLSB_BOOK_BYTES)?;
    let mut ids = HashSet::new();
    if let Some(index) = archive.index_for_name("xl/_rels/workbook.bin.rels") {
        let xml = read_head(archive, index, SCAN_BYTES)?;
        let mut tags = StartTags::new(&xml);
        for (name, attrs) in tags.by_ref() {
            if name != b"Relationship" {
                continue;
            }
            if let (Some(id), Some(_)) = (attribute(attrs, b"Id"), attribute(attrs, b"Target")) {
                ids.insert(String::from_utf8_lossy(id).into_owned());
            }
        }
        if tags.doctype {
            // Its quoted strings could name ids calamine never sees.
            return Err(Refusal::XlsbLayout.into());
        }
    }
    let mut records = XlsbRecords { data: &book };
    while let Some((kind, body)) = records.next() {
        match kind {
            // BrtWbProp: calamine reads its first byte.
            0x0099 if body.is_empty() => return Err(Refusal::XlsbLayout.into()),
            // BrtBundleSh: state (4), tab id (4), relationship id, name.
            0x009C => {
                let Some(length) = body.get(8..12) else {
                    return Err(Refusal::XlsbLayout.into());
                };
                let length = u32::from_le_bytes([length[0], length[1], length[2], length[3]]);
                if length == u32::MAX {
                    continue;
                }
                let end = 12u64 + u64::from(length) * 2;
                let Some(id) = usize::try_from(end).ok().and_then(|end| body.get(12..end)) else {
                    return Err(Refusal::XlsbLayout.into());
                };
                let id: Vec<u16> = id
                    .chunks_exact(2)
                    .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                    .collect();
                if !ids.contains(&String::from_utf16_lossy(&id)) {
                    return Err(Refusal::XlsbLayout.into());
                }
            }
            // BrtEndBundleShs: the sheet list ends.
            0x0090 => break,
            _ => {}
        }
    }
    Ok(())
}

/// The records of an .xlsb part: a 1-2 byte type and a 1-4 byte length,
/// seven bits each, as calamine reads them. Stops at a record cut short.
struct XlsbRecords<'a> {
    data: &'a [u8],
}

impl<'a> XlsbRecords<'a> {
    fn next(&mut self) -> Option<(u16, &'a [u8])> {
        let mut at = 0;
        let mut byte = || -> Option<u8> {
            let value = *self.data.get(at)?;
            at += 1;
            Some(value)
        };
        let first = byte()?;
        let kind = if first & 0x80 != 0 {
            u16::from(first & 0x7F) + (u16::from(byte()? & 0x7F) << 7)
        } else {
            u16::from(first)
        };
        let mut b = byte()?;
        let mut length = usize::from(b & 0x7F);
        for shift in 1..4 {
            if b & 0x80 == 0 {
                break;
            }
            b = byte()?;
            length += usize::from(b & 0x7F) << (7 * shift);
        }
        let body = self.data.get(at..at.checked_add(length)?)?;
        self.data = &self.data[at + length..];
        Some((kind, body))
    }
}

/// The largest single piece of markup the .ods check reads whole.
const ODS_MARKUP_BYTES: usize = 16 * 1024 * 1024;
/// calamine's caps on an .ods sheet: rows, and columns per row.
const ODS_MAX_ROWS: u64 = 1_048_576;
const ODS_MAX_COLUMNS: u64 = 16_384;

/// calamine's .ods reader builds every table of `content.xml` at once:
/// first a list of each row's cells up to its last value (repeated cells
/// spelled out, empty ones too when another cell follows them), then a
/// dense range from the first to the last value. A few hundred bytes of
/// repeated rows or columns can ask for gigabytes. `content.xml` is
/// streamed here, as calamine reads it, and the memory those lists and
/// ranges take is estimated before calamine builds them.
fn check_ods(archive: &mut Archive<'_>, limits: &Limits) -> Result<(), SheetError> {
    let Some(index) = archive.index_for_name("content.xml") else {
        return Ok(());
    };
    let mut entry = archive.by_index(index).map_err(unreadable)?;
    let mut scan = OdsScan::default();
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 256 * 1024];
    loop {
        let read = entry.read(&mut chunk).map_err(unreadable)?;
        pending.extend_from_slice(&chunk[..read]);
        let mut tags = Tags::new(&pending);
        for tag in tags.by_ref() {
            if !scan.tag(tag) {
                // calamine stops here with an error of its own.
                return scan.judge(limits);
            }
        }
        let consumed = tags.pos;
        pending.drain(..consumed);
        scan.judge(limits)?;
        if read == 0 {
            return Ok(());
        }
        if pending.len() > ODS_MARKUP_BYTES {
            return Err(Refusal::PartTooLarge {
                part: "content.xml".to_owned(),
                bytes: pending.len() as u64,
                limit: ODS_MARKUP_BYTES as u64,
            }
            .into());
        }
    }
}

/// A rectangle of cells: rows (first, last) and columns (first, last).
type Span = Option<((u64, u64), (u64, u64))>;

/// One table of an .ods as calamine's reader builds it.
#[derive(Debug, Default)]
struct OdsTable {
    name: String,
    /// Rows read so far, repeats spelled out (calamine caps them).
    rows: u64,
    /// Cells in the per-row lists (values and formulas alike).
    listed: u64,
    /// Rows (first, last) and columns (first, last) holding values.
    values: Span,
    formulas: Span,
    /// The farthest row and column the lists reach.
    reach: (u64, u64),
}

/// The row being read: its list length, the empty cells not yet listed,
/// and the columns of its values and formulas.
#[derive(Debug, Default)]
struct OdsRow {
    repeats: u64,
    listed: u64,
    empty: u64,
    values: Option<(u64, u64)>,
    formulas: Option<(u64, u64)>,
}

#[derive(Debug, Default)]
struct OdsScan {
    tables: Vec<OdsTable>,
    table: Option<OdsTable>,
    row: Option<OdsRow>,
}

fn widen(span: Option<(u64, u64)>, first: u64, last: u64) -> Option<(u64, u64)> {
    Some(match span {
        Some((low, high)) => (low.min(first), high.max(last)),
        None => (first, last),
    })
}

fn area(span: Span) -> u64 {
    span.map_or(0, |((top, bottom), (left, right))| {
        (bottom - top + 1).saturating_mul(right - left + 1)
    })
}

impl OdsScan {
    /// Follows one tag; false where calamine would fail.
    fn tag(&mut self, tag: Tag<'_>) -> bool {
        let number = |attrs: &[u8], name: &[u8]| -> Option<Option<u64>> {
            match attribute(attrs, name) {
                None => Some(None),
                Some(value) => std::str::from_utf8(value)
                    .ok()
                    .and_then(|value| value.parse().ok())
                    .map(Some),
            }
        };
        match (tag.name, tag.end) {
            (b"table:table", false) if self.table.is_none() => {
                // calamine reads only named tables.
                if let Some(name) = attribute(tag.attrs, b"table:name") {
                    self.table = Some(OdsTable {
                        name: unescape(name),
                        ..OdsTable::default()
                    });
                    if tag.empty {
                        self.end_table();
                    }
                }
            }
            (b"table:table", true) => self.end_table(),
            (b"table:table-row", false) => {
                let Some(table) = &self.table else {
                    return true;
                };
                let Some(repeats) = number(tag.attrs, b"table:number-rows-repeated") else {
                    return false;
                };
                let repeats = repeats
                    .unwrap_or(1)
                    .min(ODS_MAX_ROWS.saturating_sub(table.rows));
                self.row = Some(OdsRow {
                    repeats,
                    ..OdsRow::default()
                });
                if tag.empty {
                    self.end_row();
                }
            }
            (b"table:table-row", true) => self.end_row(),
            (b"table:table-cell" | b"table:covered-table-cell", false) => {
                let Some(row) = &mut self.row else {
                    return true;
                };
                let Some(repeats) = number(tag.attrs, b"table:number-columns-repeated") else {
                    return false;
                };
                // Empty cells waiting are listed once any cell follows.
                row.listed += row.empty.min(ODS_MAX_COLUMNS - row.listed);
                row.empty = 0;
                let repeats = repeats.unwrap_or(1).min(ODS_MAX_COLUMNS - row.listed);
                let has = |name: &[u8]| attribute(tag.attrs, name).is_some();
                let value = has(b"office:value")
                    || has(b"office:string-value")
                    || has(b"office:date-value")
                    || has(b"office:time-value")
                    || has(b"office:boolean-value")
                    || attribute(tag.attrs, b"office:value-type") == Some(b"string");
                let formula = attribute(tag.attrs, b"table:formula").is_some_and(|f| !f.is_empty());
                if (value || formula) && repeats > 0 {
                    let (first, last) = (row.listed, row.listed + repeats - 1);
                    if value {
                        row.values = widen(row.values, first, last);
                    }
                    if formula {
                        row.formulas = widen(row.formulas, first, last);
                    }
                    row.listed += repeats;
                } else {
                    row.empty = repeats;
                }
            }
            _ => {}
        }
        true
    }

    fn end_row(&mut self) {
        let (Some(row), Some(table)) = (self.row.take(), &mut self.table) else {
            return;
        };
        let (top, bottom) = (table.rows, table.rows + row.repeats.max(1) - 1);
        let place = |span: &mut Span, columns: Option<(u64, u64)>| {
            if let Some((left, right)) = columns {
                *span = Some(match *span {
                    Some(((t, b), (l, r))) => {
                        ((t.min(top), b.max(bottom)), (l.min(left), r.max(right)))
                    }
                    None => ((top, bottom), (left, right)),
                });
            }
        };
        place(&mut table.values, row.values);
        place(&mut table.formulas, row.formulas);
        table.listed += row.listed;
        if row.listed > 0 {
            table.reach = (table.reach.0.max(bottom), table.reach.1.max(row.listed - 1));
        }
        table.rows += row.repeats;
    }

    fn end_table(&mut self) {
        self.end_row();
        if let Some(table) = self.table.take() {
            self.tables.push(table);
        }
    }

    /// Refuses once the memory calamine would take passes the limit: every
    /// table's value and formula ranges (all are kept), plus at the worst
    /// moment one table's lists while its ranges are built, or the copy of
    /// one range `worksheet_range` hands out.
    fn judge(&self, limits: &Limits) -> Result<(), SheetError> {
        let value = size_of::<calamine::Data>() as u64;
        let text = size_of::<String>() as u64;
        let tables = self.tables.iter().chain(self.table.as_ref());
        let mut held: u64 = 0;
        let mut worst: u64 = 0;
        let mut widest: Option<&OdsTable> = None;
        for table in tables {
            let range = area(table.values).saturating_mul(value);
            held = held
                .saturating_add(range)
                .saturating_add(area(table.formulas).saturating_mul(text));
            let listing = table
                .listed
                .saturating_mul(value + text)
                .saturating_add(range);
            worst = worst.max(listing);
            if widest
                .is_none_or(|w| w.listed.max(area(w.values)) < table.listed.max(area(table.values)))
            {
                widest = Some(table);
            }
        }
        let estimate = held.saturating_add(worst);
        if estimate <= limits.max_range_bytes {
            return Ok(());
        }
        let ((top, bottom), (left, right)) = widest
            .and_then(|table| table.values)
            .unwrap_or(((0, 0), (0, 0)));
        let reach = widest.map_or((0, 0), |table| table.reach);
        Err(Refusal::RangeTooLarge {
            format: Format::Ods,
            sheet: widest.map(|table| table.name.clone()).unwrap_or_default(),
            from: cell_name(top + 1, left + 1),
            to: cell_name(bottom.max(reach.0) + 1, right.max(reach.1) + 1),
            bytes: estimate,
            limit: limits.max_range_bytes,
        }
        .into())
    }
}

/// Up to `limit` bytes from the start of entry `index`.
fn read_head(archive: &mut Archive<'_>, index: usize, limit: u64) -> Result<Vec<u8>, SheetError> {
    let entry = archive.by_index(index).map_err(unreadable)?;
    let mut head = Vec::with_capacity(entry.size().min(limit) as usize);
    entry
        .take(limit)
        .read_to_end(&mut head)
        .map_err(unreadable)?;
    Ok(head)
}

/// One tag of an XML text: its name and raw attribute text, and whether
/// it ends an element or is empty (`<a/>`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Tag<'a> {
    pub(super) name: &'a [u8],
    pub(super) attrs: &'a [u8],
    pub(super) end: bool,
    pub(super) empty: bool,
}

/// The tags of an XML text as quick-xml (calamine's parser) reports them,
/// with comments, CDATA, processing instructions and declarations skipped.
/// Stops at markup cut short; `pos` is then where it starts, so a stream
/// can be read in chunks.
///
/// A document type declaration is skipped only roughly (quick-xml reads
/// its quoted strings, which may hide tags); `doctype` tells whether one
/// was passed, and the parts this module reads never have one.
pub(super) struct Tags<'a> {
    xml: &'a [u8],
    pub(super) pos: usize,
    pub(super) doctype: bool,
}

impl<'a> Tags<'a> {
    pub(super) fn new(xml: &'a [u8]) -> Self {
        Tags {
            xml,
            pos: 0,
            doctype: false,
        }
    }

    /// The position just past the first `end` at or after `from`.
    fn past(&self, from: usize, end: &[u8]) -> Option<usize> {
        let rest = self.xml.get(from..)?;
        rest.windows(end.len())
            .position(|window| window == end)
            .map(|at| from + at + end.len())
    }
}

impl<'a> Iterator for Tags<'a> {
    type Item = Tag<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Some(open) = self.xml[self.pos..].iter().position(|&b| b == b'<') else {
                // Text up to the end is consumed.
                self.pos = self.xml.len();
                return None;
            };
            let open = self.pos + open;
            // Text before the markup is consumed even if the markup is cut.
            self.pos = open;
            let rest = &self.xml[open + 1..];
            if rest.starts_with(b"!--") {
                self.pos = self.past(open + 4, b"-->")?;
            } else if rest.starts_with(b"![CDATA[") {
                self.pos = self.past(open + 9, b"]]>")?;
            } else if rest.starts_with(b"?") {
                self.pos = self.past(open + 2, b"?>")?;
            } else if rest.starts_with(b"!") {
                // Declarations (each of a DOCTYPE's own too).
                self.pos = self.past(open + 1, b">")?;
                if rest.get(1).is_some_and(|b| b.eq_ignore_ascii_case(&b'd')) {
                    self.doctype = true;
                }
            } else {
                // A tag ends at the first '>' outside quotes.
                let mut quote = None;
                let close = rest.iter().position(|&b| match quote {
                    Some(q) => {
                        if b == q {
                            quote = None;
                        }
                        false
                    }
                    None if b == b'"' || b == b'\'' => {
                        quote = Some(b);
                        false
                    }
                    None => b == b'>',
                })?;
                self.pos = open + 1 + close + 1;
                let mut tag = &rest[..close];
                let end = tag.first() == Some(&b'/');
                if end {
                    tag = &tag[1..];
                }
                let empty = !end && tag.last() == Some(&b'/');
                if empty {
                    tag = &tag[..tag.len() - 1];
                }
                let name_end = tag
                    .iter()
                    .position(u8::is_ascii_whitespace)
                    .unwrap_or(tag.len());
                return Some(Tag {
                    name: &tag[..name_end],
                    attrs: &tag[name_end..],
                    end,
                    empty,
                });
            }
        }
    }
}

/// The start tags (empty ones included) of an XML text: name and raw
/// attribute text. See `Tags`.
pub(super) struct StartTags<'a> {
    tags: Tags<'a>,
    pub(super) doctype: bool,
}

impl<'a> StartTags<'a> {
    pub(super) fn new(xml: &'a [u8]) -> Self {
        StartTags {
            tags: Tags::new(xml),
            doctype: false,
        }
    }
}

impl<'a> Iterator for StartTags<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let found = self.tags.by_ref().find(|tag| !tag.end);
        self.doctype = self.tags.doctype;
        found.map(|tag| (tag.name, tag.attrs))
    }
}

/// A tag name without its namespace prefix.
pub(super) fn local_name(name: &[u8]) -> &[u8] {
    match name.iter().position(|&b| b == b':') {
        Some(colon) => &name[colon + 1..],
        None => name,
    }
}

/// The raw value of attribute `wanted` (exact name, as calamine's
/// `raw_attr` matches it), if the attribute text is well formed up to it.
pub(super) fn attribute<'a>(attrs: &'a [u8], wanted: &[u8]) -> Option<&'a [u8]> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_ascii_start();
        if rest.is_empty() {
            return None;
        }
        let equals = rest.iter().position(|&b| b == b'=')?;
        let key = rest[..equals].trim_ascii_end();
        rest = rest[equals + 1..].trim_ascii_start();
        let quote = *rest.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let close = rest[1..]
            .iter()
            .position(|&b| b == quote)
            .unwrap_or(rest.len() - 1);
        let value = &rest[1..1 + close];
        if key == wanted {
            return Some(value);
        }
        rest = rest.get(close + 2..).unwrap_or_default();
    }
}

/// An attribute value with XML's predefined entities replaced.
fn unescape(value: &[u8]) -> String {
    String::from_utf8_lossy(value)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_tags_skip_comments_declarations_and_quoted_brackets() {
        let xml = br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><!-- <sst uniqueCount="1"> --><x:sst a='>' uniqueCount = "7"/><![CDATA[<sst>]]><t>x</t>"#;
        let mut scan = StartTags::new(xml);
        let tags: Vec<_> = scan.by_ref().collect();
        assert!(scan.doctype);
        assert_eq!(tags.len(), 2, "{tags:?}");
        assert_eq!(local_name(tags[0].0), b"sst");
        assert_eq!(attribute(tags[0].1, b"uniqueCount"), Some(&b"7"[..]));
        assert_eq!(attribute(tags[0].1, b"a"), Some(&b">"[..]));
        assert_eq!(tags[1].0, b"t");
    }

    #[test]
    fn every_refusal_speaks_both_languages() {
        let refusals = [
            Refusal::TooManyParts {
                parts: 2000,
                limit: 1000,
            },
            Refusal::PartTooLarge {
                part: "xl/a.xml".into(),
                bytes: 1 << 30,
                limit: 1 << 29,
            },
            Refusal::UnpacksTooLarge {
                bytes: 1 << 30,
                limit: 1 << 29,
            },
            Refusal::InflatesTooMuch {
                part: "xl/a.xml".into(),
                ratio: 1000,
                limit: 500,
            },
            Refusal::LyingStringCount {
                part: "xl/sharedStrings.xml".into(),
                claimed: 9,
                most: 1,
            },
            Refusal::StringsNotFound {
                part: "xl/sharedStrings.xml".into(),
            },
            Refusal::XlsbLayout,
            Refusal::ReaderFailed,
            Refusal::XlsRecordCut {
                what: "list of shared texts".into(),
            },
            Refusal::RangeTooLarge {
                format: Format::Ods,
                sheet: "Sheet1".into(),
                from: "A1".into(),
                to: "IV65536".into(),
                bytes: 1 << 30,
                limit: 1 << 28,
            },
        ];
        for refusal in refusals {
            let (en, id) = (refusal.message(Lang::En), refusal.message(Lang::Id));
            assert_ne!(en, id);
            assert!(en.contains("retry"), "{en}");
            assert!(id.contains("coba lagi"), "{id}");
            assert_eq!(SheetError::from(refusal).to_string(), en);
        }
        assert_eq!(cell_name(65_536, 256), "IV65536");
        assert_eq!(cell_name(1, 16_384), "XFD1");
    }
}
