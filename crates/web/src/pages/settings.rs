//! Settings of the whole organisation, for its system admins: the working-day calendar, the
//! at-risk rule, the time limits for demands, and the lists demands are sorted and declined by.

use crate::input::Query;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};

use crate::input::Form;
use serde::Deserialize;
use shishi_core::calendar::Holiday;
use shishi_service::ServiceError;
use shishi_store::calendar::MovedDeadlineRow;
use shishi_store::demands::{List, ListEntry};

use super::ledger::{UnitOption, tree_options};
use super::{Ctx, FormErrors, OrPage, PageError, PageResult, render_status, see_other};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(calendar).post(set_day))
        .route("/calendar/import", post(import_calendar))
        .route("/calendar/confirm", post(confirm_year))
        .route("/calendar/{day}/delete", post(delete_day))
        .route("/settings/risk", post(set_risk))
        .route("/settings/limits", post(set_limit))
        .route("/settings/lists", get(lists))
        .route("/settings/lists/{list}", post(add_entry))
        .route("/settings/lists/{list}/{id}/active", post(set_active_entry))
}

// ---- calendar ----

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<String>,
}

/// One named day as the page shows it.
struct DayLine {
    day: String,
    kind: String,
    /// The festivals in the reader's language, or the name as entered.
    label: String,
}

