//! Judging every data row against the API's documented rules.
//!
//! Validation never fails because of a bad row: it returns every row with its
//! values and its issues, like a parser that returns `(tree, errors)`. Only a
//! sheet that cannot be read at all is an error, and that is decided earlier.
//!
//! Values are never changed silently. Where a value is probably not what the
//! user meant (a local phone number, a leading zero lost to a number cell),
//! the issue is a warning carrying the proposed value; the row still goes out
//! as typed unless the user takes the proposal.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::contract::CreateUserItem;
use crate::duplicates::{self, KeyHashes};
use crate::lang::Lang;
use crate::mapping::{ColumnMapping, Field};
use crate::names::{looks_like_org_serial, looks_like_tag_serial, split_tags, Names, Resolution};
use crate::sheet::{CellValue, Sheet, SheetRow};

/// Which bulk endpoint the rows are meant for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Create,
    Update,
}

/// What a cell holds to clear a stored value on purpose in an update. An
/// empty cell keeps the stored value (see `preflight::update_item`).
pub const CLEAR_MARKER: &str = "#CLEAR";

/// Fields an update can clear with [`CLEAR_MARKER`]: the update item's
/// optional fields.
pub const CLEARABLE: [Field; 3] = [Field::Username, Field::Phone, Field::TagSerials];

impl Mode {
    /// Fields a row must have in this mode. An update needs only the
    /// employee ID: an empty cell keeps the value Ruangkerja holds, which
    /// pre-flight reads before anything is sent.
    pub fn required_fields(self) -> &'static [Field] {
        match self {
            Mode::Create => &[Field::EmployeeId, Field::Name, Field::IsActive],
            Mode::Update => &[Field::EmployeeId],
        }
    }

    /// Fields this mode takes from the sheet at all.
    pub fn accepts(self, field: Field) -> bool {
        match self {
            Mode::Create => field != Field::NewEmployeeId,
            // The docs' update item has no email, password or organization;
            // an e-mail column feeds the separate, opt-in e-mail change
            // (`update-email-bulk`), which never sends a password.
            Mode::Update => !matches!(field, Field::Password | Field::OrganizationSerial),
        }
    }

    /// The mode the columns suggest: a rename column means an update.
    pub fn suggested_by(mapping: &ColumnMapping) -> Mode {
        if mapping.column_of(Field::NewEmployeeId).is_some() {
            Mode::Update
        } else {
            Mode::Create
        }
    }
}

/// One data row's values, read from the mapped columns.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
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
    pub new_employee_id: Option<String>,
    /// The name (a path where names repeat) of the organization the cell
    /// resolved to, shown beside its serial; never sent.
    #[serde(default)]
    pub organization_name: Option<String>,
    /// The names of the tags the cell resolved to, in order; never sent.
    #[serde(default)]
    pub tag_names: Vec<String>,
    /// Fields whose cell holds [`CLEAR_MARKER`] (update mode only).
    pub cleared: Vec<Field>,
    /// Fields whose value was tidied from the sheet's text by a change
    /// that cannot alter its meaning (see [`tidy_phone`]): the value sent
    /// differs from what the cell shows.
    pub tidied: Vec<Field>,
}

impl UserRow {
    fn text_mut(&mut self, field: Field) -> Option<&mut Option<String>> {
        match field {
            Field::EmployeeId => Some(&mut self.employee_id),
            Field::Name => Some(&mut self.name),
            Field::Username => Some(&mut self.username),
            Field::Email => Some(&mut self.email),
            Field::Phone => Some(&mut self.phone),
            Field::Password => Some(&mut self.password),
            Field::OrganizationSerial => Some(&mut self.organization_serial),
            Field::NewEmployeeId => Some(&mut self.new_employee_id),
            Field::IsActive | Field::TagSerials => None,
        }
    }

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
            Field::Password => String::new(),
            Field::IsActive => self.is_active.map(|v| v.to_string()).unwrap_or_default(),
            Field::TagSerials => self.tag_serials.join(", "),
            Field::OrganizationSerial => text(&self.organization_serial),
            Field::NewEmployeeId => text(&self.new_employee_id),
        }
    }

    /// Whether the row clears `field` on purpose.
    pub fn clears(&self, field: Field) -> bool {
        self.cleared.contains(&field)
    }

    /// The create item for this row; `None` when a required value is missing.
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

/// Whether an issue stops the row from being sent.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    Error,
    Warning,
}

/// What is wrong with a cell.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum IssueKind {
    Missing,
    NotAlphanumeric,
    InvalidEmail,
    /// Not a phone number even once tidied (see [`tidy_phone`]): a letter
    /// among the digits, or too few or too many digits.
    InvalidPhone,
    NotABoolean(String),
    EmailOrPhoneRequired,
    FormulaError(String),
    DuplicateInFile {
        other_rows: Vec<u32>,
    },
    /// A local number (08…) where the API's examples use 628….
    LocalPhoneNumber {
        proposed: String,
    },
    /// A number cell that probably lost the leading zero the user typed.
    LeadingZeroLost {
        proposed: String,
    },
    /// No tag or organization has this name or serial (see `names`); up
    /// to three close ones.
    UnknownName {
        value: String,
        suggestions: Vec<String>,
    },
    /// Several organizations have this name: each one's path.
    AmbiguousName {
        value: String,
        paths: Vec<String>,
    },
    /// The organization is inactive in Ruangkerja.
    InactiveOrganization {
        path: String,
    },
    /// A name, where the lists to resolve it are not loaded: it cannot be
    /// sent as a name.
    NameNotLooked {
        value: String,
    },
    /// [`CLEAR_MARKER`] where nothing can be cleared: in a create, or in a
    /// field an update cannot leave empty.
    CannotClear,
    /// The template's own example row (its employee ID and name): it shows
    /// how to fill a row and is never sent.
    TemplateExample,
}

