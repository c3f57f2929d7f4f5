//! A local stand-in for the Ruangkerja user API, with fault injection.
//!
//! It serves the documented paths with the documented envelopes and error
//! shapes from in-memory state, so the app can be developed, demonstrated
//! and tested end to end without credentials for the real API. It binds to
//! loopback only. The README next to this crate's `Cargo.toml` lists the
//! endpoints, flags, error codes and faults.
//!
//! Modules, in reading order:
//! - [`state`]: the users store and the per-item rules, with their codes.
//! - [`directory`]: the seeded tags and company structure items refer to.
//! - [`auth`]: static and issued tokens, expiry, the sandbox clock.
//! - [`faults`]: fault configuration and the seeded decision per request.
//! - `list`: the list endpoints' query rules and pages.
//! - `api`: the handlers of the documented endpoints and the fault layer.
//! - `control`: test-only endpoints under `/__sandbox/`, never part of the
//!   real API: app config, state dump, faults, reset, seeding, clock.
//! - [`seed`]: reading seed users from JSON or an `.xlsx`.
//!
//! All mutable state lives in one [`World`] behind one lock: requests are
//! applied one at a time, as a test expects. The tags and the company
//! structure never change after start, so they live outside it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::header;
use axum::routing::{get, post};
use axum::{middleware, Router};
use serde_json::Value;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

mod api;
pub mod auth;
mod control;
pub mod directory;
pub mod faults;
mod list;
pub mod rng;
pub mod seed;
pub mod state;

pub use directory::Directory;
pub use faults::{EmailBulkPath, FaultConfig, UpdateNulls};

/// How a sandbox is set up at start; `POST /__sandbox/reset` returns to it.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The token that always works (unless a fault says otherwise); printed
    /// at start.
    pub token: String,
    /// Seed for serials, issued tokens and faults, so runs are reproducible.
    pub seed: u64,
    /// The URL the sandbox is reachable at, told to the app.
    pub public_url: String,
    /// Client credentials `POST /oauth/token` accepts.
    pub client_id: String,
    pub client_secret: String,
    /// Lifetime of issued tokens in seconds, answered as `expiresIn`.
    pub token_lifetime_seconds: u64,
    /// Faults and limits in force from start.
    pub faults: FaultConfig,
    /// Users present from start (create items), not counted as creations.
    pub seed_users: Vec<Value>,
    /// How many tags are seeded, the fixed ones included (at least 4).
    pub tags: usize,
    /// How many organizations the company structure has in all, the fixed
    /// ones included (at least 11).
    pub organizations: usize,
}

impl SandboxConfig {
    /// A sandbox without faults or users, with the default credentials.
    pub fn new(token: impl Into<String>, seed: u64, public_url: impl Into<String>) -> Self {
        SandboxConfig {
            token: token.into(),
            seed,
            public_url: public_url.into(),
            client_id: "sandbox-client".to_owned(),
            client_secret: "sandbox-secret".to_owned(),
            token_lifetime_seconds: 43199,
            faults: FaultConfig::default(),
            seed_users: Vec::new(),
            tags: directory::DEFAULT_TAGS,
            organizations: directory::DEFAULT_ORGANIZATIONS,
        }
    }
}

/// Everything a request may change.
#[derive(Debug)]
pub struct World {
    pub users: state::Users,
    pub faults: faults::Faults,
    pub tokens: auth::Tokens,
    /// Requests that reached a `/ruangkerja/...` route, faulted or not, by
    /// method and route pattern (`"GET /ruangkerja/users/:employeeID"`):
    /// what a benchmark reports as requests made. Only a reset clears it.
    pub requests: BTreeMap<String, u64>,
}

impl World {
    fn new(config: &SandboxConfig, directory: Arc<Directory>) -> World {
        let mut users = state::Users::new(config.seed, directory);
        for item in &config.seed_users {
            if let Err(rejection) = users.seed(item) {
                eprintln!(
                    "seed user {} skipped: {} {}",
                    item.get("employeeID").unwrap_or(&Value::Null),
                    rejection.body.message,
                    rejection.body.detail
                );
            }
        }
        World {
            users,
            faults: faults::Faults::new(config.faults.clone(), config.seed),
            tokens: auth::Tokens::new(config.token.clone(), config.seed),
            requests: BTreeMap::new(),
        }
    }
}

#[derive(Clone)]
struct Shared {
    config: Arc<SandboxConfig>,
    /// Seeded once; a reset keeps it (it would seed the same again).
    directory: Arc<Directory>,
    world: Arc<Mutex<World>>,
}

impl Shared {
    fn world(&self) -> MutexGuard<'_, World> {
        // A poisoned lock only means another request panicked mid-way; the
        // state itself is still consistent enough for a test double.
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The sandbox's routes, ready to serve.
pub fn router(config: SandboxConfig) -> Router {
    let directory = Arc::new(Directory::generate(
        config.seed,
        config.tags,
        config.organizations,
    ));
    let shared = Shared {
        world: Arc::new(Mutex::new(World::new(&config, directory.clone()))),
        directory,
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
    let user_api = Router::new()
        .route("/ruangkerja/users/create-bulk", post(api::create_bulk))
        .route("/ruangkerja/users/update-bulk", post(api::update_bulk))
        .route(EmailBulkPath::EMAIL_FIRST, post(api::update_email_bulk))
        .route(EmailBulkPath::BULK_FIRST, post(api::update_email_bulk))
        .route(
            "/ruangkerja/users",
            get(api::list_users).post(api::create_user),
        )
        .route(
            "/ruangkerja/users/{employee_id}",
            get(api::get_user).put(api::update_user),
        )
        .route("/ruangkerja/tags", get(api::list_tags))
        .route("/ruangkerja/tags/{tag_serial}", get(api::get_tag))
        .route("/ruangkerja/company-structure", get(api::company_structure))
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            api::inject_faults,
        ));
    Router::new()
        .merge(user_api)
        // The docs' curl uses GET for the token; their text says POST.
        .route("/oauth/token", post(api::issue_token).get(api::issue_token))
        .route("/__sandbox/app-config.json", get(control::app_config))
        .route("/__sandbox/state", get(control::state_dump))
        .route(
            "/__sandbox/faults",
            get(control::get_faults).put(control::put_faults),
        )
        .route("/__sandbox/reset", post(control::reset))
        .route("/__sandbox/users", post(control::seed_users))
        .route("/__sandbox/clock", post(control::advance_clock))
        .layer(cors)
        .with_state(shared)
}
