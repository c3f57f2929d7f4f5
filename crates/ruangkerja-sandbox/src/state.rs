//! The users store and the per-item rules of the user endpoints.
//!
//! Items are judged from raw JSON, not through the core's serde types, so
//! each broken rule can get its own error code instead of one generic
//! "cannot deserialize". The first broken rule wins; an item is either
//! applied whole or not at all.
//!
//! Decisions where the docs are silent (also in the sandbox README):
//! - `employeeID` is unique exactly (case-sensitive); `username` and `email`
//!   are unique ignoring ASCII case, as sign-in names and addresses usually
//!   are.
//! - An empty string counts as an absent value for optional fields.
//! - Update: an absent or `null` optional field keeps the stored value; the
//!   user keeps its serial; a rename to a taken ID fails with 10101.
//! - Items of one request are applied in order, so the second of two items
//!   with the same employee ID fails with 10101.

use std::collections::{BTreeMap, HashMap};

use employee_import::contract::{ApiErrorBody, CreateUserItem};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::rng::SplitMix;

/// An error code of the sandbox, with the HTTP status single-item calls
/// answer it with. 10101 and 10102 are the docs'; the others are the
/// sandbox's own choice, stable and listed in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    pub number: i64,
    pub message: &'static str,
    pub http_status: u16,
}

impl Code {
    pub fn reject(self, detail: impl Into<String>) -> Rejection {
        Rejection {
            http_status: self.http_status,
            body: ApiErrorBody {
                error_code: self.number,
                message: self.message.to_owned(),
                detail: detail.into(),
            },
        }
    }
}

pub mod codes {
    use super::Code;

    const fn code(number: i64, message: &'static str, http_status: u16) -> Code {
        Code {
            number,
            message,
            http_status,
        }
    }

    pub const USER_EMPLOYEE_ID_EXISTS: Code = code(10101, "USER_EMPLOYEE_ID_EXISTS", 409);
    pub const USER_EMAIL_EXISTS: Code = code(10102, "USER_EMAIL_EXISTS", 409);
    pub const USER_USERNAME_EXISTS: Code = code(10103, "USER_USERNAME_EXISTS", 409);
    pub const EMPLOYEE_ID_INVALID: Code = code(10104, "EMPLOYEE_ID_INVALID", 400);
    pub const USERNAME_INVALID: Code = code(10105, "USERNAME_INVALID", 400);
    pub const NAME_REQUIRED: Code = code(10106, "NAME_REQUIRED", 400);
    pub const EMAIL_OR_PHONE_REQUIRED: Code = code(10107, "EMAIL_OR_PHONE_REQUIRED", 400);
    pub const IS_ACTIVE_REQUIRED: Code = code(10108, "IS_ACTIVE_REQUIRED", 400);
    pub const USER_NOT_FOUND: Code = code(10109, "USER_NOT_FOUND", 404);
    pub const ITEM_INVALID: Code = code(10110, "ITEM_INVALID", 400);
    /// Request level: more items than `--max-items`.
    pub const TOO_MANY_ITEMS: Code = code(10111, "TOO_MANY_ITEMS", 400);
    /// Request level: the body is not JSON of the expected shape.
    pub const BAD_REQUEST: Code = code(400, "BAD_REQUEST", 400);

    pub const EMPLOYEE_ID_TAKEN_DETAIL: &str = "employee id already been taken";
    pub const EMAIL_TAKEN_DETAIL: &str = "user email already been taken";
}

/// Why an item or a request was not applied: the flat error body and the
/// HTTP status a single-item call answers with.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub http_status: u16,
    pub body: ApiErrorBody,
}

/// A user as the sandbox stores it; the state dump shows it as the item's
/// camelCase fields plus `serial`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredUser {
    pub serial: String,
    #[serde(flatten)]
    pub item: CreateUserItem,
}

