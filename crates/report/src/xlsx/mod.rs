//! Writing workbooks: the ledger (台账), the weekly table, the assessment ranking.
//!
//! Everything a reader sees as words — titles, headers, labels, sheet names — comes from the
//! caller, who has already localised it; this module only decides layout and number formats.
//! Numbers, percentages and dates are written as real Excel values so that users can sort,
//! filter and sum them, which is the reason people ask for Excel instead of a PDF.
//!
//! The ledger can be very large (a group with 10k units) and is streamed through a
//! constant-memory worksheet, see [`LedgerWriter`]. The statistics, notes and ranking sheets
//! are small and laid out in memory, so they can be combined into one workbook with
//! [`write_workbook`].

mod ledger;
mod ranking;
mod stats;
mod style;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests_ledger;
#[cfg(test)]
mod tests_tables;

use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::Workbook;

pub use ledger::{LedgerHeaders, LedgerLayout, LedgerRow, LedgerWriter, write_ledger};
pub use ranking::{ListTone, RankingChart, RankingList, RankingSheet};
pub use stats::{HeaderGroup, NotesSheet, StatsRow, StatsSheet};

/// Why a workbook could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The writer refused (a full sheet, an unwritable temp dir or output, …).
    #[error("writing the workbook failed: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The input does not describe a table (a row with the wrong number of values, a chart
    /// pointing at a column that does not exist, …): a bug in the caller, not in the data.
    #[error("the sheet cannot be laid out: {0}")]
    Shape(String),
}

pub type Result<T> = std::result::Result<T, ExportError>;

/// How the cells of a column are formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColumnKind {
    /// Counts: whole numbers.
    #[default]
    Int,
    /// Scores and the like, with this many decimals (at most 6).
    Decimal(u8),
    /// Rates given as fractions (0.853) and shown as `85.3%`.
    Percent,
    /// Free text, left aligned.
    Text,
}

/// One column of a statistics or ranking table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Column {
    pub header: String,
    pub kind: ColumnKind,
    /// Width in Excel character units; `0.0` picks a width that suits the kind.
    pub width: f64,
}

impl Column {
    pub fn new(header: impl Into<String>, kind: ColumnKind, width: f64) -> Self {
        Column {
            header: header.into(),
            kind,
            width,
        }
    }
}

/// One cell of a statistics or ranking table.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    Int(i64),
    /// A decimal number such as a composite score.
    Number(f64),
    /// A fraction (0.853 is 85.3%); `None` when the rate has no denominator, shown as the
    /// sheet's `missing` text.
    Percent(Option<f64>),
    Text(String),
    #[default]
    Empty,
}

/// A labelled block of narrative, e.g. 本周主要进展 and what was done.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Note {
    pub label: String,
    pub text: String,
}

impl Note {
    pub fn new(label: impl Into<String>, text: impl Into<String>) -> Self {
        Note {
            label: label.into(),
            text: text.into(),
        }
    }
}

/// One sheet of a multi-sheet workbook, in the order the tabs should appear.
#[derive(Debug, Clone)]
pub enum Sheet {
    Stats(StatsSheet),
    Notes(NotesSheet),
    Ranking(RankingSheet),
}

/// Lays out the sheets into one workbook and returns the `.xlsx` bytes.
pub fn write_workbook(sheets: &[Sheet]) -> Result<Vec<u8>> {
    Ok(build_workbook(sheets)?.save_to_buffer()?)
}

/// Like [`write_workbook`], streaming the zip into `out` (an HTTP body, a file).
pub fn write_workbook_to<W: Write + Send>(sheets: &[Sheet], out: W) -> Result<()> {
    Ok(build_workbook(sheets)?.save_to_writer(out)?)
}

/// Like [`write_workbook`], creating or replacing the file at `path`.
pub fn write_workbook_to_path(sheets: &[Sheet], path: impl AsRef<Path>) -> Result<()> {
    Ok(build_workbook(sheets)?.save(path.as_ref())?)
}

fn build_workbook(sheets: &[Sheet]) -> Result<Workbook> {
    if sheets.is_empty() {
        // Excel refuses to open a workbook without sheets; better to say so here.
        return Err(ExportError::Shape(
            "a workbook needs at least one sheet".into(),
        ));
    }
    let mut workbook = Workbook::new();
    let mut names = style::SheetNames::default();
    for sheet in sheets {
        let worksheet = workbook.add_worksheet();
        match sheet {
            Sheet::Stats(s) => {
                worksheet.set_name(names.claim(&s.name))?;
                stats::lay_out_stats(worksheet, s)?;
            }
            Sheet::Notes(s) => {
                worksheet.set_name(names.claim(&s.name))?;
                stats::lay_out_notes(worksheet, s)?;
            }
            Sheet::Ranking(s) => {
                let name = names.claim(&s.name);
                worksheet.set_name(&name)?;
                ranking::lay_out_ranking(worksheet, &name, s)?;
            }
        }
    }
    Ok(workbook)
}
