//! A fast reader for .xlsx workbooks, with calamine behind it for whatever
//! it does not know.
//!
//! Reading a 100,000-row workbook through calamine's XML events took most of
//! the time from file to validated report in the browser. This reader scans
//! the two big parts directly: the sheet's cells as the part is inflated, a
//! piece at a time, and the shared strings only as far as the cells need
//! them. The small parts (relationships, workbook, styles) go through
//! quick-xml as in calamine.
//!
//! It gives exactly what calamine gives: calamine's rules are ported one by
//! one (cells without a reference, the last child of a cell wins, rich-text
//! and phonetic runs, `_xHHHH_` escapes, text trimmed unless
//! `xml:space="preserve"`, XML 1.0 line ends, which number formats are
//! dates or durations, the 1904 date system), and the tests below read
//! workbooks both ways and compare, a corpus of real files included (an
//! ignored test). Anything it is not sure of (a comment or CDATA inside a
//! value, an entity it does not know, a value calamine would refuse, a part
//! too big to hold whole) is [`Unsupported`]: the sheet, or the whole
//! workbook, is then read by calamine. It never guesses.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Cursor, Read};

use calamine::{DataRef, ExcelDateTime, ExcelDateTimeType, SheetType, SheetVisible, Xlsx};
use memchr::memchr;
use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use super::{
    from_data_ref, push_cell, CellSource, CellValue, Limits, SheetError, SheetRow, Watching,
};

type Calamine<'a> = Xlsx<Cursor<&'a [u8]>>;

/// The parts held whole (the small ones and the shared strings): one above
/// this size is left to calamine, which streams it.
const MAX_WHOLE_PART: u64 = 256 * 1024 * 1024;

/// What this reader leaves to calamine, and why (for tests and support).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unsupported(pub &'static str);

/// Why reading a sheet stopped: the file broke a limit (the admin's
/// answer), or this reader does not know its shape (calamine's turn).
enum Stop {
    Refused(SheetError),
    /// Why is read by the tests that compare with calamine.
    Unsupported(#[cfg_attr(not(test), allow(dead_code))] Unsupported),
}

impl From<SheetError> for Stop {
    fn from(error: SheetError) -> Self {
        Stop::Refused(error)
    }
}

impl From<Unsupported> for Stop {
    fn from(unsupported: Unsupported) -> Self {
        Stop::Unsupported(unsupported)
    }
}

/// An .xlsx workbook, read by this module or, when it does not know the
/// workbook's shape, by calamine.
pub(super) enum Source<'a> {
    Fast(Box<Fast<'a>>),
    Calamine(Box<Calamine<'a>>),
}

impl<'a> CellSource<'a> for Source<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self, SheetError> {
        match Fast::open(bytes) {
            Ok(fast) => Ok(Source::Fast(Box::new(fast))),
            Err(_) => Calamine::open(bytes).map(|xlsx| Source::Calamine(Box::new(xlsx))),
        }
    }

    fn metadata(&self) -> Vec<calamine::Sheet> {
        match self {
            Source::Fast(fast) => fast.sheets.iter().map(|(sheet, _)| sheet.clone()).collect(),
            Source::Calamine(xlsx) => CellSource::metadata(&**xlsx),
        }
    }

    fn read_rows(
        &mut self,
        sheet: &str,
        limits: &Limits,
        watching: &mut Watching<'_, '_>,
    ) -> Result<Vec<SheetRow>, SheetError> {
        match self {
            Source::Fast(fast) => fast.read_rows(sheet, limits, watching),
            Source::Calamine(xlsx) => xlsx.read_rows(sheet, limits, watching),
        }
    }
}

/// A workbook whose small parts this module has read.
pub(super) struct Fast<'a> {
    bytes: &'a [u8],
    archive: ZipArchive<Cursor<&'a [u8]>>,
    /// Entry index by name, compared as calamine does: without case, `\`
    /// read as `/`.
    parts: HashMap<String, usize>,
    /// The folder of the workbook part, such as `xl/`.
    folder: String,
    /// Every sheet with the path of its part.
    sheets: Vec<(calamine::Sheet, String)>,
    /// The kind of number format of each cell style.
    formats: Vec<CellFormat>,
    is_1904: bool,
    /// Opened at the first sheet read.
    strings: Option<Result<SharedStrings, Unsupported>>,
    /// calamine, opened for the first sheet this module cannot read.
    calamine: Option<Calamine<'a>>,
    /// How much of a sheet part is inflated at a time ([`PIECES`]; tests
    /// cut tags anywhere with tiny pieces).
    pieces: (usize, usize),
}

