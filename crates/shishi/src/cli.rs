//! The commands.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use shishi_notify::email::Mailer;
use shishi_notify::webhook::WebhookClient;
use shishi_service::notify::Outbound;
use shishi_service::worker::{Transports, Worker, WorkerConfig};
use shishi_service::{Clock, Services};
use shishi_store::{Store, audit, redact_url};
use shishi_web::{AppState, WebConfig};

use crate::config::Config;

#[derive(Parser, Debug)]
#[command(
    name = "shishi",
    version,
    about = "实事 — the practical-matters ledger (我为群众办实事)"
)]
pub struct Args {
    /// Database URL: sqlite://FILE or postgres://USER@HOST/DB (default: SQLite in the data dir).
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// Directory for the embedded database.
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Config file (default: ./shishi.toml when present).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server.
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080.
        #[arg(long)]
        listen: Option<String>,
        /// Load the demo organisation first (when the database is empty) and print its logins.
        #[arg(long)]
        demo: bool,
    },
    /// Create the database, the organisation's top unit and the first system admin.
    Init {
        /// Name of the organisation (the top unit).
        #[arg(long, default_value = "本单位")]
        org: String,
        #[arg(long, default_value = "admin")]
        admin: String,
        /// The admin's password; generated and printed when not given.
        #[arg(long, env = "SHISHI_ADMIN_PASSWORD")]
        password: Option<String>,
    },
    /// Load the demo organisation into an empty database and exit.
    Demo,
    /// Reports: the statistics table of a unit for a week, month or quarter.
    Report {
        #[command(subcommand)]
        command: crate::report_cli::ReportCommand,
    },
    /// Import ledgers, units or people from Excel (--dry-run checks only).
    Import {
        #[command(subcommand)]
        command: crate::import_cli::ImportCommand,
    },
    /// Restore access: reset a password, or make someone a system admin of the whole
    /// organisation again.
    Admin {
        #[command(subcommand)]
        command: crate::admin_cli::AdminCommand,
    },
    /// Audit trail commands.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Measure the ledger query and the summary line on a large generated SQLite database.
    Bench {
        /// What to measure: ledger, similarity, driving (sweeps and the outbox), reports, or all.
        #[arg(long, default_value = "all")]
        only: String,
        #[arg(long, default_value_t = 1_000_000)]
        matters: usize,
        /// Stored demands for the similarity check.
        #[arg(long, default_value_t = 1_000_000)]
        demands: usize,
        #[arg(long, default_value_t = 10_000)]
        units: usize,
        /// Queries to time for each measure.
        #[arg(long, default_value_t = 2000)]
        queries: usize,
        /// Where to build the database (a fresh file); default: a temporary directory.
        #[arg(long)]
        db: Option<PathBuf>,
        /// Reports only: measure the database already at --db (built by an earlier run) instead
        /// of building a new one.
        #[arg(long, requires = "db")]
        reuse: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check the hash chain: exit 0 when intact, 1 naming the first bad event.
    Verify,
}

impl Args {
    pub fn listen(&self) -> Option<String> {
        match &self.command {
            Command::Serve { listen, .. } => listen.clone(),
            _ => None,
        }
    }
}

async fn open(config: &Config) -> Result<Services> {
    let url = config
        .database_url()
        .context("cannot create the data directory")?;
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("cannot open the database {}", redact_url(&url)))?;
    store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    let services = Services::new(store, Clock::system())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    services
        .seed_calendar()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(services)
}

async fn load_demo(services: &Services) -> Result<()> {
    let report = services
        .load_demo()
        .await
        .map_err(|e| anyhow::anyhow!("loading the demo: {e:?}"))?;
    if !report.loaded {
        println!("The database already holds an organisation; the demo was not loaded.");
        return Ok(());
    }
    println!(
        "Demo organisation loaded. Every demo account's password is: {}",
        shishi_service::demo::DEMO_PASSWORD
    );
    for (user, what) in &report.logins {
        println!("  {user:<12} {what}");
    }
    Ok(())
}

