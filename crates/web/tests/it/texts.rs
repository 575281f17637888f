//! What the pages and the API say: messages with their values filled, fields named as the
//! form labels them, English in English punctuation, the actions a person may take and no
//! others, links that lead somewhere, and numbers that say what they count.

use crate::common::driving::{STEEL, SUB1, matter_in_progress, post_multipart};
use crate::common::{Browser, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shishi_store::{Backend, both_backends};

/// Raw keys and unfilled placeholders: what a page must never show.
fn leftovers(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for needle in [
        "%{",
        "ledger_period.",
        "field.",
        "error.",
        "demand_action.",
        "demand_event.",
        "reason.",
    ] {
        // Keys stand alone in text; `field.` inside a CSS class or a URL is not one.
        for (i, _) in html.match_indices(needle) {
            let before = html[..i].chars().next_back().unwrap_or(' ');
            if needle == "%{" || matches!(before, '>' | ' ' | '"' | '\n') {
                let end = (i + 40).min(html.len());
                let end = (end..html.len())
                    .find(|e| html.is_char_boundary(*e))
                    .unwrap_or(html.len());
                found.push(html[i..end].to_string());
            }
        }
    }
    found
}

async fn in_english(b: &Browser) {
    b.client
        .get(format!("{}/lang/en?next=/ledger", b.base))
        .send()
        .await
        .unwrap();
}

async fn messages_are_filled_and_fields_named_by_their_forms(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let steel = app.unit_id(STEEL).await;
    let member = app.api_as("member").await;

    // A demand's title is 诉求标题, whatever the matter form calls its own.
    let res = member
        .post(
            "/demands",
            json!({"channel": "online", "title": "长".repeat(101), "body": "x", "unit_id": steel}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    let text = body.to_string();
    assert!(
        text.contains("诉求标题：不能超过 100 个字"),
        "the demand form's label: {text}"
    );
    assert!(!text.contains("事项名称") && !text.contains("%{"), "{text}");

    // No unit chosen: the citizen is asked to choose one, nobody's scope is mentioned.
    let res = member
        .post(
            "/demands",
            json!({"channel": "online", "title": "路灯", "body": "x", "unit_id": 0}),
        )
        .await;
    let text = res.text().await.unwrap();
    assert!(text.contains("请选择单位"), "{text}");
    assert!(!text.contains("管理范围"), "{text}");

    // The same on the page; and an idempotency key too long, every value filled.
    let b = app.browser_as("member").await;
    let (_, form) = b.get("/submit").await;
    let csrf = crate::common::hidden(&form, "csrf");
    for (unit, key, says) in [
        ("", "k1", "涉及单位：请选择单位"),
        ("1", &*"k".repeat(300), "提交标识：不能超过 100 个字"),
    ] {
        let f = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("title", "路灯不亮")
            .text("body", "西门路灯")
            .text("unit_id", unit.to_string())
            .text("idempotency_key", key.to_string());
        let res = b
            .client
            .post(format!("{}/submit", b.base))
            .multipart(f)
            .send()
            .await
            .unwrap();
        let html = res.text().await.unwrap();
        assert!(leftovers(&html).is_empty(), "{:?}", leftovers(&html));
        assert_eq!(html.matches(says).count(), 1, "{html}");
    }

    // A matter's title is 事项名称.
    let admin = app.api_as("sub1admin").await;
    let res = admin
        .post(
            "/matters",
            json!({"title": "长".repeat(201), "unit_id": steel}),
        )
        .await;
    let text = res.text().await.unwrap();
    assert!(text.contains("事项名称：不能超过 200 个字"), "{text}");

    // A field with no label of its own in `field.*` (the inbox's date filter) is still
    // named, never shown as a key.
    let clerk = app.browser_as("clerk1").await;
    let (status, html) = clerk.get("/inbox?from=notadate").await;
    assert_ne!(status, StatusCode::OK);
    assert!(leftovers(&html).is_empty(), "{:?}", leftovers(&html));

    // Completing a matter with nothing written: once, under the label the form shows.
    let (id, _) = matter_in_progress(&app, "夜班食堂窗口").await;
    let handler = app.browser_as("handler1").await;
    let (status, html) = post_multipart(
        &handler,
        &format!("/matters/{id}/completion"),
        &[("narrative", "")],
        true,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(html.matches("完成情况：必填").count(), 1, "{html}");
    assert!(!html.contains("进展情况：必填"), "{html}");
}
both_backends!(
    messages_are_filled_and_fields_named_by_their_forms_on,
    messages_are_filled_and_fields_named_by_their_forms
);

/// Every page a person of each kind reaches, in both languages: no raw key, no unfilled
/// value; and in English no Chinese punctuation around the texts.
async fn no_page_shows_a_key_or_a_placeholder(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let (id, _) = matter_in_progress(&app, "Night canteen window").await;
    let demand: i64 = {
        let mut conn = app.db.store.read().await.unwrap();
        sqlx::query_scalar("SELECT id FROM demands ORDER BY id LIMIT 1")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    };
    let pages = [
        "/ledger".to_string(),
        "/ledger?mine=1".into(),
        "/inbox".into(),
        format!("/matters/{id}"),
        format!("/demands/{demand}"),
        "/reports".into(),
        "/dashboard".into(),
        "/assessment".into(),
        "/supervision".into(),
        "/notifications".into(),
        "/my/demands".into(),
        "/calendar".into(),
        "/account".into(),
        "/submit".into(),
    ];
    for who in ["admin", "sub1admin", "handler1", "clerk1", "member"] {
        let b = app.browser_as(who).await;
        for english in [false, true] {
            if english {
                in_english(&b).await;
            }
            for p in &pages {
                let (_, html) = b.get(p).await;
                assert!(
                    leftovers(&html).is_empty(),
                    "{who} {p} en={english}: {:?}",
                    leftovers(&html)
                );
                if english {
                    let main = html.split("<main").nth(1).unwrap_or("");
                    for c in ['：', '（', '）', '；'] {
                        // Chinese names and typed words may hold them; labels may not.
                        assert!(
                            !main.contains(&format!("</b>{c}"))
                                && !main.contains(&format!("\">{c}")),
                            "{who} {p}: {c}"
                        );
                    }
                }
            }
        }
    }
}
both_backends!(
    no_page_shows_a_key_or_a_placeholder_on,
    no_page_shows_a_key_or_a_placeholder
);

async fn english_reads_as_english(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let (id, _) = matter_in_progress(&app, "Night canteen window").await;
    // A matter reopened by a 不满意 verdict keeps the reason as a code and the rater's words;
    // an older row keeps its Chinese text.
    let coded = shishi_core::reason::coded(shishi_core::reason::DISSATISFIED, "夜班仍然没有热水");
    {
        let mut conn = app.db.store.write().await.unwrap();
        sqlx::query("UPDATE matters SET status_reason = $1 WHERE id = $2")
            .bind(&coded)
            .bind(id)
            .execute(&mut *conn)
            .await
            .unwrap();
        conn.commit().await.unwrap();
    }
    let b = app.browser_as("sub1admin").await;
    in_english(&b).await;
    let (_, html) = b.get(&format!("/matters/{id}")).await;
    assert!(
        html.contains("Reason: Rated dissatisfied: 夜班仍然没有热水"),
        "{html}"
    );
    assert!(!html.contains("群众评价不满意") && !html.contains("Reason："));
    let (_, html) = app
        .browser_as("sub1admin")
        .await
        .get(&format!("/matters/{id}"))
        .await;
    assert!(
        html.contains("理由：群众评价不满意：夜班仍然没有热水"),
        "{html}"
    );
    // The API gives machines the code and the words, never the stored mark.
    let api = app.api_as("sub1admin").await;
    let matter: Value = api
        .get(&format!("/matters/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let raw = matter.to_string();
    assert!(!raw.contains("\\u001e") && !raw.contains('\u{1e}'), "{raw}");
    assert!(raw.contains("dissatisfied: 夜班仍然没有热水"), "{raw}");

    // The timeline tells what happened, in the past tense.
    let clerk = app.api_as("clerk1").await;
    let member = app.api_as("member").await;
    let res = member
        .post(
            "/demands",
            json!({"channel": "online", "title": "Street light", "body": "West gate", "unit_id": app.unit_id(SUB1).await}),
        )
        .await;
    let did = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = clerk
        .post(
            &format!("/demands/{did}/steps"),
            json!({"action": "accept"}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let c = app.browser_as("clerk1").await;
    in_english(&c).await;
    let (_, html) = c.get(&format!("/demands/{did}")).await;
    let timeline = html.split("timeline").nth(1).unwrap_or("");
    assert!(timeline.contains("Accepted"), "{timeline}");
    assert!(!timeline.contains("> Accept ·"), "{timeline}");

    // The number of a demand in Chinese is 第…号 / 编号, not "No.".
    let zh = app.browser_as("clerk1").await;
    let (_, html) = zh.get("/inbox").await;
    assert!(
        html.contains("<th>编号</th>") && !html.contains("No."),
        "{html}"
    );
}
both_backends!(english_reads_as_english_on, english_reads_as_english);

/// Pages offer what the person may do and lead where they may go.
async fn pages_offer_only_what_leads_somewhere(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    // A handler works the inbox but records nothing offline: no such buttons.
    let h = app.browser_as("handler1").await;
    let (status, html) = h.get("/inbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("href=\"/intake/new\""), "{html}");
    assert!(!html.contains("href=\"/callbacks\""));
    assert_eq!(h.get("/intake/new").await.0, StatusCode::FORBIDDEN);
    // A clerk does, and gets there.
    let c = app.browser_as("clerk1").await;
    let (_, html) = c.get("/inbox").await;
    assert!(html.contains("href=\"/intake/new\""));
    assert_eq!(c.get("/intake/new").await.0, StatusCode::OK);

    // The title of the reports page is a title: no form, no token.
    let admin = app.browser_as("admin").await;
    let (_, html) = admin.get("/reports").await;
    let title = html
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or("");
    assert!(!title.contains('<') && !title.contains("csrf"), "{title}");
    assert!(
        html.contains("id=\"due\""),
        "the due-time form is on the page"
    );

    // "↑ 上级单位" only where the person may read the unit above.
    let sub = app.browser_as("sub1admin").await;
    let s1 = app.unit_id(SUB1).await;
    for page in [
        format!("/reports?unit={s1}"),
        format!("/assessment?unit={s1}"),
        format!("/dashboard?unit={s1}"),
    ] {
        let (status, html) = sub.get(&page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(!html.contains("↑ "), "{page}: no link above the scope");
    }
    let steel = app.unit_id(STEEL).await;
    let (_, html) = sub.get(&format!("/reports?unit={steel}")).await;
    assert!(html.contains("↑ "), "a link up inside the scope");

    // Submitting the top unit's report tells nobody above: the page does not claim it did.
    let top = app.unit_id(shishi_service::demo::DEMO_ORG).await;
    let (_, page) = admin.get(&format!("/reports?kind=weekly&unit={top}")).await;
    let unit = top.to_string();
    let period = crate::common::hidden(&page, "period");
    let res = admin
        .client
        .post(format!("{}/reports", admin.base))
        .form(&[
            ("csrf", admin.csrf.as_str()),
            ("kind", "weekly"),
            ("unit", unit.as_str()),
            ("period", period.as_str()),
            ("action", "submit"),
            ("highlights", "本周完成三项"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = admin.get(&to).await;
    assert!(!html.contains("上级单位已收到通知"), "{html}");
    assert!(html.contains("已上报。"));
    // Below the top, the level above is told, and the page says so.
    let (_, page) = sub.get(&format!("/reports?kind=weekly&unit={s1}")).await;
    let period = crate::common::hidden(&page, "period");
    let res = sub
        .client
        .post(format!("{}/reports", sub.base))
        .form(&[
            ("csrf", sub.csrf.as_str()),
            ("kind", "weekly"),
            ("unit", s1.to_string().as_str()),
            ("period", period.as_str()),
            ("action", "submit"),
            ("highlights", "本周完成两项"),
        ])
        .send()
        .await
        .unwrap();
    let to = res.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = sub.get(&to).await;
    assert!(html.contains("上级单位已收到通知"), "{html}");

    // The tab icon is there, compiled in.
    let res = app
        .anonymous()
        .get(app.url("/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert!(res.text().await.unwrap().starts_with("<svg"));
    let (_, html) = admin.get("/ledger").await;
    assert!(html.contains("rel=\"icon\""));
}
both_backends!(
    pages_offer_only_what_leads_somewhere_on,
    pages_offer_only_what_leads_somewhere
);

/// The first number in `text` after `marker`.
fn number_after(text: &str, marker: &str) -> i64 {
    let rest = text.split(marker).nth(1).unwrap_or("");
    let digits: String = rest
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().unwrap_or(-1)
}

async fn count_of(app: &TestApp, sql: &str, bind: &str) -> i64 {
    let mut conn = app.db.store.read().await.unwrap();
    sqlx::query_scalar::<_, i64>(sql)
        .bind(bind.to_string())
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

/// The ledger's two numbers say what they count, and count what they say.
async fn ledger_numbers_say_what_they_count(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let admin = app.browser_as("admin").await;
    let (_, html) = admin.get("/ledger").await;
    let summary = html.split("id=\"summary\"").nth(1).unwrap_or("");
    let found = html.split("id=\"found\"").nth(1).unwrap_or("");
    assert!(
        summary.contains("本级及下级清单主项（不含子项、拟办和撤销）"),
        "{summary}"
    );
    assert!(found.contains("（含子项、拟办和撤销的事项）"), "{found}");
    let main_listed = count_of(
        &app,
        "SELECT COUNT(*) FROM matters WHERE top_level = 1 AND status NOT IN ('proposed', 'cancelled') AND unit_path LIKE $1",
        "/%",
    )
    .await;
    let all = count_of(
        &app,
        "SELECT COUNT(*) FROM matters WHERE unit_path LIKE $1",
        "/%",
    )
    .await;
    assert_eq!(number_after(summary, "撤销）"), main_listed, "{summary}");
    assert_eq!(number_after(found, "找到"), all, "{found}");

    // A person's own list: everything they answer for, sub-matters included.
    let handler = app.browser_as("handler1").await;
    let me: i64 = {
        let mut conn = app.db.store.read().await.unwrap();
        sqlx::query_scalar("SELECT id FROM users WHERE username = 'handler1'")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    };
    let (_, html) = handler.get("/ledger?mine=1").await;
    let summary = html.split("id=\"summary\"").nth(1).unwrap_or("");
    let found = html.split("id=\"found\"").nth(1).unwrap_or("");
    assert!(
        summary.contains("我负责的事项（含子项，不含拟办和撤销）"),
        "{summary}"
    );
    let mine_listed = count_of(
        &app,
        &format!("SELECT COUNT(*) FROM matters WHERE owner_id = {me} AND status NOT IN ('proposed', 'cancelled') AND unit_path LIKE $1"),
        "/%",
    )
    .await;
    let mine_all = count_of(
        &app,
        &format!("SELECT COUNT(*) FROM matters WHERE owner_id = {me} AND unit_path LIKE $1"),
        "/%",
    )
    .await;
    assert_eq!(number_after(summary, "撤销）"), mine_listed, "{summary}");
    assert_eq!(number_after(found, "找到"), mine_all, "{found}");

    // Filtered to main matters of one status, the found line claims no more than that.
    let (_, html) = admin
        .get("/ledger?top_level_only=1&status=in_progress")
        .await;
    let found = html.split("id=\"found\"").nth(1).unwrap_or("");
    let found = found.split("</p>").next().unwrap_or("");
    assert!(!found.contains("含"), "{found}");
    let in_progress_main = count_of(
        &app,
        "SELECT COUNT(*) FROM matters WHERE top_level = 1 AND status = 'in_progress' AND unit_path LIKE $1",
        "/%",
    )
    .await;
    assert_eq!(number_after(found, "找到"), in_progress_main, "{found}");
}
both_backends!(
    ledger_numbers_say_what_they_count_on,
    ledger_numbers_say_what_they_count
);
