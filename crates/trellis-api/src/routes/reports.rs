//! Program health for admins: how the pairings under way are doing, in
//! figures only (no notes, no ratings), as JSON or as CSV.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use trellis_app::App;
use trellis_app::reports::{self, ProgramReport};
use utoipa::IntoParams;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Admin, AppJson, AppQuery};

/// The program's health: pairings under way, sessions in the last 30 days,
/// pairings at risk (no session in 30 days), review completion, mentors
/// without a mentor, and each pairing's figures. Figures only: no notes,
/// no ratings. `?format=csv` gives one row a pairing, for a spreadsheet.
#[utoipa::path(
    get,
    path = "/api/v1/admin/reports/program",
    tag = "admin",
    security(("bearer" = [])),
    params(ReportParams),
    responses(
        (status = 200, description = "The report", content(
            (ProgramReport = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "An unknown format", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn program(
    State(app): State<App>,
    Admin(admin): Admin,
    AppQuery(params): AppQuery<ReportParams>,
) -> ApiResult<Response> {
    match params.format.as_deref() {
        None | Some("json") => Ok(AppJson(reports::program(&app, &admin).await?).into_response()),
        Some("csv") => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"program-report.csv\"",
                ),
            ],
            reports::program_csv(&app, &admin).await?,
        )
            .into_response()),
        Some(other) => Err(ApiError::bad_request(format!(
            "format: {other:?} is neither json nor csv"
        ))),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// `json` (the default) or `csv` (one row a pairing).
    pub format: Option<String>,
}
