//! What the downloadable template holds, as plain data. The shell writes it
//! as an .xlsx (writing needs a clock for the file's metadata, which the core
//! does not read).

use crate::lang::Lang;
use crate::mapping::Field;
use crate::names::Names;
use crate::validate::{Mode, CLEAR_MARKER};

/// One column of the template: its header, an example value and its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateColumn {
    pub field: Field,
    /// The field in the template's language, with " *" when required;
    /// it maps back to the field (see `mapping`).
    pub header: String,
    pub example: &'static str,
    pub required: bool,
    pub rule: String,
    /// Typed as text so leading zeros survive (IDs, phone numbers).
    pub text_format: bool,
    /// Offer a TRUE/FALSE dropdown.
    pub boolean: bool,
}

/// The template for one mode, in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub file_name: String,
    pub data_sheet: &'static str,
    pub rules_sheet: &'static str,
    pub rules_headers: [&'static str; 3],
    /// A note on the example row: it shows how to write a row and is
    /// never sent (see `IssueKind::TemplateExample`).
    pub example_note: &'static str,
    pub columns: Vec<TemplateColumn>,
    /// The company's organizations and tags, when loaded.
    pub reference: Option<ReferenceSheets>,
}

/// Two sheets listing the company's organizations (as an indented tree)
/// and tags with their serials, and what the organization column's
/// dropdown offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceSheets {
    pub organizations_sheet: &'static str,
    /// Name, serial, active, and what to type in the sheet for it.
    pub organizations_headers: [&'static str; 4],
    pub organizations: Vec<OrganizationLine>,
    pub tags_sheet: &'static str,
    pub tags_headers: [&'static str; 2],
    /// Name and serial.
    pub tags: Vec<(String, String)>,
}

/// One organization of the reference sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationLine {
    /// How deep in the tree: the name's indent.
    pub depth: usize,
    pub name: String,
    pub serial: String,
    pub active: &'static str,
    /// The name, or the path where the name repeats: what resolves.
    pub to_type: String,
}

impl ReferenceSheets {
    pub fn of(names: &Names, lang: Lang) -> ReferenceSheets {
        let organizations = names
            .reference()
            .organizations
            .iter()
            .enumerate()
            .map(|(index, org)| OrganizationLine {
                depth: org.path.len() - 1,
                name: org.name.clone(),
                serial: org.serial.clone(),
                active: if org.active {
                    lang.pick("yes", "ya")
                } else {
                    lang.pick("no (inactive)", "tidak (nonaktif)")
                },
                to_type: if names.name_repeats(index) {
                    org.path_text()
                } else {
                    org.name.clone()
                },
            })
            .collect();
        ReferenceSheets {
            organizations_sheet: lang.pick("Organizations", "Organisasi"),
            organizations_headers: lang.pick(
                ["Organization", "Serial", "Active", "Type in the sheet"],
                ["Organisasi", "Serial", "Aktif", "Ketik di lembar kerja"],
            ),
            organizations,
            tags_sheet: lang.pick("Tags", "Tag"),
            tags_headers: lang.pick(["Tag", "Serial"], ["Tag", "Serial"]),
            tags: names
                .reference()
                .tags
                .iter()
                .map(|tag| (tag.name.clone(), tag.serial.clone()))
                .collect(),
        }
    }
}

/// The template's columns for `mode`, in the order the API documents them.
pub fn template(mode: Mode, lang: Lang) -> Template {
    // Creation takes the fields in the API's documented order; an update
    // puts the rename right after the ID it renames.
    let fields: Vec<Field> = match mode {
        Mode::Create => Field::ALL
            .into_iter()
            .filter(|f| mode.accepts(*f))
            .collect(),
        Mode::Update => vec![
            Field::EmployeeId,
            Field::NewEmployeeId,
            Field::Name,
            Field::Username,
            Field::Email,
            Field::Phone,
            Field::IsActive,
            Field::TagSerials,
        ],
    };
    let columns = fields
        .iter()
        .map(|&field| TemplateColumn {
            field,
            header: if mode.required_fields().contains(&field) {
                format!("{} *", field.label(lang))
            } else {
                field.label(lang).to_owned()
            },
            example: example(field),
            required: mode.required_fields().contains(&field),
            rule: rule(field, mode, lang),
            text_format: matches!(
                field,
                Field::EmployeeId | Field::NewEmployeeId | Field::Phone
            ),
            boolean: field == Field::IsActive,
        })
        .collect();
    let file_name = match mode {
        Mode::Create => lang.pick(
            "ruangkerja-create-users-template.xlsx",
            "templat-tambah-pengguna-ruangkerja.xlsx",
        ),
        Mode::Update => lang.pick(
            "ruangkerja-update-users-template.xlsx",
            "templat-ubah-pengguna-ruangkerja.xlsx",
        ),
    };
    Template {
        file_name: file_name.to_owned(),
        data_sheet: lang.pick("Employees", "Karyawan"),
        rules_sheet: lang.pick("Rules", "Aturan"),
        rules_headers: lang.pick(["Column", "Required (*)", "Rule"], ["Kolom", "Wajib (*)", "Aturan"]),
        example_note: lang.pick(
            "Example row: it shows how to fill in a row and is never sent. Type your employees below it, or over it.",
            "Baris contoh: menunjukkan cara mengisi baris dan tidak pernah dikirim. Ketik data karyawan Anda di bawahnya, atau menimpanya.",
        ),
        columns,
        reference: None,
    }
}