impl IssueKind {
    /// A stable code for counting and filtering.
    pub fn code(&self) -> &'static str {
        match self {
            IssueKind::Missing => "missing",
            IssueKind::NotAlphanumeric => "not_alphanumeric",
            IssueKind::InvalidEmail => "invalid_email",
            IssueKind::InvalidPhone => "invalid_phone",
            IssueKind::NotABoolean(_) => "not_a_boolean",
            IssueKind::EmailOrPhoneRequired => "email_or_phone_required",
            IssueKind::FormulaError(_) => "formula_error",
            IssueKind::DuplicateInFile { .. } => "duplicate_in_file",
            IssueKind::LocalPhoneNumber { .. } => "local_phone_number",
            IssueKind::LeadingZeroLost { .. } => "leading_zero_lost",
            IssueKind::CannotClear => "cannot_clear",
            IssueKind::TemplateExample => "template_example",
            IssueKind::UnknownName { .. } => "unknown_name",
            IssueKind::AmbiguousName { .. } => "ambiguous_name",
            IssueKind::InactiveOrganization { .. } => "inactive_organization",
            IssueKind::NameNotLooked { .. } => "name_not_looked",
        }
    }

    pub fn severity(&self) -> Severity {
        match self {
            IssueKind::LocalPhoneNumber { .. }
            | IssueKind::LeadingZeroLost { .. }
            | IssueKind::InactiveOrganization { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The value the app proposes instead, when it has one.
    pub fn proposed(&self) -> Option<&str> {
        match self {
            IssueKind::LocalPhoneNumber { proposed } | IssueKind::LeadingZeroLost { proposed } => {
                Some(proposed)
            }
            _ => None,
        }
    }

    /// The values the app can put in place of the one at fault, for the
    /// admin to pick: close names, or the paths of a repeated one.
    pub fn choices(&self) -> Option<(&str, &[String])> {
        match self {
            IssueKind::UnknownName { value, suggestions } => Some((value, suggestions)),
            IssueKind::AmbiguousName { value, paths } => Some((value, paths)),
            _ => None,
        }
    }
}

/// What a column's cells hold wrong (see `ValidationReport::column_counts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ColumnCounts {
    pub errors: usize,
    pub proposals: usize,
    pub misfits: usize,
}

/// One problem found in one row, pinned to the field's column.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct CellIssue {
    pub field: Field,
    pub kind: IssueKind,
}

impl CellIssue {
    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }

    /// What happened and what to do, in words an admin understands, the
    /// field named in words of the page's language.
    pub fn message(&self, lang: Lang) -> String {
        self.message_as(lang, self.field.label(lang))
    }

    /// [`Self::message`] with the field called `field`: the admin's own
    /// header for its column, where the page knows it.
    pub fn message_as(&self, lang: Lang, field: &str) -> String {
        let (email, phone) = (Field::Email.label(lang), Field::Phone.label(lang));
        match &self.kind {
            IssueKind::Missing => lang.pick(
                format!("{field} is required: fill it in."),
                format!("{field} wajib diisi."),
            ),
            IssueKind::NotAlphanumeric => lang.pick(
                format!("{field} may contain only letters A-Z and digits 0-9: remove spaces and symbols."),
                format!("{field} hanya boleh berisi huruf A-Z dan angka 0-9: hapus spasi dan simbol."),
            ),
            IssueKind::InvalidEmail => lang.pick(
                format!("{field} is not a valid address: it should look like name@example.com."),
                format!("{field} tidak valid: seharusnya seperti nama@contoh.com."),
            ),
            IssueKind::InvalidPhone => lang.pick(
                format!("{field} must be 6 to 15 digits, optionally starting with +, for example 6281122334455."),
                format!("{field} harus 6 sampai 15 angka, boleh diawali +, misalnya 6281122334455."),
            ),
            IssueKind::NotABoolean(text) => lang.pick(
                format!("{field} must be TRUE or FALSE (also yes/no, ya/tidak, aktif/nonaktif, 1/0), not \"{text}\"."),
                format!("{field} harus TRUE atau FALSE (juga ya/tidak, aktif/nonaktif, 1/0), bukan \"{text}\"."),
            ),
            IssueKind::EmailOrPhoneRequired => lang.pick(
                format!("Give an {email} or a {phone}: the API needs at least one of them."),
                format!("Isi {email} atau {phone}: API memerlukan salah satunya."),
            ),
            IssueKind::FormulaError(error) => lang.pick(
                format!("{field} holds the formula error {error}: fix the formula or type the value."),
                format!("{field} berisi kesalahan rumus {error}: perbaiki rumusnya atau ketik nilainya."),
            ),
            IssueKind::DuplicateInFile { other_rows } => {
                let rows: Vec<String> = other_rows.iter().map(u32::to_string).collect();
                let rows = rows.join(", ");
                lang.pick(
                    format!("{field} is also used in row {rows}: each value may appear only once."),
                    format!("{field} juga dipakai di baris {rows}: setiap nilai hanya boleh muncul sekali."),
                )
            }
            IssueKind::LocalPhoneNumber { proposed } => lang.pick(
                format!("{field} is in local format; the API's examples use the international one: {proposed}."),
                format!("{field} memakai format lokal; contoh API memakai format internasional: {proposed}."),
            ),
            IssueKind::LeadingZeroLost { proposed } => lang.pick(
                format!("{field} is a number cell and probably lost its leading zero: did you mean {proposed}?"),
                format!("{field} adalah sel angka dan mungkin kehilangan nol di depan: maksudnya {proposed}?"),
            ),
            IssueKind::UnknownName { value, suggestions } => {
                let what = if self.field == Field::TagSerials {
                    lang.pick("No tag", "Tidak ada tag")
                } else {
                    lang.pick("No organization", "Tidak ada organisasi")
                };
                let named = lang.pick("is named or has the serial", "yang bernama atau berserial");
                let then = match suggestions.as_slice() {
                    [] => lang.pick(
                        "check the spelling against the list in Ruangkerja.".to_owned(),
                        "periksa ejaannya dengan daftar di Ruangkerja.".to_owned(),
                    ),
                    close => lang.pick(
                        format!("did you mean {}?", or_list(close, "or")),
                        format!("maksudnya {}?", or_list(close, "atau")),
                    ),
                };
                format!("{what} {named} \"{value}\": {then}")
            }
            IssueKind::AmbiguousName { value, paths } => lang.pick(
                format!("{} organizations are named \"{value}\": pick one by its place in the structure: {}.", paths.len(), or_list(paths, "or")),
                format!("Ada {} organisasi bernama \"{value}\": pilih salah satu menurut letaknya di struktur: {}.", paths.len(), or_list(paths, "atau")),
            ),
            IssueKind::InactiveOrganization { path } => lang.pick(
                format!("{path} is inactive in Ruangkerja: the user can still be placed there, but check this is the unit you mean."),
                format!("{path} tidak aktif di Ruangkerja: pengguna tetap dapat ditempatkan di sana, tetapi pastikan ini unit yang dimaksud."),
            ),
            IssueKind::NameNotLooked { value } => lang.pick(
                format!("\"{value}\" is a name: names are looked up in Ruangkerja once an access token is given and the lists have loaded. Or type the serial."),
                format!("\"{value}\" adalah nama: nama dicari di Ruangkerja setelah token akses diisi dan daftarnya termuat. Atau ketik serialnya."),
            ),
            IssueKind::CannotClear => lang.pick(
                format!("{CLEAR_MARKER} clears a stored value in an update, and only {}, {phone} or {}: type a value for {field}, or leave the cell empty.", Field::Username.label(lang), Field::TagSerials.label(lang)),
                format!("{CLEAR_MARKER} menghapus nilai tersimpan saat pembaruan, dan hanya untuk {}, {phone} atau {}: isi nilai untuk {field}, atau kosongkan selnya.", Field::Username.label(lang), Field::TagSerials.label(lang)),
            ),
            IssueKind::TemplateExample => lang.pick(
                "This is the template's example row: it is never sent. Type a real employee over it, or delete the row.".to_owned(),
                "Ini baris contoh dari templat: tidak pernah dikirim. Ketik data karyawan sebenarnya di atasnya, atau hapus barisnya.".to_owned(),
            ),
        }
    }
}

