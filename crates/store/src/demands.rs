//! Demands (诉求): rows, steps, co-signers, events, evidence, and the lists that govern them.

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::sql::Sql;
use crate::{StoreError, StoreResult};

/// A demand as handlers see it. The submitter's identity is here for the service to guard;
/// it never leaves the service for an anonymous demand.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct DemandRow {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub category_id: Option<i64>,
    pub channel: String,
    pub channel_details: String,
    pub batch_id: Option<i64>,
    pub submitter_id: Option<i64>,
    pub submitter_name: Option<String>,
    pub anonymous: i64,
    pub contact: String,
    pub recorded_by: Option<i64>,
    pub status: String,
    pub answer: String,
    pub decline_reason_id: Option<i64>,
    pub merged_into: Option<i64>,
    pub matter_id: Option<i64>,
    pub transferred_from: Option<i64>,
    pub accept_due: String,
    pub answer_due: String,
    pub accepted_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

const SELECT: &str = "SELECT d.id, d.title, d.body, d.unit_id, u.name AS unit_name, d.unit_path, d.category_id,
    d.channel, d.channel_details, d.batch_id, d.submitter_id, s.display_name AS submitter_name, d.anonymous,
    d.contact, d.recorded_by, d.status, d.answer, d.decline_reason_id, d.merged_into, d.matter_id,
    d.transferred_from, d.accept_due, d.answer_due, d.accepted_at, d.closed_at, d.created_at, d.updated_at,
    d.version
  FROM demands d JOIN units u ON u.id = d.unit_id LEFT JOIN users s ON s.id = d.submitter_id";

pub struct NewDemand<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub unit_id: i64,
    pub unit_path: &'a str,
    pub category_id: Option<i64>,
    pub channel: &'a str,
    pub channel_details: &'a str,
    pub batch_id: Option<i64>,
    pub submitter_id: Option<i64>,
    pub anonymous: bool,
    pub contact: &'a str,
    pub tracking_code: Option<&'a str>,
    pub recorded_by: Option<i64>,
    pub accept_due: &'a str,
    pub answer_due: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub signature: Option<&'a [u8]>,
    pub now: i64,
}

