//! Trellis's JSON-LD vocabulary: ActivityStreams, the security vocabulary
//! for keys, and our own namespace for mentoring terms.

use activitypub_federation::kinds::activity::{CreateType, UpdateType};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Our namespace; every Trellis term is `trellis:Name` in it.
/// It is a name, not a document (`.invalid` never resolves).
pub const NAMESPACE: &str = "https://trellis.invalid/ns#";

/// Where every instance serves [`context`] as a document of its own.
pub const CONTEXT_PATH: &str = "/contexts/trellis.jsonld";

/// The `@context` of every document Trellis serves or sends: it defines
/// every term Trellis uses that ActivityStreams and the security
/// vocabulary do not, so that each expands to an IRI (`trellis:…` or
/// `as:…`), never to a blank node.
pub fn context() -> Value {
    let id = |term: &str| json!({"@id": format!("trellis:{term}"), "@type": "@id"});
    let plain = |term: &str| json!(format!("trellis:{term}"));
    let mut terms = serde_json::Map::new();
    terms.insert("trellis".into(), json!(NAMESPACE));
    terms.insert(
        "manuallyApprovesFollowers".into(),
        json!("as:manuallyApprovesFollowers"),
    );
    terms.insert(
        "alsoKnownAs".into(),
        json!({"@id": "as:alsoKnownAs", "@type": "@id"}),
    );
    terms.insert(
        "movedTo".into(),
        json!({"@id": "as:movedTo", "@type": "@id"}),
    );
    for term in [
        // Types.
        "MentorProfile",
        "Mentorship",
        "MentoringSession",
        "SkillReview",
        "GrowthSummary",
        "Endorsement",
        // Mentor profiles.
        "timezone",
        "languages",
        "skills",
        "skill",
        "level",
        "wantsToGrow",
        "mentoring",
        "acceptingMentees",
        "capacity",
        "hoursPerMonth",
        "visibility",
        // Mentorships, sessions, reviews, endorsements.
        "state",
        "goals",
        "durationMinutes",
        "topics",
        "text",
        "done",
        "menteePart",
        "mentorPart",
        "ratings",
        "rating",
        "comment",
        "credential",
    ] {
        terms.insert(term.into(), plain(term));
    }
    for term in ["mentor", "mentee", "mentorship", "archive"] {
        terms.insert(term.into(), id(term));
    }
    // An action item's `owner` is a party (`mentor`, `mentee`), not the
    // security vocabulary's key owner: scoped to action items.
    terms.insert(
        "actionItems".into(),
        json!({"@id": "trellis:actionItems", "@context": {"owner": "trellis:owner"}}),
    );
    // The growth summary is data of its own shape, kept as a JSON literal.
    terms.insert(
        "growth".into(),
        json!({"@id": "trellis:growth", "@type": "@json"}),
    );
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        Value::Object(terms),
    ])
}

/// The `type` of an activity that is a `Create` or an `Update` of the
/// same kind of object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CreateOrUpdateType {
    Create(CreateType),
    Update(UpdateType),
}

/// Reads a property that ActivityStreams lets be an object's id or the
/// object itself (`"actor": "https://…"` or `"actor": {"id": "https://…",
/// …}`, as Fedify embeds them): its id, whichever was sent. What an
/// embedded object says besides its id is not trusted; it is fetched or
/// looked up by id like a reference.
pub fn id_of<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: From<url::Url>,
{
    use serde::de::Error;
    let value = Value::deserialize(deserializer)?;
    let raw = match &value {
        Value::String(id) => id.as_str(),
        Value::Object(fields) => fields
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| D::Error::custom("an embedded object without an id"))?,
        _ => return Err(D::Error::custom("expected an id or an object with an id")),
    };
    url::Url::parse(raw)
        .map(T::from)
        .map_err(|e| D::Error::custom(format!("{raw:?} is not a URL: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Holder {
        #[serde(deserialize_with = "id_of")]
        actor: url::Url,
    }

    #[test]
    fn ids_are_read_from_references_and_embedded_objects() {
        for actor in [
            json!("https://a.example/users/ada"),
            json!({"id": "https://a.example/users/ada", "type": "Person"}),
        ] {
            let h: Holder = serde_json::from_value(json!({"actor": actor})).unwrap();
            assert_eq!(h.actor.as_str(), "https://a.example/users/ada");
        }
        for bad in [json!({"type": "Person"}), json!(3), json!("not a url")] {
            assert!(serde_json::from_value::<Holder>(json!({"actor": bad})).is_err());
        }
    }
}
