use leptos::prelude::*;

/// Where requests go and with which access token.
#[component]
pub fn ConnectionForm(
    #[prop(into)] base_url: Signal<String>,
    #[prop(into)] token: Signal<String>,
    #[prop(into)] on_base_url: Callback<String>,
    #[prop(into)] on_token: Callback<String>,
) -> impl IntoView {
    view! {
        <fieldset class="connection">
            <legend>"Connection"</legend>
            <label class="connection__field">
                <span>"API base URL"</span>
                <input
                    type="url"
                    name="api-base-url"
                    prop:value=base_url
                    on:input=move |ev| on_base_url.run(event_target_value(&ev))
                />
            </label>
            <label class="connection__field">
                <span>"Access token"</span>
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
