//! Each fault happens as configured and, for a seed, deterministically.
//! Faults about the connection itself are observed with a raw loopback
//! client; the others in process.

mod common;

use std::time::Duration;

use axum::http::{header, Method, StatusCode};
use common::*;
use ruangkerja_sandbox::FaultConfig;
use serde_json::{json, Value};

fn statuses_of(answers: &[Answer]) -> Vec<u16> {
    answers.iter().map(|a| a.status.as_u16()).collect()
}

async fn send_many(app: &axum::Router, n: usize) -> Vec<Answer> {
    let mut answers = Vec::new();
    for i in 0..n {
        answers.push(create_bulk(app, vec![item(&format!("E{i}"))]).await);
    }
    answers
}

#[tokio::test(start_paused = true)]
async fn latency_delays_every_answer_by_the_fixed_time_plus_seeded_jitter() {
    let faults = FaultConfig {
        latency_ms: 200,
        jitter_ms: 50,
        ..FaultConfig::default()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let app = sandbox_with(faults.clone(), 3);
        let mut delays = Vec::new();
        for i in 0..10 {
            let start = tokio::time::Instant::now();
            let answer = create_bulk(&app, vec![item(&format!("E{i}"))]).await;
            assert_eq!(answer.status, StatusCode::OK);
            delays.push(start.elapsed().as_millis());
        }
        runs.push(delays);
    }
    assert!(
        runs[0].iter().all(|d| (200..=250).contains(d)),
        "{:?}",
        runs[0]
    );
    assert!(runs[0].iter().any(|d| *d != runs[0][0]), "jitter varies");
    assert_eq!(runs[0], runs[1], "the same seed gives the same delays");
}

#[tokio::test]
async fn server_errors_answer_5xx_without_applying_anything() {
    let faults = FaultConfig {
        error_rate: 1.0,
        ..FaultConfig::default()
    };
    let app = sandbox_with(faults, 1);
    let answers = send_many(&app, 30).await;
    let statuses = statuses_of(&answers);
    for status in [500, 502, 503] {
        assert!(statuses.contains(&status), "{statuses:?}");
    }
    assert!(statuses.iter().all(|s| [500, 502, 503].contains(s)));
    for answer in &answers {
        match answer.status.as_u16() {
            500 => assert_eq!(answer.json["message"], "INTERNAL_SERVER_ERROR"),
            _ => assert!(answer.text.starts_with("<html>"), "{}", answer.text),
        }
    }
    assert_eq!(state(&app).await["users"], json!([]));
}

#[tokio::test]
async fn error_statuses_limit_which_server_errors_are_chosen() {
    let faults = FaultConfig {
        error_rate: 1.0,
        error_statuses: vec![503],
        ..FaultConfig::default()
    };
    let app = sandbox_with(faults, 1);
    assert!(statuses_of(&send_many(&app, 10).await)
        .iter()
        .all(|s| *s == 503));
}

#[tokio::test]
async fn a_share_of_errors_is_deterministic_for_a_seed() {
    let faults = FaultConfig {
        error_rate: 0.3,
        rate_limit_rate: 0.2,
        ..FaultConfig::default()
    };
    let run = |seed| {
        let faults = faults.clone();
        async move { statuses_of(&send_many(&sandbox_with(faults, seed), 40).await) }
    };
    let first = run(11).await;
    assert_eq!(first, run(11).await);
    assert_ne!(first, run(12).await);
    let errors = first.iter().filter(|s| **s >= 500).count();
    let limited = first.iter().filter(|s| **s == 429).count();
    assert!((4..=20).contains(&errors), "{first:?}");
    assert!((2..=16).contains(&limited), "{first:?}");
    assert!(first.contains(&200));
}

#[tokio::test]
async fn rate_limiting_answers_429_with_retry_after_and_applies_nothing() {
    let faults = FaultConfig {
        rate_limit_rate: 1.0,
        retry_after_seconds: 7,
        ..FaultConfig::default()
    };
    let app = sandbox_with(faults, 1);
    let answer = create_bulk(&app, vec![item("E1")]).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.headers[header::RETRY_AFTER], "7");
    assert_eq!(answer.json["errorCode"], 429);
    assert_eq!(state(&app).await["users"], json!([]));
}

#[tokio::test]
async fn a_hanging_request_never_answers_and_applies_nothing() {
    let faults = FaultConfig {
        hang_rate: 1.0,
        ..FaultConfig::default()
    };
    let app = sandbox_with(faults, 1);
    let address = serve(app.clone()).await;
    let wire = raw_post(
        address,
        "/ruangkerja/users/create-bulk",
        json!({"items": [item("E1")]}),
        Duration::from_millis(300),
    )
    .await;
    assert_eq!(wire, Wire::Silent);
    assert_eq!(state(&app).await["users"], json!([]));
}

