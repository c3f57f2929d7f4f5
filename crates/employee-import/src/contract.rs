//! The Ruangkerja API's wire format: the only serde types of the API.
//!
//! Field names follow the public docs exactly (`employeeID`, `isActive`,
//! `successItems`, ...). Domain types convert to and from these explicitly,
//! so a change in the wire format stays in this module.
//!
//! Decisions where the docs are silent or loose:
//! - Absent optional values are sent as `null`, as in the docs' example.
//! - Answers are read leniently: a missing list is empty, and an echoed
//!   `payload` is kept as raw JSON because the docs' own example leaves
//!   fields out of it. Items are matched back to rows by `employeeID`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One item of `POST /ruangkerja/users/create-bulk`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateUserItem {
    #[serde(rename = "employeeID")]
    pub employee_id: String,
    pub name: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    pub is_active: bool,
    #[serde(default)]
    pub tag_serials: Option<Vec<String>>,
    #[serde(default)]
    pub organization_serial: Option<String>,
}

/// One item of `POST /ruangkerja/users/update-bulk`; the user is found by
/// `employee_id`, and `new_employee_id` renames it. The update item has no
/// email field in the docs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateUserItem {
    #[serde(rename = "employeeID")]
    pub employee_id: String,
    pub name: String,
    #[serde(default, rename = "newEmployeeID")]
    pub new_employee_id: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    pub is_active: bool,
    #[serde(default)]
    pub tag_serials: Option<Vec<String>>,
}

/// Body of `POST /oauth/token`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenRequest {
    #[serde(rename = "clientID")]
    pub client_id: String,
    #[serde(rename = "clientSecret")]
    pub client_secret: String,
    #[serde(rename = "grantType")]
    pub grant_type: String,
}

/// `data` of a successful `POST /oauth/token`. `expires_in` is a string of
/// seconds in the docs (for example "43199").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenGrant {
    pub access_token: String,
    pub expires_in: String,
    pub token_type: String,
}

/// A tag as the user endpoints return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagRef {
    pub serial: String,
    pub name: String,
}

/// `data` of `GET /ruangkerja/users/:employeeID`. It carries no serial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDetail {
    #[serde(rename = "employeeID")]
    pub employee_id: String,
    pub name: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    pub is_active: bool,
    #[serde(default)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub company_serial: Option<String>,
    #[serde(default)]
    pub organization_display_name: Option<String>,
    #[serde(default)]
    pub organization_level_serial: Option<String>,
    #[serde(default)]
    pub tags: Vec<TagRef>,
}

/// `data` of a list endpoint (`GET /ruangkerja/users?page=&pageSize=`):
/// one page of items and the totals. `pageSize` is at most 100.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub current_page: u64,
    pub total_items: u64,
    pub total_page: u64,
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
}

/// The largest `pageSize` the list endpoints accept.
pub const MAX_PAGE_SIZE: u32 = 100;

/// One item of `POST /ruangkerja/users/update-email-bulk` (the docs' curl
/// spells the path `update-bulk-email`). The docs warn that it also resets
/// the user's password; `password` is the new one, or `null` for a random
/// one sent to the new address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateEmailItem {
    #[serde(rename = "employeeID")]
    pub employee_id: String,
    pub email: String,
    #[serde(default)]
    pub password: Option<String>,
}

/// The body of every bulk call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkRequest<T> {
    pub items: Vec<T>,
}

/// The success envelope shared by all endpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub status: String,
    pub message: String,
    pub data: T,
}

