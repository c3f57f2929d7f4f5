//! The guards in front of calamine are exact about what they protect: they
//! look at the parts calamine will read, found the way calamine finds them,
//! judge memory and output rather than appearances, and turn the known
//! calamine panics into plain refusals. Every file here is built by the test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{Cursor, Read, Write};

use employee_import::sheet::Refusal;
use employee_import::{read_workbook, Format, Import, Lang, Limits, SheetError, Workbook};
use rust_xlsxwriter::Workbook as XlsxWriter;

// ---------------------------------------------------------------------------
// Allocation accounting: what the reading thread asked the allocator for.

struct Counting;

thread_local! {
    /// (bytes requested in all, largest single request) by this thread.
    static ALLOCATED: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

fn note(size: usize) {
    let _ = ALLOCATED.try_with(|stats| {
        let (total, largest) = stats.get();
        stats.set((total.saturating_add(size), largest.max(size)));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// Runs `work` and returns its result with the bytes it allocated in all
/// and its largest single allocation.
fn measured<T>(work: impl FnOnce() -> T) -> (T, usize, usize) {
    ALLOCATED.with(|stats| stats.set((0, 0)));
    let result = work();
    let (total, largest) = ALLOCATED.with(Cell::get);
    (result, total, largest)
}

const MB: usize = 1024 * 1024;

fn read(bytes: &[u8]) -> Result<Workbook, SheetError> {
    read_workbook(bytes, None, &Limits::default())
}

fn refusal(result: Result<Workbook, SheetError>) -> Refusal {
    match result {
        Err(SheetError::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A refusal's messages say what to do, in both languages, without any
/// library text.
fn assert_plain(error: &SheetError) {
    let (en, id) = (error.message(Lang::En), error.message(Lang::Id));
    assert!(en.contains("retry"), "{en}");
    assert!(id.contains("coba lagi"), "{id}");
    for library_text in ["Xlsb", "Xls", "Cfb", "Error", "panicked", "index"] {
        assert!(!en.contains(library_text), "{en}");
    }
}

// ---------------------------------------------------------------------------
// .xlsx helpers: a workbook written by rust_xlsxwriter, then rearranged.

fn employees() -> Vec<u8> {
    let mut workbook = XlsxWriter::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "employeeID").unwrap();
    sheet.write_string(0, 1, "name").unwrap();
    sheet.write_string(1, 0, "E1").unwrap();
    sheet.write_string(1, 1, "Ani").unwrap();
    workbook.save_to_buffer().unwrap()
}

/// The archive's entries, in order.
fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|index| {
            let mut entry = archive.by_index(index).unwrap();
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            (entry.name().unwrap().into_owned(), content)
        })
        .collect()
}

fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Rewrites every entry's name and content with `edit`.
fn rearranged(bytes: &[u8], edit: impl Fn(&str, Vec<u8>) -> (String, Vec<u8>)) -> Vec<u8> {
    let entries: Vec<(String, Vec<u8>)> = entries(bytes)
        .into_iter()
        .map(|(name, content)| edit(&name, content))
        .collect();
    zip_of(&entries)
}

fn replace(content: Vec<u8>, from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(content).unwrap();
    assert!(text.contains(from), "{from} not in {text}");
    text.replace(from, to).into_bytes()
}

fn assert_reads_employees(bytes: &[u8]) {
    let workbook = read(bytes).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(workbook.format, Format::Xlsx);
    assert_eq!(workbook.sheet.rows.len(), 2);
    assert_eq!(workbook.sheet.rows[1].cells[1].to_text(), "Ani");
}

// ---------------------------------------------------------------------------
// Zip kinds, found the way calamine finds parts.

#[test]
fn an_xlsx_written_with_backslash_separators_is_read() {
    // Some Windows tools write `xl\workbook.xml` (calamine issue 530).
    let bytes = rearranged(&employees(), |name, content| {
        (name.replace('/', "\\"), content)
    });
    assert_reads_employees(&bytes);
}

#[test]
fn an_xlsx_whose_part_names_differ_in_case_is_read() {
    let bytes = rearranged(&employees(), |name, content| {
        let name = match name {
            "xl/workbook.xml" => "xl/WorkBook.xml".to_owned(),
            "xl/worksheets/sheet1.xml" => "XL/Worksheets/Sheet1.XML".to_owned(),
            other => other.to_owned(),
        };
        (name, content)
    });
    assert_reads_employees(&bytes);
}

#[test]
fn an_xlsx_whose_workbook_lives_outside_xl_is_found_through_its_relationships() {
    // As in calamine's minimal_package.xlsx: the package relationship says
    // where the workbook is.
    let bytes = rearranged(&employees(), |name, content| {
        if name == "_rels/.rels" {
            let content = replace(
                content,
                "Target=\"xl/workbook.xml\"",
                "Target=\"/book/workbook.xml\"",
            );
            return (name.to_owned(), content);
        }
        let name = match name.strip_prefix("xl/") {
            Some(rest) => format!("book/{rest}"),
            None => name.to_owned(),
        };
        (name, content)
    });
    assert!(entries(&bytes)
        .iter()
        .all(|(name, _)| !name.starts_with("xl/")));
    assert_reads_employees(&bytes);
}

#[test]
fn other_office_documents_are_still_not_spreadsheets() {
    // A word-processing package: its officeDocument is not a workbook.
    let docx = zip_of(&[
        (
            "_rels/.rels".into(),
            br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_vec(),
        ),
        (
            "word/document.xml".into(),
            br#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>"#.to_vec(),
        ),
    ]);
    assert_eq!(read(&docx).unwrap_err(), SheetError::NotASpreadsheet);
    // An OpenDocument text, which has a content.xml like a spreadsheet.
    let odt = zip_of(&[
        (
            "mimetype".into(),
            b"application/vnd.oasis.opendocument.text".to_vec(),
        ),
        ("content.xml".into(), b"<office:document-content/>".to_vec()),
    ]);
    assert_eq!(read(&odt).unwrap_err(), SheetError::NotASpreadsheet);
}

// ---------------------------------------------------------------------------
// Inflate limits: absolute output and memory, and a ratio only content built
// to expand reaches.

/// A sheet of `rows` rows that each repeat the same long inline string: the
/// shape of SheetJS's large_strings.xlsx.
fn long_repeated_strings(rows: usize) -> Vec<u8> {
    let long = "Jakarta Selatan ".repeat(400);
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>employeeID</t></is></c><c r="B1" t="inlineStr"><is><t>address</t></is></c></row>"#,
    );
    for row in 2..rows + 2 {
        xml.push_str(&format!(
            r#"<row r="{row}"><c r="A{row}"><v>{row}</v></c><c r="B{row}" t="inlineStr"><is><t>{long}</t></is></c></row>"#
        ));
    }
    xml.push_str("</sheetData></worksheet>");
    rearranged(&employees(), |name, content| {
        if name == "xl/worksheets/sheet1.xml" {
            (name.to_owned(), xml.clone().into_bytes())
        } else {
            (name.to_owned(), content)
        }
    })
}

fn ratio_of(bytes: &[u8], part: &str) -> u64 {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let entry = archive.by_name(part).unwrap();
    entry.size() / entry.compressed_size()
}

#[test]
fn an_ordinary_sheet_of_long_repeated_strings_is_read() {
    let bytes = long_repeated_strings(1_000);
    let ratio = ratio_of(&bytes, "xl/worksheets/sheet1.xml");
    assert!((100..500).contains(&ratio), "inflates {ratio}:1");
    let workbook = read(&bytes).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(workbook.sheet.rows.len(), 1_001);
}

/// A deflate stream that really inflates to `size` spaces: one literal,
/// then back-references of 258 bytes at distance 1, in deflate's fixed
/// Huffman code (13 bits per 258 bytes, about 159:1, well under the ratio
/// a bomb is known by: only its output gives it away).
fn deflated_spaces(size: u64) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        count: u32,
    }
    impl Bits {
        fn put(&mut self, value: u64, count: u32) {
            self.acc |= value << self.count;
            self.count += count;
            while self.count >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.count -= 8;
            }
        }
        /// A Huffman code, sent most significant bit first.
        fn code(&mut self, code: u64, count: u32) {
            let reversed =
                (0..count).fold(0, |acc, i| acc | (((code >> i) & 1) << (count - 1 - i)));
            self.put(reversed, count);
        }
    }
    let mut bits = Bits {
        out: Vec::new(),
        acc: 0,
        count: 0,
    };
    bits.put(1, 1); // final block
    bits.put(1, 2); // fixed Huffman codes
    bits.code(0x50, 8); // literal ' '
    let mut left = size - 1;
    while left >= 258 {
        bits.code(0b1100_0101, 8); // length code 285: 258 bytes
        bits.code(0, 5); // distance code 0: distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(0x50, 8);
    }
    bits.code(0, 7); // end of block
    bits.put(0, 7);
    bits.out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A zip written by hand, so that an entry need not be inflated to be
/// written: `entries` stored as they are, and `bomb` (a name and the size
/// it inflates to) as a deflated run of spaces. The bomb's CRC is left 0:
/// the guard refuses the file before anything is inflated, let alone
/// checked.
fn zip_with_bomb(entries: &[(String, Vec<u8>)], bomb: (&str, u64)) -> Vec<u8> {
    let mut files: Vec<(&str, u16, u32, Vec<u8>, u64)> = entries
        .iter()
        .filter(|(name, _)| name != bomb.0)
        .map(|(name, content)| {
            (
                name.as_str(),
                0,
                crc32(content),
                content.clone(),
                content.len() as u64,
            )
        })
        .collect();
    files.push((bomb.0, 8, 0, deflated_spaces(bomb.1), bomb.1));
    let (mut body, mut central) = (Vec::new(), Vec::new());
    for (name, method, crc, data, size) in &files {
        let header = |signature: u32| {
            let mut out = signature.to_le_bytes().to_vec();
            if signature == 0x0201_4b50 {
                out.extend(20u16.to_le_bytes()); // version made by
            }
            out.extend(20u16.to_le_bytes()); // version needed
            out.extend(0u16.to_le_bytes()); // flags
            out.extend(method.to_le_bytes());
            out.extend([0; 4]); // time, date
            out.extend(crc.to_le_bytes());
            out.extend((data.len() as u32).to_le_bytes());
            out.extend(u32::try_from(*size).unwrap().to_le_bytes());
            out.extend((name.len() as u16).to_le_bytes());
            out.extend(0u16.to_le_bytes()); // extra
            out
        };
        let mut record = header(0x0201_4b50);
        record.extend([0; 8]); // comment, disk, attributes
        record.extend([0; 2]);
        record.extend((body.len() as u32).to_le_bytes());
        record.extend(name.as_bytes());
        central.extend(record);
        body.extend(header(0x0403_4b50));
        body.extend(name.as_bytes());
        body.extend(data);
    }
    let mut end = 0x0605_4b50u32.to_le_bytes().to_vec();
    end.extend([0; 4]);
    end.extend((files.len() as u16).to_le_bytes());
    end.extend((files.len() as u16).to_le_bytes());
    end.extend((central.len() as u32).to_le_bytes());
    end.extend((body.len() as u32).to_le_bytes());
    end.extend(0u16.to_le_bytes());
    [body, central, end].concat()
}

#[test]
fn a_real_zip_bomb_is_refused_before_it_is_inflated() {
    // A workbook whose sheet is 5 MB that inflate to 800 MB of spaces.
    let sheet = "xl/worksheets/sheet1.xml";
    let bomb = zip_with_bomb(&entries(&employees()), (sheet, 800_000_000));
    assert!(bomb.len() < 6_000_000, "{}", bomb.len());
    // The rest of the workbook is sound: its parts read back intact.
    let mut archive = zip::ZipArchive::new(Cursor::new(&bomb)).unwrap();
    assert_eq!(archive.by_name(sheet).unwrap().size(), 800_000_000);
    let mut workbook_xml = String::new();
    let mut part = archive.by_name("xl/workbook.xml").unwrap();
    part.read_to_string(&mut workbook_xml).unwrap();
    assert!(workbook_xml.contains("<sheet "), "{workbook_xml}");
    drop(part);
    let (result, _, largest) = measured(|| read(&bomb));
    let error = result.unwrap_err();
    assert!(
        matches!(
            error,
            SheetError::Refused(Refusal::UnpacksTooLarge { bytes, .. }) if bytes > 800_000_000
        ),
        "{error}"
    );
    assert_plain(&error);
    assert!(largest < 4 * MB, "allocated {largest} bytes at once");
}

#[test]
fn what_a_workbook_unpacks_to_is_judged_in_absolute_terms() {
    let bytes = long_repeated_strings(1_000);
    // Under the ratio, but over the output budget given here.
    let tight = Limits {
        max_unpacked_bytes: MB as u64,
        ..Limits::default()
    };
    let error = read_workbook(&bytes, None, &tight).unwrap_err();
    assert!(
        matches!(error, SheetError::Refused(Refusal::UnpacksTooLarge { .. })),
        "{error}"
    );
    assert_plain(&error);
    // The shared strings stay in memory whole, so they have a budget too.
    let tight = Limits {
        max_shared_strings_bytes: 100,
        ..Limits::default()
    };
    let error = read_workbook(&employees(), None, &tight).unwrap_err();
    assert!(
        matches!(error, SheetError::Refused(Refusal::PartTooLarge { ref part, .. }) if part == "xl/sharedStrings.xml"),
        "{error}"
    );
}

// ---------------------------------------------------------------------------
// The shared-strings count, on the part calamine will read.

/// The employees workbook with its shared strings renamed to `part` and
/// its `<sst ...>` start tag rewritten by `tag`.
fn lying_strings(part: &str, tag: impl Fn(&str) -> String) -> Vec<u8> {
    rearranged(&employees(), |name, content| {
        if name != "xl/sharedStrings.xml" {
            return (name.to_owned(), content);
        }
        let xml = String::from_utf8(content).unwrap();
        let start = xml.find("<sst").unwrap();
        let end = start + xml[start..].find('>').unwrap() + 1;
        let xml = format!("{}{}{}", &xml[..start], tag(&xml[start..end]), &xml[end..]);
        (part.to_owned(), xml.into_bytes())
    })
}

#[test]
fn a_lying_string_count_is_refused_on_the_part_calamine_reads() {
    // Ten million strings would make calamine reserve 240 MB up front (an
    // 11 KB file with a larger lie aborted on a 96 TB allocation).
    let lie = "10000000";
    let variants = [
        ("xl/SharedStrings.xml", "a differently cased name"),
        ("xl\\sharedStrings.xml", "a backslash separator"),
        ("xl/sharedStrings.xml", "single quotes"),
        ("xl/sharedStrings.xml", "a prefix and a decoy in a comment"),
    ];
    for (part, how) in variants {
        let bytes = lying_strings(part, |tag| match how {
            "single quotes" => tag
                .replace("uniqueCount=\"4\"", &format!("uniqueCount = '{lie}'"))
                .replace(" count=\"4\"", " count='4'"),
            "a prefix and a decoy in a comment" => format!(
                "<!-- <sst uniqueCount=\"4\"> -->{}",
                tag.replace("<sst", "<x:sst")
                    .replace("xmlns=", "xmlns:x=")
                    .replace("uniqueCount=\"4\"", &format!("uniqueCount=\"{lie}\""))
            ),
            _ => tag.replace("uniqueCount=\"4\"", &format!("uniqueCount=\"{lie}\"")),
        });
        let (result, _, largest) = measured(|| read(&bytes));
        let error = result.expect_err(how);
        assert!(
            matches!(
                error,
                SheetError::Refused(Refusal::LyingStringCount {
                    claimed: 10_000_000,
                    ..
                })
            ),
            "{how}: {error}"
        );
        assert!(
            error.to_string().contains("claims 10000000 strings"),
            "{error}"
        );
        assert_plain(&error);
        assert!(largest < 4 * MB, "{how}: allocated {largest} bytes at once");
    }
}

#[test]
fn a_string_count_hidden_behind_a_document_type_is_refused() {
    // quick-xml skips a DTD's quoted strings, so a decoy list inside one
    // would be seen here but not by calamine, which would then believe the
    // real one. Shared strings never have a DTD; POI's "xmlbomb" files do.
    let bytes = lying_strings("xl/sharedStrings.xml", |tag| {
        format!(
            "<!DOCTYPE sst [<!ENTITY a \"a>b <sst uniqueCount='4'>\">]>{}",
            tag.replace("uniqueCount=\"4\"", "uniqueCount=\"10000000\"")
        )
    });
    let (result, _, largest) = measured(|| read(&bytes));
    let error = result.unwrap_err();
    assert!(
        matches!(error, SheetError::Refused(Refusal::StringsNotFound { .. })),
        "{error}"
    );
    assert_plain(&error);
    assert!(largest < 4 * MB, "allocated {largest} bytes at once");
}

#[test]
fn the_shared_strings_next_to_a_workbook_elsewhere_are_checked_too() {
    let bytes = rearranged(&employees(), |name, content| match name {
        "_rels/.rels" => (
            name.to_owned(),
            replace(
                content,
                "Target=\"xl/workbook.xml\"",
                "Target=\"book/workbook.xml\"",
            ),
        ),
        "xl/sharedStrings.xml" => (
            "book/sharedStrings.xml".to_owned(),
            replace(content, "uniqueCount=\"4\"", "uniqueCount=\"10000000\""),
        ),
        _ => (name.replacen("xl/", "book/", 1), content),
    });
    assert!(matches!(
        refusal(read(&bytes)),
        Refusal::LyingStringCount { .. }
    ));
}

// ---------------------------------------------------------------------------
// .xlsb: calamine's panic on a sheet its relationships do not name.

/// An .xlsb record: type and length in 7-bit groups, then the body.
fn xlsb_record(kind: u16, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if kind < 0x80 {
        out.push(kind as u8);
    } else {
        out.push((kind & 0x7F) as u8 | 0x80);
        out.push((kind >> 7) as u8);
    }
    let mut len = body.len();
    loop {
        let byte = (len & 0x7F) as u8;
        len >>= 7;
        if len == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend(body);
    out
}

fn wide(text: &str) -> Vec<u8> {
    let mut out = (text.encode_utf16().count() as u32).to_le_bytes().to_vec();
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

/// An .xlsb whose workbook lists one sheet under relationship `rId1`, with
/// `relationships` as its `xl/_rels/workbook.bin.rels`.
fn xlsb(relationships: &str) -> Vec<u8> {
    xlsb_with(relationships, &[])
}

fn xlsb_with(relationships: &str, more: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut sheet = vec![0; 8]; // visible, tab id
    sheet.extend(wide("rId1"));
    sheet.extend(wide("Staff"));
    let book = [
        xlsb_record(0x0083, &[]),      // BrtBeginBook
        xlsb_record(0x008F, &[]),      // BrtBeginBundleShs
        xlsb_record(0x009C, &sheet),   // BrtBundleSh
        xlsb_record(0x0090, &[]),      // BrtEndBundleShs
        xlsb_record(0x009D, &[0; 20]), // BrtCalcProp: the names end
        xlsb_record(0x0084, &[]),      // BrtEndBook
    ]
    .concat();
    zip_of(&[
        (
            "_rels/.rels".into(),
            br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>"#.to_vec(),
        ),
        ("xl/workbook.bin".into(), book),
        ("xl/_rels/workbook.bin.rels".into(), relationships.as_bytes().to_vec()),
        ("xl/worksheets/sheet1.bin".into(), Vec::new()),
    ]
    .into_iter()
    .chain(more.iter().cloned())
    .collect::<Vec<_>>())
}

#[test]
fn an_xlsb_whose_sheet_list_calamine_cannot_follow_is_refused_without_a_panic() {
    let named = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#;
    // Namespace-prefixed relationships (ExcelDataReader issue 682), and a
    // relationship id that is not there (POI's Simple.xlsb).
    let prefixed = named
        .replace("<Relationships xmlns=", "<ns0:Relationships xmlns:ns0=")
        .replace("<Relationship ", "<ns0:Relationship ")
        .replace("</Relationships>", "</ns0:Relationships>");
    let missing = named.replace("rId1", "rId7");
    for relationships in [prefixed, missing] {
        let error = read(&xlsb(&relationships)).unwrap_err();
        assert_eq!(
            error,
            SheetError::Refused(Refusal::XlsbLayout),
            "{relationships}"
        );
        assert_plain(&error);
    }
    // Named as calamine expects, the same file passes the guard (and
    // calamine then reads its empty sheet).
    let error = read(&xlsb(named)).unwrap_err();
    assert!(!matches!(error, SheetError::Refused(_)), "{error}");
}

#[test]
fn a_panic_left_in_the_reader_becomes_a_plain_refusal() {
    // Not guarded: a shared-strings header cut short, which calamine's
    // .xlsb reader slices past. Where unwinding exists (the host, a test),
    // the user still gets a plain message in both languages.
    let named = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#;
    let strings = xlsb_record(0x009F, &[1, 0]);
    let bytes = xlsb_with(named, &[("xl/sharedStrings.bin".into(), strings)]);
    let error = read(&bytes).unwrap_err();
    assert_eq!(error, SheetError::Refused(Refusal::ReaderFailed));
    assert_plain(&error);
}

// ---------------------------------------------------------------------------
// .ods, written by hand: calamine builds every table at once, densely.

/// An .ods whose only table, "Staff", holds `rows` (compact XML, as
/// LibreOffice writes it).
fn ods(rows: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Staff">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    zip_of(&[
        (
            "mimetype".into(),
            b"application/vnd.oasis.opendocument.spreadsheet".to_vec(),
        ),
        (
            "META-INF/manifest.xml".into(),
            br#"<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>"#.to_vec(),
        ),
        ("content.xml".into(), content.into_bytes()),
    ])
}

const ODS_HEADER: &str = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>employeeID</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>name</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>E1</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Ani</text:p></table:table-cell></table:table-row>"#;

#[test]
fn an_ods_with_the_usual_trailing_empty_rows_and_columns_is_read() {
    // LibreOffice closes every sheet with empty cells and rows repeated to
    // the sheet's edge; calamine lists none of them.
    let rows = format!(
        r#"{ODS_HEADER}<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#
    );
    let (result, _, largest) = measured(|| read(&ods(&rows)));
    let workbook = result.unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(workbook.format, Format::Ods);
    assert_eq!(workbook.sheet.rows[1].cells[1].to_text(), "Ani");
    assert!(largest < 4 * MB, "allocated {largest} bytes at once");
}

#[test]
fn an_ods_whose_repeated_cells_would_fill_gigabytes_is_refused_before_calamine_builds_them() {
    // A value repeated over 100 columns and 200,000 rows: 20 million cells
    // (and as many formula slots) from a few hundred bytes.
    let values = format!(
        r#"{ODS_HEADER}<table:table-row table:number-rows-repeated="200000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="100"/></table:table-row>"#
    );
    // Empty cells are listed too when another cell follows them: 16,383 per
    // row, for each of 1,000 rows.
    let empties = format!(
        "{ODS_HEADER}{}",
        r#"<table:table-row><table:table-cell table:number-columns-repeated="16383"/><table:table-cell/></table:table-row>"#.repeat(1_000)
    );
    for rows in [values, empties] {
        let bytes = ods(&rows);
        assert!(bytes.len() < 10_000, "{}", bytes.len());
        let (result, _, largest) = measured(|| read(&bytes));
        let error = result.unwrap_err();
        match &error {
            SheetError::Refused(Refusal::RangeTooLarge { format, sheet, .. }) => {
                assert_eq!((*format, sheet.as_str()), (Format::Ods, "Staff"));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            error
                .to_string()
                .contains("OpenDocument spreadsheet (.ods)"),
            "{error}"
        );
        assert_plain(&error);
        assert!(largest < 4 * MB, "allocated {largest} bytes at once");
    }
}

// ---------------------------------------------------------------------------
// .xls, built by hand: a BIFF8 workbook stream in a compound file.

/// A BIFF record.
fn biff(kind: u16, body: &[u8]) -> Vec<u8> {
    let mut out = kind.to_le_bytes().to_vec();
    out.extend((body.len() as u16).to_le_bytes());
    out.extend(body);
    out
}

fn bof(kind: u16) -> Vec<u8> {
    let mut body = 0x0600u16.to_le_bytes().to_vec();
    body.extend(kind.to_le_bytes());
    body.extend([0; 12]);
    biff(0x0809, &body)
}

fn number(row: u16, column: u16, value: f64) -> Vec<u8> {
    let mut body = row.to_le_bytes().to_vec();
    body.extend(column.to_le_bytes());
    body.extend(0u16.to_le_bytes());
    body.extend(value.to_le_bytes());
    biff(0x0203, &body)
}

fn label(row: u16, column: u16, text: &str) -> Vec<u8> {
    let mut body = row.to_le_bytes().to_vec();
    body.extend(column.to_le_bytes());
    body.extend(0u16.to_le_bytes());
    body.extend((text.len() as u16).to_le_bytes());
    body.push(0);
    body.extend(text.as_bytes());
    biff(0x0204, &body)
}

/// DIMENSIONS: first row, last row + 1, first column, last column + 1.
fn dimensions(rows: (u32, u32), columns: (u16, u16)) -> Vec<u8> {
    let mut body = rows.0.to_le_bytes().to_vec();
    body.extend(rows.1.to_le_bytes());
    body.extend(columns.0.to_le_bytes());
    body.extend(columns.1.to_le_bytes());
    body.extend(0u16.to_le_bytes());
    biff(0x0200, &body)
}

/// A workbook stream: globals (with `extra` records, such as an SST), one
/// sheet "Staff" holding `records`, and `gap` zero bytes between them.
fn workbook_stream(extra: &[Vec<u8>], records: &[Vec<u8>], gap: usize) -> Vec<u8> {
    let sheet_record = |position: u32| {
        let mut body = position.to_le_bytes().to_vec();
        body.extend([0, 0, 5, 0]);
        body.extend(b"Staff");
        biff(0x0085, &body)
    };
    let globals_len = bof(0x0005).len()
        + sheet_record(0).len()
        + extra.iter().map(Vec::len).sum::<usize>()
        + biff(0x000A, &[]).len();
    let mut stream = bof(0x0005);
    stream.extend(sheet_record((globals_len + gap) as u32));
    for record in extra {
        stream.extend(record);
    }
    stream.extend(biff(0x000A, &[]));
    stream.extend(vec![0; gap]);
    stream.extend(bof(0x0010));
    for record in records {
        stream.extend(record);
    }
    stream.extend(biff(0x000A, &[]));
    stream
}

const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
const FREE: u32 = 0xFFFF_FFFF;

/// A version 3 compound file (512-byte sectors) holding `stream` as
/// "Workbook": sector 0 the allocation table, 1 the directory, then the
/// stream. Streams under 4096 bytes are padded to it, so no mini stream is
/// needed. `fat` may rewrite the allocation table before it is written.
fn compound_file(stream: &[u8], fat: impl Fn(&mut Vec<u32>)) -> Vec<u8> {
    let mut stream = stream.to_vec();
    if stream.len() < 4096 {
        stream.resize(4096, 0);
    }
    let sectors = stream.len().div_ceil(512);
    assert!(sectors + 2 <= 128, "one FAT sector is enough here");
    let mut table = vec![FREE; 128];
    table[0] = 0xFFFF_FFFD; // the FAT's own sector
    table[1] = END_OF_CHAIN; // directory
                             // The stream's chain: each sector points at the next, the last ends.
    for (id, next) in table.iter_mut().enumerate().take(sectors + 2).skip(2) {
        *next = if id == sectors + 1 {
            END_OF_CHAIN
        } else {
            id as u32 + 1
        };
    }
    fat(&mut table);

    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    header[24..26].copy_from_slice(&0x003Eu16.to_le_bytes());
    header[26..28].copy_from_slice(&3u16.to_le_bytes());
    header[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
    header[30..32].copy_from_slice(&9u16.to_le_bytes());
    header[32..34].copy_from_slice(&6u16.to_le_bytes());
    header[44..48].copy_from_slice(&1u32.to_le_bytes()); // FAT sectors
    header[48..52].copy_from_slice(&1u32.to_le_bytes()); // directory
    header[56..60].copy_from_slice(&4096u32.to_le_bytes());
    header[60..64].copy_from_slice(&END_OF_CHAIN.to_le_bytes()); // no mini FAT
    header[68..72].copy_from_slice(&END_OF_CHAIN.to_le_bytes()); // no DIFAT
    for i in 0..109 {
        let id = if i == 0 { 0 } else { FREE };
        header[76 + i * 4..80 + i * 4].copy_from_slice(&id.to_le_bytes());
    }

    let entry = |name: &str, kind: u8, child: u32, start: u32, size: u32| {
        let mut raw = vec![0u8; 128];
        let units: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        raw[..units.len()].copy_from_slice(&units);
        raw[64..66].copy_from_slice(&((units.len() + 2) as u16).to_le_bytes());
        raw[66] = kind;
        raw[67] = 1; // black
        raw[68..72].copy_from_slice(&FREE.to_le_bytes());
        raw[72..76].copy_from_slice(&FREE.to_le_bytes());
        raw[76..80].copy_from_slice(&child.to_le_bytes());
        raw[116..120].copy_from_slice(&start.to_le_bytes());
        raw[120..124].copy_from_slice(&size.to_le_bytes());
        raw
    };
    let mut directory = entry("Root Entry", 5, 1, END_OF_CHAIN, 0);
    directory.extend(entry("Workbook", 2, FREE, 2, stream.len() as u32));
    directory.resize(512, 0);

    let mut file = header;
    file.extend(table.iter().flat_map(|id| id.to_le_bytes()));
    file.extend(directory);
    file.extend(&stream);
    file
}

fn xls(records: &[Vec<u8>]) -> Vec<u8> {
    compound_file(&workbook_stream(&[], records, 0), |_| {})
}

#[test]
fn a_hand_built_xls_reads() {
    let bytes = xls(&[
        dimensions((0, 2), (0, 2)),
        label(0, 0, "employeeID"),
        label(0, 1, "name"),
        number(1, 0, 1001.0),
        label(1, 1, "Ani"),
    ]);
    let workbook = read(&bytes).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(workbook.format, Format::Xls);
    assert_eq!(workbook.sheet.name, "Staff");
    assert_eq!(workbook.sheet.rows[1].cells[0].to_text(), "1001");
    assert_eq!(workbook.sheet.rows[1].cells[1].to_text(), "Ani");
}

#[test]
fn an_xls_whose_last_sector_is_short_is_read() {
    // POI's 47245_test.xls and calamine's own OOM_alloc2.xls end in a
    // short sector; Excel, LibreOffice and calamine read what is there.
    let records = [
        dimensions((0, 2), (0, 1)),
        label(0, 0, "employeeID"),
        label(1, 0, "E1"),
    ];
    // The sheet sits at the end of the stream, after a gap, so its records
    // are in the last, short sector.
    let stream = workbook_stream(&[], &records, 4200);
    assert!(!stream.len().is_multiple_of(512) && stream.len() > 4096);
    let mut bytes = compound_file(&stream, |_| {});
    let end = 512 * 3 + stream.len();
    assert!(bytes[end..].iter().all(|&b| b == 0));
    bytes.truncate(end);
    let workbook = read(&bytes).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(workbook.sheet.rows[1].cells[0].to_text(), "E1");
}

#[test]
fn xls_sector_chains_that_loop_or_leave_the_file_are_still_refused() {
    let records = [label(0, 0, "employeeID")];
    let stream = workbook_stream(&[], &records, 0);
    let looping = compound_file(&stream, |fat| fat[4] = 3);
    let leaving = compound_file(&stream, |fat| fat[4] = 90);
    for bytes in [looping, leaving] {
        match read(&bytes) {
            Err(SheetError::Unreadable(reason)) => {
                assert!(reason.contains("internal structure is damaged"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn an_xls_with_a_text_continued_into_an_empty_record_is_refused_without_a_panic() {
    // ExcelDataReader's Test_git_issue_467: a shared string whose
    // characters go on in a CONTINUE record that is empty. calamine
    // indexes past its end.
    let mut sst = 1u32.to_le_bytes().to_vec();
    sst.extend(1u32.to_le_bytes());
    sst.extend(5u16.to_le_bytes());
    sst.push(0);
    sst.extend(b"ab");
    let extra = [biff(0x00FC, &sst), biff(0x003C, &[])];
    let bytes = compound_file(&workbook_stream(&extra, &[label(0, 0, "x")], 0), |_| {});
    let error = read(&bytes).unwrap_err();
    assert!(
        matches!(error, SheetError::Refused(Refusal::XlsRecordCut { .. })),
        "{error}"
    );
    assert_plain(&error);
}

#[test]
fn an_xls_declaring_a_huge_sheet_allocates_only_for_its_cells() {
    let cells = [label(0, 0, "employeeID"), label(1, 0, "E1")];
    // All of 65,536 x 256 cells declared; and a range whose last row comes
    // before its first, which calamine's arithmetic cannot take.
    for declared in [
        dimensions((0, 65_536), (0, 256)),
        dimensions((9, 2), (0, 1)),
    ] {
        let mut records = vec![declared];
        records.extend(cells.iter().cloned());
        let bytes = xls(&records);
        assert!(bytes.len() < 10_000);
        let (result, _, largest) = measured(|| read(&bytes));
        let workbook = result.unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(workbook.sheet.rows.len(), 2);
        assert!(largest < 4 * MB, "allocated {largest} bytes at once");
    }
}

#[test]
fn an_xls_with_a_stray_cell_far_away_is_refused_before_calamine_allocates_the_range() {
    // One cell at row 65,536, column 256 makes calamine build (and copy)
    // a 16.7-million-cell range: over 1 GB for a file of a few KB.
    let bytes = xls(&[
        dimensions((0, 65_536), (0, 256)),
        label(0, 0, "employeeID"),
        label(1, 0, "E1"),
        number(65_535, 255, 1.0),
    ]);
    let (result, _, largest) = measured(|| read(&bytes));
    let error = result.unwrap_err();
    match &error {
        SheetError::Refused(Refusal::RangeTooLarge {
            sheet, from, to, ..
        }) => {
            assert_eq!(
                (sheet.as_str(), from.as_str(), to.as_str()),
                ("Staff", "A1", "IV65536")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains("from A1 to IV65536"), "{error}");
    assert_plain(&error);
    assert!(largest < 4 * MB, "allocated {largest} bytes at once");
}

// ---------------------------------------------------------------------------
// The workbook is parsed once when the first sheet has no header row.

#[test]
fn a_workbook_whose_header_is_on_a_late_sheet_is_parsed_once() {
    let mut workbook = XlsxWriter::new();
    // Many sheets of notes before the employees, and enough shared text
    // that parsing the workbook once per sheet shows in what is allocated.
    for index in 0..20 {
        let notes = workbook.add_worksheet();
        for row in 0..200 {
            notes
                .write_string(row, 0, format!("note {index}-{row}: {}", "x".repeat(100)))
                .unwrap();
        }
    }
    let staff = workbook.add_worksheet().set_name("Staff").unwrap();
    staff.write_string(0, 0, "employeeID").unwrap();
    staff.write_string(0, 1, "name").unwrap();
    staff.write_string(1, 0, "E1").unwrap();
    staff.write_string(1, 1, "Ani").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    let (_, once, _) = measured(|| read(&bytes).unwrap());
    let (import, total, _) = measured(|| Import::from_bytes(&bytes).unwrap());
    assert_eq!(import.sheet.name, "Staff");
    assert_eq!(import.sheets.len(), 21);
    // Reading 21 sheets' cells costs more than reading one, but far less
    // than opening the workbook again for each of them.
    assert!(
        total < 4 * once,
        "{total} bytes against {once} for one read"
    );
}

/// Written here: the smallest .ods LibreOffice would call encrypted, a
/// manifest whose content entry carries encryption data.
#[test]
fn a_password_protected_ods_is_told_as_protected_not_damaged() {
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml" manifest:size="1200">
  <manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" manifest:checksum="AAAA">
   <manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="AAAA"/>
  </manifest:encryption-data>
 </manifest:file-entry>
</manifest:manifest>"#;
    let bytes = zip_of(&[
        (
            "mimetype".to_owned(),
            b"application/vnd.oasis.opendocument.spreadsheet".to_vec(),
        ),
        (
            "META-INF/manifest.xml".to_owned(),
            manifest.as_bytes().to_vec(),
        ),
        ("content.xml".to_owned(), vec![0x8f; 1200]),
    ]);
    let error = read(&bytes).unwrap_err();
    assert_eq!(error, SheetError::PasswordProtected);
    assert!(error.message(Lang::En).contains("protected by a password"));
    assert!(error.message(Lang::Id).contains("dilindungi kata sandi"));
}

// ---------------------------------------------------------------------------
// Files calamine refuses for a reason the admin can act on, named as such.

#[test]
fn an_xor_obfuscated_xls_is_told_as_password_protected() {
    // As POI's xor-encryption-abc.xls and SheetJS's
    // password_2002_40_xor.xls: FilePass with encryption type 0 (XOR).
    // calamine reads on and fails on the scrambled code page
    // ("Codepage D7CC not found").
    let bytes = compound_file(
        &workbook_stream(
            &[
                biff(0x002F, &[0, 0, 0x34, 0x12, 0x78, 0x56]),
                biff(0x0042, &0xD7CCu16.to_le_bytes()),
            ],
            &[label(0, 0, "employeeID")],
            0,
        ),
        |_| {},
    );
    assert_eq!(read(&bytes).err(), Some(SheetError::PasswordProtected));
}

#[test]
fn an_xls_in_a_code_page_calamine_does_not_know_is_named() {
    // As SheetJS's quattro/write_57.xls (code page 0x8001).
    let bytes = compound_file(
        &workbook_stream(
            &[biff(0x0042, &0x8001u16.to_le_bytes())],
            &[label(0, 0, "employeeID")],
            0,
        ),
        |_| {},
    );
    let error = read(&bytes).err();
    assert_eq!(error, Some(SheetError::UnknownCodePage(0x8001)));
    let message = error
        .map(|error| error.message(Lang::Id))
        .unwrap_or_default();
    assert!(message.contains("code page 32769"), "{message}");
    // A code page calamine knows (Windows-1252) still reads.
    let bytes = compound_file(
        &workbook_stream(
            &[biff(0x0042, &1252u16.to_le_bytes())],
            &[dimensions((0, 1), (0, 1)), label(0, 0, "employeeID")],
            0,
        ),
        |_| {},
    );
    assert!(read(&bytes).is_ok());
}

#[test]
fn a_workbook_with_an_excel_4_macro_sheet_is_named() {
    // As POI's xlmmacro.xlsm and 64420.xlsm: calamine refuses a workbook
    // whose sheet relationship is an Excel 4.0 macro sheet.
    let bytes = rearranged(&employees(), |name, content| {
        if name == "xl/_rels/workbook.xml.rels" {
            let content = replace(
                content,
                "relationships/worksheet\" Target=\"worksheets/sheet1.xml\"",
                "relationships/xlMacrosheet\" Target=\"macrosheets/sheet1.xml\"",
            );
            return (name.to_owned(), content);
        }
        let name = name.replace("worksheets/", "macrosheets/");
        (name, content)
    });
    let error = read(&bytes).err();
    assert_eq!(error, Some(SheetError::MacroSheet));
    let message = error
        .map(|error| error.message(Lang::En))
        .unwrap_or_default();
    assert!(message.contains("Excel 4.0 macro sheet"), "{message}");
}
