//! Whether this instance is up (`livez`), can serve (`healthz`: its
//! database answers and takes writes) and should be sent traffic
//! (`readyz`: also migrated, and not shutting down). Anonymous callers
//! learn nothing else; admins read the version and database kind from
//! [`system`].
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::caller::Admin;
use crate::error::{AppError, AppResult};

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Whether the process runs at all (it answers).
pub fn live() -> Health {
    Health { status: "ok" }
}

/// Whether the server can serve: its database answers reads and takes
/// writes now (a full disk, a lost server or a lock held too long say no).
pub async fn health(app: &App) -> AppResult<Health> {
    if let Err(why) = writes(app).await {
        tracing::warn!(reason = %why, "health check: writes do not go through");
        return Err(AppError::Unavailable(why));
    }
    Ok(Health { status: "ok" })
}

async fn writes(app: &App) -> Result<(), String> {
    app.store
        .probe_write(Utc::now())
        .await
        .map_err(|e| e.to_string())
}

/// Each check of readiness: `ok`, or why not.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessChecks {
    /// The database answers a read.
    #[schema(example = "ok")]
    pub database: String,
    /// Every migration this build knows is applied.
    #[schema(example = "ok")]
    pub migrations: String,
    /// A write goes through.
    #[schema(example = "ok")]
    pub writes: String,
    /// Not shutting down.
    #[schema(example = "ok")]
    pub serving: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready`, or `not_ready` when a check says why not.
    #[schema(example = "ready")]
    pub status: &'static str,
    pub checks: ReadinessChecks,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.status == "ready"
    }
}

const OK: &str = "ok";

/// Whether this process should be sent requests, with each check's answer.
pub async fn readiness(app: &App) -> Readiness {
    let database = match app.store.settings().await {
        Ok(_) => OK.to_owned(),
        Err(err) => err.to_string(),
    };
    let migrations = match app.store.pending_migrations().await {
        Ok(0) => OK.to_owned(),
        Ok(n) => format!("{n} migrations are not applied yet"),
        Err(err) => format!("cannot read the applied migrations: {err}"),
    };
    let writes = match writes(app).await {
        Ok(()) => OK.to_owned(),
        Err(why) => why,
    };
    let serving = if app.lifecycle.is_draining() {
        "draining: this process is shutting down".to_owned()
    } else {
        OK.to_owned()
    };
    let checks = ReadinessChecks {
        database,
        migrations,
        writes,
        serving,
    };
    let ready = [
        &checks.database,
        &checks.migrations,
        &checks.writes,
        &checks.serving,
    ]
    .iter()
    .all(|c| c.as_str() == OK);
    Readiness {
        status: if ready { "ready" } else { "not_ready" },
        checks,
    }
}

/// What runs here, for admins: the version, the database and its pool.
#[derive(Debug, Serialize, ToSchema)]
pub struct SystemView {
    #[schema(example = "0.1.0")]
    pub version: &'static str,
    /// `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub database: &'static str,
    /// What the database server says it is, asked now.
    #[schema(example = "PostgreSQL 15.8 on x86_64-pc-linux-gnu")]
    pub database_version: String,
    /// Migrations this build knows that the database lacks.
    pub pending_migrations: u64,
    pub pool: PoolView,
}

/// The database connections of this process.
#[derive(Debug, Serialize, ToSchema)]
pub struct PoolView {
    pub in_use: u32,
    pub idle: u32,
    pub max: u32,
}

pub async fn system(app: &App, _admin: &Admin) -> AppResult<SystemView> {
    let pool = app.store.pool_stats();
    Ok(SystemView {
        version: env!("CARGO_PKG_VERSION"),
        database: match app.store.backend() {
            trellis_store::Backend::Sqlite => "sqlite",
            trellis_store::Backend::Postgres => "postgres",
        },
        database_version: app.store.server_version().await?,
        pending_migrations: app.store.pending_migrations().await?,
        pool: PoolView {
            in_use: pool.in_use(),
            idle: pool.idle,
            max: pool.max,
        },
    })
}
