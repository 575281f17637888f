//! The provisional year: the statutory holidays computed by rule, for a year whose official
//! arrangement (放假安排) has not been entered yet.
//!
//! The rules are the State Council's 《全国年节及纪念日放假办法》 as amended: in force since
//! 2025-01-01 (国务院令第795号), 元旦 1 day (1 January), 春节 4 days (除夕 and 正月初一 to 初三),
//! 清明节 1 day (the day of the 清明 solar term), 劳动节 2 days (1–2 May), 端午节 1 day (lunar
//! 5/5), 中秋节 1 day (lunar 8/15), 国庆节 3 days (1–3 October). Earlier years follow the
//! rules then in force (1949, 1999, 2008, 2014), so that a past year without data counts its
//! own festivals. A statutory day on a Saturday or Sunday, or on another festival's day, is
//! made up on the next free weekday (补假, article 6 of the rules). What no rule predicts is
//! the yearly swap of weekdays for weekends (调休): a provisional year has no make-up working
//! days, and its weekends stay weekends. Weekends are Saturday and Sunday in every year (the
//! six-day week before 1995 is not modelled).
//!
//! Lunar dates and the solar term come from `tyme4rs` (the 寿星 astronomical algorithm of the
//! 6tail calendar libraries).

use std::sync::{LazyLock, OnceLock};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

use super::{DayKind, Holiday, NamedDay};

/// The years the rule is computed for; others have weekends only.
pub const FIRST_YEAR: i32 = 1901;
pub const LAST_YEAR: i32 = 2100;

/// One version of the rules, in force from `since`.
struct Rules {
    since: (i32, u32, u32),
    /// Days of 春节 as offsets from 正月初一 (-1 is 除夕).
    spring: &'static [i64],
    /// Days of May off for 劳动节.
    labour: &'static [u32],
    /// Days of October off for 国庆节.
    national: &'static [u32],
    /// 清明节, 端午节 and 中秋节 are holidays.
    traditional: bool,
}

const RULES: [Rules; 5] = [
    // 1949-12-23, and for the years before it.
    Rules {
        since: (1, 1, 1),
        spring: &[0, 1, 2],
        labour: &[1],
        national: &[1, 2],
        traditional: false,
    },
    // 1999-09-18: three days for 劳动节 and 国庆节.
    Rules {
        since: (1999, 9, 18),
        spring: &[0, 1, 2],
        labour: &[1, 2, 3],
        national: &[1, 2, 3],
        traditional: false,
    },
    // 2008-01-01: 除夕 to 初二; 劳动节 one day; 清明, 端午, 中秋 added.
    Rules {
        since: (2008, 1, 1),
        spring: &[-1, 0, 1],
        labour: &[1],
        national: &[1, 2, 3],
        traditional: true,
    },
    // 2014-01-01: 初一 to 初三.
    Rules {
        since: (2014, 1, 1),
        spring: &[0, 1, 2],
        labour: &[1],
        national: &[1, 2, 3],
        traditional: true,
    },
    // 2025-01-01: 除夕 to 初三, 1–2 May.
    Rules {
        since: (2025, 1, 1),
        spring: &[-1, 0, 1, 2],
        labour: &[1, 2],
        national: &[1, 2, 3],
        traditional: true,
    },
];

fn rules_on(date: NaiveDate) -> &'static Rules {
    let key = (date.year(), date.month(), date.day());
    RULES
        .iter()
        .rev()
        .find(|r| r.since <= key)
        .unwrap_or(&RULES[0])
}

fn from_solar(d: &SolarDay) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        i32::try_from(d.get_year()).ok()?,
        u32::try_from(d.get_month()).ok()?,
        u32::try_from(d.get_day()).ok()?,
    )
}

/// The Gregorian date of a lunar date of lunar year `year`.
fn lunar(year: i32, month: isize, day: usize) -> Option<NaiveDate> {
    let d = LunarDay::new(year as isize, month, day).ok()?;
    from_solar(&d.get_solar_day())
}

fn qingming(year: i32) -> Option<NaiveDate> {
    from_solar(&SolarTerm::new(year as isize, "清明").ok()?.get_solar_day())
}

