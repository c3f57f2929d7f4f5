//! The only HTTP code of the app: a typed client for the Ruangkerja API and
//! the start-up read of `config.json`.
//!
//! Every HTTP status is turned into an [`ApiError`] here and nowhere else,
//! and every `ApiError` into the core's [`Failure`] for the dispatcher.

use employee_import::config::{parse_config, AppConfig};
use employee_import::contract::{
    codes, ApiErrorBody, BulkRequest, BulkResult, Envelope, Page, TokenGrant, TokenRequest,
    UpdateEmailItem, UserDetail, MAX_PAGE_SIZE,
};
use employee_import::names::{OrgNode, Structure, Tag};
use employee_import::{Batch, BatchItems, CheckJob, Failure, Lang};
use futures::future::{select, Either};
use gloo_net::http::{Request, RequestBuilder, Response};
use gloo_timers::future::TimeoutFuture;
use serde::Serialize;

/// Why a call did not give an answer the app can use.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error(
        "Could not reach the API at {url}. Check the API base URL and your connection; if you use the sandbox, make sure it is running. ({cause})"
    )]
    Unreachable { url: String, cause: String },
    #[error("The API at {url} did not answer within {seconds} seconds.")]
    Timeout { url: String, seconds: u32 },
    #[error(
        "The access token was refused ({}: {}). Paste a valid access token and try again.",
        .0.error_code, .0.detail
    )]
    TokenRefused(ApiErrorBody),
    #[error("The API refused the request (HTTP {status}, {}: {} {}).", body.error_code, body.message, body.detail)]
    Refused { status: u16, body: ApiErrorBody },
    #[error("The API answered HTTP {status} {status_text}. Try again later; nothing was confirmed for these rows.")]
    Http {
        status: u16,
        status_text: String,
        retry_after_ms: Option<u64>,
    },
    #[error("The API's answer could not be read ({0}). Nothing was confirmed for these rows.")]
    Malformed(String),
}

impl ApiError {
    /// The message in the user's language; English is the `Display` text.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            ApiError::Unreachable { url, cause } => format!(
                "API di {url} tidak dapat dihubungi. Periksa URL dasar API dan koneksi Anda; jika memakai sandbox, pastikan sandbox berjalan. ({cause})"
            ),
            ApiError::Timeout { url, seconds } => {
                format!("API di {url} tidak menjawab dalam {seconds} detik.")
            }
            ApiError::TokenRefused(body) => format!(
                "Token akses ditolak ({}: {}). Tempel token akses yang valid lalu coba lagi.",
                body.error_code, body.detail
            ),
            ApiError::Refused { status, body } => format!(
                "API menolak permintaan (HTTP {status}, {}: {} {}).",
                body.error_code, body.message, body.detail
            ),
            ApiError::Http { status, status_text, .. } => format!(
                "API menjawab HTTP {status} {status_text}. Coba lagi nanti; belum ada yang terkonfirmasi untuk baris ini."
            ),
            ApiError::Malformed(cause) => format!(
                "Jawaban API tidak dapat dibaca ({cause}). Belum ada yang terkonfirmasi untuk baris ini."
            ),
        }
    }

    /// What the dispatcher needs to know to decide on a retry.
    pub fn to_failure(&self) -> Failure {
        match self {
            ApiError::Unreachable { cause, .. } => Failure::Network(cause.clone()),
            ApiError::Timeout { .. } => Failure::Timeout,
            ApiError::TokenRefused(_) => Failure::Unauthorized,
            ApiError::Refused { status, .. } if *status >= 500 => {
                Failure::Server { status: *status }
            }
            ApiError::Refused { status, body } => Failure::Refused {
                status: *status,
                error: body.clone(),
            },
            ApiError::Http {
                status: 429,
                retry_after_ms,
                ..
            } => Failure::RateLimited {
                retry_after_ms: *retry_after_ms,
            },
            ApiError::Http { status, .. } if *status >= 500 => Failure::Server { status: *status },
            ApiError::Http {
                status,
                status_text,
                ..
            } => Failure::Refused {
                status: *status,
                error: ApiErrorBody {
                    error_code: i64::from(*status),
                    message: status_text.clone(),
                    detail: String::new(),
                },
            },
            ApiError::Malformed(cause) => Failure::Malformed(cause.clone()),
        }
    }
}

/// Where to call and with which token. Cheap to clone; built per call from
/// the settings the user sees, so a changed token takes effect at once.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiClient {
    pub base_url: String,
    pub token: String,
    /// How long a request may go unanswered before it counts as lost
    /// (`requestTimeoutSeconds` in config.json; 30 s by default).
    pub timeout_seconds: u32,
}

