//! Endorsements: one party of a mentorship vouches for a skill of the
//! other. They are private to the two members they concern — the subject
//! and the endorser — whoever else asks, an admin included. The endorser
//! may withdraw one; it is then shown to no one.

use chrono::{DateTime, Utc};
use serde::Serialize;
use trellis_core::account::Username;
use trellis_core::recognition::Endorsement;
use trellis_core::skill::SkillKey;
use trellis_store::{EndorsementRecord, NewEndorsement, StoreError};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::lookup::own;
use crate::views::PartyView;

#[derive(Debug, Serialize, ToSchema)]
pub struct EndorsementView {
    pub id: Uuid,
    /// The mentorship it was given through.
    pub mentorship_id: Uuid,
    pub endorser: PartyView,
    pub subject: PartyView,
    pub skill: SkillKey,
    pub text: String,
    /// The Open Badges credential (a compact VC-JWT) the endorser's
    /// instance issued for it, when it came with one.
    pub credential: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<EndorsementRecord> for EndorsementView {
    fn from(e: EndorsementRecord) -> Self {
        Self {
            id: e.id,
            mentorship_id: e.mentorship_id,
            endorser: e.endorser.into(),
            subject: e.subject.into(),
            skill: e.endorsement.skill,
            text: e.endorsement.text,
            credential: e.credential,
            created_at: e.created_at,
        }
    }
}

fn views(records: Vec<EndorsementRecord>) -> Vec<EndorsementView> {
    records.into_iter().map(EndorsementView::from).collect()
}

/// Endorses a skill of the caller's counterpart in one of their
/// mentorships (active, paused or completed): the mentor endorses the
/// mentee, the mentee the mentor. The skill must be in this instance's
/// catalog (and not retired); the same skill once per endorser (until
/// they withdraw it). The
/// subject is told, on their own instance when they are a member
/// elsewhere.
pub async fn give(
    app: &App,
    caller: &Caller,
    id: Uuid,
    body: Endorsement,
) -> AppResult<EndorsementView> {
    let (m, _) = own(app, caller, id).await?;
    let endorsement = body.normalize()?;
    let unknown = || {
        AppError::Validation(format!(
            "skill: {} is not a skill of this instance's catalog",
            endorsement.skill.as_str()
        ))
    };
    match app.store.skill(&endorsement.skill).await {
        Ok(skill) if !skill.retired => {}
        Ok(_) | Err(StoreError::NotFound) => return Err(unknown()),
        Err(other) => return Err(other.into()),
    }
    let subject = if m.mentor.account_id == caller.account.id {
        &m.mentee
    } else {
        &m.mentor
    };
    let new = NewEndorsement {
        mentorship_id: m.id,
        endorser_id: caller.account.id,
        subject_id: subject.account_id,
        endorsement,
        object_url: None,
        credential: None,
        received: None,
    };
    let given = app.store.endorse(&new, Utc::now()).await?;
    app.tell_other_instance_of(&m);
    Ok(given.into())
}

/// Withdraws an endorsement the caller gave. It is then gone for both
/// members (on the subject's instance too, when they are a member
/// elsewhere), and the skill may be endorsed anew.
pub async fn withdraw(app: &App, caller: &Caller, id: Uuid) -> AppResult<()> {
    let not_found = || AppError::not_found("endorsement");
    let e = match app.store.endorsement(id).await {
        Ok(e) if e.withdrawn_at.is_none() => e,
        Ok(_) | Err(StoreError::NotFound) => return Err(not_found()),
        Err(other) => return Err(other.into()),
    };
    if e.subject.account_id == caller.account.id {
        return Err(AppError::Forbidden(
            "only the endorser withdraws an endorsement".into(),
        ));
    }
    if e.endorser.account_id != caller.account.id {
        return Err(not_found());
    }
    app.store
        .withdraw_endorsement(e.id, caller.account.id, None, Utc::now())
        .await?;
    if !e.subject.is_local() {
        app.federation.wake();
    }
    Ok(())
}

/// The caller's endorsements: those received and those given.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyEndorsements {
    /// Newest first.
    pub received: Vec<EndorsementView>,
    /// Newest first.
    pub given: Vec<EndorsementView>,
}

/// The endorsements the caller received and gave, here and elsewhere.
pub async fn mine(app: &App, caller: &Caller) -> AppResult<MyEndorsements> {
    let id = caller.account.id;
    Ok(MyEndorsements {
        received: views(app.store.endorsements_of(id, false).await?),
        given: views(app.store.endorsements_of(id, true).await?),
    })
}

/// The endorsements a member of this instance received, as far as the
/// caller may see them: all of them for the member themself, those the
/// caller gave for anyone else. A member whose profile the caller may not
/// see, and who has none from the caller, is answered like one who does
/// not exist.
pub async fn of_member(
    app: &App,
    caller: &Caller,
    username: String,
) -> AppResult<Vec<EndorsementView>> {
    let not_found = || AppError::not_found(format_args!("member {username}"));
    let local_name = match username.split_once('@') {
        Some((name, domain)) if domain == app.federation.domain() => name,
        Some(_) => return Err(not_found()),
        None => username.as_str(),
    };
    let name = Username::parse(local_name).map_err(|_| not_found())?;
    let record = match app.store.profile_by_username(&name).await {
        Ok(record) => record,
        Err(StoreError::NotFound) => return Err(not_found()),
        Err(other) => return Err(other.into()),
    };
    let is_subject = record.account_id == caller.account.id;
    let received = app.store.endorsements_of(record.account_id, false).await?;
    let shown: Vec<EndorsementRecord> = received
        .into_iter()
        .filter(|e| is_subject || e.endorser.account_id == caller.account.id)
        .collect();
    let viewer = crate::views::viewer_of(Some(caller), &record);
    if shown.is_empty() && !record.profile.visibility.admits(viewer) {
        return Err(not_found());
    }
    Ok(views(shown))
}
