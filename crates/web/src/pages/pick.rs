//! Searchable pickers for the forms that name another record by number (the matter a demand
//! is adopted into, the demand one is merged into): a small JSON list of what the person may
//! pick, found by words or by number, and the script that offers it in a `<datalist>`.
//! Without the script the field still takes a plain number.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use shishi_service::ServiceError;
use shishi_service::demands::InboxFilter;
use shishi_service::matters::LedgerFilter;

use super::{OrPage, PageResult};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::input::Query;
use crate::state::AppState;

/// The most choices one lookup returns.
const MAX_CHOICES: i64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pick/matters", get(matters))
        .route("/pick/demands", get(demands))
        .route("/static/picker.js", get(script))
}

#[derive(Debug, Default, Deserialize)]
struct PickQuery {
    #[serde(default)]
    q: String,
}

/// One choice: the number the form sends and the words shown beside it.
#[derive(Debug, Serialize)]
pub struct Choice {
    pub id: i64,
    pub label: String,
}

/// A number typed as such ("12", "#12", "No.12"), or a choice's whole label ("#12 路灯…"):
/// looked up directly as well as by words.
pub(super) fn as_number(q: &str) -> Option<i64> {
    let t = q.trim().trim_start_matches(['#', '＃']);
    let t = t
        .strip_prefix("No.")
        .or_else(|| t.strip_prefix("no."))
        .unwrap_or(t)
        .trim_start();
    let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = &t[digits..];
    if digits == 0 || !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    t[..digits].parse().ok().filter(|n| *n > 0)
}

fn words(q: &str) -> Option<String> {
    let q = q.trim();
    (!q.is_empty() && as_number(q).is_none()).then(|| q.chars().take(100).collect())
}

/// Matters the person reads: the one with the typed number first, then those the words find.
pub(super) async fn matter_choices(
    st: &AppState,
    user: &PageUser,
    q: &str,
) -> Result<Vec<Choice>, ServiceError> {
    let mut out: Vec<Choice> = Vec::new();
    if let Some(id) = as_number(q) {
        match st.services.matter(&user.actor, id).await {
            Ok(d) => out.push(Choice {
                id,
                label: format!("#{id} {} · {}", d.matter.row.title, d.matter.row.unit_name),
            }),
            // Out of scope reads as absent, like everywhere else.
            Err(ServiceError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    let filter = LedgerFilter {
        q: words(q),
        per_page: Some(MAX_CHOICES),
        ..Default::default()
    };
    for m in st.services.ledger(&user.actor, &filter).await?.items {
        if !out.iter().any(|c| c.id == m.row.id) {
            out.push(Choice {
                id: m.row.id,
                label: format!("#{} {} · {}", m.row.id, m.row.title, m.row.unit_name),
            });
        }
    }
    Ok(out)
}

/// Open demands the person reads (the ones another can be merged into).
pub(super) async fn demand_choices(
    st: &AppState,
    user: &PageUser,
    q: &str,
) -> Result<Vec<Choice>, ServiceError> {
    let is_open = |s: &str| s == "submitted" || s == "accepted";
    let mut out: Vec<Choice> = Vec::new();
    if let Some(id) = as_number(q) {
        match st.services.demand(&user.actor, id).await {
            Ok(d) if is_open(&d.demand.status) && !d.actions.is_empty() => out.push(Choice {
                id,
                label: format!("#{id} {} · {}", d.demand.title, d.demand.unit_name),
            }),
            Ok(_) | Err(ServiceError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    let filter = InboxFilter {
        q: words(q),
        status: vec!["submitted".into(), "accepted".into()],
        per_page: Some(MAX_CHOICES),
        ..Default::default()
    };
    for d in st.services.inbox(&user.actor, &filter).await?.items {
        if !out.iter().any(|c| c.id == d.id) {
            out.push(Choice {
                id: d.id,
                label: format!("#{} {} · {}", d.id, d.title, d.unit_name),
            });
        }
    }
    Ok(out)
}

async fn matters(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    Query(p): Query<PickQuery>,
) -> PageResult {
    let out = matter_choices(&st, &user, &p.q).await.or_page(lang)?;
    Ok(Json(out).into_response())
}

async fn demands(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    Query(p): Query<PickQuery>,
) -> PageResult {
    let out = demand_choices(&st, &user, &p.q).await.or_page(lang)?;
    Ok(Json(out).into_response())
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/picker.js"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_words() {
        assert_eq!(as_number("12"), Some(12));
        assert_eq!(as_number(" #12 "), Some(12));
        assert_eq!(as_number("No.7"), Some(7));
        assert_eq!(as_number("路灯"), None);
        assert_eq!(as_number("#12 二号门路灯 · 股份公司"), Some(12));
        assert_eq!(as_number("12号楼"), None);
        assert_eq!(as_number("0"), None);
        assert_eq!(words("12"), None);
        assert_eq!(words(" 路灯 ").as_deref(), Some("路灯"));
        assert_eq!(words(""), None);
    }
}
