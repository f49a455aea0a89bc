//! What anyone can read without an account: the program's landing page,
//! and checking a credential someone was shown.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use trellis_app::public::{self, Landing};
use trellis_core::recognition::CredentialCheck;
use trellis_core::settings::RegistrationMode;

use crate::forms::{Errors, Posted};
use crate::kit::{chrome, fail, page, page_with};
use crate::render::{Chrome, PageResult};
use crate::visitor::{Visitor, Web};

#[derive(Template)]
#[template(path = "landing.html")]
struct LandingPage {
    c: Chrome,
    l: Landing,
}

pub async fn landing(State(web): State<Web>, visitor: Visitor) -> PageResult {
    let c = chrome(&web, &visitor).await?;
    let l = public::landing(&web.app).await.map_err(|e| fail(&c, e))?;
    page(&web, &visitor, &LandingPage { c, l })
}

#[derive(Template)]
#[template(path = "check.html")]
struct CheckPage {
    c: Chrome,
    credential: String,
    check: Option<CredentialCheck>,
    errors: Errors,
}

pub async fn check_form(State(web): State<Web>, visitor: Visitor) -> PageResult {
    let c = chrome(&web, &visitor).await?;
    page(
        &web,
        &visitor,
        &CheckPage {
            c,
            credential: String::new(),
            check: None,
            errors: Errors::default(),
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct CheckForm {
    #[serde(default)]
    credential: String,
}

/// Checks a credential of any instance, pasted whole or by its URL.
pub async fn check(State(web): State<Web>, Posted(visitor, form): Posted<CheckForm>) -> PageResult {
    let c = chrome(&web, &visitor).await?;
    let result =
        trellis_app::recognition::check_pasted(&web.app, &form.credential, visitor.client).await;
    match result {
        Ok(check) => page(
            &web,
            &visitor,
            &CheckPage {
                c,
                credential: form.credential,
                check: Some(check),
                errors: Errors::default(),
            },
        ),
        Err(err)
            if crate::forms::is_input_error(&err)
                || matches!(err, trellis_app::AppError::BadGateway(_)) =>
        {
            let errors = Errors::field("credential", err.to_string());
            page_with(
                &web,
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                &CheckPage {
                    c,
                    credential: form.credential,
                    check: None,
                    errors,
                },
            )
        }
        Err(err) => Err(fail(&c, err)),
    }
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    c: Chrome,
    p: trellis_app::views::ProfileView,
}

/// A member's page, as far as their profile's visibility lets the
/// visitor see it; any other member is answered exactly like one who
/// does not exist.
pub async fn member(
    State(web): State<Web>,
    visitor: Visitor,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> PageResult {
    let c = chrome(&web, &visitor).await?;
    let p = trellis_app::profiles::get_member(&web.app, visitor.caller.as_ref(), name)
        .await
        .map_err(|e| fail(&c, e))?;
    page(&web, &visitor, &MemberPage { c, p })
}

#[derive(Template)]
#[template(path = "credential.html")]
struct CredentialPage {
    c: Chrome,
    cred: public::PublicCredential,
}

impl CredentialPage {
    fn r(&self) -> &CredentialCheck {
        &self.cred.check
    }
}

fn credential_id(raw: &str) -> Result<uuid::Uuid, trellis_app::AppError> {
    uuid::Uuid::parse_str(raw).map_err(|_| trellis_app::AppError::not_found("credential"))
}

/// A credential of this instance in words, checked live.
pub async fn credential(
    State(web): State<Web>,
    visitor: Visitor,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    let c = chrome(&web, &visitor).await?;
    let id = credential_id(&id).map_err(|e| fail(&c, e))?;
    let cred = public::credential(&web.app, id)
        .await
        .map_err(|e| fail(&c, e))?;
    page(&web, &visitor, &CredentialPage { c, cred })
}

/// The credential itself (the compact VC-JWT), to download.
pub async fn credential_jwt(
    State(web): State<Web>,
    visitor: Visitor,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    use axum::response::IntoResponse;
    let c = chrome(&web, &visitor).await?;
    let id = credential_id(&id).map_err(|e| fail(&c, e))?;
    let cred = public::credential(&web.app, id)
        .await
        .map_err(|e| fail(&c, e))?;
    let disposition = format!("attachment; filename=\"credential-{id}.jwt\"");
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vc+jwt".to_owned(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        cred.jwt,
    )
        .into_response())
}

/// What no route answers: the pages' "not found".
pub async fn not_found(State(web): State<Web>, visitor: Visitor) -> PageResult {
    let c = chrome(&web, &visitor).await?;
    Err(fail(&c, trellis_app::AppError::not_found("page")))
}