/// "A, B or C".
fn or_list(items: &[String], or: &str) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("\"{item}\"")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {or} {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// One data row with its values and issues.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReportRow {
    pub row: UserRow,
    pub issues: Vec<CellIssue>,
}

impl ReportRow {
    /// True when nothing stops the row from being sent; warnings may remain.
    pub fn is_valid(&self) -> bool {
        self.issues
            .iter()
            .all(|issue| issue.severity() == Severity::Warning)
    }
}

/// A tag or organization value that needs the admin's choice.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NameChoice {
    pub field: Field,
    /// As the first row holding it wrote it.
    pub value: String,
    /// Close names (unknown), or every path (ambiguous).
    pub choices: Vec<String>,
    pub ambiguous: bool,
    /// How many values in all (one per row, or per tag of a row).
    pub rows: usize,
}

/// Every data row of the sheet, judged.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ValidationReport {
    pub mode: Mode,
    pub mapping: ColumnMapping,
    /// Required fields that no column feeds.
    pub missing_fields: Vec<Field>,
    /// Mapped fields the chosen mode's endpoint does not take.
    pub unused_fields: Vec<Field>,
    pub rows: Vec<ReportRow>,
    /// The company's tags and organizations the rows were resolved
    /// against, when loaded. Each side (page, worker) sets its own.
    #[serde(skip)]
    pub names: Option<Arc<Names>>,
}

impl ValidationReport {
    /// Each tag or organization value that needs a choice (unknown or
    /// ambiguous), once however many rows hold it, with its choices and
    /// how many rows hold it: one click fixes them all (see
    /// `Import::edits_replacing`). In the order first met.
    pub fn name_choices(&self) -> Vec<NameChoice> {
        let mut found: Vec<NameChoice> = Vec::new();
        // Each choice's field and folded value, beside it.
        let mut keys: Vec<(Field, String)> = Vec::new();
        for issue in self.rows.iter().flat_map(|row| &row.issues) {
            let Some((value, choices)) = issue.kind.choices() else {
                continue;
            };
            let key = (issue.field, crate::names::fold(value));
            match keys.iter().position(|known| *known == key) {
                Some(at) => found[at].rows += 1,
                None => {
                    keys.push(key);
                    found.push(NameChoice {
                        field: issue.field,
                        value: value.to_owned(),
                        choices: choices.to_vec(),
                        ambiguous: matches!(issue.kind, IssueKind::AmbiguousName { .. }),
                        rows: 1,
                    })
                }
            }
        }
        found
    }

    /// Whether a column feeds tags or an organization, whose names
    /// resolve against the company's lists.
    pub fn uses_names(&self) -> bool {
        [Field::TagSerials, Field::OrganizationSerial]
            .into_iter()
            .any(|field| self.mode.accepts(field) && self.mapping.column_of(field).is_some())
    }

    pub fn valid_rows(&self) -> impl Iterator<Item = &ReportRow> {
        self.rows.iter().filter(|row| row.is_valid())
    }

    /// How many issues of each code, over all rows.
    pub fn counts_by_code(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for issue in self.rows.iter().flat_map(|row| &row.issues) {
            *counts.entry(issue.kind.code()).or_default() += 1;
        }
        counts
    }

    /// How many issues of each severity in each column's field.
    /// Per field, in one pass over every row: its cells with an error,
    /// with a value the app proposes instead (see [`IssueKind::proposed`],
    /// `Import::edits_proposed`), and with a value of the wrong kind for
    /// it (not an e-mail, not a phone, not yes or no, no such unit…; empty
    /// cells, repeats and names waiting for the lists are not misfits).
    /// Most of a column misfitting says it was mapped to the wrong field.
    pub fn column_counts(&self) -> BTreeMap<Field, ColumnCounts> {
        let mut counts: BTreeMap<Field, ColumnCounts> = BTreeMap::new();
        for issue in self.rows.iter().flat_map(|row| &row.issues) {
            let column = counts.entry(issue.field).or_default();
            if issue.severity() == Severity::Error {
                column.errors += 1;
            }
            if issue.kind.proposed().is_some() {
                column.proposals += 1;
            }
            if matches!(
                issue.kind,
                IssueKind::NotAlphanumeric
                    | IssueKind::InvalidEmail
                    | IssueKind::InvalidPhone
                    | IssueKind::NotABoolean(_)
                    | IssueKind::UnknownName { .. }
            ) {
                column.misfits += 1;
            }
        }
        counts
    }
}

/// Validates the data rows (all rows after `header_row`) of `sheet`.
pub fn validate(
    sheet: &Sheet,
    header_row: u32,
    mapping: &ColumnMapping,
    mode: Mode,
) -> ValidationReport {
    validate_with(sheet, header_row, mapping, mode, None)
}

/// Validates like [`validate`], resolving tag and organization names
/// against `names`.
pub fn validate_with(
    sheet: &Sheet,
    header_row: u32,
    mapping: &ColumnMapping,
    mode: Mode,
    names: Option<Arc<Names>>,
) -> ValidationReport {
    let early = Judged::new(sheet.name.clone(), header_row, mapping.clone(), mode);
    validate_after(sheet, mapping, names, early).0
}

/// Data rows judged as they are read, before the rest of the sheet is
/// ([`Judged::judge`]), and the choices they are judged with.
/// [`validate_after`] takes them if they are the sheet's first data rows
/// and it validates with the same choices.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub sheet: String,
    pub header_row: u32,
    pub mapping: ColumnMapping,
    pub mode: Mode,
    rows: Vec<ReportRow>,
    hashes: Vec<KeyHashes>,
}

impl Judged {
    pub fn new(sheet: String, header_row: u32, mapping: ColumnMapping, mode: Mode) -> Self {
        Judged {
            sheet,
            header_row,
            mapping,
            mode,
            rows: Vec::new(),
            hashes: Vec::new(),
        }
    }

    /// The rows judged so far.
    pub fn rows(&self) -> &[ReportRow] {
        &self.rows
    }

    /// Judges the data rows among the next `rows` of the sheet (they may
    /// hold the header and rows above it) on every check that needs no
    /// other row; returns their report rows. The zero-padded width of the
    /// employee IDs and the duplicates need the whole sheet:
    /// [`validate_after`] adds them.
    pub fn judge(&mut self, rows: &[SheetRow], names: Option<&Names>) -> &[ReportRow] {
        let from = self.rows.len();
        for row in rows.iter().filter(|row| row.number > self.header_row) {
            let judged = judge_row(row, &self.mapping, self.mode, None, names);
            self.hashes.push(KeyHashes::of(&judged.row, self.mode));
            self.rows.push(judged);
        }
        &self.rows[from..]
    }

    /// Starts again with no row judged, for the rows of `sheet`.
    pub fn restart(&mut self, sheet: &str) {
        sheet.clone_into(&mut self.sheet);
        self.rows.clear();
        self.hashes.clear();
    }
}

