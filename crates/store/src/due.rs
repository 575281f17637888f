//! What the periodic sweeps look for: deadlines coming up, deadlines passed, progress gone
//! quiet. Each query reads open work only, through the deadline and status indexes.

use sqlx::AnyConnection;

use crate::StoreResult;
use crate::matters::{MatterRow, SELECT};

/// Open work due from `from` to `to` (inclusive): the deadline warnings.
pub async fn open_due_between(
    conn: &mut AnyConnection,
    from: &str,
    to: &str,
) -> StoreResult<Vec<MatterRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE m.deadline >= $1 AND m.deadline <= $2
           AND m.status IN ('approved', 'in_progress') ORDER BY m.id"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?)
}

/// Open work past its deadline that has not been announced as late yet.
pub async fn newly_overdue(conn: &mut AnyConnection, today: &str) -> StoreResult<Vec<MatterRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE m.deadline < $1 AND m.status IN ('approved', 'in_progress')
           AND m.overdue_marked_on IS NULL ORDER BY m.id"
    ))
    .bind(today)
    .fetch_all(conn)
    .await?)
}

/// Marks a matter as announced late; false when another sweep did it first.
pub async fn mark_overdue(conn: &mut AnyConnection, id: i64, today: &str) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE matters SET overdue_marked_on = $1 WHERE id = $2 AND overdue_marked_on IS NULL",
    )
    .bind(today)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Open work with no progress entry since `cutoff` (epoch ms), with the time of its last
/// sign of life (the last entry, or its creation).
pub async fn quiet_since(
    conn: &mut AnyConnection,
    cutoff: i64,
) -> StoreResult<Vec<(MatterRow, i64)>> {
    let quiet: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, last FROM (
            SELECT m.id, COALESCE((SELECT MAX(p.created_at) FROM progress_entries p WHERE p.matter_id = m.id), m.created_at) AS last
            FROM matters m WHERE m.status IN ('approved', 'in_progress')
         ) q WHERE last < $1 ORDER BY id",
    )
    .bind(cutoff)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(quiet.len());
    for chunk in quiet.chunks(500) {
        let ids = chunk
            .iter()
            .map(|(id, _)| id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let rows: Vec<MatterRow> =
            sqlx::query_as(&format!("{SELECT} WHERE m.id IN ({ids}) ORDER BY m.id"))
                .fetch_all(&mut *conn)
                .await?;
        // Both lists are in id order.
        out.extend(rows.into_iter().zip(chunk.iter().map(|(_, last)| *last)));
    }
    Ok(out)
}

/// The Beijing date of the latest completion claim.
pub async fn note_completed(conn: &mut AnyConnection, id: i64, day: &str) -> StoreResult<()> {
    set_column(
        conn,
        "UPDATE matters SET completed_on = $1 WHERE id = $2",
        id,
        day,
    )
    .await
}

/// The Beijing date of the latest acceptance: the evaluation window counts from here.
pub async fn note_accepted(conn: &mut AnyConnection, id: i64, day: &str) -> StoreResult<()> {
    set_column(
        conn,
        "UPDATE matters SET accepted_on = $1 WHERE id = $2",
        id,
        day,
    )
    .await
}

/// Acceptance returned the work (counted as a return).
pub async fn count_return(conn: &mut AnyConnection, id: i64) -> StoreResult<()> {
    bump(
        conn,
        "UPDATE matters SET return_count = return_count + 1 WHERE id = $1",
        id,
    )
    .await
}

/// The work was reopened after a dissatisfied verdict (重办, counted as rework); the next
/// acceptance asks the requesters again, in a new round.
pub async fn count_rework(conn: &mut AnyConnection, id: i64) -> StoreResult<()> {
    bump(
        conn,
        "UPDATE matters SET rework_count = rework_count + 1 WHERE id = $1",
        id,
    )
    .await
}

async fn set_column(conn: &mut AnyConnection, sql: &str, id: i64, value: &str) -> StoreResult<()> {
    sqlx::query(sql).bind(value).bind(id).execute(conn).await?;
    Ok(())
}

async fn bump(conn: &mut AnyConnection, sql: &str, id: i64) -> StoreResult<()> {
    sqlx::query(sql).bind(id).execute(conn).await?;
    Ok(())
}
