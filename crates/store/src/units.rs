//! The unit tree, held as materialised paths (see `shishi_core::unit`).

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::{StoreError, StoreResult, packed, path_upper_bound};
use shishi_core::time::now_ms;
use shishi_core::unit::{child_path, root_path};

#[derive(Debug, Clone, FromRow, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct UnitRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub kind: String,
    pub path: String,
    pub sort_order: i64,
    pub active: i64,
    pub created_at: i64,
}

impl UnitRow {
    pub fn is_active(&self) -> bool {
        self.active != 0
    }
}

const COLUMNS: &str = "id, parent_id, name, kind, path, sort_order, active, created_at";

pub async fn insert(
    conn: &mut AnyConnection,
    parent: Option<&UnitRow>,
    name: &str,
    kind: &str,
    sort_order: i64,
) -> StoreResult<UnitRow> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO units (parent_id, name, kind, sort_order, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(parent.map(|p| p.id))
    .bind(name)
    .bind(kind)
    .bind(sort_order)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    let path = match parent {
        Some(p) => child_path(&p.path, id),
        None => root_path(id),
    };
    sqlx::query("UPDATE units SET path = $1 WHERE id = $2")
        .bind(&path)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    get(conn, id).await
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> StoreResult<UnitRow> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM units WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn root(conn: &mut AnyConnection) -> StoreResult<Option<UnitRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1"
    ))
    .fetch_optional(conn)
    .await?)
}

/// The subtree under `path` (the unit itself included), parents before children.
pub async fn subtree(conn: &mut AnyConnection, path: &str) -> StoreResult<Vec<UnitRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM units WHERE path >= $1 AND path < $2 ORDER BY length(path), sort_order, id"
    ))
    .bind(path)
    .bind(path_upper_bound(path))
    .fetch_all(conn)
    .await?)
}

/// A unit of a subtree as a tree needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeNode {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub sort_order: i64,
}

/// Every unit of the subtree at `path` (inactive ones too), in no particular order: what the
/// statistics tables roll up. One packed value rather than a row per unit (see `packed`).
pub async fn tree_nodes(conn: &mut AnyConnection, path: &str) -> StoreResult<Vec<TreeNode>> {
    let sql = packed::ints_and_text_sql(
        &["id", "parent_id", "sort_order"],
        "name",
        "SELECT id, parent_id, sort_order, name FROM units WHERE path >= $1 AND path < $2",
    );
    let nodes: Option<String> = sqlx::query_scalar(&sql)
        .bind(path)
        .bind(path_upper_bound(path))
        .fetch_one(conn)
        .await?;
    packed::int_text_rows::<3>(nodes.as_deref())?
        .into_iter()
        .map(|([id, parent_id, sort_order], name)| {
            Ok(TreeNode {
                id: id.ok_or_else(|| packed::malformed("a unit without an id"))?,
                parent_id,
                name,
                sort_order: sort_order.unwrap_or(0),
            })
        })
        .collect()
}

pub async fn find_by_name(conn: &mut AnyConnection, name: &str) -> StoreResult<Vec<UnitRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM units WHERE name = $1 ORDER BY id"
    ))
    .bind(name)
    .fetch_all(conn)
    .await?)
}

pub async fn count(conn: &mut AnyConnection) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM units")
        .fetch_one(conn)
        .await?)
}

pub async fn update(
    conn: &mut AnyConnection,
    id: i64,
    name: &str,
    kind: &str,
    sort_order: i64,
) -> StoreResult<()> {
    let done = sqlx::query("UPDATE units SET name = $1, kind = $2, sort_order = $3 WHERE id = $4")
        .bind(name)
        .bind(kind)
        .bind(sort_order)
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn set_active(conn: &mut AnyConnection, id: i64, active: bool) -> StoreResult<()> {
    sqlx::query("UPDATE units SET active = $1 WHERE id = $2")
        .bind(active as i64)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Active children of a unit.
pub async fn active_children(conn: &mut AnyConnection, id: i64) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE parent_id = $1 AND active = 1")
            .bind(id)
            .fetch_one(conn)
            .await?,
    )
}

/// Moves `unit` (and its subtree) under `new_parent`. The caller has checked that the new
/// parent is not inside the subtree. Paths of units and matters, and the subtree counts of
/// the old and new ancestors, follow.
pub async fn move_under(
    conn: &mut AnyConnection,
    unit: &UnitRow,
    new_parent: &UnitRow,
) -> StoreResult<()> {
    let old = unit.path.clone();
    let new = child_path(&new_parent.path, unit.id);
    let upper = path_upper_bound(&old);
    // The counts of the moved subtree, taken off the old ancestors and put on the new ones.
    let moved: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT status, top_level, n FROM subtree_counts WHERE unit_id = $1")
            .bind(unit.id)
            .fetch_all(&mut *conn)
            .await?;
    let old_ancestors = shishi_core::unit::ancestors(&old);
    let new_ancestors = shishi_core::unit::ancestors(&new_parent.path);
    for (status, top_level, n) in &moved {
        for a in old_ancestors.iter().filter(|a| **a != unit.id) {
            crate::matters::bump_count(conn, *a, status, *top_level, -n).await?;
        }
        for a in &new_ancestors {
            crate::matters::bump_count(conn, *a, status, *top_level, *n).await?;
        }
    }
    let moved_areas: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT content_area_id, status, n FROM subtree_area_counts WHERE unit_id = $1",
    )
    .bind(unit.id)
    .fetch_all(&mut *conn)
    .await?;
    for (area, status, n) in &moved_areas {
        for a in old_ancestors.iter().filter(|a| **a != unit.id) {
            crate::matters::bump_area_count(conn, *a, *area, status, -n).await?;
        }
        for a in &new_ancestors {
            crate::matters::bump_area_count(conn, *a, *area, status, *n).await?;
        }
    }
    let moved_open: Vec<(String, i64)> =
        sqlx::query_as("SELECT deadline, n FROM open_deadline_counts WHERE unit_id = $1")
            .bind(unit.id)
            .fetch_all(&mut *conn)
            .await?;
    for (deadline, n) in &moved_open {
        for a in old_ancestors.iter().filter(|a| **a != unit.id) {
            crate::matters::bump_deadline_count(conn, *a, deadline, -n).await?;
        }
        for a in &new_ancestors {
            crate::matters::bump_deadline_count(conn, *a, deadline, *n).await?;
        }
    }
    for table in ["units SET path", "matters SET unit_path"] {
        let column = if table.starts_with("units") {
            "path"
        } else {
            "unit_path"
        };
        sqlx::query(&format!(
            "UPDATE {table} = $1 || substr({column}, CAST($2 AS INTEGER)) WHERE {column} >= $3 AND {column} < $4"
        ))
        .bind(&new)
        .bind(old.len() as i64 + 1)
        .bind(&old)
        .bind(&upper)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("UPDATE units SET parent_id = $1 WHERE id = $2")
        .bind(new_parent.id)
        .bind(unit.id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
