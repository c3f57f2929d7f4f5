//! The docs' example requests, answered by the sandbox, compared with the
//! docs' example answers: same keys, same value types, same constants.
//! The docs' examples come from verbatim copies of the doc pages, shared
//! with the core's contract tests.

mod common;

#[path = "../../employee-import/tests/support/docs_examples.rs"]
mod docs_examples;

use axum::http::{Method, StatusCode};
use common::*;
use docs_examples::{create_users_bulk, update_users_bulk};
use serde_json::{json, Value};

/// The one item of the docs' create request, as printed (its email is the
/// page's literal "[email\u{a0}protected]").
fn docs_create_item() -> Value {
    create_users_bulk().request_json()["items"][0].clone()
}

fn permission_denied() -> Value {
    json!({"errorCode": 123,
           "message": "rpc error: code = PermissionDenied desc = Token is not valid",
           "detail": "rpc error: code = PermissionDenied desc = Token is not valid"})
}

/// The serial of the first success item of a bulk answer.
fn first_serial(answer: &Value) -> String {
    answer["data"]["successItems"][0]["response"]["serial"]
        .as_str()
        .unwrap_or_else(|| panic!("no serial in {answer}"))
        .to_owned()
}

/// The sandbox's serials: `OPENAPI` and 9 capitals or digits, the docs'
/// format (`OPENAPI9Z7ZIHIFW`).
fn assert_sandbox_serial(serial: &str) {
    let tail = serial
        .strip_prefix("OPENAPI")
        .unwrap_or_else(|| panic!("{serial}"));
    assert_eq!(tail.len(), 9, "{serial}");
    assert!(
        tail.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
        "{serial}"
    );
}

/// A docs' success answer with the sandbox's serial in place of theirs.
fn with_serial(mut docs_answer: Value, serial: &str) -> Value {
    docs_answer["data"]["successItems"][0]["response"]["serial"] = json!(serial);
    docs_answer
}

#[tokio::test]
async fn the_docs_create_request_gets_the_docs_success_answer_then_the_docs_failed_answer() {
    let app = sandbox();
    let docs = create_users_bulk();
    let first = post(&app, "/ruangkerja/users/create-bulk", docs.request_json()).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_same_shape(&first.json, &docs.success_json(), "answer");
    let serial = first_serial(&first.json);
    assert_sandbox_serial(&serial);
    // Beyond the shape: the docs' answer to the letter, their echo without
    // `organizationSerial` included.
    assert_eq!(first.json, with_serial(docs.success_json(), &serial));

    let again = post(&app, "/ruangkerja/users/create-bulk", docs.request_json()).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_same_shape(&again.json, &docs.failed_json(), "answer");
    let error = &again.json["data"]["failedItems"][0]["error"];
    assert_eq!(error["errorCode"], 10101);
    assert_eq!(error["message"], "USER_EMPLOYEE_ID_EXISTS");
    assert_eq!(error["detail"], "employee id already been taken");
    assert_eq!(again.json, docs.failed_json());
    assert_eq!(state(&app).await["creations"], json!({"EMPLY001": 1}));
}

