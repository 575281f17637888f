//! Demands (诉求): submission from every channel, the unit inbox and its steps, following one's
//! own demands, and the response figures. The submitter of an anonymous demand is known to the
//! submitter alone; handlers see a demand without any trace of who raised it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rand::Rng;
use serde::{Deserialize, Serialize};
use shishi_core::Role;
use shishi_core::demand::{self, Channel, DemandAction, DemandStatus};
use shishi_store::demands::{
    self as store, DemandEventRow, DemandFileMeta, DemandRow, InboxQuery, ListEntry,
};
use shishi_store::{audit, units};

use crate::files::{Upload, check_uploads};
use crate::paging::Paging;
use crate::validate::Check;
use crate::{Actor, FieldError, ServiceError, ServiceResult, Services};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DemandInput {
    pub title: String,
    #[serde(default)]
    pub body: String,
    pub unit_id: i64,
    #[serde(default)]
    pub category_id: Option<i64>,
    /// Phone or e-mail for a callback; shown to handlers only for named demands.
    #[serde(default)]
    pub contact: String,
    /// A signed-in submitter may hide their name from everyone who handles the demand.
    #[serde(default)]
    pub anonymous: bool,
    /// The channel's own fields (see `Channel::fields`), e.g. `caller_number`, `called_at`.
    #[serde(default)]
    pub channel_details: BTreeMap<String, String>,
}

/// What the submitter gets back.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Submitted {
    pub id: i64,
    /// For anonymous demands: the private code to follow it (`/track/{code}`).
    pub tracking_code: Option<String>,
    /// True when this was a repeat of an earlier request with the same idempotency key.
    pub repeated: bool,
}

/// A demand as a handler sees it: no submitter for anonymous demands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DemandView {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub category_id: Option<i64>,
    pub channel: String,
    pub channel_details: BTreeMap<String, String>,
    pub anonymous: bool,
    /// Name of the submitter; none when anonymous or entered without one.
    pub submitter_name: Option<String>,
    pub contact: Option<String>,
    pub status: String,
    pub answer: String,
    pub decline_reason_id: Option<i64>,
    pub merged_into: Option<i64>,
    pub matter_id: Option<i64>,
    pub transferred_from: Option<i64>,
    pub accept_due: String,
    pub answer_due: String,
    /// The limits (and the age) were counted across a year whose holidays are still
    /// provisional: they may move when a system admin confirms it.
    pub dues_provisional: bool,
    /// Working days since it arrived.
    pub age_working_days: i64,
    /// Past the limit to accept (still waiting) or to answer (still open).
    pub late_to_accept: bool,
    pub late_to_answer: bool,
    pub cosigners: i64,
    pub created_at: i64,
    /// For a demand adopted into a matter: how that matter stands (filled where the demand is
    /// followed or handled one at a time, not in inbox lists).
    pub matter: Option<LinkedMatter>,
}

/// The matter a demand was adopted into, as whoever follows the demand may see it: how far it
/// is, by when, whether it was accepted. Never who handles it, so an anonymous tracker learns
/// nothing of the people.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LinkedMatter {
    pub id: i64,
    pub status: String,
    pub progress: i64,
    pub deadline: Option<String>,
    pub completed_on: Option<String>,
    pub accepted_on: Option<String>,
    /// Accepted work reopened for rework and not finished again (已重新打开).
    pub reopened: bool,
}

impl LinkedMatter {
    pub fn of(m: &shishi_store::matters::MatterRow) -> LinkedMatter {
        let reopened = shishi_core::matter::MatterStatus::from_code(&m.status)
            .is_some_and(|s| shishi_core::matter::is_reopened(s, m.rework_count));
        LinkedMatter {
            id: m.id,
            status: m.status.clone(),
            progress: m.progress.clamp(0, 100),
            deadline: m.deadline.clone(),
            completed_on: m.completed_on.clone(),
            accepted_on: m.accepted_on.clone(),
            reopened,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DemandDetail {
    pub demand: DemandView,
    pub events: Vec<DemandEventRow>,
    pub files: Vec<DemandFileMeta>,
    /// Steps the actor may take now.
    pub actions: Vec<DemandAction>,
    /// The actor raised or co-signed it.
    pub following: bool,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxFilter {
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub status: Vec<String>,
    pub channel: Option<String>,
    pub category_id: Option<i64>,
    pub q: Option<String>,
    /// `YYYY-MM-DD`, Beijing dates, inclusive.
    pub from: Option<String>,
    pub until: Option<String>,
    /// From 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InboxPage {
    pub items: Vec<DemandView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// One step from the inbox; which fields count depends on the action.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StepInput {
    pub action: String,
    /// The answer, the decline's explanation, the reason to transfer or send back.
    #[serde(default)]
    pub text: String,
    pub decline_reason_id: Option<i64>,
    pub to_unit_id: Option<i64>,
    pub merge_into: Option<i64>,
    pub matter_id: Option<i64>,
}

/// The response figures of a subtree over a period, from the demand events.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ResponseFigures {
    pub received: i64,
    pub accepted: i64,
    pub accepted_on_time: i64,
    pub answered: i64,
    pub adopted: i64,
    pub merged: i64,
    pub declined: i64,
    pub transferred: i64,
    pub sent_back: i64,
    /// Median working days from arrival to acceptance / to the final answer.
    pub median_days_to_accept: Option<f64>,
    pub median_days_to_answer: Option<f64>,
}

/// An open demand that looks like one being written.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SimilarDemand {
    pub id: i64,
    pub title: String,
    pub unit_name: String,
    pub status: String,
    pub cosigners: i64,
    /// Estimated Jaccard similarity of the character bigrams, 0–1.
    pub similarity: f64,
}

/// What reads like a text being typed, as much as the caller may see.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Similar {
    /// Open demands to co-sign (signed-in callers).
    pub demands: Vec<SimilarDemand>,
    /// Practical matters already on the list (signed-in callers).
    pub matters: Vec<crate::matter_similarity::SimilarMatter>,
    /// For a caller who has not signed in: the ids of similar open demands, to co-sign after
    /// signing in. Nothing else about them is said.
    pub ids_only: Vec<i64>,
}

/// A demand whose fields passed the checks, ready to write.
struct Prepared {
    title: String,
    body: String,
    contact: String,
    category_id: Option<i64>,
    details: String,
    accept_due: String,
    answer_due: String,
    anonymous: bool,
    submitter: Option<i64>,
    recorded_by: Option<i64>,
    unit: units::UnitRow,
    signature: shishi_text::Signature,
}

/// A tracking code: 12 characters without look-alikes (0/O, 1/I/L), easy to read out on a phone.
pub fn new_tracking_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut rng = rand::thread_rng();
    (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

fn status_of(d: &DemandRow) -> DemandStatus {
    DemandStatus::from_code(&d.status).unwrap_or(DemandStatus::Submitted)
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

mod adopt;
pub use adopt::REFER;
mod figures;
mod inbox;
mod similar;
mod submit;

pub use submit::MAX_IDEMPOTENCY_KEY_CHARS;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_codes_are_readable_and_distinct() {
        let a = new_tracking_code();
        let b = new_tracking_code();
        assert_eq!(a.len(), 12);
        assert_ne!(a, b);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        );
        assert!(!a.contains('0') && !a.contains('O') && !a.contains('1') && !a.contains('I'));
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
