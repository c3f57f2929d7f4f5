//! The documented endpoints, and the layer that injects faults into the
//! user endpoints (`/ruangkerja/...`). `/oauth/token` is never faulted.
//!
//! Order of events for a user request: the request is counted under its
//! method and route; a spelling of the email bulk path that is not served
//! answers 404 as an unknown path would; otherwise the fault decision is
//! drawn, the delay is waited, a hang, 5xx or 429 answers without touching
//! auth or state; otherwise the token is checked (counting toward
//! `tokenExpiresAfterRequests`), the items are applied, and the answer may
//! then be dropped, cut short or thinned out.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use employee_import::contract::{
    codes as docs_codes, ApiErrorBody, BulkResult, Envelope, FailedItem, SerialResponse,
    SuccessItem, TagRef, TokenGrant, TokenRequest, UserDetail,
};
use serde_json::{json, Value};

use crate::directory::{Directory, COMPANY_SERIAL};
use crate::faults::{omitted_positions, Outcome};
use crate::list::{ListQuery, TagQuery};
use crate::state::{codes, user_not_found, Rejection, StoredUser};
use crate::{Shared, World};

/// The fixed company every sandbox user belongs to.
const COMPANY_NAME: &str = "Sandbox Company";

/// How the state dump names a request: the method and the route pattern,
/// with the path parameter written as the docs write it.
fn route_key(method: &Method, route: &str) -> String {
    let route = route
        .replace("{employee_id}", ":employeeID")
        .replace("{tag_serial}", ":tagSerial");
    format!("{method} {route}")
}

pub(crate) async fn inject_faults(
    State(shared): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| request.uri().path(), MatchedPath::as_str)
        .to_owned();
    let decision = {
        let mut world = shared.world();
        *world
            .requests
            .entry(route_key(request.method(), &route))
            .or_default() += 1;
        // The same answer as the router's fallback for a path it does not
        // know: no delay, no fault drawn, an empty 404.
        if world.faults.config.email_bulk_path.refuses(&route) {
            return StatusCode::NOT_FOUND.into_response();
        }
        world.faults.decide()
    };
    if decision.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(decision.delay_ms)).await;
    }
    match decision.outcome {
        Outcome::Normal => next.run(request).await,
        Outcome::Hang => std::future::pending().await,
        Outcome::ServerError(status) => server_error(status),
        Outcome::RateLimited {
            retry_after_seconds,
        } => rate_limited(retry_after_seconds),
        Outcome::DropAfterApply => {
            let _applied = next.run(request).await;
            dropped_connection()
        }
        Outcome::MalformedJson => truncated(next.run(request).await).await,
        Outcome::OmitItems { seed } => omit_items(next.run(request).await, seed).await,
    }
}

