//! The matter page: the five determinations, lifecycle steps, progress with evidence, and
//! what drives the matter to done (supervision orders, extensions, the completion claim, the
//! requesters' verdicts); evidence downloads.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::{Uri, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::input::Form;
use serde::Deserialize;
use shishi_core::MatterAction;
use shishi_core::driving::OrderLevel;
use shishi_service::ServiceError;
use shishi_service::driving::{OrderView, VerdictSummary};
use shishi_service::files::Upload;
use shishi_service::matters::{MatterDetail, relation};
use shishi_store::orders::ExtensionRow;

use super::{Ctx, FormErrors, OrPage, PageError, PageResult, read_multipart, render_status};
use crate::auth::PageUser;
use crate::error::status_of;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/matters/{id}/transition", post(transition))
        .route("/matters/{id}/progress", post(progress))
        .route("/files/{id}", get(download))
}

/// A form on the matter page that was refused: the refusal, which section's form it was, and
/// what the person had typed, so the page comes back with it.
pub struct Failure {
    pub error: ServiceError,
    pub section: &'static str,
    pub values: Vec<(&'static str, String)>,
}

impl Failure {
    pub fn new(error: ServiceError, section: &'static str) -> Failure {
        Failure {
            error,
            section,
            values: vec![],
        }
    }
}

#[derive(Template)]
#[template(path = "matter.html")]
pub struct MatterTemplate {
    ctx: Ctx,
    d: MatterDetail,
    area: String,
    error: Option<String>,
    errors: FormErrors,
    section: &'static str,
    values: Vec<(&'static str, String)>,
    orders: Vec<OrderView>,
    extensions: Vec<ExtensionRow>,
    verdicts: VerdictSummary,
    /// A supervisor over the matter: issues and closes orders.
    supervises: bool,
    /// The responsible person or a unit admin over it: replies, asks for more time, claims
    /// completion.
    answers: bool,
    /// Decides this matter's extension requests.
    approves: bool,
    me: i64,
    today: String,
    /// The lifecycle stepper (templates/_stepper.html).
    stepper: super::stepper::StepperView,
}

impl MatterTemplate {
    fn history_line(&self, action: &str, details: &str) -> String {
        let lang = self.ctx.lang;
        let label = lang.t(&format!("history.{action}"));
        let v: serde_json::Value = serde_json::from_str(details).unwrap_or_default();
        let text = |k: &str| {
            v.get(k)
                .and_then(|x| x.as_str())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let mut extra = Vec::new();
        let dates = action.starts_with("extension_");
        if let (Some(from), Some(to)) = (text("from"), text("to")) {
            if dates {
                extra.push(format!("{from} → {to}"));
            } else {
                extra.push(format!("{} → {}", lang.status(&from), lang.status(&to)));
            }
        }
        if let Some(l) = text("level").filter(|l| OrderLevel::from_code(l).is_some()) {
            extra.push(lang.t(&format!("level.{l}")));
        }
        if let Some(r) = text("requirement") {
            extra.push(lang.reason(&r));
        }
        if let Some(d) = text("reply_due") {
            extra.push(lang.labelled(&lang.t("field.reply_due"), &d));
        }
        if let Some(p) = v.get("percent").and_then(|x| x.as_i64()) {
            extra.push(format!("{p}%"));
        }
        if let Some(r) = text("reason") {
            extra.push(lang.labelled(&lang.t("field.reason"), &lang.reason(&r)));
        }
        if let Some(n) = text("note") {
            extra.push(lang.labelled(&lang.t("field.note"), &n));
        }
        if let Some(verdict) = text("verdict").filter(|c| VERDICTS.contains(&c.as_str())) {
            extra.push(lang.t(&format!("verdict.{verdict}")));
        }
        if let Some(via) = text("via").filter(|c| VIAS.contains(&c.as_str())) {
            extra.push(lang.t(&format!("via.{via}")));
        }
        if action == "matter_updated"
            && let Some(obj) = v.as_object()
        {
            let names: Vec<String> = obj.keys().map(|k| lang.field(k)).collect();
            extra.push(names.join(lang.list_sep()));
        }
        if extra.is_empty() {
            label
        } else {
            lang.paren(&label, &extra.join(lang.clause_sep()))
        }
    }

    fn needs_reason(&self, action: &MatterAction) -> bool {
        action.needs_reason()
    }

    /// The completion claim has its own form with evidence; the other steps are buttons.
    fn steps(&self) -> Vec<&MatterAction> {
        self.d
            .actions
            .iter()
            .filter(|a| **a != MatterAction::Complete)
            .collect()
    }

    fn can_claim(&self) -> bool {
        self.d.actions.contains(&MatterAction::Complete)
    }

    fn button_class(&self, action: &MatterAction) -> &'static str {
        match action {
            MatterAction::Cancel
            | MatterAction::Suspend
            | MatterAction::Return
            | MatterAction::Reopen => "btn danger",
            _ => "btn primary",
        }
    }