/// The example row's employee ID and name: a row holding both is the
/// template's example, never sent.
pub const EXAMPLE_EMPLOYEE: (&str, &str) = ("EMP001", "Budi Santoso");

fn example(field: Field) -> &'static str {
    match field {
        Field::EmployeeId => EXAMPLE_EMPLOYEE.0,
        Field::NewEmployeeId => "",
        Field::Name => EXAMPLE_EMPLOYEE.1,
        Field::Username => "budisantoso",
        Field::Email => "budi@example.com",
        Field::Phone => "6281122334455",
        Field::Password => "",
        Field::IsActive => "TRUE",
        Field::TagSerials => "RUKRTAG-9WHL0JGP",
        Field::OrganizationSerial => "COMPFJLYTHWL",
    }
}

fn rule(field: Field, mode: Mode, lang: Lang) -> String {
    if mode == Mode::Update {
        if let Some(text) = update_rule(field, lang) {
            return text;
        }
    }
    let text = match field {
        Field::EmployeeId if mode == Mode::Update => lang.pick(
            "The employee ID of the user to update. Letters A-Z and digits 0-9 only.",
            "ID karyawan pengguna yang diubah. Hanya huruf A-Z dan angka 0-9.",
        ),
        Field::EmployeeId => lang.pick(
            "Unique employee ID. Letters A-Z and digits 0-9 only.",
            "ID karyawan yang unik. Hanya huruf A-Z dan angka 0-9.",
        ),
        Field::NewEmployeeId => lang.pick(
            "Optional. A new employee ID to rename the user to. Letters and digits only.",
            "Opsional. ID karyawan baru untuk mengganti ID. Hanya huruf dan angka.",
        ),
        Field::Name => lang.pick("The employee's full name.", "Nama lengkap karyawan."),
        Field::Username => lang.pick(
            "Optional. Used to sign in. Letters and digits only, unique.",
            "Opsional. Dipakai untuk masuk. Hanya huruf dan angka, unik.",
        ),
        Field::Email => lang.pick(
            "Required when phone is empty. Unique. Example: name@example.com.",
            "Wajib jika phone kosong. Unik. Contoh: nama@contoh.com.",
        ),
        Field::Phone if mode == Mode::Update => lang.pick(
            "Optional. Digits only, international format, e.g. 6281122334455.",
            "Opsional. Hanya angka, format internasional, mis. 6281122334455.",
        ),
        Field::Phone => lang.pick(
            "Required when email is empty. Digits only, international format, e.g. 6281122334455.",
            "Wajib jika email kosong. Hanya angka, format internasional, mis. 6281122334455.",
        ),
        Field::Password => lang.pick(
            "Optional. Leave empty to have a random password generated and emailed.",
            "Opsional. Kosongkan agar kata sandi acak dibuat dan dikirim lewat email.",
        ),
        Field::IsActive => lang.pick(
            "TRUE for an active user, FALSE for an inactive one.",
            "TRUE untuk pengguna aktif, FALSE untuk nonaktif.",
        ),
        Field::TagSerials => lang.pick(
            "Optional. Tag names or serials (RUKRTAG-…), separated by commas or semicolons; the Tags sheet lists them when the app has loaded them.",
            "Opsional. Nama atau serial tag (RUKRTAG-…), dipisah koma atau titik koma; lembar kerja Tag mendaftarnya bila aplikasi sudah memuatnya.",
        ),
        Field::OrganizationSerial => lang.pick(
            "Optional. The organization's name, its path where names repeat (Jakarta Branch > Finance), or its serial (COMP…); the Organizations sheet lists them when the app has loaded them.",
            "Opsional. Nama organisasi, jalurnya bila namanya kembar (Cabang Jakarta > Keuangan), atau serialnya (COMP…); lembar kerja Organisasi mendaftarnya bila aplikasi sudah memuatnya.",
        ),
    };
    text.to_owned()
}

