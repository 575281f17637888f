//! Excel import (导入): upload a ledger, unit list or people list; a dry run shows row by row
//! what would be created, skipped or is wrong; after a clean dry run "确认导入" imports the
//! same upload, kept on the server, without choosing the file again.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};

use crate::input::Form;
use serde::Deserialize;
use shishi_report::import::{ColumnMapping, Field};
use shishi_service::imports::{
    ImportKind, ImportReport, ImportRequest, MAX_IMPORT_BYTES, NoProgress, RowAction, RowPlan,
};
use shishi_service::{ServiceError, Services};

use super::{Ctx, FormErrors, OrPage, PageError, PageResult, render_status, see_other};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/import", get(show).post(upload))
        .route("/import/confirm", post(confirm))
        .route("/import/cancel", post(cancel))
}

/// The ledger columns a person may name in the mapping, with their form names.
const MAPPABLE: [(&str, Field); 11] = [
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
];

/// Rows shown on the result page; a bigger sheet shows its problem rows first.
const MAX_SHOWN: usize = 2000;

/// What the form held, to show it again.
struct ImportForm {
    kind: String,
    dry_run: bool,
    sheet: String,
    header_row: String,
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
}

#[derive(Template)]
#[template(path = "import_result.html")]
struct ResultTemplate {
    ctx: Ctx,
    report: ImportReport,
    shown: Vec<RowPlan>,
    /// The upload kept for "确认导入", after a clean dry run.
    token: Option<String>,
    passwords: bool,
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
}

async fn show(lang: Lang, user: PageUser, uri: Uri) -> PageResult {
    if !Services::may_import(&user.actor, ImportKind::Ledger) {
        return Err(PageError {
            error: ServiceError::Forbidden("import.not_allowed".into()),
            lang,
        });
    }
    form_page(
        lang,
        &user,
        &uri,
        ImportForm::blank(lang),
        FormErrors::default(),
    )
}

fn form_page(
    lang: Lang,
    user: &PageUser,
    uri: &Uri,
    form: ImportForm,
    errors: FormErrors,
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
    let Ok(posted) = read_posted(mp).await else {
        let errors = general(lang.t("import.upload_broken"));
        return form_page(lang, &user, &uri, ImportForm::blank(lang), errors);
    };
    let csrf = posted.fields.get("csrf").map(String::as_str).unwrap_or("");
    user.check_csrf(csrf).or_page(lang)?;
    let form = ImportForm::from_fields(lang, &posted.fields);
    let Some(kind) = ImportKind::from_code(&form.kind) else {
        return form_page(lang, &user, &uri, form, general(lang.t("import.no_kind")));
    };
    if posted.too_large {
        let errors = general(lang.tp(
            "import.too_large",
            &(MAX_IMPORT_BYTES / (1024 * 1024)).to_string(),
        ));
        return form_page(lang, &user, &uri, form, errors);
    }
    let Some((filename, bytes)) = posted.file else {
        return form_page(lang, &user, &uri, form, general(lang.t("import.no_file")));
    };
    let mapping = match form.mapping() {
        Ok(m) => m.filter(|_| kind == ImportKind::Ledger),
        Err(key) => return form_page(lang, &user, &uri, form, general(lang.t(&key))),
    };
    let mut req = ImportRequest::new(kind, &filename, bytes);
    req.mapping = mapping;
    req.sheet = Some(form.sheet.clone()).filter(|s| !s.is_empty());
    req.dry_run = form.dry_run;
    req.locale = lang.code().to_string();
    let report = match st.services.run_import(&user.actor, &req, &NoProgress).await {
        Ok(r) => r,
        Err(e @ ServiceError::Conflict(_)) => {
            return form_page(lang, &user, &uri, form, general(lang.error(&e)));
        }
        Err(e) => return Err(PageError { error: e, lang }),
    };
    let token = if report.dry_run && !report.has_problems() && report.created > 0 {
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
    result_page(lang, &user, &uri, report, token)
}

fn result_page(
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
    let page = ResultTemplate {
        ctx: Ctx::new(lang, user, uri, "import"),
        passwords: shown.iter().any(|r| r.password.is_some()),
        report,
        shown,
        token,
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
    result_page(lang, &user, &uri, report, None)
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
