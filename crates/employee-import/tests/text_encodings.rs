//! CSV and tab-separated text in every encoding a spreadsheet program saves
//! it in reads as the same values: UTF-8 with or without a byte order mark,
//! UTF-16 little or big endian with or without one, and Windows-1252 (Excel's
//! "CSV (Comma delimited)" on Windows), whose ’ – … € are not Latin-1 control
//! characters. Anything else is refused with a message that says what to do.

use employee_import::{
    read_workbook, CellValue, Format, Import, ImportError, Lang, Limits, SheetError, Workbook,
};

/// The text as Excel's Windows-1252 CSV stores it, built by hand so the
/// test does not rely on the decoder's own tables.
fn cp1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '–' => 0x96,
            '—' => 0x97,
            'Ö' => 0xD6,
            'é' => 0xE9,
            'ö' => 0xF6,
            c if c.is_ascii() => c as u8,
            c => panic!("{c} is not in the test's Windows-1252 table"),
        })
        .collect()
}

fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let bom = if bom { &[0xFF, 0xFE][..] } else { &[][..] };
    bom.iter()
        .copied()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect()
}

fn utf16be(text: &str, bom: bool) -> Vec<u8> {
    let bom = if bom { &[0xFE, 0xFF][..] } else { &[][..] };
    bom.iter()
        .copied()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect()
}

fn read(bytes: &[u8]) -> Result<Workbook, SheetError> {
    read_workbook(bytes, None, &Limits::default())
}

/// Every row's cell texts, with the row number a spreadsheet shows.
fn cells(workbook: &Workbook) -> Vec<(u32, Vec<String>)> {
    workbook
        .sheet
        .rows
        .iter()
        .map(|row| {
            (
                row.number,
                row.cells.iter().map(CellValue::to_text).collect(),
            )
        })
        .collect()
}

/// A table such as Excel saves it, with a title line above the header and
/// the punctuation Windows-1252 puts in 0x80–0x9F.
const STAFF: &str = "Daftar Karyawan – Jakarta\r\n\
employeeID;name;address;note\r\n\
E1;Siobhan O’Brien;Jl. Sudirman No. 5 – Blok A;Tunjangan € 50\r\n\
E2;José Ramos;Jl. Thamrin 1;“Cuti” — mulai Senin…\r\n\
E3;Ani Wijaya;Jl. Gatot Subroto 12;‘Kontrak’ diperpanjang\r\n\
E4;Björn Öberg;Jl. Kuningan 7;–\r\n";

fn staff_rows() -> Vec<(u32, Vec<String>)> {
    let row = |number: u32, cells: &[&str]| {
        (
            number,
            cells.iter().map(|cell| (*cell).to_owned()).collect(),
        )
    };
    vec![
        row(1, &["Daftar Karyawan – Jakarta"]),
        row(2, &["employeeID", "name", "address", "note"]),
        row(
            3,
            &[
                "E1",
                "Siobhan O’Brien",
                "Jl. Sudirman No. 5 – Blok A",
                "Tunjangan € 50",
            ],
        ),
        row(
            4,
            &["E2", "José Ramos", "Jl. Thamrin 1", "“Cuti” — mulai Senin…"],
        ),
        row(
            5,
            &[
                "E3",
                "Ani Wijaya",
                "Jl. Gatot Subroto 12",
                "‘Kontrak’ diperpanjang",
            ],
        ),
        row(6, &["E4", "Björn Öberg", "Jl. Kuningan 7", "–"]),
    ]
}

#[test]
fn a_short_windows_1252_csv_with_one_typographic_apostrophe_reads_o_brien() {
    // One ’ (0x92) in a file this short was once decoded as the control
    // character U+0092 and the whole file refused as "not a spreadsheet".
    let bytes = cp1252("employeeID,name\r\nE1,O’Brien\r\n");
    assert_eq!(bytes.iter().filter(|&&b| b >= 0x80).count(), 1);
    let import = Import::from_bytes(&bytes).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(import.format, Format::Delimited { delimiter: b',' });
    assert_eq!(
        import.sheet.rows[1].cells[1],
        CellValue::Text("O’Brien".into())
    );
}

#[test]
fn a_long_windows_1252_csv_stores_o_brien_with_its_apostrophe_not_a_control_character() {
    // In a file long enough for one stray character to pass the binary
    // check, Latin-1 decoding once stored "O\u{92}Brien" without a word.
    let mut text = String::from("employeeID,name,email\r\n");
    for n in 1..=60 {
        text.push_str(&format!("E{n},Karyawan {n},k{n}@example.com\r\n"));
    }
    text.push_str("E61,Siobhan O’Brien,sob@example.com\r\n");
    let import = Import::from_bytes(&cp1252(&text)).unwrap_or_else(|error| panic!("{error}"));
    let last = import.sheet.rows.last().unwrap();
    assert_eq!(last.number, 62);
    assert_eq!(last.cells[1], CellValue::Text("Siobhan O’Brien".into()));
}

