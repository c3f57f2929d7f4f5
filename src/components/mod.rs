//! Presentational components: data in through signals and props, events out
//! through callbacks. No business rules live here.

mod connection_form;
mod drop_zone;
mod rows_table;

pub use connection_form::ConnectionForm;
pub use drop_zone::DropZone;
pub use rows_table::{RowView, RowsTable};
