//! The only browser-storage code, in localStorage: the language, column
//! mappings, and the unfinished job (choices, edits, row states). Never the
//! token, never a password, never the file.

use employee_import::{ColumnMapping, Lang, SavedJob};

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

/// The mapping the user chose for a file with these headers, if any.
pub fn load_mapping(headers_key: &str) -> Option<ColumnMapping> {
    serde_json::from_str(&get(&format!("{MAPPING_PREFIX}{headers_key}"))?).ok()
}

pub fn save_mapping(mapping: &ColumnMapping) {
    if let Ok(json) = serde_json::to_string(mapping) {
        set(&format!("{MAPPING_PREFIX}{}", mapping.headers_key()), &json);
    }
}

const JOB_KEY: &str = "ruangkerja-import.job";

/// The unfinished import saved in this browser, if any.
pub fn load_job() -> Option<SavedJob> {
    serde_json::from_str(&get(JOB_KEY)?).ok()
}

/// Saves the job after a batch; it holds no token and no password.
/// Returns false when the browser refused it (storage full or disabled).
pub fn save_job(job: &SavedJob) -> bool {
    let Ok(json) = serde_json::to_string(job) else {
        return false;
    };
    local_storage().is_some_and(|storage| storage.set_item(JOB_KEY, &json).is_ok())
}

pub fn clear_job() {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(JOB_KEY);
    }
}
