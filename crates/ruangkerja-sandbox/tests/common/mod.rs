//! Helpers shared by the sandbox's integration tests: in-process calls
//! through `oneshot`, and a raw loopback client for the faults that are
//! about the connection itself.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use ruangkerja_sandbox::{router, FaultConfig, SandboxConfig};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

pub const TOKEN: &str = "secret";

pub fn config() -> SandboxConfig {
    SandboxConfig::new(TOKEN, 7, "http://127.0.0.1:1")
}

pub fn sandbox() -> Router {
    router(config())
}

pub fn sandbox_with(faults: FaultConfig, seed: u64) -> Router {
    router(SandboxConfig {
        seed,
        faults,
        ..config()
    })
}

/// An answer as a test looks at it; `json` is `Null` when the body is not
/// JSON.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

pub async fn call(
    app: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, token);
    }
    let body = body.map_or_else(Body::empty, |body| Body::from(body.to_string()));
    let response = app
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        text,
        json,
    }
}

pub async fn post(app: &Router, path: &str, body: Value) -> Answer {
    call(app, Method::POST, path, Some(TOKEN), Some(body)).await
}

/// A GET with the token.
pub async fn get(app: &Router, path: &str) -> Answer {
    call(app, Method::GET, path, Some(TOKEN), None).await
}

/// Adds users through the control endpoint (not counted as creations).
pub async fn seed_users(app: &Router, items: Vec<Value>) -> Answer {
    let answer = call(
        app,
        Method::POST,
        "/__sandbox/users",
        None,
        Some(Value::Array(items)),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(
        answer.json["data"]["failedItems"],
        json!([]),
        "{}",
        answer.text
    );
    answer
}

pub async fn create_bulk(app: &Router, items: Vec<Value>) -> Answer {
    post(
        app,
        "/ruangkerja/users/create-bulk",
        json!({ "items": items }),
    )
    .await
}

pub async fn state(app: &Router) -> Value {
    call(app, Method::GET, "/__sandbox/state", None, None)
        .await
        .json
}

pub async fn put_faults(app: &Router, faults: Value) -> Answer {
    call(app, Method::PUT, "/__sandbox/faults", None, Some(faults)).await
}

pub fn item(id: &str) -> Value {
    json!({"employeeID": id, "name": "Ani", "username": null,
           "email": format!("{}@example.com", id.to_lowercase()),
           "phone": null, "password": null, "isActive": true, "tagSerials": null,
           "organizationSerial": null})
}

/// Serves `app` on a free loopback port for the rest of the test.
pub async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

/// What a raw HTTP/1.1 client saw.
#[derive(Debug, PartialEq)]
pub enum Wire {
    /// Bytes arrived and the connection ended.
    Answered(String),
    /// The connection ended before a single byte of an answer.
    ClosedWithoutAnswer,
    /// Nothing arrived within the wait, and the connection stayed open.
    Silent,
}

pub async fn raw_post(address: SocketAddr, path: &str, body: Value, wait: Duration) -> Wire {
    raw_request(address, "POST", path, &body.to_string(), wait).await
}

pub async fn raw_get(address: SocketAddr, path: &str, wait: Duration) -> Wire {
    raw_request(address, "GET", path, "", wait).await
}

async fn raw_request(
    address: SocketAddr,
    method: &str,
    path: &str,
    body: &str,
    wait: Duration,
) -> Wire {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: {TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(wait, stream.read(&mut buffer)).await {
            Err(_elapsed) if received.is_empty() => return Wire::Silent,
            Err(_elapsed) => panic!("the answer stalled midway"),
            Ok(Ok(0)) | Ok(Err(_)) if received.is_empty() => return Wire::ClosedWithoutAnswer,
            Ok(Ok(0)) | Ok(Err(_)) => {
                return Wire::Answered(String::from_utf8_lossy(&received).into_owned())
            }
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
    }
}

/// Whether `actual` has the shape of `expected`: the same keys in every
/// object, the same JSON type in every value; a list is compared element by
/// element with the first element of the expected list.
pub fn assert_same_shape(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            let mut a_keys: Vec<&String> = a.keys().collect();
            let mut e_keys: Vec<&String> = e.keys().collect();
            a_keys.sort();
            e_keys.sort();
            assert_eq!(a_keys, e_keys, "keys differ at {path}");
            for (key, value) in e {
                assert_same_shape(&a[key], value, &format!("{path}.{key}"));
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            if let Some(first) = e.first() {
                assert!(!a.is_empty(), "{path} is empty, the docs show items");
                for (i, value) in a.iter().enumerate() {
                    assert_same_shape(value, first, &format!("{path}[{i}]"));
                }
            }
        }
        (Value::String(_), Value::String(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::Bool(_), Value::Bool(_))
        | (Value::Null, Value::Null) => {}
        _ => panic!("{path}: {actual} does not have the type of {expected}"),
    }
}