#[test]
fn a_longer_windows_1252_file_reads_its_dashes_ellipses_quotes_and_euro_signs() {
    let bytes = cp1252(STAFF);
    let workbook = read(&bytes).unwrap();
    assert_eq!(workbook.format, Format::Delimited { delimiter: b';' });
    assert_eq!(cells(&workbook), staff_rows());
}

#[test]
fn utf16_little_endian_reads_with_and_without_a_byte_order_mark() {
    for bom in [true, false] {
        let workbook =
            read(&utf16le(STAFF, bom)).unwrap_or_else(|error| panic!("bom {bom}: {error}"));
        assert_eq!(
            workbook.format,
            Format::Delimited { delimiter: b';' },
            "bom {bom}"
        );
        assert_eq!(cells(&workbook), staff_rows(), "bom {bom}");
    }
}

#[test]
fn utf16_big_endian_reads_with_and_without_a_byte_order_mark() {
    for bom in [true, false] {
        let workbook =
            read(&utf16be(STAFF, bom)).unwrap_or_else(|error| panic!("bom {bom}: {error}"));
        assert_eq!(
            workbook.format,
            Format::Delimited { delimiter: b';' },
            "bom {bom}"
        );
        assert_eq!(cells(&workbook), staff_rows(), "bom {bom}");
    }
}

#[test]
fn excel_unicode_text_without_a_byte_order_mark_reads_as_a_tab_separated_import() {
    // Excel's "Unicode Text" is tab-separated UTF-16; some exporters leave
    // the byte order mark out.
    let text =
        "employeeID\tname\temail\r\nE1\tO’Brien\tob@example.com\r\nE2\tAni\tani@example.com\r\n";
    for bytes in [utf16le(text, false), utf16be(text, false)] {
        let import = Import::from_bytes(&bytes).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(import.format, Format::Delimited { delimiter: b'\t' });
        assert_eq!(import.sheet.rows.len(), 3);
        assert_eq!(
            import.sheet.rows[1].cells[1],
            CellValue::Text("O’Brien".into())
        );
    }
}

#[test]
fn utf8_with_a_byte_order_mark_reads_unchanged_and_like_its_windows_1252_twin() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(STAFF.as_bytes());
    let utf8 = read(&bytes).unwrap();
    assert_eq!(utf8.format, Format::Delimited { delimiter: b';' });
    assert_eq!(cells(&utf8), staff_rows());
    // The byte order mark is not part of the first cell.
    assert_eq!(
        utf8.sheet.rows[0].cells[0],
        CellValue::Text("Daftar Karyawan – Jakarta".into())
    );
    // The same table saved as "CSV UTF-8" and as "CSV (Comma delimited)"
    // is the same table.
    assert_eq!(utf8, read(&cp1252(STAFF)).unwrap());
    assert_eq!(read(STAFF.as_bytes()).unwrap(), utf8);
}

#[test]
fn a_binary_blob_is_refused_saying_it_is_no_known_text_and_what_to_do_in_both_languages() {
    // An executable-like header, NUL bytes in no UTF-16 pattern, then noise.
    let mut blob = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0\x3e\0\x01\0\0\0".to_vec();
    let mut state = 0x2545_f491_u32;
    blob.extend((0..4096).map(|_| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state >> 24) as u8
    }));
    assert_eq!(read(&blob), Err(SheetError::NotText));

    let error = Import::from_bytes(&blob).unwrap_err();
    assert_eq!(error, ImportError::Sheet(SheetError::NotText));
    let english = error.message(Lang::En);
    assert_eq!(english, error.to_string());
    assert!(english.contains("not a spreadsheet"), "{english}");
    assert!(english.contains("text table (CSV)"), "{english}");
    assert!(
        english.contains("UTF-8, UTF-16, UTF-32 or Windows-1252"),
        "{english}"
    );
    assert!(english.contains("save it as \"CSV UTF-8\""), "{english}");
    let indonesian = error.message(Lang::Id);
    assert!(indonesian.contains("bukan spreadsheet"), "{indonesian}");
    assert!(indonesian.contains("tabel teks (CSV)"), "{indonesian}");
    assert!(
        indonesian.contains("simpan sebagai \"CSV UTF-8\""),
        "{indonesian}"
    );
}

#[test]
fn utf32_text_is_read_as_libreoffice_reads_it() {
    // UTF-32, little endian, with its byte order mark: mostly NUL bytes
    // that no UTF-16 reading turns into text.
    let utf32: Vec<u8> = [0xFF, 0xFE, 0, 0]
        .into_iter()
        .chain(
            "employeeID,name\r\nE1,Añi\r\n"
                .chars()
                .flat_map(|c| (c as u32).to_le_bytes()),
        )
        .collect();
    let sheet = read(&utf32).unwrap().sheet;
    assert_eq!(sheet.rows.len(), 2);
    assert_eq!(sheet.rows[1].cells[1], CellValue::Text("Añi".into()));
}
