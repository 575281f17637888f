//! `shishi bench --only driving`: the background work on a large database. Times the sweeps
//! (the first run that announces everything, and the idle rerun that must find nothing) and
//! the delivery of the outbox to a webhook receiver on loopback.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use shishi_notify::webhook::WebhookClient;
use shishi_service::worker::{Transports, Worker, WorkerConfig};
use shishi_service::{Clock, Services};
use shishi_store::outbox::{self, NewWebhook};

use crate::bench::{build, tempfile_dir};

async fn timed<T>(
    what: &str,
    f: impl std::future::Future<Output = shishi_service::ServiceResult<T>>,
) -> Result<T>
where
    T: std::fmt::Display,
{
    let t = Instant::now();
    let out = f.await.map_err(|e| anyhow!("{what}: {e}"))?;
    println!(
        "{what:<44} {:>9.1} ms   {out}",
        t.elapsed().as_secs_f64() * 1000.0
    );
    Ok(out)
}

pub async fn run(n_matters: usize, n_units: usize, db: Option<PathBuf>) -> Result<()> {
    let dir = tempfile_dir()?;
    let path = db.unwrap_or_else(|| dir.join("bench-driving.db"));
    let (store, _units) = build(&path, n_matters, n_units).await?;
    // The matters were listed a month ago and have had no progress since: the quiet-work
    // sweep has every open one to remind.
    {
        let mut tx = store.write().await?;
        sqlx::query("UPDATE matters SET created_at = created_at - 2592000000")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }

    // A receiver on loopback that answers every call at once.
    let received = Arc::new(AtomicUsize::new(0));
    let counter = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::Relaxed);
                "{}"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    {
        let mut tx = store.write().await?;
        outbox::insert_webhook(
            &mut tx,
            &NewWebhook {
                unit_id: 1,
                name: "bench",
                kind: "generic",
                url: &format!("http://{addr}/hook"),
                secret: "bench-secret",
                include_subtree: true,
                events: "",
                now: 0,
            },
        )
        .await?;
        tx.commit().await?;
    }

    let services = Services::new(store.clone(), Clock::system())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    println!();
    timed("deadline sweep, first run", services.sweep_deadlines()).await?;
    timed(
        "deadline sweep, rerun (nothing new)",
        services.sweep_deadlines(),
    )
    .await?;
    timed(
        "stale-progress sweep, first run",
        services.sweep_stale_progress(),
    )
    .await?;
    timed(
        "stale-progress sweep, rerun",
        services.sweep_stale_progress(),
    )
    .await?;
    timed("supervision sweep", services.sweep_orders()).await?;
    timed("evaluation sweep", services.sweep_evaluations()).await?;

    let worker = Worker::new(
        services.clone(),
        Transports {
            mailer: None,
            hooks: WebhookClient::new(Duration::from_secs(10)).map_err(|e| anyhow!(e))?,
        },
        WorkerConfig {
            batch: 200,
            ..WorkerConfig::default()
        },
    );
    let t = Instant::now();
    let round = worker.drain().await.map_err(|e| anyhow!("{e}"))?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{:<44} {:>9.1} ms   {} sent ({:.0} per second), {} received, {} retrying, {} failed",
        "delivering the outbox (signed generic webhook)",
        secs * 1000.0,
        round.sent,
        round.sent as f64 / secs.max(1e-9),
        received.load(Ordering::Relaxed),
        round.retrying,
        round.failed
    );
    let t = Instant::now();
    let idle = worker.round().await.map_err(|e| anyhow!("{e}"))?;
    println!(
        "{:<44} {:>9.3} ms   {} jobs run, {} sent",
        "an idle worker round",
        t.elapsed().as_secs_f64() * 1000.0,
        idle.jobs.len(),
        idle.sent
    );
    store.close().await;
    Ok(())
}
