//! What an update does with an optional field it gives no value
//! (`updateNulls`): `keep` leaves the stored value, `clear` takes it away;
//! `tagSerials: []` clears the tags under both; 10107 judges the result.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use ruangkerja_sandbox::{FaultConfig, UpdateNulls};
use serde_json::{json, Value};

/// A user with every optional field the update item can touch.
fn full_user(id: &str, email: Option<&str>) -> Value {
    json!({"employeeID": id, "name": "Ani", "username": format!("user{id}"), "email": email,
           "phone": "6281122334455", "isActive": true, "tagSerials": ["RUKRTAG-9WHL0JGP"],
           "organizationSerial": "COMPFJLYTHWL"})
}

/// The three ways of giving no value: absent, `null` and `""`.
fn updates_without_values(id: &str) -> [Value; 3] {
    [
        json!({"employeeID": id, "name": "Ani B", "isActive": true}),
        json!({"employeeID": id, "name": "Ani B", "isActive": true,
               "username": null, "phone": null, "tagSerials": null, "newEmployeeID": null}),
        json!({"employeeID": id, "name": "Ani B", "isActive": true,
               "username": "", "phone": "", "newEmployeeID": ""}),
    ]
}

fn sandbox_for(nulls: UpdateNulls) -> axum::Router {
    sandbox_with(
        FaultConfig {
            update_nulls: nulls,
            ..FaultConfig::default()
        },
        1,
    )
}

async fn stored(app: &axum::Router, id: &str) -> Value {
    let users = state(app).await["users"].clone();
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|user| user["employeeID"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} not in {users}"))
}

/// Sends `update` by update-bulk, or by `PUT /ruangkerja/users/:id`.
async fn send_update(app: &axum::Router, update: &Value, by_put: bool) -> Answer {
    if by_put {
        let id = update["employeeID"].as_str().unwrap();
        let path = format!("/ruangkerja/users/{id}");
        call(app, Method::PUT, &path, Some(TOKEN), Some(update.clone())).await
    } else {
        post(
            app,
            "/ruangkerja/users/update-bulk",
            json!({"items": [update]}),
        )
        .await
    }
}

fn assert_applied(answer: &Answer, by_put: bool) {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    if !by_put {
        assert_eq!(
            answer.json["data"]["failedItems"],
            json!([]),
            "{}",
            answer.text
        );
    }
}

#[tokio::test]
async fn under_keep_absent_null_or_empty_fields_keep_the_stored_values() {
    for by_put in [false, true] {
        let app = sandbox();
        seed_users(&app, vec![full_user("E1", None)]).await;
        let before = stored(&app, "E1").await;
        for update in updates_without_values("E1") {
            assert_applied(&send_update(&app, &update, by_put).await, by_put);
            let after = stored(&app, "E1").await;
            for field in [
                "username",
                "phone",
                "tagSerials",
                "organizationSerial",
                "serial",
            ] {
                assert_eq!(after[field], before[field], "{field} after {update}");
            }
            assert_eq!(after["name"], "Ani B");
        }
    }
}

#[tokio::test]
async fn under_clear_absent_null_or_empty_username_phone_and_tags_are_cleared() {
    for by_put in [false, true] {
        for update in updates_without_values("E1") {
            let app = sandbox_for(UpdateNulls::Clear);
            seed_users(&app, vec![full_user("E1", Some("ani@example.com"))]).await;
            assert_applied(&send_update(&app, &update, by_put).await, by_put);
            let after = stored(&app, "E1").await;
            for field in ["username", "phone", "tagSerials"] {
                assert_eq!(after[field], Value::Null, "{field} after {update}");
            }
            // Fields the update item does not have are not touched.
            assert_eq!(after["email"], "ani@example.com");
            assert_eq!(after["organizationSerial"], "COMPFJLYTHWL");
            let detail = get(&app, "/ruangkerja/users/E1").await;
            assert_eq!(detail.json["data"]["tags"], json!([]));
        }
    }
}

