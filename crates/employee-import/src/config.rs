//! Deploy-time settings, read by the shell from an optional `config.json`
//! next to `index.html`, so a deployer changes them without rebuilding.
//!
//! This is the one serde type outside `contract`: it is a contract with the
//! deployer, not with the API.

use serde::Deserialize;

/// The production API, used when no `config.json` says otherwise.
pub const PRODUCTION_BASE_URL: &str = "https://api.ruangkerja.id";

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppConfig {
    #[serde(default = "production_base_url")]
    pub api_base_url: String,
    /// A token to preset, meant for the local sandbox only.
    #[serde(default)]
    pub access_token: Option<String>,
    /// How long a request may go unanswered before it counts as lost.
    #[serde(default = "default_timeout")]
    pub request_timeout_seconds: u32,
    /// Rows per request and requests at once, as the send settings start.
    #[serde(default)]
    pub batch_size: Option<usize>,
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// "en" or "id": the language until the user picks one.
    #[serde(default)]
    pub language: Option<String>,
    /// Where the deployer explains how an admin gets an access token (an
    /// intranet page, a help article): linked beside the token field.
    #[serde(default)]
    pub token_help_url: Option<String>,
}

impl AppConfig {
    pub fn lang(&self) -> Option<crate::Lang> {
        match self.language.as_deref()? {
            "en" => Some(crate::Lang::En),
            "id" => Some(crate::Lang::Id),
            _ => None,
        }
    }
}

/// The local sandbox's default address, offered beside production.
pub const SANDBOX_BASE_URL: &str = "http://127.0.0.1:8787";

fn default_timeout() -> u32 {
    30
}

fn production_base_url() -> String {
    PRODUCTION_BASE_URL.to_owned()
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            api_base_url: production_base_url(),
            access_token: None,
            request_timeout_seconds: default_timeout(),
            batch_size: None,
            concurrency: None,
            language: None,
            token_help_url: None,
        }
    }
}

/// Parses `config.json`, naming the problem when it is malformed.
pub fn parse_config(text: &str) -> Result<AppConfig, String> {
    serde_json::from_str(text).map_err(|error| format!("config.json is not valid: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sandbox_config_presets_url_and_token() {
        let config =
            parse_config(r#"{"apiBaseUrl": "http://127.0.0.1:8787", "accessToken": "t"}"#).unwrap();
        assert_eq!(config.api_base_url, "http://127.0.0.1:8787");
        assert_eq!(config.access_token.as_deref(), Some("t"));
    }

    #[test]
    fn send_settings_and_language_can_be_set_by_the_deployer() {
        let config = parse_config(
            r#"{"batchSize": 50, "concurrency": 2, "language": "id", "requestTimeoutSeconds": 10}"#,
        )
        .unwrap();
        assert_eq!((config.batch_size, config.concurrency), (Some(50), Some(2)));
        assert_eq!(config.lang(), Some(crate::Lang::Id));
        assert_eq!(config.request_timeout_seconds, 10);
    }

    #[test]
    fn missing_settings_fall_back_to_production_and_typos_are_named() {
        assert_eq!(parse_config("{}").unwrap(), AppConfig::default());
        let error = parse_config(r#"{"apiBaseURL": "x"}"#).unwrap_err();
        assert!(error.contains("apiBaseURL"), "{error}");
    }
}
