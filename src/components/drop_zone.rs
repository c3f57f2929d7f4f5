use employee_import::Lang;
use leptos::prelude::*;
use web_sys::{DragEvent, File, HtmlInputElement};

use crate::i18n::text;

/// Takes one spreadsheet by click, keyboard or drag-and-drop; both paths end
/// in the same `on_file` callback.
#[component]
pub fn DropZone(
    #[prop(into)] lang: Signal<Lang>,
    #[prop(into)] on_file: Callback<File>,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    let (hovering, set_hovering) = signal(false);
    let on_change = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            on_file.run(file);
        }
        // Clearing lets the same file be picked again after fixing it.
        input.set_value("");
    };
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        set_hovering.set(false);
        if disabled.get_untracked() {
            return;
        }
        if let Some(file) = ev
            .data_transfer()
            .and_then(|data| data.files())
            .and_then(|files| files.get(0))
        {
            on_file.run(file);
        }
    };
    view! {
        <label
            class="drop-zone"
            class:drop-zone--hover=hovering
            class:drop-zone--disabled=disabled
            on:dragover=move |ev: DragEvent| {
                ev.prevent_default();
                set_hovering.set(true);
            }
            on:dragleave=move |_| set_hovering.set(false)
            on:drop=on_drop
        >
            <input
                class="drop-zone__input"
                type="file"
                accept=".xlsx,.xlsm,.xlsb,.xls,.ods,.csv,.tsv,.txt"
                disabled=disabled
                on:change=on_change
            />
            <span class="drop-zone__title">{move || text(lang.get()).drop_title}</span>
            <span class="drop-zone__hint">{move || text(lang.get()).drop_hint}</span>
        </label>
    }
}