/// Which rows judged early a validation took ([`validate_after`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Taken {
    /// The first this many data rows: all of the early rows, or none
    /// when they were not the sheet's first data rows.
    pub rows: usize,
    /// Those of them whose issues the whole sheet changed (a duplicate
    /// further down, an ID that lost its leading zeros), ascending.
    pub changed: Vec<usize>,
}

/// Validates like [`validate_with`] with `early`'s choices (its header
/// row, `mapping` and mode), taking the data rows it judged if they are
/// `sheet`'s first data rows and were judged with this mapping, so that
/// only the rest is judged here. The report is the same as
/// `validate_with`'s.
pub fn validate_after(
    sheet: &Sheet,
    mapping: &ColumnMapping,
    names: Option<Arc<Names>>,
    early: Judged,
) -> (ValidationReport, Taken) {
    let (header_row, mode) = (early.header_row, early.mode);
    let missing_fields = mode
        .required_fields()
        .iter()
        .copied()
        .filter(|field| mapping.column_of(*field).is_none())
        .collect();
    let unused_fields = mapping
        .fields
        .iter()
        .flatten()
        .copied()
        .filter(|f| !mode.accepts(*f))
        .collect();
    let id_column = mapping.column_of(Field::EmployeeId);
    let id_width = zero_padded_width(data_rows(sheet, header_row), id_column);
    // Early rows must be this sheet's first data rows, in order.
    let in_step = data_rows(sheet, header_row)
        .zip(&early.rows)
        .take_while(|(sheet_row, judged)| sheet_row.number == judged.row.number)
        .count();
    let (early, mut hashes) =
        if early.sheet == sheet.name && early.mapping == *mapping && in_step == early.rows.len() {
            (early.rows, early.hashes)
        } else {
            (Vec::new(), Vec::new())
        };
    let judge = |row: &SheetRow| judge_row(row, mapping, mode, id_width, names.as_deref());
    let mut changed = Vec::new();
    // The early rows' vector, sized up front for the rest: a report row is
    // large, and growing the vector by doubling, or copying the early rows
    // into another, would hold two copies at once.
    let judged_early = early.len();
    let mut rows = early;
    rows.reserve(sheet.rows.len().saturating_sub(judged_early));
    hashes.reserve(sheet.rows.len().saturating_sub(hashes.len()));
    if id_width.is_some() {
        // Judged without the width: only an ID in a number cell can
        // judge otherwise with it.
        for (index, sheet_row) in data_rows(sheet, header_row).take(judged_early).enumerate() {
            if id_column.is_some_and(|c| matches!(sheet_row.cell(c), CellValue::Number(_))) {
                let judged = judge(sheet_row);
                if judged != rows[index] {
                    rows[index] = judged;
                    changed.push(index);
                }
            }
        }
    }
    for sheet_row in data_rows(sheet, header_row).skip(judged_early) {
        let judged = judge(sheet_row);
        hashes.push(KeyHashes::of(&judged.row, mode));
        rows.push(judged);
    }
    changed.extend(
        duplicates::flag(&mut rows, mode, &hashes)
            .into_iter()
            .filter(|&index| index < judged_early),
    );
    changed.sort_unstable();
    changed.dedup();
    let report = ValidationReport {
        mode,
        mapping: mapping.clone(),
        missing_fields,
        unused_fields,
        rows,
        names,
    };
    let taken = Taken {
        rows: judged_early,
        changed,
    };
    (report, taken)
}

impl ValidationReport {
    /// Re-judges the row numbered `number` after its cells changed in
    /// `sheet`, and the duplicates an edit can create or resolve: those of
    /// the rows sharing a value with it, before or after. Returns the
    /// indices of the rows whose issues may have changed.
    pub fn revalidate_row(&mut self, sheet: &Sheet, header_row: u32, number: u32) -> Vec<usize> {
        let Ok(index) = self
            .rows
            .binary_search_by_key(&number, |row| row.row.number)
        else {
            return Vec::new();
        };
        let Ok(sheet_index) = sheet.rows.binary_search_by_key(&number, |row| row.number) else {
            return Vec::new();
        };
        let sheet_row = &sheet.rows[sheet_index];
        let id_column = self.mapping.column_of(Field::EmployeeId);
        // The width only matters to an ID in a number cell.
        let id_width = id_column
            .filter(|&column| matches!(sheet_row.cell(column), CellValue::Number(_)))
            .and_then(|column| zero_padded_width(data_rows(sheet, header_row), Some(column)));
        let judged = judge_row(
            sheet_row,
            &self.mapping,
            self.mode,
            id_width,
            self.names.as_deref(),
        );
        let before = std::mem::replace(&mut self.rows[index], judged);
        duplicates::reflag(&mut self.rows, self.mode, index, &before.row)
    }
}

fn data_rows(sheet: &Sheet, header_row: u32) -> impl Iterator<Item = &SheetRow> {
    sheet.rows.iter().filter(move |row| row.number > header_row)
}

/// When the employee IDs typed as text are zero-padded to one width, the
/// width they share; a number cell shorter than it probably lost its zeros.
fn zero_padded_width<'s>(
    rows: impl Iterator<Item = &'s SheetRow>,
    column: Option<usize>,
) -> Option<usize> {
    let column = column?;
    let mut widths: BTreeMap<usize, usize> = BTreeMap::new();
    for row in rows {
        if let CellValue::Text(text) = row.cell(column) {
            let text = text.trim();
            if text.len() > 1 && text.starts_with('0') && text.bytes().all(|b| b.is_ascii_digit()) {
                *widths.entry(text.len()).or_default() += 1;
            }
        }
    }
    widths
        .into_iter()
        .max_by_key(|&(width, count)| (count, width))
        .map(|(width, _)| width)
}

