//! The statistics table of a unit for a period: one row per unit of its subtree with the
//! unit's own figures and its rolled-up subtotal, and the content-area mix of the whole
//! subtree. Built from the raw per-unit counts the store reads; frozen as JSON on submission,
//! so the field names here are a stored format: add fields with defaults, never rename.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::figures::{AreaCounts, Counts};
use crate::period::Period;
use crate::rollup::{Rolled, UnitNode, roll_up};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatsTable {
    pub unit_id: i64,
    pub unit_name: String,
    pub period: Period,
    /// When the figures were read (epoch ms); stock figures describe the ledger then.
    pub computed_at: i64,
    /// The Beijing day overdue is counted against.
    pub as_of: NaiveDate,
    /// Whether on time was judged against the current deadline (else the original one).
    #[serde(default)]
    pub on_time_current_deadline: bool,
    /// The subtree in display order; the first row is the unit itself (its subtree is the total).
    pub rows: Vec<Rolled<Counts>>,
    pub areas: Vec<AreaCounts>,
}

impl StatsTable {
    pub fn total(&self) -> Counts {
        self.rows.first().map(|r| r.subtree).unwrap_or_default()
    }

    /// The row of one unit of the table.
    pub fn row(&self, unit_id: i64) -> Option<&Rolled<Counts>> {
        self.rows.iter().find(|r| r.unit_id == unit_id)
    }

    /// The direct children of a unit, in display order.
    pub fn children_of(&self, unit_id: i64) -> impl Iterator<Item = &Rolled<Counts>> {
        self.rows
            .iter()
            .filter(move |r| r.parent_id == Some(unit_id))
    }
}

#[derive(Debug, Clone)]
pub struct AreaName {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
}

/// The raw counts, per unit (the unit's own, not its subtree), as the store reads them. Rows of
/// units outside the subtree are ignored.
#[derive(Debug, Clone, Default)]
pub struct RawCounts {
    /// `(unit, not started, in progress, completed, suspended)` main matters.
    pub own: Vec<(i64, i64, i64, i64, i64)>,
    /// `(unit, created in the period)`.
    pub created: Vec<(i64, i64)>,
    /// `(area, created in the period)` over the whole subtree; an area may come more than once
    /// (once per unit, say): the counts are added up.
    pub created_by_area: Vec<(i64, i64)>,
    /// `(unit, completed in the period, of which on time)`.
    pub completed: Vec<(i64, i64, i64)>,
    /// `(area, completed in the period)` over the whole subtree, added up like `created_by_area`.
    pub completed_by_area: Vec<(i64, i64)>,
    /// `(unit, overdue)`.
    pub overdue: Vec<(i64, i64)>,
    /// `(unit, action, at, limit in force)` of the demand steps in the period.
    pub demand_steps: Vec<(i64, String, i64, String)>,
    /// `(unit, open orders)`.
    pub open_orders: Vec<(i64, i64)>,
    /// `(area, status, main matters)` of the root's whole subtree.
    pub area_status: Vec<(i64, String, i64)>,
}

pub struct TableInput<'a> {
    pub root: i64,
    pub period: Period,
    pub computed_at: i64,
    pub as_of: NaiveDate,
    pub on_time_current_deadline: bool,
    pub units: &'a [UnitNode],
    pub areas: &'a [AreaName],
    pub raw: RawCounts,
}

pub fn build(input: TableInput<'_>) -> StatsTable {
    let in_tree: HashSet<i64> = input.units.iter().map(|u| u.id).collect();
    let mut own: HashMap<i64, Counts> = HashMap::with_capacity(input.units.len());
    let raw = input.raw;
    for &(unit, not_started, in_progress, completed, suspended) in &raw.own {
        if let Some(c) = slot(&mut own, &in_tree, unit) {
            c.not_started += not_started;
            c.in_progress += in_progress;
            c.completed += completed;
            c.suspended += suspended;
            c.total += not_started + in_progress + completed + suspended;
        }
    }
    for (unit, n) in &raw.created {
        if let Some(c) = slot(&mut own, &in_tree, *unit) {
            c.new += n;
        }
    }
    for (unit, n, on_time) in &raw.completed {
        if let Some(c) = slot(&mut own, &in_tree, *unit) {
            c.completed_in_period += n;
            c.on_time_in_period += on_time;
        }
    }
    let area_new = sum_by_key(&raw.created_by_area);
    let area_done = sum_by_key(&raw.completed_by_area);
    for (unit, n) in &raw.overdue {
        if let Some(c) = slot(&mut own, &in_tree, *unit) {
            c.overdue += n;
        }
    }
    for (unit, n) in &raw.open_orders {
        if let Some(c) = slot(&mut own, &in_tree, *unit) {
            c.orders_open += n;
        }
    }
    for (unit, action, at, due) in &raw.demand_steps {
        let Some(c) = slot(&mut own, &in_tree, *unit) else {
            continue;
        };
        match action.as_str() {
            "submit" => c.demands_received += 1,
            "accept" => {
                c.demands_accepted += 1;
                let day = shishi_core::time::beijing_date(*at);
                if due.parse::<NaiveDate>().is_ok_and(|due| day <= due) {
                    c.demands_accepted_on_time += 1;
                }
            }
            "answer" => c.demands_answered += 1,
            "adopt" => c.demands_adopted += 1,
            _ => {}
        }
    }
    let rows = roll_up(input.root, input.units, &own);
    let unit_name = rows.first().map(|r| r.name.clone()).unwrap_or_default();
    StatsTable {
        unit_id: input.root,
        unit_name,
        period: input.period,
        computed_at: input.computed_at,
        as_of: input.as_of,
        on_time_current_deadline: input.on_time_current_deadline,
        rows,
        areas: area_mix(input.areas, &raw.area_status, &area_new, &area_done),
    }
}

