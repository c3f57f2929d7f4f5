//! Files saved by a real office suite (LibreOffice, see fixtures/make-fixtures.sh)
//! read identically whatever their format.

use employee_import::{Field, Format, Import, IssueKind, Mode};

fn open(name: &str) -> Import {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap();
    Import::from_bytes(&bytes).unwrap_or_else(|error| panic!("{name}: {error}"))
}

#[test]
fn libreoffice_xlsx_xls_and_ods_read_the_same_rows() {
    for (name, format) in [
        ("employees.xlsx", Format::Xlsx),
        ("employees.xlsm", Format::Xlsx),
        ("employees.xls", Format::Xls),
        ("employees.ods", Format::Ods),
    ] {
        let import = open(name);
        assert_eq!(import.format, format, "{name}");
        let sheets: Vec<(&str, bool)> = import
            .sheets
            .iter()
            .map(|s| (s.name.as_str(), s.hidden))
            .collect();
        assert_eq!(
            sheets,
            [("Petunjuk", false), ("Lookup", true), ("Karyawan", false)],
            "{name}"
        );
        // The first visible sheet is an instructions sheet without a header
        // row; the importer passes over it to the first one with a header.
        assert_eq!(import.sheet.name, "Karyawan", "{name}");
    }
}

#[test]
fn the_employee_sheet_reads_with_exact_values_in_every_format() {
    for name in [
        "employees.xlsx",
        "employees.xlsm",
        "employees.xls",
        "employees.ods",
    ] {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap();
        let options = employee_import::ImportOptions {
            sheet: Some("Karyawan".into()),
            ..Default::default()
        };
        let import = Import::open(&bytes, &options).unwrap();
        assert_eq!(import.header_row, 3, "{name}");
        assert_eq!(import.report.mode, Mode::Create);
        let rows = &import.report.rows;
        let numbers: Vec<u32> = rows.iter().map(|r| r.row.number).collect();
        assert_eq!(
            numbers,
            [4, 5, 7],
            "{name}: blank rows are skipped, numbers kept"
        );

        let ani = &rows[0].row;
        assert_eq!(ani.employee_id.as_deref(), Some("00123"), "{name}");
        assert_eq!(ani.phone.as_deref(), Some("6281122334455"), "{name}");
        assert_eq!(ani.is_active, Some(true), "{name}");
        assert_eq!(
            ani.tag_serials,
            ["RUKRTAG-9WHL0JGP", "RUKRTAG-ABCD1234"],
            "{name}"
        );
        assert!(rows[0].issues.is_empty(), "{name}: {:?}", rows[0].issues);

        let budi = &rows[1];
        assert_eq!(budi.row.employee_id.as_deref(), Some("124"), "{name}");
        assert_eq!(budi.row.is_active, Some(false), "{name}");
        let kinds: Vec<(Field, IssueKind)> = budi
            .issues
            .iter()
            .map(|i| (i.field, i.kind.clone()))
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    Field::EmployeeId,
                    IssueKind::LeadingZeroLost {
                        proposed: "00124".into()
                    }
                ),
                (
                    Field::Phone,
                    IssueKind::LocalPhoneNumber {
                        proposed: "6281122334456".into()
                    }
                ),
            ],
            "{name}"
        );
        assert_eq!(rows[2].row.is_active, Some(true), "{name}");
        assert_eq!(
            import.report.mapping.ignored_headers().collect::<Vec<_>>(),
            ["Tanggal Masuk"],
            "{name}"
        );
    }
}
