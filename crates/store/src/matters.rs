//! Matters (实事项目), their progress entries and evidence files, and the subtree counts that
//! keep the ledger's totals cheap at any size.

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::sql::Sql;
use crate::{StoreError, StoreResult, like_escape};

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct MatterRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub campaign_name: Option<String>,
    pub title: String,
    pub description: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub measures: String,
    pub deadline: Option<String>,
    pub original_deadline: Option<String>,
    pub acceptance_standard: String,
    pub supervisor_id: Option<i64>,
    pub supervisor_name: Option<String>,
    pub content_area_id: Option<i64>,
    pub tags: String,
    pub status: String,
    /// A reason of the system's own is stored coded (`shishi_core::reason`); the API shows it
    /// as `code: words`.
    #[serde(serialize_with = "plain_reason")]
    pub status_reason: String,
    pub progress: i64,
    pub top_level: i64,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
    pub extension_count: i64,
    pub return_count: i64,
    pub rework_count: i64,
    pub completed_on: Option<String>,
    pub accepted_on: Option<String>,
    pub open_orders: i64,
}

pub(crate) const SELECT: &str = "SELECT m.id, m.parent_id, m.campaign_id, c.name AS campaign_name, m.title, m.description,
    m.unit_id, un.name AS unit_name, m.unit_path, m.owner_id, o.display_name AS owner_name, m.measures,
    m.deadline, m.original_deadline, m.acceptance_standard, m.supervisor_id, s.display_name AS supervisor_name,
    m.content_area_id, m.tags, m.status, m.status_reason, m.progress, m.top_level, m.created_by,
    m.created_at, m.updated_at, m.version, m.extension_count, m.return_count, m.rework_count,
    m.completed_on, m.accepted_on, m.open_orders
  FROM matters m
  JOIN units un ON un.id = m.unit_id
  LEFT JOIN users o ON o.id = m.owner_id
  LEFT JOIN users s ON s.id = m.supervisor_id
  LEFT JOIN campaigns c ON c.id = m.campaign_id";

/// The fields a person sets on a matter.
#[derive(Debug, Clone, Default)]
pub struct MatterFields {
    pub title: String,
    pub description: String,
    pub campaign_id: Option<i64>,
    pub unit_id: i64,
    pub unit_path: String,
    pub owner_id: Option<i64>,
    pub measures: String,
    pub deadline: Option<String>,
    pub acceptance_standard: String,
    pub supervisor_id: Option<i64>,
    pub content_area_id: Option<i64>,
    pub tags: String,
}

