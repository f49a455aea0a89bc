//! What operating the store needs: how its pool behaves, what migrating
//! did, and how busy the pool is.

use std::time::Duration;

use sqlx::migrate::{AppliedMigration, Migrator};

/// How the store's pool of connections behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSettings {
    /// Connections kept open at most.
    pub max_connections: u32,
    /// How long a request waits for a connection before it is told the
    /// database is unavailable.
    pub acquire_timeout: Duration,
    /// How long SQLite waits for another writer before "database is locked".
    pub busy_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(3),
            busy_timeout: Duration::from_secs(5),
        }
    }
}

impl PoolSettings {
    /// The defaults, with this many connections.
    pub fn with_max_connections(max_connections: u32) -> Self {
        Self {
            max_connections,
            ..Self::default()
        }
    }
}

/// One migration, by version and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationName {
    pub version: i64,
    pub description: String,
}

/// What `Store::migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// The migrations applied now, oldest first.
    pub applied: Vec<MigrationName>,
    /// The newest migration the database has now.
    pub version: Option<i64>,
}

impl MigrationReport {
    pub(crate) fn new(
        migrator: &Migrator,
        before: &[AppliedMigration],
        after: &[AppliedMigration],
    ) -> Self {
        let applied = migrator
            .iter()
            .filter(|m| {
                after.iter().any(|a| a.version == m.version)
                    && !before.iter().any(|b| b.version == m.version)
            })
            .map(|m| MigrationName {
                version: m.version,
                description: m.description.to_string(),
            })
            .collect();
        Self {
            applied,
            version: after.iter().map(|a| a.version).max(),
        }
    }

    /// How many of the migrator's migrations are not among `applied`.
    pub(crate) fn pending(migrator: &Migrator, applied: &[i64]) -> u64 {
        let count = migrator
            .iter()
            .filter(|m| !m.migration_type.is_down_migration() && !applied.contains(&m.version))
            .count();
        u64::try_from(count).unwrap_or(u64::MAX)
    }
}

/// How busy the pool is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Connections open (in use and idle).
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

impl PoolStats {
    pub(crate) fn of<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> Self {
        let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
        Self {
            open: pool.size(),
            idle,
            max: pool.options().get_max_connections(),
        }
    }

    pub fn in_use(&self) -> u32 {
        self.open.saturating_sub(self.idle)
    }
}

/// Counts a run of a background job, and whether it failed, for the
/// metrics (`trellis_job_runs_total`, `trellis_job_failures_total`).
pub fn job_ran(job: &'static str, ok: bool) {
    metrics::counter!("trellis_job_runs_total", "job" => job).increment(1);
    if !ok {
        metrics::counter!("trellis_job_failures_total", "job" => job).increment(1);
    }
}
