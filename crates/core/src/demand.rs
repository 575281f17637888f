//! The demand (诉求) lifecycle and channels: every demand gets an answer (事事有回音).
//!
//! submitted 待受理 → accepted 已受理 → answered 已答复 | adopted 已纳入清单 | merged 已合并 |
//! declined 不予受理. A transfer (转办) hands the demand to another unit's inbox, where it is
//! submitted again and the receiving unit may send it back (退回).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DemandStatus {
    Submitted,
    Accepted,
    Answered,
    Adopted,
    Merged,
    Declined,
}

impl DemandStatus {
    pub const ALL: [DemandStatus; 6] = [
        DemandStatus::Submitted,
        DemandStatus::Accepted,
        DemandStatus::Answered,
        DemandStatus::Adopted,
        DemandStatus::Merged,
        DemandStatus::Declined,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DemandStatus::Submitted => "submitted",
            DemandStatus::Accepted => "accepted",
            DemandStatus::Answered => "answered",
            DemandStatus::Adopted => "adopted",
            DemandStatus::Merged => "merged",
            DemandStatus::Declined => "declined",
        }
    }

    pub fn from_code(code: &str) -> Option<DemandStatus> {
        DemandStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Still waiting for its answer: it sits in an inbox and its clock runs.
    pub fn is_open(self) -> bool {
        matches!(self, DemandStatus::Submitted | DemandStatus::Accepted)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DemandAction {
    Accept,
    Answer,
    Adopt,
    Merge,
    Decline,
    Transfer,
    SendBack,
}

impl DemandAction {
    pub const ALL: [DemandAction; 7] = [
        DemandAction::Accept,
        DemandAction::Answer,
        DemandAction::Adopt,
        DemandAction::Merge,
        DemandAction::Decline,
        DemandAction::Transfer,
        DemandAction::SendBack,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DemandAction::Accept => "accept",
            DemandAction::Answer => "answer",
            DemandAction::Adopt => "adopt",
            DemandAction::Merge => "merge",
            DemandAction::Decline => "decline",
            DemandAction::Transfer => "transfer",
            DemandAction::SendBack => "send_back",
        }
    }

    pub fn from_code(code: &str) -> Option<DemandAction> {
        DemandAction::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The status the action leads to.
    pub fn target(self) -> DemandStatus {
        match self {
            DemandAction::Accept => DemandStatus::Accepted,
            DemandAction::Answer => DemandStatus::Answered,
            DemandAction::Adopt => DemandStatus::Adopted,
            DemandAction::Merge => DemandStatus::Merged,
            DemandAction::Decline => DemandStatus::Declined,
            // A transferred or returned demand waits again, in the other inbox.
            DemandAction::Transfer | DemandAction::SendBack => DemandStatus::Submitted,
        }
    }

    /// Words the submitter or the other unit must read.
    pub fn needs_text(self) -> bool {
        matches!(
            self,
            DemandAction::Answer
                | DemandAction::Decline
                | DemandAction::Transfer
                | DemandAction::SendBack
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DemandRefusal {
    #[error("{action:?} is not possible from {from:?}")]
    WrongState {
        action: DemandAction,
        from: DemandStatus,
    },
    #[error("{0:?} needs a text")]
    TextRequired(DemandAction),
    #[error("only a transferred demand can be sent back")]
    NotTransferred,
}

/// Checks one step on a demand. `transferred` says whether the demand arrived by transfer and
/// has not been dealt with since (only then can it be sent back).
pub fn step(
    from: DemandStatus,
    action: DemandAction,
    transferred: bool,
    text: &str,
) -> Result<DemandStatus, DemandRefusal> {
    let allowed = match action {
        DemandAction::Accept => from == DemandStatus::Submitted,
        DemandAction::SendBack => from == DemandStatus::Submitted,
        _ => from.is_open(),
    };
    if !allowed {
        return Err(DemandRefusal::WrongState { action, from });
    }
    if action == DemandAction::SendBack && !transferred {
        return Err(DemandRefusal::NotTransferred);
    }
    if action.needs_text() && text.trim().is_empty() {
        return Err(DemandRefusal::TextRequired(action));
    }
    Ok(action.target())
}

/// How a demand reached us; each channel has fields of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Online,
    Mobile,
    Mailbox,
    Hotline,
    SuggestionBox,
    Questionnaire,
    Symposium,
    Visit,
    Api,
}

impl Channel {
    pub const ALL: [Channel; 9] = [
        Channel::Online,
        Channel::Mobile,
        Channel::Mailbox,
        Channel::Hotline,
        Channel::SuggestionBox,
        Channel::Questionnaire,
        Channel::Symposium,
        Channel::Visit,
        Channel::Api,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Mobile => "mobile",
            Channel::Mailbox => "mailbox",
            Channel::Hotline => "hotline",
            Channel::SuggestionBox => "suggestion_box",
            Channel::Questionnaire => "questionnaire",
            Channel::Symposium => "symposium",
            Channel::Visit => "visit",
            Channel::Api => "api",
        }
    }

    pub fn from_code(code: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The channel's own fields, as `(name, required)`; dates are `YYYY-MM-DD`.
    pub fn fields(self) -> &'static [(&'static str, bool)] {
        match self {
            Channel::Online | Channel::Mobile | Channel::Api => &[],
            Channel::Hotline => &[("caller_number", true), ("called_at", true)],
            Channel::Mailbox => &[("letter_date", true)],
            Channel::SuggestionBox => &[("box", true), ("opened_on", true)],
            Channel::Questionnaire => &[("questionnaire", true)],
            Channel::Symposium | Channel::Visit => &[
                ("held_on", true),
                ("place", true),
                ("leader", true),
                ("attendees", false),
            ],
        }
    }

    /// Channels an intake clerk records by hand (the rest arrive by form or API).
    pub fn is_offline(self) -> bool {
        !matches!(self, Channel::Online | Channel::Mobile | Channel::Api)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DemandAction::*;
    use DemandStatus::*;

    #[test]
    fn every_demand_ends_with_an_answer_of_some_kind() {
        assert_eq!(step(Submitted, Accept, false, ""), Ok(Accepted));
        for a in [Answer, Adopt, Merge, Decline] {
            assert!(
                step(Accepted, a, false, "说明").is_ok(),
                "{a:?} from accepted"
            );
            assert!(
                step(Submitted, a, false, "说明").is_ok(),
                "{a:?} straight from the inbox"
            );
        }
        for closed in [Answered, Adopted, Merged, Declined] {
            for a in DemandAction::ALL {
                assert!(
                    step(closed, a, true, "x").is_err(),
                    "{a:?} after {closed:?}"
                );
            }
        }
    }

    #[test]
    fn answers_declines_and_transfers_need_words() {
        assert_eq!(
            step(Accepted, Decline, false, " "),
            Err(DemandRefusal::TextRequired(Decline))
        );
        assert_eq!(
            step(Accepted, Answer, false, ""),
            Err(DemandRefusal::TextRequired(Answer))
        );
        assert_eq!(step(Submitted, Transfer, false, "属于后勤"), Ok(Submitted));
    }

    #[test]
    fn only_a_transferred_demand_goes_back() {
        assert_eq!(
            step(Submitted, SendBack, false, "不属本单位"),
            Err(DemandRefusal::NotTransferred)
        );
        assert_eq!(step(Submitted, SendBack, true, "不属本单位"), Ok(Submitted));
        assert!(
            step(Accepted, SendBack, true, "x").is_err(),
            "once accepted it is ours"
        );
    }

    #[test]
    fn channel_fields() {
        assert!(
            Channel::Hotline
                .fields()
                .iter()
                .any(|(f, req)| *f == "caller_number" && *req)
        );
        assert!(Channel::Symposium.is_offline());
        assert!(!Channel::Api.is_offline());
        for c in Channel::ALL {
            assert_eq!(Channel::from_code(c.code()), Some(c));
        }
    }
}
