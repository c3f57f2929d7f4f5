//! Excel's "XML Spreadsheet 2003", which HR systems still export, often
//! under an .xls name.
//!
//! A `<Workbook>` of `<Worksheet ss:Name="…">`s, each with a `<Table>` of
//! `<Row>`s of `<Cell>`s holding `<Data ss:Type="…">`. A row or a cell
//! may jump ahead with `ss:Index` (1-based) over the empty ones; a cell
//! merged across (`ss:MergeAcross`) takes the columns after it, so the next
//! cell comes after them. A sheet is hidden by `<WorksheetOptions>` with
//! `<Visible>SheetHidden</Visible>` (or `SheetVeryHidden`), which comes
//! after the sheet's table. Numbers are numbers, booleans booleans, dates
//! ISO text and strings text, as the other readers give them; text in a
//! cell's comment is not the cell's value.
//!
//! The file is parsed once with quick-xml (calamine's XML reader); only the
//! rows of the sheets the pick may return are held, each within the row
//! and column limits.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::{
    push_cell, CellValue, Format, Limits, Pick, Sheet, SheetError, SheetInfo, SheetRow, Workbook,
};

/// How much of the text the sniffer looks at.
const SNIFF: usize = 4096;
const NAMESPACE: &[u8] = b"urn:schemas-microsoft-com:office:spreadsheet";
/// Worksheets beyond this many are neither listed nor read (Excel's own
/// files hold a handful; a zip workbook of more is refused for its entry
/// count).
const MAX_WORKSHEETS: usize = 1_000;

/// Whether the text is an XML Spreadsheet 2003: XML that names Excel's
/// spreadsheet namespace or opens a `<Workbook>` early.
pub(super) fn sniff(text: &str) -> bool {
    let start = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    let head = &start.as_bytes()[..start.len().min(SNIFF)];
    let opens = [&b"<?xml"[..], b"<Workbook", b"<ss:Workbook"]
        .iter()
        .any(|prefix| head.starts_with(prefix));
    opens
        && [NAMESPACE, b"<Workbook", b"<ss:Workbook"]
            .iter()
            .any(|needle| head.windows(needle.len()).any(|window| window == *needle))
}

/// Reads the picked worksheet and lists every worksheet.
pub(super) fn read(text: &str, pick: Pick<'_>, limits: &Limits) -> Result<Workbook, SheetError> {
    let mut reader = Reader::from_str(text);
    let mut state = State::new(pick, limits);
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(_) => return Err(damaged(text, reader.error_position())),
        };
        match event {
            Event::Start(element) => state.start(&element, false),
            Event::Empty(element) => state.start(&element, true),
            Event::End(element) => state.end(element.local_name().as_ref()),
            Event::Text(text) => state.text(&text.xml10_content()),
            Event::CData(text) => state.text(&text.xml10_content()),
            Event::GeneralRef(reference) => {
                let name: &str = &reference;
                match reference.resolve_char_ref() {
                    Ok(Some(c)) => state.text(c.encode_utf8(&mut [0; 4])),
                    Ok(None) => match quick_xml::escape::resolve_xml_entity(name) {
                        Some(resolved) => state.text(resolved),
                        // Not XML (`&nbsp;` from a hand-made file): kept as
                        // written.
                        None => state.text(&format!("&{name};")),
                    },
                    Err(_) => state.text("\u{FFFD}"),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    state.finish()
}

/// The error for XML that does not parse, with the line to look at.
fn damaged(text: &str, position: u64) -> SheetError {
    let position = usize::try_from(position)
        .unwrap_or(usize::MAX)
        .min(text.len());
    let line = text.as_bytes()[..position]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1;
    SheetError::XmlSpreadsheetDamaged { line }
}

/// An attribute's value by its local name (`ss:Index` and `Index` alike).
fn attribute(element: &BytesStart<'_>, local: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|attribute| attribute.key.local_name().as_ref() == local)
        .map(|attribute| {
            attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_or_else(|_| attribute.value.to_string(), |value| value.into_owned())
        })
}

/// A 1-based `ss:Index` as a 0-based position; nothing readable is none.
fn index(element: &BytesStart<'_>) -> Option<u32> {
    attribute(element, "Index")?
        .trim()
        .parse::<u32>()
        .ok()?
        .checked_sub(1)
}

fn count(element: &BytesStart<'_>, local: &str) -> u32 {
    attribute(element, local)
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0)
}

struct Worksheet {
    name: String,
    hidden: bool,
    /// Whether the pick may return this sheet, so its rows are kept.
    collect: bool,
    rows: Vec<SheetRow>,
    /// The first limit the sheet broke; nothing more is kept after it.
    error: Option<SheetError>,
}

struct Cell {
    column: u32,
    kind: Option<String>,
    text: String,
    in_data: bool,
}

struct State<'a> {
    pick: Pick<'a>,
    limits: &'a Limits,
    sheets: Vec<SheetInfo>,
    worksheet: Option<Worksheet>,
    /// The 0-based row being read, and where the next one goes.
    row: u32,
    next_row: u32,
    next_column: u32,
    cell: Option<Cell>,
    /// Inside a cell's `<Comment>`, whose `<Data>` is not the cell's.
    comment_depth: usize,
    in_options: bool,
    visible: Option<String>,
    /// The sheet (or error) the pick settled on.
    decided: Option<Result<Sheet, SheetError>>,
    /// The first visible sheet with data, while a later one may be
    /// preferred.
    first_with_data: Option<Sheet>,
}

