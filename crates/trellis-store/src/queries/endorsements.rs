// Endorsements between the two parties of a mentorship.
// Included as a module of each backend.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Backend;
use super::common::{notify, record_received};
use super::recognition::insert_credential;
use super::sessions::{Item, lock_mentorship, queue_for_other_party};
use crate::error::{StoreError, StoreResult};
use crate::model::{
    AchievementContent, CredentialContent, CredentialKind, EndorsementRecord, NewEndorsement,
    OutboxEventKind,
};
use crate::rows::endorsements::{ENDORSEMENT_COLUMNS, ENDORSEMENTS, EndorsementRow};

impl Backend {
    /// Records an endorsement of the subject's skill by the endorser,
    /// checked under the mentorship's lock (`check_endorsement`): refused
    /// for anyone but its two parties and while it is not active, paused
    /// or completed. A second endorsement of the same skill by the same
    /// endorser, while the first is in force, is a conflict. The subject is told; a subject elsewhere
    /// hears of it through the outbox. A repeat of a received endorsement
    /// gives the one it made.
    pub async fn endorse(
        &self,
        new: &NewEndorsement,
        now: DateTime<Utc>,
    ) -> StoreResult<EndorsementRecord> {
        let mut tx = self.begin().await?;
        if let Some(activity) = &new.received
            && !record_received(&mut tx, activity, now).await?
        {
            drop(tx);
            let url = new.object_url.as_deref().unwrap_or_default();
            return self
                .endorsement_by_object(url)
                .await?
                .ok_or(StoreError::NotFound);
        }
        let (state, mentor, mentee) = lock_mentorship(&mut tx, new.mentorship_id).await?;
        let pairing = trellis_core::recognition::Pairing {
            mentor,
            mentee,
            state,
        };
        trellis_core::recognition::check_endorsement(new.endorser_id, new.subject_id, &pairing)
            .map_err(StoreError::Refused)?;
        let content = new
            .endorsement
            .clone()
            .normalize()
            .map_err(StoreError::Refused)?;
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO endorsements (id, mentorship_id, endorser_id, subject_id, skill, text, \
               object_url, credential, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(new.mentorship_id)
        .bind(new.endorser_id)
        .bind(new.subject_id)
        .bind(content.skill.as_str())
        .bind(&content.text)
        .bind(new.object_url.as_deref())
        .bind(new.credential.as_deref())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!(
                "this skill ({}) was endorsed by the same member already: withdraw that one first",
                content.skill.as_str()
            )),
            other => other,
        })?;
        // Given here: issued here, as a credential that travels with it.
        if new.received.is_none()
            && let Some(signer) = self.installed_signer()
        {
            let credential = insert_credential(
                &mut tx,
                &*signer,
                CredentialKind::Endorsement,
                new.subject_id,
                &endorsement_content(&content),
                now,
            )
            .await?;
            sqlx::query(
                "UPDATE endorsements SET credential = \
                   (SELECT jwt FROM credentials WHERE id = $2) WHERE id = $1",
            )
            .bind(id)
            .bind(credential)
            .execute(&mut *tx)
            .await?;
        }
        notify(
            &mut tx,
            new.subject_id,
            "endorsement_received",
            Some(new.mentorship_id),
            None,
            now,
        )
        .await?;
        queue_for_other_party(
            &mut tx,
            OutboxEventKind::EndorsementGiven,
            Item::Endorsement,
            id,
            new.endorser_id,
            now,
        )
        .await?;
        tx.commit().await?;
        self.endorsement(id).await
    }

    /// Withdraws an endorsement, by its endorser only; withdrawing it again
    /// changes nothing, and so does a repeat of a received withdrawal. A
    /// subject elsewhere hears of it through the outbox.
    pub async fn withdraw_endorsement(
        &self,
        id: Uuid,
        endorser_id: Uuid,
        received: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<EndorsementRecord> {
        let mut tx = self.begin().await?;
        if let Some(activity) = received
            && !record_received(&mut tx, activity, now).await?
        {
            drop(tx);
            return self.endorsement(id).await;
        }
        let (by, withdrawn_at): (Uuid, Option<DateTime<Utc>>) =
            sqlx::query_as("SELECT endorser_id, withdrawn_at FROM endorsements WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        if by != endorser_id {
            return Err(StoreError::Refused(trellis_core::CoreError::Forbidden(
                "only the endorser withdraws an endorsement".into(),
            )));
        }
        if withdrawn_at.is_none() {
            sqlx::query("UPDATE endorsements SET withdrawn_at = $2 WHERE id = $1")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            queue_for_other_party(
                &mut tx,
                OutboxEventKind::EndorsementWithdrawn,
                Item::Endorsement,
                id,
                endorser_id,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        self.endorsement(id).await
    }

    /// An endorsement, withdrawn or not.
    pub async fn endorsement(&self, id: Uuid) -> StoreResult<EndorsementRecord> {
        let row: EndorsementRow = sqlx::query_as(&format!(
            "SELECT {ENDORSEMENT_COLUMNS} FROM {ENDORSEMENTS} WHERE e.id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_into()?)
    }

    /// The endorsement the endorser's instance named `url`, if this one has it.
    pub async fn endorsement_by_object(&self, url: &str) -> StoreResult<Option<EndorsementRecord>> {
        let row: Option<EndorsementRow> = sqlx::query_as(&format!(
            "SELECT {ENDORSEMENT_COLUMNS} FROM {ENDORSEMENTS} WHERE e.object_url = $1"
        ))
        .bind(url)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(TryInto::try_into).transpose()?)
    }

    /// The endorsements in force a member received (`given` false) or gave
    /// (`given` true), newest first.
    pub async fn endorsements_of(
        &self,
        account_id: Uuid,
        given: bool,
    ) -> StoreResult<Vec<EndorsementRecord>> {
        let column = if given {
            "e.endorser_id"
        } else {
            "e.subject_id"
        };
        let rows: Vec<EndorsementRow> = sqlx::query_as(&format!(
            "SELECT {ENDORSEMENT_COLUMNS} FROM {ENDORSEMENTS} WHERE {column} = $1 AND e.withdrawn_at IS NULL \
             ORDER BY e.created_at DESC, e.id DESC"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<_, _>>()?)
    }
}

/// What an endorsement's credential says.
fn endorsement_content(e: &trellis_core::recognition::Endorsement) -> CredentialContent {
    let mut subject_extra = serde_json::Map::new();
    subject_extra.insert(
        "narrative".into(),
        serde_json::Value::String(e.text.clone()),
    );
    CredentialContent {
        name: format!("Endorsed for {}", e.skill.as_str()),
        achievement: AchievementContent {
            key: format!("endorsements/{}", e.skill.as_str()),
            name: format!("Endorsed for {}", e.skill.as_str()),
            description: format!(
                "An endorsement of the skill {} by a mentoring partner.",
                e.skill.as_str()
            ),
            criteria_narrative: "Given by the other party of a mentorship that is under way \
                                 or was completed, in their own words."
                .into(),
            alignment: vec![trellis_core::recognition::Alignment {
                target_name: e.skill.as_str().to_owned(),
                target_url: None,
                skill: Some(e.skill.clone()),
            }],
            achievement_type: Some("ext:Endorsement".into()),
        },
        subject_extra,
        evidence: Vec::new(),
        valid_until: None,
    }
}
