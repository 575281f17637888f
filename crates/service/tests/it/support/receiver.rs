//! A real HTTP receiver for the webhook tests: axum on 127.0.0.1, on a port of its own. It
//! records every request (path, headers, raw body) and answers each path with the status the
//! test sets (200 unless told otherwise), so a test can make it fail and recover.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no {name} header on {}", self.path))
            .to_string()
    }

    pub fn has_header(&self, name: &str) -> bool {
        self.headers.contains_key(name)
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// The outbox delivery id, from `X-Shishi-Delivery: shishi-{id}`.
    pub fn delivery_id(&self) -> i64 {
        self.header("X-Shishi-Delivery")
            .strip_prefix("shishi-")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a delivery header names the outbox row"))
    }
}

#[derive(Clone, Default)]
struct Shared {
    log: Arc<Mutex<Vec<Seen>>>,
    answers: Arc<Mutex<HashMap<String, u16>>>,
}

pub struct Receiver {
    pub addr: SocketAddr,
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(State(s): State<Shared>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().to_string();
    let status = s.answers.lock().unwrap().get(&path).copied().unwrap_or(200);
    s.log.lock().unwrap().push(Seen {
        path,
        headers,
        body,
    });
    let status = StatusCode::from_u16(status).expect("a valid status");
    (status, "recorded").into_response()
}

impl Receiver {
    pub async fn start() -> Receiver {
        let shared = Shared::default();
        let app = Router::new().fallback(record).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the receiver serves");
        });
        Receiver { addr, shared, task }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// From now on, answer requests to `path` with `status`.
    pub fn answer(&self, path: &str, status: u16) {
        self.shared
            .answers
            .lock()
            .unwrap()
            .insert(path.to_string(), status);
    }

    /// Every request so far, in arrival order.
    pub fn seen(&self) -> Vec<Seen> {
        self.shared.log.lock().unwrap().clone()
    }

    pub fn seen_on(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }
}
