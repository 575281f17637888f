//! The matter form: create, decompose (拉条挂账), edit. The matter page itself is in
//! `matter_page`.

use crate::input::Query;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};

use crate::input::Form;
use serde::Deserialize;
use shishi_service::ServiceError;
use shishi_service::matters::MatterInput;
use shishi_store::campaigns::{CampaignRow, ContentAreaRow};
use shishi_store::matters::MatterRow;
use shishi_store::users::UserRow;

use super::ledger::{UnitOption, tree_options};
use super::matter_page::show_handler;
use super::{Ctx, FormErrors, OrPage, PageError, PageResult, opt_id, render_status, see_other};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/matters/new", get(new_form))
        .route("/matters", post(create))
        .route("/matters/{id}", show_handler().post(update))
        .route("/matters/{id}/edit", get(edit_form))
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
        // Only whoever may adopt it into a new matter gets the form from it (the demand page
        // offers the others 转交单位管理员立项 instead).
        let unit = st
            .services
            .unit(&user.actor, d.demand.unit_id)
            .await
            .or_page(lang)?;
        if !d
            .actions
            .contains(&shishi_core::demand::DemandAction::Adopt)
            || !shishi_service::Services::may_adopt_into_new(&user.actor, &unit.path)
        {
            return Err(PageError {
                error: ServiceError::Forbidden("error.not_admin".into()),
                lang,
            });
        }
        form.from_demand = Some(demand_id.to_string());
        form.title = d.demand.title.clone();
        // What the people asked for is what the matter sets out to do.
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
    let from_demand = opt_id(&form.from_demand);
    let result = match (form.to_input(), from_demand) {
        // The demand the matter answers follows it into the list.
        (Ok(input), Some(demand_id)) => {
            st.services
                .create_matter_from_demand(&user.actor, demand_id, &input)
                .await
        }
        (Ok(input), None) => {
            st.services
                .create_matter(&user.actor, parent_id, &input)
                .await
        }
        (Err(e), _) => Err(e),
    };
    match result {
        Ok(m) => Ok(see_other(&format!("/matters/{}", m.id))),
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
                FormErrors::of("matter_form", &e, lang),
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
                FormErrors::of("matter_form", &e, lang),
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}
