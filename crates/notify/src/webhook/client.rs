//! Sending a [`Prepared`] request and sorting the answer into success, retry or give up.

use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use super::{Webhook, WebhookKind, prepare, redacted_url, truncate};
use crate::{Failure, Outgoing, error_chain, tls};

/// Answers are read only to find the robot's result code; a receiver that streams more is
/// cut off rather than allowed to fill memory.
const MAX_ANSWER: usize = 64 * 1024;

/// Sends webhooks. Cheap to clone (one connection pool shared by the clones).
#[derive(Clone, Debug)]
pub struct WebhookClient {
    http: reqwest::Client,
    timeout: Duration,
}

impl WebhookClient {
    /// `timeout` bounds each whole attempt: connect, send and read the answer.
    pub fn new(timeout: Duration) -> Result<WebhookClient, String> {
        Self::with_ca_file(timeout, None)
    }

    /// Like [`WebhookClient::new`], also trusting the CA certificates of a PEM file, for a
    /// generic webhook on an internal server with the company's own CA.
    pub fn with_ca_file(
        timeout: Duration,
        ca_file: Option<&Path>,
    ) -> Result<WebhookClient, String> {
        if timeout.is_zero() {
            return Err("webhook timeout: must be more than zero".into());
        }
        let extra = match ca_file {
            Some(path) => tls::read_pem_file(path, "webhook ca_file")?.1,
            None => Vec::new(),
        };
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls::client_config(extra)?)
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            // A redirected POST turns into a GET on most servers and the message is lost; a
            // configured URL that redirects is a configuration error to report instead.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("shishi-notify/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("webhook client: {}", error_chain(&e)))?;
        Ok(WebhookClient { http, timeout })
    }

    /// One attempt at `now_ms`. Retrying later with a new `now_ms` re-signs the request; the
    /// `X-Shishi-Delivery` header stays the delivery id.
    pub async fn send(&self, hook: &Webhook, msg: &Outgoing, now_ms: i64) -> Result<(), Failure> {
        let prepared = prepare(hook, msg, now_ms)?;
        let place = redacted_url(&prepared.url);
        let mut request = self.http.post(prepared.url.as_str());
        for (name, value) in &prepared.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let mut response = request
            .body(prepared.body)
            .send()
            .await
            .map_err(|e| self.transport_failure(e, &place))?;
        let status = response.status();
        let mut answer = Vec::new();
        let read = loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = MAX_ANSWER - answer.len();
                    answer.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    if answer.len() >= MAX_ANSWER {
                        break Ok(());
                    }
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        if let Err(e) = read {
            // A generic receiver has said all it needs to with the status; a robot's verdict
            // is in the body, so without it the outcome is unknown.
            if !(hook.kind == WebhookKind::Generic && status.is_success()) {
                return Err(self.transport_failure(e, &place));
            }
        }
        judge(hook.kind, status, &answer, &place)
    }

    fn transport_failure(&self, e: reqwest::Error, place: &str) -> Failure {
        // reqwest puts the full URL, robot key included, into its messages.
        let e = e.without_url();
        let text = error_chain(&e);
        if tls::is_certificate_error(&e) {
            Failure::Permanent(format!("the certificate of {place} is not trusted: {text}"))
        } else if e.is_builder() {
            Failure::Permanent(format!("cannot build a request for {place}: {text}"))
        } else if e.is_timeout() {
            Failure::Retry(format!(
                "{place} did not answer within {} ms",
                self.timeout.as_millis()
            ))
        } else if e.is_connect() {
            Failure::Retry(format!("cannot connect to {place}: {text}"))
        } else {
            Failure::Retry(format!("the request to {place} failed: {text}"))
        }
    }
}

