//! Web pages saved under a spreadsheet's name.
//!
//! Many HR systems "export to Excel" by writing an HTML table into a file
//! called `employees.xls`, and Excel's own "Web Page" save is one too.
//! Excel opens such a file as a sheet; so does the importer: every `<table>`
//! of the page that holds data is a sheet ("Table 1", "Table 2", … by its
//! place among the page's tables, or its `<caption>`), every `<tr>` a row
//! and every `<td>`/`<th>` a cell.
//!
//! The scanner is small and tolerant the way browsers are: tag names in any
//! case, attributes with or without quotes, `</td>` and `</tr>` left out,
//! comments, `<!DOCTYPE>`, Excel's `<![if …]>` and the contents of
//! `<script>`, `<style>` and `<title>` skipped. Inside a cell, tags are
//! dropped (`<b>An</b>i` is "Ani"), `<br>` and block tags separate words,
//! character references are decoded and whitespace is collapsed. `colspan`
//! leaves empty cells after its cell and `rowspan` empty cells below it, as
//! a merged cell does in a workbook, so the columns to the right stay where
//! the page shows them. A nested table is a sheet of its own, not text in
//! the cell around it.
//!
//! Values stay text, as typed: `00123` keeps its zeros. The one exception
//! is Excel's `x:num="…"`, the full number behind a display such as
//! `6.28112E+12`: the digits, not the rounded display, are the value, as
//! they are when the same workbook is read as .xlsx.
//!
//! The page is scanned once; only the tables still in progress and the
//! ones the pick may return are held, each within the row and column
//! limits.

use std::collections::HashSet;

use super::{
    push_cell, CellValue, Format, Limits, Pick, Sheet, SheetError, SheetInfo, SheetRow, Workbook,
};

/// How much of the text the sniffer looks at.
const SNIFF: usize = 4096;
/// Tables nested deeper than this are read as part of the table around
/// them, which bounds what is held while scanning.
const MAX_DEPTH: usize = 32;
/// Tables with data beyond this many are neither listed nor read: no page
/// made for people has so many, and the sheet list stays small for one
/// that does.
const MAX_TABLES: usize = 1_000;
/// The HTML standard's caps on `colspan` and `rowspan`.
const MAX_COLSPAN: u32 = 1_000;
const MAX_ROWSPAN: u32 = 65_534;
/// A caption longer than this is cut for the sheet's name.
const MAX_NAME_CHARS: usize = 100;

/// Whether the text is an HTML page or fragment: it starts with a tag, and
/// an `<html>` or `<table>` tag or an HTML doctype comes early.
pub(super) fn sniff(text: &str) -> bool {
    let start = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    if !start.starts_with('<') {
        return false;
    }
    let head = start.as_bytes()[..start.len().min(SNIFF)].to_ascii_lowercase();
    [&b"<html"[..], b"<table", b"<!doctype html"]
        .iter()
        .any(|needle| find(&head, needle, 0).is_some())
}

/// Reads the picked table and lists every table that holds data.
pub(super) fn read(text: &str, pick: Pick<'_>, limits: &Limits) -> Result<Workbook, SheetError> {
    let mut builder = Builder::new(pick, limits);
    scan(text, &mut builder);
    builder.finish()
}

// ---------------------------------------------------------------------------
// Tags and text

/// Walks the text and hands text runs and tags to the builder.
fn scan(text: &str, builder: &mut Builder<'_>) {
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let lt = memchr(b'<', bytes, pos).unwrap_or(bytes.len());
        if lt > pos {
            builder.text(&text[pos..lt]);
        }
        pos = lt;
        if pos >= bytes.len() {
            break;
        }
        let next = bytes.get(pos + 1).copied();
        if bytes[pos..].starts_with(b"<!--") {
            // A comment, which may hide a whole table; unclosed, it runs to
            // the end, as in a browser.
            pos = find(bytes, b"-->", pos + 4).map_or(bytes.len(), |end| end + 3);
        } else if matches!(next, Some(b'!' | b'?')) {
            // <!DOCTYPE …>, <![if …]>, <![endif]>, <?xml …?>: skipped.
            pos = memchr(b'>', bytes, pos).map_or(bytes.len(), |end| end + 1);
        } else if next == Some(b'/') {
            let name_start = pos + 2;
            let name_end = tag_name_end(bytes, name_start);
            if bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
                builder.end_tag(&bytes[name_start..name_end].to_ascii_lowercase());
            }
            // `</>` and `</ …>` are dropped, as browsers drop them.
            pos = memchr(b'>', bytes, name_end).map_or(bytes.len(), |end| end + 1);
        } else if next.is_some_and(|b| b.is_ascii_alphabetic()) {
            let name_start = pos + 1;
            let name_end = tag_name_end(bytes, name_start);
            let name = bytes[name_start..name_end].to_ascii_lowercase();
            let (attributes, end) = attributes(text, name_end);
            pos = end;
            if matches!(name.as_slice(), b"script" | b"style" | b"title") {
                // Raw text: nothing in it is a tag or a value.
                pos = find_end_tag(bytes, &name, pos).unwrap_or(bytes.len());
                continue;
            }
            builder.start_tag(&name, &attributes);
        } else {
            // A '<' that starts no tag is text.
            builder.text("<");
            pos += 1;
        }
    }
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0C')
}