#[tokio::test]
async fn values_sent_are_stored_under_either_setting() {
    for nulls in [UpdateNulls::Keep, UpdateNulls::Clear] {
        let app = sandbox_for(nulls);
        seed_users(&app, vec![full_user("E1", None)]).await;
        let update = json!({"employeeID": "E1", "name": "Ani", "isActive": false,
                            "username": "ani2", "phone": "6285500", "tagSerials": ["RUKRTAG-AAAAAAAA"]});
        let answer = send_update(&app, &update, false).await;
        assert_applied(&answer, false);
        let after = stored(&app, "E1").await;
        assert_eq!(after["username"], "ani2", "{nulls:?}");
        assert_eq!(after["phone"], "6285500");
        assert_eq!(after["tagSerials"], json!(["RUKRTAG-AAAAAAAA"]));
    }
}

#[tokio::test]
async fn an_empty_tag_list_clears_the_tags_under_either_setting() {
    for nulls in [UpdateNulls::Keep, UpdateNulls::Clear] {
        let app = sandbox_for(nulls);
        seed_users(&app, vec![full_user("E1", None)]).await;
        let update = json!({"employeeID": "E1", "name": "Ani", "isActive": true,
                            "phone": "6281122334455", "tagSerials": []});
        assert_applied(&send_update(&app, &update, false).await, false);
        let detail = get(&app, "/ruangkerja/users/E1").await;
        assert_eq!(detail.json["data"]["tags"], json!([]), "{nulls:?}");
        assert_eq!(stored(&app, "E1").await["tagSerials"], json!([]));
    }
}

#[tokio::test]
async fn clearing_the_phone_of_a_user_without_email_is_10107_and_changes_nothing() {
    let without_phone = json!({"employeeID": "E1", "name": "Ani B", "isActive": true});
    // Keep: the stored phone stays, so the user keeps a contact.
    let app = sandbox_for(UpdateNulls::Keep);
    seed_users(&app, vec![full_user("E1", None)]).await;
    assert_applied(&send_update(&app, &without_phone, false).await, false);
    assert_eq!(stored(&app, "E1").await["phone"], "6281122334455");

    // Clear: the update would leave neither email nor phone.
    let app = sandbox_for(UpdateNulls::Clear);
    seed_users(&app, vec![full_user("E1", None)]).await;
    let before = stored(&app, "E1").await;
    let bulk = send_update(&app, &without_phone, false).await;
    assert_eq!(bulk.status, StatusCode::OK);
    let error = &bulk.json["data"]["failedItems"][0]["error"];
    assert_eq!(error["errorCode"], 10107);
    assert_eq!(error["message"], "EMAIL_OR_PHONE_REQUIRED");
    let single = send_update(&app, &without_phone, true).await;
    assert_eq!(single.status, StatusCode::BAD_REQUEST);
    assert_eq!(single.json["errorCode"], 10107);
    assert_eq!(stored(&app, "E1").await, before, "nothing was applied");
    // Sending the phone again is fine.
    let mut with_phone = without_phone.clone();
    with_phone["phone"] = json!("6281122334455");
    assert_applied(&send_update(&app, &with_phone, false).await, false);
}

#[tokio::test]
async fn update_nulls_is_set_through_the_control_endpoint_and_back_by_reset() {
    let app = sandbox();
    let current = call(&app, Method::GET, "/__sandbox/faults", None, None).await;
    assert_eq!(current.json["updateNulls"], "keep");
    let set = put_faults(&app, json!({"updateNulls": "clear"})).await;
    assert_eq!(set.status, StatusCode::OK);
    seed_users(&app, vec![full_user("E1", Some("ani@example.com"))]).await;
    let [absent, ..] = updates_without_values("E1");
    assert_applied(&send_update(&app, &absent, false).await, false);
    assert_eq!(stored(&app, "E1").await["phone"], Value::Null);
    let refused = put_faults(&app, json!({"updateNulls": "forget"})).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    call(&app, Method::POST, "/__sandbox/reset", None, None).await;
    let current = call(&app, Method::GET, "/__sandbox/faults", None, None).await;
    assert_eq!(current.json["updateNulls"], "keep");
}
