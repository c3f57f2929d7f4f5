//! Tags and the company structure: the seeded fixed part, the list and
//! lookup endpoints, the totals `--tags` / `--organizations` ask for, the
//! references create and update items must make (10113, 10114), and the
//! names the user endpoints show.

mod common;

use axum::http::{Method, StatusCode};
use axum::Router;
use common::*;
use ruangkerja_sandbox::{router, FaultConfig, SandboxConfig};
use serde_json::{json, Value};

fn sandbox_sized(seed: u64, tags: usize, organizations: usize) -> Router {
    router(SandboxConfig {
        seed,
        tags,
        organizations,
        ..config()
    })
}

/// The fixed tags, in the seed order.
fn fixed_tags() -> Value {
    json!([
        {"name": "Training User Batch 1", "serial": "RUKRTAG-9WHL0JGP"},
        {"name": "Training User Batch 2", "serial": "RUKRTAG-AAAAAAAA"},
        {"name": "Onboarding 2026", "serial": "RUKRTAG-BBBBBBBB"},
        {"name": "Shift Pagi", "serial": "RUKRTAG-ABCD1234"},
    ])
}

fn leaf(serial: &str, name: &str, active: bool) -> Value {
    json!({"serial": serial, "name": name, "isActive": active, "childOrganizations": []})
}

/// The fixed top-level nodes, first in the tree.
fn fixed_tree() -> Value {
    json!([
        {"serial": "COMPHEADOFFC", "name": "Head Office", "isActive": true, "childOrganizations": [
            leaf("COMPFJLYTHWL", "Finance", true),
            leaf("COMPHUMANRES", "Human Resources", true),
            leaf("COMPITDEPT01", "Information Technology", true),
        ]},
        {"serial": "COMPJKTBRNCH", "name": "Jakarta Branch", "isActive": true, "childOrganizations": [
            leaf("COMPJKTFINAN", "Finance", true),
            leaf("COMPJKTSALES", "Sales", true),
        ]},
        {"serial": "COMPSBYBRNCH", "name": "Surabaya Branch", "isActive": true, "childOrganizations": [
            leaf("COMPSBYFINAN", "Finance", true),
            leaf("COMPSBYWRHSE", "Warehouse", false),
        ]},
        leaf("COMPLEGACY01", "Legacy Projects", false),
    ])
}

/// Every node of a tree, parents first.
fn nodes(tree: &Value) -> Vec<&Value> {
    let mut all = Vec::new();
    for node in tree.as_array().unwrap() {
        all.push(node);
        all.extend(nodes(&node["childOrganizations"]));
    }
    all
}

fn depth(node: &Value) -> usize {
    1 + node["childOrganizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(depth)
        .max()
        .unwrap_or(0)
}

/// `(currentPage, totalItems, totalPage)` of a list answer.
fn totals(answer: &Answer) -> (u64, u64, u64) {
    let data = &answer.json["data"];
    let number = |key: &str| data[key].as_u64().unwrap_or_else(|| panic!("{data}"));
    (
        number("currentPage"),
        number("totalItems"),
        number("totalPage"),
    )
}

fn items(answer: &Answer) -> Vec<Value> {
    answer.json["data"]["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {}", answer.text))
        .clone()
}

/// Every tag, read page by page.
async fn all_tags(app: &Router) -> Vec<Value> {
    let mut tags = Vec::new();
    for page in 1.. {
        let answer = get(app, &format!("/ruangkerja/tags?page={page}&pageSize=100")).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let page_items = items(&answer);
        if page_items.is_empty() {
            break;
        }
        tags.extend(page_items);
    }
    tags
}

async fn company_structure(app: &Router) -> Value {
    let answer = get(app, "/ruangkerja/company-structure").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.json
}

