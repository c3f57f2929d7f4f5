use employee_import::Lang;
use leptos::prelude::*;

use crate::i18n::text;

/// Where requests go and with which access token.
#[component]
pub fn ConnectionForm(
    #[prop(into)] lang: Signal<Lang>,
    #[prop(into)] base_url: Signal<String>,
    #[prop(into)] token: Signal<String>,
    #[prop(into)] on_base_url: Callback<String>,
    #[prop(into)] on_token: Callback<String>,
) -> impl IntoView {
    let t = move || text(lang.get());
    view! {
        <fieldset class="connection">
            <legend>{move || t().connection}</legend>
            <label class="connection__field">
                <span>{move || t().base_url}</span>
                <input
                    type="url"
                    name="api-base-url"
                    prop:value=base_url
                    on:input=move |ev| on_base_url.run(event_target_value(&ev))
                />
            </label>
            <label class="connection__field">
                <span>{move || t().token}</span>
                // Kept in memory only: never written to any browser storage.
                <input
                    type="password"
                    name="access-token"
                    autocomplete="off"
                    prop:value=token
                    on:input=move |ev| on_token.run(event_target_value(&ev))
                />
            </label>
        </fieldset>
    }
}

/// English or Bahasa Indonesia, switchable at any time.
#[component]
pub fn LanguageSwitch(#[prop(into)] lang: Signal<Lang>, on_lang: Callback<Lang>) -> impl IntoView {
    view! {
        <label class="language">
            <span>{move || text(lang.get()).language}</span>
            <select
                name="language"
                on:change=move |ev| on_lang.run(if event_target_value(&ev) == "id" { Lang::Id } else { Lang::En })
            >
                <option value="en" selected=move || lang.get() == Lang::En>"English"</option>
                <option value="id" selected=move || lang.get() == Lang::Id>"Bahasa Indonesia"</option>
            </select>
        </label>
    }
}