fn tag_name_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < bytes.len() && !is_space(bytes[end]) && !matches!(bytes[end], b'/' | b'>') {
        end += 1;
    }
    end
}

/// The attributes of a start tag from `pos` (just after its name), names
/// in lower case and values decoded, and the position after the tag's `>`.
/// Quoted values may hold `>`.
fn attributes(text: &str, mut pos: usize) -> (Vec<(String, String)>, usize) {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    loop {
        while pos < bytes.len() && (is_space(bytes[pos]) || bytes[pos] == b'/') {
            pos += 1;
        }
        match bytes.get(pos) {
            None => return (found, pos),
            Some(b'>') => return (found, pos + 1),
            Some(_) => {}
        }
        let name_start = pos;
        // A first '=' belongs to the name, as in a browser.
        pos += 1;
        while pos < bytes.len()
            && !is_space(bytes[pos])
            && !matches!(bytes[pos], b'/' | b'>' | b'=')
        {
            pos += 1;
        }
        let name = text[name_start..pos].to_ascii_lowercase();
        let mut after = pos;
        while after < bytes.len() && is_space(bytes[after]) {
            after += 1;
        }
        if bytes.get(after) != Some(&b'=') {
            found.push((name, String::new()));
            continue;
        }
        pos = after + 1;
        while pos < bytes.len() && is_space(bytes[pos]) {
            pos += 1;
        }
        let value = match bytes.get(pos) {
            Some(&quote @ (b'"' | b'\'')) => {
                let start = pos + 1;
                let end = memchr(quote, bytes, start).unwrap_or(bytes.len());
                pos = (end + 1).min(bytes.len());
                &text[start..end]
            }
            _ => {
                let start = pos;
                while pos < bytes.len() && !is_space(bytes[pos]) && bytes[pos] != b'>' {
                    pos += 1;
                }
                &text[start..pos]
            }
        };
        let mut decoded = String::new();
        decode_references(value, &mut decoded);
        found.push((name, decoded));
    }
}

/// The position of `</name` (any case) from `from`.
fn find_end_tag(bytes: &[u8], name: &[u8], from: usize) -> Option<usize> {
    let mut pos = from;
    while let Some(lt) = find(bytes, b"</", pos) {
        let candidate = &bytes[lt + 2..];
        if candidate.len() >= name.len() && candidate[..name.len()].eq_ignore_ascii_case(name) {
            let after = candidate.get(name.len()).copied();
            if after.is_none_or(|b| is_space(b) || b == b'>' || b == b'/') {
                return Some(lt);
            }
        }
        pos = lt + 2;
    }
    None
}

fn memchr(needle: u8, haystack: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .iter()
        .position(|&b| b == needle)
        .map(|at| from + at)
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| from + at)
}

/// Tags that break the line inside a cell: the words on either side must
/// not run together.
fn separates_words(name: &[u8]) -> bool {
    matches!(
        name,
        b"br"
            | b"p"
            | b"div"
            | b"li"
            | b"ul"
            | b"ol"
            | b"dl"
            | b"dt"
            | b"dd"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"hr"
            | b"pre"
            | b"blockquote"
            | b"address"
            | b"center"
    )
}

// ---------------------------------------------------------------------------
// Tables

struct Cell {
    column: u32,
    text: String,
    /// Excel's `x:num="…"`: the number behind the display.
    number: Option<String>,
}

