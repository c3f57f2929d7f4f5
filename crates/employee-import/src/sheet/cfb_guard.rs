//! Checks on an OLE compound file (.xls) before calamine reads it.
//!
//! calamine follows sector chains in the file allocation table without
//! bounding them: fuzzing found a 7 KB file whose chain loops back on itself,
//! which makes calamine append to a buffer until memory runs out (another
//! made it index past the end of the file). Here the table is read once and
//! every chain is checked to stay inside the file and to end. The last
//! sector may be short: calamine reads what is there, and so do Excel and
//! LibreOffice.
//!
//! For an .xls, the "Workbook" stream is then walked record by record the
//! way calamine's reader walks it (`check_xls`), because that reader builds
//! every sheet at once, before a single cell can be looked at:
//! - it reserves room for the cells a sheet's DIMENSIONS record declares, so
//!   a 41 KB file can claim 65,536 x 256 cells, or (with rows as 32-bit
//!   numbers) far more than memory holds. Such records are zeroed in a copy
//!   of the file: the declaration is only a capacity hint, and the cells
//!   themselves are untouched;
//! - it builds each sheet as a dense range from its first to its last cell,
//!   so a few cells far apart cost the whole rectangle between them. The
//!   estimate for the cells actually present must fit `max_range_bytes`;
//! - it indexes past the end of a text that continues into an empty
//!   CONTINUE record, and past the end of records cut short, and panics.
//!   Those files are refused with a plain message.

use std::borrow::Cow;
use std::mem::size_of;

use super::{Limits, Refusal, SheetError};

const HEADER_BYTES: usize = 512;
const FREE: u32 = 0xFFFF_FFFF;
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
const DIFAT_SECTOR: u32 = 0xFFFF_FFFC;
/// Sector ids from here up are markers, never sectors.
const RESERVED: u32 = 0xFFFF_FFFA;
/// Streams shorter than this live in the mini stream, in 64-byte sectors.
const MINI_STREAM_CUTOFF: u64 = 4096;
const MINI_SECTOR: usize = 64;

fn damaged(reason: &str) -> SheetError {
    SheetError::Unreadable(format!("its internal structure is damaged: {reason}"))
}

fn u16_at(bytes: &[u8], offset: usize) -> Option<u16> {
    let chunk = bytes.get(offset..offset.checked_add(2)?)?;
    Some(u16::from_le_bytes([chunk[0], chunk[1]]))
}

fn u32_at(bytes: &[u8], offset: usize) -> Option<u32> {
    let chunk = bytes.get(offset..offset.checked_add(4)?)?;
    Some(u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
}

fn u64_at(bytes: &[u8], offset: usize) -> Option<u64> {
    let chunk = bytes.get(offset..offset.checked_add(8)?)?;
    let mut word = [0; 8];
    word.copy_from_slice(chunk);
    Some(u64::from_le_bytes(word))
}

/// A compound file whose allocation table has been checked.
struct Compound<'a> {
    bytes: &'a [u8],
    header: &'a [u8],
    /// The sector size: 512 or 4096 bytes.
    sector: usize,
    /// Sectors in the file, the last one possibly short.
    sectors: usize,
    fat: Vec<u32>,
}

pub(super) fn check_compound_file(bytes: &[u8]) -> Result<(), SheetError> {
    Compound::check(bytes).map(|_| ())
}