/// Sets up outgoing e-mail and webhooks and builds the background worker, if enabled.
fn start_worker(config: &Config, services: &Services, listen: &str) -> Result<Option<Worker>> {
    let base_url = if config.public_url.trim().is_empty() {
        format!("http://{listen}")
    } else {
        config.public_url.trim().to_string()
    };
    let mailer = if config.smtp.enabled() {
        Some(Mailer::new(&config.smtp).map_err(|e| anyhow::anyhow!("e-mail settings: {e}"))?)
    } else {
        None
    };
    services.set_outbound(Outbound {
        base_url,
        email: mailer.is_some(),
    });
    if !config.jobs.enabled {
        return Ok(None);
    }
    let hooks = WebhookClient::with_ca_file(
        Duration::from_secs(config.jobs.webhook_timeout_secs.max(1)),
        config.jobs.ca_file.as_deref(),
    )
    .map_err(|e| anyhow::anyhow!("webhook settings: {e}"))?;
    let cfg = WorkerConfig {
        lease: Duration::from_secs(config.jobs.lease_secs.max(1)),
        tick: Duration::from_secs(config.jobs.tick_secs.max(1)),
        sweep_every: Duration::from_secs(config.jobs.sweep_every_secs.max(1)),
        ..WorkerConfig::default()
    };
    Ok(Some(Worker::new(
        services.clone(),
        Transports { mailer, hooks },
        cfg,
    )))
}

pub async fn run(args: Args, config: Config) -> Result<ExitCode> {
    match args.command {
        Command::Serve { demo, .. } => {
            let services = open(&config).await?;
            if demo {
                load_demo(&services).await?;
            }
            let listener = tokio::net::TcpListener::bind(&config.listen)
                .await
                .with_context(|| format!("cannot listen on {}", config.listen))?;
            let addr = listener.local_addr()?;
            println!("shishi is serving on http://{addr}/  (Ctrl-C stops it)");
            let worker = start_worker(&config, &services, &addr.to_string())?;
            let state = AppState::new(
                services.clone(),
                WebConfig {
                    secure_cookies: config.secure_cookies,
                },
            );
            let (stop, stopped) = tokio::sync::watch::channel(false);
            let shutdown = async move {
                shutdown_signal().await;
                let _ = stop.send(true);
            };
            let worker = worker.map(|w| {
                let mut stopped = stopped.clone();
                tokio::spawn(w.run(async move {
                    let _ = stopped.changed().await;
                }))
            });
            shishi_web::serve(listener, state, shutdown).await?;
            if let Some(handle) = worker {
                // A round in flight finishes (each delivery is recorded as it goes) or is cut
                // off here; its leases lapse and another round picks the work up.
                let _ = tokio::time::timeout(std::time::Duration::from_secs(10), handle).await;
            }
            services.store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Init {
            org,
            admin,
            password,
        } => {
            let services = open(&config).await?;
            let generated = password.is_none();
            let password =
                password.unwrap_or_else(|| shishi_service::auth::random_token()[..16].to_string());
            let out = services
                .init(&org, &admin, &password)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            if out.created {
                println!("Initialised. System admin: {}", out.admin_username);
                if generated {
                    println!("Generated password (shown once): {password}");
                }
            } else {
                println!("The database is already initialised; nothing changed.");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            let services = open(&config).await?;
            load_demo(&services).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { command } => {
            let services = open(&config).await?;
            crate::report_cli::run(&services, command).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { command } => {
            let services = open(&config).await?;
            crate::import_cli::run(&services, command).await
        }
        Command::Admin { command } => {
            let services = open(&config).await?;
            crate::admin_cli::run(&services, command).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let url = config.database_url()?;
            let store = Store::connect(&url)
                .await
                .with_context(|| format!("cannot open {}", redact_url(&url)))?;
            let mut conn = store.read().await?;
            match audit::verify(&mut conn).await? {
                audit::VerifyOutcome::Intact { events } => {
                    println!("audit chain intact: {events} events");
                    Ok(ExitCode::SUCCESS)
                }
                audit::VerifyOutcome::Broken { seq, problem } => {
                    println!("audit chain BROKEN at event {seq}: {problem}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Bench {
            only,
            matters,
            demands,
            units,
            queries,
            db,
            reuse,
        } => {
            if !matches!(
                only.as_str(),
                "all" | "ledger" | "similarity" | "driving" | "reports"
            ) {
                anyhow::bail!("--only takes ledger, similarity, driving, reports or all");
            }
            if only == "reports" {
                crate::bench_reports::run(matters, units, queries, db, reuse).await?;
                return Ok(ExitCode::SUCCESS);
            }
            if only == "driving" {
                crate::bench_driving::run(matters, units, db).await?;
                return Ok(ExitCode::SUCCESS);
            }
            if only != "similarity" {
                crate::bench::run(matters, units, queries, db).await?;
            }
            if only != "ledger" {
                println!("\nsimilarity check against {demands} stored demands …");
                let report =
                    tokio::task::spawn_blocking(move || shishi_text::bench(demands)).await?;
                println!("{report}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
