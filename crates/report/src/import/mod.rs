//! Reading existing ledgers, units and people from Excel workbooks.
//!
//! Bytes in, rows and located problems out; names are resolved against the database by the
//! caller, so only what the file itself can show is checked here. Understood layouts:
//!
//! - xlsx (streamed), and xls and ods through calamine; the first worksheet unless one is named.
//! - Title rows above the header (often merged across, "2026年第一批…台账") are skipped: the
//!   header is the row among the first ten with content that holds the most known header words,
//!   compared without blanks, line breaks, "（必填）"-style notes or stars, with the common
//!   synonyms (项目名称 for 事项名称, 牵头单位 for 责任单位…). A two-level header (五定 over
//!   责任单位/责任人/完成时限) reads as one. A [`ColumnMapping`] names columns for other layouts.
//! - A merged cell's value applies to every row it covers, because ledgers merge 责任单位
//!   (sometimes 责任人, 完成时限) down over the rows of one unit and every one of those matters
//!   belongs to it. Across columns it stays in its own column: a name merged over the unit
//!   column is not a unit. In the header, a heading merged across (五定) groups the
//!   sub-headings in the row below.
//! - A row whose only content is one cell merged across the table ("一、服务基层类") is a section
//!   heading; the rows under it carry its text in `section`. Blank rows, and rows that hold
//!   only a 序号 (templates number their empty lines), are skipped.
//! - Dates may be date cells, serial numbers, 20261231, or text such as 2026-12-31, 2026/12/31,
//!   2026.12.31, 2026年12月31日; a month alone (2026年6月, 2026年6月底) means its last day.
//!   Deadlines written without a year ("6月30日前", "年底前", "三季度末") take the year of the
//!   title above the header ("2021年…项目清单") or the default year chosen; "长期坚持",
//!   "持续推进" and the like are no date, and a problem that says what to write instead.
//! - Real ledgers describe the work under 具体内容 (read as 工作措施 when there is no such
//!   column) and say where it stands under 进展情况 ("已完成", "正在推进"), which gives the
//!   status when no 完成状态 column does.
//!
//! Rows with problems are still returned, their bad values left empty, so that a preview can
//! show the whole sheet next to the messages; the caller imports only when `problems` is empty.

mod cell;
mod header;
mod ledger;
mod people;
mod problem;
mod sheet;
mod units;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use ledger::{LedgerRow, ParsedLedger, YearSource};
pub use people::{ParsedPeople, PersonRow};
pub use problem::{CellProblem, Field, ProblemKind};
pub use units::{ParsedUnits, UnitRow};

/// The most data rows one import takes; bigger ledgers are split by the user.
pub const MAX_DATA_ROWS: usize = 200_000;
/// How many rows with content, from the top, are searched for the header.
pub const HEADER_SCAN_ROWS: usize = 10;
/// Columns from this one on (0-based; "IW") are ignored: no ledger is that wide, and the cap
/// keeps a hostile file from costing memory per column.
pub const MAX_COLUMNS: u32 = 256;
/// The most non-empty cells read from one sheet (200,000 rows of 40 columns).
pub const MAX_CELLS: usize = 8_000_000;
/// Characters allowed in a matter name (事项名称), unit name and person name.
pub const MAX_TITLE_CHARS: usize = 200;
/// Characters allowed in any other text cell.
pub const MAX_TEXT_CHARS: usize = 4000;

/// Which sheet to read and how much of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// The worksheet's name; the first worksheet when `None`.
    pub sheet: Option<String>,
    pub max_data_rows: usize,
    /// Ledgers: the year of deadlines written without one ("6月30日前") when the title above
    /// the header names none.
    pub default_year: Option<i32>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            sheet: None,
            max_data_rows: MAX_DATA_ROWS,
            default_year: None,
        }
    }
}

