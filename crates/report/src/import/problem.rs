//! Located problems and their sentences in Chinese and English.

use serde::{Deserialize, Serialize};

/// A column of an imported sheet, by what it means rather than where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    // Ledger (台账).
    Seq,
    Title,
    Unit,
    Owner,
    Measures,
    Deadline,
    Progress,
    Status,
    Remarks,
    AcceptanceStandard,
    Supervisor,
    ContentArea,
    Tags,
    /// 具体内容: read as the measures when the sheet has no 工作措施 column (real ledgers
    /// describe what will be done there), else as the matter's description.
    Content,
    /// 原定完成时限: the deadline before extensions, as the ledger export writes it.
    OriginalDeadline,
    /// 批次: the campaign the matter belongs to.
    Campaign,
    // Units.
    UnitName,
    ParentUnit,
    UnitType,
    SortOrder,
    // People.
    Account,
    PersonName,
    PersonUnit,
    Mobile,
    Email,
    Roles,
}

impl Field {
    /// The header a template would use for this column.
    pub fn label_zh(self) -> &'static str {
        match self {
            Field::Seq => "序号",
            Field::Title => "事项名称",
            Field::Unit => "责任单位",
            Field::Owner => "责任人",
            Field::Measures => "工作措施",
            Field::Deadline => "完成时限",
            Field::Progress => "进展情况",
            Field::Status => "完成状态",
            Field::Remarks => "备注",
            Field::AcceptanceStandard => "验收标准",
            Field::Supervisor => "督导责任人",
            Field::ContentArea => "内容类别",
            Field::Tags => "标签",
            Field::Content => "具体内容",
            Field::OriginalDeadline => "原定完成时限",
            Field::Campaign => "批次",
            Field::UnitName => "单位名称",
            Field::ParentUnit => "上级单位",
            Field::UnitType => "单位类型",
            Field::SortOrder => "排序",
            Field::Account => "账号",
            Field::PersonName => "姓名",
            Field::PersonUnit => "所属单位",
            Field::Mobile => "手机",
            Field::Email => "邮箱",
            Field::Roles => "角色",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Field::Seq => "No.",
            Field::Title => "Matter",
            Field::Unit => "Responsible unit",
            Field::Owner => "Responsible person",
            Field::Measures => "Measures",
            Field::Deadline => "Deadline",
            Field::Progress => "Progress",
            Field::Status => "Status",
            Field::Remarks => "Remarks",
            Field::AcceptanceStandard => "Acceptance standard",
            Field::Supervisor => "Supervisor",
            Field::ContentArea => "Content area",
            Field::Tags => "Tags",
            Field::Content => "Content",
            Field::OriginalDeadline => "Original deadline",
            Field::Campaign => "Campaign",
            Field::UnitName => "Unit name",
            Field::ParentUnit => "Parent unit",
            Field::UnitType => "Unit type",
            Field::SortOrder => "Sort order",
            Field::Account => "Account",
            Field::PersonName => "Name",
            Field::PersonUnit => "Unit",
            Field::Mobile => "Phone",
            Field::Email => "E-mail",
            Field::Roles => "Roles",
        }
    }

    pub fn label(self, locale: &str) -> &'static str {
        if is_english(locale) {
            self.label_en()
        } else {
            self.label_zh()
        }
    }
}

/// What is wrong with a cell (or, with an empty column, with a row or the header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProblemKind {
    /// A required value is empty.
    Required,
    /// The header row has no column for a required field.
    MissingColumn,
    /// Two columns of the header row mean the same field; the first one is read.
    DuplicateColumn {
        first_column: String,
    },
    BadDate {
        text: String,
    },
    /// A date written without its year ("6月30日前", "年底前") in a sheet whose title names no
    /// year, with no default year chosen.
    NoYear {
        text: String,
    },
    /// A deadline that is no date at all ("长期坚持", "持续推进"): a matter on the list needs one.
    OpenEndedDeadline {
        text: String,
    },
    /// A readable date that cannot be a deadline of this work (usually a serial number or a
    /// sequence number in the wrong column).
    DateOutOfRange {
        date: String,
    },
    BadStatus {
        text: String,
    },
    TooLong {
        limit: usize,
        length: usize,
    },
    /// A control character in the cell's text (the text rule of `shishi_core::text`), at its
    /// place counted in characters from 1.
    ControlChar {
        at: usize,
    },
    /// An Excel error value such as `#REF!` or `#N/A`.
    CellError {
        code: String,
    },
    /// A formula whose result was never saved (the file was written by a program that does not
    /// calculate), so there is no value to import.
    FormulaWithoutValue {
        formula: String,
    },
    /// A matter name that is only a number: nearly always a shifted column.
    NumericTitle {
        text: String,
    },
    BadInteger {
        text: String,
    },
    BadAccount {
        text: String,
    },
    BadPhone {
        text: String,
    },
    BadEmail {
        text: String,
    },
    BadRole {
        text: String,
    },
    /// A unit path with an empty level, such as `集团//车间`.
    BadPath {
        text: String,
    },
    /// A unit name containing a path separator, which would make its path ambiguous.
    SeparatorInName {
        text: String,
    },
    /// A unit named as its own parent.
    OwnParent,
    /// The same value (account or unit path) already appears in an earlier row.
    Duplicate {
        value: String,
        first_row: u32,
    },
}

