//! The durable side of notifications: in-app notifications with a once-only key, the delivery
//! outbox (e-mail and webhook calls with their retries), the webhooks set per unit, and the
//! leases that let several servers share the periodic jobs.

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::sql::Sql;
use crate::{StoreError, StoreResult};

/// Claims an occurrence for announcement; false when it was announced before.
pub async fn first_announcement(
    conn: &mut AnyConnection,
    key: &str,
    now: i64,
) -> StoreResult<bool> {
    let fresh: Option<String> = sqlx::query_scalar(
        "INSERT INTO announced (key, at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key",
    )
    .bind(key)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    Ok(fresh.is_some())
}

/// The keys already announced that begin with `prefix`: a sweep over many subjects skips
/// them with one read.
pub async fn announced_with_prefix(
    conn: &mut AnyConnection,
    prefix: &str,
) -> StoreResult<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT key FROM announced WHERE key LIKE $1 ESCAPE '\\'")
            .bind(format!("{}%", crate::like_escape(prefix)))
            .fetch_all(conn)
            .await?,
    )
}

/// An in-app notification that is written once per key; Some(id) when it is new.
#[allow(clippy::too_many_arguments)]
pub async fn notify_once(
    conn: &mut AnyConnection,
    user_id: i64,
    kind: &str,
    subject_type: &str,
    subject_id: i64,
    params: &str,
    dedupe_key: &str,
    now: i64,
) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO notifications (user_id, kind, subject_type, subject_id, params, created_at, dedupe_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(user_id)
    .bind(kind)
    .bind(subject_type)
    .bind(subject_id)
    .bind(params)
    .bind(now)
    .bind(dedupe_key)
    .fetch_optional(conn)
    .await?)
}

/// Where a person's notifications may go besides the in-app inbox.
#[derive(Debug, Clone, FromRow)]
pub struct Recipient {
    pub id: i64,
    pub email: String,
    pub locale: String,
    pub email_notifications: i64,
    pub active: i64,
}

pub async fn recipient(conn: &mut AnyConnection, user_id: i64) -> StoreResult<Recipient> {
    sqlx::query_as("SELECT id, email, locale, email_notifications, active FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn set_preferences(
    conn: &mut AnyConnection,
    user_id: i64,
    locale: &str,
    email_notifications: bool,
) -> StoreResult<()> {
    sqlx::query("UPDATE users SET locale = $1, email_notifications = $2 WHERE id = $3")
        .bind(locale)
        .bind(i64::from(email_notifications))
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

// ---- deliveries ----

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct DeliveryRow {
    pub id: i64,
    pub dedupe_key: String,
    pub channel: String,
    pub user_id: Option<i64>,
    pub webhook_id: Option<i64>,
    pub recipient: String,
    pub event: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub lease_owner: String,
    pub lease_until: i64,
    pub last_error: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

const DELIVERY_SELECT: &str =
    "SELECT id, dedupe_key, channel, user_id, webhook_id, recipient, event,
    subject, body, link, state, attempts, next_attempt_at, lease_owner, lease_until, last_error,
    created_at, sent_at FROM deliveries";

pub struct NewDelivery<'a> {
    pub dedupe_key: &'a str,
    pub channel: &'a str,
    pub user_id: Option<i64>,
    pub webhook_id: Option<i64>,
    pub recipient: &'a str,
    pub event: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub link: &'a str,
    pub now: i64,
}

/// Queues one delivery; None when that key was queued before.
pub async fn enqueue(conn: &mut AnyConnection, d: &NewDelivery<'_>) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO deliveries (dedupe_key, channel, user_id, webhook_id, recipient, event, subject,
            body, link, state, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $10)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(d.dedupe_key)
    .bind(d.channel)
    .bind(d.user_id)
    .bind(d.webhook_id)
    .bind(d.recipient)
    .bind(d.event)
    .bind(d.subject)
    .bind(d.body)
    .bind(d.link)
    .bind(d.now)
    .fetch_optional(conn)
    .await?)
}

