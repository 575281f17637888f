//! The background work of a server: the periodic sweeps that chase deadlines, and the
//! delivery of the outbox. Everything it does is recorded in the database first (jobs with
//! leases, deliveries with leases and attempts), so a restart loses nothing and several
//! servers on one database do each piece of work once.

mod calendar_reminder;
mod deliver;
mod sweeps;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::Serialize;
use shishi_notify::email::Mailer;
use shishi_notify::webhook::WebhookClient;
use shishi_store::outbox;

use crate::{ServiceResult, Services};

/// The periodic jobs, each run by one server at a time.
pub const JOBS: [&str; 6] = [
    "deadlines",
    "orders",
    "stale_progress",
    "evaluations",
    "reports",
    "calendar",
];

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Names this process in leases; unique per process.
    pub owner: String,
    /// How long a lease holds; a server that dies mid-run frees its work after this long.
    pub lease: Duration,
    /// Pause between rounds.
    pub tick: Duration,
    /// How often each sweep runs.
    pub sweep_every: Duration,
    /// Deliveries taken per round.
    pub batch: i64,
    /// Attempts before a delivery is given up as failed.
    pub max_attempts: i64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            owner: format!("{}-{}", std::process::id(), rand::random::<u32>()),
            lease: Duration::from_secs(120),
            tick: Duration::from_secs(5),
            sweep_every: Duration::from_secs(600),
            batch: 50,
            max_attempts: 8,
        }
    }
}

/// The ways out: e-mail when configured, webhooks always.
#[derive(Clone)]
pub struct Transports {
    pub mailer: Option<Mailer>,
    pub hooks: WebhookClient,
}

/// What one round did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Round {
    pub jobs: Vec<(String, String)>,
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

pub struct Worker {
    services: Services,
    transports: Transports,
    cfg: WorkerConfig,
    /// The job rows exist (made on the first round).
    jobs_ready: AtomicBool,
}

impl Worker {
    pub fn new(services: Services, transports: Transports, cfg: WorkerConfig) -> Worker {
        Worker {
            services,
            transports,
            cfg,
            jobs_ready: AtomicBool::new(false),
        }
    }

    /// One round: every due sweep this process can lease, then one batch of deliveries.
    pub async fn round(&self) -> ServiceResult<Round> {
        let mut round = Round::default();
        if !self.jobs_ready.load(Ordering::Relaxed) {
            let mut tx = self.services.store.write().await?;
            for job in JOBS {
                outbox::ensure_job(&mut tx, job).await?;
            }
            tx.commit().await?;
            self.jobs_ready.store(true, Ordering::Relaxed);
        }
        // Read first: an idle round takes no write lock.
        let due = {
            let mut conn = self.services.store.read().await?;
            outbox::due_jobs(&mut conn, self.services.clock.now_ms()).await?
        };
        for job in JOBS.into_iter().filter(|j| due.iter().any(|d| d == j)) {
            if let Some(summary) = self.run_job(job).await? {
                round.jobs.push((job.to_string(), summary));
            }
        }
        self.deliver(&mut round).await?;
        Ok(round)
    }

    /// Rounds until the queue is empty and no sweep is due (tests and `shishi` one-shot use).
    pub async fn drain(&self) -> ServiceResult<Round> {
        let mut total = Round::default();
        // Bounded only against a bug: deliveries that fail wait out their backoff, and each
        // sweep waits for its next run, so the rounds run dry.
        for _ in 0..100_000 {
            let r = self.round().await?;
            let idle = r.jobs.is_empty() && r.sent + r.retrying + r.failed == 0;
            total.jobs.extend(r.jobs);
            total.sent += r.sent;
            total.retrying += r.retrying;
            total.failed += r.failed;
            if idle {
                break;
            }
        }
        Ok(total)
    }

    /// Runs rounds until `shutdown` completes; a failed round is logged and retried later.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            match self.round().await {
                Ok(r) if !r.jobs.is_empty() || r.sent + r.retrying + r.failed > 0 => {
                    tracing::info!(
                        jobs = ?r.jobs, sent = r.sent, retrying = r.retrying, failed = r.failed,
                        "background round"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "background round failed"),
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(self.cfg.tick) => {}
            }
        }
    }

    async fn run_job(&self, name: &str) -> ServiceResult<Option<String>> {
        let s = &self.services;
        let now = s.clock.now_ms();
        let lease_until = now + self.cfg.lease.as_millis() as i64;
        {
            let mut tx = s.store.write().await?;
            let mine = outbox::claim_job(&mut tx, name, &self.cfg.owner, now, lease_until).await?;
            tx.commit().await?;
            if !mine {
                return Ok(None);
            }
        }
        let result = match name {
            "deadlines" => s.sweep_deadlines().await,
            "orders" => s.sweep_orders().await,
            "stale_progress" => s.sweep_stale_progress().await,
            "evaluations" => s.sweep_evaluations().await,
            "reports" => s.sweep_reports().await,
            "calendar" => s.sweep_calendar().await,
            _ => Ok(String::new()),
        };
        let (summary, error) = match &result {
            Ok(summary) => (summary.clone(), String::new()),
            Err(e) => (String::new(), e.to_string()),
        };
        let finished = s.clock.now_ms();
        // A failed sweep is tried again at the next round rather than after a full interval.
        let next = if error.is_empty() {
            finished + self.cfg.sweep_every.as_millis() as i64
        } else {
            finished
        };
        let mut tx = s.store.write().await?;
        outbox::finish_job(
            &mut tx,
            name,
            &self.cfg.owner,
            next,
            &summary,
            &error,
            finished,
        )
        .await?;
        tx.commit().await?;
        result.map(Some)
    }
}

impl Services {
    /// The background jobs and the outbox, for the system admin.
    pub async fn background_status(
        &self,
        actor: &crate::Actor,
    ) -> ServiceResult<(Vec<outbox::JobRow>, Vec<(String, i64)>)> {
        Self::require_root_admin(actor)?;
        let mut conn = self.store.read().await?;
        Ok((
            outbox::jobs(&mut conn).await?,
            outbox::delivery_counts(&mut conn).await?,
        ))
    }
}
