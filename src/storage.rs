//! The only browser-storage code: the language and column mappings, in
//! localStorage. Never the token, never row data.

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

/// The mapping the user chose for a file with these headers, if any.
pub fn load_mapping(headers_key: &str) -> Option<ColumnMapping> {
    serde_json::from_str(&get(&format!("{MAPPING_PREFIX}{headers_key}"))?).ok()
}

pub fn save_mapping(mapping: &ColumnMapping) {
    if let Ok(json) = serde_json::to_string(mapping) {
        set(&format!("{MAPPING_PREFIX}{}", mapping.headers_key()), &json);
    }
}
