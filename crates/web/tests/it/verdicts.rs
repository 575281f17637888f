//! The requesters' verdicts and the clerks' callbacks, the pages in English, the policy,
//! webhook and outbox pages, and the OpenAPI document of the driving endpoints; on SQLite
//! and PostgreSQL.

use crate::common::driving::{SUB1, matter_in_progress};
use crate::common::{Api, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shishi_store::{Backend, both_backends};

/// A demand of `who` in the steel company, accepted and answered by its clerk.
async fn answered_demand(app: &TestApp, who: &Api, title: &str) -> i64 {
    let res = who
        .post(
            "/demands",
            json!({"channel": "online", "title": title, "body": format!("{title}，请尽快解决。"),
                   "unit_id": app.unit_id(SUB1).await}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    answer(app, id).await;
    id
}

async fn answer(app: &TestApp, id: i64) {
    let clerk = app.api_as("clerk1").await;
    for step in [
        json!({"action": "accept"}),
        json!({"action": "answer", "text": "已协调相关部门解决。"}),
    ] {
        let res = clerk.post(&format!("/demands/{id}/steps"), step).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
}

/// The open verdict request of the caller about the demand with this title.
async fn asked_about(who: &Api, title: &str) -> i64 {
    let mine: Value = who.get("/evaluations/mine").await.json().await.unwrap();
    mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["demand_title"] == title)
        .unwrap_or_else(|| panic!("asked about {title}"))["id"]
        .as_i64()
        .unwrap()
}

async fn verdicts_and_callbacks(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let member = app.api_as("member").await;
    answered_demand(&app, &member, "澡堂夜班热水不足").await;

    // The member is asked; the answer carries no identity.
    let mine: Value = member.get("/evaluations/mine").await.json().await.unwrap();
    let asked = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["demand_title"] == "澡堂夜班热水不足")
        .expect("asked for a verdict")
        .clone();
    for hidden in ["user_id", "requester_key", "contact_name"] {
        assert!(asked.get(hidden).is_none(), "{hidden} stays inside");
    }
    let eid = asked["id"].as_i64().unwrap();
    let m = app.browser_as("member").await;
    let (status, html) = m.get("/my/demands").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("请评价办理结果") && html.contains(&format!("/evaluations/{eid}/rate")));
    let (status, html) = m
        .post(
            &format!("/evaluations/{eid}/rate"),
            &[("verdict", "dissatisfied"), ("comment", "")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("评价意见：必填"));
    // Nobody else rates it.
    let clerk = app.api_as("clerk1").await;
    let res = clerk
        .post(
            &format!("/evaluations/{eid}/rating"),
            json!({"verdict": "satisfied"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = member
        .post(
            &format!("/evaluations/{eid}/rating"),
            json!({"verdict": "basically", "comment": "水温还不稳定"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["verdict"], "basically");
    let res = member
        .post(
            &format!("/evaluations/{eid}/rating"),
            json!({"verdict": "satisfied"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "once");
    let (_, html) = m.get("/my/demands").await;
    assert!(!html.contains(&format!("/evaluations/{eid}/rate")));

    // Another requester is rated by a page form.
    let handler4 = app.api_as("handler4").await;
    answered_demand(&app, &handler4, "热轧厂班车绕行").await;
    let h4 = app.browser_as("handler4").await;
    let eid4 = asked_about(&handler4, "热轧厂班车绕行").await;
    let (status, _) = h4
        .post(
            &format!("/evaluations/{eid4}/rate"),
            &[("verdict", "satisfied"), ("comment", "")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // An anonymous submitter rates on the tracking page with the code.
    let input = shishi_service::demands::DemandInput {
        title: "转炉车间休息室空调坏了".into(),
        body: "夏天休息室太热。".into(),
        unit_id: app.unit_id(SUB1).await,
        anonymous: true,
        ..Default::default()
    };
    let out = app
        .services
        .submit_demand(
            None,
            shishi_core::demand::Channel::Online,
            &input,
            None,
            vec![],
        )
        .await
        .unwrap();
    let code = out.tracking_code.expect("a code");
    answer(&app, out.id).await;
    let anon = app.anonymous();
    let html = anon
        .get(app.url(&format!("/track/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = format!("/track/{code}/rate/");
    let start = html.find(&marker).expect("a rating form") + marker.len();
    let tid: i64 = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap();
    let csrf = crate::common::hidden(&html, "csrf");
    let res = anon
        .post(app.url(&format!("/track/{code}/rate/{tid}")))
        .form(&[("verdict", "satisfied"), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = anon
        .post(app.url(&format!("/track/{code}/rate/{tid}")))
        .form(&[("verdict", "satisfied"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = anon
        .get(app.url(&format!("/track/{code}?rated=1")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("感谢您的评价") && !html.contains(&marker));
    // A code does not reach another demand's verdicts.
    let res = anon
        .post(app.url(&format!("/track/{code}/rate/{eid4}")))
        .form(&[("verdict", "satisfied"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // The clerk calls a requester back and records it; the list names nobody.
    let handler13 = app.api_as("handler13").await;
    answered_demand(&app, &handler13, "检修车间工具间照明不足").await;
    let c = app.browser_as("clerk1").await;
    let (status, html) = c.get("/callbacks").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("检修车间工具间照明不足"));
    assert!(
        !html.contains("曹春燕"),
        "the requester's name is not on the list"
    );
    let list: Value = clerk.get("/callbacks").await.json().await.unwrap();
    let cid = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["demand_title"] == "检修车间工具间照明不足")
        .expect("on the callback list")["id"]
        .as_i64()
        .unwrap();
    let (status, html) = c
        .post(
            &format!("/callbacks/{cid}"),
            &[
                ("verdict", "satisfied"),
                ("via", "phone"),
                ("contacted_at", "2099-01-01T10:00"),
                ("contact_name", "曹师傅"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("回访时间：不能晚于现在"));
    let (status, _) = c
        .post(
            &format!("/callbacks/{cid}"),
            &[
                ("verdict", "satisfied"),
                ("via", "in_person"),
                ("contacted_at", ""),
                ("comment", "灯已换好"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let list: Value = clerk.get("/callbacks").await.json().await.unwrap();
    assert!(
        !list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == cid)
    );
    let res = clerk
        .post(
            &format!("/evaluations/{cid}/callback"),
            json!({"verdict": "satisfied", "via": "phone"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "recorded once");
}
both_backends!(verdicts_and_callbacks_on, verdicts_and_callbacks);

async fn english_pages_settings_and_openapi(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let (id, _) = matter_in_progress(&app, "Night canteen window").await;
    let supervisor = app.api_as("supervisor").await;
    let res = supervisor
        .post(
            &format!("/matters/{id}/orders"),
            json!({"level": "listed", "requirement": "A plan by Friday"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    // In English, none of the new Chinese labels is left on the board or the matter page.
    let b = app.browser_as("supervisor").await;
    b.client
        .get(format!("{}/lang/en?next=/ledger", b.base))
        .send()
        .await
        .unwrap();
    let zh = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales/zh-CN.yml"),
    )
    .unwrap();
    let sections = [
        "supervision:",
        "order:",
        "level:",
        "order_state:",
        "extension:",
        "extension_state:",
        "completion:",
        "verdict:",
        "via:",
    ];
    let mut chinese = Vec::new();
    let mut on = false;
    for line in zh.lines() {
        if !line.starts_with(' ') {
            on = sections.contains(&line.trim());
            continue;
        }
        if let Some((_, v)) = line.split_once(": ")
            && on
        {
            let v = v.trim().trim_matches('"').to_string();
            if !v.contains("%{") && v.chars().count() >= 2 {
                chinese.push(v);
            }
        }
    }
    assert!(
        chinese.len() > 40,
        "the labels are read ({})",
        chinese.len()
    );
    // The board's rows hold the demo's orders, in Chinese as they were written: the labels
    // are checked around them, and in the row of this test's order.
    let (status, board) = b.get("/supervision").await;
    assert_eq!(status, StatusCode::OK);
    let (head, rest) = board.split_once("<tbody>").expect("a table");
    let (rows, tail) = rest.split_once("</tbody>").expect("a table");
    let ours = rows
        .split("<tr")
        .find(|r| r.contains("Night canteen window"))
        .expect("our order on the board");
    let (status, matter) = b.get(&format!("/matters/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    for (what, html) in [
        ("board", head),
        ("board", tail),
        ("board row", ours),
        ("matter", matter.as_str()),
    ] {
        for label in &chinese {
            if let Some(at) = html.find(label.as_str()) {
                let around: String = html[at.saturating_sub(120)..].chars().take(200).collect();
                panic!("{what} still says {label}: …{around}…");
            }
        }
    }
    assert!(board.contains("lang=\"en\""));
    let (_, html) = b.get("/supervision").await;
    assert!(html.contains("Supervision board") && html.contains("Listed supervision"));
    let (_, html) = b.get(&format!("/matters/{id}")).await;
    assert!(html.contains("Supervision orders") && html.contains("Under supervision"));

    // The policy is the organisation admin's.
    let admin = app.browser_as("admin").await;
    let (status, html) = admin.get("/settings/driving").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("督办与评价规则"));
    let good = [
        ("deadline_warning_days", "3"),
        ("stale_progress_days", "10"),
        ("order_reply_days", "5"),
        ("evaluation_window_days", "5"),
        ("extension_approver", "level_above"),
        ("on_time_basis", "current"),
        ("dissatisfied", "escalate"),
    ];
    let mut bad = good.to_vec();
    bad[2] = ("order_reply_days", "0");
    let (status, html) = admin.post("/settings/driving", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("督办单回复期限（工作日）：应在 1–60 之间"));
    let (status, html) = admin.post("/settings/driving", &good).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("规则已保存"));
    assert_eq!(app.services.driving_policy().order_reply_days, 5);
    let sub = app.browser_as("sub1admin").await;
    let (status, _) = sub.get("/settings/driving").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Webhooks for the units one manages; the robot's key never shows.
    let unit = app.unit_id(SUB1).await.to_string();
    let (status, html) = sub
        .post(
            "/admin/webhooks",
            &[
                ("unit_id", unit.as_str()),
                ("name", "党委办公室群"),
                ("kind", "wecom"),
                ("url", "ftp://example.com/x"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("推送地址："));
    let (status, _) = sub
        .post(
            "/admin/webhooks",
            &[
                ("unit_id", unit.as_str()),
                ("name", "党委办公室群"),
                ("kind", "wecom"),
                (
                    "url",
                    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRETKEY123",
                ),
                ("include_subtree", "1"),
                ("events", "order_issued"),
                ("events", "matter_overdue"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = sub.get("/admin/webhooks?created=1").await;
    assert!(html.contains("推送地址已保存"));
    assert!(html.contains("党委办公室群") && html.contains("收到督办单"));
    assert!(html.contains("https://qyapi.weixin.qq.com/…"));
    assert!(
        !html.contains("SECRETKEY123"),
        "the robot's key stays hidden"
    );
    let marker = "/admin/webhooks/";
    let start = html.find(marker).expect("a toggle") + marker.len();
    let hook: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let (status, _) = sub
        .post(
            &format!("/admin/webhooks/{hook}/active"),
            &[("active", "0")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = sub.get("/admin/webhooks").await;
    assert!(html.contains("已停用"));
    let other = app.browser_as("sub2admin").await;
    let (status, _) = other
        .post(
            &format!("/admin/webhooks/{hook}/active"),
            &[("active", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another subsidiary's hook");

    // The outbox is the organisation admin's.
    let (status, html) = admin.get("/admin/deliveries").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("后台任务") && html.contains("消息发送记录"));
    let (status, _) = admin.get("/admin/deliveries?state=failed&troubled=1").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = sub.get("/admin/deliveries").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin.post("/admin/deliveries/retry", &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "nothing chosen");
    let (status, _) = sub.post("/admin/deliveries/retry", &[("ids", "1")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Notification preferences on the account page.
    let m = app.browser_as("member").await;
    let (status, html) = m.post("/account/notifications", &[("locale", "en")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("通知设置已保存"));
    assert!(html.contains("<option value=\"en\" selected>"));

    // The API document lists the new paths.
    let doc: Value = app
        .anonymous()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/matters/{id}/orders",
        "/api/v1/orders/{id}/reply",
        "/api/v1/orders/{id}/close",
        "/api/v1/orders",
        "/api/v1/matters/{id}/extensions",
        "/api/v1/extensions/{id}/decision",
        "/api/v1/matters/{id}/completion",
        "/api/v1/evaluations/mine",
        "/api/v1/evaluations/{id}/rating",
        "/api/v1/evaluations/{id}/callback",
    ] {
        assert!(paths.contains_key(p), "OpenAPI lists {p}");
    }
}
both_backends!(
    english_pages_settings_and_openapi_on,
    english_pages_settings_and_openapi
);
