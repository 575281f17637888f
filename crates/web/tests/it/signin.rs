//! Signing in over HTTP: real and unknown names alike, 429 with `Retry-After` from the API and
//! the sign-in page, the owner's browser (device cookie) getting in while a stranger is
//! locked out, the per-address limit; and the last system admin refused over API and page.

use std::net::IpAddr;

use crate::common::{PASSWORD, TestApp, hidden};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use shishi_store::{Backend, both_backends};

/// A client without a session that connects from `addr` (any 127.x.y.z reaches the server on
/// 127.0.0.1), so that tests can stand for different client addresses.
fn client_from(addr: &str) -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(addr.parse::<IpAddr>().expect("an address"))
        .build()
        .expect("client")
}

async fn api_sign_in(app: &TestApp, c: &Client, username: &str, password: &str) -> Response {
    c.post(app.url("/api/v1/session"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("sign in")
}

/// Posts the sign-in form as a browser does (the form's CSRF token first).
async fn page_sign_in(app: &TestApp, c: &Client, username: &str, password: &str) -> Response {
    let form = c
        .get(app.url("/login"))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("html");
    let csrf = hidden(&form, "csrf");
    c.post(app.url("/login"))
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf", csrf.as_str()),
            ("next", "/ledger"),
        ])
        .send()
        .await
        .expect("login")
}

#[track_caller]
fn retry_after(res: &Response) -> i64 {
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let secs: i64 = res
        .headers()
        .get("retry-after")
        .expect("a 429 says when to retry")
        .to_str()
        .expect("ascii")
        .parse()
        .expect("whole seconds");
    assert!((1..=30).contains(&secs), "Retry-After {secs}");
    secs
}

async fn real_and_unknown_names_alike_then_429(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let c = app.anonymous();
    let mut answers: Vec<(String, Vec<(StatusCode, String)>)> = Vec::new();
    for name in ["leader", "no.such.person"] {
        let mut seen = Vec::new();
        for _ in 0..5 {
            let res = api_sign_in(&app, &c, name, "wrong-password").await;
            seen.push((res.status(), res.text().await.unwrap()));
        }
        let res = api_sign_in(&app, &c, name, PASSWORD).await;
        retry_after(&res);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "throttled");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("秒后再试"),
            "{body}"
        );
        seen.push((
            StatusCode::TOO_MANY_REQUESTS,
            body["error"]["code"].to_string(),
        ));
        answers.push((name.to_string(), seen));
    }
    assert_eq!(
        answers[0].1, answers[1].1,
        "a real name and an unknown one answer the same"
    );
    assert!(
        answers[0].1[..5]
            .iter()
            .all(|(s, _)| *s == StatusCode::UNAUTHORIZED)
    );

    // The sign-in page: the same count, a page that says so, and Retry-After.
    let browser = app.anonymous();
    for _ in 0..5 {
        let res = page_sign_in(&app, &browser, "member", "wrong-password").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = page_sign_in(&app, &browser, "member", PASSWORD).await;
    retry_after(&res);
    assert!(res.text().await.unwrap().contains("秒后再试"));
}
both_backends!(
    real_and_unknown_names_alike_then_429_on,
    real_and_unknown_names_alike_then_429
);

