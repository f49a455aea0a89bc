//! Turning a page into an answer: the layout's data every page shares
//! (`Chrome`), the headers every page gets, and error pages.

use askama::Template;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, VARY};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use trellis_app::AppError;
use trellis_app::accounts::Presence;

use crate::i18n::{Lang, ToArg};
use crate::visitor::{SESSION_COOKIE, Visitor, Web, anon_cookie, removal};

/// What the layout shows on every page, and the helpers templates use:
/// messages in the visitor's language and times in their time zone.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub lang: Lang,
    pub csrf: String,
    pub me: Option<Presence>,
    pub organization: String,
    pub here: String,
    pub tz: Tz,
    /// A line to show once at the top (what the last action did).
    pub notice: Option<String>,
}

impl Chrome {
    /// The layout for `visitor`: their presence (when signed in) and the
    /// organization's name.
    pub async fn of(web: &Web, visitor: &Visitor) -> Result<Self, PageError> {
        let me = match &visitor.caller {
            Some(caller) => Some(trellis_app::accounts::presence(&web.app, caller).await?),
            None => None,
        };
        let tz = me
            .as_ref()
            .and_then(|m| m.timezone.as_ref())
            .map_or(Tz::UTC, trellis_core::profile::Timezone::tz);
        Ok(Self {
            lang: visitor.lang,
            csrf: visitor.csrf.clone(),
            organization: trellis_app::public::organization_name(&web.app).await?,
            here: visitor.here.clone(),
            tz,
            me,
            notice: None,
        })
    }

    /// A message of the catalog.
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// A message with one argument.
    pub fn t1(&self, key: &str, name: &'static str, value: impl ToArg) -> String {
        self.lang.with(key, &[(name, value.to_arg())])
    }

    /// A message with two arguments.
    pub fn t2(
        &self,
        key: &str,
        a: &'static str,
        a_value: impl ToArg,
        b: &'static str,
        b_value: impl ToArg,
    ) -> String {
        self.lang
            .with(key, &[(a, a_value.to_arg()), (b, b_value.to_arg())])
    }

    /// A mentorship's state in words.
    pub fn state(&self, state: &trellis_core::mentorship::MentorshipState) -> String {
        self.t(&format!("state-{}", state.as_str()))
    }

    /// A moment, in the visitor's time zone, as people read it.
    pub fn when(&self, at: &DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.tz);
        match self.lang {
            Lang::En => local.format("%-d %b %Y, %H:%M").to_string(),
            Lang::De => local.format("%-d.%-m.%Y, %H:%M").to_string(),
        }
    }

    /// A day, as people read it.
    pub fn day(&self, day: &NaiveDate) -> String {
        match self.lang {
            Lang::En => day.format("%-d %b %Y").to_string(),
            Lang::De => day.format("%-d.%-m.%Y").to_string(),
        }
    }

    /// A moment as the value of a `datetime-local` field, in the visitor's
    /// time zone.
    pub fn local_input(&self, at: &DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    }

    /// The name of the visitor's time zone, as shown next to times.
    pub fn tz_name(&self) -> String {
        self.tz.name().to_owned()
    }

    /// The languages the footer offers.
    pub fn langs(&self) -> &'static [Lang] {
        &Lang::ALL
    }

    pub fn signed_in(&self) -> bool {
        self.me.is_some()
    }

    pub fn is_admin(&self) -> bool {
        self.me.as_ref().is_some_and(|m| m.is_admin)
    }

    pub fn moved_to(&self) -> Option<&str> {
        self.me.as_ref().and_then(|m| m.moved_to.as_deref())
    }

    pub fn unread(&self) -> u64 {
        self.me.as_ref().map_or(0, |m| m.unread)
    }

    pub fn username(&self) -> &str {
        self.me.as_ref().map_or("", |m| m.username.as_str())
    }

    /// Whether `path` is where the visitor is (for `aria-current`).
    pub fn at(&self, path: &str) -> bool {
        let here = self.here.split('?').next().unwrap_or_default();
        if path == "/" {
            here == "/"
        } else {
            here == path || here.starts_with(&format!("{path}/"))
        }
    }
}

/// A rendered page with the status it answers with, and the cookies the
/// visit sets.
pub struct Page {
    status: StatusCode,
    html: String,
    jar: CookieJar,
}

impl Page {
    /// Renders a template for `visitor`, with the cookies their visit needs.
    pub fn new(web: &Web, visitor: &Visitor, template: &impl Template) -> Result<Self, PageError> {
        let html = template
            .render()
            .map_err(|e| PageError::Internal(e.to_string()))?;
        Ok(Self {
            status: StatusCode::OK,
            html,
            jar: cookies_of(web, visitor, CookieJar::new()),
        })
    }

    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
}

/// The cookies a visit sets: the anonymous cookie CSRF tokens are tied to,
/// and the removal of a session cookie that no longer names a session.
pub fn cookies_of(web: &Web, visitor: &Visitor, mut jar: CookieJar) -> CookieJar {
    if let Some(anon) = &visitor.new_anon {
        jar = jar.add(anon_cookie(&web.config, anon.clone()));
    }
    if visitor.stale_session {
        jar = jar.add(removal(&web.config, SESSION_COOKIE));
    }
    jar
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.jar, self.html).into_response();
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        // Pages show what the visitor may see: no shared cache keeps them.
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(VARY, HeaderValue::from_static("Cookie, Accept-Language"));
        response
    }
}

