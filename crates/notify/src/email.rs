//! E-mail over SMTP: implicit TLS (465), STARTTLS (587) or a plain internal relay (25), with
//! optional AUTH. One connection per message: notifications are few, and a fresh connection
//! never trips over a relay that silently dropped an idle one.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::{Failure, Outgoing, error_chain, tls};

/// The `[smtp]` settings. An empty `host` means e-mail is off.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `实事系统 <shishi@example.com>` or a bare address.
    pub from: String,
    /// An extra PEM root for internal relays with their own CA; the system store stays trusted.
    pub ca_file: Option<PathBuf>,
    pub timeout_secs: u64,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: String::new(),
            port: 587,
            security: Security::StartTls,
            username: None,
            password: None,
            from: String::new(),
            ca_file: None,
            timeout_secs: 20,
        }
    }
}

// Written by hand so that logging a configuration never prints the password.
impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .field("ca_file", &self.ca_file)
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

impl SmtpConfig {
    pub fn enabled(&self) -> bool {
        !self.host.trim().is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// Implicit TLS from the first byte, usually port 465.
    Tls,
    /// Plain connection upgraded with STARTTLS, usually port 587. The upgrade is required:
    /// a server that does not offer it is an error, never a silent plain-text fallback.
    #[default]
    #[serde(alias = "starttls")]
    StartTls,
    /// No encryption, for a relay inside the company network, usually port 25.
    None,
}

/// Sends notification e-mails with one [`SmtpConfig`]. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The right-hand side of every Message-ID: the sender's domain, so the ids are ours.
    id_domain: String,
    /// Lettre's timeout applies to each network operation; this bounds the whole exchange, so
    /// a server that answers slowly line by line cannot hold an outbox worker for ever.
    deadline: Duration,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// Checks the configuration and prepares the transport; no connection is made yet. An error
    /// names the offending field, e.g. `smtp.from: not an e-mail address: "…"`.
    pub fn new(cfg: &SmtpConfig) -> Result<Mailer, String> {
        let host = cfg.host.trim();
        if host.is_empty() {
            return Err("smtp.host: not set (e-mail is off)".into());
        }
        if cfg.port == 0 {
            return Err("smtp.port: must be between 1 and 65535".into());
        }
        if cfg.timeout_secs == 0 {
            return Err("smtp.timeout_secs: must be at least 1".into());
        }
        let from: Mailbox = cfg
            .from
            .trim()
            .parse()
            .map_err(|_| format!("smtp.from: not an e-mail address: {:?}", cfg.from))?;
        let id_domain = from.email.domain().to_string();

        let tls = match cfg.security {
            Security::Tls => Tls::Wrapper(tls_parameters(host, cfg.ca_file.as_deref())?),
            Security::StartTls => Tls::Required(tls_parameters(host, cfg.ca_file.as_deref())?),
            Security::None => Tls::None,
        };
        let timeout = Duration::from_secs(cfg.timeout_secs);
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(cfg.port)
            .tls(tls)
            .timeout(Some(timeout));

        let username = cfg.username.as_deref().filter(|u| !u.is_empty());
        let password = cfg.password.as_deref().filter(|p| !p.is_empty());
        match (username, password) {
            (Some(user), Some(pass)) => {
                builder = builder
                    .credentials(Credentials::new(user.to_string(), pass.to_string()))
                    .authentication(vec![Mechanism::Plain, Mechanism::Login]);
            }
            (Some(_), None) => {
                return Err("smtp.password: required when smtp.username is set".into());
            }
            (None, Some(_)) => {
                return Err("smtp.username: required when smtp.password is set".into());
            }
            (None, None) => {}
        }

        Ok(Mailer {
            transport: builder.build(),
            from,
            id_domain,
            deadline: timeout.saturating_mul(3),
        })
    }

    /// Sends `msg` to one recipient. Safe to call again with the same `msg` after a
    /// [`Failure::Retry`]: the Message-ID is the same, so a repeat is recognisable.
    pub async fn send(&self, to: &str, msg: &Outgoing) -> Result<(), Failure> {
        let email = self.compose(to, msg)?;
        match tokio::time::timeout(self.deadline, self.transport.send(email)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(classify(&e)),
            Err(_) => Err(Failure::Retry(format!(
                "the mail server did not finish within {} s",
                self.deadline.as_secs()
            ))),
        }
    }

