//! A local stand-in for the Ruangkerja user API.
//!
//! It serves the documented paths with the documented envelopes and error
//! shapes from in-memory state, so the app can be developed, demonstrated
//! and tested end to end without credentials for the real API. It binds to
//! loopback only.
//!
//! Besides the API it serves two paths under `/__sandbox/`, never part of
//! the real API: `app-config.json` (the app's `config.json` in development,
//! proxied by `trunk serve`) and `state` (every user, for tests).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use employee_import::contract::{
    codes, ApiErrorBody, BulkRequest, BulkResult, CreateUserItem, Envelope, FailedItem,
    SerialResponse, SuccessItem,
};
use serde::Serialize;
use serde_json::{json, Value};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

/// How a sandbox is set up at start.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The token that always works; printed at start.
    pub token: String,
    /// Seed for the serial generator, so runs are reproducible.
    pub seed: u64,
    /// The URL the sandbox is reachable at, told to the app.
    pub public_url: String,
}

/// A user as the sandbox stores it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredUser {
    pub serial: String,
    #[serde(flatten)]
    pub item: CreateUserItem,
}

#[derive(Debug)]
struct Users {
    by_employee_id: HashMap<String, StoredUser>,
    /// How many times each employee ID was created: a test's proof that no
    /// user was created twice.
    creations: HashMap<String, u32>,
    serials: SerialGenerator,
}

#[derive(Clone)]
struct Shared {
    config: Arc<SandboxConfig>,
    users: Arc<Mutex<Users>>,
}

