//! The requesters' verdicts (评价): asked when a matter is accepted or a demand answered,
//! given online (by account or tracking code) or through a clerk's callback visit (回访).
//! 不满意 reopens the work or escalates it, by setting, and is counted as rework. Pages show
//! verdicts without identities.

use serde::{Deserialize, Serialize};
use shishi_core::driving::{DissatisfiedAction, OrderLevel, Verdict, Via, evaluation_due};
use shishi_core::matter::{MatterAction, MatterStatus};
use shishi_store::demands::{self as demand_store, DemandRow};
use shishi_store::evaluations::{self as store, Ask, EvaluationRow};
use shishi_store::matters::{self as matter_store, MatterRow};
use shishi_store::{AnyConnection, audit};

use crate::matters::status_of;
use crate::notify::Event;
use crate::validate::Check;
use crate::{Actor, ServiceError, ServiceResult, Services};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CallbackInput {
    pub verdict: String,
    #[serde(default)]
    pub comment: String,
    /// `phone` or `in_person`.
    pub via: String,
    /// When the requester was reached, `YYYY-MM-DDTHH:MM` Beijing time; now when empty.
    #[serde(default)]
    pub contacted_at: String,
    /// Who was reached, as the clerk notes it; kept, never shown on the matter.
    #[serde(default)]
    pub contact_name: String,
}

/// A matter's or demand's verdicts, without identities.
/// One verdict's comment, without its author.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct VerdictComment {
    /// satisfied, basically or dissatisfied.
    pub verdict: String,
    pub comment: String,
    /// online, phone, visit or in_person: how it was given.
    pub via: String,
    /// The rework round it judged; 0 for the first.
    pub round: i64,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct VerdictSummary {
    pub satisfied: i64,
    pub basically: i64,
    pub dissatisfied: i64,
    /// Asked and not answered yet (this round).
    pub waiting: i64,
    pub lapsed: i64,
    /// Each verdict that came with a comment, oldest first; never who gave it.
    pub comments: Vec<VerdictComment>,
    /// The last day to judge the current round, if one is open.
    pub due_on: Option<String>,
}

impl Services {
    /// Asks every requester of the demands a matter answers, for its current round.
    pub(crate) async fn ask_for_verdicts(
        &self,
        tx: &mut AnyConnection,
        m: &MatterRow,
        now: i64,
    ) -> ServiceResult<()> {
        let mut people = Vec::new();
        for demand_id in store::demands_of_matter(tx, m.id).await? {
            let d = demand_store::get(tx, demand_id).await?;
            people.extend(
                self.ask_requesters(tx, "matter", m.id, m.rework_count, &d, now)
                    .await?,
            );
        }
        let key = format!("rate_requested:matter:{}:r{}", m.id, m.rework_count);
        self.announce_rating(
            "matter",
            m.id,
            &m.title,
            &m.unit_path,
            key,
            tx,
            &people,
            now,
        )
        .await
    }

