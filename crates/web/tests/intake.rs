//! Demands through the web, on SQLite and PostgreSQL: the public form, anonymity kept in every
//! response and log line, double submits, the rate limit, and the clerk's inbox.

#[path = "it/common/mod.rs"]
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use common::{TestApp, hidden};
use reqwest::StatusCode;
use serde_json::Value;
use shishi_store::{Backend, both_backends};

/// Everything the server logs while these tests run, at every level.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = buffer.clone();
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || LogWriter(sink.clone()))
            .try_init();
        buffer
    })
    .clone()
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Submits the public form as `client` and answers the page it gets back.
async fn submit_form(
    app: &TestApp,
    client: &reqwest::Client,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let page = client
        .get(app.url("/submit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", hidden(&page, "csrf"))
        .text("idempotency_key", hidden(&page, "idempotency_key"));
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let res = client
        .post(app.url("/submit"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.text().await.unwrap())
}

async fn an_anonymous_submitter_is_nowhere(backend: Backend) {
    let logs = captured_logs();
    let app = TestApp::with_demo(backend).await;
    // A unit the demo clerk handles.
    let (clerk_unit, member_name): (i64, String) = {
        let mut conn = app.db.store.read().await.unwrap();
        let unit = sqlx::query_scalar::<_, i64>(
            "SELECT g.unit_id FROM grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'clerk' AND g.role = 'intake_clerk'",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        let name = sqlx::query_scalar::<_, String>(
            "SELECT display_name FROM users WHERE username = 'member'",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        (unit, name)
    };
    let contact = "13912345678";
    let member = app.browser_as("member").await;
    let unit = clerk_unit.to_string();
    let (status, html) = submit_form(
        &app,
        &member.client,
        &[
            ("title", "更衣室柜子不够用"),
            (
                "body",
                "二班组更衣室柜子只有二十个，三十多人轮流用，希望增加柜子。",
            ),
            ("unit_id", unit.as_str()),
            ("contact", contact),
            ("anonymous", "1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let code_marker = "<p class=\"code\">";
    let code = html[html.find(code_marker).expect("a tracking code") + code_marker.len()..]
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let id: i64 = {
        let mut conn = app.db.store.read().await.unwrap();
        sqlx::query_scalar("SELECT id FROM demands WHERE tracking_code = $1")
            .bind(&code)
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    };

    // Every view of the demand that a handler, a leader or the public has.
    let clerk = app.browser_as("clerk").await;
    let admin = app.browser_as("admin").await;
    let mut seen = Vec::new();
    for (who, path) in [
        (&clerk, "/inbox".to_string()),
        (&clerk, format!("/demands/{id}")),
        (&clerk, "/notifications".to_string()),
        (&admin, format!("/demands/{id}")),
        (&admin, "/inbox".to_string()),
    ] {
        let (status, body) = who.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        seen.push((path, body));
    }
    let api = app.api_as("clerk").await;
    // In the inbox list, this demand's entry (other demands of the member may be named).
    let list: Value = api.get(&format!("/demands?per_page=200&unit_id={clerk_unit}&q=%E6%9B%B4%E8%A1%A3%E5%AE%A4%E6%9F%9C%E5%AD%90")).await.json().await.unwrap();
    let entry = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .expect("listed in the inbox")
        .clone();
    assert_eq!(entry["anonymous"], true);
    assert!(entry["submitter_name"].is_null() && entry["contact"].is_null());
    seen.push(("inbox entry".into(), entry.to_string()));
    for path in [
        format!("/demands/{id}"),
        "/notifications".to_string(),
        format!("/response-figures?unit_id={clerk_unit}&from=2020-01-01&until=2030-12-31"),
    ] {
        let res = api.get(&path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        seen.push((path, res.text().await.unwrap()));
    }
    let track = app
        .anonymous()
        .get(app.url(&format!("/api/v1/track/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    seen.push(("track".into(), track));
    let similar = app
        .anonymous()
        .get(app.url("/api/v1/similar?text=%E6%9B%B4%E8%A1%A3%E5%AE%A4%E6%9F%9C%E5%AD%90%E4%B8%8D%E5%A4%9F%E7%94%A8%E4%BA%8C%E7%8F%AD%E7%BB%84"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // A stranger learns only that a similar open demand exists, by its id, to co-sign.
    let offered: Value = serde_json::from_str(&similar).unwrap();
    assert!(
        offered["ids_only"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == id),
        "the new demand is offered as similar: {similar}"
    );
    assert!(!similar.contains("更衣室柜子不够用"), "{similar}");
    seen.push(("similar".into(), similar));
    for (path, body) in &seen {
        assert!(
            !body.contains(member_name.as_str()),
            "{path} shows the anonymous submitter's name"
        );
        assert!(
            !body.contains(contact),
            "{path} shows the anonymous submitter's contact"
        );
    }
    // Nor does the audit trail or the event log carry them.
    {
        let mut conn = app.db.store.read().await.unwrap();
        let rows: Vec<(Option<i64>, String)> =
            sqlx::query_as("SELECT actor_id, details FROM audit_events WHERE entity_type = 'demand' AND entity_id = $1")
                .bind(id)
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        assert!(
            rows.iter()
                .all(|(actor, details)| actor.is_none() && !details.contains(contact))
        );
    }
    let logs = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(
        !logs.contains(member_name.as_str()) && !logs.contains(contact),
        "the logs name the submitter"
    );

    // Only a system admin reveals the submitter, with a reason, and the reveal is audited.
    let res = api
        .post(
            &format!("/demands/{id}/reveal"),
            serde_json::json!({"reason": "核实"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "a clerk cannot reveal");
    let admin_api = app.api_as("admin").await;
    let res = admin_api
        .post(
            &format!("/demands/{id}/reveal"),
            serde_json::json!({"reason": " "}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = admin_api
        .post(
            &format!("/demands/{id}/reveal"),
            serde_json::json!({"reason": "涉及安全隐患，需当面核实"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let revealed: Value = res.json().await.unwrap();
    assert_eq!(revealed["submitter"], member_name.as_str());
    {
        let mut conn = app.db.store.read().await.unwrap();
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'demand_submitter_revealed' AND entity_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert_eq!(n, 1);
    }
    // The member sees their own demand; the public tracking page works without signing in.
    let (_, mine) = member.get("/my/demands").await;
    assert!(mine.contains("更衣室柜子不够用"));
    let res = app
        .anonymous()
        .get(app.url(&format!("/track/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .anonymous()
        .get(app.url("/track/AAAAAAAAAAAA"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
both_backends!(
    an_anonymous_submitter_is_nowhere_on,
    an_anonymous_submitter_is_nowhere
);

async fn double_submits_forged_forms_and_floods(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let client = app.anonymous();
    let unit = app.unit_id("示范钢铁股份有限公司").await.to_string();
    let before = app.count("demands").await;
    // The same form sent twice (a double click) makes one demand and shows the same code.
    let page = client
        .get(app.url("/submit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let send = || {
        let form = reqwest::multipart::Form::new()
            .text("csrf", hidden(&page, "csrf"))
            .text("idempotency_key", hidden(&page, "idempotency_key"))
            .text("title", "厂区路灯不亮")
            .text("body", "东门到三号门的路灯坏了一个月，夜班下班很黑。")
            .text("unit_id", unit.clone());
        client.post(app.url("/submit")).multipart(form).send()
    };
    let first = send().await.unwrap().text().await.unwrap();
    let second = send().await.unwrap().text().await.unwrap();
    assert_eq!(app.count("demands").await, before + 1);
    let code = |html: &str| {
        html.split("<p class=\"code\">")
            .nth(1)
            .map(|s| s.split('<').next().unwrap_or("").to_string())
    };
    assert_eq!(code(&first), code(&second));
    assert!(code(&first).is_some());

    // A form without the page's token is refused and writes nothing.
    let form = reqwest::multipart::Form::new()
        .text("csrf", "forged")
        .text("title", "x")
        .text("body", "y")
        .text("unit_id", unit.clone());
    let res = client
        .post(app.url("/submit"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("demands").await, before + 1);

    // A flood from one client is held back with a clear message.
    let mut last = StatusCode::OK;
    let mut body = String::new();
    for i in 0..12 {
        let title = format!("测试诉求{i}");
        let (status, html) = submit_form(
            &app,
            &client,
            &[
                ("title", title.as_str()),
                ("body", "内容"),
                ("unit_id", unit.as_str()),
            ],
        )
        .await;
        last = status;
        body = html;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("秒"), "the page says how long to wait");
}
both_backends!(
    double_submits_forged_forms_and_floods_on,
    double_submits_forged_forms_and_floods
);

async fn a_clerk_works_the_inbox(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let api = app.api_as("unitadmin").await;
    let unit = app.unit_id("示范钢铁股份有限公司").await;
    let res = api
        .client
        .post(format!("{}/api/v1/demands", api.base))
        .header("x-csrf-token", &api.csrf)
        .header("idempotency-key", "hotline-2026-0001")
        .json(&serde_json::json!({
            "channel": "hotline", "title": "通勤班车发车太早", "body": "早班车6点发车，住得远的职工赶不上。",
            "unit_id": unit, "channel_details": {"caller_number": "13800138000", "called_at": "2026-11-20"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    // A bad hotline entry names its fields.
    let res = api
        .post("/demands", serde_json::json!({"channel": "hotline", "title": "", "body": "x", "unit_id": unit, "channel_details": {"called_at": "昨天"}}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in ["title", "caller_number", "called_at"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    // Accept, then answer; the steps show on the demand.
    for step in [
        serde_json::json!({"action": "accept"}),
        serde_json::json!({"action": "answer", "text": "已调整为6点半发车。"}),
    ] {
        let res = api.post(&format!("/demands/{id}/steps"), step).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let detail: Value = api
        .get(&format!("/demands/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["demand"]["status"], "answered");
    assert_eq!(detail["events"].as_array().unwrap().len(), 3);
    // Words find it in the inbox, through the Chinese full-text index.
    let found: Value = api
        .get("/demands?q=%E7%8F%AD%E8%BD%A6&status=answered")
        .await
        .json()
        .await
        .unwrap(); // 班车
    assert!(
        found["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == id),
        "{found}"
    );
    let none: Value = api
        .get("/demands?q=%E7%8F%AD%E8%BD%A6%20%E6%B8%B8%E6%B3%B3%E6%B1%A0&status=answered")
        .await
        .json()
        .await
        .unwrap(); // 班车 游泳池
    assert!(
        !none["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == id),
        "every word must match"
    );
    // Another subsidiary's admin neither sees nor touches it.
    let other = app.api_as("sub2admin").await;
    assert_eq!(
        other.get(&format!("/demands/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let res = other
        .post(
            &format!("/demands/{id}/steps"),
            serde_json::json!({"action": "accept"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // While a person types, matters already on the list are shown too.
    let found: Value = app
        .api_as("unitadmin")
        .await
        .get("/similar?text=%E9%80%89%E7%9F%BF%E5%8E%82%E6%B5%B4%E5%AE%A4%E7%83%AD%E6%B0%B4%E4%BE%9B%E5%BA%94%E4%B8%8D%E7%A8%B3%E5%AE%9A")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        found["matters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["title"].as_str().unwrap_or("").contains("浴室热水")),
        "{found}"
    );
    // The clerk's entry page records a symposium's demands in one go.
    let b = app.browser_as("unitadmin").await;
    let unit_s = unit.to_string();
    let (status, html) = b
        .post(
            "/intake",
            &[
                ("channel", "symposium"),
                ("held_on", "2026-11-18"),
                ("place", "一炼钢会议室"),
                ("leader", "王建国"),
                ("title_0", "夜班食堂菜品单一"),
                ("body_0", "夜班只有面条。"),
                ("unit_id_0", unit_s.as_str()),
                ("title_1", "休息室没有空调"),
                ("body_1", "夏天太热。"),
                ("unit_id_1", unit_s.as_str()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("已登记 2 条诉求"));
}
both_backends!(a_clerk_works_the_inbox_on, a_clerk_works_the_inbox);
