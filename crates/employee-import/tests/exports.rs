//! The files HR systems call "Excel" that are not workbooks: an HTML table
//! saved as .xls (or Excel's own "Web Page" save), Excel's XML Spreadsheet
//! 2003, and Excel 2–4 files from before 1997. The first two read like any
//! workbook, header detection and validation included; the last is named
//! for what it is, with what to do, in both languages. Every file here is
//! written by the test itself.

use employee_import::{
    read_workbook, CellValue, Format, Import, ImportError, ImportOptions, Lang, Limits, SheetError,
    Workbook,
};

fn read(bytes: &[u8]) -> Result<Workbook, SheetError> {
    read_workbook(bytes, None, &Limits::default())
}

fn open(bytes: &[u8]) -> Import {
    Import::from_bytes(bytes).unwrap_or_else(|error| panic!("{error}"))
}

/// Every row's cell texts, with the row number a spreadsheet shows.
fn cells(workbook: &Workbook) -> Vec<(u32, Vec<String>)> {
    workbook
        .sheet
        .rows
        .iter()
        .map(|row| {
            let texts = row.cells.iter().map(CellValue::to_text).collect();
            (row.number, texts)
        })
        .collect()
}

fn sheet_list(import_sheets: &[employee_import::SheetInfo]) -> Vec<(&str, bool)> {
    import_sheets
        .iter()
        .map(|sheet| (sheet.name.as_str(), sheet.hidden))
        .collect()
}

/// (row, employee ID, name, email, phone, active) of each validated row.
type Person<'a> = (
    u32,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<bool>,
);

fn people(import: &Import) -> Vec<Person<'_>> {
    import
        .report
        .rows
        .iter()
        .map(|report| {
            let row = &report.row;
            (
                row.number,
                row.employee_id.as_deref(),
                row.name.as_deref(),
                row.email.as_deref(),
                row.phone.as_deref(),
                row.is_active,
            )
        })
        .collect()
}

/// A report page as HR systems write it: a doctype, a head with a title, a
/// style and a script that all mention tables, a commented-out table, then
/// the table with a title row spanning the columns above the header, upper
/// case tags, attributes with and without quotes, entities, tags inside
/// cells and no `</td>`.
const HR_REPORT: &str = r#"<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<HTML><HEAD><META http-equiv=Content-Type content="text/html; charset=utf-8">
<TITLE>Export <table></TITLE>
<STYLE>td { mso-number-format:"\@"; } /* <table><tr><td>NIK */</STYLE>
<SCRIPT>document.write("<table><tr><td>NIK<td>Nama</td></tr></table>");</SCRIPT>
</HEAD><BODY>
<!-- <table><tr><td>NIK<td>Nama<tr><td>X1<td>Old</table> -->
<TABLE border=1 cellspacing='0' class="report">
<TR><TD COLSPAN=5 align=center><B>Daftar Karyawan &ndash; PT Maju &amp; Jaya</B></TD></TR>
<TR><TH>NIK<TH>Nama<TH>Email<TH>No.&nbsp;HP<TH>Aktif</TR>
<TR><TD>00123<TD><span class="x"><b>Ani</b>
    Wijaya</span><TD><a href="mailto:ani@example.com">ani@example.com</a><TD>6281122334455<TD>ya
<TR><TD>00124<TD>Siobhan O&#8217;Brien<TD>siobhan@example.com<TD>&#54;281199887766<TD>&nbsp;Ya&nbsp;</TR>
<tr><td>00125</td><td colspan=2>Jos&eacute; Ramos</td><td>6281233445566</td><td>tidak</td></tr>
<tr><td>00126<td>Budi<br>Santoso<td>budi@example.com<td><td>TRUE
</TABLE></BODY></HTML>
"#;

