//! Trellis's JSON-LD vocabulary: ActivityStreams, the security vocabulary
//! for keys, and our own namespace for mentoring terms.

use activitypub_federation::kinds::activity::{CreateType, UpdateType};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Our namespace; every Trellis term is `trellis:Name` in it.
/// It is a name, not a document (`.invalid` never resolves).
pub const NAMESPACE: &str = "https://trellis.invalid/ns#";

/// The `@context` of every document Trellis serves or sends.
pub fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "trellis": NAMESPACE,
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
            "movedTo": {"@id": "as:movedTo", "@type": "@id"},
        }
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
