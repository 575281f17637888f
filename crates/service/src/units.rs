//! The unit tree: who may see and change which part of it.

use serde::Deserialize;
use shishi_core::unit::{UnitKind, in_subtree};
use shishi_store::audit;
use shishi_store::units::{self, UnitRow};

use crate::validate::Check;
use crate::{Actor, ServiceError, ServiceResult, Services};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UnitInput {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub sort_order: i64,
}

fn check_input(input: &UnitInput) -> ServiceResult<(String, UnitKind)> {
    let mut check = Check::new();
    let name = check.required("name", &input.name, 100);
    let kind = UnitKind::from_code(input.kind.trim());
    if kind.is_none() {
        check.push("kind", "error.choice");
    }
    check.finish()?;
    Ok((name, kind.unwrap_or(UnitKind::Unit)))
}

impl Services {
    /// Units the actor reads, parents before children.
    pub async fn visible_units(&self, actor: &Actor) -> ServiceResult<Vec<UnitRow>> {
        let mut conn = self.store.read().await?;
        let mut out = Vec::new();
        for (_, path) in actor.read_roots() {
            out.extend(units::subtree(&mut conn, &path).await?);
        }
        Ok(out)
    }

    /// Units the actor may put matters in.
    pub async fn manageable_units(&self, actor: &Actor) -> ServiceResult<Vec<UnitRow>> {
        let mut conn = self.store.read().await?;
        let mut out = Vec::new();
        for (_, path) in actor.manage_roots() {
            out.extend(
                units::subtree(&mut conn, &path)
                    .await?
                    .into_iter()
                    .filter(|u| u.is_active()),
            );
        }
        Ok(out)
    }

    /// A unit the actor reads; anything else is "not found".
    pub async fn unit(&self, actor: &Actor, id: i64) -> ServiceResult<UnitRow> {
        let mut conn = self.store.read().await?;
        let unit = units::get(&mut conn, id).await?;
        if !actor.reads(&unit.path) && !actor.administers(&unit.path) {
            return Err(ServiceError::NotFound);
        }
        Ok(unit)
    }

    pub async fn create_unit(
        &self,
        actor: &Actor,
        parent_id: Option<i64>,
        input: &UnitInput,
    ) -> ServiceResult<UnitRow> {
        let (name, kind) = check_input(input)?;
        let mut tx = self.store.write().await?;
        let parent = match parent_id {
            Some(id) => {
                let p = units::get(&mut tx, id)
                    .await
                    .map_err(|_| ServiceError::field("parent_id", "error.unknown_unit"))?;
                if !actor.administers(&p.path) {
                    return Err(ServiceError::field("parent_id", "error.unknown_unit"));
                }
                if !p.is_active() {
                    return Err(ServiceError::field("parent_id", "error.unit_inactive"));
                }
                Some(p)
            }
            None => {
                // A second root would be a second organisation; only the first start makes one.
                if units::root(&mut tx).await?.is_some() {
                    return Err(ServiceError::field("parent_id", "error.required"));
                }
                None
            }
        };
        let unit = units::insert(
            &mut tx,
            parent.as_ref(),
            &name,
            kind.code(),
            input.sort_order,
        )
        .await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "unit_created",
            "unit",
            Some(unit.id),
            &serde_json::json!({ "name": name, "kind": kind.code(), "parent_id": parent_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(unit)
    }

    pub async fn update_unit(
        &self,
        actor: &Actor,
        id: i64,
        input: &UnitInput,
    ) -> ServiceResult<UnitRow> {
        let mut tx = self.store.write().await?;
        let unit = units::get(&mut tx, id).await?;
        if !actor.administers(&unit.path) {
            return Err(ServiceError::NotFound);
        }
        let (name, kind) = check_input(input)?;
        units::update(&mut tx, id, &name, kind.code(), input.sort_order).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "unit_updated",
            "unit",
            Some(id),
            &serde_json::json!({ "old_name": unit.name, "name": name, "kind": kind.code() }),
        )
        .await?;
        let unit = units::get(&mut tx, id).await?;
        tx.commit().await?;
        Ok(unit)
    }

    pub async fn move_unit(
        &self,
        actor: &Actor,
        id: i64,
        new_parent_id: i64,
    ) -> ServiceResult<UnitRow> {
        let mut tx = self.store.write().await?;
        let unit = units::get(&mut tx, id).await?;
        if !actor.administers(&unit.path) {
            return Err(ServiceError::NotFound);
        }
        let parent = units::get(&mut tx, new_parent_id)
            .await
            .map_err(|_| ServiceError::field("parent_id", "error.unknown_unit"))?;
        if !actor.administers(&parent.path) {
            return Err(ServiceError::field("parent_id", "error.unknown_unit"));
        }
        if unit.parent_id.is_none() {
            return Err(ServiceError::Conflict("error.root_cannot_move".into()));
        }
        if in_subtree(&parent.path, &unit.path) {
            return Err(ServiceError::field("parent_id", "error.move_into_itself"));
        }
        if !parent.is_active() {
            return Err(ServiceError::field("parent_id", "error.unit_inactive"));
        }
        units::move_under(&mut tx, &unit, &parent).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "unit_moved",
            "unit",
            Some(id),
            &serde_json::json!({ "from": unit.parent_id, "to": new_parent_id }),
        )
        .await?;
        let unit = units::get(&mut tx, id).await?;
        tx.commit().await?;
        Ok(unit)
    }

    /// Deactivating hides a unit from pickers; a unit that still has live matters, or active
    /// children, cannot go.
    pub async fn set_unit_active(
        &self,
        actor: &Actor,
        id: i64,
        active: bool,
    ) -> ServiceResult<UnitRow> {
        let mut tx = self.store.write().await?;
        let unit = units::get(&mut tx, id).await?;
        if !actor.administers(&unit.path) {
            return Err(ServiceError::NotFound);
        }
        if !active {
            if unit.parent_id.is_none() {
                return Err(ServiceError::Conflict(
                    "error.root_cannot_deactivate".into(),
                ));
            }
            if shishi_store::matters::live_in_subtree(&mut tx, id).await? > 0 {
                return Err(ServiceError::Conflict("error.unit_has_matters".into()));
            }
            if units::active_children(&mut tx, id).await? > 0 {
                return Err(ServiceError::Conflict("error.unit_has_children".into()));
            }
        } else if let Some(pid) = unit.parent_id
            && !units::get(&mut tx, pid).await?.is_active()
        {
            return Err(ServiceError::Conflict("error.unit_inactive".into()));
        }
        units::set_active(&mut tx, id, active).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            if active {
                "unit_activated"
            } else {
                "unit_deactivated"
            },
            "unit",
            Some(id),
            &serde_json::json!({}),
        )
        .await?;
        let unit = units::get(&mut tx, id).await?;
        tx.commit().await?;
        Ok(unit)
    }
}
