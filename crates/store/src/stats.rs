//! The raw counts of the reports, per unit (the unit itself, never its subtree): the report
//! crate rolls them up the tree. Each query reads either a counts table or only the rows of the
//! period through an index that covers it, so a table stays cheap at a million matters.
//!
//! Each query returns one row per unit of the subtree asked for (or per content area), never
//! per matter, so what crosses from the database is bounded by the number of units.

use sqlx::AnyConnection;

use crate::{StoreResult, packed, path_upper_bound};

/// The units of the subtree under `root`, as a condition on a `unit_id` column.
const IN_SUBTREE: &str = "unit_id IN (SELECT id FROM units WHERE path >= $1 AND path < $2)";
/// The same on the matters: the unary plus keeps SQLite's planner from picking an index for
/// the unit (it once skip-scanned the completion index for the overdue count, 5× slower);
/// the period's own index must lead.
const MATTER_IN_SUBTREE: &str = "+unit_id IN (SELECT id FROM units WHERE path >= $1 AND path < $2)";

/// The days a table's figures are read for: `[from, until)` in epoch ms for creations, the
/// Beijing dates `first..=last` for completions, and the day overdue is counted against.
#[derive(Debug, Clone)]
pub struct FigureDays {
    pub from: i64,
    pub until: i64,
    pub first: String,
    pub last: String,
    pub today: String,
}

/// The own figures (not the subtree's) of every unit of a subtree that has any, as a
/// statistics table reads them. Each list comes out of the database as one packed value (see
/// `packed`): at 10,000 units, carrying the rows one by one cost more than the SQL behind them.
#[derive(Debug, Clone, Default)]
pub struct UnitFigures {
    /// `(unit, not started, in progress, completed, suspended)` main matters now.
    pub own: Vec<(i64, i64, i64, i64, i64)>,
    /// `(unit, content area or 0, main matters)` created in the period and counted in the
    /// ledger's total (neither proposed nor cancelled now).
    pub created: Vec<(i64, i64, i64)>,
    /// `(unit, content area or 0, main matters, on time against the original deadline, on time
    /// against the current one)` whose completion was claimed in the period and that are still
    /// completed (or accepted, or closed).
    pub completed: Vec<(i64, i64, i64, i64, i64)>,
    /// `(unit, main matters)` open whose deadline is before `today`.
    pub overdue: Vec<(i64, i64)>,
}