fn is_code(text: &str) -> bool {
    text.len() == 8
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[tokio::test]
async fn the_tags_list_pages_like_the_users_list_with_the_fixed_tags_first() {
    let app = sandbox();
    let first = get(&app, "/ruangkerja/tags?page=1&pageSize=10").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.json["status"], "success");
    assert_eq!(first.json["message"], "Success");
    assert_eq!(totals(&first), (1, 300, 30));
    assert_eq!(items(&first)[..4], fixed_tags().as_array().unwrap()[..]);
    for tag in items(&first) {
        assert_same_shape(&tag, &json!({"name": "", "serial": ""}), "tag");
    }
    let odd = get(&app, "/ruangkerja/tags?page=43&pageSize=7").await;
    assert_eq!(totals(&odd), (43, 300, 43));
    assert_eq!(items(&odd).len(), 6);
    let past = get(&app, "/ruangkerja/tags?page=44&pageSize=7").await;
    assert_eq!(past.status, StatusCode::OK);
    assert!(items(&past).is_empty());

    let tags = all_tags(&app).await;
    assert_eq!(tags.len(), 300);
    let mut names: Vec<String> = tags
        .iter()
        .map(|tag| tag["name"].as_str().unwrap().to_lowercase())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 300, "tag names are unique ignoring case");
    for tag in &tags {
        let serial = tag["serial"].as_str().unwrap();
        assert!(
            is_code(serial.strip_prefix("RUKRTAG-").unwrap()),
            "{serial}"
        );
    }
    // A stable order: the same pages again.
    assert_eq!(all_tags(&app).await, tags);
}

#[tokio::test]
async fn the_tags_list_needs_page_and_page_size_and_ignores_other_parameters() {
    let app = sandbox();
    let cases = [
        ("/ruangkerja/tags", "page is required"),
        ("/ruangkerja/tags?page=1", "pageSize is required"),
        ("/ruangkerja/tags?page=0&pageSize=10", "page must be"),
        (
            "/ruangkerja/tags?page=1&pageSize=101",
            "pageSize must be at most 100, not 101",
        ),
        (
            "/ruangkerja/tags?page=1&pageSize=10&name=a&name=b",
            "name is given more than once",
        ),
    ];
    for (path, detail) in cases {
        let answer = get(&app, path).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(answer.json["errorCode"], 400);
        assert_eq!(answer.json["message"], "BAD_REQUEST");
        let text = answer.json["detail"].as_str().unwrap();
        assert!(text.contains(detail), "{path}: {text}");
    }
    let ignored = get(&app, "/ruangkerja/tags?page=1&pageSize=10&isActive=maybe").await;
    assert_eq!(ignored.status, StatusCode::OK);
    assert_eq!(totals(&ignored).1, 300);
}

#[tokio::test]
async fn the_tags_name_filter_is_contains_ignoring_case() {
    let app = sandbox();
    let training = get(
        &app,
        "/ruangkerja/tags?page=1&pageSize=10&name=TRAINING%20user",
    )
    .await;
    assert_eq!(totals(&training), (1, 2, 1));
    assert_eq!(items(&training), fixed_tags().as_array().unwrap()[..2]);

    let every = all_tags(&app).await;
    for needle in ["shift pagi", "PROJECT", "batch", "2026"] {
        let expected: Vec<Value> = every
            .iter()
            .filter(|tag| {
                tag["name"]
                    .as_str()
                    .unwrap()
                    .to_lowercase()
                    .contains(&needle.to_lowercase())
            })
            .cloned()
            .collect();
        let path = format!(
            "/ruangkerja/tags?page=1&pageSize=100&name={}",
            needle.replace(' ', "%20")
        );
        let answer = get(&app, &path).await;
        assert_eq!(totals(&answer).1, expected.len() as u64, "{needle}");
        assert_eq!(items(&answer), expected, "{needle}");
    }
    let shift = get(&app, "/ruangkerja/tags?page=1&pageSize=1&name=Shift%20Pagi").await;
    assert_eq!(
        items(&shift),
        [json!({"name": "Shift Pagi", "serial": "RUKRTAG-ABCD1234"})]
    );
    let none = get(&app, "/ruangkerja/tags?page=1&pageSize=10&name=tidak%20ada").await;
    assert_eq!(totals(&none), (1, 0, 0));
    let empty = get(&app, "/ruangkerja/tags?page=1&pageSize=10&name=").await;
    assert_eq!(totals(&empty).1, 300, "an empty filter is none");
}