async fn the_owner_gets_in_while_a_stranger_is_locked_out(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    // The owner signed in on this browser before: it holds a device cookie.
    let owner = app.anonymous();
    let res = page_sign_in(&app, &owner, "leader", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let device = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("shishi_device="))
        .expect("a device cookie")
        .to_string();
    assert!(
        device.contains("HttpOnly") && device.contains("SameSite=Lax"),
        "{device}"
    );

    // A stranger elsewhere guesses until the account is locked for strangers.
    let stranger = client_from("127.0.0.2");
    for _ in 0..6 {
        let _ = api_sign_in(&app, &stranger, "leader", "guess").await;
    }
    retry_after(&api_sign_in(&app, &stranger, "leader", PASSWORD).await);
    // A new browser waits as well, even the owner's …
    retry_after(&page_sign_in(&app, &client_from("127.0.0.3"), "leader", PASSWORD).await);
    // … but the owner's own browser gets in, through the page and the API.
    assert_eq!(
        page_sign_in(&app, &owner, "leader", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let res = api_sign_in(&app, &owner, "leader", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    // Signing out keeps the browser trusted.
    let csrf = res.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    let res = owner
        .delete(app.url("/api/v1/session"))
        .header("x-csrf-token", csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        api_sign_in(&app, &owner, "leader", PASSWORD).await.status(),
        StatusCode::OK
    );
}
both_backends!(
    the_owner_gets_in_while_a_stranger_is_locked_out_on,
    the_owner_gets_in_while_a_stranger_is_locked_out
);

async fn an_address_trying_many_names_is_held_back(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let sprayer = client_from("127.0.0.4");
    for i in 0..30 {
        let res = api_sign_in(&app, &sprayer, &format!("guess{i}"), "123456").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    retry_after(&api_sign_in(&app, &sprayer, "member", PASSWORD).await);
    retry_after(&page_sign_in(&app, &sprayer, "member", PASSWORD).await);
    assert_eq!(
        api_sign_in(&app, &client_from("127.0.0.5"), "member", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}
both_backends!(
    an_address_trying_many_names_is_held_back_on,
    an_address_trying_many_names_is_held_back
);

async fn the_openapi_document_tells_of_429_and_409(backend: Backend) {
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
    let session = &doc["paths"]["/api/v1/session"]["post"]["responses"];
    assert!(
        session["429"]["headers"]["Retry-After"].is_object(),
        "{session}"
    );
    assert!(session["401"].is_object());
    for (path, method) in [
        ("/api/v1/users/{id}", "put"),
        ("/api/v1/grants/{id}", "delete"),
    ] {
        assert!(
            doc["paths"][path][method]["responses"]["409"].is_object(),
            "{path}"
        );
    }
}
both_backends!(
    the_openapi_document_tells_of_429_and_409_on,
    the_openapi_document_tells_of_429_and_409
);

async fn the_last_admin_is_refused_over_api_and_page(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let admin = app.api_as("admin").await;
    let me: Value = admin.get("/me").await.json().await.unwrap();
    let deactivate = json!({
        "username": "admin",
        "display_name": me["user"]["display_name"],
        "unit_id": me["user"]["unit_id"],
        "active": false,
    });
    let res = admin
        .put(&format!("/users/{}", admin.user_id), deactivate.clone())
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "conflict");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("最后一位"),
        "{body}"
    );
    let res = admin
        .client
        .put(format!("{}/api/v1/users/{}", admin.base, admin.user_id))
        .header("x-csrf-token", &admin.csrf)
        .header("accept-language", "en")
        .json(&deactivate)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("last active system admin"),
        "{body}"
    );
    assert_eq!(
        admin.get("/me").await.status(),
        StatusCode::OK,
        "still signed in"
    );

    // The people page refuses it too, beside the form.
    let page = app.browser_as("admin").await;
    let unit = me["user"]["unit_id"].to_string();
    let name = me["user"]["display_name"].as_str().unwrap().to_string();
    let (status, html) = page
        .post(
            &format!("/users/{}", admin.user_id),
            &[
                ("username", "admin"),
                ("display_name", name.as_str()),
                ("unit_id", unit.as_str()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("最后一位"), "the page says why");

    // With a second root admin, the first's role may go; then the second is the last.
    let second = app.api_as("unitadmin").await;
    let root = me["grants"][0]["unit_id"].as_i64().unwrap();
    let first_grant = me["grants"][0]["id"].as_i64().unwrap();
    let res = admin
        .post(
            &format!("/users/{}/grants", second.user_id),
            json!({"role": "system_admin", "unit_id": root}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let second = app.api_as("unitadmin").await;
    let res = second
        .send(
            reqwest::Method::DELETE,
            &format!("/grants/{first_grant}"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let me2: Value = second.get("/me").await.json().await.unwrap();
    let res = second
        .put(
            &format!("/users/{}", second.user_id),
            json!({
                "username": "unitadmin",
                "display_name": me2["user"]["display_name"],
                "unit_id": me2["user"]["unit_id"],
                "active": false,
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}
both_backends!(
    the_last_admin_is_refused_over_api_and_page_on,
    the_last_admin_is_refused_over_api_and_page
);
