//! The quarterly review pack (季度讲评): the ranking of the units below, the overdue and
//! reworked matters, the dissatisfied verdicts (what was judged and said, never by whom) and
//! the supervision orders of the period. Computed from the ledger when shown; a submission of
//! the quarterly report freezes its table and narrative, not these lists.

use serde::Serialize;
use shishi_report::period::Period;
use shishi_store::stats::{self, PackMatter, PackOrder, PackVerdict};
use shishi_store::units::UnitRow;

use crate::assessment::Assessment;
use crate::{Actor, ServiceResult, Services};

/// Rows per list; the page says when there are more.
pub const PACK_LIMIT: i64 = 200;

#[derive(Debug, Clone, Serialize)]
pub struct ReviewPack {
    pub assessment: Assessment,
    pub overdue: Vec<PackMatter>,
    pub reworked: Vec<PackMatter>,
    pub dissatisfied: Vec<PackVerdict>,
    pub orders: Vec<PackOrder>,
}

impl Services {
    /// The pack of a unit the actor reads (checked by the assessment).
    pub(crate) async fn review_pack(
        &self,
        actor: &Actor,
        unit: &UnitRow,
        period: Period,
    ) -> ServiceResult<ReviewPack> {
        let assessment = self.assessment(actor, unit.id, period).await?;
        let (from, until) = period.bounds_ms();
        let today = self.clock.today().to_string();
        let mut conn = self.store.read().await?;
        Ok(ReviewPack {
            assessment,
            overdue: stats::overdue_matters(&mut conn, &unit.path, &today, PACK_LIMIT).await?,
            reworked: stats::reworked_matters(&mut conn, &unit.path, from, until, PACK_LIMIT)
                .await?,
            dissatisfied: stats::dissatisfied_verdicts(
                &mut conn, &unit.path, from, until, PACK_LIMIT,
            )
            .await?,
            orders: stats::orders_issued(&mut conn, &unit.path, from, until, PACK_LIMIT).await?,
        })
    }
}
