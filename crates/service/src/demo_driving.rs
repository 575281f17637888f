//! The demo's supervision, extensions, acceptance and verdicts, added once the matters and
//! demands exist: open and escalated orders, an extension waiting for approval, matters
//! waiting for acceptance, verdicts of every kind, and a matter reopened after 不满意.

use shishi_core::driving::OrderLevel;
use shishi_core::matter::MatterAction;
use shishi_store::evaluations;
use shishi_store::matters::{self as store, MatterRow};

use super::demo_demands::Org;
use crate::driving::{CallbackInput, ExtensionDecision, OrderInput, ReplyInput};
use crate::files::Upload;
use crate::{Actor, ServiceError, ServiceResult, Services};

impl Services {
    pub(super) async fn load_demo_driving(&self, org: &Org<'_>) -> ServiceResult<()> {
        let supervisor = org.actor("supervisor")?;
        let mut rows: Vec<MatterRow> = Vec::new();
        {
            let mut conn = self.store.read().await?;
            let mut ids: Vec<i64> = org.matters.values().map(|(id, _)| *id).collect();
            ids.sort_unstable();
            for id in ids {
                rows.push(store::get(&mut conn, id).await?);
            }
        }
        let owner_of = |m: &MatterRow| -> ServiceResult<&Actor> {
            org.actors
                .values()
                .find(|a| Some(a.id()) == m.owner_id)
                .ok_or_else(|| ServiceError::Internal(format!("demo: no owner for {}", m.title)))
        };
        let in_progress: Vec<&MatterRow> = rows
            .iter()
            .filter(|m| m.status == "in_progress" && m.parent_id.is_none())
            .collect();
        let pick = |i: usize| -> ServiceResult<&MatterRow> {
            in_progress
                .get(i)
                .copied()
                .ok_or_else(|| ServiceError::Internal("demo: too few matters in progress".into()))
        };

        // Supervision orders: one waiting for its reply, one answered, one listed.
        let orders: [(usize, OrderLevel, &str); 3] = [
            (0, OrderLevel::Remind, "请本周内报送最新进展和下一步安排"),
            (
                1,
                OrderLevel::Supervise,
                "进度明显滞后，请说明原因并提出赶工措施",
            ),
            (
                2,
                OrderLevel::Listed,
                "列入集团挂牌督办，请主要负责人亲自推动，每周报告进展",
            ),
        ];
        for (i, level, requirement) in orders {
            let m = pick(i)?;
            let order = self
                .issue_order(
                    supervisor,
                    m.id,
                    &OrderInput {
                        level: level.code().into(),
                        requirement: requirement.into(),
                        reply_due: None,
                    },
                )
                .await?;
            if i == 1 {
                self.reply_order(
                    owner_of(m)?,
                    order.row.id,
                    ReplyInput {
                        reply: "已召开专题会，增加一个施工班组，计划两周内追回进度。".into(),
                        percent: Some((m.progress + 15).min(95)),
                        uploads: vec![],
                    },
                )
                .await?;
            }
        }
        // An order whose reply date passed unanswered: the sweep escalates it to the unit above.
        {
            let m = pick(3)?;
            let past = self.calendar().sub_working_days(self.clock.today(), 2);
            let now = self.clock.now_ms();
            let mut tx = self.store.write().await?;
            self.insert_order(
                &mut tx,
                m,
                OrderLevel::Remind,
                "请于两个工作日内回复办理进度",
                &past.to_string(),
                m.unit_id,
                Some(supervisor.id()),
                None,
                now,
            )
            .await?;
            tx.commit().await?;
            self.sweep_orders().await?;
        }

        // Extensions: one approved, one waiting for the unit admin.
        for (i, approve) in [(4, true), (5, false)] {
            let m = pick(i)?;
            let deadline = m
                .deadline
                .as_deref()
                .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
                .ok_or_else(|| ServiceError::Internal("demo: matter without deadline".into()))?;
            let later = self.calendar().add_working_days(deadline, 15);
            let req = self
                .request_extension(
                    owner_of(m)?,
                    m.id,
                    &later.to_string(),
                    "设备供货周期延长，厂家确认下月中旬到货，申请顺延完成时限。",
                )
                .await?;
            if approve {
                self.decide_extension(
                    org.admin(org.unit_of(m))?,
                    req.id,
                    &ExtensionDecision {
                        approve: true,
                        note: "同意顺延，请按新时限倒排工期。".into(),
                    },
                )
                .await?;
            }
        }

        // Acceptance and verdicts on matters that answer demands: completed ones, or, failing
        // those, matters in progress (past the ones pressed above) completed here.
        let mut candidates: Vec<&MatterRow> = Vec::new();
        for m in rows
            .iter()
            .filter(|m| m.status == "completed")
            .chain(in_progress.iter().skip(6).copied())
        {
            let mut conn = self.store.read().await?;
            if !evaluations::demands_of_matter(&mut conn, m.id)
                .await?
                .is_empty()
            {
                candidates.push(m);
            }
        }
        let verdicts: [&[(&str, &str)]; 3] = [
            &[
                ("satisfied", "问题解决得很及时，感谢！"),
                ("basically", "基本满意，希望后续保持。"),
            ],
            &[("satisfied", "")],
            &[("dissatisfied", "只解决了一部分，夜班时段仍然没有改善。")],
        ];
        for (m, verdicts) in candidates.into_iter().zip(verdicts) {
            if m.status == "in_progress" {
                self.claim_completion(
                    owner_of(m)?,
                    m.id,
                    "已按验收标准完成，现场照片附后。",
                    vec![Upload {
                        filename: "完工照片.pdf".into(),
                        data: b"%PDF-1.4\n%shishi demo evidence\n%%EOF\n".to_vec(),
                    }],
                )
                .await?;
            }
            self.transition(supervisor, m.id, MatterAction::Accept, "")
                .await?;
            self.demo_verdicts(org, m.id, verdicts).await?;
        }

        // Answered demands: their requesters judge the answers.
        let asked: Vec<_> = {
            let mut conn = self.store.read().await?;
            let mut rows = Vec::new();
            for a in org.actors.values() {
                rows.extend(evaluations::asked_of_user(&mut conn, a.id()).await?);
            }
            rows.into_iter()
                .filter(|e| e.subject_type == "demand")
                .collect()
        };
        for (e, (verdict, comment)) in asked
            .iter()
            .zip([("satisfied", "答复清楚，谢谢。"), ("basically", "")])
        {
            if let Some(person) = org.actors.values().find(|a| Some(a.id()) == e.user_id) {
                self.rate(person, e.id, verdict, comment).await?;
            }
        }
        Ok(())
    }

    /// Gives the verdicts of a matter's requesters in turn: online where the requester has
    /// an account, otherwise by a clerk's callback.
    async fn demo_verdicts(
        &self,
        org: &Org<'_>,
        matter_id: i64,
        verdicts: &[(&str, &str)],
    ) -> ServiceResult<()> {
        let asked = {
            let mut conn = self.store.read().await?;
            evaluations::of_subject(&mut conn, "matter", matter_id).await?
        };
        for (e, (verdict, comment)) in asked.iter().filter(|e| e.state == "asked").zip(verdicts) {
            match e
                .user_id
                .and_then(|u| org.actors.values().find(|a| a.id() == u))
            {
                Some(person) => {
                    self.rate(person, e.id, verdict, comment).await?;
                }
                None => {
                    let clerk = org.clerk_for_path(&e.unit_path)?;
                    self.record_callback(
                        clerk,
                        e.id,
                        &CallbackInput {
                            verdict: verdict.to_string(),
                            comment: comment.to_string(),
                            via: "phone".into(),
                            contacted_at: String::new(),
                            contact_name: "来电职工".into(),
                        },
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }
}
