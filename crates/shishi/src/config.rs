//! Settings, layered: built-in defaults → config file → `SHISHI_*` environment → flags.

// figment::Error is large by design and only ever returned once, at start-up.
#![allow(clippy::result_large_err)]

use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::cli::Args;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    /// Address the server listens on.
    pub listen: String,
    /// `sqlite://…` or `postgres://…`; none means SQLite in the data directory.
    pub database_url: Option<String>,
    /// Where the embedded database lives.
    pub data_dir: PathBuf,
    /// Mark cookies Secure: set when users reach shishi over HTTPS.
    pub secure_cookies: bool,
    /// A tracing filter, e.g. `info` or `shishi_web=debug,info`.
    pub log: String,
    /// The address people reach shishi at, for links in e-mails and chat robots, e.g.
    /// `https://shishi.example.com`; empty means `http://` + `listen`.
    pub public_url: String,
    /// Outgoing e-mail; off while `smtp.host` is empty. `SHISHI_SMTP__HOST` and so on.
    pub smtp: shishi_notify::email::SmtpConfig,
    /// The background worker: sweeps and the delivery of the outbox.
    pub jobs: JobsConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct JobsConfig {
    /// Run the worker in this process (switch off on web nodes that should only serve).
    pub enabled: bool,
    /// Seconds between rounds.
    pub tick_secs: u64,
    /// Seconds a lease holds: after a crash, another process retakes the work after this.
    pub lease_secs: u64,
    /// Seconds between two runs of each sweep.
    pub sweep_every_secs: u64,
    /// Seconds a webhook call may take.
    pub webhook_timeout_secs: u64,
    /// An extra PEM root for webhooks on internal servers with their own CA.
    pub ca_file: Option<PathBuf>,
}

impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig {
            enabled: true,
            tick_secs: 5,
            lease_secs: 120,
            sweep_every_secs: 600,
            webhook_timeout_secs: 10,
            ca_file: None,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            database_url: None,
            data_dir: PathBuf::from("data"),
            secure_cookies: false,
            log: "info".into(),
            public_url: String::new(),
            smtp: Default::default(),
            jobs: JobsConfig::default(),
        }
    }
}

/// The flags that override the file and the environment, when given.
#[derive(Serialize, Default)]
struct FlagOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_dir: Option<PathBuf>,
}

impl Config {
    pub fn figment(args: &Args) -> Figment {
        let file = args
            .config
            .clone()
            .unwrap_or_else(|| PathBuf::from("shishi.toml"));
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(
                Env::prefixed("SHISHI_")
                    .ignore(&["test_database_url"])
                    .split("__"),
            )
            .merge(Serialized::defaults(FlagOverrides {
                listen: args.listen(),
                database_url: args.database_url.clone(),
                data_dir: args.data_dir.clone(),
            }))
    }

    pub fn load(args: &Args) -> Result<Config, figment::Error> {
        Config::figment(args).extract()
    }

    /// The database URL to use: the one given, or a SQLite file in the data directory.
    pub fn database_url(&self) -> std::io::Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir)?;
        let dir = std::fs::canonicalize(&self.data_dir)?;
        Ok(format!(
            "sqlite://{}?mode=rwc",
            dir.join("shishi.db").display()
        ))
    }
}

pub fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn defaults_then_file_then_env_then_flags() {
        figment::Jail::expect_with(|jail| {
            let args = Args::parse_from(["shishi", "serve"]);
            assert_eq!(Config::load(&args)?, Config::default());

            jail.create_file(
                "shishi.toml",
                "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/shishi\"\nlog = \"debug\"",
            )?;
            let c = Config::load(&args)?;
            assert_eq!(c.listen, "0.0.0.0:9000");
            assert_eq!(c.data_dir, PathBuf::from("/srv/shishi"));

            jail.set_env("SHISHI_LISTEN", "0.0.0.0:9100");
            jail.set_env("SHISHI_DATABASE_URL", "postgres://db/shishi");
            jail.set_env("SHISHI_SECURE_COOKIES", "true");
            let c = Config::load(&args)?;
            assert_eq!(c.listen, "0.0.0.0:9100");
            assert_eq!(c.database_url.as_deref(), Some("postgres://db/shishi"));
            assert!(c.secure_cookies);
            assert_eq!(
                c.log, "debug",
                "the file still counts where the env is silent"
            );

            let args = Args::parse_from([
                "shishi",
                "--database-url",
                "sqlite://x.db",
                "serve",
                "--listen",
                "127.0.0.1:1",
            ]);
            let c = Config::load(&args)?;
            assert_eq!(c.listen, "127.0.0.1:1");
            assert_eq!(c.database_url.as_deref(), Some("sqlite://x.db"));

            // Nested sections: the file, then `SHISHI_SECTION__KEY`.
            jail.create_file(
                "shishi.toml",
                "[smtp]\nhost = \"mail.corp\"\nport = 465\nsecurity = \"tls\"\nfrom = \"shishi@corp.cn\"\n[jobs]\ntick_secs = 2",
            )?;
            jail.set_env("SHISHI_SMTP__PORT", "2465");
            jail.set_env("SHISHI_JOBS__LEASE_SECS", "7");
            let c = Config::load(&args)?;
            assert_eq!(c.smtp.host, "mail.corp");
            assert_eq!(c.smtp.port, 2465);
            assert_eq!(c.smtp.security, shishi_notify::email::Security::Tls);
            assert_eq!(c.jobs.tick_secs, 2);
            assert_eq!(c.jobs.lease_secs, 7);
            assert!(c.jobs.enabled);
            Ok(())
        });
    }

    #[test]
    fn a_broken_file_is_an_error_not_a_default() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("shishi.toml", "listen = [1, 2")?;
            let args = Args::parse_from(["shishi", "serve"]);
            assert!(Config::load(&args).is_err());
            Ok(())
        });
    }
}
