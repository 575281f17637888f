//! Server-rendered pages. Each handler gathers what the service gives, renders an askama
//! template, and answers refusals with a page in the user's language.

mod account;
mod admin;
mod assessment;
mod campaigns;
mod dashboard;
mod demands;
mod driving;
mod evaluations;
mod imports;
mod intake;
mod ledger;
mod linked;
mod matter_page;
mod matters;
mod notify_admin;
mod pick;
mod policy;
mod public;
mod reports;
mod settings;
mod stepper;
mod supervision;
mod todo;

#[cfg(test)]
pub(crate) use notify_admin::{DELIVERY_STATES, WEBHOOK_KINDS};
#[cfg(test)]
pub(crate) use policy::DAY_FIELDS;

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use shishi_core::Role;
use shishi_service::{Actor, FieldError, ServiceError};

use crate::auth::PageUser;
use crate::error::{error_page, log_internal, status_of};
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/static/app.css", get(css))
        .merge(todo::router())
        .route("/favicon.ico", get(favicon))
        .merge(account::router())
        .merge(ledger::router())
        .merge(matters::router())
        .merge(matter_page::router())
        .merge(driving::router())
        .merge(supervision::router())
        .merge(reports::router())
        .merge(dashboard::router())
        .merge(assessment::router())
        .merge(imports::router())
        .merge(evaluations::router())
        .merge(notify_admin::router())
        .merge(policy::router())
        .merge(campaigns::router())
        .merge(demands::router())
        .merge(pick::router())
        .merge(public::router())
        .merge(intake::router())
        .merge(admin::router())
        .merge(settings::router())
        .fallback(not_found)
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    match state.services.store.read().await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

/// The tab icon, compiled in like the style sheet. Browsers ask for `/favicon.ico` on every
/// page whatever the page links, so it lives there; an SVG serves every current browser.
async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        &include_bytes!("../../static/favicon.svg")[..],
    )
        .into_response()
}

async fn not_found(lang: Lang) -> Response {
    PageError {
        error: ServiceError::NotFound,
        lang,
    }
    .into_response()
}

/// What every page's frame needs: language, who is signed in, the CSRF token, the menu.
pub struct Ctx {
    pub lang: Lang,
    pub user_name: String,
    pub csrf: String,
    /// The current path and query, for the language switch to come back to.
    pub here: String,
    pub manages: bool,
    pub admin: bool,
    pub root_admin: bool,
    pub reads: bool,
    /// Works a demand inbox somewhere (intake clerk or unit admin): the callback list.
    pub clerk: bool,
    pub section: &'static str,
}

impl Ctx {
    pub fn new(lang: Lang, user: &PageUser, uri: &Uri, section: &'static str) -> Ctx {
        let a: &Actor = &user.actor;
        Ctx {
            lang,
            user_name: a.user.display_name.clone(),
            csrf: user.csrf.clone(),
            here: uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into()),
            manages: a.can_manage_any(),
            admin: a.has_role(Role::SystemAdmin),
            root_admin: a.is_root_admin(),
            reads: !a.read_roots().is_empty(),
            clerk: a.records_offline(),
            section,
        }
    }

    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    pub fn here_encoded(&self) -> String {
        serde_urlencoded::to_string([("next", self.here.as_str())]).unwrap_or_default()
    }
}

/// A refusal or failure shown as a page.
pub struct PageError {
    pub error: ServiceError,
    pub lang: Lang,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        log_internal(&self.error);
        error_page(
            self.lang,
            status_of(&self.error),
            &self.lang.error(&self.error),
        )
    }
}

pub type PageResult = Result<Response, PageError>;

