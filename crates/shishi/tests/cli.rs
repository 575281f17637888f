//! The binary as an operator uses it: init, demo, audit verify, on a SQLite data directory.

use std::process::Command;

fn shishi(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_shishi"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("SHISHI_DATABASE_URL")
        .output()
        .expect("shishi runs")
}

#[test]
fn demo_then_verify_then_tamper() {
    let dir = tempfile::tempdir().unwrap();
    let out = shishi(dir.path(), &["demo"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("shishi-demo") && text.contains("admin"),
        "the logins are printed: {text}"
    );

    let again = shishi(dir.path(), &["demo"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("not loaded"));

    let out = shishi(dir.path(), &["audit", "verify"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));

    // Edit one audit row behind the application's back.
    let db = dir.path().join("shishi.db");
    let status = Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import sqlite3; c=sqlite3.connect('{}'); c.execute(\"UPDATE audit_events SET details='{{}}' WHERE seq=7\"); c.commit()",
            db.display()
        ))
        .status();
    if !status.map(|s| s.success()).unwrap_or(false) {
        eprintln!(
            "python3 with sqlite3 is not available; the tamper half is covered by the store tests"
        );
        return;
    }
    let out = shishi(dir.path(), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("event 7"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn init_generates_a_password_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = shishi(dir.path(), &["init", "--org", "测试集团"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Generated password"));
    let out = shishi(dir.path(), &["init", "--org", "测试集团"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("already initialised"));
}

#[test]
fn a_bad_database_url_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = shishi(dir.path(), &["--database-url", "mysql://x/y", "demo"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
}
