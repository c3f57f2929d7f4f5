//! Properties that must hold for any input, checked with proptest.

use employee_import::{
    map_headers, read_workbook, validate, CellValue, Limits, Mode, Sheet, SheetRow,
};
use proptest::prelude::*;

/// A value a user could type into a cell.
#[derive(Debug, Clone)]
enum Typed {
    Text(String),
    Number(f64),
    Bool(bool),
}

fn typed() -> impl Strategy<Value = Typed> {
    prop_oneof![
        // Printable text with at least one visible character.
        "[^\\p{C}\\s][^\\p{C}]{0,40}".prop_map(Typed::Text),
        (-1.0e15f64..1.0e15).prop_map(Typed::Number),
        any::<i64>().prop_map(|n| Typed::Number((n >> 12) as f64)),
        any::<bool>().prop_map(Typed::Bool),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn validation_never_panics_on_arbitrary_cells(
        headers in proptest::collection::vec("\\PC{0,12}|employeeID|name|email|phone|isActive|tagSerials|newEmployeeID|NIK|Aktif", 1..8),
        cells in proptest::collection::vec(proptest::collection::vec(".{0,30}", 0..8), 0..20),
        update in any::<bool>(),
    ) {
        let mut rows = vec![SheetRow { number: 1, cells: headers.iter().cloned().map(CellValue::Text).collect() }];
        for (index, row) in cells.into_iter().enumerate() {
            rows.push(SheetRow { number: index as u32 + 2, cells: row.into_iter().map(CellValue::Text).collect() });
        }
        let row_count = rows.len() - 1;
        let sheet = Sheet { name: "S".into(), rows };
        let mode = if update { Mode::Update } else { Mode::Create };
        let report = validate(&sheet, 1, &map_headers(&headers), mode);
        prop_assert_eq!(report.rows.len(), row_count);
        for row in &report.rows {
            for issue in &row.issues {
                prop_assert!(!issue.message(employee_import::Lang::En).is_empty());
                prop_assert!(!issue.message(employee_import::Lang::Id).is_empty());
            }
        }
    }

    #[test]
    fn values_written_to_an_xlsx_read_back_identical(
        grid in proptest::collection::vec(proptest::collection::vec(typed(), 1..6), 1..12),
    ) {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for (r, row) in grid.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match value {
                    Typed::Text(text) => sheet.write_string(r, c, text).map(|_| ()),
                    Typed::Number(number) => sheet.write_number(r, c, *number).map(|_| ()),
                    Typed::Bool(value) => sheet.write_boolean(r, c, *value).map(|_| ()),
                }
                .unwrap();
            }
        }
        let bytes = workbook.save_to_buffer().unwrap();
        let read = read_workbook(&bytes, None, &Limits::default()).unwrap().sheet;
        prop_assert_eq!(read.rows.len(), grid.len());
        for (row, expected) in read.rows.iter().zip(&grid) {
            for (column, value) in expected.iter().enumerate() {
                let want = match value {
                    Typed::Text(text) => CellValue::Text(text.clone()),
                    Typed::Number(number) => CellValue::Number(*number),
                    Typed::Bool(value) => CellValue::Bool(*value),
                };
                prop_assert_eq!(row.cell(column), &want);
            }
        }
    }

    #[test]
    fn values_written_to_a_csv_read_back_identical(
        // Semicolons are left out: a file whose every line holds the same
        // number of them is ambiguous to any sniffer.
        grid in proptest::collection::vec(proptest::collection::vec("[^\\p{C}\\s;][^\\p{C};]{0,20}", 2..5), 1..12),
    ) {
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        for row in &grid {
            writer.write_record(row).unwrap();
        }
        let bytes = writer.into_inner().unwrap();
        let read = read_workbook(&bytes, None, &Limits::default()).unwrap().sheet;
        prop_assert_eq!(read.rows.len(), grid.len());
        for (row, expected) in read.rows.iter().zip(&grid) {
            let texts: Vec<String> = row.cells.iter().map(|cell| match cell {
                CellValue::Text(text) => text.clone(),
                other => format!("{other:?}"),
            }).collect();
            prop_assert_eq!(&texts, expected);
        }
    }
}

