//! The matter (实事项目) lifecycle, the five determinations (五定) and the derived flags.
//!
//! proposed 拟办 → approved 已立项 → in_progress 推进中 → completed 已完成 → accepted 已验收 →
//! closed 已销号; suspended 暂缓 and cancelled 撤销 need a reason. Who may take each step is decided
//! here from the actor's relation to the matter, so every front end refuses the same things.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::WorkCalendar;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    PartialOrd,
    Ord,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MatterStatus {
    Proposed,
    Approved,
    InProgress,
    Completed,
    Accepted,
    Closed,
    Suspended,
    Cancelled,
}

impl MatterStatus {
    pub const ALL: [MatterStatus; 8] = [
        MatterStatus::Proposed,
        MatterStatus::Approved,
        MatterStatus::InProgress,
        MatterStatus::Completed,
        MatterStatus::Accepted,
        MatterStatus::Closed,
        MatterStatus::Suspended,
        MatterStatus::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MatterStatus::Proposed => "proposed",
            MatterStatus::Approved => "approved",
            MatterStatus::InProgress => "in_progress",
            MatterStatus::Completed => "completed",
            MatterStatus::Accepted => "accepted",
            MatterStatus::Closed => "closed",
            MatterStatus::Suspended => "suspended",
            MatterStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<MatterStatus> {
        MatterStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Work is still owed: the deadline matters and the matter can be late.
    pub fn is_open_work(self) -> bool {
        matches!(self, MatterStatus::Approved | MatterStatus::InProgress)
    }

    /// Counted as done in the summary line (已完成): completed and beyond.
    pub fn is_done(self) -> bool {
        matches!(
            self,
            MatterStatus::Completed | MatterStatus::Accepted | MatterStatus::Closed
        )
    }

    /// Counted in the list (清单): everything approved and not cancelled.
    pub fn is_listed(self) -> bool {
        !matches!(self, MatterStatus::Proposed | MatterStatus::Cancelled)
    }

    /// The five determinations must be complete: everything past proposed. The approval gate
    /// checks them, and every later write of the matter, whatever its path, must keep them.
    pub fn needs_five_determinations(self) -> bool {
        !matches!(self, MatterStatus::Proposed | MatterStatus::Cancelled)
    }

    /// The five determinations may still change.
    pub fn is_editable(self) -> bool {
        matches!(
            self,
            MatterStatus::Proposed
                | MatterStatus::Approved
                | MatterStatus::InProgress
                | MatterStatus::Suspended
        )
    }

    /// Progress entries may be posted.
    pub fn accepts_progress(self) -> bool {
        matches!(self, MatterStatus::Approved | MatterStatus::InProgress)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatterAction {
    Approve,
    Start,
    Complete,
    Accept,
    Return,
    Close,
    Suspend,
    Resume,
    Cancel,
    Reopen,
}

impl MatterAction {
    pub const ALL: [MatterAction; 10] = [
        MatterAction::Approve,
        MatterAction::Start,
        MatterAction::Complete,
        MatterAction::Accept,
        MatterAction::Return,
        MatterAction::Close,
        MatterAction::Suspend,
        MatterAction::Resume,
        MatterAction::Cancel,
        MatterAction::Reopen,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MatterAction::Approve => "approve",
            MatterAction::Start => "start",
            MatterAction::Complete => "complete",
            MatterAction::Accept => "accept",
            MatterAction::Return => "return",
            MatterAction::Close => "close",
            MatterAction::Suspend => "suspend",
            MatterAction::Resume => "resume",
            MatterAction::Cancel => "cancel",
            MatterAction::Reopen => "reopen",
        }
    }

    pub fn from_code(code: &str) -> Option<MatterAction> {
        MatterAction::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The statuses the action may start from.
    pub fn sources(self) -> &'static [MatterStatus] {
        self.step().0
    }

    /// The status the action leads to.
    pub fn target(self) -> MatterStatus {
        self.step().1
    }

    fn step(self) -> (&'static [MatterStatus], MatterStatus) {
        use MatterStatus::*;
        match self {
            MatterAction::Approve => (&[Proposed], Approved),
            MatterAction::Start => (&[Approved], InProgress),
            MatterAction::Complete => (&[InProgress], Completed),
            MatterAction::Accept => (&[Completed], Accepted),
            MatterAction::Return => (&[Completed], InProgress),
            MatterAction::Close => (&[Accepted], Closed),
            MatterAction::Suspend => (&[Approved, InProgress], Suspended),
            MatterAction::Resume => (&[Suspended], InProgress),
            MatterAction::Cancel => (&[Proposed, Approved, InProgress, Suspended], Cancelled),
            // 重办: accepted work judged unsatisfactory goes back to the handler.
            MatterAction::Reopen => (&[Accepted], InProgress),
        }
    }

    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            MatterAction::Suspend
                | MatterAction::Cancel
                | MatterAction::Return
                | MatterAction::Reopen
        )
    }

    /// Who owns the step.
    pub fn owner(self) -> StepOwner {
        match self {
            MatterAction::Approve
            | MatterAction::Close
            | MatterAction::Suspend
            | MatterAction::Resume
            | MatterAction::Cancel => StepOwner::UnitAdmin,
            MatterAction::Start | MatterAction::Complete => StepOwner::HandlerOrUnitAdmin,
            MatterAction::Accept | MatterAction::Return | MatterAction::Reopen => {
                StepOwner::Supervisor
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepOwner {
    UnitAdmin,
    HandlerOrUnitAdmin,
    Supervisor,
}

impl StepOwner {
    pub fn code(self) -> &'static str {
        match self {
            StepOwner::UnitAdmin => "unit_admin",
            StepOwner::HandlerOrUnitAdmin => "handler_or_unit_admin",
            StepOwner::Supervisor => "supervisor",
        }
    }
}

/// What the acting person is to this matter; the service works it out from grants and scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActorRelation {
    /// Unit admin or system admin over the matter's unit.
    pub manages: bool,
    /// The responsible person (责任人).
    pub owns: bool,
    /// A supervisor over the matter's unit, or the matter's named supervisor.
    pub supervises: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Determination {
    ResponsibleUnit,
    ResponsiblePerson,
    Measures,
    Deadline,
    AcceptanceStandard,
}

impl Determination {
    pub fn code(self) -> &'static str {
        match self {
            Determination::ResponsibleUnit => "responsible_unit",
            Determination::ResponsiblePerson => "responsible_person",
            Determination::Measures => "measures",
            Determination::Deadline => "deadline",
            Determination::AcceptanceStandard => "acceptance_standard",
        }
    }
}

/// The five determinations (五定) as they stand on a matter.
#[derive(Debug, Clone, Copy)]
pub struct FiveDeterminations<'a> {
    pub responsible_unit: Option<i64>,
    pub responsible_person: Option<i64>,
    pub measures: &'a str,
    pub deadline: Option<NaiveDate>,
    pub acceptance_standard: &'a str,
}

impl FiveDeterminations<'_> {
    /// What a matter in `status` lacks of what it must carry; empty for a proposed one.
    pub fn missing_for(&self, status: MatterStatus) -> Vec<Determination> {
        if status.needs_five_determinations() {
            self.missing()
        } else {
            vec![]
        }
    }

    pub fn missing(&self) -> Vec<Determination> {
        let mut out = Vec::new();
        if self.responsible_unit.is_none() {
            out.push(Determination::ResponsibleUnit);
        }
        if self.responsible_person.is_none() {
            out.push(Determination::ResponsiblePerson);
        }
        if self.measures.trim().is_empty() {
            out.push(Determination::Measures);
        }
        if self.deadline.is_none() {
            out.push(Determination::Deadline);
        }
        if self.acceptance_standard.trim().is_empty() {
            out.push(Determination::AcceptanceStandard);
        }
        out
    }
}

/// Why a step was refused. Front ends turn each into a sentence in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{action:?} is not possible from {from:?}")]
    WrongState {
        action: MatterAction,
        from: MatterStatus,
    },
    #[error("{action:?} belongs to {owner:?}")]
    NotYours {
        action: MatterAction,
        owner: StepOwner,
    },
    #[error("the five determinations are incomplete: {0:?}")]
    Incomplete(Vec<Determination>),
    #[error("{0:?} needs a reason")]
    ReasonRequired(MatterAction),
}

