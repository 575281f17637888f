//! The unit list: one unit per row, placed under its parent by name or by path.

use std::collections::HashMap;

use serde::Serialize;

use super::header::UNITS;
use super::problem::{CellProblem, Field, ProblemKind};
use super::sheet::Value;
use super::{
    ColumnInfo, ImportError, ImportOptions, MAX_TEXT_CHARS, MAX_TITLE_CHARS, Prepared, RowReader,
    cell, has_content, prepare, sort_problems,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedUnits {
    pub sheet: String,
    pub header_row: u32,
    pub columns: Vec<ColumnInfo>,
    pub rows: Vec<UnitRow>,
    pub problems: Vec<CellProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitRow {
    pub row: u32,
    pub name: String,
    /// The parent as written, split into levels: `[]` is directly under the root, `["一公司"]`
    /// a name to look up, `["集团", "一公司"]` a path from the top.
    pub parent: Vec<String>,
    pub unit_type: Option<String>,
    pub sort_order: Option<i64>,
}

/// Separators accepted between the levels of a unit path.
pub(crate) const PATH_SEPARATORS: [char; 6] = ['/', '／', '\\', '＼', '>', '＞'];

/// Levels of a unit path; `Err` when a level is empty ("集团//车间").
pub(crate) fn split_path(text: &str) -> Result<Vec<String>, ProblemKind> {
    let levels: Vec<String> = text
        .split(PATH_SEPARATORS)
        .map(|l| l.trim().to_string())
        .collect();
    if levels.iter().any(String::is_empty) {
        return Err(ProblemKind::BadPath {
            text: text.to_string(),
        });
    }
    Ok(levels)
}

pub(crate) fn read(bytes: &[u8], options: &ImportOptions) -> Result<ParsedUnits, ImportError> {
    let Prepared { grid, header } = prepare(bytes, &UNITS, None, options)?;
    let mut parsed = ParsedUnits {
        sheet: grid.sheet.clone(),
        header_row: header.first_row,
        columns: header.infos.clone(),
        rows: Vec::new(),
        problems: header.problems.clone(),
    };
    if header.col(Field::UnitName).is_none() {
        return Ok(parsed);
    }
    // Full path as written → first row, to name both rows of a repeat.
    let mut first_rows: HashMap<String, u32> = HashMap::new();
    for (row, cells) in grid.rows() {
        if header.last_row.is_some_and(|last| row <= last) {
            continue;
        }
        let own: Vec<(u32, &Value)> = cells.collect();
        if !has_content(own.iter().copied(), &header) {
            continue;
        }
        let mut r = RowReader::new(&grid, &header, row);
        let name = r.required(Field::UnitName, MAX_TITLE_CHARS);
        if let Some(n) = &name
            && n.contains(PATH_SEPARATORS)
        {
            r.problem(
                Field::UnitName,
                ProblemKind::SeparatorInName { text: n.clone() },
            );
        }
        let parent = match r.text(Field::ParentUnit, MAX_TEXT_CHARS) {
            None => Vec::new(),
            Some(t) => match split_path(&t) {
                Ok(levels) => levels,
                Err(kind) => {
                    r.problem(Field::ParentUnit, kind);
                    Vec::new()
                }
            },
        };
        if let Some(n) = &name
            && parent.len() == 1
            && parent.first() == Some(n)
        {
            r.problem(Field::ParentUnit, ProblemKind::OwnParent);
        }
        let unit_type = r.text(Field::UnitType, MAX_TEXT_CHARS);
        let sort_order = match cell::integer(r.value(Field::SortOrder)) {
            Ok(v) => v,
            Err(kind) => {
                r.problem(Field::SortOrder, kind);
                None
            }
        };
        if let Some(n) = &name {
            let mut path = parent.clone();
            path.push(n.clone());
            let key = path.join("/");
            match first_rows.get(&key) {
                Some(&first_row) => r.problem(
                    Field::UnitName,
                    ProblemKind::Duplicate {
                        value: key,
                        first_row,
                    },
                ),
                None => {
                    first_rows.insert(key, row.saturating_add(1));
                }
            }
        }
        parsed.rows.push(UnitRow {
            row: row.saturating_add(1),
            name: name.unwrap_or_default(),
            parent,
            unit_type,
            sort_order,
        });
        parsed.problems.extend(r.problems);
    }
    sort_problems(&mut parsed.problems);
    Ok(parsed)
}