pub async fn insert(
    conn: &mut AnyConnection,
    parent_id: Option<i64>,
    f: &MatterFields,
    status: &str,
    created_by: Option<i64>,
    now: i64,
) -> StoreResult<i64> {
    let top_level = parent_id.is_none() as i64;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO matters (parent_id, campaign_id, title, description, unit_id, unit_path, owner_id,
            measures, deadline, original_deadline, acceptance_standard, supervisor_id, content_area_id,
            tags, status, top_level, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)
         RETURNING id",
    )
    .bind(parent_id)
    .bind(f.campaign_id)
    .bind(&f.title)
    .bind(&f.description)
    .bind(f.unit_id)
    .bind(&f.unit_path)
    .bind(f.owner_id)
    .bind(&f.measures)
    .bind(f.deadline.as_deref())
    .bind(&f.acceptance_standard)
    .bind(f.supervisor_id)
    .bind(f.content_area_id)
    .bind(&f.tags)
    .bind(status)
    .bind(top_level)
    .bind(created_by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    bump_path(conn, &f.unit_path, status, top_level, f.content_area_id, 1).await?;
    if is_open(status) {
        bump_deadline(conn, &f.unit_path, f.deadline.as_deref(), 1).await?;
    }
    Ok(id)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> StoreResult<MatterRow> {
    sqlx::query_as(&format!("{SELECT} WHERE m.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn children(conn: &mut AnyConnection, parent_id: i64) -> StoreResult<Vec<MatterRow>> {
    Ok(
        sqlx::query_as(&format!("{SELECT} WHERE m.parent_id = $1 ORDER BY m.id"))
            .bind(parent_id)
            .fetch_all(conn)
            .await?,
    )
}

/// Rewrites the fields, guarded by the version read (optimistic locking). The original
/// deadline is set only while the matter has not been approved.
pub async fn update_fields(
    conn: &mut AnyConnection,
    current: &MatterRow,
    f: &MatterFields,
    keep_original_deadline: bool,
    now: i64,
) -> StoreResult<()> {
    let original = if keep_original_deadline {
        current.original_deadline.clone()
    } else {
        f.deadline.clone()
    };
    let done = sqlx::query(
        "UPDATE matters SET title = $1, description = $2, campaign_id = $3, unit_id = $4, unit_path = $5,
            owner_id = $6, measures = $7, deadline = $8, original_deadline = $9, acceptance_standard = $10,
            supervisor_id = $11, content_area_id = $12, tags = $13, updated_at = $14, version = version + 1
         WHERE id = $15 AND version = $16",
    )
    .bind(&f.title)
    .bind(&f.description)
    .bind(f.campaign_id)
    .bind(f.unit_id)
    .bind(&f.unit_path)
    .bind(f.owner_id)
    .bind(&f.measures)
    .bind(f.deadline.as_deref())
    .bind(original.as_deref())
    .bind(&f.acceptance_standard)
    .bind(f.supervisor_id)
    .bind(f.content_area_id)
    .bind(&f.tags)
    .bind(now)
    .bind(current.id)
    .bind(current.version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    if current.unit_path != f.unit_path || current.content_area_id != f.content_area_id {
        bump_path(
            conn,
            &current.unit_path,
            &current.status,
            current.top_level,
            current.content_area_id,
            -1,
        )
        .await?;
        bump_path(
            conn,
            &f.unit_path,
            &current.status,
            current.top_level,
            f.content_area_id,
            1,
        )
        .await?;
    }
    if is_open(&current.status)
        && (current.unit_path != f.unit_path || current.deadline != f.deadline)
    {
        bump_deadline(conn, &current.unit_path, current.deadline.as_deref(), -1).await?;
        bump_deadline(conn, &f.unit_path, f.deadline.as_deref(), 1).await?;
    }
    Ok(())
}

pub async fn set_status(
    conn: &mut AnyConnection,
    current: &MatterRow,
    status: &str,
    reason: &str,
    now: i64,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE matters SET status = $1, status_reason = $2, updated_at = $3, version = version + 1
         WHERE id = $4 AND version = $5",
    )
    .bind(status)
    .bind(reason)
    .bind(now)
    .bind(current.id)
    .bind(current.version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    let area = current.content_area_id;
    bump_path(
        conn,
        &current.unit_path,
        &current.status,
        current.top_level,
        area,
        -1,
    )
    .await?;
    bump_path(conn, &current.unit_path, status, current.top_level, area, 1).await?;
    let deadline = current.deadline.as_deref();
    match (is_open(&current.status), is_open(status)) {
        (true, false) => bump_deadline(conn, &current.unit_path, deadline, -1).await?,
        (false, true) => bump_deadline(conn, &current.unit_path, deadline, 1).await?,
        _ => {}
    }
    Ok(())
}

pub async fn set_progress(
    conn: &mut AnyConnection,
    id: i64,
    percent: i64,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE matters SET progress = $1, updated_at = $2, version = version + 1 WHERE id = $3",
    )
    .bind(percent)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Progress of a parent rolled up from its children: the mean of the children's progress,
/// a cancelled child left out.
pub async fn children_progress(
    conn: &mut AnyConnection,
    parent_id: i64,
) -> StoreResult<Option<i64>> {
    let avg: Option<f64> = sqlx::query_scalar(
        "SELECT CAST(AVG(progress) AS DOUBLE PRECISION) FROM matters WHERE parent_id = $1 AND status <> 'cancelled'",
    )
    .bind(parent_id)
    .fetch_one(conn)
    .await?;
    Ok(avg.map(|a| a.round() as i64))
}

/// Matters under a unit's subtree that are still live (neither closed nor cancelled).
pub async fn live_in_subtree(conn: &mut AnyConnection, unit_id: i64) -> StoreResult<i64> {
    let n: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(n) AS BIGINT) FROM subtree_counts WHERE unit_id = $1 AND status NOT IN ('closed', 'cancelled')",
    )
    .bind(unit_id)
    .fetch_one(conn)
    .await?;
    Ok(n.unwrap_or(0))
}

// ---- subtree counts ----

pub(crate) async fn bump_count(
    conn: &mut AnyConnection,
    unit_id: i64,
    status: &str,
    top_level: i64,
    delta: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO subtree_counts (unit_id, status, top_level, n) VALUES ($1, $2, $3, $4)
         ON CONFLICT (unit_id, status, top_level) DO UPDATE SET n = subtree_counts.n + excluded.n",
    )
    .bind(unit_id)
    .bind(status)
    .bind(top_level)
    .bind(delta)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn bump_area_count(
    conn: &mut AnyConnection,
    unit_id: i64,
    area: i64,
    status: &str,
    delta: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO subtree_area_counts (unit_id, content_area_id, status, n) VALUES ($1, $2, $3, $4)
         ON CONFLICT (unit_id, content_area_id, status) DO UPDATE SET n = subtree_area_counts.n + excluded.n",
    )
    .bind(unit_id)
    .bind(area)
    .bind(status)
    .bind(delta)
    .execute(conn)
    .await?;
    Ok(())
}

/// Keeps every count of a matter's kind in step: the subtree counts of each ancestor, and for
/// main matters the unit's own count and the content-area counts the reports read.
async fn bump_path(
    conn: &mut AnyConnection,
    unit_path: &str,
    status: &str,
    top_level: i64,
    area: Option<i64>,
    delta: i64,
) -> StoreResult<()> {
    let ancestors = shishi_core::unit::ancestors(unit_path);
    for &unit_id in &ancestors {
        bump_count(conn, unit_id, status, top_level, delta).await?;
        if top_level == 1 {
            bump_area_count(conn, unit_id, area.unwrap_or(0), status, delta).await?;
        }
    }
    if let (1, Some(&unit_id)) = (top_level, ancestors.last()) {
        sqlx::query(
            "INSERT INTO unit_counts (unit_id, status, n) VALUES ($1, $2, $3)
             ON CONFLICT (unit_id, status) DO UPDATE SET n = unit_counts.n + excluded.n",
        )
        .bind(unit_id)
        .bind(status)
        .bind(delta)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Open work: the statuses whose deadline still matters (see `MatterStatus::is_open_work`).
pub(crate) fn is_open(status: &str) -> bool {
    status == "approved" || status == "in_progress"
}

pub(crate) async fn bump_deadline_count(
    conn: &mut AnyConnection,
    unit_id: i64,
    deadline: &str,
    delta: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO open_deadline_counts (unit_id, deadline, n) VALUES ($1, $2, $3)
         ON CONFLICT (unit_id, deadline) DO UPDATE SET n = open_deadline_counts.n + excluded.n",
    )
    .bind(unit_id)
    .bind(deadline)
    .bind(delta)
    .execute(conn)
    .await?;
    Ok(())
}

async fn bump_deadline(
    conn: &mut AnyConnection,
    unit_path: &str,
    deadline: Option<&str>,
    delta: i64,
) -> StoreResult<()> {
    let Some(deadline) = deadline else {
        return Ok(());
    };
    for unit_id in shishi_core::unit::ancestors(unit_path) {
        bump_deadline_count(conn, unit_id, deadline, delta).await?;
    }
    Ok(())
}

/// Moves an open matter's deadline in the per-subtree deadline counts (after an extension).
pub(crate) async fn move_open_deadline(
    conn: &mut AnyConnection,
    current: &MatterRow,
    new_deadline: Option<&str>,
) -> StoreResult<()> {
    if is_open(&current.status) {
        bump_deadline(conn, &current.unit_path, current.deadline.as_deref(), -1).await?;
        bump_deadline(conn, &current.unit_path, new_deadline, 1).await?;
    }
    Ok(())
}

/// Open work due before `today` in the subtrees of the given units (disjoint roots).
pub async fn overdue_count(
    conn: &mut AnyConnection,
    root_unit_ids: &[i64],
    today: &str,
) -> StoreResult<i64> {
    if root_unit_ids.is_empty() {
        return Ok(0);
    }
    let ids = root_unit_ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let n: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT CAST(SUM(n) AS BIGINT) FROM open_deadline_counts WHERE unit_id IN ({ids}) AND deadline < $1"
    ))
    .bind(today)
    .fetch_one(conn)
    .await?;
    Ok(n.unwrap_or(0))
}