    /// Asks the submitter and co-signers of an answered demand.
    pub(crate) async fn ask_demand_verdicts(
        &self,
        tx: &mut AnyConnection,
        d: &DemandRow,
        now: i64,
    ) -> ServiceResult<()> {
        let round = store::demand_round(tx, d.id).await?;
        let people = self
            .ask_requesters(tx, "demand", d.id, round, d, now)
            .await?;
        let key = format!("rate_requested:demand:{}:r{round}", d.id);
        self.announce_rating(
            "demand",
            d.id,
            &d.title,
            &d.unit_path,
            key,
            tx,
            &people,
            now,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn announce_rating(
        &self,
        subject_type: &'static str,
        subject_id: i64,
        title: &str,
        unit_path: &str,
        key: String,
        tx: &mut AnyConnection,
        people: &[i64],
        now: i64,
    ) -> ServiceResult<()> {
        self.emit(
            tx,
            &Event {
                kind: "rate_requested",
                subject_type,
                subject_id,
                unit_path,
                params: serde_json::json!({ "title": title }),
                key,
            },
            people,
            now,
        )
        .await
    }

    /// Asks one demand's submitter and co-signers about a subject; returns the people with
    /// an account who were newly asked.
    async fn ask_requesters(
        &self,
        tx: &mut AnyConnection,
        subject_type: &'static str,
        subject_id: i64,
        round: i64,
        d: &DemandRow,
        now: i64,
    ) -> ServiceResult<Vec<i64>> {
        let due = evaluation_due(
            &self.calendar(),
            self.clock.today(),
            self.driving_policy().evaluation_window_days,
        )
        .to_string();
        let mut keys: Vec<(String, Option<i64>)> = vec![match d.submitter_id {
            Some(u) => (format!("u{u}"), Some(u)),
            // No account: the tracking-code holder, or a clerk's callback.
            None => (format!("d{}", d.id), None),
        }];
        for u in demand_store::cosigners(tx, d.id).await? {
            keys.push((format!("u{u}"), Some(u)));
        }
        let mut asked_people = Vec::new();
        for (key, user) in keys {
            let fresh = store::ask(
                tx,
                &Ask {
                    subject_type,
                    subject_id,
                    round,
                    demand_id: d.id,
                    unit_path: &d.unit_path,
                    requester_key: &key,
                    user_id: user,
                    due_on: &due,
                    now,
                },
            )
            .await?;
            if let (Some(_), Some(u)) = (fresh, user) {
                asked_people.push(u);
            }
        }
        Ok(asked_people)
    }

    /// A verdict given online by the person asked.
    pub async fn rate(
        &self,
        actor: &Actor,
        evaluation_id: i64,
        verdict: &str,
        comment: &str,
    ) -> ServiceResult<EvaluationRow> {
        let mut conn = self.store.read().await?;
        if store::get(&mut conn, evaluation_id).await?.user_id != Some(actor.id()) {
            return Err(ServiceError::NotFound);
        }
        drop(conn);
        let (verdict, comment) = check_verdict(verdict, comment)?;
        let mut tx = self.store.write().await?;
        let e = store::get(&mut tx, evaluation_id).await?;
        self.record_verdict(
            &mut tx,
            &e,
            verdict,
            &comment,
            Via::Online,
            None,
            "",
            None,
            Some(actor.id()),
        )
        .await?;
        let row = store::get(&mut tx, evaluation_id).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// A verdict given on the tracking page of an anonymous demand, by whoever holds the code.
    pub async fn rate_by_code(
        &self,
        code: &str,
        evaluation_id: i64,
        verdict: &str,
        comment: &str,
    ) -> ServiceResult<EvaluationRow> {
        let (verdict, comment) = check_verdict(verdict, comment)?;
        let mut tx = self.store.write().await?;
        let d = demand_store::by_tracking_code(&mut tx, &code.trim().to_ascii_uppercase())
            .await?
            .ok_or(ServiceError::NotFound)?;
        let e = store::get(&mut tx, evaluation_id).await?;
        if e.requester_key != format!("d{}", d.id) {
            return Err(ServiceError::NotFound);
        }
        self.record_verdict(
            &mut tx,
            &e,
            verdict,
            &comment,
            Via::Online,
            None,
            "",
            None,
            None,
        )
        .await?;
        let row = store::get(&mut tx, evaluation_id).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// A callback visit (回访) a clerk records: who was reached, when, how, and the verdict.
    pub async fn record_callback(
        &self,
        actor: &Actor,
        evaluation_id: i64,
        input: &CallbackInput,
    ) -> ServiceResult<EvaluationRow> {
        let mut conn = self.store.read().await?;
        if !actor.handles_demands(&store::get(&mut conn, evaluation_id).await?.unit_path) {
            return Err(ServiceError::NotFound);
        }
        drop(conn);
        let mut check = Check::new();
        let verdict = Verdict::from_code(input.verdict.trim());
        if verdict.is_none() {
            check.push("verdict", "error.choice");
        }
        let comment = check.optional("comment", &input.comment, 2000);
        let via = Via::from_code(input.via.trim()).filter(|v| *v != Via::Online);
        if via.is_none() {
            check.push("via", "error.choice");
        }
        let contact_name = check.optional("contact_name", &input.contact_name, 100);
        let contacted_at = match input.contacted_at.trim() {
            "" => Some(self.clock.now_ms()),
            s => {
                let parsed = shishi_core::time::parse_beijing_datetime(s);
                if parsed.is_none() {
                    check.push("contacted_at", "error.datetime");
                }
                parsed
            }
        };
        if contacted_at.is_some_and(|t| t > self.clock.now_ms()) {
            check.push("contacted_at", "error.date_future");
        }
        check.finish()?;
        let (Some(verdict), Some(via)) = (verdict, via) else {
            return Err(ServiceError::Internal("checked above".into()));
        };
        let mut tx = self.store.write().await?;
        let e = store::get(&mut tx, evaluation_id).await?;
        if !actor.handles_demands(&e.unit_path) {
            return Err(ServiceError::NotFound);
        }
        self.record_verdict(
            &mut tx,
            &e,
            verdict,
            &comment,
            via,
            Some(actor.id()),
            &contact_name,
            contacted_at,
            Some(actor.id()),
        )
        .await?;
        let row = store::get(&mut tx, evaluation_id).await?;
        tx.commit().await?;
        Ok(row)
    }

    #[allow(clippy::too_many_arguments)]
    async fn record_verdict(
        &self,
        tx: &mut AnyConnection,
        e: &EvaluationRow,
        verdict: Verdict,
        comment: &str,
        via: Via,
        recorded_by: Option<i64>,
        contact_name: &str,
        contacted_at: Option<i64>,
        audit_actor: Option<i64>,
    ) -> ServiceResult<()> {
        let now = self.clock.now_ms();
        let done = store::rate(
            tx,
            e.id,
            &store::Verdict {
                verdict: verdict.code(),
                comment,
                via: via.code(),
                recorded_by,
                contact_name,
                contacted_at,
                now,
            },
        )
        .await?;
        if !done {
            return Err(ServiceError::Conflict("error.evaluation_closed".into()));
        }
        // The audit names the subject and the verdict, never the requester.
        audit::append(
            tx,
            audit_actor.filter(|_| recorded_by.is_some()),
            "verdict_recorded",
            e.subject_type.as_str(),
            Some(e.subject_id),
            &serde_json::json!({
                "evaluation_id": e.id, "verdict": verdict.code(), "via": via.code(), "round": e.round,
            }),
        )
        .await?;
        if verdict == Verdict::Dissatisfied {
            self.on_dissatisfied(tx, e, comment, now).await?;
        } else if e.subject_type == "matter"
            && store::open_count(tx, "matter", e.subject_id, e.round).await? == 0
        {
            let m = matter_store::get(tx, e.subject_id).await?;
            self.announce_ready_to_close(tx, &m, now).await?;
        }
        Ok(())
    }

    /// 不满意 never vanishes: the work is reopened (重办) or pressed by a supervision order.
    async fn on_dissatisfied(
        &self,
        tx: &mut AnyConnection,
        e: &EvaluationRow,
        comment: &str,
        now: i64,
    ) -> ServiceResult<()> {
        if e.subject_type == "demand" {
            let d = demand_store::get(tx, e.subject_id).await?;
            if store::reopen_demand(tx, d.id, now).await? {
                demand_store::insert_event(
                    tx,
                    &demand_store::NewEvent {
                        demand_id: d.id,
                        at: now,
                        actor_id: None,
                        action: "reopen",
                        from_status: "answered",
                        to_status: "accepted",
                        unit_id: d.unit_id,
                        unit_path: &d.unit_path,
                        to_unit_id: None,
                        text: comment,
                        due: &d.answer_due,
                    },
                )
                .await?;
                store::lapse(tx, "demand", d.id, e.round).await?;
                self.notify_handlers(tx, &d.unit_path, "demand_reopened", d.id, &d.title, now)
                    .await?;
            }
            return Ok(());
        }
        let m = matter_store::get(tx, e.subject_id).await?;
        if status_of(&m) != MatterStatus::Accepted || m.rework_count != e.round {
            return Ok(());
        }
        // Kept as a code and the rater's words, shown in each reader's language.
        let reason = shishi_core::reason::coded(shishi_core::reason::DISSATISFIED, comment);
        match self.driving_policy().dissatisfied {
            DissatisfiedAction::Reopen => {
                matter_store::set_status(tx, &m, MatterStatus::InProgress.code(), &reason, now)
                    .await?;
                audit::append(
                    tx,
                    None,
                    "matter_reopen",
                    "matter",
                    Some(m.id),
                    &serde_json::json!({ "from": "accepted", "to": "in_progress", "evaluation_id": e.id }),
                )
                .await?;
                self.after_step(tx, &m, MatterAction::Reopen, &reason)
                    .await?;
                if let Some(p) = m.parent_id {
                    crate::matters::roll_up(tx, p, now).await?;
                }
            }
            DissatisfiedAction::Escalate => {
                shishi_store::due::count_rework(tx, m.id).await?;
                let due = self
                    .calendar()
                    .add_working_days(self.clock.today(), self.driving_policy().order_reply_days)
                    .to_string();
                self.insert_order(
                    tx,
                    &m,
                    OrderLevel::Supervise,
                    &reason,
                    &due,
                    m.unit_id,
                    None,
                    None,
                    now,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// The verdicts on a matter or demand, for anyone who may read it; the current round is
    /// the subject's count of reworks.
    pub async fn verdict_summary(
        &self,
        actor: &Actor,
        subject_type: &str,
        subject_id: i64,
    ) -> ServiceResult<VerdictSummary> {
        let current_round = match subject_type {
            "matter" => {
                let mut conn = self.store.read().await?;
                Self::readable_matter(&mut conn, actor, subject_id)
                    .await?
                    .rework_count
            }
            "demand" => {
                self.readable_demand(actor, subject_id).await?;
                let mut conn = self.store.read().await?;
                store::demand_round(&mut conn, subject_id).await?
            }
            _ => return Err(ServiceError::NotFound),
        };
        let mut conn = self.store.read().await?;
        let rows = store::of_subject(&mut conn, subject_type, subject_id).await?;
        let mut s = VerdictSummary::default();
        for r in rows {
            match (r.state.as_str(), r.verdict.as_deref()) {
                ("rated", Some("satisfied")) => s.satisfied += 1,
                ("rated", Some("basically")) => s.basically += 1,
                ("rated", Some("dissatisfied")) => s.dissatisfied += 1,
                ("asked", _) if r.round == current_round => {
                    s.waiting += 1;
                    s.due_on = Some(r.due_on.clone());
                }
                ("lapsed", _) => s.lapsed += 1,
                _ => {}
            }
            if r.state == "rated" && !r.comment.is_empty() {
                s.comments.push(VerdictComment {
                    verdict: r.verdict.clone().unwrap_or_default(),
                    comment: r.comment.clone(),
                    via: r.via.clone().unwrap_or_default(),
                    round: r.round,
                });
            }
        }
        Ok(s)
    }

    /// The verdicts this person has been asked for and not given yet.
    pub async fn my_evaluations(&self, actor: &Actor) -> ServiceResult<Vec<EvaluationRow>> {
        let mut conn = self.store.read().await?;
        Ok(store::asked_of_user(&mut conn, actor.id()).await?)
    }

    /// The open requests of an anonymous demand's tracking-code holder.
    pub async fn evaluations_by_code(&self, code: &str) -> ServiceResult<Vec<EvaluationRow>> {
        let mut conn = self.store.read().await?;
        let d = demand_store::by_tracking_code(&mut conn, &code.trim().to_ascii_uppercase())
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(store::asked_of_code_holder(&mut conn, d.id).await?)
    }

    /// The callback list (回访) for clerks: open requests in the units they handle.
    pub async fn callback_list(&self, actor: &Actor) -> ServiceResult<Vec<EvaluationRow>> {
        let paths: Vec<String> = actor.read_roots().into_iter().map(|(_, p)| p).collect();
        let mut conn = self.store.read().await?;
        let rows = store::open_in(&mut conn, &paths, 500).await?;
        Ok(rows
            .into_iter()
            .filter(|r| actor.handles_demands(&r.unit_path))
            .collect())
    }
}

fn check_verdict(verdict: &str, comment: &str) -> ServiceResult<(Verdict, String)> {
    let mut check = Check::new();
    let v = Verdict::from_code(verdict.trim());
    if v.is_none() {
        check.push("verdict", "error.choice");
    }
    let comment = check.optional("comment", comment, 2000);
    // A dissatisfied verdict says why, so the rework knows what to fix.
    if v == Some(Verdict::Dissatisfied) && comment.is_empty() {
        check.push("comment", "error.required");
    }
    check.finish()?;
    v.map(|v| (v, comment))
        .ok_or(ServiceError::Internal("checked above".into()))
}
