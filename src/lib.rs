//! The browser shell of the importer: it reads files, calls the API and
//! renders; every decision is made by the `employee_import` core.
//!
//! Modules in reading order: `api` (the only HTTP code), `file` (the only
//! File/Blob code), `components` (presentational), and [`App`] below, which
//! owns the state and wires the three together.

pub mod api;
pub mod components;
pub mod file;

use employee_import::{Field, Import, Lang, LedgerCounts};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiClient;
use crate::components::{ConnectionForm, DropZone, RowView, RowsTable};

/// The columns the table shows, in order. Passwords are never shown.
const SHOWN_FIELDS: [Field; 8] = [
    Field::EmployeeId,
    Field::Name,
    Field::Username,
    Field::Email,
    Field::Phone,
    Field::IsActive,
    Field::TagSerials,
    Field::OrganizationSerial,
];

#[component]
pub fn App() -> impl IntoView {
    let base_url = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    let import = RwSignal::new(None::<Import>);
    let file_name = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    spawn_local(async move {
        match api::load_config().await {
            Ok(config) => {
                base_url.set(config.api_base_url);
                if let Some(preset) = config.access_token {
                    token.set(preset);
                }
            }
            Err(error) => {
                base_url.set(employee_import::config::PRODUCTION_BASE_URL.to_owned());
                notice.set(Some(error));
            }
        }
    });

    let on_file = Callback::new(move |picked: web_sys::File| {
        busy.set(true);
        notice.set(None);
        spawn_local(async move {
            match file::read_file(picked).await {
                Ok(picked) => match Import::from_bytes(&picked.bytes) {
                    Ok(read) => {
                        import.set(Some(read));
                        file_name.set(Some(picked.name));
                    }
                    Err(error) => {
                        import.set(None);
                        file_name.set(None);
                        notice.set(Some(format!("{}: {error}", picked.name)));
                    }
                },
                Err(error) => notice.set(Some(error.to_string())),
            }
            busy.set(false);
        });
    });

    let send = move |_| {
        let client = ApiClient {
            base_url: base_url.get_untracked(),
            token: token.get_untracked(),
        };
        // One request for all sendable rows, as the first slice promises.
        let Some(batch) =
            import.with_untracked(|current| current.as_ref()?.plan(usize::MAX).into_iter().next())
        else {
            return;
        };
        import.update(|current| {
            if let Some(current) = current {
                current.ledger.start_batch(&batch);
            }
        });
        busy.set(true);
        notice.set(None);
        spawn_local(async move {
            let answer = client.create_bulk(&batch.items).await;
            import.update(|current| {
                let Some(current) = current else { return };
                match &answer {
                    Ok(result) => current.ledger.apply_bulk_result(&batch, result),
                    Err(error) => current.ledger.fail_batch(&batch, &error.to_string()),
                }
            });
            if let Err(error) = answer {
                notice.set(Some(error.to_string()));
            }
            busy.set(false);
        });
    };

    let rows = Memo::new(move |_| {
        import.with(|current| current.as_ref().map(row_views).unwrap_or_default())
    });
    let counts =
        Memo::new(move |_| import.with(|current| current.as_ref().map(|i| i.ledger.counts())));
    let sendable = move || counts.get().map(|c| c.ready + c.not_sent).unwrap_or(0);

    view! {
        <header class="app-header">
            <h1>"Ruangkerja employee import"</h1>
        </header>
        <main class="app">
            <ConnectionForm
                base_url=base_url
                token=token
                on_base_url=move |url| base_url.set(url)
                on_token=move |value| token.set(value)
            />
            <DropZone on_file=on_file disabled=busy />
            <Show when=move || notice.with(Option::is_some)>
                <div class="notice notice--error" role="alert">
                    {move || notice.get()}
                </div>
            </Show>
            <Show when=move || import.with(Option::is_some)>
                <section class="import" aria-label="Rows to import">
                    <div class="import__bar">
                        <p class="import__summary" role="status" aria-live="polite">
                            {move || summary(file_name.get(), counts.get())}
                        </p>
                        <button
                            class="button button--primary"
                            type="button"
                            disabled=move || busy.get() || sendable() == 0
                            on:click=send
                        >
                            {move || match sendable() {
                                1 => "Create 1 user".to_owned(),
                                n => format!("Create {n} users"),
                            }}
                        </button>
                    </div>
                    {move || import.with(|current| current.as_ref().map(mapping_notes))}
                    <RowsTable columns=SHOWN_FIELDS.to_vec() rows=rows />
                </section>
            </Show>
        </main>
    }
}

fn row_views(import: &Import) -> Vec<RowView> {
    import
        .report
        .rows
        .iter()
        .zip(import.ledger.rows())
        .map(|(report_row, ledger_row)| RowView {
            number: report_row.row.number,
            cells: SHOWN_FIELDS
                .iter()
                .map(|&field| {
                    let problem = report_row.issues.iter().find(|issue| issue.field == field);
                    (
                        report_row.row.display(field),
                        problem.map(|issue| issue.message(Lang::En)),
                    )
                })
                .collect(),
            problems: report_row
                .issues
                .iter()
                .map(|issue| issue.message(Lang::En))
                .collect(),
            state: ledger_row.state.clone(),
        })
        .collect()
}

fn summary(file_name: Option<String>, counts: Option<LedgerCounts>) -> String {
    let Some(c) = counts else {
        return String::new();
    };
    let mut parts = vec![format!("{} rows", c.total)];
    for (count, label) in [
        (c.ready, "ready"),
        (c.invalid, "need fixing"),
        (c.sending, "sending"),
        (c.created, "created"),
        (c.rejected, "rejected"),
        (c.not_sent, "not sent"),
        (c.unconfirmed, "unconfirmed"),
    ] {
        if count > 0 {
            parts.push(format!("{count} {label}"));
        }
    }
    format!("{}: {}", file_name.unwrap_or_default(), parts.join(", "))
}

fn mapping_notes(import: &Import) -> impl IntoView {
    let ignored: Vec<String> = import
        .report
        .mapping
        .ignored_headers()
        .map(str::to_owned)
        .collect();
    let missing: Vec<&str> = import
        .report
        .missing_fields
        .iter()
        .map(|f| f.api_name())
        .collect();
    view! {
        <ul class="import__notes">
            {(!missing.is_empty()).then(|| view! {
                <li class="import__note import__note--warning">
                    {format!("Missing columns: {}. Add them to the sheet; every row needs them.", missing.join(", "))}
                </li>
            })}
            {(!ignored.is_empty()).then(|| view! {
                <li class="import__note">
                    {format!("Ignored columns (not API fields): {}", ignored.join(", "))}
                </li>
            })}
            <li class="import__note">
                {format!("{}, sheet \"{}\", header in row {}", import.format, import.sheet.name, import.header_row)}
            </li>
        </ul>
    }
}