/// One located problem. `row` is 1-based as Excel shows it; `column` is Excel letters, or empty
/// when the problem is about a whole row or a missing column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellProblem {
    pub row: u32,
    pub column: String,
    pub field: Field,
    pub kind: ProblemKind,
}

/// The Chinese words accepted in 完成状态, in the order they are listed to the user.
pub(crate) const STATUS_WORDS: &str = "拟办、未开始、已立项、待推进、推进中、进行中、正在推进、持续推进、已完成、完成、已验收、已销号、已办结、暂缓、撤销、取消";
pub(crate) const ROLE_WORDS: &str =
    "群众、职工、受理员、责任人、单位管理员、督导、督导组、领导、系统管理员";
pub(crate) const ROLE_CODES: &str =
    "member, intake_clerk, handler, unit_admin, supervisor, leader, system_admin";

impl CellProblem {
    pub fn message(&self, locale: &str) -> String {
        let en = is_english(locale);
        let label = self.field.label(locale);
        let place = match (en, self.column.is_empty()) {
            (false, false) => format!("第 {} 行 {} 列（{label}）：", self.row, self.column),
            (false, true) => format!("第 {} 行（{label}）：", self.row),
            (true, false) => format!("Row {}, column {} ({label}): ", self.row, self.column),
            (true, true) => format!("Row {} ({label}): ", self.row),
        };
        format!("{place}{}", self.kind.describe(self.field, en))
    }
}

