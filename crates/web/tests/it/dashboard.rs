//! The leaders' dashboard on the demo organisation, on SQLite and PostgreSQL: five charts that
//! parse as SVG, every mark and headline figure leading to ledger rows that add up to it, the
//! ledger's period filters, and scope.

use std::collections::BTreeSet;

use crate::common::{Browser, TestApp};
use reqwest::StatusCode;
use shishi_report::period::{Period, PeriodKind};
use shishi_store::{Backend, both_backends};

/// Every inline `<svg>…</svg>` of a page, in order.
fn svgs(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("a closed svg") + start + 6;
        out.push(&rest[start..end]);
        rest = &rest[end..];
    }
    out
}

/// The chart's title and the links of its marks, read back as XML.
fn read(svg: &str) -> (String, Vec<String>) {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert!(root.attribute("viewBox").is_some());
    let title = root
        .children()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text())
        .unwrap_or_default()
        .to_string();
    let links = doc
        .descendants()
        .filter(|n| n.has_tag_name("a"))
        .filter_map(|n| n.attribute("href"))
        .map(str::to_string)
        .collect();
    (title, links)
}

/// "找到 N 项" on a ledger page.
fn found(html: &str) -> i64 {
    let at = html.find("找到 ").expect("the count of rows") + "找到 ".len();
    html[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect("a number")
}

async fn rows(b: &Browser, href: &str) -> i64 {
    let (status, html) = b.get(href).await;
    assert_eq!(status, StatusCode::OK, "{href}");
    found(&html)
}

async fn five_charts_lead_to_the_rows_behind_them(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let leader = app.browser_as("leader").await;
    let (status, html) = leader.get("/dashboard").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    for text in [
        "领导看板",
        "事项总数",
        "完成率",
        "超期",
        "本周新增",
        "本周完成",
        "满意率",
        "href=\"/dashboard\"",
    ] {
        assert!(html.contains(text), "{text} missing");
    }
    // Each chart is drawn for a desktop column and for a phone.
    let charts: Vec<(String, Vec<String>)> = svgs(&html).into_iter().map(read).collect();
    let titles: Vec<&str> = charts.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(
        titles,
        [
            "每周新增与完成",
            "每周新增与完成",
            "各单位完成率",
            "各单位完成率",
            "各单位超期事项",
            "各单位超期事项",
            "内容类别分布",
            "内容类别分布",
            "群众满意度",
            "群众满意度",
        ]
    );
    for pair in charts.chunks(2) {
        assert_eq!(pair[0].1, pair[1].1, "both sizes link alike");
    }
    let links = |i: usize| charts[i * 2].1.clone();

    let actor = app.services.operator(Some("leader")).await.unwrap();
    let d = app
        .services
        .dashboard(&actor, actor.read_roots()[0].0, 12)
        .await
        .unwrap();
    let g = d.unit.id;
    assert_eq!(d.weeks.len(), 12);

    // New and completed per week: each bar opens exactly its week's matters.
    let weekly = links(0);
    assert_eq!(weekly.len(), 24);
    for f in &d.weeks {
        let new = format!("/ledger?unit_id={g}&top_level_only=1&created={}", f.week);
        let done = format!("/ledger?unit_id={g}&top_level_only=1&completed={}", f.week);
        assert!(
            weekly.contains(&new) && weekly.contains(&done),
            "{}",
            f.week
        );
        assert_eq!(rows(&leader, &new).await, f.new, "{new}");
        assert_eq!(rows(&leader, &done).await, f.completed, "{done}");
    }
    assert!(
        d.weeks.iter().any(|f| f.new > 0) && d.weeks.iter().any(|f| f.completed > 0),
        "the demo has flow to show"
    );

    // Completion and overdue by unit: a bar per unit one level down.
    let children: Vec<_> = d.table.children_of(g).collect();
    assert!(children.len() >= 3);
    let completion = links(1);
    let overdue = links(2);
    for c in &children {
        let all = format!("/ledger?unit_id={}&top_level_only=1", c.unit_id);
        assert!(completion.contains(&all), "{}", c.name);
        let (status, page) = leader.get(&all).await;
        assert_eq!(status, StatusCode::OK);
        let line = format!("共{}项，已完成{}项", c.subtree.total, c.subtree.completed);
        assert!(page.contains(&line), "{}: {line}", c.name);
        let late = format!("{all}&flag=overdue");
        assert!(overdue.contains(&late), "{}", c.name);
        assert_eq!(rows(&leader, &late).await, c.subtree.overdue, "{late}");
    }

    // The content-area mix: each slice opens that area's matters on the list.
    let areas = links(3);
    let configured: Vec<_> = d.table.areas.iter().filter(|a| a.area_id > 0).collect();
    let distinct: BTreeSet<&String> = areas.iter().collect();
    // The slice and its legend row are both links.
    assert_eq!(distinct.len(), configured.len());
    for a in configured {
        let href = areas
            .iter()
            .find(|h| h.contains(&format!("&content_area_id={}&", a.area_id)))
            .expect("a link per area");
        assert_eq!(rows(&leader, href).await, a.total, "{}", a.name_zh);
    }
    // Satisfaction has no rows to open; its total is the verdicts of the window.
    assert!(links(4).is_empty());
    assert!(d.satisfaction.total() > 0, "the demo has verdicts");
    assert!(html.contains(&format!("{} 条评价", d.satisfaction.total())));

    // The headline figures open their rows too.
    let total = d.table.total();
    let week = d.week;
    for (href, n) in [
        (
            format!("/ledger?unit_id={g}&#38;top_level_only=1&#38;created={week}"),
            total.new,
        ),
        (
            format!("/ledger?unit_id={g}&#38;top_level_only=1&#38;completed={week}"),
            total.completed_in_period,
        ),
        (
            format!("/ledger?unit_id={g}&#38;top_level_only=1&#38;flag=overdue"),
            total.overdue,
        ),
    ] {
        assert!(html.contains(&format!("href=\"{href}\"")), "{href}");
        assert_eq!(
            rows(&leader, &href.replace("&#38;", "&")).await,
            n,
            "{href}"
        );
    }

    // Every link on the page answers.
    let every: BTreeSet<String> = charts.iter().flat_map(|c| c.1.clone()).collect();
    for href in &every {
        assert_eq!(leader.get(href).await.0, StatusCode::OK, "{href}");
    }

    // English is complete.
    leader.get("/lang/en?next=/dashboard").await;
    let (_, html) = leader.get("/dashboard").await;
    for text in [
        "New and completed per week",
        "Completion rate by unit",
        "Overdue by unit",
        "Content areas",
        "Satisfaction",
        "Dashboard",
    ] {
        assert!(html.contains(text), "{text} missing");
    }
}
both_backends!(
    five_charts_lead_to_the_rows_behind_them_on,
    five_charts_lead_to_the_rows_behind_them
);

async fn the_dashboard_keeps_to_the_readers_scope(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let group = app.unit_id("示范钢铁集团有限公司").await;
    let s1 = app.unit_id("示范钢铁股份有限公司").await;
    let s2 = app.unit_id("示范矿业有限公司").await;
    let steel = app.unit_id("第一炼钢厂").await;

    // The group's leader goes down to a subsidiary and back up.
    let leader = app.browser_as("leader").await;
    let (status, html) = leader.get(&format!("/dashboard?unit={s1}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("href=\"/dashboard?unit={group}\"")));
    assert!(html.contains(&format!("<option value=\"{steel}\">第一炼钢厂</option>")));
    assert_eq!(svgs(&html).len(), 10);

    // A subsidiary's leader: its own dashboard, no way up, no sibling.
    let sub1 = app.browser_as("sub1leader").await;
    let (status, html) = sub1.get("/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("示范钢铁股份有限公司"));
    assert!(!html.contains(&format!("/dashboard?unit={group}\"")));
    for unit in [s2, group, 999_999] {
        let (status, html) = sub1.get(&format!("/dashboard?unit={unit}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "unit {unit}");
        assert!(!html.contains("<svg"));
    }

    // A member reads no ledger: no dashboard and no menu entry.
    let member = app.browser_as("member").await;
    assert_eq!(member.get("/dashboard").await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        member.get(&format!("/dashboard?unit={steel}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, html) = member.get("/my/demands").await;
    assert!(!html.contains("href=\"/dashboard\""));
}
both_backends!(
    the_dashboard_keeps_to_the_readers_scope_on,
    the_dashboard_keeps_to_the_readers_scope
);

async fn the_ledger_filters_by_period(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let group = app.unit_id("示范钢铁集团有限公司").await;
    let admin = app.browser_as("unitadmin").await;
    let week = Period::containing(PeriodKind::Week, app.services.clock.today());
    let actor = app.services.operator(Some("unitadmin")).await.unwrap();
    let table = app.services.stats_table(&actor, group, week).await.unwrap();

    // The filter shows as a removable line and stays in the form.
    let base = format!("/ledger?unit_id={group}&top_level_only=1");
    let (status, html) = admin.get(&format!("{base}&created={week}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found(&html), table.total().new);
    let chip = format!("本期新增 {}", week.label("zh-CN"));
    assert!(html.contains(&chip), "{chip}");
    assert!(html.contains(&format!(
        "href=\"/ledger?unit_id={group}&#38;top_level_only=1\""
    )));
    assert!(html.contains(&format!("name=\"created\" value=\"{week}\"")));
    let (_, html) = admin.get(&format!("{base}&completed={week}")).await;
    assert_eq!(found(&html), table.total().completed_in_period);
    assert!(html.contains(&format!("本期完成 {}", week.label("zh-CN"))));
    // A month and a quarter work as well; a month holds at least its week's days here.
    let month = Period::containing(PeriodKind::Month, app.services.clock.today());
    let (status, html) = admin.get(&format!("{base}&created={month}")).await;
    assert_eq!(status, StatusCode::OK);
    let month_table = app
        .services
        .stats_table(&actor, group, month)
        .await
        .unwrap();
    assert_eq!(found(&html), month_table.total().new);

    // The form sends its blank period fields: they mean "any" and show no filter line.
    let (status, html) = admin.get(&format!("{base}&created=&completed=+")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("id=\"period-filters\""));
    assert_eq!(found(&html), found(&admin.get(&base).await.1));

    // A bad period names the field, on the page and in the API.
    for (query, field) in [
        ("created=last-week", "新增期间"),
        ("completed=2026-W60", "完成期间"),
    ] {
        let (status, html) = admin.get(&format!("/ledger?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(html.contains(field), "{query}: {html}");
    }
    let api = app.api_as("unitadmin").await;
    let res = api.get("/matters?completed=2026-13").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "completed");
    let res = api
        .get(&format!("/matters?created={week}&per_page=200"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    let (from, until) = week.bounds_ms();
    let items = body["items"].as_array().unwrap();
    assert!(items.iter().all(|m| {
        let at = m["created_at"].as_i64().unwrap();
        from <= at && at < until
    }));
    assert!(items.len() as i64 >= table.total().new);

    // English words for the filter.
    admin.get("/lang/en?next=/ledger").await;
    let (_, html) = admin.get(&format!("{base}&created={week}")).await;
    assert!(html.contains(&format!("New in {}", week.label("en"))));
    assert!(html.contains("Created in") && html.contains("Completed in"));
    let (status, html) = admin.get("/ledger?created=soon").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Created in"), "{html}");
}
both_backends!(
    the_ledger_filters_by_period_on,
    the_ledger_filters_by_period
);
