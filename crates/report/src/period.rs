//! The periods figures belong to: ISO weeks (Monday to Sunday), calendar months and quarters,
//! all bounded by Beijing midnights. An event belongs to the period its Beijing date falls in.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// ISO 8601 week: year of the week (not always the calendar year) and week 1–53.
    Week {
        year: i32,
        week: u32,
    },
    Month {
        year: i32,
        month: u32,
    },
    Quarter {
        year: i32,
        quarter: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Week,
    Month,
    Quarter,
}

impl PeriodKind {
    pub fn code(self) -> &'static str {
        match self {
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
        }
    }

    pub fn from_code(s: &str) -> Option<PeriodKind> {
        [PeriodKind::Week, PeriodKind::Month, PeriodKind::Quarter]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a period: write 2026-W47, 2026-11 or 2026-Q4")]
pub struct BadPeriod(pub String);

impl Period {
    /// The period of the given kind that contains `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate) -> Period {
        match kind {
            PeriodKind::Week => {
                let w = day.iso_week();
                Period::Week {
                    year: w.year(),
                    week: w.week(),
                }
            }
            PeriodKind::Month => Period::Month {
                year: day.year(),
                month: day.month(),
            },
            PeriodKind::Quarter => Period::Quarter {
                year: day.year(),
                quarter: (day.month() - 1) / 3 + 1,
            },
        }
    }

    pub fn kind(self) -> PeriodKind {
        match self {
            Period::Week { .. } => PeriodKind::Week,
            Period::Month { .. } => PeriodKind::Month,
            Period::Quarter { .. } => PeriodKind::Quarter,
        }
    }

    /// The first day of the period.
    pub fn first_day(self) -> NaiveDate {
        let fallback = NaiveDate::MIN;
        match self {
            Period::Week { year, week } => {
                NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).unwrap_or(fallback)
            }
            Period::Month { year, month } => {
                NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(fallback)
            }
            Period::Quarter { year, quarter } => {
                NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1).unwrap_or(fallback)
            }
        }
    }

    /// The last day of the period (included).
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day() - Duration::days(1)
    }

    pub fn next(self) -> Period {
        match self {
            Period::Week { .. } => {
                Period::containing(PeriodKind::Week, self.first_day() + Duration::days(7))
            }
            Period::Month { year, month: 12 } => Period::Month {
                year: year + 1,
                month: 1,
            },
            Period::Month { year, month } => Period::Month {
                year,
                month: month + 1,
            },
            Period::Quarter { year, quarter: 4 } => Period::Quarter {
                year: year + 1,
                quarter: 1,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year,
                quarter: quarter + 1,
            },
        }
    }

    pub fn previous(self) -> Period {
        Period::containing(self.kind(), self.first_day() - Duration::days(1))
    }

    /// The instants `[from, until)` in epoch milliseconds: Beijing midnight to Beijing midnight.
    pub fn bounds_ms(self) -> (i64, i64) {
        (
            beijing_midnight_ms(self.first_day()),
            beijing_midnight_ms(self.next().first_day()),
        )
    }

    /// How a person reads it: "2026年第47周（11月16日—11月22日）" or "Week 47, 2026 (16–22 Nov)".
    pub fn label(self, locale: &str) -> String {
        let (a, b) = (self.first_day(), self.last_day());
        let en = locale.starts_with("en");
        match (self, en) {
            (Period::Week { year, week }, false) => format!(
                "{year}年第{week}周（{}月{}日—{}月{}日）",
                a.month(),
                a.day(),
                b.month(),
                b.day()
            ),
            (Period::Week { year, week }, true) => format!(
                "Week {week}, {year} ({} – {})",
                a.format("%-d %b"),
                b.format("%-d %b")
            ),
            (Period::Month { year, month }, false) => format!("{year}年{month}月"),
            (Period::Month { .. }, true) => a.format("%B %Y").to_string(),
            (Period::Quarter { year, quarter }, false) => {
                let q = ["一", "二", "三", "四"]
                    .get(quarter as usize - 1)
                    .copied()
                    .unwrap_or("?");
                format!("{year}年第{q}季度")
            }
            (Period::Quarter { year, quarter }, true) => format!("Q{quarter} {year}"),
        }
    }
}

