//! Deadlines given as N working days whose count crossed a provisional year: recorded when
//! set, shown as provisional while the year is, and counted again when it is confirmed. The
//! date set is kept (people planned on it); the ones the confirmed year would have moved are
//! flagged on the matter and listed for the system admin.

use chrono::NaiveDate;
use shishi_core::WorkCalendar;
use shishi_store::AnyConnection;
use shishi_store::calendar::{self, DeadlineBasisRow, MovedDeadlineRow};

use crate::matters::MatterView;
use crate::{Actor, ServiceResult, Services};

fn parse(day: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

fn join(years: &[i32]) -> String {
    years
        .iter()
        .map(|y| y.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

impl Services {
    /// Records how a deadline given as `working_days` from today was counted, when the count
    /// crossed a provisional year. Called in the transaction that sets the deadline.
    pub(crate) async fn note_deadline_basis(
        &self,
        conn: &mut AnyConnection,
        matter_id: i64,
        working_days: Option<u32>,
        deadline: Option<&str>,
    ) -> ServiceResult<()> {
        let (Some(n), Some(deadline)) = (working_days, deadline.and_then(parse)) else {
            return Ok(());
        };
        let start = self.clock.today();
        let years = self.calendar().provisional_years_between(start, deadline);
        if years.is_empty() {
            calendar::delete_basis(conn, matter_id).await?;
            return Ok(());
        }
        calendar::upsert_basis(
            conn,
            &DeadlineBasisRow {
                matter_id,
                start_day: start.to_string(),
                working_days: i64::from(n),
                deadline: deadline.to_string(),
                provisional_years: join(&years),
                moved_to: None,
            },
            self.clock.now_ms(),
        )
        .await?;
        Ok(())
    }

    /// Counts again every deadline that crossed `year`, now confirmed in `cal`: what is still
    /// provisional, and where the count would land now. Returns how many would move.
    pub(super) async fn settle_year(
        &self,
        conn: &mut AnyConnection,
        cal: &WorkCalendar,
        year: i32,
    ) -> ServiceResult<usize> {
        let mut moved = 0;
        let now = self.clock.now_ms();
        for b in calendar::bases_in_year(conn, year).await? {
            let (Some(start), Some(kept)) = (parse(&b.start_day), parse(&b.deadline)) else {
                continue;
            };
            let recount = cal.add_working_days(start, u32::try_from(b.working_days).unwrap_or(0));
            let moved_to = (recount != kept).then(|| recount.to_string());
            moved += usize::from(moved_to.is_some());
            calendar::upsert_basis(
                conn,
                &DeadlineBasisRow {
                    provisional_years: join(
                        &cal.provisional_years_between(start, kept.max(recount)),
                    ),
                    moved_to,
                    ..b
                },
                now,
            )
            .await?;
        }
        Ok(moved)
    }

    /// Marks the deadlines of these matters that are provisional or that the confirmed
    /// calendar would have moved.
    pub(crate) async fn mark_deadlines(
        &self,
        conn: &mut AnyConnection,
        views: &mut [MatterView],
    ) -> ServiceResult<()> {
        let ids: Vec<i64> = views.iter().map(|v| v.row.id).collect();
        let bases = calendar::current_bases(conn, &ids).await?;
        for v in views.iter_mut() {
            if let Some(b) = bases.iter().find(|b| b.matter_id == v.row.id) {
                v.deadline_provisional = !b.provisional_years.is_empty();
                v.deadline_moved_to = b.moved_to.clone();
            }
        }
        Ok(())
    }

    /// Live matters whose kept deadline the confirmed calendar would have moved (system admin).
    pub async fn moved_deadlines(&self, actor: &Actor) -> ServiceResult<Vec<MovedDeadlineRow>> {
        Self::require_root_admin(actor)?;
        let mut conn = self.store.read().await?;
        Ok(calendar::moved_deadlines(&mut conn).await?)
    }
}