pub async fn unit_figures(
    conn: &mut AnyConnection,
    root: &str,
    days: &FigureDays,
) -> StoreResult<UnitFigures> {
    let upper = path_upper_bound(root);
    let own = packed::ints_sql(
        &["unit_id", "a", "b", "c", "d"],
        &format!(
            "SELECT unit_id,
                SUM(CASE WHEN status = 'approved' THEN n ELSE 0 END) AS a,
                SUM(CASE WHEN status = 'in_progress' THEN n ELSE 0 END) AS b,
                SUM(CASE WHEN status IN ('completed', 'accepted', 'closed') THEN n ELSE 0 END) AS c,
                SUM(CASE WHEN status = 'suspended' THEN n ELSE 0 END) AS d
             FROM unit_counts WHERE {IN_SUBTREE} AND n <> 0 GROUP BY unit_id"
        ),
    );
    let own: Option<String> = sqlx::query_scalar(&own)
        .bind(root)
        .bind(&upper)
        .fetch_one(&mut *conn)
        .await?;
    let created = packed::ints_sql(
        &["unit_id", "area", "n"],
        &format!(
            "SELECT unit_id, COALESCE(content_area_id, 0) AS area, COUNT(*) AS n FROM matters
             WHERE created_at >= $3 AND created_at < $4 AND top_level = 1
               AND status NOT IN ('proposed', 'cancelled') AND {MATTER_IN_SUBTREE}
             GROUP BY unit_id, COALESCE(content_area_id, 0)"
        ),
    );
    let created: Option<String> = sqlx::query_scalar(&created)
        .bind(root)
        .bind(&upper)
        .bind(days.from)
        .bind(days.until)
        .fetch_one(&mut *conn)
        .await?;
    let completed = packed::ints_sql(
        &[
            "unit_id",
            "area",
            "n",
            "on_time_original",
            "on_time_current",
        ],
        &format!(
            "SELECT unit_id, COALESCE(content_area_id, 0) AS area, COUNT(*) AS n, {ON_TIME}
             FROM matters
             WHERE completed_on >= $3 AND completed_on <= $4 AND top_level = 1
               AND status IN ('completed', 'accepted', 'closed') AND {MATTER_IN_SUBTREE}
             GROUP BY unit_id, COALESCE(content_area_id, 0)"
        ),
    );
    let completed: Option<String> = sqlx::query_scalar(&completed)
        .bind(root)
        .bind(&upper)
        .bind(&days.first)
        .bind(&days.last)
        .fetch_one(&mut *conn)
        .await?;
    let overdue = packed::ints_sql(
        &["unit_id", "n"],
        &format!(
            "SELECT unit_id, COUNT(*) AS n FROM matters
             WHERE status IN ('approved', 'in_progress') AND deadline < $3 AND top_level = 1
               AND {MATTER_IN_SUBTREE}
             GROUP BY unit_id"
        ),
    );
    let overdue: Option<String> = sqlx::query_scalar(&overdue)
        .bind(root)
        .bind(&upper)
        .bind(&days.today)
        .fetch_one(&mut *conn)
        .await?;
    Ok(UnitFigures {
        own: packed::int_rows::<5>(own.as_deref())?
            .into_iter()
            .map(|[u, a, b, c, d]| (u, a, b, c, d))
            .collect(),
        created: packed::int_rows::<3>(created.as_deref())?
            .into_iter()
            .map(|[u, area, n]| (u, area, n))
            .collect(),
        completed: packed::int_rows::<5>(completed.as_deref())?
            .into_iter()
            .map(|[u, area, n, orig, cur]| (u, area, n, orig, cur))
            .collect(),
        overdue: packed::int_rows::<2>(overdue.as_deref())?
            .into_iter()
            .map(|[u, n]| (u, n))
            .collect(),
    })
}

/// On time against the original deadline (or the deadline, where none was kept) and against
/// the current one, over completed matters.
const ON_TIME: &str = "CAST(SUM(CASE WHEN COALESCE(original_deadline, deadline) IS NULL
                            OR completed_on <= COALESCE(original_deadline, deadline) THEN 1 ELSE 0 END) AS BIGINT)
                AS on_time_original,
            CAST(SUM(CASE WHEN deadline IS NULL OR completed_on <= deadline THEN 1 ELSE 0 END) AS BIGINT)
                AS on_time_current";

/// Main matters whose completion was claimed on a Beijing date in `[first, last]` and that are
/// still completed (or accepted, or closed), by unit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CompletedGroup {
    /// The unit.
    pub key: i64,
    pub completed: i64,
    /// On or before the original deadline (or the deadline, where none was kept).
    pub on_time_original: i64,
    /// On or before the current deadline, extensions included.
    pub on_time_current: i64,
}

pub async fn completed_in(
    conn: &mut AnyConnection,
    root: &str,
    first: &str,
    last: &str,
) -> StoreResult<Vec<CompletedGroup>> {
    Ok(sqlx::query_as(&format!(
        "SELECT unit_id AS key, COUNT(*) AS completed, {ON_TIME}
         FROM matters
         WHERE completed_on >= $3 AND completed_on <= $4 AND top_level = 1
           AND status IN ('completed', 'accepted', 'closed') AND {MATTER_IN_SUBTREE}
         GROUP BY unit_id"
    ))
    .bind(root)
    .bind(path_upper_bound(root))
    .bind(first)
    .bind(last)
    .fetch_all(conn)
    .await?)
}

/// `(unit, action, at, limit in force)` of the demand steps taken in `[from, until)` that the
/// reports count.
pub async fn demand_steps_in(
    conn: &mut AnyConnection,
    root: &str,
    from: i64,
    until: i64,
) -> StoreResult<Vec<(i64, String, i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT unit_id, action, at, due FROM demand_events
         WHERE at >= $3 AND at < $4 AND action IN ('submit', 'accept', 'answer', 'adopt')
           AND unit_path >= $1 AND unit_path < $2",
    )
    .bind(root)
    .bind(path_upper_bound(root))
    .bind(from)
    .bind(until)
    .fetch_all(conn)
    .await?)
}

