//! Finding the header row and what each column means.

use std::collections::HashMap;

use super::cell;
use super::problem::{CellProblem, Field, ProblemKind};
use super::sheet::{Grid, column_letters, parse_column_letters};
use super::{ColumnInfo, ColumnMapping, HEADER_SCAN_ROWS, ImportError, MappingIssue};

/// The columns of one kind of sheet: each field with the header words that mean it.
pub(crate) struct Layout {
    pub fields: &'static [(Field, &'static [&'static str])],
    /// How many known headers a row needs to count as the header row. Title rows and notes
    /// rarely contain even one exact header word, so a few are enough to tell.
    pub min_known: usize,
    pub required: &'static [Field],
}

pub(crate) const LEDGER: Layout = Layout {
    fields: &[
        (Field::Seq, &["序号", "编号", "序", "No."]),
        (
            Field::Title,
            &[
                "事项名称",
                "项目名称",
                "实事名称",
                "实事项目",
                "事项",
                "实事项目名称",
                "实事事项",
                "办实事项目",
                "Matter",
            ],
        ),
        (
            Field::Unit,
            &[
                "责任单位",
                "责任部门",
                "牵头单位",
                "牵头部门",
                "主责单位",
                "责任单位部门",
                "Responsible unit",
            ],
        ),
        (
            Field::Owner,
            &[
                "责任人",
                "负责人",
                "具体责任人",
                "牵头责任人",
                "Responsible person",
            ],
        ),
        (
            Field::Measures,
            &[
                "工作措施",
                "具体措施",
                "主要措施",
                "推进措施",
                "工作举措",
                "措施",
                "Measures",
            ],
        ),
        (
            Field::Deadline,
            &[
                "完成时限",
                "完成时间",
                "时限",
                "计划完成时间",
                "完成期限",
                "办结时限",
                "截止时间",
                "Deadline",
            ],
        ),
        (
            Field::Progress,
            &[
                "进展情况",
                "进度",
                "推进情况",
                "进展",
                "工作进展",
                "目前进展",
                "进度情况",
                "Progress",
            ],
        ),
        (
            Field::Status,
            &[
                "完成状态",
                "状态",
                "完成情况",
                "办理状态",
                "事项状态",
                "Status",
            ],
        ),
        (Field::Remarks, &["备注", "说明", "Remarks"]),
        (
            Field::AcceptanceStandard,
            &["验收标准", "完成标准", "Acceptance standard"],
        ),
        (
            Field::Supervisor,
            &[
                "督导责任人",
                "督导人",
                "督导领导",
                "督导负责人",
                "Supervisor",
            ],
        ),
        (
            Field::ContentArea,
            &[
                "内容类别",
                "类别",
                "事项类别",
                "实事类别",
                "内容分类",
                "领域",
            ],
        ),
        (Field::Tags, &["标签", "Tags"]),
        (
            Field::Content,
            &[
                "具体内容",
                "项目内容",
                "主要内容",
                "工作内容",
                "实施内容",
                "建设内容",
                "实事内容",
                "Content",
            ],
        ),
        (
            Field::OriginalDeadline,
            &[
                "原定完成时限",
                "原完成时限",
                "原定时限",
                "原计划完成时间",
                "原定完成时间",
                "Original deadline",
            ],
        ),
        (
            Field::Campaign,
            &["批次", "所属批次", "活动批次", "专项活动", "Campaign"],
        ),
    ],
    min_known: 3,
    required: &[Field::Title, Field::Unit],
};

pub(crate) const UNITS: Layout = Layout {
    fields: &[
        (
            Field::UnitName,
            &["单位名称", "部门名称", "单位部门名称", "组织名称", "名称"],
        ),
        (
            Field::ParentUnit,
            &[
                "上级单位",
                "上级",
                "上级单位名称",
                "上级部门",
                "所属上级",
                "上级组织",
            ],
        ),
        (
            Field::UnitType,
            &["单位类型", "类型", "单位类别", "组织类型"],
        ),
        (Field::SortOrder, &["排序", "排序号", "顺序", "显示顺序"]),
    ],
    min_known: 1,
    required: &[Field::UnitName],
};

pub(crate) const PEOPLE: Layout = Layout {
    fields: &[
        (
            Field::Account,
            &[
                "账号",
                "帐号",
                "用户名",
                "登录名",
                "登录账号",
                "account",
                "username",
            ],
        ),
        (Field::PersonName, &["姓名", "人员姓名", "名字", "name"]),
        (
            Field::PersonUnit,
            &[
                "所属单位",
                "单位",
                "部门",
                "所属部门",
                "工作单位",
                "单位名称",
            ],
        ),
        (
            Field::Mobile,
            &[
                "手机",
                "手机号",
                "手机号码",
                "联系电话",
                "电话",
                "联系方式",
                "mobile",
                "phone",
            ],
        ),
        (
            Field::Email,
            &["邮箱", "电子邮箱", "电子邮件", "邮件", "email", "e-mail"],
        ),
        (Field::Roles, &["角色", "角色类型", "role", "roles"]),
    ],
    min_known: 2,
    required: &[Field::Account, Field::PersonName, Field::PersonUnit],
};

/// A header cell reduced to its words: no blanks or line breaks, no bracketed notes such as
/// （必填） or (yyyy-mm-dd), no required-field stars, ASCII lower-cased.
pub(crate) fn normalize(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '（' | '【' | '[' | '〔' | '［' => depth += 1,
            ')' | '）' | '】' | ']' | '〕' | '］' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}' => {}
            '*' | '＊' | '※' | ':' | '：' | '/' | '／' | '、' => {}
            c => out.push(c.to_ascii_lowercase()),
        }
    }
    out
}

