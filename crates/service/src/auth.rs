//! Passwords, sign-in with throttling, web sessions and personal API tokens.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{Actor, ServiceError, ServiceResult, Services};
use shishi_store::users::{self, SessionRow, TokenRow};

/// Failed attempts allowed before the account is locked for a while.
pub const FREE_ATTEMPTS: i64 = 5;
pub const SESSION_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
pub const MIN_PASSWORD_CHARS: usize = 8;

/// A random 256-bit token, hex encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Argon2 is deliberately slow: it runs on the blocking pool, never on the async workers.
pub async fn hash_password(password: &str) -> ServiceResult<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::Internal(format!("hashing: {e}")))
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?
}

async fn verify_password(password: &str, hash: &str) -> bool {
    let password = password.to_string();
    let hash = hash.to_string();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// How long an account stays locked after `failures` failed attempts.
pub fn lock_ms(failures: i64) -> i64 {
    if failures < FREE_ATTEMPTS {
        return 0;
    }
    let step = (failures - FREE_ATTEMPTS).min(5) as u32;
    (30_000i64 * 2i64.pow(step)).min(15 * 60_000)
}

pub struct NewSession {
    /// The cookie value; only its hash is stored.
    pub token: String,
    pub csrf: String,
    pub actor: Actor,
}

impl Services {
    /// Checks a username and password. Wrong credentials and unknown users answer alike.
    pub async fn authenticate(&self, username: &str, password: &str) -> ServiceResult<Actor> {
        let username = username.trim().to_lowercase();
        let now = self.clock.now_ms();
        let mut conn = self.store.read().await?;
        let user = users::by_username(&mut conn, &username).await?;
        drop(conn);
        let Some(user) = user else {
            // Spend the same time as a real check so that names cannot be probed.
            let _ = verify_password(password, DUMMY_HASH).await;
            return Err(ServiceError::Unauthenticated(
                "error.bad_credentials".into(),
            ));
        };
        if user.locked_until > now {
            return Err(ServiceError::Throttled(
                (user.locked_until - now + 999) / 1000,
            ));
        }
        if user.active == 0 || !verify_password(password, &user.password_hash).await {
            let mut tx = self.store.write().await?;
            // Counted in the database, so simultaneous attempts each add one.
            let failures = users::count_login_failure(&mut tx, user.id).await?;
            let lock = lock_ms(failures);
            if lock > 0 {
                users::lock_until(&mut tx, user.id, now + lock).await?;
            }
            // Nobody proved who they are: the attempt has no actor, only the account it targeted.
            shishi_store::audit::append(
                &mut tx,
                None,
                "login_failed",
                "user",
                Some(user.id),
                &serde_json::json!({ "failures": failures }),
            )
            .await?;
            tx.commit().await?;
            return Err(ServiceError::Unauthenticated(
                "error.bad_credentials".into(),
            ));
        }
        if user.failed_logins > 0 {
            let mut tx = self.store.write().await?;
            users::record_login_success(&mut tx, user.id).await?;
            tx.commit().await?;
        }
        self.actor(user.id).await
    }

    pub async fn login(&self, username: &str, password: &str) -> ServiceResult<NewSession> {
        let actor = self.authenticate(username, password).await?;
        let token = random_token();
        let csrf = random_token();
        let mut tx = self.store.write().await?;
        users::insert_session(
            &mut tx,
            &token_hash(&token),
            actor.id(),
            &csrf,
            self.clock.now_ms() + SESSION_TTL_MS,
        )
        .await?;
        shishi_store::audit::append(
            &mut tx,
            Some(actor.id()),
            "login",
            "user",
            Some(actor.id()),
            &serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(NewSession { token, csrf, actor })
    }

    /// The actor behind a session cookie, with the session's CSRF token.
    pub async fn session(&self, token: &str) -> ServiceResult<(Actor, SessionRow)> {
        let mut conn = self.store.read().await?;
        let session = users::session(&mut conn, &token_hash(token))
            .await?
            .filter(|s| s.expires_at > self.clock.now_ms())
            .ok_or_else(|| ServiceError::Unauthenticated("error.session_expired".into()))?;
        drop(conn);
        let actor = self.actor(session.user_id).await?;
        Ok((actor, session))
    }

    pub async fn logout(&self, token: &str) -> ServiceResult<()> {
        let mut tx = self.store.write().await?;
        users::delete_session(&mut tx, &token_hash(token)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Loads a user and their grants; an inactive user is no actor.
    pub async fn actor(&self, user_id: i64) -> ServiceResult<Actor> {
        let mut conn = self.store.read().await?;
        let user = users::get(&mut conn, user_id).await?;
        if user.active == 0 {
            return Err(ServiceError::Unauthenticated(
                "error.account_inactive".into(),
            ));
        }
        let grants = users::grants_of(&mut conn, user_id).await?;
        Ok(Actor { user, grants })
    }

    /// Whom a command-line run acts as: the named person, or else the first system admin of
    /// the whole organisation (the one `init` made).
    pub async fn operator(&self, username: Option<&str>) -> ServiceResult<Actor> {
        let mut conn = self.store.read().await?;
        let id = match username {
            Some(name) => {
                users::by_username(&mut conn, name)
                    .await?
                    .ok_or(ServiceError::NotFound)?
                    .id
            }
            None => {
                let root = shishi_store::units::root(&mut conn)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                *users::holders_over(&mut conn, shishi_core::Role::SystemAdmin.code(), &[root.id])
                    .await?
                    .iter()
                    .min()
                    .ok_or(ServiceError::NotFound)?
            }
        };
        drop(conn);
        self.actor(id).await
    }

    /// The actor behind a personal API token (`Authorization: Bearer …`).
    pub async fn actor_by_token(&self, token: &str) -> ServiceResult<Actor> {
        let mut tx = self.store.write().await?;
        let user_id = users::use_token(&mut tx, &token_hash(token)).await?;
        tx.commit().await?;
        match user_id {
            Some(id) => self.actor(id).await,
            None => Err(ServiceError::Unauthenticated("error.bad_token".into())),
        }
    }

    /// Creates a token and returns it once; only its hash is kept.
    pub async fn create_token(&self, actor: &Actor, name: &str) -> ServiceResult<(i64, String)> {
        let mut check = crate::validate::Check::new();
        let name = check.required("name", name, 100);
        check.finish()?;
        let token = format!("shishi_{}", random_token());
        let mut tx = self.store.write().await?;
        let id = users::insert_token(&mut tx, actor.id(), &name, &token_hash(&token)).await?;
        shishi_store::audit::append(
            &mut tx,
            Some(actor.id()),
            "token_created",
            "api_token",
            Some(id),
            &serde_json::json!({ "name": name }),
        )
        .await?;
        tx.commit().await?;
        Ok((id, token))
    }

    pub async fn tokens(&self, actor: &Actor) -> ServiceResult<Vec<TokenRow>> {
        let mut conn = self.store.read().await?;
        Ok(users::tokens_of(&mut conn, actor.id()).await?)
    }

    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> ServiceResult<()> {
        let mut tx = self.store.write().await?;
        users::revoke_token(&mut tx, actor.id(), id).await?;
        shishi_store::audit::append(
            &mut tx,
            Some(actor.id()),
            "token_revoked",
            "api_token",
            Some(id),
            &serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A person changes their own password, proving the old one.
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        old: &str,
        new: &str,
    ) -> ServiceResult<()> {
        if !verify_password(old, &actor.user.password_hash).await {
            return Err(ServiceError::field("old_password", "error.bad_credentials"));
        }
        check_password("new_password", new)?;
        let hash = hash_password(new).await?;
        let mut tx = self.store.write().await?;
        users::set_password(&mut tx, actor.id(), &hash).await?;
        shishi_store::audit::append(
            &mut tx,
            Some(actor.id()),
            "password_changed",
            "user",
            Some(actor.id()),
            &serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

pub(crate) fn check_password(field: &str, password: &str) -> ServiceResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ServiceError::Invalid(vec![crate::FieldError::with(
            field,
            "error.password_short",
            MIN_PASSWORD_CHARS,
        )]));
    }
    Ok(())
}

/// A valid Argon2 hash of nothing anyone types, for answering unknown names in equal time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2hpc2hpZHVtbXlzYWx0$3vJ7yXn8V8r6Pq2m1xJ0bq3bqzG3Jq1ZbH8m3xk0w3c";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_grow_and_cap() {
        assert_eq!(lock_ms(4), 0);
        assert_eq!(lock_ms(5), 30_000);
        assert_eq!(lock_ms(6), 60_000);
        assert_eq!(lock_ms(50), 15 * 60_000);
    }
}
