//! Judging every data row against the API's documented rules.
//!
//! Validation never fails because of a bad row: it returns every row with its
//! values and its issues, like a parser that returns `(tree, errors)`. Only a
//! sheet that cannot be read at all is an error, and that is decided earlier.

use std::collections::HashMap;

use crate::contract::CreateUserItem;
use crate::mapping::{ColumnMapping, Field};
use crate::sheet::{CellValue, Sheet, SheetRow};

/// Which bulk endpoint the rows are meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Create,
}

impl Mode {
    /// Fields the API requires in this mode.
    pub fn required_fields(self) -> &'static [Field] {
        match self {
            Mode::Create => &[Field::EmployeeId, Field::Name, Field::IsActive],
        }
    }
}

/// One data row's values, read from the mapped columns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserRow {
    /// The row number the user sees in their spreadsheet.
    pub number: u32,
    pub employee_id: Option<String>,
    pub name: Option<String>,
    pub username: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub password: Option<String>,
    pub is_active: Option<bool>,
    pub tag_serials: Vec<String>,
    pub organization_serial: Option<String>,
}

impl UserRow {
    /// The text shown for `field` in the preview. Passwords are never shown.
    pub fn display(&self, field: Field) -> String {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        match field {
            Field::EmployeeId => text(&self.employee_id),
            Field::Name => text(&self.name),
            Field::Username => text(&self.username),
            Field::Email => text(&self.email),
            Field::Phone => text(&self.phone),
            Field::Password if self.password.is_some() => "••••••".to_owned(),
            Field::Password | Field::NewEmployeeId => String::new(),
            Field::IsActive => self.is_active.map(|v| v.to_string()).unwrap_or_default(),
            Field::TagSerials => self.tag_serials.join(", "),
            Field::OrganizationSerial => text(&self.organization_serial),
        }
    }

    /// The API item for this row. Only meaningful for a row without errors;
    /// returns `None` when a required value is missing.
    pub fn to_create_item(&self) -> Option<CreateUserItem> {
        Some(CreateUserItem {
            employee_id: self.employee_id.clone()?,
            name: self.name.clone()?,
            username: self.username.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            password: self.password.clone(),
            is_active: self.is_active?,
            tag_serials: (!self.tag_serials.is_empty()).then(|| self.tag_serials.clone()),
            organization_serial: self.organization_serial.clone(),
        })
    }
}

/// What is wrong with a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum IssueKind {
    Missing,
    NotAlphanumeric,
    InvalidEmail,
    InvalidPhone,
    NotABoolean(String),
    EmailOrPhoneRequired,
    FormulaError(String),
    DuplicateInFile { other_rows: Vec<u32> },
}

/// One problem found in one row, pinned to the field's column.
#[derive(Debug, Clone, PartialEq)]
pub struct CellIssue {
    pub field: Field,
    pub kind: IssueKind,
}

impl CellIssue {
    /// What happened and what to do, in words an admin understands.
    pub fn message(&self) -> String {
        let field = self.field;
        match &self.kind {
            IssueKind::Missing => format!("{field} is required: fill it in."),
            IssueKind::NotAlphanumeric => {
                format!("{field} may contain only letters A-Z and digits 0-9: remove spaces and symbols.")
            }
            IssueKind::InvalidEmail => {
                "email is not a valid address: it should look like name@example.com.".to_owned()
            }
            IssueKind::InvalidPhone => {
                "phone may contain only digits, optionally starting with +, for example 6281122334455."
                    .to_owned()
            }
            IssueKind::NotABoolean(text) => {
                format!("{field} must be TRUE or FALSE (also yes/no, ya/tidak, 1/0), not \"{text}\".")
            }
            IssueKind::EmailOrPhoneRequired => {
                "Give an email or a phone: the API needs at least one of them.".to_owned()
            }
            IssueKind::FormulaError(error) => {
                format!("{field} holds the formula error {error}: fix the formula or type the value.")
            }
            IssueKind::DuplicateInFile { other_rows } => {
                let rows: Vec<String> = other_rows.iter().map(u32::to_string).collect();
                format!(
                    "{field} is also used in row {}: each employee may appear only once.",
                    rows.join(", ")
                )
            }
        }
    }
}

/// One data row with its values and issues.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub row: UserRow,
    pub issues: Vec<CellIssue>,
}

impl ReportRow {
    pub fn is_valid(&self) -> bool {
        self.issues.is_empty()
    }
}

/// Every data row of the sheet, judged.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationReport {
    pub mode: Mode,
    pub mapping: ColumnMapping,
    /// Required fields that no column feeds.
    pub missing_fields: Vec<Field>,
    pub rows: Vec<ReportRow>,
}

impl ValidationReport {
    pub fn valid_rows(&self) -> impl Iterator<Item = &ReportRow> {
        self.rows.iter().filter(|row| row.is_valid())
    }
}

