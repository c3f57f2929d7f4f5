//! Comma, semicolon or tab separated text, as spreadsheet programs save it.
//!
//! The encoding is decided from the bytes: UTF-8 (with or without its byte
//! order mark), UTF-16 little or big endian (Excel's "Unicode text"; with a
//! byte order mark, or without one when the NUL bytes of mostly-ASCII text
//! show the byte order), UTF-32 the same way (rare, but LibreOffice opens
//! it), and otherwise Windows-1252 (Excel's CSV on Windows),
//! whose 0x80-0x9F bytes are ’ – … € and not control characters. What decodes
//! to control characters under all of these is not text, and says so. The
//! delimiter is sniffed from the first lines. Every value stays text, so
//! `00123` keeps its zeros.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

use super::{push_cell, CellValue, Limits, SheetError, SheetRow};

const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];

/// How many bytes the byte order check, and characters the binary check,
/// look at.
const SAMPLE: usize = 8192;

/// Decodes the bytes as text, or says they are not text in an encoding we
/// know.
pub(super) fn decode(bytes: &[u8]) -> Result<String, SheetError> {
    let text = match utf32(bytes) {
        Some(text) => text,
        None => decode_8_or_16(bytes),
    };
    let sample: String = text.chars().take(SAMPLE).collect();
    let binary = sample
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    if binary > sample.len() / 100 {
        return Err(SheetError::NotText);
    }
    Ok(text)
}

fn decode_8_or_16(bytes: &[u8]) -> String {
    let (encoding, body) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        (UTF_8, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (UTF_16LE, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (UTF_16BE, rest)
    } else if let Some(encoding) = utf16_without_bom(bytes) {
        (encoding, bytes)
    } else if std::str::from_utf8(bytes).is_ok() {
        (UTF_8, bytes)
    } else {
        (WINDOWS_1252, bytes)
    };
    // The byte order mark, if any, is already gone: a second one at the
    // start of the text would be kept as the character it is.
    encoding.decode_without_bom_handling(body).0.into_owned()
}

/// UTF-32 text, little or big endian, told by its byte order mark or, for
/// mostly-ASCII text, by its three NUL bytes per character; decoded by
/// hand (encoding_rs has no UTF-32). An invalid code point becomes U+FFFD.
fn utf32(bytes: &[u8]) -> Option<String> {
    let (little, body) = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE\0\0") {
        (true, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\0\0\xFE\xFF") {
        (false, rest)
    } else {
        let quads = bytes[..bytes.len().min(SAMPLE)].chunks_exact(4);
        let units = quads.len();
        let (mut le, mut be) = (0usize, 0usize);
        for quad in quads {
            match quad {
                [x, 0, 0, 0] if *x != 0 => le += 1,
                [0, 0, 0, x] if *x != 0 => be += 1,
                _ => {}
            }
        }
        let says = |this: usize, other: usize| this > 0 && this * 2 >= units && other * 10 <= this;
        if says(le, be) {
            (true, bytes)
        } else if says(be, le) {
            (false, bytes)
        } else {
            return None;
        }
    };
    let text = body
        .chunks_exact(4)
        .map(|quad| {
            let quad = [quad[0], quad[1], quad[2], quad[3]];
            let unit = if little {
                u32::from_le_bytes(quad)
            } else {
                u32::from_be_bytes(quad)
            };
            char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER)
        })
        .collect();
    Some(text)
}

/// UTF-16 without a byte order mark, recognised by the NUL bytes of
/// mostly-ASCII text: in little endian every other byte from the second is
/// NUL, in big endian every other byte from the first. Text in any other
/// encoding has no NUL bytes at all.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let pairs = bytes[..bytes.len().min(SAMPLE)].chunks_exact(2);
    let units = pairs.len();
    let (mut little, mut big) = (0usize, 0usize);
    for pair in pairs {
        match (pair[0], pair[1]) {
            (0, 0) => {}
            (_, 0) => little += 1,
            (0, _) => big += 1,
            _ => {}
        }
    }
    // At least half the units are ASCII or Latin-1, and they say one byte
    // order, not the other. A UTF-16 file of mostly other scripts needs its
    // byte order mark, as Excel and Notepad write it.
    let says = |this: usize, other: usize| this > 0 && this * 2 >= units && other * 10 <= this;
    if says(little, big) {
        Some(UTF_16LE)
    } else if says(big, little) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// The delimiter that splits the first lines most consistently.
