//! Probes for supervisors and load balancers, and what runs, for admins.

use axum::extract::State;
use axum::http::StatusCode;
use trellis_app::App;
use trellis_app::health::{self, Health, Readiness, SystemView};

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Admin, AppJson};

/// Whether the server runs and its database answers reads and takes writes.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses(
        (status = 200, description = "Up: reads and writes go through", body = Health),
        (status = 503, description = "The database does not answer or take writes", body = ErrorBody),
    )
)]
pub async fn health(State(app): State<App>) -> ApiResult<AppJson<Health>> {
    Ok(AppJson(health::health(&app).await?))
}

/// Whether the process runs (it answers), whatever its database does.
#[utoipa::path(
    get,
    path = "/livez",
    tag = "health",
    responses((status = 200, description = "The process answers", body = Health))
)]
pub async fn live() -> AppJson<Health> {
    AppJson(health::live())
}

/// Whether this process should be sent requests: the database answers,
/// is migrated and takes writes, and the process is not shutting down.
/// Each check says `ok` or why not.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "Not ready; the checks say why", body = Readiness),
    )
)]
pub async fn ready(State(app): State<App>) -> (StatusCode, AppJson<Readiness>) {
    let readiness = health::readiness(&app).await;
    let status = if readiness.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, AppJson(readiness))
}

/// The version, the database kind and its pool, for admins.
#[utoipa::path(
    get,
    path = "/api/v1/admin/system",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What runs here", body = SystemView),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn system(State(app): State<App>, Admin(admin): Admin) -> ApiResult<AppJson<SystemView>> {
    Ok(AppJson(health::system(&app, &admin).await?))
}