#[tokio::test]
async fn a_tag_is_found_by_its_serial_and_an_unknown_one_is_a_flat_404() {
    let app = sandbox();
    for tag in fixed_tags().as_array().unwrap() {
        let path = format!("/ruangkerja/tags/{}", tag["serial"].as_str().unwrap());
        let answer = get(&app, &path).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(
            answer.json,
            json!({"status": "success", "message": "Success", "data": tag})
        );
    }
    let generated = all_tags(&app).await[250].clone();
    let path = format!("/ruangkerja/tags/{}", generated["serial"].as_str().unwrap());
    assert_eq!(get(&app, &path).await.json["data"], generated);

    for serial in ["RUKRTAG-ZZZZZZZZ", "rukrtag-9whl0jgp", "COMPFJLYTHWL"] {
        let answer = get(&app, &format!("/ruangkerja/tags/{serial}")).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{serial}");
        assert_eq!(
            answer.json,
            json!({"errorCode": 10115, "message": "TAG_NOT_FOUND",
                   "detail": format!("tag not found: {serial}")})
        );
    }
}

#[tokio::test]
async fn the_company_structure_starts_with_the_fixed_tree() {
    let app = sandbox();
    let answer = company_structure(&app).await;
    assert_eq!(answer["status"], "success");
    assert_eq!(answer["message"], "success");
    let tree = answer["data"].as_array().unwrap();
    assert_eq!(tree[..4], fixed_tree().as_array().unwrap()[..]);
    let all = nodes(&answer["data"]);
    assert_eq!(all.len(), 300);
    for node in &all {
        let object = node.as_object().unwrap();
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["childOrganizations", "isActive", "name", "serial"],
            "{node}"
        );
        assert!(node["isActive"].is_boolean() && node["name"].is_string());
        let serial = node["serial"].as_str().unwrap();
        assert!(is_code(serial.strip_prefix("COMP").unwrap()), "{serial}");
    }
    let mut serials: Vec<&str> = all
        .iter()
        .map(|node| node["serial"].as_str().unwrap())
        .collect();
    serials.sort_unstable();
    serials.dedup();
    assert_eq!(serials.len(), 300, "serials are unique");
    // Only the fixed tree has these names: three Finance nodes at three
    // places, one Warehouse (inactive), one Legacy Projects (inactive).
    let named = |name: &str| -> Vec<&str> {
        all.iter()
            .filter(|node| node["name"] == name)
            .map(|node| node["serial"].as_str().unwrap())
            .collect()
    };
    assert_eq!(
        named("Finance"),
        ["COMPFJLYTHWL", "COMPJKTFINAN", "COMPSBYFINAN"]
    );
    assert_eq!(named("Warehouse"), ["COMPSBYWRHSE"]);
    assert_eq!(named("Legacy Projects"), ["COMPLEGACY01"]);
    assert_eq!(named("Sales"), ["COMPJKTSALES"]);
    // The filler is a realistic tree: some inactive nodes, repeated
    // department names, depth at most 4.
    let inactive = all.iter().filter(|node| node["isActive"] == false).count();
    assert!((5..40).contains(&inactive), "{inactive}");
    assert!(named("Operations").len() > 1 || named("Logistik").len() > 1);
    assert!(tree.iter().all(|node| depth(node) <= 4));
}

#[tokio::test]
async fn the_totals_are_what_the_config_asks_for() {
    let app = sandbox_sized(7, 1000, 500);
    let tags = get(&app, "/ruangkerja/tags?page=1&pageSize=100").await;
    assert_eq!(totals(&tags), (1, 1000, 10));
    assert_eq!(items(&tags)[..4], fixed_tags().as_array().unwrap()[..]);
    let structure = company_structure(&app).await;
    assert_eq!(nodes(&structure["data"]).len(), 500);
    assert_eq!(
        structure["data"].as_array().unwrap()[..4],
        fixed_tree().as_array().unwrap()[..]
    );
    let smallest = sandbox_sized(7, 4, 11);
    assert_eq!(
        items(&get(&smallest, "/ruangkerja/tags?page=1&pageSize=100").await),
        *fixed_tags().as_array().unwrap()
    );
    assert_eq!(company_structure(&smallest).await["data"], fixed_tree());
}

#[tokio::test]
async fn the_same_seed_seeds_the_same_tags_and_tree_and_a_reset_keeps_them() {
    let a = sandbox_sized(3, 300, 300);
    let b = sandbox_sized(3, 300, 300);
    let c = sandbox_sized(4, 300, 300);
    assert_eq!(all_tags(&a).await, all_tags(&b).await);
    assert_eq!(company_structure(&a).await, company_structure(&b).await);
    assert_ne!(all_tags(&a).await, all_tags(&c).await);
    assert_ne!(company_structure(&a).await, company_structure(&c).await);
    let before = company_structure(&a).await;
    call(&a, Method::POST, "/__sandbox/reset", None, None).await;
    assert_eq!(company_structure(&a).await, before);
}

