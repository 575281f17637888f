//! Limits on clients: the public form's flood limit (in this process: enough for a person,
//! too little for a flood), and what a sign-in attempt tells the service about its client for
//! the sign-in throttle, which lives in the database (`shishi_service::auth::throttle`).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderValue};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use shishi_service::auth::SignInClient;

/// Marks a browser or client that signed in to an account before: its attempts on that
/// account are counted apart from strangers'.
pub const DEVICE_COOKIE: &str = "shishi_device";

/// The client of a sign-in attempt: the connection's address and the device cookie. The
/// address is the peer of the TCP connection; behind a reverse proxy that is the proxy.
pub fn signin_client(addr: SocketAddr, jar: &CookieJar) -> SignInClient {
    SignInClient {
        addr: addr.ip(),
        device: jar.get(DEVICE_COOKIE).map(|c| c.value().to_string()),
    }
}

/// The device cookie a successful sign-in sets; it outlives sign-out.
pub fn device_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((DEVICE_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time::Duration::milliseconds(
            shishi_service::auth::throttle::DEVICE_TTL_MS,
        ))
        .build()
}

/// `Retry-After` for a 429: whole seconds, at least one.
pub fn retry_after(headers: &mut HeaderMap, seconds: i64) {
    headers.insert(RETRY_AFTER, HeaderValue::from(seconds.max(1)));
}

pub struct RateLimiter {
    window: Duration,
    max: u32,
    hits: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(max: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            window,
            max,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request; `Err(seconds)` tells how long to wait when over the limit.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(mut hits) = self.hits.lock() else {
            return Ok(());
        };
        if hits.len() > 10_000 {
            // Forget finished windows so the map stays small under a spray of addresses.
            hits.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = hits.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.max {
            let wait = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_the_limit_waits() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(l.check(ip).is_ok());
        assert!(l.check(ip).is_ok());
        assert!(l.check(ip).is_err());
        assert!(l.check(other).is_ok(), "another client is not held back");
    }
}
