//! Result files, as plain tables: the admin's own sheet (every column, in
//! its order, under its headers) with each row's outcome added, and the
//! same for the rows still to do, ready to fix and upload again. The shell
//! writes them as .xlsx (text cells, exactly as typed); CSV is written
//! here.
//!
//! Every exported cell that a spreadsheet program could take for a formula
//! is neutralised (OWASP "CSV injection"), and passwords are never exported.

use std::borrow::Cow;

use crate::import::Import;
use crate::lang::Lang;
use crate::ledger::{FoundUser, RowState};
use crate::mapping::Field;
use crate::preflight::{Assessment, Operation};

/// A sheet of text cells.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Table {
    pub sheet_name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The cell as it may safely be exported. A cell starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading apostrophe, so no
/// spreadsheet program runs it. A plain signed number (`+6281122334455`,
/// `-5`) cannot run and is left as it is, so phone numbers survive a round
/// trip.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    let Some(first) = text.chars().next() else {
        return Cow::Borrowed(text);
    };
    if !matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') {
        return Cow::Borrowed(text);
    }
    let rest = &text[first.len_utf8()..];
    let plain_number = matches!(first, '+' | '-')
        && !rest.is_empty()
        && rest.chars().all(|c| c.is_ascii_digit() || c == '.')
        && rest.chars().filter(|&c| c == '.').count() <= 1;
    if plain_number {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!("'{text}"))
    }
}

/// The admin's sheet as a table: every column in its order under its own
/// header (but the password's), for the rows `keep` chooses, with Result,
/// Serial (when `serials`) and Reason columns added in the page's
/// language, and the e-mail change's when e-mails were changed. Cells are
/// the admin's text as it is now, edits included; `to_csv` neutralises
/// what a spreadsheet could run, and .xlsx cells are written as text.
fn sheet_with_outcomes(
    import: &Import,
    lang: Lang,
    serials: bool,
    keep: impl Fn(usize, &RowState) -> bool,
) -> Table {
    let emails_used = import
        .emails
        .rows()
        .iter()
        .any(|row| row.state != RowState::Excluded);
    let mapping = &import.report.mapping;
    let password = mapping.column_of(Field::Password);
    let kept: Vec<usize> = (0..mapping.headers.len())
        .filter(|c| Some(*c) != password)
        .collect();
    let mut headers: Vec<String> = kept.iter().map(|&c| mapping.headers[c].clone()).collect();
    let mut added = vec![lang.pick("Result", "Hasil")];
    if serials {
        added.push("Serial");
    }
    added.push(lang.pick("Reason", "Alasan"));
    if emails_used {
        added.push(lang.pick("E-mail change", "Perubahan email"));
    }
    for header in added {
        // A sheet with a column of the same name keeps it: ours is marked.
        let taken = headers
            .iter()
            .any(|h| h.trim().eq_ignore_ascii_case(header));
        headers.push(if taken {
            format!("{header} (Ruangkerja)")
        } else {
            header.to_owned()
        });
    }
    let rows = import
        .report
        .rows
        .iter()
        .zip(import.ledger.rows())
        .enumerate()
        .filter(|(index, (_, ledger_row))| keep(*index, &ledger_row.state))
        .map(|(index, (report_row, ledger_row))| {
            let sheet_row = import
                .sheet
                .rows
                .binary_search_by_key(&report_row.row.number, |r| r.number)
                .ok()
                .map(|i| &import.sheet.rows[i]);
            let mut cells: Vec<String> = kept
                .iter()
                .map(|&c| sheet_row.map(|r| r.cell(c).to_text()).unwrap_or_default())
                .collect();
            let (result, serial, reason) = outcome(import, index, &ledger_row.state, lang);
            cells.push(result);
            if serials {
                cells.push(serial);
            }
            cells.push(reason);
            if emails_used {
                cells.push(email_outcome(&import.emails.rows()[index].state, lang));
            }
            cells
        })
        .collect();
    Table {
        sheet_name: lang.pick("Results", "Hasil").to_owned(),
        headers,
        rows,
    }
}