impl<'a> Compound<'a> {
    fn check(bytes: &'a [u8]) -> Result<Compound<'a>, SheetError> {
        let header = bytes
            .get(..HEADER_BYTES)
            .ok_or_else(|| damaged("the header is cut short"))?;
        let shift = u16::from_le_bytes([header[30], header[31]]);
        if shift != 9 && shift != 12 {
            return Err(damaged("the sector size is not 512 or 4096 bytes"));
        }
        let sector = 1usize << shift;
        // Sectors start after one sector-sized header (the header itself is
        // 512 bytes, padded to 4096 in version 4 files). A short last sector
        // still counts: calamine reads the part that is there.
        let sectors = bytes.len().saturating_sub(sector).div_ceil(sector);
        let sector_bytes = |id: u32| -> Option<&[u8]> {
            let start = sector.checked_add((id as usize).checked_mul(sector)?)?;
            bytes.get(start..bytes.len().min(start.saturating_add(sector)))
        };

        // The allocation table's own sectors: 109 listed in the header, the
        // rest in a chain of DIFAT sectors, each ending with the next one's id.
        let mut fat_sectors: Vec<u32> = (0..109)
            .filter_map(|i| u32_at(header, 76 + i * 4))
            .collect();
        let mut difat = u32_at(header, 68).unwrap_or(END_OF_CHAIN);
        let mut hops = 0;
        while difat < RESERVED {
            hops += 1;
            if hops > sectors {
                return Err(damaged("the allocation list loops"));
            }
            let block = sector_bytes(difat)
                .filter(|block| block.len() >= 4)
                .ok_or_else(|| damaged("the allocation list points past the end"))?;
            let entries = block.len() / 4 - 1;
            fat_sectors.extend((0..entries).filter_map(|i| u32_at(block, i * 4)));
            difat = u32_at(block, entries * 4).unwrap_or(END_OF_CHAIN);
        }
        let mut fat: Vec<u32> = Vec::new();
        for id in fat_sectors.into_iter().filter(|&id| id < DIFAT_SECTOR) {
            let block = sector_bytes(id)
                .filter(|block| !block.is_empty())
                .ok_or_else(|| damaged("the allocation table points past the end"))?;
            if fat.len() <= sectors + sector / 4 {
                fat.extend((0..block.len() / 4).filter_map(|i| u32_at(block, i * 4)));
            }
        }

        // Every chain must stay inside the file and end. Walking from each
        // sector with a mark per sector keeps this linear in the file size.
        const UNSEEN: u8 = 0;
        const ON_PATH: u8 = 1;
        const DONE: u8 = 2;
        let mut mark = vec![UNSEEN; fat.len()];
        let mut path = Vec::new();
        for start in 0..fat.len() {
            let mut id = start as u32;
            path.clear();
            loop {
                let index = id as usize;
                match mark.get(index) {
                    Some(&DONE) => break,
                    Some(&ON_PATH) => return Err(damaged("a chain of sectors loops")),
                    Some(_) => {}
                    None if index < sectors => break,
                    None => return Err(damaged("a chain of sectors points past the end")),
                }
                mark[index] = ON_PATH;
                path.push(index);
                let next = fat[index];
                if next >= DIFAT_SECTOR || next == FREE {
                    break;
                }
                if next as usize >= sectors {
                    return Err(damaged("a chain of sectors points past the end"));
                }
                id = next;
            }
            for &index in &path {
                mark[index] = DONE;
            }
        }
        // The directory chain starts in the header.
        let directory = u32_at(header, 48).unwrap_or(END_OF_CHAIN);
        if directory < DIFAT_SECTOR && directory as usize >= sectors {
            return Err(damaged("the directory points past the end"));
        }
        Ok(Compound {
            bytes,
            header,
            sector,
            sectors,
            fat,
        })
    }

    /// Where regular sector `id` lies in the file, and how much of it is
    /// there.
    fn sector_span(&self, id: u32) -> Option<(usize, usize)> {
        let start = self
            .sector
            .checked_add((id as usize).checked_mul(self.sector)?)?;
        (start < self.bytes.len()).then(|| (start, self.sector.min(self.bytes.len() - start)))
    }

    /// Follows a chain of regular sectors from `start` for up to `len`
    /// bytes, as calamine's `get_chain` does.
    fn read_chain(&self, start: u32, len: u64) -> Result<Stream, SheetError> {
        let mut stream = Stream::default();
        let mut id = start;
        while id != END_OF_CHAIN && (stream.data.len() as u64) < len {
            if id as usize >= self.sectors {
                return Err(damaged("a stream points past the end"));
            }
            let (at, available) = self
                .sector_span(id)
                .ok_or_else(|| damaged("a stream points past the end"))?;
            let remaining = len - stream.data.len() as u64;
            let take = (available as u64).min(remaining) as usize;
            stream.push(&self.bytes[at..at + take], at);
            // The chains were checked to end, so this terminates.
            id = *self
                .fat
                .get(id as usize)
                .ok_or_else(|| damaged("a stream leaves the allocation table"))?;
        }
        Ok(stream)
    }

    /// The workbook stream ("Workbook", or "Book" in BIFF5 files) as
    /// calamine reads it, or `None` when there is none.
    fn workbook_stream(&self) -> Result<Option<Stream>, SheetError> {
        let directory_start = u32_at(self.header, 48).unwrap_or(END_OF_CHAIN);
        let directory = self.read_chain(directory_start, u64::MAX)?;
        let entries: Vec<Entry> = directory
            .data
            .chunks_exact(128)
            .map(|raw| Entry::parse(raw, self.sector))
            .collect::<Result<_, _>>()?;
        let Some(root) = entries.first() else {
            return Ok(None);
        };
        let Some(book) = ["Workbook", "Book"]
            .iter()
            .find_map(|name| entries.iter().find(|entry| entry.is(name)))
        else {
            return Ok(None);
        };
        if book.len >= MINI_STREAM_CUTOFF {
            return self.read_chain(book.start, book.len).map(Some);
        }
        // A short stream lives in the mini stream (the root entry's chain),
        // in 64-byte sectors chained by the mini allocation table.
        let mini_fat_sectors = u32_at(self.header, 64).unwrap_or(0) as u64;
        if mini_fat_sectors == 0 {
            return Err(damaged("a short stream has no mini stream"));
        }
        let mini_stream = self.read_chain(root.start, root.len)?;
        let mini_fat_start = u32_at(self.header, 60).unwrap_or(END_OF_CHAIN);
        let mini_fat = self.read_chain(mini_fat_start, mini_fat_sectors * self.sector as u64)?;
        let mini_fat: Vec<u32> = mini_fat
            .data
            .chunks_exact(4)
            .map(|word| u32::from_le_bytes([word[0], word[1], word[2], word[3]]))
            .collect();
        let mut stream = Stream::default();
        let mut id = book.start;
        while id != END_OF_CHAIN && (stream.data.len() as u64) < book.len {
            let at = (id as usize)
                .checked_mul(MINI_SECTOR)
                .filter(|&at| at < mini_stream.data.len())
                .ok_or_else(|| damaged("a short stream points past the mini stream"))?;
            let available = MINI_SECTOR.min(mini_stream.data.len() - at);
            let remaining = book.len - stream.data.len() as u64;
            let take = (available as u64).min(remaining) as usize;
            // 64 divides the sector size, so a mini sector never straddles
            // two sectors of the file.
            let file_at = mini_stream
                .file_offset(at)
                .ok_or_else(|| damaged("a short stream points past the mini stream"))?;
            stream.push(&mini_stream.data[at..at + take], file_at);
            id = *mini_fat
                .get(id as usize)
                .ok_or_else(|| damaged("a short stream leaves the mini allocation table"))?;
        }
        Ok(Some(stream))
    }
}

/// A directory entry: a stream's name, first sector and length.
struct Entry {
    name: String,
    start: u32,
    len: u64,
}

impl Entry {
    fn parse(raw: &[u8], sector: usize) -> Result<Entry, SheetError> {
        let units: Vec<u16> = raw[..64]
            .chunks_exact(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        let mut name = String::from_utf16_lossy(&units);
        if let Some(nul) = name.find('\0') {
            name.truncate(nul);
        }
        let start = u32_at(raw, 116).unwrap_or(END_OF_CHAIN);
        let len = if sector == 512 {
            u64::from(u32_at(raw, 120).unwrap_or(0))
        } else {
            u64_at(raw, 120).unwrap_or(0)
        };
        // calamine converts the length to usize and panics when it does
        // not fit (a 32-bit browser).
        if usize::try_from(len).is_err() {
            return Err(damaged("a stream claims to be larger than memory"));
        }
        Ok(Entry { name, start, len })
    }

    fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// A stream's bytes, and where each run of them lies in the file.
#[derive(Default)]
struct Stream {
    data: Vec<u8>,
    /// (offset in the stream, offset in the file), one per sector.
    runs: Vec<(usize, usize)>,
}

impl Stream {
    fn push(&mut self, bytes: &[u8], file_at: usize) {
        self.runs.push((self.data.len(), file_at));
        self.data.extend_from_slice(bytes);
    }

    fn file_offset(&self, offset: usize) -> Option<usize> {
        if offset >= self.data.len() {
            return None;
        }
        let run = self.runs.partition_point(|&(start, _)| start <= offset) - 1;
        let (start, file_at) = self.runs[run];
        Some(file_at + offset - start)
    }
}

/// Checks an .xls before calamine reads it: the container (see
/// `check_compound_file`), then its workbook stream. Returns the bytes to
/// give calamine: the file itself, or a copy whose lying DIMENSIONS records
/// are zeroed.
pub(super) fn check_xls<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Cow<'a, [u8]>, SheetError> {
    let file = Compound::check(bytes)?;
    let Some(stream) = file.workbook_stream()? else {
        return Ok(Cow::Borrowed(bytes));
    };
    let scan = scan_workbook(&stream.data)?;
    let estimate = scan.memory();
    if estimate > limits.max_range_bytes {
        let widest = scan.sheets.iter().max_by_key(|sheet| sheet.cells.area());
        let (first, last) = widest
            .and_then(|sheet| sheet.cells.corners())
            .unwrap_or_else(|| ("A1".to_owned(), "A1".to_owned()));
        return Err(Refusal::RangeTooLarge {
            format: super::Format::Xls,
            sheet: widest.map(|sheet| sheet.name.clone()).unwrap_or_default(),
            from: first,
            to: last,
            bytes: estimate,
            limit: limits.max_range_bytes,
        }
        .into());
    }
    let lying: Vec<&Dimensions> = scan
        .sheets
        .iter()
        .flat_map(|sheet| sheet.dimensions.iter().filter(|d| d.lies(&sheet.cells)))
        .collect();
    if lying.is_empty() {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut copy = bytes.to_vec();
    for dimensions in lying {
        let body = dimensions.offset..dimensions.offset + dimensions.len;
        for at in body.filter_map(|offset| stream.file_offset(offset)) {
            copy[at] = 0;
        }
    }
    Ok(Cow::Owned(copy))
}

/// The extent of some cells: how many, and their bounding rectangle.
#[derive(Debug, Default, Clone, Copy)]
struct Extent {
    count: u64,
    rows: Option<(u32, u32)>,
    columns: Option<(u32, u32)>,
}

impl Extent {
    fn add(&mut self, row: u32, column: u32) {
        self.add_run(row, column, column);
    }

    /// Cells `first..=last` of one row.
    fn add_run(&mut self, row: u32, first: u32, last: u32) {
        self.count += u64::from(last - first) + 1;
        let grow = |span: Option<(u32, u32)>, at: u32| match span {
            Some((low, high)) => Some((low.min(at), high.max(at))),
            None => Some((at, at)),
        };
        self.rows = grow(self.rows, row);
        self.columns = grow(grow(self.columns, first), last);
    }

    /// Cells in the dense range calamine builds for these cells.
    fn area(&self) -> u64 {
        match (self.rows, self.columns) {
            (Some((top, bottom)), Some((left, right))) => {
                u64::from(bottom - top + 1) * u64::from(right - left + 1)
            }
            _ => 0,
        }
    }

    /// The first and last cell of the range, in A1 style.
    fn corners(&self) -> Option<(String, String)> {
        let ((top, bottom), (left, right)) = (self.rows?, self.columns?);
        Some((
            super::guard::cell_name(u64::from(top) + 1, u64::from(left) + 1),
            super::guard::cell_name(u64::from(bottom) + 1, u64::from(right) + 1),
        ))
    }
}

/// A DIMENSIONS record: where its body lies in the stream and how many
/// cells calamine reserves for it (`None`: its arithmetic underflows).
struct Dimensions {
    offset: usize,
    len: usize,
    reserve: Option<u64>,
}

impl Dimensions {
    /// Reservations of up to this many cells are left alone.
    const HARMLESS: u64 = 1 << 16;

    fn parse(offset: usize, body: &[u8]) -> Option<Dimensions> {
        // As calamine's `parse_dimensions` reads it.
        let (first_row, last_row, mut first_column, last_column) = match body.len() {
            10 => (
                u32::from(u16_at(body, 0)?),
                u32::from(u16_at(body, 2)?),
                u32::from(u16_at(body, 4)?),
                u32::from(u16_at(body, 6)?),
            ),
            14 | 16 => (
                u32_at(body, 0)?,
                u32_at(body, 4)?,
                u32::from(u16_at(body, 8)?),
                u32::from(u16_at(body, 10)?),
            ),
            _ => return None,
        };
        if first_column > 0xFF || last_column < first_column {
            first_column = 0;
        }
        let reserve = if last_row >= 1 && last_column >= 1 {
            (last_row - 1)
                .checked_sub(first_row)
                .map(|rows| (u64::from(rows) + 1) * u64::from(last_column - first_column))
        } else {
            Some(1)
        };
        Some(Dimensions {
            offset,
            len: body.len(),
            reserve,
        })
    }

    /// Whether the record asks for more room than the sheet's cells take
    /// (or for an impossible amount). calamine reserves it for its list of
    /// the cells present, so any more than their count is waste.
    fn lies(&self, cells: &Extent) -> bool {
        match self.reserve {
            None => true,
            Some(reserve) => reserve > cells.count.max(Self::HARMLESS),
        }
    }
}

/// One sheet as calamine's reader sees it.
#[derive(Default)]
struct SheetScan {
    name: String,
    cells: Extent,
    formulas: Extent,
    dimensions: Vec<Dimensions>,
}

#[derive(Default)]
struct WorkbookScan {
    sheets: Vec<SheetScan>,
}

impl WorkbookScan {
    /// The memory calamine takes for the cell ranges, in bytes: every
    /// sheet's dense cell and formula ranges (all are kept), plus at the
    /// worst moment the cells of one sheet while its range is built, or
    /// the copy of one range `worksheet_range` hands out.
    fn memory(&self) -> u64 {
        let value = size_of::<calamine::Data>() as u64;
        let text = size_of::<String>() as u64;
        let cell = size_of::<calamine::Cell<calamine::Data>>() as u64;
        let formula = size_of::<calamine::Cell<String>>() as u64;
        let mut held: u64 = 0;
        let mut worst: u64 = 0;
        for sheet in &self.sheets {
            let range = sheet.cells.area() * value;
            held += range + sheet.formulas.area() * text;
            let reserved = sheet
                .dimensions
                .iter()
                .filter(|d| !d.lies(&sheet.cells))
                .filter_map(|d| d.reserve)
                .max()
                .unwrap_or(0);
            let building =
                sheet.cells.count.max(reserved) * cell + sheet.formulas.count * formula + range;
            worst = worst.max(building.max(range));
        }
        held + worst
    }
}

/// A BIFF record with the CONTINUE records that follow it, as calamine's
/// `RecordIter` groups them.
struct Record<'a> {
    kind: u16,
    /// Where the record's body starts in the stream.
    offset: usize,
    body: &'a [u8],
    continues: Vec<&'a [u8]>,
}

/// The records of `stream` from `at`; `None` in an item where calamine's
/// iterator fails (and calamine with it).
struct Records<'a> {
    stream: &'a [u8],
    at: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = Option<Record<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = &self.stream[self.at..];
        if rest.is_empty() {
            return None;
        }
        let (Some(kind), Some(len)) = (u16_at(rest, 0), u16_at(rest, 2)) else {
            self.at = self.stream.len();
            return Some(None);
        };
        let Some(body) = rest.get(4..4 + len as usize) else {
            self.at = self.stream.len();
            return Some(None);
        };
        let offset = self.at + 4;
        self.at = offset + body.len();
        let mut continues = Vec::new();
        loop {
            let rest = &self.stream[self.at..];
            if rest.len() <= 4 || u16_at(rest, 0) != Some(0x003C) {
                break;
            }
            let len = u16_at(rest, 2).unwrap_or(0) as usize;
            let Some(part) = rest.get(4..4 + len) else {
                self.at = self.stream.len();
                return Some(None);
            };
            continues.push(part);
            self.at += 4 + len;
        }
        Some(Some(Record {
            kind,
            offset,
            body,
            continues,
        }))
    }
}

