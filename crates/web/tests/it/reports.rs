//! The report pages on the demo organisation, on SQLite and PostgreSQL: the weekly table,
//! submission with its narrative, the frozen version, reminders, and the refusals.

use crate::common::TestApp;
use reqwest::StatusCode;
use shishi_store::{Backend, both_backends};

async fn the_weekly_table_is_filled_submitted_and_frozen(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let s1 = app.unit_id("示范钢铁股份有限公司").await;
    let group_admin = app.browser_as("unitadmin").await;
    let (status, html) = group_admin.get("/reports").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    for text in [
        "周统计表",
        "合计",
        "示范钢铁股份有限公司",
        "按内容类别",
        "下级单位上报情况",
        "未上报",
    ] {
        assert!(html.contains(text), "{text} missing");
    }
    // Drilling down to a subsidiary's table of the same week.
    let week = app.services.clock.today();
    let period =
        shishi_report::period::Period::containing(shishi_report::period::PeriodKind::Week, week)
            .to_string();
    let (status, html) = group_admin
        .get(&format!("/reports?kind=weekly&unit={s1}&period={period}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("第一炼钢厂"));

    // The subsidiary's admin: an empty narrative names the field and writes nothing.
    let sub1 = app.browser_as("sub1admin").await;
    let form = |highlights: &'static str, action: &'static str| {
        vec![
            ("kind", "weekly".to_string()),
            ("unit", s1.to_string()),
            ("period", period.clone()),
            ("highlights", highlights.to_string()),
            ("problems", "资金到位慢".to_string()),
            ("next_plan", "".to_string()),
            ("action", action.to_string()),
        ]
    };
    let post = async |b: &crate::common::Browser, fields: Vec<(&str, String)>| {
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        b.post("/reports", &refs).await
    };
    let (status, html) = post(&sub1, form("", "submit")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("本周主要进展：必填"), "{html}");
    assert_eq!(app.count("reports").await, 0);
    let (status, _) = post(&sub1, form("炼钢厂浴室改造完工", "save")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("reports").await, 0);
    let page = format!("/reports?kind=weekly&unit={s1}&period={period}");
    let (_, html) = sub1.get(&page).await;
    assert!(html.contains("炼钢厂浴室改造完工") && html.contains("未上报"));
    let (status, _) = post(&sub1, form("炼钢厂浴室改造完工", "submit")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = sub1.get(&format!("{page}&done=submitted")).await;
    assert!(
        html.contains("已上报（第1版）") && html.contains("上级单位已收到通知"),
        "{html}"
    );
    assert_eq!(app.count("reports").await, 1);

    // The group sees the subsidiary as submitted and opens the frozen version.
    let (_, html) = group_admin.get("/reports").await;
    assert!(html.contains("已上报（第1版）"));
    let (status, html) = group_admin.get("/reports/1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("数字已冻结") && html.contains("炼钢厂浴室改造完工"));

    // The live table and the frozen version download as workbooks that read back.
    for path in [
        page.replace("/reports?", "/reports/export.xlsx?"),
        "/reports/1/export.xlsx".to_string(),
    ] {
        let res = group_admin.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let disposition = res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
        let bytes = res.bytes().await.unwrap().to_vec();
        let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        use calamine::Reader;
        assert_eq!(
            book.sheet_names(),
            vec!["周统计表", "按内容类别", "文字说明"]
        );
        let notes = book.worksheet_range("文字说明").unwrap();
        assert!(
            notes
                .rows()
                .any(|r| r.iter().any(|c| *c == "炼钢厂浴室改造完工"))
        );
    }
    assert_eq!(
        app.browser_as("sub2admin")
            .await
            .get("/reports/1/export.xlsx")
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // Another subsidiary's admin sees neither the table nor the submission.
    let sub2 = app.browser_as("sub2admin").await;
    assert_eq!(
        sub2.get(&format!("/reports?unit={s1}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(sub2.get("/reports/1").await.0, StatusCode::NOT_FOUND);
    // A member has no reports at all; a handler reads but cannot submit.
    let member = app.browser_as("member").await;
    assert_eq!(member.get("/reports").await.0, StatusCode::NOT_FOUND);
    let (status, _) = post(&sub2, form("越权上报", "submit")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("reports").await, 1);

    // The group reminds a subsidiary that has not submitted; once a day.
    let s2 = app.unit_id("示范矿业有限公司").await;
    let remind = [
        ("kind", "weekly"),
        ("unit", &*s2.to_string()),
        ("period", period.as_str()),
    ]
    .map(|(k, v)| (k, v.to_string()));
    let refs: Vec<(&str, &str)> = remind.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = group_admin.post("/reports/remind", &refs).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("notifications WHERE kind = 'report_remind'")
            .await,
        1
    );
    let (status, _) = group_admin.post("/reports/remind", &refs).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("notifications WHERE kind = 'report_remind'")
            .await,
        1
    );
    // A subsidiary cannot remind its sibling.
    let (status, _) = sub1.post("/reports/remind", &refs).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The root admin sets the due times on the page; a unit admin may not; bad input names
    // its field.
    let due = [
        ("kind", "weekly"),
        ("weekly_weekday", "4"),
        ("monthly_day", "3"),
        ("quarterly_day", "8"),
        ("hour", "18"),
    ];
    assert_eq!(
        group_admin.post("/reports/due", &due).await.0,
        StatusCode::FORBIDDEN
    );
    let admin = app.browser_as("admin").await;
    let mut bad = due;
    bad[4] = ("hour", "25");
    let (status, html) = admin.post("/reports/due", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("截止时刻"), "the field is named");
    assert_eq!(
        admin.post("/reports/due", &due).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.services.due_policy().await.unwrap().weekly_weekday, 4);

    // English is complete.
    group_admin.get("/lang/en?next=/reports").await;
    let (_, html) = group_admin.get("/reports").await;
    assert!(
        html.contains("Weekly table") && html.contains("Completion rate"),
        "{html}"
    );
}
both_backends!(
    the_weekly_table_is_filled_submitted_and_frozen_on,
    the_weekly_table_is_filled_submitted_and_frozen
);

async fn the_ledger_exports_what_the_user_sees_in_the_usual_layout(backend: Backend) {
    use calamine::{Data, Reader};
    let app = TestApp::with_demo(backend).await;
    let sub1 = app.browser_as("sub1admin").await;
    let actor = app
        .services
        .operator(Some("sub1admin"))
        .await
        .expect("sub1admin acts");
    let filter = shishi_service::matters::LedgerFilter::default();
    let seen = app.services.ledger(&actor, &filter).await.unwrap().total;
    let res = sub1
        .client
        .get(app.url("/ledger/export.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("台账").unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    assert_eq!(rows[0][0].to_string(), "我为群众办实事项目台账");
    let header: Vec<String> = rows[2].iter().map(|c| c.to_string()).collect();
    assert_eq!(
        header,
        [
            "序号",
            "事项名称",
            "责任单位",
            "责任人",
            "工作措施",
            "完成时限",
            "原定完成时限",
            "验收标准",
            "督导责任人",
            "批次",
            "进展情况",
            "完成状态",
            "备注"
        ]
    );
    let data = &rows[3..];
    assert_eq!(
        data.len() as i64,
        seen,
        "every matter the user sees, and no other"
    );
    assert!(
        data.iter()
            .all(|r| matches!(r[5], Data::DateTime(_) | Data::Empty))
    );
    assert!(data.iter().any(|r| matches!(r[5], Data::DateTime(_))));
    // Another subsidiary's export holds none of these matters.
    let sub2 = app.browser_as("sub2admin").await;
    let other = sub2
        .client
        .get(app.url("/ledger/export.xlsx"))
        .send()
        .await
        .unwrap();
    let other = other.bytes().await.unwrap().to_vec();
    let mut other: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(other)).unwrap();
    let other = other.worksheet_range("台账").unwrap();
    let titles: std::collections::HashSet<String> = data.iter().map(|r| r[1].to_string()).collect();
    assert!(
        other
            .rows()
            .skip(3)
            .all(|r| !titles.contains(&r[1].to_string()))
    );
    // A unit outside the user's scope is not found; English headers on request.
    let s2 = app.unit_id("示范矿业有限公司").await;
    assert_eq!(
        sub1.get(&format!("/ledger/export.xlsx?unit_id={s2}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}
both_backends!(
    the_ledger_exports_what_the_user_sees_in_the_usual_layout_on,
    the_ledger_exports_what_the_user_sees_in_the_usual_layout
);
