//! The requesters' verdicts (评价) on a finished matter or an answered demand: who was asked,
//! and what they said online or through a callback visit (回访).

use serde::Serialize;
use sqlx::{AnyConnection, FromRow};

use crate::sql::Sql;
use crate::{StoreError, StoreResult};

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct EvaluationRow {
    pub id: i64,
    pub subject_type: String,
    pub subject_id: i64,
    pub round: i64,
    pub demand_id: i64,
    pub demand_title: String,
    pub unit_path: String,
    #[serde(skip)]
    pub requester_key: String,
    #[serde(skip)]
    pub user_id: Option<i64>,
    pub state: String,
    pub verdict: Option<String>,
    pub comment: String,
    pub via: Option<String>,
    pub recorded_by: Option<i64>,
    pub recorded_by_name: Option<String>,
    #[serde(skip)]
    pub contact_name: String,
    pub contacted_at: Option<i64>,
    pub asked_at: i64,
    pub due_on: String,
    pub rated_at: Option<i64>,
}

const SELECT: &str = "SELECT e.id, e.subject_type, e.subject_id, e.round, e.demand_id, d.title AS demand_title,
    e.unit_path, e.requester_key, e.user_id, e.state, e.verdict, e.comment, e.via, e.recorded_by,
    r.display_name AS recorded_by_name, e.contact_name, e.contacted_at, e.asked_at, e.due_on, e.rated_at
  FROM evaluations e
  JOIN demands d ON d.id = e.demand_id
  LEFT JOIN users r ON r.id = e.recorded_by";

pub struct Ask<'a> {
    pub subject_type: &'a str,
    pub subject_id: i64,
    pub round: i64,
    pub demand_id: i64,
    pub unit_path: &'a str,
    pub requester_key: &'a str,
    pub user_id: Option<i64>,
    pub due_on: &'a str,
    pub now: i64,
}

/// Asks one requester; None when they were already asked about this round.
pub async fn ask(conn: &mut AnyConnection, a: &Ask<'_>) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO evaluations (subject_type, subject_id, round, demand_id, unit_path, requester_key,
            user_id, state, asked_at, due_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'asked', $8, $9)
         ON CONFLICT (subject_type, subject_id, round, requester_key) DO NOTHING
         RETURNING id",
    )
    .bind(a.subject_type)
    .bind(a.subject_id)
    .bind(a.round)
    .bind(a.demand_id)
    .bind(a.unit_path)
    .bind(a.requester_key)
    .bind(a.user_id)
    .bind(a.now)
    .bind(a.due_on)
    .fetch_optional(conn)
    .await?)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> StoreResult<EvaluationRow> {
    sqlx::query_as(&format!("{SELECT} WHERE e.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

pub struct Verdict<'a> {
    pub verdict: &'a str,
    pub comment: &'a str,
    pub via: &'a str,
    pub recorded_by: Option<i64>,
    pub contact_name: &'a str,
    pub contacted_at: Option<i64>,
    pub now: i64,
}

/// Records a verdict on an open request; false when it was no longer open.
pub async fn rate(conn: &mut AnyConnection, id: i64, v: &Verdict<'_>) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE evaluations SET state = 'rated', verdict = $1, comment = $2, via = $3, recorded_by = $4,
            contact_name = $5, contacted_at = $6, rated_at = $7
         WHERE id = $8 AND state = 'asked'",
    )
    .bind(v.verdict)
    .bind(v.comment)
    .bind(v.via)
    .bind(v.recorded_by)
    .bind(v.contact_name)
    .bind(v.contacted_at)
    .bind(v.now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Every request about one subject (all rounds), oldest first.
pub async fn of_subject(
    conn: &mut AnyConnection,
    subject_type: &str,
    subject_id: i64,
) -> StoreResult<Vec<EvaluationRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE e.subject_type = $1 AND e.subject_id = $2 ORDER BY e.round, e.id"
    ))
    .bind(subject_type)
    .bind(subject_id)
    .fetch_all(conn)
    .await?)
}