    fn files_of(&self, entry: &i64) -> Vec<&shishi_store::matters::FileMeta> {
        self.d
            .files
            .iter()
            .filter(|f| f.progress_id == Some(*entry))
            .collect()
    }

    /// The evidence of an entry split for showing: images as thumbnails, the rest as links.
    fn images_of(&self, entry: &i64) -> Vec<&shishi_store::matters::FileMeta> {
        self.files_of(entry)
            .into_iter()
            .filter(|f| is_image(&f.content_type))
            .collect()
    }

    fn documents_of(&self, entry: &i64) -> Vec<&shishi_store::matters::FileMeta> {
        self.files_of(entry)
            .into_iter()
            .filter(|f| !is_image(&f.content_type))
            .collect()
    }

    /// 已重新打开: accepted work reopened for rework, not finished again.
    fn reopened(&self) -> bool {
        let r = &self.d.matter.row;
        shishi_core::matter::MatterStatus::from_code(&r.status)
            .is_some_and(|s| shishi_core::matter::is_reopened(s, r.rework_count))
    }

    fn tags(&self) -> Vec<&str> {
        self.d
            .matter
            .row
            .tags
            .split(',')
            .filter(|t| !t.is_empty())
            .collect()
    }

    fn deadline_changed(&self) -> bool {
        let r = &self.d.matter.row;
        r.original_deadline.is_some() && r.original_deadline != r.deadline
    }

    fn days_left(&self) -> String {
        match self.d.matter.working_days_left {
            Some(d) if d < 0 => self.ctx.lang.tp("ledger.days_late", &(-d).to_string()),
            Some(0) if self.d.matter.overdue => String::new(),
            Some(d) => self.ctx.lang.tp("ledger.days_left", &d.to_string()),
            None => String::new(),
        }
    }

    fn kb(&self, size: &i64) -> String {
        format!("{:.0} KB", (*size as f64 / 1024.0).ceil())
    }

    /// What the person typed into a refused form, to show it again.
    fn value(&self, section: &str, name: &str) -> String {
        if self.section != section {
            return String::new();
        }
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The error of one field of a section's refused form.
    fn err(&self, section: &str, field: &str) -> String {
        if self.section == section {
            self.errors.on(field)
        } else {
            String::new()
        }
    }

    fn levels(&self) -> Vec<&'static str> {
        OrderLevel::ALL.iter().map(|l| l.code()).collect()
    }

    fn open_work(&self) -> bool {
        matches!(
            self.d.matter.row.status.as_str(),
            "approved" | "in_progress"
        )
    }

    fn can_reply(&self, o: &OrderView) -> bool {
        self.answers && o.row.state == "open"
    }

    fn can_close(&self, o: &OrderView) -> bool {
        self.supervises && (o.row.state == "open" || o.row.state == "replied")
    }

    fn pending_extension(&self) -> bool {
        self.extensions.iter().any(|e| e.state == "pending")
    }

    fn can_request_extension(&self) -> bool {
        self.answers
            && self.open_work()
            && self.d.matter.row.deadline.is_some()
            && !self.pending_extension()
    }

    fn can_decide(&self, e: &ExtensionRow) -> bool {
        self.approves && e.state == "pending" && (e.requested_by != self.me || self.ctx.root_admin)
    }

    fn verdict_count(&self) -> i64 {
        self.verdicts.satisfied + self.verdicts.basically + self.verdicts.dissatisfied
    }

    fn show_verdicts(&self) -> bool {
        self.verdict_count() > 0
            || self.verdicts.waiting > 0
            || self.verdicts.lapsed > 0
            || matches!(
                self.d.matter.row.status.as_str(),
                "completed" | "accepted" | "closed"
            )
    }

    fn via_label(&self, via: &str) -> String {
        if VIAS.contains(&via) {
            self.ctx.t(&format!("via.{via}"))
        } else {
            String::new()
        }
    }

