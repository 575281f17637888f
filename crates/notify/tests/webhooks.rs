//! Webhooks against a real HTTP receiver (axum on 127.0.0.1) that records every request and
//! answers the way each robot does. Signatures are checked the way the robots check them.

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use shishi_notify::webhook::{Webhook, WebhookClient, WebhookKind, verify_generic};
use shishi_notify::{Failure, Outgoing};

const NOW_MS: i64 = 1_767_225_600_250; // 2026-01-01T00:00:00.250Z

#[derive(Debug, Clone)]
struct Seen {
    path: String,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
}

impl Seen {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no {name} header"))
    }
    fn query(&self, name: &str) -> &str {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} in query"))
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// Records the request, then answers by path: `/generic`, `/wecom`, `/dingtalk`, `/feishu`
/// succeed as the real endpoints do; `/status/{n}` answers HTTP n; `/errcode/{n}` and
/// `/code/{n}` answer 200 with that robot error code; `/slow` answers after 5 s.
async fn receiver(State(log): State<Log>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let query = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let path = uri.path().to_string();
    log.lock().unwrap().push(Seen {
        path: path.clone(),
        query,
        headers,
        body,
    });
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let ok = |v: Value| (StatusCode::OK, axum::Json(v)).into_response();
    match parts.as_slice() {
        ["generic"] => StatusCode::NO_CONTENT.into_response(),
        ["wecom"] | ["dingtalk"] => ok(json!({"errcode": 0, "errmsg": "ok"})),
        ["feishu"] => ok(json!({"code": 0, "msg": "success", "data": {}})),
        ["status", n] => (
            StatusCode::from_u16(n.parse().unwrap()).unwrap(),
            "receiver says no",
        )
            .into_response(),
        ["errcode", n] => {
            ok(json!({"errcode": n.parse::<i64>().unwrap(), "errmsg": "robot error"}))
        }
        ["code", n] => {
            ok(json!({"code": n.parse::<i64>().unwrap(), "msg": "robot error", "data": {}}))
        }
        ["slow"] => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            StatusCode::NO_CONTENT.into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn start_receiver() -> (SocketAddr, Log) {
    let log = Log::default();
    let app = Router::new().fallback(receiver).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, log)
}

fn message() -> Outgoing {
    Outgoing {
        id: "delivery-7001".into(),
        event: "demand.assigned".into(),
        subject: "新诉求待办：小区电梯故障".into(),
        text: "群众反映3号楼电梯频繁停运，请于3个工作日内答复。".into(),
        link: Some("https://shishi.example.com/demands/88".into()),
    }
}

fn hook(kind: WebhookKind, url: String, secret: &str) -> Webhook {
    Webhook {
        kind,
        url,
        secret: secret.into(),
    }
}

fn client() -> WebhookClient {
    WebhookClient::new(Duration::from_secs(5)).unwrap()
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

#[tokio::test]
async fn generic_arrives_signed() {
    let (addr, log) = start_receiver().await;
    let secret = "generic-签名-secret";
    client()
        .send(
            &hook(
                WebhookKind::Generic,
                format!("http://{addr}/generic"),
                secret,
            ),
            &message(),
            NOW_MS,
        )
        .await
        .unwrap();
    let seen = log.lock().unwrap().pop().expect("one request");
    assert_eq!(seen.header("content-type"), "application/json");
    assert_eq!(seen.header("x-shishi-delivery"), "delivery-7001");
    assert_eq!(seen.header("x-shishi-event"), "demand.assigned");
    assert_eq!(seen.header("x-shishi-timestamp"), "1767225600");
    assert!(verify_generic(
        secret,
        seen.header("x-shishi-timestamp"),
        &seen.body,
        seen.header("x-shishi-signature")
    ));
    // The receiver's own computation of the documented scheme.
    let mut signed = b"1767225600.".to_vec();
    signed.extend_from_slice(&seen.body);
    assert_eq!(
        seen.header("x-shishi-signature"),
        format!(
            "sha256={}",
            hex::encode(hmac_sha256(secret.as_bytes(), &signed))
        )
    );
    assert_eq!(
        seen.json(),
        json!({"id": "delivery-7001", "event": "demand.assigned", "subject": "新诉求待办：小区电梯故障",
               "text": "群众反映3号楼电梯频繁停运，请于3个工作日内答复。",
               "link": "https://shishi.example.com/demands/88", "sent_at": "2026-01-01T00:00:00Z"})
    );
}

#[tokio::test]
async fn wecom_arrives_as_markdown() {
    let (addr, log) = start_receiver().await;
    let url = format!("http://{addr}/wecom?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa");
    client()
        .send(&hook(WebhookKind::Wecom, url, ""), &message(), NOW_MS)
        .await
        .unwrap();
    let seen = log.lock().unwrap().pop().expect("one request");
    assert_eq!(seen.query("key"), "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa");
    assert_eq!(seen.header("x-shishi-delivery"), "delivery-7001");
    let body = seen.json();
    assert_eq!(body["msgtype"], "markdown");
    let content = body["markdown"]["content"].as_str().unwrap();
    assert!(
        content.starts_with("**新诉求待办：小区电梯故障**\n群众反映3号楼电梯"),
        "{content}"
    );
    assert!(
        content.ends_with("(https://shishi.example.com/demands/88)"),
        "{content}"
    );
}

#[tokio::test]
async fn dingtalk_arrives_signed_in_the_query() {
    let (addr, log) = start_receiver().await;
    let secret = "SEC1234567890abcdef1234567890abcdef1234567890abcdef1234567890ab";
    let url = format!("http://{addr}/dingtalk?access_token=tok123");
    client()
        .send(
            &hook(WebhookKind::Dingtalk, url, secret),
            &message(),
            NOW_MS,
        )
        .await
        .unwrap();
    let seen = log.lock().unwrap().pop().expect("one request");
    assert_eq!(seen.query("access_token"), "tok123");
    assert_eq!(seen.query("timestamp"), NOW_MS.to_string());
    // As DingTalk checks it: Base64(HMAC-SHA256(secret, "{timestamp}\n{secret}")), URL-decoded.
    let expected = BASE64.encode(hmac_sha256(
        secret.as_bytes(),
        format!("{NOW_MS}\n{secret}").as_bytes(),
    ));
    assert_eq!(seen.query("sign"), expected);
    assert_eq!(seen.header("x-shishi-delivery"), "delivery-7001");
    let body = seen.json();
    assert_eq!(body["msgtype"], "markdown");
    assert_eq!(body["markdown"]["title"], "新诉求待办：小区电梯故障");
    assert!(
        body["markdown"]["text"]
            .as_str()
            .unwrap()
            .contains("群众反映3号楼电梯频繁停运")
    );
}

#[tokio::test]
async fn feishu_arrives_signed_in_the_body() {
    let (addr, log) = start_receiver().await;
    let secret = "feishuSecretXYZ";
    client()
        .send(
            &hook(WebhookKind::Feishu, format!("http://{addr}/feishu"), secret),
            &message(),
            NOW_MS,
        )
        .await
        .unwrap();
    let seen = log.lock().unwrap().pop().expect("one request");
    assert_eq!(seen.header("x-shishi-delivery"), "delivery-7001");
    let body = seen.json();
    assert_eq!(body["timestamp"], "1767225600");
    // As Feishu checks it: Base64(HMAC-SHA256(key = "{timestamp}\n{secret}", message = empty)).
    let expected = BASE64.encode(hmac_sha256(format!("1767225600\n{secret}").as_bytes(), b""));
    assert_eq!(body["sign"], expected);
    assert_eq!(body["msg_type"], "text");
    assert_eq!(
        body["content"]["text"],
        "新诉求待办：小区电梯故障\n群众反映3号楼电梯频繁停运，请于3个工作日内答复。\nhttps://shishi.example.com/demands/88"
    );
}

async fn outcome(kind: WebhookKind, path: &str) -> Result<(), Failure> {
    let (addr, log) = start_receiver().await;
    let result = client()
        .send(
            &hook(kind, format!("http://{addr}{path}"), "s"),
            &message(),
            NOW_MS,
        )
        .await;
    assert_eq!(
        log.lock().unwrap().len(),
        1,
        "exactly one attempt, no redirects or hidden retries"
    );
    result
}

#[tokio::test]
async fn http_errors_are_classified() {
    for kind in WebhookKind::ALL {
        let e = outcome(kind, "/status/500").await.unwrap_err();
        assert!(matches!(e, Failure::Retry(_)), "{kind:?} 500: {e}");
        let e = outcome(kind, "/status/400").await.unwrap_err();
        assert!(matches!(e, Failure::Permanent(_)), "{kind:?} 400: {e}");
        let e = outcome(kind, "/status/429").await.unwrap_err();
        assert!(matches!(e, Failure::Retry(_)), "{kind:?} 429: {e}");
    }
    let e = outcome(WebhookKind::Generic, "/status/302")
        .await
        .unwrap_err();
    assert!(
        matches!(e, Failure::Permanent(_)),
        "a redirect is not followed: {e}"
    );
}

#[tokio::test]
async fn robot_codes_are_classified() {
    use WebhookKind::*;
    let cases = [
        (Wecom, "/errcode/45009", true),
        (Wecom, "/errcode/93000", false),
        (Dingtalk, "/errcode/130101", true),
        (Dingtalk, "/errcode/310000", false),
        (Feishu, "/code/11232", true),
        (Feishu, "/code/19021", false),
    ];
    for (kind, path, retry) in cases {
        let e = outcome(kind, path).await.unwrap_err();
        assert_eq!(e.is_retry(), retry, "{kind:?} {path}: {e}");
        assert!(
            e.message().contains("robot error"),
            "the robot's message is kept: {e}"
        );
    }
}

#[tokio::test]
async fn connection_refused_is_retry_and_hides_the_key() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/cgi-bin/webhook/send?key=SECRET-KEY-123");
    let e = client()
        .send(&hook(WebhookKind::Wecom, url, ""), &message(), NOW_MS)
        .await
        .unwrap_err();
    assert!(matches!(e, Failure::Retry(_)), "{e}");
    assert!(!e.to_string().contains("SECRET-KEY-123"), "{e}");
    assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");
}

#[tokio::test]
async fn slow_receiver_times_out_as_retry() {
    let (addr, _log) = start_receiver().await;
    let quick = WebhookClient::new(Duration::from_millis(300)).unwrap();
    let started = Instant::now();
    let e = quick
        .send(
            &hook(WebhookKind::Generic, format!("http://{addr}/slow"), ""),
            &message(),
            NOW_MS,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Failure::Retry(_)), "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the client gave up in time"
    );
}

