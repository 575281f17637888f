//! The counts and rows of a person's to-do page (我的待办): what waits for them, each query
//! bounded by the subtrees (materialised path prefixes) the service passes in, so a person
//! never counts what lies outside their reach. An empty list of roots matches nothing.

use sqlx::AnyConnection;

use crate::StoreResult;
use crate::matters::{MatterRow, SELECT};
use crate::sql::Sql;

/// Demands in one status under the given subtrees.
pub async fn demands_in(
    conn: &mut AnyConnection,
    roots: &[String],
    status: &str,
) -> StoreResult<i64> {
    let mut q = Sql::new("SELECT COUNT(*) FROM demands d WHERE ");
    q.paths("d.unit_path", roots);
    q.push(" AND d.status = ").text(status);
    Ok(q.scalar::<i64>().fetch_one(conn).await?)
}

/// Matters in one status under the given subtrees.
pub async fn matters_in(
    conn: &mut AnyConnection,
    roots: &[String],
    status: &str,
) -> StoreResult<i64> {
    let mut q = Sql::new("SELECT COUNT(*) FROM matters m WHERE ");
    q.paths("m.unit_path", roots);
    q.push(" AND m.status = ").text(status);
    Ok(q.scalar::<i64>().fetch_one(conn).await?)
}

/// Completed matters waiting for this supervisor: under the subtrees they supervise, or naming
/// them as the matter's supervisor. The oldest completion first.
fn awaiting_acceptance(head: &str, roots: &[String], me: i64) -> Sql {
    let mut q = Sql::new(head);
    q.push(" WHERE m.status = 'completed' AND (");
    q.paths("m.unit_path", roots);
    q.push(" OR m.supervisor_id = ").int(me).push(")");
    q
}

pub async fn awaiting_acceptance_count(
    conn: &mut AnyConnection,
    roots: &[String],
    me: i64,
) -> StoreResult<i64> {
    let q = awaiting_acceptance("SELECT COUNT(*) FROM matters m", roots, me);
    Ok(q.scalar::<i64>().fetch_one(conn).await?)
}

pub async fn awaiting_acceptance_rows(
    conn: &mut AnyConnection,
    roots: &[String],
    me: i64,
    limit: i64,
) -> StoreResult<Vec<MatterRow>> {
    let mut q = awaiting_acceptance(SELECT, roots, me);
    q.push(" ORDER BY (m.completed_on IS NULL), m.completed_on, m.id LIMIT ")
        .int(limit.max(1));
    Ok(q.query_as::<MatterRow>().fetch_all(conn).await?)
}

/// Matters with an open supervision order that this person answers for: they are its
/// responsible person, or it lies under a subtree they manage.
fn awaiting_reply(head: &str, manage_roots: &[String], me: i64) -> Sql {
    let mut q = Sql::new(head);
    q.push(
        " WHERE m.id IN (SELECT o.matter_id FROM supervision_orders o WHERE o.state = 'open') AND (m.owner_id = ",
    )
    .int(me)
    .push(" OR ");
    q.paths("m.unit_path", manage_roots);
    q.push(")");
    q
}

pub async fn awaiting_reply_count(
    conn: &mut AnyConnection,
    manage_roots: &[String],
    me: i64,
) -> StoreResult<i64> {
    let q = awaiting_reply("SELECT COUNT(*) FROM matters m", manage_roots, me);
    Ok(q.scalar::<i64>().fetch_one(conn).await?)
}

pub async fn awaiting_reply_rows(
    conn: &mut AnyConnection,
    manage_roots: &[String],
    me: i64,
    limit: i64,
) -> StoreResult<Vec<MatterRow>> {
    let mut q = awaiting_reply(SELECT, manage_roots, me);
    q.push(" ORDER BY m.id LIMIT ").int(limit.max(1));
    Ok(q.query_as::<MatterRow>().fetch_all(conn).await?)
}

/// This person's open work due on or before `horizon` (overdue included), the earliest first.
fn due_soon(head: &str, me: i64, horizon: &str) -> Sql {
    let mut q = Sql::new(head);
    q.push(" WHERE m.owner_id = ")
        .int(me)
        .push(" AND m.status IN ('approved', 'in_progress') AND m.deadline <= ")
        .text(horizon);
    q
}

/// `(overdue, due soon)`: overdue is due before `today`.
pub async fn due_soon_counts(
    conn: &mut AnyConnection,
    me: i64,
    today: &str,
    horizon: &str,
) -> StoreResult<(i64, i64)> {
    let all = due_soon("SELECT COUNT(*) FROM matters m", me, horizon)
        .scalar::<i64>()
        .fetch_one(&mut *conn)
        .await?;
    let mut late = due_soon("SELECT COUNT(*) FROM matters m", me, horizon);
    late.push(" AND m.deadline < ").text(today);
    let late = late.scalar::<i64>().fetch_one(conn).await?;
    Ok((late, all - late))
}

pub async fn due_soon_rows(
    conn: &mut AnyConnection,
    me: i64,
    horizon: &str,
    limit: i64,
) -> StoreResult<Vec<MatterRow>> {
    let mut q = due_soon(SELECT, me, horizon);
    q.push(" ORDER BY m.deadline, m.id LIMIT ")
        .int(limit.max(1));
    Ok(q.query_as::<MatterRow>().fetch_all(conn).await?)
}
