//! The leaders' dashboard (看板): for one unit's subtree, this week's statistics table (its
//! units one level down, the content-area mix), new and completed main matters per week over
//! the last weeks, and the verdicts given over the same weeks. The page draws the charts; the
//! figures are defined in docs/figures.md ("Dashboard").

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use shishi_report::figures::ratio;
use shishi_report::period::{Period, PeriodKind};
use shishi_report::table::StatsTable;
use shishi_store::dashboard as store;
use shishi_store::units::{self, UnitRow};

use crate::{Actor, ServiceError, ServiceResult, Services};

pub const DEFAULT_WEEKS: usize = 12;
/// A year of weeks; more would no longer read as bars.
pub const MAX_WEEKS: usize = 53;

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub unit: UnitRow,
    /// The unit above, when the actor reads it too: the way back up.
    pub parent: Option<UnitRow>,
    /// The current week, Beijing time.
    pub week: Period,
    /// The statistics table of the unit's subtree for the current week.
    pub table: StatsTable,
    /// Oldest first, ending with the current week.
    pub weeks: Vec<WeekFlow>,
    /// Verdicts given from the first day of the oldest week until now.
    pub satisfaction: Satisfaction,
}

/// Main matters of the subtree that were new (本期新增) and completed (本期完成) in a week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WeekFlow {
    pub week: Period,
    pub new: i64,
    pub completed: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Satisfaction {
    pub satisfied: i64,
    pub basically: i64,
    pub dissatisfied: i64,
}

impl Satisfaction {
    pub fn total(&self) -> i64 {
        self.satisfied + self.basically + self.dissatisfied
    }

    /// 满意率: (满意 + 基本满意) / verdicts given; none without verdicts.
    pub fn rate(&self) -> Option<f64> {
        ratio(self.satisfied + self.basically, self.total())
    }
}

impl Dashboard {
    /// The first day counted: Monday of the oldest week.
    pub fn since(&self) -> NaiveDate {
        self.weeks
            .first()
            .map_or(self.week.first_day(), |w| w.week.first_day())
    }
}

/// The `n` weeks ending with `current` (at least that one), oldest first.
pub fn last_weeks(current: Period, n: usize) -> Vec<Period> {
    let mut weeks: Vec<Period> = std::iter::successors(Some(current), |w| Some(w.previous()))
        .take(n.max(1))
        .collect();
    weeks.reverse();
    weeks
}

/// Folds counts per Beijing day into the weeks they fall in; days outside are dropped.
fn fold(
    weeks: &[Period],
    created: impl IntoIterator<Item = (NaiveDate, i64)>,
    completed: impl IntoIterator<Item = (NaiveDate, i64)>,
) -> Vec<WeekFlow> {
    let index: HashMap<Period, usize> = weeks.iter().enumerate().map(|(i, w)| (*w, i)).collect();
    let mut out: Vec<WeekFlow> = weeks
        .iter()
        .map(|&week| WeekFlow {
            week,
            new: 0,
            completed: 0,
        })
        .collect();
    let slot = |day: NaiveDate| {
        index
            .get(&Period::containing(PeriodKind::Week, day))
            .copied()
    };
    for (day, n) in created {
        if let Some(i) = slot(day) {
            out[i].new += n;
        }
    }
    for (day, n) in completed {
        if let Some(i) = slot(day) {
            out[i].completed += n;
        }
    }
    out
}

impl Services {
    /// The dashboard of a unit's subtree for anyone who reads the ledger there. Out of scope
    /// is "not found".
    pub async fn dashboard(
        &self,
        actor: &Actor,
        unit_id: i64,
        weeks: usize,
    ) -> ServiceResult<Dashboard> {
        let mut conn = self.store.read().await?;
        let unit = units::get(&mut conn, unit_id).await?;
        if !actor.reads(&unit.path) {
            return Err(ServiceError::NotFound);
        }
        let parent = match unit.parent_id {
            Some(p) => Some(units::get(&mut conn, p).await?).filter(|p| actor.reads(&p.path)),
            None => None,
        };
        let week = Period::containing(PeriodKind::Week, self.clock.today());
        let table = self.compute_table(&mut conn, &unit, week).await?;

        let periods = last_weeks(week, weeks.clamp(1, MAX_WEEKS));
        let first = periods[0];
        let (from, _) = first.bounds_ms();
        let (_, until) = week.bounds_ms();
        let created = store::created_by_day(&mut conn, &unit.path, from, until).await?;
        let completed = store::completed_by_day(
            &mut conn,
            &unit.path,
            &first.first_day().to_string(),
            &week.last_day().to_string(),
        )
        .await?;
        let flows = fold(&periods, created, completed);

        let mut satisfaction = Satisfaction::default();
        for (_, verdict, n) in
            shishi_store::stats::verdicts_in(&mut conn, &unit.path, from, until).await?
        {
            match verdict.as_str() {
                "satisfied" => satisfaction.satisfied += n,
                "basically" => satisfaction.basically += n,
                "dissatisfied" => satisfaction.dissatisfied += n,
                _ => {}
            }
        }
        Ok(Dashboard {
            unit,
            parent,
            week,
            table,
            weeks: flows,
            satisfaction,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn weeks_run_oldest_first_across_the_year_end() {
        let current: Period = "2027-W02".parse().expect("a week");
        let weeks: Vec<String> = last_weeks(current, 4)
            .iter()
            .map(|w| w.to_string())
            .collect();
        assert_eq!(weeks, ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]);
        assert_eq!(last_weeks(current, 0), vec![current]);
    }

    #[test]
    fn days_fold_into_their_iso_weeks() {
        let weeks = last_weeks("2026-W47".parse().expect("a week"), 2);
        let flows = fold(
            &weeks,
            [
                (day("2026-11-09"), 2), // Monday of W46
                (day("2026-11-15"), 1), // Sunday of W46
                (day("2026-11-16"), 4), // Monday of W47
                (day("2026-11-01"), 9), // W44: outside the window
            ],
            [(day("2026-11-22"), 3)],
        );
        assert_eq!(
            flows
                .iter()
                .map(|f| (f.new, f.completed))
                .collect::<Vec<_>>(),
            [(3, 0), (4, 3)]
        );
    }

    #[test]
    fn the_satisfaction_rate_counts_basically_satisfied() {
        let s = Satisfaction {
            satisfied: 2,
            basically: 1,
            dissatisfied: 1,
        };
        assert_eq!(s.rate(), Some(0.75));
        assert_eq!(Satisfaction::default().rate(), None);
    }
}
