//! Supervision orders (督办单) and deadline extension requests (延期申请) on matters.

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::sql::Sql;
use crate::{StoreError, StoreResult};

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct OrderRow {
    pub id: i64,
    pub matter_id: i64,
    pub matter_title: String,
    pub matter_owner_id: Option<i64>,
    pub unit_path: String,
    pub level: String,
    pub requirement: String,
    pub reply_due: String,
    pub attention_unit_id: i64,
    pub attention_unit_name: String,
    pub state: String,
    pub issued_by: Option<i64>,
    pub issued_by_name: Option<String>,
    pub escalated_from: Option<i64>,
    pub reply: String,
    pub replied_by: Option<i64>,
    pub replied_by_name: Option<String>,
    pub replied_at: Option<i64>,
    pub progress_id: Option<i64>,
    pub closed_by: Option<i64>,
    pub closed_at: Option<i64>,
    pub close_note: String,
    pub created_at: i64,
}

const ORDER_SELECT: &str = "SELECT o.id, o.matter_id, m.title AS matter_title, m.owner_id AS matter_owner_id,
    o.unit_path, o.level, o.requirement, o.reply_due, o.attention_unit_id, u.name AS attention_unit_name,
    o.state, o.issued_by, i.display_name AS issued_by_name, o.escalated_from, o.reply, o.replied_by,
    r.display_name AS replied_by_name, o.replied_at, o.progress_id, o.closed_by, o.closed_at, o.close_note,
    o.created_at
  FROM supervision_orders o
  JOIN matters m ON m.id = o.matter_id
  JOIN units u ON u.id = o.attention_unit_id
  LEFT JOIN users i ON i.id = o.issued_by
  LEFT JOIN users r ON r.id = o.replied_by";

pub struct NewOrder<'a> {
    pub matter_id: i64,
    pub unit_path: &'a str,
    pub level: &'a str,
    pub requirement: &'a str,
    pub reply_due: &'a str,
    pub attention_unit_id: i64,
    pub issued_by: Option<i64>,
    pub escalated_from: Option<i64>,
    pub now: i64,
}

pub async fn insert_order(conn: &mut AnyConnection, o: &NewOrder<'_>) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO supervision_orders (matter_id, unit_path, level, requirement, reply_due,
            attention_unit_id, state, issued_by, escalated_from, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9) RETURNING id",
    )
    .bind(o.matter_id)
    .bind(o.unit_path)
    .bind(o.level)
    .bind(o.requirement)
    .bind(o.reply_due)
    .bind(o.attention_unit_id)
    .bind(o.issued_by)
    .bind(o.escalated_from)
    .bind(o.now)
    .fetch_one(&mut *conn)
    .await?;
    bump_open_orders(conn, o.matter_id, 1).await?;
    Ok(id)
}

