//! Pre-flight: finding out what Ruangkerja holds before anything is written,
//! and judging every row against it. Host tests through the public API only.

use std::collections::BTreeMap;

use employee_import::contract::{
    ApiErrorBody, Page, TagRef, UpdateEmailItem, UpdateUserItem, UserDetail,
};
use employee_import::preflight::{assess, changes, email_change, proves_created, update_item};
use employee_import::{
    Assessment, Batch, BatchItems, CellIssue, Change, CheckJob, Failure, Field, Found, Hold,
    Import, ImportOptions, IssueKind, Mode, Operation, Preflight, RowState, SendSettings,
};

// ---------------------------------------------------------------- helpers

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|id| (*id).to_owned()).collect()
}

/// `A01` .. `A{n}`: the IDs of a file.
fn file_ids(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("A{i:02}")).collect()
}

fn user(id: &str) -> UserDetail {
    UserDetail {
        employee_id: id.to_owned(),
        name: format!("User {id}"),
        username: None,
        email: None,
        phone: None,
        is_active: true,
        company_name: None,
        company_serial: None,
        organization_display_name: None,
        organization_level_serial: None,
        tags: Vec::new(),
    }
}

/// Users of the company that are not in the file: `X0001`, `X0002`, ...
fn others(range: std::ops::RangeInclusive<usize>) -> Vec<UserDetail> {
    range.map(|i| user(&format!("X{i:04}"))).collect()
}

fn page(
    current_page: u64,
    total_items: u64,
    total_page: u64,
    items: Vec<UserDetail>,
) -> Page<UserDetail> {
    Page {
        current_page,
        total_items,
        total_page,
        items,
    }
}

fn empty_page() -> Page<UserDetail> {
    page(1, 0, 0, Vec::new())
}

fn settings(concurrency: usize, max_attempts: u32) -> SendSettings {
    SendSettings {
        concurrency,
        max_attempts,
        base_delay_ms: 1_000,
        max_delay_ms: 8_000,
        ..SendSettings::default()
    }
}

fn settled(preflight: &mut Preflight) -> BTreeMap<String, Found> {
    preflight.take_settled().into_iter().collect()
}

fn filtered(job: &CheckJob) -> &str {
    job.employee_id
        .as_deref()
        .expect("a request filtered by employeeID")
}

fn stored(id: &str, name: &str) -> UserDetail {
    UserDetail {
        employee_id: id.to_owned(),
        name: name.to_owned(),
        username: Some(format!("{}user", id.to_lowercase())),
        email: Some(format!("{}@example.com", id.to_lowercase())),
        phone: Some("628111".to_owned()),
        is_active: true,
        company_name: Some("PT Maju".to_owned()),
        company_serial: Some("COMPABCDEFGH".to_owned()),
        organization_display_name: None,
        organization_level_serial: None,
        tags: vec![
            TagRef {
                serial: "RUKRTAG-AAAAAAAA".to_owned(),
                name: "Tim A".to_owned(),
            },
            TagRef {
                serial: "RUKRTAG-BBBBBBBB".to_owned(),
                name: "Tim B".to_owned(),
            },
        ],
    }
}

fn exists(user: UserDetail) -> Found {
    Found::Exists(Box::new(user))
}

fn open(csv: &str) -> Import {
    Import::from_bytes(csv.as_bytes()).expect("the CSV opens")
}

fn open_update(csv: &str) -> Import {
    let options = ImportOptions {
        mode: Some(Mode::Update),
        ..ImportOptions::default()
    };
    Import::open(csv.as_bytes(), &options).expect("the CSV opens")
}

fn update_items(batch: &Batch) -> &[UpdateUserItem] {
    match &batch.items {
        BatchItems::Update(items) => items,
        other => panic!("expected an update batch, got {other:?}"),
    }
}

fn email_items(batch: &Batch) -> &[UpdateEmailItem] {
    match &batch.items {
        BatchItems::Email(items) => items,
        other => panic!("expected an e-mail batch, got {other:?}"),
    }
}

/// The one update item `plan` makes for the import.
fn only_update_item(import: &Import) -> UpdateUserItem {
    let batches = import.plan(100);
    assert_eq!(batches.len(), 1, "{batches:?}");
    let items = update_items(&batches[0]);
    assert_eq!(items.len(), 1, "{items:?}");
    items[0].clone()
}

// ------------------------------------- 1. method choice and cost of pre-flight

#[test]
fn fewer_than_five_ids_are_each_asked_with_the_exact_filter_and_no_probe() {
    let mut preflight = Preflight::new(ids(&["E3", "E1", "E4", "E2"]), settings(10, 3), 1);
    assert_eq!(preflight.progress(), (0, 4));
    let jobs = preflight.poll(0);
    assert_eq!(jobs.len(), 4, "{jobs:?}");
    for job in &jobs {
        assert_eq!(job.page, 1);
        assert_eq!(job.page_size, 100);
        assert!(job.employee_id.is_some(), "no unfiltered probe: {job:?}");
    }
    let asked: Vec<&str> = jobs.iter().map(filtered).collect();
    assert_eq!(asked, ["E1", "E2", "E3", "E4"]);
    assert_eq!(preflight.requests(), 4);
    assert!(preflight.poll(0).is_empty(), "every ID is asked once");
}

#[test]
fn no_more_requests_run_at_once_than_the_concurrency_allows() {
    let mut preflight = Preflight::new(ids(&["E1", "E2", "E3", "E4"]), settings(3, 3), 1);
    let first = preflight.poll(0);
    assert_eq!(first.len(), 3);
    assert!(preflight.poll(0).is_empty());
    preflight.on_page(first[0].id, empty_page());
    let second = preflight.poll(0);
    assert_eq!(second.len(), 1);
    assert_eq!(filtered(&second[0]), "E4");
    assert_eq!(preflight.requests(), 4);
}

#[test]
fn five_or_more_ids_start_with_one_unfiltered_probe_of_the_first_page() {
    let mut preflight = Preflight::new(file_ids(5), settings(10, 3), 1);
    let jobs = preflight.poll(0);
    assert_eq!(
        jobs,
        [CheckJob {
            id: jobs[0].id,
            page: 1,
            page_size: 100,
            employee_id: None,
        }]
    );
    assert!(
        preflight.poll(0).is_empty(),
        "nothing else until the probe answers"
    );
    assert_eq!(preflight.requests(), 1);
    assert!(!preflight.is_finished());
}

