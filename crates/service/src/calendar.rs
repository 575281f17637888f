//! The working-day calendar and the at-risk policy: data the system admin edits. A year the
//! admin has not entered is provisional (its holidays computed by rule, see
//! `shishi_core::calendar::rule`); entering it, or confirming the computed days, replaces the
//! rule. Deadlines already counted across the provisional year keep their date, and those the
//! confirmed year would have moved are flagged.

mod deadlines;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use shishi_core::WorkCalendar;
use shishi_core::calendar::{DayKind, Holiday, NamedDay, holiday_codes, parse_csv, rule};
use shishi_core::matter::RiskPolicy;
use shishi_store::{AnyConnection, audit, calendar};

use crate::validate::Check;
use crate::{Actor, FieldError, ServiceError, ServiceResult, Services};

pub const WARN_DAYS_KEY: &str = "risk.warn_working_days";
pub const THRESHOLD_KEY: &str = "risk.progress_threshold";

/// One named day of a year as the calendar counts it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarDay {
    /// YYYY-MM-DD.
    pub day: String,
    /// holiday or workday.
    pub kind: String,
    /// The name as entered (Chinese); show `holidays` in the reader's language instead.
    pub name: String,
    /// The festivals the day belongs to: new_year, spring_festival, qingming, labour_day,
    /// dragon_boat, mid_autumn, national_day.
    pub holidays: Vec<Holiday>,
}

/// A year of the calendar: the official arrangement once entered, else the provisional one.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarYear {
    pub year: i32,
    /// Computed by rule (statutory days and weekends, no make-up working days) until a system
    /// admin enters or confirms the official arrangement.
    pub provisional: bool,
    pub days: Vec<CalendarDay>,
}

fn day_of(d: &NamedDay) -> CalendarDay {
    CalendarDay {
        day: d.date.to_string(),
        kind: d.kind.code().to_string(),
        name: d.name.clone(),
        holidays: d.holidays.clone(),
    }
}

/// The calendar as the stored days make it.
fn calendar_of(days: &[calendar::CalendarDayRow]) -> WorkCalendar {
    WorkCalendar::new(days.iter().filter_map(|d| {
        Some((
            NaiveDate::parse_from_str(&d.day, "%Y-%m-%d").ok()?,
            DayKind::from_code(&d.kind)?,
        ))
    }))
}

