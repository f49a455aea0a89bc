//! Joining, signing in and out, and the language of the pages.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use trellis_app::accounts::{self, Login, Registration};
use trellis_app::{AppError, Caller};
use trellis_core::settings::RegistrationMode;

use crate::forms::{Errors, Posted};
use crate::i18n::Lang;
use crate::kit::{chrome, page, page_with};
use crate::render::{Chrome, Failure, PageResult, see_other};
use crate::visitor::{LANG_COOKIE, SESSION_COOKIE, Visitor, Web, cookie, removal};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    username: String,
    next: String,
    errors: Errors,
}

#[derive(Debug, Deserialize)]
pub struct Next {
    #[serde(default)]
    next: Option<String>,
}

/// Where to go after signing in: a path of this site only.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/home".to_owned(),
    }
}

pub async fn login_form(
    State(web): State<Web>,
    visitor: Visitor,
    Query(next): Query<Next>,
) -> PageResult {
    if visitor.signed_in() {
        return Ok(see_other(
            &web,
            &visitor,
            &safe_next(next.next.as_deref()),
            CookieJar::new(),
        ));
    }
    let c = chrome(&web, &visitor).await?;
    page(
        &web,
        &visitor,
        &LoginPage {
            c,
            username: String::new(),
            next: safe_next(next.next.as_deref()),
            errors: Errors::default(),
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// The session cookie for a new sign-in token.
fn session_cookie(web: &Web, token: String) -> axum_extra::extract::cookie::Cookie<'static> {
    let days = i64::try_from(web.app.config.token_ttl.as_secs() / 86_400).unwrap_or(30);
    cookie(&web.config, SESSION_COOKIE, token, days.max(1))
}

/// Signs in: a new session every time (the old one, if any, ends).
pub async fn login(State(web): State<Web>, Posted(visitor, form): Posted<LoginForm>) -> PageResult {
    let next = safe_next(form.next.as_deref());
    let signed = accounts::login(
        &web.app,
        Login {
            username: form.username.clone(),
            password: form.password,
        },
        visitor.client,
    )
    .await;
    match signed {
        Ok(session) => {
            end_old_session(&web, visitor.caller.as_ref()).await;
            let jar = CookieJar::new().add(session_cookie(&web, session.token));
            Ok(see_other(&web, &visitor, &next, jar))
        }
        Err(err) => {
            let c = chrome(&web, &visitor).await?;
            // Too many tries: the form again, saying how long to wait.
            let (status, why, wait) = match err {
                AppError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, c.t("login-wrong"), None),
                AppError::Validation(_) | AppError::BadRequest(_) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, c.t("login-wrong"), None)
                }
                AppError::TooManyRequests { retry_after, .. } => {
                    let secs = retry_after.as_secs().max(1);
                    let minutes = secs.div_ceil(60);
                    let why = c.t1("login-too-many", "minutes", minutes);
                    (StatusCode::TOO_MANY_REQUESTS, why, Some(secs))
                }
                other => return Err(crate::kit::fail(&c, other)),
            };
            let mut answer = page_with(
                &web,
                &visitor,
                status,
                &LoginPage {
                    c,
                    username: form.username,
                    next,
                    errors: Errors::general(why),
                },
            )?;
            if let Some(secs) = wait {
                answer.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(secs),
                );
            }
            Ok(answer)
        }
    }
}

