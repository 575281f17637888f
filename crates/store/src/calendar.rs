//! The working-day calendar's named days, and simple key/value settings.

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::StoreResult;

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct CalendarDayRow {
    pub day: String,
    pub kind: String,
    pub name: String,
}

pub async fn all_days(conn: &mut AnyConnection) -> StoreResult<Vec<CalendarDayRow>> {
    Ok(
        sqlx::query_as("SELECT day, kind, name FROM calendar_days ORDER BY day")
            .fetch_all(conn)
            .await?,
    )
}

pub async fn upsert_day(
    conn: &mut AnyConnection,
    day: &str,
    kind: &str,
    name: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3)
         ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
    )
    .bind(day)
    .bind(kind)
    .bind(name)
    .execute(conn)
    .await?;
    Ok(())
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
