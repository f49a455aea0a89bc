//! Moving a member from one instance to another (Mastodon's `Move`, with
//! the long-term file carried along).
//!
//! The member opens an account on the new instance and declares the old
//! one as an alias (`alsoKnownAs`); then, from the old one, starts the
//! move. The old instance checks the alias, marks the account moved
//! (`movedTo`, read-only from then on), re-points its own mentorships with
//! the member to the new actor and sends `Move{actor: old, object: old,
//! target: new}`: to the new actor with the address of the archive (a
//! capability URL only the new instance learns), and to every partner
//! instance without it. Each receiver checks the new actor's
//! `alsoKnownAs` names the old one, then re-points the mentorships it
//! holds with the member; the new instance also queues the archive's
//! import (fetched, checked and written by the importer).

use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::fetch::webfinger::webfinger_resolve_actor;
use activitypub_federation::kinds::activity::MoveType;
use activitypub_federation::protocol::helpers::deserialize_one_or_many;
use activitypub_federation::traits::Activity;
use async_trait::async_trait;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use trellis_store::{MoveOut, NewDelivery, NewImport};
use url::Url;
use uuid::Uuid;

use crate::actors::{ActorId, ActorKind, DbActor};
use crate::addressing::{parse_domain, partner_inbox};
use crate::checks::{partner_member, repeated, require_partner_domain};
use crate::context::{Context, Data};
use crate::delivery::delivery;
use crate::error::{FederationError, FederationResult};
use crate::settings::domain_of;

/// How long the old instance keeps the archive open to the new one.
pub const ARCHIVE_OPEN_DAYS: i64 = 30;

/// A member's move from `object` (= `actor`) to `target`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveActivity {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: MoveType,
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub actor: ActorId,
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub object: Url,
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub target: Url,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// Where the new instance fetches the member's archive; sent to the
    /// new actor only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<Url>,
}

/// What starting a move did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveStarted {
    pub target: Url,
    /// Mentorships with other members of this instance now held with the
    /// new actor.
    pub repointed: u64,
    /// Instances told.
    pub told: usize,
}

/// The new actor a move names, fetched afresh: a person elsewhere whose
/// `alsoKnownAs` names `old`.
async fn new_actor(data: &Data, target: &Url, old: &Url) -> FederationResult<DbActor> {
    let actor = ObjectId::<DbActor>::from(target.clone())
        .dereference_forced(data)
        .await?;
    if actor.kind != ActorKind::Person {
        return Err(FederationError::Refused(
            "a member moves to a person".into(),
        ));
    }
    if !actor.also_known_as.contains(old) {
        return Err(FederationError::Refused(format!(
            "{target} does not name {old} as an alias (alsoKnownAs)"
        )));
    }
    Ok(actor)
}

