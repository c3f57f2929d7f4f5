//! Component tests in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use employee_import::contract::ApiErrorBody;
use employee_import::{Assessment, Change, Field, Lang, Mode, Operation, RowState, Severity};
use leptos::prelude::*;
use ruangkerja_importer::components::{CellView, ColumnView, PreviewGrid, RowView};
use ruangkerja_importer::i18n;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> web_sys::HtmlElement {
    let document = document();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

fn columns() -> Vec<ColumnView> {
    [Field::EmployeeId, Field::Name]
        .into_iter()
        .map(|field| ColumnView {
            field,
            header: String::new(),
            errors: 0,
            proposals: 0,
            editable: true,
            content_chars: 8,
        })
        .collect()
}

fn row(number: u32, name: &str, state: RowState) -> RowView {
    RowView {
        number,
        cells: vec![
            CellView {
                field: Field::EmployeeId,
                text: format!("E{number}"),
                issue: None,
                proposal: None,
                change: None,
                kept: None,
                tidied: None,
                named: None,
            },
            CellView {
                field: Field::Name,
                text: name.to_owned(),
                issue: None,
                proposal: None,
                change: None,
                kept: None,
                tidied: None,
                named: None,
            },
        ],
        problems: vec![],
        state,
        assessment: None,
        operation: Operation::Create,
        email_state: None,
        email_change: false,
        included: true,
        toggle: true,
    }
}

fn text_of(parent: &web_sys::HtmlElement, selector: &str) -> String {
    parent
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
        .text_content()
        .unwrap_or_default()
}

/// Mounts a grid over `rows`; returns the handle to keep it alive.
fn mount_grid(
    parent: &web_sys::HtmlElement,
    rows: RwSignal<Vec<RowView>>,
    lang: RwSignal<Lang>,
) -> impl Drop {
    mount_grid_with(
        parent,
        rows,
        lang,
        Signal::stored(true),
        Signal::stored(None),
    )
}

/// `mount_grid`, with cells editable only while `editable` says so, and
/// the rows of the file `source` names.
fn mount_grid_with(
    parent: &web_sys::HtmlElement,
    rows: RwSignal<Vec<RowView>>,
    lang: RwSignal<Lang>,
    editable: Signal<bool>,
    source: Signal<Option<String>>,
) -> impl Drop {
    leptos::mount::mount_to(parent.clone(), move || {
        let row_at =
            Callback::new(move |position: usize| rows.with(|rows| rows.get(position).cloned()));
        view! {
            <PreviewGrid
                lang=lang
                mode=Signal::stored(Mode::Create)
                columns=Signal::stored(columns())
                total=Signal::derive(move || rows.with(Vec::len))
                row_at=row_at
                source=source
                error_positions=Signal::stored(vec![])
                editable=editable
                on_edit=Callback::new(|_| {})
                on_apply_all=Callback::new(|_| {})
                on_exclude=Callback::new(|_| {})
            />
        }
    })
}

/// The grid builds its rows a frame after it is built (one task each):
/// waits for them.
async fn rows_built(parent: &web_sys::HtmlElement) {
    for _ in 0..200 {
        leptos::task::tick().await;
        if parent.query_selector("[data-row]").ok().flatten().is_some() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    panic!("the grid built no row");
}

#[wasm_bindgen_test]
async fn an_update_row_shows_what_changes_what_an_empty_cell_keeps_and_why_a_row_is_held_back() {
    let parent = container();
    let mut changed = row(2, "Ani Wijaya", RowState::Ready);
    changed.operation = Operation::Update;
    changed.cells[1].change = Some("Ani → Ani Wijaya".into());
    changed.assessment = Some(Assessment::Changes(vec![Change {
        field: Field::Name,
        old: "Ani".into(),
        new: Some("Ani Wijaya".into()),
    }]));
    let mut kept = row(3, "", RowState::Ready);
    kept.operation = Operation::Update;
    kept.cells[1].kept = Some("Budi".into());
    kept.assessment = Some(Assessment::Unchanged);
    kept.included = false;
    let mut taken = row(4, "Citra", RowState::Ready);
    taken.assessment = Some(Assessment::Exists {
        name: "Citra Lama".into(),
    });
    taken.included = false;
    taken.toggle = false;
    let rows = RwSignal::new(vec![changed, kept, taken]);
    let _handle = mount_grid(&parent, rows, RwSignal::new(Lang::En));
    rows_built(&parent).await;

    assert_eq!(
        text_of(&parent, "[data-row='2'] .grid__text--changed"),
        "Ani → Ani Wijaya"
    );
    assert_eq!(
        text_of(&parent, "[data-row='2'] .rows__status"),
        "Will change: name"
    );
    assert_eq!(
        text_of(&parent, "[data-row='3'] .grid__text--kept"),
        "Budi (kept)"
    );
    assert!(text_of(&parent, "[data-row='3'] .rows__status").starts_with("No change"));
    assert_eq!(
        text_of(&parent, "[data-row='4'] .rows__status"),
        "ID taken by Citra Lama: left out of the create."
    );
    let include = |number: u32| -> web_sys::HtmlInputElement {
        parent
            .query_selector(&format!("[data-row='{number}'] input[type='checkbox']"))
            .unwrap()
            .unwrap()
            .unchecked_into()
    };
    assert!(include(2).checked());
    assert!(!include(3).checked() && !include(3).disabled());
    assert!(!include(4).checked() && include(4).disabled());
}

/// While a file is read or judged again its cells take no edit, and every
/// row on screen says so: without being built again (a long task for a
/// screen of rows), the very same cells.
#[wasm_bindgen_test]
async fn cells_stop_and_start_taking_edits_without_their_rows_being_built_again() {
    let parent = container();
    let rows = RwSignal::new(vec![
        row(2, "Ani", RowState::Ready),
        row(3, "Budi", RowState::Ready),
    ]);
    let editable = RwSignal::new(true);
    let _handle = mount_grid_with(
        &parent,
        rows,
        RwSignal::new(Lang::En),
        editable.into(),
        Signal::stored(None),
    );
    rows_built(&parent).await;
    let cell = parent
        .query_selector("[data-row='3'] [data-field='name']")
        .unwrap()
        .unwrap();
    assert_eq!(cell.get_attribute("aria-readonly"), None);

    editable.set(false);
    leptos::task::tick().await;
    assert_eq!(cell.get_attribute("aria-readonly").as_deref(), Some("true"));
    assert!(cell.is_connected(), "the row was built again");

    editable.set(true);
    leptos::task::tick().await;
    assert_eq!(cell.get_attribute("aria-readonly"), None);
    assert!(cell.is_connected(), "the row was built again");
}

#[wasm_bindgen_test]
async fn the_grid_shows_each_rows_serial_or_error_under_its_sheet_row_number() {
    let parent = container();
    let rows = RwSignal::new(vec![
        row(
            2,
            "Ani",
            RowState::Created {
                serial: "OPENAPI9Z7ZIHIFW".into(),
            },
        ),
        row(
            3,
            "Budi",
            RowState::Rejected(ApiErrorBody {
                error_code: 10101,
                message: "USER_EMPLOYEE_ID_EXISTS".into(),
                detail: "employee id already been taken".into(),
            }),
        ),
    ]);
    let _handle = mount_grid(&parent, rows, RwSignal::new(Lang::En));
    rows_built(&parent).await;

    assert_eq!(text_of(&parent, "[data-row='2'] [role='rowheader']"), "2");
    assert_eq!(
        text_of(&parent, "[data-row='2'] .status__serial"),
        "OPENAPI9Z7ZIHIFW"
    );
    assert_eq!(text_of(&parent, "[data-row='3'] .status__code"), "10101");
    assert_eq!(
        text_of(&parent, "[data-row='3'] .status__message"),
        "USER_EMPLOYEE_ID_EXISTS"
    );

    // A row's state changes in place when its answer arrives.
    rows.update(|rows| rows[1].state = RowState::Unconfirmed);
    leptos::task::tick().await;
    assert_eq!(text_of(&parent, "[data-row='3'] .status"), "Unconfirmed");
}

#[wasm_bindgen_test]
async fn only_the_rows_in_view_are_in_the_dom_however_many_there_are() {
    let parent = container();
    let many: Vec<RowView> = (2..100_002)
        .map(|n| row(n, "Karyawan", RowState::Ready))
        .collect();
    let _handle = mount_grid(&parent, RwSignal::new(many), RwSignal::new(Lang::En));
    rows_built(&parent).await;

    let rendered = parent
        .query_selector_all("[role='rowgroup'] [data-row]")
        .unwrap()
        .length();
    assert!(rendered > 0 && rendered < 60, "{rendered} rows in the DOM");
    let grid = parent.query_selector("[role='grid']").unwrap().unwrap();
    assert_eq!(
        grid.get_attribute("aria-rowcount").as_deref(),
        Some("100001")
    );
}

fn rows_in_dom(parent: &web_sys::HtmlElement) -> u32 {
    parent
        .query_selector_all("[role='rowgroup'] [data-row]")
        .unwrap()
        .length()
}

async fn next_frame() {
    let (sender, receiver) = futures::channel::oneshot::channel::<()>();
    request_animation_frame(move || {
        let _ = sender.send(());
    });
    let _ = receiver.await;
}

/// Another file's rows replace every row on screen: the first screen of
/// them comes at once, the rows around it in the frames after, so that no
/// one task builds them all.
#[wasm_bindgen_test]
async fn another_files_rows_come_a_screen_first_and_the_rest_in_the_next_frames() {
    let parent = container();
    let sheet = |name: &str| -> Vec<RowView> {
        (2..1_002).map(|n| row(n, name, RowState::Ready)).collect()
    };
    let rows = RwSignal::new(sheet("Ani"));
    let source = RwSignal::new(Some("first.xlsx".to_owned()));
    let _handle = mount_grid_with(
        &parent,
        rows,
        RwSignal::new(Lang::En),
        Signal::stored(true),
        source.into(),
    );
    rows_built(&parent).await;
    for _ in 0..4 {
        next_frame().await;
    }
    let all = rows_in_dom(&parent);

    rows.set(sheet("Budi"));
    source.set(Some("second.xlsx".to_owned()));
    leptos::task::tick().await;
    let first_screen = rows_in_dom(&parent);
    assert!(
        first_screen > 0 && first_screen < all,
        "{first_screen} of {all} rows built at once"
    );
    assert!(text_of(&parent, "[data-row='2'] [data-field='name']").contains("Budi"));
    for _ in 0..4 {
        next_frame().await;
    }
    assert_eq!(rows_in_dom(&parent), all);
}

#[wasm_bindgen_test]
async fn an_invalid_cell_is_marked_and_described_for_assistive_technology() {
    let parent = container();
    let mut bad = row(2, "", RowState::Invalid);
    bad.cells[1].issue = Some((Severity::Error, "name is required: fill it in.".into()));
    bad.problems = vec![
        (Severity::Error, "name is required: fill it in.".into()),
        (Severity::Warning, "phone is in local format".into()),
    ];
    let lang = RwSignal::new(Lang::En);
    let _handle = mount_grid(&parent, RwSignal::new(vec![bad]), lang);
    rows_built(&parent).await;

    let cell = parent
        .query_selector("[data-row='2'] [data-field='name']")
        .unwrap()
        .unwrap();
    assert_eq!(cell.get_attribute("aria-invalid").as_deref(), Some("true"));
    let described = cell.get_attribute("aria-describedby").unwrap();
    let description = document().get_element_by_id(&described).unwrap();
    assert_eq!(
        description.text_content().unwrap(),
        "name is required: fill it in."
    );

    // The row's first problem is in words in its status cell, with how
    // many more there are; the cell bar says it whole when the cell has
    // focus, never inside the cell where the next row covers it.
    assert_eq!(
        text_of(&parent, "[data-row='2'] .status__reason"),
        "name is required: fill it in."
    );
    assert_eq!(text_of(&parent, "[data-row='2'] .status__more"), "+1 more");
    cell.unchecked_ref::<web_sys::HtmlElement>()
        .focus()
        .unwrap();
    leptos::task::tick().await;
    let bar = text_of(&parent, ".cell-bar");
    assert!(bar.contains("Row 2 · name"), "{bar}");
    assert!(bar.contains("name is required: fill it in."), "{bar}");
    assert!(
        bar.contains("Also in this row: phone is in local format"),
        "{bar}"
    );

    lang.set(Lang::Id);
    leptos::task::tick().await;
    assert_eq!(
        text_of(&parent, "[data-row='2'] .status"),
        "Perlu diperbaiki"
    );
}

#[wasm_bindgen_test]
async fn cell_text_is_rendered_as_text_never_as_markup() {
    let parent = container();
    let hostile = "<img src=x onerror=\"window.__owned=1\">";
    let _handle = mount_grid(
        &parent,
        RwSignal::new(vec![row(2, hostile, RowState::Ready)]),
        RwSignal::new(Lang::En),
    );
    rows_built(&parent).await;

    assert!(parent.query_selector("img").unwrap().is_none());
    assert_eq!(
        text_of(&parent, "[data-row='2'] [data-field='name']"),
        hostile
    );
}

#[wasm_bindgen_test]
fn counts_use_the_languages_thousands_separator() {
    assert_eq!(i18n::number(Lang::En, 1_204), "1,204");
    assert_eq!(i18n::number(Lang::Id, 1_204_000), "1.204.000");
    assert_eq!(i18n::send_label(Lang::En, Mode::Create, 1), "Create 1 user");
}

#[wasm_bindgen_test]
fn the_template_reads_back_through_the_core_and_offers_an_is_active_dropdown() {
    use employee_import::template::template;
    use std::io::Read;

    let spec = template(Mode::Create, Lang::En);
    let bytes = ruangkerja_importer::xlsx::template_xlsx(&spec).unwrap();

    let import = employee_import::Import::from_bytes(&bytes).unwrap();
    assert_eq!(import.sheet.name, "Employees");
    assert!(import.report.missing_fields.is_empty());
    assert_eq!(import.report.mapping.ignored_headers().count(), 0);
    // The example row is read whole, and is the one thing wrong with it:
    // it is the template's example, never sent.
    assert_eq!(
        import.report.rows[0]
            .issues
            .iter()
            .map(|issue| issue.kind.code())
            .collect::<Vec<_>>(),
        ["template_example"]
    );

    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut sheet = String::new();
    archive
        .by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    assert!(sheet.contains(r#"<dataValidation type="list""#), "{sheet}");
    assert!(
        sheet.contains("<formula1>\"TRUE,FALSE\"</formula1>"),
        "{sheet}"
    );
}

/// The journal in this browser's IndexedDB: a job comes back with its
/// entries replayed, and a job whose last run began over 7 days ago is
/// removed, entries and all, the next time jobs are read.
#[wasm_bindgen_test]
async fn the_journal_replays_a_job_and_forgets_it_after_seven_days() {
    use employee_import::job::{JournalEntry, SavedCounts, SavedRow};
    use employee_import::{Import, SavedJob};
    use ruangkerja_importer::journal;

    let csv = b"employeeID,name,email,isActive\nE1,Ani,a@x.id,TRUE\nE2,Budi,b@x.id,TRUE\n";
    let import = Import::from_bytes(csv).unwrap();
    let job: SavedJob = import.save("staff.csv", "journal-test-1");
    let now = js_sys::Date::now();
    journal::begin(&job, "tab-a", now).await.unwrap();
    let entry = JournalEntry {
        rows: vec![SavedRow {
            row: 2,
            state: RowState::Created {
                serial: "S1".into(),
            },
        }],
        email_rows: Vec::new(),
        counts: SavedCounts {
            total: 2,
            done: 1,
            waiting: 1,
        },
    };
    journal::append("journal-test-1", 1, &entry).await.unwrap();
    let stored = journal::load("journal-test-1").await.unwrap();
    assert_eq!(stored.writer, "tab-a");
    assert_eq!(stored.job.counts.done, 1);
    assert_eq!(stored.job.rows.len(), 1);

    let old = import.save("old.csv", "journal-test-2");
    journal::begin(&old, "tab-a", now - journal::KEEP_MS - 1.0)
        .await
        .unwrap();
    journal::append("journal-test-2", 1, &entry).await.unwrap();
    let newest = journal::newest(now)
        .await
        .map(|stored| stored.job.fingerprint);
    assert_eq!(newest.as_deref(), Some("journal-test-1"));
    assert!(
        journal::load("journal-test-2").await.is_none(),
        "a job begun over 7 days ago is gone"
    );

    journal::discard("journal-test-1").await.unwrap();
    assert!(journal::load("journal-test-1").await.is_none());
}