pub async fn insert(conn: &mut AnyConnection, d: &NewDemand<'_>) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO demands (title, body, unit_id, unit_path, category_id, channel, channel_details, batch_id,
            submitter_id, anonymous, contact, tracking_code, recorded_by, status, accept_due, answer_due,
            idempotency_key, signature, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'submitted', $14, $15, $16, $17, $18, $18)
         RETURNING id",
    )
    .bind(d.title)
    .bind(d.body)
    .bind(d.unit_id)
    .bind(d.unit_path)
    .bind(d.category_id)
    .bind(d.channel)
    .bind(d.channel_details)
    .bind(d.batch_id)
    .bind(d.submitter_id)
    .bind(d.anonymous as i64)
    .bind(d.contact)
    .bind(d.tracking_code)
    .bind(d.recorded_by)
    .bind(d.accept_due)
    .bind(d.answer_due)
    .bind(d.idempotency_key)
    .bind(d.signature.map(|s| s.to_vec()))
    .bind(d.now)
    .fetch_one(conn)
    .await?)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> StoreResult<DemandRow> {
    sqlx::query_as(&format!("{SELECT} WHERE d.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn by_tracking_code(
    conn: &mut AnyConnection,
    code: &str,
) -> StoreResult<Option<DemandRow>> {
    Ok(
        sqlx::query_as(&format!("{SELECT} WHERE d.tracking_code = $1"))
            .bind(code)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn by_idempotency_key(conn: &mut AnyConnection, key: &str) -> StoreResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM demands WHERE idempotency_key = $1")
            .bind(key)
            .fetch_optional(conn)
            .await?,
    )
}

/// Writes the step's outcome, guarded by the version read.
pub async fn save_state(
    conn: &mut AnyConnection,
    next: &DemandRow,
    expected_version: i64,
    now: i64,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE demands SET status = $1, unit_id = $2, unit_path = $3, answer = $4, decline_reason_id = $5,
            merged_into = $6, matter_id = $7, transferred_from = $8, accepted_at = $9, closed_at = $10,
            updated_at = $11, version = version + 1
         WHERE id = $12 AND version = $13",
    )
    .bind(&next.status)
    .bind(next.unit_id)
    .bind(&next.unit_path)
    .bind(&next.answer)
    .bind(next.decline_reason_id)
    .bind(next.merged_into)
    .bind(next.matter_id)
    .bind(next.transferred_from)
    .bind(next.accepted_at)
    .bind(next.closed_at)
    .bind(now)
    .bind(next.id)
    .bind(expected_version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct DemandEventRow {
    pub id: i64,
    pub demand_id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub to_unit_id: Option<i64>,
    pub text: String,
}

pub struct NewEvent<'a> {
    pub demand_id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub from_status: &'a str,
    pub to_status: &'a str,
    pub unit_id: i64,
    pub unit_path: &'a str,
    pub to_unit_id: Option<i64>,
    pub text: &'a str,
    pub due: &'a str,
}

pub async fn insert_event(conn: &mut AnyConnection, e: &NewEvent<'_>) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO demand_events (demand_id, at, actor_id, action, from_status, to_status, unit_id, unit_path, to_unit_id, text, due)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(e.demand_id)
    .bind(e.at)
    .bind(e.actor_id)
    .bind(e.action)
    .bind(e.from_status)
    .bind(e.to_status)
    .bind(e.unit_id)
    .bind(e.unit_path)
    .bind(e.to_unit_id)
    .bind(e.text)
    .bind(e.due)
    .fetch_one(conn)
    .await?)
}

pub async fn events_of(
    conn: &mut AnyConnection,
    demand_id: i64,
) -> StoreResult<Vec<DemandEventRow>> {
    Ok(sqlx::query_as(
        "SELECT e.id, e.demand_id, e.at, e.actor_id, e.action, e.from_status, e.to_status, e.unit_id,
                u.name AS unit_name, e.to_unit_id, e.text
         FROM demand_events e JOIN units u ON u.id = e.unit_id WHERE e.demand_id = $1 ORDER BY e.id",
    )
    .bind(demand_id)
    .fetch_all(conn)
    .await?)
}

// ---- co-signers ----

/// Adds a co-signer; co-signing twice is once.
pub async fn cosign(
    conn: &mut AnyConnection,
    demand_id: i64,
    user_id: i64,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO demand_cosigners (demand_id, user_id, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (demand_id, user_id) DO NOTHING",
    )
    .bind(demand_id)
    .bind(user_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn cosigners(conn: &mut AnyConnection, demand_id: i64) -> StoreResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT user_id FROM demand_cosigners WHERE demand_id = $1 ORDER BY created_at",
    )
    .bind(demand_id)
    .fetch_all(conn)
    .await?)
}

/// How many co-signers each of the demands has (absent: none), in one query.
pub async fn cosigner_counts(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> StoreResult<std::collections::HashMap<i64, i64>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let list = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT demand_id, COUNT(*) FROM demand_cosigners WHERE demand_id IN ({list}) GROUP BY demand_id"
    ))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Moves the co-signers of a merged demand onto the surviving one; the survivor's own
/// submitter (`except`) never becomes a co-signer of their own demand.
pub async fn move_cosigners(
    conn: &mut AnyConnection,
    from: i64,
    to: i64,
    except: Option<i64>,
    now: i64,
) -> StoreResult<()> {
    let from_ids = cosigners(conn, from).await?;
    for user in from_ids.into_iter().filter(|u| Some(*u) != except) {
        cosign(conn, to, user, now).await?;
    }
    Ok(())
}

// ---- the inbox ----

#[derive(Debug, Clone, Default)]
pub struct InboxQuery {
    pub roots: Vec<String>,
    pub statuses: Vec<String>,
    pub channel: Option<String>,
    pub category_id: Option<i64>,
    /// Epoch ms, inclusive / exclusive.
    pub from: Option<i64>,
    pub until: Option<i64>,
    /// Only these ids (a full-text search's hits), when given.
    pub ids: Option<Vec<i64>>,
    pub submitter_or_cosigner: Option<i64>,
    pub oldest_first: bool,
    pub limit: i64,
    pub offset: i64,
}

