//! What other servers read: actor documents, WebFinger and NodeInfo.

use activitypub_federation::axum::json::FederationJson;
use activitypub_federation::fetch::webfinger::extract_webfinger_name;
use activitypub_federation::protocol::context::WithContext;
use activitypub_federation::traits::Object;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use trellis_core::account::Username;
use trellis_core::settings::RegistrationMode;
use trellis_core::visibility::Visibility;

use crate::actors::{ActorJson, DbActor};
use crate::context::Data;
use crate::error::{FederationError, FederationResult};
use crate::signed;
use crate::vocabulary::context;

/// A member as the requester may see them: not at all when their
/// profile is `private` or `organization` (exactly as a member who does
/// not exist) unless a partner asks with a signed fetch, which gets the
/// bare actor federation needs (inboxes and key); the name and headline
/// only when the profile is `public`, or `federated` and a partner asks.
async fn visible_person(
    name: &str,
    data: &Data,
    uri: &Uri,
    headers: &HeaderMap,
) -> FederationResult<DbActor> {
    let username = Username::parse(name).map_err(|_| FederationError::NotFound)?;
    let actor = data
        .store
        .local_actor(&username)
        .await?
        .ok_or(FederationError::NotFound)?;
    let visibility = actor.visibility;
    let partner = match visibility {
        Visibility::Public => true,
        _ => signed::partner_fetching(data, uri, headers).await.is_some(),
    };
    let person = DbActor::local_person(&data.settings, actor);
    match (visibility, partner) {
        (Visibility::Public, _) | (Visibility::Federated, true) => Ok(person),
        (Visibility::Federated, false) | (_, true) => Ok(person.bare()),
        (_, false) => Err(FederationError::NotFound),
    }
}

/// `GET /users/{username}`: a member's actor document, as far as the
/// requester may see it (see `visible_person`). A function the server
/// routes to, beside the pages that answer browsers at the same path.
pub async fn person(
    Path(name): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    data: Data,
) -> FederationResult<FederationJson<WithContext<ActorJson>>> {
    let actor = visible_person(&name, &data, &uri, &headers).await?;
    Ok(FederationJson(WithContext::new(
        actor.into_json(&data).await?,
        context(),
    )))
}

/// `GET /users/{username}/mentor-profile`: the member's `MentorProfile`, if
/// it is public (partners receive federated ones by delivery; an unsigned
/// fetch cannot show that it comes from a partner).
pub async fn mentor_profile(
    Path(name): Path<String>,
    data: Data,
) -> FederationResult<FederationJson<WithContext<crate::objects::MentorProfile>>> {
    let username = Username::parse(&name).map_err(|_| FederationError::NotFound)?;
    let record = data
        .store
        .profile_by_username(&username)
        .await
        .map_err(|_| FederationError::NotFound)?;
    let profile = &record.profile;
    if profile.visibility != trellis_core::visibility::Visibility::Public
        || !profile.mentor.offers_mentoring
    {
        return Err(FederationError::NotFound);
    }
    let settings = &data.settings;
    let object = crate::objects::MentorProfile::from_local(
        settings.mentor_profile_url(username.as_str()),
        settings.person_url(username.as_str()),
        profile,
    );
    Ok(FederationJson(WithContext::new(object, context())))
}

/// `GET /actor`: the instance actor (an `Organization`).
pub async fn instance(data: Data) -> FederationResult<FederationJson<WithContext<ActorJson>>> {
    let actor = crate::actors::instance_actor(&data).await?;
    Ok(FederationJson(WithContext::new(
        actor.into_json(&data).await?,
        context(),
    )))
}

/// `GET /users/{username}/outbox` and `GET /actor/outbox`. Trellis sends
/// nothing publicly (mentoring activities go to their parties only), so the
/// collection is empty; it exists because actors must have one.
pub async fn person_outbox(
    Path(name): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    data: Data,
) -> FederationResult<FederationJson<Value>> {
    visible_person(&name, &data, &uri, &headers).await?;
    Ok(empty_outbox(data.settings.person_outbox_url(&name)))
}

pub async fn instance_outbox(data: Data) -> FederationJson<Value> {
    empty_outbox(data.settings.instance_outbox_url())
}

fn empty_outbox(id: url::Url) -> FederationJson<Value> {
    FederationJson(json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "OrderedCollection",
        "totalItems": 0,
        "orderedItems": [],
    }))
}

#[derive(Debug, Deserialize)]
pub struct WebfingerQuery {
    resource: String,
}