/// The user's own reading of a sheet, for layouts the detection does not know. Each entry names
/// a column by its header text or by its letters ("C"); entries override what detection found,
/// and fields not named are still detected from the header row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    /// 1-based header row; `None` finds it; `Some(0)` says the sheet has no header and data
    /// starts at the top (then columns must be given by letter).
    pub header_row: Option<u32>,
    pub columns: Vec<MappedColumn>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappedColumn {
    /// Header text as written in the sheet, or 1 to 3 column letters.
    pub column: String,
    pub field: Field,
}

impl ColumnMapping {
    pub fn with(mut self, column: impl Into<String>, field: Field) -> Self {
        self.columns.push(MappedColumn {
            column: column.into(),
            field,
        });
        self
    }
}

/// A column of the header as it was understood: for a preview, and to offer a mapping of the
/// columns that were not recognised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnInfo {
    pub column: String,
    pub header: String,
    pub field: Option<Field>,
}

/// Why a [`ColumnMapping`] cannot be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingIssue {
    HeaderNotFound,
    FieldTwice,
    NotThisSheet,
    NeedsHeaderRow,
    Empty,
}

/// The whole file cannot be read; nothing is imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    NotASpreadsheet,
    PasswordProtected,
    /// The file looks like a workbook but is damaged or cut short; `detail` is the reader's
    /// own (English, technical) words, for the log.
    Corrupt {
        detail: String,
    },
    NoWorksheet,
    SheetNotFound {
        name: String,
        available: Vec<String>,
    },
    EmptySheet {
        sheet: String,
    },
    NoHeaderRow {
        sheet: String,
        expected: Vec<&'static str>,
    },
    TooManyRows {
        limit: usize,
        found: usize,
    },
    TooManyCells {
        limit: usize,
    },
    /// The parts of the workbook unpack to more than `limit_mb` megabytes, or it declares more
    /// distinct texts than any importable sheet holds.
    TooLarge {
        limit_mb: u64,
    },
    InvalidMapping {
        column: String,
        issue: MappingIssue,
    },
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message("zh"))
    }
}

