//! Completion and acceptance: a completion is claimed with evidence against the acceptance
//! standard; the supervisor accepts it (and the requesters are asked for their verdict) or
//! returns it; a matter is closed (销号) once the verdicts are in or their window is over.

use shishi_core::driving::may_close;
use shishi_core::matter::MatterAction;
use shishi_store::matters::{self as store, MatterRow};
use shishi_store::{AnyConnection, due, evaluations};

use super::{admins_of, matter_params, supervisors_of};
use crate::files::Upload;
use crate::notify::Event;
use crate::validate::Check;
use crate::{Actor, ServiceError, ServiceResult, Services};

impl Services {
    /// Reports the work done: a 100 % progress entry with its evidence, then the completion
    /// step, in one transaction.
    pub async fn claim_completion(
        &self,
        actor: &Actor,
        matter_id: i64,
        narrative: &str,
        uploads: Vec<Upload>,
    ) -> ServiceResult<MatterRow> {
        self.readable(actor, matter_id).await?;
        let mut check = Check::new();
        let narrative = check.required("narrative", narrative, 4000);
        check.finish()?;
        let files = crate::files::check_uploads("files", uploads)?;
        let mut tx = self.store.write().await?;
        let m = Self::readable_matter(&mut tx, actor, matter_id).await?;
        if files.is_empty() && !store::has_files(&mut tx, matter_id).await? {
            return Err(ServiceError::field("files", "error.evidence_required"));
        }
        self.progress_in(&mut tx, actor, &m, 100, &narrative, &files)
            .await?;
        let fresh = store::get(&mut tx, matter_id).await?;
        self.step_in(&mut tx, actor, &fresh, MatterAction::Complete, "")
            .await?;
        let row = store::get(&mut tx, matter_id).await?;
        tx.commit().await?;
        self.reindex_matter(&row);
        Ok(row)
    }

    /// The rules of a step that need the database: evidence before completion, the verdicts
    /// (or their window) before closing.
    pub(crate) async fn check_step(
        &self,
        tx: &mut AnyConnection,
        m: &MatterRow,
        action: MatterAction,
    ) -> ServiceResult<()> {
        match action {
            MatterAction::Complete if !store::has_files(tx, m.id).await? => {
                return Err(ServiceError::Conflict("error.evidence_required".into()));
            }
            MatterAction::Close => {
                // Any round: an escalated 不满意 counts rework without reopening the round.
                let open = evaluations::open_count_all(tx, "matter", m.id).await?;
                let due = m
                    .accepted_on
                    .as_deref()
                    .and_then(|d| d.parse().ok())
                    .map(|d| {
                        shishi_core::driving::evaluation_due(
                            &self.calendar(),
                            d,
                            self.driving_policy().evaluation_window_days,
                        )
                    });
                if !may_close(open, due, self.clock.today()) {
                    return Err(ServiceError::Conflict("error.evaluation_open".into()));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// What a step sets in motion: dates and counters, verdicts asked, people told.
    pub(crate) async fn after_step(
        &self,
        tx: &mut AnyConnection,
        m: &MatterRow,
        action: MatterAction,
        reason: &str,
    ) -> ServiceResult<()> {
        let now = self.clock.now_ms();
        let today = self.today_text();
        // Every way finished work goes back (a supervisor's step, 不满意 reopening it) passes
        // here, so the figure completion forced to 100 is taken back in one place.
        if action.sends_work_back() {
            let posted: Vec<i64> = store::progress_of(tx, m.id)
                .await?
                .iter()
                .map(|p| p.percent)
                .collect();
            let percent = shishi_core::matter::progress_when_sent_back(&posted);
            store::set_progress(tx, m.id, percent, now).await?;
        }
        let mut params = matter_params(m);
        params["reason"] = reason.into();
        let (kind, people): (&'static str, Vec<i64>) = match action {
            MatterAction::Approve => ("matter_assigned", m.owner_id.into_iter().collect()),
            MatterAction::Complete => {
                due::note_completed(tx, m.id, &today).await?;
                ("completion_claimed", supervisors_of(tx, m).await?)
            }
            MatterAction::Accept => {
                due::note_accepted(tx, m.id, &today).await?;
                self.ask_for_verdicts(tx, m, now).await?;
                ("matter_accepted", m.owner_id.into_iter().collect())
            }
            MatterAction::Return => {
                due::count_return(tx, m.id).await?;
                ("matter_returned", m.owner_id.into_iter().collect())
            }
            MatterAction::Reopen => {
                due::count_rework(tx, m.id).await?;
                evaluations::lapse(tx, "matter", m.id, m.rework_count).await?;
                let mut people: Vec<i64> = m.owner_id.into_iter().collect();
                people.extend(supervisors_of(tx, m).await?);
                ("matter_reopened", people)
            }
            MatterAction::Close => {
                evaluations::lapse(tx, "matter", m.id, m.rework_count).await?;
                return Ok(());
            }
            _ => return Ok(()),
        };
        // Each step of a matter is its own occurrence: the version the step started from.
        let key = format!("{kind}:{}:v{}", m.id, m.version);
        self.emit(
            tx,
            &Event {
                kind,
                subject_type: "matter",
                subject_id: m.id,
                unit_path: &m.unit_path,
                params,
                key,
            },
            &people,
            now,
        )
        .await?;
        Ok(())
    }

    /// Tells the unit admins that a matter's verdicts are in or their window is over.
    pub(crate) async fn announce_ready_to_close(
        &self,
        tx: &mut AnyConnection,
        m: &MatterRow,
        now: i64,
    ) -> ServiceResult<()> {
        let admins = admins_of(tx, &m.unit_path).await?;
        self.emit(
            tx,
            &Event {
                kind: "ready_to_close",
                subject_type: "matter",
                subject_id: m.id,
                unit_path: &m.unit_path,
                params: matter_params(m),
                key: format!("ready_to_close:{}:r{}", m.id, m.rework_count),
            },
            &admins,
            now,
        )
        .await
    }
}
