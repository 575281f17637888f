//! Adopting a demand into the list (纳入清单) from the demand itself: whoever may create
//! matters in the demand's unit writes the new matter from it; an intake clerk, who may not,
//! hands the demand to the unit admins nearest above its unit.

use super::*;
use crate::matters::MatterInput;
use shishi_store::matters::MatterRow;

/// The kind of event (and notification) a hand-over leaves: it changes no status.
pub const REFER: &str = "refer";

impl Services {
    /// May write a new matter from a demand in the unit at `path`: works its inbox and may
    /// create matters there.
    pub fn may_adopt_into_new(actor: &Actor, path: &str) -> bool {
        actor.handles_demands(path) && actor.manages(path)
    }

    /// May hand the demand at `path` to the unit admins instead: works its inbox but may not
    /// create matters there.
    pub fn may_refer(actor: &Actor, path: &str) -> bool {
        actor.handles_demands(path) && !actor.manages(path)
    }

    /// 转交单位管理员立项: the nearest unit admins above the demand's unit are told, and the
    /// demand's log records it. The demand stays open in the inbox until one adopts it.
    /// Returns who was told.
    pub async fn refer_to_admins(
        &self,
        actor: &Actor,
        id: i64,
        note: &str,
    ) -> ServiceResult<Vec<i64>> {
        let now = self.clock.now_ms();
        let mut tx = self.store.write().await?;
        let d = store::get(&mut tx, id).await?;
        if !actor.reads(&d.unit_path) {
            return Err(ServiceError::NotFound);
        }
        if !actor.handles_demands(&d.unit_path) {
            return Err(ServiceError::Forbidden("error.not_clerk".into()));
        }
        let note = note.trim();
        if note.chars().count() > 2000 {
            return Err(ServiceError::Invalid(vec![FieldError::with(
                "text",
                "error.too_long",
                2000,
            )]));
        }
        let status = status_of(&d);
        if !status.is_open() {
            return Err(ServiceError::Conflict("error.demand_wrong_state".into()));
        }
        let mut admins =
            crate::notify::nearest_holders(&mut tx, &[Role::UnitAdmin], &d.unit_path).await?;
        admins.retain(|a| *a != actor.id());
        if admins.is_empty() {
            return Err(ServiceError::Conflict("adopt.no_admin".into()));
        }
        store::insert_event(
            &mut tx,
            &store::NewEvent {
                demand_id: id,
                at: now,
                actor_id: Some(actor.id()),
                action: REFER,
                from_status: status.code(),
                to_status: status.code(),
                unit_id: d.unit_id,
                unit_path: &d.unit_path,
                to_unit_id: None,
                text: note,
                due: "",
            },
        )
        .await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "demand_referred",
            "demand",
            Some(id),
            &serde_json::json!({ "to": admins, "text": note }),
        )
        .await?;
        self.emit(
            &mut tx,
            &crate::notify::Event {
                kind: "demand_referred",
                subject_type: "demand",
                subject_id: id,
                unit_path: &d.unit_path,
                params: serde_json::json!({ "title": d.title }),
                // Each hand-over is its own occurrence: a second one reminds.
                key: format!("demand_referred:{id}:{now}"),
            },
            &admins,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(admins)
    }

    /// 新建事项 from a demand: the matter is created and the demand adopted into it. Everything
    /// the adoption needs is checked before the matter is written, so a refused adoption
    /// leaves no stray matter behind.
    pub async fn create_matter_from_demand(
        &self,
        actor: &Actor,
        demand_id: i64,
        input: &MatterInput,
    ) -> ServiceResult<MatterRow> {
        let (d, _) = self.readable_demand(actor, demand_id).await?;
        if !actor.reads(&d.unit_path) {
            return Err(ServiceError::NotFound);
        }
        if !Self::may_adopt_into_new(actor, &d.unit_path) {
            return Err(ServiceError::Forbidden("error.not_admin".into()));
        }
        if !status_of(&d).is_open() {
            return Err(ServiceError::Conflict("error.demand_wrong_state".into()));
        }
        let m = self.create_matter(actor, None, input).await?;
        let adopt = StepInput {
            action: DemandAction::Adopt.code().into(),
            matter_id: Some(m.id),
            ..Default::default()
        };
        self.demand_step(actor, demand_id, &adopt).await?;
        Ok(m)
    }
}
