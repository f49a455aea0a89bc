//! The Trellis client API: JSON under `/api/v1`, bearer tokens, errors as
//! `{"error": {"code", "message"}}`, and an OpenAPI 3 document of every
//! route at `/api/openapi.json`.

pub mod error;
pub mod extract;
mod routes;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::{ApiError, ApiResult};
use trellis_app::{App, AppError};

/// What the JSON API itself needs to know.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 * 1024,
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Trellis client API",
        description = "The API of one Trellis instance: accounts, profiles, the skills catalog, the mentor directory, matching, mentorships, cohorts, career tracks and induction cycles, recognition, moves and administration. Authenticate with `Authorization: Bearer <token>` from `POST /api/v1/auth/login`. Every error is `{\"error\": {\"code\", \"message\"}}`.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerAuth),
    components(schemas(trellis_core::mentorship::Transition)),
    tags(
        (name = "accounts", description = "Registration and signing in"),
        (name = "profiles", description = "Member profiles"),
        (name = "skills", description = "The skills catalog"),
        (name = "directory", description = "Finding mentors"),
        (name = "mentorships", description = "Asking for, running and ending mentorships"),
        (name = "sessions", description = "The check-ins of a mentorship"),
        (name = "reviews", description = "Skill reviews of a mentorship and their cadence"),
        (name = "endorsements", description = "Endorsing a skill of the other party of a mentorship"),
        (name = "plan", description = "A member's career plan, growth and drift"),
        (name = "moves", description = "Moving to another instance with the long-term file"),
        (name = "matching", description = "Mentors ranked for the caller"),
        (name = "tracks", description = "Career tracks, induction cycles, nominations and stage decisions"),
        (name = "cohorts", description = "Matching a program's whole cohort at once, reviewed and approved by an admin (admins only)"),
        (name = "recognition", description = "Participation figures, achievements and awards, and verifiable credentials (Open Badges 3.0 as VC-JWT)"),
        (name = "notifications", description = "What a member should know"),
        (name = "admin", description = "Instance administration (admins only)"),
        (name = "federation", description = "Partners, blocks and delivery (admins only)"),
        (name = "health", description = "Liveness, health and readiness probes"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token from POST /api/v1/auth/login"))
                    .build(),
            ),
        );
    }
}

/// Documents the errors every operation of a kind can answer, so that each
/// handler's description lists only its own.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let mut add = |status: &str, description: &str| {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error(description).into());
                };
                let has_body = operation.request_body.is_some();
                let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                let has_query = operation.parameters.as_ref().is_some_and(|params| {
                    params.iter().any(|p| {
                        matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query)
                    })
                });
                if has_body {
                    add("400", "The body is not valid JSON");
                    add("413", "The body is too large");
                    add("415", "The body is not `application/json`");
                    add("422", "A value breaks a rule");
                }
                if has_query {
                    add("400", "A query parameter is malformed or unknown");
                }
                let has_path = operation.parameters.as_ref().is_some_and(|params| {
                    params
                        .iter()
                        .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Path))
                });
                if has_path {
                    add(
                        "400",
                        "A path parameter is malformed (an id that is no UUID)",
                    );
                    add(
                        "422",
                        "A path parameter breaks a rule (a domain that is an address)",
                    );
                }
                add(
                    "503",
                    "The database cannot serve now (down, locked, its disk full); try again after `Retry-After`",
                );
                if secured {
                    add("401", "Not signed in, or the token is unknown or expired");
                }
            }
        }
    }
}

/// A type that refuses unknown fields as a request body (its schema says
/// `additionalProperties: false`) may be flattened into an answer beside
/// other fields (`allOf` of it and them): there its schema is inlined
/// without that restriction, which would otherwise forbid the fields
/// beside it.
struct OpenFlattened;

impl Modify for OpenFlattened {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{AdditionalProperties, Schema};
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let closed: std::collections::BTreeMap<String, Schema> = components
            .schemas
            .iter()
            .filter_map(|(name, schema)| match schema {
                RefOr::T(Schema::Object(object))
                    if matches!(
                        object.additional_properties.as_deref(),
                        Some(AdditionalProperties::FreeForm(false))
                    ) =>
                {
                    let mut open = object.clone();
                    open.additional_properties = None;
                    Some((name.clone(), Schema::Object(open)))
                }
                _ => None,
            })
            .collect();
        for schema in components.schemas.values_mut() {
            let RefOr::T(Schema::AllOf(all)) = schema else {
                continue;
            };
            for item in &mut all.items {
                if let RefOr::Ref(reference) = item
                    && let Some(name) = reference.ref_location.strip_prefix("#/components/schemas/")
                    && let Some(open) = closed.get(name)
                {
                    *item = RefOr::T(open.clone());
                }
            }
        }
    }
}

