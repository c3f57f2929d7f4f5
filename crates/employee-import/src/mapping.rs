//! Which column of the sheet feeds which API field.
//!
//! The mapping is a plain value: the UI can show it, let the user edit it and
//! store it. Headers are matched after normalising case, spaces and
//! punctuation, so `Employee ID`, `employee_id` and `employeeID` all match.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A user field of the Ruangkerja bulk endpoints. Serialised by its API
/// name, so a stored mapping reads like the template's header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Field {
    #[serde(rename = "employeeID")]
    EmployeeId,
    #[serde(rename = "name")]
    Name,
    #[serde(rename = "username")]
    Username,
    #[serde(rename = "email")]
    Email,
    #[serde(rename = "phone")]
    Phone,
    #[serde(rename = "password")]
    Password,
    #[serde(rename = "isActive")]
    IsActive,
    #[serde(rename = "tagSerials")]
    TagSerials,
    #[serde(rename = "organizationSerial")]
    OrganizationSerial,
    #[serde(rename = "newEmployeeID")]
    NewEmployeeId,
}

impl Field {
    pub const ALL: [Field; 10] = [
        Field::EmployeeId,
        Field::Name,
        Field::Username,
        Field::Email,
        Field::Phone,
        Field::Password,
        Field::IsActive,
        Field::TagSerials,
        Field::OrganizationSerial,
        Field::NewEmployeeId,
    ];

    /// The field's name in the API, which is also the template's header.
    pub fn api_name(self) -> &'static str {
        match self {
            Field::EmployeeId => "employeeID",
            Field::Name => "name",
            Field::Username => "username",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Password => "password",
            Field::IsActive => "isActive",
            Field::TagSerials => "tagSerials",
            Field::OrganizationSerial => "organizationSerial",
            Field::NewEmployeeId => "newEmployeeID",
        }
    }

    /// The field in words, for messages where the sheet gives no header.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            Field::EmployeeId => lang.pick("employee ID", "ID karyawan"),
            Field::Name => lang.pick("name", "nama"),
            Field::Username => lang.pick("username", "nama pengguna"),
            Field::Email => "email",
            Field::Phone => lang.pick("phone", "nomor HP"),
            Field::Password => lang.pick("password", "kata sandi"),
            Field::IsActive => lang.pick("active", "status aktif"),
            Field::TagSerials => lang.pick("tags", "tag"),
            Field::OrganizationSerial => lang.pick("organization", "organisasi"),
            Field::NewEmployeeId => lang.pick("new employee ID", "ID karyawan baru"),
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.api_name())
    }
}

impl Field {
    /// Header texts, normalised, that name this field: the API name plus
    /// common English and Bahasa Indonesia headers seen in HR sheets.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::EmployeeId => &[
                "employeeid",
                "employeeno",
                "employeenumber",
                "empid",
                "staffid",
                "nik",
                "nokaryawan",
                "nomorkaryawan",
                "idkaryawan",
                "nip",
                "nomorindukkaryawan",
            ],
            Field::Name => &[
                "name",
                "fullname",
                "employeename",
                "nama",
                "namalengkap",
                "namakaryawan",
            ],
            Field::Username => &["username", "login", "namapengguna", "userlogin"],
            Field::Email => &[
                "email",
                "emailaddress",
                "surel",
                "alamatemail",
                "alamatsurel",
                "emailkantor",
                "emailperusahaan",
                "emailkerja",
                "emailkaryawan",
                "surelkantor",
                "workemail",
                "officeemail",
                "businessemail",
            ],
            Field::Phone => &[
                "phone",
                "phonenumber",
                "mobile",
                "mobilephone",
                "mobilenumber",
                "handphone",
                "nohp",
                "nomorhp",
                "hp",
                "telepon",
                "telp",
                "notelp",
                "notelepon",
                "nomortelepon",
                "ponsel",
                "noponsel",
                "whatsapp",
                "nowa",
                "nohpwa",
                "nowhatsapp",
                "nomorwa",
                "nomorwhatsapp",
                "nohandphone",
                "nomorhandphone",
                "nomorponsel",
            ],
            Field::Password => &["password", "katasandi", "sandi"],
            // "Status" and "Status Karyawan" often hold Tetap/Kontrak, not
            // active or not: last, so a clearer column wins.
            Field::IsActive => &[
                "isactive",
                "active",
                "aktif",
                "statusaktif",
                "activestatus",
                "status",
                "statuskaryawan",
            ],
            Field::TagSerials => &[
                "tagserials",
                "tagserial",
                "tag",
                "tags",
                "label",
                "tagname",
                "tagnames",
                "namatag",
            ],
            // Names or serials: both are resolved (see `names`).
            Field::OrganizationSerial => &[
                "organizationserial",
                "organization",
                "organisation",
                "organisasi",
                "organizationname",
                "namaorganisasi",
                "serialorganisasi",
                "unit",
                "unitkerja",
                "unitorganisasi",
                "namaunit",
                "department",
                "departemen",
                "dept",
                "divisi",
                "division",
                "bagian",
                "satuankerja",
            ],
            Field::NewEmployeeId => &[
                "newemployeeid",
                "newemployeeno",
                "idkaryawanbaru",
                "nikbaru",
                "nokaryawanbaru",
                "nomorkaryawanbaru",
            ],
        }
    }

    /// The field a header names, if any.
    pub fn from_header(header: &str) -> Option<Field> {
        let wanted = normalise(header);
        Field::ALL
            .into_iter()
            .find(|field| field.aliases().contains(&wanted.as_str()))
    }
}

