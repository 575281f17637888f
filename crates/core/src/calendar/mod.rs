//! Working days on the Chinese statutory calendar.
//!
//! A day is a working day when it is a weekday, unless the calendar names it a holiday (放假),
//! or when it is a weekend day the calendar names a make-up working day (调休上班). The named days
//! of a confirmed year are data: the project ships 2024–2026 and a system admin enters later
//! years from the State Council's notice. A year nobody has entered is provisional: its
//! holidays are computed by rule (`rule`), without the make-up arrangement no rule predicts,
//! and everything computed from it says so.

mod holiday;
pub mod rule;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

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
    /// As typed or as in the notice (Chinese); pages show `holidays` when there are any.
    pub name: String,
    /// The festivals the day belongs to (a make-up working day too), as data.
    pub holidays: Vec<Holiday>,
}

pub use holiday::{Holiday, codes as holiday_codes, parse_codes as parse_holiday_codes};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: {message}")]
pub struct CalendarParseError {
    pub line: usize,
    pub message: String,
}

/// The official 2024–2026 arrangements, as published by the State Council General Office.
pub const BUILTIN_CSV: &str = include_str!("../../data/cn-statutory-2024-2026.csv");

/// The working-day calendar: the confirmed years' named days, and the rule for the others.
/// Cheap to clone (shared maps).
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    named: Arc<BTreeMap<NaiveDate, DayKind>>,
    /// Years with an official arrangement: every year that has a named day.
    confirmed: Arc<BTreeSet<i32>>,
}

impl WorkCalendar {
    /// The calendar of these named days; the years they fall in are the confirmed years.
    pub fn new(days: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> Self {
        let named: BTreeMap<NaiveDate, DayKind> = days.into_iter().collect();
        let confirmed = named.keys().map(|d| d.year()).collect();
        WorkCalendar {
            named: Arc::new(named),
            confirmed: Arc::new(confirmed),
        }
    }

    /// The calendar the project ships.
    pub fn builtin() -> Self {
        let days = parse_csv(BUILTIN_CSV).expect("the shipped calendar parses");
        WorkCalendar::new(days.into_iter().map(|d| (d.date, d.kind)))
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        let kind = if self.is_confirmed(date.year()) {
            self.named.get(&date).copied()
        } else {
            rule::provisional_kind(date)
        };
        match kind {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// Whether the year's official arrangement has been entered.
    pub fn is_confirmed(&self, year: i32) -> bool {
        self.confirmed.contains(&year)
    }

    /// The years from `a` to `b` (either order, both included) whose days are only
    /// provisional: a count or a date computed across them may still move.
    pub fn provisional_years_between(&self, a: NaiveDate, b: NaiveDate) -> Vec<i32> {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        (lo.year()..=hi.year())
            .filter(|y| !self.is_confirmed(*y))
            .collect()
    }

    /// The year's named days as this calendar counts them: `None` for a confirmed year (its
    /// days are the stored ones), the rule's holidays for a provisional one.
    pub fn provisional_days(&self, year: i32) -> Option<&'static [NamedDay]> {
        (!self.is_confirmed(year)).then(|| rule::provisional_days(year))
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
        self.confirmed.iter().copied().collect()
    }
}

/// Parses `date,kind,name` lines (the festivals are read from the name) (a header line is allowed). Errors name the line.
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
        let name = name.unwrap_or("").trim().to_string();
        out.push(NamedDay {
            date,
            kind,
            holidays: Holiday::found_in(&name),
            name,
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
        // March has no statutory holiday: a provisional year counts weekends only.
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
            holidays: vec![Holiday::NewYear],
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

    #[test]
    fn a_year_without_its_notice_counts_its_holidays_by_rule() {
        let cal = WorkCalendar::builtin();
        assert!(!cal.is_confirmed(2027));
        assert!(cal.is_confirmed(2026));
        // 元旦 2027 is a Friday: from Thursday 2026-12-31, the next working day is 01-04.
        assert!(!cal.is_working_day(d(2027, 1, 1)));
        assert_eq!(cal.add_working_days(d(2026, 12, 31), 1), d(2027, 1, 4));
        assert!(!cal.is_working_day(d(2027, 2, 5)), "除夕");
        assert!(!cal.is_working_day(d(2027, 9, 15)), "中秋");
        assert_eq!(
            cal.provisional_years_between(d(2026, 12, 1), d(2027, 1, 4)),
            vec![2027]
        );
        assert!(
            cal.provisional_years_between(d(2026, 1, 1), d(2026, 12, 31))
                .is_empty()
        );
        assert!(cal.provisional_days(2026).is_none());
        assert!(cal.provisional_days(2027).is_some_and(|d| !d.is_empty()));
    }

    #[test]
    fn an_entered_year_counts_its_named_days_only() {
        // Once 2027 has a named day, the rule no longer applies to it.
        let mut days = parse_csv(BUILTIN_CSV).unwrap();
        days.push(NamedDay {
            date: d(2027, 2, 20),
            kind: DayKind::Workday,
            name: "春节".into(),
            holidays: vec![Holiday::SpringFestival],
        });
        let cal = WorkCalendar::new(days.into_iter().map(|x| (x.date, x.kind)));
        assert!(cal.is_confirmed(2027));
        assert!(cal.is_working_day(d(2027, 1, 1)));
        assert!(cal.is_working_day(d(2027, 2, 20)));
    }

    #[test]
    fn festivals_are_read_from_the_notice_names() {
        let days = parse_csv(BUILTIN_CSV).unwrap();
        assert!(
            days.iter().all(|x| !x.holidays.is_empty()),
            "every shipped day has its festival"
        );
        let oct = days.iter().find(|x| x.date == d(2025, 10, 1)).unwrap();
        assert_eq!(oct.holidays, vec![Holiday::MidAutumn, Holiday::NationalDay]);
    }
}
