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

    /// A field's name; `title_2` is the title of the third row of a batch. A field without a
    /// label shows as it is named (the scan in the tests keeps that from happening).
    pub fn field(&self, name: &str) -> String {
        self.field_label(name).unwrap_or_else(|| name.to_string())
    }

    /// A field's general name, if it has one: `field.*`, then the channel fields and the
    /// ledger's period filters, which are named in their own sections.
    pub fn field_label(&self, name: &str) -> Option<String> {
        if let Some((base, row)) = name.rsplit_once('_')
            && let Ok(row) = row.parse::<usize>()
        {
            let base_name = self.field_label(base)?;
            return Some(self.paren(&base_name, &self.tp("form.row", &(row + 1).to_string())));
        }
        ["field", "channel_field", "ledger_period"]
            .iter()
            .find_map(|section| self.known(&format!("{section}.{name}")))
    }

    /// The text of `key`, or `None` when no language has it.
    fn known(&self, key: &str) -> Option<String> {
        let text = self.t(key);
        (text != key && !text.is_empty()).then_some(text)
    }

    /// A field as `form` labels it (see `labels`), else by its general name.
    pub fn field_in(&self, form: Option<&str>, name: &str) -> Option<String> {
        let (base, row) = match name.rsplit_once('_') {
            Some((b, r)) if r.parse::<usize>().is_ok() => (b, Some(r)),
            _ => (name, None),
        };
        let own = form
            .and_then(|f| crate::labels::label_key(f, base))
            .and_then(|k| self.known(k));
        match (own, row) {
            (Some(label), None) => Some(label),
            (Some(label), Some(r)) => {
                let r = r.parse::<usize>().unwrap_or(0) + 1;
                Some(self.paren(&label, &self.tp("form.row", &r.to_string())))
            }
            (None, _) => self.field_label(name),
        }
    }

    /// One field's error in a sentence, the field named as the form labels it; a message
    /// with a `%{param}` always gets it filled (an empty one, if the error brought none).
    pub fn field_error_in(&self, form: Option<&str>, e: &FieldError) -> String {
        let msg = self.tp(&e.code, e.param.as_deref().unwrap_or(""));
        match self.field_in(form, &e.field) {
            Some(label) => self.labelled(&label, &msg),
            None => msg,
        }
    }

    pub fn field_error(&self, e: &FieldError) -> String {
        self.field_error_in(None, e)
    }

    /// `label: text` with the language's own colon.
    pub fn labelled(&self, label: &str, text: &str) -> String {
        format!("{label}{}{text}", self.colon())
    }

    /// The colon after a label: full-width in Chinese, `": "` in English.
    pub fn colon(&self) -> &'static str {
        if self.is_en() { ": " } else { "：" }
    }

    /// `text (aside)` with the language's own brackets.
    pub fn paren(&self, text: &str, aside: &str) -> String {
        if self.is_en() {
            format!("{text} ({aside})")
        } else {
            format!("{text}（{aside}）")
        }
    }

    /// Between the items of a list: 、 in Chinese, `, ` in English.
    pub fn list_sep(&self) -> &'static str {
        if self.is_en() { ", " } else { "、" }
    }

    /// Between clauses: ； in Chinese, `; ` in English.
    pub fn clause_sep(&self) -> &'static str {
        if self.is_en() { "; " } else { "；" }
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
                let list = missing
                    .iter()
                    .map(|d| self.field(d.code()))
                    .collect::<Vec<_>>()
                    .join(self.list_sep());
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
            ServiceError::Invalid(errors) => self.invalid_in(None, errors),
            ServiceError::Refused(r) => self.refusal(r),
            ServiceError::Internal(_) => self.t("error.internal"),
        }
    }

    /// Every field error of a refused form, in one sentence.
    pub fn invalid_in(&self, form: Option<&str>, errors: &[FieldError]) -> String {
        errors
            .iter()
            .map(|e| self.field_error_in(form, e))
            .collect::<Vec<_>>()
            .join(self.clause_sep())
    }

    /// Any refusal in one sentence, fields named as `form` labels them.
    pub fn error_in(&self, form: Option<&str>, e: &ServiceError) -> String {
        match e {
            ServiceError::Invalid(errors) => self.invalid_in(form, errors),
            other => self.error(other),
        }
    }

    /// A stored reason in the reader's language: typed words as they are, a reason of the
    /// system's own by its code (see `shishi_core::reason`).
    pub fn reason(&self, stored: &str) -> String {
        use shishi_core::reason::{Reason, parse};
        match parse(stored) {
            Reason::Typed(text) => text.to_string(),
            Reason::Coded { code, words } => {
                let said = self.t(&format!("reason.{code}"));
                if words.is_empty() {
                    said
                } else {
                    self.labelled(&said, words)
                }
            }
        }
    }

    /// A step in a demand's timeline, told as done ("Accepted", not "Accept").
    pub fn demand_event(&self, action: &str) -> String {
        self.known(&format!("demand_event.{action}"))
            .unwrap_or_else(|| self.t(&format!("demand_action.{action}")))
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
            keys.push(format!("demand_event.{}", a.code()));
        }
        // The timeline's other steps: raised, and reopened by a 不满意 verdict.
        for a in ["submit", "reopen"] {
            keys.push(format!("demand_event.{a}"));
        }
        keys.push(format!("reason.{}", shishi_core::reason::DISSATISFIED));
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

    /// Chinese punctuation has no place in English: not in en.yml, and not in the
    /// templates or the page code around the texts (the `Lang` helpers give each language
    /// its own colon, brackets and separators).
    #[test]
    fn english_has_no_full_width_punctuation() {
        const FULL_WIDTH: &[char] = &[
            '：', '，', '（', '）', '。', '；', '、', '！', '？', '【', '】',
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let en = std::fs::read_to_string(root.join("locales/en.yml")).expect("en.yml");
        let bad: Vec<&str> = en.lines().filter(|l| l.contains(FULL_WIDTH)).collect();
        assert!(bad.is_empty(), "full-width punctuation in en.yml: {bad:#?}");
        let mut found = Vec::new();
        for dir in ["templates", "src/pages"] {
            for entry in std::fs::read_dir(root.join(dir)).expect("dir").flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                let code = text.split("#[cfg(test)]").next().unwrap_or("");
                for (n, line) in code.lines().enumerate() {
                    let t = line.trim_start();
                    if t.starts_with("//") || t.starts_with("{#") {
                        continue;
                    }
                    if line.contains(FULL_WIDTH) {
                        found.push(format!("{}:{}: {t}", entry.path().display(), n + 1));
                    }
                }
            }
        }
        assert!(
            found.is_empty(),
            "full-width punctuation outside zh-CN.yml: {found:#?}"
        );
        assert_eq!(Lang("en").labelled("Reason", "late"), "Reason: late");
        assert_eq!(Lang("zh-CN").labelled("理由", "迟了"), "理由：迟了");
    }

    /// The calls in the service that name a field in an error, with the field and the
    /// message key: `check.required("title", …)`, `FieldError::with("reason", "error.too_long", …)`.
    fn field_error_sites() -> Vec<(String, String, Option<String>, bool)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../service/src");
        let mut files = Vec::new();
        let mut dirs = vec![root];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).expect("dir").flatten() {
                if e.path().is_dir() {
                    dirs.push(e.path());
                } else if e.path().extension().is_some_and(|x| x == "rs") {
                    files.push(e.path());
                }
            }
        }
        // (call, takes a param?) — `required`/`optional` bring their own `error.too_long`.
        let calls: [(&str, Option<bool>); 8] = [
            ("check.required(", None),
            ("check.optional(", None),
            ("check.date(", None),
            ("check.push(", Some(false)),
            ("check.push_with(", Some(true)),
            ("FieldError::new(", Some(false)),
            ("FieldError::with(", Some(true)),
            ("ServiceError::field(", Some(false)),
        ];
        let mut out = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            let text = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
            for (call, with_param) in calls {
                for (i, _) in text.match_indices(call) {
                    let args: String = text[i + call.len()..]
                        .chars()
                        .take(200)
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    let args = args.trim_start_matches('&').trim_start_matches("f(");
                    let Some(rest) = args.strip_prefix('"') else {
                        continue;
                    };
                    let Some(end) = rest.find('"') else { continue };
                    let field = rest[..end].to_string();
                    let after = &rest[end + 1..];
                    let code = after
                        .trim_start_matches(')')
                        .strip_prefix(",\"")
                        .and_then(|c| c.split('"').next())
                        .map(str::to_string);
                    if let Some(p) = with_param {
                        out.push((field, f.display().to_string(), code, p));
                    } else {
                        out.push((field, f.display().to_string(), None, false));
                    }
                }
            }
        }
        out
    }

    /// Every field the service names in an error has a label in both languages, so no
    /// message shows a bare key such as `ledger_period.from`.
    #[test]
    fn every_field_in_an_error_has_a_label() {
        let sites = field_error_sites();
        assert!(
            sites.len() > 100,
            "the scan found the calls ({})",
            sites.len()
        );
        let mut missing = Vec::new();
        for (field, file, _, _) in &sites {
            for lang in LANGS {
                if Lang(lang).field_label(field).is_none() {
                    missing.push(format!("{lang}: {field} ({file})"));
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "fields without a label: {missing:#?}");
    }

    /// A message with a `%{param}` is only ever raised with its value, and whatever
    /// happens, no rendered error shows a raw `%{`.
    #[test]
    fn messages_with_a_param_get_one() {
        let mut wrong = Vec::new();
        for (field, file, code, with_param) in field_error_sites() {
            let Some(code) = code else { continue };
            let needs = Lang("zh-CN").t(&code).contains("%{");
            if needs && !with_param {
                wrong.push(format!("{code} on {field} without its value ({file})"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
        for lang in LANGS {
            let l = Lang(lang);
            for e in [
                FieldError::with("idempotency_key", "error.too_long", 200),
                FieldError::new("idempotency_key", "error.too_long"),
                FieldError::with("from", "error.date", "x"),
                FieldError::with("title_2", "error.too_long", 100),
            ] {
                let text = l.field_error(&e);
                assert!(!text.contains("%{"), "{lang}: {text}");
                assert!(
                    !text.contains("field.") && !text.contains("ledger_period."),
                    "{text}"
                );
            }
        }
        assert_eq!(
            Lang("zh-CN").field_error(&FieldError::with("idempotency_key", "error.too_long", 200)),
            "提交标识：不能超过 200 个字"
        );
        assert_eq!(
            Lang("en").field_error(&FieldError::new("reason", "error.required")),
            "Reason: required"
        );
    }

    /// The same field is named by the form it is on.
    #[test]
    fn field_errors_use_the_forms_labels() {
        let zh = Lang("zh-CN");
        let e = FieldError::with("title", "error.too_long", 100);
        assert_eq!(
            zh.field_error_in(Some("submit"), &e),
            "诉求标题：不能超过 100 个字"
        );
        assert_eq!(
            zh.field_error_in(Some("matter_form"), &e),
            "事项名称：不能超过 100 个字"
        );
        let e = FieldError::new("narrative", "error.required");
        assert_eq!(
            zh.field_error_in(Some("matter#completion"), &e),
            "完成情况：必填"
        );
        assert_eq!(
            zh.field_error_in(Some("matter#progress"), &e),
            "进展情况：必填"
        );
        let row = FieldError::new("title_1", "error.required");
        assert_eq!(
            zh.field_error_in(Some("intake"), &row),
            "诉求标题（第2条）：必填"
        );
    }

    #[test]
    fn reasons_read_in_the_readers_language() {
        let stored = shishi_core::reason::coded(shishi_core::reason::DISSATISFIED, "夜班没热水");
        assert_eq!(Lang("en").reason(&stored), "Rated dissatisfied: 夜班没热水");
        assert_eq!(Lang("zh-CN").reason(&stored), "群众评价不满意：夜班没热水");
        // Older rows keep their text.
        assert_eq!(Lang("en").reason("群众评价不满意：x"), "群众评价不满意：x");
        assert_eq!(Lang("en").demand_event("accept"), "Accepted");
        assert_eq!(Lang("en").demand_event("adopt"), "Adopted into a matter");
    }
}
