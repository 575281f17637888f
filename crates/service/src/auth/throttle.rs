//! Slowing down password guessing without letting anyone lock an owner out, after OWASP's
//! "Slow Down Online Guessing Attacks with Device Cookies".
//!
//! A successful sign-in gives the browser a device cookie signed for that account. An attempt
//! that brings a valid device cookie for the account it names is counted on that device alone;
//! every other attempt is counted on the client's address and on the account name. Each count
//! runs free up to a number of attempts and then locks its key for a time that doubles with
//! every further attempt, up to a cap. So a stranger's guesses lock the account for strangers,
//! while its owner, on a browser that signed in before, still gets in.
//!
//! Counts live in the database (`signin_throttle`), so several servers share them, and they
//! are taken before the password is checked: a burst of simultaneous guesses is counted in
//! full, and a success gives its count back. Account names are counted whether or not such an
//! account exists, so both answer alike.

use std::net::IpAddr;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use shishi_store::AnyConnection;
use shishi_store::users;

use crate::ServiceResult;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// How many attempts a key allows before it locks, and how long a quiet key is remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub free: i64,
    pub forget_ms: i64,
}

/// Attempts on one account name from clients it does not trust.
pub const ACCOUNT: Limit = Limit {
    free: super::FREE_ATTEMPTS,
    forget_ms: DAY,
};
/// Attempts from one trusted device on its account.
pub const DEVICE: Limit = Limit {
    free: super::FREE_ATTEMPTS,
    forget_ms: DAY,
};
/// Attempts from one client address on any accounts: generous, because a whole office may
/// sit behind one address, and quick to forget.
pub const ADDRESS: Limit = Limit {
    free: 30,
    forget_ms: HOUR,
};

/// How long a device cookie stays good.
pub const DEVICE_TTL_MS: i64 = 365 * DAY;
const LOCK_BASE_MS: i64 = 30_000;
const LOCK_CAP_MS: i64 = 15 * MINUTE;

impl Limit {
    /// How long the key stays locked once `attempts` have been counted: nothing while free,
    /// then 30 s, doubling with every attempt, at most 15 minutes.
    pub fn lock_ms(&self, attempts: i64) -> i64 {
        if attempts < self.free {
            return 0;
        }
        let step = (attempts - self.free).min(5) as u32;
        (LOCK_BASE_MS * 2i64.pow(step)).min(LOCK_CAP_MS)
    }
}

/// The key of a client address. IPv6 clients are counted by their /64, which one subscriber
/// usually holds whole; an IPv4 address mapped into IPv6 counts as itself.
pub fn address_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => format!("addr:{v4}"),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("addr:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// The key of an account name as typed (normalised): hashed, so that a password typed into
/// the name field is not kept readable.
pub fn account_key(name: &str) -> String {
    format!("account:{}", hex::encode(Sha256::digest(name.as_bytes())))
}

pub fn device_key(nonce: &str) -> String {
    format!("device:{nonce}")
}

type HmacSha256 = Hmac<Sha256>;

fn device_mac(secret: &[u8], name: &str, issued: i64, nonce: &str) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret).ok()?;
    mac.update(format!("shishi-device:v1\n{name}\n{issued}\n{nonce}").as_bytes());
    Some(mac)
}

/// A device cookie for `name`: `issued.nonce.signature`.
pub fn issue_device(secret: &[u8], name: &str, now: i64) -> String {
    let nonce = &super::random_token()[..32];
    let sig = device_mac(secret, name, now, nonce)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    format!("{now}.{nonce}.{sig}")
}

/// The nonce of a device cookie that `secret` signed for `name` and that has not expired.
pub fn trusted_device(secret: &[u8], name: &str, cookie: &str, now: i64) -> Option<String> {
    let mut parts = cookie.trim().splitn(3, '.');
    let issued: i64 = parts.next()?.parse().ok()?;
    let nonce = parts.next()?;
    let sig = hex::decode(parts.next()?).ok()?;
    if nonce.is_empty() || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    if issued > now || now - issued > DEVICE_TTL_MS {
        return None;
    }
    // `verify_slice` compares in constant time.
    device_mac(secret, name, issued, nonce)?
        .verify_slice(&sig)
        .ok()?;
    Some(nonce.to_string())
}

/// Counts one attempt under each key, in one transaction. `Err(seconds)` when any key is
/// locked: nothing is counted then, and the caller rolls back.
pub async fn reserve(
    conn: &mut AnyConnection,
    keys: &[(String, Limit)],
    now: i64,
) -> ServiceResult<Result<Vec<i64>, i64>> {
    let mut counts = Vec::with_capacity(keys.len());
    let mut wait = 0i64;
    for (key, limit) in keys {
        match users::reserve_attempt(conn, key, now, now - limit.forget_ms).await? {
            Some(n) => {
                let lock = limit.lock_ms(n);
                if lock > 0 {
                    users::lock_throttle(conn, key, now + lock).await?;
                }
                counts.push(n);
            }
            None => {
                let until = users::throttle_locked_until(conn, key).await?;
                wait = wait.max(seconds_until(until, now));
            }
        }
    }
    Ok(if wait > 0 { Err(wait) } else { Ok(counts) })
}

/// Whole seconds to wait, rounded up, at least one.
pub fn seconds_until(until: i64, now: i64) -> i64 {
    ((until - now + 999) / 1000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_grow_and_cap() {
        assert_eq!(ACCOUNT.lock_ms(4), 0);
        assert_eq!(ACCOUNT.lock_ms(5), 30_000);
        assert_eq!(ACCOUNT.lock_ms(6), 60_000);
        assert_eq!(ACCOUNT.lock_ms(50), 15 * 60_000);
        assert_eq!(ADDRESS.lock_ms(29), 0);
        assert_eq!(ADDRESS.lock_ms(30), 30_000);
    }

    #[test]
    fn addresses_key_by_client_and_ipv6_by_its_64() {
        let k = |s: &str| address_key(s.parse().unwrap());
        assert_eq!(k("10.1.2.3"), "addr:10.1.2.3");
        assert_eq!(k("::ffff:10.1.2.3"), "addr:10.1.2.3");
        assert_eq!(k("2001:db8:1:2:aaaa::1"), k("2001:db8:1:2:bbbb::9"));
        assert_ne!(k("2001:db8:1:2::1"), k("2001:db8:1:3::1"));
    }

    #[test]
    fn a_device_cookie_holds_for_its_account_only_and_not_forever() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let now = 1_800_000_000_000;
        let cookie = issue_device(secret, "leader", now);
        let nonce = trusted_device(secret, "leader", &cookie, now + 1000).expect("trusted");
        assert_eq!(nonce.len(), 32);
        assert!(trusted_device(secret, "member", &cookie, now).is_none());
        assert!(trusted_device(b"another key", "leader", &cookie, now).is_none());
        assert!(trusted_device(secret, "leader", &cookie, now + DEVICE_TTL_MS + 1).is_none());
        // Any change to the cookie breaks its signature.
        let (head, sig) = cookie.rsplit_once('.').unwrap();
        let mut forged = sig.to_string();
        forged.replace_range(0..1, if sig.starts_with('0') { "1" } else { "0" });
        assert!(trusted_device(secret, "leader", &format!("{head}.{forged}"), now).is_none());
        let later = cookie.replacen(&now.to_string(), &(now + 5).to_string(), 1);
        assert!(trusted_device(secret, "leader", &later, now + 10).is_none());
        for junk in ["", "x", "1.2", "a.b.c", "1..00"] {
            assert!(
                trusted_device(secret, "leader", junk, now).is_none(),
                "{junk}"
            );
        }
    }
}
