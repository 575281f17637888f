//! Driving matters to done through the pages and the API, on SQLite and PostgreSQL:
//! supervision orders, extensions, the completion claim, verdicts and callbacks, and the
//! settings and outbox pages around them.

mod common;

use common::{Api, Browser, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shishi_store::{Backend, both_backends};

const SUB1: &str = "示范钢铁股份有限公司";
const STEEL: &str = "第一炼钢厂";
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn day(app: &TestApp, days: i64) -> String {
    (app.services.clock.today() + chrono::Duration::days(days)).to_string()
}

/// A matter in the steelworks owned by handler1, approved and in progress.
async fn matter_in_progress(app: &TestApp, title: &str) -> (i64, String) {
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

async fn error_of(res: reqwest::Response) -> Value {
    res.json::<Value>().await.unwrap()["error"].clone()
}

/// Posts a multipart form from the browser with its CSRF token, an optional PNG as `files`.
async fn post_multipart(
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

async fn orders_on_a_matter(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let (id, _) = matter_in_progress(&app, "夜班食堂加开窗口").await;
    let supervisor = app.api_as("supervisor").await;
    let handler = app.api_as("handler1").await;
    let outsider = app.api_as("sub2admin").await;

    // A supervisor over the group issues an order; bad input names its field.
    let res = supervisor
        .post(
            &format!("/matters/{id}/orders"),
            json!({"level": "shout", "requirement": ""}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = error_of(res).await["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert!(fields.contains(&"level".into()) && fields.contains(&"requirement".into()));
    let res = supervisor
        .post(
            &format!("/matters/{id}/orders"),
            json!({"level": "supervise", "requirement": "本周内拿出夜班就餐方案"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let order: Value = res.json().await.unwrap();
    assert_eq!(order["state"], "open");
    assert_eq!(order["late"], false);
    let order_id = order["id"].as_i64().unwrap();

    // The handler reads the matter but is no supervisor; another subsidiary sees nothing.
    let res = handler
        .post(
            &format!("/matters/{id}/orders"),
            json!({"level": "remind", "requirement": "自己督办自己"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        error_of(res).await["message"]
            .as_str()
            .unwrap()
            .contains("督导组")
    );
    let res = outsider
        .post(
            &format!("/matters/{id}/orders"),
            json!({"level": "remind", "requirement": "越权督办"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // It is on the board and on the matter page.
    let board: Value = supervisor.get("/orders").await.json().await.unwrap();
    assert!(
        board["orders"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == order_id)
    );
    let b = app.browser_as("supervisor").await;
    let (status, html) = b.get("/supervision").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("督办事项清单") && html.contains("夜班食堂加开窗口"));
    assert!(html.contains(&format!("/matters/{id}#orders")));
    let (_, html) = b.get("/supervision?state=closed").await;
    assert!(!html.contains("夜班食堂加开窗口"), "the filter holds");
    let (status, _) = b.get("/supervision?level=shout").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, html) = b.get(&format!("/matters/{id}")).await;
    assert!(html.contains("本周内拿出夜班就餐方案") && html.contains("督办中"));
    let issue_form = format!("action=\"/matters/{id}/orders\"");
    assert!(html.contains(&issue_form), "the supervisor may issue more");
    let h = app.browser_as("handler1").await;
    let (_, html) = h.get(&format!("/matters/{id}")).await;
    assert!(html.contains("回复督办") && !html.contains(&issue_form));
    let (_, html) = h.get("/notifications").await;
    assert!(html.contains("收到督办单"), "{html}");

    // The owner answers through the page (a percent makes it a progress entry too).
    let (status, html) = post_multipart(
        &h,
        &format!("/matters/{id}/orders/{order_id}/reply"),
        &[("reply", "已制定方案"), ("percent", "150")],
        false,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("已制定方案"), "what was typed comes back");
    let (status, _) = post_multipart(
        &h,
        &format!("/matters/{id}/orders/{order_id}/reply"),
        &[("reply", "已制定方案，下周一起试行"), ("percent", "40")],
        true,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let res = handler
        .post(
            &format!("/orders/{order_id}/reply"),
            json!({"reply": "再答"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "answered once");
    let res = handler
        .post(&format!("/orders/{order_id}/close"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = supervisor
        .post(
            &format!("/orders/{order_id}/close"),
            json!({"note": "方案可行"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["state"], "closed");
    let (_, html) = b.get(&format!("/matters/{id}")).await;
    assert!(html.contains("已制定方案，下周一起试行") && html.contains("方案可行"));
    assert!(html.contains("40%"));
}
both_backends!(orders_on_a_matter_on, orders_on_a_matter);

async fn extensions_and_completion(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let (id, deadline) = matter_in_progress(&app, "更衣室加装储物柜").await;
    let handler = app.api_as("handler1").await;
    let admin = app.api_as("sub1admin").await;
    let group_admin = app.api_as("unitadmin").await;
    let later = day(&app, 60);

    // The owner asks for more time; he cannot decide it, the unit admin can.
    let res = handler
        .post(
            &format!("/matters/{id}/extensions"),
            json!({"proposed_deadline": deadline, "reason": "设备到货延迟"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "not later");
    assert_eq!(
        error_of(res).await["fields"][0]["code"],
        "error.date_not_later"
    );
    let res = handler
        .post(
            &format!("/matters/{id}/extensions"),
            json!({"proposed_deadline": later, "reason": "设备到货延迟"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let request = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = handler
        .post(
            &format!("/matters/{id}/extensions"),
            json!({"proposed_deadline": later, "reason": "再申请"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "one request at a time");
    let res = handler
        .post(
            &format!("/extensions/{request}/decision"),
            json!({"approve": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let pending: Value = admin.get("/extensions").await.json().await.unwrap();
    assert!(
        pending["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == request)
    );
    let res = admin
        .post(
            &format!("/extensions/{request}/decision"),
            json!({"approve": true, "note": "同意"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let m: Value = admin
        .get(&format!("/matters/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(m["matter"]["deadline"], later.as_str());
    assert_eq!(m["matter"]["original_deadline"], deadline.as_str());
    assert_eq!(m["matter"]["extension_count"], 1);
    let h = app.browser_as("handler1").await;
    let (_, html) = h.get(&format!("/matters/{id}")).await;
    assert!(html.contains(&format!("<span class=\"deadline-now\">{later}</span>")));
    assert!(html.contains(&format!(
        "<span class=\"deadline-original\">{deadline}</span>"
    )));
    assert!(html.contains("原定时限") && html.contains("已延期1次"));
    // The deadline itself moves only through a request now.
    let res = admin
        .put(
            &format!("/matters/{id}"),
            json!({"title": "更衣室加装储物柜", "unit_id": app.unit_id(STEEL).await,
                   "owner_id": handler.user_id, "measures": "x", "acceptance_standard": "y",
                   "deadline": day(&app, 90)}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_of(res).await["fields"][0]["code"],
        "error.deadline_needs_extension"
    );

    // A unit admin who asks himself is not his own approver; the level above refuses, with a note.
    let a = app.browser_as("sub1admin").await;
    let (status, _) = a
        .post(
            &format!("/matters/{id}/extensions"),
            &[
                ("proposed_deadline", day(&app, 80).as_str()),
                ("reason", "雨季施工受阻"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let pending: Value = admin.get("/extensions").await.json().await.unwrap();
    let own = pending["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["matter_id"] == id)
        .expect("the admin's own request")["id"]
        .as_i64()
        .unwrap();
    let res = admin
        .post(
            &format!("/extensions/{own}/decision"),
            json!({"approve": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(res).await["message"], "不能审批自己提出的延期申请");
    let (status, html) = a
        .post(
            &format!("/extensions/{own}/decision"),
            &[("approve", "1"), ("matter_id", &id.to_string())],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("不能审批自己提出的延期申请"));
    let g = app.browser_as("unitadmin").await;
    let (_, html) = g.get("/extensions").await;
    assert!(html.contains("更衣室加装储物柜") && html.contains("雨季施工受阻"));
    let (status, html) = g
        .post(&format!("/extensions/{own}/decision"), &[("approve", "0")])
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "refusing needs a note"
    );
    assert!(html.contains("说明：必填"), "{html}");
    let (status, _) = g
        .post(
            &format!("/extensions/{own}/decision"),
            &[("approve", "0"), ("note", "雨季已过，按期完成")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let m: Value = group_admin
        .get(&format!("/matters/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        m["matter"]["deadline"],
        later.as_str(),
        "a refusal moves nothing"
    );
    let (_, html) = h.get(&format!("/matters/{id}")).await;
    assert!(html.contains("雨季已过，按期完成") && html.contains("未同意"));

    // Completion needs evidence: refused by the API and the page alike, then claimed with a file.
    let res = handler
        .post(
            &format!("/matters/{id}/completion"),
            json!({"narrative": "储物柜已安装完毕"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err = error_of(res).await;
    assert_eq!(err["fields"][0]["field"], "files");
    assert_eq!(err["fields"][0]["code"], "error.evidence_required");
    let res = handler
        .post(
            &format!("/matters/{id}/transitions"),
            json!({"action": "complete"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "no bare completion");
    let (status, html) = post_multipart(
        &h,
        &format!("/matters/{id}/completion"),
        &[("narrative", "储物柜已安装完毕")],
        false,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("佐证材料：申报完成须有至少一份佐证材料"));
    assert!(html.contains("储物柜已安装完毕"), "the narrative is kept");
    let (status, _) = post_multipart(
        &h,
        &format!("/matters/{id}/completion"),
        &[("narrative", "储物柜已安装完毕")],
        true,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = h.get(&format!("/matters/{id}")).await;
    assert!(html.contains("已完成") && html.contains("按时完成"));
    assert!(html.contains("群众评价"), "the verdict section appears");

    // A return needs a reason; it is counted.
    let s = app.browser_as("supervisor").await;
    let (status, html) = s
        .post(
            &format!("/matters/{id}/transition"),
            &[("action", "return"), ("reason", "")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("须填写理由"));
    let (status, _) = s
        .post(
            &format!("/matters/{id}/transition"),
            &[("action", "return"), ("reason", "缺少验收签字")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = h.get(&format!("/matters/{id}")).await;
    assert!(html.contains("退回1次") && html.contains("缺少验收签字"));
}
both_backends!(extensions_and_completion_on, extensions_and_completion);

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
    let csrf = common::hidden(&html, "csrf");
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