impl<'a> Fast<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self, Unsupported> {
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|_| Unsupported("zip"))?;
        let mut parts = HashMap::with_capacity(archive.len());
        for index in 0..archive.len() {
            let name = archive
                .name_for_index(index)
                .and_then(Result::ok)
                .ok_or(Unsupported("zip entry name"))?;
            let key = name.replace('\\', "/").to_ascii_lowercase();
            if parts.insert(key, index).is_some() {
                return Err(Unsupported("two parts of the same name"));
            }
        }
        let mut fast = Fast {
            bytes,
            archive,
            parts,
            folder: String::new(),
            sheets: Vec::new(),
            formats: Vec::new(),
            is_1904: false,
            strings: None,
            calamine: None,
            pieces: PIECES,
        };
        let workbook_name = fast.read_package_relationships()?;
        fast.read_styles()?;
        let relationships = fast.read_relationships(&workbook_name)?;
        fast.read_workbook(&workbook_name, &relationships)?;
        Ok(fast)
    }

    fn read_rows(
        &mut self,
        sheet: &str,
        limits: &Limits,
        watching: &mut Watching<'_, '_>,
    ) -> Result<Vec<SheetRow>, SheetError> {
        let next = watching.next;
        match self.read_rows_fast(sheet, limits, watching) {
            Ok(rows) => Ok(rows),
            Err(Stop::Refused(error)) => Err(error),
            Err(Stop::Unsupported(_)) => {
                // calamine starts the sheet again: so does the watch.
                watching.restart(next);
                self.calamine()?.read_rows(sheet, limits, watching)
            }
        }
    }

    fn calamine(&mut self) -> Result<&mut Calamine<'a>, SheetError> {
        let calamine = match self.calamine.take() {
            Some(calamine) => calamine,
            None => Calamine::open(self.bytes)?,
        };
        Ok(self.calamine.insert(calamine))
    }

    /// The sheet's rows as calamine's streaming reader gives them.
    fn read_rows_fast(
        &mut self,
        name: &str,
        limits: &Limits,
        watching: &mut Watching<'_, '_>,
    ) -> Result<Vec<SheetRow>, Stop> {
        let path = self
            .sheets
            .iter()
            .find(|(sheet, _)| sheet.name == name)
            .map(|(_, path)| path.clone())
            .ok_or(Unsupported("no such sheet"))?;
        if self.strings.is_none() {
            let path = format!("{}sharedStrings.xml", self.folder);
            let strings = self.part(&path).and_then(SharedStrings::new);
            self.strings = Some(strings);
        }
        let index = self
            .index(&path)?
            .ok_or(Unsupported("sheet part missing"))?;
        let Fast {
            archive,
            strings,
            formats,
            is_1904,
            pieces,
            ..
        } = self;
        let strings = match strings {
            Some(Ok(strings)) => strings,
            Some(Err(unsupported)) => return Err((*unsupported).into()),
            None => return Err(Unsupported("shared strings").into()),
        };
        let entry = archive
            .by_index(index)
            .map_err(|_| Unsupported("zip entry"))?;
        let mut cells = Cells {
            strings,
            formats,
            is_1904: *is_1904,
        };
        let rows = cells.read(Stream::new(entry, *pieces), name, limits, watching)?;
        // calamine reads every shared string before any cell: one it
        // cannot read refuses the workbook, whichever cells use it.
        cells.strings.finish()?;
        Ok(rows)
    }

    /// The archive entry of a part, found as calamine finds it.
    fn index(&self, path: &str) -> Result<Option<usize>, Unsupported> {
        if path.contains('\\') {
            return Err(Unsupported("part path with a backslash"));
        }
        Ok(self.parts.get(&path.to_ascii_lowercase()).copied())
    }

    /// A part inflated whole; `None` when the archive has no such part.
    fn part(&mut self, path: &str) -> Result<Option<Vec<u8>>, Unsupported> {
        let Some(index) = self.index(path)? else {
            return Ok(None);
        };
        let mut entry = self
            .archive
            .by_index(index)
            .map_err(|_| Unsupported("zip entry"))?;
        if entry.size() > MAX_WHOLE_PART {
            return Err(Unsupported("part too big to hold whole"));
        }
        // The zip crate stops at the declared size, which the guard has
        // judged: no more than that is ever inflated.
        let mut bytes = Vec::with_capacity(entry.size().min(64 << 20) as usize);
        entry
            .read_to_end(&mut bytes)
            .map_err(|_| Unsupported("zip entry does not inflate"))?;
        Ok(Some(bytes))
    }

    /// The workbook part's folder and name, from `_rels/.rels`.
    fn read_package_relationships(&mut self) -> Result<String, Unsupported> {
        let xml = self
            .part("_rels/.rels")?
            .ok_or(Unsupported("no package relationships"))?;
        let mut reader = xml_reader(&xml);
        let mut target = None;
        loop {
            match reader.read_event().map_err(|_| Unsupported("xml"))? {
                Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                    let kind = raw_attr(&e, "Type");
                    if kind.is_some_and(|kind| kind.ends_with("/relationships/officeDocument")) {
                        if let Some(value) = raw_attr(&e, "Target") {
                            target = Some(unescape(value)?);
                        }
                    }
                }
                Event::End(e) if e.local_name().as_ref() == "Relationships" => break,
                Event::Eof => return Err(Unsupported("package relationships end early")),
                _ => {}
            }
        }
        let target = target.ok_or(Unsupported("no workbook relationship"))?;
        let (folder, name) = match target.rfind('/') {
            Some(slash) => target.split_at(slash + 1),
            None => ("", target.as_str()),
        };
        self.folder = folder.strip_prefix('/').unwrap_or(folder).to_owned();
        Ok(if name.is_empty() {
            "workbook.xml".to_owned()
        } else {
            name.to_owned()
        })
    }

    /// The kind of number format of each cell style (`cellXfs`).
    fn read_styles(&mut self) -> Result<(), Unsupported> {
        let Some(xml) = self.part(&format!("{}styles.xml", self.folder))? else {
            return Ok(());
        };
        let mut reader = xml_reader(&xml);
        let mut custom: HashMap<String, String> = HashMap::new();
        let (mut in_formats, mut in_styles) = (false, false);
        loop {
            match reader.read_event().map_err(|_| Unsupported("xml"))? {
                Event::Start(e) => match e.local_name().as_ref() {
                    "numFmts" if !in_styles => in_formats = true,
                    "cellXfs" if !in_formats => in_styles = true,
                    "numFmt" if in_formats => {
                        if let (Some(id), Some(code)) =
                            (raw_attr(&e, "numFmtId"), raw_attr(&e, "formatCode"))
                        {
                            custom.insert(id.to_owned(), unescape(code)?);
                        }
                    }
                    "xf" if in_styles => {
                        let format = match raw_attr(&e, "numFmtId") {
                            None => CellFormat::Other,
                            Some(id) => match custom.get(id) {
                                Some(code) => custom_format(code),
                                None => builtin_format(id),
                            },
                        };
                        self.formats.push(format);
                    }
                    _ => {}
                },
                Event::End(e) => match e.local_name().as_ref() {
                    "numFmts" => in_formats = false,
                    "cellXfs" => in_styles = false,
                    "styleSheet" => break,
                    _ => {}
                },
                Event::Eof => return Err(Unsupported("styles end early")),
                _ => {}
            }
        }
        Ok(())
    }

    /// The workbook's relationships: id to (target, type), raw as written.
    fn read_relationships(
        &mut self,
        workbook_name: &str,
    ) -> Result<HashMap<String, (String, String)>, Unsupported> {
        let path = format!("{}_rels/{workbook_name}.rels", self.folder);
        let xml = self
            .part(&path)?
            .ok_or(Unsupported("no workbook relationships"))?;
        let mut reader = xml_reader(&xml);
        let mut relationships = HashMap::new();
        loop {
            match reader.read_event().map_err(|_| Unsupported("xml"))? {
                Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                    if let Some(id) = raw_attr(&e, "Id") {
                        let target = raw_attr(&e, "Target").unwrap_or_default().to_owned();
                        let kind = raw_attr(&e, "Type").unwrap_or_default().to_owned();
                        relationships.insert(id.to_owned(), (target, kind));
                    }
                }
                Event::End(e) if e.local_name().as_ref() == "Relationships" => break,
                Event::Eof => return Err(Unsupported("workbook relationships end early")),
                _ => {}
            }
        }
        Ok(relationships)
    }

    /// The sheets, their visibility and parts, and the date system.
    fn read_workbook(
        &mut self,
        workbook_name: &str,
        relationships: &HashMap<String, (String, String)>,
    ) -> Result<(), Unsupported> {
        let path = format!("{}{workbook_name}", self.folder);
        let xml = self.part(&path)?.ok_or(Unsupported("no workbook part"))?;
        let mut reader = xml_reader(&xml);
        loop {
            match reader.read_event().map_err(|_| Unsupported("xml"))? {
                Event::Start(e) if e.local_name().as_ref() == "sheet" => {
                    let (mut name, mut id, mut visible) =
                        (String::new(), "", SheetVisible::Visible);
                    for (key, value) in Attrs(e.attributes_raw()) {
                        match key {
                            "name" => name = unescape(value)?,
                            "state" => {
                                visible = match value {
                                    "visible" => SheetVisible::Visible,
                                    "hidden" => SheetVisible::Hidden,
                                    "veryHidden" => SheetVisible::VeryHidden,
                                    _ => return Err(Unsupported("sheet state")),
                                }
                            }
                            key if key == "id" || key.ends_with(":id") => id = value,
                            _ => {}
                        }
                    }
                    let (target, kind) = relationships
                        .get(id)
                        .ok_or(Unsupported("sheet without relationship"))?;
                    let path = match target.strip_prefix('/') {
                        Some(absolute) => absolute.to_owned(),
                        None => format!("{}{target}", self.folder),
                    };
                    let typ = match kind.rsplit('/').next() {
                        Some("worksheet") => SheetType::WorkSheet,
                        Some("chartsheet") => SheetType::ChartSheet,
                        Some("dialogsheet") => SheetType::DialogSheet,
                        _ => return Err(Unsupported("sheet type")),
                    };
                    self.sheets
                        .push((calamine::Sheet { name, typ, visible }, path));
                }
                Event::Start(e) if e.local_name().as_ref() == "workbookPr" => {
                    if let Some(value) = raw_attr(&e, "date1904") {
                        self.is_1904 = value == "1" || value == "true";
                    }
                }
                Event::End(e) if e.local_name().as_ref() == "workbook" => break,
                Event::Eof => return Err(Unsupported("workbook ends early")),
                _ => {}
            }
        }
        Ok(())
    }
}

/// The shared strings, read as far as the cells have needed them: the
/// first screen of rows needs only the first few. Each is where it is
/// written in the part, or, when reading changed it (an entity, an escape,
/// rich-text runs), in `decoded`: no string of its own for each.
struct SharedStrings {
    xml: String,
    at: usize,
    /// Each string: in `decoded` (or else in `xml`), from, to.
    spans: Vec<(bool, u32, u32)>,
    decoded: String,
    /// Set once every string is read, or why reading stopped.
    end: Option<Result<(), Unsupported>>,
}

impl SharedStrings {
    fn new(xml: Option<Vec<u8>>) -> Result<Self, Unsupported> {
        let mut strings = SharedStrings {
            xml: String::new(),
            at: 0,
            spans: Vec::new(),
            decoded: String::new(),
            end: Some(Ok(())),
        };
        let Some(xml) = xml else {
            return Ok(strings);
        };
        let mut xml = String::from_utf8(xml).map_err(|_| Unsupported("not UTF-8"))?;
        if xml.starts_with('\u{feff}') {
            xml.drain(..'\u{feff}'.len_utf8());
        }
        if xml.len() > u32::MAX as usize {
            return Err(Unsupported("shared strings too big"));
        }
        let mut scan = Scan::new(&xml);
        let end = loop {
            match scan.next_tag()? {
                Tag::Start { name, empty, .. } if local(name) == "sst" => {
                    break empty.then_some(Ok(()));
                }
                Tag::Eof => return Err(Unsupported("no sst element")),
                _ => {}
            }
        };
        strings.at = scan.at;
        strings.xml = xml;
        strings.end = end;
        Ok(strings)
    }

