//! Browser storage other than the job journal (IndexedDB, see `journal`).
//! localStorage: the language and column mappings (header texts and
//! fields), nothing about any person; never the token, a password or the
//! file. sessionStorage: the token, only when the user ticks "remember in
//! this tab".

use employee_import::{ColumnMapping, Lang};

const LANG_KEY: &str = "ruangkerja-import.lang";
const MAPPING_PREFIX: &str = "ruangkerja-import.mapping.";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Storage can be unavailable (private mode, disabled); the app then simply
/// does not remember.
fn get(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok()?
}

fn set(key: &str, value: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(key, value);
    }
}

pub fn load_lang() -> Option<Lang> {
    match get(LANG_KEY)?.as_str() {
        "id" => Some(Lang::Id),
        "en" => Some(Lang::En),
        _ => None,
    }
}

pub fn save_lang(lang: Lang) {
    set(LANG_KEY, lang.pick("en", "id"));
}

/// Every mapping the user chose, each for the file headers it names (the
/// reader applies the one whose headers match).
pub fn load_mappings() -> Vec<ColumnMapping> {
    let Some(storage) = local_storage() else {
        return Vec::new();
    };
    let count = storage.length().unwrap_or(0);
    (0..count)
        .filter_map(|index| storage.key(index).ok().flatten())
        .filter(|key| key.starts_with(MAPPING_PREFIX))
        .filter_map(|key| serde_json::from_str(&get(&key)?).ok())
        .collect()
}

pub fn save_mapping(mapping: &ColumnMapping) {
    if let Ok(json) = serde_json::to_string(mapping) {
        set(&format!("{MAPPING_PREFIX}{}", mapping.headers_key()), &json);
    }
}

/// Where versions before the IndexedDB journal kept the job, names and
/// all: removed on sight.
const LEGACY_JOB_KEY: &str = "ruangkerja-import.job";

pub fn forget_legacy_job() {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(LEGACY_JOB_KEY);
    }
}

const TOKEN_KEY: &str = "ruangkerja-import.token";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// A token the user asked to keep in this tab: (token, expiry in ms since
/// the epoch if known). sessionStorage only, never localStorage.
pub fn load_tab_token() -> Option<(String, Option<f64>)> {
    let stored = session_storage()?.get_item(TOKEN_KEY).ok()??;
    let (expiry, token) = stored.split_once(' ')?;
    let expiry = expiry.parse::<u64>().ok().map(|ms| ms as f64);
    Some((token.to_owned(), expiry))
}

pub fn save_tab_token(token: &str, expires_at_ms: Option<f64>) {
    if let Some(storage) = session_storage() {
        let expiry = expires_at_ms
            // Whole milliseconds: the page formats no float.
            .map(|ms| (ms.max(0.0) as u64).to_string())
            .unwrap_or_else(|| "-".to_owned());
        let _ = storage.set_item(TOKEN_KEY, &format!("{expiry} {token}"));
    }
}

pub fn clear_tab_token() {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(TOKEN_KEY);
    }
}