/// Lower-cases and drops everything but letters and digits, so
/// "No. HP", "no_hp" and "NoHP" compare equal.
fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// For each column of the header row, the field it feeds, if any. A plain
/// value: the UI shows it, lets the user change it and stores it (as JSON,
/// keyed by [`ColumnMapping::headers_key`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub headers: Vec<String>,
    pub fields: Vec<Option<Field>>,
}

impl ColumnMapping {
    /// The column that feeds `field`, if one does.
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.fields.iter().position(|mapped| *mapped == Some(field))
    }

    /// The admin's header of the column that feeds `field`, when there is
    /// one and it is not blank.
    pub fn header_of(&self, field: Field) -> Option<&str> {
        let header = self.headers.get(self.column_of(field)?)?.trim();
        (!header.is_empty()).then_some(header)
    }

    /// True when no column feeds any field: the row was not a header row.
    pub fn maps_nothing(&self) -> bool {
        self.fields.iter().all(Option::is_none)
    }

    /// Points `column` at `field` (or at nothing). A field feeds from one
    /// column only, so any other column that fed it is cleared.
    pub fn assign(&mut self, column: usize, field: Option<Field>) {
        if column >= self.fields.len() {
            return;
        }
        if let Some(field) = field {
            for mapped in self
                .fields
                .iter_mut()
                .filter(|mapped| **mapped == Some(field))
            {
                *mapped = None;
            }
        }
        self.fields[column] = field;
    }

    /// Non-empty headers that feed no field, in sheet order.
    pub fn ignored_headers(&self) -> impl Iterator<Item = &str> {
        self.headers
            .iter()
            .zip(&self.fields)
            .filter(|(header, field)| field.is_none() && !header.trim().is_empty())
            .map(|(header, _)| header.as_str())
    }

    /// A key for remembering this mapping for the next file with the same
    /// headers: the normalised headers, joined.
    pub fn headers_key(&self) -> String {
        self.headers
            .iter()
            .map(|header| normalise(header))
            .collect::<Vec<_>>()
            .join("|")
    }
}

