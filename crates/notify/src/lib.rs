//! Notification transports for shishi: e-mail over SMTP and chat-robot / generic webhooks.
//!
//! This crate only knows how to put one message on the wire and how to tell a failure worth
//! retrying from one that never will work as configured. It has no storage on purpose: the
//! durable outbox (what to send to whom, attempts, backoff, giving up) lives in
//! `shishi-service`, which calls [`email::Mailer::send`] and [`webhook::WebhookClient::send`]
//! once per attempt and records the returned [`Failure`].
//!
//! The `id` of an [`Outgoing`] is the delivery id of the outbox row. It stays the same across
//! retries, so a receiver can recognise a repeat: it is the local part of the e-mail
//! `Message-ID` and the `X-Shishi-Delivery` header of every webhook.
//!
//! TLS is rustls with the ring provider only (the program allows exactly one crypto provider).
//! Nothing here needs a process-wide default provider: the webhook client is given a rustls
//! configuration built with ring, and lettre falls back to ring (the only provider compiled in)
//! when no default is installed. Certificates are checked against the operating system's
//! trust store, plus an optional extra CA file, with the bundled Mozilla roots standing in
//! when the system has no store at all.

use std::fmt;

use serde::{Deserialize, Serialize};

pub mod email;
mod tls;
pub mod webhook;

/// One message to deliver; `id` is the delivery id, stable across retries (used as e-mail
/// Message-ID local part and as the webhook idempotency header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    pub id: String,
    /// A machine-readable event name such as `matter.overdue`; it goes into a header, so it
    /// must be plain ASCII.
    pub event: String,
    pub subject: String,
    pub text: String,
    pub link: Option<String>,
}

/// Why a delivery failed.
///
/// `Retry`: try again later with backoff (network error, timeout, HTTP 5xx, 408, 429, SMTP 4xx,
/// robot rate limit). `Permanent`: will never work as configured (SMTP 5xx, HTTP 4xx other than
/// 408/429, bad URL, certificate not trusted, invalid key or signature reported by a robot).
/// The messages are meant for an administrator and never contain passwords, secrets or
/// robot keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Retry(String),
    Permanent(String),
}

impl Failure {
    pub fn is_retry(&self) -> bool {
        matches!(self, Failure::Retry(_))
    }

    pub fn message(&self) -> &str {
        match self {
            Failure::Retry(m) | Failure::Permanent(m) => m,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Retry(m) => write!(f, "temporary failure, will retry: {m}"),
            Failure::Permanent(m) => write!(f, "permanent failure: {m}"),
        }
    }
}

impl std::error::Error for Failure {}

/// Joins an error and its sources into one line, skipping a source whose text the previous
/// message already contains (many wrappers repeat their cause).
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        let s = e.to_string();
        if !s.is_empty() && !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        source = e.source();
    }
    // Some libraries print their kind in front of a cause that already starts with it
    // ("Connection error: Connection error: …"); say it once.
    let mut parts: Vec<&str> = Vec::new();
    for part in out.split(": ") {
        if parts.last() != Some(&part) {
            parts.push(part);
        }
    }
    parts.join(": ")
}
