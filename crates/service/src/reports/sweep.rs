//! The report-due sweep: when a report falls due, the admins of every unit expected to report
//! (one with a unit admin) that has not submitted are told, once per unit and period.

use std::collections::HashSet;

use shishi_core::Role;
use shishi_report::kinds::ReportKind;
use shishi_report::period::Period;
use shishi_store::reports as store;
use shishi_store::{calendar, outbox};

use super::report_params;
use crate::notify::Event;
use crate::{ServiceResult, Services};

/// How long after the due time a missing report is still chased by the sweep; later, the
/// level above reminds by hand.
pub(crate) fn grace_days(kind: ReportKind) -> i64 {
    match kind {
        ReportKind::Weekly => 7,
        ReportKind::Monthly | ReportKind::Quarterly => 30,
    }
}

const CHUNK: usize = 500;

/// The instant the sweep first ran: reports due before it are not chased, so an installation
/// (or an organisation loaded later) is not reminded of periods before it reported here.
const CHASE_FROM_KEY: &str = "reports.chase_from";

impl Services {
    pub async fn sweep_reports(&self) -> ServiceResult<String> {
        let now = self.clock.now_ms();
        let today = self.clock.today();
        let policy = self.due_policy().await?;
        // Read first: only the very first round writes.
        let recorded = {
            let mut conn = self.store.read().await?;
            calendar::setting(&mut conn, CHASE_FROM_KEY).await?
        };
        let chase_from = match recorded.and_then(|v| v.parse::<i64>().ok()) {
            Some(from) => from,
            None => {
                let mut tx = self.store.write().await?;
                calendar::set_setting(&mut tx, CHASE_FROM_KEY, &now.to_string()).await?;
                tx.commit().await?;
                now
            }
        };
        let mut told = 0;
        for kind in ReportKind::ALL {
            let current = Period::containing(kind.period_kind(), today);
            for period in [current.previous(), current] {
                let due = policy.due_ms(period);
                if due < chase_from || now < due || now > due + grace_days(kind) * 86_400_000 {
                    continue;
                }
                told += self.chase(kind, period, now).await?;
            }
        }
        Ok(format!("{told} units reminded"))
    }

    async fn chase(&self, kind: ReportKind, period: Period, now: i64) -> ServiceResult<usize> {
        let p = period.to_string();
        let prefix = format!("report_due:{}:{p}:", kind.code());
        let missing: Vec<(i64, String, String)> = {
            let mut conn = self.store.read().await?;
            let submitted: HashSet<i64> = store::submitted_units(&mut conn, kind.code(), &p)
                .await?
                .into_iter()
                .collect();
            let announced: HashSet<String> = outbox::announced_with_prefix(&mut conn, &prefix)
                .await?
                .into_iter()
                .collect();
            store::reporting_units(&mut conn, None)
                .await?
                .into_iter()
                .filter(|(id, _, _)| {
                    !submitted.contains(id) && !announced.contains(&format!("{prefix}{id}"))
                })
                .collect()
        };
        for chunk in missing.chunks(CHUNK) {
            let mut tx = self.store.write().await?;
            for (id, name, path) in chunk {
                let people =
                    shishi_store::users::holders_over(&mut tx, Role::UnitAdmin.code(), &[*id])
                        .await?;
                self.emit(
                    &mut tx,
                    &Event {
                        kind: "report_due",
                        subject_type: "report",
                        subject_id: *id,
                        unit_path: path,
                        params: report_params(kind, name, period),
                        key: format!("{prefix}{id}"),
                    },
                    &people,
                    now,
                )
                .await?;
            }
            tx.commit().await?;
        }
        Ok(missing.len())
    }
}