/// The statutory days of a year, festival by festival, before 补假.
pub fn statutory_days(year: i32) -> Vec<(NaiveDate, Holiday)> {
    let mut out = Vec::new();
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    if let Some(d) = ymd(1, 1) {
        out.push((d, Holiday::NewYear));
    }
    if let Some(first) = lunar(year, 1, 1) {
        for off in rules_on(first).spring {
            out.push((first + Duration::days(*off), Holiday::SpringFestival));
        }
    }
    if let Some(d) = qingming(year).filter(|d| rules_on(*d).traditional) {
        out.push((d, Holiday::Qingming));
    }
    if let Some(may) = ymd(5, 1) {
        for day in rules_on(may).labour {
            out.extend(ymd(5, *day).map(|d| (d, Holiday::LabourDay)));
        }
    }
    for (month, day, holiday) in [(5, 5, Holiday::DragonBoat), (8, 15, Holiday::MidAutumn)] {
        if let Some(d) = lunar(year, month, day).filter(|d| rules_on(*d).traditional) {
            out.push((d, holiday));
        }
    }
    if let Some(oct) = ymd(10, 1) {
        for day in rules_on(oct).national {
            out.extend(ymd(10, *day).map(|d| (d, Holiday::NationalDay)));
        }
    }
    out.sort();
    out
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The year's holidays by rule: the statutory days and their make-up days off (补假).
fn compute(year: i32) -> Vec<NamedDay> {
    let statutory = statutory_days(year);
    let mut off: Vec<(NaiveDate, Holiday)> = Vec::with_capacity(statutory.len() + 4);
    for (i, (date, holiday)) in statutory.iter().enumerate() {
        let taken = statutory[..i].iter().any(|(d, _)| d == date);
        off.push((*date, *holiday));
        if taken || is_weekend(*date) {
            let mut d = *date + Duration::days(1);
            while is_weekend(d)
                || statutory.iter().any(|(s, _)| *s == d)
                || off.iter().any(|(o, _)| *o == d)
            {
                d += Duration::days(1);
            }
            off.push((d, *holiday));
        }
    }
    off.sort();
    let mut days: Vec<NamedDay> = Vec::new();
    for (date, holiday) in off {
        match days.last_mut() {
            Some(last) if last.date == date => {
                if !last.holidays.contains(&holiday) {
                    last.holidays.push(holiday);
                    last.holidays.sort();
                    last.name = names(&last.holidays);
                }
            }
            _ => days.push(NamedDay {
                date,
                kind: DayKind::Holiday,
                name: holiday.zh_name().to_string(),
                holidays: vec![holiday],
            }),
        }
    }
    days
}

fn names(list: &[Holiday]) -> String {
    list.iter()
        .map(|h| h.zh_name())
        .collect::<Vec<_>>()
        .join("、")
}

static YEARS: LazyLock<Vec<OnceLock<Vec<NamedDay>>>> =
    LazyLock::new(|| (FIRST_YEAR..=LAST_YEAR).map(|_| OnceLock::new()).collect());

/// The provisional holidays of a year (computed once per process), in date order; empty
/// outside 1901–2100.
pub fn provisional_days(year: i32) -> &'static [NamedDay] {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return &[];
    }
    YEARS[(year - FIRST_YEAR) as usize].get_or_init(|| compute(year))
}