mod sending {
    //! The sender against a model server that already holds some of the
    //! file's employees, loses answers and fails: no row is ever reported as
    //! created by this import unless the server created it during the run.
    use std::collections::{HashMap, HashSet};

    use employee_import::contract::{
        ApiErrorBody, BulkResult, FailedItem, SerialResponse, SuccessItem, UserDetail,
    };
    use employee_import::{
        BatchItems, Dispatcher, Failure, Found, Import, Job, RowState, SendSettings,
    };
    use proptest::prelude::*;
    use serde_json::json;

    /// What happens to one job, as a flaky network and server decide.
    #[derive(Debug, Clone, Copy)]
    enum Fate {
        Answered,
        AnsweredLeavingOut(usize),
        AppliedThenLost,
        LostBeforeApplied,
        ServerError,
        AppliedThenServerError,
        RateLimited,
        TokenRefused,
    }

    fn fate() -> impl Strategy<Value = Fate> {
        prop_oneof![
            4 => Just(Fate::Answered),
            1 => (0usize..5).prop_map(Fate::AnsweredLeavingOut),
            1 => Just(Fate::AppliedThenLost),
            1 => Just(Fate::LostBeforeApplied),
            1 => Just(Fate::ServerError),
            1 => Just(Fate::AppliedThenServerError),
            1 => Just(Fate::RateLimited),
            1 => Just(Fate::TokenRefused),
        ]
    }

    /// One row's employee before the run: none, the same person as the row
    /// (name and e-mail), or someone else; and whether pre-flight checked it.
    #[derive(Debug, Clone, Copy)]
    struct Before {
        existing: Option<bool>,
        checked: bool,
    }

    fn before() -> impl Strategy<Value = Before> {
        (
            prop_oneof![3 => Just(None), 1 => any::<bool>().prop_map(Some)],
            any::<bool>(),
        )
            .prop_map(|(existing, checked)| Before { existing, checked })
    }

