//! The lifecycle stepper: where a matter or a demand stands on its way and what comes next,
//! derived from the status rules of [`crate::matter`] and [`crate::demand`], so that no page
//! keeps a list of steps of its own that could drift from what the rules allow.

use serde::Serialize;

use crate::demand::{self, DemandAction, DemandStatus};
use crate::matter::{MatterAction, MatterStatus, StepOwner};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Done,
    /// Passed over: a demand answered straight from the inbox was never accepted.
    Skipped,
    Current,
    Todo,
}

impl StepState {
    pub fn code(self) -> &'static str {
        match self {
            StepState::Done => "done",
            StepState::Skipped => "skipped",
            StepState::Current => "current",
            StepState::Todo => "todo",
        }
    }
}

/// One step on the way, by status code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step<S> {
    pub status: S,
    pub state: StepState,
    /// Off the main line (暂缓, 撤销): the matter stands beside its way.
    pub side: bool,
}

/// The action that moves a matter on along its main line from `status`: the one step from it
/// that needs no reason (suspending, returning, cancelling and reopening all need one).
pub fn matter_forward(status: MatterStatus) -> Option<MatterAction> {
    MatterAction::ALL
        .into_iter()
        .find(|a| !a.needs_reason() && a.sources().contains(&status))
}

/// The main line from the first status: 拟办 → 立项 → 推进中 → 已完成 → 已验收 → 已销号.
pub fn matter_main_line() -> Vec<MatterStatus> {
    // The first status is the one no step leads to.
    let first = MatterStatus::ALL
        .into_iter()
        .find(|s| MatterAction::ALL.iter().all(|a| a.target() != *s));
    let mut line = Vec::new();
    let mut at = first;
    while let Some(s) = at {
        if line.contains(&s) {
            break;
        }
        line.push(s);
        at = matter_forward(s).map(MatterAction::target);
    }
    line
}

/// The steps of a matter in `status` and the next step with who owns it (none at the end).
pub fn matter_steps(
    status: MatterStatus,
) -> (Vec<Step<MatterStatus>>, Option<(MatterAction, StepOwner)>) {
    let line = matter_main_line();
    let next = matter_forward(status).map(|a| (a, a.owner()));
    let mark = |line: &[MatterStatus], at: usize| -> Vec<Step<MatterStatus>> {
        line.iter()
            .enumerate()
            .map(|(i, s)| Step {
                status: *s,
                state: match i.cmp(&at) {
                    std::cmp::Ordering::Less => StepState::Done,
                    std::cmp::Ordering::Equal => StepState::Current,
                    std::cmp::Ordering::Greater => StepState::Todo,
                },
                side: false,
            })
            .collect()
    };
    if let Some(at) = line.iter().position(|s| *s == status) {
        return (mark(&line, at), next);
    }
    // Beside the line: a status the matter comes back from (暂缓 → 推进中) stands just before
    // the step it resumes at; one it never leaves (撤销) ends the way after the first step.
    let at = match next {
        Some((a, _)) => line
            .iter()
            .position(|s| *s == a.target())
            .unwrap_or(line.len()),
        None => 1.min(line.len()),
    };
    let mut with_side: Vec<MatterStatus> = line[..at].to_vec();
    with_side.push(status);
    if next.is_some() {
        with_side.extend_from_slice(&line[at..]);
    }
    let mut steps = mark(&with_side, at);
    steps[at].side = true;
    (steps, next)
}

/// Where a demand stands: 待受理 → 已受理 → its outcome. `accepted_before` says whether a
/// closed demand passed through 已受理 (it may be answered straight from the inbox).
pub fn demand_steps(status: DemandStatus, accepted_before: bool) -> Vec<Step<DemandStatus>> {
    let first = DemandStatus::Submitted;
    let accepted = DemandAction::Accept.target();
    let step = |s, state| Step {
        status: s,
        state,
        side: false,
    };
    let mut out = vec![step(
        first,
        if status == first {
            StepState::Current
        } else {
            StepState::Done
        },
    )];
    out.push(step(
        accepted,
        match status {
            s if s == first => StepState::Todo,
            s if s == accepted => StepState::Current,
            _ if accepted_before => StepState::Done,
            _ => StepState::Skipped,
        },
    ));
    if !status.is_open() {
        out.push(step(status, StepState::Current));
    }
    out
}