/// A table being read.
struct Table {
    /// Its place among all the page's tables, from 1.
    number: usize,
    caption: Option<String>,
    in_caption: bool,
    rows: Vec<SheetRow>,
    /// The first limit the table broke; nothing more is kept after it.
    error: Option<SheetError>,
    has_data: bool,
    /// The 0-based row being read, and the next one a `<tr>` starts.
    row: u32,
    next_row: u32,
    in_row: bool,
    column: u32,
    cell: Option<Cell>,
    /// For each column, the first row a `rowspan` above no longer covers.
    covered_until: Vec<u32>,
}

impl Table {
    fn new(number: usize) -> Self {
        Table {
            number,
            caption: None,
            in_caption: false,
            rows: Vec::new(),
            error: None,
            has_data: false,
            row: 0,
            next_row: 0,
            in_row: false,
            column: 0,
            cell: None,
            covered_until: Vec::new(),
        }
    }

    /// Its name: its caption, or its place on the page.
    fn name(&self) -> String {
        let caption = self.caption.as_deref().map(collapse).unwrap_or_default();
        if caption.is_empty() {
            format!("Table {}", self.number)
        } else {
            caption.chars().take(MAX_NAME_CHARS).collect()
        }
    }

    fn start_row(&mut self, limits: &Limits) {
        self.finish_cell(limits);
        self.in_caption = false;
        self.row = self.next_row;
        self.next_row = self.next_row.saturating_add(1);
        self.in_row = true;
        self.column = 0;
    }

    fn end_row(&mut self, limits: &Limits) {
        self.finish_cell(limits);
        self.in_row = false;
    }

    fn start_cell(&mut self, attributes: &[(String, String)], limits: &Limits) {
        self.finish_cell(limits);
        self.in_caption = false;
        if !self.in_row {
            // A cell outside any row starts one, as in a browser.
            self.start_row(limits);
        }
        let attribute = |wanted: &str| {
            attributes
                .iter()
                .find(|(name, _)| name == wanted)
                .map(|(_, value)| value.as_str())
        };
        let span = |wanted: &str, max: u32| {
            attribute(wanted).map_or(1, |value| parse_span(value).clamp(1, max))
        };
        let colspan = span("colspan", MAX_COLSPAN);
        let rowspan = span("rowspan", MAX_ROWSPAN);
        while self
            .covered_until
            .get(self.column as usize)
            .is_some_and(|&until| until > self.row)
        {
            self.column += 1;
        }
        let column = self.column;
        if rowspan > 1 {
            // Only columns a value may take need remembering: past the
            // limit every value is refused, whatever its exact column.
            let last = column.saturating_add(colspan).min(limits.max_columns);
            for covered in column..last {
                let covered = covered as usize;
                if self.covered_until.len() <= covered {
                    self.covered_until.resize(covered + 1, 0);
                }
                self.covered_until[covered] = self.row.saturating_add(rowspan);
            }
        }
        self.column = column.saturating_add(colspan);
        let number = attribute("x:num")
            .map(str::trim)
            .filter(|value| value.parse::<f64>().is_ok_and(f64::is_finite))
            .map(str::to_owned);
        self.cell = Some(Cell {
            column,
            text: String::new(),
            number,
        });
    }

    fn finish_cell(&mut self, limits: &Limits) {
        let Some(cell) = self.cell.take() else {
            return;
        };
        let value = cell.number.unwrap_or_else(|| collapse(&cell.text));
        if value.is_empty() {
            return;
        }
        self.has_data = true;
        if self.error.is_some() {
            return;
        }
        let value = CellValue::Text(value);
        // The sheet's name is only known when the table ends (a caption
        // may come late, a duplicate gets a number): `close` names the
        // error.
        if let Err(error) = push_cell(&mut self.rows, self.row, cell.column, value, "", limits) {
            self.error = Some(error);
            self.rows = Vec::new();
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(cell) = &mut self.cell {
            decode_references(text, &mut cell.text);
        } else if self.in_caption {
            let caption = self.caption.get_or_insert_with(String::new);
            // Enough for a name: a caption left open must not grow with
            // the rest of the page.
            if caption.len() < 4 * MAX_NAME_CHARS {
                decode_references(text, caption);
                let mut end = caption.len().min(4 * MAX_NAME_CHARS);
                while !caption.is_char_boundary(end) {
                    end -= 1;
                }
                caption.truncate(end);
            }
        }
        // Other text of a table is in no cell: a browser shows it above
        // the table.
    }

    fn space(&mut self) {
        if let Some(cell) = &mut self.cell {
            cell.text.push(' ');
        } else if let (true, Some(caption)) = (self.in_caption, &mut self.caption) {
            caption.push(' ');
        }
    }
}

/// A finished table with data the pick may return.
struct Candidate {
    number: usize,
    sheet: Result<Sheet, SheetError>,
    preferred: bool,
}

struct Builder<'a> {
    pick: Pick<'a>,
    limits: &'a Limits,
    open: Vec<Table>,
    /// `<table>` tags past `MAX_DEPTH`, read as part of the table around.
    ignored: usize,
    tables_seen: usize,
    /// Tables with data: their place on the page and their name.
    listed: Vec<(usize, String)>,
    names: HashSet<String>,
    /// The named table; or the first table with data and the first one
    /// the pick prefers (at most one of each is kept).
    candidates: Vec<Candidate>,
}

