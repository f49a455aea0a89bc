//! What one party of a mentorship sends the other: a `Create`, `Update` or
//! `Delete` signed by the sending member and addressed to the other party
//! alone, never `Public`. Sessions, reviews, growth and endorsements
//! travel this way; the shape and the delivery are written here once.

use activitypub_federation::protocol::helpers::deserialize_one_or_many;
use serde::{Deserialize, Serialize};
use trellis_store::{NewDelivery, PartyRecord};
use url::Url;
use uuid::Uuid;

use crate::actors::ActorId;
use crate::addressing::{actor_url, remote_inbox};
use crate::context::Data;
use crate::delivery::delivery;
use crate::error::FederationResult;
use crate::vocabulary::CreateOrUpdateType;

/// An activity of kind `K` (a `Create` or an `Update` unless said
/// otherwise) about `object`, from one party of a mentorship to the other.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyActivity<O, K = CreateOrUpdateType> {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: K,
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub actor: ActorId,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    pub object: O,
}

/// The activity of kind `kind` from `from` (a member here, who signs it)
/// to `to`, queued for `to`'s instance; none when `to` is a member here
/// too, in which case `object` is never awaited (nothing is built or read
/// for it).
pub(crate) async fn to_other_party<O: Serialize, K: Serialize>(
    data: &Data,
    from: &PartyRecord,
    to: &PartyRecord,
    kind: K,
    object: impl Future<Output = FederationResult<O>>,
) -> FederationResult<Option<NewDelivery>> {
    let Some(inbox) = remote_inbox(data, to).await? else {
        return Ok(None);
    };
    let object = object.await?;
    let id = data.settings.activity_url(Uuid::now_v7());
    let activity = PartyActivity {
        id: id.clone(),
        kind,
        actor: actor_url(data, from)?.into(),
        to: vec![actor_url(data, to)?],
        object,
    };
    delivery(&inbox, Some(from.account_id), &id, activity).map(Some)
}
