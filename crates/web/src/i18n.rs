//! The user's language: zh-CN by default, English on request. Every text on a page and every
//! error message comes through here.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use shishi_core::matter::{Refusal, StepOwner};
use shishi_service::{FieldError, ServiceError};

pub const LANG_COOKIE: &str = "shishi_lang";
pub const LANGS: [&str; 2] = ["zh-CN", "en"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang(pub &'static str);

impl Default for Lang {
    fn default() -> Self {
        Lang("zh-CN")
    }
}

impl Lang {
    pub fn from_code(code: &str) -> Option<Lang> {
        LANGS
            .iter()
            .find(|l| l.eq_ignore_ascii_case(code))
            .map(|l| Lang(l))
    }

    pub fn code(&self) -> &'static str {
        self.0
    }

    pub fn is_en(&self) -> bool {
        self.0 == "en"
    }

    pub fn t(&self, key: &str) -> String {
        rust_i18n::t!(key, locale = self.0).into_owned()
    }

    /// A message with one `%{param}`.
    pub fn tp(&self, key: &str, param: &str) -> String {
        rust_i18n::t!(key, locale = self.0, param = param).into_owned()
    }

    pub fn status(&self, code: &str) -> String {
        self.t(&format!("status.{code}"))
    }

    pub fn action(&self, code: &str) -> String {
        self.t(&format!("action.{code}"))
    }

    pub fn role(&self, code: &str) -> String {
        self.t(&format!("role.{code}"))
    }

    /// A field's name; `title_2` is the title of the third row of a batch.
    pub fn field(&self, name: &str) -> String {
        if let Some((base, row)) = name.rsplit_once('_')
            && let Ok(row) = row.parse::<usize>()
        {
            let base_name = self.field(base);
            return format!(
                "{base_name}（{}）",
                self.tp("form.row", &(row + 1).to_string())
            );
        }
        let key = format!("field.{name}");
        let text = self.t(&key);
        if text != key {
            return text;
        }
        // Channel fields and the ledger's period filters are named in their own sections.
        let channel = format!("channel_field.{name}");
        match self.t(&channel) {
            t if t == channel => self.t(&format!("ledger_period.{name}")),
            t => t,
        }
    }

    pub fn field_error(&self, e: &FieldError) -> String {
        let msg = match &e.param {
            Some(p) => self.tp(&e.code, p),
            None => self.t(&e.code),
        };
        format!("{}：{}", self.field(&e.field), msg)
    }

    pub fn refusal(&self, r: &Refusal) -> String {
        match r {
            Refusal::WrongState { action, from } => rust_i18n::t!(
                "refusal.wrong_state",
                locale = self.0,
                action = self.action(action.code()),
                status = self.status(from.code())
            )
            .into_owned(),
            Refusal::NotYours { action, owner } => rust_i18n::t!(
                "refusal.not_yours",
                locale = self.0,
                action = self.action(action.code()),
                owner = self.t(&format!("owner.{}", owner_code(*owner)))
            )
            .into_owned(),
            Refusal::Incomplete(missing) => {
                let sep = if self.is_en() { ", " } else { "、" };
                let list = missing
                    .iter()
                    .map(|d| self.field(d.code()))
                    .collect::<Vec<_>>()
                    .join(sep);
                self.tp("refusal.incomplete", &list)
            }
            Refusal::ReasonRequired(action) => {
                self.tp("refusal.reason_required", &self.action(action.code()))
            }
        }
    }

    /// One sentence for any refusal; validation errors list every field.
    pub fn error(&self, e: &ServiceError) -> String {
        match e {
            ServiceError::NotFound => self.t("error.not_found"),
            ServiceError::Forbidden(key)
            | ServiceError::Unauthenticated(key)
            | ServiceError::Conflict(key) => self.t(key),
            ServiceError::Throttled(secs) => self.tp("error.throttled", &secs.to_string()),
            ServiceError::Invalid(errors) => {
                let sep = if self.is_en() { "; " } else { "；" };
                errors
                    .iter()
                    .map(|e| self.field_error(e))
                    .collect::<Vec<_>>()
                    .join(sep)
            }
            ServiceError::Refused(r) => self.refusal(r),
            ServiceError::Internal(_) => self.t("error.internal"),
        }
    }

    /// A timestamp in Beijing time.
    pub fn time(&self, ms: &i64) -> String {
        shishi_core::time::format_ms(*ms)
    }
}

fn owner_code(o: StepOwner) -> &'static str {
    o.code()
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        if let Some(lang) = jar
            .get(LANG_COOKIE)
            .and_then(|c| Lang::from_code(c.value()))
        {
            return Ok(lang);
        }
        // Pages are Chinese until the person switches. API callers without the cookie may ask
        // for English error messages with Accept-Language.
        // Nesting strips `/api/v1` from the URI; the original keeps it.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map(|u| u.0.path().to_string())
            .unwrap_or_else(|| parts.uri.path().to_string());
        if !path.starts_with("/api/") {
            return Ok(Lang::default());
        }
        let accept = parts
            .headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let first = accept
            .split(',')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        Ok(if first.starts_with("en") {
            Lang("en")
        } else {
            Lang::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shishi_core::matter::{Determination, MatterAction, MatterStatus};

    /// Every key the code and templates use, literal or built from a domain code.
    fn used_keys() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        for dir in [
            "templates",
            "src",
            "src/pages",
            "src/api",
            "../service/src",
            "../service/src/demands",
            "../service/src/driving",
            "../service/src/notify",
            "../service/src/worker",
            "../service/src/reports",
            "../service/src/imports",
        ] {
            for entry in std::fs::read_dir(root.join(dir)).expect("dir").flatten() {
                if entry.path().is_file() {
                    texts.push(std::fs::read_to_string(entry.path()).unwrap_or_default());
                }
            }
        }
        let mut keys = Vec::new();
        for text in &texts {
            for (i, _) in text.match_indices('"') {
                let rest = &text[i + 1..];
                let Some(end) = rest.find('"') else { continue };
                let candidate = &rest[..end];
                let known = [
                    "app.",
                    "nav.",
                    "login.",
                    "ledger.",
                    "flag.",
                    "sort.",
                    "pager.",
                    "matter.",
                    "form.",
                    "campaigns.",
                    "units.",
                    "users.",
                    "calendar.",
                    "account.",
                    "error.",
                    "refusal.",
                    "supervision.",
                    "order.",
                    "extension.",
                    "completion.",
                    "verdict.",
                    "callback.",
                    "webhook.",
                    "delivery.",
                    "policy.",
                    "job.",
                    "field.",
                    "history.",
                    "report.",
                    "dashboard.",
                    "ledger_period.",
                    "import.",
                    "adopt.",
                ];
                if known.iter().any(|p| candidate.starts_with(p))
                    && candidate.len() > 4
                    && candidate
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
                    && !candidate.ends_with('.')
                    && !candidate.ends_with(".html")
                {
                    keys.push(candidate.to_string());
                }
            }
        }
        for s in MatterStatus::ALL {
            keys.push(format!("status.{}", s.code()));
        }
        for a in MatterAction::ALL {
            keys.push(format!("action.{}", a.code()));
            keys.push(format!("history.matter_{}", a.code()));
        }
        for r in shishi_core::Role::ALL {
            keys.push(format!("role.{}", r.code()));
        }
        for d in [
            Determination::ResponsibleUnit,
            Determination::ResponsiblePerson,
            Determination::Measures,
            Determination::Deadline,
            Determination::AcceptanceStandard,
        ] {
            keys.push(format!("field.{}", d.code()));
        }
        for k in shishi_core::unit::UnitKind::ALL {
            keys.push(format!("kind.{}", k.code()));
        }
        for s in shishi_service::campaigns::STAGES {
            keys.push(format!("stage.{s}"));
        }
        for h in shishi_core::calendar::Holiday::ALL {
            keys.push(format!("holiday.{}", h.code()));
        }
        for s in shishi_core::demand::DemandStatus::ALL {
            keys.push(format!("demand_status.{}", s.code()));
        }
        for a in shishi_core::demand::DemandAction::ALL {
            keys.push(format!("demand_action.{}", a.code()));
        }
        // Driving matters to done: every code a page words.
        use shishi_core::driving::{
            DissatisfiedAction, ExtensionApprover, OnTimeBasis, OrderLevel, OrderState, Verdict,
            Via,
        };
        for l in OrderLevel::ALL {
            keys.push(format!("level.{}", l.code()));
        }
        for s in OrderState::ALL {
            keys.push(format!("order_state.{}", s.code()));
        }
        for v in Verdict::ALL {
            keys.push(format!("verdict.{}", v.code()));
        }
        for v in Via::ALL {
            keys.push(format!("via.{}", v.code()));
        }
        for a in ExtensionApprover::ALL {
            keys.push(format!("approver.{}", a.code()));
        }
        for b in OnTimeBasis::ALL {
            keys.push(format!("on_time_basis.{}", b.code()));
        }
        for d in DissatisfiedAction::ALL {
            keys.push(format!("dissatisfied.{}", d.code()));
        }
        for s in ["pending", "approved", "refused"] {
            keys.push(format!("extension_state.{s}"));
        }
        for k in crate::pages::WEBHOOK_KINDS {
            keys.push(format!("webhook_kind.{k}"));
        }
        for s in crate::pages::DELIVERY_STATES {
            keys.push(format!("delivery_state.{s}"));
        }
        for c in ["email", "webhook"] {
            keys.push(format!("delivery_channel.{c}"));
        }
        for j in shishi_service::worker::JOBS {
            keys.push(format!("job.{j}"));
        }
        for a in [
            "order_issued",
            "order_escalated",
            "order_replied",
            "order_closed",
            "extension_requested",
            "extension_approved",
            "extension_refused",
            "verdict_recorded",
            "matter_imported",
        ] {
            keys.push(format!("history.{a}"));
        }
        // The fields the driving commands name in their errors.
        for f in [
            "level",
            "requirement",
            "reply_due",
            "reply",
            "note",
            "proposed_deadline",
            "verdict",
            "comment",
            "via",
            "contacted_at",
            "contact_name",
            "locale",
            "url",
            "secret",
            "events",
            "state",
            "approve",
            "ids",
            "extension_approver",
            "on_time_basis",
            "dissatisfied",
        ]
        .into_iter()
        .chain(crate::pages::DAY_FIELDS)
        {
            keys.push(format!("field.{f}"));
        }
        for k in shishi_report::kinds::ReportKind::ALL {
            keys.push(format!("report.kind.{}", k.code()));
            keys.push(format!("report.col.new_{}", k.code()));
            keys.push(format!("report.col.done_{}", k.code()));
            for f in k.narrative_fields() {
                keys.push(format!("field.{f}"));
            }
        }
        for f in shishi_report::assess::AssessPolicy::FIELDS {
            keys.push(format!("field.{f}"));
        }
        for f in shishi_report::kinds::DuePolicy::default().field_names() {
            keys.push(format!("field.{f}"));
        }
        for c in shishi_core::demand::Channel::ALL {
            keys.push(format!("channel.{}", c.code()));
            for (f, _) in c.fields() {
                keys.push(format!("channel_field.{f}"));
            }
        }
        for code in [401, 403, 404, 409, 422, 429, 500] {
            keys.push(format!("http.{code}"));
        }
        keys.sort();
        keys.dedup();
        keys
    }

    #[test]
    fn every_key_exists_in_both_languages() {
        let keys = used_keys();
        assert!(keys.len() > 150, "the scan found the keys ({})", keys.len());
        let mut missing = Vec::new();
        for key in &keys {
            for lang in LANGS {
                let text = Lang(lang).t(key);
                if text == *key || text.ends_with(key.as_str()) || text.is_empty() {
                    missing.push(format!("{lang}: {key}"));
                }
            }
        }
        assert!(missing.is_empty(), "missing translations: {missing:#?}");
    }

    #[test]
    fn refusals_read_as_sentences() {
        let r = Refusal::Incomplete(vec![Determination::Measures, Determination::Deadline]);
        assert_eq!(
            Lang("zh-CN").refusal(&r),
            "五定不全，不能立项：缺少工作措施、完成时限"
        );
        assert!(Lang("en").refusal(&r).contains("Measures, Deadline"));
        let r = Refusal::WrongState {
            action: MatterAction::Complete,
            from: MatterStatus::Proposed,
        };
        assert_eq!(
            Lang("zh-CN").refusal(&r),
            "事项当前为“拟办”，不能“申报完成”"
        );
    }
}