#[test]
fn a_probe_showing_three_pages_for_ten_ids_lists_pages_two_and_three_and_settles_every_id() {
    let mut preflight = Preflight::new(file_ids(10), settings(3, 3), 1);
    let probe = preflight.poll(0);
    assert_eq!(probe.len(), 1);

    let mut first = others(1..=98);
    first.push(user("A01"));
    first.push(user("A02"));
    preflight.on_page(probe[0].id, page(1, 250, 3, first));
    let found = settled(&mut preflight);
    assert_eq!(found.len(), 2);
    assert_eq!(found["A01"], exists(user("A01")));
    assert_eq!(found["A02"], exists(user("A02")));
    assert_eq!(
        preflight.progress(),
        (2, 10),
        "progress moves with the probe"
    );

    // Two more pages cost less than eight filtered requests.
    let pages = preflight.poll(0);
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert_eq!(pages.iter().map(|job| job.page).collect::<Vec<_>>(), [2, 3]);
    assert!(pages
        .iter()
        .all(|job| job.employee_id.is_none() && job.page_size == 100));
    assert_eq!(preflight.requests(), 3);

    let mut second = others(99..=197);
    let mut a03 = user("A03");
    a03.name = "Citra".to_owned();
    a03.email = Some("citra@example.com".to_owned());
    second.push(a03.clone());
    preflight.on_page(pages[0].id, page(2, 250, 3, second));
    assert_eq!(preflight.progress(), (3, 10));
    assert!(!preflight.is_finished());
    preflight.on_page(pages[1].id, page(3, 250, 3, others(198..=247)));

    let found = settled(&mut preflight);
    assert_eq!(found["A03"], exists(a03), "the user's detail comes along");
    for id in file_ids(10).iter().skip(3) {
        assert_eq!(
            found[id],
            Found::Absent,
            "{id} is not on a complete listing"
        );
    }
    assert_eq!(found.len(), 8);
    assert_eq!(preflight.progress(), (10, 10));
    assert!(preflight.is_finished());
    assert!(preflight.poll(0).is_empty());
    assert_eq!(preflight.requests(), 3);
}

#[test]
fn a_probe_showing_fifty_pages_for_ten_ids_asks_each_id_instead() {
    let mut preflight = Preflight::new(file_ids(10), settings(20, 3), 1);
    let probe = preflight.poll(0);
    preflight.on_page(probe[0].id, page(1, 5_000, 50, others(1..=100)));
    assert!(settled(&mut preflight).is_empty());

    let jobs = preflight.poll(0);
    assert_eq!(jobs.len(), 10, "{jobs:?}");
    let asked: Vec<&str> = jobs.iter().map(filtered).collect();
    assert_eq!(asked, file_ids(10));
    assert!(jobs.iter().all(|job| job.page == 1 && job.page_size == 100));
    assert_eq!(
        preflight.requests(),
        11,
        "one probe and ten filtered requests"
    );

    for job in &jobs {
        preflight.on_page(job.id, empty_page());
    }
    let found = settled(&mut preflight);
    assert_eq!(found.len(), 10);
    assert!(found.values().all(|found| *found == Found::Absent));
    assert!(preflight.is_finished());
}

#[test]
fn a_single_complete_page_settles_every_id_at_once() {
    let mut preflight = Preflight::new(file_ids(6), settings(3, 3), 1);
    let probe = preflight.poll(0);
    let mut items = others(1..=3);
    items.push(user("A02"));
    items.push(user("A05"));
    preflight.on_page(probe[0].id, page(1, 5, 1, items));

    let found = settled(&mut preflight);
    assert_eq!(found.len(), 6);
    assert_eq!(found["A02"], exists(user("A02")));
    assert_eq!(found["A05"], exists(user("A05")));
    for id in ["A01", "A03", "A04", "A06"] {
        assert_eq!(found[id], Found::Absent, "{id}");
    }
    assert_eq!(preflight.progress(), (6, 6));
    assert!(preflight.is_finished());
    assert!(preflight.poll(0).is_empty());
    assert_eq!(preflight.requests(), 1);
}

#[test]
fn an_empty_company_proves_every_id_absent_with_the_probe_alone() {
    let mut preflight = Preflight::new(file_ids(7), settings(3, 3), 1);
    let probe = preflight.poll(0);
    preflight.on_page(probe[0].id, page(1, 0, 0, Vec::new()));
    let found = settled(&mut preflight);
    assert_eq!(found.len(), 7);
    assert!(found.values().all(|found| *found == Found::Absent));
    assert!(preflight.is_finished());
    assert_eq!(preflight.requests(), 1);
}

#[test]
fn no_ids_need_no_requests() {
    let mut preflight = Preflight::new(Vec::new(), SendSettings::default(), 1);
    assert!(preflight.is_finished());
    assert!(preflight.poll(0).is_empty());
    assert_eq!(preflight.progress(), (0, 0));
    assert_eq!(preflight.requests(), 0);
}

// ------------------------------------------------------- 2. listing safety

/// Runs a probe of 250 users over 3 pages for `A01`..`A10`; `A01`, `A02`
/// are on page 1. Answers the probe and returns the two page jobs.
fn listing_of_three_pages(preflight: &mut Preflight) -> Vec<CheckJob> {
    let probe = preflight.poll(0);
    let mut first = others(1..=98);
    first.push(user("A01"));
    first.push(user("A02"));
    preflight.on_page(probe[0].id, page(1, 250, 3, first));
    let pages = preflight.poll(0);
    assert_eq!(pages.len(), 2, "{pages:?}");
    pages
}

#[test]
fn a_listing_whose_total_changes_between_pages_proves_no_id_absent_and_asks_the_unseen_ones() {
    let mut preflight = Preflight::new(file_ids(10), settings(10, 3), 1);
    let pages = listing_of_three_pages(&mut preflight);
    // A user was added while the listing ran.
    let mut second = others(99..=197);
    second.push(user("A03"));
    preflight.on_page(pages[0].id, page(2, 251, 3, second));
    preflight.on_page(pages[1].id, page(3, 251, 3, others(198..=248)));

    let found = settled(&mut preflight);
    assert_eq!(
        found.keys().cloned().collect::<Vec<_>>(),
        ids(&["A01", "A02", "A03"])
    );
    assert!(
        found
            .values()
            .all(|found| matches!(found, Found::Exists(_))),
        "nothing is settled absent from a listing that moved: {found:?}"
    );
    assert!(!preflight.is_finished());

    let jobs = preflight.poll(0);
    let asked: Vec<&str> = jobs.iter().map(filtered).collect();
    assert_eq!(asked, ["A04", "A05", "A06", "A07", "A08", "A09", "A10"]);
    for job in &jobs {
        preflight.on_page(job.id, empty_page());
    }
    let found = settled(&mut preflight);
    assert_eq!(found.len(), 7);
    assert!(found.values().all(|found| *found == Found::Absent));
    assert_eq!(preflight.progress(), (10, 10));
    assert_eq!(preflight.requests(), 3 + 7);
}

#[test]
fn a_listing_that_shows_fewer_distinct_users_than_its_total_proves_no_id_absent() {
    let mut preflight = Preflight::new(file_ids(10), settings(10, 3), 1);
    let pages = listing_of_three_pages(&mut preflight);
    // An unstable order showed X0150 twice and some user never.
    let second = others(99..=198);
    let mut third = others(199..=247);
    third.push(user("X0150"));
    preflight.on_page(pages[0].id, page(2, 250, 3, second));
    preflight.on_page(pages[1].id, page(3, 250, 3, third));

    let found = settled(&mut preflight);
    assert!(
        found.values().all(|found| *found != Found::Absent),
        "{found:?}"
    );
    let jobs = preflight.poll(0);
    assert_eq!(jobs.len(), 8, "the eight unseen IDs are asked one by one");
    assert!(jobs.iter().all(|job| job.employee_id.is_some()));
}

