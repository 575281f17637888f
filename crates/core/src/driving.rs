//! Driving matters to done: supervision orders (督办单) and their levels, the requester's
//! verdict (评价), and the settings that decide who approves extensions, what counts as on
//! time and what a dissatisfied verdict does.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::WorkCalendar;

macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.code() == code)
            }
        }
    };
}

coded_enum!(
    /// How hard a supervision order presses: 提醒 → 督办 → 挂牌督办.
    OrderLevel { Remind => "remind", Supervise => "supervise", Listed => "listed" }
);

impl OrderLevel {
    /// The level an unanswered order escalates to; listed supervision stays listed and
    /// climbs the tree instead.
    pub fn next(self) -> OrderLevel {
        match self {
            OrderLevel::Remind => OrderLevel::Supervise,
            OrderLevel::Supervise | OrderLevel::Listed => OrderLevel::Listed,
        }
    }
}

coded_enum!(
    /// open 待回复 → replied 已回复 → closed 已办结; an unanswered order becomes escalated
    /// 已升级 when the next one replaces it.
    OrderState { Open => "open", Replied => "replied", Escalated => "escalated", Closed => "closed" }
);

coded_enum!(
    /// 满意 / 基本满意 / 不满意.
    Verdict { Satisfied => "satisfied", Basically => "basically", Dissatisfied => "dissatisfied" }
);

impl Verdict {
    /// Counted as satisfied in 满意率 = (满意 + 基本满意) / evaluated.
    pub fn counts_satisfied(self) -> bool {
        !matches!(self, Verdict::Dissatisfied)
    }
}

coded_enum!(
    /// How a verdict reached us: the requester online, or a clerk's callback visit (回访).
    Via { Online => "online", Phone => "phone", InPerson => "in_person" }
);

coded_enum!(
    /// Who approves a deadline extension.
    ExtensionApprover { UnitAdmin => "unit_admin", LevelAbove => "level_above" }
);

coded_enum!(
    /// Whether a completion is on time against the original or the current deadline.
    OnTimeBasis { Original => "original", Current => "current" }
);

coded_enum!(
    /// What a 不满意 verdict does to the work: reopen it (重办) or escalate it as a
    /// supervision order.
    DissatisfiedAction { Reopen => "reopen", Escalate => "escalate" }
);

/// The settings of this part, edited by the system admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DrivingPolicy {
    /// Warn the responsible person this many working days before a deadline.
    pub deadline_warning_days: u32,
    /// Remind when open work has had no progress entry for this many working days.
    pub stale_progress_days: u32,
    /// Working days to answer a supervision order (also for an escalated one).
    pub order_reply_days: u32,
    pub extension_approver: ExtensionApprover,
    pub on_time_basis: OnTimeBasis,
    /// Working days the requesters have to give their verdict before the matter may be closed.
    pub evaluation_window_days: u32,
    pub dissatisfied: DissatisfiedAction,
}

impl Default for DrivingPolicy {
    fn default() -> Self {
        DrivingPolicy {
            deadline_warning_days: 3,
            stale_progress_days: 10,
            order_reply_days: 3,
            extension_approver: ExtensionApprover::UnitAdmin,
            on_time_basis: OnTimeBasis::Original,
            evaluation_window_days: 5,
            dissatisfied: DissatisfiedAction::Reopen,
        }
    }
}

impl DrivingPolicy {
    /// The limits that keep the sweeps sensible; each error names its field.
    pub fn problems(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (field, v) in [
            ("deadline_warning_days", self.deadline_warning_days),
            ("stale_progress_days", self.stale_progress_days),
            ("order_reply_days", self.order_reply_days),
            ("evaluation_window_days", self.evaluation_window_days),
        ] {
            if !(1..=60).contains(&v) {
                out.push(field);
            }
        }
        out
    }
}

/// Whether a completion was on time: the completion date against the deadline the policy
/// names (the original one, when there is one and the policy says so).
pub fn completed_on_time(
    completed_on: NaiveDate,
    current: Option<NaiveDate>,
    original: Option<NaiveDate>,
    basis: OnTimeBasis,
) -> Option<bool> {
    let deadline = match basis {
        OnTimeBasis::Original => original.or(current),
        OnTimeBasis::Current => current,
    }?;
    Some(completed_on <= deadline)
}

/// The last day the requesters may judge a result accepted or answered on `from`.
pub fn evaluation_due(cal: &WorkCalendar, from: NaiveDate, window_days: u32) -> NaiveDate {
    cal.add_working_days(from, window_days)
}

/// A matter may be closed (销号) once every requester has judged it, or the window is over.
pub fn may_close(open_requests: i64, due_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    open_requests == 0 || due_on.is_some_and(|d| today > d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn codes_round_trip_and_levels_climb() {
        for l in OrderLevel::ALL {
            assert_eq!(OrderLevel::from_code(l.code()), Some(*l));
        }
        assert_eq!(OrderLevel::Remind.next(), OrderLevel::Supervise);
        assert_eq!(OrderLevel::Supervise.next(), OrderLevel::Listed);
        assert_eq!(OrderLevel::Listed.next(), OrderLevel::Listed);
        assert_eq!(Verdict::from_code("basically"), Some(Verdict::Basically));
        assert!(Verdict::Basically.counts_satisfied());
        assert!(!Verdict::Dissatisfied.counts_satisfied());
        assert_eq!(Via::from_code("nope"), None);
    }

    #[test]
    fn on_time_follows_the_basis() {
        let original = Some(d("2026-06-30"));
        let current = Some(d("2026-09-30"));
        let done = d("2026-08-01");
        assert_eq!(
            completed_on_time(done, current, original, OnTimeBasis::Original),
            Some(false)
        );
        assert_eq!(
            completed_on_time(done, current, original, OnTimeBasis::Current),
            Some(true)
        );
        // Never extended: the original is the current one.
        assert_eq!(
            completed_on_time(done, current, None, OnTimeBasis::Original),
            Some(true)
        );
        assert_eq!(
            completed_on_time(done, None, None, OnTimeBasis::Current),
            None
        );
    }

    #[test]
    fn closing_waits_for_verdicts_or_the_window() {
        let cal = WorkCalendar::builtin();
        // Accepted Friday 2026-11-20; five working days later is Friday 11-27.
        let due = evaluation_due(&cal, d("2026-11-20"), 5);
        assert_eq!(due, d("2026-11-27"));
        assert!(!may_close(2, Some(due), d("2026-11-27")));
        assert!(may_close(2, Some(due), d("2026-11-28")));
        assert!(may_close(0, Some(due), d("2026-11-21")));
        assert!(!may_close(1, None, d("2030-01-01")));
    }

    #[test]
    fn policy_limits_name_their_field() {
        let mut p = DrivingPolicy::default();
        assert!(p.problems().is_empty());
        p.order_reply_days = 0;
        p.evaluation_window_days = 99;
        assert_eq!(
            p.problems(),
            vec!["order_reply_days", "evaluation_window_days"]
        );
    }
}
