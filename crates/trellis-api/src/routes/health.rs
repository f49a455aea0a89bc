use axum::extract::State;
use trellis_app::App;
use trellis_app::health::{self, Health};

use crate::error::{ApiResult, ErrorBody};
use crate::extract::AppJson;

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
pub async fn health(State(app): State<App>) -> ApiResult<AppJson<Health>> {
    Ok(AppJson(health::health(&app).await?))
}
