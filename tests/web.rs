//! Component tests in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use employee_import::contract::ApiErrorBody;
use employee_import::{Field, RowState};
use leptos::prelude::*;
use ruangkerja_importer::components::{RowView, RowsTable};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> web_sys::HtmlElement {
    let document = document();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

fn row(number: u32, name: &str, state: RowState) -> RowView {
    RowView {
        number,
        cells: vec![(format!("E{number}"), None), (name.to_owned(), None)],
        problems: vec![],
        state,
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

#[wasm_bindgen_test]
async fn rows_table_shows_each_rows_serial_or_error_under_its_sheet_row_number() {
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
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <RowsTable columns=vec![Field::EmployeeId, Field::Name] rows=rows /> }
    });
    leptos::task::tick().await;

    assert_eq!(text_of(&parent, "tr[data-row='2'] th"), "2");
    assert_eq!(
        text_of(&parent, "tr[data-row='2'] .status__serial"),
        "OPENAPI9Z7ZIHIFW"
    );
    assert_eq!(text_of(&parent, "tr[data-row='3'] .status__code"), "10101");
    assert_eq!(
        text_of(&parent, "tr[data-row='3'] .status__message"),
        "USER_EMPLOYEE_ID_EXISTS"
    );

    // A row's state changes in place when its answer arrives.
    rows.update(|rows| rows[1].state = RowState::Unconfirmed);
    leptos::task::tick().await;
    assert_eq!(text_of(&parent, "tr[data-row='3'] .status"), "Unconfirmed");
}

#[wasm_bindgen_test]
async fn cell_text_is_rendered_as_text_never_as_markup() {
    let parent = container();
    let hostile = "<img src=x onerror=\"window.__owned=1\">";
    let rows = vec![row(2, hostile, RowState::Ready)];
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <RowsTable columns=vec![Field::EmployeeId, Field::Name] rows=Signal::stored(rows) /> }
    });
    leptos::task::tick().await;

    assert!(parent.query_selector("img").unwrap().is_none());
    assert_eq!(
        text_of(&parent, "tr[data-row='2'] td:nth-of-type(2)"),
        hostile
    );
}
