//! The calendar past its last entered year (issue 10, defects 15 and 8): provisional years on
//! the calendar page and in the API, confirming them, the marks on the deadlines computed
//! from them, and festival names in the reader's language.
//!
//! The server runs on the system clock and the demo ships 2024–2026, so every year after 2026
//! is provisional until a test confirms it; the tests use years far enough ahead (2031, 2032)
//! or spans long enough (300 working days) to hold whenever they run.

use chrono::Datelike;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shishi_store::{Backend, both_backends};

use crate::common::TestApp;

const UNIT: &str = "示范钢铁股份有限公司";

async fn the_calendar_page_shows_provisional_years_and_names_festivals_in_english(
    backend: Backend,
) {
    let app = TestApp::with_demo(backend).await;
    let b = app.browser_as("admin").await;
    let (status, html) = b.get("/calendar?year=2031").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("provisional-year"),
        "the year is marked provisional"
    );
    assert!(html.contains("2031-01-23"), "春节 2031 (初一) by rule");
    assert!(html.contains("/calendar/confirm"));
    // A confirmed year is not provisional.
    let (_, html) = b.get("/calendar?year=2025").await;
    assert!(!html.contains("provisional-year"));
    assert!(html.contains("国庆节、中秋节") || html.contains("中秋节、国庆节"));

    // In English the festivals are named in English (they were shown in Chinese).
    b.client
        .get(format!("{}/lang/en?next=/calendar", b.base))
        .send()
        .await
        .unwrap();
    let (_, html) = b.get("/calendar?year=2025").await;
    assert!(html.contains("lang=\"en\""));
    assert!(html.contains("Mid-Autumn Festival, National Day"), "{html}");
    assert!(html.contains("Spring Festival"));
    assert!(
        !html.contains("国庆节") && !html.contains("春节"),
        "no Chinese festival names"
    );
    let (_, html) = b.get("/calendar?year=2031").await;
    assert!(html.contains("Spring Festival") && html.contains("provisional"));

    // Confirming: refused to a subsidiary's admin, done by the system admin.
    let sub = app.browser_as("sub1admin").await;
    let (status, _) = sub.post("/calendar/confirm", &[("year", "2031")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, html) = b.get("/calendar?year=2031").await;
    assert!(html.contains("provisional-year"), "nothing changed");
    let (status, html) = b.post("/calendar/confirm", &[("year", "2031")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("provisional-year"), "{html}");
    let (status, html) = b.post("/calendar/confirm", &[("year", "2031")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("already confirmed"));
    // A day set with its festival code is named in the reader's language.
    let (status, _) = b
        .post(
            "/calendar",
            &[
                ("day", "2032-02-14"),
                ("kind", "workday"),
                ("holiday", "spring_festival"),
                ("name", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = b.get("/calendar?year=2032").await;
    assert!(!html.contains("provisional-year"));
    assert!(html.contains("2032-02-14") && html.contains("Spring Festival"));
}
both_backends!(
    the_calendar_page_shows_provisional_years_and_names_festivals_in_english_on,
    the_calendar_page_shows_provisional_years_and_names_festivals_in_english
);

async fn the_api_reads_and_confirms_provisional_years(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let admin = app.api_as("admin").await;
    let unitadmin = app.api_as("unitadmin").await;
    let year: Value = admin
        .get("/calendar/years/2031")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(year["provisional"], true);
    let days = year["days"].as_array().unwrap();
    assert!(
        days.iter()
            .any(|d| d["day"] == "2031-01-01" && d["holidays"] == json!(["new_year"]))
    );
    assert!(
        days.iter().all(|d| d["kind"] == "holiday"),
        "no make-up days by rule"
    );
    let res = unitadmin
        .post("/calendar/years/2031/confirm", json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = admin.post("/calendar/years/2031/confirm", json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["days"].as_u64(), Some(days.len() as u64));
    let res = admin.post("/calendar/years/2031/confirm", json!({})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = admin.post("/calendar/years/2200/confirm", json!({})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let year: Value = admin
        .get("/calendar/years/2031")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(year["provisional"], false);

    // PUT a day: its festival code is kept as data; an unknown code is named.
    let res = admin
        .put(
            "/calendar/days/2032-01-01",
            json!({"kind": "holiday", "holiday": "yuandan"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "holiday");
    let res = admin
        .put(
            "/calendar/days/2032-01-01",
            json!({"kind": "holiday", "holiday": "new_year"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let year: Value = admin
        .get("/calendar/years/2032")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(year["provisional"], false);
    assert_eq!(
        year["days"],
        json!([{"day": "2032-01-01", "kind": "holiday", "name": "元旦", "holidays": ["new_year"]}])
    );
    let days: Value = admin.get("/calendar/days").await.json().await.unwrap();
    assert!(
        days.as_array()
            .unwrap()
            .iter()
            .any(|d| d["day"] == "2025-10-01" && d["holidays"] == "mid_autumn,national_day")
    );

    let res = unitadmin.get("/calendar/moved-deadlines").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = admin.get("/calendar/moved-deadlines").await;
    assert_eq!(res.status(), StatusCode::OK);
}
both_backends!(
    the_api_reads_and_confirms_provisional_years_on,
    the_api_reads_and_confirms_provisional_years
);

async fn deadlines_across_a_provisional_year_are_marked_then_flagged(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let unitadmin = app.api_as("unitadmin").await;
    let unit = app.unit_id(UNIT).await;
    let created: Value = unitadmin
        .post(
            "/matters",
            json!({"title": "三年规划的职工宿舍改造", "unit_id": unit, "measures": "分期改造",
                   "deadline_working_days": 300, "acceptance_standard": "职工入住"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let deadline = created["deadline"].as_str().unwrap().to_string();
    let b = app.browser_as("unitadmin").await;
    let (_, html) = b.get(&format!("/matters/{id}")).await;
    assert!(
        html.contains("badge warn provisional"),
        "the matter page marks it"
    );
    let (_, html) = b
        .get("/ledger?q=%E8%81%8C%E5%B7%A5%E5%AE%BF%E8%88%8D")
        .await; // 职工宿舍
    assert!(
        html.contains(&deadline) && html.contains("badge warn provisional"),
        "the ledger marks it"
    );

    // The system admin enters the first provisional year the count crossed, one weekday more
    // off than the rule: the deadline is kept and flagged.
    let services = &app.services;
    let cal = services.calendar();
    let today = services.clock.today();
    let year = (today.year()..).find(|y| !cal.is_confirmed(*y)).unwrap();
    let start =
        today.max(chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap()) + chrono::Duration::days(1);
    let extra = (0..)
        .map(|n| start + chrono::Duration::days(n))
        .find(|d| cal.is_working_day(*d))
        .unwrap();
    assert_eq!(extra.year(), year);
    let mut csv = String::from("date,kind,name\n");
    for d in services.calendar_year(year).await.unwrap().days {
        csv.push_str(&format!("{},{},{}\n", d.day, d.kind, d.name));
    }
    csv.push_str(&format!("{extra},holiday,国庆节\n"));
    let admin = app.api_as("admin").await;
    let res = admin
        .client
        .post(format!("{}/api/v1/calendar/import", admin.base))
        .header("x-csrf-token", &admin.csrf)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let matter: Value = unitadmin
        .get(&format!("/matters/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        matter["matter"]["deadline"],
        deadline.as_str(),
        "the date set is kept"
    );
    let moved = matter["matter"]["deadline_moved_to"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(moved > deadline);
    let (_, html) = b.get(&format!("/matters/{id}")).await;
    assert!(html.contains("badge danger moved") && html.contains(&moved));
    let list: Value = admin
        .get("/calendar/moved-deadlines")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["matter_id"], id);
    let ab = app.browser_as("admin").await;
    let (_, html) = ab.get("/calendar").await;
    assert!(html.contains("moved-deadlines") && html.contains("三年规划的职工宿舍改造"));

    // A demand whose limit runs into a provisional year: the inbox marks its limits.
    let root = services.actor(admin.user_id).await.unwrap();
    services
        .set_response_limit(&root, unit, 0, 2, 365)
        .await
        .unwrap();
    let submitted = services
        .submit_demand(
            None,
            shishi_core::demand::Channel::Online,
            &shishi_service::demands::DemandInput {
                title: "宿舍热水供应时间太短".into(),
                body: "宿舍热水只供应到晚上九点，希望延长。".into(),
                unit_id: unit,
                contact: "13800006666".into(),
                ..Default::default()
            },
            None,
            vec![],
        )
        .await
        .unwrap();
    let (_, html) = b.get("/inbox?q=%E5%AE%BF%E8%88%8D%E7%83%AD%E6%B0%B4").await; // 宿舍热水
    assert!(
        html.contains(&format!("/demands/{}", submitted.id)),
        "{html}"
    );
    assert!(
        html.contains("badge warn provisional"),
        "the inbox marks the limits"
    );
}
both_backends!(
    deadlines_across_a_provisional_year_are_marked_then_flagged_on,
    deadlines_across_a_provisional_year_are_marked_then_flagged
);
