//! `prepare` and `judge` against fixed inputs. The expected signatures were computed outside
//! this crate, with Python's `hmac`/`base64`/`urllib.parse.quote_plus` following each vendor's
//! published recipe, so a wrong formula here cannot agree with itself.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::client::judge;
use super::*;

const NOW_MS: i64 = 1_700_000_000_123;
const NOW_SECS: &str = "1700000000";

fn msg() -> Outgoing {
    Outgoing {
        id: "d-42".into(),
        event: "matter.overdue".into(),
        subject: "实事逾期提醒：路灯维修".into(),
        text: "第3号实事已逾期，请尽快处理。".into(),
        link: Some("https://shishi.example.com/matters/3".into()),
    }
}

fn hook(kind: WebhookKind, url: &str, secret: &str) -> Webhook {
    Webhook {
        kind,
        url: url.into(),
        secret: secret.into(),
    }
}

fn header<'a>(p: &'a Prepared, name: &str) -> Option<&'a str> {
    p.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn body(p: &Prepared) -> Value {
    serde_json::from_slice(&p.body).expect("the body is JSON")
}

#[test]
fn kind_codes_round_trip() {
    for kind in WebhookKind::ALL {
        assert_eq!(WebhookKind::from_code(kind.code()), Some(kind));
        assert_eq!(
            serde_json::to_string(&kind).unwrap(),
            format!("\"{}\"", kind.code())
        );
    }
    assert_eq!(WebhookKind::from_code("slack"), None);
}

#[test]
fn generic_exact_body_headers_and_signature() {
    let h = hook(
        WebhookKind::Generic,
        "https://hooks.example.com/shishi",
        "通知密钥-generic",
    );
    let p = prepare(&h, &msg(), NOW_MS - 123).unwrap();
    assert_eq!(p.url, "https://hooks.example.com/shishi");
    let expected_body = r#"{"id":"d-42","event":"matter.overdue","subject":"实事逾期提醒：路灯维修","text":"第3号实事已逾期，请尽快处理。","link":"https://shishi.example.com/matters/3","sent_at":"2023-11-14T22:13:20Z"}"#;
    assert_eq!(String::from_utf8(p.body.clone()).unwrap(), expected_body);
    assert_eq!(header(&p, "Content-Type"), Some("application/json"));
    assert_eq!(header(&p, "X-Shishi-Delivery"), Some("d-42"));
    assert_eq!(header(&p, "X-Shishi-Event"), Some("matter.overdue"));
    assert_eq!(header(&p, "X-Shishi-Timestamp"), Some(NOW_SECS));
    let sig = "sha256=70e62adc18bef9f26d8e1677e11982e30792b652435c3f494b0d6e2c2e182c09";
    assert_eq!(header(&p, "X-Shishi-Signature"), Some(sig));
    assert!(verify_generic("通知密钥-generic", NOW_SECS, &p.body, sig));
    assert!(!verify_generic("other", NOW_SECS, &p.body, sig));
    assert!(!verify_generic(
        "通知密钥-generic",
        "1700000001",
        &p.body,
        sig
    ));
    assert!(!verify_generic("通知密钥-generic", NOW_SECS, b"{}", sig));
    assert!(!verify_generic(
        "通知密钥-generic",
        NOW_SECS,
        &p.body,
        "sha1=00"
    ));
    assert!(!verify_generic("", NOW_SECS, &p.body, sig));
}

#[test]
fn generic_without_secret_or_link() {
    let h = hook(WebhookKind::Generic, "http://10.0.0.5:8080/in", "");
    let m = Outgoing {
        link: None,
        ..msg()
    };
    let p = prepare(&h, &m, NOW_MS).unwrap();
    assert_eq!(header(&p, "X-Shishi-Signature"), None);
    assert_eq!(body(&p)["link"], Value::Null);
    assert_eq!(body(&p)["sent_at"], "2023-11-14T22:13:20Z");
}

#[test]
fn wecom_markdown() {
    let url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx";
    let p = prepare(&hook(WebhookKind::Wecom, url, "ignored"), &msg(), NOW_MS).unwrap();
    assert_eq!(p.url, url, "the key stays in the URL untouched");
    assert_eq!(header(&p, "X-Shishi-Delivery"), Some("d-42"));
    assert_eq!(
        body(&p),
        json!({"msgtype": "markdown", "markdown": {"content":
            "**实事逾期提醒：路灯维修**\n第3号实事已逾期，请尽快处理。\n[https://shishi.example.com/matters/3](https://shishi.example.com/matters/3)"}})
    );
}

#[test]
fn wecom_long_text_is_cut_below_the_limit() {
    let long = Outgoing {
        text: "办".repeat(3000),
        ..msg()
    };
    let p = prepare(
        &hook(
            WebhookKind::Wecom,
            "https://qyapi.weixin.qq.com/x?key=k",
            "",
        ),
        &long,
        NOW_MS,
    )
    .unwrap();
    let content = body(&p)["markdown"]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(content.len() <= 4096, "{}", content.len());
    assert!(
        content.contains("…\n[https://shishi.example.com/matters/3]"),
        "the link survives the cut"
    );
}

