//! The browser shell of the importer: it reads files, calls the API and
//! renders; every decision is made by the `employee_import` core.
//!
//! Modules in reading order: `api` (the only HTTP code), `file` (the only
//! File/Blob code), `storage` (the only web-storage code), `worker` and
//! `reading` (the reader worker, from the page's side), `reader` (the
//! worker's side), `sending` and `checking` (the send and pre-flight
//! loops), `xlsx` (writing workbooks), `i18n` (every shell text in English
//! and Bahasa Indonesia), `components` (presentational), `app` (the one
//! owner of state, whose methods are the user's actions), and [`App`]
//! below, which derives what the components show and renders them.

pub mod api;
pub mod app;
pub mod checking;
pub mod components;
pub mod file;
pub mod i18n;
pub mod journal;
pub mod lists;
pub mod lock;
pub mod reader;
pub mod reading;
pub mod sending;
pub mod storage;
pub mod worker;
pub mod xlsx;

use std::collections::BTreeMap;

use employee_import::{
    Assessment, CellIssue, Change, ColumnCounts, Field, Import, Lang, Mode, Operation, RowState,
    Severity,
};
use leptos::prelude::*;

use crate::app::{AppState, Notice};
use crate::components::{
    CellView, ColumnView, ConnectionForm, DropZone, ImportSetup, LanguageSwitch, NameChoices,
    PasswordPrompt, PreflightPanel, PreviewGrid, ReadProgress, RowView, SendPanel,
};
use crate::i18n::text;
use crate::lists::ListsState;
use crate::sending::Step;
use employee_import::RowFilter;

/// How many of the sheet's first rows are offered as the header row.
const HEADER_CHOICES: usize = 30;
/// Frames over which the import section is first built (see `App`).
const SECTION_STAGES: u8 = 2;

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::load();
    let (lang, reading) = (state.lang, state.reading);
    // Outside sync only: tell the page its language.
    Effect::new(move |_| {
        let lang = lang.get();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.pick("en", "id"));
        }
        document().set_title(text(lang).title);
    });
    // The spare reader starts once the page is on screen.
    request_animation_frame(move || reading.warm_up());
    view! { <Page state=state /> }
}

/// Frames a rehearsal stays mounted: the import section's stages and the
/// grid's, with a few to spare.
const REHEARSAL_FRAMES: u32 = 8;

/// Renders the page once over `import` (a spare reader's made-up rows), in
/// a state of its own and a node outside the document, lays it out once,
/// unseen, and drops it: the admin's first file then meets code and fonts
/// the browser has ready. Building the review of a first file compiled
/// 50-60 ms of WebAssembly (compiled a function at a time, on its first
/// call), and its first layout looked up each face and size of its text
/// (5-15 ms each on Linux): no later file paid either. Not laid out once
/// the admin has picked a file (`has_a_file`): that layout would be a long
/// task of its read, and its controls would meet the file's own (a checked
/// radio button put in the document unchecks the others of its name).
pub fn rehearse(lang: Lang, import: Import, has_a_file: impl Fn() -> bool + 'static) {
    let Some(root) = document()
        .create_element("div")
        .ok()
        .and_then(|node| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(node).ok())
    else {
        return;
    };
    root.set_class_name("rehearsal");
    let _ = root.set_attribute("aria-hidden", "true");
    let _ = root.set_attribute("inert", "");
    let mounted = leptos::mount::mount_to(root.clone(), move || {
        let state = AppState::new(lang);
        state.import.set(Some(import));
        view! { <Page state=state /> }
    });
    // Once its stages are built: in the document within one task, so no
    // frame draws it and no other task finds it.
    after_frames(REHEARSAL_FRAMES, move || {
        if let Some(body) = document().body().filter(|_| !has_a_file()) {
            if body.append_child(&root).is_ok() {
                let _ = root.offset_width(); // lays it out
                root.remove();
            }
        }
        drop(mounted);
    });
}

/// Runs `then` in a task of its own once the next frame is painted.
pub(crate) fn after_paint(then: impl FnOnce() + 'static) {
    request_animation_frame(move || {
        gloo_timers::callback::Timeout::new(0, then).forget();
    });
}

