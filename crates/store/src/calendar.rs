//! The working-day calendar's named days, the working-day deadlines computed across a
//! provisional year, and simple key/value settings.

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::StoreResult;

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct CalendarDayRow {
    pub day: String,
    pub kind: String,
    pub name: String,
    /// The festivals as codes, comma-separated (`national_day,mid_autumn`).
    pub holidays: String,
}

pub async fn all_days(conn: &mut AnyConnection) -> StoreResult<Vec<CalendarDayRow>> {
    Ok(
        sqlx::query_as("SELECT day, kind, name, holidays FROM calendar_days ORDER BY day")
            .fetch_all(conn)
            .await?,
    )
}

pub async fn upsert_day(
    conn: &mut AnyConnection,
    day: &str,
    kind: &str,
    name: &str,
    holidays: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO calendar_days (day, kind, name, holidays) VALUES ($1, $2, $3, $4)
         ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name,
           holidays = excluded.holidays",
    )
    .bind(day)
    .bind(kind)
    .bind(name)
    .bind(holidays)
    .execute(conn)
    .await?;
    Ok(())
}

/// A working-day deadline counted across a provisional year.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct DeadlineBasisRow {
    pub matter_id: i64,
    pub start_day: String,
    pub working_days: i64,
    pub deadline: String,
    pub provisional_years: String,
    pub moved_to: Option<String>,
}

const BASIS_SELECT: &str = "SELECT matter_id, start_day, working_days, deadline, provisional_years, moved_to FROM deadline_bases";

pub async fn upsert_basis(
    conn: &mut AnyConnection,
    b: &DeadlineBasisRow,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO deadline_bases (matter_id, start_day, working_days, deadline, provisional_years, moved_to, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (matter_id) DO UPDATE SET start_day = excluded.start_day,
           working_days = excluded.working_days, deadline = excluded.deadline,
           provisional_years = excluded.provisional_years, moved_to = excluded.moved_to,
           updated_at = excluded.updated_at",
    )
    .bind(b.matter_id)
    .bind(&b.start_day)
    .bind(b.working_days)
    .bind(&b.deadline)
    .bind(&b.provisional_years)
    .bind(&b.moved_to)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_basis(conn: &mut AnyConnection, matter_id: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM deadline_bases WHERE matter_id = $1")
        .bind(matter_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The bases whose count still crosses this provisional year.
pub async fn bases_in_year(
    conn: &mut AnyConnection,
    year: i32,
) -> StoreResult<Vec<DeadlineBasisRow>> {
    let rows: Vec<DeadlineBasisRow> =
        sqlx::query_as(&format!("{BASIS_SELECT} WHERE provisional_years LIKE $1"))
            .bind(format!("%{year}%"))
            .fetch_all(conn)
            .await?;
    let y = year.to_string();
    Ok(rows
        .into_iter()
        .filter(|r| r.provisional_years.split(',').any(|p| p == y))
        .collect())
}

/// The bases of these matters that still speak for them (their deadline is unchanged).
pub async fn current_bases(
    conn: &mut AnyConnection,
    matter_ids: &[i64],
) -> StoreResult<Vec<DeadlineBasisRow>> {
    if matter_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = matter_ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    Ok(sqlx::query_as(&format!(
        "SELECT b.matter_id, b.start_day, b.working_days, b.deadline, b.provisional_years, b.moved_to
         FROM deadline_bases b JOIN matters m ON m.id = b.matter_id AND m.deadline = b.deadline
         WHERE b.matter_id IN ({ids})"
    ))
    .fetch_all(conn)
    .await?)
}

/// A deadline the confirmed calendar would have set elsewhere, for the system admin.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct MovedDeadlineRow {
    pub matter_id: i64,
    pub title: String,
    pub unit_name: String,
    pub status: String,
    pub start_day: String,
    pub working_days: i64,
    /// The deadline kept.
    pub deadline: String,
    /// The deadline the confirmed calendar gives.
    pub moved_to: String,
}

/// Live matters whose kept deadline the confirmed calendar would have moved.
pub async fn moved_deadlines(conn: &mut AnyConnection) -> StoreResult<Vec<MovedDeadlineRow>> {
    Ok(sqlx::query_as(
        "SELECT b.matter_id, m.title, u.name AS unit_name, m.status, b.start_day, b.working_days,
                b.deadline, b.moved_to
         FROM deadline_bases b
         JOIN matters m ON m.id = b.matter_id AND m.deadline = b.deadline
         JOIN units u ON u.id = m.unit_id
         WHERE b.moved_to IS NOT NULL AND m.status NOT IN ('closed', 'cancelled')
         ORDER BY b.deadline, b.matter_id",
    )
    .fetch_all(conn)
    .await?)
}

pub async fn delete_day(conn: &mut AnyConnection, day: &str) -> StoreResult<u64> {
    Ok(sqlx::query("DELETE FROM calendar_days WHERE day = $1")
        .bind(day)
        .execute(conn)
        .await?
        .rows_affected())
}

pub async fn setting(conn: &mut AnyConnection, key: &str) -> StoreResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn set_setting(conn: &mut AnyConnection, key: &str, value: &str) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}
