use employee_import::{ColumnMapping, Field, Lang, Mode, SheetInfo};
use leptos::prelude::*;

use crate::i18n::text;

/// The choices between the file and the preview: which sheet, which row
/// holds the column names, which column feeds which field, and the mode.
#[component]
pub fn ImportSetup(
    #[prop(into)] lang: Signal<Lang>,
    #[prop(into)] sheets: Signal<Vec<SheetInfo>>,
    #[prop(into)] sheet: Signal<String>,
    on_sheet: Callback<String>,
    /// The first rows of the sheet, as (row number, a preview of its text).
    #[prop(into)]
    header_choices: Signal<Vec<(u32, String)>>,
    #[prop(into)] header_row: Signal<u32>,
    on_header_row: Callback<u32>,
    #[prop(into)] mapping: Signal<ColumnMapping>,
    /// A few values of each column, as the first data rows hold them, so
    /// the admin sees what a column holds while choosing its field.
    #[prop(into)]
    samples: Signal<Vec<String>>,
    #[prop(into)] missing: Signal<Vec<Field>>,
    /// Warnings for columns whose values mostly do not fit their field.
    #[prop(into)]
    misfits: Signal<Vec<String>>,
    on_map: Callback<(usize, Option<Field>)>,
    #[prop(into)] mode: Signal<Mode>,
    #[prop(into)] suggested: Signal<Mode>,
    on_mode: Callback<Mode>,
    /// While a run sends, nothing here can change.
    #[prop(into)]
    locked: Signal<bool>,
) -> impl IntoView {
    let t = move || text(lang.get());
    let sheet_picker = move || {
        (sheets.with(Vec::len) > 1).then(|| {
            let options = sheets
                .get()
                .into_iter()
                .map(|info| {
                    let selected = info.name == sheet.get();
                    let label = if info.hidden {
                        format!("{} ({})", info.name, t().hidden)
                    } else {
                        info.name.clone()
                    };
                    view! { <option value=info.name selected=selected>{label}</option> }
                })
                .collect_view();
            view! {
                <label class="setup__field">
                    <span>{t().sheet}</span>
                    <select
                        name="sheet"
                        prop:value=move || sheet.get()
                        on:change=move |ev| on_sheet.run(event_target_value(&ev))
                    >
                        {options}
                    </select>
                </label>
            }
        })
    };
    let header_picker = move || {
        let options = header_choices
            .get()
            .into_iter()
            .map(|(number, preview)| {
                let selected = number == header_row.get();
                view! {
                    <option value=number selected=selected>
                        {format!("{} {number}: {preview}", t().row)}
                    </option>
                }
            })
            .collect_view();
        view! {
            <label class="setup__field">
                <span>{t().header_row}</span>
                <select
                    name="header-row"
                    // Put back when a change is not confirmed.
                    prop:value=move || header_row.get().to_string()
                    on:change=move |ev| {
                        if let Ok(number) = event_target_value(&ev).parse() {
                            on_header_row.run(number);
                        }
                    }
                >
                    {options}
                </select>
            </label>
        }
    };
    let mapping_rows = move || {
        let current = mapping.get();
        let samples = samples.get();
        current
            .headers
            .iter()
            .zip(&current.fields)
            .enumerate()
            .filter(|(_, (header, _))| !header.trim().is_empty())
            .map(|(column, (header, field))| {
                let field = *field;
                let id = format!("map-{column}");
                let options = Field::ALL
                    .into_iter()
                    .filter(|candidate| *candidate != Field::Password || field == Some(Field::Password))
                    .map(|candidate| {
                        view! {
                            <option value=candidate.api_name() selected=field == Some(candidate)>
                                {candidate.api_name()}
                            </option>
                        }
                    })
                    .collect_view();
                let sample = samples.get(column).cloned().filter(|sample| !sample.is_empty());
                let sample_id = format!("map-sample-{column}");
                let described = sample.as_ref().map(|_| sample_id.clone());
                view! {
                    <tr>
                        <th scope="row"><label for=id.clone()>{header.clone()}</label></th>
                        <td>
                            <select
                                id=id
                                class="mapping__select"
                                data-header=header.clone()
                                aria-describedby=described
                                on:change=move |ev| {
                                    let value = event_target_value(&ev);
                                    let chosen = Field::ALL.into_iter().find(|f| f.api_name() == value);
                                    on_map.run((column, chosen));
                                }
                            >
                                <option value="" selected=field.is_none()>{t().ignore}</option>
                                {options}
                            </select>
                            {sample.map(|sample| view! { <span class="mapping__sample" id=sample_id>{sample}</span> })}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    let missing_note = move || {
        let missing = missing.get();
        (!missing.is_empty()).then(|| {
            let names: Vec<&str> = missing
                .iter()
                .map(|field| field.label(lang.get()))
                .collect();
            view! {
                <p class="setup__warning" role="status">
                    {format!("{}: {}", t().missing_columns, names.join(", "))}
                </p>
            }
        })
    };
    let mode_option = move |value: Mode, label: fn(Lang) -> &'static str| {
        view! {
            <label class="setup__radio">
                <input
                    type="radio"
                    name="mode"
                    value=move || format!("{value:?}").to_lowercase()
                    prop:checked=move || mode.get() == value
                    on:change=move |_| on_mode.run(value)
                />
                {move || label(lang.get())}
                {move || (suggested.get() == value).then(|| view! { <em class="setup__suggested">{format!(" ({})", t().suggested)}</em> })}
            </label>
        }
    };
    view! {
        <section class="setup" aria-labelledby="setup-title">
            <h2 id="setup-title">{move || t().setup}</h2>
            {move || locked.get().then(|| view! { <p class="setup__locked" role="status">{t().choices_locked}</p> })}
            // A disabled fieldset disables every control inside it.
            <fieldset class="setup__choices" disabled=move || locked.get()>
                <div class="setup__row">
                    {sheet_picker}
                    {header_picker}
                </div>
                <fieldset class="setup__mode">
                    <legend>{move || t().mode}</legend>
                    {mode_option(Mode::Create, |lang| text(lang).mode_create)}
                    {mode_option(Mode::Update, |lang| text(lang).mode_update)}
                </fieldset>
                <details class="mapping" open>
                    <summary>{move || t().columns}</summary>
                    <table class="mapping__table">
                        <thead>
                            <tr>
                                <th scope="col">{move || t().column_in_file}</th>
                                <th scope="col">{move || t().api_field}</th>
                            </tr>
                        </thead>
                        <tbody>{mapping_rows}</tbody>
                    </table>
                </details>
            </fieldset>
            {missing_note}
            {move || misfits.get().into_iter().map(|warning| view! {
                <p class="setup__warning" role="status">{warning}</p>
            }).collect_view()}
        </section>
    }
}