#[test]
fn an_html_table_saved_as_xls_reads_to_validated_rows_under_its_header() {
    let import = open(HR_REPORT.as_bytes());
    assert_eq!(import.format, Format::Html);
    assert_eq!(import.format.to_string(), "Web page table (.xls/.html)");
    // The commented-out table and those in the head are not sheets.
    assert_eq!(sheet_list(&import.sheets), [("Table 1", false)]);
    assert_eq!(import.sheet.name, "Table 1");
    assert_eq!(import.sheet.rows[0].number, 1);
    assert_eq!(
        import.sheet.rows[0].cells,
        [CellValue::Text("Daftar Karyawan – PT Maju & Jaya".into())]
    );
    // The title row spans the columns; the header is the row below it.
    assert_eq!(import.header_row, 2);
    assert_eq!(
        people(&import),
        [
            (
                3,
                Some("00123"),
                Some("Ani Wijaya"),
                Some("ani@example.com"),
                Some("6281122334455"),
                Some(true)
            ),
            (
                4,
                Some("00124"),
                Some("Siobhan O’Brien"),
                Some("siobhan@example.com"),
                Some("6281199887766"),
                Some(true)
            ),
            // colspan=2 leaves the e-mail cell empty: the phone stays in
            // its column.
            (
                5,
                Some("00125"),
                Some("José Ramos"),
                None,
                Some("6281233445566"),
                Some(false)
            ),
            (
                6,
                Some("00126"),
                Some("Budi Santoso"),
                Some("budi@example.com"),
                None,
                Some(true)
            ),
        ]
    );
    // Values stay text, as typed: the zeros of 00123 are kept.
    assert_eq!(
        import.sheet.rows[2].cells[0],
        CellValue::Text("00123".into())
    );
}

#[test]
fn a_page_whose_first_table_is_a_letterhead_reads_the_employee_table() {
    let html = "<html><body>\
        <table><tr><td><img src=logo.png><td>PT Maju Jaya<br>Jl. Sudirman 5</table>\
        <table><caption>Karyawan Aktif</caption>\
        <thead><tr><th>employeeID<th>name</thead>\
        <tbody><tr><td>E1<td>Ani<tr><td>E2<td>Budi</tbody></table>\
        </body></html>";
    let import = open(html.as_bytes());
    assert_eq!(
        sheet_list(&import.sheets),
        [("Table 1", false), ("Karyawan Aktif", false)]
    );
    assert_eq!(import.sheet.name, "Karyawan Aktif");
    assert_eq!(import.header_row, 1);
    let ids: Vec<Option<&str>> = people(&import).iter().map(|p| p.1).collect();
    assert_eq!(ids, [Some("E1"), Some("E2")]);
    // The letterhead can still be chosen, as any sheet can.
    let letterhead = read_workbook(html.as_bytes(), Some("Table 1"), &Limits::default()).unwrap();
    assert_eq!(
        cells(&letterhead),
        [(
            1,
            vec![String::new(), "PT Maju Jaya Jl. Sudirman 5".to_owned()]
        )]
    );
}

/// Excel's "Web Page" save of one sheet, as Excel writes it in Unicode:
/// conditional comments, an XML island, `x:num` behind a rounded display.
const EXCEL_WEB_PAGE: &str = r#"<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:x="urn:schemas-microsoft-com:office:excel"
xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv=Content-Type content="text/html; charset=unicode">
<meta name=ProgId content=Excel.Sheet>
<style>
<!--table
	{mso-displayed-decimal-separator:"\.";}
.xl65
	{mso-number-format:"\@";}
-->
</style>
<!--[if gte mso 9]><xml>
 <x:ExcelWorkbook>
  <x:ExcelWorksheets>
   <x:ExcelWorksheet>
    <x:Name>Karyawan</x:Name>
   </x:ExcelWorksheet>
  </x:ExcelWorksheets>
 </x:ExcelWorkbook>
</xml><![endif]-->
</head>
<body link=blue vlink=purple>
<table border=0 cellpadding=0 cellspacing=0 width=256 style='border-collapse:
 collapse;table-layout:fixed;width:192pt'>
 <col width=64 span=4 style='width:48pt'>
 <tr height=20 style='height:15.0pt'>
  <td height=20 class=xl65 width=64 style='height:15.0pt;width:48pt'>employeeID</td>
  <td width=64 style='width:48pt'>name</td>
  <td width=64 style='width:48pt'>phone</td>
  <td width=64 style='width:48pt'>isActive</td>
 </tr>
 <tr height=20 style='height:15.0pt'>
  <td height=20 class=xl65 style='height:15.0pt'>00123</td>
  <td>Siti Nurhaliza</td>
  <td align=right x:num="6281122334455">6.28112E+12</td>
  <td align=center x:bool="TRUE">TRUE</td>
 </tr>
 <![if supportMisalignedColumns]>
 <tr height=0 style='display:none'>
  <td width=64 style='width:48pt'></td>
 </tr>
 <![endif]>
</table>
</body>
</html>
"#;

