//! Working days on the Chinese statutory calendar.
//!
//! A day is a working day when it is a weekday, unless the calendar names it a holiday (放假),
//! or when it is a weekend day the calendar names a make-up working day (调休上班). The named days
//! are data: the project ships 2024–2026 and a system admin adds later years.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Holiday,
    Workday,
}

impl DayKind {
    pub fn code(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    pub fn from_code(code: &str) -> Option<DayKind> {
        match code {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: {message}")]
pub struct CalendarParseError {
    pub line: usize,
    pub message: String,
}

/// The official 2024–2026 arrangements, as published by the State Council General Office.
pub const BUILTIN_CSV: &str = include_str!("../data/cn-statutory-2024-2026.csv");

#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    named: BTreeMap<NaiveDate, DayKind>,
}

impl WorkCalendar {
    pub fn new(days: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> Self {
        WorkCalendar {
            named: days.into_iter().collect(),
        }
    }

    /// The calendar the project ships.
    pub fn builtin() -> Self {
        let days = parse_csv(BUILTIN_CSV).expect("the shipped calendar parses");
        WorkCalendar::new(days.into_iter().map(|d| (d.date, d.kind)))
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.named.get(&date) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The date `n` working days after `start` (start itself not counted). With `n == 0`, the
    /// first working day on or after `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut date = start;
        if n == 0 {
            while !self.is_working_day(date) {
                date += Duration::days(1);
            }
            return date;
        }
        let mut left = n;
        while left > 0 {
            date += Duration::days(1);
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// The date `n` working days before `start`: the earliest date from which `start` is `n`
    /// working days away.
    pub fn sub_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut date = start;
        let mut left = n;
        while left > 0 {
            if self.is_working_day(date) {
                left -= 1;
            }
            date -= Duration::days(1);
        }
        date
    }

    /// Working days from `from` to `to`: the working days in `(from, to]`, negative when `to`
    /// lies before `from`. A deadline tomorrow (a working day) is 1 working day away.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (lo, hi, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut count = 0;
        let mut d = lo + Duration::days(1);
        while d <= hi {
            if self.is_working_day(d) {
                count += 1;
            }
            d += Duration::days(1);
        }
        sign * count
    }

    /// Years that have at least one named day, i.e. for which an official arrangement is known.
    pub fn covered_years(&self) -> Vec<i32> {
        let mut years: Vec<i32> = self.named.keys().map(|d| d.year()).collect();
        years.dedup();
        years
    }
}

/// Parses `date,kind,name` lines (a header line is allowed). Errors name the line.
pub fn parse_csv(text: &str) -> Result<Vec<NamedDay>, CalendarParseError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let raw = raw.trim();
        if raw.is_empty() || (line == 1 && raw.starts_with("date")) {
            continue;
        }
        let mut parts = raw.splitn(3, ',');
        let (date, kind, name) = (parts.next(), parts.next(), parts.next());
        let err = |message: String| CalendarParseError { line, message };
        let date = date
            .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
            .ok_or_else(|| err("date must be YYYY-MM-DD".into()))?;
        let kind = kind
            .and_then(|k| DayKind::from_code(k.trim()))
            .ok_or_else(|| err("kind must be holiday or workday".into()))?;
        out.push(NamedDay {
            date,
            kind,
            name: name.unwrap_or("").trim().to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn national_day_week_and_its_make_up_saturday() {
        let cal = WorkCalendar::builtin();
        // 2025-10-01..08 are holidays; Saturday 2025-10-11 is a make-up working day.
        assert!(!cal.is_working_day(d(2025, 10, 1)));
        assert!(!cal.is_working_day(d(2025, 10, 8)));
        assert!(cal.is_working_day(d(2025, 10, 11)));
        assert!(cal.is_working_day(d(2025, 9, 28)), "Sunday 9-28 is worked");
        // From Tuesday 9-30, the next working day is Thursday 10-9.
        assert_eq!(cal.add_working_days(d(2025, 9, 30), 1), d(2025, 10, 9));
        assert_eq!(cal.working_days_between(d(2025, 9, 30), d(2025, 10, 9)), 1);
        assert_eq!(cal.working_days_between(d(2025, 10, 9), d(2025, 9, 30)), -1);
    }

    #[test]
    fn spring_festival_2026() {
        let cal = WorkCalendar::builtin();
        // 2026-02-15..23 off; Saturday 2026-02-28 worked.
        assert_eq!(cal.add_working_days(d(2026, 2, 13), 1), d(2026, 2, 14));
        assert!(!cal.is_working_day(d(2026, 2, 16)));
        assert!(cal.is_working_day(d(2026, 2, 28)));
    }

    #[test]
    fn ordinary_weekends_without_data() {
        let cal = WorkCalendar::default();
        // Friday 2027-03-05 + 1 working day = Monday 03-08.
        assert_eq!(cal.add_working_days(d(2027, 3, 5), 1), d(2027, 3, 8));
        assert_eq!(cal.add_working_days(d(2027, 3, 6), 0), d(2027, 3, 8));
        assert_eq!(cal.working_days_between(d(2027, 3, 1), d(2027, 3, 8)), 5);
    }

    #[test]
    fn added_year_is_used() {
        let mut days = parse_csv(BUILTIN_CSV).unwrap();
        days.push(NamedDay {
            date: d(2027, 1, 1),
            kind: DayKind::Holiday,
            name: "元旦".into(),
        });
        let cal = WorkCalendar::new(days.into_iter().map(|x| (x.date, x.kind)));
        assert!(!cal.is_working_day(d(2027, 1, 1)));
        assert_eq!(cal.covered_years(), vec![2024, 2025, 2026, 2027]);
    }

    #[test]
    fn bad_lines_are_named() {
        let e = parse_csv("date,kind,name\n2027-01-01,holiday,元旦\n2027-13-01,holiday,x\n")
            .unwrap_err();
        assert_eq!(e.line, 3);
        let e = parse_csv("2027-01-01,off,元旦").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("kind"));
    }
}