/// Every user, indexed the ways the uniqueness rules need.
#[derive(Debug)]
pub struct Users {
    by_employee_id: BTreeMap<String, StoredUser>,
    /// Lower-cased username to employee ID.
    usernames: HashMap<String, String>,
    /// Lower-cased email to employee ID.
    emails: HashMap<String, String>,
    /// How many times each employee ID was created through the API: a
    /// test's proof that no user was created twice. Seeding does not count.
    creations: BTreeMap<String, u32>,
    serials: SplitMix,
}

impl Users {
    pub fn new(seed: u64) -> Users {
        Users {
            by_employee_id: BTreeMap::new(),
            usernames: HashMap::new(),
            emails: HashMap::new(),
            creations: BTreeMap::new(),
            serials: SplitMix::new(seed),
        }
    }

    pub fn get(&self, employee_id: &str) -> Option<&StoredUser> {
        self.by_employee_id.get(employee_id)
    }

    /// All users, sorted by employee ID.
    pub fn all(&self) -> impl Iterator<Item = &StoredUser> {
        self.by_employee_id.values()
    }

    pub fn creations(&self) -> &BTreeMap<String, u32> {
        &self.creations
    }

    /// Creates one user from a create item; answers its new serial.
    pub fn create(&mut self, payload: &Value) -> Result<String, Rejection> {
        let serial = self.insert(payload)?;
        let id = payload["employeeID"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        *self.creations.entry(id).or_default() += 1;
        Ok(serial)
    }

    /// Creates one user without counting it as a creation through the API.
    pub fn seed(&mut self, payload: &Value) -> Result<String, Rejection> {
        self.insert(payload)
    }

    fn insert(&mut self, payload: &Value) -> Result<String, Rejection> {
        let item = read_create_item(payload)?;
        if self.by_employee_id.contains_key(&item.employee_id) {
            return Err(codes::USER_EMPLOYEE_ID_EXISTS.reject(codes::EMPLOYEE_ID_TAKEN_DETAIL));
        }
        if let Some(username) = &item.username {
            if self.usernames.contains_key(&username.to_ascii_lowercase()) {
                return Err(codes::USER_USERNAME_EXISTS.reject("username already been taken"));
            }
        }
        if let Some(email) = &item.email {
            if self.emails.contains_key(&email.to_ascii_lowercase()) {
                return Err(codes::USER_EMAIL_EXISTS.reject(codes::EMAIL_TAKEN_DETAIL));
            }
        }
        let serial = self.serials.next_serial();
        self.index(&item);
        self.by_employee_id.insert(
            item.employee_id.clone(),
            StoredUser {
                serial: serial.clone(),
                item,
            },
        );
        Ok(serial)
    }

    /// Updates the user `payload.employeeID` names; answers its serial.
    pub fn update(&mut self, payload: &Value) -> Result<String, Rejection> {
        let update = read_update_item(payload)?;
        let Some(current) = self.by_employee_id.get(&update.employee_id) else {
            return Err(codes::USER_NOT_FOUND.reject(format!(
                "user with employee id {} not found",
                update.employee_id
            )));
        };
        let mut item = current.item.clone();
        let serial = current.serial.clone();
        if let Some(new_id) = &update.new_employee_id {
            if *new_id != item.employee_id && self.by_employee_id.contains_key(new_id) {
                return Err(codes::USER_EMPLOYEE_ID_EXISTS.reject(codes::EMPLOYEE_ID_TAKEN_DETAIL));
            }
        }
        if let Some(username) = &update.username {
            let owner = self.usernames.get(&username.to_ascii_lowercase());
            if owner.is_some_and(|owner| *owner != item.employee_id) {
                return Err(codes::USER_USERNAME_EXISTS.reject("username already been taken"));
            }
        }
        if update.phone.is_none() && item.phone.is_none() && item.email.is_none() {
            return Err(codes::EMAIL_OR_PHONE_REQUIRED.reject(
                "phone is required because the user has no email (the update item has no email field)",
            ));
        }
        self.unindex(&item);
        self.by_employee_id.remove(&item.employee_id);
        item.name = update.name;
        item.is_active = update.is_active;
        if let Some(new_id) = update.new_employee_id {
            item.employee_id = new_id;
        }
        if update.username.is_some() {
            item.username = update.username;
        }
        if update.phone.is_some() {
            item.phone = update.phone;
        }
        if update.tag_serials.is_some() {
            item.tag_serials = update.tag_serials;
        }
        self.index(&item);
        self.by_employee_id.insert(
            item.employee_id.clone(),
            StoredUser {
                serial: serial.clone(),
                item,
            },
        );
        Ok(serial)
    }

    fn index(&mut self, item: &CreateUserItem) {
        if let Some(username) = &item.username {
            self.usernames
                .insert(username.to_ascii_lowercase(), item.employee_id.clone());
        }
        if let Some(email) = &item.email {
            self.emails
                .insert(email.to_ascii_lowercase(), item.employee_id.clone());
        }
    }

    fn unindex(&mut self, item: &CreateUserItem) {
        if let Some(username) = &item.username {
            self.usernames.remove(&username.to_ascii_lowercase());
        }
        if let Some(email) = &item.email {
            self.emails.remove(&email.to_ascii_lowercase());
        }
    }
}

/// The fields of an update item, after the rules.
#[derive(Debug)]
struct UpdateFields {
    employee_id: String,
    new_employee_id: Option<String>,
    name: String,
    username: Option<String>,
    phone: Option<String>,
    is_active: bool,
    tag_serials: Option<Vec<String>>,
}

fn as_object(payload: &Value) -> Result<&Map<String, Value>, Rejection> {
    payload
        .as_object()
        .ok_or_else(|| codes::ITEM_INVALID.reject("an item must be a JSON object"))
}

/// A text field; absent, `null` and `""` are all `None`.
fn text(item: &Map<String, Value>, field: &str) -> Result<Option<String>, Rejection> {
    match item.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.is_empty() => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(codes::ITEM_INVALID.reject(format!("{field} must be a string"))),
    }
}

