//! Test-only endpoints under `/__sandbox/`, never part of the real API and
//! never faulted or authorised: a test or a developer drives the sandbox
//! through them between steps.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{bulk_result, create_echo, success};
use crate::faults::FaultConfig;
use crate::seed::items_from_json;
use crate::{Shared, World};

pub(crate) async fn app_config(State(shared): State<Shared>) -> Json<Value> {
    Json(json!({
        "apiBaseUrl": shared.config.public_url,
        "accessToken": shared.config.token,
    }))
}

/// Every user (sorted by employee ID), how many times each employee ID was
/// created through the API and had its password reset, and how many
/// requests each API route received. Passwords set by an email update are
/// never in it: they are not kept.
pub(crate) async fn state_dump(State(shared): State<Shared>) -> Json<Value> {
    let world = shared.world();
    let users: Vec<_> = world.users.all().collect();
    Json(json!({
        "users": users,
        "creations": world.users.creations(),
        "passwordResets": world.users.password_resets(),
        "requests": world.requests,
    }))
}

pub(crate) async fn get_faults(State(shared): State<Shared>) -> Json<FaultConfig> {
    Json(shared.world().faults.config.clone())
}

/// The faults and limits in force from now on, replacing the previous ones.
/// Absent fields take their defaults; `"seed"` restarts the fault
/// generator from that seed. Token use counts start anew.
#[derive(Debug)]
pub(crate) struct FaultsUpdate {
    seed: Option<u64>,
    config: FaultConfig,
}

pub(crate) async fn put_faults(State(shared): State<Shared>, body: String) -> Response {
    let update = match parse_faults(&body) {
        Ok(update) => update,
        Err(detail) => return bad_request(detail),
    };
    let mut world = shared.world();
    world.faults.reconfigure(update.config.clone(), update.seed);
    world.tokens.forget_uses();
    Json(update.config).into_response()
}

fn parse_faults(body: &str) -> Result<FaultsUpdate, String> {
    // `deny_unknown_fields` does not work through `flatten`, so unknown
    // fields are caught by reading the body twice.
    let raw: Value = serde_json::from_str(body).map_err(|error| error.to_string())?;
    let mut config_only = raw.clone();
    if let Some(object) = config_only.as_object_mut() {
        object.remove("seed");
    }
    let config: FaultConfig =
        serde_json::from_value(config_only).map_err(|error| error.to_string())?;
    config.check()?;
    let seed = match raw.get("seed") {
        None | Some(Value::Null) => None,
        Some(value) => Some(value.as_u64().ok_or("seed must be a whole number")?),
    };
    Ok(FaultsUpdate { seed, config })
}

fn bad_request(detail: String) -> Response {
    let body = json!({"errorCode": 400, "message": "BAD_REQUEST", "detail": detail});
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// Back to the state at start: seed users only, start faults, fresh
/// generators, no issued tokens, clock unmoved. Tags and the company
/// structure never changed.
pub(crate) async fn reset(State(shared): State<Shared>) -> StatusCode {
    *shared.world() = World::new(&shared.config, shared.directory.clone());
    StatusCode::NO_CONTENT
}

/// Adds users, as `[item, ...]` or `{"items": [...]}`, without counting
/// them as creations. Answers like create-bulk.
pub(crate) async fn seed_users(State(shared): State<Shared>, body: String) -> Response {
    let items = match serde_json::from_str(&body)
        .map_err(|error| error.to_string())
        .and_then(|value| items_from_json(&value))
    {
        Ok(items) => items,
        Err(detail) => return bad_request(detail),
    };
    let mut world = shared.world();
    success(
        "success",
        bulk_result(items, |payload| world.users.seed(payload), create_echo),
    )
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ClockAdvance {
    advance_seconds: u64,
}

/// Moves the sandbox clock forward, so issued tokens expire without a test
/// sleeping.
pub(crate) async fn advance_clock(
    State(shared): State<Shared>,
    Json(advance): Json<ClockAdvance>,
) -> Json<Value> {
    let mut world = shared.world();
    world
        .tokens
        .advance_clock(Duration::from_secs(advance.advance_seconds));
    Json(json!({"nowSeconds": world.tokens.now().as_secs()}))
}
