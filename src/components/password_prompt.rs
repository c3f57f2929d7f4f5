use employee_import::Lang;
use leptos::html;
use leptos::prelude::*;

use crate::i18n::text;

/// Asks for the password of a protected workbook. The password lives in
/// the input until "Open" is pressed, then goes to `on_submit` once; the
/// field is cleared at once and nothing keeps it.
#[component]
pub fn PasswordPrompt(
    #[prop(into)] lang: Signal<Lang>,
    /// The file's name, to say which file is meant.
    #[prop(into)]
    file: Signal<String>,
    /// Why the last password did not open it, in the page's language.
    #[prop(into)]
    error: Signal<Option<String>>,
    #[prop(into)] busy: Signal<bool>,
    on_submit: Callback<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let input = NodeRef::<html::Input>::new();
    let t = move || text(lang.get());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(element) = input.get_untracked() {
            let password = element.value();
            element.set_value("");
            if !password.is_empty() {
                on_submit.run(password);
            }
        }
    };
    view! {
        <form class="password" on:submit=submit aria-labelledby="password-title">
            <h2 id="password-title" class="password__title">
                {move || format!("{}: {}", file.get(), t().password_title)}
            </h2>
            <p class="password__hint">{move || t().password_hint}</p>
            <label class="password__field">
                <span>{move || t().password_label}</span>
                <input
                    type="password"
                    name="workbook-password"
                    autocomplete="off"
                    node_ref=input
                    aria-invalid=move || error.with(Option::is_some).then_some("true")
                    aria-describedby="password-error"
                />
            </label>
            <p id="password-error" class="password__error" role="alert">{move || error.get()}</p>
            <div class="password__actions">
                <button type="submit" class="button button--primary" disabled=busy>
                    {move || t().password_open}
                </button>
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>
                    {move || t().cancel}
                </button>
            </div>
        </form>
    }
}
