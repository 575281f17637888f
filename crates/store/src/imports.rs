//! What an Excel import needs beyond the ordinary writes: the key that finds an imported matter
//! again, the matters already in the units a sheet names, the people a sheet names, the unit
//! names importers mapped to units, and workbooks kept between a dry run and its confirmation.

use std::collections::{BTreeMap, HashMap, HashSet};

use sqlx::{AnyConnection, FromRow};

use crate::StoreResult;
use crate::sql::Sql;

/// Lists longer than this are asked in several queries: both engines cap the parameters of one
/// statement, and a ledger of 200,000 rows would pass that.
const CHUNK: usize = 500;

/// What an import sets on a matter it created, beyond the fields a person sets.
#[derive(Debug, Clone, Default)]
pub struct ImportMark<'a> {
    /// Finds the matter when the same row is imported again.
    pub key: &'a str,
    /// A suspended or cancelled row's remark, as the reason the ledger shows.
    pub status_reason: &'a str,
    /// The deadline first agreed, when the sheet says it was extended; else the deadline.
    pub original_deadline: Option<&'a str>,
    /// Completed, accepted or closed rows: the day it was done (ISO), which the period figures
    /// count.
    pub completed_on: Option<&'a str>,
    /// Accepted or closed rows: the day of acceptance (ISO).
    pub accepted_on: Option<&'a str>,
}

/// Marks a matter as imported.
pub async fn mark_imported(
    conn: &mut AnyConnection,
    matter_id: i64,
    mark: &ImportMark<'_>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE matters SET import_key = $1, status_reason = $2,
            original_deadline = COALESCE($3, original_deadline), completed_on = $4, accepted_on = $5
         WHERE id = $6",
    )
    .bind(mark.key)
    .bind(mark.status_reason)
    .bind(mark.original_deadline)
    .bind(mark.completed_on)
    .bind(mark.accepted_on)
    .bind(matter_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// `(id, unit id, title)` of every matter whose unit is one of `unit_paths` (the unit itself,
/// not its subtree): what a sheet naming those units may list again.
pub async fn matters_in_units(
    conn: &mut AnyConnection,
    unit_paths: &[String],
) -> StoreResult<Vec<(i64, i64, String)>> {
    let mut out = Vec::new();
    for chunk in unit_paths.chunks(CHUNK) {
        let mut sql = Sql::new("SELECT id, unit_id, title FROM matters WHERE ");
        sql.in_texts("unit_path", chunk);
        out.extend(
            sql.query_as::<(i64, i64, String)>()
                .fetch_all(&mut *conn)
                .await?,
        );
    }
    Ok(out)
}

/// A unit name of imported sheets mapped to a unit.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct UnitAlias {
    pub scope_unit_id: i64,
    pub scope_path: String,
    pub alias: String,
    pub unit_id: i64,
    pub unit_path: String,
    pub unit_name: String,
    pub updated_at: i64,
}

const ALIAS_SELECT: &str = "SELECT a.scope_unit_id, s.path AS scope_path, a.alias, a.unit_id,
    t.path AS unit_path, t.name AS unit_name, a.updated_at
    FROM import_unit_aliases a JOIN units s ON s.id = a.scope_unit_id JOIN units t ON t.id = a.unit_id
    WHERE ";