/// Checks one step and returns the status it leads to.
pub fn transition(
    from: MatterStatus,
    action: MatterAction,
    actor: ActorRelation,
    five: &FiveDeterminations<'_>,
    reason: &str,
) -> Result<MatterStatus, Refusal> {
    let (sources, target) = action.step();
    if !sources.contains(&from) {
        return Err(Refusal::WrongState { action, from });
    }
    let owner = action.owner();
    let allowed = match owner {
        StepOwner::UnitAdmin => actor.manages,
        StepOwner::HandlerOrUnitAdmin => actor.manages || actor.owns,
        StepOwner::Supervisor => actor.supervises,
    };
    if !allowed {
        return Err(Refusal::NotYours { action, owner });
    }
    if action == MatterAction::Approve {
        let missing = five.missing();
        if !missing.is_empty() {
            return Err(Refusal::Incomplete(missing));
        }
    }
    if action.needs_reason() && reason.trim().is_empty() {
        return Err(Refusal::ReasonRequired(action));
    }
    Ok(target)
}

/// The steps this actor could take now (the buttons a page shows).
pub fn available_actions(from: MatterStatus, actor: ActorRelation) -> Vec<MatterAction> {
    let complete = FiveDeterminations {
        responsible_unit: Some(0),
        responsible_person: Some(0),
        measures: "x",
        deadline: NaiveDate::from_ymd_opt(2000, 1, 1),
        acceptance_standard: "x",
    };
    MatterAction::ALL
        .into_iter()
        .filter(|a| transition(from, *a, actor, &complete, "reason").is_ok())
        .collect()
}