#[test]
fn a_page_that_fails_on_every_attempt_leaves_the_unseen_ids_unchecked_not_absent() {
    let mut preflight = Preflight::new(file_ids(10), settings(10, 2), 1);
    let pages = listing_of_three_pages(&mut preflight);
    let mut second = others(99..=197);
    second.push(user("A03"));
    preflight.on_page(pages[0].id, page(2, 250, 3, second));

    let outage = Failure::Server { status: 503 };
    preflight.on_failure(pages[1].id, &outage, 0);
    let wake = preflight.next_wake_ms().expect("the page is retried later");
    assert!(preflight.poll(wake.saturating_sub(1)).is_empty());
    let again = preflight.poll(wake);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].page, 3);
    assert_eq!(again[0].employee_id, None);
    preflight.on_failure(again[0].id, &outage, wake);

    let found = settled(&mut preflight);
    assert_eq!(found["A01"], exists(user("A01")));
    assert_eq!(found["A03"], exists(user("A03")));
    for id in file_ids(10).iter().skip(3) {
        match &found[id] {
            Found::Unchecked { reason } => assert!(reason.contains("503"), "{reason}"),
            other => panic!("{id} should be unchecked, not {other:?}"),
        }
    }
    assert!(preflight.is_finished());
    assert!(
        preflight.poll(u64::MAX).is_empty(),
        "no one-by-one storm in an outage"
    );
    assert_eq!(preflight.requests(), 4);
}

// ------------------------------------------------------ 3. per-ID answers

#[test]
fn a_filtered_answer_holding_only_longer_ids_is_not_the_user_and_on_one_page_proves_it_absent() {
    let mut preflight = Preflight::new(ids(&["E1"]), settings(3, 3), 1);
    let job = preflight.poll(0);
    // The filter behaves as "contains": E1 matches E10 and E11.
    preflight.on_page(job[0].id, page(1, 2, 1, vec![user("E10"), user("E11")]));
    assert_eq!(
        settled(&mut preflight),
        BTreeMap::from([("E1".to_owned(), Found::Absent)])
    );
    assert!(preflight.is_finished());
}

#[test]
fn a_filtered_answer_spanning_more_pages_without_the_exact_id_leaves_it_unchecked() {
    let mut preflight = Preflight::new(ids(&["E1"]), settings(3, 3), 1);
    let job = preflight.poll(0);
    let items: Vec<UserDetail> = (100..200).map(|i| user(&format!("E1{i}"))).collect();
    preflight.on_page(job[0].id, page(1, 111, 2, items));
    let found = settled(&mut preflight);
    assert!(
        matches!(&found["E1"], Found::Unchecked { reason } if !reason.is_empty()),
        "{found:?}"
    );
}

#[test]
fn the_exact_id_among_contains_matches_is_taken_as_the_user_even_on_a_partial_answer() {
    let mut preflight = Preflight::new(ids(&["E1"]), settings(3, 3), 1);
    let job = preflight.poll(0);
    let mut e1 = user("E1");
    e1.phone = Some("628111".to_owned());
    preflight.on_page(
        job[0].id,
        page(1, 150, 2, vec![user("E10"), e1.clone(), user("E11")]),
    );
    assert_eq!(settled(&mut preflight)["E1"], exists(e1));
}

// ------------------------------------------------------------ 4. failures

#[test]
fn an_unauthorized_answer_holds_for_a_new_token_and_the_same_id_is_asked_again_after_resume() {
    let mut preflight = Preflight::new(ids(&["E1"]), settings(3, 1), 1);
    let job = preflight.poll(0);
    preflight.on_failure(job[0].id, &Failure::Unauthorized, 0);
    assert_eq!(preflight.hold(), Some(Hold::NeedsToken));
    assert!(
        settled(&mut preflight).is_empty(),
        "a refused token is no answer"
    );
    assert!(preflight.poll(10_000).is_empty());
    assert_eq!(preflight.next_wake_ms(), None);
    assert!(!preflight.is_finished());

    preflight.resume();
    let again = preflight.poll(10_000);
    assert_eq!(again.len(), 1);
    assert_eq!(filtered(&again[0]), "E1");
    assert_ne!(again[0].id, job[0].id);
    // With max_attempts 1, the token refusal did not use the attempt up.
    preflight.on_page(again[0].id, page(1, 1, 1, vec![user("E1")]));
    assert_eq!(settled(&mut preflight)["E1"], exists(user("E1")));
    assert_eq!(preflight.requests(), 2);
}

#[test]
fn a_rate_limited_answer_waits_as_long_as_retry_after_says() {
    let mut preflight = Preflight::new(ids(&["E1"]), settings(3, 3), 1);
    let job = preflight.poll(1_000);
    preflight.on_failure(
        job[0].id,
        &Failure::RateLimited {
            retry_after_ms: Some(2_000),
        },
        1_000,
    );
    assert_eq!(preflight.hold(), None);
    assert_eq!(preflight.next_wake_ms(), Some(3_000));
    assert!(preflight.poll(2_999).is_empty());
    let again = preflight.poll(3_000);
    assert_eq!(again.len(), 1);
    assert_eq!(filtered(&again[0]), "E1");
}

#[test]
fn server_errors_back_off_and_are_retried() {
    let mut preflight = Preflight::new(ids(&["E1"]), settings(3, 3), 7);
    let job = preflight.poll(0);
    preflight.on_failure(job[0].id, &Failure::Server { status: 502 }, 0);
    let wake = preflight.next_wake_ms().expect("a retry is planned");
    // First retry: between half the base delay and the base delay.
    assert!((500..=1_000).contains(&wake), "{wake}");
    assert!(preflight.poll(wake - 1).is_empty());
    let again = preflight.poll(wake);
    assert_eq!(again.len(), 1);
    preflight.on_page(again[0].id, empty_page());
    assert_eq!(settled(&mut preflight)["E1"], Found::Absent);
}

#[test]
fn after_max_attempts_an_id_is_unchecked_with_the_reason() {
    let mut preflight = Preflight::new(ids(&["E1", "E2"]), settings(3, 3), 1);
    let mut now = 0;
    let jobs = preflight.poll(now);
    let e2 = jobs.iter().find(|job| filtered(job) == "E2").unwrap();
    preflight.on_page(e2.id, empty_page());
    let mut e1 = jobs.iter().find(|job| filtered(job) == "E1").unwrap().id;
    for attempt in 1..=3 {
        preflight.on_failure(e1, &Failure::Timeout, now);
        if attempt < 3 {
            now = preflight.next_wake_ms().expect("retried");
            let again = preflight.poll(now);
            assert_eq!(again.len(), 1);
            e1 = again[0].id;
        }
    }
    let found = settled(&mut preflight);
    assert_eq!(found["E2"], Found::Absent);
    assert_eq!(
        found["E1"],
        Found::Unchecked {
            reason: "no answer in time".to_owned()
        }
    );
    assert!(preflight.is_finished());
    assert_eq!(preflight.requests(), 4);
}