#[tokio::test]
async fn the_docs_update_request_on_a_seeded_user_gets_the_docs_success_answer() {
    let app = sandbox();
    let seeded = post(&app, "/__sandbox/users", json!([docs_create_item()])).await;
    assert_eq!(seeded.status, StatusCode::OK);
    let seeded_serial = first_serial(&seeded.json);
    let docs = update_users_bulk();
    let answer = post(&app, "/ruangkerja/users/update-bulk", docs.request_json()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_same_shape(&answer.json, &docs.success_json(), "answer");
    assert_eq!(
        first_serial(&answer.json),
        seeded_serial,
        "the user keeps its serial"
    );
    assert_eq!(
        answer.json,
        with_serial(docs.success_json(), &seeded_serial)
    );
}

#[tokio::test]
async fn the_update_bulk_answer_has_the_create_bulk_shape() {
    let app = sandbox();
    let created = create_bulk(&app, vec![docs_create_item()]).await;
    let serial = first_serial(&created.json);
    let update = json!({"employeeID": "EMPLY001", "newEmployeeID": "EMPLY009", "name": "John D",
                        "username": "john", "phone": "6281122334455", "isActive": false,
                        "tagSerials": ["RUKRTAG-9WHL0JGP"]});
    let unknown = json!({"employeeID": "EMP404", "name": "Nobody", "isActive": true});
    let answer = post(
        &app,
        "/ruangkerja/users/update-bulk",
        json!({"items": [update.clone(), unknown.clone()]}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let expected = json!({
        "data": {
            "failedItems": [{"error": {"detail": "", "errorCode": 0, "message": ""}, "payload": unknown}],
            "successItems": [{"payload": update, "response": {"serial": ""}}]
        },
        "status": "success", "message": "success"
    });
    assert_same_shape(&answer.json, &expected, "answer");
    assert_eq!(first_serial(&answer.json), serial);
    assert_eq!(
        answer.json["data"]["failedItems"][0]["error"]["errorCode"],
        10109
    );
    let users = state(&app).await["users"].clone();
    assert_eq!(users[0]["employeeID"], "EMPLY009");
    assert_eq!(users[0]["isActive"], false);
}

#[tokio::test]
async fn a_token_request_with_the_right_credentials_gets_the_documented_grant() {
    let app = sandbox();
    let answer = call(
        &app,
        Method::POST,
        "/oauth/token",
        None,
        Some(
            json!({"clientID": "sandbox-client", "clientSecret": "sandbox-secret",
                    "grantType": "client_credentials"}),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let expected = json!({"status": "success", "message": "success",
        "data": {"accessToken": "x", "expiresIn": "43199", "tokenType": "bearer"}});
    assert_same_shape(&answer.json, &expected, "answer");
    assert_eq!(answer.json["data"]["expiresIn"], "43199");
    assert_eq!(answer.json["data"]["tokenType"], "bearer");
    let token = answer.json["data"]["accessToken"].as_str().unwrap();
    let detail = call(&app, Method::GET, "/ruangkerja/users/E1", Some(token), None).await;
    assert_eq!(
        detail.status,
        StatusCode::NOT_FOUND,
        "the issued token works"
    );
}

#[tokio::test]
async fn a_token_request_with_wrong_credentials_gets_the_documented_bad_request() {
    let app = sandbox();
    for body in [
        json!({"clientID": "sandbox-client", "clientSecret": "wrong", "grantType": "client_credentials"}),
        json!({"clientID": "sandbox-client", "clientSecret": "sandbox-secret", "grantType": "password"}),
        json!({"nothing": true}),
    ] {
        let answer = call(&app, Method::POST, "/oauth/token", None, Some(body)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            answer.json,
            json!({"errorCode": 400, "message": "BAD_REQUEST",
                   "detail": "Credentials does not match in our records"})
        );
    }
}

#[tokio::test]
async fn every_user_endpoint_answers_a_missing_or_wrong_token_with_permission_denied() {
    let app = sandbox();
    let calls = [
        (
            Method::POST,
            "/ruangkerja/users/create-bulk",
            Some(json!({"items": []})),
        ),
        (
            Method::POST,
            "/ruangkerja/users/update-bulk",
            Some(json!({"items": []})),
        ),
        (Method::POST, "/ruangkerja/users", Some(item("E1"))),
        (Method::PUT, "/ruangkerja/users/E1", Some(item("E1"))),
        (Method::GET, "/ruangkerja/users/E1", None),
        (Method::GET, "/ruangkerja/users?page=1&pageSize=10", None),
        (
            Method::POST,
            "/ruangkerja/users/update-email-bulk",
            Some(json!({"items": []})),
        ),
    ];
    for (method, path, body) in calls {
        for token in [None, Some("wrong")] {
            let answer = call(&app, method.clone(), path, token, body.clone()).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {path}");
            assert_eq!(answer.json, permission_denied(), "{method} {path}");
        }
    }
    assert_eq!(state(&app).await["users"], json!([]));
}

#[tokio::test]
async fn an_issued_token_expires_when_the_sandbox_clock_passes_expires_in() {
    let app = router_with_short_tokens();
    let grant = call(
        &app,
        Method::POST,
        "/oauth/token",
        None,
        Some(
            json!({"clientID": "sandbox-client", "clientSecret": "sandbox-secret",
                    "grantType": "client_credentials"}),
        ),
    )
    .await;
    assert_eq!(grant.json["data"]["expiresIn"], "60");
    let token = grant.json["data"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let get = |token: String| {
        let app = app.clone();
        async move {
            call(
                &app,
                Method::GET,
                "/ruangkerja/users/E1",
                Some(&token),
                None,
            )
            .await
        }
    };
    assert_eq!(get(token.clone()).await.status, StatusCode::NOT_FOUND);
    call(
        &app,
        Method::POST,
        "/__sandbox/clock",
        None,
        Some(json!({"advanceSeconds": 61})),
    )
    .await;
    let expired = get(token).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(expired.json, permission_denied());
    // The static token never expires by time.
    assert_eq!(get(TOKEN.to_owned()).await.status, StatusCode::NOT_FOUND);
}

fn router_with_short_tokens() -> axum::Router {
    ruangkerja_sandbox::router(ruangkerja_sandbox::SandboxConfig {
        token_lifetime_seconds: 60,
        ..config()
    })
}

#[tokio::test]
async fn get_user_answers_the_documented_detail_without_a_serial() {
    let app = sandbox();
    create_bulk(&app, vec![docs_create_item()]).await;
    let answer = call(
        &app,
        Method::GET,
        "/ruangkerja/users/EMPLY001",
        Some(TOKEN),
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let expected = json!({"status": "success", "message": "Success", "data": {
        "employeeID": "EMPLY001", "name": "John Doe", "username": null,
        "email": "[email\u{a0}protected]",
        "phone": "6281122334455", "isActive": true, "companyName": "x", "companySerial": "x",
        "organizationDisplayName": "x", "organizationLevelSerial": "COMPFJLYTHWL",
        "tags": [{"serial": "RUKRTAG-9WHL0JGP", "name": "x"}]}});
    assert_same_shape(&answer.json, &expected, "answer");
    assert_eq!(answer.json["message"], "Success");
    assert_eq!(answer.json["data"]["tags"][0]["serial"], "RUKRTAG-9WHL0JGP");
    assert_eq!(answer.json["data"]["email"], docs_create_item()["email"]);
}

#[tokio::test]
async fn get_user_of_an_unknown_employee_id_is_a_flat_404() {
    let app = sandbox();
    let answer = call(
        &app,
        Method::GET,
        "/ruangkerja/users/E404",
        Some(TOKEN),
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.json["errorCode"], 10109);
    assert_eq!(answer.json["message"], "USER_NOT_FOUND");
    assert_same_shape(
        &answer.json,
        &json!({"errorCode": 1, "message": "", "detail": ""}),
        "answer",
    );
}

#[tokio::test]
async fn create_one_and_update_one_answer_data_serial_or_a_flat_error() {
    let app = sandbox();
    let created = post(&app, "/ruangkerja/users", docs_create_item()).await;
    assert_eq!(created.status, StatusCode::OK);
    let expected = json!({"status": "success", "message": "Success", "data": {"serial": "x"}});
    assert_same_shape(&created.json, &expected, "created");
    assert_eq!(created.json["message"], "Success");

    let again = post(&app, "/ruangkerja/users", docs_create_item()).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        again.json,
        json!({"errorCode": 10101, "message": "USER_EMPLOYEE_ID_EXISTS",
               "detail": "employee id already been taken"})
    );

    let update = json!({"name": "John D", "isActive": false});
    let updated = call(
        &app,
        Method::PUT,
        "/ruangkerja/users/EMPLY001",
        Some(TOKEN),
        Some(update.clone()),
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(
        updated.json["data"]["serial"],
        created.json["data"]["serial"]
    );

    let missing = call(
        &app,
        Method::PUT,
        "/ruangkerja/users/E404",
        Some(TOKEN),
        Some(update),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json["errorCode"], 10109);

    let invalid = post(
        &app,
        "/ruangkerja/users",
        json!({"employeeID": "E-1", "name": "X", "isActive": true, "phone": "62"}),
    )
    .await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert_eq!(invalid.json["message"], "EMPLOYEE_ID_INVALID");
}

#[tokio::test]
async fn each_broken_rule_is_a_failed_item_with_its_code_while_good_items_pass() {
    let app = sandbox();
    let mut bad_id = item("E1");
    bad_id["employeeID"] = json!("E 1");
    let mut no_name = item("E2");
    no_name["name"] = json!(null);
    let mut bad_username = item("E3");
    bad_username["username"] = json!("ani_3");
    let mut no_contact = item("E4");
    no_contact["email"] = json!(null);
    let mut no_active = item("E5");
    no_active.as_object_mut().unwrap().remove("isActive");
    let mut same_email = item("E7");
    same_email["email"] = json!("e6@example.com");
    let answer = create_bulk(
        &app,
        vec![
            bad_id,
            no_name,
            bad_username,
            no_contact,
            no_active,
            item("E6"),
            same_email,
            item("E6"),
        ],
    )
    .await;
    let failed: Vec<(i64, String)> = answer.json["data"]["failedItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["error"]["errorCode"].as_i64().unwrap(),
                f["error"]["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        (10104, "EMPLOYEE_ID_INVALID"),
        (10106, "NAME_REQUIRED"),
        (10105, "USERNAME_INVALID"),
        (10107, "EMAIL_OR_PHONE_REQUIRED"),
        (10108, "IS_ACTIVE_REQUIRED"),
        (10102, "USER_EMAIL_EXISTS"),
        (10101, "USER_EMPLOYEE_ID_EXISTS"),
    ]
    .map(|(code, message)| (code, message.to_owned()));
    assert_eq!(failed, expected);
    assert_eq!(
        answer.json["data"]["successItems"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(state(&app).await["creations"], json!({"E6": 1}));
}

#[tokio::test]
async fn a_body_that_is_not_an_items_object_is_a_request_level_bad_request() {
    let app = sandbox();
    let answer = post(&app, "/ruangkerja/users/create-bulk", json!([item("E1")])).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json["errorCode"], 400);
    assert_eq!(answer.json["message"], "BAD_REQUEST");
}

#[tokio::test]
async fn the_app_config_and_state_dump_keep_their_shapes() {
    let app = sandbox();
    create_bulk(&app, vec![item("E1")]).await;
    let config = call(&app, Method::GET, "/__sandbox/app-config.json", None, None).await;
    assert_eq!(
        config.json,
        json!({"apiBaseUrl": "http://127.0.0.1:1", "accessToken": TOKEN})
    );
    let dump = state(&app).await;
    assert_eq!(dump["creations"], json!({"E1": 1}));
    assert_eq!(dump["passwordResets"], json!({}));
    assert_eq!(
        dump["requests"],
        json!({"POST /ruangkerja/users/create-bulk": 1})
    );
    let user = &dump["users"][0];
    assert!(user["serial"].as_str().unwrap().starts_with("OPENAPI"));
    for field in [
        "employeeID",
        "name",
        "username",
        "email",
        "phone",
        "password",
        "isActive",
        "tagSerials",
        "organizationSerial",
    ] {
        assert!(user.get(field).is_some(), "{field} missing from {user}");
    }
}

#[tokio::test]
async fn cors_mirrors_the_origin_and_exposes_retry_after() {
    let app = sandbox();
    let request = axum::http::Request::post("/ruangkerja/users/create-bulk")
        .header("Origin", "http://localhost:9999")
        .header("Authorization", TOKEN)
        .header("Content-Type", "application/json")
        .body(axum::body::Body::from(json!({"items": []}).to_string()))
        .unwrap();
    let response = tower::ServiceExt::oneshot(app, request).await.unwrap();
    let headers = response.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://localhost:9999"
    );
    assert!(headers["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("retry-after"));
}