/// When a matter counts as at risk (预警); both numbers are settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskPolicy {
    /// Within this many working days of the deadline…
    pub warn_working_days: u32,
    /// …with progress under this percent.
    pub progress_threshold: u8,
}

impl Default for RiskPolicy {
    fn default() -> Self {
        RiskPolicy {
            warn_working_days: 5,
            progress_threshold: 80,
        }
    }
}

/// 超期: open work whose deadline has passed (the deadline day itself is still on time).
pub fn is_overdue(status: MatterStatus, deadline: Option<NaiveDate>, today: NaiveDate) -> bool {
    status.is_open_work() && deadline.is_some_and(|d| d < today)
}

/// The last deadline that is "near" today: open work due on or before it (and not yet
/// overdue) with too little progress is at risk.
pub fn risk_horizon(cal: &WorkCalendar, policy: RiskPolicy, today: NaiveDate) -> NaiveDate {
    cal.add_working_days(today, policy.warn_working_days)
}

/// 预警: open work, not overdue, due within the warning window, progress under the threshold.
pub fn is_at_risk(
    status: MatterStatus,
    deadline: Option<NaiveDate>,
    progress: u8,
    today: NaiveDate,
    cal: &WorkCalendar,
    policy: RiskPolicy,
) -> bool {
    let Some(deadline) = deadline else {
        return false;
    };
    status.is_open_work()
        && deadline >= today
        && deadline <= risk_horizon(cal, policy, today)
        && progress < policy.progress_threshold
}

/// The progress of work sent back to its handler (退回 from completion, 重办 after acceptance):
/// completing forced the figure to 100, which the work no longer is. It goes back to the last
/// figure the handler reported short of done; with none, to 0. Never 100: the work is open.
/// `posted` are the percentages of the progress entries, newest first.
pub fn progress_when_sent_back(posted: &[i64]) -> i64 {
    posted
        .iter()
        .copied()
        .find(|p| (0..100).contains(p))
        .unwrap_or(0)
}

impl MatterAction {
    /// The step hands finished work back to the handler.
    pub fn sends_work_back(self) -> bool {
        matches!(self, MatterAction::Return | MatterAction::Reopen)
    }
}

/// 已重新打开: accepted work reopened for rework and not yet finished again.
pub fn is_reopened(status: MatterStatus, rework_count: i64) -> bool {
    rework_count > 0 && matches!(status, MatterStatus::Approved | MatterStatus::InProgress)
}

#[cfg(test)]
mod tests {
    use super::*;
    use MatterAction::*;
    use MatterStatus::*;

    const ADMIN: ActorRelation = ActorRelation {
        manages: true,
        owns: false,
        supervises: false,
    };
    const OWNER: ActorRelation = ActorRelation {
        manages: false,
        owns: true,
        supervises: false,
    };
    const SUPERVISOR: ActorRelation = ActorRelation {
        manages: false,
        owns: false,
        supervises: true,
    };

