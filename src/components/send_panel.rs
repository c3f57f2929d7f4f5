use employee_import::{Hold, Lang, LedgerCounts, Mode, Outlook};
use leptos::prelude::*;

use crate::i18n::{self, text};
use crate::sending::{RunState, Trouble};

/// Settings, the send button, and while sending: progress, pause, resume,
/// cancel.
#[component]
pub fn SendPanel(
    #[prop(into)] lang: Signal<Lang>,
    #[prop(into)] mode: Signal<Mode>,
    #[prop(into)] counts: Signal<LedgerCounts>,
    /// What the next send would do, from pre-flight.
    #[prop(into)]
    outlook: Signal<Outlook>,
    /// Pre-flight is checking, or rows are being judged: sending waits.
    #[prop(into)]
    checking: Signal<bool>,
    /// Why nothing can be sent now (no token), said beside the button.
    #[prop(into)]
    blocked: Signal<Option<&'static str>>,
    #[prop(into)] run: Signal<RunState>,
    /// A failure the run is getting over, told under the progress bar.
    #[prop(into)]
    trouble: Signal<Option<Trouble>>,
    /// The counts of the ledger the run writes (users or e-mails).
    #[prop(into)]
    run_counts: Signal<LedgerCounts>,
    #[prop(into)] batch_size: Signal<usize>,
    #[prop(into)] concurrency: Signal<usize>,
    on_batch_size: Callback<usize>,
    on_concurrency: Callback<usize>,
    on_start: Callback<()>,
    on_pause: Callback<()>,
    on_resume: Callback<()>,
    on_cancel: Callback<()>,
    on_retry_rejected: Callback<()>,
) -> impl IntoView {
    let t = move || text(lang.get());
    // Rows to check first count too: the button then starts the check.
    let actionable = move || outlook.with(Outlook::startable);
    let active = move || run.with(|r| r.active);
    let done = move || {
        let planned = run.with(|r| r.planned);
        // Rows of the run count as sending until they have an outcome.
        run_counts.with(|c| planned.saturating_sub(c.sending))
    };
    // While a run is active the clock moves: the time left and a retry's
    // countdown are redrawn every second, not only when an answer comes.
    let now = RwSignal::new(js_sys::Date::now());
    Effect::new(move |ticker: Option<Option<IntervalHandle>>| {
        if let Some(Some(ticker)) = ticker {
            ticker.clear();
        }
        active()
            .then(|| {
                set_interval_with_handle(
                    move || now.set(js_sys::Date::now()),
                    std::time::Duration::from_secs(1),
                )
                .ok()
            })
            .flatten()
    });
    let status_line = move || {
        let lang = lang.get();
        let trouble = trouble.get()?;
        let wait = trouble
            .retry_at_ms
            .map(|at| ((at - now.get()) / 1000.0).ceil().max(0.0) as u64);
        Some(i18n::trouble(
            lang,
            &trouble.error.message(lang),
            trouble.failures,
            wait,
        ))
    };
    // This file's rows went out and none is left to send.
    let finished = move || {
        !active()
            && actionable() == 0
            && counts.with(|c| c.created + c.rejected + c.not_sent + c.unconfirmed + c.exists > 0)
    };
    let progress_text = move || {
        now.track();
        let lang = lang.get();
        let planned = run.with(|r| r.planned);
        let done = done();
        let elapsed = (js_sys::Date::now() - run.with(|r| r.started_ms)) / 1000.0;
        let rate = if elapsed > 0.0 {
            done as f64 / elapsed
        } else {
            0.0
        };
        let left = if rate > 0.0 {
            Some(((planned - done) as f64 / rate).ceil() as u64)
        } else {
            None
        };
        i18n::progress(lang, done, planned, rate, left)
    };
    let number_input =
        move |name: &'static str, value: Signal<usize>, max: usize, on: Callback<usize>| {
            view! {
                <input
                    type="number"
                    name=name
                    min="1"
                    max=max
                    prop:value=move || value.get().to_string()
                    disabled=active
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<usize>() {
                            on.run(n.clamp(1, max));
                        }
                    }
                />
            }
        };
    view! {
        <div class="send">
            <div class="send__actions">
                // A run that left nothing to send says what to do next
                // instead of offering to send nothing.
                <Show when=finished>
                    <p class="send__done" role="status">
                        {move || i18n::run_done(lang.get(), &counts.get())}
                    </p>
                </Show>
                <Show when=move || !active() && !finished()>
                    <button
                        class="button button--primary"
                        type="button"
                        disabled=move || actionable() == 0 || checking.get() || blocked.with(Option::is_some)
                        aria-describedby=move || blocked.with(Option::is_some).then_some("send-blocked")
                        on:click=move |_| on_start.run(())
                    >
                        {move || i18n::outlook_label(lang.get(), mode.get(), &outlook.get())}
                    </button>
                    {move || blocked.get().map(|why| view! {
                        <span class="send__why" id="send-blocked">{why}</span>
                    })}
                </Show>
                    <Show when=move || !active() && counts.with(|c| c.rejected > 0)>
                        <button class="button" type="button" disabled=move || checking.get() on:click=move |_| on_retry_rejected.run(())>
                            {move || i18n::retry_label(lang.get(), counts.with(|c| c.rejected))}
                        </button>
                    </Show>
                <Show when=active>
                    {move || match run.with(|r| r.hold) {
                        None => view! {
                            <button class="button" type="button" on:click=move |_| on_pause.run(())>{t().pause}</button>
                        }
                        .into_any(),
                        Some(_) => view! {
                            <button class="button button--primary" type="button" on:click=move |_| on_resume.run(())>
                                {t().resume}
                            </button>
                        }
                        .into_any(),
                    }}
                    <button class="button" type="button" on:click=move |_| on_cancel.run(())>{t().cancel}</button>
                </Show>
            </div>
            // How requests go out: rarely changed, so out of the way.
            <details class="send__advanced">
                <summary>{move || t().advanced}</summary>
                <div class="send__settings">
                    <label class="send__setting">
                        <span>{move || t().batch_size}</span>
                        {number_input("batch-size", batch_size, 500, on_batch_size)}
                    </label>
                    <label class="send__setting">
                        <span>{move || t().concurrency}</span>
                        {number_input("concurrency", concurrency, 10, on_concurrency)}
                    </label>
                </div>
            </details>
        </div>
        <Show when=active>
            <div class="progress">
                <progress
                    class="progress__bar"
                    max=move || run.with(|r| r.planned.max(1))
                    value=done
                    aria-label=move || t().progress_label
                ></progress>
                <span class="progress__text">{progress_text}</span>
            </div>
            <p class="progress__status" role="status" aria-live="polite">{status_line}</p>
            <Show when=move || run.with(|r| r.hold == Some(Hold::NeedsToken))>
                <p class="notice notice--error" role="alert">{move || t().token_needed}</p>
            </Show>
            <Show when=move || run.with(|r| r.unsaved)>
                <p class="notice notice--error" role="alert">{move || t().unsaved}</p>
            </Show>
            <Show when=move || run.with(|r| r.hold == Some(Hold::Paused))>
                <p class="notice" role="status">{move || t().paused}</p>
            </Show>
        </Show>
    }
}