#[test]
fn a_request_refused_as_a_whole_is_not_asked_again() {
    let mut preflight = Preflight::new(ids(&["E1"]), settings(3, 8), 1);
    let job = preflight.poll(0);
    let refused = Failure::Refused {
        status: 400,
        error: ApiErrorBody {
            error_code: 400,
            message: "BAD_REQUEST".to_owned(),
            detail: "pageSize too large".to_owned(),
        },
    };
    preflight.on_failure(job[0].id, &refused, 0);
    let found = settled(&mut preflight);
    assert!(
        matches!(&found["E1"], Found::Unchecked { reason } if reason.contains("BAD_REQUEST")),
        "{found:?}"
    );
    assert!(preflight.is_finished());
    assert_eq!(preflight.requests(), 1);
}

#[test]
fn cancel_starts_nothing_new_and_leaves_the_ids_not_asked_unsettled() {
    let mut preflight = Preflight::new(ids(&["E1", "E2", "E3"]), settings(1, 3), 1);
    let job = preflight.poll(0);
    assert_eq!(filtered(&job[0]), "E1");
    preflight.cancel();
    assert!(preflight.poll(0).is_empty());
    assert_eq!(preflight.next_wake_ms(), None);
    assert!(!preflight.is_finished(), "E1's request is still out");

    preflight.on_page(job[0].id, page(1, 1, 1, vec![user("E1")]));
    assert!(preflight.is_finished());
    assert!(preflight.poll(u64::MAX).is_empty());
    let found = settled(&mut preflight);
    assert_eq!(found.keys().cloned().collect::<Vec<_>>(), ids(&["E1"]));
    assert_eq!(preflight.progress(), (1, 3));
    assert_eq!(preflight.requests(), 1);
}

#[test]
fn a_cancelled_probe_that_then_fails_leaves_the_ids_unsettled() {
    let mut preflight = Preflight::new(file_ids(6), settings(3, 8), 1);
    let probe = preflight.poll(0);
    preflight.cancel();
    preflight.on_failure(probe[0].id, &Failure::Timeout, 0);
    assert!(preflight.is_finished());
    // None of the six IDs was looked up: they stay "not checked" (and so
    // stay out of a create), as cancel promises, rather than becoming
    // "could not check" after one failed attempt.
    let found = settled(&mut preflight);
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(preflight.progress(), (0, 6));
}

// ----------------------------------------- 5. assessment through the import

const CREATE_SHEET: &str = "employeeID,name,phone,isActive\n\
E1,Ani,628111222333,true\n\
E2,Budi Baru,628222333444,true\n\
E3,Citra,628333444555,false\n";

fn create_sheet_found() -> Vec<(String, Found)> {
    let mut budi = stored("E2", "Budi");
    budi.phone = Some("628222333444".to_owned());
    budi.tags.clear();
    let mut citra = stored("E3", "Citra");
    citra.phone = Some("628333444555".to_owned());
    citra.is_active = false;
    citra.tags.clear();
    vec![
        ("E1".to_owned(), Found::Absent),
        ("E2".to_owned(), exists(budi)),
        ("E3".to_owned(), exists(citra)),
    ]
}

#[test]
fn in_a_create_a_free_id_is_new_and_a_taken_id_is_held_back_with_the_holders_name() {
    let mut import = open(CREATE_SHEET);
    assert_eq!(import.report.mode, Mode::Create);
    assert_eq!(import.assessment(0), Assessment::NotChecked);
    assert!(import.plan(100).is_empty(), "nothing goes out unchecked");
    assert_eq!(import.ids_to_check(), ids(&["E1", "E2", "E3"]));
    assert_eq!(import.outlook().not_checked, 3);
    // Unchecked rows are what the start button acts on: it checks them.
    assert_eq!(
        (import.outlook().startable(), import.outlook().waiting()),
        (3, 3)
    );

    import.record_found(create_sheet_found());
    assert_eq!(import.operation(0), Operation::Create);
    assert_eq!(import.assessment(0), Assessment::New);
    assert_eq!(
        import.assessment(1),
        Assessment::Exists {
            name: "Budi".to_owned()
        }
    );
    assert_eq!(
        import.assessment(2),
        Assessment::Exists {
            name: "Citra".to_owned()
        }
    );
    let batches = import.plan(100);
    assert_eq!(batches.len(), 1);
    assert!(matches!(batches[0].items, BatchItems::Create(_)));
    assert_eq!(batches[0].rows, [2]);
    assert_eq!(batches[0].seen_free, [true]);
    let outlook = import.outlook();
    assert_eq!(
        (outlook.to_create, outlook.exists, outlook.to_update),
        (1, 2, 0)
    );
    assert_eq!(outlook.sendable(), 1);
    // Rows whose user exists wait for the admin, not for a send.
    assert_eq!((outlook.startable(), outlook.waiting()), (1, 1));
    assert!(import.ids_to_check().is_empty());
}

#[test]
fn updating_the_existing_users_instead_sends_them_as_updates_after_the_creates() {
    let mut import = open(CREATE_SHEET);
    import.record_found(create_sheet_found());
    assert_eq!(import.update_existing_instead(), 2);
    assert_eq!(import.operation(1), Operation::Update);
    assert_eq!(
        import.assessment(1),
        Assessment::Changes(vec![Change {
            field: Field::Name,
            old: "Budi".to_owned(),
            new: Some("Budi Baru".to_owned()),
        }])
    );
    assert_eq!(import.assessment(2), Assessment::Unchanged);

    let batches = import.plan(100);
    assert_eq!(batches.len(), 2, "{batches:?}");
    assert!(matches!(batches[0].items, BatchItems::Create(_)));
    assert_eq!(batches[0].rows, [2]);
    assert_eq!(batches[1].rows, [3]);
    assert_eq!(
        update_items(&batches[1]),
        [UpdateUserItem {
            employee_id: "E2".to_owned(),
            name: "Budi Baru".to_owned(),
            new_employee_id: None,
            username: Some("e2user".to_owned()),
            phone: Some("628222333444".to_owned()),
            is_active: true,
            tag_serials: Some(Vec::new()),
        }]
    );
    let outlook = import.outlook();
    assert_eq!(
        (
            outlook.to_create,
            outlook.to_update,
            outlook.unchanged,
            outlook.exists
        ),
        (1, 1, 1, 0)
    );
    assert_eq!(import.update_existing_instead(), 0, "nothing left to move");
}

const UPDATE_SHEET: &str = "employeeID,newEmployeeID,name,phone,isActive\n\
E1,,Ani,628111222333,true\n\
E2,E3,,,\n\
E4,E9,,,\n\
E5,,Eko,628555666777,true\n";

