//! Excel import (导入): upload a ledger, unit list or people list; a dry run shows row by row
//! what would be created, skipped or is wrong; after a clean dry run "确认导入" imports the
//! same upload, kept on the server, without choosing the file again. A ledger's unit names
//! that name no unit are mapped to units on the dry-run page (the mapping is kept for later
//! imports), and the same upload is checked again. A ledger may be imported into a campaign
//! (批次), with a default year for deadlines written without one and the completion day of
//! rows marked done.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;

use crate::input::Form;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use shishi_report::import::{ColumnMapping, Field};
use shishi_service::imports::{
    ImportKind, ImportReport, ImportRequest, MAX_IMPORT_BYTES, NoProgress, RowAction, RowPlan,
    UnitAliasInput, UnitChoice,
};
use shishi_service::{ServiceError, Services};
use shishi_store::campaigns::CampaignRow;

use super::{Ctx, FormErrors, OrPage, PageError, PageResult, render_status, see_other};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/import", get(show).post(upload))
        .route("/import/confirm", post(confirm))
        .route("/import/cancel", post(cancel))
        .route("/import/units", post(map_units))
}

/// The ledger columns a person may name in the mapping, with their form names.
const MAPPABLE: [(&str, Field); 14] = [
    ("title", Field::Title),
    ("unit", Field::Unit),
    ("owner", Field::Owner),
    ("deadline", Field::Deadline),
    ("measures", Field::Measures),
    ("progress", Field::Progress),
    ("status", Field::Status),
    ("remarks", Field::Remarks),
    ("acceptance_standard", Field::AcceptanceStandard),
    ("supervisor", Field::Supervisor),
    ("content_area", Field::ContentArea),
    ("content", Field::Content),
    ("original_deadline", Field::OriginalDeadline),
    ("campaign", Field::Campaign),
];

/// Rows shown on the result page; a bigger sheet shows its problem rows first.
const MAX_SHOWN: usize = 2000;

/// What the form held, to show it again.
struct ImportForm {
    kind: String,
    dry_run: bool,
    sheet: String,
    header_row: String,
    /// Ledgers: the campaign's id, the default year, the completion day (as typed).
    campaign: String,
    year: String,
    completed_on: String,
    /// `(form name, label, value)` of each mappable column.
    columns: Vec<(&'static str, &'static str, String)>,
}

impl ImportForm {
    fn blank(lang: Lang) -> ImportForm {
        ImportForm {
            kind: "ledger".into(),
            dry_run: true,
            sheet: String::new(),
            header_row: String::new(),
            campaign: String::new(),
            year: String::new(),
            completed_on: String::new(),
            columns: MAPPABLE
                .iter()
                .map(|(name, f)| (*name, f.label(lang.code()), String::new()))
                .collect(),
        }
    }

