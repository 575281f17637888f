//! People and their role grants, managed by system admins within their subtree.

use serde::Deserialize;
use shishi_core::Role;
use shishi_store::audit;
use shishi_store::units;
use shishi_store::users::{self, GrantRow, NewUser, UserRow};

use crate::auth::{check_password, hash_password};
use crate::validate::Check;
use crate::{Actor, ServiceError, ServiceResult, Services};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    /// Required when creating; when editing, empty keeps the password.
    #[serde(default)]
    pub password: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl Default for UserInput {
    /// Active, as a new person is; deactivating is always explicit.
    fn default() -> Self {
        UserInput {
            username: String::new(),
            display_name: String::new(),
            unit_id: 0,
            email: String::new(),
            phone: String::new(),
            password: String::new(),
            active: true,
        }
    }
}

pub struct UserPage {
    pub items: Vec<UserRow>,
    pub total: i64,
}

pub(crate) fn valid_username(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

impl Services {
    /// People the actor may see: those whose home unit they read or administer.
    pub async fn list_users(
        &self,
        actor: &Actor,
        query: &str,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<UserPage> {
        let mut roots: Vec<String> = actor.read_roots().into_iter().map(|(_, p)| p).collect();
        for (_, p) in actor.admin_roots() {
            if !roots.iter().any(|r| p.starts_with(r.as_str())) {
                roots.push(p);
            }
        }
        let mut conn = self.store.read().await?;
        let (items, total) =
            users::list_in_paths(&mut conn, &roots, query, limit.clamp(1, 500), offset.max(0))
                .await?;
        Ok(UserPage { items, total })
    }

    /// A person the actor may see, with their grants.
    pub async fn user(&self, actor: &Actor, id: i64) -> ServiceResult<(UserRow, Vec<GrantRow>)> {
        let mut conn = self.store.read().await?;
        let user = users::get(&mut conn, id).await?;
        let unit = units::get(&mut conn, user.unit_id).await?;
        if !(actor.reads(&unit.path) || actor.administers(&unit.path) || actor.id() == id) {
            return Err(ServiceError::NotFound);
        }
        let grants = users::grants_of(&mut conn, id).await?;
        Ok((user, grants))
    }

    async fn check_user_input(
        &self,
        actor: &Actor,
        input: &UserInput,
        creating: bool,
    ) -> ServiceResult<()> {
        let mut check = Check::new();
        if creating && !valid_username(&input.username.trim().to_lowercase()) {
            check.push("username", "error.username");
        }
        check.required("display_name", &input.display_name, 50);
        check.optional("email", &input.email, 200);
        if !input.email.trim().is_empty() && !input.email.contains('@') {
            check.push("email", "error.email");
        }
        check.optional("phone", &input.phone, 30);
        let mut conn = self.store.read().await?;
        match units::get(&mut conn, input.unit_id).await {
            Ok(u) if actor.administers(&u.path) && u.is_active() => {}
            _ => check.push("unit_id", "error.unknown_unit"),
        }
        if (creating || !input.password.is_empty())
            && input.password.chars().count() < crate::auth::MIN_PASSWORD_CHARS
        {
            check.push_with(
                "password",
                "error.password_short",
                crate::auth::MIN_PASSWORD_CHARS,
            );
        }
        check.finish()
    }

    pub async fn create_user(&self, actor: &Actor, input: &UserInput) -> ServiceResult<UserRow> {
        self.check_user_input(actor, input, true).await?;
        check_password("password", &input.password)?;
        let hash = hash_password(&input.password).await?;
        let username = input.username.trim().to_lowercase();
        let mut tx = self.store.write().await?;
        let id = users::insert(
            &mut tx,
            &NewUser {
                username: &username,
                display_name: input.display_name.trim(),
                password_hash: &hash,
                unit_id: input.unit_id,
                email: input.email.trim(),
                phone: input.phone.trim(),
            },
        )
        .await
        .map_err(|e| match e {
            shishi_store::StoreError::Duplicate(_) => {
                ServiceError::field("username", "error.username_taken")
            }
            other => other.into(),
        })?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "user_created",
            "user",
            Some(id),
            &serde_json::json!({ "username": username, "unit_id": input.unit_id }),
        )
        .await?;
        let user = users::get(&mut tx, id).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn update_user(
        &self,
        actor: &Actor,
        id: i64,
        input: &UserInput,
    ) -> ServiceResult<UserRow> {
        let (current, _) = self.user(actor, id).await?;
        {
            let mut conn = self.store.read().await?;
            let home = units::get(&mut conn, current.unit_id).await?;
            if !actor.administers(&home.path) {
                return Err(ServiceError::Forbidden("error.not_admin".into()));
            }
            // Whoever holds a role wider than the actor's reach is not theirs to reset or
            // deactivate: that would hand them the wider role.
            let grants = users::grants_of(&mut conn, id).await?;
            if grants.iter().any(|g| !actor.administers(&g.unit_path)) {
                return Err(ServiceError::Forbidden("error.wider_grants".into()));
            }
        }
        self.check_user_input(actor, input, false).await?;
        let new_hash = if input.password.is_empty() {
            None
        } else {
            Some(hash_password(&input.password).await?)
        };
        let mut tx = self.store.write().await?;
        let admins_before = if input.active {
            None
        } else {
            Some(lock_root_admins(&mut tx).await?)
        };
        users::update_profile(
            &mut tx,
            id,
            input.display_name.trim(),
            input.unit_id,
            input.email.trim(),
            input.phone.trim(),
            input.active,
        )
        .await?;
        if let Some(hash) = &new_hash {
            users::set_password(&mut tx, id, hash).await?;
        }
        if let Some(before) = admins_before {
            keep_a_root_admin(&mut tx, before).await?;
        }
        if new_hash.is_some() || !input.active {
            users::delete_sessions_of(&mut tx, id).await?;
        }
        audit::append(
            &mut tx,
            Some(actor.id()),
            "user_updated",
            "user",
            Some(id),
            &serde_json::json!({
                "display_name": input.display_name.trim(),
                "unit_id": input.unit_id,
                "active": input.active,
                "password_reset": new_hash.is_some(),
            }),
        )
        .await?;
        let user = users::get(&mut tx, id).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Grants a role on a unit. The actor must administer that unit; only a system admin of
    /// the whole organisation grants system admin.
    pub async fn add_grant(
        &self,
        actor: &Actor,
        user_id: i64,
        role: &str,
        unit_id: i64,
    ) -> ServiceResult<GrantRow> {
        // Scope before input: someone the actor cannot see is "not found" whatever is sent.
        self.user(actor, user_id).await?;
        let mut check = Check::new();
        let role = Role::from_code(role.trim());
        if role.is_none() {
            check.push("role", "error.choice");
        }
        let mut tx = self.store.write().await?;
        let unit = units::get(&mut tx, unit_id)
            .await
            .ok()
            .filter(|u| actor.administers(&u.path));
        if unit.is_none() {
            check.push("unit_id", "error.unknown_unit");
        }
        check.finish()?;
        let (Some(role), Some(unit)) = (role, unit) else {
            return Err(ServiceError::field("role", "error.choice"));
        };
        let user = users::get(&mut tx, user_id).await?;
        let home = units::get(&mut tx, user.unit_id).await?;
        if !actor.administers(&home.path) && !actor.administers(&unit.path) {
            return Err(ServiceError::NotFound);
        }
        if role == Role::SystemAdmin && !actor.is_root_admin() {
            return Err(ServiceError::Forbidden("error.only_root_admin".into()));
        }
        let id = users::add_grant(&mut tx, user_id, role.code(), unit_id)
            .await
            .map_err(|e| match e {
                shishi_store::StoreError::Duplicate(_) => {
                    ServiceError::field("role", "error.grant_exists")
                }
                other => other.into(),
            })?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "grant_added",
            "user",
            Some(user_id),
            &serde_json::json!({ "grant_id": id, "role": role.code(), "unit_id": unit_id }),
        )
        .await?;
        let grant = users::get_grant(&mut tx, id).await?;
        tx.commit().await?;
        Ok(grant)
    }

    pub async fn remove_grant(&self, actor: &Actor, grant_id: i64) -> ServiceResult<()> {
        let mut tx = self.store.write().await?;
        let grant = users::get_grant(&mut tx, grant_id).await?;
        if !actor.administers(&grant.unit_path) {
            return Err(ServiceError::NotFound);
        }
        if grant.user_id == actor.id() && grant.role == Role::SystemAdmin.code() {
            // Locking oneself out of administration is never what was meant.
            return Err(ServiceError::Conflict("error.own_admin_grant".into()));
        }
        let admins_before = if grant.role == Role::SystemAdmin.code() {
            Some(lock_root_admins(&mut tx).await?)
        } else {
            None
        };
        users::remove_grant(&mut tx, grant_id).await?;
        if let Some(before) = admins_before {
            keep_a_root_admin(&mut tx, before).await?;
        }
        audit::append(
            &mut tx,
            Some(actor.id()),
            "grant_removed",
            "user",
            Some(grant.user_id),
            &serde_json::json!({ "grant_id": grant_id, "role": grant.role, "unit_id": grant.unit_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a person's password from the server's command line (`shishi admin
    /// reset-password`): whoever runs it holds the database, so there is no actor and no
    /// scope. Ends their sessions and lifts the sign-in lock on their name.
    pub async fn reset_password_from_cli(
        &self,
        username: &str,
        password: &str,
    ) -> ServiceResult<UserRow> {
        check_password("password", password)?;
        let name = username.trim().to_lowercase();
        let hash = hash_password(password).await?;
        let mut tx = self.store.write().await?;
        let user = users::by_username(&mut tx, &name)
            .await?
            .ok_or(ServiceError::NotFound)?;
        users::set_password(&mut tx, user.id, &hash).await?;
        users::delete_sessions_of(&mut tx, user.id).await?;
        users::clear_throttle(&mut tx, &crate::auth::throttle::account_key(&name)).await?;
        audit::append(
            &mut tx,
            None,
            "password_reset",
            "user",
            Some(user.id),
            &serde_json::json!({ "via": "command_line" }),
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Makes a person an active system admin of the whole organisation from the server's
    /// command line (`shishi admin grant`): the way back in when nobody can administer the
    /// system. No actor, no scope; recorded only when something changed.
    pub async fn grant_root_admin_from_cli(&self, username: &str) -> ServiceResult<CliGrant> {
        let name = username.trim().to_lowercase();
        let mut tx = self.store.write().await?;
        let user = users::by_username(&mut tx, &name)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let root = units::root(&mut tx).await?.ok_or(ServiceError::NotFound)?;
        let reactivated = user.active == 0;
        if reactivated {
            users::set_active(&mut tx, user.id, true).await?;
        }
        let holds = users::grants_of(&mut tx, user.id)
            .await?
            .iter()
            .any(|g| g.role == Role::SystemAdmin.code() && g.unit_id == root.id);
        let grant_id = if holds {
            None
        } else {
            Some(users::add_grant(&mut tx, user.id, Role::SystemAdmin.code(), root.id).await?)
        };
        users::clear_throttle(&mut tx, &crate::auth::throttle::account_key(&name)).await?;
        if reactivated || grant_id.is_some() {
            audit::append(
                &mut tx,
                None,
                "admin_granted",
                "user",
                Some(user.id),
                &serde_json::json!({
                    "via": "command_line",
                    "reactivated": reactivated,
                    "grant_id": grant_id,
                    "role": Role::SystemAdmin.code(),
                    "unit_id": root.id,
                }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(CliGrant {
            username: name,
            reactivated,
            granted: grant_id.is_some(),
        })
    }
}

/// What `grant_root_admin_from_cli` changed.
pub struct CliGrant {
    pub username: String,
    pub reactivated: bool,
    pub granted: bool,
}

/// Takes the lock that serialises changes which may remove a system admin of the whole
/// organisation, and counts the active ones. Call it in the change's write transaction before
/// the change, and `keep_a_root_admin` after it: two admins deactivating each other at once
/// then run one after the other, and the second sees the first's change.
async fn lock_root_admins(tx: &mut shishi_store::AnyConnection) -> ServiceResult<i64> {
    users::lock_root_admins(tx).await?;
    Ok(users::active_root_holders(tx, Role::SystemAdmin.code()).await?)
}

/// Refuses the change (the caller's transaction rolls back) when it took away the last active
/// system admin of the whole organisation: nobody could administer the system any more.
async fn keep_a_root_admin(tx: &mut shishi_store::AnyConnection, before: i64) -> ServiceResult<()> {
    let after = users::active_root_holders(tx, Role::SystemAdmin.code()).await?;
    if before > 0 && after == 0 {
        return Err(ServiceError::Conflict("error.last_root_admin".into()));
    }
    Ok(())
}
