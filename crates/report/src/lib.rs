//! Reporting: the periods figures belong to, the weekly table and its roll-up up the unit tree,
//! the assessment, the dashboard charts (SVG), and Excel in and out.
//!
//! Nothing here touches the database: the service reads the raw counts through the store and
//! hands them in; what comes out is figures, SVG text or workbook bytes.

pub mod assess;
pub mod charts;
pub mod export;
pub mod figures;
pub mod import;
pub mod kinds;
pub mod period;
pub mod rollup;
pub mod table;
pub mod xlsx;