/// A redirect after a form (303: the browser follows with a GET), with the
/// cookies the visit sets.
pub fn see_other(web: &Web, visitor: &Visitor, to: &str, jar: CookieJar) -> Response {
    let jar = cookies_of(web, visitor, jar);
    let mut response = (StatusCode::SEE_OTHER, jar).into_response();
    if let Ok(value) = HeaderValue::from_str(to) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// What went wrong, as a page says it.
#[derive(Debug)]
pub enum PageError {
    /// A use case refused or failed.
    App(AppError),
    /// The form's CSRF token is missing or wrong, or it came from another site.
    Forged,
    /// A page for members only, asked by a visitor who is not signed in.
    SignIn { back_to: String },
    /// A page could not be drawn.
    Internal(String),
}

impl From<AppError> for PageError {
    fn from(err: AppError) -> Self {
        Self::App(err)
    }
}

/// The page an error answers with.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub c: Chrome,
    pub heading: String,
    pub message: String,
}

impl PageError {
    /// The status and the words of an error page.
    pub fn status_and_words(&self, lang: Lang) -> (StatusCode, String, String) {
        match self {
            Self::App(err) => {
                let (status, heading) = match err {
                    AppError::BadRequest(_) | AppError::Validation(_) => {
                        (StatusCode::UNPROCESSABLE_ENTITY, "error-invalid")
                    }
                    AppError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "error-sign-in"),
                    AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "error-forbidden"),
                    AppError::NotFound(_) => (StatusCode::NOT_FOUND, "error-not-found"),
                    AppError::Conflict(_) => (StatusCode::CONFLICT, "error-conflict"),
                    AppError::Unavailable(_) => {
                        (StatusCode::SERVICE_UNAVAILABLE, "error-unavailable")
                    }
                    AppError::TooManyRequests { .. } => {
                        (StatusCode::TOO_MANY_REQUESTS, "error-too-many")
                    }
                    AppError::BadGateway(_) => (StatusCode::BAD_GATEWAY, "error-peer"),
                    AppError::Internal(cause) => {
                        tracing::error!(error = %cause, "page failed");
                        (StatusCode::INTERNAL_SERVER_ERROR, "error-internal")
                    }
                };
                let message = match err {
                    AppError::NotFound(_) => lang.t("error-not-found-text"),
                    AppError::Internal(_) => lang.t("error-internal-text"),
                    other => other.to_string(),
                };
                (status, lang.t(heading), message)
            }
            Self::Forged => (
                StatusCode::FORBIDDEN,
                lang.t("error-forged"),
                lang.t("error-forged-text"),
            ),
            Self::SignIn { .. } => (
                StatusCode::UNAUTHORIZED,
                lang.t("error-sign-in"),
                lang.t("error-sign-in-text"),
            ),
            Self::Internal(cause) => {
                tracing::error!(error = %cause, "page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    lang.t("error-internal"),
                    lang.t("error-internal-text"),
                )
            }
        }
    }
}

/// A handler's answer: a page, a redirect, or an error page.
pub type PageResult = Result<Response, Failure>;

/// An error with what it takes to draw its page.
pub struct Failure {
    pub error: PageError,
    pub chrome: Option<Box<Chrome>>,
    pub lang: Lang,
}

impl Failure {
    pub fn new(error: impl Into<PageError>, visitor: &Visitor) -> Self {
        Self {
            error: error.into(),
            chrome: None,
            lang: visitor.lang,
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        if let PageError::SignIn { back_to } = &self.error {
            let to = format!("/login?next={}", encode_query(back_to));
            let mut response = StatusCode::SEE_OTHER.into_response();
            if let Ok(value) = HeaderValue::from_str(&to) {
                response.headers_mut().insert(LOCATION, value);
            }
            return response;
        }
        // When to try again, as the API says it.
        let retry_after = match &self.error {
            PageError::App(AppError::TooManyRequests { retry_after, .. }) => {
                Some(retry_after.as_secs().max(1))
            }
            PageError::App(AppError::Unavailable(_)) => Some(5),
            _ => None,
        };
        let (status, heading, message) = self.error.status_and_words(self.lang);
        let chrome = self.chrome.map_or_else(
            || Chrome {
                lang: self.lang,
                csrf: String::new(),
                me: None,
                organization: String::new(),
                here: String::new(),
                tz: Tz::UTC,
                notice: None,
            },
            |c| *c,
        );
        let page = ErrorPage {
            c: chrome,
            heading,
            message,
        };
        match page.render() {
            Ok(html) => {
                let mut response = (status, html).into_response();
                response.headers_mut().insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                );
                if let Some(secs) = retry_after {
                    response
                        .headers_mut()
                        .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secs));
                }
                response
                    .headers_mut()
                    .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
                response
            }
            Err(_) => status.into_response(),
        }
    }
}

/// Percent-encodes a value for a query string.
pub fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
