//! `POST /ruangkerja/users/update-email-bulk` (the docs' curl spells it
//! `update-bulk-email`): new emails, password resets kept out of the state
//! dump, its codes, and which spelling `emailBulkPath` serves.

mod common;

use axum::http::{header, Method, StatusCode};
use common::*;
use ruangkerja_sandbox::{EmailBulkPath, FaultConfig};
use serde_json::{json, Value};

const EMAIL_FIRST: &str = "/ruangkerja/users/update-email-bulk";
const BULK_FIRST: &str = "/ruangkerja/users/update-bulk-email";

fn change(id: &str, email: &str, password: Option<&str>) -> Value {
    json!({"employeeID": id, "email": email, "password": password})
}

async fn update_emails(app: &axum::Router, path: &str, items: Vec<Value>) -> Answer {
    post(app, path, json!({ "items": items })).await
}

async fn serial_of(app: &axum::Router, id: &str) -> Value {
    let users = state(app).await["users"].clone();
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|user| user["employeeID"] == id)
        .map(|user| user["serial"].clone())
        .unwrap_or_else(|| panic!("{id} not in {users}"))
}

#[tokio::test]
async fn an_email_update_changes_the_address_and_answers_the_users_serial() {
    let app = sandbox();
    seed_users(&app, vec![item("E1"), item("E2")]).await;
    let sent = change("E1", "ani.baru@example.com", None);
    let answer = update_emails(&app, EMAIL_FIRST, vec![sent.clone()]).await;
    assert_eq!(answer.status, StatusCode::OK);
    let expected = json!({"status": "success", "message": "success", "data": {
        "failedItems": [],
        "successItems": [{"payload": sent, "response": {"serial": serial_of(&app, "E1").await}}]
    }});
    assert_eq!(answer.json, expected);
    let detail = get(&app, "/ruangkerja/users/E1").await;
    assert_eq!(detail.json["data"]["email"], "ani.baru@example.com");
    let found = get(&app, "/ruangkerja/users?page=1&pageSize=10&email=ani.baru").await;
    assert_eq!(found.json["data"]["items"][0]["employeeID"], "E1");
    // The old address is free again; the new one is taken.
    let mut reuse_old = item("E3");
    reuse_old["email"] = json!("E1@EXAMPLE.COM");
    let mut take_new = item("E4");
    take_new["email"] = json!("Ani.Baru@example.com");
    let created = create_bulk(&app, vec![reuse_old, take_new]).await;
    assert_eq!(
        created.json["data"]["successItems"][0]["payload"]["employeeID"],
        "E3"
    );
    assert_eq!(
        created.json["data"]["failedItems"][0]["error"]["errorCode"],
        10102
    );
}

