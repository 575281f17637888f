//! Adopting a demand into the list (纳入清单) from its page: 新建事项 prefilled from the demand
//! for whoever may create matters in its unit, 转交单位管理员立项 for an intake clerk, the
//! searchable pickers; the demand panel's order; the linked matter's progress on 我的诉求 and
//! the tracking page; a reopened matter's progress and its evidence thumbnails. On SQLite and
//! PostgreSQL.

use crate::common::driving::{SUB1, matter_in_progress, post_multipart};
use crate::common::{Api, TestApp, hidden};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shishi_store::{Backend, both_backends};

/// A demand of `who` to the steel company, by the online form.
async fn demand_of(app: &TestApp, who: &Api, title: &str, body: &str) -> i64 {
    let res = who
        .post(
            "/demands",
            json!({"channel": "online", "title": title, "body": body,
                   "unit_id": app.unit_id(SUB1).await}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn demand_json(who: &Api, id: i64) -> Value {
    who.get(&format!("/demands/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

/// The part of a page from `from` on, to look at one section.
fn from<'a>(html: &'a str, marker: &str) -> &'a str {
    html.find(marker).map_or("", |i| &html[i..])
}

async fn adopting_from_the_demand(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let member = app.api_as("member").await;
    let id = demand_of(
        &app,
        &member,
        "二号门夜间路灯不亮",
        "二号门到宿舍的路灯坏了一个月。",
    )
    .await;

    // The intake clerk may not create matters: one button hands it to the unit admin; the
    // usual steps come first, the rest behind 更多操作, and the matter box is a picker.
    let clerk = app.browser_as("clerk1").await;
    let (status, html) = clerk.get(&format!("/demands/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let panel = from(&html, "demand-steps");
    assert!(panel.contains(&format!("action=\"/demands/{id}/refer\"")));
    assert!(panel.contains("转交单位管理员立项"));
    assert!(
        !panel.contains("from_demand="),
        "no 新建事项 for a clerk: {panel}"
    );
    assert!(panel.contains("data-pick=\"/pick/matters\""));
    assert!(!panel.contains("type=\"number\""), "no bare number boxes");
    let (accept, adopt, more) = (
        panel.find("value=\"accept\"").unwrap(),
        panel.find("value=\"adopt\"").unwrap(),
        panel.find("<details class=\"more-actions\">").unwrap(),
    );
    assert!(accept < adopt && adopt < more, "usual steps first");
    let rare = &panel[more..];
    for action in ["merge", "transfer", "decline"] {
        assert!(
            rare.contains(&format!("value=\"{action}\"")),
            "{action} under 更多操作"
        );
    }
    assert!(html.contains("/static/picker.js"));
    // …and cannot open the prefilled form by its address either.
    let (status, _) = clerk.get(&format!("/matters/new?from_demand={id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Handing it over tells the nearest unit admin above (not the group's), and the log says so.
    let (status, _) = clerk
        .post(&format!("/demands/{id}/refer"), &[("text", "请研究立项")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let told = |n: Value| {
        n["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "demand_referred" && x["subject_id"] == id)
    };
    let sub1admin = app.api_as("sub1admin").await;
    assert!(told(
        sub1admin.get("/notifications").await.json().await.unwrap()
    ));
    let group = app.api_as("unitadmin").await;
    assert!(!told(
        group.get("/notifications").await.json().await.unwrap()
    ));
    let d = demand_json(&sub1admin, id).await;
    assert_eq!(d["demand"]["status"], "submitted", "still in the inbox");
    let last = d["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "refer");
    assert_eq!(last["text"], "请研究立项");
    let (_, html) = clerk.get(&format!("/demands/{id}")).await;
    assert!(from(&html, "timeline").contains("转交单位管理员立项"));
    let (_, notes) = app
        .browser_as("sub1admin")
        .await
        .get("/notifications")
        .await;
    assert!(notes.contains("二号门夜间路灯不亮") && notes.contains(&format!("/demands/{id}")));

    // The unit admin gets 新建事项, and the form comes filled from the demand.
    let admin = app.browser_as("sub1admin").await;
    let (_, html) = admin.get(&format!("/demands/{id}")).await;
    let panel = from(&html, "demand-steps");
    assert!(panel.contains(&format!("href=\"/matters/new?from_demand={id}\"")));
    assert!(panel.contains("新建事项"));
    assert!(
        !panel.contains("/refer\""),
        "no hand-over for one who may create"
    );
    let (status, form) = admin.get(&format!("/matters/new?from_demand={id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"二号门夜间路灯不亮\""));
    assert!(form.contains(">二号门到宿舍的路灯坏了一个月。</textarea>"));
    assert_eq!(hidden(&form, "from_demand"), id.to_string());
    let sub1 = app.unit_id(SUB1).await;
    assert!(form.contains(&format!("<option value=\"{sub1}\" selected>")));
    assert!(form.contains(&format!("href=\"/demands/{id}\"")));

    // Saving it creates the matter and adopts the demand into it.
    let before = app.count("matters").await;
    let deadline = crate::common::driving::day(&app, 30);
    let (status, _) = admin
        .post(
            "/matters",
            &[
                ("from_demand", id.to_string().as_str()),
                ("title", "二号门夜间路灯不亮"),
                ("description", "二号门到宿舍的路灯坏了一个月。"),
                ("unit_id", sub1.to_string().as_str()),
                ("measures", "更换路灯"),
                ("deadline_mode", "date"),
                ("deadline", deadline.as_str()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("matters").await, before + 1);
    let d = demand_json(&sub1admin, id).await;
    assert_eq!(d["demand"]["status"], "adopted");
    let matter = d["demand"]["matter_id"].as_i64().expect("linked");
    assert_eq!(d["demand"]["matter"]["id"], matter);
    // A second try at the same demand is refused before any matter is written.
    let (status, _) = admin
        .post(
            "/matters",
            &[
                ("from_demand", id.to_string().as_str()),
                ("title", "重复立项"),
                ("unit_id", sub1.to_string().as_str()),
                ("deadline_mode", "date"),
            ],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the form says why"
    );
    assert_eq!(app.count("matters").await, before + 1, "no stray matter");

    // The picker finds matters in scope by number or words, and nothing outside it.
    let found = pick(&clerk, &matter.to_string()).await;
    assert_eq!(found[0]["id"], matter);
    assert!(
        found[0]["label"]
            .as_str()
            .unwrap()
            .contains("二号门夜间路灯不亮")
    );
    assert!(
        pick(&clerk, "夜间路灯")
            .await
            .iter()
            .any(|c| c["id"] == matter)
    );
    let other = app.browser_as("clerk3").await;
    assert!(
        !pick(&other, &matter.to_string())
            .await
            .iter()
            .any(|c| c["id"] == matter),
        "out of scope is not offered"
    );
    let res = app
        .anonymous()
        .get(app.url("/pick/matters?q=1"))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), StatusCode::OK, "strangers get no list");

    // Linking another demand to the existing matter through the picker's value.
    let second = demand_of(&app, &member, "三号门路灯也不亮", "三号门附近同样没有灯。").await;
    let (status, _) = clerk
        .post(
            &format!("/demands/{second}/step"),
            &[
                ("action", "adopt"),
                (
                    "matter_id",
                    format!("#{matter} 二号门夜间路灯不亮").as_str(),
                ),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        demand_json(&sub1admin, second).await["demand"]["matter_id"],
        matter
    );
    // The merge box is a picker of open demands too.
    let third = demand_of(&app, &member, "宿舍区路灯坏了", "宿舍区晚上很黑。").await;
    let (_, html) = clerk.get(&format!("/demands/{third}")).await;
    assert!(html.contains("data-pick=\"/pick/demands\""));
    let res = clerk
        .client
        .get(format!("{}/pick/demands?q={third}", clerk.base))
        .send()
        .await
        .unwrap();
    let found: Vec<Value> = res.json().await.unwrap();
    assert_eq!(found[0]["id"], third);

    // The API hands over as the page does.
    let api = app.api_as("clerk1").await;
    let res = api
        .post(
            &format!("/demands/{third}/referral"),
            json!({"text": "请立项"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["notified"], 1);
    let res = app
        .api_as("clerk3")
        .await
        .post(&format!("/demands/{third}/referral"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "out of scope");
}
both_backends!(adopting_from_the_demand_on, adopting_from_the_demand);

/// What a picker offers for the typed words or number.
async fn pick(b: &crate::common::Browser, q: &str) -> Vec<Value> {
    let res = b
        .client
        .get(format!("{}/pick/matters?q={}", b.base, urlencode(q)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Vec<Value>>().await.unwrap()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn reopened_matter_and_followers(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let (id, deadline) = matter_in_progress(&app, "浴室热水改造").await;
    let h = app.browser_as("handler1").await;
    // 60 % with a photo and a PDF-less note, then the completion claim with its evidence.
    let (status, _) = post_multipart(
        &h,
        &format!("/matters/{id}/progress"),
        &[("percent", "60"), ("narrative", "管道已更换一半")],
        true,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = post_multipart(
        &h,
        &format!("/matters/{id}/completion"),
        &[("narrative", "热水改造完成")],
        true,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // A named demand and an anonymous one, both adopted into the matter.
    let member = app.api_as("member").await;
    let named = demand_of(&app, &member, "浴室热水不够", "夜班下班没有热水。").await;
    let input = shishi_service::demands::DemandInput {
        title: "浴室水温忽冷忽热".into(),
        body: "洗澡时水温不稳定。".into(),
        unit_id: app.unit_id(SUB1).await,
        anonymous: true,
        ..Default::default()
    };
    let anon = app
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
    let code = anon.tracking_code.expect("a code");
    let clerk = app.api_as("clerk1").await;
    for d in [named, anon.id] {
        let res = clerk
            .post(
                &format!("/demands/{d}/steps"),
                json!({"action": "adopt", "matter_id": id}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }

    let supervisor = app.api_as("supervisor").await;
    let res = supervisor
        .post(
            &format!("/matters/{id}/transitions"),
            json!({"action": "accept"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let admin = app.api_as("sub1admin").await;
    let m: Value = admin
        .get(&format!("/matters/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(m["matter"]["progress"], 100);

    // Followers see the accepted matter: progress, deadline, acceptance.
    let mine = app.browser_as("member").await;
    let (_, html) = mine.get("/my/demands").await;
    let card = from(&html, "浴室热水不够");
    assert!(card.contains("100%") && card.contains(&deadline), "{card}");
    assert!(card.contains("已验收"));

    // Reopened for rework: back to the handler's last figure short of done, marked as such.
    let res = supervisor
        .post(
            &format!("/matters/{id}/transitions"),
            json!({"action": "reopen", "reason": "水温仍不稳定"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let m: Value = admin
        .get(&format!("/matters/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(m["matter"]["status"], "in_progress");
    assert_eq!(m["matter"]["progress"], 60, "never 100 % once reopened");
    let (_, page) = h.get(&format!("/matters/{id}")).await;
    assert!(page.contains("已重新打开"));
    assert!(page.contains("60%"));
    // The photos show as thumbnails from the file address, loaded lazily.
    let thumbs = from(&page, "class=\"thumbs\"");
    assert!(thumbs.contains("<img src=\"/files/") && thumbs.contains("loading=\"lazy\""));

    let (_, html) = mine.get("/my/demands").await;
    let card = from(&html, "浴室热水不够");
    assert!(
        card.contains("已重新打开") && card.contains("60%"),
        "{card}"
    );
    assert!(card.contains("尚未验收"));

    // The tracking page says how the matter stands, and no one's name.
    let res = app
        .anonymous()
        .get(app.url(&format!("/track/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("办理事项") && html.contains("60%") && html.contains(&deadline));
    assert!(html.contains("已重新打开"));
    for name in ["王磊", "钱晓燕", "张伟"] {
        assert!(!html.contains(name), "{name} stays off the tracking page");
    }
    let res = app
        .anonymous()
        .get(app.url(&format!("/api/v1/track/{code}")))
        .send()
        .await
        .unwrap();
    let body = res.text().await.unwrap();
    assert!(body.contains("\"progress\":60"));
    for name in ["王磊", "钱晓燕", "张伟", "owner"] {
        assert!(
            !body.contains(name),
            "{name} stays out of the tracking answer"
        );
    }

    // In English too.
    let res = app
        .anonymous()
        .get(app.url(&format!("/track/{code}")))
        .header("cookie", "shishi_lang=en")
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("Reopened") && html.contains("Not yet accepted"));
}
both_backends!(
    reopened_matter_and_followers_on,
    reopened_matter_and_followers
);
