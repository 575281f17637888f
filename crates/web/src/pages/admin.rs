//! System administration pages: the unit tree, and people with their grants.

use crate::input::Query;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};

use crate::input::Form;
use serde::Deserialize;
use shishi_core::Role;
use shishi_core::unit::UnitKind;
use shishi_service::ServiceError;
use shishi_service::units::UnitInput;
use shishi_service::users::UserInput;
use shishi_store::units::UnitRow;
use shishi_store::users::{GrantRow, UserRow};

use super::ledger::{UnitOption, tree_options};
use super::{Ctx, FormErrors, OrPage, PageError, PageResult, render_status, req_id, see_other};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units", get(units).post(create_unit))
        .route("/units/{id}", post(update_unit))
        .route("/units/{id}/move", post(move_unit))
        .route("/units/{id}/active", post(set_active))
        .route("/users", get(users).post(create_user))
        .route("/users/{id}", get(user).post(update_user))
        .route("/users/{id}/grants", post(add_grant))
        .route("/grants/{id}/delete", post(remove_grant))
}

// ---- units ----

pub struct UnitLine {
    pub unit: UnitRow,
    pub depth: usize,
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsTemplate {
    ctx: Ctx,
    lines: Vec<UnitLine>,
    options: Vec<UnitOption>,
    kinds: [UnitKind; 4],
    errors: FormErrors,
    admin_paths: Vec<String>,
}

async fn units_page(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    errors: FormErrors,
) -> PageResult {
    let mut all = Vec::new();
    {
        for (_, path) in user
            .actor
            .admin_roots()
            .into_iter()
            .chain(user.actor.read_roots())
        {
            let mut conn = st.services.store.read().await.map_err(|e| PageError {
                error: e.into(),
                lang,
            })?;
            for u in shishi_store::units::subtree(&mut conn, &path)
                .await
                .map_err(|e| PageError {
                    error: e.into(),
                    lang,
                })?
            {
                if !all.iter().any(|x: &UnitRow| x.id == u.id) {
                    all.push(u);
                }
            }
        }
    }
    let options = tree_options(all.clone());
    let lines = options
        .iter()
        .filter_map(|o| {
            all.iter().find(|u| u.id == o.id).map(|u| UnitLine {
                unit: u.clone(),
                depth: o.label.chars().take_while(|c| *c == '　').count(),
            })
        })
        .collect();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let t = UnitsTemplate {
        ctx: Ctx::new(lang, user, uri, "units"),
        lines,
        options,
        kinds: UnitKind::ALL,
        errors,
        admin_paths: user
            .actor
            .admin_roots()
            .into_iter()
            .map(|(_, p)| p)
            .collect(),
    };
    render_status(&t, lang, status)
}

impl UnitsTemplate {
    fn can_admin(&self, u: &UnitRow) -> bool {
        self.admin_paths
            .iter()
            .any(|p| u.path.starts_with(p.as_str()))
    }

    fn is_parent(&self, u: &UnitRow, id: &i64) -> bool {
        u.parent_id == Some(*id)
    }