#[test]
fn excels_web_page_save_in_utf16_reads_with_full_numbers() {
    let bytes: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(EXCEL_WEB_PAGE.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let import = open(&bytes);
    assert_eq!(import.format, Format::Html);
    assert_eq!(import.header_row, 1);
    assert_eq!(
        people(&import),
        [(
            2,
            Some("00123"),
            Some("Siti Nurhaliza"),
            None,
            // The number behind "6.28112E+12", not the display.
            Some("6281122334455"),
            Some(true)
        )]
    );
}

/// The text as a Windows program stores it in Windows-1252, built by hand
/// so the test does not rely on the decoder's own tables.
fn cp1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '’' => 0x92,
            '–' => 0x96,
            'é' => 0xE9,
            'ö' => 0xF6,
            c if c.is_ascii() => c as u8,
            c => panic!("{c} is not in the test's Windows-1252 table"),
        })
        .collect()
}

#[test]
fn an_html_export_in_windows_1252_keeps_its_accents_and_apostrophes() {
    let html = "<html><head><meta charset=windows-1252></head><body>\n\
        <table><tr><td>NIK</td><td>Nama</td><td>Catatan</td></tr>\n\
        <tr><td>K1</td><td>Siobhan O’Brien</td><td>Kontrak – 2024</td></tr>\n\
        <tr><td>K2</td><td>José Björk Ramos</td><td></td></tr>\n\
        </table></body></html>";
    let bytes = cp1252(html);
    assert!(std::str::from_utf8(&bytes).is_err());
    let import = open(&bytes);
    assert_eq!(import.format, Format::Html);
    let names: Vec<Option<&str>> = people(&import).iter().map(|p| p.2).collect();
    assert_eq!(names, [Some("Siobhan O’Brien"), Some("José Björk Ramos")]);
    assert_eq!(
        import.sheet.rows[1].cells[2],
        CellValue::Text("Kontrak – 2024".into())
    );
}

#[test]
fn a_web_page_without_a_table_is_named_for_what_it_is_in_both_languages() {
    // What an HR system hands out when the session has expired.
    let page =
        "<!DOCTYPE html><html><body><h1>Sesi berakhir</h1><p>Silakan masuk lagi.</p></body></html>";
    let error = Import::from_bytes(page.as_bytes()).unwrap_err();
    assert_eq!(error, ImportError::Sheet(SheetError::WebPageWithoutTable));
    let english = error.message(Lang::En);
    assert!(english.contains("web page (HTML)"), "{english}");
    assert!(english.contains("save it as .xlsx"), "{english}");
    let indonesian = error.message(Lang::Id);
    assert!(indonesian.contains("halaman web (HTML)"), "{indonesian}");
    assert!(indonesian.contains("simpan sebagai .xlsx"), "{indonesian}");
}

#[test]
fn an_html_table_beyond_the_row_limit_is_refused_like_any_sheet() {
    let mut html = String::from("<table><caption>Staff</caption><tr><td>employeeID<td>name");
    for n in 1..=5 {
        html.push_str(&format!("<tr><td>E{n}<td>Karyawan {n}"));
    }
    let limits = Limits {
        max_rows: 3,
        ..Limits::default()
    };
    assert_eq!(
        read_workbook(html.as_bytes(), None, &limits),
        Err(SheetError::TooManyRows {
            sheet: "Staff".into(),
            row: 5,
            limit: 4
        })
    );
}

