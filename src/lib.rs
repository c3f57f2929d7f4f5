//! The browser shell of the importer: it reads files, calls the API and
//! renders; every decision is made by the `employee_import` core.
//!
//! Modules in reading order: `api` (the only HTTP code), `file` (the only
//! File/Blob code), `storage` (the only web-storage code), `xlsx` (writing
//! workbooks), `i18n` (every shell text in English and Bahasa Indonesia),
//! `components` (presentational), and [`App`] below, which owns the state
//! and wires them together.

pub mod api;
pub mod checking;
pub mod components;
pub mod file;
pub mod i18n;
pub mod lock;
pub mod reader;
pub mod reading;
pub mod sending;
pub mod storage;
pub mod worker;
pub mod xlsx;

use std::sync::Arc;

use employee_import::export;
use employee_import::{
    Assessment, Change, Field, Import, ImportError, ImportOptions, Lang, Mode, Operation, RowState,
    SendSettings, Severity, SheetError,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;
use crate::checking::CheckLoop;
use crate::components::{
    CellView, ColumnView, ConnectionForm, DropZone, ImportSetup, LanguageSwitch, PasswordPrompt,
    PreflightPanel, PreviewGrid, ReadProgress, RowView, SendPanel,
};
use crate::i18n::text;
use crate::reading::{ReadFailure, Reading};
use crate::sending::{SendLoop, Step};

/// How many of the sheet's first rows are offered as the header row.
const HEADER_CHOICES: usize = 30;
/// Frames over which the import section is first built (see `App`).
const SECTION_STAGES: u8 = 2;

/// What went wrong, kept as a value so it is shown in the current language.
#[derive(Clone)]
enum Notice {
    Import {
        file: String,
        error: Arc<ImportError>,
    },
    Read(ReadFailure),
    Api(ApiError),
    Config(String),
    Export(String),
    Copied(usize),
    TokenExpired,
    TokenMissing,
    OtherTabSending,
}

impl Notice {
    fn message(&self, lang: Lang) -> String {
        match self {
            Notice::Import { file, error } => format!("{file}: {}", error.message(lang)),
            Notice::Read(failure) => i18n::read_failure(lang, failure),
            Notice::Api(error) => error.message(lang),
            Notice::Config(error) => error.clone(),
            Notice::Copied(count) => format!("{} ({count})", text(lang).copied),
            Notice::TokenExpired => text(lang).token_expired.to_owned(),
            Notice::TokenMissing => text(lang).token_missing.to_owned(),
            Notice::OtherTabSending => text(lang).other_tab_sending.to_owned(),
            Notice::Export(error) => lang.pick(
                format!("The result file could not be made: {error}"),
                format!("Berkas hasil tidak dapat dibuat: {error}"),
            ),
        }
    }
}

/// Which rows the preview shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum RowFilter {
    All,
    Errors,
    Warnings,
    Valid,
    Done,
    NotDone,
}

impl RowFilter {
    const ALL: [RowFilter; 6] = [
        RowFilter::All,
        RowFilter::Errors,
        RowFilter::Warnings,
        RowFilter::Valid,
        RowFilter::Done,
        RowFilter::NotDone,
    ];

    fn keeps(self, row: &employee_import::ReportRow, state: &RowState) -> bool {
        match self {
            RowFilter::All => true,
            RowFilter::Errors => !row.is_valid(),
            RowFilter::Warnings => row.issues.iter().any(|i| i.severity() == Severity::Warning),
            RowFilter::Valid => row.is_valid(),
            RowFilter::Done => matches!(state, RowState::Created { .. } | RowState::Applied),
            RowFilter::NotDone => matches!(
                state,
                RowState::Rejected(_)
                    | RowState::NotSent { .. }
                    | RowState::Unconfirmed
                    | RowState::Exists(_)
            ),
        }
    }
}

