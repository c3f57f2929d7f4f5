use employee_import::config::{PRODUCTION_BASE_URL, SANDBOX_BASE_URL};
use employee_import::Lang;
use leptos::prelude::*;

use crate::i18n::text;

/// Where requests go and with which access token: pasted, or exchanged for
/// client credentials.
#[component]
pub fn ConnectionForm(
    #[prop(into)] lang: Signal<Lang>,
    #[prop(into)] base_url: Signal<String>,
    #[prop(into)] token: Signal<String>,
    /// "expires in …", when the expiry is known.
    #[prop(into)]
    expiry: Signal<Option<String>>,
    #[prop(into)] remember: Signal<bool>,
    #[prop(into)] on_base_url: Callback<String>,
    /// The deployer's page on getting a token, if config.json names one.
    #[prop(into)]
    token_help: Signal<Option<String>>,
    #[prop(into)] on_token: Callback<String>,
    on_remember: Callback<bool>,
    /// Client ID and secret to exchange for a token.
    on_sign_in: Callback<(String, String)>,
) -> impl IntoView {
    let t = move || text(lang.get());
    let client_id = RwSignal::new(String::new());
    let client_secret = RwSignal::new(String::new());
    view! {
        <fieldset class="connection">
            <legend>{move || t().connection}</legend>
            <div class="connection__field">
                <label>
                    <span>{move || t().token}</span>
                    // Kept in memory only, unless the user ticks "remember in this tab".
                    <input
                        type="password"
                        name="access-token"
                        autocomplete="off"
                        prop:value=token
                        on:input=move |ev| on_token.run(event_target_value(&ev))
                    />
                </label>
                <span class="connection__help">
                    {move || t().token_help}
                    {move || token_help.get().map(|url| view! {
                        " "
                        <a href=url target="_blank" rel="noopener noreferrer">{t().token_help_link}</a>
                    })}
                </span>
                <span class="connection__expiry" role="status">{move || expiry.get()}</span>
                <label class="connection__remember">
                    <input
                        type="checkbox"
                        name="remember-token"
                        prop:checked=remember
                        on:change=move |ev| on_remember.run(event_target_checked(&ev))
                    />
                    {move || t().remember_token}
                </label>
            </div>
            <details class="connection__sign-in">
                <summary>{move || t().sign_in_title}</summary>
                <p class="connection__note">{move || t().secret_note}</p>
                <form
                    class="connection__credentials"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        on_sign_in.run((client_id.get_untracked(), client_secret.get_untracked()));
                        client_secret.set(String::new());
                    }
                >
                    <label class="connection__field">
                        <span>{move || t().client_id}</span>
                        <input
                            type="text"
                            name="client-id"
                            autocomplete="off"
                            prop:value=client_id
                            on:input=move |ev| client_id.set(event_target_value(&ev))
                        />
                    </label>
                    <label class="connection__field">
                        <span>{move || t().client_secret}</span>
                        <input
                            type="password"
                            name="client-secret"
                            autocomplete="off"
                            prop:value=client_secret
                            on:input=move |ev| client_secret.set(event_target_value(&ev))
                        />
                    </label>
                    <button type="submit" class="button">{move || t().get_token}</button>
                </form>
            </details>
            // Where requests go: set by whoever deployed the app, rarely
            // changed by an admin.
            <details class="connection__advanced">
                <summary>{move || t().api_address}</summary>
                <div class="connection__address">
                <label class="connection__field connection__field--narrow">
                    <span>{move || t().api_target}</span>
                    <select
                        name="api-target"
                        on:change=move |ev| {
                            let chosen = event_target_value(&ev);
                            if !chosen.is_empty() {
                                on_base_url.run(chosen);
                            }
                        }
                    >
                        <option value=PRODUCTION_BASE_URL selected=move || base_url.get() == PRODUCTION_BASE_URL>
                            {move || t().preset_production}
                        </option>
                        <option value=SANDBOX_BASE_URL selected=move || base_url.get() == SANDBOX_BASE_URL>
                            {move || t().preset_sandbox}
                        </option>
                        <option
                            value=""
                            selected=move || base_url.with(|url| url != PRODUCTION_BASE_URL && url != SANDBOX_BASE_URL)
                        >
                            {move || t().preset_custom}
                        </option>
                    </select>
                </label>
                <label class="connection__field">
                    <span>{move || t().base_url}</span>
                    <input
                        type="url"
                        name="api-base-url"
                        prop:value=base_url
                        on:input=move |ev| on_base_url.run(event_target_value(&ev))
                    />
                </label>
                </div>
            </details>
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