fn update_sheet_found() -> Vec<(String, Found)> {
    let mut eko = stored("E5", "Eko");
    eko.phone = Some("628555666777".to_owned());
    vec![
        ("E1".to_owned(), Found::Absent),
        ("E2".to_owned(), exists(stored("E2", "Budi"))),
        ("E3".to_owned(), exists(stored("E3", "Citra"))),
        ("E4".to_owned(), exists(stored("E4", "Dedi"))),
        ("E5".to_owned(), exists(eko)),
        ("E9".to_owned(), Found::Absent),
    ]
}

#[test]
fn in_an_update_unknown_ids_taken_renames_free_renames_and_unchanged_rows_are_told_apart() {
    let mut import = open(UPDATE_SHEET);
    assert_eq!(
        import.report.mode,
        Mode::Update,
        "a rename column means an update"
    );
    assert!(import.report.rows.iter().all(|row| row.is_valid()));
    assert_eq!(
        import.ids_to_check(),
        ids(&["E1", "E2", "E3", "E4", "E5", "E9"])
    );
    import.record_found(update_sheet_found());

    assert_eq!(import.assessment(0), Assessment::NotFound);
    assert_eq!(
        import.assessment(1),
        Assessment::RenameTaken {
            name: "Citra".to_owned()
        }
    );
    assert_eq!(
        import.assessment(2),
        Assessment::Changes(vec![Change {
            field: Field::EmployeeId,
            old: "E4".to_owned(),
            new: Some("E9".to_owned()),
        }])
    );
    assert_eq!(import.assessment(3), Assessment::Unchanged);

    let batches = import.plan(100);
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].rows, [4]);
    assert_eq!(batches[0].seen_free, [true], "E9 was seen free");
    let item = &update_items(&batches[0])[0];
    assert_eq!(item.employee_id, "E4");
    assert_eq!(item.new_employee_id.as_deref(), Some("E9"));
    assert_eq!(item.name, "Dedi");

    let outlook = import.outlook();
    assert_eq!(
        (
            outlook.not_found,
            outlook.taken,
            outlook.to_update,
            outlook.unchanged
        ),
        (1, 1, 1, 1)
    );
}

#[test]
fn an_unchanged_row_is_planned_only_once_the_admin_includes_it() {
    let mut import = open(UPDATE_SHEET);
    import.record_found(update_sheet_found());
    assert_eq!(import.plan(100)[0].rows, [4]);

    import.set_excluded(5, false);
    assert_eq!(import.ledger.state_of(5), Some(&RowState::Ready));
    let batches = import.plan(100);
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].rows, [4, 5]);
    assert_eq!(update_items(&batches[0])[1].employee_id, "E5");
    assert_eq!(import.outlook().to_update, 2);
    assert_eq!(import.outlook().unchanged, 0);

    import.set_excluded(5, true);
    assert_eq!(import.plan(100)[0].rows, [4]);
    assert_eq!(import.outlook().unchanged, 1);
}

#[test]
fn an_id_that_could_not_be_checked_is_held_back_from_an_update_but_still_created() {
    let unchecked = || {
        vec![(
            "E1".to_owned(),
            Found::Unchecked {
                reason: "no answer in time".to_owned(),
            },
        )]
    };
    let mut update = open_update("employeeID,name,phone,isActive\nE1,Ani,628111222333,true\n");
    update.record_found(unchecked());
    assert_eq!(
        update.assessment(0),
        Assessment::CouldNotCheck {
            reason: "no answer in time".to_owned()
        }
    );
    assert!(update.plan(100).is_empty());
    assert_eq!(update.outlook().could_not_check, 1);
    assert_eq!(update.outlook().sendable(), 0);
    // Not sent, but not done either: it is checked again.
    assert_eq!(update.outlook().waiting(), 1);

    let mut create = open("employeeID,name,phone,isActive\nE1,Ani,628111222333,true\n");
    create.record_found(unchecked());
    assert_eq!(
        create.outlook().waiting(),
        1,
        "counted once, though in two counts"
    );
    let batches = create.plan(100);
    assert_eq!(batches.len(), 1);
    assert!(matches!(batches[0].items, BatchItems::Create(_)));
    assert_eq!(batches[0].seen_free, [false], "never seen free");
    let outlook = create.outlook();
    assert_eq!((outlook.to_create, outlook.could_not_check), (1, 1));
}

#[test]
fn a_rename_whose_new_id_could_not_be_checked_is_held_back() {
    let mut import = open("employeeID,newEmployeeID\nE1,E9\n");
    import.record_found(vec![
        ("E1".to_owned(), exists(stored("E1", "Ani"))),
        (
            "E9".to_owned(),
            Found::Unchecked {
                reason: "server error HTTP 503".to_owned(),
            },
        ),
    ]);
    assert!(matches!(
        import.assessment(0),
        Assessment::CouldNotCheck { .. }
    ));
    assert!(import.plan(100).is_empty());
    assert!(import.ids_to_check().is_empty(), "the send does not re-ask");
    assert_eq!(import.ids_to_check_again(), ids(&["E9"]));
}

// ------------------------------------------------------- 6. safe updates

const SAFE_SHEET: &str = "employeeID,name,phone,isActive,tagSerials\n";

#[test]
fn empty_cells_of_an_update_send_the_stored_values_never_null() {
    let mut import = open_update(&format!("{SAFE_SHEET}E1,,,false,\n"));
    import.record_found(vec![("E1".to_owned(), exists(stored("E1", "Ani")))]);
    assert_eq!(
        import.assessment(0),
        Assessment::Changes(vec![Change {
            field: Field::IsActive,
            old: "true".to_owned(),
            new: Some("false".to_owned()),
        }])
    );
    assert_eq!(
        only_update_item(&import),
        UpdateUserItem {
            employee_id: "E1".to_owned(),
            name: "Ani".to_owned(),
            new_employee_id: None,
            username: Some("e1user".to_owned()),
            phone: Some("628111".to_owned()),
            is_active: false,
            tag_serials: Some(ids(&["RUKRTAG-AAAAAAAA", "RUKRTAG-BBBBBBBB"])),
        }
    );
}

#[test]
fn an_update_item_takes_name_is_active_and_tags_from_the_store_when_the_cells_are_empty() {
    let import = open_update(&format!("{SAFE_SHEET}E1,,,,\n"));
    let mut current = stored("E1", "Ani");
    current.is_active = false;
    let row = &import.report.rows[0].row;
    let item = update_item(row, &current).expect("an item");
    assert_eq!(item.name, "Ani");
    assert!(!item.is_active);
    assert_eq!(item.phone.as_deref(), Some("628111"));
    assert_eq!(
        item.tag_serials,
        Some(ids(&["RUKRTAG-AAAAAAAA", "RUKRTAG-BBBBBBBB"]))
    );
    assert!(changes(row, &current).is_empty());
    assert_eq!(assess_one(&import, &current), Assessment::Unchanged);
}