fn beijing_midnight_ms(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(shishi_core::time::beijing()).single())
        .map_or(0, |t| t.timestamp_millis())
}

impl fmt::Display for Period {
    /// The canonical code, the form stored and typed: 2026-W47, 2026-11, 2026-Q4.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Week { year, week } => write!(f, "{year}-W{week:02}"),
            Period::Month { year, month } => write!(f, "{year}-{month:02}"),
            Period::Quarter { year, quarter } => write!(f, "{year}-Q{quarter}"),
        }
    }
}

impl FromStr for Period {
    type Err = BadPeriod;

    fn from_str(s: &str) -> Result<Period, BadPeriod> {
        let bad = || BadPeriod(s.to_string());
        let t = s.trim().to_ascii_uppercase();
        let (year, rest) = t.split_once('-').ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(2000..=2999).contains(&year) {
            return Err(bad());
        }
        let period = if let Some(w) = rest.strip_prefix('W') {
            let week: u32 = w.parse().map_err(|_| bad())?;
            NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(bad)?;
            Period::Week { year, week }
        } else if let Some(q) = rest.strip_prefix('Q') {
            let quarter: u32 = q.parse().map_err(|_| bad())?;
            if !(1..=4).contains(&quarter) {
                return Err(bad());
            }
            Period::Quarter { year, quarter }
        } else {
            let month: u32 = rest.parse().map_err(|_| bad())?;
            if !(1..=12).contains(&month) {
                return Err(bad());
            }
            Period::Month { year, month }
        };
        Ok(period)
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn week_47_of_2026_runs_monday_to_sunday() {
        let w: Period = "2026-W47".parse().unwrap();
        assert_eq!(w.first_day(), day("2026-11-16"));
        assert_eq!(w.last_day(), day("2026-11-22"));
        assert_eq!(Period::containing(PeriodKind::Week, day("2026-11-21")), w);
        assert_eq!(w.to_string(), "2026-W47");
        assert_eq!(w.label("zh-CN"), "2026年第47周（11月16日—11月22日）");
        assert_eq!(w.label("en"), "Week 47, 2026 (16 Nov – 22 Nov)");
    }

    #[test]
    fn iso_week_year_differs_from_calendar_year_at_the_edges() {
        // 2026-12-31 is a Thursday: ISO week 53 of 2026. 2027-01-01 falls in it too.
        let w = Period::containing(PeriodKind::Week, day("2027-01-01"));
        assert_eq!(w.to_string(), "2026-W53");
        assert_eq!(w.next().to_string(), "2027-W01");
        assert_eq!(w.next().first_day(), day("2027-01-04"));
        assert!("2025-W53".parse::<Period>().is_err());
    }

    #[test]
    fn months_and_quarters() {
        let m: Period = "2026-02".parse().unwrap();
        assert_eq!(m.last_day(), day("2026-02-28"));
        assert_eq!(m.label("zh-CN"), "2026年2月");
        assert_eq!(m.label("en"), "February 2026");
        let q: Period = "2026-q4".parse().unwrap();
        assert_eq!(
            (q.first_day(), q.last_day()),
            (day("2026-10-01"), day("2026-12-31"))
        );
        assert_eq!(q.label("zh-CN"), "2026年第四季度");
        assert_eq!(q.next().to_string(), "2027-Q1");
        assert_eq!(q.previous().to_string(), "2026-Q3");
        for bad in [
            "2026", "2026-13", "2026-Q5", "W47", "2026-W", "abcd-W01", "",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }

    #[test]
    fn bounds_are_beijing_midnights() {
        let w: Period = "2026-W47".parse().unwrap();
        let (from, until) = w.bounds_ms();
        // Monday 00:00 in Beijing is Sunday 16:00 UTC.
        assert_eq!(shishi_core::time::format_ms(from), "2026-11-16 00:00");
        assert_eq!(until - from, 7 * 86_400_000);
        assert_eq!(
            shishi_core::time::beijing_date(until - 1),
            day("2026-11-22")
        );
    }
}