fn slot<'a>(
    own: &'a mut HashMap<i64, Counts>,
    in_tree: &HashSet<i64>,
    unit: i64,
) -> Option<&'a mut Counts> {
    in_tree
        .contains(&unit)
        .then(|| own.entry(unit).or_default())
}

/// The counts of each key added up: an area comes once per unit that has some.
fn sum_by_key(pairs: &[(i64, i64)]) -> BTreeMap<i64, i64> {
    let mut sums = BTreeMap::new();
    for &(key, n) in pairs {
        *sums.entry(key).or_insert(0) += n;
    }
    sums
}

/// Every configured area in order (zeros included, so tables line up week to week), then
/// "none" when some matters have no area.
fn area_mix(
    names: &[AreaName],
    status: &[(i64, String, i64)],
    new: &BTreeMap<i64, i64>,
    done: &BTreeMap<i64, i64>,
) -> Vec<AreaCounts> {
    let mut rows: Vec<AreaCounts> = names
        .iter()
        .map(|a| AreaCounts {
            area_id: a.id,
            name_zh: a.name_zh.clone(),
            name_en: a.name_en.clone(),
            ..AreaCounts::default()
        })
        .collect();
    for (area, st, n) in status {
        let idx = match rows.iter().position(|r| r.area_id == *area) {
            Some(i) => i,
            None => {
                rows.push(AreaCounts {
                    area_id: *area,
                    name_zh: "未分类".into(),
                    name_en: "No content area".into(),
                    ..AreaCounts::default()
                });
                rows.len() - 1
            }
        };
        let r = &mut rows[idx];
        let mut c = Counts::default();
        c.add_status(st, *n);
        r.total += c.total;
        r.completed += c.completed;
        r.in_progress += c.in_progress;
        r.not_started += c.not_started;
    }
    for r in &mut rows {
        r.new = new.get(&r.area_id).copied().unwrap_or(0);
        r.completed_in_period = done.get(&r.area_id).copied().unwrap_or(0);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> Vec<UnitNode> {
        let u = |id, parent: Option<i64>, name: &str| UnitNode {
            id,
            parent_id: parent,
            name: name.into(),
            sort_order: 0,
        };
        vec![
            u(1, None, "集团"),
            u(2, Some(1), "一公司"),
            u(3, Some(2), "一车间"),
            u(4, Some(1), "办公室"),
        ]
    }

    #[test]
    fn rows_roll_up_and_strangers_are_ignored() {
        let units = units();
        let areas = vec![AreaName {
            id: 1,
            name_zh: "服务基层".into(),
            name_en: "Serving the grassroots".into(),
        }];
        let at = |d: &str| {
            d.parse::<NaiveDate>()
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap()
                .and_local_timezone(shishi_core::time::beijing())
                .unwrap()
                .timestamp_millis()
        };
        let raw = RawCounts {
            own: vec![
                (3, 0, 2, 1, 0),
                (2, 1, 0, 0, 0),
                (4, 0, 0, 2, 0),
                (99, 0, 50, 0, 0),
            ],
            created: vec![(3, 2), (99, 7)],
            created_by_area: vec![(1, 2)],
            completed: vec![(3, 1, 1), (4, 2, 1)],
            completed_by_area: vec![(1, 1), (0, 2)],
            overdue: vec![(3, 1)],
            demand_steps: vec![
                (3, "submit".into(), at("2026-11-16"), "2026-11-18".into()),
                (3, "accept".into(), at("2026-11-18"), "2026-11-18".into()),
                (2, "accept".into(), at("2026-11-19"), "2026-11-18".into()),
                (4, "adopt".into(), at("2026-11-19"), "".into()),
            ],
            open_orders: vec![(3, 1)],
            area_status: vec![(1, "in_progress".into(), 2), (0, "accepted".into(), 2)],
        };
        let t = build(TableInput {
            root: 1,
            period: "2026-W47".parse().unwrap(),
            computed_at: 0,
            as_of: "2026-11-21".parse().unwrap(),
            on_time_current_deadline: false,
            units: &units,
            areas: &areas,
            raw,
        });
        let ids: Vec<i64> = t.rows.iter().map(|r| r.unit_id).collect();
        assert_eq!(ids, vec![1, 2, 3, 4]);
        let total = t.total();
        assert_eq!((total.total, total.completed, total.new), (6, 3, 2));
        assert_eq!((total.completed_in_period, total.on_time_in_period), (3, 2));
        assert_eq!(
            (total.demands_accepted, total.demands_accepted_on_time),
            (2, 1)
        );
        assert_eq!(t.row(2).map(|r| r.subtree.total), Some(4));
        assert_eq!(t.row(2).map(|r| r.own.total), Some(1));
        assert_eq!(t.children_of(1).count(), 2);
        assert_eq!(t.areas.len(), 2);
        assert_eq!((t.areas[0].total, t.areas[0].new), (2, 2));
        assert_eq!(t.areas[1].name_zh, "未分类");
        // The frozen form reads back as it was written.
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<StatsTable>(&json).unwrap(), t);
    }
}