impl Layout {
    fn field_of(&self, header: &str) -> Option<Field> {
        let key = normalize(header);
        if key.is_empty() {
            return None;
        }
        self.fields
            .iter()
            .find(|(_, words)| words.iter().any(|w| normalize(w) == key))
            .map(|(f, _)| *f)
    }

    pub fn has(&self, field: Field) -> bool {
        self.fields.iter().any(|(f, _)| *f == field)
    }

    pub fn expected_headers(&self) -> Vec<&'static str> {
        self.fields
            .iter()
            .filter_map(|(_, words)| words.first().copied())
            .collect()
    }
}

/// What the header says: which column holds which field, and where the data starts.
#[derive(Debug)]
pub(crate) struct Header {
    /// 1-based first header row, 0 when the sheet has none.
    pub first_row: u32,
    /// 0-based row after which data begins; `None` when data begins at the top.
    pub last_row: Option<u32>,
    pub columns: HashMap<Field, u32>,
    pub infos: Vec<ColumnInfo>,
    pub problems: Vec<CellProblem>,
}

impl Header {
    pub fn col(&self, field: Field) -> Option<u32> {
        self.columns.get(&field).copied()
    }

    /// Reads the column of `from` as `to` when the sheet has no column of its own for `to`.
    pub fn promote(&mut self, from: Field, to: Field) {
        if self.columns.contains_key(&to) {
            return;
        }
        let Some(col) = self.columns.remove(&from) else {
            return;
        };
        self.columns.insert(to, col);
        let letters = column_letters(col);
        for info in self.infos.iter_mut().filter(|i| i.column == letters) {
            info.field = Some(to);
        }
    }
}

/// Header texts of one row as it reads, with merged cells: a cell merged down from the row
/// above counts (序号 merged over two header rows); the right-hand part of a cell merged across
/// does not (it is the group heading over sub-headings, already counted at its first column).
fn header_texts(grid: &Grid, row: u32) -> Vec<(u32, String, bool)> {
    grid.row_as_seen(row)
        .into_iter()
        .filter_map(|(col, seen)| {
            let across = seen
                .from_region
                .and_then(|i| grid.region(i))
                .is_some_and(|d| d.start.1 != col);
            let text = cell::text(Some(seen.value)).ok().flatten()?;
            Some((col, text, across))
        })
        .collect()
}

