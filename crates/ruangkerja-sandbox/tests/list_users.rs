//! `GET /ruangkerja/users?page=&pageSize=`: required paging parameters,
//! totals, filters, the token, faults, and seeded users in the list.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use ruangkerja_sandbox::{router, FaultConfig, SandboxConfig};
use serde_json::{json, Value};

fn user(id: &str, name: &str, email: Option<&str>, phone: Option<&str>, active: bool) -> Value {
    json!({"employeeID": id, "name": name, "email": email, "phone": phone, "isActive": active})
}

/// The employee IDs of a list answer's items, in order.
fn ids(answer: &Answer) -> Vec<String> {
    answer.json["data"]["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {}", answer.text))
        .iter()
        .map(|item| item["employeeID"].as_str().unwrap().to_owned())
        .collect()
}

/// `(currentPage, totalItems, totalPage)` of a list answer.
fn totals(answer: &Answer) -> (u64, u64, u64) {
    let data = &answer.json["data"];
    let number = |key: &str| {
        data[key]
            .as_u64()
            .unwrap_or_else(|| panic!("{key}: {data}"))
    };
    (
        number("currentPage"),
        number("totalItems"),
        number("totalPage"),
    )
}

fn assert_bad_request(answer: &Answer, detail_names: &str) {
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
    assert_eq!(answer.json["errorCode"], 400);
    assert_eq!(answer.json["message"], "BAD_REQUEST");
    let detail = answer.json["detail"].as_str().unwrap();
    assert!(detail.contains(detail_names), "{detail}");
    assert_same_shape(
        &answer.json,
        &json!({"errorCode": 400, "message": "", "detail": ""}),
        "answer",
    );
}

#[tokio::test]
async fn page_and_page_size_are_required_and_page_size_is_at_most_100() {
    let app = sandbox();
    let cases = [
        ("/ruangkerja/users", "page is required"),
        ("/ruangkerja/users?pageSize=10", "page is required"),
        ("/ruangkerja/users?page=1", "pageSize is required"),
        ("/ruangkerja/users?page=0&pageSize=10", "page must be"),
        ("/ruangkerja/users?page=one&pageSize=10", "page must be"),
        ("/ruangkerja/users?page=1&pageSize=0", "pageSize must be"),
        ("/ruangkerja/users?page=1&pageSize=ten", "pageSize must be"),
        (
            "/ruangkerja/users?page=1&pageSize=101",
            "pageSize must be at most 100, not 101",
        ),
        (
            "/ruangkerja/users?page=1&pageSize=10&isActive=1",
            "isActive",
        ),
    ];
    for (path, detail) in cases {
        assert_bad_request(&get(&app, path).await, detail);
    }
    let largest = get(&app, "/ruangkerja/users?page=1&pageSize=100").await;
    assert_eq!(largest.status, StatusCode::OK);
}

#[tokio::test]
async fn pages_carry_the_totals_and_a_page_past_the_end_is_empty() {
    let app = sandbox();
    let empty = get(&app, "/ruangkerja/users?page=1&pageSize=10").await;
    assert_eq!(
        empty.json,
        json!({"status": "success", "message": "Success",
               "data": {"currentPage": 1, "totalItems": 0, "totalPage": 0, "items": []}})
    );

    let users = (1..=205)
        .map(|n| item(&format!("E{n:03}")))
        .collect::<Vec<_>>();
    seed_users(&app, users).await;
    let first = get(&app, "/ruangkerja/users?page=1&pageSize=100").await;
    assert_eq!(totals(&first), (1, 205, 3));
    assert_eq!(ids(&first).len(), 100);
    assert_eq!(ids(&first)[0], "E001");
    let last = get(&app, "/ruangkerja/users?page=3&pageSize=100").await;
    assert_eq!(totals(&last), (3, 205, 3));
    assert_eq!(ids(&last), ["E201", "E202", "E203", "E204", "E205"]);
    let past = get(&app, "/ruangkerja/users?page=4&pageSize=100").await;
    assert_eq!(past.status, StatusCode::OK);
    assert_eq!(totals(&past), (4, 205, 3));
    assert!(ids(&past).is_empty());
    let odd = get(&app, "/ruangkerja/users?page=2&pageSize=7").await;
    assert_eq!(totals(&odd), (2, 205, 30));
    assert_eq!(ids(&odd)[0], "E008");
}