mod https {
    use super::*;
    use axum::serve::Listener;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    use tokio::net::{TcpListener, TcpStream};
    use tokio_rustls::TlsAcceptor;
    use tokio_rustls::server::TlsStream;

    /// Serves axum over TLS with the test CA's server certificate (ring provider, like the client).
    struct TlsListener {
        tcp: TcpListener,
        acceptor: TlsAcceptor,
    }

    impl Listener for TlsListener {
        type Io = TlsStream<TcpStream>;
        type Addr = SocketAddr;

        async fn accept(&mut self) -> (Self::Io, Self::Addr) {
            loop {
                let Ok((tcp, addr)) = self.tcp.accept().await else {
                    continue;
                };
                // A client that refuses our certificate fails the handshake; keep serving.
                if let Ok(tls) = self.acceptor.accept(tcp).await {
                    return (tls, addr);
                }
            }
        }

        fn local_addr(&self) -> std::io::Result<Self::Addr> {
            self.tcp.local_addr()
        }
    }

    async fn start_tls_receiver(pki: &common::Pki) -> (SocketAddr, Log) {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(pki.cert_der.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.key_der.clone())),
            )
            .unwrap();
        let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = tcp.local_addr().unwrap();
        let listener = TlsListener {
            tcp,
            acceptor: TlsAcceptor::from(Arc::new(config)),
        };
        let log = Log::default();
        let app = Router::new().fallback(receiver).with_state(log.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (addr, log)
    }

    #[tokio::test]
    async fn https_with_a_private_ca() {
        let pki = common::pki();
        let (addr, log) = start_tls_receiver(&pki).await;
        let client =
            WebhookClient::with_ca_file(Duration::from_secs(5), Some(&pki.ca_pem)).unwrap();
        let url = format!("https://localhost:{}/feishu", addr.port());
        client
            .send(&hook(WebhookKind::Feishu, url, ""), &message(), NOW_MS)
            .await
            .unwrap();
        let seen = log.lock().unwrap().pop().expect("one request over TLS");
        assert_eq!(seen.path, "/feishu");
        assert_eq!(seen.header("x-shishi-delivery"), "delivery-7001");
    }

    #[tokio::test]
    async fn untrusted_certificate_is_permanent() {
        let pki = common::pki();
        let (addr, log) = start_tls_receiver(&pki).await;
        let url = format!("https://127.0.0.1:{}/generic", addr.port());
        let e = client()
            .send(&hook(WebhookKind::Generic, url, ""), &message(), NOW_MS)
            .await
            .unwrap_err();
        assert!(matches!(e, Failure::Permanent(_)), "{e}");
        assert!(e.message().contains("certificate"), "{e}");
        assert!(log.lock().unwrap().is_empty());
    }
}