/// Validates the data rows (all rows after the header row) of `sheet`.
pub fn validate(
    sheet: &Sheet,
    header_row: u32,
    mapping: &ColumnMapping,
    mode: Mode,
) -> ValidationReport {
    let missing_fields = mode
        .required_fields()
        .iter()
        .copied()
        .filter(|field| mapping.column_of(*field).is_none())
        .collect();
    let mut rows: Vec<ReportRow> = sheet
        .rows
        .iter()
        .filter(|row| row.number > header_row)
        .map(|row| judge_row(row, mapping, mode))
        .collect();
    flag_duplicates(&mut rows, Field::EmployeeId, |row| {
        row.employee_id.as_deref()
    });
    flag_duplicates(&mut rows, Field::Username, |row| row.username.as_deref());
    flag_duplicates(&mut rows, Field::Email, |row| row.email.as_deref());
    ValidationReport {
        mode,
        mapping: mapping.clone(),
        missing_fields,
        rows,
    }
}

fn judge_row(sheet_row: &SheetRow, mapping: &ColumnMapping, mode: Mode) -> ReportRow {
    let mut issues = Vec::new();
    let mut row = UserRow {
        number: sheet_row.number,
        ..UserRow::default()
    };
    for (column, field) in mapping.fields.iter().enumerate() {
        let Some(field) = *field else { continue };
        let cell = sheet_row.cell(column);
        if let CellValue::Error(error) = cell {
            issues.push(CellIssue {
                field,
                kind: IssueKind::FormulaError(error.clone()),
            });
            continue;
        }
        let text = cell.to_text();
        if text.is_empty() {
            continue;
        }
        match field {
            Field::EmployeeId => row.employee_id = Some(text),
            Field::Name => row.name = Some(text),
            Field::Username => row.username = Some(text),
            Field::Email => row.email = Some(text),
            Field::Phone => row.phone = Some(text),
            Field::Password => row.password = Some(text),
            Field::OrganizationSerial => row.organization_serial = Some(text),
            Field::TagSerials => row.tag_serials = split_tags(&text),
            Field::IsActive => match parse_bool(cell) {
                Some(value) => row.is_active = Some(value),
                None => issues.push(CellIssue {
                    field,
                    kind: IssueKind::NotABoolean(text),
                }),
            },
            // Create mode has no rename; the column is reported as ignored.
            Field::NewEmployeeId => {}
        }
    }
    for &field in mode.required_fields() {
        let present = match field {
            Field::EmployeeId => row.employee_id.is_some(),
            Field::Name => row.name.is_some(),
            Field::IsActive => row.is_active.is_some(),
            _ => true,
        };
        let already_flagged = issues.iter().any(|issue| issue.field == field);
        if !present && !already_flagged {
            issues.push(CellIssue {
                field,
                kind: IssueKind::Missing,
            });
        }
    }
    for (field, value) in [
        (Field::EmployeeId, &row.employee_id),
        (Field::Username, &row.username),
    ] {
        if value.as_deref().is_some_and(|v| !is_alphanumeric(v)) {
            issues.push(CellIssue {
                field,
                kind: IssueKind::NotAlphanumeric,
            });
        }
    }
    if row.email.as_deref().is_some_and(|email| !is_email(email)) {
        issues.push(CellIssue {
            field: Field::Email,
            kind: IssueKind::InvalidEmail,
        });
    }
    if row.phone.as_deref().is_some_and(|phone| !is_phone(phone)) {
        issues.push(CellIssue {
            field: Field::Phone,
            kind: IssueKind::InvalidPhone,
        });
    }
    if row.email.is_none() && row.phone.is_none() {
        issues.push(CellIssue {
            field: Field::Email,
            kind: IssueKind::EmailOrPhoneRequired,
        });
    }
    ReportRow { row, issues }
}

/// Flags every row whose `key` another row also has, naming the others.
fn flag_duplicates(rows: &mut [ReportRow], field: Field, key: impl Fn(&UserRow) -> Option<&str>) {
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, report_row) in rows.iter().enumerate() {
        if let Some(value) = key(&report_row.row) {
            // The API treats IDs and addresses case-insensitively in practice;
            // flag case variants too rather than let the server decide.
            by_key.entry(value.to_lowercase()).or_default().push(index);
        }
    }
    for indices in by_key.into_values().filter(|indices| indices.len() > 1) {
        let numbers: Vec<u32> = indices.iter().map(|&i| rows[i].row.number).collect();
        for &index in &indices {
            let own = rows[index].row.number;
            rows[index].issues.push(CellIssue {
                field,
                kind: IssueKind::DuplicateInFile {
                    other_rows: numbers.iter().copied().filter(|n| *n != own).collect(),
                },
            });
        }
    }
}