/// In an update an empty cell keeps the stored value; the rules say so,
/// and name the marker that clears one on purpose.
fn update_rule(field: Field, lang: Lang) -> Option<String> {
    let keep = lang.pick(
        "Leave empty to keep the value Ruangkerja holds.",
        "Kosongkan untuk mempertahankan nilai yang tersimpan di Ruangkerja.",
    );
    let clear = lang.pick(
        format!("Type {CLEAR_MARKER} to clear the stored value."),
        format!("Ketik {CLEAR_MARKER} untuk mengosongkan nilai yang tersimpan."),
    );
    let text = match field {
        Field::Name => format!(
            "{} {keep}",
            lang.pick("The employee's full name.", "Nama lengkap karyawan.")
        ),
        Field::IsActive => format!(
            "{} {keep}",
            lang.pick(
                "TRUE for an active user, FALSE for an inactive one.",
                "TRUE untuk pengguna aktif, FALSE untuk nonaktif.",
            )
        ),
        Field::Username => format!(
            "{} {keep} {clear}",
            lang.pick(
                "Optional. Used to sign in. Letters and digits only, unique.",
                "Opsional. Dipakai untuk masuk. Hanya huruf dan angka, unik.",
            )
        ),
        Field::Phone => format!(
            "{} {keep} {clear}",
            lang.pick(
                "Optional. Digits only, international format, e.g. 6281122334455.",
                "Opsional. Hanya angka, format internasional, mis. 6281122334455.",
            )
        ),
        Field::TagSerials => format!(
            "{} {keep} {clear}",
            lang.pick(
                "Optional. Tag serials (RUKRTAG-…), separated by commas or semicolons; they replace the user's tags.",
                "Opsional. Serial tag (RUKRTAG-…), dipisah koma atau titik koma; menggantikan tag pengguna.",
            )
        ),
        Field::Email => lang
            .pick(
                "Optional. A new address is changed in a separate, confirmed step, which also resets the user's password (the API's documentation says so). Leave empty to keep the address.",
                "Opsional. Alamat baru diubah dalam langkah terpisah yang dikonfirmasi, yang juga mengatur ulang kata sandi pengguna (menurut dokumentasi API). Kosongkan untuk mempertahankan alamat.",
            )
            .to_owned(),
        _ => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::map_headers;

    #[test]
    fn template_headers_map_back_to_exactly_the_modes_fields() {
        for mode in [Mode::Create, Mode::Update] {
            for lang in [Lang::En, Lang::Id] {
                let template = template(mode, lang);
                let headers: Vec<String> =
                    template.columns.iter().map(|c| c.header.clone()).collect();
                let mapping = map_headers(&headers);
                let fields: Vec<Field> = template.columns.iter().map(|c| c.field).collect();
                assert_eq!(
                    mapping.fields,
                    fields.into_iter().map(Some).collect::<Vec<_>>(),
                    "{headers:?}"
                );
            }
            let template = template(mode, Lang::Id);
            let headers: Vec<String> = template.columns.iter().map(|c| c.header.clone()).collect();
            let mapping = map_headers(&headers);
            assert!(mapping
                .fields
                .iter()
                .all(|field| field.is_some_and(|f| mode.accepts(f))));
            assert_eq!(Mode::suggested_by(&mapping), mode);
        }
        assert_eq!(template(Mode::Create, Lang::Id).data_sheet, "Karyawan");
    }

    #[test]
    fn the_update_template_says_empty_keeps_and_names_the_clear_marker() {
        let update = template(Mode::Update, Lang::En);
        let rule = |field| {
            update
                .columns
                .iter()
                .find(|c| c.field == field)
                .map(|c| c.rule.clone())
                .unwrap()
        };
        assert!(
            rule(Field::Phone).contains("Leave empty to keep")
                && rule(Field::Phone).contains("#CLEAR")
        );
        assert!(!rule(Field::Name).contains("#CLEAR"));
        assert!(rule(Field::Email).contains("resets the user's password"));
        let required: Vec<Field> = update
            .columns
            .iter()
            .filter(|c| c.required)
            .map(|c| c.field)
            .collect();
        assert_eq!(required, [Field::EmployeeId]);
    }
}
