//! What every page handler uses: the layout of the visitor's page, the
//! signed-in member (or a redirect to sign in), rendering, and a use case's
//! refusal drawn as an error page.

use askama::Template;
use trellis_app::Caller;

use crate::render::{Chrome, Failure, Page, PageError, PageResult};
use crate::visitor::{Visitor, Web};

/// The layout of the visitor's page; a failure to build it fails the page.
pub async fn chrome(web: &Web, visitor: &Visitor) -> Result<Chrome, Failure> {
    Chrome::of(web, visitor)
        .await
        .map_err(|e| Failure::new(e, visitor))
}

/// The signed-in visitor, or a redirect to sign in (and back).
pub fn member(visitor: &Visitor) -> Result<&Caller, Failure> {
    visitor.caller.as_ref().ok_or_else(|| {
        Failure::new(
            PageError::SignIn {
                back_to: visitor.here.clone(),
            },
            visitor,
        )
    })
}

/// The signed-in visitor, who must be allowed to change things (an
/// account that moved away is read-only).
pub fn changer(visitor: &Visitor) -> Result<&Caller, Failure> {
    let caller = member(visitor)?;
    caller.may_change().map_err(|e| Failure::new(e, visitor))?;
    Ok(caller)
}

/// A page, answered with 200.
pub fn page(web: &Web, visitor: &Visitor, template: &impl Template) -> PageResult {
    use axum::response::IntoResponse;
    Page::new(web, visitor, template)
        .map(IntoResponse::into_response)
        .map_err(|e| Failure::new(e, visitor))
}

/// A page answered with another status (a form with errors: 422).
pub fn page_with(
    web: &Web,
    visitor: &Visitor,
    status: axum::http::StatusCode,
    template: &impl Template,
) -> PageResult {
    use axum::response::IntoResponse;
    Page::new(web, visitor, template)
        .map(|p| p.status(status).into_response())
        .map_err(|e| Failure::new(e, visitor))
}

/// A use case's refusal, drawn in the page's layout.
pub fn fail(c: &Chrome, err: impl Into<PageError>) -> Failure {
    Failure {
        error: err.into(),
        chrome: Some(Box::new(c.clone())),
        lang: c.lang,
    }
}