impl ImportError {
    /// A sentence for the person who uploaded the file, in Chinese or (locale "en…") English.
    pub fn message(&self, locale: &str) -> String {
        let en = problem::is_english(locale);
        match self {
            ImportError::NotASpreadsheet if en => "The file is not an Excel workbook (.xlsx, .xls) or an OpenDocument spreadsheet (.ods). Save it as .xlsx and upload it again.".into(),
            ImportError::NotASpreadsheet => "文件不是 Excel 工作簿（.xlsx、.xls）或 OpenDocument 表格（.ods），请另存为 .xlsx 后重新上传。".into(),
            ImportError::PasswordProtected if en => "The workbook is protected by a password. Remove the password in Excel and upload it again.".into(),
            ImportError::PasswordProtected => "工作簿设置了打开密码，请在 Excel 中取消密码后重新上传。".into(),
            ImportError::Corrupt { detail } if en => format!("The file is damaged or incomplete and cannot be read; open it in Excel, save it again and upload it. ({detail})"),
            ImportError::Corrupt { detail } => format!("文件已损坏或不完整，无法读取，请用 Excel 打开并重新保存后再上传。（{detail}）"),
            ImportError::NoWorksheet if en => "The workbook has no worksheet.".into(),
            ImportError::NoWorksheet => "工作簿中没有工作表。".into(),
            ImportError::SheetNotFound { name, available } if en => format!("There is no worksheet \"{name}\"; the workbook has: {}.", available.join(", ")),
            ImportError::SheetNotFound { name, available } => format!("找不到工作表“{name}”，工作簿中的工作表有：{}。", available.join("、")),
            ImportError::EmptySheet { sheet } if en => format!("The worksheet \"{sheet}\" is empty."),
            ImportError::EmptySheet { sheet } => format!("工作表“{sheet}”是空的。"),
            ImportError::NoHeaderRow { sheet, expected } if en => format!("No header row was found in the first {HEADER_SCAN_ROWS} rows of the worksheet \"{sheet}\". The header row should contain: {}.", expected.join(", ")),
            ImportError::NoHeaderRow { sheet, expected } => format!("在工作表“{sheet}”的前 {HEADER_SCAN_ROWS} 行中找不到表头，表头应包含：{}。", expected.join("、")),
            ImportError::TooManyRows { limit, found } if en => format!("The worksheet has {found} data rows; at most {limit} can be imported at once. Split it and import the parts one by one."),
            ImportError::TooManyRows { limit, found } => format!("工作表有 {found} 行数据，一次最多导入 {limit} 行，请拆分后分批导入。"),
            ImportError::TooManyCells { limit } if en => format!("The worksheet holds more than {limit} filled cells; remove what is not part of the table and upload it again."),
            ImportError::TooManyCells { limit } => format!("工作表中有内容的单元格超过 {limit} 个，请删除表格以外的内容后重新上传。"),
            ImportError::TooLarge { limit_mb } if en => format!("The workbook is too large to import (more than {limit_mb} MB unpacked, or more than 20 million distinct texts); remove what is not part of the table or split it."),
            ImportError::TooLarge { limit_mb } => format!("工作簿过大，无法导入（解压后超过 {limit_mb} MB，或不同文字超过 2000 万条），请删除表格以外的内容或拆分后再导入。"),
            ImportError::InvalidMapping { column, issue } if en => match issue {
                MappingIssue::HeaderNotFound => format!("The column \"{column}\" of the mapping is not in the header row."),
                MappingIssue::FieldTwice => format!("The mapping gives a second column (\"{column}\") to the same field."),
                MappingIssue::NotThisSheet => format!("The mapping gives \"{column}\" a field this kind of sheet does not have."),
                MappingIssue::NeedsHeaderRow => format!("\"{column}\" is a header text, but the mapping says the sheet has no header row; give the column letter instead."),
                MappingIssue::Empty => "The mapping has an entry without a column.".into(),
            },
            ImportError::InvalidMapping { column, issue } => match issue {
                MappingIssue::HeaderNotFound => format!("列对应关系中的“{column}”在表头行中找不到。"),
                MappingIssue::FieldTwice => format!("列对应关系中“{column}”对应的字段已经指定过其他列。"),
                MappingIssue::NotThisSheet => format!("列对应关系中“{column}”对应的字段不属于这种表格。"),
                MappingIssue::NeedsHeaderRow => format!("“{column}”是表头文字，但列对应关系说明表格没有表头，请改用列字母。"),
                MappingIssue::Empty => "列对应关系中有一项没有填写列。".into(),
            },
        }
    }
}

/// The worksheet names, in workbook order, for a sheet picker.
pub fn sheet_names(bytes: &[u8]) -> Result<Vec<String>, ImportError> {
    sheet::sheet_names(bytes)
}

/// Reads a ledger (台账) from the first worksheet, or as `mapping` says.
pub fn read_ledger(
    bytes: &[u8],
    mapping: Option<&ColumnMapping>,
) -> Result<ParsedLedger, ImportError> {
    ledger::read(bytes, mapping, &ImportOptions::default())
}

/// [`read_ledger`] with a chosen sheet and row limit.
pub fn read_ledger_with(
    bytes: &[u8],
    mapping: Option<&ColumnMapping>,
    options: &ImportOptions,
) -> Result<ParsedLedger, ImportError> {
    ledger::read(bytes, mapping, options)
}

/// Reads a unit list: 单位名称, 上级单位, 单位类型, 排序.
pub fn read_units(bytes: &[u8]) -> Result<ParsedUnits, ImportError> {
    units::read(bytes, &ImportOptions::default())
}

pub fn read_units_with(bytes: &[u8], options: &ImportOptions) -> Result<ParsedUnits, ImportError> {
    units::read(bytes, options)
}

/// Reads a people list: 账号, 姓名, 所属单位, 手机, 邮箱, 角色.
pub fn read_people(bytes: &[u8]) -> Result<ParsedPeople, ImportError> {
    people::read(bytes, &ImportOptions::default())
}