/// Runs `then` once `frames` frames have been drawn.
fn after_frames(frames: u32, then: impl FnOnce() + 'static) {
    request_animation_frame(move || match frames {
        0 | 1 => then(),
        _ => after_frames(frames - 1, then),
    });
}

/// The page for `state`: everything the admin sees.
#[component]
fn Page(state: AppState) -> impl IntoView {
    let AppState {
        lang,
        base_url,
        token,
        token_expiry,
        remember,
        import,
        tally,
        notice,
        filter,
        saved_job,
        batch_size,
        concurrency,
        reading,
        sender,
        checker,
        ..
    } = state;
    let file = reading.file;
    // Tag and organization values that need a choice, once each.
    let name_choices = Memo::new(move |_| {
        import.with(|i| {
            i.as_ref()
                .map(|i| i.report.name_choices())
                .unwrap_or_default()
        })
    });
    let uses_names =
        Memo::new(move |_| import.with(|i| i.as_ref().is_some_and(|i| i.report.uses_names())));
    let sending = move || state.sending();
    let checking = move || state.checking();

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
    // Each newly opened file's review comes into view: its grid, with the
    // choices above it a scroll away, instead of the form the admin filled.
    Effect::new(move |shown: Option<Option<String>>| {
        let shown = shown.flatten();
        let name = reading.file.with(|f| f.as_ref().map(|f| f.name.clone()));
        let ready = panels_built() && import.with(Option::is_some);
        if ready && name.is_some() && shown != name {
            request_animation_frame(|| {
                if let Some(title) = document().get_element_by_id("preview-title") {
                    title.scroll_into_view();
                }
            });
            return name;
        }
        shown
    });

    // Once a file is open, the connection and the file's choices fold to
    // one line each, so the review gets the window. A fold opens by itself
    // where the admin is needed: no token yet, or a mapping that lacks a
    // required field or feeds a field from a column that mostly misfits.
    let has_token = Memo::new(move |_| token.with(|t| !t.trim().is_empty()));
    let connection_open = RwSignal::new(true);
    Effect::new(move |was: Option<bool>| {
        let review = import.with(Option::is_some);
        if was != Some(review) {
            connection_open.set(!review || !state.has_token());
        }
        review
    });
    // A token refused or missing while sending, checking or loading the
    // lists opens the connection again: the next step is there.
    Effect::new(move |_| {
        let refused = notice.with(|n| n.as_ref().is_some_and(Notice::needs_connection))
            || checker
                .state
                .with(|c| c.hold == Some(employee_import::Hold::NeedsToken))
            || sender
                .run
                .with(|run| run.hold == Some(employee_import::Hold::NeedsToken))
            || state
                .lists
                .state
                .with(|lists| matches!(lists, ListsState::Failed(api::ApiError::TokenRefused(_))));
        if refused {
            connection_open.set(true);
        }
    });
    let setup_open = RwSignal::new(false);

    // The actions, as the components take them.
    let on_password = Callback::new(move |password| state.give_password(password));
    let on_file = Callback::new(move |picked| state.open_file(picked));
    let on_sheet = Callback::new(move |name| state.choose_sheet(name));
    let on_header_row = Callback::new(move |row| state.choose_header_row(row));
    let on_map = Callback::new(move |(column, field)| state.map_column(column, field));
    let on_mode = Callback::new(move |mode| state.choose_mode(mode));
    let on_edit =
        Callback::new(move |(number, field, value)| state.edit_cell(number, field, value));
    let on_exclude = Callback::new(move |(number, excluded)| state.set_excluded(number, excluded));
    let on_token = Callback::new(move |value| state.set_token(value));
    let on_remember = Callback::new(move |keep| state.set_remember(keep));
    let on_sign_in = Callback::new(move |(id, secret)| state.sign_in(id, secret));
    let on_start = Callback::new(move |()| state.start());
    let on_check = Callback::new(move |()| state.check_again());
    let on_cancel_check = Callback::new(move |()| state.cancel_check());
    let on_update_instead = Callback::new(move |()| state.update_instead());
    let on_change_emails = Callback::new(move |()| state.change_emails());
    let on_retry_rejected = Callback::new(move |()| state.retry_rejected());
    let download_template = move |_| state.download_template();
    let download_table = move |rows_to_fix, csv| state.download_table(rows_to_fix, csv);
    let copy_serials = move |_| state.copy_serials();
    let csv_chosen = RwSignal::new(false);
    let expiry_text = Signal::derive(move || {
        token_expiry
            .get()
            .map(|at| i18n::expiry(lang.get(), ((at - js_sys::Date::now()) / 1000.0) as i64))
    });

    // Derived views of the import, for the components.
    let mode =
        Memo::new(move |_| import.with(|i| i.as_ref().map(|i| i.report.mode).unwrap_or_default()));
    // Counts come from the tally, which a run keeps by the rows each
    // answer changed: nothing here counts every row per answer.
    let counts = Memo::new(move |_| tally.with(|t| t.rows));
    let outlook = Memo::new(move |_| tally.with(|t| t.outlook));
    let updated = Memo::new(move |_| tally.with(|t| t.updated));
    let run_counts = Memo::new(move |_| {
        let step = sender.run.with(|run| run.step);
        tally.with(|t| match step {
            Step::Users => t.rows,
            Step::Emails => t.emails,
        })
    });
    let emails_ready = Memo::new(move |_| tally.with(|t| t.emails_ready));
    let filter_counts = Memo::new(move |_| tally.with(|t| t.filters));
    let filtered = Memo::new(move |_| {
        let filter = filter.get();
        // Rows done or not done change with every answer; the other
        // filters only with the report.
        if filter.follows_outcomes() {
            sender.outcomes.track();
        }
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
    // Each column's errors, proposals and misfits, in one pass over the
    // rows, once they are final.
    let column_counts = Memo::new(move |_| {
        if reading.busy() {
            return Default::default();
        }
        import.with(|i| {
            i.as_ref()
                .map(|i| i.report.column_counts())
                .unwrap_or_default()
        })
    });
    // Each sheet column's longest value among the first data rows, in
    // characters, so each grid column is as wide as what it holds.
    let content_chars = Memo::new(move |_| {
        import.with(|i| {
            let Some(i) = i else { return Vec::new() };
            let mut longest = vec![0; i.report.mapping.headers.len()];
            let rows = i.sheet.rows.iter().filter(|row| row.number > i.header_row);
            for row in rows.take(200) {
                for (column, longest) in longest.iter_mut().enumerate() {
                    *longest = (*longest).max(row.cell(column).to_text().trim().chars().count());
                }
            }
            longest
        })
    });
    let columns = Memo::new(move |_| {
        let counts = column_counts.get();
        let content = content_chars.get();
        import.with(|i| {
            let Some(i) = i else { return Vec::new() };
            let report = &i.report;
            Field::ALL
                .into_iter()
                .filter(|&field| field != Field::Password && report.mode.accepts(field))
                .filter(|&field| {
                    report.mapping.column_of(field).is_some()
                        || report.mode.required_fields().contains(&field)
                })
                .map(|field| ColumnView {
                    field,
                    header: report
                        .mapping
                        .header_of(field)
                        .unwrap_or(field.label(lang.get()))
                        .to_owned(),
                    errors: counts.get(&field).map_or(0, |c| c.errors),
                    proposals: counts.get(&field).map_or(0, |c| c.proposals),
                    editable: true,
                    content_chars: report
                        .mapping
                        .column_of(field)
                        .and_then(|column| content.get(column).copied())
                        .unwrap_or_default(),
                })
                .collect::<Vec<_>>()
        })
    });
    let row_at = Callback::new(move |position: usize| {
        // A run's answers change the rows on screen.
        sender.outcomes.track();
        let lang = lang.get();
        let index = filtered.with(|indices| indices.get(position).copied())?;
        columns
            .with(|columns| import.with(|i| i.as_ref().map(|i| row_view(i, index, columns, lang))))
    });
    // Up to three values of each column from the first data rows, for the
    // mapping; never a password's.
    let column_samples = Memo::new(move |_| {
        import.with(|i| {
            let Some(i) = i else { return Vec::new() };
            let password = i.report.mapping.column_of(Field::Password);
            let rows: Vec<_> = i
                .sheet
                .rows
                .iter()
                .filter(|row| row.number > i.header_row)
                .take(20)
                .collect();
            (0..i.report.mapping.headers.len())
                .map(|column| {
                    if Some(column) == password {
                        return String::new();
                    }
                    let mut seen: Vec<String> = Vec::new();
                    for row in &rows {
                        let text = row.cell(column).to_text();
                        let text = text.trim();
                        if !text.is_empty() && !seen.iter().any(|s| s == text) {
                            seen.push(text.chars().take(24).collect());
                        }
                        if seen.len() == 3 {
                            break;
                        }
                    }
                    seen.join(" · ")
                })
                .collect::<Vec<_>>()
        })
    });
    let misfits = Memo::new(move |_| {
        let counts = column_counts.get();
        import.with(|i| {
            i.as_ref()
                .map(|i| misfit_warnings(i, &counts, lang.get()))
                .unwrap_or_default()
        })
    });
    let setup_needs_admin = Memo::new(move |_| {
        !misfits.with(Vec::is_empty)
            || import.with(|i| {
                i.as_ref()
                    .is_some_and(|i| !i.report.missing_fields.is_empty())
            })
    });
    Effect::new(move |was: Option<(Option<String>, bool)>| {
        let name = file.with(|f| f.as_ref().map(|f| f.name.clone()));
        let needed = setup_needs_admin.get();
        let (was_name, was_needed) = was.unwrap_or_default();
        if name != was_name || (needed && !was_needed) {
            setup_open.set(needed);
        }
        (name, needed)
    });
    let header_choices = Memo::new(move |_| {
        import.with(|i| {
            let Some(i) = i else { return Vec::new() };
            // Passwords are never shown: below its header, the password
            // column's cells are masked here too.
            let password = i.report.mapping.column_of(Field::Password);
            i.sheet
                .rows
                .iter()
                .take(HEADER_CHOICES)
                .map(|row| {
                    let texts: Vec<String> = row
                        .cells
                        .iter()
                        .take(5)
                        .enumerate()
                        .map(|(column, cell)| {
                            if Some(column) == password && row.number > i.header_row {
                                "••••••".to_owned()
                            } else {
                                cell.to_text()
                            }
                        })
                        .collect();
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
                on_lang=Callback::new(move |chosen| state.choose_language(chosen))
            />
        </header>
        <main class="app" class:app--review=move || import.with(Option::is_some)>
            <details
                class="fold fold--connection"
                prop:open=connection_open
                on:toggle=move |ev| connection_open.set(is_open(&ev))
            >
                <summary class="fold__summary">
                    {move || i18n::connection_line(
                        lang.get(),
                        has_token.get(),
                        expiry_text.get().as_deref(),
                    )}
                </summary>
            <ConnectionForm
                lang=lang
                base_url=base_url
                token=token
                expiry=expiry_text
                remember=remember
                on_base_url=move |url| base_url.set(url)
                token_help=state.token_help_url
                on_token=on_token
                on_remember=on_remember
                on_sign_in=on_sign_in
            />
            </details>
            <div class="start">
                <DropZone lang=lang on_file=on_file disabled=Signal::derive(move || reading.busy() || sending() || checking()) />
                <button type="button" class="button start__template" on:click=download_template>
                    {move || t().template}
                </button>
            </div>
            // What names in the sheet and the template's reference sheets
            // are matched against, once a token is given.
            {move || {
                let lists = state.lists.state.get();
                let loaded = matches!(lists, ListsState::Loaded { .. });
                (lists != ListsState::Off).then(|| view! {
                    <p class="start__lists" role="status">
                        {lists.message(lang.get())}
                        {loaded.then(|| view! {
                            " "
                            <button type="button" class="button button--small" on:click=move |_| state.refresh_lists()>
                                {move || t().refresh_lists}
                            </button>
                        })}
                    </p>
                })
            }}
            {move || reading.progress.get().map(|progress| view! {
                <ReadProgress lang=lang progress=progress on_cancel=Callback::new(move |()| state.stop_reading()) />
            })}
            <Show when=move || reading.locked.with(Option::is_some)>
                <PasswordPrompt
                    lang=lang
                    file=Signal::derive(move || reading.locked.get().unwrap_or_default())
                    error=Signal::derive(move || reading.password_error.with(|e| e.as_ref().map(|e| e.message(lang.get()).to_owned())))
                    busy=Signal::derive(move || reading.progress.with(Option::is_some))
                    on_submit=on_password
                    on_cancel=Callback::new(move |()| state.stop_reading())
                />
            </Show>
            {move || saved_job.get().map(|job| {
                let t = t();
                view! {
                    <div class="notice notice--saved" role="status">
                        <span>{i18n::saved_job(lang.get(), &job.file_name, job.counts.done, job.counts.total, job.counts.waiting)}</span>
                        <button type="button" class="button" on:click=move |_| state.discard_saved_job()>
                            {t.discard}
                        </button>
                    </div>
                }
            })}
            <Show when=move || notice.with(|n| n.as_ref().is_some_and(Notice::is_problem))>
                <div class="notice notice--error" role="alert">
                    {move || notice.with(|n| n.as_ref().map(|n| n.message(lang.get())))}
                </div>
            </Show>
            <Show when=move || notice.with(|n| n.as_ref().is_some_and(|n| !n.is_problem()))>
                <div class="notice" role="status">
                    {move || notice.with(|n| n.as_ref().map(|n| n.message(lang.get())))}
                </div>
            </Show>
            <Show when=move || import.with(Option::is_some)>
                <Show when=setup_built>
                    <details
                        class="fold fold--setup"
                        prop:open=setup_open
                        on:toggle=move |ev| setup_open.set(is_open(&ev))
                    >
                    <summary class="fold__summary">
                        {move || {
                            let name = file.with(|f| f.as_ref().map(|f| f.name.clone())).unwrap_or_default();
                            import.with(|i| i.as_ref().map(|i| i18n::setup_line(
                                lang.get(),
                                &name,
                                &i.sheet.name,
                                i.header_row,
                                i.report.mode,
                                i.report.mapping.ignored_headers().count(),
                            )))
                        }}
                    </summary>
                    // Built only while open: a folded mapping costs the
                    // first rows' frame nothing.
                    <Show when=move || setup_open.get()>
                    <ImportSetup
                        lang=lang
                        sheets=Signal::derive(move || import.with(|i| i.as_ref().map(|i| i.sheets.clone()).unwrap_or_default()))
                        sheet=Signal::derive(move || import.with(|i| i.as_ref().map(|i| i.sheet.name.clone()).unwrap_or_default()))
                        on_sheet=on_sheet
                        header_choices=header_choices
                        header_row=Signal::derive(move || import.with(|i| i.as_ref().map(|i| i.header_row).unwrap_or(1)))
                        on_header_row=on_header_row
                        mapping=Signal::derive(move || import.with(|i| i.as_ref().map(|i| i.report.mapping.clone()).unwrap_or_default()))
                        samples=column_samples
                        misfits=misfits
                        missing=Signal::derive(move || import.with(|i| i.as_ref().map(|i| i.report.missing_fields.clone()).unwrap_or_default()))
                        on_map=on_map
                        mode=mode
                        suggested=Signal::derive(move || import.with(|i| i.as_ref().map(|i| Mode::suggested_by(&i.report.mapping)).unwrap_or_default()))
                        on_mode=on_mode
                        locked=Signal::derive(sending)
                    />
                    {move || import.with(|i| i.as_ref().map(|i| mapping_notes(i, lang.get())))}
                    </Show>
                    </details>
                    {move || state.pending_reread.with(Option::is_some).then(|| {
                        let sent = import.with_untracked(|i| i.as_ref().map_or(0, |i| i.carried().len()));
                        view! {
                            <div class="notice notice--ask" role="alert">
                                <span>{move || i18n::reread_question(lang.get(), sent)}</span>
                                <button type="button" class="button button--primary" on:click=move |_| state.confirm_reread()>
                                    {move || t().reread_change}
                                </button>
                                <button type="button" class="button" on:click=move |_| state.cancel_reread()>
                                    {move || t().reread_keep}
                                </button>
                            </div>
                        }
                    })}
                </Show>
                <section class="import" aria-labelledby="preview-title">
                    <div class="import__head">
                    <h2 id="preview-title">{move || t().preview}</h2>
                    <Show when=panels_built>
                        <fieldset class="filters">
                            <legend>{move || t().filter}</legend>
                            {filter_option(RowFilter::All, 0, |l| text(l).filter_all)}
                            {filter_option(RowFilter::Errors, 1, |l| text(l).filter_errors)}
                            {filter_option(RowFilter::Warnings, 2, |l| text(l).filter_warnings)}
                            {filter_option(RowFilter::Valid, 3, |l| text(l).filter_valid)}
                            {filter_option(RowFilter::Done, 4, |l| text(l).filter_done)}
                            {filter_option(RowFilter::NotDone, 5, |l| text(l).filter_not_done)}
                        </fieldset>
                    </Show>
                    </div>
                    <Show when=panels_built>
                        <Show when=move || uses_names.get()>
                            <NameChoices
                                lang=lang
                                lists=state.lists.state
                                choices=name_choices
                                enabled=Signal::derive(move || !reading.busy() && !sending())
                                on_choose=Callback::new(move |(field, value, choice)| state.use_choice(field, value, choice))
                                on_refresh=Callback::new(move |()| state.refresh_lists())
                            />
                        </Show>
                    </Show>
                    <PreviewGrid
                        lang=lang
                        mode=mode
                        columns=columns
                        total=Signal::derive(move || filtered.with(Vec::len))
                        row_at=row_at
                        source=Signal::derive(move || file.with(|f| f.as_ref().map(|f| f.fingerprint.clone())))
                        error_positions=error_positions
                        // Not while the rows on screen are not final: a
                        // file still being read or re-validated.
                        editable=Signal::derive(move || !reading.busy())
                        on_edit=on_edit
                        on_apply_all=Callback::new(move |field| state.apply_proposals(field))
                        on_exclude=on_exclude
                    />
                    // The counts and the primary action stay in view at the
                    // bottom of the window while the admin works in the grid.
                    <div class="review-bar">
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
                            on_resume_check=Callback::new(move |()| state.resume_check())
                            on_update_instead=on_update_instead
                            on_change_emails=on_change_emails
                        />
                            <SendPanel
                                lang=lang
                                mode=mode
                                counts=counts
                                outlook=outlook
                                checking=Signal::derive(move || checking() || reading.busy() || !reading.edits_answered())
                                blocked=Signal::derive(move || (!has_token.get()).then(|| t().token_to_send))
                                run=sender.run
                                trouble=sender.trouble
                                run_counts=run_counts
                                batch_size=batch_size
                                concurrency=concurrency
                                on_batch_size=Callback::new(move |n| batch_size.set(n))
                                on_concurrency=Callback::new(move |n| concurrency.set(n))
                                on_start=on_start
                                on_pause=Callback::new(move |()| state.pause())
                                on_resume=Callback::new(move |()| state.resume())
                                on_cancel=Callback::new(move |()| state.cancel())
                                on_retry_rejected=on_retry_rejected
                            />
                            // The results, once rows went out: one primary
                            // download, the format a choice.
                            <Show when=move || counts.with(|c| c.created + c.rejected + c.not_sent + c.unconfirmed + c.exists > 0)>
                                <div class="results-files" role="group" aria-label=move || t().results>
                                    <button type="button" class="button button--primary" on:click=move |_| download_table(false, csv_chosen.get_untracked())>
                                        {move || t().download_results}
                                    </button>
                                    <Show when=move || counts.with(|c| c.invalid + c.rejected + c.not_sent + c.unconfirmed + c.exists > 0)>
                                        <button type="button" class="button" on:click=move |_| download_table(true, csv_chosen.get_untracked())>
                                            {move || t().download_to_fix}
                                        </button>
                                    </Show>
                                    <label class="results-files__format">
                                        <span>{move || t().file_format}</span>
                                        <select name="result-format" on:change=move |ev| csv_chosen.set(event_target_value(&ev) == "csv")>
                                            <option value="xlsx" selected=move || !csv_chosen.get()>"Excel (.xlsx)"</option>
                                            <option value="csv" selected=csv_chosen>"CSV (.csv)"</option>
                                        </select>
                                    </label>
                                    <button type="button" class="button button--small" on:click=copy_serials>
                                        {move || t().copy_serials}
                                    </button>
                                </div>
                            </Show>
                        </Show>
                    </div>
                </section>
            </Show>
        </main>
    }
}

/// The row at `index` as the grid shows it.
fn row_view(import: &Import, index: usize, columns: &[ColumnView], lang: Lang) -> RowView {
    let report_row = &import.report.rows[index];
    let state = import.ledger.rows()[index].state.clone();
    // A problem names its field by the admin's own header.
    let mapping = &import.report.mapping;
    let said = |issue: &CellIssue| {
        let name = mapping.header_of(issue.field);
        issue.message_as(lang, name.unwrap_or(issue.field.label(lang)))
    };
    let issue_on = |field: Field| {
        report_row
            .issues
            .iter()
            .filter(|issue| issue.field == field)
            .min_by_key(|issue| issue.severity())
            .map(|issue| (issue.severity(), said(issue)))
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
    // A refusal about one field (an ID or e-mail taken) marks its cell.
    let refused = match &state {
        RowState::Rejected(error) => employee_import::contract::codes::field(error.error_code)
            .map(|field| (field, error.plain(lang))),
        _ => None,
    };
    let cells = columns
        .iter()
        .map(|column| {
            let field = column.field;
            let issue = issue_on(field).or_else(|| {
                refused
                    .as_ref()
                    .filter(|(at, _)| *at == field)
                    .map(|(_, why)| (Severity::Error, why.clone()))
            });
            let proposal = report_row
                .issues
                .iter()
                .find(|issue| issue.field == field)
                .and_then(|issue| issue.kind.proposed())
                .map(str::to_owned);
            // The sheet's own words where they mean the value sent: "Aktif"
            // rather than true, a unit's name rather than its serial (shown
            // beneath), and whatever a cell with a problem holds.
            let as_written = match field {
                Field::Password => false,
                Field::IsActive | Field::OrganizationSerial | Field::TagSerials => true,
                _ => issue.is_some(),
            };
            let text = as_written
                .then(|| typed(field))
                .flatten()
                .filter(|text| !text.is_empty() || issue.is_some())
                .unwrap_or_else(|| report_row.row.display(field));
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
            // A value tidied on its way (a phone's spaces) shows what the
            // sheet holds beside what is sent.
            let tidied = (issue.is_none() && report_row.row.tidied.contains(&field))
                .then(|| typed(field))
                .flatten();
            // A tag or organization resolved shows its name beside the
            // serial it is sent as.
            // A tag or organization written by name shows the serial it is
            // sent as beneath it.
            let named = match field {
                Field::OrganizationSerial | Field::TagSerials if issue.is_none() => {
                    Some(report_row.row.display(field))
                        .filter(|serials| *serials != text && !serials.is_empty())
                }
                _ => None,
            };
            CellView {
                field,
                text,
                issue,
                proposal,
                change,
                kept,
                tidied,
                named,
            }
        })
        .collect();
    // Every problem of the row in words, errors first, in column order.
    let mut problems: Vec<&CellIssue> = report_row.issues.iter().collect();
    problems.sort_by_key(|issue| issue.severity());
    let problems = problems
        .into_iter()
        .map(|issue| (issue.severity(), said(issue)))
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
        problems,
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
    }
}

/// A warning for each mapped column whose values mostly do not fit its
/// field: a "Status" of Tetap/Kontrak taken for active or not.
fn misfit_warnings(
    import: &Import,
    counts: &BTreeMap<Field, ColumnCounts>,
    lang: Lang,
) -> Vec<String> {
    let rows = import.report.rows.len();
    let mapping = &import.report.mapping;
    counts
        .iter()
        .map(|(&field, column)| (field, column.misfits))
        .filter(|&(_, count)| count >= 3 && count * 2 > rows)
        .filter_map(|(field, count)| {
            let header = mapping.header_of(field)?;
            Some(i18n::misfit(lang, header, field.label(lang), count, rows))
        })
        .collect()
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
                {format!("{} · {} \"{}\" · {} {}", import.format.name(lang), t.sheet, import.sheet.name, t.header_row, import.header_row)}
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

/// Whether the `<details>` a toggle event came from is open now.
fn is_open(ev: &web_sys::Event) -> bool {
    event_target::<web_sys::Element>(ev).has_attribute("open")
}
