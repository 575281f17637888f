//! Forward-only, versioned migrations, one set per backend with the same versions.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Backend, Store, StoreError, StoreResult};

struct Migration {
    version: i64,
    description: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        description: "open deadlines",
        sqlite: include_str!("../migrations/sqlite/0002_open_deadlines.sql"),
        postgres: include_str!("../migrations/postgres/0002_open_deadlines.sql"),
    },
    Migration {
        version: 3,
        description: "demands",
        sqlite: include_str!("../migrations/sqlite/0003_demands.sql"),
        postgres: include_str!("../migrations/postgres/0003_demands.sql"),
    },
    Migration {
        version: 4,
        description: "driving matters to done",
        sqlite: include_str!("../migrations/sqlite/0004_driving.sql"),
        postgres: include_str!("../migrations/postgres/0004_driving.sql"),
    },
    Migration {
        version: 5,
        description: "announced occurrences",
        sqlite: include_str!("../migrations/sqlite/0005_announced.sql"),
        postgres: include_str!("../migrations/postgres/0005_announced.sql"),
    },
    Migration {
        version: 6,
        description: "reports",
        sqlite: include_str!("../migrations/sqlite/0006_reports.sql"),
        postgres: include_str!("../migrations/postgres/0006_reports.sql"),
    },
    Migration {
        version: 7,
        description: "sign-in throttle",
        sqlite: include_str!("../migrations/sqlite/0007_signin_throttle.sql"),
        postgres: include_str!("../migrations/postgres/0007_signin_throttle.sql"),
    },
    Migration {
        version: 8,
        description: "import unit aliases",
        sqlite: include_str!("../migrations/sqlite/0008_import_unit_aliases.sql"),
        postgres: include_str!("../migrations/postgres/0008_import_unit_aliases.sql"),
    },
    Migration {
        version: 9,
        description: "provisional calendar",
        sqlite: include_str!("../migrations/sqlite/0009_calendar_provisional.sql"),
        postgres: include_str!("../migrations/postgres/0009_calendar_provisional.sql"),
    },
];

pub(crate) async fn run(store: &Store) -> StoreResult<Vec<i64>> {
    let mut tx = store.write().await?;
    if store.backend() == Backend::Postgres {
        // Two servers starting at once: the second waits here, then finds nothing to do.
        sqlx::query("SELECT pg_advisory_xact_lock(74247424)")
            .execute(&mut *tx)
            .await?;
    }
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            description TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at BIGINT NOT NULL
        )",
    )
    .execute(&mut *tx)
    .await?;
    let applied: Vec<(i64, String)> =
        sqlx::query("SELECT version, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| (r.get::<i64, _>(0), r.get::<String, _>(1)))
            .collect();
    let mut done = Vec::new();
    for m in MIGRATIONS {
        let sql = match store.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        let checksum = hex::encode(Sha256::digest(sql.as_bytes()));
        if let Some((_, old)) = applied.iter().find(|(v, _)| *v == m.version) {
            if *old != checksum {
                return Err(StoreError::Migration(format!(
                    "migration {} ({}) was changed after it was applied; add a new migration instead",
                    m.version, m.description
                )));
            }
            continue;
        }
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(|e| {
            StoreError::Migration(format!("{} ({}): {e}", m.version, m.description))
        })?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, description, checksum, applied_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(m.version)
        .bind(m.description)
        .bind(checksum)
        .bind(shishi_core::time::now_ms())
        .execute(&mut *tx)
        .await?;
        done.push(m.version);
    }
    if let Some(newest) = applied.last()
        && newest.0 > MIGRATIONS.last().map_or(0, |m| m.version)
    {
        return Err(StoreError::Migration(format!(
            "the database is at version {} but this shishi knows only up to {}; upgrade shishi",
            newest.0,
            MIGRATIONS.last().map_or(0, |m| m.version)
        )));
    }
    tx.commit().await?;
    Ok(done)
}
