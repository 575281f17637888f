//! Reports (报表): the statistics table of any unit for any period, computed from the ledger
//! and rolled up the tree; the narrative a unit admin writes; submission (上报) as a frozen
//! snapshot, each resubmission a new version; who has not submitted yet, and reminders.

mod compute;
pub(crate) use compute::unit_tree;
mod export;
mod pack;
mod sweep;
pub(crate) use sweep::grace_days;

pub use export::Workbook;
pub use pack::{PACK_LIMIT, ReviewPack};

use std::collections::BTreeMap;

use serde::Serialize;
use shishi_core::Role;
use shishi_report::kinds::{DuePolicy, ReportKind};
use shishi_report::period::Period;
use shishi_report::table::StatsTable;
use shishi_store::AnyConnection;
use shishi_store::reports::{self as store, NewReport, ReportVersion};
use shishi_store::units::{self, UnitRow};
use shishi_store::{audit, calendar};

use crate::notify::Event;
use crate::validate::Check;
use crate::{Actor, FieldError, ServiceError, ServiceResult, Services};

pub const DUE_POLICY_KEY: &str = "reports.due";

/// What a unit wrote, by the field keys of its report kind.
pub type Narrative = BTreeMap<String, String>;

const NARRATIVE_MAX: usize = 4000;

