use employee_import::{Field, RowState};
use leptos::prelude::*;

/// What the table shows for one data row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowView {
    /// The row number in the user's spreadsheet.
    pub number: u32,
    /// One entry per column: the value, and the problem with it if any.
    pub cells: Vec<(String, Option<String>)>,
    /// Problems not tied to a shown column.
    pub problems: Vec<String>,
    pub state: RowState,
}

/// The rows of the sheet with their values, problems and outcome.
#[component]
pub fn RowsTable(columns: Vec<Field>, #[prop(into)] rows: Signal<Vec<RowView>>) -> impl IntoView {
    let headers = columns
        .iter()
        .map(|field| view! { <th scope="col">{field.api_name()}</th> })
        .collect_view();
    view! {
        <div class="rows">
            <table class="rows__table">
                <thead>
                    <tr>
                        <th scope="col">"Row"</th>
                        {headers}
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|row| row.clone() let:row>
                        <Row row=row />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Row(row: RowView) -> impl IntoView {
    let cells = row
        .cells
        .into_iter()
        .map(|(text, problem)| {
            let invalid = problem.is_some();
            view! {
                <td class="rows__cell" class:rows__cell--invalid=invalid title=problem>
                    {text}
                </td>
            }
        })
        .collect_view();
    view! {
        <tr class="rows__row" data-row=row.number>
            <th scope="row" class="rows__number">{row.number}</th>
            {cells}
            <td class="rows__status">
                <Status state=row.state problems=row.problems />
            </td>
        </tr>
    }
}

#[component]
fn Status(state: RowState, problems: Vec<String>) -> impl IntoView {
    match state {
        RowState::Invalid => view! {
            <span class="status status--invalid">"Needs fixing"</span>
            <ul class="status__problems">
                {problems.into_iter().map(|problem| view! { <li>{problem}</li> }).collect_view()}
            </ul>
        }
        .into_any(),
        RowState::Ready => view! { <span class="status status--ready">"Ready"</span> }.into_any(),
        RowState::Sending => {
            view! { <span class="status status--sending">"Sending…"</span> }.into_any()
        }
        RowState::Created { serial } => view! {
            <span class="status status--created">"Created"</span>
            " "
            <code class="status__serial">{serial}</code>
        }
        .into_any(),
        RowState::Rejected(error) => view! {
            <span class="status status--rejected">
                <span class="status__code">{error.error_code}</span>
                " "
                <span class="status__message">{error.message}</span>
            </span>
            <span class="status__detail">{error.detail}</span>
        }
        .into_any(),
        RowState::NotSent { reason } => view! {
            <span class="status status--not-sent">"Not sent"</span>
            <span class="status__detail">{reason}</span>
        }
        .into_any(),
        RowState::Unconfirmed => view! {
            <span class="status status--unconfirmed">"Unconfirmed"</span>
            <span class="status__detail">
                "The answer did not mention this row; it may or may not have been created."
            </span>
        }
        .into_any(),
    }
}
