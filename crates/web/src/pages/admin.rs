//! System administration pages: the unit tree, people and their grants, the calendar and
//! the at-risk policy.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use shishi_core::Role;
use shishi_core::unit::UnitKind;
use shishi_service::ServiceError;
use shishi_service::units::UnitInput;
use shishi_service::users::UserInput;
use shishi_store::calendar::CalendarDayRow;
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
        .route("/calendar", get(calendar).post(set_day))
        .route("/calendar/import", post(import_calendar))
        .route("/calendar/{day}/delete", post(delete_day))
        .route("/settings/risk", post(set_risk))
        .route("/settings/limits", post(set_limit))
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
            units_page(st, lang, user, uri, FormErrors::from(&e, lang)).await
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
    let page = super::opt_id(&q.page).unwrap_or(1).max(1);
    let query = q.q.clone().unwrap_or_default();
    let list = st
        .services
        .list_users(
            &user.actor,
            &query,
            USERS_PER_PAGE,
            (page - 1) * USERS_PER_PAGE,
        )
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
                FormErrors::from(&e, lang),
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
                FormErrors::from(&e, lang),
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
        ) => user_page(&st, lang, &me, &uri, id, None, FormErrors::from(&e, lang)).await,
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
                FormErrors::from(&e, lang),
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}

// ---- calendar ----

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<String>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarTemplate {
    ctx: Ctx,
    year: i32,
    years: Vec<i32>,
    days: Vec<CalendarDayRow>,
    warn_days: u32,
    threshold: u8,
    errors: FormErrors,
    notice: Option<String>,
    /// `(unit, category, accept days, answer days)` as people read them.
    limits: Vec<(String, String, i64, i64)>,
    units: Vec<UnitOption>,
    categories: Vec<(i64, String)>,
}

async fn calendar_page(
    st: &AppState,
    lang: Lang,
    me: &PageUser,
    uri: &Uri,
    year: Option<i32>,
    errors: FormErrors,
    notice: Option<String>,
) -> PageResult {
    let all = st.services.calendar_days().await.or_page(lang)?;
    let mut years: Vec<i32> = all
        .iter()
        .filter_map(|d| d.day.get(0..4)?.parse().ok())
        .collect();
    years.dedup();
    let this_year: i32 = st
        .services
        .clock
        .today()
        .format("%Y")
        .to_string()
        .parse()
        .unwrap_or(2026);
    let year = year.unwrap_or(this_year);
    if !years.contains(&year) {
        years.push(year);
        years.sort();
    }
    let prefix = format!("{year}-");
    let days = all
        .into_iter()
        .filter(|d| d.day.starts_with(&prefix))
        .collect();
    let policy = st.services.risk_policy();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let all_units = st.services.visible_units(&me.actor).await.or_page(lang)?;
    let categories: Vec<(i64, String)> = st
        .services
        .demand_categories()
        .await
        .or_page(lang)?
        .iter()
        .map(|c| (c.id, super::localized(lang, c)))
        .collect();
    let any = lang.t("ledger.any");
    let limits = st
        .services
        .response_limits()
        .await
        .or_page(lang)?
        .into_iter()
        .map(|l| {
            let unit = all_units
                .iter()
                .find(|u| u.id == l.unit_id)
                .map_or(any.clone(), |u| u.name.clone());
            let category = categories
                .iter()
                .find(|c| c.0 == l.category_id)
                .map_or(any.clone(), |c| c.1.clone());
            (unit, category, l.accept_days, l.answer_days)
        })
        .collect();
    let units = tree_options(all_units);
    let t = CalendarTemplate {
        ctx: Ctx::new(lang, me, uri, "calendar"),
        year,
        years,
        days,
        warn_days: policy.warn_working_days,
        threshold: policy.progress_threshold,
        errors,
        notice,
        limits,
        units,
        categories,
    };
    render_status(&t, lang, status)
}

async fn calendar(
    State(st): State<AppState>,
    lang: Lang,
    me: PageUser,
    uri: Uri,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let year = q.year.as_deref().and_then(|y| y.trim().parse().ok());
    calendar_page(&st, lang, &me, &uri, year, FormErrors::default(), None).await
}

