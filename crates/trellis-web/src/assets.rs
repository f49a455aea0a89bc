//! The stylesheet and scripts, embedded in the binary: nothing is fetched
//! from elsewhere at run time, and nothing needs building.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Each asset: its name, type and bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/style.css"),
    ),
    (
        "trellis.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/trellis.js"),
    ),
];

pub async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, ..)| *name == file) {
        // An hour: a new release's assets reach browsers within one.
        Some((_, mime, bytes)) => (
            [
                (CONTENT_TYPE, HeaderValue::from_static(mime)),
                (
                    CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                ),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
