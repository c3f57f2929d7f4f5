//! Properties that must hold for any input, checked with proptest.

use employee_import::{
    map_headers, read_workbook, validate, CellValue, Limits, Mode, Sheet, SheetRow,
};
use proptest::prelude::*;

/// A value a user could type into a cell.
#[derive(Debug, Clone)]
enum Typed {
    Text(String),
    Number(f64),
    Bool(bool),
}

fn typed() -> impl Strategy<Value = Typed> {
    prop_oneof![
        // Printable text with at least one visible character.
        "[^\\p{C}\\s][^\\p{C}]{0,40}".prop_map(Typed::Text),
        (-1.0e15f64..1.0e15).prop_map(Typed::Number),
        any::<i64>().prop_map(|n| Typed::Number((n >> 12) as f64)),
        any::<bool>().prop_map(Typed::Bool),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn validation_never_panics_on_arbitrary_cells(
        headers in proptest::collection::vec("\\PC{0,12}|employeeID|name|email|phone|isActive|tagSerials|newEmployeeID|NIK|Aktif", 1..8),
        cells in proptest::collection::vec(proptest::collection::vec(".{0,30}", 0..8), 0..20),
        update in any::<bool>(),
    ) {
        let mut rows = vec![SheetRow { number: 1, cells: headers.iter().cloned().map(CellValue::Text).collect() }];
        for (index, row) in cells.into_iter().enumerate() {
            rows.push(SheetRow { number: index as u32 + 2, cells: row.into_iter().map(CellValue::Text).collect() });
        }
        let row_count = rows.len() - 1;
        let sheet = Sheet { name: "S".into(), rows };
        let mode = if update { Mode::Update } else { Mode::Create };
        let report = validate(&sheet, 1, &map_headers(&headers), mode);
        prop_assert_eq!(report.rows.len(), row_count);
        for row in &report.rows {
            for issue in &row.issues {
                prop_assert!(!issue.message(employee_import::Lang::En).is_empty());
                prop_assert!(!issue.message(employee_import::Lang::Id).is_empty());
            }
        }
    }

    #[test]
    fn values_written_to_an_xlsx_read_back_identical(
        grid in proptest::collection::vec(proptest::collection::vec(typed(), 1..6), 1..12),
    ) {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for (r, row) in grid.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match value {
                    Typed::Text(text) => sheet.write_string(r, c, text).map(|_| ()),
                    Typed::Number(number) => sheet.write_number(r, c, *number).map(|_| ()),
                    Typed::Bool(value) => sheet.write_boolean(r, c, *value).map(|_| ()),
                }
                .unwrap();
            }
        }
        let bytes = workbook.save_to_buffer().unwrap();
        let read = read_workbook(&bytes, None, &Limits::default()).unwrap().sheet;
        prop_assert_eq!(read.rows.len(), grid.len());
        for (row, expected) in read.rows.iter().zip(&grid) {
            for (column, value) in expected.iter().enumerate() {
                let want = match value {
                    Typed::Text(text) => CellValue::Text(text.clone()),
                    Typed::Number(number) => CellValue::Number(*number),
                    Typed::Bool(value) => CellValue::Bool(*value),
                };
                prop_assert_eq!(row.cell(column), &want);
            }
        }
    }

    #[test]
    fn values_written_to_a_csv_read_back_identical(
        // Semicolons are left out: a file whose every line holds the same
        // number of them is ambiguous to any sniffer.
        grid in proptest::collection::vec(proptest::collection::vec("[^\\p{C}\\s;][^\\p{C};]{0,20}", 2..5), 1..12),
    ) {
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        for row in &grid {
            writer.write_record(row).unwrap();
        }
        let bytes = writer.into_inner().unwrap();
        let read = read_workbook(&bytes, None, &Limits::default()).unwrap().sheet;
        prop_assert_eq!(read.rows.len(), grid.len());
        for (row, expected) in read.rows.iter().zip(&grid) {
            let texts: Vec<String> = row.cells.iter().map(|cell| match cell {
                CellValue::Text(text) => text.clone(),
                other => format!("{other:?}"),
            }).collect();
            prop_assert_eq!(&texts, expected);
        }
    }
}