    fn verdict_label(&self, verdict: &str) -> String {
        if VERDICTS.contains(&verdict) {
            self.ctx.t(&format!("verdict.{verdict}"))
        } else {
            verdict.to_string()
        }
    }
}

pub const VERDICTS: [&str; 3] = ["satisfied", "basically", "dissatisfied"];
pub const VIAS: [&str; 3] = ["online", "phone", "in_person"];

pub async fn show_page(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    id: i64,
    failure: Option<Failure>,
) -> PageResult {
    let d = st.services.matter(&user.actor, id).await.or_page(lang)?;
    let areas = st.services.content_areas().await.or_page(lang)?;
    let area = areas
        .iter()
        .find(|a| Some(a.id) == d.matter.row.content_area_id)
        .map(|a| {
            if lang.is_en() {
                a.name_en.clone()
            } else {
                a.name_zh.clone()
            }
        })
        .unwrap_or_default();
    let orders = st.services.orders_of(&user.actor, id).await.or_page(lang)?;
    let extensions = st
        .services
        .extensions_of(&user.actor, id)
        .await
        .or_page(lang)?;
    let row = &d.matter.row;
    let verdicts = st
        .services
        .verdict_summary(&user.actor, "matter", id)
        .await
        .or_page(lang)?;
    let rel = relation(&user.actor, row);
    let approves = st.services.approves_extensions(&user.actor, row);
    let (status, error, errors, section, values) = match failure {
        Some(f) => {
            // Field errors show beside their fields; the alert says so once, not again.
            let errors = FormErrors::of(&format!("matter#{}", f.section), &f.error, lang);
            (
                status_of(&f.error),
                errors.general.clone(),
                errors,
                f.section,
                f.values,
            )
        }
        None => (
            axum::http::StatusCode::OK,
            None,
            FormErrors::default(),
            "",
            vec![],
        ),
    };
    let t = MatterTemplate {
        stepper: super::stepper::matter(lang, &d),
        ctx: Ctx::new(lang, user, uri, "ledger"),
        supervises: rel.supervises,
        answers: rel.owns || rel.manages,
        approves,
        me: user.actor.id(),
        today: st.services.clock.today().to_string(),
        d,
        area,
        error,
        errors,
        section,
        values,
        orders,
        extensions,
        verdicts,
    };
    render_status(&t, lang, status)
}

/// Reads a form with evidence files posted to the matter page and checks its CSRF token; a
/// broken upload shows the page again with the error in `section`.
pub async fn read_matter_form(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    id: i64,
    mp: Multipart,
    section: &'static str,
) -> Result<(BTreeMap<String, String>, Vec<Upload>), PageResult> {
    let (fields, uploads) = match read_multipart(mp).await {
        Ok(x) => x,
        Err(e) => {
            return Err(show_page(st, lang, user, uri, id, Some(Failure::new(e, section))).await);
        }
    };
    let csrf = fields.get("csrf").map(String::as_str).unwrap_or("");
    if let Err(e) = user.check_csrf(csrf).or_page(lang) {
        return Err(Err(e));
    }
    Ok((fields, uploads))
}

/// After a form on the matter page: back to the matter (at the section's anchor), or the page
/// with the refusal shown beside the form and what was typed into it.
#[allow(clippy::too_many_arguments)]
pub async fn step_outcome<T>(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    id: i64,
    result: Result<T, ServiceError>,
    section: &'static str,
    values: Vec<(&'static str, String)>,
) -> PageResult {
    match result {
        // A lifecycle step lands on the top of the page, where the status is.
        Ok(_) if section == "steps" => Ok(super::see_other(&format!("/matters/{id}"))),
        Ok(_) => Ok(super::see_other(&format!("/matters/{id}#{section}"))),
        Err(ServiceError::NotFound) => Err(PageError {
            error: ServiceError::NotFound,
            lang,
        }),
        Err(error) => {
            let failure = Failure {
                error,
                section,
                values,
            };
            show_page(st, lang, user, uri, id, Some(failure)).await
        }
    }
}

async fn show(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
) -> PageResult {
    show_page(&st, lang, &user, &uri, id, None).await
}

/// The page's GET handler, for the router of the matter form that shares its path.
pub fn show_handler() -> axum::routing::MethodRouter<AppState> {
    get(show)
}

#[derive(Deserialize)]
struct TransitionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

async fn transition(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<TransitionForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let result = st
        .services
        .transition_by_code(&user.actor, id, &f.action, &f.reason)
        .await;
    step_outcome(
        &st,
        lang,
        &user,
        &uri,
        id,
        result,
        "steps",
        vec![("action", f.action), ("reason", f.reason)],
    )
    .await
}

async fn progress(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    mp: Multipart,
) -> PageResult {
    let (fields, uploads) = match read_matter_form(&st, lang, &user, &uri, id, mp, "progress").await
    {
        Ok(x) => x,
        Err(page) => return page,
    };
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let narrative = get("narrative");
    let percent_text = get("percent");
    let result = st
        .services
        .post_progress_form(&user.actor, id, &percent_text, &narrative, uploads)
        .await;
    step_outcome(
        &st,
        lang,
        &user,
        &uri,
        id,
        result,
        "progress",
        vec![("narrative", narrative), ("percent", percent_text)],
    )
    .await
}

async fn download(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    let (meta, data) = st.services.file(&user.actor, id).await.or_page(lang)?;
    let disposition = if meta.content_type.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    Ok((
        [
            (header::CONTENT_TYPE, meta.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                super::disposition(disposition, &meta.filename),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        data,
    )
        .into_response())
}

/// Evidence a browser shows in place: the picture types an upload accepts.
fn is_image(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/jpeg" | "image/png" | "image/gif" | "image/webp"
    )
}
