use employee_import::Lang;
use leptos::prelude::*;

use crate::i18n;
use crate::reading::Progress;

/// How far the file being opened has been read, with a way to stop.
#[component]
pub fn ReadProgress(
    #[prop(into)] lang: Signal<Lang>,
    progress: Progress,
    on_cancel: Callback<()>,
) -> impl IntoView {
    // Reading counts for nine tenths of the bar, taking the rows in for
    // the last tenth; without a stated size the bar is indeterminate. In
    // thousandths, as integers: the page formats no float.
    let fraction = match (progress.rows, progress.received) {
        (_, Some((done, of))) if of > 0 => Some(900 + 100 * done.min(of) / of),
        (Some((rows, Some(total))), None) if total > 0 => {
            Some((900 * u64::from(rows.min(total)) / u64::from(total)) as usize)
        }
        _ => None,
    };
    let status = move || i18n::read_progress(lang.get(), &progress);
    view! {
        <div class="read-progress" role="status" aria-live="polite">
            {match fraction {
                Some(value) => view! { <progress class="read-progress__bar" max="1000" value=value></progress> }.into_any(),
                None => view! { <progress class="read-progress__bar"></progress> }.into_any(),
            }}
            <span class="read-progress__text">{status}</span>
            <button type="button" class="button" on:click=move |_| on_cancel.run(())>
                {move || i18n::text(lang.get()).cancel_reading}
            </button>
        </div>
    }
}