/// The mappings of the given names, whoever made them; the caller keeps those in reach.
pub async fn aliases_named(
    conn: &mut AnyConnection,
    names: &[String],
) -> StoreResult<Vec<UnitAlias>> {
    let mut out = Vec::new();
    for chunk in names.chunks(CHUNK) {
        let mut sql = Sql::new(ALIAS_SELECT);
        sql.in_texts("a.alias", chunk);
        out.extend(sql.query_as::<UnitAlias>().fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// The mappings whose target lies in one of the subtrees, by name.
pub async fn aliases_within(
    conn: &mut AnyConnection,
    roots: &[String],
) -> StoreResult<Vec<UnitAlias>> {
    let mut sql = Sql::new(ALIAS_SELECT);
    sql.paths("t.path", roots);
    sql.push(" ORDER BY a.alias, s.path");
    Ok(sql.query_as::<UnitAlias>().fetch_all(conn).await?)
}

/// Maps `alias` to `unit_id` under `scope_unit_id`, replacing an earlier mapping there.
pub async fn set_alias(
    conn: &mut AnyConnection,
    scope_unit_id: i64,
    alias: &str,
    unit_id: i64,
    by: i64,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO import_unit_aliases (scope_unit_id, alias, unit_id, created_by, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (scope_unit_id, alias)
         DO UPDATE SET unit_id = excluded.unit_id, created_by = excluded.created_by,
            updated_at = excluded.updated_at",
    )
    .bind(scope_unit_id)
    .bind(alias)
    .bind(unit_id)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets the mapping of `alias` under `scope_unit_id`; whether there was one.
pub async fn delete_alias(
    conn: &mut AnyConnection,
    scope_unit_id: i64,
    alias: &str,
) -> StoreResult<bool> {
    let done =
        sqlx::query("DELETE FROM import_unit_aliases WHERE scope_unit_id = $1 AND alias = $2")
            .bind(scope_unit_id)
            .bind(alias)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// Those of `keys` that an earlier import already used.
pub async fn existing_keys(
    conn: &mut AnyConnection,
    keys: &[String],
) -> StoreResult<HashSet<String>> {
    let mut found = HashSet::new();
    for chunk in keys.chunks(CHUNK) {
        let mut sql = Sql::new("SELECT import_key FROM matters WHERE ");
        sql.in_texts("import_key", chunk);
        found.extend(sql.scalar::<String>().fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

/// An active person a sheet may mean, with where they belong.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct PersonMatch {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
}

/// Active people whose username is one of `usernames` (already lowercased, as usernames are
/// stored) or whose display name is one of `names`.
pub async fn people_named(
    conn: &mut AnyConnection,
    usernames: &[String],
    names: &[String],
) -> StoreResult<Vec<PersonMatch>> {
    const SELECT: &str = "SELECT u.id, u.username, u.display_name, u.unit_id, un.name AS unit_name, un.path AS unit_path
        FROM users u JOIN units un ON un.id = u.unit_id WHERE u.active = 1 AND ";
    // By id: someone named by both account and name is one match.
    let mut out: BTreeMap<i64, PersonMatch> = BTreeMap::new();
    for (column, list) in [("u.username", usernames), ("u.display_name", names)] {
        for chunk in list.chunks(CHUNK) {
            let mut sql = Sql::new(SELECT);
            sql.in_texts(column, chunk);
            for p in sql.query_as::<PersonMatch>().fetch_all(&mut *conn).await? {
                out.entry(p.id).or_insert(p);
            }
        }
    }
    Ok(out.into_values().collect())
}

/// `(user id, unit path)` of every supervisor grant held by the given people.
pub async fn supervisor_grants(
    conn: &mut AnyConnection,
    user_ids: &[i64],
) -> StoreResult<Vec<(i64, String)>> {
    let mut out = Vec::new();
    for chunk in user_ids.chunks(CHUNK) {
        let mut sql = Sql::new(
            "SELECT g.user_id, un.path FROM grants g JOIN units un ON un.id = g.unit_id
             WHERE g.role = 'supervisor' AND ",
        );
        in_ints(&mut sql, "g.user_id", chunk);
        out.extend(
            sql.query_as::<(i64, String)>()
                .fetch_all(&mut *conn)
                .await?,
        );
    }
    Ok(out)
}

/// The names of the given units, by id.
pub async fn unit_names(
    conn: &mut AnyConnection,
    unit_ids: &[i64],
) -> StoreResult<HashMap<i64, String>> {
    let mut out = HashMap::new();
    for chunk in unit_ids.chunks(CHUNK) {
        let mut sql = Sql::new("SELECT id, name FROM units WHERE ");
        in_ints(&mut sql, "id", chunk);
        out.extend(
            sql.query_as::<(i64, String)>()
                .fetch_all(&mut *conn)
                .await?,
        );
    }
    Ok(out)
}

/// `column IN ($a, $b, …)` for ids; never called with an empty list (`chunks` yields none).
fn in_ints(sql: &mut Sql, column: &str, ids: &[i64]) {
    sql.push(&format!("{column} IN ("));
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.int(*id);
    }
    sql.push(")");
}

/// Those of `usernames` (lowercased) that are taken, by anyone, active or not.
pub async fn taken_usernames(
    conn: &mut AnyConnection,
    usernames: &[String],
) -> StoreResult<HashSet<String>> {
    let mut found = HashSet::new();
    for chunk in usernames.chunks(CHUNK) {
        let mut sql = Sql::new("SELECT username FROM users WHERE ");
        sql.in_texts("username", chunk);
        found.extend(sql.scalar::<String>().fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

/// A workbook kept between a dry run and its confirmation.
#[derive(Debug, Clone, FromRow)]
pub struct UploadRow {
    pub id: String,
    pub user_id: i64,
    pub kind: String,
    pub filename: String,
    pub data: Vec<u8>,
    pub mapping: String,
    pub created_at: i64,
}

pub async fn insert_upload(conn: &mut AnyConnection, u: &UploadRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO import_uploads (id, user_id, kind, filename, data, mapping, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&u.id)
    .bind(u.user_id)
    .bind(&u.kind)
    .bind(&u.filename)
    .bind(&u.data)
    .bind(&u.mapping)
    .bind(u.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn upload(conn: &mut AnyConnection, id: &str) -> StoreResult<Option<UploadRow>> {
    Ok(sqlx::query_as(
        "SELECT id, user_id, kind, filename, data, mapping, created_at FROM import_uploads WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Forgets an upload of `user_id`'s; anyone else's stays.
pub async fn delete_upload(conn: &mut AnyConnection, id: &str, user_id: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM import_uploads WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets uploads kept since before `before` (epoch ms); returns how many.
pub async fn delete_uploads_before(conn: &mut AnyConnection, before: i64) -> StoreResult<u64> {
    Ok(
        sqlx::query("DELETE FROM import_uploads WHERE created_at < $1")
            .bind(before)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}