/// `(unit of the matter, orders)` of the supervision orders still waiting on the unit or the
/// supervisor (open or replied, not yet closed or escalated into a new order).
pub async fn open_orders(conn: &mut AnyConnection, root: &str) -> StoreResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT m.unit_id, COUNT(*) FROM supervision_orders o JOIN matters m ON m.id = o.matter_id
         WHERE o.state IN ('open', 'replied') AND o.unit_path >= $1 AND o.unit_path < $2
         GROUP BY m.unit_id",
    )
    .bind(root)
    .bind(path_upper_bound(root))
    .fetch_all(conn)
    .await?)
}

/// `(unit, content area or 0, status, main matters)` of the given units' subtrees.
pub async fn subtree_area_counts(
    conn: &mut AnyConnection,
    unit_ids: &[i64],
) -> StoreResult<Vec<(i64, i64, String, i64)>> {
    if unit_ids.is_empty() {
        return Ok(vec![]);
    }
    let ids = unit_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    Ok(sqlx::query_as(&format!(
        "SELECT unit_id, content_area_id, status, n FROM subtree_area_counts
         WHERE unit_id IN ({ids}) AND n <> 0"
    ))
    .fetch_all(conn)
    .await?)
}

// ---- the assessment ----

/// A demand received in the period, as the assessment reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReceivedDemand {
    pub unit_id: i64,
    pub status: String,
    pub accept_due: String,
    /// The first response: acceptance, or the step that closed it without one.
    pub responded_at: Option<i64>,
    /// Adopted into a matter that is completed, accepted or closed now.
    pub matter_done: i64,
}

pub async fn demands_received(
    conn: &mut AnyConnection,
    from: i64,
    until: i64,
) -> StoreResult<Vec<ReceivedDemand>> {
    Ok(sqlx::query_as(
        "SELECT d.unit_id, d.status, d.accept_due, COALESCE(d.accepted_at, d.closed_at) AS responded_at,
            CASE WHEN m.status IN ('completed', 'accepted', 'closed') THEN 1 ELSE 0 END AS matter_done
         FROM demands d LEFT JOIN matters m ON m.id = d.matter_id
         WHERE d.created_at >= $1 AND d.created_at < $2",
    )
    .bind(from)
    .bind(until)
    .fetch_all(conn)
    .await?)
}

/// `(unit path, verdict, verdicts)` given in `[from, until)` on matters and demands of the
/// subtree under `root` (the unit the request was about when it was asked).
pub async fn verdicts_in(
    conn: &mut AnyConnection,
    root: &str,
    from: i64,
    until: i64,
) -> StoreResult<Vec<(String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT unit_path, verdict, COUNT(*) FROM evaluations
         WHERE state = 'rated' AND unit_path >= $1 AND unit_path < $2
           AND rated_at >= $3 AND rated_at < $4 AND verdict IS NOT NULL
         GROUP BY unit_path, verdict",
    )
    .bind(root)
    .bind(path_upper_bound(root))
    .bind(from)
    .bind(until)
    .fetch_all(conn)
    .await?)
}

/// `(unit, main matters)` completed in `[first, last]` that were reworked at least once.
pub async fn reworked_in(
    conn: &mut AnyConnection,
    first: &str,
    last: &str,
) -> StoreResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT unit_id, COUNT(*) FROM matters
         WHERE completed_on >= $1 AND completed_on <= $2 AND top_level = 1
           AND status IN ('completed', 'accepted', 'closed') AND rework_count > 0
         GROUP BY unit_id",
    )
    .bind(first)
    .bind(last)
    .fetch_all(conn)
    .await?)
}

// ---- the quarterly review pack ----

/// A matter as the review pack lists it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct PackMatter {
    pub id: i64,
    pub title: String,
    pub unit_name: String,
    pub owner_name: Option<String>,
    pub deadline: Option<String>,
    pub status: String,
    pub progress: i64,
    pub rework_count: i64,
}

const PACK_MATTER: &str =
    "SELECT m.id, m.title, un.name AS unit_name, o.display_name AS owner_name,
    m.deadline, m.status, m.progress, m.rework_count
  FROM matters m JOIN units un ON un.id = m.unit_id LEFT JOIN users o ON o.id = m.owner_id";

