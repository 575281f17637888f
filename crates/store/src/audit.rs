//! The audit trail: append-only and hash-chained. Each event's hash covers its own fields and
//! the previous event's hash, so editing or deleting any row behind the application's back
//! breaks the chain at that row.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, FromRow};

use crate::StoreResult;
use shishi_core::time::now_ms;

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<i64>,
    pub details: String,
    #[serde(skip)]
    pub prev_hash: String,
    #[serde(skip)]
    pub hash: String,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct HistoryRow {
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub details: String,
}

#[allow(clippy::too_many_arguments)]
fn event_hash(
    seq: i64,
    at: i64,
    actor_id: Option<i64>,
    action: &str,
    entity_type: &str,
    entity_id: Option<i64>,
    details: &str,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [
        seq.to_string(),
        at.to_string(),
        actor_id.map(|a| a.to_string()).unwrap_or_default(),
        action.to_string(),
        entity_type.to_string(),
        entity_id.map(|a| a.to_string()).unwrap_or_default(),
        details.to_string(),
        prev_hash.to_string(),
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

/// Appends an event in the caller's transaction, so it commits or rolls back with the change.
pub async fn append(
    conn: &mut AnyConnection,
    actor_id: Option<i64>,
    action: &str,
    entity_type: &str,
    entity_id: Option<i64>,
    details: &serde_json::Value,
) -> StoreResult<i64> {
    // Taking the head row first serialises appenders (a row lock on PostgreSQL).
    let (seq, prev): (i64, String) = sqlx::query_as(
        "UPDATE audit_head SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq, last_hash",
    )
    .fetch_one(&mut *conn)
    .await?;
    let at = now_ms();
    let details = details.to_string();
    let hash = event_hash(
        seq,
        at,
        actor_id,
        action,
        entity_type,
        entity_id,
        &details,
        &prev,
    );
    sqlx::query(
        "INSERT INTO audit_events (seq, at, actor_id, action, entity_type, entity_id, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq)
    .bind(at)
    .bind(actor_id)
    .bind(action)
    .bind(entity_type)
    .bind(entity_id)
    .bind(&details)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}

pub async fn history(
    conn: &mut AnyConnection,
    entity_type: &str,
    entity_id: i64,
) -> StoreResult<Vec<HistoryRow>> {
    Ok(sqlx::query_as(
        "SELECT a.seq, a.at, a.actor_id, u.display_name AS actor_name, a.action, a.details
         FROM audit_events a LEFT JOIN users u ON u.id = a.actor_id
         WHERE a.entity_type = $1 AND a.entity_id = $2 ORDER BY a.seq DESC",
    )
    .bind(entity_type)
    .bind(entity_id)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyOutcome {
    Intact { events: i64 },
    Broken { seq: i64, problem: String },
}

/// Walks the whole chain in pages. The first event that does not fit is named.
pub async fn verify(conn: &mut AnyConnection) -> StoreResult<VerifyOutcome> {
    let mut expected_seq = 1;
    let mut prev = String::new();
    loop {
        let page: Vec<AuditRow> = sqlx::query_as(
            "SELECT seq, at, actor_id, action, entity_type, entity_id, details, prev_hash, hash
             FROM audit_events WHERE seq >= $1 ORDER BY seq LIMIT 5000",
        )
        .bind(expected_seq)
        .fetch_all(&mut *conn)
        .await?;
        if page.is_empty() {
            break;
        }
        for e in page {
            if e.seq != expected_seq {
                return Ok(VerifyOutcome::Broken {
                    seq: expected_seq,
                    problem: format!(
                        "event {expected_seq} is missing (next present is {})",
                        e.seq
                    ),
                });
            }
            if e.prev_hash != prev {
                return Ok(VerifyOutcome::Broken {
                    seq: e.seq,
                    problem: "its link to the previous event does not match".into(),
                });
            }
            let h = event_hash(
                e.seq,
                e.at,
                e.actor_id,
                &e.action,
                &e.entity_type,
                e.entity_id,
                &e.details,
                &e.prev_hash,
            );
            if h != e.hash {
                return Ok(VerifyOutcome::Broken {
                    seq: e.seq,
                    problem: "its content was changed after it was written".into(),
                });
            }
            prev = e.hash;
            expected_seq += 1;
        }
    }
    let (last_seq, last_hash): (i64, String) =
        sqlx::query_as("SELECT last_seq, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
    if last_seq != expected_seq - 1 || last_hash != prev {
        return Ok(VerifyOutcome::Broken {
            seq: expected_seq,
            problem: format!(
                "the chain ends at event {} but {} events were written",
                expected_seq - 1,
                last_seq
            ),
        });
    }
    Ok(VerifyOutcome::Intact {
        events: expected_seq - 1,
    })
}