/// The outcomes an open demand may still come to (答复, 纳入清单, 合并, 不予受理).
pub fn demand_outcomes() -> Vec<DemandStatus> {
    let mut out: Vec<DemandStatus> = Vec::new();
    for a in DemandAction::ALL {
        if let Ok(t) = demand::step(DemandStatus::Accepted, a, true, "x")
            && !t.is_open()
            && !out.contains(&t)
        {
            out.push(t);
        }
    }
    out
}

/// The steps the inbox may take next on a demand in `status`: accept it first, then answer it
/// one way or another or hand it on; none once it is closed.
pub fn demand_next(status: DemandStatus) -> Vec<DemandAction> {
    if status == DemandStatus::Submitted {
        return vec![DemandAction::Accept];
    }
    DemandAction::ALL
        .into_iter()
        .filter(|a| demand::step(status, *a, false, "x").is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use MatterStatus::*;

    fn states<S: Copy>(steps: &[Step<S>]) -> Vec<(S, &'static str)> {
        steps.iter().map(|s| (s.status, s.state.code())).collect()
    }

    #[test]
    fn the_main_line_follows_the_rules() {
        assert_eq!(
            matter_main_line(),
            vec![Proposed, Approved, InProgress, Completed, Accepted, Closed]
        );
    }

    #[test]
    fn each_status_has_its_next_step_and_owner() {
        use MatterAction as A;
        let next = |s| matter_steps(s).1;
        assert_eq!(next(Proposed), Some((A::Approve, StepOwner::UnitAdmin)));
        assert_eq!(
            next(Approved),
            Some((A::Start, StepOwner::HandlerOrUnitAdmin))
        );
        assert_eq!(
            next(InProgress),
            Some((A::Complete, StepOwner::HandlerOrUnitAdmin))
        );
        assert_eq!(next(Completed), Some((A::Accept, StepOwner::Supervisor)));
        assert_eq!(next(Accepted), Some((A::Close, StepOwner::UnitAdmin)));
        assert_eq!(next(Closed), None);
        assert_eq!(next(Cancelled), None);
        assert_eq!(next(Suspended), Some((A::Resume, StepOwner::UnitAdmin)));
    }

    #[test]
    fn the_current_step_is_where_the_matter_is() {
        let (steps, _) = matter_steps(Completed);
        assert_eq!(
            states(&steps),
            vec![
                (Proposed, "done"),
                (Approved, "done"),
                (InProgress, "done"),
                (Completed, "current"),
                (Accepted, "todo"),
                (Closed, "todo"),
            ]
        );
        // Returned or reopened work is back in progress, not where it had got to.
        let (steps, _) = matter_steps(InProgress);
        assert_eq!(steps[2].state, StepState::Current);
        assert_eq!(steps[3].state, StepState::Todo);
    }

    #[test]
    fn suspended_and_cancelled_stand_beside_the_line() {
        let (steps, _) = matter_steps(Suspended);
        assert_eq!(
            states(&steps),
            vec![
                (Proposed, "done"),
                (Approved, "done"),
                (Suspended, "current"),
                (InProgress, "todo"),
                (Completed, "todo"),
                (Accepted, "todo"),
                (Closed, "todo"),
            ]
        );
        assert!(steps[2].side);
        let (steps, _) = matter_steps(Cancelled);
        assert_eq!(
            states(&steps),
            vec![(Proposed, "done"), (Cancelled, "current")]
        );
        assert!(steps[1].side);
    }

    #[test]
    fn demands_go_to_an_outcome() {
        use DemandStatus as D;
        assert_eq!(
            states(&demand_steps(D::Submitted, false)),
            vec![(D::Submitted, "current"), (D::Accepted, "todo")]
        );
        assert_eq!(
            states(&demand_steps(D::Accepted, true)),
            vec![(D::Submitted, "done"), (D::Accepted, "current")]
        );
        assert_eq!(
            states(&demand_steps(D::Answered, false)),
            vec![
                (D::Submitted, "done"),
                (D::Accepted, "skipped"),
                (D::Answered, "current")
            ]
        );
        assert_eq!(
            states(&demand_steps(D::Adopted, true))[1],
            (D::Accepted, "done")
        );
        assert_eq!(
            demand_outcomes(),
            vec![D::Answered, D::Adopted, D::Merged, D::Declined]
        );
        assert_eq!(demand_next(D::Submitted), vec![DemandAction::Accept]);
        let after = demand_next(D::Accepted);
        assert!(after.contains(&DemandAction::Answer));
        assert!(after.contains(&DemandAction::Transfer));
        assert!(!after.contains(&DemandAction::Accept));
        assert!(demand_next(D::Declined).is_empty());
    }
}
