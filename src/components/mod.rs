//! Presentational components: data in through signals and props, events out
//! through callbacks. No business rules live here.

mod connection_form;
mod drop_zone;
mod import_setup;
mod name_choices;
mod password_prompt;
mod preflight_panel;
mod preview_grid;
mod read_progress;
mod send_panel;

pub use connection_form::{ConnectionForm, LanguageSwitch};
pub use drop_zone::DropZone;
pub use import_setup::ImportSetup;
pub use name_choices::NameChoices;
pub use password_prompt::PasswordPrompt;
pub use preflight_panel::PreflightPanel;
pub use preview_grid::{CellView, ColumnView, PreviewGrid, RowView, ROW_HEIGHT};
pub use read_progress::ReadProgress;
pub use send_panel::SendPanel;