/// Matters by status in the subtrees of the given units (disjoint roots), from the counts.
pub async fn counts_by_status(
    conn: &mut AnyConnection,
    root_unit_ids: &[i64],
    top_level_only: bool,
) -> StoreResult<Vec<(String, i64)>> {
    if root_unit_ids.is_empty() {
        return Ok(vec![]);
    }
    let ids = root_unit_ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let level = if top_level_only {
        " AND top_level = 1"
    } else {
        ""
    };
    Ok(sqlx::query_as(&format!(
        "SELECT status, CAST(SUM(n) AS BIGINT) FROM subtree_counts WHERE unit_id IN ({ids}){level} GROUP BY status"
    ))
    .fetch_all(conn)
    .await?)
}

/// Recounts everything from the matters table (a check, and a repair after bulk loads).
pub async fn rebuild_counts(conn: &mut AnyConnection) -> StoreResult<()> {
    for table in ["subtree_counts", "unit_counts", "subtree_area_counts"] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await?;
    }
    let groups: Vec<(String, String, i64, Option<i64>, i64)> = sqlx::query_as(
        "SELECT unit_path, status, top_level, content_area_id, COUNT(*) FROM matters
         GROUP BY unit_path, status, top_level, content_area_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (path, status, top, area, n) in groups {
        bump_path(conn, &path, &status, top, area, n).await?;
    }
    sqlx::query("DELETE FROM open_deadline_counts")
        .execute(&mut *conn)
        .await?;
    let open: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT unit_path, deadline, COUNT(*) FROM matters
         WHERE status IN ('approved', 'in_progress') AND deadline IS NOT NULL GROUP BY unit_path, deadline",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (path, deadline, n) in open {
        bump_deadline(conn, &path, Some(&deadline), n).await?;
    }
    Ok(())
}