#[tokio::test]
async fn a_dropped_request_is_applied_but_the_connection_closes_without_an_answer() {
    let faults = FaultConfig {
        drop_after_apply_rate: 1.0,
        ..FaultConfig::default()
    };
    let app = sandbox_with(faults, 1);
    let address = serve(app.clone()).await;
    let wire = raw_post(
        address,
        "/ruangkerja/users/create-bulk",
        json!({"items": [item("E1")]}),
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(wire, Wire::ClosedWithoutAnswer);
    let dump = state(&app).await;
    assert_eq!(dump["users"][0]["employeeID"], "E1");
    assert_eq!(dump["creations"], json!({"E1": 1}));
}

#[tokio::test]
async fn without_faults_the_raw_client_sees_a_whole_answer() {
    let address = serve(sandbox()).await;
    let wire = raw_post(
        address,
        "/ruangkerja/users/create-bulk",
        json!({"items": [item("E1")]}),
        Duration::from_secs(5),
    )
    .await;
    let Wire::Answered(text) = wire else {
        panic!("{wire:?}")
    };
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("successItems"), "{text}");
}

#[tokio::test]
async fn malformed_json_is_a_200_with_a_cut_body_after_applying() {
    let faults = FaultConfig {
        malformed_json_rate: 1.0,
        ..FaultConfig::default()
    };
    let app = sandbox_with(faults, 1);
    let answer = create_bulk(&app, vec![item("E1")]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(!answer.text.is_empty());
    assert!(
        serde_json::from_str::<Value>(&answer.text).is_err(),
        "{}",
        answer.text
    );
    assert!(
        answer.text.starts_with("{\"status\":\"success\""),
        "{}",
        answer.text
    );
    assert_eq!(state(&app).await["creations"], json!({"E1": 1}));
}

#[tokio::test]
async fn an_omitting_answer_leaves_applied_items_out_of_both_lists() {
    let faults = FaultConfig {
        omit_items_rate: 1.0,
        ..FaultConfig::default()
    };
    let items: Vec<Value> = (1..=6).map(|i| item(&format!("E{i}"))).collect();
    let mut seen_runs = Vec::new();
    for _ in 0..2 {
        let app = sandbox_with(faults.clone(), 5);
        // One already exists, so the answer has a failed item too.
        post(&app, "/__sandbox/users", json!([item("E1")])).await;
        let answer = create_bulk(&app, items.clone()).await;
        assert_eq!(answer.status, StatusCode::OK);
        let mut seen: Vec<String> = ["failedItems", "successItems"]
            .iter()
            .flat_map(|list| answer.json["data"][list].as_array().unwrap().clone())
            .map(|entry| entry["payload"]["employeeID"].as_str().unwrap().to_owned())
            .collect();
        seen.sort();
        assert!(seen.len() < 6, "{seen:?}");
        assert_eq!(state(&app).await["users"].as_array().unwrap().len(), 6);
        seen_runs.push(seen);
    }
    assert_eq!(
        seen_runs[0], seen_runs[1],
        "the same seed omits the same items"
    );
}

#[tokio::test]
async fn tokens_expire_after_the_configured_number_of_requests() {
    let faults = FaultConfig {
        token_expires_after_requests: Some(2),
        ..FaultConfig::default()
    };
    let app = sandbox_with(faults, 1);
    let answers = send_many(&app, 3).await;
    assert_eq!(statuses_of(&answers), vec![200, 200, 401]);
    assert_eq!(answers[2].json["errorCode"], 123);
    assert_eq!(
        answers[2].json["detail"],
        "rpc error: code = PermissionDenied desc = Token is not valid"
    );
    assert_eq!(state(&app).await["users"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn more_items_than_the_maximum_is_a_request_level_error() {
    let app = sandbox_with(
        FaultConfig {
            max_items: 3,
            ..FaultConfig::default()
        },
        1,
    );
    let items: Vec<Value> = (1..=4).map(|i| item(&format!("E{i}"))).collect();
    let answer = create_bulk(&app, items.clone()).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json["errorCode"], 10111);
    assert_eq!(answer.json["message"], "TOO_MANY_ITEMS");
    let detail = answer.json["detail"].as_str().unwrap();
    assert!(detail.contains('3') && detail.contains('4'), "{detail}");
    assert_eq!(state(&app).await["users"], json!([]));
    assert_eq!(
        create_bulk(&app, items[..3].to_vec()).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_default_maximum_is_500_items() {
    let app = sandbox();
    let items = |n: usize| -> Vec<Value> { (0..n).map(|i| item(&format!("E{i}"))).collect() };
    assert_eq!(
        create_bulk(&app, items(501)).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(create_bulk(&app, items(500)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_control_endpoint_changes_faults_between_steps_and_reset_restores_the_start() {
    let app = sandbox();
    assert_eq!(
        create_bulk(&app, vec![item("E1")]).await.status,
        StatusCode::OK
    );

    let set = put_faults(&app, json!({"errorRate": 1.0, "errorStatuses": [502]})).await;
    assert_eq!(set.status, StatusCode::OK);
    assert_eq!(set.json["errorRate"], 1.0);
    assert_eq!(
        create_bulk(&app, vec![item("E2")]).await.status,
        StatusCode::BAD_GATEWAY
    );
    let current = call(&app, Method::GET, "/__sandbox/faults", None, None).await;
    assert_eq!(current.json["errorStatuses"], json!([502]));

    put_faults(&app, json!({})).await;
    assert_eq!(
        create_bulk(&app, vec![item("E2")]).await.status,
        StatusCode::OK
    );

    let reset = call(&app, Method::POST, "/__sandbox/reset", None, None).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    assert_eq!(
        state(&app).await,
        json!({"users": [], "creations": {}, "passwordResets": {}, "requests": {}})
    );
}

#[tokio::test]
async fn requests_are_counted_by_route_faulted_or_not_and_only_a_reset_clears_them() {
    let app = sandbox();
    create_bulk(&app, vec![item("E1")]).await;
    get(&app, "/ruangkerja/users/E1").await;
    get(&app, "/ruangkerja/users/E404").await;
    get(&app, "/ruangkerja/users?page=1&pageSize=10").await;
    get(&app, "/ruangkerja/users?page=0&pageSize=10").await;
    call(
        &app,
        Method::GET,
        "/ruangkerja/users/E1",
        Some("wrong"),
        None,
    )
    .await;
    post(&app, "/ruangkerja/users", item("E2")).await;
    let update = json!({"employeeID": "E1", "name": "Ani", "isActive": true});
    post(
        &app,
        "/ruangkerja/users/update-bulk",
        json!({"items": [update]}),
    )
    .await;
    call(
        &app,
        Method::PUT,
        "/ruangkerja/users/E2",
        Some(TOKEN),
        Some(update),
    )
    .await;
    let change = json!({"employeeID": "E1", "email": "new@example.com"});
    post(
        &app,
        "/ruangkerja/users/update-email-bulk",
        json!({"items": [change]}),
    )
    .await;
    // The spelling not served answers 404, and still counts as a request made.
    let refused = post(
        &app,
        "/ruangkerja/users/update-bulk-email",
        json!({"items": []}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    // Faulted requests count; a change of faults does not reset the counts.
    put_faults(&app, json!({"errorRate": 1.0})).await;
    let faulted = create_bulk(&app, vec![item("E3")]).await;
    assert!(faulted.status.is_server_error());
    put_faults(&app, json!({"rateLimitRate": 1.0})).await;
    let limited = get(&app, "/ruangkerja/users?page=1&pageSize=10").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    // Neither the token endpoint nor the control endpoints count.
    call(&app, Method::POST, "/oauth/token", None, Some(json!({}))).await;
    let expected = json!({
        "GET /ruangkerja/users": 3,
        "GET /ruangkerja/users/:employeeID": 3,
        "POST /ruangkerja/users": 1,
        "POST /ruangkerja/users/create-bulk": 2,
        "POST /ruangkerja/users/update-bulk": 1,
        "POST /ruangkerja/users/update-bulk-email": 1,
        "POST /ruangkerja/users/update-email-bulk": 1,
        "PUT /ruangkerja/users/:employeeID": 1,
    });
    assert_eq!(state(&app).await["requests"], expected);
    call(&app, Method::POST, "/__sandbox/reset", None, None).await;
    assert_eq!(state(&app).await["requests"], json!({}));
}

#[tokio::test]
async fn a_seed_in_the_control_body_replays_the_same_faults() {
    let app = sandbox();
    let faults = json!({"seed": 42, "errorRate": 0.5});
    put_faults(&app, faults.clone()).await;
    let first = statuses_of(&send_many(&app, 20).await);
    put_faults(&app, faults).await;
    let second = statuses_of(&send_many(&app, 20).await);
    assert_eq!(first, second);
    assert!(
        first.contains(&200) && first.iter().any(|s| *s >= 500),
        "{first:?}"
    );
}

#[tokio::test]
async fn the_control_endpoint_refuses_unknown_fields_and_impossible_rates() {
    let app = sandbox();
    for body in [
        json!({"errorrate": 1.0}),
        json!({"errorRate": 1.5}),
        json!({"errorRate": 0.7, "hangRate": 0.7}),
        json!({"errorStatuses": [404]}),
    ] {
        let answer = put_faults(&app, body.clone()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
    }
}

#[tokio::test]
async fn changing_faults_restarts_the_token_request_count() {
    let app = sandbox();
    put_faults(&app, json!({"tokenExpiresAfterRequests": 1})).await;
    assert_eq!(statuses_of(&send_many(&app, 2).await), vec![200, 401]);
    put_faults(&app, json!({"tokenExpiresAfterRequests": 1})).await;
    assert_eq!(
        create_bulk(&app, vec![item("X1")]).await.status,
        StatusCode::OK
    );
}