impl Shared {
    fn users(&self) -> MutexGuard<'_, Users> {
        // A poisoned lock only means another request panicked mid-way; the
        // map itself is still consistent enough for a test double.
        self.users
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Serials in the documented style: `OPENAPI` and nine capitals or digits.
#[derive(Debug)]
struct SerialGenerator {
    state: u64,
}

impl SerialGenerator {
    fn next_serial(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        // splitmix64: tiny, seedable and good enough for unique-looking IDs.
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let mut serial = String::from("OPENAPI");
        for _ in 0..9 {
            serial.push(ALPHABET[(z % 36) as usize] as char);
            z /= 36;
        }
        serial
    }
}

/// The sandbox's routes, ready to serve.
pub fn router(config: SandboxConfig) -> Router {
    let shared = Shared {
        users: Arc::new(Mutex::new(Users {
            by_employee_id: HashMap::new(),
            creations: HashMap::new(),
            serials: SerialGenerator { state: config.seed },
        })),
        config: Arc::new(config),
    };
    // The real API documents no CORS policy; the sandbox allows any origin
    // so the app can be served from any local port, and exposes Retry-After
    // so the app can honour it.
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods(Any)
        .allow_headers(Any)
        .expose_headers([header::RETRY_AFTER]);
    Router::new()
        .route("/ruangkerja/users/create-bulk", post(create_bulk))
        .route("/__sandbox/app-config.json", get(app_config))
        .route("/__sandbox/state", get(state_dump))
        .layer(cors)
        .with_state(shared)
}

fn permission_denied() -> Response {
    let body = ApiErrorBody {
        error_code: codes::PERMISSION_DENIED,
        message: codes::PERMISSION_DENIED_MESSAGE.to_owned(),
        detail: codes::PERMISSION_DENIED_MESSAGE.to_owned(),
    };
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

fn bad_request(detail: String) -> Response {
    let body = ApiErrorBody {
        error_code: 400,
        message: "BAD_REQUEST".to_owned(),
        detail,
    };
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

fn authorised(shared: &Shared, headers: &HeaderMap) -> bool {
    // The docs send the raw token, without a `Bearer ` prefix.
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|token| token == shared.config.token)
}

async fn create_bulk(State(shared): State<Shared>, headers: HeaderMap, body: String) -> Response {
    if !authorised(&shared, &headers) {
        return permission_denied();
    }
    let request: BulkRequest<Value> = match serde_json::from_str(&body) {
        Ok(request) => request,
        Err(error) => {
            return bad_request(format!("request body is not {{\"items\": [...]}}: {error}"))
        }
    };
    let mut users = shared.users();
    let mut result = BulkResult::default();
    for payload in request.items {
        match create_one(&mut users, &payload) {
            Ok(serial) => result.success_items.push(SuccessItem {
                payload,
                response: SerialResponse { serial },
            }),
            Err(error) => result.failed_items.push(FailedItem { error, payload }),
        }
    }
    Json(Envelope {
        status: "success".to_owned(),
        message: "success".to_owned(),
        data: result,
    })
    .into_response()
}

fn create_one(users: &mut Users, payload: &Value) -> Result<String, ApiErrorBody> {
    let item: CreateUserItem =
        serde_json::from_value(payload.clone()).map_err(|error| ApiErrorBody {
            error_code: 400,
            message: "BAD_REQUEST".to_owned(),
            detail: error.to_string(),
        })?;
    if users.by_employee_id.contains_key(&item.employee_id) {
        return Err(ApiErrorBody {
            error_code: codes::USER_EMPLOYEE_ID_EXISTS,
            message: "USER_EMPLOYEE_ID_EXISTS".to_owned(),
            detail: "employee id already been taken".to_owned(),
        });
    }
    let serial = users.serials.next_serial();
    *users.creations.entry(item.employee_id.clone()).or_default() += 1;
    users.by_employee_id.insert(
        item.employee_id.clone(),
        StoredUser {
            serial: serial.clone(),
            item,
        },
    );
    Ok(serial)
}

async fn app_config(State(shared): State<Shared>) -> Json<Value> {
    Json(json!({
        "apiBaseUrl": shared.config.public_url,
        "accessToken": shared.config.token,
    }))
}

async fn state_dump(State(shared): State<Shared>) -> Json<Value> {
    let users = shared.users();
    let mut list: Vec<&StoredUser> = users.by_employee_id.values().collect();
    list.sort_by(|a, b| a.item.employee_id.cmp(&b.item.employee_id));
    Json(json!({ "users": list, "creations": users.creations }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    fn sandbox() -> Router {
        router(SandboxConfig {
            token: "secret".into(),
            seed: 7,
            public_url: "http://127.0.0.1:1".into(),
        })
    }

    async fn post_json(
        app: &Router,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, token);
        }
        let response = app
            .clone()
            .oneshot(request.body(Body::from(body.to_string())).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    fn item(id: &str) -> Value {
        json!({"employeeID": id, "name": "Ani", "username": null, "email": "ani@example.com",
               "phone": null, "password": null, "isActive": true, "tagSerials": null,
               "organizationSerial": null})
    }

    #[tokio::test]
    async fn create_bulk_answers_the_documented_envelope_with_serials() {
        let app = sandbox();
        let (status, body) = post_json(
            &app,
            "/ruangkerja/users/create-bulk",
            Some("secret"),
            json!({"items": [item("E1")]}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "success");
        assert_eq!(body["message"], "success");
        let serial = body["data"]["successItems"][0]["response"]["serial"]
            .as_str()
            .unwrap();
        assert!(
            serial.starts_with("OPENAPI") && serial.len() == 16,
            "{serial}"
        );
        assert_eq!(body["data"]["successItems"][0]["payload"], item("E1"));
        assert_eq!(body["data"]["failedItems"], json!([]));
    }

    #[tokio::test]
    async fn a_taken_employee_id_fails_with_10101() {
        let app = sandbox();
        post_json(
            &app,
            "/ruangkerja/users/create-bulk",
            Some("secret"),
            json!({"items": [item("E1")]}),
        )
        .await;
        let (_, body) = post_json(
            &app,
            "/ruangkerja/users/create-bulk",
            Some("secret"),
            json!({"items": [item("E1"), item("E2")]}),
        )
        .await;
        assert_eq!(
            body["data"]["failedItems"][0]["error"],
            json!({"errorCode": 10101, "message": "USER_EMPLOYEE_ID_EXISTS", "detail": "employee id already been taken"})
        );
        assert_eq!(
            body["data"]["failedItems"][0]["payload"]["employeeID"],
            "E1"
        );
        assert_eq!(
            body["data"]["successItems"][0]["payload"]["employeeID"],
            "E2"
        );
    }

    #[tokio::test]
    async fn a_missing_or_wrong_token_gets_the_documented_permission_denied_shape() {
        let app = sandbox();
        for token in [None, Some("wrong")] {
            let (status, body) = post_json(
                &app,
                "/ruangkerja/users/create-bulk",
                token,
                json!({"items": []}),
            )
            .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            assert_eq!(body["errorCode"], 123);
            assert_eq!(
                body["message"],
                "rpc error: code = PermissionDenied desc = Token is not valid"
            );
        }
    }

    #[test]
    fn serials_are_reproducible_for_a_seed_and_distinct() {
        let mut a = SerialGenerator { state: 42 };
        let mut b = SerialGenerator { state: 42 };
        let first: Vec<String> = (0..100).map(|_| a.next_serial()).collect();
        let second: Vec<String> = (0..100).map(|_| b.next_serial()).collect();
        assert_eq!(first, second);
        let unique: std::collections::HashSet<&String> = first.iter().collect();
        assert_eq!(unique.len(), 100);
    }
}