/// Matches header texts to fields. When two columns claim the same field,
/// the clearer header wins (the earlier of their aliases: "Status Aktif"
/// over "Status"), then the first column; the other is ignored, so no
/// field is fed twice.
pub fn map_headers(headers: &[String]) -> ColumnMapping {
    let ranked: Vec<Option<(Field, usize)>> = headers
        .iter()
        .map(|header| {
            let wanted = normalise(header);
            Field::ALL.into_iter().find_map(|field| {
                let rank = field.aliases().iter().position(|alias| *alias == wanted)?;
                Some((field, rank))
            })
        })
        .collect();
    let fields = ranked
        .iter()
        .enumerate()
        .map(|(column, claim)| {
            let (field, rank) = (*claim)?;
            let beaten = ranked.iter().enumerate().any(|(other, rival)| {
                matches!(rival, Some((f, r)) if *f == field && (*r, other) < (rank, column))
            });
            (!beaten).then_some(field)
        })
        .collect();
    ColumnMapping {
        headers: headers.to_vec(),
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|text| text.to_string()).collect()
    }

    #[test]
    fn api_field_names_map_to_their_fields_whatever_the_case_and_spacing() {
        let mapping = map_headers(&headers(&["Employee ID", "NAME", "is_active", "Notes"]));
        assert_eq!(
            mapping.fields,
            [
                Some(Field::EmployeeId),
                Some(Field::Name),
                Some(Field::IsActive),
                None
            ]
        );
        assert_eq!(mapping.ignored_headers().collect::<Vec<_>>(), ["Notes"]);
        assert_eq!(mapping.column_of(Field::IsActive), Some(2));
    }

    #[test]
    fn the_clearer_of_two_columns_for_a_field_wins_and_office_words_are_known() {
        // An HR sheet: "Status" holds Tetap/Kontrak, "Status Aktif" the
        // flag; "Email Kantor" and "No HP/WA" are the contacts.
        let mapping = map_headers(&headers(&[
            "NIK",
            "Status",
            "Email Kantor",
            "No HP/WA",
            "Status Aktif",
        ]));
        assert_eq!(
            mapping.fields,
            [
                Some(Field::EmployeeId),
                None,
                Some(Field::Email),
                Some(Field::Phone),
                Some(Field::IsActive)
            ]
        );
        // Alone, "Status" is still taken for the flag.
        let mapping = map_headers(&headers(&["NIK", "Status"]));
        assert_eq!(mapping.fields[1], Some(Field::IsActive));
    }

    #[test]
    fn a_second_column_for_the_same_field_is_ignored() {
        let mapping = map_headers(&headers(&["email", "Email"]));
        assert_eq!(mapping.fields, [Some(Field::Email), None]);
    }

    #[test]
    fn english_and_indonesian_headers_map_to_their_fields() {
        let cases = [
            ("NIK", Field::EmployeeId),
            ("No. Karyawan", Field::EmployeeId),
            ("ID Karyawan", Field::EmployeeId),
            ("Employee ID", Field::EmployeeId),
            ("Nama", Field::Name),
            ("Nama Lengkap", Field::Name),
            ("Surel", Field::Email),
            ("E-mail", Field::Email),
            ("No. HP", Field::Phone),
            ("Telepon", Field::Phone),
            ("Ponsel", Field::Phone),
            ("Mobile", Field::Phone),
            ("Status", Field::IsActive),
            ("Aktif", Field::IsActive),
            ("Active", Field::IsActive),
            ("Tag", Field::TagSerials),
            ("Organisasi", Field::OrganizationSerial),
            ("Unit", Field::OrganizationSerial),
            ("Unit Kerja", Field::OrganizationSerial),
            ("Departemen", Field::OrganizationSerial),
            ("Divisi", Field::OrganizationSerial),
            ("Department", Field::OrganizationSerial),
            ("ID Karyawan Baru", Field::NewEmployeeId),
            ("New Employee ID", Field::NewEmployeeId),
            ("Kata Sandi", Field::Password),
        ];
        for (header, field) in cases {
            assert_eq!(Field::from_header(header), Some(field), "{header}");
        }
        assert_eq!(Field::from_header("Tanggal Lahir"), None);
    }

    #[test]
    fn assigning_a_field_by_hand_moves_it_from_its_old_column() {
        let mut mapping = map_headers(&headers(&["NIK", "Kode"]));
        mapping.assign(1, Some(Field::EmployeeId));
        assert_eq!(mapping.fields, [None, Some(Field::EmployeeId)]);
        assert_eq!(mapping.headers_key(), "nik|kode");
    }

    #[test]
    fn a_mapping_round_trips_through_json_with_api_names() {
        let mapping = map_headers(&headers(&["NIK", "Catatan"]));
        let json = serde_json::to_string(&mapping).unwrap();
        assert_eq!(
            json,
            r#"{"headers":["NIK","Catatan"],"fields":["employeeID",null]}"#
        );
        assert_eq!(
            serde_json::from_str::<ColumnMapping>(&json).unwrap(),
            mapping
        );
    }

    #[test]
    fn a_row_of_data_maps_nothing() {
        assert!(map_headers(&headers(&["E1", "Ani", "TRUE"])).maps_nothing());
    }
}