    fn from_fields(lang: Lang, fields: &BTreeMap<String, String>) -> ImportForm {
        let get = |k: &str| {
            fields
                .get(k)
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        let mut form = ImportForm::blank(lang);
        form.kind = get("kind");
        form.dry_run = fields.contains_key("dry_run");
        form.sheet = get("sheet");
        form.header_row = get("header_row");
        form.campaign = get("campaign");
        form.year = get("year");
        form.completed_on = get("completed_on");
        for (name, _, value) in &mut form.columns {
            *value = get(&format!("col_{name}"));
        }
        form
    }

    /// The mapping the form gives; `None` when it gives nothing.
    fn mapping(&self) -> Result<Option<ColumnMapping>, String> {
        let header_row = match self.header_row.as_str() {
            "" => None,
            n => Some(
                n.parse::<u32>()
                    .map_err(|_| "import.bad_header_row".to_string())?,
            ),
        };
        let mut mapping = ColumnMapping {
            header_row,
            columns: Vec::new(),
        };
        for ((_, field), (_, _, value)) in MAPPABLE.iter().zip(&self.columns) {
            if !value.is_empty() {
                mapping = mapping.with(value.clone(), *field);
            }
        }
        Ok((mapping.header_row.is_some() || !mapping.columns.is_empty()).then_some(mapping))
    }

    /// The ledger options into the request, or the fields that cannot be read.
    fn ledger_options(&self, req: &mut ImportRequest, lang: Lang) -> Result<(), FormErrors> {
        let mut fields = Vec::new();
        if !self.campaign.is_empty() {
            match self.campaign.parse::<i64>() {
                Ok(id) => req.campaign = Some(id),
                Err(_) => fields.push(("campaign".into(), lang.t("error.unknown_campaign"))),
            }
        }
        if !self.year.is_empty() {
            match self.year.parse::<i32>() {
                Ok(y) => req.year = Some(y),
                Err(_) => fields.push(("year".into(), lang.tp("error.range", "2000–2099"))),
            }
        }
        if !self.completed_on.is_empty() {
            match NaiveDate::parse_from_str(&self.completed_on, "%Y-%m-%d") {
                Ok(d) => req.completed_on = Some(d),
                Err(_) => fields.push(("completed_on".into(), lang.t("error.date"))),
            }
        }
        if fields.is_empty() {
            Ok(())
        } else {
            Err(FormErrors {
                general: Some(lang.t("form.fix_errors")),
                fields,
            })
        }
    }
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportTemplate {
    ctx: Ctx,
    form: ImportForm,
    errors: FormErrors,
    /// May import units and people too.
    admin: bool,
    max_mb: usize,
    campaigns: Vec<CampaignRow>,
}

impl ImportTemplate {
    fn campaign_selected(&self, id: &i64) -> bool {
        self.form.campaign == id.to_string()
    }
}

#[derive(Template)]
#[template(path = "import_result.html")]
struct ResultTemplate {
    ctx: Ctx,
    report: ImportReport,
    shown: Vec<RowPlan>,
    /// The upload kept for "确认导入" after a clean dry run, or for mapping its unit names.
    token: Option<String>,
    passwords: bool,
    /// The units the unmatched names may be mapped to, when there are such names.
    choices: Vec<UnitChoice>,
}

impl ResultTemplate {
    fn kind_label(&self) -> String {
        self.ctx
            .t(&format!("import.kind_{}", self.report.kind.code()))
    }

    fn action_label(&self, r: &RowPlan) -> String {
        let key = match (r.action, self.report.written) {
            (RowAction::Create, true) => "import.action_created",
            (RowAction::Create, false) => "import.action_create",
            (RowAction::Skip, _) => "import.action_skip",
            (RowAction::Error, _) => "import.action_error",
        };
        self.ctx.t(key)
    }

    fn action_class(&self, r: &RowPlan) -> &'static str {
        match r.action {
            RowAction::Create => "ok",
            RowAction::Skip => "",
            RowAction::Error => "danger",
        }
    }

    fn count(&self, key: &str, n: impl std::fmt::Display) -> String {
        self.ctx.lang.tp(key, &n.to_string())
    }

    fn hidden_rows(&self) -> usize {
        self.report.rows.len().saturating_sub(self.shown.len())
    }

    /// A clean dry run with something to create: it may be imported as checked.
    fn can_confirm(&self) -> bool {
        can_confirm(&self.report)
    }
}

fn can_confirm(report: &ImportReport) -> bool {
    report.dry_run && !report.has_problems() && report.created > 0
}

/// Whether the dry run's upload is kept: to confirm it, or to map its unit names and check it
/// again.
fn keep_upload(report: &ImportReport) -> bool {
    can_confirm(report) || (report.dry_run && !report.unmatched_units.is_empty())
}

async fn show(State(st): State<AppState>, lang: Lang, user: PageUser, uri: Uri) -> PageResult {
    if !Services::may_import(&user.actor, ImportKind::Ledger) {
        return Err(PageError {
            error: ServiceError::Forbidden("import.not_allowed".into()),
            lang,
        });
    }
    let campaigns = st.services.campaigns(&user.actor).await.or_page(lang)?;
    form_page(
        lang,
        &user,
        &uri,
        ImportForm::blank(lang),
        FormErrors::default(),
        campaigns,
    )
}

fn form_page(
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    form: ImportForm,
    errors: FormErrors,
    campaigns: Vec<CampaignRow>,
) -> PageResult {
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ImportTemplate {
        ctx: Ctx::new(lang, user, uri, "import"),
        admin: Services::may_import(&user.actor, ImportKind::Units),
        form,
        errors,
        max_mb: MAX_IMPORT_BYTES / (1024 * 1024),
        campaigns,
    };
    render_status(&page, lang, status)
}

fn general(message: String) -> FormErrors {
    FormErrors {
        general: Some(message),
        fields: Vec::new(),
    }
}

/// The form's fields and its file, read no further than the size limit.
struct Posted {
    fields: BTreeMap<String, String>,
    file: Option<(String, Vec<u8>)>,
    too_large: bool,
}

async fn read_posted(mut mp: Multipart) -> Result<Posted, ()> {
    let mut posted = Posted {
        fields: BTreeMap::new(),
        file: None,
        too_large: false,
    };
    while let Some(mut field) = mp.next_field().await.map_err(|_| ())? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let filename = field.file_name().unwrap_or("").to_string();
            let mut data = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| ())? {
                if data.len() + chunk.len() > MAX_IMPORT_BYTES {
                    // Read on to the end of the part, keeping nothing more.
                    posted.too_large = true;
                    continue;
                }
                data.extend_from_slice(&chunk);
            }
            if !data.is_empty() || posted.too_large {
                posted.file = Some((filename, data));
            }
        } else {
            let text = field.text().await.map_err(|_| ())?;
            // The text rule holds here too: a control character is not something a person typed.
            if shishi_core::text::forbidden_char(&text).is_some() {
                return Err(());
            }
            // No form value of this page is long; a huge one is not a person typing.
            posted
                .fields
                .insert(name, text.chars().take(1000).collect());
        }
    }
    Ok(posted)
}

