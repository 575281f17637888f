//! Campaigns (批次/专项活动) and the configurable content areas.

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::sql::Sql;
use crate::{StoreError, StoreResult};
use shishi_core::time::now_ms;

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct CampaignRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub starts_on: String,
    pub ends_on: String,
    pub stage: String,
    pub scope_unit_id: i64,
    pub scope_unit_name: String,
    pub scope_unit_path: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const SELECT: &str =
    "SELECT c.id, c.name, c.description, c.starts_on, c.ends_on, c.stage, c.scope_unit_id,
    u.name AS scope_unit_name, u.path AS scope_unit_path, c.created_at, c.updated_at
    FROM campaigns c JOIN units u ON u.id = c.scope_unit_id";

pub struct CampaignFields<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub stage: &'a str,
    pub scope_unit_id: i64,
}

pub async fn insert(conn: &mut AnyConnection, f: &CampaignFields<'_>) -> StoreResult<i64> {
    let now = now_ms();
    Ok(sqlx::query_scalar(
        "INSERT INTO campaigns (name, description, starts_on, ends_on, stage, scope_unit_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(f.name)
    .bind(f.description)
    .bind(f.starts_on)
    .bind(f.ends_on)
    .bind(f.stage)
    .bind(f.scope_unit_id)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

pub async fn update(conn: &mut AnyConnection, id: i64, f: &CampaignFields<'_>) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE campaigns SET name = $1, description = $2, starts_on = $3, ends_on = $4, stage = $5,
            scope_unit_id = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(f.name)
    .bind(f.description)
    .bind(f.starts_on)
    .bind(f.ends_on)
    .bind(f.stage)
    .bind(f.scope_unit_id)
    .bind(now_ms())
    .bind(id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> StoreResult<CampaignRow> {
    sqlx::query_as(&format!("{SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Campaigns that concern a viewer of the given subtrees: those scoped inside them and those
/// scoped above them (a group-wide campaign concerns every unit).
pub async fn visible(conn: &mut AnyConnection, roots: &[String]) -> StoreResult<Vec<CampaignRow>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE ").paths("u.path", roots);
    for r in roots {
        // An ancestor's path is a prefix of the root's path.
        for id in shishi_core::unit::ancestors(r) {
            sql.push(" OR c.scope_unit_id = ").int(id);
        }
    }
    sql.push(" ORDER BY c.starts_on DESC, c.id DESC");
    Ok(sql.query_as::<CampaignRow>().fetch_all(conn).await?)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ContentAreaRow {
    pub id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub sort_order: i64,
    pub active: i64,
}

pub async fn content_areas(conn: &mut AnyConnection) -> StoreResult<Vec<ContentAreaRow>> {
    Ok(sqlx::query_as(
        "SELECT id, code, name_zh, name_en, sort_order, active FROM content_areas ORDER BY sort_order, id",
    )
    .fetch_all(conn)
    .await?)
}
