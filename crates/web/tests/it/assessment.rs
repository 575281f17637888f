//! The assessment page on the demo organisation, on SQLite and PostgreSQL: the ranking, the
//! weights form and its refusals, the workbook.

use crate::common::TestApp;
use reqwest::StatusCode;
use shishi_store::{Backend, both_backends};

async fn the_ranking_page_weights_and_workbook(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let leader = app.browser_as("leader").await;
    let (status, html) = leader.get("/assessment").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    for text in [
        "考核排名",
        "示范钢铁股份有限公司",
        "响应率",
        "综合得分",
        "红榜",
        "黑榜",
    ] {
        assert!(html.contains(text), "{text} missing");
    }
    // A quarter, and a period that is no period.
    assert_eq!(
        leader.get("/assessment?period=2026-Q4").await.0,
        StatusCode::OK
    );
    assert_eq!(
        leader.get("/assessment?period=下个月").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Only the system admin of the whole group sets the weights.
    let fields = [
        ("weight_response", "20"),
        ("weight_resolution", "25"),
        ("weight_satisfaction", "30"),
        ("weight_on_time", "15"),
        ("weight_rework", "10"),
        ("min_sample", "1"),
        ("board_size", "2"),
    ];
    let (status, _) = leader.post("/assessment/policy", &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let admin = app.browser_as("admin").await;
    let mut bad = fields.to_vec();
    bad[0] = ("weight_response", "很多");
    let (status, html) = admin.post("/assessment/policy", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("响应率权重"), "the field is named");
    let (status, _) = admin.post("/assessment/policy", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.services.assess_policy().await.unwrap().board_size, 2);
    // With a minimum sample of 1 the subsidiaries are ranked.
    let (_, html) = leader.get("/assessment").await;
    assert!(!html.contains("暂无（需有足够样本的单位）") || html.contains("<b>1</b>"));
    // The workbook reads back with its chart.
    let res = leader
        .client
        .get(app.url("/assessment/export.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    use calamine::Reader;
    let range = book.worksheet_range("考核排名").unwrap();
    assert!(
        range
            .rows()
            .any(|r| r.iter().any(|c| *c == "示范钢铁股份有限公司"))
    );
    // A member has no assessment; a subsidiary's admin sees only its own units.
    let member = app.browser_as("member").await;
    assert_eq!(member.get("/assessment").await.0, StatusCode::NOT_FOUND);
    let sub2 = app.browser_as("sub2admin").await;
    let s1 = app.unit_id("示范钢铁股份有限公司").await;
    assert_eq!(
        sub2.get(&format!("/assessment?unit={s1}")).await.0,
        StatusCode::NOT_FOUND
    );
}
both_backends!(
    the_ranking_page_weights_and_workbook_on,
    the_ranking_page_weights_and_workbook
);
