//! The ledger (台账): one matter per row.

use chrono::NaiveDate;
use serde::Serialize;
use shishi_core::MatterStatus;

use super::header::{self, LEDGER};
use super::problem::{CellProblem, Field, ProblemKind};
use super::sheet::{Grid, Value};
use super::{
    ColumnInfo, ColumnMapping, ImportError, ImportOptions, MAX_TEXT_CHARS, MAX_TITLE_CHARS,
    Prepared, RowReader, cell, has_content, prepare, sort_problems,
};

/// A ledger as read from a worksheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedLedger {
    pub sheet: String,
    /// 1-based row of the header (the upper one of a two-level header); 0 when the mapping said
    /// the sheet has none.
    pub header_row: u32,
    pub columns: Vec<ColumnInfo>,
    pub rows: Vec<LedgerRow>,
    pub problems: Vec<CellProblem>,
}

/// One matter. Text is trimmed; a value that could not be read is `None` and has a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerRow {
    /// 1-based Excel row.
    pub row: u32,
    pub seq: Option<String>,
    /// Empty only when the row has a problem saying so.
    pub title: String,
    pub unit: Option<String>,
    pub owner: Option<String>,
    pub measures: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub progress_text: Option<String>,
    /// A percentage found in the progress text ("完成80％" → 80).
    pub progress_percent: Option<u8>,
    pub status: Option<MatterStatus>,
    pub remarks: Option<String>,
    pub acceptance_standard: Option<String>,
    pub supervisor: Option<String>,
    pub content_area: Option<String>,
    pub tags: Vec<String>,
    /// The section heading row above this one ("一、服务基层类"), if the sheet has them.
    pub section: Option<String>,
}

pub(crate) fn read(
    bytes: &[u8],
    mapping: Option<&ColumnMapping>,
    options: &ImportOptions,
) -> Result<ParsedLedger, ImportError> {
    let Prepared { grid, header } = prepare(bytes, &LEDGER, mapping, options)?;
    let mut parsed = ParsedLedger {
        sheet: grid.sheet.clone(),
        header_row: header.first_row,
        columns: header.infos.clone(),
        rows: Vec::new(),
        problems: header.problems.clone(),
    };
    // Without the matter name no row can be told apart; one problem at the header says why.
    if header.col(Field::Title).is_none() {
        return Ok(parsed);
    }
    let mut section: Option<String> = None;
    for (row, cells) in grid.rows() {
        if header.last_row.is_some_and(|last| row <= last) {
            continue;
        }
        let own: Vec<(u32, &Value)> = cells.collect();
        if let Some(heading) = section_heading(&grid, &header, row, &own) {
            section = Some(heading);
            continue;
        }
        if !has_content(own.iter().copied(), &header) {
            continue;
        }
        let (matter, problems) = read_row(&grid, &header, row, section.clone());
        parsed.rows.push(matter);
        parsed.problems.extend(problems);
    }
    sort_problems(&mut parsed.problems);
    Ok(parsed)
}

/// A row whose only content is one cell merged across most of the table (at least three
/// columns, and at least half of those read), as section headings are; a matter name merged
/// over a few columns stays a matter.
fn section_heading(
    grid: &Grid,
    header: &header::Header,
    row: u32,
    own: &[(u32, &Value)],
) -> Option<String> {
    let [(col, value)] = own else {
        return None;
    };
    let d = grid.region(grid.region_at(row, *col)?)?;
    if d.start != (row, *col) {
        return None;
    }
    let first = header.columns.values().min().copied().unwrap_or(0);
    let last = header.columns.values().max().copied().unwrap_or(0);
    let table = last.saturating_sub(first).saturating_add(1);
    let width = d.end.1.saturating_sub(d.start.1).saturating_add(1);
    if width < 3 || width.saturating_mul(2) < table {
        return None;
    }
    cell::text(Some(value)).ok().flatten()
}

fn read_row(
    grid: &Grid,
    header: &header::Header,
    row: u32,
    section: Option<String>,
) -> (LedgerRow, Vec<CellProblem>) {
    let mut r = RowReader::new(grid, header, row);
    let seq = r.text(Field::Seq, MAX_TEXT_CHARS);
    let title = r.required(Field::Title, MAX_TITLE_CHARS);
    if let Some(t) = &title
        && (matches!(r.value(Field::Title), Some(Value::Int(_) | Value::Float(_)))
            || looks_numeric(t))
    {
        r.problem(Field::Title, ProblemKind::NumericTitle { text: t.clone() });
    }
    let unit = r.required(Field::Unit, MAX_TEXT_CHARS);
    let owner = r.text(Field::Owner, MAX_TEXT_CHARS);
    let measures = r.text(Field::Measures, MAX_TEXT_CHARS);
    let deadline = match cell::date(r.value(Field::Deadline), grid.is_1904) {
        Ok(d) => d,
        Err(kind) => {
            r.problem(Field::Deadline, kind);
            None
        }
    };
    let progress_text = r.text(Field::Progress, MAX_TEXT_CHARS);
    let progress_percent = progress_text.as_deref().and_then(cell::progress_percent);
    let status = r.text(Field::Status, MAX_TEXT_CHARS).and_then(|t| {
        let found = cell::status(&t);
        if found.is_none() {
            r.problem(Field::Status, ProblemKind::BadStatus { text: t });
        }
        found
    });
    let remarks = r.text(Field::Remarks, MAX_TEXT_CHARS);
    let acceptance_standard = r.text(Field::AcceptanceStandard, MAX_TEXT_CHARS);
    let supervisor = r.text(Field::Supervisor, MAX_TEXT_CHARS);
    let content_area = r.text(Field::ContentArea, MAX_TEXT_CHARS);
    let tags = r
        .text(Field::Tags, MAX_TEXT_CHARS)
        .map(|t| split_list(&t))
        .unwrap_or_default();
    let matter = LedgerRow {
        row: row.saturating_add(1),
        seq,
        title: title.unwrap_or_default(),
        unit,
        owner,
        measures,
        deadline,
        progress_text,
        progress_percent,
        status,
        remarks,
        acceptance_standard,
        supervisor,
        content_area,
        tags,
        section,
    };
    (matter, r.problems)
}

fn looks_numeric(t: &str) -> bool {
    t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | ','))
}

/// Items of a list cell ("服务基层、民生；重点"), without blanks or repeats, in order.
pub(crate) fn split_list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in text.split([',', '，', '、', ';', '；', '\n', '|', '｜']) {
        let item = item.trim_matches(|c: char| c.is_whitespace());
        if !item.is_empty() && !out.iter().any(|o| o == item) {
            out.push(item.to_string());
        }
    }
    out
}