/// An XML Spreadsheet 2003 as Excel and HR systems write it: an
/// instructions sheet, a hidden lookup sheet, and the employees under a
/// title merged across, with row and cell `ss:Index` gaps, numbers,
/// booleans, rich text and a comment.
const SPREADSHEET_ML: &str = r#"<?xml version="1.0"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:x="urn:schemas-microsoft-com:office:excel"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:html="http://www.w3.org/TR/REC-html40">
 <DocumentProperties xmlns="urn:schemas-microsoft-com:office:office">
  <Author>HRIS</Author>
 </DocumentProperties>
 <Styles>
  <Style ss:ID="Default" ss:Name="Normal"><Alignment ss:Vertical="Bottom"/></Style>
 </Styles>
 <Worksheet ss:Name="Petunjuk">
  <Table>
   <Row><Cell><Data ss:Type="String">Isi sheet Karyawan, lalu unggah.</Data></Cell></Row>
  </Table>
 </Worksheet>
 <Worksheet ss:Name="Lookup">
  <Table>
   <Row>
    <Cell><Data ss:Type="String">nik</Data></Cell>
    <Cell><Data ss:Type="String">secret</Data></Cell>
    <Cell><Data ss:Type="DateTime">2024-03-09T00:00:00.000</Data></Cell>
    <Cell><Data ss:Type="DateTime">2024-03-09T08:30:00.000</Data></Cell>
   </Row>
  </Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel">
   <Visible>SheetHidden</Visible>
  </WorksheetOptions>
 </Worksheet>
 <Worksheet ss:Name="Karyawan &amp; Staf">
  <Table ss:ExpandedColumnCount="5" ss:ExpandedRowCount="6" x:FullColumns="1" x:FullRows="1">
   <Column ss:Width="80"/>
   <Row><Cell ss:MergeAcross="4"><Data ss:Type="String">Daftar Karyawan</Data></Cell></Row>
   <Row ss:Index="3">
    <Cell><Data ss:Type="String">employeeID</Data></Cell>
    <Cell><Data ss:Type="String">name</Data></Cell>
    <Cell ss:Index="4"><Data ss:Type="String">phone</Data></Cell>
    <Cell><Data ss:Type="String">isActive</Data></Cell>
   </Row>
   <Row>
    <Cell><Data ss:Type="Number">1001</Data></Cell>
    <Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40">Ani &amp; <B>Wijaya</B></ss:Data><Comment ss:Author="HR"><ss:Data xmlns="http://www.w3.org/TR/REC-html40"><B>not the value</B></ss:Data></Comment></Cell>
    <Cell ss:Index="4"><Data ss:Type="Number">6281122334455</Data></Cell>
    <Cell><Data ss:Type="Boolean">1</Data></Cell>
   </Row>
   <Row ss:Index="6">
    <Cell><Data ss:Type="String">00124</Data></Cell>
    <Cell ss:MergeAcross="1"><Data ss:Type="String">Budi</Data></Cell>
    <Cell><Data ss:Type="Number">6281199887766</Data></Cell>
    <Cell><Data ss:Type="Boolean">0</Data></Cell>
   </Row>
  </Table>
  <WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel">
   <Selected/>
  </WorksheetOptions>
 </Worksheet>
</Workbook>
"#;

#[test]
fn an_xml_spreadsheet_2003_reads_its_sheets_hidden_ones_and_index_gaps() {
    let import = open(SPREADSHEET_ML.as_bytes());
    assert_eq!(import.format, Format::SpreadsheetMl);
    assert_eq!(
        import.format.to_string(),
        "XML Spreadsheet 2003 (.xml/.xls)"
    );
    assert_eq!(
        sheet_list(&import.sheets),
        [
            ("Petunjuk", false),
            ("Lookup", true),
            ("Karyawan & Staf", false)
        ]
    );
    // The instructions sheet has no header: the employees' sheet is read.
    assert_eq!(import.sheet.name, "Karyawan & Staf");
    let numbers: Vec<u32> = import.sheet.rows.iter().map(|row| row.number).collect();
    assert_eq!(numbers, [1, 3, 4, 6], "ss:Index rows keep their numbers");
    assert_eq!(import.header_row, 3);
    let row4 = &import.sheet.rows[2];
    assert_eq!(row4.cells[0], CellValue::Number(1001.0));
    assert_eq!(row4.cells[1], CellValue::Text("Ani & Wijaya".into()));
    assert_eq!(row4.cells[2], CellValue::Empty, "ss:Index skipped column C");
    assert_eq!(row4.cells[3], CellValue::Number(6_281_122_334_455.0));
    assert_eq!(row4.cells[4], CellValue::Bool(true));
    assert_eq!(
        people(&import),
        [
            (
                4,
                Some("1001"),
                Some("Ani & Wijaya"),
                None,
                Some("6281122334455"),
                Some(true)
            ),
            // "Budi" merged across B:C: the phone is in D, as shown.
            (
                6,
                Some("00124"),
                Some("Budi"),
                None,
                Some("6281199887766"),
                Some(false)
            ),
        ]
    );
}

#[test]
fn an_xml_spreadsheet_2003_sheet_is_chosen_by_name_hidden_or_not() {
    let bytes = SPREADSHEET_ML.as_bytes();
    // Without a choice: the first visible sheet with data, as for .xlsx.
    assert_eq!(read(bytes).unwrap().sheet.name, "Petunjuk");
    let lookup = read_workbook(bytes, Some("Lookup"), &Limits::default()).unwrap();
    assert_eq!(lookup.sheet.name, "Lookup");
    assert_eq!(
        lookup.sheet.rows[0].cells,
        [
            CellValue::Text("nik".into()),
            CellValue::Text("secret".into()),
            CellValue::Date("2024-03-09".into()),
            CellValue::Date("2024-03-09 08:30:00".into()),
        ]
    );
    let options = ImportOptions {
        sheet: Some("Karyawan & Staf".into()),
        ..Default::default()
    };
    let import = Import::open(bytes, &options).unwrap();
    assert_eq!(import.header_row, 3);
    assert_eq!(
        read_workbook(bytes, Some("Nope"), &Limits::default()),
        Err(SheetError::NoSuchSheet("Nope".into()))
    );
}