// ---- the ledger query ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LedgerSort {
    /// By responsible unit, then in order of entry: the 台账 order.
    #[default]
    Unit,
    Deadline,
    DeadlineDesc,
    Progress,
    ProgressDesc,
    Updated,
    Newest,
}

#[derive(Debug, Clone, Default)]
pub struct LedgerQuery {
    /// Disjoint subtree roots (paths); matters anywhere under one of them.
    pub roots: Vec<String>,
    /// Their unit ids, for the counts.
    pub root_ids: Vec<i64>,
    pub statuses: Vec<String>,
    pub campaign_id: Option<i64>,
    pub content_area_id: Option<i64>,
    pub owner_id: Option<i64>,
    /// `today`: open work with a deadline before it.
    pub overdue_before: Option<String>,
    /// `(today, horizon, threshold)`: open work due between today and horizon under threshold %.
    pub at_risk: Option<(String, String, i64)>,
    pub title: Option<String>,
    /// Epoch ms `[from, until)`: created then and still on the list (neither proposed nor
    /// cancelled), as the reports count 本期新增.
    pub created_between: Option<(i64, i64)>,
    /// Beijing dates `[first, last]`: completion claimed then and still completed, accepted or
    /// closed, as the reports count 本期完成.
    pub completed_between: Option<(String, String)>,
    pub top_level_only: bool,
    /// Keyset paging in the 台账 order (by unit, then entry): only rows after this
    /// `(unit_path, id)`. Exports page through everything with it instead of an offset.
    pub after: Option<(String, i64)>,
    pub sort: LedgerSort,
    pub limit: i64,
    pub offset: i64,
}

