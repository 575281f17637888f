//! Unit names of imported ledgers mapped to units (单位对应关系): a ledger written by another
//! office names its units its own way ("机关党委" for 党群工作部). The dry run lists the names it
//! cannot find; the importer maps each to a unit of their own subtree, and the mapping is kept
//! under the managed unit that holds the target, for every later import of that organisation.

use serde::{Deserialize, Serialize};
use shishi_core::unit::in_subtree;
use shishi_store::audit;
use shishi_store::imports as store;

use super::ImportKind;
use super::resolve::{Found, UnitIndex};
use crate::{Actor, FieldError, ServiceError, ServiceResult, Services};

/// Longest unit name an alias may be (a unit name's limit).
const MAX_ALIAS_CHARS: usize = 200;

/// One mapping to set: `unit_id` none forgets the name.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnitAliasInput {
    /// The unit's name as ledgers write it.
    pub name: String,
    pub unit_id: Option<i64>,
}

/// A mapping in the actor's reach.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitAliasView {
    pub name: String,
    pub unit_id: i64,
    /// The target's path of names ("示范集团/甲公司/甲一厂").
    pub unit: String,
    /// The managed unit the mapping was made under.
    pub scope_unit_id: i64,
}

/// A unit an unmatched name may be mapped to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitChoice {
    pub id: i64,
    /// Path of names from the top of the organisation.
    pub path: String,
}

impl Services {
    fn may_map_units(actor: &Actor) -> ServiceResult<()> {
        if Services::may_import(actor, ImportKind::Ledger) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden("import.not_allowed".into()))
        }
    }

    /// The mappings whose targets the actor manages.
    pub async fn unit_aliases(&self, actor: &Actor) -> ServiceResult<Vec<UnitAliasView>> {
        Services::may_map_units(actor)?;
        let roots = actor.manage_roots();
        let mut conn = self.store.read().await?;
        let units = UnitIndex::load(&mut conn, &roots).await?;
        let paths: Vec<String> = roots.into_iter().map(|(_, p)| p).collect();
        Ok(store::aliases_within(&mut conn, &paths)
            .await?
            .into_iter()
            .map(|a| UnitAliasView {
                unit: units
                    .by_id(a.unit_id)
                    .map_or_else(|| a.unit_name.clone(), |u| u.path_text()),
                name: a.alias,
                unit_id: a.unit_id,
                scope_unit_id: a.scope_unit_id,
            })
            .collect())
    }

    /// The active units the actor may map names to, by path.
    pub async fn import_unit_choices(&self, actor: &Actor) -> ServiceResult<Vec<UnitChoice>> {
        Services::may_map_units(actor)?;
        let mut conn = self.store.read().await?;
        let units = UnitIndex::load(&mut conn, &actor.manage_roots()).await?;
        let mut out: Vec<UnitChoice> = units
            .entries()
            .iter()
            .filter(|u| u.unit.is_active())
            .map(|u| UnitChoice {
                id: u.unit.id,
                path: u.path_text(),
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// A unit the actor manages, by name or path of names (for the terminal); anything else is
    /// not found.
    pub async fn managed_unit_named(&self, actor: &Actor, text: &str) -> ServiceResult<i64> {
        let mut conn = self.store.read().await?;
        let units = UnitIndex::load(&mut conn, &actor.manage_roots()).await?;
        match units.find(text) {
            Found::One(u) if u.unit.is_active() => Ok(u.unit.id),
            Found::Many(paths) => Err(ServiceError::Invalid(vec![FieldError::with(
                "unit",
                "error.ambiguous_unit",
                paths.join("；"),
            )])),
            _ => Err(ServiceError::NotFound),
        }
    }

    /// Sets (or, without a unit, forgets) mappings, all or none. A target the actor does not
    /// manage is not found, before any name is checked.
    pub async fn save_unit_aliases(
        &self,
        actor: &Actor,
        items: &[UnitAliasInput],
    ) -> ServiceResult<()> {
        Services::may_map_units(actor)?;
        if items.is_empty() {
            return Ok(());
        }
        let roots = actor.manage_roots();
        let mut conn = self.store.read().await?;
        let units = UnitIndex::load(&mut conn, &roots).await?;
        drop(conn);
        // (scope, name, target) to set; (name) to forget.
        let mut set: Vec<(i64, String, i64)> = Vec::new();
        let mut forget: Vec<String> = Vec::new();
        for item in items {
            let Some(id) = item.unit_id else {
                continue;
            };
            let target = units
                .by_id(id)
                .filter(|u| u.unit.is_active())
                .ok_or(ServiceError::NotFound)?;
            let scope = roots
                .iter()
                .find(|(_, path)| in_subtree(&target.unit.path, path))
                .map(|(id, _)| *id)
                .ok_or(ServiceError::NotFound)?;
            set.push((scope, item.name.trim().to_string(), target.unit.id));
        }
        let mut errors = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let name = item.name.trim();
            // `name_0` reads "名称（第 1 行）" on a page.
            let field = format!("name_{i}");
            if name.is_empty() {
                errors.push(FieldError::new(&field, "error.required"));
            } else if name.chars().count() > MAX_ALIAS_CHARS {
                errors.push(FieldError::with(&field, "error.too_long", MAX_ALIAS_CHARS));
            }
            if item.unit_id.is_none() {
                forget.push(name.to_string());
            }
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let now = self.clock.now_ms();
        let mut tx = self.store.write().await?;
        for (scope, name, unit_id) in &set {
            store::set_alias(&mut tx, *scope, name, *unit_id, actor.id(), now).await?;
        }
        for name in &forget {
            for (scope, _) in &roots {
                store::delete_alias(&mut tx, *scope, name).await?;
            }
        }
        audit::append(
            &mut tx,
            Some(actor.id()),
            "unit_aliases_set",
            "import",
            None,
            &serde_json::json!({
                "set": set.iter().map(|(scope, name, unit)| serde_json::json!({
                    "scope_unit_id": scope, "name": name, "unit_id": unit,
                })).collect::<Vec<_>>(),
                "forgotten": forget,
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