fn judge_row(
    sheet_row: &SheetRow,
    mapping: &ColumnMapping,
    mode: Mode,
    id_width: Option<usize>,
    names: Option<&Names>,
) -> ReportRow {
    let mut issues = Vec::new();
    let mut row = UserRow {
        number: sheet_row.number,
        ..UserRow::default()
    };
    let issue = |field, kind| CellIssue { field, kind };
    for (column, field) in mapping.fields.iter().enumerate() {
        let Some(field) = *field else { continue };
        if !mode.accepts(field) {
            continue;
        }
        let cell = sheet_row.cell(column);
        if let CellValue::Error(error) = cell {
            issues.push(issue(field, IssueKind::FormulaError(error.clone())));
            continue;
        }
        let text = cell.to_text();
        if text.is_empty() {
            continue;
        }
        if text.trim().eq_ignore_ascii_case(CLEAR_MARKER) {
            if mode == Mode::Update && CLEARABLE.contains(&field) {
                row.cleared.push(field);
            } else {
                issues.push(issue(field, IssueKind::CannotClear));
            }
            continue;
        }
        let from_number = matches!(cell, CellValue::Number(_));
        match field {
            Field::IsActive => match parse_bool(cell) {
                Some(value) => row.is_active = Some(value),
                None => issues.push(issue(field, IssueKind::NotABoolean(text))),
            },
            Field::TagSerials => {
                for value in split_tags(&text) {
                    match resolve(names, false, &value) {
                        Ok((serial, name)) => {
                            row.tag_serials.push(serial);
                            row.tag_names.extend(name);
                        }
                        Err(kind) => issues.push(issue(field, kind)),
                    }
                }
            }
            Field::OrganizationSerial => match resolve(names, true, &text) {
                Ok((serial, name)) => {
                    if let Some(org) = names.and_then(|n| n.organization_by_serial(&serial)) {
                        if !org.active {
                            let path = org.path_text();
                            issues.push(issue(field, IssueKind::InactiveOrganization { path }));
                        }
                    }
                    row.organization_serial = Some(serial);
                    row.organization_name = name;
                }
                Err(kind) => issues.push(issue(field, kind)),
            },
            Field::Phone => {
                let phone = match tidy_phone(&text) {
                    Some(tidied) => {
                        row.tidied.push(field);
                        tidied
                    }
                    None => text,
                };
                issues.extend(phone_issue(&phone, from_number).map(|kind| issue(field, kind)));
                row.phone = Some(phone);
            }
            Field::EmployeeId => {
                if let Some(width) = id_width.filter(|width| from_number && text.len() < *width) {
                    let proposed = format!("{text:0>width$}");
                    issues.push(issue(field, IssueKind::LeadingZeroLost { proposed }));
                }
                row.employee_id = Some(text);
            }
            other => {
                if let Some(slot) = row.text_mut(other) {
                    *slot = Some(text);
                }
            }
        }
    }
    for &field in mode.required_fields() {
        let present = match field {
            Field::EmployeeId => row.employee_id.is_some(),
            Field::Name => row.name.is_some(),
            Field::IsActive => row.is_active.is_some(),
            _ => true,
        };
        if !present && !issues.iter().any(|issue| issue.field == field) {
            issues.push(issue(field, IssueKind::Missing));
        }
    }
    for (field, value) in [
        (Field::EmployeeId, &row.employee_id),
        (Field::Username, &row.username),
        (Field::NewEmployeeId, &row.new_employee_id),
    ] {
        if value.as_deref().is_some_and(|v| !is_alphanumeric(v)) {
            issues.push(issue(field, IssueKind::NotAlphanumeric));
        }
    }
    if row.email.as_deref().is_some_and(|email| !is_email(email)) {
        issues.push(issue(Field::Email, IssueKind::InvalidEmail));
    }
    // The update item has no email, so the docs' "phone required if email
    // empty" cannot apply there; only creation needs one of the two.
    if mode == Mode::Create && row.email.is_none() && row.phone.is_none() {
        issues.push(issue(Field::Email, IssueKind::EmailOrPhoneRequired));
    }
    let (example_id, example_name) = crate::template::EXAMPLE_EMPLOYEE;
    if row.employee_id.as_deref() == Some(example_id) && row.name.as_deref() == Some(example_name) {
        issues.push(issue(Field::EmployeeId, IssueKind::TemplateExample));
    }
    ReportRow { row, issues }
}

/// A tag (or, `org`, an organization) value as its serial, with its name
/// when the lists are loaded; or the issue that stops it.
fn resolve(
    names: Option<&Names>,
    org: bool,
    value: &str,
) -> Result<(String, Option<String>), IssueKind> {
    let value = value.trim();
    let Some(names) = names else {
        let serial = if org {
            looks_like_org_serial(value)
        } else {
            looks_like_tag_serial(value)
        };
        return if serial {
            Ok((value.to_owned(), None))
        } else {
            Err(IssueKind::NameNotLooked {
                value: value.to_owned(),
            })
        };
    };
    let resolution = if org {
        names.resolve_organization(value)
    } else {
        names.resolve_tag(value)
    };
    match resolution {
        Resolution::Found(index) if org => {
            let found = names.organization(index);
            let shown = if names.name_repeats(index) {
                found.path_text()
            } else {
                found.name.clone()
            };
            Ok((found.serial.clone(), Some(shown)))
        }
        Resolution::Found(index) => {
            let tag = names.tag(index);
            Ok((tag.serial.clone(), Some(tag.name.clone())))
        }
        Resolution::Unknown(suggestions) => Err(IssueKind::UnknownName {
            value: value.to_owned(),
            suggestions,
        }),
        Resolution::Ambiguous(paths) => Err(IssueKind::AmbiguousName {
            value: value.to_owned(),
            paths,
        }),
    }
}

