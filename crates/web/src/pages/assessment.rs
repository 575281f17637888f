//! The assessment page (考核): the units one level below ranked for a week, month or quarter,
//! the red and black lists, the weights (system admin of the whole organisation), and the
//! ranking as a workbook.

use crate::input::Query;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};

use crate::input::Form;
use serde::Deserialize;
use shishi_report::assess::{AssessPolicy, Assessed};
use shishi_report::figures::percent;
use shishi_report::period::{Period, PeriodKind};
use shishi_service::ServiceError;
use shishi_service::assessment::Assessment;

use super::{Ctx, FormErrors, NumberFields, OrPage, PageResult, render_status, see_other};
use crate::auth::PageUser;
use crate::error::status_of;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessment", get(show))
        .route("/assessment/policy", post(save_policy))
        .route("/assessment/export.xlsx", get(export))
}

#[derive(Debug, Default, Deserialize)]
struct Which {
    unit: Option<String>,
    period: Option<String>,
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentTemplate {
    ctx: Ctx,
    a: Assessment,
    period_label: String,
    /// The same unit for the periods people usually assess: this month, last month, this
    /// quarter, last quarter.
    periods: Vec<(String, String)>,
    policy: AssessPolicy,
    errors: FormErrors,
    notice: Option<String>,
    /// The unit above, if the person reads it.
    up: Option<i64>,
}

impl AssessmentTemplate {
    fn pct(&self, r: &Option<f64>) -> String {
        percent(*r)
    }
    fn score(&self, a: &Assessed) -> String {
        a.score
            .map_or_else(|| "—".to_string(), |s| format!("{s:.1}"))
    }
    fn listed(&self, ids: &[i64]) -> Vec<&Assessed> {
        ids.iter()
            .filter_map(|id| self.a.ranking.units.iter().find(|u| u.unit_id == *id))
            .collect()
    }
    fn weight(&self, field: &str) -> u32 {
        let p = &self.policy;
        match field {
            "weight_response" => p.weight_response,
            "weight_resolution" => p.weight_resolution,
            "weight_satisfaction" => p.weight_satisfaction,
            "weight_on_time" => p.weight_on_time,
            "weight_rework" => p.weight_rework,
            "min_sample" => p.min_sample,
            _ => p.board_size,
        }
    }
    fn fields(&self) -> [&'static str; 7] {
        AssessPolicy::FIELDS
    }
}

fn resolve(st: &AppState, user: &PageUser, w: &Which) -> Result<(i64, Period), ServiceError> {
    let unit = super::unit_or_home(user, &w.unit)?;
    let period = match w.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => p
            .parse::<Period>()
            .map_err(|_| ServiceError::field("period", "error.period"))?,
        None => Period::containing(PeriodKind::Month, st.services.clock.today()),
    };
    Ok((unit, period))
}

async fn render(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    which: (i64, Period),
    failure: Option<(ServiceError, AssessPolicy)>,
    notice: Option<String>,
) -> PageResult {
    let a = st
        .services
        .assessment(&user.actor, which.0, which.1)
        .await
        .or_page(lang)?;
    let (status, errors, policy) = match failure {
        Some((e, given)) => (status_of(&e), FormErrors::of("assessment", &e, lang), given),
        None => (StatusCode::OK, FormErrors::default(), a.policy),
    };
    let today = st.services.clock.today();
    let month = Period::containing(PeriodKind::Month, today);
    let quarter = Period::containing(PeriodKind::Quarter, today);
    let periods = [month, month.previous(), quarter, quarter.previous()]
        .into_iter()
        .map(|p| (p.to_string(), p.label(lang.code())))
        .collect();
    let t = AssessmentTemplate {
        ctx: Ctx::new(lang, user, uri, "assessment"),
        period_label: a.period.label(lang.code()),
        periods,
        policy,
        errors,
        notice,
        up: super::up_in_scope(&user.actor, a.unit.parent_id, &a.unit.path),
        a,
    };
    render_status(&t, lang, status)
}

async fn show(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Query(w): Query<Which>,
) -> PageResult {
    let which = resolve(&st, &user, &w).or_page(lang)?;
    let notice = w.saved.is_some().then(|| lang.t("assessment.saved"));
    render(&st, lang, &user, &uri, which, None, notice).await
}

#[derive(Debug, Deserialize)]
struct PolicyForm {
    #[serde(default)]
    csrf: String,
    unit: Option<String>,
    period: Option<String>,
    #[serde(flatten)]
    values: std::collections::BTreeMap<String, String>,
}

async fn save_policy(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Form(f): Form<PolicyForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let w = Which {
        unit: f.unit.clone(),
        period: f.period.clone(),
        saved: None,
    };
    let which = resolve(&st, &user, &w).or_page(lang)?;
    let mut fields = NumberFields::new(&f.values);
    let policy = AssessPolicy {
        weight_response: fields.read("weight_response"),
        weight_resolution: fields.read("weight_resolution"),
        weight_satisfaction: fields.read("weight_satisfaction"),
        weight_on_time: fields.read("weight_on_time"),
        weight_rework: fields.read("weight_rework"),
        min_sample: fields.read("min_sample"),
        board_size: fields.read("board_size"),
    };
    let result = match fields.checked() {
        Ok(()) => st.services.set_assess_policy(&user.actor, policy).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&format!(
            "/assessment?unit={}&period={}&saved=1",
            which.0, which.1
        ))),
        Err(e) => render(&st, lang, &user, &uri, which, Some((e, policy)), None).await,
    }
}

async fn export(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    Query(w): Query<Which>,
) -> PageResult {
    let (unit, period) = resolve(&st, &user, &w).or_page(lang)?;
    let book = st
        .services
        .assessment_workbook(&user.actor, unit, period, lang.code())
        .await
        .or_page(lang)?;
    Ok(super::reports::xlsx_response(&book.filename, book.bytes))
}
