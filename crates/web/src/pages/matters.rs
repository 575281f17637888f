//! The matter page, the matter form (create, decompose, edit), lifecycle steps, progress
//! entries with evidence, and evidence downloads.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use shishi_core::MatterAction;
use shishi_service::ServiceError;
use shishi_service::demands::StepInput;
use shishi_service::files::Upload;
use shishi_service::matters::{MatterDetail, MatterInput};
use shishi_store::campaigns::{CampaignRow, ContentAreaRow};
use shishi_store::matters::MatterRow;
use shishi_store::users::UserRow;

use super::ledger::{UnitOption, tree_options};
use super::{Ctx, FormErrors, OrPage, PageError, PageResult, opt_id, render_status, see_other};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/matters/new", get(new_form))
        .route("/matters", post(create))
        .route("/matters/{id}", get(show).post(update))
        .route("/matters/{id}/edit", get(edit_form))
        .route("/matters/{id}/transition", post(transition))
        .route("/matters/{id}/progress", post(progress))
        .route("/files/{id}", get(download))
}

#[derive(Debug, Default, Deserialize, Clone)]
pub struct MatterForm {
    #[serde(default)]
    pub csrf: String,
    pub parent_id: Option<String>,
    pub version: Option<String>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub campaign_id: Option<String>,
    #[serde(default)]
    pub unit_id: String,
    pub owner_id: Option<String>,
    #[serde(default)]
    pub measures: String,
    /// `date` or `working_days`.
    pub deadline_mode: Option<String>,
    pub deadline: Option<String>,
    pub deadline_working_days: Option<String>,
    #[serde(default)]
    pub acceptance_standard: String,
    pub supervisor_id: Option<String>,
    pub content_area_id: Option<String>,
    #[serde(default)]
    pub tags: String,
    pub from_demand: Option<String>,
}

impl MatterForm {
    fn to_input(&self) -> Result<MatterInput, ServiceError> {
        let working_days =
            if self.deadline_mode.as_deref() == Some("working_days") {
                match self
                    .deadline_working_days
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    Some(s) => Some(s.parse::<u32>().map_err(|_| {
                        ServiceError::field("deadline_working_days", "error.number")
                    })?),
                    None => {
                        return Err(ServiceError::field(
                            "deadline_working_days",
                            "error.required",
                        ));
                    }
                }
            } else {
                None
            };
        Ok(MatterInput {
            title: self.title.clone(),
            description: self.description.clone(),
            campaign_id: opt_id(&self.campaign_id),
            unit_id: self.unit_id.trim().parse().unwrap_or(0),
            owner_id: opt_id(&self.owner_id),
            measures: self.measures.clone(),
            deadline: if working_days.is_some() {
                None
            } else {
                self.deadline.clone()
            },
            deadline_working_days: working_days,
            acceptance_standard: self.acceptance_standard.clone(),
            supervisor_id: opt_id(&self.supervisor_id),
            content_area_id: opt_id(&self.content_area_id),
            tags: self.tags.clone(),
        })
    }

    fn from_row(m: &MatterRow) -> MatterForm {
        let s = |v: Option<i64>| v.map(|x| x.to_string());
        MatterForm {
            csrf: String::new(),
            parent_id: s(m.parent_id),
            version: Some(m.version.to_string()),
            title: m.title.clone(),
            description: m.description.clone(),
            campaign_id: s(m.campaign_id),
            unit_id: m.unit_id.to_string(),
            owner_id: s(m.owner_id),
            measures: m.measures.clone(),
            deadline_mode: Some("date".into()),
            deadline: m.deadline.clone(),
            deadline_working_days: None,
            acceptance_standard: m.acceptance_standard.clone(),
            supervisor_id: s(m.supervisor_id),
            content_area_id: s(m.content_area_id),
            tags: m.tags.clone(),
            from_demand: None,
        }
    }
}

#[derive(Template)]
#[template(path = "matter_form.html")]
struct FormTemplate {
    ctx: Ctx,
    /// The matter being edited, or none when creating.
    editing: Option<i64>,
    parent: Option<MatterRow>,
    form: MatterForm,
    errors: FormErrors,
    units: Vec<UnitOption>,
    people: Vec<UserRow>,
    campaigns: Vec<CampaignRow>,
    areas: Vec<ContentAreaRow>,
}

impl FormTemplate {
    fn is(&self, field: &Option<String>, id: &i64) -> bool {
        opt_id(field) == Some(*id)
    }

    fn unit_is(&self, id: &i64) -> bool {
        self.form.unit_id.trim() == id.to_string()
    }

    fn by_working_days(&self) -> bool {
        self.form.deadline_mode.as_deref() == Some("working_days")
    }

