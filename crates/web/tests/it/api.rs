//! The JSON API end to end, on SQLite and PostgreSQL: sign-in, scope, refusals, validation.

use crate::common::{PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shishi_store::{Backend, both_backends};

const SUB1: &str = "示范钢铁股份有限公司";
const SUB2: &str = "示范矿业有限公司";

async fn openapi_describes_the_api(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let doc: Value = app
        .anonymous()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/api/v1/session",
        "/api/v1/matters",
        "/api/v1/matters/{id}",
        "/api/v1/matters/{id}/transitions",
        "/api/v1/units",
        "/api/v1/users/{id}/grants",
    ] {
        assert!(paths.contains_key(p), "OpenAPI lists {p}");
    }
    let health = app
        .anonymous()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}
both_backends!(openapi_describes_the_api_on, openapi_describes_the_api);

async fn sign_in_and_refusals(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let c = app.anonymous();
    let res = c.get(app.url("/api/v1/matters")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = c
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "sub1admin", "password": "wrong-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthenticated");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("用户名或密码不正确"),
        "Chinese by default"
    );
    let res = c
        .post(app.url("/api/v1/session"))
        .header("accept-language", "en-GB,en;q=0.9")
        .json(&json!({"username": "sub1admin", "password": "wrong-password"}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["message"], "Wrong username or password.");

    let api = app.api_as("sub1admin").await;
    let me: Value = api.get("/me").await.json().await.unwrap();
    assert_eq!(me["user"]["username"], "sub1admin");
    assert!(
        me["user"].get("password_hash").is_none(),
        "no hash leaves the server"
    );

    // A change with the session cookie but without the CSRF header is refused.
    let res = api
        .client
        .post(format!("{}/api/v1/tokens", api.base))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
both_backends!(sign_in_and_refusals_on, sign_in_and_refusals);

async fn scope_holds_for_every_role(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let theirs = app.matter_under(SUB2).await;
    let ours = app.matter_under(SUB1).await;
    let sub2_unit = app.unit_id(SUB2).await;

    let admin1 = app.api_as("sub1admin").await;
    assert_eq!(
        admin1.get(&format!("/matters/{theirs}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin1.get(&format!("/matters/{ours}")).await.status(),
        StatusCode::OK
    );
    let res = admin1
        .put(
            &format!("/matters/{theirs}"),
            json!({"title": "改", "unit_id": sub2_unit}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = admin1
        .post(
            &format!("/matters/{theirs}/transitions"),
            json!({"action": "cancel", "reason": "x"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body = admin1
        .get(&format!("/matters/{theirs}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !body.contains("title\":"),
        "a refusal carries none of the matter's data"
    );
    assert_eq!(
        admin1
            .get(&format!("/matters?unit_id={sub2_unit}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin1.get(&format!("/units/{sub2_unit}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin1
            .get(&format!("/summary?unit_id={sub2_unit}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Creating in another subsidiary is a field error, not a silent success.
    let res = admin1
        .post(
            "/matters",
            json!({"title": "越权事项", "unit_id": sub2_unit}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "unit_id");

    // Their ledger never holds another subsidiary's matter, however it is asked.
    let page: Value = admin1
        .get("/matters?per_page=200")
        .await
        .json()
        .await
        .unwrap();
    let sub1_path = {
        let mut conn = app.db.store.read().await.unwrap();
        shishi_store::units::get(&mut conn, app.unit_id(SUB1).await)
            .await
            .unwrap()
            .path
    };
    assert!(page["total"].as_i64().unwrap() > 0);
    for m in page["items"].as_array().unwrap() {
        assert!(
            m["unit_path"].as_str().unwrap().starts_with(&sub1_path),
            "{} is outside",
            m["title"]
        );
    }

    // The group leader reads everything but changes nothing.
    let leader = app.api_as("leader").await;
    assert_eq!(
        leader.get(&format!("/matters/{theirs}")).await.status(),
        StatusCode::OK
    );
    let res = leader
        .post(
            "/matters",
            json!({"title": "领导新建", "unit_id": sub2_unit}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = leader
        .post(
            &format!("/matters/{theirs}/transitions"),
            json!({"action": "cancel", "reason": "x"}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CONFLICT,
        "a step that is not theirs is refused with a reason"
    );

    // A member reads no ledger at all.
    let member = app.api_as("member").await;
    let page: Value = member.get("/matters").await.json().await.unwrap();
    assert_eq!(page["total"], 0);
    assert_eq!(
        member.get(&format!("/matters/{ours}")).await.status(),
        StatusCode::NOT_FOUND
    );
}
both_backends!(scope_holds_for_every_role_on, scope_holds_for_every_role);

async fn bad_input_names_fields_and_changes_nothing(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let api = app.api_as("unitadmin").await;
    let before = app.count("matters").await;
    let events = app.count("audit_events").await;
    let unit = app.unit_id(SUB1).await;
    let res = api
        .post(
            "/matters",
            json!({"title": "  ", "unit_id": unit, "deadline": "2026-13-40", "owner_id": 999999}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in ["title", "deadline", "owner_id"] {
        assert!(fields.contains(&f), "{f} is named in {fields:?}");
    }
    // Malformed JSON and a wrong type are refused too.
    let res = api
        .client
        .post(format!("{}/api/v1/matters", api.base))
        .header("x-csrf-token", &api.csrf)
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());
    let res = api
        .post("/matters", json!({"title": "x", "unit_id": "not a number"}))
        .await;
    assert!(res.status().is_client_error());
    assert_eq!(app.count("matters").await, before);
    assert_eq!(app.count("audit_events").await, events);
}
both_backends!(
    bad_input_names_fields_and_changes_nothing_on,
    bad_input_names_fields_and_changes_nothing
);

async fn lifecycle_through_the_api(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let admin = app.api_as("unitadmin").await;
    let unit = app.unit_id(SUB1).await;
    let handler_id = app.api_as("handler15").await.user_id;
    let created: Value = admin
        .post(
            "/matters",
            json!({"title": "职工书屋升级改造", "unit_id": unit}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["status"], "proposed");

    let res = admin
        .post(
            &format!("/matters/{id}/transitions"),
            json!({"action": "approve"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("五定不全") && msg.contains("工作措施") && msg.contains("验收标准"),
        "{msg}"
    );

    let res = admin
        .put(
            &format!("/matters/{id}?version={}", created["version"]),
            json!({"title": "职工书屋升级改造", "unit_id": unit, "owner_id": handler_id, "measures": "更新书架，增购图书500册",
                   "deadline_working_days": 20, "acceptance_standard": "书屋正常开放，职工满意", "tags": "急难愁盼，文化"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["tags"], "急难愁盼,文化");
    // A stale version is refused, not overwritten.
    let res = admin
        .put(
            &format!("/matters/{id}?version=1"),
            json!({"title": "旧版本", "unit_id": unit}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    let res = admin
        .post(
            &format!("/matters/{id}/transitions"),
            json!({"action": "approve"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let handler = app.api_as("handler15").await;
    // The handler cannot cancel; the unit admin cannot cancel without a reason.
    let res = handler
        .post(
            &format!("/matters/{id}/transitions"),
            json!({"action": "cancel", "reason": "x"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = admin
        .post(
            &format!("/matters/{id}/transitions"),
            json!({"action": "cancel"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Progress with evidence: a PNG is taken, a program named .jpg is not.
    let png =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
    let form = reqwest::multipart::Form::new()
        .text("percent", "40")
        .text("narrative", "书架已到货，正在安装")
        .part(
            "files",
            reqwest::multipart::Part::bytes(png).file_name("现场.png"),
        );
    let res = handler
        .client
        .post(format!("{}/api/v1/matters/{id}/progress", handler.base))
        .header("x-csrf-token", &handler.csrf)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let form = reqwest::multipart::Form::new()
        .text("percent", "50")
        .text("narrative", "再传一张")
        .part(
            "files",
            reqwest::multipart::Part::bytes(b"MZ\x90\0\x03\0\0\0".to_vec()).file_name("photo.jpg"),
        );
    let res = handler
        .client
        .post(format!("{}/api/v1/matters/{id}/progress", handler.base))
        .header("x-csrf-token", &handler.csrf)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let detail: Value = handler
        .get(&format!("/matters/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        detail["matter"]["status"], "in_progress",
        "posting progress starts the matter"
    );
    assert_eq!(detail["matter"]["progress"], 40);
    assert_eq!(detail["files"].as_array().unwrap().len(), 1);
    let file_id = detail["files"][0]["id"].as_i64().unwrap();
    assert_eq!(
        handler.get(&format!("/files/{file_id}")).await.status(),
        StatusCode::OK
    );
    let outsider = app.api_as("sub2admin").await;
    assert_eq!(
        outsider.get(&format!("/files/{file_id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let actions: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    for a in [
        "matter_created",
        "matter_updated",
        "matter_approve",
        "progress_posted",
    ] {
        assert!(actions.contains(&a), "history has {a}: {actions:?}");
    }
}
both_backends!(lifecycle_through_the_api_on, lifecycle_through_the_api);

async fn personal_tokens(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let api = app.api_as("leader").await;
    let res = api.post("/tokens", json!({"name": "大屏同步"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_string();
    let script = app.anonymous();
    let res = script
        .get(app.url("/api/v1/matters"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = api
        .client
        .delete(format!("{}/api/v1/tokens/{}", api.base, created["id"]))
        .header("x-csrf-token", &api.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = script
        .get(app.url("/api/v1/matters"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = script
        .get(app.url("/api/v1/matters"))
        .bearer_auth("shishi_forged")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let _ = PASSWORD;
}
both_backends!(personal_tokens_on, personal_tokens);

async fn cookies_are_http_only_and_secure_behind_tls(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let res = app
        .anonymous()
        .post(app.url("/api/v1/session"))
        .header("x-forwarded-proto", "https")
        .json(&json!({"username": "leader", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"),
        "{cookie}"
    );
    let res = app
        .anonymous()
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "leader", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && !cookie.contains("Secure"),
        "plain HTTP on an intranet still works: {cookie}"
    );
}
both_backends!(
    cookies_are_http_only_and_secure_behind_tls_on,
    cookies_are_http_only_and_secure_behind_tls
);

/// `(id, title, unit path, owner, supervisor)` of a matter.
type MatterPeople = (i64, String, String, Option<i64>, Option<i64>);

/// Every demo person against every demo matter: a matter answers 200 exactly when one of the
/// person's grants (other than member) covers its unit, or the person is its responsible person
/// or named supervisor; otherwise 404 with none of its data.
async fn every_person_sees_exactly_their_scope(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let (people, matters, grants) = {
        let mut conn = app.db.store.read().await.unwrap();
        let people: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, username FROM users ORDER BY id")
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        let matters: Vec<MatterPeople> = sqlx::query_as(
            "SELECT id, title, unit_path, owner_id, supervisor_id FROM matters ORDER BY id",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        let grants: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT g.user_id, g.role, u.path FROM grants g JOIN units u ON u.id = g.unit_id",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        (people, matters, grants)
    };
    let mut refused = 0;
    for (user_id, username) in &people {
        let api = app.api_as(username).await;
        for (id, title, path, owner, supervisor) in &matters {
            let expected = grants.iter().any(|(u, role, root)| {
                u == user_id && role != "member" && path.starts_with(root.as_str())
            }) || owner == &Some(*user_id)
                || supervisor == &Some(*user_id);
            let res = api.get(&format!("/matters/{id}")).await;
            let status = res.status();
            let body = res.text().await.unwrap();
            if expected {
                assert_eq!(status, StatusCode::OK, "{username} reads matter {id}");
            } else {
                refused += 1;
                assert_eq!(
                    status,
                    StatusCode::NOT_FOUND,
                    "{username} must not read matter {id}"
                );
                assert!(!body.contains(title.as_str()), "the refusal leaks nothing");
            }
        }
    }
    assert!(
        refused > 100,
        "the demo has people with narrow scopes ({refused} refusals)"
    );
}
both_backends!(
    every_person_sees_exactly_their_scope_on,
    every_person_sees_exactly_their_scope
);
