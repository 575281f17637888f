//! People, their role grants, web sessions and personal API tokens.

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::sql::Sql;
use crate::{StoreError, StoreResult, like_escape};
use shishi_core::time::now_ms;

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub unit_id: i64,
    pub email: String,
    pub phone: String,
    pub active: i64,
    #[serde(skip)]
    pub failed_logins: i64,
    #[serde(skip)]
    pub locked_until: i64,
    pub created_at: i64,
}

const USER_COLUMNS: &str = "id, username, display_name, password_hash, unit_id, email, phone, active, failed_logins, locked_until, created_at";

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct GrantRow {
    pub id: i64,
    pub user_id: i64,
    pub role: String,
    pub unit_id: i64,
    pub unit_path: String,
    pub unit_name: String,
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub unit_id: i64,
    pub email: &'a str,
    pub phone: &'a str,
}

pub async fn insert(conn: &mut AnyConnection, u: &NewUser<'_>) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO users (username, display_name, password_hash, unit_id, email, phone, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(u.username)
    .bind(u.display_name)
    .bind(u.password_hash)
    .bind(u.unit_id)
    .bind(u.email)
    .bind(u.phone)
    .bind(now_ms())
    .fetch_one(conn)
    .await?)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> StoreResult<UserRow> {
    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn by_username(conn: &mut AnyConnection, username: &str) -> StoreResult<Option<UserRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
    ))
    .bind(username)
    .fetch_optional(conn)
    .await?)
}

/// People whose home unit lies in one of the subtrees, optionally matching a name.
pub async fn list_in_paths(
    conn: &mut AnyConnection,
    paths: &[String],
    query: &str,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<UserRow>, i64)> {
    let filter = |sql: &mut Sql| {
        sql.push(" FROM users u JOIN units un ON un.id = u.unit_id WHERE ")
            .paths("un.path", paths);
        if !query.trim().is_empty() {
            let pattern = format!("%{}%", like_escape(query.trim()));
            sql.push(" AND (u.display_name LIKE ")
                .text(pattern.clone())
                .push(" ESCAPE '\\' OR u.username LIKE ")
                .text(pattern)
                .push(" ESCAPE '\\')");
        }
    };
    let mut count = Sql::new("SELECT COUNT(*)");
    filter(&mut count);
    let total: i64 = count.scalar::<i64>().fetch_one(&mut *conn).await?;
    let cols = USER_COLUMNS
        .split(", ")
        .map(|c| format!("u.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut page = Sql::new(&format!("SELECT {cols}"));
    filter(&mut page);
    page.push(" ORDER BY un.path, u.id LIMIT ")
        .int(limit)
        .push(" OFFSET ")
        .int(offset);
    let rows = page.query_as::<UserRow>().fetch_all(conn).await?;
    Ok((rows, total))
}

pub async fn update_profile(
    conn: &mut AnyConnection,
    id: i64,
    display_name: &str,
    unit_id: i64,
    email: &str,
    phone: &str,
    active: bool,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE users SET display_name = $1, unit_id = $2, email = $3, phone = $4, active = $5 WHERE id = $6",
    )
    .bind(display_name)
    .bind(unit_id)
    .bind(email)
    .bind(phone)
    .bind(active as i64)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_password(conn: &mut AnyConnection, id: i64, hash: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = 0 WHERE id = $2",
    )
    .bind(hash)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Reactivates or deactivates an account, leaving the rest of the profile as it is.
pub async fn set_active(conn: &mut AnyConnection, id: i64, active: bool) -> StoreResult<()> {
    sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
        .bind(active as i64)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

// ---- sign-in throttle ----

/// Counts one sign-in attempt under `key` unless the key is locked; a count whose last attempt
/// is older than `forget_before` starts again at one. Returns the new count, or `None` when
/// the key is locked (nothing is counted then).
///
/// One statement, so simultaneous attempts each add one: on PostgreSQL the second waits for
/// the first's row lock and then sees its count.
pub async fn reserve_attempt(
    conn: &mut AnyConnection,
    key: &str,
    now: i64,
    forget_before: i64,
) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO signin_throttle (key, failures, locked_until, updated_at) VALUES ($1, 1, 0, $2)
         ON CONFLICT (key) DO UPDATE SET
             failures = CASE WHEN signin_throttle.updated_at < $3 THEN 1
                             ELSE signin_throttle.failures + 1 END,
             updated_at = $2
         WHERE signin_throttle.locked_until <= $2
         RETURNING failures",
    )
    .bind(key)
    .bind(now)
    .bind(forget_before)
    .fetch_optional(conn)
    .await?)
}

/// Until when `key` is locked (0: never locked).
pub async fn throttle_locked_until(conn: &mut AnyConnection, key: &str) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT locked_until FROM signin_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(conn)
            .await?
            .unwrap_or(0),
    )
}

/// Locks `key` until the given time; an existing longer lock stays.
pub async fn lock_throttle(conn: &mut AnyConnection, key: &str, until: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE signin_throttle SET locked_until = CASE WHEN locked_until < $1 THEN $1 ELSE locked_until END
         WHERE key = $2",
    )
    .bind(until)
    .bind(key)
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes back one counted attempt that turned out to be a success; a lock stays only while
/// the remaining count still reaches `free`.
pub async fn release_attempt(conn: &mut AnyConnection, key: &str, free: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE signin_throttle SET failures = failures - 1,
             locked_until = CASE WHEN failures - 1 >= $1 THEN locked_until ELSE 0 END
         WHERE key = $2 AND failures > 0",
    )
    .bind(free)
    .bind(key)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets every attempt counted under `key`.
