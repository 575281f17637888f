//! Killing the server in the middle of a delivery run neither loses nor repeats a
//! notification: the real binary delivers the outbox to a real HTTP receiver, is killed
//! (SIGKILL) while one webhook call is in flight, and is started again.
//!
//! The receiver holds the K-th call open until the server is dead, so that call is never
//! acknowledged to the sender. Afterwards every delivery must have been acknowledged exactly
//! once, and the only repeat the receiver ever sees is that unacknowledged call, sent again
//! with the same delivery id once its lease ran out.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use shishi_store::outbox::{self, NewDelivery, NewWebhook};
use shishi_store::testing::TestDb;
use shishi_store::{Backend, units};
use tokio::sync::{Notify, oneshot};

const DELIVERIES: usize = 30;
/// The call the receiver holds open while the server is killed.
const HELD: usize = 12;

#[derive(Default)]
struct Seen {
    /// Every call in arrival order: (delivery id, acknowledged to a live sender).
    calls: Vec<(String, bool)>,
    held: Option<oneshot::Sender<()>>,
}

#[derive(Clone)]
struct Receiver {
    seen: Arc<Mutex<Seen>>,
    release: Arc<Notify>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap) -> &'static str {
    let id = headers
        .get("x-shishi-delivery")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let hold = {
        let mut seen = r.seen.lock().unwrap();
        let n = seen.calls.len() + 1;
        let hold = n == HELD;
        seen.calls.push((id, !hold));
        if hold && let Some(tx) = seen.held.take() {
            let _ = tx.send(());
        }
        hold
    };
    if hold {
        // The sender is killed while this call waits; the answer goes nowhere.
        r.release.notified().await;
    }
    "{}"
}

fn serve(db_url: &str, dir: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_shishi"))
        .args(["--data-dir"])
        .arg(dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("SHISHI_DATABASE_URL", db_url)
        .env("SHISHI_JOBS__TICK_SECS", "1")
        .env("SHISHI_JOBS__LEASE_SECS", "2")
        .env("SHISHI_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts")
}

async fn kill_mid_delivery(backend: Backend) {
    let db = TestDb::new(backend).await;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let (held_tx, held_rx) = oneshot::channel();
    seen.lock().unwrap().held = Some(held_tx);
    let receiver = Receiver {
        seen: seen.clone(),
        release: Arc::new(Notify::new()),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    // An organisation with a webhook and a full outbox, written as the service writes it.
    let mut tx = db.store.write().await.unwrap();
    let root = units::insert(&mut tx, None, "测试集团", "group", 0)
        .await
        .unwrap()
        .id;
    let hook = outbox::insert_webhook(
        &mut tx,
        &NewWebhook {
            unit_id: root,
            name: "值班群",
            kind: "generic",
            url: &format!("http://{addr}/hook"),
            secret: "s3cret",
            include_subtree: true,
            events: "",
            now: 0,
        },
    )
    .await
    .unwrap();
    for i in 0..DELIVERIES {
        outbox::enqueue(
            &mut tx,
            &NewDelivery {
                dedupe_key: &format!("matter_overdue:{i}:w{hook}"),
                channel: "webhook",
                user_id: None,
                webhook_id: Some(hook),
                recipient: "值班群",
                event: "matter_overdue",
                subject: "实事项目已超期",
                body: &format!("第{i}项已超期"),
                link: "",
                now: 0,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut first = serve(&db.url, dir.path());
    tokio::time::timeout(Duration::from_secs(120), held_rx)
        .await
        .expect("the server reaches the held call")
        .unwrap();
    first.kill().unwrap();
    first.wait().unwrap();
    receiver.release.notify_waiters();

    let mut second = serve(&db.url, dir.path());
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let acked = seen.lock().unwrap().calls.iter().filter(|c| c.1).count();
        if acked >= DELIVERIES || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A little longer: a repeat would show up now.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    second.kill().unwrap();
    second.wait().unwrap();

    let calls = seen.lock().unwrap().calls.clone();
    let mut acked: BTreeMap<String, usize> = BTreeMap::new();
    for (id, ok) in calls.iter().filter(|c| c.1) {
        *acked.entry(id.clone()).or_default() += usize::from(*ok);
    }
    assert_eq!(acked.len(), DELIVERIES, "every delivery arrived: {calls:?}");
    assert!(
        acked.values().all(|n| *n == 1),
        "none was acknowledged twice: {acked:?}"
    );
    let held_id = &calls[HELD - 1].0;
    assert!(!calls[HELD - 1].1);
    let repeats: Vec<&String> = calls
        .iter()
        .map(|c| &c.0)
        .filter(|id| calls.iter().filter(|c| &c.0 == *id).count() > 1)
        .collect();
    assert!(
        repeats.iter().all(|id| *id == held_id),
        "only the call in flight at the kill was sent again: {repeats:?}"
    );

    let mut conn = db.store.read().await.unwrap();
    let (rows, total) = outbox::deliveries(
        &mut conn,
        &outbox::DeliveryQuery {
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        total as usize, DELIVERIES,
        "the outbox holds exactly what was queued"
    );
    assert!(rows.iter().all(|d| d.state == "sent"), "{rows:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_mid_delivery_sqlite() {
    kill_mid_delivery(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_mid_delivery_postgres() {
    kill_mid_delivery(Backend::Postgres).await;
}
