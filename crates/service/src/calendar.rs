//! The working-day calendar and the at-risk policy: data the system admin edits.

use shishi_core::WorkCalendar;
use shishi_core::calendar::{DayKind, NamedDay, parse_csv};
use shishi_core::matter::RiskPolicy;
use shishi_store::{audit, calendar};

use crate::validate::Check;
use crate::{Actor, FieldError, ServiceError, ServiceResult, Services};

pub const WARN_DAYS_KEY: &str = "risk.warn_working_days";
pub const THRESHOLD_KEY: &str = "risk.progress_threshold";

impl Services {
    /// Rebuilds the in-memory calendar and policy from the database.
    pub async fn reload_calendar(&self) -> ServiceResult<()> {
        let mut conn = self.store.read().await?;
        let days = calendar::all_days(&mut conn).await?;
        let cal = WorkCalendar::new(days.iter().filter_map(|d| {
            Some((
                chrono::NaiveDate::parse_from_str(&d.day, "%Y-%m-%d").ok()?,
                DayKind::from_code(&d.kind)?,
            ))
        }));
        let mut policy = RiskPolicy::default();
        if let Some(v) = calendar::setting(&mut conn, WARN_DAYS_KEY)
            .await?
            .and_then(|v| v.parse().ok())
        {
            policy.warn_working_days = v;
        }
        if let Some(v) = calendar::setting(&mut conn, THRESHOLD_KEY)
            .await?
            .and_then(|v| v.parse().ok())
        {
            policy.progress_threshold = v;
        }
        let driving = calendar::setting(&mut conn, crate::driving::POLICY_KEY)
            .await?
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default();
        if let Ok(mut d) = self.driving.write() {
            *d = driving;
        }
        if let Ok(mut c) = self.calendar.write() {
            *c = cal;
        }
        if let Ok(mut p) = self.policy.write() {
            *p = policy;
        }
        Ok(())
    }

    pub async fn calendar_days(
        &self,
    ) -> ServiceResult<Vec<shishi_store::calendar::CalendarDayRow>> {
        let mut conn = self.store.read().await?;
        Ok(calendar::all_days(&mut conn).await?)
    }

    pub(crate) fn require_root_admin(actor: &Actor) -> ServiceResult<()> {
        if actor.is_root_admin() {
            Ok(())
        } else {
            Err(ServiceError::Forbidden("error.only_root_admin".into()))
        }
    }

    /// Adds or replaces named days from `date,kind,name` lines (a year's notice at once).
    /// All or nothing: one bad line and nothing is written.
    pub async fn import_calendar(&self, actor: &Actor, csv: &str) -> ServiceResult<usize> {
        Self::require_root_admin(actor)?;
        let days = parse_csv(csv).map_err(|e| {
            ServiceError::Invalid(vec![FieldError::with("csv", "error.calendar_line", e.line)])
        })?;
        if days.is_empty() {
            return Err(ServiceError::field("csv", "error.required"));
        }
        self.write_days(actor, &days).await?;
        Ok(days.len())
    }

    pub async fn set_calendar_day(
        &self,
        actor: &Actor,
        day: &str,
        kind: &str,
        name: &str,
    ) -> ServiceResult<()> {
        Self::require_root_admin(actor)?;
        let mut check = Check::new();
        let date = check.date("day", Some(day));
        if day.trim().is_empty() {
            check.push("day", "error.required");
        }
        let kind = DayKind::from_code(kind.trim());
        if kind.is_none() {
            check.push("kind", "error.choice");
        }
        let name = check.optional("name", name, 50);
        check.finish()?;
        let (Some(date), Some(kind)) = (date, kind) else {
            return Err(ServiceError::field("day", "error.date"));
        };
        self.write_days(actor, &[NamedDay { date, kind, name }])
            .await
    }

    async fn write_days(&self, actor: &Actor, days: &[NamedDay]) -> ServiceResult<()> {
        let mut tx = self.store.write().await?;
        for d in days {
            calendar::upsert_day(&mut tx, &d.date.to_string(), d.kind.code(), &d.name).await?;
        }
        audit::append(
            &mut tx,
            Some(actor.id()),
            "calendar_days_set",
            "calendar",
            None,
            &serde_json::json!({
                "days": days.len(),
                "first": days.first().map(|d| d.date.to_string()),
                "last": days.last().map(|d| d.date.to_string()),
            }),
        )
        .await?;
        tx.commit().await?;
        self.reload_calendar().await
    }

    pub async fn delete_calendar_day(&self, actor: &Actor, day: &str) -> ServiceResult<()> {
        Self::require_root_admin(actor)?;
        let mut tx = self.store.write().await?;
        if calendar::delete_day(&mut tx, day.trim()).await? == 0 {
            return Err(ServiceError::NotFound);
        }
        audit::append(
            &mut tx,
            Some(actor.id()),
            "calendar_day_deleted",
            "calendar",
            None,
            &serde_json::json!({ "day": day.trim() }),
        )
        .await?;
        tx.commit().await?;
        self.reload_calendar().await
    }

    pub async fn set_risk_policy(
        &self,
        actor: &Actor,
        warn_days: i64,
        threshold: i64,
    ) -> ServiceResult<()> {
        Self::require_root_admin(actor)?;
        let mut check = Check::new();
        if !(0..=60).contains(&warn_days) {
            check.push_with("warn_working_days", "error.range", "0–60");
        }
        if !(0..=100).contains(&threshold) {
            check.push_with("progress_threshold", "error.range", "0–100");
        }
        check.finish()?;
        let mut tx = self.store.write().await?;
        calendar::set_setting(&mut tx, WARN_DAYS_KEY, &warn_days.to_string()).await?;
        calendar::set_setting(&mut tx, THRESHOLD_KEY, &threshold.to_string()).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "risk_policy_set",
            "settings",
            None,
            &serde_json::json!({ "warn_working_days": warn_days, "progress_threshold": threshold }),
        )
        .await?;
        tx.commit().await?;
        self.reload_calendar().await
    }
}