    fn indent(&self, depth: &usize) -> String {
        format!("padding-left:{}em", depth * 2)
    }
}

/// After a change to the tree: back to the tree, or the tree with the refusal shown.
async fn unit_outcome<T>(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    result: Result<T, ServiceError>,
) -> PageResult {
    match result {
        Ok(_) => Ok(see_other("/units")),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            units_page(st, lang, user, uri, FormErrors::of("units", &e, lang)).await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}

async fn units(State(st): State<AppState>, lang: Lang, user: PageUser, uri: Uri) -> PageResult {
    units_page(&st, lang, &user, &uri, FormErrors::default()).await
}

#[derive(Deserialize)]
struct UnitForm {
    #[serde(default)]
    csrf: String,
    parent_id: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    sort_order: String,
}

impl UnitForm {
    fn input(&self) -> UnitInput {
        UnitInput {
            name: self.name.clone(),
            kind: self.kind.clone(),
            sort_order: self.sort_order.trim().parse().unwrap_or(0),
        }
    }
}

async fn create_unit(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Form(f): Form<UnitForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let parent = super::opt_id(&f.parent_id);
    let result = match parent {
        Some(p) => {
            st.services
                .create_unit(&user.actor, Some(p), &f.input())
                .await
        }
        None => Err(ServiceError::field("parent_id", "error.required")),
    };
    unit_outcome(&st, lang, &user, &uri, result).await
}

async fn update_unit(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<UnitForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let result = st.services.update_unit(&user.actor, id, &f.input()).await;
    unit_outcome(&st, lang, &user, &uri, result).await
}

#[derive(Deserialize)]
struct MoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    parent_id: String,
}

async fn move_unit(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let result = match req_id("parent_id", &f.parent_id) {
        Ok(p) => st.services.move_unit(&user.actor, id, p).await,
        Err(e) => Err(e),
    };
    unit_outcome(&st, lang, &user, &uri, result).await
}

#[derive(Deserialize)]
struct ActiveForm {
    #[serde(default)]
    csrf: String,
    active: String,
}

async fn set_active(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let result = st
        .services
        .set_unit_active(&user.actor, id, f.active == "1")
        .await;
    unit_outcome(&st, lang, &user, &uri, result).await
}

// ---- people ----

#[derive(Deserialize, Default)]
struct UsersQuery {
    q: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersTemplate {
    ctx: Ctx,
    users: Vec<UserRow>,
    total: i64,
    q: String,
    page: i64,
    pages: i64,
    units: Vec<UnitOption>,
    form: UserForm,
    errors: FormErrors,
}

impl UsersTemplate {
    fn unit_name(&self, id: &i64) -> String {
        self.units
            .iter()
            .find(|u| u.id == *id)
            .map(|u| u.label.trim_start_matches('　').to_string())
            .unwrap_or_default()
    }