impl InboxQuery {
    fn where_clause(&self, sql: &mut Sql) {
        if let Some(user) = self.submitter_or_cosigner {
            sql.push(" WHERE (d.submitter_id = ")
                .int(user)
                .push(" OR d.id IN (SELECT demand_id FROM demand_cosigners WHERE user_id = ")
                .int(user)
                .push("))");
        } else {
            sql.push(" WHERE ").paths("d.unit_path", &self.roots);
        }
        if !self.statuses.is_empty() {
            sql.push(" AND ").in_texts("d.status", &self.statuses);
        }
        if let Some(c) = &self.channel {
            sql.push(" AND d.channel = ").text(c.clone());
        }
        if let Some(c) = self.category_id {
            sql.push(" AND d.category_id = ").int(c);
        }
        if let Some(f) = self.from {
            sql.push(" AND d.created_at >= ").int(f);
        }
        if let Some(u) = self.until {
            sql.push(" AND d.created_at < ").int(u);
        }
        if let Some(ids) = &self.ids {
            if ids.is_empty() {
                sql.push(" AND 1 = 0");
            } else {
                let list = ids
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                sql.push(&format!(" AND d.id IN ({list})"));
            }
        }
    }
}

pub async fn inbox(conn: &mut AnyConnection, q: &InboxQuery) -> StoreResult<(Vec<DemandRow>, i64)> {
    let mut count = Sql::new("SELECT COUNT(*) FROM demands d");
    q.where_clause(&mut count);
    let total = count.scalar::<i64>().fetch_one(&mut *conn).await?;
    let mut page = Sql::new(SELECT);
    q.where_clause(&mut page);
    page.push(if q.oldest_first {
        " ORDER BY d.id"
    } else {
        " ORDER BY d.id DESC"
    });
    page.push(" LIMIT ")
        .int(q.limit)
        .push(" OFFSET ")
        .int(q.offset);
    let rows = page.query_as::<DemandRow>().fetch_all(conn).await?;
    Ok((rows, total))
}