fn assess_one(import: &Import, current: &UserDetail) -> Assessment {
    let mut directory = employee_import::Directory::default();
    directory.record(current.employee_id.clone(), exists(current.clone()));
    assess(&import.report.rows[0].row, Operation::Update, &directory)
}

#[test]
fn the_clear_marker_in_any_case_clears_the_phone_and_the_diff_shows_it_cleared() {
    for marker in ["#CLEAR", "#clear", " #Clear "] {
        let mut import = open_update(&format!("{SAFE_SHEET}E1,,\"{marker}\",,\n"));
        let row = &import.report.rows[0];
        assert!(row.is_valid(), "{marker}: {:?}", row.issues);
        assert_eq!(row.row.cleared, [Field::Phone], "{marker}");
        assert_eq!(row.row.phone, None);
        import.record_found(vec![("E1".to_owned(), exists(stored("E1", "Ani")))]);
        assert_eq!(
            import.assessment(0),
            Assessment::Changes(vec![Change {
                field: Field::Phone,
                old: "628111".to_owned(),
                new: None,
            }]),
            "{marker}"
        );
        let item = only_update_item(&import);
        assert_eq!(item.phone, None, "{marker}");
        assert_eq!(item.name, "Ani");
        assert_eq!(item.username.as_deref(), Some("e1user"));
    }
}

#[test]
fn clearing_a_phone_that_is_already_empty_is_no_change() {
    let import = open_update(&format!("{SAFE_SHEET}E1,,#CLEAR,,\n"));
    let mut current = stored("E1", "Ani");
    current.phone = None;
    assert_eq!(assess_one(&import, &current), Assessment::Unchanged);
}

#[test]
fn the_clear_marker_in_tag_serials_sends_an_empty_tag_list() {
    let mut import = open_update(&format!("{SAFE_SHEET}E1,,,,#CLEAR\n"));
    import.record_found(vec![("E1".to_owned(), exists(stored("E1", "Ani")))]);
    assert_eq!(
        import.assessment(0),
        Assessment::Changes(vec![Change {
            field: Field::TagSerials,
            old: "RUKRTAG-AAAAAAAA, RUKRTAG-BBBBBBBB".to_owned(),
            new: None,
        }])
    );
    let item = only_update_item(&import);
    assert_eq!(item.tag_serials, Some(Vec::new()));
    assert_eq!(item.phone.as_deref(), Some("628111"));
}

#[test]
fn the_clear_marker_in_name_or_in_a_create_is_a_cannot_clear_error_on_that_cell() {
    let update = open_update(&format!("{SAFE_SHEET}E1,#CLEAR,,,\nE2,,,#clear,\n"));
    for (index, field) in [(0, Field::Name), (1, Field::IsActive)] {
        let row = &update.report.rows[index];
        assert!(
            row.issues.contains(&CellIssue {
                field,
                kind: IssueKind::CannotClear
            }),
            "{:?}",
            row.issues
        );
        assert!(!row.is_valid());
        assert_eq!(
            update.ledger.state_of(row.row.number),
            Some(&RowState::Invalid)
        );
        assert!(row.row.cleared.is_empty());
    }

    let create = open("employeeID,name,email,phone,isActive\nE1,Ani,ani@example.com,#CLEAR,true\n");
    let row = &create.report.rows[0];
    assert!(
        row.issues.contains(&CellIssue {
            field: Field::Phone,
            kind: IssueKind::CannotClear
        }),
        "{:?}",
        row.issues
    );
    assert!(!row.is_valid());
    assert!(row.row.cleared.is_empty());
}

// ------------------------------------------------------- 7. e-mail change

#[test]
fn an_email_differing_from_the_stored_one_is_an_email_change_and_is_counted() {
    let mut import = open_update("employeeID,email\nE1,ani.baru@example.com\nE2,E2@EXAMPLE.COM\n");
    import.record_found(vec![
        ("E1".to_owned(), exists(stored("E1", "Ani"))),
        ("E2".to_owned(), exists(stored("E2", "Budi"))),
    ]);
    assert_eq!(
        import.email_change(0),
        Some((
            "e1@example.com".to_owned(),
            "ani.baru@example.com".to_owned()
        ))
    );
    assert_eq!(import.email_change(1), None, "only the case differs");
    let outlook = import.outlook();
    assert_eq!(outlook.email_changes, 1);
    assert_eq!(
        outlook.unchanged, 1,
        "a row whose only change is its e-mail counts with the e-mail changes"
    );
    assert!(import.plan(100).is_empty());

    // Nothing else changes: the e-mail change can go now.
    let emails = import.plan_emails(100);
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].rows, [2]);
    assert_eq!(
        email_items(&emails[0]),
        [UpdateEmailItem {
            employee_id: "E1".to_owned(),
            email: "ani.baru@example.com".to_owned(),
            password: None,
        }]
    );
}

#[test]
fn the_same_email_in_another_case_or_no_email_cell_is_no_change() {
    let import = open_update("employeeID,email\nE1,Ani@Example.COM\nE2,\n");
    let current = {
        let mut user = stored("E1", "Ani");
        user.email = Some("ani@example.com".to_owned());
        user
    };
    assert_eq!(email_change(&import.report.rows[0].row, &current), None);
    assert_eq!(email_change(&import.report.rows[1].row, &current), None);
    let mut no_email = current.clone();
    no_email.email = None;
    assert_eq!(
        email_change(&import.report.rows[0].row, &no_email),
        Some((String::new(), "Ani@Example.COM".to_owned()))
    );
}

#[test]
fn an_email_change_waits_for_the_rows_update_and_then_addresses_the_new_id() {
    let mut import = open("employeeID,newEmployeeID,email\nE1,E9,ani.baru@example.com\n");
    import.record_found(vec![
        ("E1".to_owned(), exists(stored("E1", "Ani"))),
        ("E9".to_owned(), Found::Absent),
    ]);
    assert!(matches!(import.assessment(0), Assessment::Changes(_)));
    assert_eq!(import.outlook().email_changes, 1);
    assert!(import.plan_emails(100).is_empty(), "the rename goes first");

    let batches = import.plan(100);
    import.note_sent(&batches);
    import.ledger.start_batch(&batches[0]);
    assert!(import.plan_emails(100).is_empty(), "not while it is sent");

    for done in [
        RowState::Created {
            serial: "OPENAPI9Z7ZIHIFW".to_owned(),
        },
        RowState::Applied,
    ] {
        import.ledger.set_state(2, done.clone());
        let emails = import.plan_emails(100);
        assert_eq!(emails.len(), 1, "{done:?}");
        assert_eq!(emails[0].rows, [2]);
        assert_eq!(emails[0].employee_ids, ["E9"]);
        assert_eq!(email_items(&emails[0])[0].employee_id, "E9");
        assert_eq!(email_items(&emails[0])[0].email, "ani.baru@example.com");
    }

    import.ledger.set_state(
        2,
        RowState::NotSent {
            reason: "network error".to_owned(),
        },
    );
    assert!(import.plan_emails(100).is_empty(), "the update is not done");
}

