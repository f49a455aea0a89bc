//! The member's long-term file as one versioned JSON archive (the format
//! is `trellis_app::archive`).

use axum::extract::State;
use trellis_app::App;
use trellis_app::archive::Archive;
use trellis_app::file;

use crate::error::ApiResult;
use crate::extract::{AppJson, Caller};

/// The caller's whole long-term file as one versioned JSON archive
/// (`format` `trellis.long-term-file`, `version` 1; the schema is
/// `docs/export-schema.json` in the repository): profile, every plan
/// version, every mentorship with its history, sessions (with the caller's
/// own private notes) and reviews (the parts the caller may read), and the
/// credentials issued to the caller.
#[utoipa::path(
    get,
    path = "/api/v1/me/export",
    tag = "plan",
    security(("bearer" = [])),
    responses((status = 200, description = "The archive", body = Archive))
)]
pub async fn export(State(app): State<App>, Caller(caller): Caller) -> ApiResult<AppJson<Archive>> {
    Ok(AppJson(file::export(&app, &caller).await?))
}
