//! What a request may carry, checked at the door for every route on both backends: control
//! characters, page numbers, body sizes, the Idempotency-Key, and errors in one JSON shape.

use crate::common::{TestApp, hidden};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use serde_json::{Value, json};
use shishi_store::{Backend, both_backends};

const STEEL: &str = "示范钢铁股份有限公司";

async fn json_of(res: reqwest::Response) -> (StatusCode, Option<String>, Value) {
    let status = res.status();
    let ct = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = res.json().await.unwrap_or(Value::Null);
    (status, ct, body)
}

fn field_codes(body: &Value) -> Vec<(String, String)> {
    body["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["field"].as_str().unwrap_or("").to_string(),
                        f["code"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A NUL (or any control character but tab and line breaks) is refused with the field named,
/// on both backends alike, wherever it comes in, and nothing is stored.
async fn control_characters_are_refused_everywhere(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let demands_before = app.count("demands").await;
    let steel = app.unit_id(STEEL).await;

    // Signing in needs no session: the username is read before anything else.
    let res = app
        .anonymous()
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "a\u{0}dmin", "password": "x"}))
        .send()
        .await
        .unwrap();
    let (status, ct, body) = json_of(res).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(ct.unwrap_or_default().starts_with("application/json"));
    assert_eq!(
        field_codes(&body),
        [("username".into(), "error.control_char".into())]
    );

    let clerk = app.api_as("clerk1").await;
    let res = clerk
        .post(
            "/demands",
            json!({"channel": "api", "title": "路灯\u{0}不亮", "body": "晚上很黑", "unit_id": steel}),
        )
        .await;
    let (status, _, body) = json_of(res).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&body),
        [("title".into(), "error.control_char".into())]
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains('3'),
        "the message says where: {body}"
    );
    // Nested members are named by their path.
    let res = clerk
        .post(
            "/demands",
            json!({"channel": "hotline", "title": "路灯不亮", "body": "晚上很黑", "unit_id": steel,
                   "channel_details": {"caller_number": "138\u{7}"}}),
        )
        .await;
    let (status, _, body) = json_of(res).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&body),
        [(
            "channel_details.caller_number".into(),
            "error.control_char".into()
        )]
    );

    let admin = app.api_as("admin").await;
    for path in ["/matters?q=a%00b", "/users?q=a%00b", "/demands?q=a%00b"] {
        let (status, _, body) = json_of(admin.get(path).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(
            field_codes(&body),
            [("q".into(), "error.control_char".into())],
            "{path}"
        );
    }

    // The public form, as a browser posts it (multipart), without signing in.
    let c = app.anonymous();
    let page = c
        .get(app.url("/submit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf", hidden(&page, "csrf"))
        .text("title", "食堂\u{0}太挤")
        .text("body", "中午排队太久")
        .text("unit_id", steel.to_string());
    let res = c
        .post(app.url("/submit"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("控制字符"), "the page says what is wrong");

    // A page form (urlencoded) likewise.
    let browser = app.browser_as("admin").await;
    let (status, html) = browser.get("/ledger?q=%E8%B7%AF%00").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("控制字符"));

    assert_eq!(app.count("demands").await, demands_before, "nothing stored");
}
both_backends!(
    control_characters_are_refused_everywhere_on,
    control_characters_are_refused_everywhere
);

/// A page number no list reaches is a field error, not an overflowed OFFSET; a page past
/// the last one is simply empty.
async fn paging_is_checked_for_every_list(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let admin = app.api_as("admin").await;
    for path in [
        "/demands?page=9223372036854775807",
        "/matters?page=9223372036854775807",
        "/users?page=9223372036854775807",
        "/orders?page=9223372036854775807",
        "/demands?page=0",
        "/matters?page=-1",
        "/matters?per_page=0",
        "/demands?per_page=100000",
    ] {
        let (status, ct, body) = json_of(admin.get(path).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert!(ct.unwrap_or_default().starts_with("application/json"));
        let fields = field_codes(&body);
        assert_eq!(fields.len(), 1, "{path}");
        assert!(fields[0].0 == "page" || fields[0].0 == "per_page", "{path}");
        assert_eq!(fields[0].1, "error.range");
    }
    let clerk = app.api_as("clerk1").await;
    for (api, path) in [
        (&clerk, "/demands?page=100000"),
        (&admin, "/matters?page=100000&per_page=200"),
    ] {
        let (status, _, body) = json_of(api.get(path).await).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(body["items"].as_array().map(Vec::len), Some(0), "{path}");
        assert_eq!(body["page"], 100000, "{path}");
        assert!(body["total"].as_i64().unwrap_or(0) > 0, "the real total");
    }
    let browser = app.browser_as("admin").await;
    let (status, _) = browser.get("/ledger?page=9223372036854775807").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
both_backends!(
    paging_is_checked_for_every_list_on,
    paging_is_checked_for_every_list
);

/// A body larger than its route needs is refused as it arrives (413 in the JSON shape), and
/// a multipart text field cannot smuggle a huge value through an upload route.
async fn bodies_are_limited_by_what_they_carry(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let demands_before = app.count("demands").await;
    let steel = app.unit_id(STEEL).await;
    let clerk = app.api_as("clerk1").await;
    let huge = "长".repeat(400_000);
    let res = clerk
        .post(
            "/demands",
            json!({"channel": "api", "title": huge, "body": "x", "unit_id": steel}),
        )
        .await;
    let (status, ct, body) = json_of(res).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(ct.unwrap_or_default().starts_with("application/json"));
    assert_eq!(body["error"]["code"], "too_large");

    // Without a Content-Length (chunked), the limit still cuts it off as it arrives.
    assert_eq!(chunked_post(&app, &clerk, 1024 * 1024).await, 413);

    // The public form is multipart (it takes attachments); its text fields are still small.
    let c = app.anonymous();
    let page = c
        .get(app.url("/submit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf", hidden(&page, "csrf"))
        .text("title", "长".repeat(100_000))
        .text("body", "x")
        .text("unit_id", steel.to_string());
    let res = c
        .post(app.url("/submit"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let browser = app.browser_as("admin").await;
    let res = browser
        .client
        .post(format!("{}/login", browser.base))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("q={}", "a".repeat(300 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("demands").await, demands_before, "nothing stored");
}
both_backends!(
    bodies_are_limited_by_what_they_carry_on,
    bodies_are_limited_by_what_they_carry
);

/// Posts `bytes` of JSON-ish padding with chunked transfer encoding over a raw connection and
/// returns the status code the server answers with.
async fn chunked_post(app: &TestApp, api: &crate::common::Api, bytes: usize) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let token: Value = api
        .post("/tokens", json!({"name": "chunked"}))
        .await
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap_or("").to_string();
    let mut s = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/demands HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAuthorization: Bearer {}\r\nTransfer-Encoding: chunked\r\n\r\n",
        app.addr, token
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b' '; 16 * 1024];
    let mut sent = 0;
    while sent < bytes {
        let header = format!("{:x}\r\n", chunk.len());
        // The server may stop reading once the limit is passed.
        if s.write_all(header.as_bytes()).await.is_err()
            || s.write_all(&chunk).await.is_err()
            || s.write_all(b"\r\n").await.is_err()
        {
            break;
        }
        sent += chunk.len();
    }
    let _ = s.write_all(b"0\r\n\r\n").await;
    let mut answer = vec![0u8; 64];
    let n = s.read(&mut answer).await.unwrap_or(0);
    let text = String::from_utf8_lossy(&answer[..n]).to_string();
    text.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// Every rejection a client can meet before a handler answers in the documented JSON shape.
async fn every_api_error_is_json(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let admin = app.api_as("admin").await;
    let send_raw = |ct: Option<&'static str>, body: &'static str| {
        let mut req = admin
            .client
            .post(format!("{}/api/v1/demands", admin.base))
            .header("x-csrf-token", &admin.csrf)
            .body(body);
        if let Some(ct) = ct {
            req = req.header(CONTENT_TYPE, ct);
        }
        req.send()
    };
    let cases = [
        (
            send_raw(Some("application/json"), "{\"title\": ")
                .await
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            send_raw(None, "{}").await.unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            send_raw(Some("text/plain"), "{}").await.unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            admin.get("/matters/abc").await,
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            admin.get("/no-such-endpoint").await,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            admin
                .send(reqwest::Method::PATCH, "/matters", json!({}))
                .await,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
    ];
    for (res, status, code) in cases {
        let (got, ct, body) = json_of(res).await;
        assert_eq!(got, status, "{body}");
        assert!(
            ct.as_deref().unwrap_or("").starts_with("application/json"),
            "{status} answers JSON"
        );
        assert_eq!(body["error"]["code"], code);
        assert!(!body["error"]["message"].as_str().unwrap_or("").is_empty());
    }
    // A member of the wrong kind, and a missing required one, are named.
    let (status, _, body) = json_of(
        admin
            .post(
                "/demands",
                json!({"channel": "api", "title": "路灯", "unit_id": "one"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&body),
        [("unit_id".into(), "error.invalid_value".into())]
    );
    let (status, _, body) = json_of(
        admin
            .post("/demands", json!({"title": "路灯", "unit_id": 1}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&body),
        [("channel".into(), "error.required".into())]
    );
    // English for a client that asks for it.
    let res = admin
        .client
        .get(format!("{}/api/v1/no-such-endpoint", admin.base))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let (_, _, body) = json_of(res).await;
    assert_eq!(body["error"]["message"], "Not found");
}
both_backends!(every_api_error_is_json_on, every_api_error_is_json);

/// The document says what the server requires and what it can answer.
async fn the_openapi_document_tells_the_truth(backend: Backend) {
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
    let new_demand = &doc["components"]["schemas"]["NewDemand"];
    let required: Vec<&str> = new_demand["required"]
        .as_array()
        .or_else(|| new_demand["allOf"][1]["required"].as_array())
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        required.contains(&"channel"),
        "NewDemand requires channel: {new_demand}"
    );
    assert!(
        !doc.to_string().contains("\"prefixItems\"") && !items_are_tuples(&doc),
        "no tuple schemas"
    );
    let paths = doc["paths"].as_object().unwrap();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let has_body = op.get("requestBody").is_some();
            if has_body {
                for s in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(s), "{method} {path} documents {s}");
                }
            }
            let public = op["security"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
            });
            if !public {
                assert!(
                    responses.contains_key("401"),
                    "{method} {path} documents 401"
                );
            }
            for (status, r) in responses {
                if status.starts_with('4') {
                    assert!(
                        r["content"]["application/json"]["schema"].is_object(),
                        "{method} {path} {status} has the error body"
                    );
                }
            }
        }
    }
}
both_backends!(
    the_openapi_document_tells_the_truth_on,
    the_openapi_document_tells_the_truth
);

fn items_are_tuples(v: &Value) -> bool {
    match v {
        Value::Object(o) => {
            o.get("items").is_some_and(Value::is_array) || o.values().any(items_are_tuples)
        }
        Value::Array(a) => a.iter().any(items_are_tuples),
        _ => false,
    }
}

/// Any visible Idempotency-Key works, Chinese included; one that is not text is refused,
/// never ignored.
async fn idempotency_keys_are_never_ignored(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let steel = app.unit_id(STEEL).await;
    let clerk = app.api_as("clerk1").await;
    let before = app.count("demands").await;
    let post = |key: HeaderValue| {
        clerk
            .client
            .post(format!("{}/api/v1/demands", clerk.base))
            .header("x-csrf-token", &clerk.csrf)
            .header("idempotency-key", key)
            .json(&json!({"channel": "api", "title": "宿舍热水时有时无", "body": "冬天洗澡难", "unit_id": steel}))
            .send()
    };
    let key = HeaderValue::from_bytes("热线-2026-工单-１".as_bytes()).unwrap();
    let first = post(key.clone()).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = post(key).await.unwrap();
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "a repeat, not a second demand"
    );
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(app.count("demands").await, before + 1);

    let (status, ct, body) = json_of(
        post(HeaderValue::from_bytes(&[0xff, 0xfe, 0x41]).unwrap())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(ct.unwrap_or_default().starts_with("application/json"));
    assert_eq!(body["error"]["code"], "bad_request");
    let (status, _, body) = json_of(
        post(HeaderValue::from_str(&"x".repeat(101)).unwrap())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = body["error"]["fields"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("100"), "the limit is said: {message}");
    assert!(!message.contains("%{"), "no placeholder left: {message}");
    assert_eq!(app.count("demands").await, before + 1);
}
both_backends!(
    idempotency_keys_are_never_ignored_on,
    idempotency_keys_are_never_ignored
);