#[test]
fn an_email_change_is_planned_once_and_not_again_after_it_is_done() {
    let mut import = open_update("employeeID,email\nE1,ani.baru@example.com\n");
    import.record_found(vec![("E1".to_owned(), exists(stored("E1", "Ani")))]);
    let emails = import.plan_emails(100);
    import.start_emails(&emails);
    assert_eq!(import.plan_emails(100).len(), 1, "still to send");
    import.emails.set_state(
        2,
        RowState::Created {
            serial: "OPENAPI1".to_owned(),
        },
    );
    assert!(import.plan_emails(100).is_empty());
}

#[test]
fn a_row_the_admin_excluded_gets_no_email_change() {
    let mut import = open_update("employeeID,email\nE1,ani.baru@example.com\n");
    import.set_excluded(2, true);
    assert_eq!(import.ledger.state_of(2), Some(&RowState::Excluded));
    import.record_found(vec![("E1".to_owned(), exists(stored("E1", "Ani")))]);
    assert_eq!(import.outlook().email_changes, 0);
    // update-email-bulk also resets the password: a row left out of the
    // import must not have its address (and password) changed.
    let emails = import.plan_emails(100);
    assert!(emails.is_empty(), "{emails:?}");
}

#[test]
fn a_row_without_changes_excluded_after_preflight_gets_no_email_change() {
    let mut import = open_update("employeeID,email\nE1,ani.baru@example.com\n");
    import.record_found(vec![("E1".to_owned(), exists(stored("E1", "Ani")))]);
    assert_eq!(import.assessment(0), Assessment::Unchanged);
    assert_eq!(import.outlook().email_changes, 1);
    import.set_excluded(2, true);
    // Leaving the row out must leave its e-mail (and password) alone too.
    assert_eq!(import.outlook().email_changes, 0);
    let emails = import.plan_emails(100);
    assert!(emails.is_empty(), "{emails:?}");
}

// --------------------------------------------------- 8. proves_created

#[test]
fn proves_created_needs_the_same_name_email_and_phone_digits() {
    let mut found = user("E1");
    found.name = "Ani Lestari".to_owned();
    found.email = Some("Ani@Example.com".to_owned());
    found.phone = Some("62811".to_owned());

    assert!(proves_created(
        "Ani Lestari",
        Some("ani@example.com"),
        Some("62811"),
        &found
    ));
    assert!(
        proves_created(
            "Ani Lestari",
            Some("ani@example.com"),
            Some("+62 811"),
            &found
        ),
        "phones compare by their digits"
    );
    assert!(proves_created(" Ani Lestari ", None, None, &found));
    assert!(!proves_created(
        "Ani",
        Some("ani@example.com"),
        Some("62811"),
        &found
    ));
    assert!(!proves_created(
        "Ani Lestari",
        Some("ani2@example.com"),
        Some("62811"),
        &found
    ));
    assert!(!proves_created(
        "Ani Lestari",
        Some("ani@example.com"),
        Some("62812"),
        &found
    ));
    found.email = None;
    assert!(
        !proves_created("Ani Lestari", Some("ani@example.com"), None, &found),
        "an e-mail sent but not stored is no proof"
    );
}

// ---------------------------------------------------- 9. ids_to_check

#[test]
fn ids_to_check_include_the_new_ids_of_renames_and_skip_ids_already_known() {
    let mut import = open("employeeID,newEmployeeID,name\nE1,E9,\nE2,,\nE3,,\nE4,E4,\n");
    assert_eq!(import.ids_to_check(), ids(&["E1", "E2", "E3", "E4", "E9"]));
    import.record_found(vec![
        ("E2".to_owned(), exists(stored("E2", "Budi"))),
        ("E9".to_owned(), Found::Absent),
        (
            "E3".to_owned(),
            Found::Unchecked {
                reason: "no answer in time".to_owned(),
            },
        ),
    ]);
    assert_eq!(import.ids_to_check(), ids(&["E1", "E4"]));
    assert_eq!(
        import.ids_to_check_again(),
        ids(&["E1", "E3", "E4"]),
        "unchecked IDs are asked again"
    );
    import.set_excluded(2, true);
    assert_eq!(
        import.ids_to_check_again(),
        ids(&["E3", "E4"]),
        "excluded rows are not asked"
    );
}

// -------------------------------------------------------- end to end

#[test]
fn a_preflight_run_settles_every_row_of_an_import() {
    let mut import = open(
        "employeeID,name,phone,isActive\n\
         A01,Ani,628111222333,true\n\
         A02,Budi,628111222334,true\n\
         A03,Citra,628111222335,true\n\
         A04,Dedi,628111222336,true\n\
         A05,Eko,628111222337,true\n\
         A06,Fitri,628111222338,true\n",
    );
    let mut preflight = Preflight::new(import.ids_to_check(), settings(3, 3), 42);
    let probe = preflight.poll(0);
    let mut items = others(1..=98);
    items.push(user("A04"));
    preflight.on_page(probe[0].id, page(1, 180, 2, items));
    import.record_found(preflight.take_settled());
    let pages = preflight.poll(0);
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].page, 2);
    preflight.on_page(pages[0].id, page(2, 180, 2, others(99..=179)));
    import.record_found(preflight.take_settled());
    assert!(preflight.is_finished());
    assert!(import.ids_to_check().is_empty());

    assert_eq!(
        import.assessment(3),
        Assessment::Exists {
            name: "User A04".to_owned()
        }
    );
    let batches = import.plan(100);
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].rows, [2, 3, 4, 6, 7]);
    assert!(batches[0].seen_free.iter().all(|free| *free));
    assert_eq!(preflight.requests(), 2);
}

#[test]
fn unconfirmed_rows_are_not_resent_but_planned_for_a_lookup() {
    let mut import = open("employeeID,name,phone,isActive\nE1,Ani,628111222333,true\n");
    import.record_found(vec![("E1".to_owned(), Found::Absent)]);
    let batches = import.plan(100);
    import.ledger.start_batch(&batches[0]);
    import.ledger.set_state(2, RowState::Unconfirmed);
    assert!(import.plan(100).is_empty());
    assert!(import.ids_to_check().is_empty(), "E1 is known");
    let lookup = import.plan_unconfirmed(100);
    assert_eq!(lookup.len(), 1);
    assert_eq!(lookup[0].rows, [2]);
    assert_eq!(lookup[0].seen_free, [true]);
    assert!(matches!(lookup[0].items, BatchItems::Create(_)));
}

// ------------------------------------------------ 10. found in review

#[test]
fn a_row_sent_as_a_create_stays_created_when_the_mode_changes_afterwards() {
    let mut import =
        Import::from_bytes(b"employeeID,name,email,isActive\nE1,Ani,a@x.id,TRUE\n").unwrap();
    import.record_found(vec![("E1".to_owned(), Found::Absent)]);
    let batches = import.plan(100);
    import.note_sent(&batches);
    import.ledger.set_state(
        2,
        RowState::Created {
            serial: "S1".to_owned(),
        },
    );
    let mapping = import.report.mapping.clone();
    import.revalidate(mapping, Mode::Update);
    assert_eq!(import.outcome_operation(0), Operation::Create);
    assert_eq!(import.updated_count(), 0);
}

