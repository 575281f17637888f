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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            database_url: None,
            data_dir: PathBuf::from("data"),
            secure_cookies: false,
            log: "info".into(),
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
            .merge(Env::prefixed("SHISHI_").ignore(&["test_database_url"]))
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