/// Starts a local member's move to `handle` (`user@domain`, a partner
/// instance): checks the new account names this one as an alias, then
/// marks the account moved and queues the `Move`s, all at once. `archive`
/// is the member's file as it is now, which `token` opens to the new
/// instance (its hash is kept).
pub async fn start(
    data: &Data,
    account_id: Uuid,
    handle: &str,
    archive: String,
    token: &str,
    token_hash: &[u8],
) -> FederationResult<MoveStarted> {
    let me = data
        .store
        .local_actor_by_id(account_id)
        .await?
        .ok_or(FederationError::NotFound)?;
    if me.moved_to.is_some() {
        return Err(FederationError::Conflict(
            "this account has moved already".into(),
        ));
    }
    let old = data.settings.person_url(me.username.as_str());
    let (_, domain) = handle
        .split_once('@')
        .ok_or_else(|| FederationError::BadRequest("the new account is user@domain".into()))?;
    let domain = parse_domain(domain, data)?;
    if domain == data.settings.domain {
        return Err(FederationError::BadRequest(
            "a move goes to another instance".into(),
        ));
    }
    let partners = data.store.active_partners().await?;
    if !partners.iter().any(|p| p.domain == domain) {
        return Err(FederationError::Conflict(format!(
            "{domain} is not a partner of this instance; members move between partners"
        )));
    }
    let found: DbActor = webfinger_resolve_actor::<Context, DbActor>(handle, data)
        .await
        .map_err(|_| FederationError::NotFound)?;
    let target = new_actor(data, &found.id, &old).await?;
    // The account, and the inbox the archive's address goes to, are the
    // partner's own.
    if target.domain != domain || domain_of(&target.inbox).as_deref() != Some(&domain) {
        return Err(FederationError::Refused(format!(
            "{handle} is not an account of {domain}"
        )));
    }
    let target_id = target
        .account_id
        .ok_or_else(|| FederationError::Internal("a person without an account".into()))?;

    let archive_url = data.settings.move_archive_url(token);
    let mut deliveries: Vec<NewDelivery> = Vec::new();
    let activity = |to: Url, archive: Option<Url>| {
        let id = data.settings.activity_url(Uuid::now_v7());
        (
            id.clone(),
            MoveActivity {
                id,
                kind: MoveType::Move,
                actor: old.clone().into(),
                object: old.clone(),
                target: target.id.clone(),
                to: vec![to],
                archive,
            },
        )
    };
    let (id, to_new) = activity(target.id.clone(), Some(archive_url));
    deliveries.push(delivery(&target.inbox, Some(account_id), &id, to_new)?);
    for partner in partners.iter().filter(|p| p.domain != domain) {
        let (inbox, partner_actor) = partner_inbox(partner)?;
        let (id, told) = activity(partner_actor, None);
        deliveries.push(delivery(&inbox, Some(account_id), &id, told)?);
    }
    let now = Utc::now();
    let told = deliveries.len();
    let repointed = data
        .store
        .move_out(
            &MoveOut {
                account_id,
                target_id,
                target_url: target.id.to_string(),
                token_hash: token_hash.to_vec(),
                deliveries,
                archive,
                expires_at: now + chrono::Duration::days(ARCHIVE_OPEN_DAYS),
            },
            now,
        )
        .await?;
    data.outbox_signal.notify_one();
    Ok(MoveStarted {
        target: target.id,
        repointed,
        told,
    })
}

#[async_trait]
impl Activity for MoveActivity {
    activity_basics!();

    async fn verify(&self, data: &Data) -> FederationResult<()> {
        if repeated(data, &self.id).await? {
            return Ok(());
        }
        if self.object != *self.actor.inner() {
            return Err(FederationError::Refused(
                "a member moves only themselves".into(),
            ));
        }
        partner_member(&self.actor, data).await?;
        let new = new_actor(data, &self.target, &self.object).await?;
        // The mentorships held here follow the member only to this
        // instance or to a partner of it.
        if !data.settings.is_local(&new.id) {
            require_partner_domain(&new.domain, data).await?;
        }
        if let Some(archive) = &self.archive
            && domain_of(archive) != domain_of(&self.object)
        {
            return Err(FederationError::Refused(
                "the archive is served by the instance the member leaves".into(),
            ));
        }
        Ok(())
    }

    async fn receive(self, data: &Data) -> FederationResult<()> {
        if repeated(data, &self.id).await? {
            return Ok(());
        }
        let old = partner_member(&self.actor, data).await?;
        let new = new_actor(data, &self.target, &self.object).await?;
        let (Some(old_id), Some(new_id)) = (old.account_id, new.account_id) else {
            return Err(FederationError::Internal(
                "a person without an account".into(),
            ));
        };
        let now = Utc::now();
        // The new account is a member here: its file is to be imported.
        let import = match &self.archive {
            Some(archive) if data.settings.is_local(&new.id) => Some(NewImport {
                account_id: new_id,
                from_actor: old.id.to_string(),
                origin: old.domain.clone(),
                archive_url: Some(archive.to_string()),
                archive: None,
            }),
            _ => None,
        };
        data.store
            .repoint_moved(
                old_id,
                new_id,
                new.id.as_str(),
                import.as_ref(),
                self.id.as_str(),
                now,
            )
            .await?;
        if import.is_some() {
            data.import_signal.notify_one();
        }
        Ok(())
    }
}
