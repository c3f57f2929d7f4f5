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
//! - Update: an absent, `null` or `""` optional field keeps the stored value
//!   under `updateNulls: keep` (the default) and clears `username`, `phone`
//!   and `tagSerials` under `clear`; `tagSerials: []` clears the tags in
//!   both. 10107 judges the user as the update would leave it. The user
//!   keeps its serial; a rename to a taken ID fails with 10101.
//! - Email update: the email changes and the password is reset. The new
//!   password is never kept (the stored one becomes `null`, the old one no
//!   longer holds); only the number of resets is recorded.
//! - Items of one request are applied in order, so the second of two items
//!   with the same employee ID fails with 10101.
//! - References: a create or update item's `tagSerials` must all be tags
//!   (10113) and a create item's `organizationSerial` a node of the tree
//!   (10114, an inactive node is accepted), judged after the type and
//!   format rules and before existence and uniqueness. The update item has
//!   no organization, so an update's `organizationSerial` is ignored, not
//!   judged. Seeded users (start and control API) are not judged.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use employee_import::contract::{ApiErrorBody, CreateUserItem};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::directory::Directory;
use crate::faults::UpdateNulls;
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
    /// Email update: the item carries no email to change to.
    pub const EMAIL_REQUIRED: Code = code(10112, "EMAIL_REQUIRED", 400);
    /// Create or update: a `tagSerials` entry is no tag. 400: a bad
    /// reference in the body, not a missing resource.
    pub const TAG_REFERENCE_NOT_FOUND: Code = code(10113, "TAG_NOT_FOUND", 400);
    /// Create: the `organizationSerial` is no node of the company structure.
    pub const ORGANIZATION_REFERENCE_NOT_FOUND: Code = code(10114, "ORGANIZATION_NOT_FOUND", 400);
    /// `GET /ruangkerja/tags/:tagSerial` of a serial that is no tag.
    pub const TAG_NOT_FOUND: Code = code(10115, "TAG_NOT_FOUND", 404);
    /// Request level: more items than `--max-items`.
    pub const TOO_MANY_ITEMS: Code = code(10111, "TOO_MANY_ITEMS", 400);
    /// Request level: the body is not JSON of the expected shape.
    pub const BAD_REQUEST: Code = code(400, "BAD_REQUEST", 400);

    pub const EMPLOYEE_ID_TAKEN_DETAIL: &str = "employee id already been taken";
    pub const EMAIL_TAKEN_DETAIL: &str = "user email already been taken";
    /// Followed by `: <serial>` (10113 and 10115).
    pub const TAG_NOT_FOUND_DETAIL: &str = "tag not found";
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
    /// How many times each employee ID's password was reset by an email
    /// update: the count stands in for the passwords, which are never kept.
    password_resets: BTreeMap<String, u32>,
    serials: SplitMix,
    /// The tags and organizations items may refer to.
    directory: Arc<Directory>,
}

