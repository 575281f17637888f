//! Passwords, sign-in with throttling (`throttle`), web sessions and personal API tokens.

pub mod throttle;

use std::net::{IpAddr, Ipv4Addr};

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{Actor, ServiceError, ServiceResult, Services};
use shishi_store::users::{self, SessionRow, TokenRow};
use throttle::Limit;

/// Attempts an account name allows from untrusted clients before it locks for a while.
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

/// How long an account stays locked for untrusted clients after `failures` attempts.
pub fn lock_ms(failures: i64) -> i64 {
    throttle::ACCOUNT.lock_ms(failures)
}

/// Where a sign-in attempt comes from: the client's address (from the connection) and the
/// device cookie it sent, if any.
#[derive(Debug, Clone)]
pub struct SignInClient {
    pub addr: IpAddr,
    pub device: Option<String>,
}

impl SignInClient {
    /// A caller on this machine without a device cookie: the command line and tests.
    pub fn local() -> SignInClient {
        SignInClient {
            addr: IpAddr::V4(Ipv4Addr::LOCALHOST),
            device: None,
        }
    }
}

/// A successful sign-in: who, and a fresh device cookie that marks the client as trusted for
/// this account from now on.
pub struct SignedIn {
    pub actor: Actor,
    pub device: String,
}

pub struct NewSession {
    /// The cookie value; only its hash is stored.
    pub token: String,
    pub csrf: String,
    pub actor: Actor,
    /// The device cookie's new value.
    pub device: String,
}

/// What an attempt was counted on.
enum Counted {
    /// A device cookie valid for the account: its own count only.
    Device(String),
    /// Anyone else: the client address and the account name.
    Untrusted { addr: String, account: String },
}

impl Counted {
    fn keys(&self) -> Vec<(String, Limit)> {
        match self {
            Counted::Device(nonce) => vec![(throttle::device_key(nonce), throttle::DEVICE)],
            Counted::Untrusted { addr, account } => vec![
                (addr.clone(), throttle::ADDRESS),
                (account.clone(), throttle::ACCOUNT),
            ],
        }
    }
}

impl Services {
    /// Checks a username and password, from the command line or a test: a client on this
    /// machine without a device cookie, throttled like any other.
    pub async fn authenticate(&self, username: &str, password: &str) -> ServiceResult<Actor> {
        Ok(self
            .sign_in(username, password, &SignInClient::local())
            .await?
            .actor)
    }

