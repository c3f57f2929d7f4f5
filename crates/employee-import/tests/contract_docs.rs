//! The contract types against the API docs' own examples, read from
//! verbatim copies of the doc pages (see `support/docs_examples.rs`): the
//! docs' requests round-trip through the request types, and the docs'
//! answers read into the answer types with the values the docs print.

#[path = "support/docs_examples.rs"]
mod docs_examples;

use std::path::Path;

use docs_examples::{create_users_bulk, examples, update_users_bulk, PAGES};
use employee_import::contract::{
    codes, echoed_employee_id, BulkRequest, BulkResult, CreateUserItem, Envelope, UpdateUserItem,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Where the shared originals of the copies live on a developer machine.
const SHARED_API_DOCS: &str = "/work/shared/api-docs";

/// The email of the docs' examples, as the saved page prints it.
const DOCS_EMAIL: &str = "[email\u{a0}protected]";

#[test]
fn the_copies_are_the_shared_doc_pages_byte_for_byte_and_hold_the_three_examples() {
    let shared = Path::new(SHARED_API_DOCS);
    for (name, copy) in PAGES {
        // Wherever the tests run: each copy still holds three JSON examples.
        let found = examples(copy).unwrap_or_else(|error| panic!("{name}: {error}"));
        for example in [found.request, found.success, found.failed] {
            let json: Value = serde_json::from_str(example).unwrap();
            assert!(json.is_object(), "{name}: {example}");
        }
        if shared.is_dir() {
            let original = std::fs::read(shared.join(name)).unwrap();
            assert!(
                original == copy.as_bytes(),
                "tests/fixtures/api-docs/{name} differs from {SHARED_API_DOCS}/{name}: copy it again"
            );
        } else {
            eprintln!("{SHARED_API_DOCS} is absent: {name} checked for its examples only");
        }
    }
}

/// `json` read into `T` and written back, as JSON values.
fn round_trip<T: DeserializeOwned + Serialize>(json: &str) -> Value {
    let typed: T = serde_json::from_str(json).unwrap();
    serde_json::to_value(typed).unwrap()
}

#[test]
fn the_docs_create_request_round_trips_through_the_create_item() {
    let docs = create_users_bulk();
    assert_eq!(
        round_trip::<BulkRequest<CreateUserItem>>(docs.request),
        docs.request_json()
    );
    let request: BulkRequest<CreateUserItem> = serde_json::from_str(docs.request).unwrap();
    assert_eq!(request.items[0].employee_id, "EMPLY001");
    assert_eq!(request.items[0].email.as_deref(), Some(DOCS_EMAIL));
}

#[test]
fn the_docs_update_request_round_trips_through_the_update_item() {
    let docs = update_users_bulk();
    assert_eq!(
        round_trip::<BulkRequest<UpdateUserItem>>(docs.request),
        docs.request_json()
    );
}

/// The docs' success answer of a bulk page, read into the contract types.
fn assert_docs_success(json: &str) {
    let answer: Envelope<BulkResult> = serde_json::from_str(json).unwrap();
    assert_eq!(answer.status, "success");
    assert_eq!(answer.message, "success");
    assert!(answer.data.failed_items.is_empty());
    let [success] = answer.data.success_items.as_slice() else {
        panic!("the docs show one success item: {json}");
    };
    assert_eq!(success.response.serial, "OPENAPI9Z7ZIHIFW");
    assert_eq!(echoed_employee_id(&success.payload), Some("EMPLY001"));
}

/// The docs' failed answer of a bulk page, read into the contract types.
fn assert_docs_failed(json: &str) {
    let answer: Envelope<BulkResult> = serde_json::from_str(json).unwrap();
    assert_eq!(answer.status, "success");
    assert_eq!(answer.message, "success");
    assert!(answer.data.success_items.is_empty());
    let [failed] = answer.data.failed_items.as_slice() else {
        panic!("the docs show one failed item: {json}");
    };
    assert_eq!(failed.error.error_code, codes::USER_EMPLOYEE_ID_EXISTS);
    assert_eq!(failed.error.message, "USER_EMPLOYEE_ID_EXISTS");
    assert_eq!(failed.error.detail, "employee id already been taken");
    assert_eq!(echoed_employee_id(&failed.payload), Some("EMPLY001"));
}

#[test]
fn the_docs_create_bulk_answers_read_into_the_contract_types() {
    let docs = create_users_bulk();
    assert_docs_success(docs.success);
    assert_docs_failed(docs.failed);
    // The echo is kept as the docs print it, `organizationSerial` left out
    // although the request sent one.
    let answer: Envelope<BulkResult> = serde_json::from_str(docs.success).unwrap();
    let payload = &answer.data.success_items[0].payload;
    assert_eq!(payload["email"], DOCS_EMAIL);
    assert!(payload.get("organizationSerial").is_none());
    assert_eq!(
        docs.request_json()["items"][0]["organizationSerial"],
        "COMPFJLYTHWL"
    );
}

#[test]
fn the_docs_update_bulk_answers_read_into_the_contract_types() {
    let docs = update_users_bulk();
    assert_docs_success(docs.success);
    assert_docs_failed(docs.failed);
}

#[test]
fn the_examples_are_cut_at_the_docs_headings() {
    let docs = create_users_bulk();
    assert!(docs.request.starts_with("{\n    \"items\""));
    assert!(docs.request.ends_with('}'));
    assert!(docs.success.starts_with("{\n    \"data\""));
    assert!(docs.failed.ends_with("\"message\": \"success\"\n}"));
    assert!(examples("Example cURL Request\nno body").is_err());
}