pub(super) fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .take(20)
        .collect();
    let count = |line: &str, delimiter: u8| {
        let mut quoted = false;
        line.bytes()
            .filter(|&byte| {
                if byte == b'"' {
                    quoted = !quoted;
                }
                !quoted && byte == delimiter
            })
            .count()
    };
    let score = |delimiter: u8| {
        // The most common non-zero count, and on how many lines it occurs.
        // Consistency beats frequency: "Jl. Sudirman, No. 5" in one cell
        // must not make the comma win over a steady semicolon, and a title
        // line above the table counts for nothing.
        let mut tally: Vec<(usize, usize)> = Vec::new();
        for line in &lines {
            let n = count(line, delimiter);
            if n == 0 {
                continue;
            }
            match tally.iter_mut().find(|(count, _)| *count == n) {
                Some((_, lines)) => *lines += 1,
                None => tally.push((n, 1)),
            }
        }
        tally
            .into_iter()
            .map(|(count, lines)| (lines, count))
            .max()
            .unwrap_or((0, 0))
    };
    let mut best = b',';
    let mut best_score = score(b',');
    for delimiter in CANDIDATES {
        let candidate = score(delimiter);
        if candidate > best_score {
            (best, best_score) = (delimiter, candidate);
        }
    }
    best
}

pub(super) fn read_rows(
    text: &str,
    delimiter: u8,
    limits: &Limits,
) -> Result<Vec<SheetRow>, SheetError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // A spreadsheet program shows one row per line, blank lines included,
    // but one row for a quoted value that spans lines: subtract those.
    let mut embedded_newlines = 0u64;
    for record in reader.records() {
        let record = record.map_err(|error| SheetError::Unreadable(error.to_string()))?;
        // The csv crate reports where it started looking, before the blank
        // lines it skipped; count those to find the record's own line.
        let (mut line, byte) = record.position().map_or((1, 0), |position| {
            (position.line(), position.byte() as usize)
        });
        let skipped = text.as_bytes()[byte.min(text.len())..]
            .iter()
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .filter(|&&b| b == b'\n')
            .count();
        line += skipped as u64;
        let row = (line - embedded_newlines).saturating_sub(1) as u32;
        embedded_newlines += record
            .iter()
            .map(|value| value.matches('\n').count() as u64)
            .sum::<u64>();
        for (column, value) in record.iter().enumerate() {
            if !value.trim().is_empty() {
                push_cell(
                    &mut rows,
                    row,
                    column as u32,
                    CellValue::Text(value.to_owned()),
                    "CSV",
                    limits,
                )?;
            }
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_the_one_that_splits_lines_consistently() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(
            sniff_delimiter("nama;alamat\nAni;\"Jl. Sudirman, No. 5\"\nBudi;Jl. Thamrin, 1\n"),
            b';'
        );
        assert_eq!(sniff_delimiter("a\tb\n1\t2\n"), b'\t');
        assert_eq!(
            sniff_delimiter("Daftar Karyawan\nNIK;Nama;Aktif\nK1;Ani;ya\n"),
            b';'
        );
        assert_eq!(sniff_delimiter("just one column\nno delimiters\n"), b',');
    }

    #[test]
    fn utf16_and_windows_1252_text_is_decoded() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("nama\tkota\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16).unwrap(), "nama\tkota\n");
        assert_eq!(decode(b"Jos\xe9,1\n").unwrap(), "José,1\n");
    }

    #[test]
    fn utf32_with_or_without_a_byte_order_mark_is_decoded() {
        let text = "nik;nama\nK1;Añi 😀\n";
        let little: Vec<u8> = text
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        let big: Vec<u8> = text
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        let with_bom = |bom: &[u8], body: &[u8]| [bom, body].concat();
        assert_eq!(decode(&little).unwrap(), text);
        assert_eq!(decode(&big).unwrap(), text);
        assert_eq!(decode(&with_bom(b"\xFF\xFE\0\0", &little)).unwrap(), text);
        assert_eq!(decode(&with_bom(b"\0\0\xFE\xFF", &big)).unwrap(), text);
        // UTF-16 with its byte order mark is not taken for UTF-32.
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16).unwrap(), text);
    }

    #[test]
    fn utf16_without_a_byte_order_mark_is_told_by_its_nul_bytes() {
        let text = "nik;nama\nK1;Ani\n";
        let little: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let big: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(utf16_without_bom(&little), Some(UTF_16LE));
        assert_eq!(utf16_without_bom(&big), Some(UTF_16BE));
        assert_eq!(utf16_without_bom(text.as_bytes()), None);
        assert_eq!(utf16_without_bom(b""), None);
        assert_eq!(utf16_without_bom(b"\0\0\0\0"), None);
        // NUL bytes on both sides are not text of either byte order.
        assert_eq!(utf16_without_bom(b"a\0\0ba\0\0b"), None);
    }

    #[test]
    fn row_numbers_match_the_lines_a_spreadsheet_shows() {
        let rows = read_rows(
            "a,b\n\n\"two\nlines\",x\nlast,y\n",
            b',',
            &Limits::default(),
        )
        .unwrap();
        let numbers: Vec<u32> = rows.iter().map(|row| row.number).collect();
        assert_eq!(numbers, [1, 3, 4]);
    }

    #[test]
    fn binary_bytes_are_not_mistaken_for_csv() {
        let bytes: Vec<u8> = (0u8..=255).cycle().take(4000).collect();
        assert_eq!(decode(&bytes), Err(SheetError::NotText));
    }
}
