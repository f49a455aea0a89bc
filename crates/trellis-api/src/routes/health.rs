use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::AppJson;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    pub version: &'static str,
}

/// Whether the server is up and its database answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses(
        (status = 200, description = "Up, and the database answers", body = Health),
        (status = 503, description = "The database does not answer", body = ErrorBody),
    )
)]
pub async fn health(State(state): State<AppState>) -> ApiResult<AppJson<Health>> {
    state.store.settings().await.map_err(|err| {
        tracing::warn!(error = %err, "health check: the database does not answer");
        ApiError::Unavailable
    })?;
    Ok(AppJson(Health {
        status: "ok",
        database: match state.store.backend() {
            trellis_store::Backend::Sqlite => "sqlite",
            trellis_store::Backend::Postgres => "postgres",
        },
        version: env!("CARGO_PKG_VERSION"),
    }))
}
