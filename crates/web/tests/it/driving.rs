//! Driving matters to done through the pages and the API, on SQLite and PostgreSQL:
//! supervision orders, extensions and the completion claim.

use crate::common::TestApp;
use crate::common::driving::{STEEL, day, error_of, matter_in_progress, post_multipart};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shishi_store::{Backend, both_backends};

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
    // The ledger row shows the extension and the original deadline beside the current one.
    let (_, ledger) = h.get("/ledger?q=更衣室加装储物柜").await;
    assert!(ledger.contains(&later), "{ledger}");
    assert!(
        ledger.contains(&format!("延期1次 · 原定时限 {deadline}")),
        "{ledger}"
    );
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