pub async fn clear_throttle(conn: &mut AnyConnection, key: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM signin_throttle WHERE key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Drops counts whose last attempt is older than `before` and that lock nothing any more.
pub async fn prune_throttle(conn: &mut AnyConnection, before: i64, now: i64) -> StoreResult<u64> {
    Ok(
        sqlx::query("DELETE FROM signin_throttle WHERE updated_at < $1 AND locked_until <= $2")
            .bind(before)
            .bind(now)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

const DEVICE_SECRET: &str = "signin.device_key";

/// The key that signs device cookies, if one was made.
pub async fn device_secret(conn: &mut AnyConnection) -> StoreResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(DEVICE_SECRET)
            .fetch_optional(conn)
            .await?,
    )
}

/// Stores `candidate` as the device key unless another server stored one first; returns the
/// key that holds.
pub async fn create_device_secret(
    conn: &mut AnyConnection,
    candidate: &str,
) -> StoreResult<String> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(DEVICE_SECRET)
        .bind(candidate)
        .execute(&mut *conn)
        .await?;
    device_secret(conn).await?.ok_or(StoreError::NotFound)
}

// ---- grants ----

pub async fn grants_of(conn: &mut AnyConnection, user_id: i64) -> StoreResult<Vec<GrantRow>> {
    Ok(sqlx::query_as(
        "SELECT g.id, g.user_id, g.role, g.unit_id, u.path AS unit_path, u.name AS unit_name
         FROM grants g JOIN units u ON u.id = g.unit_id WHERE g.user_id = $1 ORDER BY g.id",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

pub async fn get_grant(conn: &mut AnyConnection, id: i64) -> StoreResult<GrantRow> {
    sqlx::query_as(
        "SELECT g.id, g.user_id, g.role, g.unit_id, u.path AS unit_path, u.name AS unit_name
         FROM grants g JOIN units u ON u.id = g.unit_id WHERE g.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound)
}

pub async fn add_grant(
    conn: &mut AnyConnection,
    user_id: i64,
    role: &str,
    unit_id: i64,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO grants (user_id, role, unit_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(role)
    .bind(unit_id)
    .bind(now_ms())
    .fetch_one(conn)
    .await?)
}

pub async fn remove_grant(conn: &mut AnyConnection, id: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM grants WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Users holding `role` on a unit on the path (an ancestor of, or the unit itself).
pub async fn holders_over(
    conn: &mut AnyConnection,
    role: &str,
    ancestor_ids: &[i64],
) -> StoreResult<Vec<i64>> {
    if ancestor_ids.is_empty() {
        return Ok(vec![]);
    }
    let list = ancestor_ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    Ok(sqlx::query_scalar(&format!(
        "SELECT DISTINCT user_id FROM grants WHERE role = $1 AND unit_id IN ({list})"
    ))
    .bind(role)
    .fetch_all(conn)
    .await?)
}

/// Serialises every change that could leave the organisation without an active system admin
/// of the whole organisation: held until the transaction ends. It is a no-op update of the
/// root unit's row, a row lock on PostgreSQL in SQL both engines speak (SQLite has one writer).
pub async fn lock_root_admins(conn: &mut AnyConnection) -> StoreResult<()> {
    sqlx::query("UPDATE units SET parent_id = parent_id WHERE parent_id IS NULL")
        .execute(conn)
        .await?;
    Ok(())
}

/// Active people holding `role` on a root unit (for system admin: of the whole organisation).
pub async fn active_root_holders(conn: &mut AnyConnection, role: &str) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(DISTINCT g.user_id) FROM grants g
         JOIN units un ON un.id = g.unit_id JOIN users u ON u.id = g.user_id
         WHERE g.role = $1 AND un.parent_id IS NULL AND u.active = 1",
    )
    .bind(role)
    .fetch_one(conn)
    .await?)
}

// ---- sessions ----

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: String,
    pub user_id: i64,
    pub csrf: String,
    pub expires_at: i64,
}

pub async fn insert_session(
    conn: &mut AnyConnection,
    id_hash: &str,
    user_id: i64,
    csrf: &str,
    expires_at: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (id, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(csrf)
    .bind(now_ms())
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn session(conn: &mut AnyConnection, id_hash: &str) -> StoreResult<Option<SessionRow>> {
    Ok(
        sqlx::query_as("SELECT id, user_id, csrf, expires_at FROM sessions WHERE id = $1")
            .bind(id_hash)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn delete_session(conn: &mut AnyConnection, id_hash: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_sessions_of(conn: &mut AnyConnection, user_id: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_expired_sessions(conn: &mut AnyConnection, now: i64) -> StoreResult<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected())
}

// ---- API tokens ----

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub async fn insert_token(
    conn: &mut AnyConnection,
    user_id: i64,
    name: &str,
    token_hash: &str,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(now_ms())
    .fetch_one(conn)
    .await?)
}

pub async fn tokens_of(conn: &mut AnyConnection, user_id: i64) -> StoreResult<Vec<TokenRow>> {
    Ok(sqlx::query_as(
        "SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

/// The user behind a live token, marking it used.
pub async fn use_token(conn: &mut AnyConnection, token_hash: &str) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL RETURNING user_id",
    )
    .bind(now_ms())
    .bind(token_hash)
    .fetch_optional(conn)
    .await?)
}

pub async fn revoke_token(conn: &mut AnyConnection, user_id: i64, id: i64) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(id)
    .bind(user_id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