#[tokio::test]
async fn a_taken_email_is_10102_an_unknown_employee_10109_and_items_apply_in_order() {
    let app = sandbox();
    seed_users(&app, vec![item("E1"), item("E2"), item("E3")]).await;
    let items = vec![
        change("E1", "E2@Example.com", Some("x")),
        change("E404", "new@example.com", None),
        change("E2", "shared@example.com", None),
        change("E3", "SHARED@example.com", None),
        change("E3", "e3@example.com", None),
        json!({"employeeID": "E3", "email": ""}),
        json!({"employeeID": "E 3", "email": "x@example.com"}),
        json!({"employeeID": "E3", "email": ["x@example.com"]}),
        json!("E3"),
    ];
    let answer = update_emails(&app, EMAIL_FIRST, items.clone()).await;
    assert_eq!(answer.status, StatusCode::OK);
    let failed = answer.json["data"]["failedItems"].as_array().unwrap();
    let codes: Vec<(i64, &str)> = failed
        .iter()
        .map(|f| {
            (
                f["error"]["errorCode"].as_i64().unwrap(),
                f["error"]["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            (10102, "USER_EMAIL_EXISTS"),
            (10109, "USER_NOT_FOUND"),
            (10102, "USER_EMAIL_EXISTS"),
            (10112, "EMAIL_REQUIRED"),
            (10104, "EMPLOYEE_ID_INVALID"),
            (10110, "ITEM_INVALID"),
            (10110, "ITEM_INVALID"),
        ]
    );
    assert_eq!(
        failed[0]["error"]["detail"],
        "user email already been taken"
    );
    assert_eq!(
        failed[0]["payload"], items[0],
        "the payload is echoed as sent"
    );
    assert_same_shape(
        &failed[0],
        &json!({"error": {"errorCode": 1, "message": "", "detail": ""},
                "payload": {"employeeID": "", "email": "", "password": ""}}),
        "failedItems[0]",
    );
    let succeeded: Vec<&Value> = answer.json["data"]["successItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["payload"])
        .collect();
    assert_eq!(succeeded, [&items[2], &items[4]]);
    let dump = state(&app).await;
    assert_eq!(dump["users"][0]["email"], "e1@example.com");
    assert_eq!(dump["users"][1]["email"], "shared@example.com");
    assert_eq!(dump["users"][2]["email"], "e3@example.com");
    assert_eq!(dump["passwordResets"], json!({"E2": 1, "E3": 1}));
}

#[tokio::test]
async fn password_resets_are_counted_and_no_password_reaches_the_state_dump() {
    let app = sandbox();
    let mut created = item("E1");
    created["password"] = json!("Lama-Rahasia-1");
    create_bulk(&app, vec![created]).await;
    for (email, password) in [
        ("a@example.com", Some("Baru-Rahasia-2")),
        ("b@example.com", None),
    ] {
        let answer = update_emails(&app, EMAIL_FIRST, vec![change("E1", email, password)]).await;
        assert_eq!(answer.json["data"]["failedItems"], json!([]));
    }
    let dump = state(&app).await;
    assert_eq!(dump["passwordResets"], json!({"E1": 2}));
    let user = &dump["users"][0];
    assert_eq!(user["email"], "b@example.com");
    assert!(user.get("password").is_some(), "the field stays: {user}");
    assert_eq!(user["password"], Value::Null);
    let text = dump.to_string();
    assert!(!text.contains("Rahasia"), "{text}");
}

/// What the router answers for a path it does not know.
async fn unknown_path(app: &axum::Router) -> Answer {
    update_emails(app, "/ruangkerja/no-such-endpoint", vec![]).await
}

fn assert_answers_like(actual: &Answer, expected: &Answer) {
    assert_eq!(actual.status, expected.status);
    assert_eq!(actual.text, expected.text);
    assert_eq!(
        actual.headers.get(header::CONTENT_TYPE),
        expected.headers.get(header::CONTENT_TYPE)
    );
}

#[tokio::test]
async fn each_email_bulk_path_setting_serves_its_spellings_and_refuses_the_other_like_an_unknown_path(
) {
    let settings = [
        (
            "update-email-bulk",
            EmailBulkPath::UpdateEmailBulk,
            [true, false],
        ),
        (
            "update-bulk-email",
            EmailBulkPath::UpdateBulkEmail,
            [false, true],
        ),
        ("both", EmailBulkPath::Both, [true, true]),
    ];
    for (name, setting, served) in settings {
        // Set at start, as with `--email-bulk-path`, and at run time.
        let at_start = sandbox_with(
            FaultConfig {
                email_bulk_path: setting,
                ..FaultConfig::default()
            },
            1,
        );
        let at_run_time = sandbox();
        let set = put_faults(&at_run_time, json!({"emailBulkPath": name})).await;
        assert_eq!(set.status, StatusCode::OK);
        assert_eq!(set.json["emailBulkPath"], name);
        for app in [at_start, at_run_time] {
            seed_users(&app, vec![item("E1")]).await;
            let unknown = unknown_path(&app).await;
            assert_eq!(unknown.status, StatusCode::NOT_FOUND);
            for (path, served) in [EMAIL_FIRST, BULK_FIRST].into_iter().zip(served) {
                let email = format!("{}@example.com", &path[18..]);
                let answer = update_emails(&app, path, vec![change("E1", &email, None)]).await;
                if served {
                    assert_eq!(answer.status, StatusCode::OK, "{name} {path}");
                    assert_eq!(answer.json["data"]["failedItems"], json!([]));
                    let detail = get(&app, "/ruangkerja/users/E1").await;
                    assert_eq!(detail.json["data"]["email"], email.as_str());
                } else {
                    assert_answers_like(&answer, &unknown);
                    let detail = get(&app, "/ruangkerja/users/E1").await;
                    assert_ne!(detail.json["data"]["email"], email.as_str());
                }
            }
        }
    }
}

#[tokio::test]
async fn the_default_serves_the_docs_text_spelling_only() {
    let app = sandbox();
    let current = call(&app, Method::GET, "/__sandbox/faults", None, None).await;
    assert_eq!(current.json["emailBulkPath"], "update-email-bulk");
    assert_eq!(
        update_emails(&app, EMAIL_FIRST, vec![]).await.status,
        StatusCode::OK
    );
    let refused = update_emails(&app, BULK_FIRST, vec![]).await;
    assert_answers_like(&refused, &unknown_path(&app).await);
}

#[tokio::test]
async fn a_refused_spelling_is_not_faulted_or_delayed_like_an_unknown_path() {
    let app = sandbox_with(
        FaultConfig {
            error_rate: 1.0,
            ..FaultConfig::default()
        },
        1,
    );
    let refused = update_emails(&app, BULK_FIRST, vec![]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let served = update_emails(&app, EMAIL_FIRST, vec![]).await;
    assert!(served.status.is_server_error(), "{}", served.status);
}