#[test]
fn an_xml_spreadsheet_2003_respects_the_limits_and_names_damage_in_both_languages() {
    let far = SPREADSHEET_ML.replace("<Row ss:Index=\"6\">", "<Row ss:Index=\"300000\">");
    assert_eq!(
        read_workbook(far.as_bytes(), Some("Karyawan & Staf"), &Limits::default()),
        Err(SheetError::TooManyRows {
            sheet: "Karyawan & Staf".into(),
            row: 300_000,
            limit: 200_001
        })
    );
    let wide = SPREADSHEET_ML.replace(
        "<Cell ss:Index=\"4\"><Data ss:Type=\"Number\">",
        "<Cell ss:Index=\"300\"><Data ss:Type=\"Number\">",
    );
    assert!(matches!(
        read_workbook(wide.as_bytes(), Some("Karyawan & Staf"), &Limits::default()),
        Err(SheetError::TooManyColumns {
            column: 300,
            limit: 256,
            ..
        })
    ));

    // Line 16 closes a row inside an open cell.
    let damaged =
        SPREADSHEET_ML.replace("<Table>\n   <Row><Cell>", "<Table>\n   <Row><Cell></Row>");
    let error = read(damaged.as_bytes()).unwrap_err();
    assert_eq!(error, SheetError::XmlSpreadsheetDamaged { line: 16 });
    let english = error.message(Lang::En);
    assert!(
        english.contains("XML Spreadsheet 2003") && english.contains("line 16"),
        "{english}"
    );
    assert!(english.contains("save it as .xlsx"), "{english}");
    let indonesian = error.message(Lang::Id);
    assert!(indonesian.contains("rusak di baris 16"), "{indonesian}");
    assert!(indonesian.contains("simpan sebagai .xlsx"), "{indonesian}");
}

/// The start of an Excel 2, 3 or 4 file: a BOF record (type, length,
/// version, sheet type), then EOF.
fn biff(bof: u16, length: u16) -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend(bof.to_le_bytes());
    bytes.extend(length.to_le_bytes());
    bytes.extend([0x00, 0x00, 0x10, 0x00]);
    bytes.resize(4 + usize::from(length), 0);
    bytes.extend([0x0A, 0x00, 0x00, 0x00]);
    bytes
}

#[test]
fn excel_2_3_and_4_files_are_named_with_what_to_do_in_both_languages() {
    for (version, bytes) in [
        ("BIFF2", biff(0x0009, 4)),
        ("BIFF3", biff(0x0209, 6)),
        ("BIFF4", biff(0x0409, 6)),
    ] {
        let error = Import::from_bytes(&bytes).unwrap_err();
        assert_eq!(error, ImportError::Sheet(SheetError::OldExcel), "{version}");
        let english = error.message(Lang::En);
        assert!(
            english.contains("Excel 2–4 file (from before 1997)"),
            "{english}"
        );
        assert!(
            english.contains("save it as an Excel workbook (.xlsx)"),
            "{english}"
        );
        let indonesian = error.message(Lang::Id);
        assert!(indonesian.contains("berkas Excel 2–4"), "{indonesian}");
        assert!(
            indonesian.contains("simpan sebagai workbook Excel (.xlsx)"),
            "{indonesian}"
        );
    }
}

#[test]
fn a_plain_csv_is_still_a_csv_even_when_a_cell_mentions_a_table() {
    let csv = "employeeID,name,note\r\nE1,Ani,\"<table> and <html> in a note\"\r\n";
    let import = open(csv.as_bytes());
    assert_eq!(import.format, Format::Delimited { delimiter: b',' });
    assert_eq!(import.sheet.name, "CSV");
    assert_eq!(
        import.sheet.rows[1].cells[2],
        CellValue::Text("<table> and <html> in a note".into())
    );
    // A CSV whose first value is in angle brackets is a CSV too.
    let angled = "<NIK>;<Nama>\r\nK1;Ani\r\n";
    assert_eq!(
        read(angled.as_bytes()).unwrap().format,
        Format::Delimited { delimiter: b';' }
    );
    // Tab-separated text that starts with a tab is not an Excel 2 file.
    let tabbed = "\temployeeID\tname\r\n\tE1\tAni\r\n";
    assert_eq!(
        read(tabbed.as_bytes()).unwrap().format,
        Format::Delimited { delimiter: b'\t' }
    );
}