/// `data` of a bulk answer: which items were applied and which were not.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkResult {
    #[serde(default)]
    pub failed_items: Vec<FailedItem>,
    #[serde(default)]
    pub success_items: Vec<SuccessItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedItem {
    pub error: ApiErrorBody,
    #[serde(default)]
    pub payload: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuccessItem {
    #[serde(default)]
    pub payload: Value,
    pub response: SerialResponse,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SerialResponse {
    pub serial: String,
}

/// The flat error shape of single-item calls, auth failures and failed
/// bulk items: `{"errorCode": 10101, "message": "USER_EMPLOYEE_ID_EXISTS", "detail": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiErrorBody {
    pub error_code: i64,
    pub message: String,
    #[serde(default)]
    pub detail: String,
}

impl ApiErrorBody {
    /// What the admin reads first about a refusal: the code's plain
    /// explanation where the docs name it, else the API's own detail.
    pub fn plain(&self, lang: crate::Lang) -> String {
        codes::explain(self.error_code, lang).map_or_else(|| self.detail.clone(), str::to_owned)
    }
}

/// The employee ID an answer echoes back, when it does.
pub fn echoed_employee_id(payload: &Value) -> Option<&str> {
    payload.get("employeeID").and_then(Value::as_str)
}

/// Error codes the docs name.
pub mod codes {
    pub const USER_EMPLOYEE_ID_EXISTS: i64 = 10101;
    pub const USER_EMAIL_EXISTS: i64 = 10102;
    pub const BAD_REQUEST: i64 = 400;
    pub const PERMISSION_DENIED: i64 = 123;
    pub const PERMISSION_DENIED_MESSAGE: &str =
        "rpc error: code = PermissionDenied desc = Token is not valid";
    pub const TAG_NAME_EXISTS: i64 = 11101;

    use crate::lang::Lang;
    use crate::Field;

    /// The field a refusal is about, where the code names one: the cell
    /// the admin changes to fix it.
    pub fn field(code: i64) -> Option<Field> {
        match code {
            USER_EMPLOYEE_ID_EXISTS => Some(Field::EmployeeId),
            USER_EMAIL_EXISTS => Some(Field::Email),
            _ => None,
        }
    }

    /// What a code the docs name means, and what to do, in plain words.
    /// Unknown codes get `None`: the app then shows them exactly as they came.
    pub fn explain(code: i64, lang: Lang) -> Option<&'static str> {
        Some(match code {
            USER_EMPLOYEE_ID_EXISTS => lang.pick(
                "A user with this employee ID already exists in Ruangkerja. If it is the same person, nothing is needed; otherwise give this row another employee ID.",
                "Pengguna dengan ID karyawan ini sudah ada di Ruangkerja. Jika orangnya sama, tidak perlu apa-apa; jika bukan, beri baris ini ID karyawan lain.",
            ),
            USER_EMAIL_EXISTS => lang.pick(
                "Another user already has this e-mail address. Use a different address for this person.",
                "Pengguna lain sudah memakai alamat email ini. Gunakan alamat lain untuk orang ini.",
            ),
            TAG_NAME_EXISTS => lang.pick(
                "A tag with this name already exists.",
                "Tag dengan nama ini sudah ada.",
            ),
            BAD_REQUEST => lang.pick(
                "The API did not accept the request or the credentials. Check the client ID and secret, or the row's values.",
                "API tidak menerima permintaan atau kredensial. Periksa client ID dan secret, atau nilai baris ini.",
            ),
            PERMISSION_DENIED => lang.pick(
                "The access token is missing, wrong or expired. Sign in again and retry.",
                "Token akses tidak ada, salah, atau kedaluwarsa. Masuk lagi lalu coba ulang.",
            ),
            _ => return None,
        })
    }
}

/// The docs' own examples (requests and answers of the bulk endpoints) are
/// checked against these types in `tests/contract_docs.rs`, from verbatim
/// copies of the doc pages. The values below are made up.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_create_item_is_sent_with_the_wire_field_names_and_nulls_for_absent_values() {
        let item = CreateUserItem {
            employee_id: "EMP001".into(),
            name: "Budi".into(),
            username: None,
            email: Some("budi@example.com".into()),
            phone: None,
            password: None,
            is_active: true,
            tag_serials: Some(vec!["RUKRTAG-9WHL0JGP".into()]),
            organization_serial: None,
        };
        let json = serde_json::to_value(BulkRequest { items: vec![item] }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"items": [{
                "employeeID": "EMP001", "name": "Budi", "username": null,
                "email": "budi@example.com", "phone": null, "password": null,
                "isActive": true, "tagSerials": ["RUKRTAG-9WHL0JGP"], "organizationSerial": null
            }]})
        );
    }

    #[test]
    fn known_codes_are_explained_in_both_languages_and_unknown_ones_are_not() {
        let en = codes::explain(10101, crate::Lang::En).unwrap();
        let id = codes::explain(10101, crate::Lang::Id).unwrap();
        assert!(en.contains("already exists") && id.contains("sudah ada"));
        assert_eq!(codes::explain(99999, crate::Lang::En), None);
    }

    /// The invalid-token answer as the API facts (ruangkerja-api.md) report
    /// it; no doc page of it is kept.
    #[test]
    fn the_invalid_token_answer_reads_as_an_error_body() {
        let body: ApiErrorBody = serde_json::from_str(
            r#"{"errorCode": 123, "message": "rpc error: code = PermissionDenied desc = Token is not valid",
                "detail": "rpc error: code = PermissionDenied desc = Token is not valid"}"#,
        )
        .unwrap();
        assert_eq!(body.error_code, codes::PERMISSION_DENIED);
        assert_eq!(body.message, codes::PERMISSION_DENIED_MESSAGE);
    }
}
