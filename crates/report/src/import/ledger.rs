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

/// Where the year of dates written without one ("6月30日前", "年底前") came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum YearSource {
    /// The title above the header ("2021年“我为群众办实事”项目清单") or the sheet's name.
    Title,
    /// The default year the importer chose.
    Chosen,
}

/// A ledger as read from a worksheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedLedger {
    pub sheet: String,
    /// 1-based row of the header (the upper one of a two-level header); 0 when the mapping said
    /// the sheet has none.
    pub header_row: u32,
    /// The year of dates written without one, and where it came from.
    pub year: Option<(i32, YearSource)>,
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
    /// 工作措施, or 具体内容 in a sheet without a 工作措施 column.
    pub measures: Option<String>,
    /// 具体内容 in a sheet that has a 工作措施 column too.
    pub content: Option<String>,
    pub deadline: Option<NaiveDate>,
    /// 原定完成时限: the deadline before it was extended.
    pub original_deadline: Option<NaiveDate>,
    pub progress_text: Option<String>,
    /// A percentage found in the progress text ("完成80％" → 80).
    pub progress_percent: Option<u8>,
    /// From 完成状态, or else from the first words of 进展情况 ("已完成", "正在推进").
    pub status: Option<MatterStatus>,
    /// The status was read from 进展情况, not from a status column.
    pub status_from_progress: bool,
    pub remarks: Option<String>,
    pub acceptance_standard: Option<String>,
    pub supervisor: Option<String>,
    pub content_area: Option<String>,
    /// 批次: a campaign's name.
    pub campaign: Option<String>,
    pub tags: Vec<String>,
    /// The section heading row above this one ("一、服务基层类"), if the sheet has them.
    pub section: Option<String>,
}

pub(crate) fn read(
    bytes: &[u8],
    mapping: Option<&ColumnMapping>,
    options: &ImportOptions,
) -> Result<ParsedLedger, ImportError> {
    let Prepared { grid, mut header } = prepare(bytes, &LEDGER, mapping, options)?;
    // Real ledgers (项目名称 / 具体内容 / 责任单位 …) say what will be done under 具体内容.
    header.promote(Field::Content, Field::Measures);
    let year = title_year(&grid, &header)
        .map(|y| (y, YearSource::Title))
        .or(options.default_year.map(|y| (y, YearSource::Chosen)));
    let mut parsed = ParsedLedger {
        sheet: grid.sheet.clone(),
        header_row: header.first_row,
        year,
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
        let (matter, problems) =
            read_row(&grid, &header, row, section.clone(), year.map(|(y, _)| y));
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

/// The year a title row above the header names ("2021年“我为群众办实事”项目清单"), or else the
/// sheet's name ("2021年清单").
fn title_year(grid: &Grid, header: &header::Header) -> Option<i32> {
    let first_header = header.first_row.checked_sub(1)?;
    grid.rows()
        .take_while(|(row, _)| *row < first_header)
        .flat_map(|(_, cells)| cells.map(|(_, value)| value))
        .filter_map(|value| cell::text(Some(value)).ok().flatten())
        .chain(std::iter::once(grid.sheet.clone()))
        .find_map(|text| year_in(&text))
}

/// The first "2021年" in a text: four digits of this century right before 年.
pub(crate) fn year_in(text: &str) -> Option<i32> {
    let chars: Vec<char> = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .filter(|c| !c.is_whitespace())
        .collect();
    chars.windows(5).enumerate().find_map(|(i, w)| {
        let [a, b, c, d, '年'] = *w else {
            return None;
        };
        let before_is_digit = i
            .checked_sub(1)
            .and_then(|j| chars.get(j))
            .is_some_and(char::is_ascii_digit);
        if before_is_digit || ![a, b, c, d].iter().all(char::is_ascii_digit) {
            return None;
        }
        let year: i32 = [a, b, c, d].iter().collect::<String>().parse().ok()?;
        (2000..=2099).contains(&year).then_some(year)
    })
}

fn read_row(
    grid: &Grid,
    header: &header::Header,
    row: u32,
    section: Option<String>,
    year: Option<i32>,
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
    let content = r.text(Field::Content, MAX_TEXT_CHARS);
    let mut date = |field: Field| match cell::date(r.value(field), grid.is_1904, year) {
        Ok(d) => d,
        Err(kind) => {
            r.problem(field, kind);
            None
        }
    };
    let deadline = date(Field::Deadline);
    let original_deadline = date(Field::OriginalDeadline);
    let progress_text = r.text(Field::Progress, MAX_TEXT_CHARS);
    let progress_percent = progress_text.as_deref().and_then(cell::progress_percent);
    let status = r.text(Field::Status, MAX_TEXT_CHARS).and_then(|t| {
        // A status column that holds words of progress ("完成情况": "正在推进，已完成招标")
        // says its status in its first words.
        let found = cell::status(&t).or_else(|| cell::progress_status(&t, None));
        if found.is_none() {
            r.problem(Field::Status, ProblemKind::BadStatus { text: t });
        }
        found
    });
    // Real ledgers have no status column: 进展情况 says "已完成" or "正在推进".
    let progress_says = progress_text
        .as_deref()
        .and_then(|t| cell::progress_status(t, progress_percent));
    let unreadable_status = r.problems.iter().any(|p| p.field == Field::Status);
    let (status, status_from_progress) = match status {
        Some(s) => (Some(s), false),
        None if !unreadable_status && progress_says.is_some() => (progress_says, true),
        None => (None, false),
    };
    let remarks = r.text(Field::Remarks, MAX_TEXT_CHARS);
    let acceptance_standard = r.text(Field::AcceptanceStandard, MAX_TEXT_CHARS);
    let supervisor = r.text(Field::Supervisor, MAX_TEXT_CHARS);
    let content_area = r.text(Field::ContentArea, MAX_TEXT_CHARS);
    let campaign = r.text(Field::Campaign, MAX_TITLE_CHARS);
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
        content,
        deadline,
        original_deadline,
        progress_text,
        progress_percent,
        status,
        status_from_progress,
        remarks,
        acceptance_standard,
        supervisor,
        content_area,
        campaign,
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