    fn get(&mut self, index: usize) -> Result<&str, Unsupported> {
        while self.spans.len() <= index && self.end.is_none() {
            self.read_one();
        }
        if let Some(Err(unsupported)) = self.end {
            return Err(unsupported);
        }
        let &(decoded, from, to) = self
            .spans
            .get(index)
            .ok_or(Unsupported("shared string index"))?;
        let source = if decoded { &self.decoded } else { &self.xml };
        Ok(&source[from as usize..to as usize])
    }

    /// Every string read; whether they all could be.
    fn finish(&mut self) -> Result<(), Unsupported> {
        while self.end.is_none() {
            self.read_one();
        }
        self.end.unwrap_or(Ok(()))
    }

    /// Reads the next `<si>`, or the end of the part.
    fn read_one(&mut self) {
        let mut scan = Scan {
            text: &self.xml,
            at: self.at,
        };
        let read = loop {
            match scan.next_tag() {
                Ok(Tag::Start { name, empty, .. }) if local(name) == "si" => {
                    break if empty {
                        Ok(Some(Cow::Borrowed("")))
                    } else {
                        scan.rich_text(name).map(Some)
                    };
                }
                Ok(Tag::End { name }) if local(name) == "sst" => break Ok(None),
                Ok(Tag::Eof) => break Err(Unsupported("shared strings end early")),
                Err(unsupported) => break Err(unsupported),
                Ok(_) => {}
            }
        };
        self.at = scan.at;
        match read {
            Ok(Some(Cow::Borrowed(""))) => self.spans.push((false, 0, 0)),
            Ok(Some(Cow::Borrowed(text))) => {
                // A slice of `xml` itself: where it starts in it.
                let from = text.as_ptr() as usize - self.xml.as_ptr() as usize;
                self.spans
                    .push((false, from as u32, (from + text.len()) as u32));
            }
            Ok(Some(Cow::Owned(text))) => {
                let from = self.decoded.len();
                self.decoded.push_str(&text);
                self.spans
                    .push((true, from as u32, self.decoded.len() as u32));
            }
            Ok(None) => self.end = Some(Ok(())),
            Err(unsupported) => self.end = Some(Err(unsupported)),
        }
    }
}

/// A sheet part, inflated a piece at a time: the first rows are on
/// screen long before the last are inflated.
struct Stream<R> {
    reader: R,
    /// The size of the first piece and of the next ones.
    pieces: (usize, usize),
    /// What is inflated and not yet read.
    bytes: Vec<u8>,
    /// Everything is inflated.
    end: bool,
    started: bool,
}

/// A first piece holds a screen of rows and more.
const PIECES: (usize, usize) = (64 * 1024, 1024 * 1024);

impl<R: Read> Stream<R> {
    fn new(reader: R, pieces: (usize, usize)) -> Self {
        Stream {
            reader,
            pieces,
            bytes: Vec::new(),
            end: false,
            started: false,
        }
    }

    /// Drops the first `read` bytes and inflates the next piece.
    fn fill(&mut self, read: usize) -> Result<(), Unsupported> {
        self.bytes.drain(..read);
        let want = if self.started {
            self.pieces.1
        } else {
            self.pieces.0
        };
        let had = self.bytes.len();
        self.bytes.resize(had + want, 0);
        let mut filled = had;
        while filled < self.bytes.len() {
            match self.reader.read(&mut self.bytes[filled..]) {
                Ok(0) => {
                    self.end = true;
                    break;
                }
                Ok(count) => filled += count,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Err(Unsupported("zip entry does not inflate")),
            }
        }
        self.bytes.truncate(filled);
        if !self.started {
            self.started = true;
            if self.bytes.starts_with("\u{feff}".as_bytes()) {
                self.bytes.drain(..3);
            }
        }
        Ok(())
    }

    /// The text inflated so far, up to the last whole character.
    fn text(&self) -> Result<&str, Unsupported> {
        match std::str::from_utf8(&self.bytes) {
            Ok(text) => Ok(text),
            Err(error) if error.error_len().is_none() && !self.end => {
                Ok(std::str::from_utf8(&self.bytes[..error.valid_up_to()]).unwrap_or_default())
            }
            Err(_) => Err(Unsupported("not UTF-8")),
        }
    }
}

/// Where a sheet's read has got.
#[derive(Default)]
struct Reading {
    /// Inside `<sheetData>`.
    in_data: bool,
    /// The last row the sheet's `<dimension>` states (0-based).
    stated: u32,
    /// Where a cell without a reference is: calamine's row and column.
    row: u32,
    column: u32,
    rows: Vec<SheetRow>,
}

/// What the cells of a sheet refer to.
struct Cells<'w> {
    strings: &'w mut SharedStrings,
    formats: &'w [CellFormat],
    is_1904: bool,
}

