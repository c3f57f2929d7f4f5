//! Writing workbooks in the browser with rust_xlsxwriter. Kept out of the
//! core because writing stamps the file with the current time.

use employee_import::export::Table;
use employee_import::template::ReferenceSheets;
use employee_import::template::Template;
use employee_import::Field;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, Formula, Note, Workbook, XlsxError,
};

/// The template as .xlsx bytes: the data sheet with headers and an example
/// row, and a sheet explaining each column's rule.
pub fn template_xlsx(template: &Template) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let wrap = Format::new().set_text_wrap();
    // The example row looks like one: grey italic, with a note saying it
    // is never sent.
    let example = Format::new().set_italic().set_font_color("#6B7280");
    let example_text = example.clone().set_num_format("@");

    let data = workbook.add_worksheet().set_name(template.data_sheet)?;
    for (index, column) in template.columns.iter().enumerate() {
        let col = index as u16;
        data.set_column_width(col, 22)?;
        if column.text_format {
            // Text cells keep leading zeros that number cells would drop.
            data.set_column_format(col, &text)?;
        }
        data.write_string_with_format(0, col, &column.header, &bold)?;
        if !column.example.is_empty() {
            let format = if column.text_format {
                &example_text
            } else {
                &example
            };
            data.write_string_with_format(1, col, column.example, format)?;
        }
        if column.boolean {
            let validation = DataValidation::new()
                .allow_list_strings(&["TRUE", "FALSE"])?
                .set_input_message(column.rule.as_str())?;
            data.add_data_validation(1, col, 10_000, col, &validation)?;
        }
        if let (Field::OrganizationSerial, Some(reference)) = (column.field, &template.reference) {
            // A dropdown of what to type for each organization; a serial or
            // another path is still accepted (with a note, not refused).
            let rows = reference.organizations.len().max(1) + 1;
            let list = format!("='{}'!$D$2:$D${rows}", reference.organizations_sheet);
            let validation = DataValidation::new()
                .allow_list_formula(Formula::new(list))
                .set_error_style(DataValidationErrorStyle::Information)
                .set_input_message(column.rule.as_str())?;
            data.add_data_validation(1, col, 10_000, col, &validation)?;
        }
    }
    data.insert_note(
        1,
        0,
        &Note::new(template.example_note).set_author("Ruangkerja"),
    )?;
    data.set_freeze_panes(1, 0)?;

    let rules = workbook.add_worksheet().set_name(template.rules_sheet)?;
    rules.set_column_width(0, 22)?;
    rules.set_column_width(1, 10)?;
    rules.set_column_width(2, 80)?;
    for (col, title) in template.rules_headers.iter().enumerate() {
        rules.write_string_with_format(0, col as u16, *title, &bold)?;
    }
    for (index, column) in template.columns.iter().enumerate() {
        let row = index as u32 + 1;
        rules.write_string(row, 0, &column.header)?;
        rules.write_string(row, 1, if column.required { "✓" } else { "" })?;
        rules.write_string_with_format(row, 2, &column.rule, &wrap)?;
    }
    if let Some(reference) = &template.reference {
        reference_sheets(&mut workbook, reference, &bold)?;
    }
    workbook.save_to_buffer()
}

/// The organizations as an indented tree, and the tags, with serials.
fn reference_sheets(
    workbook: &mut Workbook,
    reference: &ReferenceSheets,
    bold: &Format,
) -> Result<(), XlsxError> {
    let orgs = workbook
        .add_worksheet()
        .set_name(reference.organizations_sheet)?;
    for (col, (title, width)) in reference
        .organizations_headers
        .iter()
        .zip([40, 16, 14, 44])
        .enumerate()
    {
        orgs.write_string_with_format(0, col as u16, *title, bold)?;
        orgs.set_column_width(col as u16, width)?;
    }
    for (index, line) in reference.organizations.iter().enumerate() {
        let row = index as u32 + 1;
        let indent = Format::new().set_indent(line.depth.min(15) as u8);
        orgs.write_string_with_format(row, 0, &line.name, &indent)?;
        orgs.write_string(row, 1, &line.serial)?;
        orgs.write_string(row, 2, line.active)?;
        orgs.write_string(row, 3, &line.to_type)?;
    }
    orgs.set_freeze_panes(1, 0)?;
    let tags = workbook.add_worksheet().set_name(reference.tags_sheet)?;
    for (col, title) in reference.tags_headers.iter().enumerate() {
        tags.write_string_with_format(0, col as u16, *title, bold)?;
        tags.set_column_width(col as u16, 36)?;
    }
    for (index, (name, serial)) in reference.tags.iter().enumerate() {
        tags.write_string(index as u32 + 1, 0, name)?;
        tags.write_string(index as u32 + 1, 1, serial)?;
    }
    tags.set_freeze_panes(1, 0)?;
    Ok(())
}

/// A table as one sheet, every cell written as text (never as a formula),
/// with a bold, frozen header row.
pub fn table_xlsx(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet().set_name(&table.sheet_name)?;
    for (col, header) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, header, &bold)?;
        sheet.set_column_width(col as u16, 20)?;
    }
    for (index, row) in table.rows.iter().enumerate() {
        for (col, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(index as u32 + 1, col as u16, cell)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}