/// The phone number as the API's examples write it, when the sheet wrote
/// it otherwise in a way that leaves no doubt: spaces, hyphens, dots and
/// brackets between the digits go, and Indonesia's `+62` is written `62`
/// (`+62 812-3456-7890` is `6281234567890`). Another country's `+` stays.
/// `None` when there is nothing to tidy, or the text holds anything else
/// (a letter, a second `+`), which is then an error to fix by hand.
pub fn tidy_phone(text: &str) -> Option<String> {
    // Digits alone are tidy: most phones, and no copy made to find out.
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (plus, rest) = match text.strip_prefix('+') {
        Some(rest) => ("+", rest),
        None => ("", text),
    };
    if !rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
    {
        return None;
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let tidied = if plus == "+" && digits.starts_with("62") {
        digits
    } else {
        format!("{plus}{digits}")
    };
    (tidied != text).then_some(tidied)
}

/// Judges a phone number already tidied (see [`tidy_phone`]).
fn phone_issue(text: &str, from_number: bool) -> Option<IssueKind> {
    let (plus, digits) = match text.strip_prefix('+') {
        Some(rest) => ("+", rest),
        None => ("", text),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !(6..=15).contains(&digits.len()) {
        return Some(IssueKind::InvalidPhone);
    }
    if from_number && digits.starts_with('8') && (9..=12).contains(&digits.len()) {
        return Some(IssueKind::LeadingZeroLost {
            proposed: format!("0{digits}"),
        });
    }
    if plus.is_empty() && digits.starts_with("08") {
        return Some(IssueKind::LocalPhoneNumber {
            proposed: format!("62{}", &digits[1..]),
        });
    }
    None
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
        && !domain.contains("..")
        // A domain is letters, digits, hyphens and dots: a comma typed for
        // a dot ("mail,example.com") is caught, not left to bounce.
        && domain.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '.'))
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn parse_bool(cell: &CellValue) -> Option<bool> {
    match cell {
        CellValue::Bool(value) => Some(*value),
        CellValue::Number(number) if *number == 1.0 => Some(true),
        CellValue::Number(number) if *number == 0.0 => Some(false),
        CellValue::Text(text) => {
            let words: String;
            let text = match text.trim() {
                // One ASCII word, the usual case, is compared as it is.
                word if word.bytes().all(|b| b.is_ascii_graphic()) => word,
                spaced => {
                    words = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
                    &words
                }
            };
            match text.to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "ya" | "1" | "aktif" | "active" => Some(true),
                "false" | "no" | "n" | "tidak" | "0" | "nonaktif" | "non aktif" | "non-aktif"
                | "tidak aktif" | "inactive" => Some(false),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::map_headers;

    /// A cell from a test string: `#12` is a number cell, anything else text.
    fn cell(text: &str) -> CellValue {
        match text.strip_prefix('#') {
            Some(number) => CellValue::Number(number.parse().unwrap()),
            None if text.is_empty() => CellValue::Empty,
            None => CellValue::Text(text.to_string()),
        }
    }

    fn sheet(rows: &[&[&str]]) -> Sheet {
        Sheet {
            name: "Sheet1".into(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(index, cells)| SheetRow {
                    number: index as u32 + 1,
                    cells: cells.iter().map(|text| cell(text)).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn the_templates_example_row_is_never_sendable() {
        let report = report(&[
            &["ID karyawan *", "nama *", "email", "status aktif *"],
            &["EMP001", "Budi Santoso", "budi@example.com", "TRUE"],
            &["EMP002", "Budi Santoso", "budi2@example.com", "TRUE"],
        ]);
        assert_eq!(
            report.rows[0].issues,
            [CellIssue {
                field: Field::EmployeeId,
                kind: IssueKind::TemplateExample
            }]
        );
        assert!(
            report.rows[1].is_valid(),
            "a real Budi is sent: {:?}",
            report.rows[1].issues
        );
    }

    #[test]
    fn a_column_mapped_to_the_wrong_field_shows_as_misfits_and_empty_cells_do_not() {
        // "Status" held Tetap/Kontrak: every value misfits isActive.
        let report = report(&[
            &["employeeID", "name", "email", "Status"],
            &["E1", "Ani", "a@x.id", "Tetap"],
            &["E2", "Budi", "", "Kontrak"],
            &["E3", "Citra", "c@x.id", "Tetap"],
        ]);
        let counts = report.column_counts();
        assert_eq!(counts[&Field::IsActive].misfits, 3);
        assert_eq!(counts[&Field::IsActive].errors, 3);
        let email = counts.get(&Field::Email).copied().unwrap_or_default();
        assert_eq!(email.misfits, 0, "an empty cell is not a misfit");
    }

    fn report_in(mode: Mode, rows: &[&[&str]]) -> ValidationReport {
        let sheet = sheet(rows);
        let headers: Vec<String> = sheet.rows[0].cells.iter().map(CellValue::to_text).collect();
        validate(&sheet, 1, &map_headers(&headers), mode)
    }

    fn report(rows: &[&[&str]]) -> ValidationReport {
        report_in(Mode::Create, rows)
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

    /// The lists of `names`' own tests, as the sandbox seeds them.
    fn company() -> Arc<Names> {
        let tags = r#"[{"name":"Training User Batch 1","serial":"RUKRTAG-9WHL0JGP"},
            {"name":"Onboarding 2026","serial":"RUKRTAG-BBBBBBBB"}]"#;
        let tree = r#"[{"serial":"COMPHEADOFFC","name":"Head Office","isActive":true,"childOrganizations":[
              {"serial":"COMPFJLYTHWL","name":"Finance","isActive":true,"childOrganizations":[]}]},
            {"serial":"COMPJKTBRNCH","name":"Jakarta Branch","isActive":true,"childOrganizations":[
              {"serial":"COMPJKTFINAN","name":"Finance","isActive":true,"childOrganizations":[]}]},
            {"serial":"COMPLEGACY01","name":"Legacy Projects","isActive":false,"childOrganizations":[]}]"#;
        let tree: crate::names::Structure = serde_json::from_str(tree).unwrap();
        let reference =
            crate::Reference::new(serde_json::from_str(tags).unwrap(), tree.into_roots());
        Arc::new(Names::new(reference))
    }

    #[test]
    fn tag_and_organization_names_become_serials_with_their_names_beside() {
        let header = [
            "employeeID",
            "name",
            "email",
            "isActive",
            "Tag",
            "Unit Kerja",
        ];
        let sheet = sheet(&[
            &header,
            &[
                "E1",
                "Ani",
                "a@x.id",
                "ya",
                "training user batch 1; RUKRTAG-BBBBBBBB",
                "Jakarta Branch > Finance",
            ],
            &["E2", "Budi", "b@x.id", "ya", "", "finance"],
            &[
                "E3",
                "Citra",
                "c@x.id",
                "ya",
                "Onbording 2026",
                "Legacy  projects",
            ],
            &["E4", "Dewi", "d@x.id", "ya", "", "COMPFJLYTHWL"],
        ]);
        let headers: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        let mapping = map_headers(&headers);
        let report = validate_with(&sheet, 1, &mapping, Mode::Create, Some(company()));
        let [ani, budi, citra, dewi] = &report.rows[..] else {
            panic!("four rows")
        };
        assert!(ani.is_valid(), "{:?}", ani.issues);
        assert_eq!(
            ani.row.tag_serials,
            ["RUKRTAG-9WHL0JGP", "RUKRTAG-BBBBBBBB"]
        );
        assert_eq!(
            ani.row.tag_names,
            ["Training User Batch 1", "Onboarding 2026"]
        );
        assert_eq!(ani.row.organization_serial.as_deref(), Some("COMPJKTFINAN"));
        assert_eq!(
            ani.row.organization_name.as_deref(),
            Some("Jakarta Branch > Finance")
        );
        let item = ani.row.to_create_item().unwrap();
        assert_eq!(item.organization_serial.as_deref(), Some("COMPJKTFINAN"));
        assert_eq!(
            kinds(budi),
            [(
                Field::OrganizationSerial,
                IssueKind::AmbiguousName {
                    value: "finance".to_owned(),
                    paths: vec![
                        "Head Office > Finance".to_owned(),
                        "Jakarta Branch > Finance".to_owned()
                    ],
                }
            )]
        );
        assert_eq!(
            kinds(citra),
            [
                (
                    Field::TagSerials,
                    IssueKind::UnknownName {
                        value: "Onbording 2026".to_owned(),
                        suggestions: vec!["Onboarding 2026".to_owned()],
                    }
                ),
                (
                    Field::OrganizationSerial,
                    IssueKind::InactiveOrganization {
                        path: "Legacy Projects".to_owned()
                    }
                ),
            ]
        );
        assert_eq!(
            dewi.row.organization_name.as_deref(),
            Some("Head Office > Finance")
        );
        let choices = report.name_choices();
        assert_eq!(
            choices
                .iter()
                .map(|c| (
                    c.field,
                    c.value.as_str(),
                    c.choices.len(),
                    c.ambiguous,
                    c.rows
                ))
                .collect::<Vec<_>>(),
            [
                (Field::OrganizationSerial, "finance", 2, true, 1),
                (Field::TagSerials, "Onbording 2026", 1, false, 1),
            ]
        );

        // Without the lists, serials pass as typed and names wait.
        let blind = validate(&sheet, 1, &mapping, Mode::Create);
        assert!(blind.rows[3].is_valid());
        assert_eq!(blind.rows[3].row.organization_name, None);
        assert_eq!(
            kinds(&blind.rows[1]),
            [(
                Field::OrganizationSerial,
                IssueKind::NameNotLooked {
                    value: "finance".to_owned()
                }
            )]
        );
    }

    #[test]
    fn a_complete_row_becomes_the_documented_create_item() {
        let report = report(&[
            HEADER,
            &[
                "E1",
                "Ani",
                "ani@example.com",
                "",
                "ya",
                "RUKRTAG-T1; RUKRTAG-T2, RUKRTAG-T1\nRUKRTAG-T3",
            ],
        ]);
        let row = &report.rows[0];
        assert!(row.is_valid(), "{:?}", row.issues);
        assert_eq!(row.row.number, 2);
        let item = row.row.to_create_item().unwrap();
        assert_eq!(item.employee_id, "E1");
        assert!(item.is_active);
        assert_eq!(
            item.tag_serials,
            Some(
                ["RUKRTAG-T1", "RUKRTAG-T2", "RUKRTAG-T3"]
                    .map(str::to_owned)
                    .to_vec()
            )
        );
        assert_eq!(item.phone, None);
    }

    #[test]
    fn each_broken_rule_is_an_issue_on_its_field() {
        let report = report(&[HEADER, &["E 1", "", "not-an-email", "08x12", "maybe", ""]]);
        assert_eq!(
            kinds(&report.rows[0]),
            [
                (Field::Phone, IssueKind::InvalidPhone),
                (Field::IsActive, IssueKind::NotABoolean("maybe".into())),
                (Field::Name, IssueKind::Missing),
                (Field::EmployeeId, IssueKind::NotAlphanumeric),
                (Field::Email, IssueKind::InvalidEmail),
            ]
        );
    }

    #[test]
    fn booleans_are_read_in_english_indonesian_and_excel_forms() {
        let cases = [
            ("TRUE", true),
            ("false", false),
            ("Yes", true),
            ("no", false),
            ("ya", true),
            ("Tidak", false),
            ("aktif", true),
            ("tidak aktif", false),
            ("Nonaktif", false),
            ("#1", true),
            ("#0", false),
        ];
        for (text, expected) in cases {
            let report = report(&[HEADER, &["E1", "Ani", "a@x.id", "", text, ""]]);
            assert_eq!(report.rows[0].row.is_active, Some(expected), "{text}");
        }
        let excel = Sheet {
            name: "S".into(),
            rows: vec![
                SheetRow {
                    number: 1,
                    cells: vec![cell("employeeID"), cell("isActive")],
                },
                SheetRow {
                    number: 2,
                    cells: vec![cell("E1"), CellValue::Bool(false)],
                },
            ],
        };
        let mapping = map_headers(&["employeeID".into(), "isActive".into()]);
        assert_eq!(
            validate(&excel, 1, &mapping, Mode::Create).rows[0]
                .row
                .is_active,
            Some(false)
        );
    }

    #[test]
    fn a_row_needs_an_email_or_a_phone_on_create_only() {
        let rows: &[&[&str]] = &[
            HEADER,
            &["E1", "Ani", "", "", "TRUE", ""],
            &["E2", "Budi", "", "6281122334455", "FALSE", ""],
        ];
        let created = report(rows);
        assert_eq!(
            kinds(&created.rows[0]),
            [(Field::Email, IssueKind::EmailOrPhoneRequired)]
        );
        assert!(created.rows[1].is_valid());
        assert!(report_in(Mode::Update, rows).rows[0].is_valid());
    }

    #[test]
    fn rows_judged_as_they_are_read_end_as_a_whole_validation_and_name_what_it_changed() {
        let mut sheet = sheet(&[
            HEADER,
            &["000101", "Ani", "a@x.id", "", "1", ""],
            &["E2", "Budi", "b@x.id", "", "1", ""],
            &["000103", "Citra", "c@x.id", "", "1", ""],
            &["E4", "Dewi", "d@x.id", "", "1", ""],
            &["E2", "Eka", "e@x.id", "", "1", ""],
        ]);
        // An ID in a number cell: it lost zeros only by the width of the
        // IDs typed as text, some of which are read after it.
        sheet.rows[3].cells[0] = CellValue::Number(104.0);
        let headers: Vec<String> = HEADER.iter().map(|h| (*h).to_owned()).collect();
        let mapping = map_headers(&headers);
        let whole = validate(&sheet, 1, &mapping, Mode::Create);
        let mut early = Judged::new("Sheet1".into(), 1, mapping.clone(), Mode::Create);
        // The header and the first three data rows, in two pieces.
        early.judge(&sheet.rows[..2], None);
        early.judge(&sheet.rows[2..4], None);
        assert_eq!(early.rows().len(), 3);
        let (report, taken) = validate_after(&sheet, &mapping, None, early.clone());
        assert_eq!(report, whole);
        // Row 3's ID is held again by row 6; row 4's lost its zeros.
        assert_eq!(
            taken,
            Taken {
                rows: 3,
                changed: vec![1, 2]
            }
        );
        // Judged with another mapping, or for another sheet: judged again.
        let mut other = mapping.clone();
        other.assign(1, None);
        let (report, taken) = validate_after(&sheet, &other, None, early.clone());
        assert_eq!(report, validate(&sheet, 1, &other, Mode::Create));
        assert_eq!(taken, Taken::default());
        early.sheet = "Sheet2".into();
        assert_eq!(
            validate_after(&sheet, &mapping, None, early).1,
            Taken::default()
        );
    }

    #[test]
    fn duplicate_employee_ids_are_flagged_on_every_row_naming_the_others() {
        let report = report(&[
            HEADER,
            &["E1", "Ani", "a@x.id", "", "1", ""],
            &["E2", "Budi", "b@x.id", "", "1", ""],
            &["e1", "Citra", "c@x.id", "", "1", ""],
            &["E1", "Dewi", "d@x.id", "", "1", ""],
        ]);
        assert_eq!(
            kinds(&report.rows[0]),
            [(
                Field::EmployeeId,
                IssueKind::DuplicateInFile {
                    other_rows: vec![4, 5]
                }
            )]
        );
        assert!(report.rows[1].is_valid());
        assert_eq!(
            report.rows[2].issues[0].message(Lang::En),
            "employee ID is also used in row 2, 5: each value may appear only once."
        );
        assert_eq!(
            report.rows[2].issues[0].message(Lang::Id),
            "ID karyawan juga dipakai di baris 2, 5: setiap nilai hanya boleh muncul sekali."
        );
    }

    #[test]
    fn duplicate_usernames_and_emails_are_flagged_too() {
        let report = report(&[
            &["employeeID", "name", "username", "email", "isActive"],
            &["E1", "Ani", "ani", "same@x.id", "1"],
            &["E2", "Budi", "ANI", "Same@x.id", "1"],
        ]);
        let codes: Vec<(Field, &str)> = report.rows[1]
            .issues
            .iter()
            .map(|i| (i.field, i.kind.code()))
            .collect();
        assert_eq!(
            codes,
            [
                (Field::Username, "duplicate_in_file"),
                (Field::Email, "duplicate_in_file")
            ]
        );
    }

    #[test]
    fn update_mode_checks_renames_against_other_rows_ids_and_reads_email_for_the_email_change() {
        let report = report_in(
            Mode::Update,
            &[
                &["employeeID", "newEmployeeID", "name", "email", "isActive"],
                &["E1", "E2", "Ani", "ani@x.id", "1"],
                &["E2", "", "Budi", "", "1"],
                &["E3", "E 4", "Citra", "", "1"],
            ],
        );
        assert!(report.unused_fields.is_empty());
        assert_eq!(
            report.rows[0].row.email.as_deref(),
            Some("ani@x.id"),
            "email feeds the opt-in e-mail change"
        );
        assert_eq!(
            kinds(&report.rows[0]),
            [(
                Field::NewEmployeeId,
                IssueKind::DuplicateInFile {
                    other_rows: vec![3]
                }
            )]
        );
        assert_eq!(
            kinds(&report.rows[1]),
            [(
                Field::EmployeeId,
                IssueKind::DuplicateInFile {
                    other_rows: vec![2]
                }
            )]
        );
        assert_eq!(
            kinds(&report.rows[2]),
            [(Field::NewEmployeeId, IssueKind::NotAlphanumeric)]
        );
        // A "rename" to the same ID is no rename.
        assert_eq!(crate::preflight::renamed_to(&report.rows[1].row), None);
    }

    #[test]
    fn a_rename_column_suggests_update_mode() {
        let mapping = map_headers(&["NIK".into(), "NIK Baru".into()]);
        assert_eq!(Mode::suggested_by(&mapping), Mode::Update);
        assert_eq!(
            Mode::suggested_by(&map_headers(&["NIK".into()])),
            Mode::Create
        );
    }

    #[test]
    fn changes_that_could_alter_meaning_are_warnings_with_a_proposal_not_silent_edits() {
        let report = report(&[
            &["employeeID", "name", "phone", "isActive"],
            &["00123", "Ani", "081122334455", "1"],
            &["#124", "Budi", "#81122334455", "1"],
            &["00125", "Citra", "0811-2233-4455", "1"],
        ]);
        let local = &report.rows[0];
        assert_eq!(
            local.row.phone.as_deref(),
            Some("081122334455"),
            "the value is sent as typed"
        );
        assert_eq!(
            kinds(local),
            [(
                Field::Phone,
                IssueKind::LocalPhoneNumber {
                    proposed: "6281122334455".into()
                }
            )]
        );
        assert!(local.is_valid(), "a warning does not block the row");

        let numeric = &report.rows[1];
        assert_eq!(numeric.row.employee_id.as_deref(), Some("124"));
        assert_eq!(
            kinds(numeric),
            [
                (
                    Field::EmployeeId,
                    IssueKind::LeadingZeroLost {
                        proposed: "00124".into()
                    }
                ),
                (
                    Field::Phone,
                    IssueKind::LeadingZeroLost {
                        proposed: "081122334455".into()
                    }
                ),
            ]
        );
        // Separators are tidied away, and then the one phone rule applies:
        // the local number is a warning proposing the international form.
        let separated = &report.rows[2];
        assert_eq!(separated.row.phone.as_deref(), Some("081122334455"));
        assert_eq!(separated.row.tidied, [Field::Phone]);
        assert_eq!(
            kinds(separated),
            [(
                Field::Phone,
                IssueKind::LocalPhoneNumber {
                    proposed: "6281122334455".into()
                }
            )]
        );
        assert!(separated.is_valid());
    }

    #[test]
    fn an_email_domain_holds_only_letters_digits_hyphens_and_dots() {
        for (email, valid) in [
            ("ani@example.com", true),
            ("ani.w+hr@mail-1.example.co.id", true),
            ("ani@bücher.example", true),
            ("ani@mail,example.com", false),
            ("ani@example,com", false),
            ("ani@exa mple.com", false),
            ("ani@example.com;", false),
        ] {
            assert_eq!(is_email(email), valid, "{email}");
        }
    }

    #[test]
    fn phone_numbers_are_tidied_only_where_nothing_can_change_their_meaning() {
        for (typed, tidied) in [
            ("0812-3456-7890", Some("081234567890")),
            ("0813 8522 6670", Some("081385226670")),
            ("+62 812 5880 6279", Some("6281258806279")),
            ("+62-812-5880-6279", Some("6281258806279")),
            ("(021) 555.1234", Some("0215551234")),
            ("+65 6123 4567", Some("+6561234567")),
            ("6281234567890", None),
            ("+6581234567", None),
            ("0812 3456 789O", None),
            ("08x12", None),
            ("++62 812", None),
            (" - ", None),
        ] {
            assert_eq!(tidy_phone(typed).as_deref(), tidied, "{typed}");
        }
        let report = report(&[
            HEADER,
            &["E1", "Ani", "", "+62 812 5880 6279", "1", ""],
            &["E2", "Budi", "", "0812 3456 789O", "1", ""],
        ]);
        assert!(report.rows[0].is_valid(), "{:?}", report.rows[0].issues);
        assert_eq!(report.rows[0].row.phone.as_deref(), Some("6281258806279"));
        assert_eq!(
            report.rows[0]
                .row
                .to_create_item()
                .unwrap()
                .phone
                .as_deref(),
            Some("6281258806279"),
            "the tidied number is what is sent"
        );
        assert_eq!(
            kinds(&report.rows[1]),
            [(Field::Phone, IssueKind::InvalidPhone)]
        );
    }

    #[test]
    fn formula_errors_are_reported_on_their_cell() {
        let mut sheet = sheet(&[HEADER, &["E1", "", "a@x.id", "", "1", ""]]);
        sheet.rows[1].cells[1] = CellValue::Error("#N/A".into());
        let headers: Vec<String> = sheet.rows[0].cells.iter().map(CellValue::to_text).collect();
        let report = validate(&sheet, 1, &map_headers(&headers), Mode::Create);
        assert_eq!(
            kinds(&report.rows[0]),
            [(Field::Name, IssueKind::FormulaError("#N/A".into()))]
        );
    }

    #[test]
    fn required_fields_without_a_column_are_reported_and_issues_are_counted() {
        let report = report(&[
            &["employeeID", "email"],
            &["E1", "a@x.id"],
            &["E 2", "b@x.id"],
        ]);
        assert_eq!(report.missing_fields, [Field::Name, Field::IsActive]);
        let by_code = report.counts_by_code();
        assert_eq!(by_code.get("missing"), Some(&4));
        assert_eq!(by_code.get("not_alphanumeric"), Some(&1));
        assert_eq!(report.column_counts()[&Field::Name].errors, 2);
    }
}