    fn compose(&self, to: &str, msg: &Outgoing) -> Result<Message, Failure> {
        let rcpt: Mailbox = to.trim().parse().map_err(|_| {
            Failure::Permanent(format!("recipient {to:?} is not an e-mail address"))
        })?;
        if msg.id.trim().is_empty() {
            return Err(Failure::Permanent("the delivery id is empty".into()));
        }
        Message::builder()
            .from(self.from.clone())
            .to(rcpt)
            .subject(one_line(&msg.subject))
            .message_id(Some(format!("<{}@{}>", id_atom(&msg.id), self.id_domain)))
            .header(ContentType::TEXT_PLAIN)
            .body(body_text(msg))
            .map_err(|e| Failure::Permanent(format!("cannot build the e-mail: {e}")))
    }
}

fn tls_parameters(host: &str, ca_file: Option<&Path>) -> Result<TlsParameters, String> {
    let extra = match ca_file {
        Some(path) => {
            let (pem, _) = tls::read_pem_file(path, "smtp.ca_file")?;
            let cert = Certificate::from_pem(&pem)
                .map_err(|e| format!("smtp.ca_file: {}: {e}", path.display()))?;
            Some(cert)
        }
        None => None,
    };
    let build = |store: CertificateStore| {
        let mut b = TlsParameters::builder(host.to_string()).certificate_store(store);
        if let Some(cert) = &extra {
            b = b.add_root_certificate(cert.clone());
        }
        b.build_rustls()
    };
    // The system store is where a company installs its CA; a minimal container has none, and
    // the bundled Mozilla roots still let a public mail provider work there.
    build(CertificateStore::Default)
        .or_else(|e| {
            tracing::warn!("smtp: system CA store unusable ({e}); using the bundled roots");
            build(CertificateStore::WebpkiRoots)
        })
        .map_err(|e| format!("smtp: cannot set up TLS for {host}: {}", error_chain(&e)))
}

/// Header fields are one line; a stray line break from user text must not end the header.
fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// RFC 5322 `dot-atom-text` characters only, mapped one-to-one so the same delivery id always
/// gives the same Message-ID.
fn id_atom(id: &str) -> String {
    id.trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn body_text(msg: &Outgoing) -> String {
    let mut body = msg.text.trim_end().to_string();
    if let Some(link) = msg.link.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        body.push_str(link);
    }
    body.push('\n');
    body
}

