//! Reports (报表): the statistics table of a unit for a week, month or quarter with its
//! narrative and submission (上报), the units below that have not submitted, and a frozen
//! submission exactly as it was made.

use crate::input::Query;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::input::Form;
use serde::Deserialize;
use shishi_report::figures::{AreaCounts, Counts, percent};
use shishi_report::kinds::{DuePolicy, ReportKind};
use shishi_report::period::Period;
use shishi_report::table::StatsTable;
use shishi_service::reports::{Narrative, ReportPage, SubmittedReport};
use shishi_service::{ServiceError, ServiceResult};

use super::{
    Ctx, FormErrors, NumberFields, OrPage, PageError, PageResult, opt_id, render_status, see_other,
};
use crate::auth::PageUser;
use crate::error::status_of;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(show).post(save))
        .route("/reports/remind", post(remind))
        .route("/reports/due", post(save_due))
        .route("/reports/export.xlsx", get(export_live))
        .route("/reports/{id}", get(frozen))
        .route("/reports/{id}/export.xlsx", get(export_frozen))
}

#[derive(Debug, Default, Deserialize)]
struct Which {
    kind: Option<String>,
    unit: Option<String>,
    period: Option<String>,
    /// Set after a redirect: what just happened, for the notice line.
    done: Option<String>,
}

/// One line of the table as shown: a unit below (its subtotal), the unit's own matters, or
/// the total.
pub struct Line {
    pub label: String,
    pub unit_id: i64,
    /// `child`, `own` or `total`.
    pub kind: &'static str,
    pub has_children: bool,
    pub c: Counts,
}

impl Line {
    pub fn completion(&self) -> String {
        percent(self.c.completion_rate())
    }
    pub fn on_time(&self) -> String {
        percent(self.c.on_time_rate())
    }
    /// The ledger rows behind a figure; the own line and the total lead to the whole subtree.
    pub fn ledger(&self, what: &str) -> String {
        let base = format!("/ledger?unit_id={}&top_level_only=1", self.unit_id);
        match what {
            "in_progress" => format!("{base}&status=in_progress"),
            "not_started" => format!("{base}&status=approved"),
            "completed" => format!("{base}&status=completed&status=accepted&status=closed"),
            "overdue" => format!("{base}&flag=overdue"),
            _ => base,
        }
    }
}

/// The lines of a table: each unit one level down (with its subtotal), the unit's own
/// matters when it has any, and the total.
pub fn lines(t: &StatsTable, lang: Lang) -> Vec<Line> {
    let mut out: Vec<Line> = t
        .children_of(t.unit_id)
        .map(|r| Line {
            label: r.name.clone(),
            unit_id: r.unit_id,
            kind: "child",
            has_children: r.has_children,
            c: r.subtree,
        })
        .collect();
    if let Some(root) = t.rows.first() {
        if root.own != Counts::default() && !out.is_empty() {
            out.push(Line {
                label: lang.t("report.own"),
                unit_id: root.unit_id,
                kind: "own",
                has_children: false,
                c: root.own,
            });
        }
        out.push(Line {
            label: lang.t("report.total"),
            unit_id: root.unit_id,
            kind: "total",
            has_children: false,
            c: root.subtree,
        });
    }
    out
}

fn kind_of(s: &Option<String>) -> ReportKind {
    s.as_deref()
        .and_then(ReportKind::from_code)
        .unwrap_or(ReportKind::Weekly)
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportTemplate {
    ctx: Ctx,
    kind_code: &'static str,
    /// The table of a unit below, same kind and period, without its unit.
    drill: String,
    areas: Vec<AreaCounts>,
    page: ReportPage,
    lines: Vec<Line>,
    period_label: String,
    prev: String,
    next: Option<String>,
    errors: FormErrors,
    narrative: Narrative,
    notice: Option<String>,
    /// The unit above, if the person reads it.
    up: Option<i64>,
    /// The due times, for the form the system admin of the whole organisation sees.
    due: DuePolicy,
}

impl ReportTemplate {
    fn kinds(&self) -> Vec<&'static str> {
        ReportKind::ALL.iter().map(|k| k.code()).collect()
    }
    fn fields(&self) -> &'static [&'static str] {
        self.page.kind.narrative_fields()
    }
    fn text(&self, field: &str) -> String {
        self.narrative.get(field).cloned().unwrap_or_default()
    }
    fn link(&self, kind: &str, unit: impl std::fmt::Display, period: &str) -> String {
        format!("/reports?kind={kind}&unit={unit}&period={period}")
    }
    fn pct(&self, rate: Option<f64>) -> String {
        percent(rate)
    }
    fn rate(&self, rate: &Option<f64>) -> String {
        percent(*rate)
    }
    fn due_fields(&self) -> [(&'static str, u32); 4] {
        let d = &self.due;
        [
            ("weekly_weekday", d.weekly_weekday),
            ("monthly_day", d.monthly_day),
            ("quarterly_day", d.quarterly_day),
            ("hour", d.hour),
        ]
    }
}

