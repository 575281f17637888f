//! shishi-core: the domain without I/O.
//!
//! Everything here is pure so that the rules (who may move a matter where, when a deadline
//! falls, what counts as overdue) are tested once and shared by the web pages, the API and
//! the CLI alike.

pub mod calendar;
pub mod demand;
pub mod driving;
pub mod lifecycle;
pub mod matter;
pub mod reason;
pub mod role;
pub mod text;
pub mod time;
pub mod unit;

pub use calendar::{DayKind, WorkCalendar};
pub use matter::{MatterAction, MatterStatus, Refusal};
pub use role::Role;