#[test]
fn dingtalk_signed_url_and_markdown() {
    let secret = "SECf3a1c2d4e5b6a7980f1e2d3c4b5a69788796a5b4c3d2e1f0";
    let h = hook(
        WebhookKind::Dingtalk,
        "https://oapi.dingtalk.com/robot/send?access_token=abc123",
        secret,
    );
    let p = prepare(&h, &msg(), NOW_MS).unwrap();
    // Python: quote_plus(b64encode(hmac(secret, f"{ts}\n{secret}", sha256).digest()))
    assert_eq!(
        p.url,
        "https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1700000000123\
         &sign=4R8wACa079r8m7%2Bxl%2F4vIFv1M3LV1xg89%2ByYyf3sY08%3D"
    );
    assert_eq!(
        dingtalk_sign(secret, NOW_MS),
        "4R8wACa079r8m7+xl/4vIFv1M3LV1xg89+yYyf3sY08="
    );
    assert_eq!(header(&p, "X-Shishi-Delivery"), Some("d-42"));
    assert_eq!(
        body(&p),
        json!({"msgtype": "markdown", "markdown": {
            "title": "实事逾期提醒：路灯维修",
            "text": "#### 实事逾期提醒：路灯维修\n\n第3号实事已逾期，请尽快处理。\n\n[https://shishi.example.com/matters/3](https://shishi.example.com/matters/3)"}})
    );
}

#[test]
fn dingtalk_query_handling() {
    let secret = "SECf3a1c2d4e5b6a7980f1e2d3c4b5a69788796a5b4c3d2e1f0";
    let sign = "4R8wACa079r8m7%2Bxl%2F4vIFv1M3LV1xg89%2ByYyf3sY08%3D";
    // A stale signature pasted with the URL is replaced, not duplicated.
    let stale = "https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1&sign=old";
    let p = prepare(&hook(WebhookKind::Dingtalk, stale, secret), &msg(), NOW_MS).unwrap();
    assert_eq!(
        p.url,
        format!(
            "https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp={NOW_MS}&sign={sign}"
        )
    );
    // No query at all.
    let bare = "https://oapi.dingtalk.com/robot/send";
    let p = prepare(&hook(WebhookKind::Dingtalk, bare, secret), &msg(), NOW_MS).unwrap();
    assert_eq!(p.url, format!("{bare}?timestamp={NOW_MS}&sign={sign}"));
    // Unsigned robots (keyword or IP security) get the URL as configured.
    let url = "https://oapi.dingtalk.com/robot/send?access_token=abc123";
    let p = prepare(&hook(WebhookKind::Dingtalk, url, ""), &msg(), NOW_MS).unwrap();
    assert_eq!(p.url, url);
}

#[test]
fn feishu_signed_body() {
    let secret = "qG3kVb7xY2mNp9Rs";
    let url = "https://open.feishu.cn/open-apis/bot/v2/hook/0b3d5d1b-token";
    let p = prepare(&hook(WebhookKind::Feishu, url, secret), &msg(), NOW_MS).unwrap();
    assert_eq!(p.url, url);
    // Python: b64encode(hmac(f"{secs}\n{secret}".encode(), b"", sha256).digest())
    assert_eq!(
        body(&p),
        json!({"timestamp": NOW_SECS, "sign": "3qAP/KfjQ954jKKJaaOJ6LomYhCZbGE2AFFNUI14lLg=", "msg_type": "text",
               "content": {"text": "实事逾期提醒：路灯维修\n第3号实事已逾期，请尽快处理。\nhttps://shishi.example.com/matters/3"}})
    );
    let unsigned = prepare(&hook(WebhookKind::Feishu, url, ""), &msg(), NOW_MS).unwrap();
    let b = body(&unsigned);
    assert!(
        b.get("timestamp").is_none() && b.get("sign").is_none(),
        "{b}"
    );
    assert_eq!(header(&unsigned, "X-Shishi-Delivery"), Some("d-42"));
}

