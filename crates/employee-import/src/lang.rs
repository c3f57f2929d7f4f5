//! The two languages every user-facing text of the core comes in.

/// English or Bahasa Indonesia.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Lang {
    #[default]
    En,
    Id,
}

impl Lang {
    /// Picks the text for this language.
    pub fn pick<T>(self, en: T, id: T) -> T {
        match self {
            Lang::En => en,
            Lang::Id => id,
        }
    }
}
