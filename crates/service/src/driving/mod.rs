//! Driving matters to done: supervision orders, deadline extensions, completion and
//! acceptance, the requesters' verdicts, and the settings that govern them. The periodic
//! sweeps that chase deadlines live in `crate::worker`.

mod acceptance;
mod evaluations;
mod extensions;
mod orders;

pub use evaluations::{CallbackInput, VerdictSummary};
pub use extensions::ExtensionDecision;
pub use orders::{BoardFilter, BoardPage, OrderInput, OrderView, ReplyInput};

use shishi_core::Role;
use shishi_core::driving::DrivingPolicy;
use shishi_store::AnyConnection;
use shishi_store::matters::{self as store, MatterRow};
use shishi_store::{audit, calendar};

use crate::matters::can_read;
use crate::notify::nearest_holders;
use crate::{Actor, FieldError, ServiceError, ServiceResult, Services};

pub const POLICY_KEY: &str = "driving.policy";

impl Services {
    pub async fn set_driving_policy(
        &self,
        actor: &Actor,
        policy: DrivingPolicy,
    ) -> ServiceResult<()> {
        Self::require_root_admin(actor)?;
        let problems = policy.problems();
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(
                problems
                    .into_iter()
                    .map(|f| FieldError::with(f, "error.range", "1–60"))
                    .collect(),
            ));
        }
        let json =
            serde_json::to_string(&policy).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut tx = self.store.write().await?;
        calendar::set_setting(&mut tx, POLICY_KEY, &json).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "driving_policy_set",
            "settings",
            None,
            &serde_json::to_value(policy).unwrap_or_default(),
        )
        .await?;
        tx.commit().await?;
        self.reload_calendar().await
    }

    /// The matter, if the actor may see it; a matter out of scope is "not found".
    pub(crate) async fn readable_matter(
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
    ) -> ServiceResult<MatterRow> {
        let m = store::get(conn, id).await?;
        if !can_read(actor, &m) {
            return Err(ServiceError::NotFound);
        }
        Ok(m)
    }

    pub(crate) fn today_text(&self) -> String {
        self.clock.today().to_string()
    }
}

/// Who hears about a matter's supervision and acceptance: its named supervisor, or the
/// supervisors nearest above its unit.
pub async fn supervisors_of(conn: &mut AnyConnection, m: &MatterRow) -> ServiceResult<Vec<i64>> {
    if let Some(s) = m.supervisor_id {
        return Ok(vec![s]);
    }
    nearest_holders(conn, &[Role::Supervisor], &m.unit_path).await
}

/// The unit admins nearest to a matter's unit.
pub async fn admins_of(conn: &mut AnyConnection, unit_path: &str) -> ServiceResult<Vec<i64>> {
    nearest_holders(conn, &[Role::UnitAdmin], unit_path).await
}

/// The matter's title and deadline, the parameters most texts use.
pub fn matter_params(m: &MatterRow) -> serde_json::Value {
    serde_json::json!({ "title": m.title, "deadline": m.deadline.clone().unwrap_or_default() })
}

/// The parent's path of a unit path (`/1/5/` → `/1/`); a root is its own parent.
pub fn parent_path(path: &str) -> String {
    let ids = shishi_core::unit::ancestors(path);
    if ids.len() < 2 {
        return path.to_string();
    }
    let mut out = String::from("/");
    for id in &ids[..ids.len() - 1] {
        out.push_str(&format!("{id}/"));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn parent_paths() {
        assert_eq!(super::parent_path("/1/5/9/"), "/1/5/");
        assert_eq!(super::parent_path("/1/"), "/1/");
    }
}