#[derive(Debug, Clone, Serialize)]
pub struct ReportPage {
    pub kind: ReportKind,
    pub unit: UnitRow,
    pub period: Period,
    /// The figures now, from the ledger.
    pub table: StatsTable,
    /// The draft, else the latest submission's narrative, else empty.
    pub narrative: Narrative,
    /// Newest first.
    pub versions: Vec<ReportVersion>,
    pub due_at: i64,
    /// Due and not submitted in time (or not at all yet).
    pub late: bool,
    pub can_submit: bool,
    /// The units one level down that are expected to report, and how they stand.
    pub children: Vec<ChildStatus>,
    /// Whether the actor may remind the units below (the level above them).
    pub can_remind: bool,
    /// The quarterly review pack, for quarterly reports.
    pub pack: Option<ReviewPack>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChildStatus {
    pub unit_id: i64,
    pub name: String,
    pub latest: Option<ReportVersion>,
    /// Past the due time without a submission, or submitted after it (迟报).
    pub late: bool,
}

/// A frozen submission as it was made.
#[derive(Debug, Clone, Serialize)]
pub struct SubmittedReport {
    pub id: i64,
    pub kind: ReportKind,
    pub unit_id: i64,
    pub period: Period,
    pub version: i64,
    pub submitted_by: Option<String>,
    pub submitted_at: i64,
    pub table: StatsTable,
    pub narrative: Narrative,
}

impl Services {
    /// Read from the database each time (one row): every server sees a change at once.
    pub async fn due_policy(&self) -> ServiceResult<DuePolicy> {
        let mut conn = self.store.read().await?;
        Ok(calendar::setting(&mut conn, DUE_POLICY_KEY)
            .await?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    pub async fn set_due_policy(&self, actor: &Actor, policy: DuePolicy) -> ServiceResult<()> {
        Self::require_root_admin(actor)?;
        let problems = policy.problems();
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(
                problems
                    .into_iter()
                    .map(|f| FieldError::new(f, "error.choice"))
                    .collect(),
            ));
        }
        let json =
            serde_json::to_string(&policy).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut tx = self.store.write().await?;
        calendar::set_setting(&mut tx, DUE_POLICY_KEY, &json).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "report_due_policy_set",
            "settings",
            None,
            &serde_json::to_value(policy).unwrap_or_default(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A unit the actor may read reports of; out of scope is "not found".
    async fn readable_unit(
        conn: &mut AnyConnection,
        actor: &Actor,
        unit_id: i64,
    ) -> ServiceResult<UnitRow> {
        let unit = units::get(conn, unit_id).await?;
        if !actor.reads(&unit.path) {
            return Err(ServiceError::NotFound);
        }
        Ok(unit)
    }

    /// The statistics table of a unit's subtree for a period, from the ledger now.
    pub async fn stats_table(
        &self,
        actor: &Actor,
        unit_id: i64,
        period: Period,
    ) -> ServiceResult<StatsTable> {
        let mut conn = self.store.read().await?;
        let unit = Self::readable_unit(&mut conn, actor, unit_id).await?;
        self.compute_table(&mut conn, &unit, period).await
    }

    pub async fn report_page(
        &self,
        actor: &Actor,
        kind: ReportKind,
        unit_id: i64,
        period: Period,
    ) -> ServiceResult<ReportPage> {
        check_period(kind, period)?;
        let mut conn = self.store.read().await?;
        let unit = Self::readable_unit(&mut conn, actor, unit_id).await?;
        let table = self.compute_table(&mut conn, &unit, period).await?;
        let p = period.to_string();
        let versions = store::versions(&mut conn, kind.code(), &p, &[unit.id]).await?;
        // Submitting saves the draft too, so the draft is always the latest narrative.
        let narrative = store::draft(&mut conn, kind.code(), unit.id, &p)
            .await?
            .map(|d| parse_narrative(&d))
            .unwrap_or_default();
        let due_at = self.due_policy().await?.due_ms(period);
        let now = self.clock.now_ms();
        let is_late = |v: Option<&ReportVersion>| match v {
            Some(v) => v.submitted_at > due_at,
            None => now > due_at,
        };
        // The first version decides lateness: resubmitting a correction is not 迟报.
        let first = versions.last();
        let late = is_late(first);
        let child_rows: Vec<(i64, String)> = table
            .children_of(unit.id)
            .map(|r| (r.unit_id, r.name.clone()))
            .collect();
        let expected: Vec<i64> = store::reporting_units(&mut conn, Some(unit.id))
            .await?
            .into_iter()
            .map(|(id, _, _)| id)
            .collect();
        let theirs = store::versions(&mut conn, kind.code(), &p, &expected).await?;
        let children = child_rows
            .into_iter()
            .filter(|(id, _)| expected.contains(id))
            .map(|(unit_id, name)| {
                let mut own = theirs.iter().filter(|v| v.unit_id == unit_id);
                let latest = own.next().cloned();
                let first = own.next_back().or(latest.as_ref());
                ChildStatus {
                    late: is_late(first),
                    unit_id,
                    name,
                    latest,
                }
            })
            .collect();
        let pack = match kind {
            ReportKind::Quarterly => Some(self.review_pack(actor, &unit, period).await?),
            _ => None,
        };
        Ok(ReportPage {
            pack,
            kind,
            can_submit: actor.manages(&unit.path) && period.first_day() <= self.clock.today(),
            can_remind: actor.manages(&unit.path),
            unit,
            period,
            table,
            narrative,
            versions,
            due_at,
            late,
            children,
        })
    }

    /// Keeps the narrative without submitting it.
    pub async fn save_report_draft(
        &self,
        actor: &Actor,
        kind: ReportKind,
        unit_id: i64,
        period: Period,
        narrative: &Narrative,
    ) -> ServiceResult<()> {
        check_period(kind, period)?;
        let narrative = clean_narrative(kind, narrative, false)?;
        let unit = self.managed_unit(actor, unit_id).await?;
        let json =
            serde_json::to_string(&narrative).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut tx = self.store.write().await?;
        store::save_draft(
            &mut tx,
            kind.code(),
            unit.id,
            &period.to_string(),
            &json,
            Some(actor.id()),
            self.clock.now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Submits (上报): freezes the figures of this moment with the narrative as a new version,
    /// and tells the admins of the level above.
    pub async fn submit_report(
        &self,
        actor: &Actor,
        kind: ReportKind,
        unit_id: i64,
        period: Period,
        narrative: &Narrative,
    ) -> ServiceResult<ReportVersion> {
        self.submit_report_notifying(actor, kind, unit_id, period, narrative)
            .await
            .map(|(row, _)| row)
    }

    /// As `submit_report`, also telling how many people of the level above were notified:
    /// none at the top unit, or where the level above has no admin.
    pub async fn submit_report_notifying(
        &self,
        actor: &Actor,
        kind: ReportKind,
        unit_id: i64,
        period: Period,
        narrative: &Narrative,
    ) -> ServiceResult<(ReportVersion, usize)> {
        check_period(kind, period)?;
        let narrative = clean_narrative(kind, narrative, true)?;
        let unit = self.managed_unit(actor, unit_id).await?;
        if period.first_day() > self.clock.today() {
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "period",
                "error.period_future",
            )]));
        }
        let narrative_json =
            serde_json::to_string(&narrative).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let now = self.clock.now_ms();
        let p = period.to_string();
        let mut tx = self.store.write().await?;
        // Read inside the write transaction: the snapshot is the ledger at this commit.
        let table = self.compute_table(&mut tx, &unit, period).await?;
        let figures =
            serde_json::to_string(&table).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let (id, version) = store::insert(
            &mut tx,
            &NewReport {
                kind: kind.code(),
                unit_id: unit.id,
                period: &p,
                figures: &figures,
                narrative: &narrative_json,
                submitted_by: Some(actor.id()),
                now,
            },
        )
        .await?;
        store::save_draft(
            &mut tx,
            kind.code(),
            unit.id,
            &p,
            &narrative_json,
            Some(actor.id()),
            now,
        )
        .await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "report_submitted",
            "unit",
            Some(unit.id),
            &serde_json::json!({ "report_id": id, "kind": kind.code(), "period": p, "version": version }),
        )
        .await?;
        let mut notified = 0;
        if let Some(parent) = unit.parent_id {
            let parent = units::get(&mut tx, parent).await?;
            let people = crate::driving::admins_of(&mut tx, &parent.path).await?;
            notified = people.len();
            self.emit(
                &mut tx,
                &Event {
                    kind: "report_submitted",
                    subject_type: "report",
                    subject_id: unit.id,
                    unit_path: &unit.path,
                    params: report_params(kind, &unit.name, period),
                    key: format!("report_submitted:{id}"),
                },
                &people,
                now,
            )
            .await?;
        }
        let row = store::versions(&mut tx, kind.code(), &p, &[unit.id])
            .await?
            .into_iter()
            .find(|v| v.id == id)
            .ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        Ok((row, notified))
    }

