//! A real SMTP server on loopback for the e-mail tests: aiosmtpd, driven by the sink script of
//! shishi-notify (`crates/notify/tests/smtp_sink.py`), in plain-relay mode. Every accepted
//! message is read back as Python's e-mail parser decoded it. Needs `python3` with aiosmtpd
//! (`python3 -m pip install aiosmtpd`; `scripts/test.sh` installs it).
#![allow(dead_code)]

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use shishi_notify::email::{Security, SmtpConfig};
use tempfile::TempDir;

pub const FROM: &str = "实事系统 <shishi@example.com>";

/// The aiosmtpd process; killed when the test ends, however it ends.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    dir: TempDir,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let has_aiosmtpd = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            has_aiosmtpd,
            "the e-mail tests need python3 with aiosmtpd, which is missing: \
             run `python3 -m pip install aiosmtpd` (scripts/test.sh installs it in target/test-python and runs the tests with it)"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../notify/tests/smtp_sink.py");
        let stderr = File::create(dir.path().join("stderr.log")).expect("log file");
        // stdin stays open for the sink's lifetime: the script exits when it closes.
        let mut child = Command::new("python3")
            .arg(script)
            .arg("--dir")
            .arg(dir.path())
            .args(["--mode", "plain"])
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
        SmtpSink { child, port, dir }
    }

    /// A plain relay on loopback, no TLS, no AUTH.
    pub fn config(&self) -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            security: Security::None,
            from: FROM.into(),
            timeout_secs: 10,
            ..SmtpConfig::default()
        }
    }

    /// Every message accepted so far.
    pub fn messages(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("messages.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }
}
