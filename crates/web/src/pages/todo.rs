//! 我的待办, the landing page of every signed-in person: the counts of what waits for them,
//! each linked to its rows; and the lists of matters behind the counts that no other page
//! lists for one person (待我验收, 待回复督办, the person's own deadlines).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use shishi_service::ServiceError;
use shishi_service::todo::{Todo, TodoItem, TodoList};
use shishi_store::matters::MatterRow;

use super::{Ctx, OrPage, PageError, PageResult, render};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(show))
        .route("/todo/{list}", get(show_list))
}

#[derive(Template)]
#[template(path = "todo.html")]
struct TodoTemplate {
    ctx: Ctx,
    todo: Todo,
}

impl TodoTemplate {
    fn label(&self, i: &TodoItem) -> String {
        self.ctx.t(&format!("todo.kind.{}", i.kind))
    }
    fn hint(&self, i: &TodoItem) -> String {
        self.ctx.t(&format!("todo.hint.{}", i.kind))
    }
    fn urgent(&self, i: &TodoItem) -> bool {
        i.count > 0 && i.kind == "my_overdue"
    }
    fn report_kind(&self, kind: &str) -> String {
        self.ctx.t(&format!("todo.report.{kind}"))
    }
}

async fn show(State(st): State<AppState>, lang: Lang, user: PageUser, uri: Uri) -> PageResult {
    let todo = st.services.todo(&user.actor).await.or_page(lang)?;
    let t = TodoTemplate {
        ctx: Ctx::new(lang, &user, &uri, "todo"),
        todo,
    };
    render(&t, lang)
}

#[derive(Template)]
#[template(path = "todo_list.html")]
struct ListTemplate {
    ctx: Ctx,
    list: &'static str,
    rows: Vec<MatterRow>,
}

impl ListTemplate {
    /// The list's own text of one kind (its title, its hint, its rows' button).
    fn text(&self, what: &str) -> String {
        self.ctx.t(&format!("todo.{what}.{}", self.list))
    }

    /// Where the row's action is taken on the matter page.
    fn target(&self, m: &MatterRow) -> String {
        match self.list {
            "acceptance" => format!("/matters/{}#steps", m.id),
            "orders" => format!("/matters/{}#orders", m.id),
            _ => format!("/matters/{}", m.id),
        }
    }
}

async fn show_list(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(code): Path<String>,
) -> PageResult {
    let Some(which) = TodoList::from_code(&code) else {
        return Err(PageError {
            error: ServiceError::NotFound,
            lang,
        });
    };
    let rows = st
        .services
        .todo_matters(&user.actor, which)
        .await
        .or_page(lang)?;
    let t = ListTemplate {
        ctx: Ctx::new(lang, &user, &uri, "todo"),
        list: which.code(),
        rows,
    };
    render(&t, lang)
}