/// Ends the session a visitor signs in over, so that one browser holds
/// one session.
async fn end_old_session(web: &Web, old: Option<&Caller>) {
    if let Some(old) = old
        && let Err(err) = accounts::logout(&web.app, old).await
    {
        tracing::warn!(error = %err, "the previous session could not be ended");
    }
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinPage {
    c: Chrome,
    mode: RegistrationMode,
    username: String,
    invite: String,
    errors: Errors,
}

impl JoinPage {
    fn invite_only(&self) -> bool {
        self.mode == RegistrationMode::InviteOnly
    }
    fn closed(&self) -> bool {
        self.mode == RegistrationMode::Closed
    }
}

async fn join_page(
    web: &Web,
    visitor: &Visitor,
    invite: String,
    username: String,
    errors: Errors,
    status: StatusCode,
) -> PageResult {
    let c = chrome(web, visitor).await?;
    let landing = trellis_app::public::landing(&web.app)
        .await
        .map_err(|e| crate::kit::fail(&c, e))?;
    page_with(
        web,
        visitor,
        status,
        &JoinPage {
            c,
            mode: landing.registration_mode,
            username,
            invite,
            errors,
        },
    )
}

pub async fn join_form(State(web): State<Web>, visitor: Visitor) -> PageResult {
    join_page(
        &web,
        &visitor,
        String::new(),
        String::new(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// An invite link: the join form with its code filled in.
pub async fn join_with_invite(
    State(web): State<Web>,
    visitor: Visitor,
    Path(code): Path<String>,
) -> PageResult {
    join_page(
        &web,
        &visitor,
        code,
        String::new(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
    #[serde(default)]
    invite: String,
}

/// Opens an account (as the registration mode allows) and signs in.
pub async fn join(State(web): State<Web>, Posted(visitor, form): Posted<JoinForm>) -> PageResult {
    if form.password != form.password_again {
        let errors = Errors::field("password_again", visitor.lang.t("join-password-mismatch"));
        return join_page(
            &web,
            &visitor,
            form.invite,
            form.username,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let invite = form.invite.trim();
    let registration = Registration {
        username: form.username.clone(),
        password: form.password.clone(),
        invite: (!invite.is_empty()).then(|| invite.to_owned()),
    };
    match accounts::register(&web.app, registration, visitor.client).await {
        Ok(_) => {
            let session = accounts::login(
                &web.app,
                Login {
                    username: form.username,
                    password: form.password,
                },
                visitor.client,
            )
            .await
            .map_err(|e| Failure::new(e, &visitor))?;
            end_old_session(&web, visitor.caller.as_ref()).await;
            let jar = CookieJar::new().add(session_cookie(&web, session.token));
            Ok(see_other(&web, &visitor, "/profile?welcome=1", jar))
        }
        Err(err) => {
            let mut errors = Errors::of(&err, &["username", "password", "invite"]);
            if matches!(err, AppError::Forbidden(_)) && !errors.general.is_empty() {
                // Refusals of the invite (or of joining at all) belong to the invite.
                errors = Errors::field("invite", errors.general.join(" "));
            }
            let status = match err {
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                AppError::Conflict(_) => StatusCode::CONFLICT,
                AppError::Validation(_) | AppError::BadRequest(_) => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                other => return Err(Failure::new(other, &visitor)),
            };
            join_page(&web, &visitor, form.invite, form.username, errors, status).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Nothing {}

/// Signs out: the session ends here and now.
pub async fn logout(State(web): State<Web>, Posted(visitor, _): Posted<Nothing>) -> PageResult {
    if let Some(caller) = &visitor.caller {
        accounts::logout(&web.app, caller)
            .await
            .map_err(|e| Failure::new(e, &visitor))?;
    }
    let jar = CookieJar::new().add(removal(&web.config, SESSION_COOKIE));
    Ok(see_other(&web, &visitor, "/", jar))
}

#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    lang: String,
    #[serde(default)]
    back: Option<String>,
}

/// Chooses the language of the pages (kept in a cookie for a year).
pub async fn language(
    State(web): State<Web>,
    Posted(visitor, form): Posted<LanguageForm>,
) -> PageResult {
    let lang = Lang::parse(&form.lang).unwrap_or(visitor.lang);
    let back = match form.back.as_deref() {
        Some(path) if path.starts_with('/') && !path.starts_with("//") => path.to_owned(),
        _ => "/".to_owned(),
    };
    let jar = CookieJar::new().add(cookie(
        &web.config,
        LANG_COOKIE,
        lang.code().to_owned(),
        365,
    ));
    Ok(see_other(&web, &visitor, &back, jar))
}
