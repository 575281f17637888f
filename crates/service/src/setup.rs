//! First start: the organisation's root unit, the first system admin, the shipped calendar.

use shishi_core::Role;
use shishi_core::calendar::{BUILTIN_CSV, holiday_codes, parse_csv};
use shishi_store::{audit, calendar, units, users};

use crate::auth::{check_password, hash_password};
use crate::{ServiceError, ServiceResult, Services};

pub struct InitOutcome {
    pub created: bool,
    pub root_unit_id: i64,
    pub admin_username: String,
}

impl Services {
    /// Creates the root unit and first admin when the database has none; otherwise reports
    /// what is there and changes nothing.
    pub async fn init(
        &self,
        org_name: &str,
        admin_username: &str,
        admin_password: &str,
    ) -> ServiceResult<InitOutcome> {
        self.seed_calendar().await?;
        let mut conn = self.store.read().await?;
        if let Some(root) = units::root(&mut conn).await? {
            return Ok(InitOutcome {
                created: false,
                root_unit_id: root.id,
                admin_username: admin_username.to_string(),
            });
        }
        drop(conn);
        check_password("password", admin_password)?;
        let hash = hash_password(admin_password).await?;
        let mut tx = self.store.write().await?;
        let root = units::insert(&mut tx, None, org_name.trim(), "group", 0).await?;
        let username = admin_username.trim().to_lowercase();
        let admin = users::insert(
            &mut tx,
            &users::NewUser {
                username: &username,
                display_name: "系统管理员",
                password_hash: &hash,
                unit_id: root.id,
                email: "",
                phone: "",
            },
        )
        .await?;
        users::add_grant(&mut tx, admin, Role::SystemAdmin.code(), root.id).await?;
        audit::append(
            &mut tx,
            None,
            "initialised",
            "unit",
            Some(root.id),
            &serde_json::json!({ "org": org_name, "admin": username }),
        )
        .await?;
        tx.commit().await?;
        Ok(InitOutcome {
            created: true,
            root_unit_id: root.id,
            admin_username: username,
        })
    }

    /// Loads the shipped 2024–2026 calendar into an empty calendar table.
    pub async fn seed_calendar(&self) -> ServiceResult<()> {
        let mut conn = self.store.read().await?;
        if !calendar::all_days(&mut conn).await?.is_empty() {
            return Ok(());
        }
        drop(conn);
        let days = parse_csv(BUILTIN_CSV).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut tx = self.store.write().await?;
        for d in &days {
            calendar::upsert_day(
                &mut tx,
                &d.date.to_string(),
                d.kind.code(),
                &d.name,
                &holiday_codes(&d.holidays),
            )
            .await?;
        }
        audit::append(
            &mut tx,
            None,
            "calendar_seeded",
            "calendar",
            None,
            &serde_json::json!({ "days": days.len() }),
        )
        .await?;
        tx.commit().await?;
        self.reload_calendar().await
    }
}