const OPEN_WORK: &str = "m.status IN ('approved', 'in_progress')";

impl LedgerQuery {
    fn only_counted_filters(&self) -> bool {
        self.campaign_id.is_none()
            && self.content_area_id.is_none()
            && self.owner_id.is_none()
            && self.overdue_before.is_none()
            && self.at_risk.is_none()
            && self.after.is_none()
            && self.title.as_deref().is_none_or(|t| t.trim().is_empty())
            && self.created_between.is_none()
            && self.completed_between.is_none()
    }

    fn where_clause(&self, sql: &mut Sql) {
        sql.push(" WHERE ").paths("m.unit_path", &self.roots);
        if !self.statuses.is_empty() {
            sql.push(" AND ").in_texts("m.status", &self.statuses);
        }
        if self.top_level_only {
            sql.push(" AND m.top_level = 1");
        }
        if let Some(c) = self.campaign_id {
            sql.push(" AND m.campaign_id = ").int(c);
        }
        if let Some(a) = self.content_area_id {
            sql.push(" AND m.content_area_id = ").int(a);
        }
        if let Some(o) = self.owner_id {
            sql.push(" AND m.owner_id = ").int(o);
        }
        if let Some(today) = &self.overdue_before {
            sql.push(&format!(" AND {OPEN_WORK} AND m.deadline < "))
                .text(today.clone());
        }
        if let Some((today, horizon, threshold)) = &self.at_risk {
            sql.push(&format!(" AND {OPEN_WORK} AND m.deadline >= "))
                .text(today.clone())
                .push(" AND m.deadline <= ")
                .text(horizon.clone())
                .push(" AND m.progress < ")
                .int(*threshold);
        }
        if let Some((from, until)) = self.created_between {
            sql.push(" AND m.created_at >= ")
                .int(from)
                .push(" AND m.created_at < ")
                .int(until)
                .push(" AND m.status NOT IN ('proposed', 'cancelled')");
        }
        if let Some((first, last)) = &self.completed_between {
            sql.push(" AND m.completed_on >= ")
                .text(first.clone())
                .push(" AND m.completed_on <= ")
                .text(last.clone())
                .push(" AND m.status IN ('completed', 'accepted', 'closed')");
        }
        if let Some((path, id)) = &self.after {
            sql.push(" AND (m.unit_path > ")
                .text(path.clone())
                .push(" OR (m.unit_path = ")
                .text(path.clone())
                .push(" AND m.id > ")
                .int(*id)
                .push("))");
        }
        if let Some(t) = self
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            sql.push(" AND m.title LIKE ")
                .text(format!("%{}%", like_escape(t)))
                .push(" ESCAPE '\\'");
        }
    }

    fn order_by(&self) -> &'static str {
        match self.sort {
            LedgerSort::Unit => " ORDER BY m.unit_path, m.id",
            LedgerSort::Deadline => " ORDER BY (m.deadline IS NULL), m.deadline, m.id",
            LedgerSort::DeadlineDesc => {
                " ORDER BY (m.deadline IS NULL), m.deadline DESC, m.id DESC"
            }
            LedgerSort::Progress => " ORDER BY m.progress, m.id",
            LedgerSort::ProgressDesc => " ORDER BY m.progress DESC, m.id",
            LedgerSort::Updated => " ORDER BY m.updated_at DESC, m.id DESC",
            LedgerSort::Newest => " ORDER BY m.id DESC",
        }
    }
}