impl ProblemKind {
    fn describe(&self, field: Field, en: bool) -> String {
        match self {
            ProblemKind::Required if en => "must not be empty".into(),
            ProblemKind::Required => "不能为空".into(),
            ProblemKind::MissingColumn if en => format!(
                "the header row has no such column; add a column headed \"{}\"",
                field.label_zh()
            ),
            ProblemKind::MissingColumn => {
                format!("表头中没有这一列，请添加表头为“{}”的列", field.label_zh())
            }
            ProblemKind::DuplicateColumn { first_column } if en => format!(
                "column {first_column} already holds this field; keep one of the two or map the columns yourself"
            ),
            ProblemKind::DuplicateColumn { first_column } => {
                format!("与 {first_column} 列是同一项内容，请只保留一列，或自行指定列对应关系")
            }
            ProblemKind::BadDate { text } if en => format!(
                "cannot read the date \"{}\"; write it as 2026-12-31",
                quote(text)
            ),
            ProblemKind::BadDate { text } => {
                format!("无法识别的日期“{}”，请写成 2026-12-31", quote(text))
            }
            ProblemKind::NoYear { text } if en => format!(
                "\"{}\" has no year, and the sheet's title names none; write the year (2021年6月30日), put it in the title (2021年…项目清单), or choose the default year when importing",
                quote(text)
            ),
            ProblemKind::NoYear { text } => format!(
                "“{}”没有写年份，表格标题中也没有年份：请写出年份（如 2021年6月30日），或在标题中写明年份（如“2021年…项目清单”），或导入时选择默认年份",
                quote(text)
            ),
            ProblemKind::OpenEndedDeadline { text } if en => format!(
                "\"{}\" is not a date, and a matter on the list needs a clear deadline; write the date by which this year's part is done (e.g. 2021-12-31) and note \"{}\" under 备注 (remarks)",
                quote(text),
                quote(text)
            ),
            ProblemKind::OpenEndedDeadline { text } => format!(
                "“{}”不是明确的日期，清单中的事项需要明确的完成时限：请填写本年度完成的日期（如 2021年12月31日），并在备注中注明“{}”",
                quote(text),
                quote(text)
            ),
            ProblemKind::DateOutOfRange { date } if en => {
                format!("the date {date} is not between 2000 and 2099; write it as 2026-12-31")
            }
            ProblemKind::DateOutOfRange { date } => {
                format!("日期 {date} 不在 2000 年至 2099 年之间，请写成 2026-12-31")
            }
            ProblemKind::BadStatus { text } if en => format!(
                "unknown status \"{}\"; use one of: {STATUS_WORDS} (or proposed, approved, in_progress, completed, accepted, closed, suspended, cancelled)",
                quote(text)
            ),
            ProblemKind::BadStatus { text } => {
                format!("无法识别的状态“{}”，可填：{STATUS_WORDS}", quote(text))
            }
            ProblemKind::TooLong { limit, length } if en => {
                format!("too long ({length} characters); at most {limit} characters")
            }
            ProblemKind::TooLong { limit, length } => {
                format!("内容过长（{length} 字），最多 {limit} 字")
            }
            ProblemKind::ControlChar { at } if en => {
                format!("character {at} is an invisible control character; delete it in the cell")
            }
            ProblemKind::ControlChar { at } => {
                format!("第 {at} 个字符是不可见的控制字符，请在单元格中删除")
            }
            ProblemKind::CellError { code } if en => {
                format!("the cell shows the error {code}; correct the formula or type the value")
            }
            ProblemKind::CellError { code } => {
                format!("单元格是错误值 {code}，请修正公式或直接填写内容")
            }
            ProblemKind::FormulaWithoutValue { formula } if en => format!(
                "the formula \"{}\" has no saved result; open the file in Excel, save it and import again, or type the value",
                quote(&formula_text(formula))
            ),
            ProblemKind::FormulaWithoutValue { formula } => format!(
                "公式“{}”没有保存计算结果，请用 Excel 打开并保存后再导入，或直接填写内容",
                quote(&formula_text(formula))
            ),
            ProblemKind::NumericTitle { text } if en => format!(
                "the matter name \"{}\" is only a number; check that the columns are not shifted",
                quote(text)
            ),
            ProblemKind::NumericTitle { text } => {
                format!("事项名称“{}”只是一个数字，请检查是否错列", quote(text))
            }
            ProblemKind::BadInteger { text } if en => {
                format!("\"{}\" is not a whole number", quote(text))
            }
            ProblemKind::BadInteger { text } => format!("“{}”不是整数", quote(text)),
            ProblemKind::BadAccount { text } if en => format!(
                "invalid account \"{}\": use 3 to 64 letters, digits and . _ - @",
                quote(text)
            ),
            ProblemKind::BadAccount { text } => format!(
                "账号“{}”无效：只能使用字母、数字和 . _ - @，长度 3 到 64 位",
                quote(text)
            ),
            ProblemKind::BadPhone { text } if en => format!(
                "cannot read the phone number \"{}\"; write an 11-digit mobile number or a landline such as 010-12345678",
                quote(text)
            ),
            ProblemKind::BadPhone { text } => format!(
                "无法识别的电话“{}”，请填写 11 位手机号，或带区号的座机号（如 010-12345678）",
                quote(text)
            ),
            ProblemKind::BadEmail { text } if en => {
                format!("invalid e-mail address \"{}\"", quote(text))
            }
            ProblemKind::BadEmail { text } => format!("邮箱“{}”格式不正确", quote(text)),
            ProblemKind::BadRole { text } if en => format!(
                "unknown role \"{}\"; use one of: {ROLE_WORDS} (or {ROLE_CODES}), separated by commas or 、",
                quote(text)
            ),
            ProblemKind::BadRole { text } => format!(
                "无法识别的角色“{}”，可填：{ROLE_WORDS}，多个角色用逗号或顿号分隔",
                quote(text)
            ),
            ProblemKind::BadPath { text } if en => format!(
                "the unit path \"{}\" has an empty level; write it as 集团/一公司/车间",
                quote(text)
            ),
            ProblemKind::BadPath { text } => {
                format!(
                    "单位路径“{}”中有空的层级，请写成 集团/一公司/车间",
                    quote(text)
                )
            }
            ProblemKind::SeparatorInName { text } if en => format!(
                "the unit name \"{}\" contains a path separator (/ or >)",
                quote(text)
            ),
            ProblemKind::SeparatorInName { text } => {
                format!("单位名称“{}”不能包含路径分隔符（/ 或 >）", quote(text))
            }
            ProblemKind::OwnParent if en => "a unit cannot be its own parent".into(),
            ProblemKind::OwnParent => "上级单位不能是单位自己".into(),
            ProblemKind::Duplicate { value, first_row } if en => {
                format!("\"{}\" already appears in row {first_row}", quote(value))
            }
            ProblemKind::Duplicate { value, first_row } => {
                format!("“{}”与第 {first_row} 行重复", quote(value))
            }
        }
    }
}

pub(crate) fn is_english(locale: &str) -> bool {
    locale
        .get(..2)
        .is_some_and(|p| p.eq_ignore_ascii_case("en"))
}

/// Long cell texts are cut so that a message stays one readable line.
fn quote(text: &str) -> String {
    const KEEP: usize = 40;
    let one_line: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    if one_line.chars().count() > KEEP {
        let mut cut: String = one_line.chars().take(KEEP).collect();
        cut.push('…');
        cut
    } else {
        one_line
    }
}

fn formula_text(formula: &str) -> String {
    if formula.starts_with('=') {
        formula.to_string()
    } else {
        format!("={formula}")
    }
}