pub(crate) fn detect(
    grid: &Grid,
    layout: &Layout,
    mapping: Option<&ColumnMapping>,
) -> Result<Header, ImportError> {
    // (as the user wrote it, normalized) for the columns mapped by header text.
    let mapped_texts: Vec<(String, String)> = mapping
        .map(|m| {
            m.columns
                .iter()
                .filter(|c| parse_column_letters(&c.column).is_none())
                .map(|c| (c.column.clone(), normalize(&c.column)))
                .filter(|(_, t)| !t.is_empty())
                .collect()
        })
        .unwrap_or_default();

    let (first, last) = match mapping.and_then(|m| m.header_row) {
        Some(0) => (None, None),
        Some(n) => (Some(n - 1), Some(n - 1)),
        None => {
            let letters_only = mapping.is_some_and(|m| {
                !m.columns.is_empty()
                    && m.columns
                        .iter()
                        .all(|c| parse_column_letters(&c.column).is_some())
            });
            find_rows(grid, layout, &mapped_texts, letters_only)?
        }
    };

    let mut columns: HashMap<Field, u32> = HashMap::new();
    let mut problems = Vec::new();
    let mut headers: HashMap<u32, String> = HashMap::new();
    if let (Some(first), Some(last)) = (first, last) {
        for row in first..=last {
            for (col, text, across) in header_texts(grid, row) {
                // The lowest header row names the column; a group heading above gives way.
                if !across || !headers.contains_key(&col) {
                    headers.insert(col, text.clone());
                }
                if across {
                    continue;
                }
                let Some(field) = layout.field_of(&text) else {
                    continue;
                };
                match columns.get(&field) {
                    Some(&c) if c != col => problems.push(CellProblem {
                        row: row.saturating_add(1),
                        column: column_letters(col),
                        field,
                        kind: ProblemKind::DuplicateColumn {
                            first_column: column_letters(c),
                        },
                    }),
                    Some(_) => {}
                    None => {
                        columns.insert(field, col);
                    }
                }
            }
        }
    }

    if let Some(mapping) = mapping {
        apply_mapping(mapping, layout, &headers, &mut columns, &mut problems)?;
    }

    let header_row = first.map_or(0, |r| r.saturating_add(1));
    for &field in layout.required {
        if !columns.contains_key(&field) {
            problems.push(CellProblem {
                row: header_row.max(1),
                column: String::new(),
                field,
                kind: ProblemKind::MissingColumn,
            });
        }
    }

    let mut infos: Vec<ColumnInfo> = headers
        .iter()
        .map(|(&col, header)| ColumnInfo {
            column: column_letters(col),
            header: header.clone(),
            field: columns.iter().find(|(_, c)| **c == col).map(|(f, _)| *f),
        })
        .collect();
    for (&field, &col) in &columns {
        if !headers.contains_key(&col) {
            infos.push(ColumnInfo {
                column: column_letters(col),
                header: String::new(),
                field: Some(field),
            });
        }
    }
    infos.sort_by_key(|i| (i.column.len(), i.column.clone()));

    problems.sort_by_key(|p| (p.row, p.column.len(), p.column.clone()));
    Ok(Header {
        first_row: header_row,
        last_row: last,
        columns,
        infos,
        problems,
    })
}

