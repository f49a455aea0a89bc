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
