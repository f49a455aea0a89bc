//! Who is looking at a page: signed in (a session cookie that holds a
//! sign-in token, the same kind the JSON API hands out) or not, in which
//! language and time zone; and the CSRF token every form of theirs carries.
//!
//! The session cookie is HttpOnly, SameSite=Lax, Secure when the instance
//! is served over https, and replaced at every sign-in. A form that changes
//! something carries a token derived (HMAC-SHA256 with the instance's
//! secret) from the visitor's session, or, before they sign in, from a
//! random cookie of their own: another site can neither read nor make it.
//! A post without the right token, or from another site (`Origin`,
//! `Sec-Fetch-Site`), is refused before anything is done.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT_LANGUAGE, HOST, ORIGIN};
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use trellis_app::{App, Caller};

use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "trellis_session";
const ANON_COOKIE: &str = "trellis_anon";
pub const LANG_COOKIE: &str = "trellis_lang";

/// What the pages need from the server that runs them.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The key CSRF tokens are derived with: secret, and the same for every
    /// process of the instance (the server derives it from the instance key).
    pub csrf_key: Vec<u8>,
    /// Whether the instance is served over https (cookies are then Secure).
    pub secure_cookies: bool,
}

/// The pages' state: the use cases and their own settings.
#[derive(Debug, Clone)]
pub struct Web {
    pub app: App,
    pub config: Arc<WebConfig>,
}

/// The visitor of a page.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub caller: Option<Caller>,
    pub lang: Lang,
    /// The token the visitor's forms carry.
    pub csrf: String,
    /// A fresh anonymous cookie to set with the answer, when the visitor had none.
    pub new_anon: Option<String>,
    /// A session cookie that named no valid session, to clear.
    pub stale_session: bool,
    /// The path and query of the page, for coming back after signing in.
    pub here: String,
    /// Where the request comes from, as the server found it (for the
    /// limits on signing in, registering and checking credentials).
    pub client: trellis_app::limits::ClientAddr,
}

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], purpose: &str, material: &[u8]) -> HmacSha256 {
    // The secret, hashed into a key of HMAC-SHA256's block size.
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(&Sha256::digest(key));
    let mut mac = <HmacSha256 as hmac::digest::KeyInit>::new(&block.into());
    mac.update(purpose.as_bytes());
    mac.update(&[0]);
    mac.update(material);
    mac
}

/// The CSRF token of a session (by its sign-in token) or of an anonymous
/// visitor (by their cookie).
fn csrf_for(key: &[u8], session: Option<&str>, anon: Option<&str>) -> String {
    let m = match (session, anon) {
        (Some(token), _) => mac(key, "session", &Sha256::digest(token.as_bytes())),
        (None, Some(anon)) => mac(key, "anonymous", anon.as_bytes()),
        (None, None) => mac(key, "none", b""),
    };
    URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
}

fn new_anon() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

impl Visitor {
    /// Whether a form's token is the one this visitor's forms carry
    /// (compared in constant time).
    pub fn csrf_matches(&self, sent: &str) -> bool {
        let (a, b) = (self.csrf.as_bytes(), sent.trim().as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    pub fn signed_in(&self) -> bool {
        self.caller.is_some()
    }
}

/// Whether a request comes from a page of this site, by what the browser
/// says of it: `Sec-Fetch-Site` where it is sent, else `Origin` against
/// `Host`. (A request that says neither is judged by its token alone.)
pub fn same_site(parts: &Parts) -> bool {
    if let Some(site) = parts
        .headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
    {
        return matches!(site, "same-origin" | "none");
    }
    match (
        parts.headers.get(ORIGIN).and_then(|v| v.to_str().ok()),
        parts.headers.get(HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some("null"), _) => false,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host),
        _ => true,
    }
}

impl FromRequestParts<Web> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, web: &Web) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned());
        let caller = match &token {
            Some(token) => Caller::by_token(&web.app, token).await.ok(),
            None => None,
        };
        let stale_session = token.is_some() && caller.is_none();
        let anon = jar.get(ANON_COOKIE).map(|c| c.value().to_owned());
        let new_anon = match (&caller, &anon) {
            (None, None) => Some(new_anon()),
            _ => None,
        };
        let csrf = csrf_for(
            &web.config.csrf_key,
            caller.as_ref().and(token.as_deref()),
            anon.as_deref().or(new_anon.as_deref()),
        );
        let lang = jar
            .get(LANG_COOKIE)
            .and_then(|c| Lang::parse(c.value()))
            .or_else(|| {
                parts
                    .headers
                    .get(ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Lang::from_accept_language)
            })
            .unwrap_or(Lang::En);
        let here = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
        Ok(Self {
            caller,
            lang,
            csrf,
            new_anon,
            stale_session,
            here,
            client: parts
                .extensions
                .get::<trellis_app::limits::ClientAddr>()
                .copied()
                .unwrap_or_default(),
        })
    }
}

/// A cookie of ours, with the attributes every one has.
pub fn cookie(config: &WebConfig, name: &'static str, value: String, days: i64) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(config.secure_cookies)
        .max_age(time_days(days))
        .build()
}

/// A cookie that removes one of ours.
pub fn removal(config: &WebConfig, name: &'static str) -> Cookie<'static> {
    cookie(config, name, String::new(), 0)
}

pub fn anon_cookie(config: &WebConfig, value: String) -> Cookie<'static> {
    cookie(config, ANON_COOKIE, value, 1)
}

fn time_days(days: i64) -> cookie::time::Duration {
    cookie::time::Duration::days(days)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_belong_to_their_session_and_key() {
        let a = csrf_for(b"key", Some("trl_one"), None);
        assert_eq!(a, csrf_for(b"key", Some("trl_one"), Some("x")));
        assert_ne!(a, csrf_for(b"key", Some("trl_two"), None));
        assert_ne!(a, csrf_for(b"other key", Some("trl_one"), None));
        assert_ne!(
            csrf_for(b"key", None, Some("anon one")),
            csrf_for(b"key", None, Some("anon two"))
        );
    }

    #[test]
    fn posts_from_other_sites_are_told_apart() {
        let parts = |headers: &[(&str, &str)]| {
            let mut request = axum::http::Request::builder().uri("/x");
            for (k, v) in headers {
                request = request.header(*k, *v);
            }
            request.body(()).unwrap().into_parts().0
        };
        assert!(same_site(&parts(&[("host", "a.example")])));
        assert!(same_site(&parts(&[
            ("host", "a.example"),
            ("origin", "https://a.example")
        ])));
        assert!(!same_site(&parts(&[
            ("host", "a.example"),
            ("origin", "https://evil.example")
        ])));
        assert!(!same_site(&parts(&[("sec-fetch-site", "cross-site")])));
        assert!(same_site(&parts(&[("sec-fetch-site", "same-origin")])));
    }
}
