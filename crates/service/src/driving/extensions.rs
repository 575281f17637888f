//! Deadline extensions (延期): the handler asks with a reason, the unit admin (or the level
//! above, by setting) approves or refuses. The original deadline stays on the matter.

use serde::Deserialize;
use shishi_core::driving::ExtensionApprover;
use shishi_store::audit;
use shishi_store::matters::MatterRow;
use shishi_store::orders::{self as store, ExtensionRow, NewExtension};

use super::{admins_of, matter_params, parent_path};
use crate::matters::{relation, status_of};
use crate::notify::Event;
use crate::validate::Check;
use crate::{Actor, ServiceError, ServiceResult, Services};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ExtensionDecision {
    pub approve: bool,
    /// Required when refusing.
    #[serde(default)]
    pub note: String,
}

impl Services {
    /// The path whose admins decide extensions on this matter.
    fn approver_path(&self, unit_path: &str) -> String {
        match self.driving_policy().extension_approver {
            ExtensionApprover::UnitAdmin => unit_path.to_string(),
            ExtensionApprover::LevelAbove => parent_path(unit_path),
        }
    }

    /// Whether the actor may decide this matter's extension requests.
    pub fn approves_extensions(&self, actor: &Actor, m: &MatterRow) -> bool {
        actor.manages(&self.approver_path(&m.unit_path))
    }

    pub async fn request_extension(
        &self,
        actor: &Actor,
        matter_id: i64,
        proposed: &str,
        reason: &str,
    ) -> ServiceResult<ExtensionRow> {
        self.readable(actor, matter_id).await?;
        let mut check = Check::new();
        let date = check.date("proposed_deadline", Some(proposed));
        if proposed.trim().is_empty() {
            check.push("proposed_deadline", "error.required");
        }
        let reason = check.required("reason", reason, 2000);
        check.finish()?;
        let now = self.clock.now_ms();
        let mut tx = self.store.write().await?;
        let m = Self::readable_matter(&mut tx, actor, matter_id).await?;
        let rel = relation(actor, &m);
        if !(rel.owns || rel.manages) {
            return Err(ServiceError::Forbidden("error.not_owner".into()));
        }
        if !status_of(&m).is_open_work() {
            return Err(ServiceError::Conflict(
                "error.extension_needs_open_work".into(),
            ));
        }
        let Some(current) = m.deadline.clone() else {
            return Err(ServiceError::Conflict("error.no_deadline".into()));
        };
        let date = date.ok_or(ServiceError::Internal("date checked".into()))?;
        if date.to_string() <= current {
            return Err(ServiceError::field(
                "proposed_deadline",
                "error.date_not_later",
            ));
        }
        if store::extensions_of(&mut tx, matter_id)
            .await?
            .iter()
            .any(|e| e.state == "pending")
        {
            return Err(ServiceError::Conflict("error.extension_pending".into()));
        }
        let id = store::insert_extension(
            &mut tx,
            &NewExtension {
                matter_id,
                requested_by: actor.id(),
                current_deadline: &current,
                proposed_deadline: &date.to_string(),
                reason: &reason,
                now,
            },
        )
        .await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "extension_requested",
            "matter",
            Some(matter_id),
            &serde_json::json!({ "request_id": id, "from": current, "to": date.to_string(), "reason": reason }),
        )
        .await?;
        let approvers = admins_of(&mut tx, &self.approver_path(&m.unit_path)).await?;
        let mut params = matter_params(&m);
        params["proposed"] = date.to_string().into();
        params["reason"] = reason.clone().into();
        self.emit(
            &mut tx,
            &Event {
                kind: "extension_requested",
                subject_type: "matter",
                subject_id: matter_id,
                unit_path: &m.unit_path,
                params,
                key: format!("extension_requested:{id}"),
            },
            &approvers,
            now,
        )
        .await?;
        let row = store::extension(&mut tx, id).await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn decide_extension(
        &self,
        actor: &Actor,
        request_id: i64,
        d: &ExtensionDecision,
    ) -> ServiceResult<ExtensionRow> {
        let mut conn = self.store.read().await?;
        let matter_id = store::extension(&mut conn, request_id).await?.matter_id;
        drop(conn);
        self.readable(actor, matter_id).await?;
        let mut check = Check::new();
        let note = if d.approve {
            check.optional("note", &d.note, 2000)
        } else {
            check.required("note", &d.note, 2000)
        };
        check.finish()?;
        let now = self.clock.now_ms();
        let mut tx = self.store.write().await?;
        let req = store::extension(&mut tx, request_id).await?;
        let m = Self::readable_matter(&mut tx, actor, req.matter_id).await?;
        if !self.approves_extensions(actor, &m) {
            return Err(ServiceError::Forbidden("error.not_approver".into()));
        }
        // Nobody approves their own request, except the system admin at the top.
        if req.requested_by == actor.id() && !actor.is_root_admin() {
            return Err(ServiceError::Forbidden("error.own_request".into()));
        }
        let state = if d.approve { "approved" } else { "refused" };
        if !store::decide_extension(&mut tx, request_id, state, actor.id(), &note, now).await? {
            return Err(ServiceError::Conflict("error.extension_not_pending".into()));
        }
        if d.approve {
            if !status_of(&m).is_open_work() {
                return Err(ServiceError::Conflict(
                    "error.extension_needs_open_work".into(),
                ));
            }
            store::extend_deadline(&mut tx, &m, &req.proposed_deadline, now).await?;
        }
        audit::append(
            &mut tx,
            Some(actor.id()),
            if d.approve {
                "extension_approved"
            } else {
                "extension_refused"
            },
            "matter",
            Some(m.id),
            &serde_json::json!({
                "request_id": request_id, "from": req.current_deadline,
                "to": req.proposed_deadline, "note": note,
            }),
        )
        .await?;
        let kind = if d.approve {
            "extension_approved"
        } else {
            "extension_refused"
        };
        let mut params = matter_params(&m);
        params["proposed"] = req.proposed_deadline.clone().into();
        params["note"] = note.clone().into();
        let mut people = vec![req.requested_by];
        people.extend(m.owner_id);
        self.emit(
            &mut tx,
            &Event {
                kind,
                subject_type: "matter",
                subject_id: m.id,
                unit_path: &m.unit_path,
                params,
                key: format!("{kind}:{request_id}"),
            },
            &people,
            now,
        )
        .await?;
        let row = store::extension(&mut tx, request_id).await?;
        tx.commit().await?;
        if d.approve {
            let mut conn = self.store.read().await?;
            let fresh = shishi_store::matters::get(&mut conn, m.id).await?;
            self.reindex_matter(&fresh);
        }
        Ok(row)
    }

    pub async fn extensions_of(
        &self,
        actor: &Actor,
        matter_id: i64,
    ) -> ServiceResult<Vec<ExtensionRow>> {
        let mut conn = self.store.read().await?;
        Self::readable_matter(&mut conn, actor, matter_id).await?;
        Ok(store::extensions_of(&mut conn, matter_id).await?)
    }

    /// Requests waiting for this actor's decision.
    pub async fn pending_extensions(&self, actor: &Actor) -> ServiceResult<Vec<ExtensionRow>> {
        let paths: Vec<String> = actor.read_roots().into_iter().map(|(_, p)| p).collect();
        let mut conn = self.store.read().await?;
        let rows = store::pending_extensions(&mut conn, &paths, 500).await?;
        Ok(rows
            .into_iter()
            .filter(|r| actor.manages(&self.approver_path(&r.unit_path)))
            .collect())
    }
}
