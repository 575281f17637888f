//! Campaigns (批次/专项活动): the list, a form to create one, and editing.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::get;

use crate::input::Form;
use serde::Deserialize;
use shishi_service::ServiceError;
use shishi_service::campaigns::{CampaignInput, STAGES};
use shishi_store::campaigns::CampaignRow;

use super::ledger::{UnitOption, tree_options};
use super::{Ctx, FormErrors, OrPage, PageError, PageResult, render_status, see_other};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list).post(create))
        .route("/campaigns/{id}", get(edit).post(update))
}

#[derive(Debug, Default, Deserialize, Clone)]
struct CampaignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    scope_unit_id: String,
}

impl CampaignForm {
    fn input(&self) -> CampaignInput {
        CampaignInput {
            name: self.name.clone(),
            description: self.description.clone(),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            stage: self.stage.clone(),
            scope_unit_id: self.scope_unit_id.trim().parse().unwrap_or(0),
        }
    }
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CampaignsTemplate {
    ctx: Ctx,
    campaigns: Vec<CampaignRow>,
    editing: Option<i64>,
    form: CampaignForm,
    errors: FormErrors,
    units: Vec<UnitOption>,
    stages: [&'static str; 3],
}

impl CampaignsTemplate {
    fn unit_is(&self, id: &i64) -> bool {
        self.form.scope_unit_id.trim() == id.to_string()
    }
}

async fn page(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    editing: Option<i64>,
    form: CampaignForm,
    errors: FormErrors,
) -> PageResult {
    let campaigns = st.services.campaigns(&user.actor).await.or_page(lang)?;
    let units = tree_options(
        st.services
            .manageable_units(&user.actor)
            .await
            .or_page(lang)?,
    );
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let t = CampaignsTemplate {
        ctx: Ctx::new(lang, user, uri, "campaigns"),
        campaigns,
        editing,
        form,
        errors,
        units,
        stages: STAGES,
    };
    render_status(&t, lang, status)
}

async fn list(State(st): State<AppState>, lang: Lang, user: PageUser, uri: Uri) -> PageResult {
    let form = CampaignForm {
        stage: "planning".into(),
        ..Default::default()
    };
    page(&st, lang, &user, &uri, None, form, FormErrors::default()).await
}

async fn create(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Form(form): Form<CampaignForm>,
) -> PageResult {
    user.check_csrf(&form.csrf).or_page(lang)?;
    match st
        .services
        .create_campaign(&user.actor, &form.input())
        .await
    {
        Ok(_) => Ok(see_other("/campaigns")),
        Err(e @ ServiceError::Invalid(_)) => {
            page(
                &st,
                lang,
                &user,
                &uri,
                None,
                form,
                FormErrors::of("campaigns", &e, lang),
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}

async fn edit(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Path(id): Path<i64>,
) -> PageResult {
    let c = st.services.campaign(&user.actor, id).await.or_page(lang)?;
    let form = CampaignForm {
        csrf: String::new(),
        name: c.name,
        description: c.description,
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        stage: c.stage,
        scope_unit_id: c.scope_unit_id.to_string(),
    };
    page(
        &st,
        lang,
        &user,
        &uri,
        Some(id),
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
    Form(form): Form<CampaignForm>,
) -> PageResult {
    user.check_csrf(&form.csrf).or_page(lang)?;
    match st
        .services
        .update_campaign(&user.actor, id, &form.input())
        .await
    {
        Ok(_) => Ok(see_other("/campaigns")),
        Err(e @ ServiceError::Invalid(_)) => {
            page(
                &st,
                lang,
                &user,
                &uri,
                Some(id),
                form,
                FormErrors::of("campaigns", &e, lang),
            )
            .await
        }
        Err(e) => Err(PageError { error: e, lang }),
    }
}
