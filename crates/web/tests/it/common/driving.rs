//! Helpers of the tests that drive matters to done: a matter in progress, dates, errors,
//! multipart forms from a browser.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Browser, TestApp};

pub const SUB1: &str = "示范钢铁股份有限公司";
pub const STEEL: &str = "第一炼钢厂";
pub const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

pub fn day(app: &TestApp, days: i64) -> String {
    (app.services.clock.today() + chrono::Duration::days(days)).to_string()
}

/// A matter in the steelworks owned by handler1, approved and in progress.
pub async fn matter_in_progress(app: &TestApp, title: &str) -> (i64, String) {
    let admin = app.api_as("sub1admin").await;
    let handler = app.api_as("handler1").await;
    let deadline = day(app, 40);
    let res = admin
        .post(
            "/matters",
            json!({
                "title": title, "unit_id": app.unit_id(STEEL).await, "owner_id": handler.user_id,
                "measures": "Open a night window; adjust the shifts", "deadline": deadline,
                "acceptance_standard": "90% of night-shift workers satisfied",
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    for (who, action) in [(&admin, "approve"), (&handler, "start")] {
        let res = who
            .post(
                &format!("/matters/{id}/transitions"),
                json!({ "action": action }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{action}");
    }
    (id, deadline)
}

pub async fn error_of(res: reqwest::Response) -> Value {
    res.json::<Value>().await.unwrap()["error"].clone()
}

/// Posts a multipart form from the browser with its CSRF token, an optional PNG as `files`.
pub async fn post_multipart(
    b: &Browser,
    path: &str,
    fields: &[(&str, &str)],
    png: bool,
) -> (StatusCode, String) {
    let mut form = reqwest::multipart::Form::new().text("csrf", b.csrf.clone());
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if png {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("验收单.png"),
        );
    }
    let res = b
        .client
        .post(format!("{}{path}", b.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}