impl ApiClient {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url.trim().trim_end_matches('/'))
    }

    fn authorised(&self, request: RequestBuilder) -> RequestBuilder {
        // The docs send the raw token, with no `Bearer ` prefix.
        request
            .header("Authorization", self.token.trim())
            .header("Accept", "application/json")
    }

    /// Sends one batch to the bulk endpoint of its items:
    /// `POST /ruangkerja/users/create-bulk`, `.../update-bulk` or
    /// `.../update-email-bulk`.
    pub async fn send_batch(&self, batch: &Batch) -> Result<BulkResult, ApiError> {
        match &batch.items {
            BatchItems::Create(items) => {
                self.post_bulk("/ruangkerja/users/create-bulk", items).await
            }
            BatchItems::Update(items) => {
                self.post_bulk("/ruangkerja/users/update-bulk", items).await
            }
            BatchItems::Email(items) => self.update_emails(items).await,
        }
    }

    /// `POST /ruangkerja/users/update-email-bulk`. The docs' curl spells the
    /// path `update-bulk-email`; on a 404 without an error body (an unknown
    /// route, nothing applied) that spelling is tried.
    async fn update_emails(&self, items: &[UpdateEmailItem]) -> Result<BulkResult, ApiError> {
        match self
            .post_bulk("/ruangkerja/users/update-email-bulk", items)
            .await
        {
            Err(ApiError::Http { status: 404, .. }) => {
                self.post_bulk("/ruangkerja/users/update-bulk-email", items)
                    .await
            }
            other => other,
        }
    }

    /// One page of `GET /ruangkerja/users?page=&pageSize=`, with the exact
    /// `employeeID` filter when `employee_id` is given.
    pub async fn list_users(
        &self,
        page: u64,
        page_size: u32,
        employee_id: Option<&str>,
    ) -> Result<Page<UserDetail>, ApiError> {
        let mut path = format!("/ruangkerja/users?page={page}&pageSize={page_size}");
        if let Some(id) = employee_id {
            path.push_str("&employeeID=");
            path.push_str(&String::from(js_sys::encode_uri_component(id)));
        }
        let request = self
            .authorised(Request::get(&self.url(&path)))
            .build()
            .map_err(|error| ApiError::Malformed(error.to_string()))?;
        let response = self.send(request).await?;
        let envelope: Envelope<Page<serde_json::Value>> = read_answer(response).await?;
        let page = envelope.data;
        let items = page
            .items
            .into_iter()
            .map(read_user)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page {
            current_page: page.current_page,
            total_items: page.total_items,
            total_page: page.total_page,
            items,
        })
    }

    /// One page of the company's tags: `GET /ruangkerja/tags`.
    pub async fn list_tags(&self, page: u64) -> Result<Page<Tag>, ApiError> {
        let path = format!("/ruangkerja/tags?page={page}&pageSize={MAX_PAGE_SIZE}");
        let request = self
            .authorised(Request::get(&self.url(&path)))
            .build()
            .map_err(|error| ApiError::Malformed(error.to_string()))?;
        let envelope: Envelope<Page<Tag>> = read_answer(self.send(request).await?).await?;
        Ok(envelope.data)
    }

    /// The company's organizations: `GET /ruangkerja/company-structure`.
    pub async fn company_structure(&self) -> Result<Vec<OrgNode>, ApiError> {
        let request = self
            .authorised(Request::get(&self.url("/ruangkerja/company-structure")))
            .build()
            .map_err(|error| ApiError::Malformed(error.to_string()))?;
        let envelope: Envelope<Structure> = read_answer(self.send(request).await?).await?;
        Ok(envelope.data.into_roots())
    }

    /// Performs one request of the pre-flight check.
    pub async fn check(&self, job: &CheckJob) -> Result<Page<UserDetail>, ApiError> {
        self.list_users(job.page, job.page_size, job.employee_id.as_deref())
            .await
    }

    /// The user with this employee ID, or `None` when there is none,
    /// through the exact `employeeID` filter of the list endpoint: an empty
    /// page is a documented "no such user", unlike the undocumented
    /// not-found answer of `GET /ruangkerja/users/:employeeID`. The answer
    /// is read, not trusted: only an item with exactly this ID counts, and
    /// an answer of another shape is an error ("could not check").
    pub async fn lookup_user(&self, employee_id: &str) -> Result<Option<UserDetail>, ApiError> {
        let page = self.list_users(1, MAX_PAGE_SIZE, Some(employee_id)).await?;
        let total_page = page.total_page;
        match page
            .items
            .into_iter()
            .find(|user| user.employee_id == employee_id)
        {
            Some(user) => Ok(Some(user)),
            None if total_page <= 1 => Ok(None),
            None => Err(ApiError::Malformed(format!(
                "the employeeID filter for {employee_id} matched more users than one page holds"
            ))),
        }
    }

    async fn post_bulk<T: Serialize>(
        &self,
        path: &str,
        items: &[T],
    ) -> Result<BulkResult, ApiError> {
        let request = self
            .authorised(Request::post(&self.url(path)))
            .json(&BulkRequest {
                items: items.iter().collect::<Vec<_>>(),
            })
            .map_err(|error| ApiError::Malformed(error.to_string()))?;
        let response = self.send(request).await?;
        let envelope: Envelope<BulkResult> = read_answer(response).await?;
        Ok(envelope.data)
    }

    /// Exchanges client credentials for an access token:
    /// `POST /oauth/token` (the docs' curl says GET; their text says POST).
    pub async fn exchange_token(
        &self,
        client_id: &str,
        client_secret: &str,
    ) -> Result<TokenGrant, ApiError> {
        let request = Request::post(&self.url("/oauth/token"))
            .header("Accept", "application/json")
            .json(&TokenRequest {
                client_id: client_id.trim().to_owned(),
                client_secret: client_secret.to_owned(),
                grant_type: "client_credentials".to_owned(),
            })
            .map_err(|error| ApiError::Malformed(error.to_string()))?;
        let response = self.send(request).await?;
        let envelope: Envelope<TokenGrant> = read_answer(response).await?;
        Ok(envelope.data)
    }

    /// Sends with a time limit; an unanswered request is aborted.
    async fn send(&self, request: gloo_net::http::Request) -> Result<Response, ApiError> {
        let unreachable = |cause: String| ApiError::Unreachable {
            url: self.base_url.clone(),
            cause,
        };
        let answer = Box::pin(request.send());
        let timeout = Box::pin(TimeoutFuture::new(
            self.timeout_seconds.saturating_mul(1000),
        ));
        match select(answer, timeout).await {
            Either::Left((response, _)) => response.map_err(|error| unreachable(error.to_string())),
            // Dropping the request future aborts the fetch.
            Either::Right(_) => Err(ApiError::Timeout {
                url: self.base_url.clone(),
                seconds: self.timeout_seconds,
            }),
        }
    }
}