#[derive(Deserialize)]
struct DayForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
}

fn year_of(day: &str) -> Option<i32> {
    day.get(0..4).and_then(|y| y.parse().ok())
}

async fn set_day(
    State(st): State<AppState>,
    lang: Lang,
    me: PageUser,
    uri: Uri,
    Form(f): Form<DayForm>,
) -> PageResult {
    me.check_csrf(&f.csrf).or_page(lang)?;
    match st
        .services
        .set_calendar_day(&me.actor, &f.day, &f.kind, &f.name)
        .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/calendar?year={}",
            year_of(&f.day).unwrap_or(2026)
        ))),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Forbidden(_))) => {
            calendar_page(
                &st,
                lang,
                &me,
                &uri,
                year_of(&f.day),
                FormErrors::from(&e, lang),
                None,
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}

#[derive(Deserialize)]
struct ImportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    csv: String,
}

async fn import_calendar(
    State(st): State<AppState>,
    lang: Lang,
    me: PageUser,
    uri: Uri,
    Form(f): Form<ImportForm>,
) -> PageResult {
    me.check_csrf(&f.csrf).or_page(lang)?;
    match st.services.import_calendar(&me.actor, &f.csv).await {
        Ok(n) => {
            calendar_page(
                &st,
                lang,
                &me,
                &uri,
                None,
                FormErrors::default(),
                Some(lang.tp("calendar.imported", &n.to_string())),
            )
            .await
        }
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Forbidden(_))) => {
            calendar_page(&st, lang, &me, &uri, None, FormErrors::from(&e, lang), None).await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn delete_day(
    State(st): State<AppState>,
    lang: Lang,
    me: PageUser,
    Path(day): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    me.check_csrf(&f.csrf).or_page(lang)?;
    st.services
        .delete_calendar_day(&me.actor, &day)
        .await
        .or_page(lang)?;
    Ok(see_other(&format!(
        "/calendar?year={}",
        year_of(&day).unwrap_or(2026)
    )))
}

#[derive(Deserialize)]
struct RiskForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    warn_working_days: String,
    #[serde(default)]
    progress_threshold: String,
}

async fn set_risk(
    State(st): State<AppState>,
    lang: Lang,
    me: PageUser,
    uri: Uri,
    Form(f): Form<RiskForm>,
) -> PageResult {
    me.check_csrf(&f.csrf).or_page(lang)?;
    let warn = f.warn_working_days.trim().parse().unwrap_or(-1);
    let threshold = f.progress_threshold.trim().parse().unwrap_or(-1);
    match st
        .services
        .set_risk_policy(&me.actor, warn, threshold)
        .await
    {
        Ok(()) => {
            calendar_page(
                &st,
                lang,
                &me,
                &uri,
                None,
                FormErrors::default(),
                Some(lang.t("calendar.policy_saved")),
            )
            .await
        }
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Forbidden(_))) => {
            calendar_page(&st, lang, &me, &uri, None, FormErrors::from(&e, lang), None).await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}

#[derive(Deserialize)]
struct LimitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    category_id: String,
    #[serde(default)]
    accept_days: String,
    #[serde(default)]
    answer_days: String,
}

async fn set_limit(
    State(st): State<AppState>,
    lang: Lang,
    me: PageUser,
    uri: Uri,
    Form(f): Form<LimitForm>,
) -> PageResult {
    me.check_csrf(&f.csrf).or_page(lang)?;
    let num = |v: &str| v.trim().parse::<i64>().unwrap_or(-1);
    let result = st
        .services
        .set_response_limit(
            &me.actor,
            num(&f.unit_id).max(0),
            num(&f.category_id).max(0),
            num(&f.accept_days),
            num(&f.answer_days),
        )
        .await;
    match result {
        Ok(()) => {
            calendar_page(
                &st,
                lang,
                &me,
                &uri,
                None,
                FormErrors::default(),
                Some(lang.t("calendar.limit_saved")),
            )
            .await
        }
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Forbidden(_))) => {
            calendar_page(&st, lang, &me, &uri, None, FormErrors::from(&e, lang), None).await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}