#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(storage::load_lang().unwrap_or_default());
    let base_url = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    let import = RwSignal::new(None::<Import>);
    let notice = RwSignal::new(None::<Notice>);
    let filter = RwSignal::new(RowFilter::All);
    let saved_job = RwSignal::new(storage::load_job());
    // Set once `reading` exists: what follows a file read whole.
    let after_read = StoredValue::new_local(None::<Box<dyn Fn(bool)>>);
    let reading = Reading::new(
        import,
        Callback::new(move |failure| notice.set(Some(Notice::Read(failure)))),
        Callback::new(move |resumed| {
            after_read.with_value(|f| {
                if let Some(f) = f {
                    f(resumed);
                }
            })
        }),
    );
    let file = reading.file;
    let defaults = SendSettings::default();
    let batch_size = RwSignal::new(defaults.batch_size);
    let concurrency = RwSignal::new(defaults.concurrency);
    let timeout_seconds =
        RwSignal::new(employee_import::config::AppConfig::default().request_timeout_seconds);
    // A run's job is saved under the file on screen.
    let job_file = Signal::derive(move || {
        file.with(|f| f.as_ref().map(|f| (f.name.clone(), f.fingerprint.clone())))
    });
    let on_request_error =
        Callback::new(move |error: ApiError| notice.set(Some(Notice::Api(error))));
    let on_busy = Callback::new(move |()| notice.set(Some(Notice::OtherTabSending)));
    let sender = SendLoop::new(
        import,
        base_url,
        token,
        timeout_seconds,
        on_request_error,
        on_busy,
        job_file,
    );
    // Pre-flight: what Ruangkerja holds for the file's IDs, before sending.
    let checker = CheckLoop::new(
        import,
        base_url,
        token,
        timeout_seconds,
        on_request_error,
        // A finished check answers the failures it told on the way (unless
        // a run is sending, whose failures are its own).
        Callback::new(move |()| {
            let stale = notice.with_untracked(|n| matches!(n, Some(Notice::Api(_))));
            if stale && !sender.run.with_untracked(|run| run.active) {
                notice.set(None);
            }
        }),
    );
    // The token's expiry, when it came from a sign-in (ms since the epoch).
    let token_expiry = RwSignal::new(None::<f64>);
    let remember = RwSignal::new(false);
    if let Some((kept, expiry)) = storage::load_tab_token() {
        token.set(kept);
        token_expiry.set(expiry);
        remember.set(true);
    }
    let sending = move || sender.run.with(|run| run.active);
    let checking = move || checker.state.with(|state| state.active);
    let send_settings = move || SendSettings {
        batch_size: batch_size.get_untracked(),
        concurrency: concurrency.get_untracked(),
        ..SendSettings::default()
    };
    // Looks up whatever the import needs and has not got, when a token is
    // there to ask with: after a file is opened, a cell edited, the mode
    // changed. Without a token the rows stay "not checked" and the send
    // button asks for one.
    let check_if_needed = move || {
        let reading_rows = reading.progress.with_untracked(Option::is_some);
        if !token.get_untracked().trim().is_empty()
            && !sender.run.get_untracked().active
            && !reading_rows
        {
            checker.start(send_settings(), false);
        }
    };

    // Outside sync only: tell the page its language.
    Effect::new(move |_| {
        let lang = lang.get();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.pick("en", "id"));
        }
        document().set_title(text(lang).title);
    });

    spawn_local(async move {
        match api::load_config().await {
            Ok(config) => {
                if let Some(n) = config.batch_size {
                    batch_size.set(n.clamp(1, 500));
                }
                if let Some(n) = config.concurrency {
                    concurrency.set(n.clamp(1, 10));
                }
                // The deployer's language applies until the user picks one.
                if let Some(chosen) = config.lang().filter(|_| storage::load_lang().is_none()) {
                    lang.set(chosen);
                }
                base_url.set(config.api_base_url);
                timeout_seconds.set(config.request_timeout_seconds);
                if let Some(preset) = config
                    .access_token
                    .filter(|_| token.get_untracked().is_empty())
                {
                    token.set(preset);
                }
            }
            Err(error) => {
                base_url.set(employee_import::config::PRODUCTION_BASE_URL.to_owned());
                notice.set(Some(Notice::Config(error)));
            }
        }
    });

    // A file read whole (or re-validated) replaces what the page showed.
    after_read.set_value(Some(Box::new(move |resumed: bool| {
        if resumed {
            saved_job.set(None);
        }
        notice.update(|n| {
            if matches!(n, Some(Notice::Read(_) | Notice::Import { .. })) {
                *n = None;
            }
        });
        check_if_needed();
    })));
    // The spare reader starts once the page is on screen.
    request_animation_frame(move || reading.warm_up());
    // The first time rows arrive, the import section is built in stages,
    // one per frame (the rows first, then the sheet and column choices,
    // then the panels): building it all at once, with its code run for
    // the first time, holds the page for over 100 ms.
    let stage = RwSignal::new(0_u8);
    Effect::new(move |_| {
        if import.with(Option::is_some) && stage.get() < SECTION_STAGES {
            request_animation_frame(move || stage.update(|stage| *stage += 1));
        }
    });
    let setup_built = move || stage.get() >= 1;
    let panels_built = move || stage.get() >= 2;

    let on_password = Callback::new(move |password: String| {
        reading.password(password, saved_job.get_untracked());
    });

    let on_file = Callback::new(move |picked: web_sys::File| {
        notice.set(None);
        filter.set(RowFilter::All);
        // Too big a file is refused before the browser reads it.
        let limit = employee_import::sheet::Limits::default().max_file_bytes;
        if picked.size() > limit as f64 {
            let error = ImportError::Sheet(SheetError::FileTooLarge {
                size_mb: picked.size() / (1024.0 * 1024.0),
                limit_mb: limit / (1024 * 1024),
            });
            notice.set(Some(Notice::Import {
                file: picked.name(),
                error: Arc::new(error),
            }));
            return;
        }
        reading.open_file(picked, saved_job.get_untracked());
    });

    let reopen = move |options: ImportOptions| {
        if sending() || reading.busy() {
            return;
        }
        reading.reopen(options);
    };
    let on_sheet = Callback::new(move |name: String| {
        reopen(ImportOptions {
            sheet: Some(name),
            ..ImportOptions::default()
        })
    });
    let on_header_row = Callback::new(move |row: u32| {
        let sheet = import.with_untracked(|i| i.as_ref().map(|i| i.sheet.name.clone()));
        reopen(ImportOptions {
            sheet,
            header_row: Some(row),
            ..ImportOptions::default()
        })
    });
    let on_map = Callback::new(move |(column, field): (usize, Option<Field>)| {
        if sending() || reading.busy() {
            return;
        }
        let chosen = import.with_untracked(|current| {
            let current = current.as_ref()?;
            let mut mapping = current.report.mapping.clone();
            mapping.assign(column, field);
            Some((mapping, current.report.mode))
        });
        if let Some((mapping, mode)) = chosen {
            storage::save_mapping(&mapping);
            reading.revalidate(mapping, mode);
        }
    });
    let on_mode = Callback::new(move |mode: Mode| {
        if sending() || reading.busy() {
            return;
        }
        let mapping = import.with_untracked(|i| i.as_ref().map(|i| i.report.mapping.clone()));
        if let Some(mapping) = mapping {
            reading.revalidate(mapping, mode);
        }
    });
    let on_edit = Callback::new(move |(number, field, value): (u32, Field, String)| {
        if reading.busy() {
            return;
        }
        import.update(|current| {
            if let Some(current) = current {
                current.edit_cell(number, field, &value);
            }
        });
        reading.edit(employee_import::CellEdit {
            row: number,
            field,
            text: value,
        });
        // An edited ID is looked up before it can be sent.
        check_if_needed();
    });
    let on_exclude = Callback::new(move |(number, excluded): (u32, bool)| {
        // Rows still being read or re-validated are not final.
        if reading.busy() {
            return;
        }
        import.update(|current| {
            if let Some(current) = current {
                current.set_excluded(number, excluded);
            }
        });
    });

    let on_token = Callback::new(move |value: String| {
        token.set(value.clone());
        token_expiry.set(None);
        if remember.get_untracked() {
            storage::save_tab_token(&value, None);
        }
    });
    let on_remember = Callback::new(move |keep: bool| {
        remember.set(keep);
        if keep {
            storage::save_tab_token(&token.get_untracked(), token_expiry.get_untracked());
        } else {
            storage::clear_tab_token();
        }
    });
    let on_sign_in = Callback::new(move |(client_id, client_secret): (String, String)| {
        let client = api::ApiClient {
            base_url: base_url.get_untracked(),
            token: String::new(),
            timeout_seconds: timeout_seconds.get_untracked(),
        };
        spawn_local(async move {
            match client.exchange_token(&client_id, &client_secret).await {
                Ok(grant) => {
                    let seconds: f64 = grant.expires_in.trim().parse().unwrap_or(0.0);
                    let expiry = (seconds > 0.0).then(|| js_sys::Date::now() + seconds * 1000.0);
                    token.set(grant.access_token.clone());
                    token_expiry.set(expiry);
                    if remember.get_untracked() {
                        storage::save_tab_token(&grant.access_token, expiry);
                    }
                    notice.set(None);
                }
                Err(error) => notice.set(Some(Notice::Api(error))),
            }
        });
    });
    // An expired token is caught before anything is sent.
    let token_expired = move || {
        token_expiry
            .get_untracked()
            .is_some_and(|at| js_sys::Date::now() >= at)
    };
    let expiry_text = Signal::derive(move || {
        token_expiry
            .get()
            .map(|at| i18n::expiry(lang.get(), ((at - js_sys::Date::now()) / 1000.0) as i64))
    });

    let on_start = Callback::new(move |()| {
        // Rows still being read or re-validated are not final.
        if reading.busy() {
            return;
        }
        if token_expired() {
            notice.set(Some(Notice::TokenExpired));
            return;
        }
        if token.get_untracked().trim().is_empty() {
            notice.set(Some(Notice::TokenMissing));
            return;
        }
        notice.set(None);
        if checking() {
            return;
        }
        // Nothing is written before every row was checked and shown.
        if !checker.start(send_settings(), false) {
            sender.start(Step::Users, send_settings());
        }
    });
    let on_check = Callback::new(move |()| {
        // Rows still being read or re-validated are not final.
        if reading.busy() {
            return;
        }
        if token.get_untracked().trim().is_empty() {
            notice.set(Some(Notice::TokenMissing));
            return;
        }
        notice.set(None);
        // "Check again": IDs that could not be checked are asked anew.
        checker.start(send_settings(), true);
    });
    let on_cancel_check = Callback::new(move |()| checker.cancel());
    let on_update_instead = Callback::new(move |()| {
        // Rows still being read or re-validated are not final.
        if reading.busy() {
            return;
        }
        import.update(|current| {
            if let Some(current) = current {
                current.update_existing_instead();
            }
        });
    });
    let on_change_emails = Callback::new(move |()| {
        // Rows still being read or re-validated are not final.
        if reading.busy() {
            return;
        }
        if token_expired() {
            notice.set(Some(Notice::TokenExpired));
            return;
        }
        notice.set(None);
        sender.start(Step::Emails, send_settings());
    });
    let on_retry_rejected = Callback::new(move |()| {
        // Rows still being read or re-validated are not final.
        if reading.busy() {
            return;
        }
        if checking() {
            return;
        }
        if token_expired() {
            notice.set(Some(Notice::TokenExpired));
            return;
        }
        import.update(|current| {
            if let Some(current) = current {
                current.ledger.retry_rejected(&current.report);
            }
        });
        notice.set(None);
        sender.start(Step::Users, send_settings());
    });

    let download_template = move |_| {
        let mode = import
            .with_untracked(|i| i.as_ref().map(|i| i.report.mode))
            .unwrap_or_default();
        reading.write_template(mode, lang.get_untracked());
    };

    // Result files, written by a reader worker.
    let download_table = move |rows_to_fix: bool, csv: bool| {
        let lang = lang.get_untracked();
        let stem = file.with_untracked(|f| {
            f.as_ref().map(|f| {
                f.name
                    .rsplit_once('.')
                    .map_or(f.name.clone(), |(stem, _)| stem.to_owned())
            })
        });
        let Some(stem) = stem else { return };
        let table = import.with_untracked(|current| {
            let current = current.as_ref()?;
            Some(if rows_to_fix {
                (export::failed_rows_table(current, lang), "rows-to-fix")
            } else {
                (export::results_table(current, lang), "results")
            })
        });
        if let Some((table, kind)) = table {
            let name = format!("{stem}-{kind}.{}", if csv { "csv" } else { "xlsx" });
            reading.write_table(table, csv, name);
        }
    };

    let copy_serials = move |_| {
        let serials: Vec<String> = import.with_untracked(|current| {
            current
                .as_ref()
                .map(|current| {
                    current
                        .ledger
                        .rows()
                        .iter()
                        .filter_map(|row| match &row.state {
                            RowState::Created { serial } => Some(serial.clone()),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default()
        });
        spawn_local(async move {
            match file::copy_text(&serials.join("\n")).await {
                Ok(()) => notice.set(Some(Notice::Copied(serials.len()))),
                Err(error) => notice.set(Some(Notice::Export(error))),
            }
        });
    };

    // Derived views of the import, for the components.
    let mode =
        Memo::new(move |_| import.with(|i| i.as_ref().map(|i| i.report.mode).unwrap_or_default()));
    let counts = Memo::new(move |_| {
        import
            .with(|i| i.as_ref().map(|i| i.ledger.counts()))
            .unwrap_or_default()
    });
    let outlook = Memo::new(move |_| {
        import
            .with(|i| i.as_ref().map(Import::outlook))
            .unwrap_or_default()
    });
    let updated = Memo::new(move |_| import.with(|i| i.as_ref().map_or(0, Import::updated_count)));
    let run_counts = Memo::new(move |_| {
        let step = sender.run.with(|run| run.step);
        import
            .with(|i| i.as_ref().map(|i| step.ledger(i).counts()))
            .unwrap_or_default()
    });
    let emails_ready = Memo::new(move |_| {
        import.with(|i| {
            i.as_ref().map_or(0, |i| {
                i.plan_emails(usize::MAX)
                    .iter()
                    .map(|batch| batch.rows.len())
                    .sum()
            })
        })
    });
    let filtered = Memo::new(move |_| {
        let filter = filter.get();
        import.with(|i| {
            i.as_ref()
                .map(|i| {
                    i.report
                        .rows
                        .iter()
                        .zip(i.ledger.rows())
                        .enumerate()
                        .filter(|(_, (row, ledger_row))| filter.keeps(row, &ledger_row.state))
                        .map(|(index, _)| index)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let filter_counts = Memo::new(move |_| {
        import.with(|i| {
            // One pass over the rows for all six counts: this runs after
            // every batch while sending.
            let mut counts = [0; 6];
            let Some(i) = i else { return counts };
            for (row, ledger_row) in i.report.rows.iter().zip(i.ledger.rows()) {
                for (count, filter) in counts.iter_mut().zip(RowFilter::ALL) {
                    *count += usize::from(filter.keeps(row, &ledger_row.state));
                }
            }
            counts
        })
    });
    let error_positions = Memo::new(move |_| {
        import.with(|i| {
            let Some(i) = i else { return Vec::new() };
            filtered.with(|indices| {
                indices
                    .iter()
                    .enumerate()
                    .filter(|(_, &index)| !i.report.rows[index].is_valid())
                    .map(|(position, _)| position)
                    .collect()
            })
        })
    });
    let columns = Memo::new(move |_| {
        import.with(|i| {
            let Some(i) = i else { return Vec::new() };
            let report = &i.report;
            let by_field = report.counts_by_field();
            Field::ALL
                .into_iter()
                .filter(|&field| field != Field::Password && report.mode.accepts(field))
                .filter(|&field| {
                    report.mapping.column_of(field).is_some()
                        || report.mode.required_fields().contains(&field)
                })
                .map(|field| ColumnView {
                    field,
                    errors: by_field
                        .get(&(field, Severity::Error))
                        .copied()
                        .unwrap_or(0),
                    editable: true,
                })
                .collect::<Vec<_>>()
        })
    });
    let row_at = Callback::new(move |position: usize| {
        let lang = lang.get();
        let editable = !reading.busy();
        let index = filtered.with(|indices| indices.get(position).copied())?;
        columns.with(|columns| {
            import.with(|i| {
                i.as_ref()
                    .map(|i| row_view(i, index, columns, lang, editable))
            })
        })
    });
    let header_choices = Memo::new(move |_| {
        import.with(|i| {
            let Some(i) = i else { return Vec::new() };
            i.sheet
                .rows
                .iter()
                .take(HEADER_CHOICES)
                .map(|row| {
                    let texts: Vec<String> =
                        row.cells.iter().take(5).map(|c| c.to_text()).collect();
                    (row.number, texts.join(" | "))
                })
                .collect()
        })
    });

    let t = move || text(lang.get());
    let filter_option = move |value: RowFilter, index: usize, label: fn(Lang) -> &'static str| {
        view! {
            <label class="filters__option">
                <input
                    type="radio"
                    name="row-filter"
                    value=format!("{value:?}").to_lowercase()
                    prop:checked=move || filter.get() == value
                    on:change=move |_| filter.set(value)
                />
                {move || format!("{} ({})", label(lang.get()), i18n::number(lang.get(), filter_counts.get()[index]))}
            </label>
        }
    };

    view! {
        <header class="app-header">
            <h1>{move || t().title}</h1>
            <LanguageSwitch
                lang=lang
                on_lang=Callback::new(move |chosen| {
                    // Remembered only once the user picks: until then a
                    // deployer's config.json may choose.
                    storage::save_lang(chosen);
                    lang.set(chosen);
                })
            />
        </header>
        <main class="app">
            <ConnectionForm
                lang=lang
                base_url=base_url
                token=token
                expiry=expiry_text
                remember=remember
                on_base_url=move |url| base_url.set(url)
                on_token=on_token
                on_remember=on_remember
                on_sign_in=on_sign_in
            />
            <div class="start">
                <DropZone lang=lang on_file=on_file disabled=Signal::derive(move || reading.busy() || sending() || checking()) />
                <button type="button" class="button start__template" on:click=download_template>
                    {move || t().template}
                </button>
            </div>
            {move || reading.progress.get().map(|progress| view! {
                <ReadProgress lang=lang progress=progress on_cancel=Callback::new(move |()| reading.cancel()) />
            })}
            <Show when=move || reading.locked.with(Option::is_some)>
                <PasswordPrompt
                    lang=lang
                    file=Signal::derive(move || reading.locked.get().unwrap_or_default())
                    error=Signal::derive(move || reading.password_error.with(|e| e.as_ref().map(|e| e.message(lang.get()))))
                    busy=Signal::derive(move || reading.progress.with(Option::is_some))
                    on_submit=on_password
                    on_cancel=Callback::new(move |()| reading.cancel())
                />
            </Show>
            {move || saved_job.get().map(|job| {
                let t = t();
                view! {
                    <div class="notice notice--saved" role="status">
                        <span>{i18n::saved_job(lang.get(), &job.file_name, job.counts.done, job.counts.total, job.counts.waiting)}</span>
                        <button type="button" class="button" on:click=move |_| {
                            storage::clear_job();
                            saved_job.set(None);
                        }>
                            {t.discard}
                        </button>
                    </div>
                }
            })}
            <Show when=move || notice.with(|n| n.as_ref().is_some_and(|n| !matches!(n, Notice::Copied(_))))>
                <div class="notice notice--error" role="alert">
                    {move || notice.with(|n| n.as_ref().map(|n| n.message(lang.get())))}
                </div>
            </Show>
            <Show when=move || notice.with(|n| matches!(n, Some(Notice::Copied(_))))>
                <div class="notice" role="status">
                    {move || notice.with(|n| n.as_ref().map(|n| n.message(lang.get())))}
                </div>
            </Show>
            <Show when=move || import.with(Option::is_some)>
                <Show when=setup_built>
                    <ImportSetup
                        lang=lang
                        sheets=Signal::derive(move || import.with(|i| i.as_ref().map(|i| i.sheets.clone()).unwrap_or_default()))
                        sheet=Signal::derive(move || import.with(|i| i.as_ref().map(|i| i.sheet.name.clone()).unwrap_or_default()))
                        on_sheet=on_sheet
                        header_choices=header_choices
                        header_row=Signal::derive(move || import.with(|i| i.as_ref().map(|i| i.header_row).unwrap_or(1)))
                        on_header_row=on_header_row
                        mapping=Signal::derive(move || import.with(|i| i.as_ref().map(|i| i.report.mapping.clone()).unwrap_or_default()))
                        missing=Signal::derive(move || import.with(|i| i.as_ref().map(|i| i.report.missing_fields.clone()).unwrap_or_default()))
                        on_map=on_map
                        mode=mode
                        suggested=Signal::derive(move || import.with(|i| i.as_ref().map(|i| Mode::suggested_by(&i.report.mapping)).unwrap_or_default()))
                        on_mode=on_mode
                    />
                </Show>
                <section class="import" aria-labelledby="preview-title">
                    <h2 id="preview-title">{move || t().preview}</h2>
                    <p class="import__summary" role="status" aria-live="polite">
                        {move || {
                            let name = file.with(|f| f.as_ref().map(|f| f.name.clone())).unwrap_or_default();
                            format!("{name}: {}", i18n::summary(lang.get(), mode.get(), &counts.get(), &outlook.get(), updated.get()))
                        }}
                    </p>
                    <Show when=panels_built>
                        <PreflightPanel
                            lang=lang
                            mode=mode
                            outlook=outlook
                            check=checker.state
                            emails_ready=emails_ready
                            busy=Signal::derive(sending)
                            on_check=on_check
                            on_cancel_check=on_cancel_check
                            on_resume_check=Callback::new(move |()| {
                                notice.set(None);
                                checker.resume();
                            })
                            on_update_instead=on_update_instead
                            on_change_emails=on_change_emails
                        />
                        <SendPanel
                            lang=lang
                            mode=mode
                            counts=counts
                            outlook=outlook
                            checking=Signal::derive(move || checking() || reading.busy())
                            run=sender.run
                            run_counts=run_counts
                            batch_size=batch_size
                            concurrency=concurrency
                            on_batch_size=Callback::new(move |n| batch_size.set(n))
                            on_concurrency=Callback::new(move |n| concurrency.set(n))
                            on_start=on_start
                            on_pause=Callback::new(move |()| sender.pause())
                            on_resume=Callback::new(move |()| {
                                notice.set(None);
                                checker.resume();
                                sender.resume();
                            })
                            on_cancel=Callback::new(move |()| sender.cancel())
                            on_retry_rejected=on_retry_rejected
                        />
                        <Show when=move || counts.with(|c| c.created + c.rejected + c.not_sent + c.unconfirmed + c.exists > 0)>
                            <div class="results-files" role="group" aria-label=move || t().results>
                                <button type="button" class="button" on:click=move |_| download_table(false, false)>
                                    {move || t().results_xlsx}
                                </button>
                                <button type="button" class="button" on:click=move |_| download_table(false, true)>
                                    {move || t().results_csv}
                                </button>
                                <button type="button" class="button" on:click=copy_serials>
                                    {move || t().copy_serials}
                                </button>
                                <Show when=move || counts.with(|c| c.invalid + c.rejected + c.not_sent + c.unconfirmed + c.exists > 0)>
                                    <button type="button" class="button" on:click=move |_| download_table(true, false)>
                                        {move || t().failed_xlsx}
                                    </button>
                                    <button type="button" class="button" on:click=move |_| download_table(true, true)>
                                        {move || t().failed_csv}
                                    </button>
                                </Show>
                            </div>
                        </Show>
                        <fieldset class="filters">
                            <legend>{move || t().filter}</legend>
                            {filter_option(RowFilter::All, 0, |l| text(l).filter_all)}
                            {filter_option(RowFilter::Errors, 1, |l| text(l).filter_errors)}
                            {filter_option(RowFilter::Warnings, 2, |l| text(l).filter_warnings)}
                            {filter_option(RowFilter::Valid, 3, |l| text(l).filter_valid)}
                            {filter_option(RowFilter::Done, 4, |l| text(l).filter_done)}
                            {filter_option(RowFilter::NotDone, 5, |l| text(l).filter_not_done)}
                        </fieldset>
                        {move || import.with(|i| i.as_ref().map(|i| mapping_notes(i, lang.get())))}
                    </Show>
                    <PreviewGrid
                        lang=lang
                        mode=mode
                        columns=columns
                        total=Signal::derive(move || filtered.with(Vec::len))
                        row_at=row_at
                        error_positions=error_positions
                        on_edit=on_edit
                        on_exclude=on_exclude
                    />
                </section>
            </Show>
        </main>
    }
}

/// The row at `index` as the grid shows it; `editable` is false while the
/// rows on screen are not final (a file still being read or re-validated).
fn row_view(
    import: &Import,
    index: usize,
    columns: &[ColumnView],
    lang: Lang,
    editable: bool,
) -> RowView {
    let report_row = &import.report.rows[index];
    let state = import.ledger.rows()[index].state.clone();
    let issue_on = |field: Field| {
        report_row
            .issues
            .iter()
            .filter(|issue| issue.field == field)
            .min_by_key(|issue| issue.severity())
            .map(|issue| (issue.severity(), issue.message(lang)))
    };
    let number = report_row.row.number;
    let sheet_row = import
        .sheet
        .rows
        .binary_search_by_key(&number, |row| row.number)
        .ok()
        .map(|i| &import.sheet.rows[i]);
    // A cell with a problem shows what the user typed, even when it could
    // not be read (an isActive of "maybe" has no value to show otherwise).
    let typed = |field: Field| {
        let column = import.report.mapping.column_of(field)?;
        Some(sheet_row?.cell(column).to_text())
    };
    let waiting = report_row.is_valid() && state.is_sendable();
    let assessment = waiting.then(|| import.assessment(index));
    let operation = import.outcome_operation(index);
    let changes = match &assessment {
        Some(Assessment::Changes(changes)) => changes.clone(),
        _ => Vec::new(),
    };
    let email_change = waiting.then(|| import.email_change(index)).flatten();
    // The stored user of an update: an empty cell keeps its value.
    let current = (waiting && operation == Operation::Update)
        .then(|| {
            import
                .directory
                .user(report_row.row.employee_id.as_deref()?)
        })
        .flatten();
    let cells = columns
        .iter()
        .map(|column| {
            let field = column.field;
            let issue = issue_on(field);
            let text = match &issue {
                Some(_) if field != Field::Password => {
                    typed(field).unwrap_or_else(|| report_row.row.display(field))
                }
                _ => report_row.row.display(field),
            };
            let change = changes
                .iter()
                .find(|change| change.field == field)
                .map(|change| i18n::change(lang, change))
                .or_else(|| {
                    let (old, new) = email_change.clone().filter(|_| field == Field::Email)?;
                    Some(i18n::change(
                        lang,
                        &Change {
                            field,
                            old,
                            new: Some(new),
                        },
                    ))
                });
            let kept = current
                .filter(|_| text.is_empty() && !report_row.row.clears(field))
                .and_then(|user| stored_value(user, field));
            CellView {
                field,
                text,
                issue,
                change,
                kept,
            }
        })
        .collect();
    let other_issues = report_row
        .issues
        .iter()
        .filter(|issue| !columns.iter().any(|c| c.field == issue.field))
        .map(|issue| issue.message(lang))
        .collect();
    let email_state = Some(import.emails.rows()[index].state.clone())
        .filter(|state| *state != RowState::Excluded);
    let included = match (&state, &assessment) {
        (RowState::Excluded, _) => false,
        (_, Some(Assessment::Unchanged)) if email_change.is_none() => {
            import.unchanged_included.contains(&number)
        }
        // Held back by pre-flight: not going out, and no box can change that.
        (
            _,
            Some(Assessment::Exists { .. } | Assessment::NotFound | Assessment::RenameTaken { .. }),
        ) => false,
        _ => true,
    };
    let held_back = matches!(
        assessment,
        Some(Assessment::Exists { .. } | Assessment::NotFound | Assessment::RenameTaken { .. })
    );
    let toggle = !held_back
        && matches!(
            state,
            RowState::Invalid | RowState::Ready | RowState::Excluded
        );
    RowView {
        number,
        cells,
        other_issues,
        state: match state {
            // A row the user has not sent shows its validity, not a stale state.
            RowState::Ready | RowState::Invalid if !report_row.is_valid() => RowState::Invalid,
            other => other,
        },
        assessment,
        operation,
        email_state,
        email_change: email_change.is_some(),
        included,
        toggle,
        editable,
    }
}

/// What the stored user holds for `field`, as the grid shows it.
fn stored_value(user: &employee_import::contract::UserDetail, field: Field) -> Option<String> {
    let value = match field {
        Field::Name => Some(user.name.clone()),
        Field::Username => user.username.clone(),
        Field::Email => user.email.clone(),
        Field::Phone => user.phone.clone(),
        Field::IsActive => Some(user.is_active.to_string()),
        Field::TagSerials => {
            let tags: Vec<&str> = user.tags.iter().map(|tag| tag.serial.as_str()).collect();
            Some(tags.join(", "))
        }
        _ => None,
    };
    value.filter(|value| !value.is_empty())
}

fn mapping_notes(import: &Import, lang: Lang) -> impl IntoView {
    let t = text(lang);
    let ignored: Vec<String> = import
        .report
        .mapping
        .ignored_headers()
        .map(str::to_owned)
        .collect();
    let unused: Vec<&str> = import
        .report
        .unused_fields
        .iter()
        .map(|f| f.api_name())
        .collect();
    // Rows of a create moved to an update send only what an update takes.
    let dropped: Vec<&str> = if import.switched.is_empty() {
        Vec::new()
    } else {
        [Field::OrganizationSerial, Field::Password]
            .into_iter()
            .filter(|&field| import.report.mapping.column_of(field).is_some())
            .map(Field::api_name)
            .collect()
    };
    let moved_note = (!dropped.is_empty()).then(|| {
        let fields = dropped.join(", ");
        lang.pick(
            format!("Rows updated instead of created do not send {fields}: an update has no such field."),
            format!("Baris yang diubah alih-alih ditambahkan tidak mengirim {fields}: pembaruan tidak punya kolom itu."),
        )
    });
    view! {
        <ul class="import__notes">
            <li class="import__note">
                {format!("{} · {} \"{}\" · {} {}", import.format, t.sheet, import.sheet.name, t.header_row, import.header_row)}
            </li>
            {moved_note.map(|note| view! { <li class="import__note import__note--warning">{note}</li> })}
            {(!ignored.is_empty()).then(|| view! {
                <li class="import__note">{format!("{}: {}", t.ignored_columns, ignored.join(", "))}</li>
            })}
            {(!unused.is_empty()).then(|| view! {
                <li class="import__note import__note--warning">{format!("{}: {}", t.unused_in_mode, unused.join(", "))}</li>
            })}
        </ul>
    }
}
