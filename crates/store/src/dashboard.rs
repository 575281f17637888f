//! The leaders' dashboard: a subtree's flow of main matters per Beijing day (its verdicts come
//! from `stats::verdicts_in`).
//!
//! Each query reads only the rows of the window through an index that starts with the time
//! column (`matters_created`, `matters_completed_on`, `evaluations_state_path`), and groups by
//! day in the database, so twelve weeks of a large group cost one pass, not one per week.
//! The subtree is matched through the unit's current path, as the ledger matches it.

use chrono::{Duration, NaiveDate};
use sqlx::AnyConnection;

use crate::{StoreResult, path_upper_bound};

/// Beijing is UTC+8 all year; adding it before dividing makes the day number change at
/// Beijing midnight.
const BEIJING_OFFSET_MS: i64 = 8 * 3600 * 1000;
const DAY_MS: i64 = 86_400_000;

/// `(Beijing date, main matters)` created in `[from, until)` under `root` and still on the
/// list (neither proposed nor cancelled), as 本期新增 counts them.
pub async fn created_by_day(
    conn: &mut AnyConnection,
    root: &str,
    from: i64,
    until: i64,
) -> StoreResult<Vec<(NaiveDate, i64)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT (m.created_at + {BEIJING_OFFSET_MS}) / {DAY_MS} AS bj_day, COUNT(*) AS n
         FROM matters m JOIN units u ON u.id = m.unit_id
         WHERE m.created_at >= $1 AND m.created_at < $2 AND m.top_level = 1
           AND m.status NOT IN ('proposed', 'cancelled')
           AND u.path >= $3 AND u.path < $4
         GROUP BY bj_day"
    ))
    .bind(from)
    .bind(until)
    .bind(root)
    .bind(path_upper_bound(root))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(day, n)| Some((epoch_day(day)?, n)))
        .collect())
}

/// `(Beijing date, main matters)` whose completion was claimed on a date in `[first, last]`
/// under `root` and that are still completed, accepted or closed, as 本期完成 counts them.
/// The status is tested in the sum, not the WHERE clause: as a filter, SQLite's planner would
/// walk every completed matter through the status index instead of the week's dates.
pub async fn completed_by_day(
    conn: &mut AnyConnection,
    root: &str,
    first: &str,
    last: &str,
) -> StoreResult<Vec<(NaiveDate, i64)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT m.completed_on,
            CAST(SUM(CASE WHEN m.status IN ('completed', 'accepted', 'closed') THEN 1 ELSE 0 END)
                AS BIGINT) AS n
         FROM matters m JOIN units u ON u.id = m.unit_id
         WHERE m.completed_on >= $1 AND m.completed_on <= $2 AND m.top_level = 1
           AND u.path >= $3 AND u.path < $4
         GROUP BY m.completed_on",
    )
    .bind(first)
    .bind(last)
    .bind(root)
    .bind(path_upper_bound(root))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(day, n)| Some((day.parse().ok()?, n)))
        .collect())
}

/// The date of a day number counted from 1970-01-01.
fn epoch_day(n: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(Duration::try_days(n)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The day number as the queries compute it, for an instant.
    fn day_number(ms: i64) -> i64 {
        (ms + BEIJING_OFFSET_MS) / DAY_MS
    }

    #[test]
    fn the_day_number_is_the_beijing_date() {
        // 2026-11-15 23:30 in Beijing is 15:30 UTC: still Sunday the 15th in Beijing; an hour
        // later it is Monday in Beijing and still the 15th in UTC.
        let ms = NaiveDate::from_ymd_opt(2026, 11, 15)
            .and_then(|d| d.and_hms_opt(15, 30, 0))
            .expect("a time")
            .and_utc()
            .timestamp_millis();
        for ms in [ms, ms + 3_600_000] {
            assert_eq!(
                epoch_day(day_number(ms)),
                Some(shishi_core::time::beijing_date(ms))
            );
        }
    }
}