/// What the rule says of one date: a holiday, or nothing (then weekends are off).
pub fn provisional_kind(date: NaiveDate) -> Option<DayKind> {
    let days = provisional_days(date.year());
    days.binary_search_by_key(&date, |d| d.date)
        .ok()
        .map(|i| days[i].kind)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::calendar::{BUILTIN_CSV, WorkCalendar, parse_csv};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn dates_of(year: i32, h: Holiday) -> Vec<NaiveDate> {
        provisional_days(year)
            .iter()
            .filter(|x| x.holidays.contains(&h))
            .map(|x| x.date)
            .collect()
    }

    #[test]
    fn the_rule_gives_the_official_2024_to_2026_less_the_swapped_days() {
        let official = parse_csv(BUILTIN_CSV).unwrap();
        for year in 2024..=2026 {
            let notice: BTreeMap<NaiveDate, &NamedDay> = official
                .iter()
                .filter(|x| x.date.year() == year)
                .map(|x| (x.date, x))
                .collect();
            let rule = provisional_days(year);
            assert!(!rule.is_empty());
            // Every day off by rule is off in the notice, for the same festival.
            for p in rule {
                let o = notice
                    .get(&p.date)
                    .unwrap_or_else(|| panic!("{}: off by rule, not in the notice", p.date));
                assert_eq!(o.kind, DayKind::Holiday, "{}", p.date);
                assert!(
                    p.holidays.iter().all(|h| o.holidays.contains(h)),
                    "{}: {:?} by rule, {:?} in the notice",
                    p.date,
                    p.holidays,
                    o.holidays
                );
            }
            // What the notice adds on weekdays is paid back, festival by festival, by its
            // make-up working days (调休): exactly the arrangement no rule predicts.
            let mut balance: BTreeMap<Vec<Holiday>, i64> = BTreeMap::new();
            for o in notice.values() {
                let extra_weekday = o.kind == DayKind::Holiday
                    && !is_weekend(o.date)
                    && !rule.iter().any(|p| p.date == o.date);
                if extra_weekday {
                    *balance.entry(o.holidays.clone()).or_default() += 1;
                }
                if o.kind == DayKind::Workday {
                    *balance.entry(o.holidays.clone()).or_default() -= 1;
                }
            }
            assert!(balance.values().all(|n| *n == 0), "{year}: {balance:?}");
        }
    }

    #[test]
    fn known_dates() {
        // 2025 (the rules of 2025: 除夕 to 初三; 中秋 on 10-06).
        assert_eq!(
            dates_of(2025, Holiday::SpringFestival),
            vec![
                d(2025, 1, 28),
                d(2025, 1, 29),
                d(2025, 1, 30),
                d(2025, 1, 31)
            ]
        );
        assert_eq!(
            dates_of(2025, Holiday::NationalDay),
            vec![d(2025, 10, 1), d(2025, 10, 2), d(2025, 10, 3)]
        );
        assert_eq!(dates_of(2025, Holiday::MidAutumn), vec![d(2025, 10, 6)]);
        assert_eq!(
            dates_of(2025, Holiday::LabourDay),
            vec![d(2025, 5, 1), d(2025, 5, 2)]
        );
        // 端午 on Saturday 05-31: made up on Monday 06-02.
        assert_eq!(
            dates_of(2025, Holiday::DragonBoat),
            vec![d(2025, 5, 31), d(2025, 6, 2)]
        );
        // 2024 (the rules of 2014: no 除夕): 初一 on Saturday 02-10, made up 02-13 and 02-14.
        assert_eq!(
            dates_of(2024, Holiday::SpringFestival),
            vec![
                d(2024, 2, 10),
                d(2024, 2, 11),
                d(2024, 2, 12),
                d(2024, 2, 13),
                d(2024, 2, 14)
            ]
        );
        // 2026: 清明 on Sunday 04-05, made up Monday 04-06.
        assert_eq!(
            dates_of(2026, Holiday::Qingming),
            vec![d(2026, 4, 5), d(2026, 4, 6)]
        );
        // 2027: 春节 (初一) on Saturday 02-06, 除夕 02-05; 中秋 09-15.
        assert_eq!(lunar(2027, 1, 1), Some(d(2027, 2, 6)));
        assert_eq!(lunar(2027, 8, 15), Some(d(2027, 9, 15)));
        assert_eq!(
            dates_of(2027, Holiday::SpringFestival),
            vec![
                d(2027, 2, 5),
                d(2027, 2, 6),
                d(2027, 2, 7),
                d(2027, 2, 8),
                d(2027, 2, 9),
                d(2027, 2, 10)
            ]
        );
        assert_eq!(dates_of(2027, Holiday::MidAutumn), vec![d(2027, 9, 15)]);
        assert_eq!(dates_of(2027, Holiday::NewYear), vec![d(2027, 1, 1)]);
        // Earlier rules: 2008 had 除夕 to 初二; 2000 three days in May and no 清明.
        assert_eq!(lunar(2008, 1, 1), Some(d(2008, 2, 7)));
        assert!(dates_of(2008, Holiday::SpringFestival).contains(&d(2008, 2, 6)));
        assert_eq!(dates_of(2000, Holiday::LabourDay).len(), 3);
        assert!(dates_of(2000, Holiday::Qingming).is_empty());
        let national = statutory_days(2000)
            .into_iter()
            .filter(|x| x.1 == Holiday::NationalDay)
            .count();
        assert_eq!(national, 3);
    }

    #[test]
    fn a_festival_on_another_is_made_up_too() {
        // 2020: 中秋 fell on 10-01; each statutory day is its own day off.
        assert_eq!(lunar(2020, 8, 15), Some(d(2020, 10, 1)));
        let days = provisional_days(2020);
        let oct1 = days.iter().find(|x| x.date == d(2020, 10, 1)).unwrap();
        assert_eq!(
            oct1.holidays,
            vec![Holiday::MidAutumn, Holiday::NationalDay]
        );
        let off = days.iter().filter(|x| x.date.month() == 10).count();
        // 10-01, 10-02, 10-03 (Saturday), then 中秋 and 10-03 made up on 10-05 and 10-06.
        assert_eq!(off, 5);
    }

    #[test]
    fn every_year_from_1901_to_2100_has_its_festivals() {
        for year in FIRST_YEAR..=LAST_YEAR {
            let days = provisional_days(year);
            assert!(days.windows(2).all(|w| w[0].date < w[1].date), "{year}");
            assert!(days.iter().all(|x| x.date.year() == year), "{year}");
            assert_eq!(days[0].date, d(year, 1, 1), "{year}");
            let spring = dates_of(year, Holiday::SpringFestival);
            assert!(spring.len() >= 3, "{year}");
            assert!(
                spring[0] >= d(year, 1, 20) && spring[0] <= d(year, 2, 20),
                "{year}"
            );
            if year >= 2008 {
                let q = dates_of(year, Holiday::Qingming)[0];
                assert!(q >= d(year, 4, 3) && q <= d(year, 4, 6), "{year}: {q}");
                let m = dates_of(year, Holiday::MidAutumn)[0];
                assert!(m >= d(year, 9, 7) && m <= d(year, 10, 8), "{year}: {m}");
                let b = dates_of(year, Holiday::DragonBoat)[0];
                assert!(b >= d(year, 5, 25) && b <= d(year, 6, 25), "{year}: {b}");
            }
        }
        assert!(provisional_days(1900).is_empty());
        assert!(provisional_days(2101).is_empty());
        // Outside the range a year has weekends only.
        let cal = WorkCalendar::default();
        assert!(cal.is_working_day(d(2101, 1, 3)));
    }
}
