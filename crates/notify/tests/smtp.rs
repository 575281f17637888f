//! E-mail against a real SMTP server on loopback: aiosmtpd, driven by `tests/smtp_sink.py`.
//! Needs `python3` with aiosmtpd (`python3 -m pip install aiosmtpd`; `scripts/test.sh` installs it).

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use shishi_notify::email::{Mailer, Security, SmtpConfig};
use shishi_notify::{Failure, Outgoing};
use tempfile::TempDir;

const FROM: &str = "实事系统 <shishi@example.com>";
const SUBJECT: &str = "【实事提醒】“路灯维修”已逾期 3 个工作日";
const TEXT: &str = "您负责的实事“人民路路灯维修”已超过完成时限，请尽快处理并上传佐证材料。\n谢谢！";
const LINK: &str = "https://shishi.example.com/matters/17";

fn message(id: &str) -> Outgoing {
    Outgoing {
        id: id.to_string(),
        event: "matter.overdue".into(),
        subject: SUBJECT.into(),
        text: TEXT.into(),
        link: Some(LINK.into()),
    }
}

/// The aiosmtpd process; killed when the test ends, however it ends.
struct Sink {
    child: Child,
    port: u16,
    dir: TempDir,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sink {
    fn start(mode: &str, pki: Option<&common::Pki>, auth: Option<&str>) -> Sink {
        let has_aiosmtpd = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            has_aiosmtpd,
            "the SMTP tests need python3 with aiosmtpd, which is missing: \
             run `python3 -m pip install aiosmtpd` (scripts/test.sh installs it in target/test-python and runs the tests with it)"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_sink.py");
        let mut cmd = Command::new("python3");
        cmd.arg(script)
            .arg("--dir")
            .arg(dir.path())
            .args(["--mode", mode]);
        if let Some(pki) = pki {
            cmd.arg("--cert")
                .arg(&pki.cert_pem)
                .arg("--key")
                .arg(&pki.key_pem);
        }
        if let Some(auth) = auth {
            cmd.args(["--auth", auth]);
        }
        let stderr = File::create(dir.path().join("stderr.log")).expect("log file");
        // stdin stays open for the sink's lifetime: the script exits when it closes.
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("python3 starts");
        let mut first = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        let _ = BufReader::new(stdout).read_line(&mut first);
        let Ok(port) = first.trim().parse() else {
            let _ = child.kill();
            let log = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap_or_default();
            panic!("smtp_sink.py did not start ({first:?}):\n{log}");
        };
        Sink { child, port, dir }
    }

    fn messages(&self) -> Vec<Value> {
        let path = self.dir.path().join("messages.jsonl");
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect()
    }

    fn config(&self, security: Security, ca: Option<&common::Pki>) -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            security,
            from: FROM.into(),
            ca_file: ca.map(|p| p.ca_pem.clone()),
            timeout_secs: 10,
            ..SmtpConfig::default()
        }
    }
}

/// What arrived, as Python's e-mail parser decoded it.
fn assert_arrived(rec: &Value, to: &str, id: &str, tls: bool) {
    assert_eq!(rec["rcpt_tos"], serde_json::json!([to]), "{rec}");
    assert_eq!(rec["mail_from"], "shishi@example.com");
    assert_eq!(rec["from"], FROM);
    assert_eq!(rec["subject"], SUBJECT);
    assert_eq!(rec["message_id"], format!("<{id}@example.com>"));
    assert_eq!(rec["content_type"], "text/plain");
    assert_eq!(rec["charset"], "utf-8");
    let body = rec["body"]
        .as_str()
        .expect("a text body")
        .replace("\r\n", "\n");
    assert_eq!(body, format!("{TEXT}\n\n{LINK}\n"));
    assert_eq!(rec["tls"], tls, "TLS on the server side");
}

#[tokio::test]
async fn plain_relay_delivers_chinese_text() {
    let sink = Sink::start("plain", None, None);
    let mailer = Mailer::new(&sink.config(Security::None, None)).unwrap();
    mailer
        .send("张三 <zhangsan@example.org>", &message("d-1"))
        .await
        .unwrap();
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    assert_arrived(&got[0], "zhangsan@example.org", "d-1", false);
    assert_eq!(got[0]["to"], "张三 <zhangsan@example.org>");
    // On the wire the subject is RFC 2047 encoded, not raw UTF-8.
    assert!(
        got[0]["raw"]
            .as_str()
            .unwrap()
            .contains("Subject: =?utf-8?"),
        "{}",
        got[0]["raw"]
    );
}