/// Open demands with their titles and signatures, a page at a time, to rebuild the similarity
/// index.
pub async fn signatures(
    conn: &mut AnyConnection,
    after_id: i64,
    limit: i64,
) -> StoreResult<Vec<(i64, String, Vec<u8>)>> {
    Ok(sqlx::query_as(
        "SELECT id, title, signature FROM demands
         WHERE id > $1 AND signature IS NOT NULL AND status IN ('submitted', 'accepted') ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

// ---- evidence ----

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct DemandFileMeta {
    pub id: i64,
    pub demand_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_file(
    conn: &mut AnyConnection,
    demand_id: i64,
    filename: &str,
    content_type: &str,
    sha256: &str,
    data: &[u8],
    now: i64,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO demand_files (demand_id, filename, content_type, size, sha256, data, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(demand_id)
    .bind(filename)
    .bind(content_type)
    .bind(data.len() as i64)
    .bind(sha256)
    .bind(data.to_vec())
    .bind(now)
    .fetch_one(conn)
    .await?)
}

pub async fn files_of(
    conn: &mut AnyConnection,
    demand_id: i64,
) -> StoreResult<Vec<DemandFileMeta>> {
    Ok(sqlx::query_as(
        "SELECT id, demand_id, filename, content_type, size, created_at FROM demand_files WHERE demand_id = $1 ORDER BY id",
    )
    .bind(demand_id)
    .fetch_all(conn)
    .await?)
}

pub async fn file(conn: &mut AnyConnection, id: i64) -> StoreResult<(DemandFileMeta, Vec<u8>)> {
    let meta: DemandFileMeta = sqlx::query_as(
        "SELECT id, demand_id, filename, content_type, size, created_at FROM demand_files WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let data: Vec<u8> = sqlx::query_scalar("SELECT data FROM demand_files WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    Ok((meta, data))
}

// ---- lists and limits ----

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ListEntry {
    pub id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub active: i64,
}

pub async fn categories(conn: &mut AnyConnection) -> StoreResult<Vec<ListEntry>> {
    Ok(sqlx::query_as(
        "SELECT id, code, name_zh, name_en, active FROM demand_categories ORDER BY sort_order, id",
    )
    .fetch_all(conn)
    .await?)
}

pub async fn decline_reasons(conn: &mut AnyConnection) -> StoreResult<Vec<ListEntry>> {
    Ok(sqlx::query_as(
        "SELECT id, code, name_zh, name_en, active FROM decline_reasons ORDER BY sort_order, id",
    )
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct LimitRow {
    pub id: i64,
    pub unit_id: i64,
    pub category_id: i64,
    pub accept_days: i64,
    pub answer_days: i64,
}

pub async fn limits(conn: &mut AnyConnection) -> StoreResult<Vec<LimitRow>> {
    Ok(sqlx::query_as("SELECT id, unit_id, category_id, accept_days, answer_days FROM response_limits ORDER BY unit_id, category_id")
        .fetch_all(conn)
        .await?)
}

pub async fn set_limit(
    conn: &mut AnyConnection,
    unit_id: i64,
    category_id: i64,
    accept_days: i64,
    answer_days: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO response_limits (unit_id, category_id, accept_days, answer_days) VALUES ($1, $2, $3, $4)
         ON CONFLICT (unit_id, category_id) DO UPDATE SET accept_days = excluded.accept_days, answer_days = excluded.answer_days",
    )
    .bind(unit_id)
    .bind(category_id)
    .bind(accept_days)
    .bind(answer_days)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert_batch(
    conn: &mut AnyConnection,
    channel: &str,
    unit_id: i64,
    details: &str,
    recorded_by: i64,
    now: i64,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO intake_batches (channel, unit_id, details, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(channel)
    .bind(unit_id)
    .bind(details)
    .bind(recorded_by)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

// ---- response figures ----

/// `(action, event time, demand created, the limit in force at the step)` for the events in
/// the subtree and period, the raw material of the response figures.
pub async fn events_in(
    conn: &mut AnyConnection,
    root: &str,
    from: i64,
    until: i64,
) -> StoreResult<Vec<(String, i64, i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT e.action, e.at, d.created_at, e.due
         FROM demand_events e JOIN demands d ON d.id = e.demand_id
         WHERE e.unit_path >= $1 AND e.unit_path < $2 AND e.at >= $3 AND e.at < $4",
    )
    .bind(root)
    .bind(crate::path_upper_bound(root))
    .bind(from)
    .bind(until)
    .fetch_all(conn)
    .await?)
}

// ---- notifications ----

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct NotificationRow {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub subject_type: String,
    pub subject_id: i64,
    pub params: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub async fn notify(
    conn: &mut AnyConnection,
    user_id: i64,
    kind: &str,
    subject_type: &str,
    subject_id: i64,
    params: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO notifications (user_id, kind, subject_type, subject_id, params, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user_id)
    .bind(kind)
    .bind(subject_type)
    .bind(subject_id)
    .bind(params)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn notifications(
    conn: &mut AnyConnection,
    user_id: i64,
    limit: i64,
) -> StoreResult<Vec<NotificationRow>> {
    Ok(sqlx::query_as(
        "SELECT id, user_id, kind, subject_type, subject_id, params, created_at, read_at FROM notifications
         WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

pub async fn unread_count(conn: &mut AnyConnection, user_id: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(conn)
    .await?)
}

pub async fn mark_read(conn: &mut AnyConnection, user_id: i64, now: i64) -> StoreResult<()> {
    sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
        .bind(now)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn tracking_code(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT tracking_code FROM demands WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?
            .flatten(),
    )
}

/// New limits when a demand changes inbox.
pub async fn set_dues(
    conn: &mut AnyConnection,
    id: i64,
    accept_due: &str,
    answer_due: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE demands SET accept_due = $1, answer_due = $2 WHERE id = $3")
        .bind(accept_due)
        .bind(answer_due)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The two configurable lists of demands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Categories,
    DeclineReasons,
}

impl List {
    fn table(self) -> &'static str {
        match self {
            List::Categories => "demand_categories",
            List::DeclineReasons => "decline_reasons",
        }
    }
}

pub async fn add_entry(
    conn: &mut AnyConnection,
    list: List,
    code: &str,
    name_zh: &str,
    name_en: &str,
) -> StoreResult<i64> {
    let table = list.table();
    Ok(sqlx::query_scalar(&format!(
        "INSERT INTO {table} (code, name_zh, name_en, sort_order)
         VALUES ($1, $2, $3, (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM {table} WHERE sort_order < 99))
         RETURNING id"
    ))
    .bind(code)
    .bind(name_zh)
    .bind(name_en)
    .fetch_one(conn)
    .await?)
}

pub async fn set_entry_active(
    conn: &mut AnyConnection,
    list: List,
    id: i64,
    active: bool,
) -> StoreResult<()> {
    let done = sqlx::query(&format!(
        "UPDATE {} SET active = $1 WHERE id = $2",
        list.table()
    ))
    .bind(active as i64)
    .bind(id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// `(id, title, body)` of every demand, a page at a time, to rebuild the search index.
pub async fn texts_page(
    conn: &mut AnyConnection,
    after_id: i64,
    limit: i64,
) -> StoreResult<Vec<(i64, String, String)>> {
    Ok(
        sqlx::query_as("SELECT id, title, body FROM demands WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after_id)
            .bind(limit)
            .fetch_all(conn)
            .await?,
    )
}