fn is_alphanumeric(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(char::is_whitespace)
}

fn is_phone(text: &str) -> bool {
    let digits = text.strip_prefix('+').unwrap_or(text);
    (6..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
}

fn parse_bool(cell: &CellValue) -> Option<bool> {
    match cell {
        CellValue::Bool(value) => Some(*value),
        CellValue::Number(number) if *number == 1.0 => Some(true),
        CellValue::Number(number) if *number == 0.0 => Some(false),
        CellValue::Text(text) => match text.trim().to_lowercase().as_str() {
            "true" | "yes" | "ya" | "y" | "1" | "aktif" | "active" => Some(true),
            "false" | "no" | "tidak" | "n" | "0" | "nonaktif" | "tidak aktif" | "inactive" => {
                Some(false)
            }
            _ => None,
        },
        _ => None,
    }
}

fn split_tags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in text.split([',', ';', '\n']).map(str::trim) {
        if !tag.is_empty() && !tags.iter().any(|seen| seen == tag) {
            tags.push(tag.to_owned());
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::map_headers;

    fn sheet(rows: &[&[&str]]) -> Sheet {
        Sheet {
            name: "Sheet1".into(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(index, cells)| SheetRow {
                    number: index as u32 + 1,
                    cells: cells
                        .iter()
                        .map(|text| {
                            if text.is_empty() {
                                CellValue::Empty
                            } else {
                                CellValue::Text(text.to_string())
                            }
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    fn report(rows: &[&[&str]]) -> ValidationReport {
        let sheet = sheet(rows);
        let headers: Vec<String> = sheet.rows[0].cells.iter().map(CellValue::to_text).collect();
        validate(&sheet, 1, &map_headers(&headers), Mode::Create)
    }

    fn kinds(row: &ReportRow) -> Vec<(Field, IssueKind)> {
        row.issues
            .iter()
            .map(|issue| (issue.field, issue.kind.clone()))
            .collect()
    }

    const HEADER: &[&str] = &[
        "employeeID",
        "name",
        "email",
        "phone",
        "isActive",
        "tagSerials",
    ];

    #[test]
    fn a_complete_row_becomes_the_documented_create_item() {
        let report = report(&[
            HEADER,
            &["E1", "Ani", "ani@example.com", "", "ya", "T1; T2, T1"],
        ]);
        let row = &report.rows[0];
        assert!(row.is_valid(), "{:?}", row.issues);
        assert_eq!(row.row.number, 2);
        let item = row.row.to_create_item().unwrap();
        assert_eq!(item.employee_id, "E1");
        assert!(item.is_active);
        assert_eq!(
            item.tag_serials,
            Some(vec!["T1".to_string(), "T2".to_string()])
        );
        assert_eq!(item.phone, None);
    }

    #[test]
    fn each_broken_rule_is_an_issue_on_its_field() {
        let report = report(&[HEADER, &["E 1", "", "not-an-email", "08-12", "maybe", ""]]);
        assert_eq!(
            kinds(&report.rows[0]),
            [
                (Field::IsActive, IssueKind::NotABoolean("maybe".into())),
                (Field::Name, IssueKind::Missing),
                (Field::EmployeeId, IssueKind::NotAlphanumeric),
                (Field::Email, IssueKind::InvalidEmail),
                (Field::Phone, IssueKind::InvalidPhone),
            ]
        );
    }

    #[test]
    fn a_row_needs_an_email_or_a_phone() {
        let report = report(&[
            HEADER,
            &["E1", "Ani", "", "", "TRUE", ""],
            &["E2", "Budi", "", "6281122334455", "FALSE", ""],
        ]);
        assert_eq!(
            kinds(&report.rows[0]),
            [(Field::Email, IssueKind::EmailOrPhoneRequired)]
        );
        assert!(report.rows[1].is_valid());
    }

    #[test]
    fn duplicate_employee_ids_are_flagged_on_every_row_naming_the_others() {
        let report = report(&[
            HEADER,
            &["E1", "Ani", "a@x.id", "", "1", ""],
            &["E2", "Budi", "b@x.id", "", "1", ""],
            &["e1", "Citra", "c@x.id", "", "1", ""],
        ]);
        assert_eq!(
            kinds(&report.rows[0]),
            [(
                Field::EmployeeId,
                IssueKind::DuplicateInFile {
                    other_rows: vec![4]
                }
            )]
        );
        assert!(report.rows[1].is_valid());
        assert_eq!(
            report.rows[2].issues[0].message(),
            "employeeID is also used in row 2: each employee may appear only once."
        );
    }

    #[test]
    fn required_fields_without_a_column_are_reported() {
        let report = report(&[&["employeeID", "email"], &["E1", "a@x.id"]]);
        assert_eq!(report.missing_fields, [Field::Name, Field::IsActive]);
    }
}
