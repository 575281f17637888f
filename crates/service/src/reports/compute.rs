//! Reading the raw counts of a statistics table through the store and rolling them up.

use shishi_core::driving::OnTimeBasis;
use shishi_report::period::Period;
use shishi_report::rollup::UnitNode;
use shishi_report::table::{self, AreaName, RawCounts, StatsTable, TableInput};
use shishi_store::AnyConnection;
use shishi_store::units::{self, UnitRow};
use shishi_store::{campaigns, stats};

use crate::{ServiceResult, Services};

impl Services {
    /// The table of `unit`'s subtree for `period`, from the ledger as it is now. No rights are
    /// checked here: callers have.
    pub(crate) async fn compute_table(
        &self,
        conn: &mut AnyConnection,
        unit: &UnitRow,
        period: Period,
    ) -> ServiceResult<StatsTable> {
        let now = self.clock.now_ms();
        let today = self.clock.today();
        let (from, until) = period.bounds_ms();
        let on_time_current = self.driving_policy().on_time_basis == OnTimeBasis::Current;
        let tree = unit_tree(conn, &unit.path).await?;
        let areas: Vec<AreaName> = campaigns::content_areas(conn)
            .await?
            .into_iter()
            .filter(|a| a.active != 0)
            .map(|a| AreaName {
                id: a.id,
                name_zh: a.name_zh,
                name_en: a.name_en,
            })
            .collect();
        let root = unit.path.as_str();
        let days = stats::FigureDays {
            from,
            until,
            first: period.first_day().to_string(),
            last: period.last_day().to_string(),
            today: today.to_string(),
        };
        let figures = stats::unit_figures(conn, root, &days).await?;
        let on_time = |original: i64, current: i64| {
            if on_time_current { current } else { original }
        };
        let raw = RawCounts {
            own: figures.own,
            created: figures.created.iter().map(|&(u, _, n)| (u, n)).collect(),
            created_by_area: figures
                .created
                .iter()
                .map(|&(_, area, n)| (area, n))
                .collect(),
            completed: figures
                .completed
                .iter()
                .map(|&(u, _, n, original, current)| (u, n, on_time(original, current)))
                .collect(),
            completed_by_area: figures
                .completed
                .iter()
                .map(|&(_, area, n, _, _)| (area, n))
                .collect(),
            overdue: figures.overdue,
            demand_steps: stats::demand_steps_in(conn, root, from, until).await?,
            open_orders: stats::open_orders(conn, root).await?,
            area_status: stats::subtree_area_counts(conn, &[unit.id])
                .await?
                .into_iter()
                .map(|(_, area, status, n)| (area, status, n))
                .collect(),
        };
        Ok(table::build(TableInput {
            root: unit.id,
            period,
            computed_at: now,
            as_of: today,
            on_time_current_deadline: on_time_current,
            units: &tree,
            areas: &areas,
            raw,
        }))
    }
}

/// The units of a subtree as the roll-up takes them.
pub(crate) async fn unit_tree(
    conn: &mut AnyConnection,
    path: &str,
) -> ServiceResult<Vec<UnitNode>> {
    Ok(units::tree_nodes(conn, path)
        .await?
        .into_iter()
        .map(|u| UnitNode {
            id: u.id,
            parent_id: u.parent_id,
            name: u.name,
            sort_order: u.sort_order,
        })
        .collect())
}