    fn full() -> FiveDeterminations<'static> {
        FiveDeterminations {
            responsible_unit: Some(1),
            responsible_person: Some(2),
            measures: "更换热水器",
            deadline: NaiveDate::from_ymd_opt(2026, 12, 31),
            acceptance_standard: "全天供应热水",
        }
    }

    #[test]
    fn the_whole_road_by_the_right_people() {
        let f = full();
        let mut s = Proposed;
        for (action, who) in [
            (Approve, ADMIN),
            (Start, OWNER),
            (Complete, OWNER),
            (Accept, SUPERVISOR),
            (Close, ADMIN),
        ] {
            s = transition(s, action, who, &f, "").unwrap();
        }
        assert_eq!(s, Closed);
    }

    #[test]
    fn approval_needs_all_five() {
        let mut f = full();
        f.measures = "  ";
        f.deadline = None;
        assert_eq!(
            transition(Proposed, Approve, ADMIN, &f, ""),
            Err(Refusal::Incomplete(vec![
                Determination::Measures,
                Determination::Deadline
            ]))
        );
    }

    #[test]
    fn refusals_say_why() {
        let f = full();
        assert_eq!(
            transition(Proposed, Approve, OWNER, &f, ""),
            Err(Refusal::NotYours {
                action: Approve,
                owner: StepOwner::UnitAdmin
            })
        );
        assert_eq!(
            transition(Proposed, Complete, ADMIN, &f, ""),
            Err(Refusal::WrongState {
                action: Complete,
                from: Proposed
            })
        );
        assert_eq!(
            transition(InProgress, Suspend, ADMIN, &f, " "),
            Err(Refusal::ReasonRequired(Suspend))
        );
        assert_eq!(
            transition(Completed, Accept, OWNER, &f, ""),
            Err(Refusal::NotYours {
                action: Accept,
                owner: StepOwner::Supervisor
            })
        );
        // Nothing leaves a closed or cancelled matter.
        for a in MatterAction::ALL {
            assert!(transition(Closed, a, ADMIN, &f, "r").is_err());
            assert!(transition(Cancelled, a, ADMIN, &f, "r").is_err());
        }
    }

    #[test]
    fn buttons_follow_the_rules() {
        assert_eq!(available_actions(InProgress, OWNER), vec![Complete]);
        assert_eq!(
            available_actions(Completed, SUPERVISOR),
            vec![Accept, Return]
        );
        assert_eq!(available_actions(Suspended, ADMIN), vec![Resume, Cancel]);
    }

    #[test]
    fn overdue_and_at_risk() {
        let cal = WorkCalendar::builtin();
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(); // a Friday
        let policy = RiskPolicy::default();
        let yesterday = NaiveDate::from_ymd_opt(2026, 11, 19);
        assert!(is_overdue(InProgress, yesterday, today));
        assert!(!is_overdue(Completed, yesterday, today));
        assert!(!is_overdue(InProgress, Some(today), today));
        // Five working days from Friday 11-20 is Friday 11-27.
        let near = NaiveDate::from_ymd_opt(2026, 11, 27);
        let far = NaiveDate::from_ymd_opt(2026, 11, 30);
        assert!(is_at_risk(InProgress, near, 50, today, &cal, policy));
        assert!(!is_at_risk(InProgress, near, 90, today, &cal, policy));
        assert!(!is_at_risk(InProgress, far, 10, today, &cal, policy));
        assert!(
            !is_at_risk(InProgress, yesterday, 10, today, &cal, policy),
            "overdue, not at risk"
        );
    }

    #[test]
    fn work_sent_back_is_never_done() {
        assert_eq!(progress_when_sent_back(&[100, 80, 40]), 80);
        assert_eq!(progress_when_sent_back(&[60, 100]), 60);
        assert_eq!(progress_when_sent_back(&[100]), 0);
        assert_eq!(progress_when_sent_back(&[]), 0);
        assert!(MatterAction::Reopen.sends_work_back());
        assert!(MatterAction::Return.sends_work_back());
        assert!(!MatterAction::Complete.sends_work_back());
        assert!(is_reopened(MatterStatus::InProgress, 1));
        assert!(!is_reopened(MatterStatus::InProgress, 0));
        assert!(!is_reopened(MatterStatus::Accepted, 1));
    }
}