/// A create item referring to these tags and organization.
fn referring(id: &str, tags: Value, organization: Value) -> Value {
    let mut item = item(id);
    item["tagSerials"] = tags;
    item["organizationSerial"] = organization;
    item
}

fn errors(answer: &Answer) -> Vec<Value> {
    answer.json["data"]["failedItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|failed| failed["error"].clone())
        .collect()
}

fn tag_not_found(serial: &str) -> Value {
    json!({"errorCode": 10113, "message": "TAG_NOT_FOUND",
           "detail": format!("tag not found: {serial}")})
}

fn organization_not_found(serial: &str) -> Value {
    json!({"errorCode": 10114, "message": "ORGANIZATION_NOT_FOUND",
           "detail": format!("organization not found: {serial}")})
}

#[tokio::test]
async fn create_bulk_refuses_unknown_tags_and_organizations_and_accepts_known_ones() {
    let app = sandbox();
    let mut no_active = referring("E6", json!(["RUKRTAG-ZZZZZZZZ"]), json!(null));
    no_active.as_object_mut().unwrap().remove("isActive");
    let answer = create_bulk(
        &app,
        vec![
            referring("E1", json!(["RUKRTAG-9WHL0JGP"]), json!("COMPFJLYTHWL")),
            referring("E2", json!([]), json!("COMPSBYWRHSE")),
            referring("E3", json!(["RUKRTAG-ABCD1234"]), json!("COMPLEGACY01")),
            referring(
                "E4",
                json!(["RUKRTAG-9WHL0JGP", "RUKRTAG-ZZZZZZZZ", "RUKRTAG-YYYYYYYY"]),
                json!("COMPFJLYTHWL"),
            ),
            referring("E5", json!(null), json!("COMPZZZZZZZZ")),
            // Type rules come first, tags before the organization, and
            // both before the employee ID is found taken.
            no_active,
            referring("E7", json!(["RUKRTAG-ZZZZZZZZ"]), json!("COMPZZZZZZZZ")),
            referring("E1", json!(null), json!("COMPSANDBOX1")),
            referring("E8", json!(["rukrtag-9whl0jgp"]), json!(null)),
        ],
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        errors(&answer),
        [
            tag_not_found("RUKRTAG-ZZZZZZZZ"),
            organization_not_found("COMPZZZZZZZZ"),
            json!({"errorCode": 10108, "message": "IS_ACTIVE_REQUIRED",
                   "detail": "isActive is required"}),
            tag_not_found("RUKRTAG-ZZZZZZZZ"),
            organization_not_found("COMPSANDBOX1"),
            tag_not_found("rukrtag-9whl0jgp"),
        ]
    );
    assert_eq!(
        state(&app).await["creations"],
        json!({"E1": 1, "E2": 1, "E3": 1})
    );
}

#[tokio::test]
async fn single_calls_and_updates_refuse_unknown_tags_with_400() {
    let app = sandbox();
    let created = post(
        &app,
        "/ruangkerja/users",
        referring("E1", json!(["RUKRTAG-AAAAAAAA"]), json!("COMPJKTSALES")),
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);

    let unknown_tag = post(
        &app,
        "/ruangkerja/users",
        referring("E2", json!(["RUKRTAG-ZZZZZZZZ"]), json!("COMPJKTSALES")),
    )
    .await;
    assert_eq!(unknown_tag.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown_tag.json, tag_not_found("RUKRTAG-ZZZZZZZZ"));
    let unknown_organization = post(
        &app,
        "/ruangkerja/users",
        referring("E2", json!(null), json!("COMPZZZZZZZZ")),
    )
    .await;
    assert_eq!(unknown_organization.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        unknown_organization.json,
        organization_not_found("COMPZZZZZZZZ")
    );

    let update = |id: &str, tags: Value| json!({"employeeID": id, "name": "Ani", "isActive": true, "tagSerials": tags});
    let put = |id: &'static str, body: Value| {
        let app = app.clone();
        async move {
            call(
                &app,
                Method::PUT,
                &format!("/ruangkerja/users/{id}"),
                Some(TOKEN),
                Some(body),
            )
            .await
        }
    };
    let refused = put("E1", update("E1", json!(["RUKRTAG-ZZZZZZZZ"]))).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.json, tag_not_found("RUKRTAG-ZZZZZZZZ"));
    // Before the user is looked up.
    let unknown_user = put("E404", update("E404", json!(["RUKRTAG-ZZZZZZZZ"]))).await;
    assert_eq!(unknown_user.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown_user.json, tag_not_found("RUKRTAG-ZZZZZZZZ"));
    let accepted = put("E1", update("E1", json!(["RUKRTAG-BBBBBBBB"]))).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);

    let bulk = post(
        &app,
        "/ruangkerja/users/update-bulk",
        json!({"items": [update("E1", json!(["RUKRTAG-YYYYYYYY"])),
                         update("E404", json!(["RUKRTAG-YYYYYYYY"]))]}),
    )
    .await;
    assert_eq!(
        errors(&bulk),
        [
            tag_not_found("RUKRTAG-YYYYYYYY"),
            tag_not_found("RUKRTAG-YYYYYYYY")
        ]
    );
    let stored = &state(&app).await["users"][0];
    assert_eq!(stored["tagSerials"], json!(["RUKRTAG-BBBBBBBB"]));
    assert_eq!(stored["organizationSerial"], "COMPJKTSALES");
}