impl<'a> Builder<'a> {
    fn new(pick: Pick<'a>, limits: &'a Limits) -> Self {
        Builder {
            pick,
            limits,
            open: Vec::new(),
            ignored: 0,
            tables_seen: 0,
            listed: Vec::new(),
            names: HashSet::new(),
            candidates: Vec::new(),
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(table) = self.open.last_mut() {
            table.text(text);
        }
    }

    fn start_tag(&mut self, name: &[u8], attributes: &[(String, String)]) {
        let limits = self.limits;
        if name == b"table" {
            if let Some(outer) = self.open.last_mut() {
                // A table inside a cell stands apart from the cell's words.
                outer.space();
            }
            if self.open.len() >= MAX_DEPTH {
                self.ignored += 1;
            } else {
                self.tables_seen += 1;
                self.open.push(Table::new(self.tables_seen));
            }
            return;
        }
        let Some(table) = self.open.last_mut() else {
            return;
        };
        match name {
            b"tr" => table.start_row(limits),
            b"td" | b"th" => table.start_cell(attributes, limits),
            b"thead" | b"tbody" | b"tfoot" => {
                table.in_caption = false;
                table.end_row(limits);
            }
            b"caption" if table.cell.is_none() => {
                table.end_row(limits);
                table.in_caption = true;
            }
            _ if separates_words(name) => table.space(),
            _ => {}
        }
    }

    fn end_tag(&mut self, name: &[u8]) {
        let limits = self.limits;
        if name == b"table" {
            if self.ignored > 0 {
                self.ignored -= 1;
            } else if let Some(table) = self.open.pop() {
                self.close(table);
            }
            if let Some(outer) = self.open.last_mut() {
                outer.space();
            }
            return;
        }
        let Some(table) = self.open.last_mut() else {
            return;
        };
        match name {
            b"td" | b"th" => table.finish_cell(limits),
            b"tr" | b"thead" | b"tbody" | b"tfoot" => table.end_row(limits),
            b"caption" => table.in_caption = false,
            _ if separates_words(name) => table.space(),
            _ => {}
        }
    }

    fn close(&mut self, mut table: Table) {
        table.finish_cell(self.limits);
        if !table.has_data || self.listed.len() >= MAX_TABLES {
            return;
        }
        let base = table.name();
        let mut name = base.clone();
        let mut n = 2;
        while self.names.contains(&name) {
            name = format!("{base} ({n})");
            n += 1;
        }
        self.names.insert(name.clone());
        self.listed.push((table.number, name.clone()));
        let named_here = matches!(self.pick, Pick::Named(wanted) if wanted == name);
        let sheet = match table.error.take() {
            Some(error) => Err(named(error, &name)),
            None => Ok(Sheet {
                name,
                rows: std::mem::take(&mut table.rows),
            }),
        };
        match self.pick {
            Pick::Named(_) => {
                if named_here {
                    self.candidates.push(Candidate {
                        number: table.number,
                        sheet,
                        preferred: true,
                    });
                }
            }
            Pick::FirstWithData(prefer) => {
                let preferred = match (&sheet, prefer) {
                    (Err(_), _) => false,
                    (Ok(sheet), Some(prefer)) => prefer(sheet),
                    (Ok(_), None) => true,
                };
                self.candidates.push(Candidate {
                    number: table.number,
                    sheet,
                    preferred,
                });
                // Keep the first table with data and the first preferred
                // one: an outer table finishes after the tables inside it
                // but comes first.
                let first = self.candidates.iter().map(|c| c.number).min();
                let first_preferred = self
                    .candidates
                    .iter()
                    .filter(|c| c.preferred)
                    .map(|c| c.number)
                    .min();
                self.candidates
                    .retain(|c| Some(c.number) == first || Some(c.number) == first_preferred);
            }
        }
    }

    /// The picked table, and the list of tables with data.
    fn finish(mut self) -> Result<Workbook, SheetError> {
        // Tables the page never closed end with it.
        while let Some(table) = self.open.pop() {
            self.close(table);
        }
        if self.listed.is_empty() {
            return Err(SheetError::WebPageWithoutTable);
        }
        self.listed.sort_by_key(|(number, _)| *number);
        let sheets = self
            .listed
            .into_iter()
            .map(|(_, name)| SheetInfo {
                name,
                hidden: false,
            })
            .collect();
        self.candidates.sort_by_key(|c| c.number);
        let mut candidates = self.candidates.into_iter();
        let sheet = match self.pick {
            Pick::Named(wanted) => match candidates.next() {
                Some(candidate) => candidate.sheet?,
                None => return Err(SheetError::NoSuchSheet(wanted.to_owned())),
            },
            Pick::FirstWithData(_) => {
                // As for a workbook's sheets: the first table with data,
                // or its error, unless a later one is preferred.
                let Some(first) = candidates.next() else {
                    return Err(SheetError::WebPageWithoutTable);
                };
                let preferred = first.preferred;
                let first = first.sheet?;
                match candidates.find(|c| c.preferred) {
                    Some(later) if !preferred => later.sheet?,
                    _ => first,
                }
            }
        };
        Ok(Workbook {
            format: Format::Html,
            sheets,
            sheet,
        })
    }
}

/// A table's limit error, under the table's final name.
fn named(error: SheetError, name: &str) -> SheetError {
    match error {
        SheetError::TooManyRows { row, limit, .. } => SheetError::TooManyRows {
            sheet: name.to_owned(),
            row,
            limit,
        },
        SheetError::TooManyColumns { column, limit, .. } => SheetError::TooManyColumns {
            sheet: name.to_owned(),
            column,
            limit,
        },
        other => other,
    }
}

/// HTML's rule for a non-negative integer: leading spaces, then digits;
/// anything after is ignored ("2px" is 2). Nothing readable is 1.
fn parse_span(value: &str) -> u32 {
    let digits: String = value
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .take(7)
        .collect();
    digits.parse().unwrap_or(1)
}

/// Whitespace runs (non-breaking spaces included) become one space;
/// leading and trailing ones go.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

// ---------------------------------------------------------------------------
// Character references

/// Appends `text` to `out` with its character references decoded: named
/// ones (`&amp;`, `&eacute;`, `&rsquo;`, …), decimal `&#233;` and
/// hexadecimal `&#xE9;`. An unknown name stays as written, as in a browser.
fn decode_references(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match reference(after) {
            Some((decoded, used)) => {
                out.push(decoded);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// The character a reference stands for (`text` starts after its '&'),
/// and how many bytes of `text` it took.
fn reference(text: &str) -> Option<(char, usize)> {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b'#') {
        let (radix, start) = match bytes.get(1) {
            Some(b'x' | b'X') => (16, 2),
            _ => (10, 1),
        };
        let digits = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || (radix == 16 && b.is_ascii_hexdigit()))
            .count();
        if digits == 0 {
            return None;
        }
        let end = start + digits;
        let significant = text[start..end].trim_start_matches('0');
        let code = if significant.len() > 8 {
            u32::MAX
        } else {
            u32::from_str_radix(significant, radix).unwrap_or(0)
        };
        let used = end + usize::from(bytes.get(end) == Some(&b';'));
        return Some((numeric_character(code), used));
    }
    let length = bytes
        .iter()
        .take(MAX_ENTITY_NAME + 1)
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let name = &text[..length];
    if bytes.get(length) == Some(&b';') {
        let decoded = ENTITIES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, c)| *c)?;
        return Some((decoded, length + 1));
    }
    // Old pages leave the ';' off the commonest ones.
    let decoded = match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "nbsp" => '\u{A0}',
        _ => return None,
    };
    Some((decoded, length))
}