impl Cells<'_> {
    /// The rows of a sheet part, as calamine's `XlsxCellReader::next_cell`
    /// yields them, through the same `push_cell`.
    fn read(
        &mut self,
        mut part: Stream<impl Read>,
        sheet: &str,
        limits: &Limits,
        watching: &mut Watching<'_, '_>,
    ) -> Result<Vec<SheetRow>, Stop> {
        let mut reading = Reading::default();
        part.fill(0)?;
        loop {
            let partial = !part.end;
            let mut scan = Scan::new(part.text()?);
            let read = loop {
                let mark = scan.at;
                match self.step(&mut scan, &mut reading, sheet, limits, watching) {
                    Ok(true) => {}
                    Ok(false) => return Ok(reading.rows),
                    // A tag cut at the end of the piece: again, with more.
                    Err(Stop::Unsupported(_)) if partial => break mark,
                    Err(stop) => return Err(stop),
                }
            };
            part.fill(read)?;
        }
    }

    /// Reads the next tag, or the whole of a cell. Nothing changes unless
    /// it is read whole. False once `</sheetData>` is read.
    fn step(
        &mut self,
        scan: &mut Scan<'_>,
        reading: &mut Reading,
        sheet: &str,
        limits: &Limits,
        watching: &mut Watching<'_, '_>,
    ) -> Result<bool, Stop> {
        let tag = scan.next_tag()?;
        if !reading.in_data {
            match tag {
                Tag::Start { name, attrs, empty } => match local(name) {
                    "dimension" => {
                        let range = attr(attrs, "ref").ok_or(Unsupported("dimension"))?;
                        reading.stated = dimension_end_row(range)?;
                    }
                    "sheetData" if empty => return Ok(false),
                    "sheetData" => reading.in_data = true,
                    _ => {}
                },
                Tag::End { .. } => {}
                Tag::Eof => return Err(Unsupported("no sheetData").into()),
            }
            return Ok(true);
        }
        match tag {
            Tag::Start { name, attrs, empty } => match local(name) {
                "row" => {
                    if let Some(number) = attr(attrs, "r") {
                        reading.row = reference(number)?.0;
                    }
                    if empty {
                        reading.row += 1;
                        reading.column = 0;
                    }
                }
                "c" => {
                    let (mut at, mut style, mut kind) = (None, None, None);
                    for (key, value) in Attrs(attrs) {
                        match key {
                            "r" => at = Some(value),
                            "s" => style = Some(value),
                            "t" => kind = Some(value),
                            _ => {}
                        }
                    }
                    let (row, column) = match at {
                        Some(at) => match reference(at)? {
                            (row, Some(column)) => (row, column),
                            (_, None) => return Err(Unsupported("cell reference").into()),
                        },
                        None => (reading.row, reading.column),
                    };
                    let value = if empty {
                        CellValue::Empty
                    } else {
                        self.cell(scan, style, kind)?
                    };
                    reading.column = column + 1;
                    push_cell(&mut reading.rows, row, column, value, sheet, limits)?;
                    let total = (reading.stated > 0).then_some(reading.stated + 1);
                    watching.rows(sheet, &reading.rows, total, row);
                }
                _ => {}
            },
            Tag::End { name } => match local(name) {
                "row" => {
                    reading.row += 1;
                    reading.column = 0;
                }
                "sheetData" => return Ok(false),
                _ => {}
            },
            Tag::Eof => return Err(Unsupported("sheetData ends early").into()),
        }
        Ok(true)
    }

    /// A cell's value, from just after `<c …>` to just after `</c>`: each
    /// child replaces the value of the one before, as in calamine.
    fn cell(
        &mut self,
        scan: &mut Scan<'_>,
        style: Option<&str>,
        kind: Option<&str>,
    ) -> Result<CellValue, Unsupported> {
        let mut value = CellValue::Empty;
        loop {
            match scan.next_tag()? {
                Tag::Start { name, empty, .. } => {
                    value = match local(name) {
                        "is" if empty => CellValue::Text(String::new()),
                        "is" => CellValue::Text(scan.rich_text(name)?.into_owned()),
                        "v" if matches!(kind, Some("inlineStr" | "is")) => {
                            if !empty {
                                scan.skip_element(name)?;
                            }
                            CellValue::Empty
                        }
                        "v" => {
                            let raw = if empty { "" } else { scan.text_then_end(name)? };
                            match kind {
                                Some("n" | "s" | "b" | "e") | None => {
                                    // calamine reads these raw, entities unresolved.
                                    if memchr(b'&', raw.as_bytes()).is_some() {
                                        return Err(Unsupported("entity in a value"));
                                    }
                                    self.value(raw, style, kind)?
                                }
                                _ => self.value(&decode(raw)?, style, kind)?,
                            }
                        }
                        "f" => {
                            if !empty {
                                scan.skip_element(name)?;
                            }
                            CellValue::Empty
                        }
                        _ => return Err(Unsupported("element in a cell")),
                    };
                }
                Tag::End { name } if local(name) == "c" => return Ok(value),
                Tag::End { .. } => {}
                Tag::Eof => return Err(Unsupported("cell ends early")),
            }
        }
    }

    /// calamine's `read_v`: the `<v>` text by the cell's type and style.
    fn value(
        &mut self,
        text: &str,
        style: Option<&str>,
        kind: Option<&str>,
    ) -> Result<CellValue, Unsupported> {
        let data = match kind {
            Some("s") => {
                if text.is_empty() {
                    return Ok(CellValue::Empty);
                }
                let index = digits(text).ok_or(Unsupported("shared string index"))?;
                return Ok(CellValue::Text(
                    self.strings.get(index as usize)?.to_owned(),
                ));
            }
            Some("b") => match text.trim() {
                "" => DataRef::Empty,
                "0" => DataRef::Bool(false),
                "1" => DataRef::Bool(true),
                word if word.eq_ignore_ascii_case("false") => DataRef::Bool(false),
                word if word.eq_ignore_ascii_case("true") => DataRef::Bool(true),
                _ => return Err(Unsupported("boolean value")),
            },
            Some("d") => DataRef::DateTimeIso(text.to_owned()),
            Some("e") => match text {
                "#DIV/0!" | "#N/A" | "#NAME?" | "#NULL!" | "#NUM!" | "#REF!" | "#VALUE!" => {
                    DataRef::Error(text.parse().map_err(|_| Unsupported("error value"))?)
                }
                _ => return Err(Unsupported("error value")),
            },
            Some("str") => DataRef::String(unescape_excel(text).into_owned()),
            Some("n") | None => {
                if text.is_empty() {
                    return Ok(CellValue::Empty);
                }
                let number = plain_number(text).ok_or(Unsupported("number"))?;
                let format = match style {
                    Some(style) => {
                        let index = digits(style).ok_or(Unsupported("style index"))?;
                        self.formats.get(index as usize).copied()
                    }
                    None => Some(CellFormat::Other),
                };
                let kind = match format {
                    Some(CellFormat::DateTime) => ExcelDateTimeType::DateTime,
                    Some(CellFormat::TimeDelta) => ExcelDateTimeType::TimeDelta,
                    _ => return Ok(CellValue::Number(number)),
                };
                DataRef::DateTime(ExcelDateTime::new(number, kind, self.is_1904))
            }
            Some(_) => return Err(Unsupported("cell type")),
        };
        Ok(from_data_ref(&data))
    }
}

/// A tag of an XML text, read by [`Scan::next_tag`].
#[derive(Debug, PartialEq)]
enum Tag<'x> {
    /// `<name attrs>` or, when `empty`, `<name attrs/>`.
    Start {
        name: &'x str,
        attrs: &'x str,
        empty: bool,
    },
    End {
        name: &'x str,
    },
    Eof,
}

/// A forward scan over well-formed XML, tag by tag. Comments and
/// processing instructions between elements are skipped; CDATA, a DOCTYPE
/// and any malformed tag are [`Unsupported`].
struct Scan<'x> {
    text: &'x str,
    at: usize,
}

impl<'x> Scan<'x> {
    fn new(text: &'x str) -> Self {
        Scan { text, at: 0 }
    }

    fn next_tag(&mut self) -> Result<Tag<'x>, Unsupported> {
        let bytes = self.text.as_bytes();
        loop {
            let Some(open) = position(b'<', &bytes[self.at..]) else {
                self.at = bytes.len();
                return Ok(Tag::Eof);
            };
            let start = self.at + open + 1;
            match bytes.get(start) {
                Some(b'/') => {
                    let close = position(b'>', &bytes[start..]).ok_or(Unsupported("xml"))?;
                    let name = self.text[start + 1..start + close].trim_end();
                    self.at = start + close + 1;
                    return Ok(Tag::End { name });
                }
                Some(b'?') => {
                    let end = find(&bytes[start..], b"?>").ok_or(Unsupported("xml"))?;
                    self.at = start + end + 2;
                }
                Some(b'!') if bytes[start..].starts_with(b"!--") => {
                    let end = find(&bytes[start + 3..], b"-->").ok_or(Unsupported("xml"))?;
                    self.at = start + 3 + end + 3;
                }
                Some(_) => return self.start_tag(start),
                None => return Err(Unsupported("xml")),
            }
        }
    }

    /// The start tag whose name begins at `start`, its attributes checked.
    fn start_tag(&mut self, start: usize) -> Result<Tag<'x>, Unsupported> {
        let bytes = self.text.as_bytes();
        let mut at = start;
        while at < bytes.len() && !matches!(bytes[at], b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>') {
            at += 1;
        }
        let name = &self.text[start..at];
        if name.is_empty() || name.starts_with('!') {
            return Err(Unsupported("xml"));
        }
        let attrs_start = at;
        loop {
            while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\r' | b'\n') {
                at += 1;
            }
            match bytes.get(at) {
                Some(b'>') => {
                    self.at = at + 1;
                    let attrs = &self.text[attrs_start..at];
                    return Ok(Tag::Start {
                        name,
                        attrs,
                        empty: false,
                    });
                }
                Some(b'/') if bytes.get(at + 1) == Some(&b'>') => {
                    self.at = at + 2;
                    let attrs = &self.text[attrs_start..at];
                    return Ok(Tag::Start {
                        name,
                        attrs,
                        empty: true,
                    });
                }
                Some(_) => at = attribute_end(bytes, at).ok_or(Unsupported("xml attribute"))?,
                None => return Err(Unsupported("xml")),
            }
        }
    }

    /// The text from here to the next tag, which must close `name`.
    fn text_then_end(&mut self, name: &str) -> Result<&'x str, Unsupported> {
        let bytes = self.text.as_bytes();
        let end = self.at + position(b'<', &bytes[self.at..]).ok_or(Unsupported("xml"))?;
        let text = &self.text[self.at..end];
        self.at = end;
        self.end_tag(name)?;
        Ok(text)
    }

    /// `</name>` here, and nothing else.
    fn end_tag(&mut self, name: &str) -> Result<(), Unsupported> {
        let rest = &self.text.as_bytes()[self.at..];
        let after = rest
            .strip_prefix(b"</")
            .and_then(|rest| rest.strip_prefix(name.as_bytes()))
            .ok_or(Unsupported("markup inside a value"))?;
        let spaces = after
            .iter()
            .take_while(|byte| matches!(byte, b' ' | b'\t' | b'\r' | b'\n'))
            .count();
        if after.get(spaces) != Some(&b'>') {
            return Err(Unsupported("markup inside a value"));
        }
        self.at += 2 + name.len() + spaces + 1;
        Ok(())
    }

    /// Past the end of the element `name` whose start tag was just read.
    fn skip_element(&mut self, name: &str) -> Result<(), Unsupported> {
        let mut depth = 1;
        loop {
            match self.next_tag()? {
                Tag::Start {
                    name: inner,
                    empty: false,
                    ..
                } if inner == name => depth += 1,
                Tag::End { name: inner } if inner == name => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Tag::Eof => return Err(Unsupported("element ends early")),
                _ => {}
            }
        }
    }

    /// The text of an `<si>` or `<is>` whose start tag was just read, up to
    /// and past its end tag `closing`, as calamine's `read_string` makes
    /// it: the `<t>` texts of the element and of its rich-text runs joined,
    /// phonetic runs (`<rPh>`) left out, each `<t>` trimmed of ASCII
    /// whitespace unless it preserves space, `_xHHHH_` escapes read.
    fn rich_text(&mut self, closing: &str) -> Result<Cow<'x, str>, Unsupported> {
        let mut text: Option<Cow<'x, str>> = None;
        let mut phonetic = false;
        loop {
            match self.next_tag()? {
                Tag::Start { name, attrs, empty } => match local(name) {
                    "r" if text.is_none() => text = Some(Cow::Owned(String::new())),
                    "rPh" => phonetic = !empty,
                    "t" if !phonetic => {
                        let raw = if empty { "" } else { self.text_then_end(name)? };
                        let preserve = attr(attrs, "xml:space") == Some("preserve");
                        let value = t_text(raw, preserve)?;
                        match &mut text {
                            Some(text) => text.to_mut().push_str(&value),
                            None => text = Some(value),
                        }
                    }
                    _ => {}
                },
                Tag::End { name } if name == closing => {
                    return Ok(text.unwrap_or(Cow::Borrowed("")));
                }
                Tag::End { name } if local(name) == "rPh" => phonetic = false,
                Tag::End { .. } => {}
                Tag::Eof => return Err(Unsupported("string ends early")),
            }
        }
    }
}

