//! What lies outside a caller's reach stays out of reach: the public similarity check tells an
//! anonymous caller no titles, and an outsider meets "not found" before any check of the input.

use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shishi_store::{Backend, both_backends};

const STEEL: &str = "示范钢铁股份有限公司";

async fn the_similarity_check_tells_strangers_no_titles(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let steel = app.unit_id(STEEL).await;
    let member = app.api_as("member").await;
    let title = "三号宿舍楼热水供应时断时续";
    let res = member
        .post(
            "/demands",
            json!({"channel": "online", "title": title, "body": "冬天晚上洗澡经常没有热水", "unit_id": steel}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let query = "/api/v1/similar?text=%E4%B8%89%E5%8F%B7%E5%AE%BF%E8%88%8D%E6%A5%BC%E7%83%AD%E6%B0%B4%E4%BE%9B%E5%BA%94%E6%97%B6%E6%96%AD%E6%97%B6%E7%BB%AD";

    let res = app.anonymous().get(app.url(query)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(!text.contains(title), "no title for a stranger: {text}");
    assert!(!text.contains(STEEL), "no unit for a stranger");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["demands"], json!([]));
    assert_eq!(body["matters"], json!([]));
    assert!(
        body["ids_only"].as_array().unwrap().contains(&json!(id)),
        "only that a similar demand exists, to co-sign after signing in"
    );

    // Signed in, a person of the organisation sees it to co-sign.
    let other = app.api_as("handler1").await;
    let body: Value = other
        .client
        .get(app.url(query))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = body["demands"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["title"].as_str())
        .collect();
    assert!(titles.contains(&title), "{body}");
    assert_eq!(body["ids_only"], json!([]));
}
both_backends!(
    the_similarity_check_tells_strangers_no_titles_on,
    the_similarity_check_tells_strangers_no_titles
);

/// The first id a query finds whose unit path lies outside the unit named (`sql_from` ends
/// with the unit path column to compare).
async fn id_outside(app: &TestApp, sql_from: &str, unit: &str) -> i64 {
    let unit_id = app.unit_id(unit).await;
    let mut conn = app.db.store.read().await.expect("conn");
    let path: String = sqlx::query_scalar("SELECT path FROM units WHERE id = $1")
        .bind(unit_id)
        .fetch_one(&mut *conn)
        .await
        .expect("path");
    sqlx::query_scalar::<_, i64>(&format!("{sql_from} NOT LIKE $1 ORDER BY 1 LIMIT 1"))
        .bind(format!("{path}%"))
        .fetch_one(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("the demo has a row for: {sql_from} ({e})"))
}

/// An outsider meets "not found" whatever they send: scope is checked before the input, so
/// no answer (422 instead of 404) tells them that an id exists.
async fn scope_is_checked_before_input(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    // sub2admin administers the mining company; everything elsewhere is outside.
    let mine = "示范矿业有限公司";
    let matter = id_outside(&app, "SELECT id FROM matters WHERE unit_path", mine).await;
    let order = id_outside(
        &app,
        "SELECT id FROM supervision_orders WHERE unit_path",
        mine,
    )
    .await;
    let extension = id_outside(
        &app,
        "SELECT e.id FROM extension_requests e JOIN matters m ON m.id = e.matter_id WHERE m.unit_path",
        mine,
    )
    .await;
    let evaluation = id_outside(&app, "SELECT id FROM evaluations WHERE unit_path", mine).await;
    let demand = id_outside(&app, "SELECT id FROM demands WHERE unit_path", mine).await;
    let unit = app.unit_id(STEEL).await;
    let person = id_outside(
        &app,
        "SELECT us.id FROM users us JOIN units un ON un.id = us.unit_id WHERE un.path",
        mine,
    )
    .await;

    let outsider = app.api_as("sub2admin").await;
    let bad = json!({"level": "nope", "requirement": "", "reply": "", "note": "x".repeat(5000),
        "action": "nope", "verdict": "nope", "via": "nope", "contacted_at": "not a time",
        "proposed_deadline": "not a date", "reason": "", "narrative": "", "approve": false,
        "text": "x".repeat(5000), "title": "", "name": "", "kind": "nope", "unit_id": 0,
        "role": "nope", "display_name": "", "username": "", "active": true});
    let cases = [
        ("PUT", format!("/matters/{matter}")),
        ("POST", format!("/matters/{matter}/transitions")),
        ("POST", format!("/matters/{matter}/orders")),
        ("POST", format!("/matters/{matter}/extensions")),
        ("POST", format!("/matters/{matter}/completion")),
        ("POST", format!("/orders/{order}/reply")),
        ("POST", format!("/orders/{order}/close")),
        ("POST", format!("/extensions/{extension}/decision")),
        ("POST", format!("/evaluations/{evaluation}/rating")),
        ("POST", format!("/evaluations/{evaluation}/callback")),
        ("POST", format!("/demands/{demand}/steps")),
        ("POST", format!("/demands/{demand}/reveal")),
        ("PUT", format!("/units/{unit}")),
        ("PUT", format!("/users/{person}")),
        ("POST", format!("/users/{person}/grants")),
    ];
    for (method, path) in &cases {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let res = outsider.send(method.clone(), path, bad.clone()).await;
        assert_eq!(
            res.status(),
            StatusCode::NOT_FOUND,
            "{method} {path} out of scope"
        );
        let missing = path.replace(&format!("/{}", first_id(path)), "/987654321");
        let res = outsider.send(method.clone(), &missing, bad.clone()).await;
        assert_eq!(
            res.status(),
            StatusCode::NOT_FOUND,
            "{method} {missing} missing"
        );
    }
    // A progress entry (multipart) likewise.
    let form = reqwest::multipart::Form::new().text("narrative", "");
    let res = outsider
        .client
        .post(format!(
            "{}/api/v1/matters/{matter}/progress",
            outsider.base
        ))
        .header("x-csrf-token", &outsider.csrf)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
both_backends!(
    scope_is_checked_before_input_on,
    scope_is_checked_before_input
);

fn first_id(path: &str) -> &str {
    path.split('/')
        .find(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or("")
}