/// Every route with its OpenAPI description, in one place.
fn api_router() -> OpenApiRouter<App> {
    use routes::{
        accounts, admin, cohorts, directory, endorsements, export, federation, file, health,
        matching, mentorships, moves, notifications, plan, profiles, recognition, reports, reviews,
        sessions, skills, tracks,
    };
    // An archive is larger than other bodies.
    let (schemas, paths, imports) = routes!(moves::imports, moves::upload);
    let imports = imports.layer(DefaultBodyLimit::max(
        trellis_app::importer::MAX_ARCHIVE_BYTES,
    ));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(health::live))
        .routes(routes!(health::ready))
        .routes(routes!(health::system))
        .routes(routes!(accounts::register))
        .routes(routes!(accounts::login))
        .routes(routes!(accounts::logout))
        .routes(routes!(accounts::me))
        .routes(routes!(profiles::get_mine, profiles::put_mine))
        .routes(routes!(profiles::get_member))
        .routes(routes!(skills::list))
        .routes(routes!(skills::create))
        .routes(routes!(skills::edit))
        .routes(routes!(directory::mentors))
        .routes(routes!(mentorships::request, mentorships::list))
        .routes(routes!(mentorships::get))
        .routes(routes!(mentorships::transition))
        .routes(routes!(sessions::create, sessions::list))
        .routes(routes!(sessions::get, sessions::put))
        .routes(routes!(sessions::private_note))
        .routes(routes!(reviews::start, reviews::list))
        .routes(routes!(reviews::get))
        .routes(routes!(reviews::submit))
        .routes(routes!(reviews::get_cadence, reviews::put_cadence))
        .routes(routes!(endorsements::give))
        .routes(routes!(endorsements::withdraw))
        .routes(routes!(endorsements::mine))
        .routes(routes!(endorsements::of_member))
        .routes(routes!(plan::get, plan::put))
        .routes(routes!(plan::history))
        .routes(routes!(plan::growth))
        .routes(routes!(plan::mentee_growth))
        .routes(routes!(file::file))
        .routes(routes!(export::export))
        .routes(routes!(moves::get_aliases, moves::put_aliases))
        .routes(routes!(moves::start))
        .routes(routes!(moves::archive))
        .routes(routes!(moves::held))
        .routes((schemas, paths, imports))
        .routes(routes!(reports::program))
        .routes(routes!(mentorships::tree))
        .routes(routes!(mentorships::unmentored_mentors))
        .routes(routes!(matching::matches))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::read_one))
        .routes(routes!(notifications::read_all))
        .routes(routes!(matching::get_weights, matching::put_weights))
        .routes(routes!(cohorts::create, cohorts::list))
        .routes(routes!(cohorts::get))
        .routes(routes!(cohorts::set_members))
        .routes(routes!(cohorts::run_match, cohorts::get_proposal))
        .routes(routes!(cohorts::approve))
        .routes(routes!(tracks::create_track))
        .routes(routes!(tracks::list_tracks))
        .routes(routes!(tracks::get_track))
        .routes(routes!(tracks::create_cycle, tracks::list_cycles))
        .routes(routes!(tracks::open_cycles))
        .routes(routes!(tracks::cycle_nominations))
        .routes(routes!(tracks::nominate))
        .routes(routes!(tracks::list_nominations))
        .routes(routes!(tracks::get_nomination))
        .routes(routes!(tracks::get_log))
        .routes(routes!(tracks::pick_evidence))
        .routes(routes!(tracks::withdraw))
        .routes(routes!(tracks::decide))
        .routes(routes!(tracks::my_ranks))
        .routes(routes!(admin::get_settings, admin::edit_settings))
        .routes(routes!(admin::list_invites, admin::create_invite))
        .routes(routes!(admin::revoke_invite))
        .routes(routes!(
            federation::list_partners,
            federation::request_partner
        ))
        .routes(routes!(federation::accept_partner))
        .routes(routes!(federation::decline_partner))
        .routes(routes!(federation::end_partner))
        .routes(routes!(federation::list_blocks, federation::block))
        .routes(routes!(federation::unblock))
        .routes(routes!(federation::status))
        .routes(routes!(recognition::my_participation))
        .routes(routes!(recognition::my_credentials))
        .routes(routes!(recognition::issue_participation))
        .routes(routes!(recognition::my_awards))
        .routes(routes!(recognition::verify))
        .routes(routes!(recognition::revoke))
        .routes(routes!(
            recognition::define_achievement,
            recognition::list_achievements
        ))
        .routes(routes!(recognition::retire_achievement))
        .routes(routes!(recognition::award))
}

/// The OpenAPI document of the client API. The common errors are added
/// once every route is in (a derive-time modifier would run before them).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = api_router().into_openapi();
    CommonErrors.modify(&mut doc);
    OpenFlattened.modify(&mut doc);
    doc
}

/// What the API answers for a path under `/api` that is no route.
async fn not_found() -> ApiError {
    ApiError::App(AppError::NotFound("no such route".into()))
}

/// The client API as an axum router, ready to serve.
pub fn router(app: App, config: &ApiConfig) -> Router {
    let (router, mut openapi) = api_router().split_for_parts();
    CommonErrors.modify(&mut openapi);
    OpenFlattened.modify(&mut openapi);
    let max_body = config.max_body_bytes;
    router
        .route(
            "/api/openapi.json",
            get(move || async move { axum::Json(openapi) }),
        )
        // Every other path under /api is the API's, and answered as it
        // answers (the server's fallback serves the rest).
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(app)
}