async fn upload(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    mp: Multipart,
) -> PageResult {
    let campaigns = st.services.campaigns(&user.actor).await.or_page(lang)?;
    let Ok(posted) = read_posted(mp).await else {
        let errors = general(lang.t("import.upload_broken"));
        return form_page(
            lang,
            &user,
            &uri,
            ImportForm::blank(lang),
            errors,
            campaigns,
        );
    };
    let csrf = posted.fields.get("csrf").map(String::as_str).unwrap_or("");
    user.check_csrf(csrf).or_page(lang)?;
    let form = ImportForm::from_fields(lang, &posted.fields);
    let Some(kind) = ImportKind::from_code(&form.kind) else {
        let errors = general(lang.t("import.no_kind"));
        return form_page(lang, &user, &uri, form, errors, campaigns);
    };
    if posted.too_large {
        let errors = general(lang.tp(
            "import.too_large",
            &(MAX_IMPORT_BYTES / (1024 * 1024)).to_string(),
        ));
        return form_page(lang, &user, &uri, form, errors, campaigns);
    }
    let Some((filename, bytes)) = posted.file else {
        let errors = general(lang.t("import.no_file"));
        return form_page(lang, &user, &uri, form, errors, campaigns);
    };
    let mapping = match form.mapping() {
        Ok(m) => m.filter(|_| kind == ImportKind::Ledger),
        Err(key) => {
            let errors = general(lang.t(&key));
            return form_page(lang, &user, &uri, form, errors, campaigns);
        }
    };
    let mut req = ImportRequest::new(kind, &filename, bytes);
    req.mapping = mapping;
    req.sheet = Some(form.sheet.clone()).filter(|s| !s.is_empty());
    req.dry_run = form.dry_run;
    req.locale = lang.code().to_string();
    if kind == ImportKind::Ledger
        && let Err(errors) = form.ledger_options(&mut req, lang)
    {
        return form_page(lang, &user, &uri, form, errors, campaigns);
    }
    let report = match st.services.run_import(&user.actor, &req, &NoProgress).await {
        Ok(r) => r,
        Err(e @ (ServiceError::Conflict(_) | ServiceError::Invalid(_))) => {
            let errors = FormErrors::of("import", &e, lang);
            return form_page(lang, &user, &uri, form, errors, campaigns);
        }
        Err(e) => return Err(PageError { error: e, lang }),
    };
    let token = if keep_upload(&report) {
        req.dry_run = false;
        Some(
            st.services
                .keep_upload(&user.actor, &req)
                .await
                .or_page(lang)?,
        )
    } else {
        None
    };
    result_page(&st, lang, &user, &uri, report, token).await
}