/// The text of a `<t>` as calamine makes it: entities resolved, trimmed
/// of ASCII whitespace unless it preserves space, `_xHHHH_` escapes read.
/// Borrowed from the XML when none of that changes anything but the ends.
fn t_text(raw: &str, preserve: bool) -> Result<Cow<'_, str>, Unsupported> {
    let trim = |text: &str| -> usize {
        if preserve {
            return 0;
        }
        text.len() - text.trim_start_matches([' ', '\t', '\r', '\n']).len()
    };
    let kept = |text: &str| -> (usize, usize) {
        let start = trim(text);
        let end = if preserve {
            text.len()
        } else {
            text.trim_end_matches([' ', '\t', '\r', '\n'])
                .len()
                .max(start)
        };
        (start, end)
    };
    Ok(match decode(raw)? {
        Cow::Borrowed(text) => {
            let (start, end) = kept(text);
            unescape_excel(&text[start..end])
        }
        Cow::Owned(text) => {
            let (start, end) = kept(&text);
            Cow::Owned(unescape_excel(&text[start..end]).into_owned())
        }
    })
}

/// Where the attribute starting at `at` ends: `name = "value"` or with
/// single quotes.
fn attribute_end(bytes: &[u8], mut at: usize) -> Option<usize> {
    let start = at;
    while at < bytes.len()
        && !matches!(bytes[at], b'=' | b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/')
    {
        at += 1;
    }
    if at == start {
        return None;
    }
    while matches!(bytes.get(at)?, b' ' | b'\t' | b'\r' | b'\n') {
        at += 1;
    }
    if bytes.get(at)? != &b'=' {
        return None;
    }
    at += 1;
    while matches!(bytes.get(at)?, b' ' | b'\t' | b'\r' | b'\n') {
        at += 1;
    }
    let quote = *bytes.get(at)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let close = position(quote, &bytes[at + 1..])?;
    Some(at + 1 + close + 1)
}

/// The attributes of a start tag that [`Scan`] has checked: raw names and
/// values, entities unresolved (calamine reads `r`, `s`, `t` and
/// `xml:space` raw too).
struct Attrs<'x>(&'x str);

impl<'x> Iterator for Attrs<'x> {
    type Item = (&'x str, &'x str);

    fn next(&mut self) -> Option<Self::Item> {
        let space = |byte: &u8| matches!(byte, b' ' | b'\t' | b'\r' | b'\n');
        let bytes = self.0.as_bytes();
        let start = bytes.iter().position(|byte| !space(byte))?;
        let equals = start + position(b'=', &bytes[start..])?;
        let key_end = equals
            - bytes[start..equals]
                .iter()
                .rev()
                .take_while(|b| space(b))
                .count();
        let open = equals + 1 + bytes[equals + 1..].iter().position(|byte| !space(byte))?;
        let quote = bytes[open];
        let close = open + 1 + position(quote, &bytes[open + 1..])?;
        let (key, value) = (&self.0[start..key_end], &self.0[open + 1..close]);
        self.0 = &self.0[close + 1..];
        Some((key, value))
    }
}

fn attr<'x>(attrs: &'x str, key: &str) -> Option<&'x str> {
    Attrs(attrs)
        .find(|(name, _)| *name == key)
        .map(|(_, value)| value)
}

fn local(name: &str) -> &str {
    memchr(b':', name.as_bytes()).map_or(name, |colon| &name[colon + 1..])
}

/// Where `byte` first is in `haystack`: the distances between markup are
/// short, and a plain loop beats a vector search over the first few bytes.
fn position(byte: u8, haystack: &[u8]) -> Option<usize> {
    let near = haystack.len().min(32);
    match haystack[..near].iter().position(|&b| b == byte) {
        Some(at) => Some(at),
        None => memchr(byte, &haystack[near..]).map(|at| near + at),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// A text as quick-xml gives it to calamine: line ends written `\r\n` or
/// `\r` read as `\n` (XML 1.0), then entities resolved.
fn decode(raw: &str) -> Result<Cow<'_, str>, Unsupported> {
    let Some(first) = memchr::memchr2(b'&', b'\r', raw.as_bytes()) else {
        return Ok(Cow::Borrowed(raw));
    };
    if memchr(b'\r', &raw.as_bytes()[first..]).is_some() {
        let lines = raw.replace("\r\n", "\n").replace('\r', "\n");
        return Ok(Cow::Owned(decode(&lines)?.into_owned()));
    }
    let mut text = String::with_capacity(raw.len());
    text.push_str(&raw[..first]);
    let mut rest = &raw[first..];
    while let Some(amp) = memchr(b'&', rest.as_bytes()) {
        text.push_str(&rest[..amp]);
        let semicolon = memchr(b';', &rest.as_bytes()[amp..]).ok_or(Unsupported("entity"))?;
        let entity = &rest[amp + 1..amp + semicolon];
        match entity {
            "lt" => text.push('<'),
            "gt" => text.push('>'),
            "amp" => text.push('&'),
            "apos" => text.push('\''),
            "quot" => text.push('"'),
            _ => {
                let number = entity.strip_prefix('#').ok_or(Unsupported("entity"))?;
                let code = match number.strip_prefix('x') {
                    Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                        u32::from_str_radix(hex, 16).ok()
                    }
                    None if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
                        number.parse().ok()
                    }
                    _ => None,
                };
                let character = code
                    .filter(|&code| code != 0)
                    .and_then(char::from_u32)
                    .ok_or(Unsupported("character reference"))?;
                text.push(character);
            }
        }
        rest = &rest[amp + semicolon + 1..];
    }
    text.push_str(rest);
    Ok(Cow::Owned(text))
}