    fn unit_is(&self, id: &i64) -> bool {
        self.form.unit_id.trim() == id.to_string()
    }
}

#[derive(Deserialize, Default, Clone)]
struct UserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    password: String,
    active: Option<String>,
}

impl UserForm {
    fn input(&self) -> UserInput {
        UserInput {
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            unit_id: self.unit_id.trim().parse().unwrap_or(0),
            email: self.email.clone(),
            phone: self.phone.clone(),
            password: self.password.clone(),
            active: self.active.is_some(),
        }
    }
}

const USERS_PER_PAGE: i64 = 50;

async fn users_page(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    q: &UsersQuery,
    form: UserForm,
    errors: FormErrors,
) -> PageResult {
    let paging = shishi_service::paging::Paging::new(
        super::opt_id(&q.page),
        None,
        USERS_PER_PAGE,
        USERS_PER_PAGE,
    )
    .or_page(lang)?;
    let page = paging.page;
    let query = q.q.clone().unwrap_or_default();
    let list = st
        .services
        .list_users(&user.actor, &query, USERS_PER_PAGE, paging.offset())
        .await
        .or_page(lang)?;
    let mut all = st.services.visible_units(&user.actor).await.or_page(lang)?;
    for (_, p) in user.actor.admin_roots() {
        let mut conn = st.services.store.read().await.map_err(|e| PageError {
            error: e.into(),
            lang,
        })?;
        for u in shishi_store::units::subtree(&mut conn, &p)
            .await
            .map_err(|e| PageError {
                error: e.into(),
                lang,
            })?
        {
            if !all.iter().any(|x| x.id == u.id) {
                all.push(u);
            }
        }
    }
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let t = UsersTemplate {
        ctx: Ctx::new(lang, user, uri, "users"),
        pages: ((list.total + USERS_PER_PAGE - 1) / USERS_PER_PAGE).max(1),
        users: list.items,
        total: list.total,
        q: query,
        page,
        units: tree_options(all),
        form,
        errors,
    };
    render_status(&t, lang, status)
}

async fn users(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Query(q): Query<UsersQuery>,
) -> PageResult {
    let form = UserForm {
        active: Some("1".into()),
        ..Default::default()
    };
    users_page(&st, lang, &user, &uri, &q, form, FormErrors::default()).await
}

async fn create_user(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Form(f): Form<UserForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    match st.services.create_user(&user.actor, &f.input()).await {
        Ok(u) => Ok(see_other(&format!("/users/{}", u.id))),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let mut form = f.clone();
            form.password.clear();
            users_page(
                &st,
                lang,
                &user,
                &uri,
                &UsersQuery::default(),
                form,
                FormErrors::of("users", &e, lang),
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserTemplate {
    ctx: Ctx,
    person: UserRow,
    grants: Vec<GrantRow>,
    units: Vec<UnitOption>,
    roles: Vec<&'static str>,
    form: UserForm,
    errors: FormErrors,
    can_edit: bool,
}

impl UserTemplate {
    fn unit_is(&self, id: &i64) -> bool {
        self.form.unit_id.trim() == id.to_string()
    }
}

async fn user_page(
    st: &AppState,
    lang: Lang,
    me: &PageUser,
    uri: &Uri,
    id: i64,
    form: Option<UserForm>,
    errors: FormErrors,
) -> PageResult {
    let (person, grants) = st.services.user(&me.actor, id).await.or_page(lang)?;
    let mut units = Vec::new();
    for (_, p) in me.actor.admin_roots() {
        let mut conn = st.services.store.read().await.map_err(|e| PageError {
            error: e.into(),
            lang,
        })?;
        units.extend(
            shishi_store::units::subtree(&mut conn, &p)
                .await
                .map_err(|e| PageError {
                    error: e.into(),
                    lang,
                })?,
        );
    }
    let can_edit = units.iter().any(|u| u.id == person.unit_id);
    let form = form.unwrap_or_else(|| UserForm {
        csrf: String::new(),
        username: person.username.clone(),
        display_name: person.display_name.clone(),
        unit_id: person.unit_id.to_string(),
        email: person.email.clone(),
        phone: person.phone.clone(),
        password: String::new(),
        active: (person.active == 1).then(|| "1".into()),
    });
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let t = UserTemplate {
        ctx: Ctx::new(lang, me, uri, "users"),
        person,
        grants,
        units: tree_options(units),
        roles: Role::ALL.iter().map(|r| r.code()).collect(),
        form,
        errors,
        can_edit,
    };
    render_status(&t, lang, status)
}

async fn user(
    State(st): State<AppState>,
    lang: Lang,
    me: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
) -> PageResult {
    user_page(&st, lang, &me, &uri, id, None, FormErrors::default()).await
}

async fn update_user(
    State(st): State<AppState>,
    lang: Lang,
    me: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<UserForm>,
) -> PageResult {
    me.check_csrf(&f.csrf).or_page(lang)?;
    match st.services.update_user(&me.actor, id, &f.input()).await {
        Ok(_) => Ok(see_other(&format!("/users/{id}"))),
        Err(
            e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_) | ServiceError::Forbidden(_)),
        ) => {
            let mut form = f.clone();
            form.password.clear();
            user_page(
                &st,
                lang,
                &me,
                &uri,
                id,
                Some(form),
                FormErrors::of("user", &e, lang),
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}

#[derive(Deserialize)]
struct GrantForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_id: String,
}

async fn add_grant(
    State(st): State<AppState>,
    lang: Lang,
    me: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<GrantForm>,
) -> PageResult {
    me.check_csrf(&f.csrf).or_page(lang)?;
    let result = match req_id("unit_id", &f.unit_id) {
        Ok(unit) => st
            .services
            .add_grant(&me.actor, id, &f.role, unit)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/users/{id}"))),
        Err(
            e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_) | ServiceError::Forbidden(_)),
        ) => {
            user_page(
                &st,
                lang,
                &me,
                &uri,
                id,
                None,
                FormErrors::of("user", &e, lang),
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}

#[derive(Deserialize)]
struct GrantDelete {
    #[serde(default)]
    csrf: String,
    user_id: String,
}

async fn remove_grant(
    State(st): State<AppState>,
    lang: Lang,
    me: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<GrantDelete>,
) -> PageResult {
    me.check_csrf(&f.csrf).or_page(lang)?;
    let user_id = req_id("user_id", &f.user_id).or_page(lang)?;
    match st.services.remove_grant(&me.actor, id).await {
        Ok(()) => Ok(see_other(&format!("/users/{user_id}"))),
        Err(e @ ServiceError::Conflict(_)) => {
            user_page(
                &st,
                lang,
                &me,
                &uri,
                user_id,
                None,
                FormErrors::of("user", &e, lang),
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}