/// Which unit and period a request means; the defaults are the actor's top unit and the
/// current period.
fn resolve(
    st: &AppState,
    user: &PageUser,
    w: &Which,
) -> Result<(ReportKind, i64, Period), ServiceError> {
    let kind = kind_of(&w.kind);
    let unit = super::unit_or_home(user, &w.unit)?;
    let period = match w.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => p
            .parse::<Period>()
            .ok()
            .filter(|p| p.kind() == kind.period_kind())
            .ok_or_else(|| ServiceError::field("period", "error.period"))?,
        None => Period::containing(kind.period_kind(), st.services.clock.today()),
    };
    Ok((kind, unit, period))
}

async fn render_page(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    which: (ReportKind, i64, Period),
    failure: Option<(ServiceError, Narrative)>,
    notice: Option<String>,
) -> PageResult {
    let (kind, unit, period) = which;
    let page = st
        .services
        .report_page(&user.actor, kind, unit, period)
        .await
        .or_page(lang)?;
    let (status, errors, narrative) = match failure {
        Some((e, given)) => (status_of(&e), FormErrors::of("reports", &e, lang), given),
        None => (
            StatusCode::OK,
            FormErrors::default(),
            page.narrative.clone(),
        ),
    };
    let due = st.services.due_policy().await.or_page(lang)?;
    let today = st.services.clock.today();
    let next = period.next();
    let t = ReportTemplate {
        ctx: Ctx::new(lang, user, uri, "reports"),
        kind_code: kind.code(),
        drill: format!("/reports?kind={}&period={period}", kind.code()),
        areas: page.table.areas.clone(),
        lines: lines(&page.table, lang),
        period_label: period.label(lang.code()),
        prev: period.previous().to_string(),
        next: (next.first_day() <= today).then(|| next.to_string()),
        errors,
        narrative,
        notice,
        up: super::up_in_scope(&user.actor, page.unit.parent_id, &page.unit.path),
        due,
        page,
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
    let notice = match w.done.as_deref() {
        Some("submitted") => Some(lang.t("report.submitted_notice")),
        Some("submitted_top") => Some(lang.t("report.submitted_notice_top")),
        Some("saved") => Some(lang.t("report.saved_notice")),
        Some("reminded") => Some(lang.t("report.reminded_notice")),
        Some("already_reminded") => Some(lang.t("report.already_reminded")),
        Some("due_saved") => Some(lang.t("report.due_saved")),
        _ => None,
    };
    render_page(&st, lang, &user, &uri, which, None, notice).await
}

#[derive(Debug, Default, Deserialize)]
struct NarrativeForm {
    #[serde(default)]
    csrf: String,
    kind: Option<String>,
    unit: Option<String>,
    period: Option<String>,
    /// `save` keeps a draft; `submit` submits.
    #[serde(default)]
    action: String,
    #[serde(flatten)]
    texts: std::collections::BTreeMap<String, String>,
}

async fn save(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Form(f): Form<NarrativeForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let w = Which {
        kind: f.kind.clone(),
        unit: f.unit.clone(),
        period: f.period.clone(),
        done: None,
    };
    let (kind, unit, period) = resolve(&st, &user, &w).or_page(lang)?;
    let narrative: Narrative = kind
        .narrative_fields()
        .iter()
        .map(|k| {
            (
                (*k).to_string(),
                f.texts.get(*k).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let result: ServiceResult<&str> = if f.action == "submit" {
        st.services
            .submit_report_notifying(&user.actor, kind, unit, period, &narrative)
            .await
            // Only say the level above heard of it when somebody there did.
            .map(|(_, notified)| {
                if notified > 0 {
                    "submitted"
                } else {
                    "submitted_top"
                }
            })
    } else {
        st.services
            .save_report_draft(&user.actor, kind, unit, period, &narrative)
            .await
            .map(|_| "saved")
    };
    match result {
        Ok(done) => Ok(see_other(&format!(
            "/reports?kind={}&unit={unit}&period={period}&done={done}",
            kind.code()
        ))),
        Err(ServiceError::NotFound) => Err(PageError {
            error: ServiceError::NotFound,
            lang,
        }),
        Err(e) => {
            render_page(
                &st,
                lang,
                &user,
                &uri,
                (kind, unit, period),
                Some((e, narrative)),
                None,
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct RemindForm {
    #[serde(default)]
    csrf: String,
    kind: Option<String>,
    /// The unit reminded.
    unit: Option<String>,
    period: Option<String>,
    /// The unit whose page the button is on.
    back: Option<String>,
}

async fn remind(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Form(f): Form<RemindForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let w = Which {
        kind: f.kind.clone(),
        unit: f.unit.clone(),
        period: f.period.clone(),
        done: None,
    };
    let (kind, unit, period) = resolve(&st, &user, &w).or_page(lang)?;
    let back = opt_id(&f.back).unwrap_or(unit);
    match st
        .services
        .remind_report(&user.actor, kind, unit, period)
        .await
    {
        Ok(fresh) => Ok(see_other(&format!(
            "/reports?kind={}&unit={back}&period={period}&done={}",
            kind.code(),
            if fresh {
                "reminded"
            } else {
                "already_reminded"
            }
        ))),
        Err(ServiceError::NotFound) => Err(PageError {
            error: ServiceError::NotFound,
            lang,
        }),
        Err(e) => {
            let notice = Some(lang.error(&e));
            render_page(&st, lang, &user, &uri, (kind, back, period), None, notice).await
        }
    }
}

#[derive(Template)]
#[template(path = "report_frozen.html")]
struct FrozenTemplate {
    ctx: Ctx,
    kind_code: &'static str,
    drill: String,
    areas: Vec<AreaCounts>,
    report: SubmittedReport,
    lines: Vec<Line>,
    period_label: String,
}

impl FrozenTemplate {
    fn fields(&self) -> &'static [&'static str] {
        self.report.kind.narrative_fields()
    }
    fn text(&self, field: &str) -> String {
        self.report
            .narrative
            .get(field)
            .cloned()
            .unwrap_or_default()
    }
    fn pct(&self, rate: Option<f64>) -> String {
        percent(rate)
    }
}

async fn frozen(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
) -> PageResult {
    let report = st
        .services
        .submitted_report(&user.actor, id)
        .await
        .or_page(lang)?;
    let t = FrozenTemplate {
        ctx: Ctx::new(lang, &user, &uri, "reports"),
        kind_code: report.kind.code(),
        drill: format!(
            "/reports?kind={}&period={}",
            report.kind.code(),
            report.period
        ),
        areas: report.table.areas.clone(),
        lines: lines(&report.table, lang),
        period_label: report.period.label(lang.code()),
        report,
    };
    render_status(&t, lang, StatusCode::OK)
}

/// A workbook download.
pub(super) fn xlsx_response(filename: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                super::disposition("attachment", filename),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}

async fn export_live(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    Query(w): Query<Which>,
) -> PageResult {
    let (kind, unit, period) = resolve(&st, &user, &w).or_page(lang)?;
    let book = st
        .services
        .report_workbook(&user.actor, kind, unit, period, lang.code())
        .await
        .or_page(lang)?;
    Ok(xlsx_response(&book.filename, book.bytes))
}

async fn export_frozen(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    let book = st
        .services
        .submitted_workbook(&user.actor, id, lang.code())
        .await
        .or_page(lang)?;
    Ok(xlsx_response(&book.filename, book.bytes))
}

#[derive(Debug, Deserialize)]
struct DueForm {
    #[serde(default)]
    csrf: String,
    kind: Option<String>,
    unit: Option<String>,
    period: Option<String>,
    #[serde(flatten)]
    values: std::collections::BTreeMap<String, String>,
}

/// The due times of the reports (system admin of the whole organisation).
async fn save_due(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Form(f): Form<DueForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let w = Which {
        kind: f.kind.clone(),
        unit: f.unit.clone(),
        period: f.period.clone(),
        done: None,
    };
    let which = resolve(&st, &user, &w).or_page(lang)?;
    let mut fields = NumberFields::new(&f.values);
    let policy = DuePolicy {
        weekly_weekday: fields.read("weekly_weekday"),
        monthly_day: fields.read("monthly_day"),
        quarterly_day: fields.read("quarterly_day"),
        hour: fields.read("hour"),
    };
    let result = match fields.checked() {
        Ok(()) => st.services.set_due_policy(&user.actor, policy).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&format!(
            "/reports?kind={}&unit={}&period={}&done=due_saved",
            which.0.code(),
            which.1,
            which.2
        ))),
        Err(e @ ServiceError::Forbidden(_)) => Err(PageError { error: e, lang }),
        Err(e) => {
            render_page(
                &st,
                lang,
                &user,
                &uri,
                which,
                Some((e, Narrative::new())),
                None,
            )
            .await
        }
    }
}