#[tokio::test]
async fn users_show_the_real_tag_and_organization_names() {
    let app = sandbox();
    create_bulk(
        &app,
        vec![referring(
            "E1",
            json!(["RUKRTAG-9WHL0JGP", "RUKRTAG-ABCD1234"]),
            json!("COMPSBYFINAN"),
        )],
    )
    .await;
    // Seeding through the control API judges no references: the names
    // fall back to ones made from the serials.
    seed_users(
        &app,
        vec![referring(
            "E2",
            json!(["RUKRTAG-SEEDONLY", "RUKRTAG-AAAAAAAA"]),
            json!("COMPSEEDONLY"),
        )],
    )
    .await;
    let known = get(&app, "/ruangkerja/users/E1").await;
    assert_eq!(known.status, StatusCode::OK);
    let data = &known.json["data"];
    assert_eq!(
        data["tags"],
        json!([{"serial": "RUKRTAG-9WHL0JGP", "name": "Training User Batch 1"},
               {"serial": "RUKRTAG-ABCD1234", "name": "Shift Pagi"}])
    );
    assert_eq!(data["organizationDisplayName"], "Finance");
    assert_eq!(data["organizationLevelSerial"], "COMPSBYFINAN");
    assert_eq!(data["companySerial"], "COMPSANDBOX1");

    let seeded = get(&app, "/ruangkerja/users/E2").await.json["data"].clone();
    assert_eq!(
        seeded["tags"],
        json!([{"serial": "RUKRTAG-SEEDONLY", "name": "Tag RUKRTAG-SEEDONLY"},
               {"serial": "RUKRTAG-AAAAAAAA", "name": "Training User Batch 2"}])
    );
    assert_eq!(
        seeded["organizationDisplayName"],
        "Organization COMPSEEDONLY"
    );

    let list = get(&app, "/ruangkerja/users?page=1&pageSize=10").await;
    assert_eq!(list.json["data"]["items"], json!([data, seeded]));
}

#[tokio::test]
async fn the_new_endpoints_need_a_token_are_faulted_and_are_counted() {
    let app = sandbox();
    let paths = [
        "/ruangkerja/tags?page=1&pageSize=10",
        "/ruangkerja/tags/RUKRTAG-9WHL0JGP",
        "/ruangkerja/company-structure",
    ];
    for path in paths {
        for token in [None, Some("wrong")] {
            let answer = call(&app, Method::GET, path, token, None).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{path}");
            assert_eq!(answer.json["errorCode"], 123, "{path}");
        }
    }
    get(&app, "/ruangkerja/tags/RUKRTAG-ZZZZZZZZ").await;
    assert_eq!(
        state(&app).await["requests"],
        json!({"GET /ruangkerja/tags": 2,
               "GET /ruangkerja/tags/:tagSerial": 3,
               "GET /ruangkerja/company-structure": 2})
    );
    let limited = sandbox_with(
        FaultConfig {
            rate_limit_rate: 1.0,
            ..FaultConfig::default()
        },
        1,
    );
    for path in paths {
        let answer = get(&limited, path).await;
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{path}");
    }
}
