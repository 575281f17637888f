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
        let (first, last) = (
            period.first_day().to_string(),
            period.last_day().to_string(),
        );
        let root = unit.path.as_str();
        let on_time = |g: &stats::CompletedGroup| {
            if on_time_current {
                g.on_time_current
            } else {
                g.on_time_original
            }
        };
        let raw = RawCounts {
            own: stats::own_counts(conn, root)
                .await?
                .into_iter()
                .map(|c| {
                    (
                        c.unit_id,
                        c.not_started,
                        c.in_progress,
                        c.completed,
                        c.suspended,
                    )
                })
                .collect(),
            created: stats::created_in(conn, root, from, until, false).await?,
            created_by_area: stats::created_in(conn, root, from, until, true).await?,
            completed: stats::completed_in(conn, root, &first, &last, false)
                .await?
                .iter()
                .map(|g| (g.key, g.completed, on_time(g)))
                .collect(),
            completed_by_area: stats::completed_in(conn, root, &first, &last, true)
                .await?
                .iter()
                .map(|g| (g.key, g.completed))
                .collect(),
            overdue: stats::overdue_on(conn, root, &today.to_string()).await?,
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
    Ok(units::subtree(conn, path)
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