#[test]
fn bad_input_is_permanent_and_keeps_secrets_out() {
    let m = msg();
    for url in [
        "not a url",
        "ftp://example.com/x",
        "https://",
        "mailto:a@example.com",
    ] {
        let e = prepare(&hook(WebhookKind::Generic, url, ""), &m, NOW_MS).unwrap_err();
        assert!(matches!(e, Failure::Permanent(_)), "{url}: {e}");
    }
    let e = prepare(
        &hook(
            WebhookKind::Wecom,
            "ftp://qyapi.weixin.qq.com/send?key=SECRETKEY",
            "",
        ),
        &m,
        NOW_MS,
    )
    .unwrap_err();
    assert!(!e.to_string().contains("SECRETKEY"), "{e}");
    let chinese_id = Outgoing {
        id: "投递-1".into(),
        ..msg()
    };
    assert!(matches!(
        prepare(
            &hook(WebhookKind::Feishu, "https://x.example/h", ""),
            &chinese_id,
            NOW_MS
        ),
        Err(Failure::Permanent(_))
    ));
    let bad_event = Outgoing {
        event: "逾期\n".into(),
        ..msg()
    };
    assert!(matches!(
        prepare(
            &hook(WebhookKind::Generic, "https://x.example/h", ""),
            &bad_event,
            NOW_MS
        ),
        Err(Failure::Permanent(_))
    ));
    let shown = format!(
        "{:?}",
        hook(
            WebhookKind::Wecom,
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRETKEY",
            "s3cr3t"
        )
    );
    assert!(
        !shown.contains("SECRETKEY") && !shown.contains("s3cr3t"),
        "{shown}"
    );
}

#[test]
fn truncate_respects_char_boundaries() {
    assert_eq!(truncate("路灯维修", 100), "路灯维修");
    let cut = truncate("路灯维修", 8);
    assert_eq!(cut, "路…");
    assert!(cut.len() <= 8);
}

fn verdict(kind: WebhookKind, status: u16, body: &str) -> Result<(), Failure> {
    judge(
        kind,
        StatusCode::from_u16(status).unwrap(),
        body.as_bytes(),
        "https://robot.example/…",
    )
}

fn is_retry(r: Result<(), Failure>) -> bool {
    matches!(r, Err(Failure::Retry(_)))
}

fn is_permanent(r: Result<(), Failure>) -> bool {
    matches!(r, Err(Failure::Permanent(_)))
}

#[test]
fn judge_http_status() {
    use WebhookKind::*;
    assert_eq!(verdict(Generic, 200, ""), Ok(()));
    assert_eq!(verdict(Generic, 204, ""), Ok(()));
    assert!(is_retry(verdict(Generic, 500, "oops")));
    assert!(is_retry(verdict(Generic, 503, "")));
    assert!(is_retry(verdict(Generic, 429, "")));
    assert!(is_retry(verdict(Generic, 408, "")));
    assert!(is_permanent(verdict(Generic, 400, "bad")));
    assert!(is_permanent(verdict(Generic, 404, "")));
    assert!(is_permanent(verdict(Generic, 301, "")));
    assert!(is_retry(verdict(Wecom, 502, r#"{"errcode":0}"#)));
}

#[test]
fn judge_robot_codes() {
    use WebhookKind::*;
    assert_eq!(
        verdict(Wecom, 200, r#"{"errcode":0,"errmsg":"ok"}"#),
        Ok(())
    );
    assert!(is_retry(verdict(
        Wecom,
        200,
        r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#
    )));
    assert!(is_permanent(verdict(
        Wecom,
        200,
        r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#
    )));
    assert!(is_retry(verdict(
        Wecom,
        200,
        r#"{"errcode":-1,"errmsg":"system busy"}"#
    )));
    assert_eq!(
        verdict(Dingtalk, 200, r#"{"errcode":0,"errmsg":"ok"}"#),
        Ok(())
    );
    assert!(is_retry(verdict(
        Dingtalk,
        200,
        r#"{"errcode":130101,"errmsg":"send too fast"}"#
    )));
    assert!(is_permanent(verdict(
        Dingtalk,
        200,
        r#"{"errcode":310000,"errmsg":"sign not match"}"#
    )));
    assert!(is_permanent(verdict(
        Dingtalk,
        200,
        r#"{"errcode":300001,"errmsg":"token is not exist"}"#
    )));
    assert_eq!(
        verdict(Feishu, 200, r#"{"code":0,"msg":"success","data":{}}"#),
        Ok(())
    );
    assert_eq!(
        verdict(Feishu, 200, r#"{"StatusCode":0,"StatusMessage":"success"}"#),
        Ok(())
    );
    assert!(is_permanent(verdict(
        Feishu,
        200,
        r#"{"code":19021,"msg":"sign match fail"}"#
    )));
    assert!(is_permanent(verdict(
        Feishu,
        400,
        r#"{"code":19024,"msg":"Key Words Not Found"}"#
    )));
    assert!(is_retry(verdict(
        Feishu,
        200,
        r#"{"code":11232,"msg":"frequency limited"}"#
    )));
    // Unknown codes and answers without a code are retried (see robot_code_is_permanent).
    assert!(is_retry(verdict(
        Dingtalk,
        200,
        r#"{"errcode":123456,"errmsg":"new"}"#
    )));
    assert!(is_retry(verdict(Wecom, 200, "<html>portal</html>")));
    assert!(is_permanent(verdict(Wecom, 404, "<html>not found</html>")));
    let e = verdict(
        Dingtalk,
        200,
        r#"{"errcode":310000,"errmsg":"keywords not in content"}"#,
    )
    .unwrap_err();
    assert!(
        e.message().contains("errcode 310000") && e.message().contains("keywords not in content"),
        "{e}"
    );
}