    /// A submission exactly as frozen.
    pub async fn submitted_report(&self, actor: &Actor, id: i64) -> ServiceResult<SubmittedReport> {
        let mut conn = self.store.read().await?;
        let row = store::get(&mut conn, id).await?;
        let unit = units::get(&mut conn, row.unit_id).await?;
        if !actor.reads(&unit.path) {
            return Err(ServiceError::NotFound);
        }
        let bad = |what: &str| ServiceError::Internal(format!("report {id}: unreadable {what}"));
        Ok(SubmittedReport {
            id: row.id,
            kind: ReportKind::from_code(&row.kind).ok_or_else(|| bad("kind"))?,
            unit_id: row.unit_id,
            period: row.period.parse().map_err(|_| bad("period"))?,
            version: row.version,
            submitted_by: row.submitter_name,
            submitted_at: row.submitted_at,
            table: serde_json::from_str(&row.figures).map_err(|_| bad("figures"))?,
            narrative: parse_narrative(&row.narrative),
        })
    }

    /// Reminds (催报) the admins of a unit below the actor's that has not submitted yet; once a
    /// day per unit and report.
    pub async fn remind_report(
        &self,
        actor: &Actor,
        kind: ReportKind,
        unit_id: i64,
        period: Period,
    ) -> ServiceResult<bool> {
        check_period(kind, period)?;
        let now = self.clock.now_ms();
        let p = period.to_string();
        let mut tx = self.store.write().await?;
        let unit = units::get(&mut tx, unit_id).await?;
        if !actor.reads(&unit.path) {
            return Err(ServiceError::NotFound);
        }
        let parent_path = crate::driving::parent_path(&unit.path);
        if unit.parent_id.is_none() || !actor.manages(&parent_path) {
            return Err(ServiceError::Forbidden("error.not_level_above".into()));
        }
        if !store::versions(&mut tx, kind.code(), &p, &[unit.id])
            .await?
            .is_empty()
        {
            return Err(ServiceError::Conflict(
                "error.report_already_submitted".into(),
            ));
        }
        let people =
            shishi_store::users::holders_over(&mut tx, Role::UnitAdmin.code(), &[unit.id]).await?;
        let today = self.clock.today();
        let key = format!("report_remind:{}:{p}:{}:{today}", kind.code(), unit.id);
        let fresh = shishi_store::outbox::first_announcement(&mut tx, &key, now).await?;
        if fresh {
            // emit() would stop at the announcement just taken; take it here to know.
            self.emit_announced(
                &mut tx,
                &Event {
                    kind: "report_remind",
                    subject_type: "report",
                    subject_id: unit.id,
                    unit_path: &unit.path,
                    params: report_params(kind, &unit.name, period),
                    key,
                },
                &people,
                now,
            )
            .await?;
            audit::append(
                &mut tx,
                Some(actor.id()),
                "report_reminded",
                "unit",
                Some(unit.id),
                &serde_json::json!({ "kind": kind.code(), "period": p }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(fresh)
    }

    async fn managed_unit(&self, actor: &Actor, unit_id: i64) -> ServiceResult<UnitRow> {
        let mut conn = self.store.read().await?;
        let unit = Self::readable_unit(&mut conn, actor, unit_id).await?;
        if !actor.manages(&unit.path) {
            return Err(ServiceError::Forbidden("error.not_unit_admin".into()));
        }
        Ok(unit)
    }
}

pub(crate) fn report_params(
    kind: ReportKind,
    unit_name: &str,
    period: Period,
) -> serde_json::Value {
    serde_json::json!({
        "title": unit_name,
        "report": kind.code(),
        "period": period.to_string(),
        "period_zh": period.label("zh-CN"),
        "period_en": period.label("en"),
    })
}

fn check_period(kind: ReportKind, period: Period) -> ServiceResult<()> {
    if period.kind() != kind.period_kind() {
        return Err(ServiceError::Invalid(vec![FieldError::new(
            "period",
            "error.period",
        )]));
    }
    Ok(())
}

fn parse_narrative(json: &str) -> Narrative {
    serde_json::from_str(json).unwrap_or_default()
}

/// Keeps the kind's fields only, trimmed; on submission the first field is required.
fn clean_narrative(
    kind: ReportKind,
    given: &Narrative,
    submitting: bool,
) -> ServiceResult<Narrative> {
    let mut check = Check::new();
    let mut out = Narrative::new();
    for (i, field) in kind.narrative_fields().iter().enumerate() {
        let value = given.get(*field).map(String::as_str).unwrap_or("");
        let v = if i == 0 && submitting {
            check.required(field, value, NARRATIVE_MAX)
        } else {
            check.optional(field, value, NARRATIVE_MAX)
        };
        out.insert((*field).to_string(), v);
    }
    check.finish()?;
    Ok(out)
}