/// The header rows among the first rows with content: the one with the most known headers,
/// widened by a neighbouring row that names columns it leaves blank (two-level headers such as
/// 五定 over 责任单位/责任人/完成时限).
fn find_rows(
    grid: &Grid,
    layout: &Layout,
    mapped_texts: &[(String, String)],
    letters_only: bool,
) -> Result<(Option<u32>, Option<u32>), ImportError> {
    let scan: Vec<u32> = grid.rows().take(HEADER_SCAN_ROWS).map(|(r, _)| r).collect();
    let score = |row: u32| -> (usize, usize) {
        let texts = header_texts(grid, row);
        let mut fields: Vec<Field> = texts
            .iter()
            .filter(|(_, _, across)| !across)
            .filter_map(|(_, t, _)| layout.field_of(t))
            .collect();
        fields.sort_by_key(|f| *f as u8);
        fields.dedup();
        let mapped = mapped_texts
            .iter()
            .filter(|(_, m)| texts.iter().any(|(_, t, _)| normalize(t) == *m))
            .count();
        (fields.len(), mapped)
    };
    let mut best: Option<(u32, usize)> = None;
    for &row in &scan {
        let (known, mapped) = score(row);
        // A row holding every header the user mapped by name is the header, whatever else.
        if !mapped_texts.is_empty() && mapped == mapped_texts.len() {
            best = Some((row, usize::MAX));
            break;
        }
        if known >= layout.min_known && best.is_none_or(|(_, k)| known > k) {
            best = Some((row, known));
        }
    }
    let Some((row, _)) = best else {
        // Columns mapped by letter only: the user knows the layout, and the first row with
        // content is taken as its header.
        // A header the user named that is nowhere to be seen says more than "no header".
        let missing = mapped_texts.iter().find(|(_, m)| {
            !scan.iter().any(|&r| {
                header_texts(grid, r)
                    .iter()
                    .any(|(_, t, _)| normalize(t) == *m)
            })
        });
        return match (scan.first(), missing) {
            (_, Some((column, _))) => Err(ImportError::InvalidMapping {
                column: column.clone(),
                issue: MappingIssue::HeaderNotFound,
            }),
            (Some(&first), None) if letters_only => Ok((Some(first), Some(first))),
            _ => Err(ImportError::NoHeaderRow {
                sheet: grid.sheet.clone(),
                expected: layout.expected_headers(),
            }),
        };
    };
    let blank_under = |neighbour: u32| -> bool {
        let own: HashMap<u32, bool> = header_texts(grid, row)
            .into_iter()
            .map(|(c, _, across)| (c, across))
            .collect();
        header_texts(grid, neighbour)
            .iter()
            .filter(|(_, _, across)| !across)
            .any(|(c, t, _)| {
                layout.field_of(t).is_some() && own.get(c).is_none_or(|across| *across)
            })
    };
    // Cells merged down into the best row from the one above make that row part of the header.
    let merged_from_above = |above: u32| {
        grid.row_as_seen(row).iter().any(|(_, seen)| {
            seen.from_region
                .and_then(|i| grid.region(i))
                .is_some_and(|d| d.start.0 == above)
        })
    };
    let first = match row.checked_sub(1) {
        Some(above)
            if scan.contains(&above) && (blank_under(above) || merged_from_above(above)) =>
        {
            above
        }
        _ => row,
    };
    let last = match row.checked_add(1) {
        Some(below) if scan.contains(&below) && blank_under(below) => below,
        _ => row,
    };
    Ok((Some(first), Some(last)))
}

fn apply_mapping(
    mapping: &ColumnMapping,
    layout: &Layout,
    headers: &HashMap<u32, String>,
    columns: &mut HashMap<Field, u32>,
    problems: &mut Vec<CellProblem>,
) -> Result<(), ImportError> {
    let mut seen: Vec<Field> = Vec::new();
    for entry in &mapping.columns {
        let invalid = |issue| ImportError::InvalidMapping {
            column: entry.column.clone(),
            issue,
        };
        if !layout.has(entry.field) {
            return Err(invalid(MappingIssue::NotThisSheet));
        }
        if seen.contains(&entry.field) {
            return Err(invalid(MappingIssue::FieldTwice));
        }
        seen.push(entry.field);
        let col = match parse_column_letters(&entry.column) {
            Some(col) => col,
            None => {
                let key = normalize(&entry.column);
                if key.is_empty() {
                    return Err(invalid(MappingIssue::Empty));
                }
                if mapping.header_row == Some(0) {
                    return Err(invalid(MappingIssue::NeedsHeaderRow));
                }
                let mut found: Vec<u32> = headers
                    .iter()
                    .filter(|(_, h)| normalize(h) == key)
                    .map(|(c, _)| *c)
                    .collect();
                found.sort_unstable();
                *found
                    .first()
                    .ok_or_else(|| invalid(MappingIssue::HeaderNotFound))?
            }
        };
        // The user's word is final: the field leaves any detected column, and the column
        // stops meaning anything it was detected as.
        columns.retain(|f, c| *f != entry.field && *c != col);
        problems.retain(|p| p.field != entry.field);
        columns.insert(entry.field, col);
    }
    Ok(())
}