    fn user(id: &str, name: &str, email: &str) -> UserDetail {
        UserDetail {
            employee_id: id.to_owned(),
            name: name.to_owned(),
            username: None,
            email: Some(email.to_owned()),
            phone: None,
            is_active: true,
            company_name: None,
            company_serial: None,
            organization_display_name: None,
            organization_level_serial: None,
            tags: Vec::new(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn no_row_is_reported_created_unless_the_server_created_it_during_the_run(
            befores in proptest::collection::vec(before(), 1..30),
            batch_size in 1usize..8,
            concurrency in 1usize..4,
            fates in proptest::collection::vec(fate(), 1..200),
            seed in any::<u64>(),
        ) {
            let rows = befores.len();
            let mut csv = String::from("employeeID,name,email,isActive\n");
            for n in 0..rows {
                csv.push_str(&format!("E{n},Name {n},e{n}@x.id,TRUE\n"));
            }
            let mut import = Import::from_bytes(csv.as_bytes()).unwrap();
            // The server before the run, and what pre-flight found in it.
            let mut server: HashMap<String, UserDetail> = HashMap::new();
            let mut found = Vec::new();
            for (n, before) in befores.iter().enumerate() {
                let id = format!("E{n}");
                if let Some(same) = before.existing {
                    let name = if same { format!("Name {n}") } else { "Someone Else".to_owned() };
                    server.insert(id.clone(), user(&id, &name, &format!("e{n}@x.id")));
                }
                found.push((id.clone(), match (before.checked, server.get(&id)) {
                    (false, _) => Found::Unchecked { reason: "down".into() },
                    (true, Some(existing)) => Found::Exists(Box::new(existing.clone())),
                    (true, None) => Found::Absent,
                }));
            }
            import.record_found(found);
            let settings = SendSettings { batch_size, concurrency, max_attempts: 4, ..SendSettings::default() };
            let mut dispatcher = Dispatcher::new(import.plan(batch_size), settings, seed, &mut import.ledger);
            let mut created_during_run: HashSet<String> = HashSet::new();
            let mut now = 0u64;
            let mut fates = fates.into_iter().cycle();
            for _ in 0..2_000 {
                if dispatcher.is_finished() {
                    break;
                }
                if dispatcher.hold().is_some() {
                    dispatcher.resume();
                }
                let jobs = dispatcher.poll(now, &mut import.ledger);
                if jobs.is_empty() {
                    now = dispatcher.next_wake_ms().unwrap_or(now).max(now);
                    continue;
                }
                for job in jobs {
                    let fate = fates.next().unwrap();
                    match job {
                        Job::Lookup { id, employee_ids } => {
                            // A lookup whose fate is an error leaves its first ID unchecked.
                            let unchecked: Vec<String> = match fate {
                                Fate::ServerError | Fate::LostBeforeApplied => employee_ids.iter().take(1).cloned().collect(),
                                _ => Vec::new(),
                            };
                            let users: Vec<UserDetail> = employee_ids
                                .iter()
                                .filter(|e| !unchecked.contains(e))
                                .filter_map(|e| server.get(e).cloned())
                                .collect();
                            dispatcher.on_lookup(id, &users, &unchecked, now, &mut import.ledger);
                        }
                        Job::Send { id, batch } => {
                            let failure = match fate {
                                Fate::LostBeforeApplied => Some(Failure::Network("down".into())),
                                Fate::ServerError => Some(Failure::Server { status: 500 }),
                                Fate::RateLimited => Some(Failure::RateLimited { retry_after_ms: Some(100) }),
                                Fate::TokenRefused => Some(Failure::Unauthorized),
                                _ => None,
                            };
                            if let Some(failure) = failure {
                                dispatcher.on_failure(id, &failure, now, &mut import.ledger);
                                continue;
                            }
                            let BatchItems::Create(items) = &batch.items else { unreachable!() };
                            let mut answer = BulkResult::default();
                            for item in items {
                                let payload = json!({"employeeID": item.employee_id});
                                if server.contains_key(&item.employee_id) {
                                    answer.failed_items.push(FailedItem {
                                        error: ApiErrorBody {
                                            error_code: 10101,
                                            message: "USER_EMPLOYEE_ID_EXISTS".into(),
                                            detail: "employee id already been taken".into(),
                                        },
                                        payload,
                                    });
                                } else {
                                    let email = item.email.clone().unwrap_or_default();
                                    server.insert(item.employee_id.clone(), user(&item.employee_id, &item.name, &email));
                                    created_during_run.insert(item.employee_id.clone());
                                    answer.success_items.push(SuccessItem {
                                        payload,
                                        response: SerialResponse { serial: format!("S{}", item.employee_id) },
                                    });
                                }
                            }
                            match fate {
                                Fate::AppliedThenLost => {
                                    dispatcher.on_failure(id, &Failure::Network("reset".into()), now, &mut import.ledger);
                                }
                                Fate::AppliedThenServerError => {
                                    dispatcher.on_failure(id, &Failure::Server { status: 502 }, now, &mut import.ledger);
                                }
                                Fate::AnsweredLeavingOut(n) => {
                                    let keep = answer.success_items.len().saturating_sub(n);
                                    answer.success_items.truncate(keep);
                                    dispatcher.on_answer(id, &answer, &mut import.ledger);
                                }
                                _ => dispatcher.on_answer(id, &answer, &mut import.ledger),
                            }
                        }
                    }
                    let counts = import.ledger.counts();
                    let sum = counts.invalid + counts.excluded + counts.ready + counts.sending + counts.created
                        + counts.rejected + counts.not_sent + counts.unconfirmed + counts.exists;
                    prop_assert_eq!(sum, rows);
                    prop_assert_eq!(counts.total, rows);
                }
            }
            for (row, before) in import.ledger.rows().iter().zip(&befores) {
                let id = row.employee_id.clone().unwrap();
                let ours = created_during_run.contains(&id);
                match &row.state {
                    RowState::Created { .. } | RowState::Applied => prop_assert!(ours, "{:?} {:?}", row, before),
                    // What the server created for us is never reported
                    // refused or unsent.
                    RowState::Rejected(_) | RowState::NotSent { .. } => prop_assert!(!ours, "{:?}", row),
                    // A row whose ID pre-flight saw taken is never sent.
                    RowState::Ready if dispatcher.is_finished() => prop_assert!(before.checked && before.existing.is_some(), "{:?}", row),
                    RowState::Unconfirmed | RowState::Exists(_) => {}
                    other if dispatcher.is_finished() => prop_assert!(false, "row left in {:?}", other),
                    _ => {}
                }
            }
        }
    }
}