#[tokio::test]
async fn items_are_sorted_by_employee_id_in_the_shape_of_get_user() {
    let app = sandbox();
    let mut tagged = user("B2", "Budi", None, Some("62812"), false);
    tagged["tagSerials"] = json!(["RUKRTAG-9WHL0JGP"]);
    tagged["organizationSerial"] = json!("COMPFJLYTHWL");
    tagged["username"] = json!("budi");
    seed_users(
        &app,
        vec![
            user("C3", "Citra", Some("citra@example.com"), None, true),
            tagged,
            user("A1", "Ani", Some("ani@example.com"), Some("62811"), true),
        ],
    )
    .await;
    let page = get(&app, "/ruangkerja/users?page=1&pageSize=10").await;
    assert_eq!(page.json["message"], "Success");
    assert_eq!(ids(&page), ["A1", "B2", "C3"]);
    for (position, id) in ids(&page).iter().enumerate() {
        let detail = get(&app, &format!("/ruangkerja/users/{id}")).await;
        assert_eq!(page.json["data"]["items"][position], detail.json["data"]);
    }
}

#[tokio::test]
async fn employee_id_filters_exactly_and_name_email_phone_by_contained_text_ignoring_case() {
    let app = sandbox();
    seed_users(
        &app,
        vec![
            user(
                "E1",
                "Ani Susanti",
                Some("ani@kantor.co.id"),
                Some("6281100"),
                true,
            ),
            user("e1", "Budi", Some("budi@example.com"), None, true),
            user("E10", "Susan", None, Some("6281122"), false),
            user(
                "E2",
                "Dewi",
                Some("dewi@EXAMPLE.com"),
                Some("6285500"),
                true,
            ),
        ],
    )
    .await;
    let list = |query: &'static str| {
        let app = app.clone();
        async move {
            get(
                &app,
                &format!("/ruangkerja/users?page=1&pageSize=10&{query}"),
            )
            .await
        }
    };
    let exact = list("employeeID=E1").await;
    assert_eq!(ids(&exact), ["E1"]);
    assert_eq!(totals(&exact), (1, 1, 1));
    assert!(
        ids(&list("employeeID=e").await).is_empty(),
        "no prefix match"
    );
    assert_eq!(ids(&list("employeeID=e1").await), ["e1"]);
    assert_eq!(ids(&list("name=SUSAN").await), ["E1", "E10"]);
    assert_eq!(ids(&list("name=san").await), ["E1", "E10"]);
    assert_eq!(ids(&list("email=example.com").await), ["E2", "e1"]);
    assert_eq!(ids(&list("phone=81122").await), ["E10"]);
    assert_eq!(ids(&list("phone=62811").await), ["E1", "E10"]);
    assert_eq!(ids(&list("isActive=false").await), ["E10"]);
    assert_eq!(ids(&list("isActive=true&name=u").await), ["E1", "e1"]);
    assert_eq!(
        ids(&list("name=").await).len(),
        4,
        "an empty filter is none"
    );
    let none = list("name=nobody").await;
    assert_eq!(totals(&none), (1, 0, 0));
}

#[tokio::test]
async fn the_list_needs_a_token_and_is_behind_the_fault_layer() {
    let app = sandbox();
    for token in [None, Some("wrong")] {
        let answer = call(
            &app,
            Method::GET,
            "/ruangkerja/users?page=1&pageSize=10",
            token,
            None,
        )
        .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.json["errorCode"], 123);
    }
    let faulty = sandbox_with(
        FaultConfig {
            rate_limit_rate: 1.0,
            ..FaultConfig::default()
        },
        1,
    );
    let limited = get(&faulty, "/ruangkerja/users?page=1&pageSize=10").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn seeded_users_are_listed_whether_seeded_at_start_or_later() {
    let app = router(SandboxConfig {
        seed_users: vec![user("S1", "Seeded", None, Some("62811"), true)],
        ..config()
    });
    seed_users(
        &app,
        vec![user("S2", "Later", Some("s2@example.com"), None, true)],
    )
    .await;
    create_bulk(&app, vec![item("S3")]).await;
    let page = get(&app, "/ruangkerja/users?page=1&pageSize=10").await;
    assert_eq!(ids(&page), ["S1", "S2", "S3"]);
    call(&app, Method::POST, "/__sandbox/reset", None, None).await;
    let page = get(&app, "/ruangkerja/users?page=1&pageSize=10").await;
    assert_eq!(
        ids(&page),
        ["S1"],
        "a reset keeps the start's seed users only"
    );
}