/// Open main matters of the subtree past their deadline, the longest overdue first.
pub async fn overdue_matters(
    conn: &mut AnyConnection,
    root: &str,
    today: &str,
    limit: i64,
) -> StoreResult<Vec<PackMatter>> {
    Ok(sqlx::query_as(&format!(
        "{PACK_MATTER} WHERE m.status IN ('approved', 'in_progress') AND m.deadline < $1
           AND m.top_level = 1 AND m.unit_path >= $2 AND m.unit_path < $3
         ORDER BY m.deadline, m.id LIMIT {limit}"
    ))
    .bind(today)
    .bind(root)
    .bind(path_upper_bound(root))
    .fetch_all(conn)
    .await?)
}

/// Matters of the subtree sent back for rework by a dissatisfied verdict given in `[from, until)`.
pub async fn reworked_matters(
    conn: &mut AnyConnection,
    root: &str,
    from: i64,
    until: i64,
    limit: i64,
) -> StoreResult<Vec<PackMatter>> {
    Ok(sqlx::query_as(&format!(
        "{PACK_MATTER} WHERE m.rework_count > 0 AND m.unit_path >= $1 AND m.unit_path < $2
           AND m.id IN (SELECT subject_id FROM evaluations WHERE subject_type = 'matter'
                        AND verdict = 'dissatisfied' AND rated_at >= $3 AND rated_at < $4)
         ORDER BY m.unit_path, m.id LIMIT {limit}"
    ))
    .bind(root)
    .bind(path_upper_bound(root))
    .bind(from)
    .bind(until)
    .fetch_all(conn)
    .await?)
}

/// A dissatisfied verdict as the pack shows it: what was judged and what was said, never who.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct PackVerdict {
    pub subject_type: String,
    pub subject_id: i64,
    pub title: String,
    pub unit_name: String,
    pub comment: String,
    pub rated_at: i64,
}

pub async fn dissatisfied_verdicts(
    conn: &mut AnyConnection,
    root: &str,
    from: i64,
    until: i64,
    limit: i64,
) -> StoreResult<Vec<PackVerdict>> {
    Ok(sqlx::query_as(&format!(
        "SELECT e.subject_type, e.subject_id,
            COALESCE(m.title, d.title) AS title, un.name AS unit_name, e.comment, e.rated_at
         FROM evaluations e
         JOIN demands d ON d.id = e.demand_id
         LEFT JOIN matters m ON e.subject_type = 'matter' AND m.id = e.subject_id
         JOIN units un ON un.id = COALESCE(m.unit_id, d.unit_id)
         WHERE e.verdict = 'dissatisfied' AND e.rated_at >= $1 AND e.rated_at < $2
           AND e.unit_path >= $3 AND e.unit_path < $4
         ORDER BY e.rated_at DESC, e.id DESC LIMIT {limit}"
    ))
    .bind(from)
    .bind(until)
    .bind(root)
    .bind(path_upper_bound(root))
    .fetch_all(conn)
    .await?)
}

/// A supervision order issued in the period.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct PackOrder {
    pub id: i64,
    pub matter_id: i64,
    pub matter_title: String,
    pub unit_name: String,
    pub level: String,
    pub state: String,
    pub reply_due: String,
    pub created_at: i64,
}

pub async fn orders_issued(
    conn: &mut AnyConnection,
    root: &str,
    from: i64,
    until: i64,
    limit: i64,
) -> StoreResult<Vec<PackOrder>> {
    Ok(sqlx::query_as(&format!(
        "SELECT o.id, o.matter_id, m.title AS matter_title, un.name AS unit_name, o.level, o.state,
            o.reply_due, o.created_at
         FROM supervision_orders o JOIN matters m ON m.id = o.matter_id JOIN units un ON un.id = m.unit_id
         WHERE o.created_at >= $1 AND o.created_at < $2 AND o.unit_path >= $3 AND o.unit_path < $4
         ORDER BY o.created_at DESC, o.id DESC LIMIT {limit}"
    ))
    .bind(from)
    .bind(until)
    .bind(root)
    .bind(path_upper_bound(root))
    .fetch_all(conn)
    .await?)
}
