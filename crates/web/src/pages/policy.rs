//! The rules that drive matters to done, for the organisation's system admin: when deadlines
//! warn, how long an order may wait for its reply, who approves extensions, what counts as on
//! time, how long requesters have to give their verdict and what 不满意 does.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::routing::get;

use crate::input::Form;
use serde::Deserialize;
use shishi_core::driving::{DissatisfiedAction, DrivingPolicy, ExtensionApprover, OnTimeBasis};
use shishi_service::{FieldError, ServiceError};

use super::{Ctx, FormErrors, OrPage, PageError, PageResult, render_status};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/driving", get(show).post(save))
}

/// The numbers of the policy, by field name.
pub const DAY_FIELDS: [&str; 4] = [
    "deadline_warning_days",
    "stale_progress_days",
    "order_reply_days",
    "evaluation_window_days",
];

#[derive(Debug, Default, Deserialize, Clone)]
struct PolicyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    deadline_warning_days: String,
    #[serde(default)]
    stale_progress_days: String,
    #[serde(default)]
    order_reply_days: String,
    #[serde(default)]
    evaluation_window_days: String,
    #[serde(default)]
    extension_approver: String,
    #[serde(default)]
    on_time_basis: String,
    #[serde(default)]
    dissatisfied: String,
}

impl PolicyForm {
    fn from_policy(p: &DrivingPolicy) -> PolicyForm {
        PolicyForm {
            csrf: String::new(),
            deadline_warning_days: p.deadline_warning_days.to_string(),
            stale_progress_days: p.stale_progress_days.to_string(),
            order_reply_days: p.order_reply_days.to_string(),
            evaluation_window_days: p.evaluation_window_days.to_string(),
            extension_approver: p.extension_approver.code().into(),
            on_time_basis: p.on_time_basis.code().into(),
            dissatisfied: p.dissatisfied.code().into(),
        }
    }

    fn days(&self, field: &str) -> &str {
        match field {
            "deadline_warning_days" => &self.deadline_warning_days,
            "stale_progress_days" => &self.stale_progress_days,
            "order_reply_days" => &self.order_reply_days,
            _ => &self.evaluation_window_days,
        }
    }

    /// The policy the form asks for; every unreadable field named at once.
    fn to_policy(&self) -> Result<DrivingPolicy, ServiceError> {
        let mut errors = Vec::new();
        let mut number = |field: &'static str| match self.days(field).trim().parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                errors.push(FieldError::new(field, "error.number"));
                0
            }
        };
        let deadline_warning_days = number("deadline_warning_days");
        let stale_progress_days = number("stale_progress_days");
        let order_reply_days = number("order_reply_days");
        let evaluation_window_days = number("evaluation_window_days");
        let approver = ExtensionApprover::from_code(self.extension_approver.trim());
        let basis = OnTimeBasis::from_code(self.on_time_basis.trim());
        let dissatisfied = DissatisfiedAction::from_code(self.dissatisfied.trim());
        for (field, ok) in [
            ("extension_approver", approver.is_some()),
            ("on_time_basis", basis.is_some()),
            ("dissatisfied", dissatisfied.is_some()),
        ] {
            if !ok {
                errors.push(FieldError::new(field, "error.choice"));
            }
        }
        match (approver, basis, dissatisfied) {
            (Some(extension_approver), Some(on_time_basis), Some(dissatisfied))
                if errors.is_empty() =>
            {
                Ok(DrivingPolicy {
                    deadline_warning_days,
                    stale_progress_days,
                    order_reply_days,
                    extension_approver,
                    on_time_basis,
                    evaluation_window_days,
                    dissatisfied,
                })
            }
            _ => Err(ServiceError::Invalid(errors)),
        }
    }
}

#[derive(Template)]
#[template(path = "driving_policy.html")]
struct PolicyTemplate {
    ctx: Ctx,
    form: PolicyForm,
    errors: FormErrors,
    notice: Option<String>,
}

impl PolicyTemplate {
    fn day_fields(&self) -> [&'static str; 4] {
        DAY_FIELDS
    }
    fn days(&self, field: &str) -> String {
        self.form.days(field).to_string()
    }
    fn approvers(&self) -> Vec<&'static str> {
        ExtensionApprover::ALL.iter().map(|a| a.code()).collect()
    }
    fn bases(&self) -> Vec<&'static str> {
        OnTimeBasis::ALL.iter().map(|a| a.code()).collect()
    }
    fn dissatisfied_actions(&self) -> Vec<&'static str> {
        DissatisfiedAction::ALL.iter().map(|a| a.code()).collect()
    }
}

fn page(
    lang: Lang,
    me: &PageUser,
    uri: &Uri,
    form: PolicyForm,
    errors: FormErrors,
    notice: Option<String>,
) -> PageResult {
    if !me.actor.is_root_admin() {
        return Err(PageError {
            error: ServiceError::Forbidden("error.only_root_admin".into()),
            lang,
        });
    }
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let t = PolicyTemplate {
        ctx: Ctx::new(lang, me, uri, "calendar"),
        form,
        errors,
        notice,
    };
    render_status(&t, lang, status)
}

async fn show(State(st): State<AppState>, lang: Lang, me: PageUser, uri: Uri) -> PageResult {
    let form = PolicyForm::from_policy(&st.services.driving_policy());
    page(lang, &me, &uri, form, FormErrors::default(), None)
}

async fn save(
    State(st): State<AppState>,
    lang: Lang,
    me: PageUser,
    uri: Uri,
    Form(f): Form<PolicyForm>,
) -> PageResult {
    me.check_csrf(&f.csrf).or_page(lang)?;
    let result = match f.to_policy() {
        Ok(p) => st.services.set_driving_policy(&me.actor, p).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            let form = PolicyForm::from_policy(&st.services.driving_policy());
            page(
                lang,
                &me,
                &uri,
                form,
                FormErrors::default(),
                Some(lang.t("policy.saved")),
            )
        }
        Err(e @ ServiceError::Invalid(_)) => page(
            lang,
            &me,
            &uri,
            f,
            FormErrors::of("driving_policy", &e, lang),
            None,
        ),
        Err(e) => Err(PageError { error: e, lang }),
    }
}
