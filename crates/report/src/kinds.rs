//! The reports a unit submits (上报) and when they are due: the weekly statistics table
//! (周统计表), the monthly summary (月报) and the quarterly review (季度讲评).

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::period::{Period, PeriodKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Weekly,
    Monthly,
    Quarterly,
}

impl ReportKind {
    pub const ALL: [ReportKind; 3] = [
        ReportKind::Weekly,
        ReportKind::Monthly,
        ReportKind::Quarterly,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReportKind::Weekly => "weekly",
            ReportKind::Monthly => "monthly",
            ReportKind::Quarterly => "quarterly",
        }
    }

    pub fn from_code(s: &str) -> Option<ReportKind> {
        ReportKind::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn period_kind(self) -> PeriodKind {
        match self {
            ReportKind::Weekly => PeriodKind::Week,
            ReportKind::Monthly => PeriodKind::Month,
            ReportKind::Quarterly => PeriodKind::Quarter,
        }
    }

    /// The narrative a unit writes, by field key, in the order shown. The first is required.
    pub fn narrative_fields(self) -> &'static [&'static str] {
        match self {
            // 本周主要进展, 存在问题, 下周计划
            ReportKind::Weekly => &["highlights", "problems", "next_plan"],
            // 取得成效, 经验做法, 存在问题, 意见建议
            ReportKind::Monthly => &["results", "practices", "problems", "suggestions"],
            // 讲评意见, 下步工作
            ReportKind::Quarterly => &["review", "next_steps"],
        }
    }
}

/// When reports fall due, in Beijing time. Stored as a setting; every field has a default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DuePolicy {
    /// Day of the week the weekly table is due, 1 = Monday … 7 = Sunday.
    pub weekly_weekday: u32,
    /// Day of the following month the monthly summary is due.
    pub monthly_day: u32,
    /// Day of the month after the quarter the quarterly review is due.
    pub quarterly_day: u32,
    /// Hour of that day (0–23).
    pub hour: u32,
}

impl Default for DuePolicy {
    fn default() -> DuePolicy {
        DuePolicy {
            weekly_weekday: 5,
            monthly_day: 5,
            quarterly_day: 10,
            hour: 17,
        }
    }
}

impl DuePolicy {
    /// The names of the settings, as forms and errors call them.
    pub fn field_names(&self) -> [&'static str; 4] {
        ["weekly_weekday", "monthly_day", "quarterly_day", "hour"]
    }

    /// Fields out of range, by name.
    pub fn problems(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if !(1..=7).contains(&self.weekly_weekday) {
            out.push("weekly_weekday");
        }
        if !(1..=28).contains(&self.monthly_day) {
            out.push("monthly_day");
        }
        if !(1..=28).contains(&self.quarterly_day) {
            out.push("quarterly_day");
        }
        if self.hour > 23 {
            out.push("hour");
        }
        out
    }

    /// The instant (epoch ms) the report for `period` is due.
    pub fn due_ms(&self, period: Period) -> i64 {
        let day = match period.kind() {
            PeriodKind::Week => {
                period.first_day() + Duration::days(i64::from(self.weekly_weekday.clamp(1, 7)) - 1)
            }
            PeriodKind::Month => {
                period.next().first_day()
                    + Duration::days(i64::from(self.monthly_day.clamp(1, 28)) - 1)
            }
            PeriodKind::Quarter => {
                period.next().first_day()
                    + Duration::days(i64::from(self.quarterly_day.clamp(1, 28)) - 1)
            }
        };
        day.and_hms_opt(self.hour.min(23), 0, 0)
            .and_then(|t| t.and_local_timezone(shishi_core::time::beijing()).single())
            .map_or(0, |t| t.timestamp_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shishi_core::time::format_ms;

    #[test]
    fn due_times_in_beijing() {
        let p = DuePolicy::default();
        assert_eq!(
            format_ms(p.due_ms("2026-W47".parse().unwrap())),
            "2026-11-20 17:00"
        );
        assert_eq!(
            format_ms(p.due_ms("2026-11".parse().unwrap())),
            "2026-12-05 17:00"
        );
        assert_eq!(
            format_ms(p.due_ms("2026-Q4".parse().unwrap())),
            "2027-01-10 17:00"
        );
        assert!(p.problems().is_empty());
        let bad = DuePolicy {
            weekly_weekday: 0,
            hour: 24,
            ..p
        };
        assert_eq!(bad.problems(), vec!["weekly_weekday", "hour"]);
    }
}
