use employee_import::{Hold, Lang, Mode, Outlook};
use leptos::prelude::*;

use crate::checking::CheckState;
use crate::i18n::{self, text};

/// What pre-flight found, before anything is written: counts, progress of a
/// check, "Check again", "Update these N users instead", and the opt-in
/// e-mail change with its warning.
#[component]
pub fn PreflightPanel(
    #[prop(into)] lang: Signal<Lang>,
    #[prop(into)] mode: Signal<Mode>,
    #[prop(into)] outlook: Signal<Outlook>,
    #[prop(into)] check: Signal<CheckState>,
    /// E-mail changes that can be sent now.
    #[prop(into)]
    emails_ready: Signal<usize>,
    /// A run is sending: nothing else may start.
    #[prop(into)]
    busy: Signal<bool>,
    on_check: Callback<()>,
    on_cancel_check: Callback<()>,
    on_resume_check: Callback<()>,
    on_update_instead: Callback<()>,
    on_change_emails: Callback<()>,
) -> impl IntoView {
    let t = move || text(lang.get());
    let acknowledged = RwSignal::new(false);
    let active = move || check.with(|c| c.active);
    let idle = move || !active() && !busy.get();
    view! {
        <section class="preflight" aria-labelledby="preflight-title">
            <h3 id="preflight-title" class="preflight__title">{move || t().check_title}</h3>
            <p class="preflight__counts" role="status">
                {move || i18n::outlook_summary(lang.get(), mode.get(), &outlook.get())}
            </p>
            <Show when=active>
                <div class="progress">
                    <progress
                        class="progress__bar"
                        max=move || check.with(|c| c.total.max(1))
                        value=move || check.with(|c| c.checked)
                        aria-label=move || t().check_title
                    ></progress>
                    <span class="progress__text">
                        {move || check.with(|c| i18n::check_progress(lang.get(), c.checked, c.total, c.requests))}
                    </span>
                    <button type="button" class="button" on:click=move |_| on_cancel_check.run(())>
                        {move || t().cancel_check}
                    </button>
                </div>
                <Show when=move || check.with(|c| c.hold == Some(Hold::NeedsToken))>
                    <p class="notice notice--error" role="alert">
                        {move || t().check_needs_token}
                        " "
                        <button type="button" class="button button--primary" on:click=move |_| on_resume_check.run(())>
                            {move || t().resume}
                        </button>
                    </p>
                </Show>
            </Show>
            <div class="preflight__actions">
                <Show when=move || idle() && outlook.with(|o| o.could_not_check > 0)>
                    <button type="button" class="button" on:click=move |_| on_check.run(())>
                        {move || t().check_again}
                    </button>
                </Show>
                <Show when=move || idle() && mode.get() == Mode::Create && outlook.with(|o| o.exists > 0)>
                    <button type="button" class="button" on:click=move |_| on_update_instead.run(())>
                        {move || i18n::update_instead_label(lang.get(), outlook.with(|o| o.exists))}
                    </button>
                </Show>
            </div>
            <Show when=move || { emails_ready.get() > 0 }>
                <div class="preflight__emails" role="group" aria-labelledby="emails-title">
                    <h4 id="emails-title" class="preflight__title">{move || t().emails_title}</h4>
                    <p class="preflight__warning">{move || t().emails_warning}</p>
                    <label class="preflight__ack">
                        <input
                            type="checkbox"
                            name="emails-ack"
                            prop:checked=move || acknowledged.get()
                            on:change=move |ev| acknowledged.set(event_target_checked(&ev))
                        />
                        {move || t().emails_ack}
                    </label>
                    <button
                        type="button"
                        class="button button--primary"
                        disabled=move || !acknowledged.get() || !idle()
                        on:click=move |_| {
                            acknowledged.set(false);
                            on_change_emails.run(());
                        }
                    >
                        {move || i18n::change_emails_label(lang.get(), emails_ready.get())}
                    </button>
                </div>
            </Show>
        </section>
    }
}
