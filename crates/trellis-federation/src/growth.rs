//! A mentee's growth, shared with their current mentors elsewhere. The
//! career plan stays with the mentee's instance; what travels is the
//! growth computed from it — each skill's levels over time, the plan's
//! skills and the drift insight — as `Update` of a `GrowthSummary`,
//! addressed to the mentor only. The mentee's instance sends it when a
//! mentorship with a mentor elsewhere becomes active, when a review
//! completes and when the plan changes; the newest one received wins, and
//! the mentor's instance drops it when the mentorship ends.

use activitypub_federation::kinds::activity::UpdateType;
use activitypub_federation::traits::Activity;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::growth::Growth;
use trellis_core::mentorship::{MentorshipState, Party};
use trellis_store::NewDelivery;
use url::Url;
use uuid::Uuid;

use crate::addressing::{actor_url, object_id};
use crate::checks::{from_party, named_by_sender, refused};
use crate::context::Data;
use crate::error::{FederationError, FederationResult};
use crate::party::{PartyActivity, to_other_party};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GrowthSummaryType {
    GrowthSummary,
}

/// A mentee's growth as it travels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrowthSummary {
    #[serde(rename = "type")]
    pub kind: GrowthSummaryType,
    /// `…/mentorships/{id}/growth` on the mentee's instance (its own id
    /// of the mentorship).
    pub id: Url,
    /// The `Mentorship` whose mentor it is for.
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub mentorship: Url,
    /// The mentee.
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub attributed_to: Url,
    /// When the mentee's instance computed it.
    pub published: DateTime<Utc>,
    pub growth: Growth,
}

/// The mentee's instance sharing their growth with one mentor.
pub type GrowthActivity = PartyActivity<GrowthSummary, UpdateType>;

#[async_trait]
impl Activity for GrowthActivity {
    activity_basics!();

    async fn verify(&self, data: &Data) -> FederationResult<()> {
        let Some((m, party, _)) =
            from_party(data, &self.id, &self.actor, &self.object.mentorship).await?
        else {
            return Ok(());
        };
        if party != Party::Mentee || self.object.attributed_to != *self.actor.inner() {
            return Err(FederationError::Refused(
                "a mentee's growth comes from the mentee".into(),
            ));
        }
        named_by_sender(&self.object.id, self.actor.inner())?;
        if !m.state.holds_a_place() {
            return Err(FederationError::Conflict(format!(
                "growth is shared with current mentors; this mentorship is {}",
                m.state.as_str()
            )));
        }
        Ok(())
    }

    async fn receive(self, data: &Data) -> FederationResult<()> {
        let Some((m, _, _)) =
            from_party(data, &self.id, &self.actor, &self.object.mentorship).await?
        else {
            return Ok(());
        };
        data.store
            .receive_shared_growth(
                m.id,
                &self.object.growth,
                self.object.published,
                self.id.as_str(),
                Utc::now(),
            )
            .await
            .map_err(refused)
    }
}

/// The activities that bring a local mentee's growth, as it is now, to
/// each of their mentors elsewhere with a mentorship under way.
pub(crate) async fn growth_deliveries(
    data: &Data,
    mentee_id: Uuid,
) -> FederationResult<Vec<NewDelivery>> {
    let mut mentorships = Vec::new();
    for state in [MentorshipState::Active, MentorshipState::Paused] {
        mentorships.extend(
            data.store
                .list_mentorships(mentee_id, false, true, Some(state))
                .await?
                .into_iter()
                .filter(|m| m.mentee.is_local() && !m.mentor.is_local()),
        );
    }
    if mentorships.is_empty() {
        return Ok(Vec::new());
    }
    let growth = data.store.growth(mentee_id).await?;
    let published = Utc::now();
    let mut deliveries = Vec::with_capacity(mentorships.len());
    for m in &mentorships {
        let object = async {
            Ok(GrowthSummary {
                kind: GrowthSummaryType::GrowthSummary,
                // Named here, whichever instance named the mentorship.
                id: data.settings.mentorship_growth_url(m.id),
                mentorship: object_id(data, m)?,
                attributed_to: actor_url(data, &m.mentee)?,
                published,
                growth: growth.clone(),
            })
        };
        deliveries
            .extend(to_other_party(data, &m.mentee, &m.mentor, UpdateType::Update, object).await?);
    }
    Ok(deliveries)
}