/// Takes up to `limit` due deliveries for `owner` until `lease_until`. A row is taken only by
/// the conditional UPDATE that finds its lease free, so two servers never take the same one.
pub async fn claim_due(
    conn: &mut AnyConnection,
    owner: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> StoreResult<Vec<DeliveryRow>> {
    let due: Vec<DeliveryRow> = sqlx::query_as(&format!(
        "{DELIVERY_SELECT} WHERE state = 'pending' AND next_attempt_at <= $1 AND lease_until <= $1
         ORDER BY next_attempt_at, id LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut taken = Vec::with_capacity(due.len());
    for mut row in due {
        let done = sqlx::query(
            "UPDATE deliveries SET lease_owner = $1, lease_until = $2
             WHERE id = $3 AND state = 'pending' AND lease_until <= $4",
        )
        .bind(owner)
        .bind(lease_until)
        .bind(row.id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            row.lease_owner = owner.to_string();
            row.lease_until = lease_until;
            taken.push(row);
        }
    }
    Ok(taken)
}

pub async fn delivery(conn: &mut AnyConnection, id: i64) -> StoreResult<DeliveryRow> {
    sqlx::query_as(&format!("{DELIVERY_SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Records the outcome of one attempt made under `owner`'s lease. `next_attempt_at` None means
/// the delivery is finished: sent when `error` is empty, failed otherwise.
pub async fn record_attempt(
    conn: &mut AnyConnection,
    id: i64,
    owner: &str,
    error: &str,
    next_attempt_at: Option<i64>,
    now: i64,
) -> StoreResult<bool> {
    let (state, sent_at) = match (error.is_empty(), next_attempt_at) {
        (true, _) => ("sent", Some(now)),
        (false, Some(_)) => ("pending", None),
        (false, None) => ("failed", None),
    };
    let done = sqlx::query(
        "UPDATE deliveries SET state = $1, attempts = attempts + 1, last_error = $2,
            next_attempt_at = $3, sent_at = $4, lease_owner = '', lease_until = 0
         WHERE id = $5 AND lease_owner = $6 AND state = 'pending'",
    )
    .bind(state)
    .bind(error)
    .bind(next_attempt_at.unwrap_or(now))
    .bind(sent_at)
    .bind(id)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Puts failed deliveries back in the queue (the admin's "retry").
pub async fn requeue(conn: &mut AnyConnection, ids: &[i64], now: i64) -> StoreResult<u64> {
    let mut n = 0;
    for id in ids {
        n += sqlx::query(
            "UPDATE deliveries SET state = 'pending', next_attempt_at = $1, lease_until = 0
             WHERE id = $2 AND state = 'failed'",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(n)
}

#[derive(Debug, Clone, Default)]
pub struct DeliveryQuery {
    pub states: Vec<String>,
    /// Only deliveries that have failed at least once (pending retries and failed ones).
    pub troubled: bool,
    pub limit: i64,
    pub offset: i64,
}

pub async fn deliveries(
    conn: &mut AnyConnection,
    q: &DeliveryQuery,
) -> StoreResult<(Vec<DeliveryRow>, i64)> {
    let build = |head: &str| {
        let mut sql = Sql::new(head);
        sql.push(" WHERE 1 = 1");
        if !q.states.is_empty() {
            sql.push(" AND ").in_texts("state", &q.states);
        }
        if q.troubled {
            sql.push(" AND last_error <> ''");
        }
        sql
    };
    let total: i64 = build("SELECT COUNT(*) FROM deliveries")
        .scalar()
        .fetch_one(&mut *conn)
        .await?;
    let mut rows = build(DELIVERY_SELECT);
    rows.push(" ORDER BY id DESC LIMIT ")
        .int(q.limit.max(1))
        .push(" OFFSET ")
        .int(q.offset.max(0));
    let list = rows.query_as::<DeliveryRow>().fetch_all(&mut *conn).await?;
    Ok((list, total))
}

/// Counts by state, for the admin's overview and the health of the queue.
pub async fn delivery_counts(conn: &mut AnyConnection) -> StoreResult<Vec<(String, i64)>> {
    Ok(
        sqlx::query_as("SELECT state, COUNT(*) FROM deliveries GROUP BY state ORDER BY state")
            .fetch_all(conn)
            .await?,
    )
}

// ---- webhooks ----

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct WebhookRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub name: String,
    pub kind: String,
    pub url: String,
    #[serde(skip)]
    pub secret: String,
    pub include_subtree: i64,
    pub events: String,
    pub active: i64,
    pub created_at: i64,
}

const WEBHOOK_SELECT: &str =
    "SELECT w.id, w.unit_id, u.name AS unit_name, u.path AS unit_path, w.name,
    w.kind, w.url, w.secret, w.include_subtree, w.events, w.active, w.created_at
  FROM webhooks w JOIN units u ON u.id = w.unit_id";

pub struct NewWebhook<'a> {
    pub unit_id: i64,
    pub name: &'a str,
    pub kind: &'a str,
    pub url: &'a str,
    pub secret: &'a str,
    pub include_subtree: bool,
    pub events: &'a str,
    pub now: i64,
}

pub async fn insert_webhook(conn: &mut AnyConnection, w: &NewWebhook<'_>) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO webhooks (unit_id, name, kind, url, secret, include_subtree, events, active, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) RETURNING id",
    )
    .bind(w.unit_id)
    .bind(w.name)
    .bind(w.kind)
    .bind(w.url)
    .bind(w.secret)
    .bind(i64::from(w.include_subtree))
    .bind(w.events)
    .bind(w.now)
    .fetch_one(conn)
    .await?)
}

pub async fn webhook(conn: &mut AnyConnection, id: i64) -> StoreResult<WebhookRow> {
    sqlx::query_as(&format!("{WEBHOOK_SELECT} WHERE w.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn set_webhook_active(
    conn: &mut AnyConnection,
    id: i64,
    active: bool,
) -> StoreResult<()> {
    sqlx::query("UPDATE webhooks SET active = $1 WHERE id = $2")
        .bind(i64::from(active))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Webhooks set on units in these subtrees (the admin's list).
pub async fn webhooks_in(
    conn: &mut AnyConnection,
    paths: &[String],
) -> StoreResult<Vec<WebhookRow>> {
    let mut q = Sql::new(&format!("{WEBHOOK_SELECT} WHERE "));
    q.paths("u.path", paths);
    q.push(" ORDER BY u.path, w.id");
    Ok(q.query_as::<WebhookRow>().fetch_all(conn).await?)
}

/// The active webhooks that hear about an event in the unit with this path: the unit's own,
/// and those of units above it that include their subtree.
pub async fn webhooks_for(
    conn: &mut AnyConnection,
    unit_path: &str,
) -> StoreResult<Vec<WebhookRow>> {
    let ids = shishi_core::unit::ancestors(unit_path);
    let Some(own) = ids.last().copied() else {
        return Ok(vec![]);
    };
    let list = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    Ok(sqlx::query_as(&format!(
        "{WEBHOOK_SELECT} WHERE w.active = 1 AND w.unit_id IN ({list})
           AND (w.unit_id = $1 OR w.include_subtree = 1) ORDER BY w.id"
    ))
    .bind(own)
    .fetch_all(conn)
    .await?)
}

// ---- jobs ----

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct JobRow {
    pub name: String,
    pub run_at: i64,
    pub lease_owner: String,
    pub lease_until: i64,
    pub runs: i64,
    pub last_started_at: Option<i64>,
    pub last_finished_at: Option<i64>,
    pub last_error: String,
    pub last_summary: String,
}

/// Makes sure a job exists; a new one is due at once.
pub async fn ensure_job(conn: &mut AnyConnection, name: &str) -> StoreResult<()> {
    sqlx::query("INSERT INTO jobs (name, run_at) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes a due job's lease; false when it is not due or another server holds it.
pub async fn claim_job(
    conn: &mut AnyConnection,
    name: &str,
    owner: &str,
    now: i64,
    lease_until: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET lease_owner = $1, lease_until = $2, last_started_at = $3
         WHERE name = $4 AND run_at <= $3 AND lease_until <= $3",
    )
    .bind(owner)
    .bind(lease_until)
    .bind(now)
    .bind(name)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends a run under `owner`'s lease and sets the next one.
pub async fn finish_job(
    conn: &mut AnyConnection,
    name: &str,
    owner: &str,
    next_run_at: i64,
    summary: &str,
    error: &str,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET run_at = $1, lease_owner = '', lease_until = 0, runs = runs + 1,
            last_finished_at = $2, last_summary = $3, last_error = $4
         WHERE name = $5 AND lease_owner = $6",
    )
    .bind(next_run_at)
    .bind(now)
    .bind(summary)
    .bind(error)
    .bind(name)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn jobs(conn: &mut AnyConnection) -> StoreResult<Vec<JobRow>> {
    Ok(sqlx::query_as(
        "SELECT name, run_at, lease_owner, lease_until, runs, last_started_at, last_finished_at,
            last_error, last_summary FROM jobs ORDER BY name",
    )
    .fetch_all(conn)
    .await?)
}

/// The jobs due and free at `now`: a read, so idle rounds take no write lock.
pub async fn due_jobs(conn: &mut AnyConnection, now: i64) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT name FROM jobs WHERE run_at <= $1 AND lease_until <= $1 ORDER BY name",
    )
    .bind(now)
    .fetch_all(conn)
    .await?)
}

/// Whether any delivery is due and free at `now`.
pub async fn deliveries_due(conn: &mut AnyConnection, now: i64) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM deliveries WHERE state = 'pending' AND next_attempt_at <= $1 AND lease_until <= $1 LIMIT 1) d",
    )
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}
