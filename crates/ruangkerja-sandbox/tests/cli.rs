//! The binary as the e2e harness and a developer start it: flags, the
//! printed URL and token, seed files.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{raw_get, raw_post, Wire};
use serde_json::json;

struct Running {
    child: Child,
    /// Kept open so the sandbox's later output has a reader.
    _stdout: std::io::Lines<BufReader<std::process::ChildStdout>>,
    url: String,
    token: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ruangkerja-sandbox"))
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut url = None;
    let mut token = None;
    while url.is_none() || token.is_none() {
        let line = lines
            .next()
            .expect("the sandbox printed its URL and token")
            .unwrap();
        if let Some((_, rest)) = line.split_once("listening on ") {
            url = Some(rest.trim().to_owned());
        }
        if let Some(rest) = line.strip_prefix("Access token: ") {
            token = Some(rest.trim().to_owned());
        }
    }
    Running {
        child,
        _stdout: lines,
        url: url.unwrap(),
        token: token.unwrap(),
    }
}

fn address(running: &Running) -> std::net::SocketAddr {
    running
        .url
        .strip_prefix("http://")
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn the_binary_prints_a_loopback_url_and_the_default_token() {
    let running = start(&[]);
    assert!(
        running.url.starts_with("http://127.0.0.1:"),
        "{}",
        running.url
    );
    assert_eq!(running.token, "sandbox-token");
}

#[tokio::test]
async fn fault_flags_apply_from_start() {
    let running = start(&[
        "--token",
        "secret",
        "--error-rate",
        "1",
        "--error-statuses",
        "503",
    ]);
    assert_eq!(running.token, "secret");
    let wire = raw_post(
        address(&running),
        "/ruangkerja/users/create-bulk",
        json!({"items": []}),
        Duration::from_secs(5),
    )
    .await;
    let Wire::Answered(text) = wire else {
        panic!("{wire:?}")
    };
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
}

#[tokio::test]
async fn seed_users_from_a_json_file_exist_from_start() {
    let dir = std::env::temp_dir().join(format!("sandbox-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users.json");
    let users = json!({"items": [{"employeeID": "S1", "name": "Seeded", "phone": "62811", "isActive": true}]});
    std::fs::write(&file, users.to_string()).unwrap();
    let running = start(&["--token", "secret", "--seed-users", file.to_str().unwrap()]);
    let wire = raw_post(
        address(&running),
        "/ruangkerja/users/create-bulk",
        json!({"items": [{"employeeID": "S1", "name": "Again", "phone": "62812", "isActive": true}]}),
        Duration::from_secs(5),
    )
    .await;
    let Wire::Answered(text) = wire else {
        panic!("{wire:?}")
    };
    assert!(text.contains("USER_EMPLOYEE_ID_EXISTS"), "{text}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The body of a raw answer.
fn body_of(wire: Wire) -> String {
    let Wire::Answered(text) = wire else {
        panic!("{wire:?}")
    };
    text
}

#[tokio::test]
async fn seed_users_are_listed_and_the_path_and_nulls_flags_apply_from_start() {
    let dir = std::env::temp_dir().join(format!("sandbox-flags-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users.json");
    let users = json!([{"employeeID": "S1", "name": "Seeded", "phone": "62811", "isActive": true}]);
    std::fs::write(&file, users.to_string()).unwrap();
    let running = start(&[
        "--token",
        "secret",
        "--seed-users",
        file.to_str().unwrap(),
        "--email-bulk-path",
        "update-bulk-email",
        "--update-nulls",
        "clear",
    ]);
    let wait = Duration::from_secs(5);
    let at = address(&running);
    let list = body_of(raw_get(at, "/ruangkerja/users?page=1&pageSize=10", wait).await);
    assert!(list.starts_with("HTTP/1.1 200"), "{list}");
    assert!(list.contains("\"employeeID\":\"S1\""), "{list}");
    let refused = body_of(
        raw_post(
            at,
            "/ruangkerja/users/update-email-bulk",
            json!({"items": []}),
            wait,
        )
        .await,
    );
    assert!(refused.starts_with("HTTP/1.1 404"), "{refused}");
    let served = body_of(
        raw_post(
            at,
            "/ruangkerja/users/update-bulk-email",
            json!({"items": []}),
            wait,
        )
        .await,
    );
    assert!(served.starts_with("HTTP/1.1 200"), "{served}");
    // Clear: an update without a phone would leave S1 without email or phone.
    let update = json!({"items": [{"employeeID": "S1", "name": "Seeded", "isActive": true}]});
    let cleared = body_of(raw_post(at, "/ruangkerja/users/update-bulk", update, wait).await);
    assert!(cleared.contains("EMAIL_OR_PHONE_REQUIRED"), "{cleared}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The JSON body of a raw 200 answer.
fn json_of(wire: Wire) -> serde_json::Value {
    let text = body_of(wire);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    let (_, body) = text.split_once("\r\n\r\n").unwrap();
    serde_json::from_str(body).unwrap_or_else(|error| panic!("{error}: {body}"))
}

fn count_nodes(tree: &serde_json::Value) -> usize {
    tree.as_array()
        .unwrap()
        .iter()
        .map(|node| 1 + count_nodes(&node["childOrganizations"]))
        .sum()
}

#[tokio::test]
async fn the_tags_and_organizations_flags_set_the_totals() {
    let running = start(&[
        "--token",
        "secret",
        "--tags",
        "1000",
        "--organizations",
        "500",
    ]);
    let wait = Duration::from_secs(5);
    let at = address(&running);
    let tags = json_of(raw_get(at, "/ruangkerja/tags?page=1&pageSize=1", wait).await);
    assert_eq!(tags["data"]["totalItems"], 1000);
    assert_eq!(tags["data"]["items"][0]["serial"], "RUKRTAG-9WHL0JGP");
    let tree = json_of(raw_get(at, "/ruangkerja/company-structure", wait).await);
    assert_eq!(count_nodes(&tree["data"]), 500);
    let defaults = start(&["--token", "secret"]);
    let tree = json_of(raw_get(address(&defaults), "/ruangkerja/company-structure", wait).await);
    assert_eq!(count_nodes(&tree["data"]), 300);
}

#[test]
fn totals_below_the_fixed_part_are_refused_at_start() {
    for (flag, value) in [("--tags", "3"), ("--organizations", "10")] {
        let output = Command::new(env!("CARGO_BIN_EXE_ruangkerja-sandbox"))
            .args(["--port", "0", flag, value])
            .output()
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("{flag} must be at least")),
            "{stderr}"
        );
    }
}