    /// Checks a username and password from a client. Real and unknown names, wrong passwords
    /// and inactive accounts answer alike, in status and in time: every attempt is counted
    /// before the password is checked (`Throttled` when a count is locked, without checking),
    /// every check runs Argon2 (against a dummy hash for an unknown name), and every failure
    /// writes the same audit event.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        client: &SignInClient,
    ) -> ServiceResult<SignedIn> {
        let name = username.trim().to_lowercase();
        let now = self.clock.now_ms();
        let secret = self.device_secret().await?;
        let untrusted = || Counted::Untrusted {
            addr: throttle::address_key(client.addr),
            account: throttle::account_key(&name),
        };
        let mut counted = match client
            .device
            .as_deref()
            .and_then(|c| throttle::trusted_device(&secret, &name, c, now))
        {
            Some(nonce) => Counted::Device(nonce),
            None => untrusted(),
        };
        let mut counts = match self.reserve(&counted, now).await? {
            Ok(counts) => counts,
            // A device that keeps failing is trusted no more: it joins the strangers.
            Err(_) if matches!(counted, Counted::Device(_)) => {
                counted = untrusted();
                self.reserve(&counted, now)
                    .await?
                    .map_err(ServiceError::Throttled)?
            }
            Err(wait) => return Err(ServiceError::Throttled(wait)),
        };

        let mut conn = self.store.read().await?;
        let user = users::by_username(&mut conn, &name).await?;
        drop(conn);
        let hash = user
            .as_ref()
            .map_or(DUMMY_HASH, |u| u.password_hash.as_str());
        // Checked even for an inactive account, so that it takes the same time.
        let matches = verify_password(password, hash).await;
        let user = match user {
            Some(u) if matches && u.active == 1 => u,
            other => {
                let mut tx = self.store.write().await?;
                let oldest = now - throttle::ACCOUNT.forget_ms.max(throttle::ADDRESS.forget_ms);
                users::prune_throttle(&mut tx, oldest, now).await?;
                // Nobody proved who they are: the attempt has no actor, only the account it
                // targeted when there is one.
                shishi_store::audit::append(
                    &mut tx,
                    None,
                    "login_failed",
                    "user",
                    other.map(|u| u.id),
                    &serde_json::json!({
                        "failures": counts.pop().unwrap_or(0),
                        "addr": client.addr.to_canonical().to_string(),
                        "trusted_device": matches!(counted, Counted::Device(_)),
                    }),
                )
                .await?;
                tx.commit().await?;
                return Err(ServiceError::Unauthenticated(
                    "error.bad_credentials".into(),
                ));
            }
        };
        // The owner proved who they are: their counts start again, and the address's count
        // takes this attempt back.
        let mut tx = self.store.write().await?;
        match &counted {
            Counted::Device(nonce) => {
                users::clear_throttle(&mut tx, &throttle::device_key(nonce)).await?
            }
            Counted::Untrusted { addr, account } => {
                users::clear_throttle(&mut tx, account).await?;
                users::release_attempt(&mut tx, addr, throttle::ADDRESS.free).await?;
            }
        }
        tx.commit().await?;
        Ok(SignedIn {
            actor: self.actor(user.id).await?,
            device: throttle::issue_device(&secret, &name, now),
        })
    }

    async fn reserve(&self, counted: &Counted, now: i64) -> ServiceResult<Result<Vec<i64>, i64>> {
        let mut tx = self.store.write().await?;
        let outcome = throttle::reserve(&mut tx, &counted.keys(), now).await?;
        if outcome.is_ok() {
            tx.commit().await?;
        }
        Ok(outcome)
    }

    /// The key that signs device cookies, made on first use and shared through the database.
    async fn device_secret(&self) -> ServiceResult<Vec<u8>> {
        let mut conn = self.store.read().await?;
        let stored = users::device_secret(&mut conn).await?;
        drop(conn);
        let hex_key = match stored {
            Some(k) => k,
            None => {
                let mut tx = self.store.write().await?;
                let k = users::create_device_secret(&mut tx, &random_token()).await?;
                tx.commit().await?;
                k
            }
        };
        hex::decode(hex_key.trim()).map_err(|e| ServiceError::Internal(format!("device key: {e}")))
    }

    /// Signs in from the command line or a test (see `authenticate`) and opens a session.
    pub async fn login(&self, username: &str, password: &str) -> ServiceResult<NewSession> {
        self.login_from(username, password, &SignInClient::local())
            .await
    }

    /// Signs in and opens a web session: the sign-in page and `POST /api/v1/session` both.
    pub async fn login_from(
        &self,
        username: &str,
        password: &str,
        client: &SignInClient,
    ) -> ServiceResult<NewSession> {
        let SignedIn { actor, device } = self.sign_in(username, password, client).await?;
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
        Ok(NewSession {
            token,
            csrf,
            actor,
            device,
        })
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

    /// An unknown name must cost a full Argon2 check: a dummy hash that did not parse would be
    /// answered at once, and the time would tell which names exist.
    #[test]
    fn the_dummy_hash_parses_with_the_parameters_of_real_hashes() {
        let dummy = PasswordHash::new(DUMMY_HASH).expect("the dummy hash parses");
        let salt = SaltString::generate(&mut OsRng);
        let real = Argon2::default()
            .hash_password(b"any password", &salt)
            .expect("hashes");
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params);
        assert_eq!(
            dummy.hash.map(|h| h.len()),
            real.hash.map(|h| h.len()),
            "same output length"
        );
        // And the check runs to the end: a wrong password, not an unusable hash.
        let verified = Argon2::default().verify_password(b"shishi", &dummy);
        assert!(matches!(
            verified,
            Err(argon2::password_hash::Error::Password)
        ));
    }
}
