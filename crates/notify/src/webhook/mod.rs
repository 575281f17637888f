//! Webhooks: a generic signed JSON POST for the company's own systems, and the group robots of
//! WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书).
//!
//! [`prepare`] is pure: it builds exactly the request for one attempt at a given time, so the
//! formats and signatures are unit-tested without a network. [`WebhookClient`] sends it and
//! sorts the answer into success, [`Failure::Retry`] or [`Failure::Permanent`].

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, SecondsFormat};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use url::Url;

use crate::{Failure, Outgoing};

mod client;
#[cfg(test)]
mod tests;

pub use client::WebhookClient;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookKind {
    Generic,
    Wecom,
    Dingtalk,
    Feishu,
}

impl WebhookKind {
    pub const ALL: [WebhookKind; 4] = [
        WebhookKind::Generic,
        WebhookKind::Wecom,
        WebhookKind::Dingtalk,
        WebhookKind::Feishu,
    ];

    /// The stored code; the same text as the serde name.
    pub fn code(self) -> &'static str {
        match self {
            WebhookKind::Generic => "generic",
            WebhookKind::Wecom => "wecom",
            WebhookKind::Dingtalk => "dingtalk",
            WebhookKind::Feishu => "feishu",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// One configured endpoint. For WeCom the key is part of `url` and `secret` is unused; for
/// DingTalk and Feishu `secret` is the robot's signing secret (加签); for Generic it keys the
/// `X-Shishi-Signature` HMAC. An empty secret means unsigned.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub kind: WebhookKind,
    pub url: String,
    pub secret: String,
}

// Robot URLs carry their access key (WeCom `?key=`, DingTalk `?access_token=`, Feishu in the
// path), so neither the URL nor the secret may end up in a log line.
impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("kind", &self.kind)
            .field("url", &redacted_url(&self.url))
            .field(
                "secret",
                &if self.secret.is_empty() {
                    ""
                } else {
                    "<redacted>"
                },
            )
            .finish()
    }
}

/// Exactly what one attempt POSTs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

// Robots reject oversized messages for good, so long texts are cut (on a character boundary)
// below each documented limit instead: WeCom markdown 4096 bytes, DingTalk and Feishu 20 000
// bytes of request body.
const WECOM_MAX_CONTENT: usize = 4000;
const LARGE_ROBOT_MAX_TEXT: usize = 18000;
/// Subjects are one line; a runaway one must not eat the room meant for the text.
const MAX_SUBJECT: usize = 512;

type HmacSha256 = Hmac<Sha256>;

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// `sha256=<hex>` over `"{timestamp}.{body}"`, the value of `X-Shishi-Signature`.
pub fn sign_generic(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mac = hmac_sha256(secret.as_bytes(), &[timestamp.as_bytes(), b".", body]);
    format!("sha256={}", hex::encode(mac))
}

/// For receivers of the generic webhook: does `signature_header` (the `X-Shishi-Signature`
/// value) match `timestamp` (the `X-Shishi-Timestamp` value) and the raw body? Compares in
/// constant time. A receiver should also refuse timestamps far from its own clock, and may
/// drop repeats by `X-Shishi-Delivery`.
pub fn verify_generic(secret: &str, timestamp: &str, body: &[u8], signature_header: &str) -> bool {
    if secret.is_empty() {
        return false;
    }
    let Some(hex_sig) = signature_header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// DingTalk 加签: Base64(HMAC-SHA256(key = secret, message = "{ms}\n{secret}")), before URL
/// encoding (the query serializer does that).
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let to_sign = format!("{timestamp_ms}\n{secret}");
    BASE64.encode(hmac_sha256(secret.as_bytes(), &[to_sign.as_bytes()]))
}

/// Feishu 签名校验: Base64(HMAC-SHA256(key = "{seconds}\n{secret}", message = empty)).
pub fn feishu_sign(secret: &str, timestamp_secs: i64) -> String {
    let key = format!("{timestamp_secs}\n{secret}");
    BASE64.encode(hmac_sha256(key.as_bytes(), &[]))
}

#[derive(Serialize)]
struct GenericBody<'a> {
    id: &'a str,
    event: &'a str,
    subject: &'a str,
    text: &'a str,
    link: Option<&'a str>,
    sent_at: String,
}

#[derive(Serialize)]
struct WecomBody {
    msgtype: &'static str,
    markdown: WecomMarkdown,
}

#[derive(Serialize)]
struct WecomMarkdown {
    content: String,
}

#[derive(Serialize)]
struct DingtalkBody {
    msgtype: &'static str,
    markdown: DingtalkMarkdown,
}

#[derive(Serialize)]
struct DingtalkMarkdown {
    title: String,
    text: String,
}

#[derive(Serialize)]
struct FeishuBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sign: Option<String>,
    msg_type: &'static str,
    content: FeishuText,
}

#[derive(Serialize)]
struct FeishuText {
    text: String,
}