async fn bump_open_orders(conn: &mut AnyConnection, matter_id: i64, by: i64) -> StoreResult<()> {
    sqlx::query("UPDATE matters SET open_orders = open_orders + $1 WHERE id = $2")
        .bind(by)
        .bind(matter_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn order(conn: &mut AnyConnection, id: i64) -> StoreResult<OrderRow> {
    sqlx::query_as(&format!("{ORDER_SELECT} WHERE o.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn orders_of(conn: &mut AnyConnection, matter_id: i64) -> StoreResult<Vec<OrderRow>> {
    Ok(sqlx::query_as(&format!(
        "{ORDER_SELECT} WHERE o.matter_id = $1 ORDER BY o.id DESC"
    ))
    .bind(matter_id)
    .fetch_all(conn)
    .await?)
}

/// Moves an order from one state to another; false when it was no longer in `from` (someone
/// else, or another server's sweep, got there first).
pub async fn set_order_state(
    conn: &mut AnyConnection,
    id: i64,
    from: &str,
    to: &str,
) -> StoreResult<bool> {
    let matter_id: Option<i64> = sqlx::query_scalar(
        "UPDATE supervision_orders SET state = $1 WHERE id = $2 AND state = $3 RETURNING matter_id",
    )
    .bind(to)
    .bind(id)
    .bind(from)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(matter_id) = matter_id else {
        return Ok(false);
    };
    // Open and replied orders both keep the matter under supervision until closed.
    let live = |s: &str| s == "open" || s == "replied";
    match (live(from), live(to)) {
        (true, false) => bump_open_orders(conn, matter_id, -1).await?,
        (false, true) => bump_open_orders(conn, matter_id, 1).await?,
        _ => {}
    }
    Ok(true)
}

pub async fn record_reply(
    conn: &mut AnyConnection,
    id: i64,
    reply: &str,
    by: i64,
    progress_id: Option<i64>,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE supervision_orders SET reply = $1, replied_by = $2, replied_at = $3, progress_id = $4 WHERE id = $5",
    )
    .bind(reply)
    .bind(by)
    .bind(now)
    .bind(progress_id)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn record_close(
    conn: &mut AnyConnection,
    id: i64,
    note: &str,
    by: i64,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE supervision_orders SET close_note = $1, closed_by = $2, closed_at = $3 WHERE id = $4",
    )
    .bind(note)
    .bind(by)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct OrderQuery {
    /// Materialised path prefixes the reader may see (any of them).
    pub paths: Vec<String>,
    pub states: Vec<String>,
    pub level: Option<String>,
    /// Open orders whose reply is due before this date (overdue replies).
    pub due_before: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn board_sql(head: &str, q: &OrderQuery) -> Sql {
    let mut sql = Sql::new(head);
    sql.push(" WHERE ").paths("o.unit_path", &q.paths);
    if !q.states.is_empty() {
        sql.push(" AND ").in_texts("o.state", &q.states);
    }
    if let Some(level) = &q.level {
        sql.push(" AND o.level = ").text(level.clone());
    }
    if let Some(d) = &q.due_before {
        sql.push(" AND o.state = 'open' AND o.reply_due < ")
            .text(d.clone());
    }
    sql
}

/// The supervision board (督办事项清单), newest first, with the total matching.
pub async fn board(conn: &mut AnyConnection, q: &OrderQuery) -> StoreResult<(Vec<OrderRow>, i64)> {
    let count = board_sql("SELECT COUNT(*) FROM supervision_orders o", q);
    let total: i64 = count.scalar().fetch_one(&mut *conn).await?;
    let mut rows = board_sql(ORDER_SELECT, q);
    rows.push(" ORDER BY o.id DESC LIMIT ")
        .int(q.limit.max(1))
        .push(" OFFSET ")
        .int(q.offset.max(0));
    let list = rows.query_as::<OrderRow>().fetch_all(&mut *conn).await?;
    Ok((list, total))
}

/// Open orders whose reply date has passed: the escalation sweep's work.
pub async fn overdue_open(conn: &mut AnyConnection, today: &str) -> StoreResult<Vec<OrderRow>> {
    Ok(sqlx::query_as(&format!(
        "{ORDER_SELECT} WHERE o.state = 'open' AND o.reply_due < $1 ORDER BY o.id"
    ))
    .bind(today)
    .fetch_all(conn)
    .await?)
}

/// Open orders due on exactly this date: the reply-due reminder.
pub async fn open_due_on(conn: &mut AnyConnection, day: &str) -> StoreResult<Vec<OrderRow>> {
    Ok(sqlx::query_as(&format!(
        "{ORDER_SELECT} WHERE o.state = 'open' AND o.reply_due = $1 ORDER BY o.id"
    ))
    .bind(day)
    .fetch_all(conn)
    .await?)
}

// ---- extensions ----

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ExtensionRow {
    pub id: i64,
    pub matter_id: i64,
    pub matter_title: String,
    pub unit_path: String,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub current_deadline: String,
    pub proposed_deadline: String,
    pub reason: String,
    pub state: String,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_note: String,
    pub created_at: i64,
}

const EXT_SELECT: &str =
    "SELECT e.id, e.matter_id, m.title AS matter_title, m.unit_path, e.requested_by,
    r.display_name AS requested_by_name, e.current_deadline, e.proposed_deadline, e.reason, e.state,
    e.decided_by, d.display_name AS decided_by_name, e.decided_at, e.decision_note, e.created_at
  FROM extension_requests e
  JOIN matters m ON m.id = e.matter_id
  JOIN users r ON r.id = e.requested_by
  LEFT JOIN users d ON d.id = e.decided_by";

pub struct NewExtension<'a> {
    pub matter_id: i64,
    pub requested_by: i64,
    pub current_deadline: &'a str,
    pub proposed_deadline: &'a str,
    pub reason: &'a str,
    pub now: i64,
}

pub async fn insert_extension(conn: &mut AnyConnection, e: &NewExtension<'_>) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO extension_requests (matter_id, requested_by, current_deadline, proposed_deadline, reason, state, created_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id",
    )
    .bind(e.matter_id)
    .bind(e.requested_by)
    .bind(e.current_deadline)
    .bind(e.proposed_deadline)
    .bind(e.reason)
    .bind(e.now)
    .fetch_one(conn)
    .await?)
}

pub async fn extension(conn: &mut AnyConnection, id: i64) -> StoreResult<ExtensionRow> {
    sqlx::query_as(&format!("{EXT_SELECT} WHERE e.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn extensions_of(
    conn: &mut AnyConnection,
    matter_id: i64,
) -> StoreResult<Vec<ExtensionRow>> {
    Ok(sqlx::query_as(&format!(
        "{EXT_SELECT} WHERE e.matter_id = $1 ORDER BY e.id DESC"
    ))
    .bind(matter_id)
    .fetch_all(conn)
    .await?)
}

/// Pending requests under any of these path prefixes (none matches nothing), oldest first.
pub async fn pending_extensions(
    conn: &mut AnyConnection,
    paths: &[String],
    limit: i64,
) -> StoreResult<Vec<ExtensionRow>> {
    let mut q = Sql::new(&format!("{EXT_SELECT} WHERE e.state = 'pending' AND "));
    q.paths("m.unit_path", paths);
    q.push(" ORDER BY e.id LIMIT ").int(limit.max(1));
    Ok(q.query_as::<ExtensionRow>().fetch_all(conn).await?)
}

/// Decides a pending request; false when it was already decided.
pub async fn decide_extension(
    conn: &mut AnyConnection,
    id: i64,
    state: &str,
    by: i64,
    note: &str,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE extension_requests SET state = $1, decided_by = $2, decided_at = $3, decision_note = $4
         WHERE id = $5 AND state = 'pending'",
    )
    .bind(state)
    .bind(by)
    .bind(now)
    .bind(note)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An approved extension: the new deadline, one more extension, lateness to be judged afresh.
/// The original deadline stays as it was set at approval.
pub async fn extend_deadline(
    conn: &mut AnyConnection,
    matter: &crate::matters::MatterRow,
    new_deadline: &str,
    now: i64,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE matters SET deadline = $1, original_deadline = COALESCE(original_deadline, deadline),
            extension_count = extension_count + 1, overdue_marked_on = NULL, updated_at = $2,
            version = version + 1
         WHERE id = $3 AND version = $4",
    )
    .bind(new_deadline)
    .bind(now)
    .bind(matter.id)
    .bind(matter.version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    crate::matters::move_open_deadline(conn, matter, Some(new_deadline)).await
}
