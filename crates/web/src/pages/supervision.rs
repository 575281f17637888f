//! The supervision board (督办事项清单) of everything a person reads, and the extension
//! requests (延期申请) waiting for their decision.

use crate::input::Query;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};

use crate::input::Form;
use serde::Deserialize;
use shishi_core::driving::{OrderLevel, OrderState};
use shishi_service::ServiceError;
use shishi_service::driving::{BoardFilter, BoardPage, ExtensionDecision};
use shishi_store::orders::ExtensionRow;

use super::matter_page::{Failure, show_page};
use super::{Ctx, OrPage, PageError, PageResult, opt_id, page_count, render_status, see_other};
use crate::auth::PageUser;
use crate::error::status_of;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/supervision", get(board))
        .route("/extensions", get(pending))
        .route("/extensions/{id}/decision", post(decide))
}

#[derive(Debug, Default, Deserialize)]
struct BoardForm {
    state: Option<String>,
    level: Option<String>,
    late: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "supervision.html")]
struct BoardTemplate {
    ctx: Ctx,
    form: BoardForm,
    page: BoardPage,
    pages: i64,
    base_query: String,
    pending: usize,
}

impl BoardTemplate {
    fn is(&self, field: &Option<String>, value: &str) -> bool {
        field.as_deref() == Some(value)
    }
    fn levels(&self) -> Vec<&'static str> {
        OrderLevel::ALL.iter().map(|l| l.code()).collect()
    }
    fn states(&self) -> Vec<&'static str> {
        OrderState::ALL.iter().map(|s| s.code()).collect()
    }
    fn late_only(&self) -> bool {
        self.form.late.as_deref().is_some_and(|v| !v.is_empty())
    }
}

async fn board(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Query(form): Query<BoardForm>,
) -> PageResult {
    if user.actor.read_roots().is_empty() {
        return Err(PageError {
            error: ServiceError::NotFound,
            lang,
        });
    }
    let filter = BoardFilter {
        state: form.state.clone().filter(|s| !s.is_empty()),
        level: form.level.clone().filter(|s| !s.is_empty()),
        late: form.late.as_deref().is_some_and(|v| !v.is_empty()),
        page: opt_id(&form.page),
    };
    let page = st
        .services
        .supervision_board(&user.actor, &filter)
        .await
        .or_page(lang)?;
    let pending = if user.actor.can_manage_any() {
        st.services
            .pending_extensions(&user.actor)
            .await
            .or_page(lang)?
            .len()
    } else {
        0
    };
    let base_query = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("page="))
        .collect::<Vec<_>>()
        .join("&");
    let t = BoardTemplate {
        ctx: Ctx::new(lang, &user, &uri, "supervision"),
        pages: page_count(page.total, page.per_page),
        form,
        page,
        base_query,
        pending,
    };
    render_status(&t, lang, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "extensions.html")]
struct PendingTemplate {
    ctx: Ctx,
    items: Vec<ExtensionRow>,
    me: i64,
    error: Option<String>,
    failed: i64,
}

impl PendingTemplate {
    fn own(&self, e: &ExtensionRow) -> bool {
        e.requested_by == self.me && !self.ctx.root_admin
    }
}

async fn pending_page(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    failure: Option<(ServiceError, i64)>,
) -> PageResult {
    let items = st
        .services
        .pending_extensions(&user.actor)
        .await
        .or_page(lang)?;
    let (status, error, failed) = match failure {
        Some((e, id)) => (status_of(&e), Some(lang.error(&e)), id),
        None => (StatusCode::OK, None, 0),
    };
    let t = PendingTemplate {
        ctx: Ctx::new(lang, user, uri, "supervision"),
        items,
        me: user.actor.id(),
        error,
        failed,
    };
    render_status(&t, lang, status)
}

async fn pending(State(st): State<AppState>, lang: Lang, user: PageUser, uri: Uri) -> PageResult {
    pending_page(&st, lang, &user, &uri, None).await
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    approve: String,
    #[serde(default)]
    note: String,
    /// The matter whose page the form is on; the list of pending requests otherwise.
    matter_id: Option<String>,
}

async fn decide(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let decision = match f.approve.as_str() {
        "1" => Ok(ExtensionDecision {
            approve: true,
            note: f.note.clone(),
        }),
        "0" => Ok(ExtensionDecision {
            approve: false,
            note: f.note.clone(),
        }),
        _ => Err(ServiceError::field("approve", "error.choice")),
    };
    let result = match decision {
        Ok(d) => st.services.decide_extension(&user.actor, id, &d).await,
        Err(e) => Err(e),
    };
    let on_matter = opt_id(&f.matter_id);
    match (result, on_matter) {
        (Ok(row), Some(_)) => Ok(see_other(&format!("/matters/{}#extensions", row.matter_id))),
        (Ok(_), None) => Ok(see_other("/extensions")),
        (Err(ServiceError::NotFound), _) => Err(PageError {
            error: ServiceError::NotFound,
            lang,
        }),
        // The matter page checks by itself that the person may read that matter.
        (Err(e), Some(matter)) => {
            let failure = Failure {
                error: e,
                section: "extensions",
                values: vec![("note", f.note), ("request", id.to_string())],
            };
            show_page(&st, lang, &user, &uri, matter, Some(failure)).await
        }
        (Err(e), None) => pending_page(&st, lang, &user, &uri, Some((e, id))).await,
    }
}
