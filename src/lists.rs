//! The company's tags and organizations, loaded once a token is present
//! and kept for the session: tag and organization names in the sheet
//! resolve against them (see the core's `names`).

use employee_import::names::Tag;
use employee_import::{Lang, Reference};
use futures::future::join_all;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiClient, ApiError};

/// Tag pages asked for at once after the first.
const PAGES_AT_ONCE: usize = 4;
/// More tag pages than this is not a company's tag list.
const MAX_PAGES: u64 = 2_000;

/// Where the lists stand.
#[derive(Debug, Clone, PartialEq)]
pub enum ListsState {
    /// No token yet: names wait.
    Off,
    Loading {
        tags: usize,
    },
    Loaded {
        tags: usize,
        organizations: usize,
        /// When, as the admin's clock shows it ("14:05").
        at: String,
        /// How long loading took.
        ms: f64,
    },
    Failed(ApiError),
}

impl ListsState {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ListsState::Off => lang.pick(
                "Tag and organization names are looked up in Ruangkerja once an access token is given; serials work without it.".to_owned(),
                "Nama tag dan organisasi dicari di Ruangkerja setelah token akses diisi; serial dapat dipakai tanpanya.".to_owned(),
            ),
            ListsState::Loading { tags } => lang.pick(
                format!("Loading the tags ({tags} so far) and the company structure from Ruangkerja…"),
                format!("Memuat tag ({tags} sejauh ini) dan struktur perusahaan dari Ruangkerja…"),
            ),
            ListsState::Loaded {
                tags,
                organizations,
                at,
                ms,
            } => lang.pick(
                format!("{tags} tags and {organizations} organizations loaded from Ruangkerja at {at} (in {} ms): names are matched against them.", ms.max(0.0).round() as u64),
                format!("{tags} tag dan {organizations} organisasi dimuat dari Ruangkerja pukul {at} (dalam {} md): nama dicocokkan dengannya.", ms.max(0.0).round() as u64),
            ),
            ListsState::Failed(error) => lang.pick(
                format!("The tags and organizations could not be loaded, so names cannot be matched (serials still work): {}", error.message(lang)),
                format!("Tag dan organisasi tidak dapat dimuat, jadi nama tidak dapat dicocokkan (serial tetap dapat dipakai): {}", error.message(lang)),
            ),
        }
    }
}

/// Loads the lists; `Copy`, a handle.
#[derive(Clone, Copy)]
pub struct ListsLoader {
    pub state: RwSignal<ListsState>,
    /// Counts loads, so an answer to an older one is dropped.
    generation: StoredValue<u64>,
    on_loaded: Callback<Reference>,
}

impl ListsLoader {
    pub fn new(on_loaded: Callback<Reference>) -> ListsLoader {
        ListsLoader {
            state: RwSignal::new(ListsState::Off),
            generation: StoredValue::new(0),
            on_loaded,
        }
    }

    /// Loads (again) with `client`'s token. A refused token leaves the
    /// lists waiting for another one.
    pub fn load(self, client: ApiClient) {
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        self.state.set(ListsState::Loading { tags: 0 });
        let started = js_sys::Date::now();
        spawn_local(async move {
            let loaded = fetch(&client, |tags| {
                if self.generation.get_value() == generation {
                    self.state.set(ListsState::Loading { tags });
                }
            })
            .await;
            if self.generation.get_value() != generation {
                return;
            }
            match loaded {
                Ok(reference) => {
                    self.state.set(ListsState::Loaded {
                        tags: reference.tags.len(),
                        organizations: reference.organizations.len(),
                        at: clock_now(),
                        ms: js_sys::Date::now() - started,
                    });
                    self.on_loaded.run(reference);
                }
                Err(error) => self.state.set(ListsState::Failed(error)),
            }
        });
    }

    /// No token: lists already loaded stay for the session; a load under
    /// way is dropped.
    pub fn token_gone(self) {
        if !matches!(self.state.get_untracked(), ListsState::Loaded { .. }) {
            self.generation.update_value(|g| *g += 1);
            self.state.set(ListsState::Off);
        }
    }
}

/// Every page of the tags (the first with the structure, then a few at
/// a time) and the company structure.
async fn fetch(client: &ApiClient, progress: impl Fn(usize)) -> Result<Reference, ApiError> {
    let (first, structure) = futures::join!(client.list_tags(1), client.company_structure());
    let first = first?;
    let roots = structure?;
    let mut tags: Vec<Tag> = first.items;
    progress(tags.len());
    let pages: Vec<u64> = (2..=first.total_page.min(MAX_PAGES)).collect();
    for some in pages.chunks(PAGES_AT_ONCE) {
        for page in join_all(some.iter().map(|&page| client.list_tags(page))).await {
            tags.extend(page?.items);
        }
        progress(tags.len());
    }
    Ok(Reference::new(tags, roots))
}

fn clock_now() -> String {
    let now = js_sys::Date::new_0();
    format!("{:02}:{:02}", now.get_hours(), now.get_minutes())
}