impl<'a> State<'a> {
    fn new(pick: Pick<'a>, limits: &'a Limits) -> Self {
        State {
            pick,
            limits,
            sheets: Vec::new(),
            worksheet: None,
            row: 0,
            next_row: 0,
            next_column: 0,
            cell: None,
            comment_depth: 0,
            in_options: false,
            visible: None,
            decided: None,
            first_with_data: None,
        }
    }

    fn start(&mut self, element: &BytesStart<'_>, empty: bool) {
        let name = element.local_name();
        let name = name.as_ref();
        if name == "Worksheet" {
            self.end_worksheet();
            let sheet_name = attribute(element, "Name").unwrap_or_default();
            let collect = self.decided.is_none()
                && self.sheets.len() < MAX_WORKSHEETS
                && match self.pick {
                    Pick::Named(wanted) => wanted == sheet_name,
                    Pick::FirstWithData(_) => true,
                };
            self.worksheet = Some(Worksheet {
                name: sheet_name,
                hidden: false,
                collect,
                rows: Vec::new(),
                error: None,
            });
            self.row = 0;
            self.next_row = 0;
            if empty {
                self.end_worksheet();
            }
            return;
        }
        if self.worksheet.is_none() {
            return;
        }
        match name {
            "Comment" if !empty => self.comment_depth += 1,
            _ if self.comment_depth > 0 => {}
            "Table" => self.next_row = 0,
            "Row" => {
                self.end_cell();
                self.row = index(element).unwrap_or(self.next_row);
                // `ss:Span` repeats an empty row's formatting below it.
                let span = count(element, "Span");
                self.next_row = self.row.saturating_add(1).saturating_add(span);
                self.next_column = 0;
            }
            "Cell" => {
                self.end_cell();
                let column = index(element).unwrap_or(self.next_column);
                let merged = count(element, "MergeAcross");
                self.next_column = column.saturating_add(1).saturating_add(merged);
                if !empty {
                    self.cell = Some(Cell {
                        column,
                        kind: None,
                        text: String::new(),
                        in_data: false,
                    });
                }
            }
            "Data" if !empty => {
                if let Some(cell) = &mut self.cell {
                    cell.in_data = true;
                    cell.kind = attribute(element, "Type");
                }
            }
            "WorksheetOptions" if !empty => self.in_options = true,
            "Visible" if self.in_options && !empty => self.visible = Some(String::new()),
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "Worksheet" => self.end_worksheet(),
            "Comment" => self.comment_depth = self.comment_depth.saturating_sub(1),
            _ if self.comment_depth > 0 => {}
            "Data" => {
                if let Some(cell) = &mut self.cell {
                    cell.in_data = false;
                }
            }
            "Cell" | "Row" | "Table" => self.end_cell(),
            "WorksheetOptions" => self.in_options = false,
            "Visible" => {
                let visible = self.visible.take().unwrap_or_default();
                if let Some(worksheet) = &mut self.worksheet {
                    let visible = visible.trim();
                    worksheet.hidden |= visible == "SheetHidden" || visible == "SheetVeryHidden";
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        if self.comment_depth > 0 {
            return;
        }
        if let Some(cell) = &mut self.cell {
            if cell.in_data {
                cell.text.push_str(text);
            }
        } else if let Some(visible) = &mut self.visible {
            if visible.len() < 64 {
                visible.push_str(text);
            }
        }
    }

    fn end_cell(&mut self) {
        let Some(cell) = self.cell.take() else {
            return;
        };
        let Some(worksheet) = &mut self.worksheet else {
            return;
        };
        if !worksheet.collect || worksheet.error.is_some() {
            return;
        }
        let value = value(cell.kind.as_deref(), cell.text);
        if let Err(error) = push_cell(
            &mut worksheet.rows,
            self.row,
            cell.column,
            value,
            &worksheet.name,
            self.limits,
        ) {
            worksheet.error = Some(error);
            worksheet.rows = Vec::new();
        }
    }

    /// What `first_sheet_with_data` does for a zip or .xls workbook, one
    /// sheet at a time as they end.
    fn end_worksheet(&mut self) {
        self.end_cell();
        self.comment_depth = 0;
        self.in_options = false;
        self.visible = None;
        let Some(worksheet) = self.worksheet.take() else {
            return;
        };
        if self.sheets.len() >= MAX_WORKSHEETS {
            return;
        }
        self.sheets.push(SheetInfo {
            name: worksheet.name.clone(),
            hidden: worksheet.hidden,
        });
        if !worksheet.collect {
            return;
        }
        let sheet = match worksheet.error {
            Some(error) => Err(error),
            None => Ok(Sheet {
                name: worksheet.name,
                rows: worksheet.rows,
            }),
        };
        match self.pick {
            Pick::Named(_) => {
                self.decided = Some(sheet.and_then(|sheet| {
                    if sheet.rows.is_empty() {
                        Err(SheetError::EmptySheet(sheet.name))
                    } else {
                        Ok(sheet)
                    }
                }));
            }
            Pick::FirstWithData(_) if worksheet.hidden => {}
            Pick::FirstWithData(prefer) => match sheet {
                // Once a sheet with data is found, a later sheet that
                // cannot be read is only not preferred.
                Err(_) if self.first_with_data.is_some() => {}
                Err(error) => self.decided = Some(Err(error)),
                Ok(sheet) if sheet.rows.is_empty() => {}
                Ok(sheet) => match prefer {
                    Some(prefer) if !prefer(&sheet) => {
                        self.first_with_data.get_or_insert(sheet);
                    }
                    _ => self.decided = Some(Ok(sheet)),
                },
            },
        }
    }

    fn finish(mut self) -> Result<Workbook, SheetError> {
        // A file cut short ends its last sheet where it stops.
        self.end_worksheet();
        let sheet = match (self.decided, self.pick) {
            (Some(decided), _) => decided?,
            (None, Pick::Named(wanted)) => {
                return Err(SheetError::NoSuchSheet(wanted.to_owned()));
            }
            (None, Pick::FirstWithData(_)) => match self.first_with_data {
                Some(sheet) => sheet,
                None => {
                    let first_visible = self.sheets.iter().find(|info| !info.hidden);
                    return Err(first_visible.map_or(SheetError::NoWorksheet, |info| {
                        SheetError::EmptySheet(info.name.clone())
                    }));
                }
            },
        };
        Ok(Workbook {
            format: Format::SpreadsheetMl,
            sheets: self.sheets,
            sheet,
        })
    }
}

/// A cell's value by its `ss:Type`.
fn value(kind: Option<&str>, text: String) -> CellValue {
    let trimmed = text.trim();
    match kind {
        Some("Number") => match trimmed.parse::<f64>() {
            Ok(number) if number.is_finite() => CellValue::Number(number),
            _ => CellValue::Text(text),
        },
        Some("Boolean") => match trimmed.to_ascii_lowercase().as_str() {
            "1" | "true" => CellValue::Bool(true),
            "0" | "false" => CellValue::Bool(false),
            _ => CellValue::Text(text),
        },
        Some("DateTime") => date_time(trimmed),
        Some("Error") => CellValue::Error(trimmed.to_owned()),
        _ => CellValue::Text(text),
    }
}

/// `2024-03-09T00:00:00.000` as `2024-03-09`, with a time as
/// `2024-03-09 08:30:00`, the way the other readers write dates. Anything
/// else stays as written.
fn date_time(text: &str) -> CellValue {
    let (date, time) = text.split_once('T').unwrap_or((text, ""));
    let time = time.split('.').next().unwrap_or_default();
    if !shaped(date, "9999-99-99") {
        return CellValue::Date(text.to_owned());
    }
    if time.is_empty() || time == "00:00:00" {
        CellValue::Date(date.to_owned())
    } else if shaped(time, "99:99:99") {
        CellValue::Date(format!("{date} {time}"))
    } else {
        CellValue::Date(text.to_owned())
    }
}

/// Whether `text` has the pattern's shape, '9' standing for any digit.
fn shaped(text: &str, pattern: &str) -> bool {
    text.len() == pattern.len()
        && text.bytes().zip(pattern.bytes()).all(|(byte, want)| {
            if want == b'9' {
                byte.is_ascii_digit()
            } else {
                byte == want
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: Pick<'static> = Pick::FirstWithData(None);

    fn workbook(sheets: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" \
             xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\">{sheets}</Workbook>"
        )
    }

    #[test]
    fn the_sniffer_wants_xml_that_names_a_spreadsheet() {
        assert!(sniff(&workbook("")));
        assert!(sniff("\u{FEFF}<?xml version=\"1.0\"?><ss:Workbook>"));
        assert!(!sniff("<?xml version=\"1.0\"?><svg/>"));
        assert!(!sniff("<html><table>"));
        assert!(!sniff("employeeID,note\nE1,<Workbook>\n"));
    }

    #[test]
    fn dates_read_as_the_other_readers_write_them() {
        assert_eq!(
            date_time("2024-03-09T00:00:00.000"),
            CellValue::Date("2024-03-09".into())
        );
        assert_eq!(
            date_time("2024-03-09T08:30:05.000"),
            CellValue::Date("2024-03-09 08:30:05".into())
        );
        assert_eq!(
            date_time("2024-03-09"),
            CellValue::Date("2024-03-09".into())
        );
        assert_eq!(date_time("kemarin"), CellValue::Date("kemarin".into()));
        assert_eq!(
            value(Some("Number"), "x".into()),
            CellValue::Text("x".into())
        );
        assert_eq!(
            value(Some("Number"), " 2.5 ".into()),
            CellValue::Number(2.5)
        );
        assert_eq!(value(Some("Boolean"), "TRUE".into()), CellValue::Bool(true));
        assert_eq!(
            value(Some("Error"), "#N/A".into()),
            CellValue::Error("#N/A".into())
        );
        assert_eq!(value(None, "a".into()), CellValue::Text("a".into()));
    }

    #[test]
    fn spans_very_hidden_sheets_and_unknown_references() {
        let xml = workbook(
            "<Worksheet ss:Name=\"Secret\"><Table><Row><Cell><Data ss:Type=\"String\">s</Data></Cell></Row></Table>\
             <x:WorksheetOptions xmlns:x=\"urn:schemas-microsoft-com:office:excel\"><x:Visible>SheetVeryHidden</x:Visible></x:WorksheetOptions></Worksheet>\
             <Worksheet ss:Name=\"Empty\"/>\
             <Worksheet ss:Name=\"Data\"><Table>\
             <Row ss:Span=\"2\"/>\
             <Row><Cell><Data ss:Type=\"String\">a&nbsp;b&#233;</Data></Cell><Cell/><Cell><Data ss:Type=\"String\">c</Data></Cell></Row>\
             </Table></Worksheet>",
        );
        let read = read(&xml, FIRST, &Limits::default()).unwrap();
        let listed: Vec<(&str, bool)> = read
            .sheets
            .iter()
            .map(|s| (s.name.as_str(), s.hidden))
            .collect();
        assert_eq!(
            listed,
            [("Secret", true), ("Empty", false), ("Data", false)]
        );
        assert_eq!(read.sheet.name, "Data");
        // A row spanning two more: the next one is row 4.
        assert_eq!(read.sheet.rows[0].number, 4);
        assert_eq!(
            read.sheet.rows[0].cells,
            [
                CellValue::Text("a&nbsp;bé".into()),
                CellValue::Empty,
                CellValue::Text("c".into())
            ]
        );
    }

    #[test]
    fn empty_workbooks_and_sheets_say_so_as_for_other_formats() {
        let limits = Limits::default();
        assert_eq!(
            read(&workbook(""), FIRST, &limits),
            Err(SheetError::NoWorksheet)
        );
        let empty = workbook("<Worksheet ss:Name=\"Blank\"><Table/></Worksheet>");
        assert_eq!(
            read(&empty, FIRST, &limits),
            Err(SheetError::EmptySheet("Blank".into()))
        );
        assert_eq!(
            read(&empty, Pick::Named("Blank"), &limits),
            Err(SheetError::EmptySheet("Blank".into()))
        );
    }

    #[test]
    fn a_file_cut_between_rows_reads_what_it_holds_and_one_cut_in_a_tag_is_damaged() {
        let xml = workbook(
            "<Worksheet ss:Name=\"S\"><Table><Row><Cell><Data ss:Type=\"String\">kept</Data></Cell></Row>\
             <Row><Cell><Data ss:Type=\"Str",
        );
        let in_tag = &xml[..xml.len() - "</Workbook>".len()];
        assert_eq!(
            read(in_tag, FIRST, &Limits::default()),
            Err(SheetError::XmlSpreadsheetDamaged { line: 2 })
        );
        let between_rows = &xml[..xml.rfind("<Row><Cell><Data ss:Type=\"Str").unwrap()];
        let workbook = read(between_rows, FIRST, &Limits::default()).unwrap();
        assert_eq!(
            workbook.sheet.rows[0].cells[0],
            CellValue::Text("kept".into())
        );
    }
}
