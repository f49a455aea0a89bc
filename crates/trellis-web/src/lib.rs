//! Trellis in a browser: server-rendered pages for members and mentors,
//! and the public pages anyone can read. Every page calls the same use
//! cases as the JSON API (`trellis-app`) and only gathers and presents;
//! every action is a link or a form first, so every page works without
//! JavaScript; a few lines of script (copying a link) only make some of
//! them nicer.
//!
//! Templates are askama's (compiled and checked with the crate, escaping
//! by default); strings come from the Fluent catalogs in `locales/`;
//! assets are embedded in the binary.

mod assets;
mod charts;
mod forms;
mod i18n;
mod kit;
mod pages;
mod render;
mod visitor;
mod words;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use trellis_app::App;

use visitor::Web;
pub use visitor::WebConfig;

/// The pages, ready to serve at `/`.
pub fn router(app: App, config: WebConfig) -> Router {
    use pages::{admin, auth, careers, home, mentors, mentorship, plan, profile, public, record};
    let web = Web {
        app,
        config: std::sync::Arc::new(config),
    };
    Router::new()
        .route("/", get(public::landing))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/join", get(auth::join_form).post(auth::join))
        .route("/join/{code}", get(auth::join_with_invite))
        .route("/logout", post(auth::logout))
        .route("/language", post(auth::language))
        .route("/home", get(home::home))
        .route("/profile", get(profile::edit).post(profile::save))
        .route("/mentors", get(mentors::directory))
        .route("/mentors/matches", get(mentors::matches))
        .route("/mentors/ask", get(mentors::ask_form).post(mentors::ask))
        .route("/mentorships/{id}", get(mentorship::show))
        .route("/mentorships/{id}/step", post(mentorship::step))
        .route("/mentorships/{id}/sessions", post(mentorship::log_session))
        .route(
            "/mentorships/{id}/sessions/{session}",
            post(mentorship::edit_session),
        )
        .route(
            "/mentorships/{id}/sessions/{session}/note",
            post(mentorship::private_note),
        )
        .route("/mentorships/{id}/reviews", post(mentorship::start_review))
        .route(
            "/mentorships/{id}/reviews/{review}",
            post(mentorship::submit_part),
        )
        .route("/mentorships/{id}/endorsements", post(mentorship::endorse))
        .route("/mentorships/{id}/growth", get(plan::mentee_growth))
        .route("/plan", get(plan::show).post(plan::save))
        .route("/plan/growth", get(plan::growth))
        .route("/file", get(record::file))
        .route("/file/export", get(record::export))
        .route("/recognition", get(record::recognition))
        .route(
            "/recognition/participation",
            post(record::issue_participation),
        )
        .route("/notifications", get(record::notifications))
        .route("/notifications/read-all", post(record::read_all))
        .route("/notifications/{id}/read", post(record::read_one))
        .route(
            "/nominations",
            get(careers::nominations).post(careers::nominate),
        )
        .route("/nominations/{id}", get(careers::nomination))
        .route("/nominations/{id}/evidence", post(careers::pick_evidence))
        .route("/nominations/{id}/withdraw", post(careers::withdraw))
        .route("/moving", get(careers::moving))
        .route("/moving/aliases", post(careers::set_aliases))
        .route("/moving/move", post(careers::start_move))
        .route("/committee", get(careers::committee))
        .route("/nominations/{id}/decide", post(careers::decide))
        .route("/admin", get(admin::dashboard))
        .route("/admin/report.csv", get(admin::report_csv))
        .route(
            "/admin/settings",
            get(admin::settings).post(admin::save_settings),
        )
        .route("/admin/invites", post(admin::create_invite))
        .route("/admin/invites/{id}/revoke", post(admin::revoke_invite))
        .route("/admin/skills", get(admin::skills).post(admin::add_skill))
        .route("/admin/skills/{key}", post(admin::edit_skill))
        .route(
            "/admin/partners",
            get(admin::partners).post(admin::ask_partner),
        )
        .route("/admin/partners/health", get(admin::health))
        .route("/admin/partners/{domain}", post(admin::partner_step))
        .route("/admin/blocks", post(admin::block))
        .route(
            "/admin/matching",
            get(admin::matching).post(admin::save_matching),
        )
        .route(
            "/admin/cohorts",
            get(admin::cohorts).post(admin::create_cohort),
        )
        .route("/admin/cohorts/{id}", get(admin::cohort))
        .route("/admin/cohorts/{id}/members", post(admin::cohort_members))
        .route("/admin/cohorts/{id}/{step}", post(admin::cohort_step))
        .route("/admin/recognition", get(admin::recognition))
        .route("/admin/achievements", post(admin::define_achievement))
        .route(
            "/admin/achievements/{id}/{step}",
            post(admin::achievement_step),
        )
        .route("/admin/credentials/revoke", post(admin::revoke_credential))
        .route(
            "/admin/tracks",
            get(admin::tracks).post(admin::create_track),
        )
        .route("/admin/tracks/{id}", get(admin::track))
        .route("/admin/tracks/{id}/cycles", post(admin::create_cycle))
        .route(
            "/credentials/check",
            get(public::check_form).post(public::check),
        )
        .route("/credentials/{id}/jwt", get(public::credential_jwt))
        .route("/assets/{file}", get(assets::asset))
        .fallback(public::not_found)
        .with_state(web)
        .layer(axum::middleware::map_response(page_headers))
}

