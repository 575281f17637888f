//! `TestApp`: the real server on 127.0.0.1:0 over a fresh database of either backend, with
//! the demo organisation loaded, and clients that sign in as its people.

#![allow(dead_code)]

pub mod driving;

use std::net::SocketAddr;

use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use shishi_service::{Clock, Services};
use shishi_store::Backend;
use shishi_store::testing::TestDb;
use shishi_web::{AppState, WebConfig};
use tokio::sync::oneshot;

pub const PASSWORD: &str = shishi_service::demo::DEMO_PASSWORD;

pub struct TestApp {
    pub addr: SocketAddr,
    pub services: Services,
    pub db: TestDb,
    stop: Option<oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn with_demo(backend: Backend) -> TestApp {
        let db = TestDb::new(backend).await;
        let services = Services::new(db.store.clone(), Clock::system())
            .await
            .expect("services");
        services.seed_calendar().await.expect("calendar");
        services.load_demo().await.expect("demo loads");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let state = AppState::new(services.clone(), WebConfig::default());
        tokio::spawn(shishi_web::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        TestApp {
            addr,
            services,
            db,
            stop: Some(stop),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A client without a session.
    pub fn anonymous(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Signs in through the API; the client keeps the cookie and sends the CSRF header.
    pub async fn api_as(&self, username: &str) -> Api {
        let client = self.anonymous();
        let res = client
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .expect("sign in");
        assert_eq!(res.status(), StatusCode::OK, "{username} signs in");
        let body: Value = res.json().await.expect("json");
        Api {
            base: format!("http://{}", self.addr),
            client,
            csrf: body["csrf_token"].as_str().unwrap_or_default().to_string(),
            user_id: body["user"]["id"].as_i64().unwrap_or_default(),
        }
    }

    /// Signs in through the login form, as a browser does.
    pub async fn browser_as(&self, username: &str) -> Browser {
        let client = self.anonymous();
        let login = client
            .get(self.url("/login"))
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .expect("html");
        let csrf = hidden(&login, "csrf");
        let res = client
            .post(self.url("/login"))
            .form(&[
                ("username", username),
                ("password", PASSWORD),
                ("csrf", csrf.as_str()),
                ("next", "/ledger"),
            ])
            .send()
            .await
            .expect("login");
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "{username} signs in through the form"
        );
        let ledger = client
            .get(self.url("/ledger"))
            .send()
            .await
            .expect("ledger")
            .text()
            .await
            .expect("html");
        Browser {
            base: format!("http://{}", self.addr),
            client,
            csrf: hidden(&ledger, "csrf"),
        }
    }

    /// A matter id of the demo whose responsible unit lies under the named unit.
    pub async fn matter_under(&self, unit_name: &str) -> i64 {
        let mut conn = self.db.store.read().await.expect("conn");
        let units = shishi_store::units::find_by_name(&mut conn, unit_name)
            .await
            .expect("units");
        let unit = units
            .first()
            .unwrap_or_else(|| panic!("demo has {unit_name}"));
        let prefix = format!("{}%", unit.path);
        sqlx::query_scalar::<_, i64>(
            "SELECT id FROM matters WHERE unit_path LIKE $1 ORDER BY id LIMIT 1",
        )
        .bind(prefix)
        .fetch_one(&mut *conn)
        .await
        .expect("a matter there")
    }

    pub async fn unit_id(&self, name: &str) -> i64 {
        let mut conn = self.db.store.read().await.expect("conn");
        shishi_store::units::find_by_name(&mut conn, name)
            .await
            .expect("units")[0]
            .id
    }

    pub async fn count(&self, table: &str) -> i64 {
        let mut conn = self.db.store.read().await.expect("conn");
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut *conn)
            .await
            .expect("count")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The value of the first hidden input with that name.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.find(&marker)
        .map(|i| {
            let rest = &html[i + marker.len()..];
            rest[..rest.find('"').unwrap_or(0)].to_string()
        })
        .unwrap_or_default()
}

pub struct Api {
    pub base: String,
    pub client: Client,
    pub csrf: String,
    pub user_id: i64,
}

impl Api {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}/api/v1{path}", self.base))
            .send()
            .await
            .expect("get")
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> Response {
        self.client
            .request(method, format!("{}/api/v1{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .expect("send")
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.send(reqwest::Method::POST, path, body).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.send(reqwest::Method::PUT, path, body).await
    }
}

pub struct Browser {
    pub base: String,
    pub client: Client,
    pub csrf: String,
}

impl Browser {
    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("get");
        let status = res.status();
        (status, res.text().await.unwrap_or_default())
    }

    /// Posts a form with this session's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf", self.csrf.as_str()));
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .form(&all)
            .send()
            .await
            .expect("post");
        let status = res.status();
        (status, res.text().await.unwrap_or_default())
    }
}