/// `GET /.well-known/webfinger?resource=acct:user@domain` (or the instance
/// actor as `acct:domain@domain` or its URL).
pub async fn webfinger(
    query: Result<Query<WebfingerQuery>, QueryRejection>,
    data: Data,
) -> FederationResult<Response> {
    let Ok(Query(WebfingerQuery { resource })) = query else {
        return Err(FederationError::BadRequest(
            "webfinger needs ?resource=acct:user@domain".into(),
        ));
    };
    let settings = &data.settings;
    let instance_acct = format!("acct:{0}@{0}", settings.domain);
    let answer = if resource == instance_acct || resource == settings.instance_actor_url().as_str()
    {
        jrd(
            instance_acct,
            &settings.instance_actor_url(),
            "Organization",
        )
    } else {
        // `acct:user@domain`, or the member's actor URL: the same answer.
        let name = match url::Url::parse(&resource) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => settings
                .local_username(&url)
                .filter(|_| url.query().is_none() && url.fragment().is_none())
                .ok_or(FederationError::NotFound)?
                .to_owned(),
            _ => extract_webfinger_name(&resource, &data)
                .map_err(|_| FederationError::NotFound)?
                .to_owned(),
        };
        let username = Username::parse(&name).map_err(|_| FederationError::NotFound)?;
        let actor = data
            .store
            .local_actor(&username)
            .await?
            .ok_or(FederationError::NotFound)?;
        // Handles are for finding people: only members whose profile
        // reaches partners can be found, and those who named accounts
        // elsewhere as theirs (to move here from one of them).
        if actor.visibility < Visibility::Federated && actor.also_known_as.is_empty() {
            return Err(FederationError::NotFound);
        }
        let person = DbActor::local_person(settings, actor);
        jrd(
            format!("acct:{}@{}", person.username, settings.domain),
            &person.id,
            "Person",
        )
    };
    let mut response = Json(answer).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/jrd+json"),
    );
    Ok(response)
}

/// A WebFinger answer (RFC 7033) for an actor: its profile page and
/// its ActivityPub document. Links carry only the members they have.
fn jrd(subject: String, actor: &url::Url, kind: &str) -> Value {
    json!({
        "subject": subject,
        "aliases": [actor],
        "links": [
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": actor},
            {
                "rel": "self",
                "type": "application/activity+json",
                "href": actor,
                "properties": {"https://www.w3.org/ns/activitystreams#type": kind},
            },
        ],
    })
}

/// `GET /contexts/trellis.jsonld`: the `@context` every Trellis document
/// carries, as a document peers can fetch and cache.
pub async fn context_document() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/ld+json"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        Json(json!({"@context": context()})),
    )
        .into_response()
}

const NODEINFO_SCHEMA: &str = "http://nodeinfo.diaspora.software/ns/schema/2.1";

/// `GET /.well-known/nodeinfo`: where the NodeInfo document is.
pub async fn nodeinfo_links(data: Data) -> Json<Value> {
    let mut href = data.settings.base_url();
    href.set_path("/nodeinfo/2.1");
    Json(json!({"links": [{"rel": NODEINFO_SCHEMA, "href": href}]}))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfo {
    pub version: String,
    pub software: Value,
    pub protocols: Vec<String>,
    pub services: Value,
    pub open_registrations: bool,
    pub usage: Value,
    pub metadata: Value,
}

/// `GET /nodeinfo/2.1`: what this server is and how much it is used.
pub async fn nodeinfo(data: Data) -> FederationResult<Response> {
    let store = &data.store;
    let settings = store.settings().await?;
    let now = chrono::Utc::now();
    let users = store.count_accounts().await?;
    let month = store
        .count_active_users(now - chrono::Duration::days(30))
        .await?;
    let half_year = store
        .count_active_users(now - chrono::Duration::days(180))
        .await?;
    let info = NodeInfo {
        version: "2.1".into(),
        software: json!({
            "name": "trellis",
            "version": env!("CARGO_PKG_VERSION"),
        }),
        protocols: vec!["activitypub".into()],
        services: json!({"inbound": [], "outbound": []}),
        open_registrations: settings.registration_mode == RegistrationMode::Open,
        usage: json!({
            "users": {"total": users, "activeMonth": month, "activeHalfyear": half_year},
            "localPosts": 0,
        }),
        metadata: json!({
            "nodeName": settings.organization_name,
            "nodeDescription": settings.organization_description,
        }),
    };
    let mut response = Json(info).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(
            "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"",
        ),
    );
    Ok(response)
}
