//! Submitted reports (上报): each submission is a new version with its figures frozen as JSON,
//! and no statement here updates or deletes one. Drafts hold the narrative until submission.

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::{StoreError, StoreResult};

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct ReportRow {
    pub id: i64,
    pub kind: String,
    pub unit_id: i64,
    pub period: String,
    pub version: i64,
    pub figures: String,
    pub narrative: String,
    pub submitted_by: Option<i64>,
    pub submitter_name: Option<String>,
    pub submitted_at: i64,
}

/// A version without its figures, for lists.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct ReportVersion {
    pub id: i64,
    pub unit_id: i64,
    pub version: i64,
    pub submitted_by: Option<i64>,
    pub submitter_name: Option<String>,
    pub submitted_at: i64,
}

const SELECT: &str = "SELECT r.id, r.kind, r.unit_id, r.period, r.version, r.figures, r.narrative,
    r.submitted_by, u.display_name AS submitter_name, r.submitted_at
  FROM reports r LEFT JOIN users u ON u.id = r.submitted_by";

pub struct NewReport<'a> {
    pub kind: &'a str,
    pub unit_id: i64,
    pub period: &'a str,
    pub figures: &'a str,
    pub narrative: &'a str,
    pub submitted_by: Option<i64>,
    pub now: i64,
}

/// Stores the next version; two submissions racing meet the unique key and one is refused as
/// stale rather than overwriting the other.
pub async fn insert(conn: &mut AnyConnection, r: &NewReport<'_>) -> StoreResult<(i64, i64)> {
    let version: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM reports WHERE kind = $1 AND unit_id = $2 AND period = $3",
    )
    .bind(r.kind)
    .bind(r.unit_id)
    .bind(r.period)
    .fetch_one(&mut *conn)
    .await?;
    let id = sqlx::query_scalar(
        "INSERT INTO reports (kind, unit_id, period, version, figures, narrative, submitted_by, submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(r.kind)
    .bind(r.unit_id)
    .bind(r.period)
    .bind(version)
    .bind(r.figures)
    .bind(r.narrative)
    .bind(r.submitted_by)
    .bind(r.now)
    .fetch_one(conn)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::Duplicate(_) => StoreError::Stale,
        other => other,
    })?;
    Ok((id, version))
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> StoreResult<ReportRow> {
    sqlx::query_as(&format!("{SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Every version of the given units' reports for one period: by unit, newest first.
pub async fn versions(
    conn: &mut AnyConnection,
    kind: &str,
    period: &str,
    unit_ids: &[i64],
) -> StoreResult<Vec<ReportVersion>> {
    if unit_ids.is_empty() {
        return Ok(vec![]);
    }
    let ids = unit_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    Ok(sqlx::query_as(&format!(
        "SELECT r.id, r.unit_id, r.version, r.submitted_by, u.display_name AS submitter_name, r.submitted_at
         FROM reports r LEFT JOIN users u ON u.id = r.submitted_by
         WHERE r.kind = $1 AND r.period = $2 AND r.unit_id IN ({ids})
         ORDER BY r.unit_id, r.version DESC"
    ))
    .bind(kind)
    .bind(period)
    .fetch_all(conn)
    .await?)
}

pub async fn draft(
    conn: &mut AnyConnection,
    kind: &str,
    unit_id: i64,
    period: &str,
) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT narrative FROM report_drafts WHERE kind = $1 AND unit_id = $2 AND period = $3",
    )
    .bind(kind)
    .bind(unit_id)
    .bind(period)
    .fetch_optional(conn)
    .await?)
}

pub async fn save_draft(
    conn: &mut AnyConnection,
    kind: &str,
    unit_id: i64,
    period: &str,
    narrative: &str,
    by: Option<i64>,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO report_drafts (kind, unit_id, period, narrative, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (kind, unit_id, period) DO UPDATE
           SET narrative = excluded.narrative, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(kind)
    .bind(unit_id)
    .bind(period)
    .bind(narrative)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The units expected to report: active, with at least one active unit admin, `(id, name,
/// path)`; all of them, or only the children of one unit (the level above's view).
pub async fn reporting_units(
    conn: &mut AnyConnection,
    children_of: Option<i64>,
) -> StoreResult<Vec<(i64, String, String)>> {
    let parent = if children_of.is_some() {
        " AND un.parent_id = $1"
    } else {
        ""
    };
    let q = format!(
        "SELECT DISTINCT un.id, un.name, un.path FROM grants g
         JOIN users u ON u.id = g.user_id JOIN units un ON un.id = g.unit_id
         WHERE g.role = 'unit_admin' AND u.active = 1 AND un.active = 1{parent}
         ORDER BY un.id"
    );
    let mut query = sqlx::query_as(&q);
    if let Some(p) = children_of {
        query = query.bind(p);
    }
    Ok(query.fetch_all(conn).await?)
}

/// The units that have submitted the report of the period (any version).
pub async fn submitted_units(
    conn: &mut AnyConnection,
    kind: &str,
    period: &str,
) -> StoreResult<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT unit_id FROM reports WHERE kind = $1 AND period = $2")
            .bind(kind)
            .bind(period)
            .fetch_all(conn)
            .await?,
    )
}