async fn result_page(
    st: &AppState,
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    report: ImportReport,
    token: Option<String>,
) -> PageResult {
    let mut shown: Vec<RowPlan> = report
        .rows
        .iter()
        .filter(|r| r.action == RowAction::Error)
        .take(MAX_SHOWN)
        .cloned()
        .collect();
    let room = MAX_SHOWN.saturating_sub(shown.len());
    shown.extend(
        report
            .rows
            .iter()
            .filter(|r| r.action != RowAction::Error)
            .take(room)
            .cloned(),
    );
    shown.sort_by_key(|r| r.row);
    let status = if report.has_problems() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let choices = if token.is_some() && !report.unmatched_units.is_empty() {
        st.services
            .import_unit_choices(&user.actor)
            .await
            .or_page(lang)?
    } else {
        Vec::new()
    };
    let page = ResultTemplate {
        ctx: Ctx::new(lang, user, uri, "import"),
        passwords: shown.iter().any(|r| r.password.is_some()),
        report,
        shown,
        token,
        choices,
    };
    render_status(&page, lang, status)
}

#[derive(Deserialize)]
struct TokenForm {
    csrf: String,
    token: String,
}

async fn confirm(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Form(f): Form<TokenForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    let report = st
        .services
        .import_kept(&user.actor, &f.token, lang.code(), &NoProgress)
        .await
        .or_page(lang)?;
    result_page(&st, lang, &user, &uri, report, None).await
}

/// Maps the dry run's unmatched unit names (`name_N` to the unit `unit_N`; a name left without
/// a unit stays unmatched), keeps the mapping, and checks the kept upload again.
async fn map_units(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Form(fields): Form<BTreeMap<String, String>>,
) -> PageResult {
    let get = |k: &str| {
        fields
            .get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    user.check_csrf(&get("csrf")).or_page(lang)?;
    let token = get("token");
    // The upload first: someone else's token is not found before anything is saved.
    let mut req = st
        .services
        .kept_upload(&user.actor, &token)
        .await
        .or_page(lang)?;
    let mut items = Vec::new();
    for (key, name) in &fields {
        let Some(n) = key.strip_prefix("name_") else {
            continue;
        };
        let unit = get(&format!("unit_{n}"));
        if unit.is_empty() {
            continue;
        }
        let unit_id = unit.parse::<i64>().map_err(|_| PageError {
            error: ServiceError::NotFound,
            lang,
        })?;
        items.push(UnitAliasInput {
            name: name.clone(),
            unit_id: Some(unit_id),
        });
    }
    st.services
        .save_unit_aliases(&user.actor, &items)
        .await
        .or_page(lang)?;
    req.dry_run = true;
    req.locale = lang.code().to_string();
    let report = st
        .services
        .run_import(&user.actor, &req, &NoProgress)
        .await
        .or_page(lang)?;
    let token = if keep_upload(&report) {
        Some(token)
    } else {
        st.services
            .forget_upload(&user.actor, &token)
            .await
            .or_page(lang)?;
        None
    };
    result_page(&st, lang, &user, &uri, report, token).await
}

async fn cancel(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    Form(f): Form<TokenForm>,
) -> PageResult {
    user.check_csrf(&f.csrf).or_page(lang)?;
    st.services
        .forget_upload(&user.actor, &f.token)
        .await
        .or_page(lang)?;
    Ok(see_other("/import"))
}