pub async fn ledger(
    conn: &mut AnyConnection,
    q: &LedgerQuery,
) -> StoreResult<(Vec<MatterRow>, i64)> {
    let only_overdue = LedgerQuery {
        overdue_before: None,
        ..q.clone()
    }
    .only_counted_filters()
        && q.statuses.is_empty()
        && !q.top_level_only
        && q.owner_id.is_none();
    let total = if let (Some(today), true) = (&q.overdue_before, only_overdue) {
        overdue_count(conn, &q.root_ids, today).await?
    } else if q.only_counted_filters() && !q.root_ids.is_empty() {
        let counts = counts_by_status(conn, &q.root_ids, q.top_level_only).await?;
        counts
            .iter()
            .filter(|(s, _)| q.statuses.is_empty() || q.statuses.contains(s))
            .map(|(_, n)| n)
            .sum()
    } else {
        let mut count = Sql::new("SELECT COUNT(*) FROM matters m");
        q.where_clause(&mut count);
        count.scalar::<i64>().fetch_one(&mut *conn).await?
    };
    let rows = ledger_rows(conn, q).await?;
    Ok((rows, total))
}

/// One page of the ledger without counting the total (exports page through everything).
pub async fn ledger_rows(conn: &mut AnyConnection, q: &LedgerQuery) -> StoreResult<Vec<MatterRow>> {
    let mut page = Sql::new(SELECT);
    q.where_clause(&mut page);
    page.push(q.order_by());
    page.push(" LIMIT ")
        .int(q.limit)
        .push(" OFFSET ")
        .int(q.offset);
    Ok(page.query_as::<MatterRow>().fetch_all(conn).await?)
}

/// How many matters match, for the overdue and at-risk chips.
pub async fn count_matching(conn: &mut AnyConnection, q: &LedgerQuery) -> StoreResult<i64> {
    let mut count = Sql::new("SELECT COUNT(*) FROM matters m");
    q.where_clause(&mut count);
    Ok(count.scalar::<i64>().fetch_one(conn).await?)
}

// ---- progress and files ----

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ProgressRow {
    pub id: i64,
    pub matter_id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub percent: i64,
    pub narrative: String,
    pub created_at: i64,
}

pub async fn insert_progress(
    conn: &mut AnyConnection,
    matter_id: i64,
    author_id: i64,
    percent: i64,
    narrative: &str,
    now: i64,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO progress_entries (matter_id, author_id, percent, narrative, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(matter_id)
    .bind(author_id)
    .bind(percent)
    .bind(narrative)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

pub async fn progress_of(
    conn: &mut AnyConnection,
    matter_id: i64,
) -> StoreResult<Vec<ProgressRow>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.matter_id, p.author_id, u.display_name AS author_name, p.percent, p.narrative, p.created_at
         FROM progress_entries p LEFT JOIN users u ON u.id = p.author_id
         WHERE p.matter_id = $1 ORDER BY p.id DESC",
    )
    .bind(matter_id)
    .fetch_all(conn)
    .await?)
}

/// The latest progress narrative of each of the given matters, for the ledger export.
pub async fn latest_narratives(
    conn: &mut AnyConnection,
    matter_ids: &[i64],
) -> StoreResult<Vec<(i64, String)>> {
    if matter_ids.is_empty() {
        return Ok(vec![]);
    }
    let ids = matter_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    Ok(sqlx::query_as(&format!(
        "SELECT matter_id, narrative FROM progress_entries WHERE id IN
           (SELECT MAX(id) FROM progress_entries WHERE matter_id IN ({ids}) GROUP BY matter_id)"
    ))
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct FileMeta {
    pub id: i64,
    pub matter_id: i64,
    pub progress_id: Option<i64>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: i64,
}

pub struct NewFile<'a> {
    pub matter_id: i64,
    pub progress_id: Option<i64>,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub data: &'a [u8],
    pub uploaded_by: i64,
    pub now: i64,
}

pub async fn insert_file(conn: &mut AnyConnection, f: &NewFile<'_>) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO files (matter_id, progress_id, filename, content_type, size, sha256, data, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(f.matter_id)
    .bind(f.progress_id)
    .bind(f.filename)
    .bind(f.content_type)
    .bind(f.data.len() as i64)
    .bind(f.sha256)
    .bind(f.data.to_vec())
    .bind(f.uploaded_by)
    .bind(f.now)
    .fetch_one(conn)
    .await?)
}