#[tokio::test]
async fn starttls_with_a_private_ca() {
    let pki = common::pki();
    let sink = Sink::start("starttls", Some(&pki), None);
    let mailer = Mailer::new(&sink.config(Security::StartTls, Some(&pki))).unwrap();
    mailer
        .send("lisi@example.org", &message("d-2"))
        .await
        .unwrap();
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    assert_arrived(&got[0], "lisi@example.org", "d-2", true);
}

#[tokio::test]
async fn implicit_tls_with_a_private_ca() {
    let pki = common::pki();
    let sink = Sink::start("tls", Some(&pki), None);
    let mailer = Mailer::new(&sink.config(Security::Tls, Some(&pki))).unwrap();
    // The same delivery twice, as after a lost reply: both carry the same Message-ID.
    mailer
        .send("wangwu@example.org", &message("d-3"))
        .await
        .unwrap();
    mailer
        .send("wangwu@example.org", &message("d-3"))
        .await
        .unwrap();
    let got = sink.messages();
    assert_eq!(got.len(), 2);
    assert_arrived(&got[0], "wangwu@example.org", "d-3", true);
    assert_eq!(got[0]["message_id"], got[1]["message_id"]);
}

#[tokio::test]
async fn auth_over_starttls() {
    let pki = common::pki();
    let sink = Sink::start("starttls", Some(&pki), Some("notify:口令-s3cret"));
    let cfg = SmtpConfig {
        username: Some("notify".into()),
        password: Some("口令-s3cret".into()),
        ..sink.config(Security::StartTls, Some(&pki))
    };
    Mailer::new(&cfg)
        .unwrap()
        .send("zhaoliu@example.org", &message("d-4"))
        .await
        .unwrap();
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    assert_arrived(&got[0], "zhaoliu@example.org", "d-4", true);
    assert_eq!(got[0]["auth_login"], "notify");

    let wrong = SmtpConfig {
        password: Some("wrong-password".into()),
        ..cfg.clone()
    };
    let err = Mailer::new(&wrong)
        .unwrap()
        .send("zhaoliu@example.org", &message("d-5"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Failure::Permanent(_)),
        "a refused login will not get better: {err}"
    );
    assert!(!err.to_string().contains("wrong-password"), "{err}");

    let anonymous = SmtpConfig {
        username: None,
        password: None,
        ..cfg
    };
    let err = Mailer::new(&anonymous)
        .unwrap()
        .send("zhaoliu@example.org", &message("d-6"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Failure::Permanent(_)),
        "AUTH required (530): {err}"
    );
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn rejected_recipient_is_permanent() {
    let sink = Sink::start("plain", None, None);
    let mailer = Mailer::new(&sink.config(Security::None, None)).unwrap();
    let err = mailer
        .send("reject-nobody@example.org", &message("d-7"))
        .await
        .unwrap_err();
    match &err {
        Failure::Permanent(m) => assert!(m.contains("550"), "{m}"),
        other => panic!("550 must be permanent, got {other}"),
    }
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn untrusted_certificate_is_permanent() {
    let pki = common::pki();
    let sink = Sink::start("starttls", Some(&pki), None);
    // No ca_file: the private CA is unknown to the system store.
    let mailer = Mailer::new(&sink.config(Security::StartTls, None)).unwrap();
    let err = mailer
        .send("lisi@example.org", &message("d-8"))
        .await
        .unwrap_err();
    assert!(matches!(err, Failure::Permanent(_)), "{err}");
    assert!(err.message().contains("certificate"), "{err}");
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn starttls_demanded_but_not_offered_is_permanent() {
    let sink = Sink::start("plain", None, None);
    let pki = common::pki();
    let mailer = Mailer::new(&sink.config(Security::StartTls, Some(&pki))).unwrap();
    let err = mailer
        .send("lisi@example.org", &message("d-9"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Failure::Permanent(_)),
        "never fall back to plain text: {err}"
    );
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn server_down_is_retry() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let cfg = SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        from: FROM.into(),
        timeout_secs: 5,
        ..SmtpConfig::default()
    };
    let err = Mailer::new(&cfg)
        .unwrap()
        .send("lisi@example.org", &message("d-10"))
        .await
        .unwrap_err();
    assert!(matches!(err, Failure::Retry(_)), "{err}");
}
