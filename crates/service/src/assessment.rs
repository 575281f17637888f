//! The assessment (考核) of the units one level below a unit, for a week, month or quarter:
//! the rates, the composite score with the admin's weights, the ranking and the red and black
//! lists. Definitions in docs/figures.md ("Assessment").

use std::collections::{HashMap, HashSet};

use shishi_core::driving::OnTimeBasis;
use shishi_report::assess::{AssessCounts, AssessPolicy, Ranking, Rates, rank};
use shishi_report::period::Period;
use shishi_report::rollup::roll_up;
use shishi_store::units::{self, UnitRow};
use shishi_store::{audit, calendar, stats};

use crate::reports::Workbook;
use crate::{Actor, FieldError, ServiceError, ServiceResult, Services};

pub const ASSESS_POLICY_KEY: &str = "reports.assessment";

#[derive(Debug, Clone, serde::Serialize)]
pub struct Assessment {
    pub unit: UnitRow,
    pub period: Period,
    pub computed_at: i64,
    pub policy: AssessPolicy,
    /// The unit's whole subtree, for the line above the ranking.
    pub total: AssessCounts,
    pub total_rates: Rates,
    pub ranking: Ranking,
}

impl Services {
    pub async fn assess_policy(&self) -> ServiceResult<AssessPolicy> {
        let mut conn = self.store.read().await?;
        Ok(calendar::setting(&mut conn, ASSESS_POLICY_KEY)
            .await?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    pub async fn set_assess_policy(
        &self,
        actor: &Actor,
        policy: AssessPolicy,
    ) -> ServiceResult<()> {
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
        calendar::set_setting(&mut tx, ASSESS_POLICY_KEY, &json).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "assess_policy_set",
            "settings",
            None,
            &serde_json::to_value(policy).unwrap_or_default(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ranks the units one level below `unit_id` (the unit itself when it has none).
    pub async fn assessment(
        &self,
        actor: &Actor,
        unit_id: i64,
        period: Period,
    ) -> ServiceResult<Assessment> {
        let policy = self.assess_policy().await?;
        let mut conn = self.store.read().await?;
        let unit = units::get(&mut conn, unit_id).await?;
        if !actor.reads(&unit.path) {
            return Err(ServiceError::NotFound);
        }
        let tree = crate::reports::unit_tree(&mut conn, &unit.path).await?;
        let in_tree: HashSet<i64> = tree.iter().map(|u| u.id).collect();
        let mut own: HashMap<i64, AssessCounts> = HashMap::new();
        let (from, until) = period.bounds_ms();
        let (first, last) = (
            period.first_day().to_string(),
            period.last_day().to_string(),
        );
        for d in stats::demands_received(&mut conn, from, until).await? {
            if !in_tree.contains(&d.unit_id) {
                continue;
            }
            let c = own.entry(d.unit_id).or_default();
            c.received += 1;
            let due = d.accept_due.parse::<chrono::NaiveDate>().ok();
            if let (Some(at), Some(due)) = (d.responded_at, due)
                && shishi_core::time::beijing_date(at) <= due
            {
                c.responded_in_time += 1;
            }
            if d.status != "merged" {
                c.resolvable += 1;
                if d.status == "answered" || (d.status == "adopted" && d.matter_done == 1) {
                    c.resolved += 1;
                }
            }
        }
        for (path, verdict, n) in stats::verdicts_in(&mut conn, &unit.path, from, until).await? {
            let Some(&id) = shishi_core::unit::ancestors(&path).last() else {
                continue;
            };
            if !in_tree.contains(&id) {
                continue;
            }
            let c = own.entry(id).or_default();
            match verdict.as_str() {
                "satisfied" => c.satisfied += n,
                "basically" => c.basically += n,
                "dissatisfied" => c.dissatisfied += n,
                _ => {}
            }
        }
        let current = self.driving_policy().on_time_basis == OnTimeBasis::Current;
        for g in stats::completed_in(&mut conn, &unit.path, &first, &last).await? {
            if in_tree.contains(&g.key) {
                let c = own.entry(g.key).or_default();
                c.completed += g.completed;
                c.on_time += if current {
                    g.on_time_current
                } else {
                    g.on_time_original
                };
            }
        }
        for (id, n) in stats::reworked_in(&mut conn, &first, &last).await? {
            if in_tree.contains(&id) {
                own.entry(id).or_default().reworked += n;
            }
        }
        let rows = roll_up(unit.id, &tree, &own);
        let total = rows.first().map(|r| r.subtree).unwrap_or_default();
        let mut assessed: Vec<(i64, String, AssessCounts)> = rows
            .iter()
            .filter(|r| r.parent_id == Some(unit.id))
            .map(|r| (r.unit_id, r.name.clone(), r.subtree))
            .collect();
        if assessed.is_empty() {
            assessed.push((unit.id, unit.name.clone(), total));
        }
        Ok(Assessment {
            computed_at: self.clock.now_ms(),
            ranking: rank(assessed, &policy),
            total_rates: total.rates(),
            total,
            policy,
            unit,
            period,
        })
    }

    /// The ranking as a workbook with a native chart of the scores.
    pub async fn assessment_workbook(
        &self,
        actor: &Actor,
        unit_id: i64,
        period: Period,
        lang: &str,
    ) -> ServiceResult<Workbook> {
        let a = self.assessment(actor, unit_id, period).await?;
        let lang = lang.to_string();
        tokio::task::spawn_blocking(move || {
            let sheet =
                shishi_report::export::ranking_sheet(&a.unit.name, a.period, &a.ranking, &lang);
            let bytes = shishi_report::xlsx::write_workbook(&[sheet])
                .map_err(|e| ServiceError::Internal(format!("writing the ranking: {e}")))?;
            Ok(Workbook {
                filename: format!(
                    "{}-{}-{}.xlsx",
                    a.unit.name,
                    shishi_report::export::word("assessment", &lang),
                    a.period
                ),
                bytes,
            })
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("ranking task: {e}")))?
    }
}