/// Excel's `_xHHHH_` escapes read, each a UTF-16 code unit (a character
/// beyond the BMP is a pair; a lone half becomes U+FFFD). Ported from
/// calamine's `unescape_xml` (MIT, Johann Tuffe).
fn unescape_excel(text: &str) -> Cow<'_, str> {
    fn unit_at(text: &str, index: usize) -> Option<u16> {
        let bytes = text.as_bytes().get(index..index + 7)?;
        if bytes[0] != b'_' || bytes[1] != b'x' || bytes[6] != b'_' {
            return None;
        }
        let hex = std::str::from_utf8(&bytes[2..6]).ok()?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u16::from_str_radix(hex, 16).ok()
    }
    fn next_escape(text: &str, mut from: usize) -> Option<(usize, u16)> {
        while let Some(offset) = memchr(b'_', &text.as_bytes()[from..]) {
            let index = from + offset;
            if let Some(unit) = unit_at(text, index) {
                return Some((index, unit));
            }
            from = index + 1;
        }
        None
    }
    let Some((mut index, mut unit)) = next_escape(text, 0) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    loop {
        out.push_str(&text[copied..index]);
        index += 7;
        match unit {
            0xD800..=0xDBFF => match unit_at(text, index) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let code =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                    index += 7;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = index;
        match next_escape(text, index) {
            Some(next) => (index, unit) = next,
            None => break,
        }
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// A decimal number as spreadsheets write it (`-12`, `3.5`, `1E-3`);
/// anything else (a sign `+`, `.5`, `inf`) is left to calamine.
fn plain_number(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let mut at = usize::from(bytes.first() == Some(&b'-'));
    let digits_from = |at: usize| {
        bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let whole = digits_from(at);
    if whole == 0 {
        return None;
    }
    at += whole;
    if bytes.get(at) == Some(&b'.') {
        let fraction = digits_from(at + 1);
        if fraction == 0 {
            return None;
        }
        at += 1 + fraction;
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let exponent = digits_from(at);
        if exponent == 0 {
            return None;
        }
        at += exponent;
    }
    if at != bytes.len() {
        return None;
    }
    text.parse().ok()
}

/// Plain decimal digits, at most nine of them.
fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 9 {
        return None;
    }
    text.bytes().try_fold(0u32, |number, byte| {
        byte.is_ascii_digit()
            .then(|| number * 10 + u32::from(byte - b'0'))
    })
}

/// A cell or row reference (`B12`, `12`): the 0-based row and, when
/// given, column; calamine's `get_row_and_optional_column`.
fn reference(text: &str) -> Result<(u32, Option<u32>), Unsupported> {
    let bad = Unsupported("cell reference");
    if text.len() > 12 {
        return Err(bad);
    }
    let bytes = text.as_bytes();
    let letters = bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let column = bytes[..letters].iter().fold(0u32, |column, letter| {
        column * 26 + u32::from(letter.to_ascii_uppercase() - b'A') + 1
    });
    let row = digits(&text[letters..]).ok_or(bad)?;
    let row = row.checked_sub(1).ok_or(bad)?;
    Ok((row, column.checked_sub(1)))
}

/// The last row (0-based) of a `<dimension ref="A1:H100">`.
fn dimension_end_row(range: &str) -> Result<u32, Unsupported> {
    let mut parts = range.split(':');
    let start = reference(parts.next().unwrap_or_default())?;
    let end = match parts.next() {
        Some(end) => reference(end)?,
        None => start,
    };
    if parts.next().is_some() || start.1.is_none() || end.1.is_none() {
        return Err(Unsupported("dimension"));
    }
    Ok(end.0)
}

/// A quick-xml reader configured as calamine configures it.
fn xml_reader(xml: &[u8]) -> quick_xml::Reader<&[u8]> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    reader
}

/// An attribute's raw value, as calamine's `raw_attr` gives it.
fn raw_attr<'e>(element: &'e BytesStart<'_>, key: &str) -> Option<&'e str> {
    attr(element.attributes_raw(), key)
}

fn unescape(value: &str) -> Result<String, Unsupported> {
    quick_xml::escape::unescape(value)
        .map(Cow::into_owned)
        .map_err(|_| Unsupported("entity"))
}

/// What a cell style's number format makes of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellFormat {
    Other,
    DateTime,
    TimeDelta,
}

/// The kind of a built-in number format, by its id as written; calamine's
/// `builtin_format_by_id` (MIT, Johann Tuffe).
fn builtin_format(id: &str) -> CellFormat {
    match id {
        "14" | "15" | "16" | "17" | "18" | "19" | "20" | "21" | "22" | "45" | "47" => {
            CellFormat::DateTime
        }
        // East Asian built-in date and time formats.
        "27" | "28" | "29" | "30" | "31" | "32" | "33" | "34" | "35" | "36" | "50" | "51"
        | "52" | "53" | "54" | "55" | "56" | "57" | "58" => CellFormat::DateTime,
        "46" => CellFormat::TimeDelta,
        _ => CellFormat::Other,
    }
}