fn records(stream: &[u8], at: usize) -> Records<'_> {
    Records { stream, at }
}

fn cut(what: &'static str) -> SheetError {
    Refusal::XlsRecordCut {
        what: what.to_owned(),
    }
    .into()
}

/// Walks the workbook stream as calamine's `parse_workbook` does: the
/// global records up to the first EOF, then each sheet from its offset.
/// Stops where calamine would fail with an error of its own.
fn scan_workbook(stream: &[u8]) -> Result<WorkbookScan, SheetError> {
    let mut scan = WorkbookScan::default();
    let mut biff8 = true;
    let mut sheets = Vec::new();
    for record in records(stream, 0) {
        let Some(record) = record else {
            return Ok(scan);
        };
        let body = record.body;
        match record.kind {
            // FilePass, CodePage, DateMode: calamine reads a u16.
            0x002F | 0x0042 | 0x0022 if body.len() < 2 => return Err(cut("workbook settings")),
            // Encrypted. calamine says so itself for RC4, but reads an
            // XOR-obfuscated workbook on and fails on scrambled records
            // ("Codepage D7CC not found"): both are protected here.
            0x002F => return Err(SheetError::PasswordProtected),
            // CodePage: one calamine's table lacks fails the whole file.
            0x0042 => {
                let page = u16_at(body, 0).unwrap_or(1200);
                if codepage::to_encoding(page).is_none() {
                    return Err(SheetError::UnknownCodePage(page));
                }
            }
            // BOF: the BIFF version.
            0x0809 => {
                let version = u16_at(body, 0).ok_or_else(|| cut("workbook settings"))?;
                let kind = u16_at(body, 2).unwrap_or(0);
                biff8 = match version {
                    0x0200 | 0x0002 | 0x0007 | 0x0300 | 0x0400 | 0x0500 => false,
                    0 => kind != 0x1000,
                    _ => true,
                };
            }
            // BoundSheet8: where a sheet starts, its state, type and name.
            0x0085 => {
                if body.len() < 6 {
                    return Err(cut("list of sheets"));
                }
                if body[4] & 0x3F > 2 || !matches!(body[5], 0 | 1 | 2 | 6) {
                    return Ok(scan);
                }
                let position = u32_at(body, 0).unwrap_or(0) as usize;
                sheets.push((position, sheet_name(&body[6..], biff8)));
            }
            // SST: the shared strings.
            0x00FC => match walk_shared_strings(body, &record.continues) {
                Walk::Fine => {}
                Walk::Fails => return Ok(scan),
                Walk::Panics => return Err(cut("list of shared texts")),
            },
            // EOF of the globals.
            0x000A => break,
            _ => {}
        }
    }
    for (position, name) in sheets {
        if position > stream.len() {
            return Err(cut("list of sheets"));
        }
        let sheet = scan_sheet(stream, position, name);
        let failed = sheet.is_err();
        scan.sheets.push(match sheet {
            Ok(sheet) | Err(sheet) => sheet,
        });
        if failed {
            break;
        }
    }
    Ok(scan)
}