fn is_alphanumeric(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn employee_id(item: &Map<String, Value>, field: &str) -> Result<Option<String>, Rejection> {
    let value = text(item, field)
        .map_err(|_| codes::EMPLOYEE_ID_INVALID.reject(format!("{field} must be a string")))?;
    match value {
        Some(id) if !is_alphanumeric(&id) => Err(codes::EMPLOYEE_ID_INVALID.reject(format!(
            "{field} must contain letters and digits only (a-z, A-Z, 0-9)"
        ))),
        other => Ok(other),
    }
}

fn required_employee_id(item: &Map<String, Value>) -> Result<String, Rejection> {
    employee_id(item, "employeeID")?
        .ok_or_else(|| codes::EMPLOYEE_ID_INVALID.reject("employeeID is required"))
}

fn name(item: &Map<String, Value>) -> Result<String, Rejection> {
    match text(item, "name")? {
        Some(name) if !name.trim().is_empty() => Ok(name),
        _ => Err(codes::NAME_REQUIRED.reject("name is required")),
    }
}

fn username(item: &Map<String, Value>) -> Result<Option<String>, Rejection> {
    match text(item, "username")? {
        Some(username) if !is_alphanumeric(&username) => Err(codes::USERNAME_INVALID
            .reject("username must contain letters and digits only (a-z, A-Z, 0-9)")),
        other => Ok(other),
    }
}

fn is_active(item: &Map<String, Value>) -> Result<bool, Rejection> {
    match item.get("isActive") {
        Some(Value::Bool(active)) => Ok(*active),
        None | Some(Value::Null) => Err(codes::IS_ACTIVE_REQUIRED.reject("isActive is required")),
        Some(_) => Err(codes::IS_ACTIVE_REQUIRED.reject("isActive must be true or false")),
    }
}

fn tag_serials(item: &Map<String, Value>) -> Result<Option<Vec<String>>, Rejection> {
    match item.get("tagSerials") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(values)) => values
            .iter()
            .map(|value| value.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(|| codes::ITEM_INVALID.reject("tagSerials must be a list of strings")),
        Some(_) => Err(codes::ITEM_INVALID.reject("tagSerials must be a list of strings")),
    }
}