/// A numeric reference's character, with the HTML standard's repairs:
/// 0x80–0x9F stand for the Windows-1252 characters (’ – …) that pages
/// written on Windows put there, and what is no character is U+FFFD.
fn numeric_character(code: u32) -> char {
    match code {
        0 => '\u{FFFD}',
        0x80..=0x9F => {
            let byte = [code as u8];
            let (decoded, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte);
            decoded.chars().next().unwrap_or('\u{FFFD}')
        }
        _ => char::from_u32(code).unwrap_or('\u{FFFD}'),
    }
}

const MAX_ENTITY_NAME: usize = 8;

/// The named references of HTML 4 that a spreadsheet's text uses: XML's
/// five, Latin-1 (U+00A0–U+00FF, in order) and typographic punctuation.
const ENTITIES: &[(&str, char)] = &[
    ("amp", '&'),
    ("AMP", '&'),
    ("lt", '<'),
    ("LT", '<'),
    ("gt", '>'),
    ("GT", '>'),
    ("quot", '"'),
    ("QUOT", '"'),
    ("apos", '\''),
    ("nbsp", '\u{A0}'),
    ("iexcl", '¡'),
    ("cent", '¢'),
    ("pound", '£'),
    ("curren", '¤'),
    ("yen", '¥'),
    ("brvbar", '¦'),
    ("sect", '§'),
    ("uml", '¨'),
    ("copy", '©'),
    ("ordf", 'ª'),
    ("laquo", '«'),
    ("not", '¬'),
    ("shy", '\u{AD}'),
    ("reg", '®'),
    ("macr", '¯'),
    ("deg", '°'),
    ("plusmn", '±'),
    ("sup2", '²'),
    ("sup3", '³'),
    ("acute", '´'),
    ("micro", 'µ'),
    ("para", '¶'),
    ("middot", '·'),
    ("cedil", '¸'),
    ("sup1", '¹'),
    ("ordm", 'º'),
    ("raquo", '»'),
    ("frac14", '¼'),
    ("frac12", '½'),
    ("frac34", '¾'),
    ("iquest", '¿'),
    ("Agrave", 'À'),
    ("Aacute", 'Á'),
    ("Acirc", 'Â'),
    ("Atilde", 'Ã'),
    ("Auml", 'Ä'),
    ("Aring", 'Å'),
    ("AElig", 'Æ'),
    ("Ccedil", 'Ç'),
    ("Egrave", 'È'),
    ("Eacute", 'É'),
    ("Ecirc", 'Ê'),
    ("Euml", 'Ë'),
    ("Igrave", 'Ì'),
    ("Iacute", 'Í'),
    ("Icirc", 'Î'),
    ("Iuml", 'Ï'),
    ("ETH", 'Ð'),
    ("Ntilde", 'Ñ'),
    ("Ograve", 'Ò'),
    ("Oacute", 'Ó'),
    ("Ocirc", 'Ô'),
    ("Otilde", 'Õ'),
    ("Ouml", 'Ö'),
    ("times", '×'),
    ("Oslash", 'Ø'),
    ("Ugrave", 'Ù'),
    ("Uacute", 'Ú'),
    ("Ucirc", 'Û'),
    ("Uuml", 'Ü'),
    ("Yacute", 'Ý'),
    ("THORN", 'Þ'),
    ("szlig", 'ß'),
    ("agrave", 'à'),
    ("aacute", 'á'),
    ("acirc", 'â'),
    ("atilde", 'ã'),
    ("auml", 'ä'),
    ("aring", 'å'),
    ("aelig", 'æ'),
    ("ccedil", 'ç'),
    ("egrave", 'è'),
    ("eacute", 'é'),
    ("ecirc", 'ê'),
    ("euml", 'ë'),
    ("igrave", 'ì'),
    ("iacute", 'í'),
    ("icirc", 'î'),
    ("iuml", 'ï'),
    ("eth", 'ð'),
    ("ntilde", 'ñ'),
    ("ograve", 'ò'),
    ("oacute", 'ó'),
    ("ocirc", 'ô'),
    ("otilde", 'õ'),
    ("ouml", 'ö'),
    ("divide", '÷'),
    ("oslash", 'ø'),
    ("ugrave", 'ù'),
    ("uacute", 'ú'),
    ("ucirc", 'û'),
    ("uuml", 'ü'),
    ("yacute", 'ý'),
    ("thorn", 'þ'),
    ("yuml", 'ÿ'),
    ("OElig", 'Œ'),
    ("oelig", 'œ'),
    ("Scaron", 'Š'),
    ("scaron", 'š'),
    ("Yuml", 'Ÿ'),
    ("fnof", 'ƒ'),
    ("circ", 'ˆ'),
    ("tilde", '˜'),
    ("ensp", '\u{2002}'),
    ("emsp", '\u{2003}'),
    ("thinsp", '\u{2009}'),
    ("zwnj", '\u{200C}'),
    ("zwj", '\u{200D}'),
    ("lrm", '\u{200E}'),
    ("rlm", '\u{200F}'),
    ("ndash", '–'),
    ("mdash", '—'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("sbquo", '‚'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("bdquo", '„'),
    ("dagger", '†'),
    ("Dagger", '‡'),
    ("bull", '•'),
    ("hellip", '…'),
    ("permil", '‰'),
    ("prime", '′'),
    ("Prime", '″'),
    ("lsaquo", '‹'),
    ("rsaquo", '›'),
    ("euro", '€'),
    ("trade", '™'),
];

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: Pick<'static> = Pick::FirstWithData(None);

    fn texts(html: &str) -> Vec<(u32, Vec<String>)> {
        let workbook = read(html, FIRST, &Limits::default()).unwrap();
        assert_eq!(workbook.format, Format::Html);
        workbook
            .sheet
            .rows
            .iter()
            .map(|row| {
                let cells = row.cells.iter().map(CellValue::to_text).collect();
                (row.number, cells)
            })
            .collect()
    }

    fn row(number: u32, cells: &[&str]) -> (u32, Vec<String>) {
        (number, cells.iter().map(|c| (*c).to_owned()).collect())
    }

    fn names(workbook: &Workbook) -> Vec<&str> {
        workbook.sheets.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn the_latin1_names_are_complete_and_in_order() {
        let start = ENTITIES
            .iter()
            .position(|(name, _)| *name == "nbsp")
            .unwrap();
        for (offset, (name, c)) in ENTITIES[start..start + 96].iter().enumerate() {
            assert_eq!(*c as u32, 0xA0 + offset as u32, "{name}");
        }
        assert!(ENTITIES
            .iter()
            .all(|(name, _)| name.len() <= MAX_ENTITY_NAME));
    }

    #[test]
    fn references_decode_as_in_a_browser() {
        let mut out = String::new();
        decode_references(
            "R&amp;D &lt;b&gt; &quot;x&quot; &#39;y&#39; a&nbsp;b &#233;&#xE9;&#XE9;&#00233; \
             &#150; &ndash; &bogus; & &amp &#0; &#x110000; &#xD800; &#99999999999; &#",
            &mut out,
        );
        assert_eq!(
            out,
            "R&D <b> \"x\" 'y' a\u{A0}b éééé – – &bogus; & & \u{FFFD} \u{FFFD} \u{FFFD} \u{FFFD} &#"
        );
    }

    #[test]
    fn colspan_rowspan_and_missing_end_tags_keep_columns_in_place() {
        let html = "<table>\
            <tr><td rowspan=2>A<td colspan=2>B<td>C\
            <tr><td>D<td>E<td>F\
            <tr><td>G<td>H<td>I<td>J\
            </table>";
        assert_eq!(
            texts(html),
            [
                row(1, &["A", "B", "", "C"]),
                row(2, &["", "D", "E", "F"]),
                row(3, &["G", "H", "I", "J"]),
            ]
        );
    }

    #[test]
    fn a_nested_table_is_a_sheet_of_its_own() {
        let html = "<table><tr><td>Laporan<table><caption>Staff</caption>\
            <tr><td>nik<td>nama</table>tail</td><td>x</td></tr></table>";
        let workbook = read(html, FIRST, &Limits::default()).unwrap();
        assert_eq!(names(&workbook), ["Table 1", "Staff"]);
        assert_eq!(workbook.sheet.name, "Table 1");
        assert_eq!(
            workbook.sheet.rows[0].cells,
            [
                CellValue::Text("Laporan tail".into()),
                CellValue::Text("x".into())
            ]
        );
        let staff = read(html, Pick::Named("Staff"), &Limits::default()).unwrap();
        assert_eq!(staff.sheet.rows[0].cells[1], CellValue::Text("nama".into()));
    }

    #[test]
    fn a_preference_passes_over_earlier_tables_in_one_scan() {
        let html = "<table><tr><td>Cover</table>\
            <table><tr><td>Inner<table><tr><td>wanted</table></table>\
            <table><tr><td>wanted too</table>";
        let prefer = |sheet: &Sheet| sheet.rows[0].cells[0].to_text().starts_with("wanted");
        let workbook = read(html, Pick::FirstWithData(Some(&prefer)), &Limits::default()).unwrap();
        assert_eq!(
            names(&workbook),
            ["Table 1", "Table 2", "Table 3", "Table 4"]
        );
        assert_eq!(workbook.sheet.name, "Table 3");
        let never = |_: &Sheet| false;
        let workbook = read(html, Pick::FirstWithData(Some(&never)), &Limits::default()).unwrap();
        assert_eq!(workbook.sheet.name, "Table 1");
    }

    #[test]
    fn excel_numbers_are_read_from_x_num_not_their_display() {
        let html = "<table><tr><td x:num=\"6281122334455\">6.28112E+12</td>\
            <td x:num>1001</td><td x:num=\"oops\">7</td></tr></table>";
        assert_eq!(texts(html), [row(1, &["6281122334455", "1001", "7"])]);
    }

    #[test]
    fn quoted_attributes_may_hold_angle_brackets() {
        let html = "<table><tr><td title='a > b' colspan=\"2\">X</td><td>Y</td></tr></table>";
        assert_eq!(texts(html), [row(1, &["X", "", "Y"])]);
    }

    #[test]
    fn limits_are_those_of_every_sheet() {
        let limits = Limits {
            max_rows: 2,
            max_columns: 3,
            ..Limits::default()
        };
        let tall = "<table><caption>Staff</caption><tr><td>h<tr><td>1<tr><td>2<tr><td>3</table>";
        assert_eq!(
            read(tall, FIRST, &limits).unwrap_err(),
            SheetError::TooManyRows {
                sheet: "Staff".into(),
                row: 4,
                limit: 3
            }
        );
        let wide = "<table><tr><td colspan=3>a<td>b</table>";
        assert_eq!(
            read(wide, FIRST, &limits).unwrap_err(),
            SheetError::TooManyColumns {
                sheet: "Table 1".into(),
                column: 4,
                limit: 3
            }
        );
        // Empty cells far away are not data; an empty table is no sheet.
        let spaced = "<table><tr><td colspan=1000 rowspan=9>&nbsp;<td></table>\
            <table><tr><td>x</table>";
        let workbook = read(spaced, FIRST, &limits).unwrap();
        assert_eq!(names(&workbook), ["Table 2"]);
    }

    #[test]
    fn a_page_without_a_table_of_data_says_so() {
        let limits = Limits::default();
        assert_eq!(
            read(
                "<html><body><p>Sesi Anda berakhir</p></body></html>",
                FIRST,
                &limits
            ),
            Err(SheetError::WebPageWithoutTable)
        );
        assert_eq!(
            read("<table><tr><td>&nbsp;</td></tr></table>", FIRST, &limits),
            Err(SheetError::WebPageWithoutTable)
        );
        assert_eq!(
            read(
                "<table><tr><td>x</td></tr></table>",
                Pick::Named("Nope"),
                &limits
            ),
            Err(SheetError::NoSuchSheet("Nope".into()))
        );
    }

    #[test]
    fn duplicate_captions_get_distinct_names() {
        let html = "<table><caption>A</caption><tr><td>1</table>\
            <table><caption> A </caption><tr><td>2</table>";
        let workbook = read(html, Pick::Named("A (2)"), &Limits::default()).unwrap();
        assert_eq!(names(&workbook), ["A", "A (2)"]);
        assert_eq!(workbook.sheet.rows[0].cells[0], CellValue::Text("2".into()));
    }

    #[test]
    fn deep_nesting_and_unclosed_markup_end_without_harm() {
        let deep = "<table><tr><td>".repeat(10_000) + "x";
        let workbook = read(&deep, FIRST, &Limits::default()).unwrap();
        assert_eq!(workbook.sheets.len(), 1);
        for broken in [
            "<table><tr><td a='",
            "<table><tr><td a=",
            "<table><!--",
            "<table><tr><td>&#x",
            "<table><script>",
            "<table><td>a</",
            "<table><td>a<",
            "<table><td>é<é",
        ] {
            let _ = read(broken, FIRST, &Limits::default());
        }
        assert_eq!(texts("<table><td>a < b</table>"), [row(1, &["a < b"])]);
    }

    #[test]
    fn the_sniffer_wants_a_tag_first_and_a_table_or_page() {
        assert!(sniff("  <!DOCTYPE html><p>"));
        assert!(sniff("<META charset=utf-8><TABLE>"));
        assert!(sniff("\u{FEFF}<html>"));
        assert!(!sniff("employeeID,note\nE1,<table> in a note\n"));
        assert!(!sniff("<b>bold</b>,x\n"));
    }
}
