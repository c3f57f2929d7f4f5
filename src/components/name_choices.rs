use employee_import::{Field, Lang, NameChoice};
use leptos::prelude::*;

use crate::lists::ListsState;

/// Why names cannot be matched (no token, the lists failing or still
/// loading; once loaded, the line above the file says so), and each tag
/// or organization value that needs a choice, with its choices: one click
/// puts the choice in every row holding the value.
#[component]
pub fn NameChoices(
    #[prop(into)] lang: Signal<Lang>,
    #[prop(into)] lists: Signal<ListsState>,
    #[prop(into)] choices: Signal<Vec<NameChoice>>,
    /// False while rows are not final (being read or validated again).
    #[prop(into)]
    enabled: Signal<bool>,
    on_choose: Callback<(Field, String, String)>,
    on_refresh: Callback<()>,
) -> impl IntoView {
    let status = move || {
        let state = lists.get();
        let problem = matches!(state, ListsState::Failed(_) | ListsState::Off);
        let failed = matches!(state, ListsState::Failed(_));
        (!matches!(state, ListsState::Loaded { .. })).then(|| view! {
            <p class="names__status" class:names__status--problem=problem role="status">
                {state.message(lang.get())}
                {failed.then(|| view! {
                    " "
                    <button type="button" class="button button--small" on:click=move |_| on_refresh.run(())>
                        {move || lang.get().pick("Try again", "Coba lagi")}
                    </button>
                })}
            </p>
        })
    };
    let list = move || {
        let lang_now = lang.get();
        choices.with(|choices| {
            (!choices.is_empty()).then(|| {
                let items = choices
                    .iter()
                    .map(|choice| {
                        let NameChoice { field, value, choices, ambiguous, rows } = choice.clone();
                        let what = match (field, ambiguous) {
                            (Field::TagSerials, _) => lang_now.pick("tag", "tag"),
                            (_, true) => lang_now.pick("organization named more than once", "organisasi bernama sama"),
                            _ => lang_now.pick("organization", "organisasi"),
                        };
                        let count = lang_now.pick(
                            format!("{rows} {}", if rows == 1 { "row" } else { "rows" }),
                            format!("{rows} baris"),
                        );
                        let none = choices.is_empty().then(|| {
                            lang_now.pick(
                                "no close name: check the spelling, or the list in Ruangkerja",
                                "tidak ada nama yang mirip: periksa ejaan, atau daftarnya di Ruangkerja",
                            )
                        });
                        let buttons = choices
                            .into_iter()
                            .map(|choice| {
                                let value = value.clone();
                                let label = match rows {
                                    1 => lang_now.pick(
                                        format!("Use \"{choice}\""),
                                        format!("Pakai \"{choice}\""),
                                    ),
                                    _ => lang_now.pick(
                                        format!("Use \"{choice}\" in all {rows}"),
                                        format!("Pakai \"{choice}\" di semua {rows}"),
                                    ),
                                };
                                view! {
                                    <button
                                        type="button"
                                        class="button button--small names__choice"
                                        disabled=move || !enabled.get()
                                        on:click=move |_| on_choose.run((field, value.clone(), choice.clone()))
                                    >
                                        {label}
                                    </button>
                                }
                            })
                            .collect_view();
                        view! {
                            <li class="names__item">
                                <span class="names__value">{format!("\"{value}\"")}</span>
                                <span class="names__what">{format!(" ({what}, {count}): ")}</span>
                                {none}
                                {buttons}
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="names__choices">
                        <h3 class="names__title">{lang_now.pick("Names to choose", "Nama yang perlu dipilih")}</h3>
                        <ul class="names__list">{items}</ul>
                    </div>
                }
            })
        })
    };
    view! {
        <section class="names" aria-label=move || lang.get().pick("Tags and organizations", "Tag dan organisasi")>
            {status}
            {list}
        </section>
    }
}
