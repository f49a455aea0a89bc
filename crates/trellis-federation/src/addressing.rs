//! Where things are: the domain of a URL, the actor URLs of a mentorship's
//! parties and the id of its federated object, and the inboxes activities
//! go to (a member elsewhere's, a partner's). A leaf: the feature modules
//! use it; it uses none of them.

use trellis_store::{Instance, Mentorship, PartyRecord};
use url::Url;

use crate::context::Data;
use crate::error::{FederationError, FederationResult};
use crate::settings::domain_of;

/// The domain of a URL, for messages and lookups.
pub(crate) fn domain(url: &Url) -> FederationResult<String> {
    domain_of(url).ok_or_else(|| FederationError::BadRequest(format!("{url} has no host")))
}

/// Checks an instance's domain as an admin typed it.
pub(crate) fn parse_domain(raw: &str, data: &Data) -> FederationResult<String> {
    let raw = raw.trim().to_ascii_lowercase();
    let url = Url::parse(&format!("{}://{raw}/", data.settings.scheme()))
        .map_err(|_| FederationError::BadRequest(format!("{raw:?} is not a domain name")))?;
    if matches!(url.host(), Some(url::Host::Ipv4(_) | url::Host::Ipv6(_))) {
        return Err(FederationError::BadRequest(format!(
            "{raw:?} is an address; partners are named by their domain"
        )));
    }
    match domain_of(&url) {
        Some(domain) if domain == raw && url.path() == "/" && !raw.is_empty() => {
            if domain == data.settings.domain {
                return Err(FederationError::BadRequest(
                    "that is this instance's own domain".into(),
                ));
            }
            Ok(domain)
        }
        _ => Err(FederationError::BadRequest(format!(
            "{raw:?} is not a domain name (like trellis.example.org)"
        ))),
    }
}

/// A party's actor URL: ours for local members, theirs for the others.
pub(crate) fn actor_url(data: &Data, party: &PartyRecord) -> FederationResult<Url> {
    match &party.actor_url {
        Some(url) => Url::parse(url)
            .map_err(|e| FederationError::Internal(format!("stored actor URL {url}: {e}"))),
        None => Ok(data.settings.person_url(party.username.as_str())),
    }
}

/// The id of a mentorship's federated object.
pub(crate) fn object_id(data: &Data, m: &Mentorship) -> FederationResult<Url> {
    match &m.object_url {
        Some(url) => Url::parse(url)
            .map_err(|e| FederationError::Internal(format!("stored object URL {url}: {e}"))),
        None => Ok(data.settings.mentorship_url(m.id)),
    }
}

/// Where to deliver to a party who is a member elsewhere (their instance's
/// shared inbox, if it has one); `None` for members of this instance.
pub(crate) async fn remote_inbox(
    data: &Data,
    party: &PartyRecord,
) -> FederationResult<Option<Url>> {
    let Some(remote) = party.actor_url.as_deref() else {
        return Ok(None);
    };
    let person = data
        .store
        .remote_person(remote)
        .await?
        .ok_or_else(|| FederationError::Internal(format!("no cached actor {remote}")))?;
    Url::parse(
        person
            .shared_inbox_url
            .as_deref()
            .unwrap_or(&person.inbox_url),
    )
    .map(Some)
    .map_err(|e| FederationError::Internal(format!("stored inbox: {e}")))
}

/// A partner's inbox (shared if it has one) and its instance actor.
pub(crate) fn partner_inbox(partner: &Instance) -> FederationResult<(Url, Url)> {
    let actor = partner.actor.as_ref().ok_or_else(|| {
        FederationError::Internal(format!("partner {} has no actor", partner.domain))
    })?;
    let parse = |raw: &str| {
        Url::parse(raw).map_err(|e| FederationError::Internal(format!("stored URL {raw}: {e}")))
    };
    let inbox = parse(
        actor
            .shared_inbox_url
            .as_deref()
            .unwrap_or(&actor.inbox_url),
    )?;
    Ok((inbox, parse(&actor.actor_url)?))
}