#[test]
fn an_email_change_whose_answer_was_lost_is_planned_for_a_lookup_not_forgotten() {
    let mut import = open_update("employeeID,email\nE1,ani.baru@example.com\n");
    import.record_found(vec![("E1".to_owned(), exists(stored("E1", "Ani")))]);
    let emails = import.plan_emails(100);
    import.start_emails(&emails);
    import.emails.set_state(2, RowState::Unconfirmed);
    assert!(import.plan_emails(100).is_empty(), "not resent blindly");
    let lookups = import.plan_emails_unconfirmed(100);
    assert_eq!(lookups.len(), 1);
    assert_eq!(email_items(&lookups[0])[0].email, "ani.baru@example.com");
}

#[test]
fn after_a_reload_the_email_step_of_an_updated_row_comes_back_once_checked() {
    let mut import =
        open_update("employeeID,newEmployeeID,email,phone\nE1,E9,ani.baru@example.com,628999\n");
    import.record_found(vec![
        ("E1".to_owned(), exists(stored("E1", "Ani"))),
        ("E9".to_owned(), Found::Absent),
    ]);
    let batches = import.plan(100);
    import.note_sent(&batches);
    import.ledger.set_state(
        2,
        RowState::Created {
            serial: "S1".to_owned(),
        },
    );
    assert_eq!(import.plan_emails(100).len(), 1);

    let csv = b"employeeID,newEmployeeID,email,phone\nE1,E9,ani.baru@example.com,628999\n";
    let saved = import.save("f.csv", &employee_import::fingerprint(csv));
    let mut resumed = Import::resume(csv, &saved).unwrap();
    // The user now lives under the new ID: that is what is looked up.
    assert_eq!(resumed.ids_to_check(), ids(&["E9"]));
    let mut renamed = stored("E9", "Ani");
    renamed.email = Some("e1@example.com".to_owned());
    resumed.record_found(vec![("E9".to_owned(), exists(renamed))]);
    let emails = resumed.plan_emails(100);
    assert_eq!(emails.len(), 1);
    assert_eq!(email_items(&emails[0])[0].employee_id, "E9");
}

#[test]
fn a_row_moved_to_an_update_is_a_create_again_once_its_id_is_edited() {
    let mut import =
        Import::from_bytes(b"employeeID,name,email,isActive\nE1,Ani,a@x.id,TRUE\n").unwrap();
    import.record_found(vec![("E1".to_owned(), exists(stored("E1", "Old Ani")))]);
    assert_eq!(import.update_existing_instead(), 1);
    assert_eq!(import.operation(0), Operation::Update);
    import.edit_cell(2, Field::EmployeeId, "E2");
    assert_eq!(import.operation(0), Operation::Create);
    assert_eq!(import.ids_to_check(), ids(&["E2"]));
}

#[test]
fn a_shared_email_in_an_update_does_not_block_the_rows_other_changes() {
    let mut import =
        open_update("employeeID,name,email\nE1,Ani Baru,hr@x.id\nE2,Budi Baru,hr@x.id\n");
    import.record_found(vec![
        ("E1".to_owned(), exists(stored("E1", "Ani"))),
        ("E2".to_owned(), exists(stored("E2", "Budi"))),
    ]);
    let planned: usize = import.plan(100).iter().map(|b| b.rows.len()).sum();
    assert_eq!(planned, 2);
}

#[test]
fn a_large_file_asks_the_first_pages_with_the_probe_and_lists_the_rest_in_any_order() {
    // 150 IDs, a company of 450 users (5 pages): pages 1-3 go out at once.
    let mut preflight = Preflight::new(file_ids(150), settings(3, 4), 1);
    let first = preflight.poll(0);
    let pages: Vec<u64> = first.iter().map(|job| job.page).collect();
    assert_eq!(pages, [1, 2, 3]);
    assert!(first.iter().all(|job| job.employee_id.is_none()));
    // Page 2 answers first: the size is known, pages 4 and 5 are asked
    // as room frees up.
    preflight.on_page(first[1].id, page(2, 450, 5, others(101..=200)));
    let four = preflight.poll(0);
    assert_eq!(four.iter().map(|job| job.page).collect::<Vec<_>>(), [4]);
    preflight.on_page(first[0].id, page(1, 450, 5, others(1..=100)));
    let five = preflight.poll(0);
    assert_eq!(five.iter().map(|job| job.page).collect::<Vec<_>>(), [5]);
    // A01 is on page 5; the others of the file are in no page.
    let mut last = others(401..=449);
    last.push(user("A01"));
    preflight.on_page(five[0].id, page(5, 450, 5, last));
    preflight.on_page(first[2].id, page(3, 450, 5, others(201..=300)));
    assert_eq!(preflight.progress(), (1, 150), "absence waits for page 4");
    preflight.on_page(four[0].id, page(4, 450, 5, others(301..=400)));
    let found = settled(&mut preflight);
    assert!(matches!(found["A01"], Found::Exists(_)));
    assert_eq!(found["A02"], Found::Absent);
    assert_eq!(preflight.progress(), (150, 150));
    assert_eq!(preflight.requests(), 5);
    assert!(preflight.is_finished());
}

#[test]
fn a_large_file_against_a_huge_company_asks_one_by_one_and_the_early_pages_still_count() {
    let mut preflight = Preflight::new(file_ids(150), settings(3, 4), 1);
    let first = preflight.poll(0);
    // 50,000 users: 500 pages for 150 IDs; A03 happens to be on page 1.
    let mut one = others(1..=99);
    one.push(user("A03"));
    preflight.on_page(first[0].id, page(1, 50_000, 500, one));
    let next = preflight.poll(0);
    assert!(next.iter().all(|job| job.employee_id.is_some()), "{next:?}");
    assert!(matches!(settled(&mut preflight)["A03"], Found::Exists(_)));
    // A speculative page past nothing useful proves nothing absent.
    preflight.on_page(first[1].id, page(2, 50_000, 500, others(100..=199)));
    assert!(settled(&mut preflight).is_empty());
}

#[test]
fn an_unconfirmed_rename_that_landed_before_a_reload_is_looked_up_under_its_new_id() {
    let mut import = open_update("employeeID,newEmployeeID,name\nE1,E9,Ani\n");
    import.record_found(vec![("E9".to_owned(), Found::Absent)]);
    import.ledger.set_state(2, RowState::Unconfirmed);
    // After the reload the old ID is gone and the new one exists.
    import.directory = Default::default();
    import.record_found(vec![
        ("E1".to_owned(), Found::Absent),
        ("E9".to_owned(), exists(stored("E9", "Ani"))),
    ]);
    let batches = import.plan_unconfirmed(100);
    assert_eq!(batches.len(), 1, "planned for the lookup of E9");
    assert!(import.plan(100).is_empty(), "never sent as a fresh update");
}
