//! The people list: one account per row.

use std::collections::HashMap;

use serde::Serialize;
use shishi_core::Role;

use super::header::PEOPLE;
use super::problem::{CellProblem, Field, ProblemKind};
use super::sheet::Value;
use super::units::split_path;
use super::{
    ColumnInfo, ImportError, ImportOptions, MAX_TEXT_CHARS, MAX_TITLE_CHARS, Prepared, RowReader,
    has_content, prepare, sort_problems,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedPeople {
    pub sheet: String,
    pub header_row: u32,
    pub columns: Vec<ColumnInfo>,
    pub rows: Vec<PersonRow>,
    pub problems: Vec<CellProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRow {
    pub row: u32,
    pub account: String,
    pub name: String,
    /// The unit as written, split into levels like [`super::UnitRow::parent`]; empty only when
    /// the row has a problem saying so.
    pub unit: Vec<String>,
    /// An 11-digit mobile number without separators, or a landline as written.
    pub mobile: Option<String>,
    pub email: Option<String>,
    /// In the order written, without repeats; empty when the cell is.
    pub roles: Vec<Role>,
}

pub(crate) fn read(bytes: &[u8], options: &ImportOptions) -> Result<ParsedPeople, ImportError> {
    let Prepared { grid, header } = prepare(bytes, &PEOPLE, None, options)?;
    let mut parsed = ParsedPeople {
        sheet: grid.sheet.clone(),
        header_row: header.first_row,
        columns: header.infos.clone(),
        rows: Vec::new(),
        problems: header.problems.clone(),
    };
    if header.col(Field::Account).is_none() {
        return Ok(parsed);
    }
    // Logins compare without case, so Zhang.San and zhang.san are one account.
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
        let account = r.required(Field::Account, MAX_TEXT_CHARS).and_then(|a| {
            if valid_account(&a) {
                Some(a)
            } else {
                r.problem(Field::Account, ProblemKind::BadAccount { text: a });
                None
            }
        });
        let name = r.required(Field::PersonName, MAX_TITLE_CHARS);
        let unit = match r.required(Field::PersonUnit, MAX_TEXT_CHARS) {
            None => Vec::new(),
            Some(t) => split_path(&t).unwrap_or_else(|kind| {
                r.problem(Field::PersonUnit, kind);
                Vec::new()
            }),
        };
        let mobile = r.text(Field::Mobile, MAX_TEXT_CHARS).and_then(|t| {
            let phone = phone(&t);
            if phone.is_none() {
                r.problem(Field::Mobile, ProblemKind::BadPhone { text: t });
            }
            phone
        });
        let email = r.text(Field::Email, MAX_TEXT_CHARS).and_then(|t| {
            if valid_email(&t) {
                Some(t)
            } else {
                r.problem(Field::Email, ProblemKind::BadEmail { text: t });
                None
            }
        });
        let roles = match r.text(Field::Roles, MAX_TEXT_CHARS) {
            None => Vec::new(),
            Some(t) => roles(&t).unwrap_or_else(|bad| {
                r.problem(Field::Roles, ProblemKind::BadRole { text: bad });
                Vec::new()
            }),
        };
        if let Some(a) = &account {
            let key = a.to_lowercase();
            match first_rows.get(&key) {
                Some(&first_row) => r.problem(
                    Field::Account,
                    ProblemKind::Duplicate {
                        value: a.clone(),
                        first_row,
                    },
                ),
                None => {
                    first_rows.insert(key, row.saturating_add(1));
                }
            }
        }
        parsed.rows.push(PersonRow {
            row: row.saturating_add(1),
            account: account.unwrap_or_default(),
            name: name.unwrap_or_default(),
            unit,
            mobile,
            email,
            roles,
        });
        parsed.problems.extend(r.problems);
    }
    sort_problems(&mut parsed.problems);
    Ok(parsed)
}

pub(crate) fn valid_account(a: &str) -> bool {
    (3..=64).contains(&a.len())
        && a.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'))
}

/// A mainland mobile number (spaces, dashes and a +86 prefix allowed, returned as 11 digits) or
/// a landline of digits and dashes (returned as written).
pub(crate) fn phone(text: &str) -> Option<String> {
    let t = text.trim();
    let digits: String = t.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let national = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("0086"))
        .unwrap_or(&digits);
    let is_mobile = national.len() == 11
        && national.starts_with('1')
        && national
            .as_bytes()
            .get(1)
            .is_some_and(|b| (b'3'..=b'9').contains(b))
        && national.bytes().all(|b| b.is_ascii_digit());
    if is_mobile {
        return Some(national.to_string());
    }
    // A landline carries its area code (0…) or a dash (400-810-8888), or is a bare local
    // number of 7 or 8 digits; anything else made only of digits is a mistyped mobile.
    let digit_count = t.bytes().filter(u8::is_ascii_digit).count();
    let landline = t.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        && !t.starts_with('-')
        && !t.ends_with('-')
        && !t.contains("--")
        && (7..=20).contains(&digit_count)
        && (t.contains('-') || t.starts_with('0') || digit_count <= 8);
    landline.then(|| t.to_string())
}

pub(crate) fn valid_email(e: &str) -> bool {
    let mut parts = e.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && !e.chars().any(char::is_whitespace)
        && domain
            .find('.')
            .is_some_and(|dot| dot > 0 && !domain.ends_with('.'))
}

/// Roles in a list cell; `Err` with the first word that is not a role.
pub(crate) fn roles(text: &str) -> Result<Vec<Role>, String> {
    let mut out = Vec::new();
    for word in text.split([',', '，', '、', ';', '；', '\n']) {
        let word = word.trim();
        if word.is_empty() {
            continue;
        }
        let role = match word {
            "群众" | "职工" => Role::Member,
            "受理员" => Role::IntakeClerk,
            "责任人" => Role::Handler,
            "单位管理员" => Role::UnitAdmin,
            "督导" | "督导组" => Role::Supervisor,
            "领导" => Role::Leader,
            "系统管理员" => Role::SystemAdmin,
            other => {
                Role::from_code(&other.to_ascii_lowercase()).ok_or_else(|| other.to_string())?
            }
        };
        if !out.contains(&role) {
            out.push(role);
        }
    }
    Ok(out)
}