impl Users {
    pub fn new(seed: u64, directory: Arc<Directory>) -> Users {
        Users {
            by_employee_id: BTreeMap::new(),
            usernames: HashMap::new(),
            emails: HashMap::new(),
            creations: BTreeMap::new(),
            password_resets: BTreeMap::new(),
            serials: SplitMix::new(seed),
            directory,
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

    pub fn password_resets(&self) -> &BTreeMap<String, u32> {
        &self.password_resets
    }

    /// Creates one user from a create item; answers its new serial.
    pub fn create(&mut self, payload: &Value) -> Result<String, Rejection> {
        let item = read_create_item(payload)?;
        self.directory.check_tags(item.tag_serials.as_deref())?;
        self.directory
            .check_organization(item.organization_serial.as_deref())?;
        let serial = self.insert(item)?;
        let id = payload["employeeID"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        *self.creations.entry(id).or_default() += 1;
        Ok(serial)
    }

    /// Creates one user without counting it as a creation through the API.
    /// Its tag and organization serials are not judged, so a test can seed
    /// references the sandbox does not know.
    pub fn seed(&mut self, payload: &Value) -> Result<String, Rejection> {
        self.insert(read_create_item(payload)?)
    }

    fn insert(&mut self, item: CreateUserItem) -> Result<String, Rejection> {
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
    /// `nulls` says what an optional field without a value does.
    pub fn update(&mut self, payload: &Value, nulls: UpdateNulls) -> Result<String, Rejection> {
        let update = read_update_item(payload)?;
        self.directory.check_tags(update.tag_serials.as_deref())?;
        let Some(current) = self.by_employee_id.get(&update.employee_id) else {
            return Err(user_not_found(&update.employee_id));
        };
        let old = current.item.clone();
        let serial = current.serial.clone();
        if let Some(new_id) = &update.new_employee_id {
            if *new_id != old.employee_id && self.by_employee_id.contains_key(new_id) {
                return Err(codes::USER_EMPLOYEE_ID_EXISTS.reject(codes::EMPLOYEE_ID_TAKEN_DETAIL));
            }
        }
        // The update item has no email, password or organization: those
        // stay as stored, whatever `nulls` says.
        let item = CreateUserItem {
            employee_id: update
                .new_employee_id
                .unwrap_or_else(|| old.employee_id.clone()),
            name: update.name,
            username: after_update(update.username, &old.username, nulls),
            phone: after_update(update.phone, &old.phone, nulls),
            is_active: update.is_active,
            tag_serials: after_update(update.tag_serials, &old.tag_serials, nulls),
            ..old.clone()
        };
        if let Some(username) = &item.username {
            let owner = self.usernames.get(&username.to_ascii_lowercase());
            if owner.is_some_and(|owner| *owner != old.employee_id) {
                return Err(codes::USER_USERNAME_EXISTS.reject("username already been taken"));
            }
        }
        // Judged on the result: under `clear`, an update without a phone
        // takes the phone away, and a user without an email then has
        // neither.
        if item.phone.is_none() && item.email.is_none() {
            return Err(codes::EMAIL_OR_PHONE_REQUIRED.reject(
                "phone is required because the user has no email (the update item has no email field)",
            ));
        }
        self.unindex(&old);
        self.by_employee_id.remove(&old.employee_id);
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

    /// Changes the email of the user `payload.employeeID` names and resets
    /// its password, as the docs warn the email bulk endpoint does; answers
    /// the user's serial.
    pub fn update_email(&mut self, payload: &Value) -> Result<String, Rejection> {
        let change = read_email_item(payload)?;
        let Some(user) = self.by_employee_id.get_mut(&change.employee_id) else {
            return Err(user_not_found(&change.employee_id));
        };
        let Some(email) = change.email else {
            return Err(codes::EMAIL_REQUIRED.reject("email is required"));
        };
        let key = email.to_ascii_lowercase();
        // The user's own address in another case is not "taken".
        if self
            .emails
            .get(&key)
            .is_some_and(|owner| *owner != user.item.employee_id)
        {
            return Err(codes::USER_EMAIL_EXISTS.reject(codes::EMAIL_TAKEN_DETAIL));
        }
        if let Some(old) = &user.item.email {
            self.emails.remove(&old.to_ascii_lowercase());
        }
        self.emails.insert(key, user.item.employee_id.clone());
        user.item.email = Some(email);
        user.item.password = None;
        *self
            .password_resets
            .entry(user.item.employee_id.clone())
            .or_default() += 1;
        Ok(user.serial.clone())
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

/// 10109, for an employee ID no user has.
pub fn user_not_found(employee_id: &str) -> Rejection {
    codes::USER_NOT_FOUND.reject(format!("user with employee id {employee_id} not found"))
}

/// The value an update leaves in an optional field: the one sent, else
/// the stored one under `Keep` and nothing under `Clear`.
fn after_update<T: Clone>(sent: Option<T>, stored: &Option<T>, nulls: UpdateNulls) -> Option<T> {
    match nulls {
        UpdateNulls::Keep => sent.or_else(|| stored.clone()),
        UpdateNulls::Clear => sent,
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

/// The fields of an email update item, after the type rules. The new
/// password is judged for its type only: it is never kept.
#[derive(Debug)]
struct EmailChange {
    employee_id: String,
    email: Option<String>,
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

/// Judges an email update item: types first, then the employee ID. The
/// existence of the user and the email's presence and uniqueness are the
/// store's to judge, in that order.
fn read_email_item(payload: &Value) -> Result<EmailChange, Rejection> {
    let item = as_object(payload)?;
    let email = text(item, "email")?;
    text(item, "password")?;
    let employee_id = required_employee_id(item)?;
    Ok(EmailChange { employee_id, email })
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

    fn store() -> Users {
        Users::new(1, Arc::new(Directory::fixed()))
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
            let mut users = store();
            assert_eq!(
                code_of(users.create(&payload)),
                (number, message.to_owned()),
                "{payload}"
            );
            assert_eq!(users.all().count(), 0);
        }
    }

    #[test]
    fn references_are_judged_after_the_type_rules_and_before_existence() {
        let mut users = store();
        users.create(&item("E1")).unwrap();
        let unknown_tag = json!(["RUKRTAG-9WHL0JGP", "RUKRTAG-ZZZZZZZZ"]);
        let cases = [
            // Type and format rules first.
            (
                without(
                    with(item("E2"), "tagSerials", unknown_tag.clone()),
                    "isActive",
                ),
                10108,
            ),
            (
                with(
                    with(item("E2"), "organizationSerial", json!("COMPNOPE0000")),
                    "tagSerials",
                    json!([1]),
                ),
                10110,
            ),
            // Then tags, then the organization.
            (with(item("E2"), "tagSerials", unknown_tag.clone()), 10113),
            (
                with(
                    with(item("E2"), "organizationSerial", json!("COMPNOPE0000")),
                    "tagSerials",
                    unknown_tag.clone(),
                ),
                10113,
            ),
            (
                with(item("E2"), "organizationSerial", json!("COMPNOPE0000")),
                10114,
            ),
            // Before the employee ID is found taken.
            (
                with(item("E1"), "organizationSerial", json!("COMPNOPE0000")),
                10114,
            ),
        ];
        for (payload, number) in cases {
            assert_eq!(code_of(users.create(&payload)).0, number, "{payload}");
        }
        let rejection = users
            .create(&with(item("E2"), "tagSerials", unknown_tag.clone()))
            .unwrap_err();
        assert_eq!(rejection.body.detail, "tag not found: RUKRTAG-ZZZZZZZZ");
        assert_eq!(rejection.http_status, 400);
        // An update judges its tags before the user is looked up, and
        // ignores an organization it has no field for.
        let update = json!({"employeeID": "E404", "name": "Ani", "isActive": true,
                            "tagSerials": unknown_tag});
        assert_eq!(code_of(users.update(&update, UpdateNulls::Keep)).0, 10113);
        let update = json!({"employeeID": "E1", "name": "Ani", "isActive": true,
                            "organizationSerial": "COMPNOPE0000"});
        assert!(users.update(&update, UpdateNulls::Keep).is_ok());
        // Known serials, an inactive organization among them, pass; seeding
        // judges no references.
        let known = with(
            with(item("E3"), "organizationSerial", json!("COMPLEGACY01")),
            "tagSerials",
            json!(["RUKRTAG-ABCD1234"]),
        );
        assert!(users.create(&known).is_ok());
        let unknown = with(item("E4"), "organizationSerial", json!("COMPNOPE0000"));
        assert!(users.seed(&unknown).is_ok());
        assert_eq!(users.all().count(), 3);
    }

    #[test]
    fn a_phone_alone_is_enough_on_create() {
        let mut users = store();
        let payload = with(
            with(item("E1"), "email", Value::Null),
            "phone",
            json!("6281122334455"),
        );
        assert!(users.create(&payload).is_ok());
    }

    #[test]
    fn employee_id_username_and_email_are_unique() {
        let mut users = store();
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
        let mut users = store();
        let serial = users.create(&item("E1")).unwrap();
        let update =
            json!({"employeeID": "E1", "name": "Ani Baru", "isActive": false, "phone": "62811"});
        assert_eq!(users.update(&update, UpdateNulls::Keep).unwrap(), serial);
        let stored = users.get("E1").unwrap();
        assert_eq!(stored.item.name, "Ani Baru");
        assert!(!stored.item.is_active);
        assert_eq!(stored.item.phone.as_deref(), Some("62811"));
        assert_eq!(stored.item.email.as_deref(), Some("E1@example.com"));
    }

    #[test]
    fn an_update_with_new_employee_id_renames_unless_the_id_is_taken() {
        let mut users = store();
        users.create(&item("E1")).unwrap();
        users.create(&item("E2")).unwrap();
        let taken =
            json!({"employeeID": "E1", "newEmployeeID": "E2", "name": "Ani", "isActive": true});
        assert_eq!(code_of(users.update(&taken, UpdateNulls::Keep)).0, 10101);
        let rename =
            json!({"employeeID": "E1", "newEmployeeID": "E9", "name": "Ani", "isActive": true});
        users.update(&rename, UpdateNulls::Keep).unwrap();
        assert!(users.get("E1").is_none());
        assert_eq!(users.get("E9").unwrap().item.employee_id, "E9");
        let bad =
            json!({"employeeID": "E9", "newEmployeeID": "E 9", "name": "Ani", "isActive": true});
        assert_eq!(code_of(users.update(&bad, UpdateNulls::Keep)).0, 10104);
    }

    #[test]
    fn an_update_of_an_unknown_employee_id_is_user_not_found() {
        let mut users = store();
        let update = json!({"employeeID": "E404", "name": "Ani", "isActive": true});
        let rejection = users.update(&update, UpdateNulls::Keep).unwrap_err();
        assert_eq!(rejection.body.error_code, 10109);
        assert_eq!(rejection.body.message, "USER_NOT_FOUND");
        assert_eq!(rejection.http_status, 404);
    }

    #[test]
    fn an_update_cannot_take_another_users_username() {
        let mut users = store();
        users
            .create(&with(item("E1"), "username", json!("ani")))
            .unwrap();
        users
            .create(&with(item("E2"), "username", json!("budi")))
            .unwrap();
        let steal =
            json!({"employeeID": "E2", "name": "Budi", "isActive": true, "username": "Ani"});
        assert_eq!(code_of(users.update(&steal, UpdateNulls::Keep)).0, 10103);
        let keep = json!({"employeeID": "E1", "name": "Ani", "isActive": true, "username": "ani"});
        assert!(users.update(&keep, UpdateNulls::Keep).is_ok());
    }

    #[test]
    fn seeding_does_not_count_as_a_creation() {
        let mut users = store();
        users.seed(&item("E1")).unwrap();
        assert!(users.get("E1").is_some());
        assert!(users.creations().is_empty());
    }

    fn contact_update(id: &str) -> Value {
        json!({"employeeID": id, "name": "Ani", "isActive": true})
    }

    #[test]
    fn under_keep_an_update_without_optional_values_keeps_the_stored_ones() {
        let mut users = store();
        let full = json!({"employeeID": "E1", "name": "Ani", "username": "ani", "email": null,
                          "phone": "62811", "isActive": true, "tagSerials": ["RUKRTAG-9WHL0JGP"]});
        users.create(&full).unwrap();
        for update in [
            contact_update("E1"),
            json!({"employeeID": "E1", "name": "Ani", "isActive": true,
                   "username": null, "phone": "", "tagSerials": null}),
        ] {
            users.update(&update, UpdateNulls::Keep).unwrap();
            let stored = &users.get("E1").unwrap().item;
            assert_eq!(stored.username.as_deref(), Some("ani"));
            assert_eq!(stored.phone.as_deref(), Some("62811"));
            assert_eq!(
                stored.tag_serials,
                Some(vec!["RUKRTAG-9WHL0JGP".to_owned()])
            );
        }
    }

    #[test]
    fn under_clear_an_update_without_optional_values_clears_them() {
        let mut users = store();
        let full = with(
            with(item("E1"), "username", json!("ani")),
            "tagSerials",
            json!(["RUKRTAG-9WHL0JGP"]),
        );
        users.create(&with(full, "phone", json!("62811"))).unwrap();
        users
            .update(&contact_update("E1"), UpdateNulls::Clear)
            .unwrap();
        let stored = &users.get("E1").unwrap().item;
        assert_eq!(stored.username, None);
        assert_eq!(stored.phone, None);
        assert_eq!(stored.tag_serials, None);
        assert_eq!(stored.email.as_deref(), Some("E1@example.com"));
        // The cleared username is free for another user.
        let other = with(item("E2"), "username", json!("ANI"));
        assert!(users.create(&other).is_ok());
    }

    #[test]
    fn an_explicit_empty_tag_list_clears_the_tags_in_both_modes() {
        for nulls in [UpdateNulls::Keep, UpdateNulls::Clear] {
            let mut users = store();
            users
                .create(&with(item("E1"), "tagSerials", json!(["RUKRTAG-9WHL0JGP"])))
                .unwrap();
            let update = with(contact_update("E1"), "tagSerials", json!([]));
            users.update(&update, nulls).unwrap();
            let tags = &users.get("E1").unwrap().item.tag_serials;
            assert!(tags.iter().flatten().next().is_none(), "{nulls:?}");
        }
    }

    #[test]
    fn email_or_phone_required_judges_the_user_the_update_leaves() {
        let mut users = store();
        let phone_only = with(
            with(item("E1"), "email", Value::Null),
            "phone",
            json!("62811"),
        );
        users.create(&phone_only).unwrap();
        // Keep: the stored phone stays, so the user still has a contact.
        assert!(users
            .update(&contact_update("E1"), UpdateNulls::Keep)
            .is_ok());
        // Clear: the phone would go and no email is left.
        let rejection = users
            .update(&contact_update("E1"), UpdateNulls::Clear)
            .unwrap_err();
        assert_eq!(rejection.body.error_code, 10107);
        assert_eq!(
            users.get("E1").unwrap().item.phone.as_deref(),
            Some("62811")
        );
        // With an email, clearing the phone is fine.
        users.create(&item("E2")).unwrap();
        assert!(users
            .update(&contact_update("E2"), UpdateNulls::Clear)
            .is_ok());
    }

    #[test]
    fn an_email_update_changes_the_address_resets_the_password_and_reindexes() {
        let mut users = store();
        let serial = users
            .create(&with(item("E1"), "password", json!("old-secret")))
            .unwrap();
        users.create(&item("E2")).unwrap();
        let change =
            json!({"employeeID": "E1", "email": "new@example.com", "password": "new-secret"});
        assert_eq!(users.update_email(&change).unwrap(), serial);
        let stored = &users.get("E1").unwrap().item;
        assert_eq!(stored.email.as_deref(), Some("new@example.com"));
        assert_eq!(stored.password, None);
        assert_eq!(users.password_resets().get("E1"), Some(&1));
        // The old address is free, the new one taken.
        assert!(users
            .create(&with(item("E3"), "email", json!("E1@example.com")))
            .is_ok());
        let steal = json!({"employeeID": "E2", "email": "NEW@example.com", "password": null});
        assert_eq!(
            code_of(users.update_email(&steal)),
            (10102, "USER_EMAIL_EXISTS".to_owned())
        );
        // The user's own address in another case is not taken.
        let recase = json!({"employeeID": "E1", "email": "New@Example.com"});
        assert!(users.update_email(&recase).is_ok());
        assert_eq!(users.password_resets().get("E1"), Some(&2));
    }

    #[test]
    fn each_broken_email_update_rule_has_its_code_in_order() {
        let mut users = store();
        users.create(&item("E1")).unwrap();
        let cases = [
            (json!("E1"), 10110),
            (json!({"employeeID": "E 1", "email": 5}), 10110),
            (
                json!({"employeeID": "E1", "email": "a@example.com", "password": 5}),
                10110,
            ),
            (
                json!({"employeeID": "E 1", "email": "a@example.com"}),
                10104,
            ),
            (json!({"email": "a@example.com"}), 10104),
            (json!({"employeeID": "E404", "email": null}), 10109),
            (json!({"employeeID": "E1", "email": ""}), 10112),
            (json!({"employeeID": "E1"}), 10112),
        ];
        for (payload, number) in cases {
            assert_eq!(code_of(users.update_email(&payload)).0, number, "{payload}");
        }
        assert!(users.password_resets().is_empty());
    }
}
