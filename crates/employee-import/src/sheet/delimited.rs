//! Comma, semicolon or tab separated text, as spreadsheet programs save it.
//!
//! The delimiter is sniffed from the first lines; a UTF-8 byte order mark is
//! dropped; UTF-16 (Excel's "Unicode text") and Windows-1252 (Excel's CSV on
//! Windows) are decoded. Every value stays text, so `00123` keeps its zeros.

use super::{push_cell, CellValue, Limits, SheetError, SheetRow};

const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];

/// Decodes the bytes as text, or says they are not text at all.
pub(super) fn decode(bytes: &[u8]) -> Result<String, SheetError> {
    let text = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        String::from_utf8_lossy(rest).into_owned()
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        text.to_owned()
    } else {
        // Windows-1252 agrees with Latin-1 on every letter an Indonesian
        // name uses; the few punctuation differences do not matter here.
        bytes.iter().map(|&byte| byte as char).collect()
    };
    let sample: String = text.chars().take(8192).collect();
    let binary = sample
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    if binary > sample.len() / 100 {
        return Err(SheetError::NotASpreadsheet);
    }
    Ok(text)
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
        assert_eq!(decode(&bytes), Err(SheetError::NotASpreadsheet));
    }
}
