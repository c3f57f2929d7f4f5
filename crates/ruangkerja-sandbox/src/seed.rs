//! Seed users: a JSON array of create items, `{"items": [...]}`, or an
//! `.xlsx` read by the app's own core (valid rows only).

use std::path::Path;

use employee_import::{Import, ImportOptions, Mode};
use serde_json::Value;

/// The create items of a JSON seed.
pub fn items_from_json(value: &Value) -> Result<Vec<Value>, String> {
    let items = match value {
        Value::Array(items) => items,
        Value::Object(object) => match object.get("items") {
            Some(Value::Array(items)) => items,
            _ => return Err("seed users must be [item, ...] or {\"items\": [...]}".to_owned()),
        },
        _ => return Err("seed users must be [item, ...] or {\"items\": [...]}".to_owned()),
    };
    Ok(items.clone())
}

/// The create items of the valid rows of a spreadsheet; invalid rows are
/// left out, as the app would leave them out.
pub fn items_from_xlsx(bytes: &[u8]) -> Result<Vec<Value>, String> {
    let options = ImportOptions {
        mode: Some(Mode::Create),
        ..ImportOptions::default()
    };
    let import = Import::open(bytes, &options).map_err(|error| error.to_string())?;
    import
        .report
        .valid_rows()
        .filter_map(|row| row.row.to_create_item())
        .map(|item| serde_json::to_value(item).map_err(|error| error.to_string()))
        .collect()
}

/// Reads seed users from a file: `.xlsx` by its extension, JSON otherwise.
pub fn load(path: &Path) -> Result<Vec<Value>, String> {
    let bytes =
        std::fs::read(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let is_xlsx = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("xlsx"));
    if is_xlsx {
        items_from_xlsx(&bytes)
    } else {
        let value = serde_json::from_slice(&bytes)
            .map_err(|error| format!("{} is not JSON: {error}", path.display()))?;
        items_from_json(&value)
    }
    .map_err(|error| format!("{}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;
    use serde_json::json;

    #[test]
    fn a_json_seed_may_be_a_list_or_an_items_object() {
        let item = json!({"employeeID": "E1"});
        assert_eq!(
            items_from_json(&json!([item.clone()])).unwrap(),
            vec![item.clone()]
        );
        assert_eq!(
            items_from_json(&json!({"items": [item.clone()]})).unwrap(),
            vec![item]
        );
        assert!(items_from_json(&json!({"users": []})).is_err());
    }

    #[test]
    fn an_xlsx_seed_gives_the_valid_rows_as_create_items() {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        let rows = [
            ["employeeID", "name", "email", "isActive"],
            ["E1", "Ani", "ani@example.com", "true"],
            ["E 2", "Bad", "bad@example.com", "true"],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
        let bytes = workbook.save_to_buffer().unwrap();
        let items = items_from_xlsx(&bytes).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["employeeID"], "E1");
        assert_eq!(items[0]["isActive"], true);
    }
}
