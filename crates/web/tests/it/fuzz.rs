//! The API under schemathesis, a fuzzer no one here wrote: it reads `/api/v1/openapi.json`,
//! sends what the document allows and what it does not, and checks every answer against the
//! document. Zero failures on both backends, signed in as a system admin and as a handler.
//!
//! Needs `schemathesis` on PATH: `scripts/test.sh` installs it (pinned, in target/test-python).
//! Bounded (a few examples per operation, a fixed seed) so that the suite stays in CI's time:
//! by default the system admin on PostgreSQL and the handler on SQLite (each run costs minutes
//! on two cores); `SHISHI_FUZZ_ALL=1` runs both people on both backends.

use std::process::Command;

use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shishi_store::{Backend, both_backends};

/// The checks of issue 10: no 5xx, every status and content type documented, every body
/// matching its schema.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance";

/// The operation that can end the fuzzer's own credentials (revoking its token, whose id is
/// small): with it the run would spend the rest of its time on 401s. Tested on its own.
const EXCLUDED: &[&str] = &["/api/v1/tokens/{id}"];

fn schemathesis() -> String {
    std::env::var("SHISHI_SCHEMATHESIS").unwrap_or_else(|_| "schemathesis".into())
}

async fn token_of(app: &TestApp, username: &str) -> String {
    let api = app.api_as(username).await;
    let res = api.post("/tokens", json!({"name": "schemathesis"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.expect("token");
    body["token"].as_str().expect("token").to_string()
}

async fn the_api_holds_up_under_a_fuzzer(backend: Backend) {
    let found = Command::new(schemathesis()).arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "schemathesis is missing: run the tests with scripts/test.sh, which installs it \
         (or put it on PATH, or set SHISHI_SCHEMATHESIS)"
    );
    let app = TestApp::with_demo(backend).await;
    let everyone = std::env::var("SHISHI_FUZZ_ALL").is_ok_and(|v| v == "1");
    let people: &[&str] = match backend {
        _ if everyone => &["admin", "handler1"],
        Backend::Postgres => &["admin"],
        _ => &["handler1"],
    };
    for &username in people {
        let token = token_of(&app, username).await;
        let schema = app.url("/api/v1/openapi.json");
        let report = tempfile::tempdir().expect("temp dir");
        let mut cmd = Command::new(schemathesis());
        cmd.args(["run", &schema, "--checks", CHECKS])
            .args([
                "--max-examples",
                "8",
                "--seed",
                "20261203",
                "--workers",
                "1",
            ])
            .args(["--phases", "examples,coverage,fuzzing"])
            .args(["--generation-database", "none", "--no-color"])
            .args(["--suppress-health-check", "all"])
            .args(["--request-timeout", "30"])
            .arg("--header")
            .arg(format!("Authorization: Bearer {token}"))
            .arg("--report-dir")
            .arg(report.path())
            // It keeps a cache of crashes where it runs: keep that out of the tree.
            .current_dir(report.path());
        for path in EXCLUDED {
            cmd.args(["--exclude-path", path]);
        }
        // Run off the test's runtime: the server under test shares it.
        let out = tokio::task::spawn_blocking(move || cmd.output())
            .await
            .expect("join")
            .expect("schemathesis runs");
        let text = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "schemathesis found failures as {username} on {backend:?}:\n{text}"
        );
    }
}
both_backends!(
    the_api_holds_up_under_a_fuzzer_on,
    the_api_holds_up_under_a_fuzzer
);