/// Judges a create item by the docs' rules, in the order of the docs'
/// field table.
fn read_create_item(payload: &Value) -> Result<CreateUserItem, Rejection> {
    let item = as_object(payload)?;
    let employee_id = required_employee_id(item)?;
    let name = name(item)?;
    let username = username(item)?;
    let email = text(item, "email")?;
    let phone = text(item, "phone")?;
    if email.is_none() && phone.is_none() {
        return Err(codes::EMAIL_OR_PHONE_REQUIRED.reject("email is required if phone is empty"));
    }
    let password = text(item, "password")?;
    let is_active = is_active(item)?;
    let tag_serials = tag_serials(item)?;
    let organization_serial = text(item, "organizationSerial")?;
    Ok(CreateUserItem {
        employee_id,
        name,
        username,
        email,
        phone,
        password,
        is_active,
        tag_serials,
        organization_serial,
    })
}

fn read_update_item(payload: &Value) -> Result<UpdateFields, Rejection> {
    let item = as_object(payload)?;
    Ok(UpdateFields {
        employee_id: required_employee_id(item)?,
        new_employee_id: employee_id(item, "newEmployeeID")?,
        name: name(item)?,
        username: username(item)?,
        phone: text(item, "phone")?,
        is_active: is_active(item)?,
        tag_serials: tag_serials(item)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(id: &str) -> Value {
        json!({"employeeID": id, "name": "Ani", "username": null, "email": format!("{id}@example.com"),
               "phone": null, "password": null, "isActive": true, "tagSerials": null,
               "organizationSerial": null})
    }

    fn with(mut value: Value, field: &str, new: Value) -> Value {
        value[field] = new;
        value
    }

    fn without(mut value: Value, field: &str) -> Value {
        value.as_object_mut().unwrap().remove(field);
        value
    }

    fn code_of(result: Result<String, Rejection>) -> (i64, String) {
        let body = result.unwrap_err().body;
        (body.error_code, body.message)
    }

    #[test]
    fn each_broken_create_rule_has_its_own_code() {
        let cases = [
            (
                without(item("E1"), "employeeID"),
                10104,
                "EMPLOYEE_ID_INVALID",
            ),
            (
                with(item("E1"), "employeeID", json!("E-1")),
                10104,
                "EMPLOYEE_ID_INVALID",
            ),
            (
                with(item("E1"), "employeeID", json!("É1")),
                10104,
                "EMPLOYEE_ID_INVALID",
            ),
            (with(item("E1"), "name", json!("")), 10106, "NAME_REQUIRED"),
            (without(item("E1"), "name"), 10106, "NAME_REQUIRED"),
            (
                with(item("E1"), "username", json!("ani.s")),
                10105,
                "USERNAME_INVALID",
            ),
            (
                with(item("E1"), "email", Value::Null),
                10107,
                "EMAIL_OR_PHONE_REQUIRED",
            ),
            (without(item("E1"), "isActive"), 10108, "IS_ACTIVE_REQUIRED"),
            (
                with(item("E1"), "isActive", json!("yes")),
                10108,
                "IS_ACTIVE_REQUIRED",
            ),
            (with(item("E1"), "name", json!(5)), 10110, "ITEM_INVALID"),
            (
                with(item("E1"), "tagSerials", json!([1])),
                10110,
                "ITEM_INVALID",
            ),
            (json!("E1"), 10110, "ITEM_INVALID"),
        ];
        for (payload, number, message) in cases {
            let mut users = Users::new(1);
            assert_eq!(
                code_of(users.create(&payload)),
                (number, message.to_owned()),
                "{payload}"
            );
            assert_eq!(users.all().count(), 0);
        }
    }

    #[test]
    fn a_phone_alone_is_enough_on_create() {
        let mut users = Users::new(1);
        let payload = with(
            with(item("E1"), "email", Value::Null),
            "phone",
            json!("6281122334455"),
        );
        assert!(users.create(&payload).is_ok());
    }

    #[test]
    fn employee_id_username_and_email_are_unique() {
        let mut users = Users::new(1);
        let first = with(item("E1"), "username", json!("ani"));
        users.create(&first).unwrap();
        assert_eq!(code_of(users.create(&item("E1"))).0, 10101);
        let same_username = with(item("E2"), "username", json!("ANI"));
        assert_eq!(code_of(users.create(&same_username)).0, 10103);
        let same_email = with(item("E3"), "email", json!("e1@EXAMPLE.com"));
        assert_eq!(code_of(users.create(&same_email)).0, 10102);
        // Employee IDs are exact: another case is another employee.
        let other_case = with(item("e1"), "email", json!("other@example.com"));
        assert!(users.create(&other_case).is_ok());
        assert_eq!(users.creations().get("E1"), Some(&1));
    }

    #[test]
    fn an_update_finds_the_user_by_employee_id_and_keeps_its_serial() {
        let mut users = Users::new(1);
        let serial = users.create(&item("E1")).unwrap();
        let update =
            json!({"employeeID": "E1", "name": "Ani Baru", "isActive": false, "phone": "62811"});
        assert_eq!(users.update(&update).unwrap(), serial);
        let stored = users.get("E1").unwrap();
        assert_eq!(stored.item.name, "Ani Baru");
        assert!(!stored.item.is_active);
        assert_eq!(stored.item.phone.as_deref(), Some("62811"));
        assert_eq!(stored.item.email.as_deref(), Some("E1@example.com"));
    }

    #[test]
    fn an_update_with_new_employee_id_renames_unless_the_id_is_taken() {
        let mut users = Users::new(1);
        users.create(&item("E1")).unwrap();
        users.create(&item("E2")).unwrap();
        let taken =
            json!({"employeeID": "E1", "newEmployeeID": "E2", "name": "Ani", "isActive": true});
        assert_eq!(code_of(users.update(&taken)).0, 10101);
        let rename =
            json!({"employeeID": "E1", "newEmployeeID": "E9", "name": "Ani", "isActive": true});
        users.update(&rename).unwrap();
        assert!(users.get("E1").is_none());
        assert_eq!(users.get("E9").unwrap().item.employee_id, "E9");
        let bad =
            json!({"employeeID": "E9", "newEmployeeID": "E 9", "name": "Ani", "isActive": true});
        assert_eq!(code_of(users.update(&bad)).0, 10104);
    }

    #[test]
    fn an_update_of_an_unknown_employee_id_is_user_not_found() {
        let mut users = Users::new(1);
        let update = json!({"employeeID": "E404", "name": "Ani", "isActive": true});
        let rejection = users.update(&update).unwrap_err();
        assert_eq!(rejection.body.error_code, 10109);
        assert_eq!(rejection.body.message, "USER_NOT_FOUND");
        assert_eq!(rejection.http_status, 404);
    }

    #[test]
    fn an_update_cannot_take_another_users_username() {
        let mut users = Users::new(1);
        users
            .create(&with(item("E1"), "username", json!("ani")))
            .unwrap();
        users
            .create(&with(item("E2"), "username", json!("budi")))
            .unwrap();
        let steal =
            json!({"employeeID": "E2", "name": "Budi", "isActive": true, "username": "Ani"});
        assert_eq!(code_of(users.update(&steal)).0, 10103);
        let keep = json!({"employeeID": "E1", "name": "Ani", "isActive": true, "username": "ani"});
        assert!(users.update(&keep).is_ok());
    }

    #[test]
    fn seeding_does_not_count_as_a_creation() {
        let mut users = Users::new(1);
        users.seed(&item("E1")).unwrap();
        assert!(users.get("E1").is_some());
        assert!(users.creations().is_empty());
    }
}