pub trait OrPage<T> {
    fn or_page(self, lang: Lang) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, ServiceError> {
    fn or_page(self, lang: Lang) -> Result<T, PageError> {
        self.map_err(|error| PageError { error, lang })
    }
}

pub fn render(t: &impl Template, lang: Lang) -> PageResult {
    render_status(t, lang, StatusCode::OK)
}

pub fn render_status(t: &impl Template, lang: Lang, status: StatusCode) -> PageResult {
    match t.render() {
        Ok(html) => Ok((status, Html(html)).into_response()),
        Err(e) => Err(PageError {
            error: ServiceError::Internal(format!("template: {e}")),
            lang,
        }),
    }
}

/// Errors of a form, by field, for showing beside each input.
#[derive(Default)]
pub struct FormErrors {
    pub general: Option<String>,
    pub fields: Vec<(String, String)>,
}

impl FormErrors {
    /// The errors of `form` (a template's name, `matter#completion` for a section of a page),
    /// each field named as that form labels it.
    pub fn of(form: &str, e: &ServiceError, lang: Lang) -> FormErrors {
        debug_assert!(crate::labels::is_form(form), "no template for form {form}");
        match e {
            ServiceError::Invalid(list) => {
                // Errors of fields the form shows no place for are said above it, in full.
                let base = |name: &str| match name.rsplit_once('_') {
                    Some((b, r)) if r.parse::<usize>().is_ok() => b.to_string(),
                    _ => name.to_string(),
                };
                let unplaced: Vec<FieldError> = list
                    .iter()
                    .filter(|f| !crate::labels::has_slot(form, &base(&f.field)))
                    .cloned()
                    .collect();
                let general = if unplaced.is_empty() {
                    lang.t("form.fix_errors")
                } else {
                    lang.invalid_in(Some(form), &unplaced)
                };
                FormErrors {
                    general: Some(general),
                    fields: list
                        .iter()
                        .map(|f| (f.field.clone(), lang.field_error_in(Some(form), f)))
                        .collect(),
                }
            }
            other => FormErrors {
                general: Some(lang.error(other)),
                fields: vec![],
            },
        }
    }

    pub fn on(&self, field: &str) -> String {
        self.fields
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn any(&self) -> bool {
        self.general.is_some()
    }
}

/// A file name for `Content-Disposition` in UTF-8 (RFC 5987), so Chinese names survive.
pub fn disposition(kind: &str, filename: &str) -> String {
    let encoded: String = serde_urlencoded::to_string([("x", filename)])
        .unwrap_or_default()
        .trim_start_matches("x=")
        .replace('+', "%20");
    format!("{kind}; filename*=UTF-8''{encoded}")
}

/// The unit above one at `path`, when the person may read it: an "↑ 上级单位" link leads
/// only where they may go, never to a "not found" above the top of their scope.
pub fn up_in_scope(actor: &Actor, parent_id: Option<i64>, path: &str) -> Option<i64> {
    let parent = parent_id?;
    actor
        .reads(&shishi_service::driving::parent_path(path))
        .then_some(parent)
}

/// The unit a page asks for, or else the top unit the person reads (reports, assessment).
pub fn unit_or_home(user: &PageUser, given: &Option<String>) -> Result<i64, ServiceError> {
    match opt_id(given) {
        Some(u) => Ok(u),
        None => user
            .actor
            .read_roots()
            .first()
            .map(|r| r.0)
            .ok_or(ServiceError::NotFound),
    }
}

/// Blank form fields are "not given".
pub fn opt_id(s: &Option<String>) -> Option<i64> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse().ok())
}

/// A form id that must parse; anything else is a field error, not a crash.
pub fn req_id(field: &str, s: &str) -> Result<i64, ServiceError> {
    s.trim()
        .parse()
        .map_err(|_| ServiceError::field(field, "error.required"))
}

/// Whole numbers read from a settings form, with every field that holds none named: the
/// caller reads all of them, then asks [`NumberFields::checked`] before saving anything.
pub struct NumberFields<'a> {
    values: &'a BTreeMap<String, String>,
    bad: Vec<shishi_service::FieldError>,
}

impl<'a> NumberFields<'a> {
    pub fn new(values: &'a BTreeMap<String, String>) -> Self {
        Self {
            values,
            bad: Vec::new(),
        }
    }

    /// The field's number, or 0 with the field marked as bad.
    pub fn read(&mut self, name: &'static str) -> u32 {
        match self.values.get(name).map(|v| v.trim().parse::<u32>()) {
            Some(Ok(v)) => v,
            _ => {
                self.bad
                    .push(shishi_service::FieldError::new(name, "error.number"));
                0
            }
        }
    }

    pub fn checked(self) -> Result<(), ServiceError> {
        if self.bad.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(self.bad))
        }
    }
}

pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A configurable list entry's name in the user's language.
pub fn localized(lang: Lang, e: &shishi_store::demands::ListEntry) -> String {
    if lang.is_en() {
        e.name_en.clone()
    } else {
        e.name_zh.clone()
    }
}

pub use crate::input::read_multipart;

/// The number of pages for `total` rows at `per_page`; at least one.
pub fn page_count(total: i64, per_page: i64) -> i64 {
    ((total + per_page.max(1) - 1) / per_page.max(1)).max(1)
}