/// Every row of the admin's sheet with its outcome: Result, Serial, Reason.
pub fn results_table(import: &Import, lang: Lang) -> Table {
    sheet_with_outcomes(import, lang, true, |_, _| true)
}

/// The rows not yet done (to fix, refused, not sent, unconfirmed, held back
/// by pre-flight), in the admin's own columns with Result and Reason, ready
/// to fix and upload again.
pub fn failed_rows_table(import: &Import, lang: Lang) -> Table {
    let mut table = sheet_with_outcomes(import, lang, false, |index, state| match state {
        RowState::Invalid
        | RowState::Rejected(_)
        | RowState::NotSent { .. }
        | RowState::Unconfirmed
        | RowState::Exists(_) => true,
        // Held back by pre-flight: the admin has to change something.
        RowState::Ready => matches!(
            import.assessment(index),
            Assessment::Exists { .. }
                | Assessment::NotFound
                | Assessment::RenameTaken { .. }
                | Assessment::CouldNotCheck { .. }
        ),
        _ => false,
    });
    table.sheet_name = import.sheet.name.clone();
    table
}

/// Who a lookup found, in one line.
pub fn describe_found(found: &FoundUser) -> String {
    [
        Some(&found.name),
        found.email.as_ref(),
        found.phone.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .collect::<Vec<_>>()
    .join(" · ")
}

/// (result, serial, reason) for the row at `index`: its state; for a row
/// not sent, what pre-flight found; for a row that needs fixing, its
/// validation messages; for a refusal, the plain explanation first and the
/// API's code and words after it.
fn outcome(
    import: &Import,
    index: usize,
    state: &RowState,
    lang: Lang,
) -> (String, String, String) {
    let report_row = &import.report.rows[index];
    let problems = || {
        report_row
            .issues
            .iter()
            .map(|i| i.message(lang))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let text = |en: &str, id: &str| lang.pick(en, id).to_owned();
    let status = |status: String, message: String| (status, String::new(), message);
    let update = import.outcome_operation(index) == Operation::Update;
    match state {
        RowState::Created { serial } if update => {
            (text("Updated", "Diperbarui"), serial.clone(), String::new())
        }
        RowState::Created { serial } => (text("Created", "Dibuat"), serial.clone(), String::new()),
        RowState::Applied if update => status(
            text(
                "Updated (confirmed by lookup)",
                "Diperbarui (dikonfirmasi lewat pencarian)",
            ),
            String::new(),
        ),
        RowState::Applied => status(
            text(
                "Created (confirmed by lookup)",
                "Dibuat (dikonfirmasi lewat pencarian)",
            ),
            String::new(),
        ),
        RowState::Exists(found) => status(
            text("ID exists, not confirmed", "ID sudah ada, tidak terkonfirmasi"),
            lang.pick(
                format!("An employee with this ID exists ({}); not confirmed as created by this import.", describe_found(found)),
                format!("Karyawan dengan ID ini sudah ada ({}); tidak terkonfirmasi dibuat oleh impor ini.", describe_found(found)),
            ),
        ),
        RowState::Rejected(error) => {
            let said = format!("{} {}: {}", error.error_code, error.message, error.detail);
            let reason = match crate::contract::codes::explain(error.error_code, lang) {
                Some(plain) => format!("{plain} ({said})"),
                None => said,
            };
            status(text("Refused", "Ditolak"), reason)
        }
        RowState::NotSent { reason } => status(text("Not sent", "Tidak terkirim"), reason.clone()),
        RowState::Unconfirmed => status(text("Unconfirmed", "Belum pasti"), String::new()),
        RowState::Invalid => status(text("Needs fixing", "Perlu diperbaiki"), problems()),
        RowState::Excluded => status(text("Excluded", "Dikecualikan"), String::new()),
        RowState::Sending => status(text("Sending", "Mengirim"), String::new()),
        RowState::Ready => match import.assessment(index) {
            Assessment::Exists { name } => status(
                text("Not sent: ID exists", "Tidak dikirim: ID sudah ada"),
                name,
            ),
            Assessment::NotFound => status(
                text("Not sent: ID not found", "Tidak dikirim: ID tidak ditemukan"),
                String::new(),
            ),
            Assessment::RenameTaken { name } => status(
                text(
                    "Not sent: new ID taken",
                    "Tidak dikirim: ID baru sudah dipakai",
                ),
                name,
            ),
            Assessment::Unchanged => status(text("No change", "Tidak ada perubahan"), String::new()),
            Assessment::CouldNotCheck { reason } => status(
                text(
                    "Not sent: could not check",
                    "Tidak dikirim: tidak dapat diperiksa",
                ),
                reason,
            ),
            _ => status(text("Not sent yet", "Belum dikirim"), String::new()),
        },
    }
}

/// The e-mail change's outcome for a row, in one cell.
fn email_outcome(state: &RowState, lang: Lang) -> String {
    let text = |en: &str, id: &str| lang.pick(en, id).to_owned();
    match state {
        RowState::Excluded => String::new(),
        RowState::Created { .. } | RowState::Applied => text("Changed", "Diubah"),
        RowState::Rejected(error) => format!(
            "{} {} {}: {}",
            text("Refused", "Ditolak"),
            error.error_code,
            error.message,
            error.detail
        ),
        RowState::NotSent { reason } => format!("{}: {reason}", text("Not sent", "Tidak terkirim")),
        RowState::Unconfirmed | RowState::Exists(_) => text("Unconfirmed", "Belum pasti"),
        RowState::Ready | RowState::Invalid => text("Not sent yet", "Belum dikirim"),
        RowState::Sending => text("Sending", "Mengirim"),
    }
}

/// The table as CSV, with a byte order mark so spreadsheet programs read
/// it as UTF-8.
/// Every cell and header a spreadsheet could run is neutralised here:
/// CSV is the one form in which text can become a formula.
pub fn to_csv(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(
        table
            .headers
            .iter()
            .map(|cell| neutralise(cell).into_owned()),
    )?;
    for row in &table.rows {
        writer.write_record(row.iter().map(|cell| neutralise(cell).into_owned()))?;
    }
    writer
        .into_inner()
        .map_err(|error| error.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::ApiErrorBody;
    use crate::sheet::{read_workbook, Limits};

    #[test]
    fn formula_like_cells_are_neutralised_and_signed_numbers_kept() {
        for (input, output) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(1,2)", "'@SUM(1,2)"),
            ("\tTAB", "'\tTAB"),
            ("\rCR", "'\rCR"),
            ("+6281122334455", "+6281122334455"),
            ("-5", "-5"),
            ("Ani", "Ani"),
            ("", ""),
        ] {
            assert_eq!(neutralise(input), output, "{input:?}");
        }
    }

    const CSV: &[u8] = b"employeeID,name,email,password,isActive\nE1,=HYPERLINK(\"http://evil\"),a@x.id,s3cret,TRUE\nE2,Budi,b@x.id,,TRUE\nE 3,Citra,c@x.id,,TRUE\n";

    fn sent_import() -> Import {
        sent(CSV)
    }

    /// The sheet with its row 2 created and row 3 refused.
    fn sent(csv: &[u8]) -> Import {
        let mut import = Import::from_bytes(csv).unwrap();
        import.ledger.set_state(
            2,
            RowState::Created {
                serial: "OPENAPI1".into(),
            },
        );
        import.ledger.set_state(
            3,
            RowState::Rejected(ApiErrorBody {
                error_code: 10102,
                message: "USER_EMAIL_EXISTS".into(),
                detail: "user email already been taken".into(),
            }),
        );
        import
    }

    #[test]
    fn a_formula_in_a_header_of_the_sheet_is_neutralised_in_the_results() {
        let csv = "employeeID,name,email,isActive,=HYPERLINK(\"http://x\")\nE1,Ani,a@x.id,TRUE,1\n";
        let import = Import::from_bytes(csv.as_bytes()).unwrap();
        let table = results_table(&import, Lang::En);
        // As typed in the table (an .xlsx cell is text); neutralised in CSV.
        assert!(
            table
                .headers
                .contains(&"=HYPERLINK(\"http://x\")".to_owned()),
            "{:?}",
            table.headers
        );
        let written = String::from_utf8(to_csv(&table).unwrap()).unwrap();
        assert!(
            written.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
            "{written}"
        );
    }

    #[test]
    fn the_results_carry_every_row_with_its_outcome_and_no_password() {
        let table = results_table(&sent_import(), Lang::En);
        assert_eq!(
            table.headers,
            [
                "employeeID",
                "name",
                "email",
                "isActive",
                "Result",
                "Serial",
                "Reason"
            ]
        );
        assert_eq!(
            table.rows[0],
            [
                "E1",
                "=HYPERLINK(\"http://evil\")",
                "a@x.id",
                "TRUE",
                "Created",
                "OPENAPI1",
                ""
            ]
        );
        // A refusal leads with the plain words; the API's follow.
        let reason = &table.rows[1][6];
        assert!(
            reason.starts_with("Another user already has this e-mail address."),
            "{reason}"
        );
        assert!(
            reason.ends_with("(10102 USER_EMAIL_EXISTS: user email already been taken)"),
            "{reason}"
        );
        assert_eq!(table.rows[2][4], "Needs fixing");
        assert!(table
            .rows
            .iter()
            .flatten()
            .all(|cell| !cell.contains("s3cret")));

        // Read back through the importer: the CSV has the same cells, the
        // formula neutralised.
        let csv = to_csv(&table).unwrap();
        let read = read_workbook(&csv, None, &Limits::default()).unwrap().sheet;
        assert_eq!(read.rows.len(), 4);
        assert_eq!(
            read.rows[1].cells[1].to_text(),
            "'=HYPERLINK(\"http://evil\")"
        );
        assert_eq!(read.rows[1].cells[5].to_text(), "OPENAPI1");

        let indonesian = results_table(&sent_import(), Lang::Id);
        assert_eq!(indonesian.headers[4..], ["Hasil", "Serial", "Alasan"]);
    }

    #[test]
    fn a_sheet_with_its_own_status_or_result_column_keeps_it_beside_ours() {
        let csv = "NIK,Nama,Email,Aktif,Result,Status\nE1,Ani,a@x.id,ya,tetap,kontrak\n";
        let import = Import::from_bytes(csv.as_bytes()).unwrap();
        let table = results_table(&import, Lang::En);
        assert_eq!(
            table.headers,
            [
                "NIK",
                "Nama",
                "Email",
                "Aktif",
                "Result",
                "Status",
                "Result (Ruangkerja)",
                "Serial",
                "Reason"
            ]
        );
    }

    #[test]
    fn the_rows_to_fix_keep_the_admins_columns_and_read_back_as_an_import() {
        let csv = "NIK,Nama,Surel,Aktif,Jabatan,Tgl Masuk\nE1,Ani,a@x.id,ya,Staf,2024-01-02\nE2,Budi,b@x.id,ya,Manajer,2024-02-03\nE 3,Citra,c@x.id,ya,Staf,2024-03-04\n";
        let import = sent(csv.as_bytes());
        let table = failed_rows_table(&import, Lang::Id);
        assert_eq!(
            table.headers,
            [
                "NIK",
                "Nama",
                "Surel",
                "Aktif",
                "Jabatan",
                "Tgl Masuk",
                "Hasil",
                "Alasan"
            ]
        );
        assert_eq!(table.sheet_name, import.sheet.name);
        let ids: Vec<&str> = table.rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(ids, ["E2", "E 3"]);
        assert_eq!(table.rows[0][4..6], ["Manajer", "2024-02-03"]);
        let csv = to_csv(&table).unwrap();
        let again = Import::from_bytes(&csv).unwrap();
        assert_eq!(again.report.rows.len(), 2);
        assert!(
            again.report.rows[0].is_valid(),
            "{:?}",
            again.report.rows[0].issues
        );
        assert_eq!(
            again.report.mapping.ignored_headers().collect::<Vec<_>>(),
            ["Jabatan", "Tgl Masuk", "Hasil", "Alasan"]
        );
    }
}