/// Open requests for a person with an account.
pub async fn asked_of_user(
    conn: &mut AnyConnection,
    user_id: i64,
) -> StoreResult<Vec<EvaluationRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE e.user_id = $1 AND e.state = 'asked' ORDER BY e.id"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

/// The open request of a tracking-code holder for one demand, if any.
pub async fn asked_of_code_holder(
    conn: &mut AnyConnection,
    demand_id: i64,
) -> StoreResult<Vec<EvaluationRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE e.requester_key = $1 AND e.state = 'asked' ORDER BY e.id"
    ))
    .bind(format!("d{demand_id}"))
    .fetch_all(conn)
    .await?)
}

/// Open requests in the given subtrees: the callback list (回访) for clerks.
pub async fn open_in(
    conn: &mut AnyConnection,
    paths: &[String],
    limit: i64,
) -> StoreResult<Vec<EvaluationRow>> {
    let mut q = Sql::new(&format!("{SELECT} WHERE e.state = 'asked' AND "));
    q.paths("e.unit_path", paths);
    q.push(" ORDER BY e.due_on, e.id LIMIT ").int(limit.max(1));
    Ok(q.query_as::<EvaluationRow>().fetch_all(conn).await?)
}

/// Requests of one subject and round still waiting for a verdict.
pub async fn open_count(
    conn: &mut AnyConnection,
    subject_type: &str,
    subject_id: i64,
    round: i64,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM evaluations WHERE subject_type = $1 AND subject_id = $2 AND round = $3 AND state = 'asked'",
    )
    .bind(subject_type)
    .bind(subject_id)
    .bind(round)
    .fetch_one(conn)
    .await?)
}

/// Ends the wait for a round (closed, reopened or past its window): open requests lapse.
pub async fn lapse(
    conn: &mut AnyConnection,
    subject_type: &str,
    subject_id: i64,
    round: i64,
) -> StoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE evaluations SET state = 'lapsed' WHERE subject_type = $1 AND subject_id = $2 AND round = $3 AND state = 'asked'",
    )
    .bind(subject_type)
    .bind(subject_id)
    .bind(round)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Subjects whose evaluation window ended before `today` with requests still open.
pub async fn past_due(
    conn: &mut AnyConnection,
    today: &str,
) -> StoreResult<Vec<(String, i64, i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT subject_type, subject_id, round, unit_path FROM evaluations
         WHERE state = 'asked' AND due_on < $1 ORDER BY subject_type, subject_id, round",
    )
    .bind(today)
    .fetch_all(conn)
    .await?)
}

/// The demands a matter answers (adopted into it): their requesters judge the matter.
pub async fn demands_of_matter(conn: &mut AnyConnection, matter_id: i64) -> StoreResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM demands WHERE matter_id = $1 AND status = 'adopted' ORDER BY id",
    )
    .bind(matter_id)
    .fetch_all(conn)
    .await?)
}

/// An answered demand judged unsatisfactory goes back to work (重办); false when it was no
/// longer answered.
pub async fn reopen_demand(conn: &mut AnyConnection, id: i64, now: i64) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE demands SET status = 'accepted', rework_count = rework_count + 1, closed_at = NULL,
            updated_at = $1, version = version + 1
         WHERE id = $2 AND status = 'answered'",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The round of a demand's verdicts: one more for each time it was reopened.
pub async fn demand_round(conn: &mut AnyConnection, demand_id: i64) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT rework_count FROM demands WHERE id = $1")
            .bind(demand_id)
            .fetch_one(conn)
            .await?,
    )
}

/// Requests about one subject still waiting for a verdict, in any round.
pub async fn open_count_all(
    conn: &mut AnyConnection,
    subject_type: &str,
    subject_id: i64,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM evaluations WHERE subject_type = $1 AND subject_id = $2 AND state = 'asked'",
    )
    .bind(subject_type)
    .bind(subject_id)
    .fetch_one(conn)
    .await?)
}