/// The kind of a custom number format code; calamine's
/// `detect_custom_number_format` (MIT, Johann Tuffe): the first section
/// only, quoted and escaped characters skipped, `[h]`-style elapsed time a
/// duration.
fn custom_format(format: &str) -> CellFormat {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return CellFormat::Other,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return CellFormat::TimeDelta,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return CellFormat::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return CellFormat::DateTime
            }
            _ => {
                if !(hms && s.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    CellFormat::Other
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::sheet::guard::{inspect_zip, ZipKind};
    use crate::sheet::{Format, SheetInfo};

    /// Each sheet's metadata and rows (or refusal).
    type Sheets = Vec<(calamine::Sheet, Result<Vec<SheetRow>, SheetError>)>;

    fn watching<'w, 'r>(watch: &'w mut (), sheets: &'r [SheetInfo]) -> Watching<'w, 'r> {
        Watching {
            watch,
            format: Format::Xlsx,
            sheets,
            next: crate::sheet::WATCH_FIRST,
            in_order: true,
        }
    }

    /// Every sheet read by this module alone, or what it leaves to calamine.
    pub(crate) fn fast_sheets(bytes: &[u8]) -> Result<Sheets, Unsupported> {
        let mut fast = Fast::open(bytes)?;
        // Pieces of a few bytes cut tags, names, values and characters
        // everywhere; prime sizes so the cuts move from part to part.
        fast.pieces = (7, 61);
        let limits = Limits::default();
        let mut read = Vec::new();
        let sheets = fast.sheets.clone();
        for (sheet, _) in sheets
            .into_iter()
            .filter(|(sheet, _)| sheet.typ == SheetType::WorkSheet)
        {
            let rows = match fast.read_rows_fast(&sheet.name, &limits, &mut watching(&mut (), &[]))
            {
                Ok(rows) => Ok(rows),
                Err(Stop::Refused(error)) => Err(error),
                Err(Stop::Unsupported(unsupported)) => return Err(unsupported),
            };
            read.push((sheet, rows));
        }
        Ok(read)
    }

    /// Every sheet read by calamine's streaming reader.
    pub(crate) fn calamine_sheets(bytes: &[u8]) -> Result<Sheets, SheetError> {
        let mut xlsx = Calamine::open(bytes)?;
        let limits = Limits::default();
        let sheets = CellSource::metadata(&xlsx);
        let mut read = Vec::new();
        for sheet in sheets
            .into_iter()
            .filter(|sheet| sheet.typ == SheetType::WorkSheet)
        {
            let rows = xlsx.read_rows(&sheet.name, &limits, &mut watching(&mut (), &[]));
            read.push((sheet, rows));
        }
        Ok(read)
    }

    /// Reads `bytes` both ways; panics where they differ. Returns what the
    /// fast reader left to calamine, if anything.
    pub(crate) fn assert_same_as_calamine(bytes: &[u8]) -> Option<Unsupported> {
        let fast = fast_sheets(bytes);
        let calamine = calamine_sheets(bytes);
        match (fast, calamine) {
            (Err(unsupported), _) => Some(unsupported),
            (Ok(fast), Ok(calamine)) => {
                assert_eq!(fast.len(), calamine.len(), "sheet count");
                for ((fast_sheet, fast_rows), (sheet, rows)) in fast.iter().zip(&calamine) {
                    assert_eq!(fast_sheet, sheet);
                    assert_eq!(fast_rows, rows, "sheet {:?}", sheet.name);
                }
                None
            }
            (Ok(_), Err(error)) => panic!("calamine refused what the fast reader read: {error}"),
        }
    }

    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    /// A workbook package written by hand, part by part: the shapes no
    /// writer at hand produces on demand. `sheets` are (name, state,
    /// sheet XML); `parts` are added as given.
    fn package(
        workbook_pr: &str,
        sheets: &[(&str, &str, &str)],
        parts: &[(&str, &str)],
    ) -> Vec<u8> {
        use std::io::Write;
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let mut put = |name: &str, text: &str| {
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            out.start_file(name, options).unwrap();
            out.write_all(text.as_bytes()).unwrap();
        };
        put(
            "[Content_Types].xml",
            r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#,
        );
        put(
            "_rels/.rels",
            &format!(
                r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        );
        let mut list = String::new();
        let mut rels = String::new();
        for (index, (name, state, xml)) in sheets.iter().enumerate() {
            let n = index + 1;
            list.push_str(&format!(
                r#"<sheet name="{name}" sheetId="{n}" {state} r:id="rId{n}"/>"#
            ));
            rels.push_str(&format!(r#"<Relationship Id="rId{n}" Type="{RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>"#));
            put(&format!("xl/worksheets/sheet{n}.xml"), xml);
        }
        put(
            "xl/workbook.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">{workbook_pr}<sheets>{list}</sheets><definedNames><definedName name="n">'a&amp;b'!$A$1</definedName></definedNames></workbook>"#
            ),
        );
        put(
            "xl/_rels/workbook.xml.rels",
            &format!(
                r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
            ),
        );
        for (name, text) in parts {
            put(name, text);
        }
        out.finish().unwrap().into_inner()
    }

    pub(crate) fn one_sheet(data: &str) -> Vec<u8> {
        package("", &[("Sheet1", "", &sheet_xml(data))], &[])
    }

    fn sheet_xml(data: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{MAIN}" xmlns:r="{RELS}"><sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetData>{data}</sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>"#
        )
    }

    /// Shared strings with every shape calamine reads: plain, padded and
    /// preserved, entities, rich-text runs, phonetic runs, an empty item,
    /// `_xHHHH_` escapes (a pair, a lone half, an escaped escape) and a
    /// raw line break written `\r\n`.
    const STRINGS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"8\" uniqueCount=\"8\">\
<si><t>employeeID</t></si>\
<si><t xml:space=\"preserve\">  padded  </t></si>\
<si><t>  trimmed &amp; &lt;kept&gt; &#233;&#x1F600;&#32;</t></si>\
<si><r><t>Ri</t></r><r><rPr><i/><sz val=\"11\"/></rPr><t xml:space=\"preserve\">ch </t></r><rPh sb=\"0\" eb=\"1\"><t>\u{3075}\u{308a}</t></rPh><phoneticPr fontId=\"1\"/></si>\
<si/>\
<si><t>_x000D_line_x000A__x005F_x0041_ _xD83D__xDE00_ _xD800_ _x12_</t></si>\
<si><t>crlf\r\nraw\rline</t></si>\
<si><!-- a comment --><t>after a comment</t><?pi x?></si>\
</sst>";

    /// Number formats: a built-in date, a custom date, a custom duration,
    /// and a differential format's `numFmt` that calamine ignores.
    const STYLES: &str = r#"<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts><fonts count="1"><font><sz val="11"/></font></fonts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164"><alignment horizontal="left"/></xf><xf numFmtId="165"/></cellXfs><dxfs count="1"><dxf><numFmt numFmtId="14" formatCode="0.00"/></dxf></dxfs></styleSheet>"#;

    /// Cells in every shape calamine reads, each in the row that says
    /// what it shows.
    const CELLS: &str = r#"<row r="1" spans="1:6"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" s="0" t="s"><v>2</v></c><c r="D1" t="inlineStr"><is><t>inline</t></is></c><c r="E1" t='str'><v>A&amp;B_x0041_</v></c><c r="F1" t="s"><v>3</v></c></row>
<!-- between rows -->
<row r="2"><c t="n"><v>1001</v></c><c><v>-2.5E-3</v></c><c s="1"><v>45000</v></c><c s="2"><v>45000.5</v></c><c s="3"><v>1.25</v></c><c s="9"><v>7</v></c></row>
<row><c><f>SUM(A2:B2)</f><v>998.9975</v></c><c><v>5</v><f>A1</f></c><c t="b"><v>true</v></c><c t="b"><v> 0 </v></c><c t="e"><v>#N/A</v></c><c t="d"><v>2024-03-09T00:00:00</v></c></row>
<row r="5"/>
<row r="7" ><c r="B7" t="inlineStr"><is><r><rPr><b/></rPr><t xml:space="preserve"> bold </t></r><r><t>rest</t></r><rPh sb="0" eb="1"><t>x</t></rPh></is></c><c r="D7" s="1"/><c r="E7" t="s"><v></v></c><c r="F7" t="inlineStr"><v>ignored</v><is><t>kept</t></is></c></row>
<?pi between rows?>
<row r="9"><c r="A9" t="str"><v>line&#13;&#10;two
three</v></c><c r="C9"><v>12345678901234567</v></c><c r="D9" t="s"><v>5</v></c><c r="E9" t="s"><v>6</v></c><c r="F9" t="s"><v>4</v></c><c r="G9" t="s"><v>7</v></c></row>
<row r="10"><c r="b10" t="str"><f t="shared" ref="B10:B11" si="0">"x"&amp;"y"</f><v>xy</v></c><c r="C10" t="str"><v/></c><c r="D10" t="d"><v/></c><c r="E10" t="inlineStr"><is/></c></row>"#;

    fn every_shape() -> Vec<u8> {
        let prefixed = format!(
            r#"<x:worksheet xmlns:x="{MAIN}"><x:dimension ref="A1:B3"/><x:sheetData><x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>prefixed</x:t></x:is></x:c></x:row><x:row r="3"><x:c r="B3"><x:v>3</x:v></x:c></x:row></x:sheetData></x:worksheet>"#
        );
        package(
            r#"<workbookPr date1904="1"/>"#,
            &[
                ("Staff &amp; Co", "", &sheet_xml(CELLS)),
                ("Hidden", r#"state="hidden""#, &prefixed),
                ("Empty", "", &sheet_xml("")),
            ],
            &[("xl/sharedStrings.xml", STRINGS), ("xl/styles.xml", STYLES)],
        )
    }

    #[test]
    fn every_shape_it_reads_it_reads_as_calamine_does() {
        let bytes = every_shape();
        assert_eq!(
            assert_same_as_calamine(&bytes),
            None,
            "read without calamine"
        );
        let sheets = fast_sheets(&bytes).unwrap();
        assert_eq!(sheets[0].0.name, "Staff & Co");
        assert_eq!(sheets[1].0.visible, SheetVisible::Hidden);
        let rows = sheets[0].1.as_ref().unwrap();
        let text = |row: usize, column: usize| rows[row].cell(column).clone();
        let t = |text: &str| CellValue::Text(text.to_owned());
        // Shared strings: trimmed unless preserved, entities, rich text
        // without its phonetic run, escapes, line ends.
        assert_eq!(text(0, 1), t("  padded  "));
        assert_eq!(text(0, 2), t("trimmed & <kept> é😀"));
        assert_eq!(text(0, 4), t("A&BA"));
        assert_eq!(text(0, 5), t("Rich "));
        assert_eq!(text(4, 3), t("\rline\n_x0041_ 😀 \u{fffd} _x12_"));
        assert_eq!(text(4, 4), t("crlf\nraw\nline"));
        assert_eq!(text(4, 6), t("after a comment"));
        // Numbers, dates in the 1904 system, a duration as its number,
        // a style beyond the list as a plain number.
        assert_eq!(rows[1].number, 2);
        assert_eq!(text(1, 1), CellValue::Number(-0.0025));
        assert_eq!(text(1, 2), CellValue::Date("2027-03-16".into()));
        assert_eq!(text(1, 3), CellValue::Date("2027-03-16 12:00:00".into()));
        assert_eq!(text(1, 4), CellValue::Number(1.25));
        assert_eq!(text(1, 5), CellValue::Number(7.0));
        // A row without its number follows the row before; the last child
        // of a cell wins (a formula after the value empties it).
        assert_eq!(rows[2].number, 3);
        assert_eq!(text(2, 1), CellValue::Empty);
        assert_eq!(text(2, 2), CellValue::Bool(true));
        assert_eq!(text(2, 3), CellValue::Bool(false));
        assert_eq!(text(2, 4), CellValue::Error("#N/A".into()));
        assert_eq!(text(2, 5), CellValue::Date("2024-03-09T00:00:00".into()));
        assert_eq!(rows[3].number, 7);
        assert_eq!(text(3, 1), t(" bold rest"));
        assert_eq!(text(3, 5), t("kept"));
        assert_eq!(text(4, 0), t("line\r\ntwo\nthree"));
        assert_eq!(rows[5].number, 10);
        assert_eq!(text(5, 1), t("xy"));
        assert_eq!(text(5, 3), CellValue::Date(String::new()));
        let hidden = sheets[1].1.as_ref().unwrap();
        assert_eq!(hidden[0].cells, [t("employeeID"), t("prefixed")]);
        assert_eq!(sheets[2].1, Ok(Vec::new()));
    }

    #[test]
    fn tags_cut_anywhere_by_the_inflate_pieces_read_the_same() {
        let bytes = every_shape();
        let mut whole = Fast::open(&bytes).unwrap();
        whole.pieces = (1 << 20, 1 << 20);
        let expected = whole.read_rows_fast(
            "Staff & Co",
            &Limits::default(),
            &mut watching(&mut (), &[]),
        );
        let Ok(expected) = expected else {
            panic!("read whole")
        };
        for first in 1..40 {
            for next in [1, 2, 3, 5, 8, 13, 29] {
                let mut fast = Fast::open(&bytes).unwrap();
                fast.pieces = (first, next);
                let rows = fast.read_rows_fast(
                    "Staff & Co",
                    &Limits::default(),
                    &mut watching(&mut (), &[]),
                );
                assert!(
                    matches!(&rows, Ok(rows) if *rows == expected),
                    "pieces {first}, {next}"
                );
            }
        }
    }

    #[test]
    fn what_it_does_not_know_is_left_to_calamine_and_read_as_calamine_reads_it() {
        let cases = [
            (
                "CDATA",
                r#"<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[x<y]]></t></is></c></row>"#,
            ),
            (
                "comment in a value",
                r#"<row r="1"><c r="A1" t="str"><v>a<!--x-->b</v></c></row>"#,
            ),
            (
                "entity in a number",
                r#"<row r="1"><c r="A1"><v>&#49;</v></c></row>"#,
            ),
            (
                "signed number",
                r#"<row r="1"><c r="A1"><v>+5</v></c></row>"#,
            ),
            (
                "text without a type",
                r#"<row r="1"><c r="A1"><v>abc</v></c></row>"#,
            ),
            (
                "unknown entity",
                r#"<row r="1"><c r="A1" t="str"><v>&nbsp;</v></c></row>"#,
            ),
            (
                "unknown type",
                r#"<row r="1"><c r="A1" t="x"><v>1</v></c></row>"#,
            ),
            (
                "unknown element",
                r#"<row r="1"><c r="A1"><v>1</v><extLst/></c></row>"#,
            ),
            (
                "string index beyond the list",
                r#"<row r="1"><c r="A1" t="s"><v>9</v></c></row>"#,
            ),
            (
                "odd boolean",
                r#"<row r="1"><c r="A1" t="b"><v>yes</v></c></row>"#,
            ),
            (
                "odd error",
                r#"<row r="1"><c r="A1" t="e"><v>#SPILL!</v></c></row>"#,
            ),
            (
                "reference without a row",
                r#"<row r="1"><c r="A" t="s"><v>0</v></c></row>"#,
            ),
        ];
        for (case, data) in cases {
            let bytes = package(
                "",
                &[("Sheet1", "", &sheet_xml(data))],
                &[("xl/sharedStrings.xml", STRINGS)],
            );
            assert!(fast_sheets(&bytes).is_err(), "{case}: left to calamine");
            let calamine = super::super::read_calamine::<Calamine>(
                &bytes,
                Format::Xlsx,
                super::super::Pick::Named("Sheet1"),
                &Limits::default(),
                &mut (),
            );
            let read = super::super::read_workbook(&bytes, Some("Sheet1"), &Limits::default());
            assert_eq!(read, calamine, "{case}");
        }
    }

    #[test]
    fn a_cell_beyond_the_row_limit_is_refused_as_calamine_refuses_it() {
        let data = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="300000"><c r="A300000"><v>1</v></c></row>"#;
        let bytes = package(
            "",
            &[("Sheet1", "", &sheet_xml(data))],
            &[("xl/sharedStrings.xml", STRINGS)],
        );
        assert_eq!(assert_same_as_calamine(&bytes), None);
        let sheets = fast_sheets(&bytes).unwrap();
        assert!(matches!(
            sheets[0].1,
            Err(SheetError::TooManyRows { row: 300000, .. })
        ));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Sheets written by rust_xlsxwriter with random values of every
        /// kind: read by this module alone, exactly as calamine reads them.
        #[test]
        fn any_sheet_rust_xlsxwriter_writes_reads_as_calamine_reads_it(
            cells in proptest::collection::vec(
                (0u32..40, 0u16..8, 0u8..8, "[ a-zA-Z0-9_&<>\"'\t\n\r\u{e9}\u{1F600}x]{0,12}", -1e12f64..1e12),
                0..120,
            )
        ) {
            use rust_xlsxwriter::{ExcelDateTime as Date, Format as Style, Formula, Workbook};
            let mut workbook = Workbook::new();
            let sheet = workbook.add_worksheet();
            let date = Style::new().set_num_format("yyyy-mm-dd hh:mm");
            let duration = Style::new().set_num_format("[h]:mm:ss");
            let bold = Style::new().set_bold();
            for (row, column, kind, text, number) in &cells {
                let (row, column) = (*row, *column);
                match kind {
                    0 => { sheet.write_string(row, column, text).unwrap(); }
                    1 => { sheet.write_number(row, column, *number).unwrap(); }
                    2 => { sheet.write_number(row, column, number.trunc()).unwrap(); }
                    3 => { sheet.write_boolean(row, column, *number > 0.0).unwrap(); }
                    4 => {
                        let days = (number.abs() % 60000.0).max(1.0);
                        let when = Date::from_serial_datetime(days).unwrap();
                        sheet.write_datetime_with_format(row, column, &when, &date).unwrap();
                    }
                    5 => { sheet.write_number_with_format(row, column, number.abs() % 100.0, &duration).unwrap(); }
                    6 => {
                        let formula = Formula::new("=1+1").set_result(text.clone());
                        sheet.write_formula(row, column, formula).unwrap();
                    }
                    _ => {
                        let parts = [(&bold, "b "), (&Style::default(), text.as_str())];
                        if !text.is_empty() {
                            sheet.write_rich_string(row, column, &parts).unwrap();
                        }
                    }
                }
            }
            let bytes = workbook.save_to_buffer().unwrap();
            proptest::prop_assert_eq!(assert_same_as_calamine(&bytes), None);
        }
    }

    /// Over a folder of real files (not in CI: third-party files never enter
    /// the repository): `XLSX_CORPUS=/work/corpus cargo test --release -p
    /// employee-import -- --ignored --nocapture matches_calamine_over`.
    #[test]
    #[ignore]
    fn the_fast_reader_matches_calamine_over_a_corpus() {
        let root = std::env::var("XLSX_CORPUS").expect("XLSX_CORPUS names a folder");
        let mut files = Vec::new();
        let mut folders = vec![std::path::PathBuf::from(root)];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        let (mut same, mut left, mut differ, mut guarded) = (0, HashMap::new(), Vec::new(), 0);
        for path in files {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            if !bytes.starts_with(b"PK\x03\x04") {
                continue;
            }
            match inspect_zip(&bytes, &Limits::default()) {
                Ok(ZipKind::Xlsx) => {}
                Ok(_) => continue,
                Err(_) => {
                    guarded += 1;
                    continue;
                }
            }
            let compared = std::panic::catch_unwind(|| assert_same_as_calamine(&bytes));
            match compared {
                Ok(None) => same += 1,
                Ok(Some(Unsupported(why))) => *left.entry(why).or_insert(0) += 1,
                Err(_) => differ.push(path.display().to_string()),
            }
        }
        println!("read the same as calamine: {same}");
        println!("refused by the guards first: {guarded}");
        let mut left: Vec<_> = left.into_iter().collect();
        left.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
        for (why, count) in &left {
            println!("left to calamine ({why}): {count}");
        }
        for path in &differ {
            println!("DIFFERENT: {path}");
        }
        assert!(differ.is_empty(), "{} files read differently", differ.len());
    }
}