/// 500 answers a JSON error body, as the API's own code would; 502 and 503
/// answer an HTML page, as a gateway in front of it would.
fn server_error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        let body = ApiErrorBody {
            error_code: 500,
            message: "INTERNAL_SERVER_ERROR".to_owned(),
            detail: "sandbox fault: injected server error".to_owned(),
        };
        return (status, Json(body)).into_response();
    }
    let reason = status.canonical_reason().unwrap_or("Server Error");
    let page = format!(
        "<html><head><title>{code} {reason}</title></head><body><h1>{code} {reason}</h1></body></html>",
        code = status.as_u16()
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

fn rate_limited(retry_after_seconds: u64) -> Response {
    let body = ApiErrorBody {
        error_code: 429,
        message: "TOO_MANY_REQUESTS".to_owned(),
        detail: format!("rate limit exceeded; retry after {retry_after_seconds} seconds"),
    };
    let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
    response
}

/// An answer whose body fails before its first byte: hyper then closes the
/// connection without writing the status line, so the client sees the
/// connection end with no HTTP answer at all.
fn dropped_connection() -> Response {
    let failing = futures_util::stream::iter([Err::<Bytes, std::io::Error>(std::io::Error::new(
        std::io::ErrorKind::ConnectionAborted,
        "sandbox fault: drop",
    ))]);
    Response::new(Body::from_stream(failing))
}

async fn body_bytes(response: Response) -> (axum::http::response::Parts, Bytes) {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    (parts, bytes)
}

/// The same answer with its body cut in half: never valid JSON.
async fn truncated(response: Response) -> Response {
    let (mut parts, bytes) = body_bytes(response).await;
    parts.headers.remove(header::CONTENT_LENGTH);
    let cut = bytes.slice(..bytes.len() / 2);
    Response::from_parts(parts, Body::from(cut))
}

/// The same bulk answer without some of its items, chosen by `seed` among
/// `failedItems` then `successItems`. Other answers pass unchanged.
async fn omit_items(response: Response, seed: u64) -> Response {
    let (mut parts, bytes) = body_bytes(response).await;
    let Ok(mut answer) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let lists = ["failedItems", "successItems"];
    let count: usize = lists
        .iter()
        .filter_map(|list| answer["data"][list].as_array())
        .map(Vec::len)
        .sum();
    if count == 0 {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let mut omitted = omitted_positions(seed, count).into_iter();
    for list in lists {
        if let Some(items) = answer["data"][list].as_array_mut() {
            items.retain(|_| !omitted.next().unwrap_or(false));
        }
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(answer.to_string()))
}

fn error_response(rejection: Rejection) -> Response {
    let status = StatusCode::from_u16(rejection.http_status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(rejection.body)).into_response()
}

pub(crate) fn permission_denied() -> Response {
    let body = ApiErrorBody {
        error_code: docs_codes::PERMISSION_DENIED,
        message: docs_codes::PERMISSION_DENIED_MESSAGE.to_owned(),
        detail: docs_codes::PERMISSION_DENIED_MESSAGE.to_owned(),
    };
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

/// Checks the token and counts the request toward its limit.
fn authorised(shared: &Shared, headers: &HeaderMap) -> bool {
    // The docs send the raw token, without a `Bearer ` prefix.
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let mut world = shared.world();
    let limit = world.faults.config.token_expires_after_requests;
    world.tokens.authorise(token, limit)
}

pub(crate) fn success<T: serde::Serialize>(message: &str, data: T) -> Response {
    Json(Envelope {
        status: "success".to_owned(),
        message: message.to_owned(),
        data,
    })
    .into_response()
}

/// The items of a bulk body, or the request-level error.
fn bulk_items(shared: &Shared, body: &str) -> Result<Vec<Value>, Rejection> {
    let items = match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(mut object)) => match object.remove("items") {
            Some(Value::Array(items)) => Some(items),
            _ => None,
        },
        _ => None,
    };
    let Some(items) = items else {
        return Err(
            codes::BAD_REQUEST.reject("request body must be JSON of the form {\"items\": [...]}")
        );
    };
    let max = shared.world().faults.config.max_items;
    if items.len() > max {
        return Err(codes::TOO_MANY_ITEMS.reject(format!(
            "a bulk request may carry at most {max} items; this one has {}",
            items.len()
        )));
    }
    Ok(items)
}

/// Applies one item to the world, answering the user's serial.
type ApplyItem = fn(&mut World, &Value) -> Result<String, Rejection>;

fn create_one(world: &mut World, payload: &Value) -> Result<String, Rejection> {
    world.users.create(payload)
}

fn update_one(world: &mut World, payload: &Value) -> Result<String, Rejection> {
    let nulls = world.faults.config.update_nulls;
    world.users.update(payload, nulls)
}

fn update_email_one(world: &mut World, payload: &Value) -> Result<String, Rejection> {
    world.users.update_email(payload)
}

/// The echo of a create item: the docs' create-bulk examples echo each
/// item without its `organizationSerial`, although their request sent one,
/// and the sandbox echoes the same way, so the app meets an echo it cannot
/// rely on being complete.
pub(crate) fn create_echo(mut payload: Value) -> Value {
    if let Some(object) = payload.as_object_mut() {
        object.remove("organizationSerial");
    }
    payload
}

/// The echo of update items: exactly as sent, as the docs' update-bulk
/// examples show.
fn echo_as_sent(payload: Value) -> Value {
    payload
}

fn apply_bulk(
    shared: &Shared,
    headers: &HeaderMap,
    body: &str,
    apply: ApplyItem,
    echo: fn(Value) -> Value,
) -> Response {
    if !authorised(shared, headers) {
        return permission_denied();
    }
    let items = match bulk_items(shared, body) {
        Ok(items) => items,
        Err(rejection) => return error_response(rejection),
    };
    let mut world = shared.world();
    success(
        "success",
        bulk_result(items, |payload| apply(&mut world, payload), echo),
    )
}

/// Applies each item in order and sorts the echoed items into the two
/// lists of a bulk answer.
pub(crate) fn bulk_result(
    items: Vec<Value>,
    mut apply: impl FnMut(&Value) -> Result<String, Rejection>,
    echo: fn(Value) -> Value,
) -> BulkResult {
    let mut result = BulkResult::default();
    for payload in items {
        let outcome = apply(&payload);
        let payload = echo(payload);
        match outcome {
            Ok(serial) => result.success_items.push(SuccessItem {
                payload,
                response: SerialResponse { serial },
            }),
            Err(rejection) => result.failed_items.push(FailedItem {
                error: rejection.body,
                payload,
            }),
        }
    }
    result
}

pub(crate) async fn create_bulk(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: String,
) -> Response {
    apply_bulk(&shared, &headers, &body, create_one, create_echo)
}

pub(crate) async fn update_bulk(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: String,
) -> Response {
    apply_bulk(&shared, &headers, &body, update_one, echo_as_sent)
}

/// Both spellings of the path route here; the fault layer refuses the one
/// `emailBulkPath` does not serve before this runs.
pub(crate) async fn update_email_bulk(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: String,
) -> Response {
    apply_bulk(&shared, &headers, &body, update_email_one, echo_as_sent)
}

fn single_item(body: &str) -> Result<Value, Rejection> {
    serde_json::from_str(body)
        .map_err(|error| codes::BAD_REQUEST.reject(format!("request body is not JSON: {error}")))
}

fn apply_single(shared: &Shared, payload: &Value, apply: ApplyItem) -> Response {
    match apply(&mut shared.world(), payload) {
        Ok(serial) => success("Success", SerialResponse { serial }),
        Err(rejection) => error_response(rejection),
    }
}

pub(crate) async fn create_user(
    State(shared): State<Shared>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if !authorised(&shared, &headers) {
        return permission_denied();
    }
    match single_item(&body) {
        Ok(payload) => apply_single(&shared, &payload, create_one),
        Err(rejection) => error_response(rejection),
    }
}

/// The path names the user; an `employeeID` in the body is ignored in
/// favour of it, and `newEmployeeID` renames as in update-bulk.
pub(crate) async fn update_user(
    State(shared): State<Shared>,
    Path(employee_id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if !authorised(&shared, &headers) {
        return permission_denied();
    }
    let mut payload = match single_item(&body) {
        Ok(payload) => payload,
        Err(rejection) => return error_response(rejection),
    };
    match payload.as_object_mut() {
        Some(object) => {
            object.insert("employeeID".to_owned(), Value::String(employee_id));
        }
        None => {
            return error_response(codes::ITEM_INVALID.reject("the body must be a JSON object"))
        }
    }
    apply_single(&shared, &payload, update_one)
}

pub(crate) async fn get_user(
    State(shared): State<Shared>,
    Path(employee_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !authorised(&shared, &headers) {
        return permission_denied();
    }
    let world = shared.world();
    match world.users.get(&employee_id) {
        Some(user) => success("Success", user_detail(user, &shared.directory)),
        None => error_response(user_not_found(&employee_id)),
    }
}

/// One page of the users the query's filters match, by employee ID, in
/// the same shape as `GET /ruangkerja/users/:employeeID`.
pub(crate) async fn list_users(
    State(shared): State<Shared>,
    headers: HeaderMap,
    query: QueryPairs,
) -> Response {
    if !authorised(&shared, &headers) {
        return permission_denied();
    }
    let query = match read_query(query, ListQuery::read) {
        Ok(query) => query,
        Err(rejection) => return error_response(rejection),
    };
    let world = shared.world();
    let matching = world
        .users
        .all()
        .filter(|user| query.matches(user))
        .map(|user| user_detail(user, &shared.directory))
        .collect();
    success("Success", query.paging.page_of(matching))
}

/// The pairs of a query string, or why they cannot be read.
type QueryPairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// Reads a list query from its pairs by its endpoint's rules.
type QueryReader<Q> = fn(&[(String, String)]) -> Result<Q, Rejection>;

/// A list query's pairs read by `read`, or the request-level 400.
fn read_query<Q>(query: QueryPairs, read: QueryReader<Q>) -> Result<Q, Rejection> {
    query
        .map_err(|rejection| {
            codes::BAD_REQUEST.reject(format!("the query string cannot be read: {rejection}"))
        })
        .and_then(|Query(pairs)| read(&pairs))
}

/// One page of the tags whose name contains `name` (ignoring case), in
/// the seed order.
pub(crate) async fn list_tags(
    State(shared): State<Shared>,
    headers: HeaderMap,
    query: QueryPairs,
) -> Response {
    if !authorised(&shared, &headers) {
        return permission_denied();
    }
    let query = match read_query(query, TagQuery::read) {
        Ok(query) => query,
        Err(rejection) => return error_response(rejection),
    };
    let matching = shared
        .directory
        .tags()
        .iter()
        .filter(|tag| query.matches(tag))
        .collect();
    success("Success", query.paging.page_of(matching))
}

pub(crate) async fn get_tag(
    State(shared): State<Shared>,
    Path(tag_serial): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !authorised(&shared, &headers) {
        return permission_denied();
    }
    match shared.directory.tag(&tag_serial) {
        Some(tag) => success("Success", tag),
        None => error_response(
            codes::TAG_NOT_FOUND.reject(format!("{}: {tag_serial}", codes::TAG_NOT_FOUND_DETAIL)),
        ),
    }
}

/// The whole tree at once: `data` is the list of top-level nodes.
pub(crate) async fn company_structure(
    State(shared): State<Shared>,
    headers: HeaderMap,
) -> Response {
    if !authorised(&shared, &headers) {
        return permission_denied();
    }
    success("success", shared.directory.company_structure())
}

/// The documented detail of a user, with the names of its tags and its
/// organization. A serial the directory does not know (only a seeded user
/// can have one) gets a name made from it: `Tag <serial>`,
/// `Organization <serial>`.
fn user_detail(user: &StoredUser, directory: &Directory) -> UserDetail {
    let item = &user.item;
    UserDetail {
        employee_id: item.employee_id.clone(),
        name: item.name.clone(),
        username: item.username.clone(),
        email: item.email.clone(),
        phone: item.phone.clone(),
        is_active: item.is_active,
        company_name: Some(COMPANY_NAME.to_owned()),
        company_serial: Some(COMPANY_SERIAL.to_owned()),
        organization_display_name: item.organization_serial.as_ref().map(|serial| {
            directory
                .organization_name(serial)
                .map_or_else(|| format!("Organization {serial}"), str::to_owned)
        }),
        organization_level_serial: item.organization_serial.clone(),
        tags: item
            .tag_serials
            .iter()
            .flatten()
            .map(|serial| TagRef {
                serial: serial.clone(),
                name: directory
                    .tag(serial)
                    .map_or_else(|| format!("Tag {serial}"), |tag| tag.name.clone()),
            })
            .collect(),
    }
}

pub(crate) async fn issue_token(State(shared): State<Shared>, body: String) -> Response {
    let config = &shared.config;
    let matches = serde_json::from_str::<TokenRequest>(&body).is_ok_and(|request| {
        request.client_id == config.client_id
            && request.client_secret == config.client_secret
            && request.grant_type == "client_credentials"
    });
    if !matches {
        let body = json!({
            "errorCode": docs_codes::BAD_REQUEST,
            "message": "BAD_REQUEST",
            "detail": "Credentials does not match in our records",
        });
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    }
    let lifetime = Duration::from_secs(config.token_lifetime_seconds);
    let access_token = shared.world().tokens.issue(lifetime);
    success(
        "success",
        TokenGrant {
            access_token,
            expires_in: config.token_lifetime_seconds.to_string(),
            token_type: "bearer".to_owned(),
        },
    )
}