    fn area_label(&self, a: &ContentAreaRow) -> String {
        if self.ctx.lang.is_en() {
            a.name_en.clone()
        } else {
            a.name_zh.clone()
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    editing: Option<i64>,
    parent: Option<MatterRow>,
    form: MatterForm,
    errors: FormErrors,
) -> PageResult {
    let units = tree_options(
        st.services
            .manageable_units(&user.actor)
            .await
            .or_page(lang)?,
    );
    let people = st
        .services
        .list_users(&user.actor, "", 500, 0)
        .await
        .or_page(lang)?
        .items;
    let campaigns = st.services.campaigns(&user.actor).await.or_page(lang)?;
    let areas = st.services.content_areas().await.or_page(lang)?;
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let t = FormTemplate {
        ctx: Ctx::new(lang, user, uri, "new"),
        editing,
        parent,
        form,
        errors,
        units,
        people,
        campaigns,
        areas,
    };
    render_status(&t, lang, status)
}

#[derive(Deserialize)]
struct NewQuery {
    parent: Option<String>,
    /// Adopting a demand into a new matter: the form starts from the demand.
    from_demand: Option<String>,
}

async fn new_form(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Query(q): Query<NewQuery>,
) -> PageResult {
    if !user.actor.can_manage_any() {
        return Err(PageError {
            error: ServiceError::Forbidden("error.not_admin".into()),
            lang,
        });
    }
    let mut form = MatterForm {
        deadline_mode: Some("date".into()),
        ..Default::default()
    };
    let parent = match opt_id(&q.parent) {
        Some(pid) => {
            let p = st.services.matter(&user.actor, pid).await.or_page(lang)?;
            if !p.can_decompose {
                return Err(PageError {
                    error: ServiceError::Forbidden("error.cannot_decompose".into()),
                    lang,
                });
            }
            let p = p.matter.row;
            form.parent_id = Some(p.id.to_string());
            form.unit_id = p.unit_id.to_string();
            form.campaign_id = p.campaign_id.map(|c| c.to_string());
            form.content_area_id = p.content_area_id.map(|c| c.to_string());
            form.deadline = p.deadline.clone();
            form.supervisor_id = p.supervisor_id.map(|c| c.to_string());
            form.tags = p.tags.clone();
            Some(p)
        }
        None => None,
    };
    if let Some(demand_id) = opt_id(&q.from_demand) {
        let d = st
            .services
            .demand(&user.actor, demand_id)
            .await
            .or_page(lang)?;
        form.from_demand = Some(demand_id.to_string());
        form.title = d.demand.title.clone();
        form.description = d.demand.body.clone();
        form.unit_id = d.demand.unit_id.to_string();
    }
    form_page(
        &st,
        lang,
        &user,
        &uri,
        None,
        parent,
        form,
        FormErrors::default(),
    )
    .await
}

async fn create(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Form(form): Form<MatterForm>,
) -> PageResult {
    user.check_csrf(&form.csrf).or_page(lang)?;
    let parent_id = opt_id(&form.parent_id);
    let result = match form.to_input() {
        Ok(input) => {
            st.services
                .create_matter(&user.actor, parent_id, &input)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(m) => {
            // The demand the matter answers follows it into the list.
            if let Some(demand_id) = opt_id(&form.from_demand) {
                let adopt = StepInput {
                    action: "adopt".into(),
                    matter_id: Some(m.id),
                    ..Default::default()
                };
                if let Err(e) = st
                    .services
                    .demand_step(&user.actor, demand_id, &adopt)
                    .await
                {
                    return show_matter_with_error(&st, lang, &user, &uri, m.id, lang.error(&e))
                        .await;
                }
            }
            Ok(see_other(&format!("/matters/{}", m.id)))
        }
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let parent = match parent_id {
                Some(p) => Some(
                    st.services
                        .matter(&user.actor, p)
                        .await
                        .or_page(lang)?
                        .matter
                        .row,
                ),
                None => None,
            };
            form_page(
                &st,
                lang,
                &user,
                &uri,
                None,
                parent,
                form,
                FormErrors::from(&e, lang),
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}

async fn edit_form(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
) -> PageResult {
    let d = st.services.matter(&user.actor, id).await.or_page(lang)?;
    if !d.can_edit {
        return Err(PageError {
            error: ServiceError::Forbidden("error.not_editable".into()),
            lang,
        });
    }
    let form = MatterForm::from_row(&d.matter.row);
    form_page(
        &st,
        lang,
        &user,
        &uri,
        Some(id),
        d.parent,
        form,
        FormErrors::default(),
    )
    .await
}

async fn update(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    Form(form): Form<MatterForm>,
) -> PageResult {
    user.check_csrf(&form.csrf).or_page(lang)?;
    let version = opt_id(&form.version);
    let result = match form.to_input() {
        Ok(input) => {
            st.services
                .update_matter(&user.actor, id, version, &input)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(m) => Ok(see_other(&format!("/matters/{}", m.id))),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let d = st.services.matter(&user.actor, id).await.or_page(lang)?;
            form_page(
                &st,
                lang,
                &user,
                &uri,
                Some(id),
                d.parent,
                form,
                FormErrors::from(&e, lang),
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}

#[derive(Template)]
#[template(path = "matter.html")]
struct MatterTemplate {
    ctx: Ctx,
    d: MatterDetail,
    area: String,
    error: Option<String>,
}

impl MatterTemplate {
    fn history_line(&self, action: &str, details: &str) -> String {
        let lang = self.ctx.lang;
        let label = lang.t(&format!("history.{action}"));
        let v: serde_json::Value = serde_json::from_str(details).unwrap_or_default();
        let mut extra = Vec::new();
        if let (Some(from), Some(to)) = (
            v.get("from").and_then(|x| x.as_str()),
            v.get("to").and_then(|x| x.as_str()),
        ) {
            extra.push(format!("{} → {}", lang.status(from), lang.status(to)));
        }
        if let Some(p) = v.get("percent").and_then(|x| x.as_i64()) {
            extra.push(format!("{p}%"));
        }
        if let Some(r) = v
            .get("reason")
            .and_then(|x| x.as_str())
            .filter(|r| !r.is_empty())
        {
            extra.push(format!("{}：{r}", lang.t("field.reason")));
        }
        if action == "matter_updated"
            && let Some(obj) = v.as_object()
        {
            let names: Vec<String> = obj.keys().map(|k| lang.field(k)).collect();
            extra.push(names.join("、"));
        }
        if extra.is_empty() {
            label
        } else {
            format!("{label}（{}）", extra.join("；"))
        }
    }

    fn needs_reason(&self, action: &MatterAction) -> bool {
        action.needs_reason()
    }

    fn button_class(&self, action: &MatterAction) -> &'static str {
        match action {
            MatterAction::Cancel | MatterAction::Suspend | MatterAction::Return => "btn danger",
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
}

async fn show_page(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    id: i64,
    error: Option<String>,
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
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let t = MatterTemplate {
        ctx: Ctx::new(lang, user, uri, "ledger"),
        d,
        area,
        error,
    };
    render_status(&t, lang, status)
}

/// After a step on the matter page: back to the matter, or the page with the refusal shown.
async fn step_outcome<T>(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    id: i64,
    result: Result<T, ServiceError>,
    anchor: &str,
) -> PageResult {
    match result {
        Ok(_) => Ok(see_other(&format!("/matters/{id}{anchor}"))),
        Err(ServiceError::NotFound) => Err(PageError {
            error: ServiceError::NotFound,
            lang,
        }),
        Err(e) => show_page(st, lang, user, uri, id, Some(lang.error(&e))).await,
    }
}

async fn show_matter_with_error(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    id: i64,
    error: String,
) -> PageResult {
    show_page(st, lang, user, uri, id, Some(error)).await
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

#[derive(Deserialize)]
struct TransitionForm {
    #[serde(default)]
    csrf: String,
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
    let Some(action) = MatterAction::from_code(&f.action) else {
        return show_page(
            &st,
            lang,
            &user,
            &uri,
            id,
            Some(lang.error(&ServiceError::field("action", "error.choice"))),
        )
        .await;
    };
    let result = st
        .services
        .transition(&user.actor, id, action, &f.reason)
        .await;
    step_outcome(&st, lang, &user, &uri, id, result, "").await
}

async fn progress(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> PageResult {
    let mut csrf = String::new();
    let mut percent = String::new();
    let mut narrative = String::new();
    let mut uploads = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return show_page(
                    &st,
                    lang,
                    &user,
                    &uri,
                    id,
                    Some(lang.t("error.upload_broken")),
                )
                .await;
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let filename = field.file_name().map(str::to_string);
        let data = match field.bytes().await {
            Ok(d) => d,
            Err(_) => {
                return show_page(
                    &st,
                    lang,
                    &user,
                    &uri,
                    id,
                    Some(lang.t("error.upload_broken")),
                )
                .await;
            }
        };
        match (name.as_str(), filename) {
            ("files", Some(filename)) if !data.is_empty() => uploads.push(Upload {
                filename,
                data: data.to_vec(),
            }),
            ("csrf", _) => csrf = String::from_utf8_lossy(&data).into_owned(),
            ("percent", _) => percent = String::from_utf8_lossy(&data).into_owned(),
            ("narrative", _) => narrative = String::from_utf8_lossy(&data).into_owned(),
            _ => {}
        }
    }
    user.check_csrf(&csrf).or_page(lang)?;
    let Ok(percent) = percent.trim().parse::<i64>() else {
        return show_page(
            &st,
            lang,
            &user,
            &uri,
            id,
            Some(lang.error(&ServiceError::field("percent", "error.number"))),
        )
        .await;
    };
    let result = st
        .services
        .post_progress(&user.actor, id, percent, &narrative, uploads)
        .await;
    step_outcome(&st, lang, &user, &uri, id, result, "#progress").await
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
    let encoded: String = serde_urlencoded::to_string([("x", meta.filename.as_str())])
        .unwrap_or_default()
        .trim_start_matches("x=")
        .replace('+', "%20");
    Ok((
        [
            (header::CONTENT_TYPE, meta.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        data,
    )
        .into_response())
}
