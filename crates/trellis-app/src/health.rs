//! Whether this instance is up: the server answers and its database too.
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::error::{AppError, AppResult};

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    pub version: &'static str,
}

/// Whether the server is up and its database answers.
pub async fn health(app: &App) -> AppResult<Health> {
    app.store.settings().await.map_err(|err| {
        tracing::warn!(error = %err, "health check: the database does not answer");
        AppError::Unavailable
    })?;
    Ok(Health {
        status: "ok",
        database: match app.store.backend() {
            trellis_store::Backend::Sqlite => "sqlite",
            trellis_store::Backend::Postgres => "postgres",
        },
        version: env!("CARGO_PKG_VERSION"),
    })
}
