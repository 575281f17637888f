//! The figures of a statistics table (周统计表, and the month's figures of the 月报). The
//! definitions are written out in docs/figures.md ("Reports"); the code follows them.

use serde::{Deserialize, Serialize};

use crate::rollup::Summable;

/// Counts of main matters (child matters of a decomposition are not counted twice), demand
/// steps and supervision orders. Stock figures describe the ledger at the moment the table was
/// computed; `*_in_period` and the demand figures count what happened in the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Counts {
    /// Every status but proposed and cancelled.
    pub total: i64,
    /// Created in the period (and still counted in the total).
    pub new: i64,
    /// Completed, accepted or closed.
    pub completed: i64,
    /// Approved, not yet started (已立项未推进).
    pub not_started: i64,
    pub in_progress: i64,
    pub suspended: i64,
    /// Open work whose deadline is before the day the table was computed.
    pub overdue: i64,
    /// Completion claimed in the period, still completed now.
    pub completed_in_period: i64,
    /// Of those, completed on or before the deadline the on-time setting names.
    pub on_time_in_period: i64,
    pub demands_received: i64,
    pub demands_accepted: i64,
    pub demands_accepted_on_time: i64,
    pub demands_answered: i64,
    pub demands_adopted: i64,
    /// Supervision orders open or replied, not yet closed.
    pub orders_open: i64,
}

macro_rules! add_fields {
    ($a:ident, $b:ident, $($f:ident),*) => { $( $a.$f += $b.$f; )* };
}

impl Summable for Counts {
    fn add(&mut self, o: &Counts) {
        add_fields!(
            self,
            o,
            total,
            new,
            completed,
            not_started,
            in_progress,
            suspended,
            overdue,
            completed_in_period,
            on_time_in_period,
            demands_received,
            demands_accepted,
            demands_accepted_on_time,
            demands_answered,
            demands_adopted,
            orders_open
        );
    }
}

/// `part / whole`, none when there is nothing to divide by.
pub fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl Counts {
    /// Adds `n` main matters of the given status to the stock figures.
    pub fn add_status(&mut self, status: &str, n: i64) {
        let slot = match status {
            "approved" => &mut self.not_started,
            "in_progress" => &mut self.in_progress,
            "completed" | "accepted" | "closed" => &mut self.completed,
            "suspended" => &mut self.suspended,
            _ => return,
        };
        *slot += n;
        self.total += n;
    }

    /// 完成率: completed / total.
    pub fn completion_rate(&self) -> Option<f64> {
        ratio(self.completed, self.total)
    }

    /// 按时完成率: completed on time / completed, both in the period.
    pub fn on_time_rate(&self) -> Option<f64> {
        ratio(self.on_time_in_period, self.completed_in_period)
    }
}

/// The content-area mix of a subtree.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AreaCounts {
    /// 0 for matters without a content area.
    pub area_id: i64,
    pub name_zh: String,
    pub name_en: String,
    pub total: i64,
    pub completed: i64,
    pub in_progress: i64,
    pub not_started: i64,
    pub new: i64,
    pub completed_in_period: i64,
}

impl AreaCounts {
    pub fn name(&self, locale: &str) -> &str {
        if locale.starts_with("en") {
            &self.name_en
        } else {
            &self.name_zh
        }
    }

    pub fn completion_rate(&self) -> Option<f64> {
        ratio(self.completed, self.total)
    }
}

/// A rate as people read it: "83.3%", or "—" when there is nothing to divide.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_string(), |r| format!("{:.1}%", r * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_fill_the_stock_figures() {
        let mut c = Counts::default();
        for (s, n) in [
            ("proposed", 4),
            ("approved", 2),
            ("in_progress", 3),
            ("completed", 1),
            ("accepted", 1),
            ("closed", 1),
            ("suspended", 1),
            ("cancelled", 5),
        ] {
            c.add_status(s, n);
        }
        assert_eq!(
            (c.total, c.completed, c.in_progress, c.not_started),
            (9, 3, 3, 2)
        );
        assert_eq!(percent(c.completion_rate()), "33.3%");
        assert_eq!(percent(c.on_time_rate()), "—");
    }
}
