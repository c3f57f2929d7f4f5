//! The docs' example requests, answered by the sandbox, compared with the
//! docs' example answers: same keys, same value types, same constants.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{json, Value};

/// The docs' create-bulk answer, as printed in the docs (shared with the
/// core's contract tests).
fn docs_create_bulk_answer() -> Value {
    serde_json::from_str(include_str!(
        "../../employee-import/tests/fixtures/docs/create-bulk-answer.json"
    ))
    .unwrap()
}

fn docs_items() -> (Value, Value) {
    let answer = docs_create_bulk_answer();
    let budi = answer["data"]["successItems"][0]["payload"].clone();
    let tono = answer["data"]["failedItems"][0]["payload"].clone();
    (budi, tono)
}

fn permission_denied() -> Value {
    json!({"errorCode": 123,
           "message": "rpc error: code = PermissionDenied desc = Token is not valid",
           "detail": "rpc error: code = PermissionDenied desc = Token is not valid"})
}

#[tokio::test]
async fn the_docs_create_bulk_example_gets_the_docs_answer_shape() {
    let app = sandbox();
    let (budi, tono) = docs_items();
    // Tono's employee ID is taken before, as in the docs' example.
    let seeded = post(&app, "/__sandbox/users", json!([{
        "employeeID": "EMP002", "name": "Tono Lama", "email": "lama@example.com", "isActive": true
    }]))
    .await;
    assert_eq!(seeded.status, StatusCode::OK);
    let answer = create_bulk(&app, vec![tono.clone(), budi.clone()]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_same_shape(&answer.json, &docs_create_bulk_answer(), "answer");
    assert_eq!(answer.json["status"], "success");
    assert_eq!(answer.json["message"], "success");
    assert_eq!(
        answer.json["data"]["failedItems"][0],
        docs_create_bulk_answer()["data"]["failedItems"][0]
    );
    assert_eq!(answer.json["data"]["successItems"][0]["payload"], budi);
    let serial = answer.json["data"]["successItems"][0]["response"]["serial"]
        .as_str()
        .unwrap();
    assert!(
        serial.starts_with("OPENAPI") && serial.len() == 16,
        "{serial}"
    );
}

#[tokio::test]
async fn the_update_bulk_answer_has_the_create_bulk_shape() {
    let app = sandbox();
    let (budi, _) = docs_items();
    let created = create_bulk(&app, vec![budi]).await;
    let serial = created.json["data"]["successItems"][0]["response"]["serial"].clone();
    let update = json!({"employeeID": "EMP001", "newEmployeeID": "EMP009", "name": "Budi S",
                        "username": "budi", "phone": "6281122334455", "isActive": false,
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
    assert_eq!(
        answer.json["data"]["successItems"][0]["response"]["serial"],
        serial
    );
    assert_eq!(
        answer.json["data"]["failedItems"][0]["error"]["errorCode"],
        10109
    );
    let users = state(&app).await["users"].clone();
    assert_eq!(users[0]["employeeID"], "EMP009");
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
    let (budi, _) = docs_items();
    let mut budi = budi;
    budi["organizationSerial"] = json!("COMPFJLYTHWL");
    create_bulk(&app, vec![budi]).await;
    let answer = call(
        &app,
        Method::GET,
        "/ruangkerja/users/EMP001",
        Some(TOKEN),
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let expected = json!({"status": "success", "message": "Success", "data": {
        "employeeID": "EMP001", "name": "Budi", "username": "budi", "email": "budi@example.com",
        "phone": "6281122334455", "isActive": true, "companyName": "x", "companySerial": "x",
        "organizationDisplayName": "x", "organizationLevelSerial": "COMPFJLYTHWL",
        "tags": [{"serial": "RUKRTAG-9WHL0JGP", "name": "x"}]}});
    assert_same_shape(&answer.json, &expected, "answer");
    assert_eq!(answer.json["message"], "Success");
    assert_eq!(answer.json["data"]["tags"][0]["serial"], "RUKRTAG-9WHL0JGP");
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
    let (budi, _) = docs_items();
    let created = post(&app, "/ruangkerja/users", budi.clone()).await;
    assert_eq!(created.status, StatusCode::OK);
    let expected = json!({"status": "success", "message": "Success", "data": {"serial": "x"}});
    assert_same_shape(&created.json, &expected, "created");
    assert_eq!(created.json["message"], "Success");

    let again = post(&app, "/ruangkerja/users", budi).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        again.json,
        json!({"errorCode": 10101, "message": "USER_EMPLOYEE_ID_EXISTS",
               "detail": "employee id already been taken"})
    );

    let update = json!({"name": "Budi S", "isActive": false});
    let updated = call(
        &app,
        Method::PUT,
        "/ruangkerja/users/EMP001",
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