pub fn read_people_with(
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ParsedPeople, ImportError> {
    people::read(bytes, options)
}

/// The part every kind of sheet shares: open, find the header, refuse oversized sheets, and
/// hand over the rows to read.
struct Prepared {
    grid: sheet::Grid,
    header: header::Header,
}

fn prepare(
    bytes: &[u8],
    layout: &header::Layout,
    mapping: Option<&ColumnMapping>,
    options: &ImportOptions,
) -> Result<Prepared, ImportError> {
    let grid = sheet::load(bytes, options.sheet.as_deref())?;
    if grid.is_empty() {
        return Err(ImportError::EmptySheet { sheet: grid.sheet });
    }
    let header = header::detect(&grid, layout, mapping)?;
    let found = grid.rows_after(header.last_row);
    if found > options.max_data_rows {
        return Err(ImportError::TooManyRows {
            limit: options.max_data_rows,
            found,
        });
    }
    Ok(Prepared { grid, header })
}

/// A cell of a data row: its text (or the problem with it) and where it is.
struct RowReader<'a> {
    grid: &'a sheet::Grid,
    header: &'a header::Header,
    row: u32,
    problems: Vec<CellProblem>,
}

impl<'a> RowReader<'a> {
    fn new(grid: &'a sheet::Grid, header: &'a header::Header, row: u32) -> Self {
        RowReader {
            grid,
            header,
            row,
            problems: Vec::new(),
        }
    }

    fn value(&self, field: Field) -> Option<&'a sheet::Value> {
        let col = self.header.col(field)?;
        self.grid.get_down(self.row, col)
    }

    fn problem(&mut self, field: Field, kind: ProblemKind) {
        let column = self
            .header
            .col(field)
            .map(sheet::column_letters)
            .unwrap_or_default();
        self.problems.push(CellProblem {
            row: self.row.saturating_add(1),
            column,
            field,
            kind,
        });
    }

    /// Text of a field, checked for length; `None` (with a problem) when it cannot be read.
    fn text(&mut self, field: Field, limit: usize) -> Option<String> {
        match cell::text(self.value(field)) {
            Ok(Some(t)) => match cell::check_length(&t, limit) {
                Ok(()) => Some(t),
                Err(kind) => {
                    self.problem(field, kind);
                    None
                }
            },
            Ok(None) => None,
            Err(kind) => {
                self.problem(field, kind);
                None
            }
        }
    }

    /// A required text: a problem when empty, unless its whole column is missing (that is
    /// already one problem at the header, not one per row).
    fn required(&mut self, field: Field, limit: usize) -> Option<String> {
        let value = self.text(field, limit);
        if value.is_none()
            && self.header.col(field).is_some()
            && !self.problems.iter().any(|p| p.field == field)
        {
            self.problem(field, ProblemKind::Required);
        }
        value
    }
}

/// Problems in reading order: by row, then by column as the sheet shows them (a whole-row or
/// header problem first).
fn sort_problems(problems: &mut [CellProblem]) {
    problems.sort_by(|a, b| {
        (a.row, a.column.len(), &a.column).cmp(&(b.row, b.column.len(), &b.column))
    });
}

/// Whether a row has anything of its own to import. Merged fill alone does not make a row (it
/// is the unit cell reaching past the last matter), nor does a bare number in the 序号 column
/// (templates number their empty lines).
fn has_content<'v>(
    own: impl IntoIterator<Item = (u32, &'v sheet::Value)>,
    header: &header::Header,
) -> bool {
    let seq = header.col(Field::Seq);
    own.into_iter().any(|(col, value)| {
        let read = header.columns.values().any(|c| *c == col);
        read && !(Some(col) == seq && is_bare_number(value))
    })
}

fn is_bare_number(value: &sheet::Value) -> bool {
    match value {
        sheet::Value::Int(_) | sheet::Value::Float(_) => true,
        sheet::Value::Text(t) => {
            let t = t.trim();
            t.chars().count() <= 8
                && t.chars().any(|c| c.is_ascii_digit())
                && t.chars()
                    .all(|c| c.is_ascii_digit() || ".、()（）-".contains(c))
        }
        _ => false,
    }
}
