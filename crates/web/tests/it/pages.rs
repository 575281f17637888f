//! The pages as a browser uses them, on SQLite and PostgreSQL.

use crate::common::TestApp;
use reqwest::StatusCode;
use shishi_store::{Backend, both_backends};

async fn walk_the_ledger_in_both_languages(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let anon = app.anonymous();
    let res = anon.get(app.url("/ledger")).send().await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "signed-out people go to the login page"
    );

    let b = app.browser_as("admin").await;
    let (status, html) = b.get("/ledger").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("lang=\"zh-CN\""));
    assert!(
        html.contains("实事台账") && html.contains("共") && html.contains("已完成"),
        "the summary line in Chinese"
    );
    let (_, html) = b.get("/ledger?flag=overdue&sort=deadline").await;
    assert!(html.contains("超期"));
    let (_, html) = b.get("/ledger?q=%E7%83%AD%E6%B0%B4").await; // 热水
    assert!(html.contains("热水"));
    let (status, _) = b.get("/ledger?status=nonsense").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Switch to English: the choice sticks.
    let res = b
        .client
        .get(format!("{}/lang/en?next=/ledger", b.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = b.get("/ledger").await;
    assert!(
        html.contains("lang=\"en\"")
            && html.contains("Ledger of practical matters")
            && html.contains("completed")
    );
    let id = app.matter_under("示范钢铁股份有限公司").await;
    let (status, html) = b.get(&format!("/matters/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("The five determinations"));
    for path in [
        "/units",
        "/users",
        "/campaigns",
        "/calendar",
        "/account",
        "/matters/new",
    ] {
        let (status, _) = b.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
}
both_backends!(
    walk_the_ledger_in_both_languages_on,
    walk_the_ledger_in_both_languages
);

async fn pages_refuse_outside_scope_and_forged_forms(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let theirs = app.matter_under("示范矿业有限公司").await;
    let b = app.browser_as("sub1admin").await;
    let (status, html) = b.get(&format!("/matters/{theirs}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("找不到"));
    let (status, _) = b
        .post(
            &format!("/matters/{theirs}/transition"),
            &[("action", "cancel"), ("reason", "越权")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Calendar and people administration belong to system admins.
    let (status, _) = b
        .post(
            "/calendar",
            &[("day", "2027-01-01"), ("kind", "holiday"), ("name", "元旦")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // A form without the session's CSRF token changes nothing.
    let ours = app.matter_under("示范钢铁股份有限公司").await;
    let events = app.count("audit_events").await;
    let res = b
        .client
        .post(format!("{}/matters/{ours}/transition", b.base))
        .form(&[("action", "cancel"), ("reason", "伪造"), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("audit_events").await, events);
}
both_backends!(
    pages_refuse_outside_scope_and_forged_forms_on,
    pages_refuse_outside_scope_and_forged_forms
);

async fn create_a_matter_through_the_form(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let b = app.browser_as("sub1admin").await;
    let unit = app.unit_id("示范钢铁股份有限公司").await.to_string();
    // Missing title and a bad date: the form comes back with both named, nothing is written.
    let before = app.count("matters").await;
    let (status, html) = b
        .post(
            "/matters",
            &[
                ("title", ""),
                ("unit_id", unit.as_str()),
                ("deadline_mode", "date"),
                ("deadline", "2026-02-30"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("事项名称：必填"), "the title field is named");
    assert!(
        html.contains("完成时限：日期格式"),
        "the deadline field is named"
    );
    assert_eq!(app.count("matters").await, before);

    let res = b
        .client
        .post(format!("{}/matters", b.base))
        .form(&[
            ("csrf", b.csrf.as_str()),
            ("title", "为一线班组配置休息室空调"),
            ("unit_id", unit.as_str()),
            ("deadline_mode", "working_days"),
            ("deadline_working_days", "15"),
            ("measures", "采购安装空调12台"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let (status, html) = b.get(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("为一线班组配置休息室空调") && html.contains("拟办"));
    // Approving without all five determinations is refused with the reason, in Chinese.
    let (status, html) = b
        .post(&format!("{location}/transition"), &[("action", "approve")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("五定不全"));
}
both_backends!(
    create_a_matter_through_the_form_on,
    create_a_matter_through_the_form
);

async fn lists_and_limits_are_for_the_organisation_admin(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let admin = app.browser_as("admin").await;
    let (status, _) = admin
        .post(
            "/settings/lists/decline_reasons",
            &[
                ("name_zh", "已在其他渠道办结"),
                ("name_en", "Settled elsewhere"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, html) = admin.get("/settings/lists").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("已在其他渠道办结"));
    let (status, html) = admin
        .post(
            "/settings/lists/categories",
            &[("name_zh", ""), ("name_en", "")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("中文名称：必填"));
    let (status, html) = admin
        .post(
            "/settings/limits",
            &[
                ("unit_id", "0"),
                ("category_id", "0"),
                ("accept_days", "3"),
                ("answer_days", "1"),
            ],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "answering before accepting is refused"
    );
    assert!(html.contains("答复时限"));
    // A subsidiary's unit admin changes none of it.
    let sub = app.browser_as("sub1admin").await;
    let (status, _) = sub.get("/settings/lists").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let events = app.count("audit_events").await;
    let (status, _) = sub
        .post(
            "/settings/lists/categories",
            &[("name_zh", "越权"), ("name_en", "x")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = sub
        .post(
            "/settings/limits",
            &[
                ("unit_id", "0"),
                ("category_id", "0"),
                ("accept_days", "1"),
                ("answer_days", "2"),
            ],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the calendar page shows the refusal"
    );
    assert_eq!(app.count("audit_events").await, events);
}
both_backends!(
    lists_and_limits_are_for_the_organisation_admin_on,
    lists_and_limits_are_for_the_organisation_admin
);