/// A user of a list answer, read strictly: every field an update may carry
/// must be there (even as `null`). An answer that leaves one out cannot
/// tell "empty" from "not said", and an update built from it could erase
/// the stored value; it counts as unreadable ("could not check").
fn read_user(item: serde_json::Value) -> Result<UserDetail, ApiError> {
    const KEYS: [&str; 7] = [
        "employeeID",
        "name",
        "username",
        "email",
        "phone",
        "isActive",
        "tags",
    ];
    if let Some(missing) = KEYS.iter().find(|key| item.get(**key).is_none()) {
        return Err(ApiError::Malformed(format!(
            "a user in the list answer has no \"{missing}\" field"
        )));
    }
    serde_json::from_value(item).map_err(|error| ApiError::Malformed(error.to_string()))
}

async fn read_answer<T: serde::de::DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    let retry_after_ms = response
        .headers()
        .get("Retry-After")
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map(|seconds| seconds * 1000);
    let text = response
        .text()
        .await
        .map_err(|error| ApiError::Malformed(error.to_string()))?;
    if response.ok() {
        return serde_json::from_str(&text).map_err(|error| ApiError::Malformed(error.to_string()));
    }
    match serde_json::from_str::<ApiErrorBody>(&text) {
        Ok(body)
            if status == 401 || status == 403 || body.error_code == codes::PERMISSION_DENIED =>
        {
            Err(ApiError::TokenRefused(body))
        }
        // A refused token whatever the body says (a proxy's page, nothing).
        Err(_) if status == 401 || status == 403 => Err(ApiError::TokenRefused(ApiErrorBody {
            error_code: i64::from(status),
            message: response.status_text(),
            detail: response.status_text(),
        })),
        Ok(body) if status != 429 => Err(ApiError::Refused { status, body }),
        _ => Err(ApiError::Http {
            status,
            status_text: response.status_text(),
            retry_after_ms,
        }),
    }
}

/// Reads `config.json` from beside `index.html`. A missing file means the
/// defaults (production API, no token); a malformed one is an error to show.
pub async fn load_config() -> Result<AppConfig, String> {
    // Relative, so the app also works when hosted under a sub-path.
    let response = match Request::get("config.json").send().await {
        Ok(response) => response,
        Err(_) => return Ok(AppConfig::default()),
    };
    if response.status() == 404 {
        return Ok(AppConfig::default());
    }
    if !response.ok() {
        return Err(format!(
            "config.json could not be loaded (HTTP {}).",
            response.status()
        ));
    }
    let text = response.text().await.map_err(|error| error.to_string())?;
    parse_config(&text)
}