/// The festivals of a day in the reader's language; a name no festival was read from stays
/// as entered.
pub(crate) fn holiday_label(lang: Lang, holidays: &[Holiday], name: &str) -> String {
    if holidays.is_empty() {
        return name.to_string();
    }
    let sep = lang.list_sep();
    holidays
        .iter()
        .map(|h| lang.t(&format!("holiday.{}", h.code())))
        .collect::<Vec<_>>()
        .join(sep)
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarTemplate {
    ctx: Ctx,
    year: i32,
    years: Vec<i32>,
    /// The year's days are computed by rule until a system admin confirms it.
    provisional: bool,
    days: Vec<DayLine>,
    /// The festivals a day can be named for.
    holidays: Vec<&'static str>,
    /// Deadlines the confirmed calendar would have moved (system admins only).
    moved: Vec<MovedDeadlineRow>,
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
    let mut years = st.services.calendar_years().await.or_page(lang)?;
    let this_year: i32 = st
        .services
        .clock
        .today()
        .format("%Y")
        .to_string()
        .parse()
        .unwrap_or(2026);
    let year = year
        .filter(|y| {
            (shishi_core::calendar::rule::FIRST_YEAR..=shishi_core::calendar::rule::LAST_YEAR)
                .contains(y)
        })
        .unwrap_or(this_year);
    if !years.contains(&year) {
        years.push(year);
        years.sort();
    }
    let cy = st.services.calendar_year(year).await.or_page(lang)?;
    let days = cy
        .days
        .iter()
        .map(|d| DayLine {
            day: d.day.clone(),
            kind: d.kind.clone(),
            label: holiday_label(lang, &d.holidays, &d.name),
        })
        .collect();
    let moved = if me.actor.is_root_admin() {
        st.services.moved_deadlines(&me.actor).await.or_page(lang)?
    } else {
        Vec::new()
    };
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
        provisional: cy.provisional,
        days,
        holidays: Holiday::ALL.iter().map(|h| h.code()).collect(),
        moved,
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
    #[serde(default)]
    holiday: String,
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
        .set_calendar_day(&me.actor, &f.day, &f.kind, &f.name, Some(&f.holiday))
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
                FormErrors::of("calendar", &e, lang),
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
            calendar_page(
                &st,
                lang,
                &me,
                &uri,
                None,
                FormErrors::of("calendar", &e, lang),
                None,
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    year: String,
}

async fn confirm_year(
    State(st): State<AppState>,
    lang: Lang,
    me: PageUser,
    uri: Uri,
    Form(f): Form<ConfirmForm>,
) -> PageResult {
    me.check_csrf(&f.csrf).or_page(lang)?;
    let year: Option<i32> = f.year.trim().parse().ok();
    let result = match year {
        Some(y) => st.services.confirm_calendar_year(&me.actor, y).await,
        None => Err(ServiceError::field("year", "error.number")),
    };
    match result {
        Ok(n) => {
            calendar_page(
                &st,
                lang,
                &me,
                &uri,
                year,
                FormErrors::default(),
                Some(lang.tp("calendar.confirmed", &n.to_string())),
            )
            .await
        }
        Err(
            e @ (ServiceError::Invalid(_) | ServiceError::Forbidden(_) | ServiceError::Conflict(_)),
        ) => {
            calendar_page(
                &st,
                lang,
                &me,
                &uri,
                year,
                FormErrors::of("calendar", &e, lang),
                None,
            )
            .await
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
            calendar_page(
                &st,
                lang,
                &me,
                &uri,
                None,
                FormErrors::of("calendar", &e, lang),
                None,
            )
            .await
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
            calendar_page(
                &st,
                lang,
                &me,
                &uri,
                None,
                FormErrors::of("calendar", &e, lang),
                None,
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}

// ---- lists ----

fn list_of(code: &str) -> Result<List, ServiceError> {
    match code {
        "categories" => Ok(List::Categories),
        "decline_reasons" => Ok(List::DeclineReasons),
        _ => Err(ServiceError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "lists.html")]
struct ListsTemplate {
    ctx: Ctx,
    categories: Vec<ListEntry>,
    reasons: Vec<ListEntry>,
    errors: FormErrors,
}

impl ListsTemplate {
    fn sections(&self) -> Vec<(&'static str, &'static str, &Vec<ListEntry>)> {
        vec![
            ("categories", "lists.categories", &self.categories),
            ("decline_reasons", "lists.decline_reasons", &self.reasons),
        ]
    }
}

async fn lists_page(
    st: &AppState,
    lang: Lang,
    me: &PageUser,
    uri: &Uri,
    errors: FormErrors,
) -> PageResult {
    if !me.actor.is_root_admin() {
        return Err(PageError {
            error: ServiceError::Forbidden("error.only_root_admin".into()),
            lang,
        });
    }
    let categories = st.services.demand_categories().await.or_page(lang)?;
    let reasons = st.services.decline_reasons().await.or_page(lang)?;
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let t = ListsTemplate {
        ctx: Ctx::new(lang, me, uri, "calendar"),
        categories,
        reasons,
        errors,
    };
    render_status(&t, lang, status)
}

async fn lists(State(st): State<AppState>, lang: Lang, me: PageUser, uri: Uri) -> PageResult {
    lists_page(&st, lang, &me, &uri, FormErrors::default()).await
}

#[derive(Deserialize)]
struct EntryForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    name_en: String,
}

async fn add_entry(
    State(st): State<AppState>,
    lang: Lang,
    me: PageUser,
    uri: Uri,
    Path(list): Path<String>,
    Form(f): Form<EntryForm>,
) -> PageResult {
    me.check_csrf(&f.csrf).or_page(lang)?;
    let list = list_of(&list).or_page(lang)?;
    match st
        .services
        .add_list_entry(&me.actor, list, &f.name_zh, &f.name_en)
        .await
    {
        Ok(_) => Ok(see_other("/settings/lists")),
        Err(e @ ServiceError::Invalid(_)) => {
            lists_page(&st, lang, &me, &uri, FormErrors::of("lists", &e, lang)).await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}

#[derive(Deserialize)]
struct ActiveEntryForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    active: String,
}

async fn set_active_entry(
    State(st): State<AppState>,
    lang: Lang,
    me: PageUser,
    Path((list, id)): Path<(String, i64)>,
    Form(f): Form<ActiveEntryForm>,
) -> PageResult {
    me.check_csrf(&f.csrf).or_page(lang)?;
    let list = list_of(&list).or_page(lang)?;
    st.services
        .set_list_entry_active(&me.actor, list, id, f.active == "1")
        .await
        .or_page(lang)?;
    Ok(see_other("/settings/lists"))
}