/// The verdict on an answer. Pure, so every branch is unit-tested.
pub(crate) fn judge(
    kind: WebhookKind,
    status: StatusCode,
    body: &[u8],
    place: &str,
) -> Result<(), Failure> {
    let snippet = || {
        let s: String = String::from_utf8_lossy(body)
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        truncate(s.trim(), 300)
    };
    if status.is_redirection() {
        return Err(Failure::Permanent(format!(
            "{place} answered HTTP {status} (a redirect); configure the final URL instead"
        )));
    }
    if status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
    {
        return Err(Failure::Retry(format!(
            "{place} answered HTTP {status}: {}",
            snippet()
        )));
    }
    if kind == WebhookKind::Generic {
        return if status.is_success() {
            Ok(())
        } else if status.is_client_error() {
            Err(Failure::Permanent(format!(
                "{place} answered HTTP {status}: {}",
                snippet()
            )))
        } else {
            Err(Failure::Retry(format!(
                "{place} answered HTTP {status}: {}",
                snippet()
            )))
        };
    }

    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let code_and_message = parsed.as_ref().and_then(|v| robot_result(kind, v));
    match code_and_message {
        Some((0, _)) if status.is_success() => Ok(()),
        Some((code, message)) if code != 0 => {
            let text = format!(
                "{place} answered {} {code}: {}",
                code_field(kind),
                truncate(&message, 300)
            );
            if robot_code_is_permanent(kind, code) {
                Err(Failure::Permanent(text))
            } else {
                Err(Failure::Retry(text))
            }
        }
        _ if status.is_client_error() => Err(Failure::Permanent(format!(
            "{place} answered HTTP {status}: {}",
            snippet()
        ))),
        // A 200 without the robot's result code is usually a proxy or captive portal in the
        // way; the message probably did not arrive, so it is worth another try.
        _ => Err(Failure::Retry(format!(
            "{place} answered HTTP {status} without a {} result: {}",
            code_field(kind),
            snippet()
        ))),
    }
}

fn code_field(kind: WebhookKind) -> &'static str {
    match kind {
        WebhookKind::Feishu => "code",
        _ => "errcode",
    }
}

/// The robot's result code and message. Feishu answers `{"code":0,"msg":…}`, or on its older
/// endpoint `{"StatusCode":0,"StatusMessage":…}`.
fn robot_result(kind: WebhookKind, v: &Value) -> Option<(i64, String)> {
    let text = |key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    match kind {
        WebhookKind::Generic => None,
        WebhookKind::Wecom | WebhookKind::Dingtalk => {
            v.get("errcode")?.as_i64().map(|c| (c, text("errmsg")))
        }
        WebhookKind::Feishu => match v.get("code").and_then(Value::as_i64) {
            Some(c) => Some((c, text("msg"))),
            None => v
                .get("StatusCode")?
                .as_i64()
                .map(|c| (c, text("StatusMessage"))),
        },
    }
}

/// Codes that say the robot will refuse this configuration every time: a wrong or deleted
/// key, a failed signature, an IP allow-list or keyword rule, a malformed or oversized
/// message. Everything else, rate limits and "system busy" (-1) among them, is retried:
/// robots add codes without notice, and retrying an unknown code with backoff costs little
/// while wrongly giving up silently loses a notification; the outbox's attempt limit still
/// ends a hopeless delivery.
fn robot_code_is_permanent(kind: WebhookKind, code: i64) -> bool {
    match kind {
        WebhookKind::Generic => false,
        // 40008 invalid message type, 44004 empty content, 93000 invalid webhook URL or key.
        // Rate limit 45009 and busy -1 are retried.
        WebhookKind::Wecom => matches!(code, 40008 | 44004 | 93000),
        // 300001 token does not exist, 310000 keyword / signature / IP allow-list refused,
        // 460101 and 101002 message too long. Rate limits 130101 and 410100 are retried.
        WebhookKind::Dingtalk => matches!(code, 300001 | 310000 | 460101 | 101002),
        // 19001 invalid webhook token, 19021 bad signature or timestamp older than an hour,
        // 19022 IP not allowed, 19024 keyword missing. 9499 and 11232 (rate limits) are retried.
        WebhookKind::Feishu => matches!(code, 19001 | 19021 | 19022 | 19024),
    }
}