/// A sheet's name from a BoundSheet8 record (for messages only).
fn sheet_name(rest: &[u8], biff8: bool) -> String {
    let Some(&count) = rest.first() else {
        return String::new();
    };
    let count = count as usize;
    if biff8 && rest.get(1).is_some_and(|flags| flags & 1 != 0) {
        let units: Vec<u16> = rest
            .get(2..)
            .unwrap_or_default()
            .chunks_exact(2)
            .take(count)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        let start = if biff8 { 2 } else { 1 };
        let bytes = rest.get(start..).unwrap_or_default();
        bytes.iter().take(count).map(|&b| b as char).collect()
    }
    .replace('\0', "")
}

/// One sheet's records from `position`, as calamine's sheet loop reads
/// them. `Err` carries what was seen before calamine would fail.
fn scan_sheet(stream: &[u8], position: usize, name: String) -> Result<SheetScan, SheetScan> {
    let mut sheet = SheetScan {
        name,
        ..SheetScan::default()
    };
    let mut formula_at = (0, 0);
    let mut seen_bof = false;
    let mut depth = 0usize;
    for record in records(stream, position) {
        let Some(record) = record else {
            return Err(sheet);
        };
        let body = record.body;
        if depth > 0 {
            match record.kind {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let at = |minimum: usize| -> Option<(u32, u32)> {
            (body.len() >= minimum).then(|| {
                (
                    u32::from(u16_at(body, 0).unwrap_or(0)),
                    u32::from(u16_at(body, 2).unwrap_or(0)),
                )
            })
        };
        let cell = match record.kind {
            0x0809 => {
                if seen_bof {
                    depth += 1;
                } else {
                    seen_bof = true;
                }
                continue;
            }
            0x0200 => {
                match Dimensions::parse(record.offset, body) {
                    Some(dimensions) => sheet.dimensions.push(dimensions),
                    None => return Err(sheet),
                }
                continue;
            }
            // Number, Label, RString, BoolErr, RK, LabelSst.
            0x0203 => at(14),
            0x0204 | 0x00D6 => at(6),
            0x0205 => at(8),
            0x027E | 0x00FD => at(10),
            // String: the value of the formula before it.
            0x0207 => Some(formula_at),
            // MulRk: a run of cells in one row.
            0x00BD => {
                let (Some((row, first)), Some(last)) =
                    (at(6), u16_at(body, body.len().saturating_sub(2)))
                else {
                    return Err(sheet);
                };
                let last = u32::from(last);
                if last < first || body.len() != 6 + 6 * (last - first + 1) as usize {
                    return Err(sheet);
                }
                sheet.cells.add_run(row, first, last);
                continue;
            }
            // Formula: its cell (the value, counted whatever it is) and
            // its text.
            0x0006 => {
                let Some(position) = at(20) else {
                    return Err(sheet);
                };
                formula_at = position;
                sheet.formulas.add(position.0, position.1);
                Some(position)
            }
            0x000A => break,
            _ => continue,
        };
        match cell {
            Some((row, column)) => sheet.cells.add(row, column),
            None => return Err(sheet),
        }
    }
    Ok(sheet)
}

#[derive(Debug, PartialEq)]
enum Walk {
    Fine,
    /// calamine returns an error.
    Fails,
    /// calamine indexes out of bounds.
    Panics,
}

/// Reads the SST record as calamine's `parse_sst` does, to tell whether
/// it would panic: a string whose characters continue into an empty
/// CONTINUE record, or a string header cut short.
fn walk_shared_strings(body: &[u8], continues: &[&[u8]]) -> Walk {
    let Some(mut data) = body.get(8..) else {
        return Walk::Fails;
    };
    let mut next = continues.iter();
    loop {
        if data.is_empty() {
            match next.next() {
                Some(part) => data = part,
                None => return Walk::Fine,
            }
        }
        // read_rich_extended_string: an empty record reads as "".
        if data.is_empty() {
            continue;
        }
        if data.len() < 3 {
            return Walk::Fails;
        }
        let mut left = usize::from(u16::from_le_bytes([data[0], data[1]]));
        let flags = data[2];
        data = &data[3..];
        let mut wide = flags & 0x1 != 0;
        let mut runs = 0u64;
        if flags & 0x8 != 0 {
            let Some(count) = u16_at(data, 0) else {
                return Walk::Panics;
            };
            runs = u64::from(count);
            data = &data[2..];
        }
        let mut extra = 0u64;
        if flags & 0x4 != 0 {
            let Some(size) = u32_at(data, 0) else {
                return Walk::Panics;
            };
            // calamine reads it as i32 and converts it to usize.
            extra = size as i32 as i64 as u64;
            data = &data[4..];
        }
        // read_dbcs
        while left > 0 {
            let (chars, used) = if wide {
                let chars = (data.len() / 2).min(left);
                (chars, chars * 2)
            } else {
                let chars = data.len().min(left);
                (chars, chars)
            };
            data = &data[used..];
            left -= chars;
            if left > 0 {
                let Some(part) = next.next() else {
                    return Walk::Fails;
                };
                let Some(&first) = part.first() else {
                    return Walk::Panics;
                };
                wide = first & 0x1 != 0;
                data = &part[1..];
            }
        }
        // Skip the formatting runs and the phonetic block.
        for mut skip in [runs * 4, extra] {
            while skip > 0 {
                if data.is_empty() {
                    match next.next() {
                        Some(part) => data = part,
                        None => return Walk::Fails,
                    }
                }
                let step = (data.len() as u64).min(skip);
                data = &data[step as usize..];
                skip -= step;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An SST body: totals, then one compressed string of `text`.
    fn sst(text: &str) -> Vec<u8> {
        let mut body = vec![1, 0, 0, 0, 1, 0, 0, 0];
        body.extend((text.len() as u16).to_le_bytes());
        body.push(0);
        body.extend(text.as_bytes());
        body
    }

    #[test]
    fn shared_strings_that_continue_into_an_empty_record_would_panic() {
        assert_eq!(walk_shared_strings(&sst("abc"), &[]), Walk::Fine);
        let mut cut = sst("abc");
        cut.truncate(cut.len() - 1);
        assert_eq!(walk_shared_strings(&cut, &[&[0, b'c']]), Walk::Fine);
        assert_eq!(walk_shared_strings(&cut, &[&[]]), Walk::Panics);
        assert_eq!(walk_shared_strings(&cut, &[]), Walk::Fails);
        // Rich text whose run count is cut off.
        let rich = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0x8, 0];
        assert_eq!(walk_shared_strings(&rich, &[]), Walk::Panics);
    }

    #[test]
    fn dimensions_are_judged_as_calamine_reserves_for_them() {
        let dims = |first: u32, last: u32, columns: u16| {
            let mut body = Vec::new();
            body.extend(first.to_le_bytes());
            body.extend(last.to_le_bytes());
            body.extend(0u16.to_le_bytes());
            body.extend(columns.to_le_bytes());
            body.extend(0u16.to_le_bytes());
            Dimensions::parse(0, &body).unwrap()
        };
        let mut cells = Extent::default();
        cells.add(0, 0);
        cells.add(9, 3);
        assert_eq!(dims(0, 10, 4).reserve, Some(40));
        assert!(!dims(0, 10, 4).lies(&cells));
        assert!(dims(0, 65_536, 256).lies(&cells));
        assert!(dims(0, u32::MAX, 256).lies(&cells));
        // The last row before the first: calamine's subtraction underflows.
        assert_eq!(dims(5, 3, 4).reserve, None);
        assert!(dims(5, 3, 4).lies(&cells));
    }
}