/// The pages at URLs that federation answers too, for browsers: a
/// member's page at `/users/{name}` and a credential's at
/// `/credentials/{id}`. The server sends a request here when it asks for
/// HTML (`wants_html`), and to federation otherwise.
pub fn negotiated(app: App, config: WebConfig) -> Router {
    use pages::public;
    let web = Web {
        app,
        config: std::sync::Arc::new(config),
    };
    Router::new()
        .route("/users/{name}", get(public::member))
        .route("/credentials/{id}", get(public::credential))
        .with_state(web)
        .layer(axum::middleware::map_response(page_headers))
}

/// What a page may load, submit to and be embedded in. (The headers every
/// answer carries, pages or not — no sniffing, no framing, the referrer —
/// the server adds around all its routers.)
async fn page_headers(mut response: axum::response::Response) -> axum::response::Response {
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    response
}

/// Whether a request asks for a page rather than an ActivityPub or JSON
/// document: its `Accept` prefers `text/html`. The server uses it to send
/// browsers to the pages at the URLs federation also answers
/// (`/users/{name}`, `/credentials/{id}`).
pub fn wants_html(headers: &axum::http::HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let quality = |wanted: &[&str]| -> f32 {
        accept
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let mime = pieces.next()?.trim().to_ascii_lowercase();
                if !wanted.contains(&mime.as_str()) {
                    return None;
                }
                Some(
                    pieces
                        .find_map(|p| p.trim().strip_prefix("q="))
                        .and_then(|q| q.parse::<f32>().ok())
                        .unwrap_or(1.0),
                )
            })
            .fold(0.0, f32::max)
    };
    let html = quality(&["text/html", "application/xhtml+xml"]);
    let machine = quality(&[
        "application/activity+json",
        "application/ld+json",
        "application/json",
        "application/vc+jwt",
        "application/jwt",
    ]);
    html > 0.0 && html >= machine
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use axum::http::HeaderMap;

    use super::*;

    #[test]
    fn browsers_get_pages_and_programs_get_documents() {
        let with = |accept: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT, accept.parse().unwrap());
            wants_html(&h)
        };
        assert!(with(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        ));
        assert!(!with("application/activity+json"));
        assert!(!with(
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""
        ));
        assert!(!with("application/vc+jwt"));
        assert!(!with("*/*"));
        assert!(!wants_html(&HeaderMap::new()));
    }
}