impl Services {
    /// Rebuilds the in-memory calendar and policy from the database.
    pub async fn reload_calendar(&self) -> ServiceResult<()> {
        let mut conn = self.store.read().await?;
        let days = calendar::all_days(&mut conn).await?;
        let cal = calendar_of(&days);
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

    /// A year's named days: the stored ones of a confirmed year, the rule's otherwise.
    pub async fn calendar_year(&self, year: i32) -> ServiceResult<CalendarYear> {
        let mut conn = self.store.read().await?;
        let prefix = format!("{year:04}-");
        let stored: Vec<CalendarDay> = calendar::all_days(&mut conn)
            .await?
            .into_iter()
            .filter(|d| d.day.starts_with(&prefix))
            .map(|d| CalendarDay {
                holidays: stored_holidays(&d),
                day: d.day,
                kind: d.kind,
                name: d.name,
            })
            .collect();
        if !stored.is_empty() {
            return Ok(CalendarYear {
                year,
                provisional: false,
                days: stored,
            });
        }
        Ok(CalendarYear {
            year,
            provisional: true,
            days: rule::provisional_days(year).iter().map(day_of).collect(),
        })
    }

    /// The years the calendar page offers: those entered, this year and the next.
    pub async fn calendar_years(&self) -> ServiceResult<Vec<i32>> {
        let mut conn = self.store.read().await?;
        let mut years: Vec<i32> = calendar::all_days(&mut conn)
            .await?
            .iter()
            .filter_map(|d| d.day.get(0..4)?.parse().ok())
            .collect();
        let this = self.clock.today().year();
        years.extend([this, this + 1]);
        years.sort_unstable();
        years.dedup();
        Ok(years)
    }

    pub(crate) fn require_root_admin(actor: &Actor) -> ServiceResult<()> {
        if actor.is_root_admin() {
            Ok(())
        } else {
            Err(ServiceError::Forbidden("error.only_root_admin".into()))
        }
    }

    /// Adds or replaces named days from `date,kind,name` lines (a year's notice at once).
    /// All or nothing: one bad line and nothing is written. Every year it touches is
    /// confirmed by it.
    pub async fn import_calendar(&self, actor: &Actor, csv: &str) -> ServiceResult<usize> {
        Self::require_root_admin(actor)?;
        let days = parse_csv(csv).map_err(|e| {
            ServiceError::Invalid(vec![FieldError::with("csv", "error.calendar_line", e.line)])
        })?;
        if days.is_empty() {
            return Err(ServiceError::field("csv", "error.required"));
        }
        if let Some(d) = days.iter().find(|d| !year_in_range(d.date.year())) {
            return Err(ServiceError::Invalid(vec![FieldError::with(
                "csv",
                "error.calendar_year",
                d.date.year(),
            )]));
        }
        self.write_days(actor, &days, "calendar_days_set").await?;
        Ok(days.len())
    }

    /// Names one day. `holiday` is a festival code; without it the festival is read from the
    /// name. A provisional year is confirmed by it.
    pub async fn set_calendar_day(
        &self,
        actor: &Actor,
        day: &str,
        kind: &str,
        name: &str,
        holiday: Option<&str>,
    ) -> ServiceResult<()> {
        Self::require_root_admin(actor)?;
        let mut check = Check::new();
        let date = check.date("day", Some(day));
        if day.trim().is_empty() {
            check.push("day", "error.required");
        }
        if let Some(d) = date
            && !year_in_range(d.year())
        {
            check.push_with("day", "error.calendar_year", d.year());
        }
        let kind = DayKind::from_code(kind.trim());
        if kind.is_none() {
            check.push("kind", "error.choice");
        }
        let name = check.optional("name", name, 50);
        let holiday = match holiday.map(str::trim).filter(|h| !h.is_empty()) {
            None => None,
            Some(code) => {
                let h = Holiday::from_code(code);
                if h.is_none() {
                    check.push("holiday", "error.choice");
                }
                h
            }
        };
        check.finish()?;
        let (Some(date), Some(kind)) = (date, kind) else {
            return Err(ServiceError::field("day", "error.date"));
        };
        let holidays = match holiday {
            Some(h) => vec![h],
            None => Holiday::found_in(&name),
        };
        let name = match (name.is_empty(), holiday) {
            (true, Some(h)) => h.zh_name().to_string(),
            _ => name,
        };
        self.write_days(
            actor,
            &[NamedDay {
                date,
                kind,
                name,
                holidays,
            }],
            "calendar_days_set",
        )
        .await
    }

    /// Takes the provisional year as the official one (the notice matched the rule, or the
    /// admin will correct single days afterwards).
    pub async fn confirm_calendar_year(&self, actor: &Actor, year: i32) -> ServiceResult<usize> {
        Self::require_root_admin(actor)?;
        if !year_in_range(year) {
            return Err(ServiceError::Invalid(vec![FieldError::with(
                "year",
                "error.calendar_year",
                year,
            )]));
        }
        if !self.calendar_year(year).await?.provisional {
            return Err(ServiceError::Conflict("error.calendar_confirmed".into()));
        }
        let days = rule::provisional_days(year);
        self.write_days(actor, days, "calendar_year_confirmed")
            .await?;
        Ok(days.len())
    }

    async fn write_days(
        &self,
        actor: &Actor,
        days: &[NamedDay],
        action: &str,
    ) -> ServiceResult<()> {
        let mut tx = self.store.write().await?;
        let before = calendar_of(&calendar::all_days(&mut tx).await?);
        for d in days {
            calendar::upsert_day(
                &mut tx,
                &d.date.to_string(),
                d.kind.code(),
                &d.name,
                &holiday_codes(&d.holidays),
            )
            .await?;
        }
        let mut confirmed: Vec<i32> = days
            .iter()
            .map(|d| d.date.year())
            .filter(|y| !before.is_confirmed(*y))
            .collect();
        confirmed.dedup();
        let after = calendar_of(&calendar::all_days(&mut tx).await?);
        let mut moved = 0;
        for year in &confirmed {
            moved += self.settle_year(&mut tx, &after, *year).await?;
        }
        audit::append(
            &mut tx,
            Some(actor.id()),
            action,
            "calendar",
            None,
            &serde_json::json!({
                "days": days.len(),
                "first": days.first().map(|d| d.date.to_string()),
                "last": days.last().map(|d| d.date.to_string()),
                "confirmed_years": confirmed,
                "deadlines_moved": moved,
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

    /// Whether the year has an official arrangement in the database (not this server's copy,
    /// which another server's change reaches only at its next reload).
    pub(crate) async fn year_confirmed_in_store(
        conn: &mut AnyConnection,
        year: i32,
    ) -> ServiceResult<bool> {
        let prefix = format!("{year:04}-");
        Ok(calendar::all_days(conn)
            .await?
            .iter()
            .any(|d| d.day.starts_with(&prefix)))
    }
}

/// The years the rule knows; a notice for another year is refused rather than half-used.
fn year_in_range(year: i32) -> bool {
    (rule::FIRST_YEAR..=rule::LAST_YEAR).contains(&year)
}

/// A stored day's festivals: the codes, or for a row written before they were kept, its name.
fn stored_holidays(d: &calendar::CalendarDayRow) -> Vec<Holiday> {
    let codes = shishi_core::calendar::parse_holiday_codes(&d.holidays);
    if codes.is_empty() {
        Holiday::found_in(&d.name)
    } else {
        codes
    }
}