pub async fn files_of(conn: &mut AnyConnection, matter_id: i64) -> StoreResult<Vec<FileMeta>> {
    Ok(sqlx::query_as(
        "SELECT id, matter_id, progress_id, filename, content_type, size, sha256, created_at
         FROM files WHERE matter_id = $1 ORDER BY id",
    )
    .bind(matter_id)
    .fetch_all(conn)
    .await?)
}

/// Whether any evidence is attached to the matter.
pub async fn has_files(conn: &mut AnyConnection, matter_id: i64) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM files WHERE matter_id = $1 LIMIT 1) f",
    )
    .bind(matter_id)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

pub async fn file(conn: &mut AnyConnection, id: i64) -> StoreResult<(FileMeta, Vec<u8>)> {
    let meta: FileMeta = sqlx::query_as(
        "SELECT id, matter_id, progress_id, filename, content_type, size, sha256, created_at FROM files WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let data: Vec<u8> = sqlx::query_scalar("SELECT data FROM files WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    Ok((meta, data))
}

/// Matters by status among those a query matches (when the counts table cannot answer).
pub async fn counts_by_status_matching(
    conn: &mut AnyConnection,
    q: &LedgerQuery,
) -> StoreResult<Vec<(String, i64)>> {
    let mut sql = Sql::new("SELECT m.status, COUNT(*) FROM matters m");
    q.where_clause(&mut sql);
    sql.push(" GROUP BY m.status");
    Ok(sql.query_as::<(String, i64)>().fetch_all(conn).await?)
}

/// `(id, title, description, status)` a page at a time, to rebuild the similarity index.
pub async fn texts_page(
    conn: &mut AnyConnection,
    after_id: i64,
    limit: i64,
) -> StoreResult<Vec<(i64, String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, title, description, status FROM matters WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

// ---- dates of the past (the demo's history) ----

/// `(id, deadline, status)` of every main matter, oldest first.
pub async fn main_matter_dates(
    conn: &mut AnyConnection,
) -> StoreResult<Vec<(i64, Option<String>, String)>> {
    Ok(
        sqlx::query_as("SELECT id, deadline, status FROM matters WHERE top_level = 1 ORDER BY id")
            .fetch_all(conn)
            .await?,
    )
}

/// Dates a main matter and its children back to `created_at`, and its completion (and
/// acceptance, where it was accepted) to `completed_on`.
pub async fn set_history(
    conn: &mut AnyConnection,
    id: i64,
    created_at: i64,
    completed_on: Option<&str>,
) -> StoreResult<()> {
    sqlx::query("UPDATE matters SET created_at = $1 WHERE id = $2 OR parent_id = $2")
        .bind(created_at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if let Some(day) = completed_on {
        sqlx::query(
            "UPDATE matters SET completed_on = $1,
                accepted_on = CASE WHEN accepted_on IS NULL THEN NULL ELSE $1 END
             WHERE id = $2",
        )
        .bind(day)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// No progress entry before its matter's creation.
pub async fn clamp_progress_times(conn: &mut AnyConnection) -> StoreResult<()> {
    sqlx::query(
        "UPDATE progress_entries SET created_at =
            (SELECT m.created_at FROM matters m WHERE m.id = progress_entries.matter_id)
         WHERE created_at < (SELECT m.created_at FROM matters m WHERE m.id = progress_entries.matter_id)",
    )
    .execute(conn)
    .await?;
    Ok(())
}

fn plain_reason<S: serde::Serializer>(stored: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&shishi_core::reason::plain(stored))
}
