//! The demo's past: every demo matter is written at load time, so the reports would show all of
//! them as new this week and every completion as today's. This step spreads the main matters'
//! creation over the ten weeks before (some in this week), and dates each completion between
//! its creation and today, mostly by the deadline, so the weekly tables, the assessment and the
//! dashboard look like a campaign under way. Only dates change; statuses, counts and the audit
//! chain are untouched.

use chrono::{Datelike, Duration};
use shishi_core::time::beijing;
use shishi_store::matters;

use crate::{ServiceResult, Services};

impl Services {
    pub(crate) async fn backdate_demo(&self) -> ServiceResult<()> {
        let now = self.clock.now_ms();
        let today = self.clock.today();
        let mut tx = self.store.write().await?;
        let rows = matters::main_matter_dates(&mut tx).await?;
        // Monday of this week, 09:00 Beijing: nothing is dated after now.
        let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        for (i, (id, deadline, status)) in rows.iter().enumerate() {
            let i = i as i64;
            // One in six is new this week; the rest spread over the ten weeks before.
            let created_day = if i % 6 == 0 {
                monday + Duration::days((i / 6) % 3)
            } else {
                monday - Duration::days(7 + (i * 11) % 63)
            }
            .min(today);
            let created_at = created_day
                .and_hms_opt(9, 0, 0)
                .and_then(|t| t.and_local_timezone(beijing()).single())
                .map_or(now, |t| t.timestamp_millis())
                .min(now)
                - (i % 7) * 60_000;
            if !matches!(status.as_str(), "completed" | "accepted" | "closed") {
                matters::set_history(&mut tx, *id, created_at, None).await?;
                continue;
            }
            let deadline = deadline
                .as_deref()
                .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
                .unwrap_or(today);
            // Most finish a few days before the deadline; one in five runs late.
            let target = if i % 5 == 0 {
                deadline + Duration::days(2 + i % 4)
            } else {
                deadline - Duration::days(1 + i % 6)
            };
            let done = target.max(created_day + Duration::days(1)).min(today);
            matters::set_history(&mut tx, *id, created_at, Some(&done.to_string())).await?;
        }
        // Before its creation nothing can have happened to a matter.
        matters::clamp_progress_times(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