fn classify(e: &lettre::transport::smtp::Error) -> Failure {
    let text = error_chain(e);
    if e.is_permanent() {
        Failure::Permanent(format!("the mail server refused: {text}"))
    } else if e.is_transient() {
        Failure::Retry(format!("the mail server deferred: {text}"))
    } else if tls::is_certificate_error(e) {
        Failure::Permanent(format!(
            "the mail server's certificate is not trusted: {text} (a private CA goes in smtp.ca_file)"
        ))
    } else if e.is_client() {
        // Lettre's client errors are mismatches between configuration and server, such as no
        // STARTTLS offered or no common AUTH mechanism: they repeat until someone changes one.
        Failure::Permanent(format!("the mail server does not fit the settings: {text}"))
    } else {
        Failure::Retry(format!("cannot talk to the mail server: {text}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: 2525,
            security: Security::None,
            from: "实事系统 <shishi@example.com>".into(),
            ..SmtpConfig::default()
        }
    }

    fn outgoing() -> Outgoing {
        Outgoing {
            id: "d-42".into(),
            event: "matter.overdue".into(),
            subject: "实事逾期提醒：路灯维修\r\nBcc: evil@example.com".into(),
            text: "第3号实事已逾期，请尽快处理。".into(),
            link: Some("https://shishi.example.com/matters/3".into()),
        }
    }

    #[test]
    fn defaults_and_serde_names() {
        let d = SmtpConfig::default();
        assert!(!d.enabled());
        assert_eq!(
            (d.port, d.security, d.timeout_secs),
            (587, Security::StartTls, 20)
        );
        let parsed: SmtpConfig =
            serde_json::from_str(r#"{"host":"smtp.example.com","security":"tls","port":465}"#)
                .unwrap();
        assert!(parsed.enabled());
        assert_eq!(parsed.security, Security::Tls);
        assert_eq!(parsed.timeout_secs, 20);
        let names: Vec<String> = [Security::Tls, Security::StartTls, Security::None]
            .iter()
            .map(|s| serde_json::to_string(s).unwrap())
            .collect();
        assert_eq!(names, [r#""tls""#, r#""start_tls""#, r#""none""#]);
        let alias: Security = serde_json::from_str(r#""starttls""#).unwrap();
        assert_eq!(alias, Security::StartTls);
    }

    #[test]
    fn debug_hides_the_password() {
        let c = SmtpConfig {
            password: Some("hunter2-秘密".into()),
            ..cfg()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn new_names_the_bad_field() {
        let err = |c: SmtpConfig| Mailer::new(&c).unwrap_err();
        assert!(err(SmtpConfig::default()).starts_with("smtp.host:"));
        assert!(
            err(SmtpConfig {
                from: "not an address".into(),
                ..cfg()
            })
            .starts_with("smtp.from: not an e-mail address")
        );
        assert!(
            err(SmtpConfig {
                from: String::new(),
                ..cfg()
            })
            .starts_with("smtp.from:")
        );
        assert!(
            err(SmtpConfig {
                timeout_secs: 0,
                ..cfg()
            })
            .starts_with("smtp.timeout_secs:")
        );
        assert!(
            err(SmtpConfig {
                username: Some("u".into()),
                ..cfg()
            })
            .starts_with("smtp.password:")
        );
        let missing = SmtpConfig {
            security: Security::StartTls,
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..cfg()
        };
        assert!(err(missing).starts_with("smtp.ca_file: cannot read /nonexistent/ca.pem"));
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate").unwrap();
        let e = err(SmtpConfig {
            security: Security::Tls,
            ca_file: Some(junk),
            ..cfg()
        });
        assert!(
            e.starts_with("smtp.ca_file:") && e.contains("no PEM certificate"),
            "{e}"
        );
        assert!(
            Mailer::new(&SmtpConfig {
                from: "shishi@example.com".into(),
                ..cfg()
            })
            .is_ok()
        );
    }

    #[test]
    fn composed_message_is_deterministic_utf8_plain_text() {
        let mailer = Mailer::new(&cfg()).unwrap();
        let raw = String::from_utf8(
            mailer
                .compose("张三 <zhangsan@example.org>", &outgoing())
                .unwrap()
                .formatted(),
        )
        .unwrap();
        assert!(raw.contains("Message-ID: <d-42@example.com>\r\n"), "{raw}");
        assert!(
            raw.contains("Content-Type: text/plain; charset=utf-8"),
            "{raw}"
        );
        assert!(raw.contains("To: =?utf-8?"), "{raw}");
        // The line break in the subject is folded away instead of starting a new header.
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
        assert!(raw.contains("Subject: =?utf-8?"), "{raw}");
        assert!(
            !raw.contains("实事"),
            "non-ASCII must be encoded on the wire: {raw}"
        );
        let again = mailer.compose("zhangsan@example.org", &outgoing()).unwrap();
        assert_eq!(
            again.headers().get_raw("Message-ID"),
            Some("<d-42@example.com>")
        );
    }

    #[test]
    fn bad_recipient_and_odd_ids() {
        let mailer = Mailer::new(&cfg()).unwrap();
        let e = mailer.compose("nobody", &outgoing()).unwrap_err();
        assert!(matches!(e, Failure::Permanent(_)), "{e}");
        let odd = Outgoing {
            id: "出 7/8 x".into(),
            ..outgoing()
        };
        let m = mailer.compose("a@example.org", &odd).unwrap();
        assert_eq!(
            m.headers().get_raw("Message-ID"),
            Some("<--7/8-x@example.com>")
        );
        let empty = Outgoing {
            id: " ".into(),
            ..outgoing()
        };
        assert!(matches!(
            mailer.compose("a@example.org", &empty),
            Err(Failure::Permanent(_))
        ));
    }

    #[test]
    fn body_appends_the_link_on_its_own_line() {
        assert_eq!(
            body_text(&outgoing()),
            "第3号实事已逾期，请尽快处理。\n\nhttps://shishi.example.com/matters/3\n"
        );
        let no_link = Outgoing {
            link: None,
            ..outgoing()
        };
        assert_eq!(body_text(&no_link), "第3号实事已逾期，请尽快处理。\n");
    }
}
