//! The lifecycle stepper of the matter and demand pages (templates/_stepper.html): the steps
//! from the core's status rules, in the reader's language, with the next step and who owns it.

use shishi_core::MatterAction;
use shishi_core::demand::{DemandAction, DemandStatus};
use shishi_core::lifecycle::{self, StepState};
use shishi_core::matter::{MatterStatus, StepOwner};
use shishi_service::demands::DemandDetail;
use shishi_service::matters::MatterDetail;

use crate::i18n::Lang;

pub struct StepView {
    pub label: String,
    /// done, skipped, current or todo: the CSS class and the test hook.
    pub state: &'static str,
    /// Off the main line (暂缓, 撤销).
    pub side: bool,
}

pub struct StepperView {
    pub kind: &'static str,
    pub steps: Vec<StepView>,
    /// "下一步：督导组 赵志刚 验收", or that the way has ended.
    pub next: String,
    /// Set when the next step is the reader's own: where on the page they take it (empty when
    /// there is nothing to jump to).
    pub yours: Option<String>,
    /// Returns and reworks that brought the matter back.
    pub note: Option<String>,
}

fn sentence(lang: Lang, who: &str, what: &str) -> String {
    lang.t("stepper.next")
        .replace("{who}", who)
        .replace("{what}", what)
}

/// An English action name as it reads inside the sentence ("Accept" → "accept").
fn mid_sentence(lang: Lang, name: String) -> String {
    if !lang.is_en() {
        return name;
    }
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => name,
    }
}

fn step_view(label: String, state: StepState, side: bool) -> StepView {
    StepView {
        label,
        state: state.code(),
        side,
    }
}

/// The stepper of a matter as `d` shows it to the reader (`d.actions` are the reader's steps).
pub fn matter(lang: Lang, d: &MatterDetail) -> StepperView {
    let row = &d.matter.row;
    let status = MatterStatus::from_code(&row.status).unwrap_or(MatterStatus::Proposed);
    let (steps, next) = lifecycle::matter_steps(status);
    let steps = steps
        .into_iter()
        .map(|s| step_view(lang.status(s.status.code()), s.state, s.side))
        .collect();
    let (next, yours) = match next {
        Some((action, owner)) => {
            let who = match (owner, &row.owner_name, &row.supervisor_name) {
                (StepOwner::HandlerOrUnitAdmin, Some(name), _) => {
                    format!("{} {name}", lang.t("stepper.owner.handler"))
                }
                (StepOwner::Supervisor, _, Some(name)) => {
                    format!("{} {name}", lang.t("stepper.owner.supervisor"))
                }
                (StepOwner::Supervisor, _, None) => lang.t("stepper.owner.supervisor"),
                (o, _, _) => lang.t(&format!("owner.{}", o.code())),
            };
            let what = lang.t(&format!("stepper.matter.{}", action.code()));
            let yours = d.actions.contains(&action).then(|| {
                if action == MatterAction::Complete {
                    "#completion".to_string()
                } else {
                    "#steps".to_string()
                }
            });
            (sentence(lang, &who, &what), yours)
        }
        None => (lang.t(&format!("stepper.ended.{}", status.code())), None),
    };
    let mut notes = Vec::new();
    if status == MatterStatus::InProgress {
        if row.return_count > 0 {
            notes.push(lang.tp("completion.returns", &row.return_count.to_string()));
        }
        if row.rework_count > 0 {
            notes.push(lang.tp("completion.reworks", &row.rework_count.to_string()));
        }
    }
    StepperView {
        kind: "matter",
        steps,
        next,
        yours,
        note: (!notes.is_empty()).then(|| notes.join(" · ")),
    }
}

/// The stepper of a demand: 待受理 → 已受理 → its outcome, and what the inbox does next.
pub fn demand(lang: Lang, d: &DemandDetail) -> StepperView {
    let v = &d.demand;
    let status = DemandStatus::from_code(&v.status).unwrap_or(DemandStatus::Submitted);
    let accepted_before = d
        .events
        .iter()
        .any(|e| e.to_status == DemandStatus::Accepted.code());
    let label = |s: DemandStatus| lang.t(&format!("demand_status.{}", s.code()));
    let mut steps: Vec<StepView> = lifecycle::demand_steps(status, accepted_before)
        .into_iter()
        .map(|s| step_view(label(s.status), s.state, false))
        .collect();
    let sep = if lang.is_en() { " / " } else { "／" };
    if status.is_open() {
        // The outcome is still to come: the step names every outcome the rules allow.
        let outcomes: Vec<String> = lifecycle::demand_outcomes()
            .into_iter()
            .map(|s| lang.t(&format!("stepper.outcome.{}", s.code())))
            .collect();
        steps.push(step_view(outcomes.join(sep), StepState::Todo, false));
    }
    let actions = lifecycle::demand_next(status);
    let (next, yours) = if actions.is_empty() {
        let ended = match (status, v.matter_id) {
            (DemandStatus::Adopted, Some(m)) => {
                lang.tp("stepper.ended.adopted_matter", &format!("#{m}"))
            }
            _ => lang.t("stepper.ended.demand"),
        };
        (ended, None)
    } else {
        let clerk = lang.t("stepper.owner.clerk");
        let who = lang.paren(&clerk, &v.unit_name);
        let names: Vec<String> = actions
            .iter()
            .map(|a: &DemandAction| {
                mid_sentence(lang, lang.t(&format!("demand_action.{}", a.code())))
            })
            .collect();
        let or = lang.t("stepper.or");
        let what = match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => {
                format!("{}{or}{last}", rest.join(lang.list_sep()))
            }
            _ => names.join(""),
        };
        // The panel of steps is right below on the page: no anchor to jump to.
        let yours = (!d.actions.is_empty()).then(String::new);
        (sentence(lang, &who, &what), yours)
    };
    StepperView {
        kind: "demand",
        steps,
        next,
        yours,
        note: None,
    }
}