/// Builds exactly what will be POSTed at `now_ms` (epoch milliseconds). Pure: no clock, no
/// network. Errors are [`Failure::Permanent`]: a bad URL or a delivery id that cannot be a
/// header will not get better by waiting.
pub fn prepare(hook: &Webhook, msg: &Outgoing, now_ms: i64) -> Result<Prepared, Failure> {
    let mut url = parse_url(&hook.url)?;
    header_safe("delivery id", &msg.id)?;
    let secs = now_ms.div_euclid(1000);
    let secret = hook.secret.as_str();
    let link = msg.link.as_deref().map(str::trim).filter(|l| !l.is_empty());
    let mut headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        ("X-Shishi-Delivery".to_string(), msg.id.clone()),
    ];

    let body = match hook.kind {
        WebhookKind::Generic => {
            header_safe("event", &msg.event)?;
            let sent_at = DateTime::from_timestamp_millis(now_ms)
                .ok_or_else(|| Failure::Permanent(format!("time {now_ms} ms is out of range")))?
                .to_rfc3339_opts(SecondsFormat::Secs, true);
            let body = to_json(&GenericBody {
                id: &msg.id,
                event: &msg.event,
                subject: &msg.subject,
                text: &msg.text,
                link,
                sent_at,
            })?;
            let ts = secs.to_string();
            headers.push(("X-Shishi-Event".to_string(), msg.event.clone()));
            if !secret.is_empty() {
                headers.push((
                    "X-Shishi-Signature".to_string(),
                    sign_generic(secret, &ts, &body),
                ));
            }
            headers.push(("X-Shishi-Timestamp".to_string(), ts));
            body
        }
        WebhookKind::Wecom => {
            let mut content = format!("**{}**\n", truncate(&one_line(&msg.subject), MAX_SUBJECT));
            let link_md = link.map(|l| format!("\n[{l}]({l})")).unwrap_or_default();
            let room = WECOM_MAX_CONTENT.saturating_sub(content.len() + link_md.len());
            content.push_str(&truncate(msg.text.trim_end(), room));
            content.push_str(&link_md);
            to_json(&WecomBody {
                msgtype: "markdown",
                markdown: WecomMarkdown { content },
            })?
        }
        WebhookKind::Dingtalk => {
            if !secret.is_empty() {
                // A URL copied from an earlier signed request must not carry a stale signature.
                let kept: Vec<(String, String)> = url
                    .query_pairs()
                    .filter(|(k, _)| k != "timestamp" && k != "sign")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                url.query_pairs_mut()
                    .clear()
                    .extend_pairs(kept)
                    .append_pair("timestamp", &now_ms.to_string())
                    .append_pair("sign", &dingtalk_sign(secret, now_ms));
            }
            let title = truncate(&one_line(&msg.subject), MAX_SUBJECT);
            // DingTalk markdown joins single line breaks; a blank line keeps the author's lines.
            let text = truncate(
                &msg.text.trim_end().replace('\n', "\n\n"),
                LARGE_ROBOT_MAX_TEXT,
            );
            let mut md = format!("#### {title}\n\n{text}");
            if let Some(l) = link {
                md.push_str(&format!("\n\n[{l}]({l})"));
            }
            to_json(&DingtalkBody {
                msgtype: "markdown",
                markdown: DingtalkMarkdown { title, text: md },
            })?
        }
        WebhookKind::Feishu => {
            let mut text = format!(
                "{}\n{}",
                truncate(&one_line(&msg.subject), MAX_SUBJECT),
                truncate(msg.text.trim_end(), LARGE_ROBOT_MAX_TEXT)
            );
            if let Some(l) = link {
                text.push('\n');
                text.push_str(l);
            }
            let (timestamp, sign) = if secret.is_empty() {
                (None, None)
            } else {
                (Some(secs.to_string()), Some(feishu_sign(secret, secs)))
            };
            to_json(&FeishuBody {
                timestamp,
                sign,
                msg_type: "text",
                content: FeishuText { text },
            })?
        }
    };
    Ok(Prepared {
        url: url.into(),
        headers,
        body,
    })
}

fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, Failure> {
    serde_json::to_vec(value)
        .map_err(|e| Failure::Permanent(format!("cannot encode the webhook body: {e}")))
}

fn parse_url(raw: &str) -> Result<Url, Failure> {
    // The URL's own text is left out of the messages: it usually holds the robot's key.
    let url = Url::parse(raw.trim())
        .map_err(|e| Failure::Permanent(format!("the webhook URL is not valid ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Failure::Permanent(format!(
            "the webhook URL must be http:// or https:// with a host, not {}",
            redacted_url(raw)
        )));
    }
    Ok(url)
}

/// Header values must be visible ASCII; anything else would make the request unsendable.
fn header_safe(what: &str, value: &str) -> Result<(), Failure> {
    if value.trim().is_empty() {
        return Err(Failure::Permanent(format!("the {what} is empty")));
    }
    if value.chars().all(|c| c == ' ' || c.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(Failure::Permanent(format!(
            "the {what} {value:?} is not plain ASCII, so it cannot go into a header"
        )))
    }
}

fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// At most `max` bytes, cut at a character boundary, with `…` when something was dropped.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let ellipsis = "…";
    let mut end = max.saturating_sub(ellipsis.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ellipsis}", &s[..end])
}

/// `scheme://host[:port]/…`: enough for an administrator to tell which endpoint is meant,
/// without the path or query where robots keep their keys.
pub(crate) fn redacted_url(raw: &str) -> String {
    match Url::parse(raw.trim()) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{}://{h}:{p}/…", u.scheme()),
            (Some(h), None) => format!("{}://{h}/…", u.scheme()),
            (None, _) => format!("{}:…", u.scheme()),
        },
        Err(_) => "(unparsable URL)".to_string(),
    }
}
