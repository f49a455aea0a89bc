//! Recognition: a member's participation figures, the achievements admins
//! define and award, and the verifiable credentials that carry them —
//! listed for their owner, revoked by an admin, and checked by anyone.
//!
//! A credential's own URL (`/credentials/{id}`, served by federation) is
//! public by design: it is the credential's id, and its holder shares it to
//! have it checked. The lists here are private to their owner.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use trellis_core::CoreError;
use trellis_core::account::Username;
use trellis_core::recognition::{
    AchievementDefinition, CredentialCheck, Figures, Participation, participation,
};
use trellis_store::{
    Achievement, AchievementContent, Award, Credential, CredentialContent, CredentialKind,
    HandAward, StoreError,
};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::App;
use crate::caller::{Admin, Caller};
use crate::error::{AppError, AppResult};
use crate::federation::PortError;

/// The longest credential the verifier reads (a VC-JWT of ours is a few KiB).
const MAX_CREDENTIAL: usize = 32 * 1024;

/// The caller's participation figures from their long-term file, in total
/// and per organization where the history happened.
pub async fn my_participation(app: &App, caller: &Caller) -> AppResult<Participation> {
    figures_of(app, caller.account.id).await
}

async fn figures_of(app: &App, account_id: Uuid) -> AppResult<Participation> {
    let facts = app
        .store
        .participation_facts(account_id, app.federation.domain())
        .await?;
    Ok(participation(&facts, Utc::now()))
}

/// A credential as its owner (or an admin) sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialView {
    pub id: Uuid,
    /// `award`, `endorsement`, `induction` or `participation`.
    #[schema(value_type = String)]
    pub kind: CredentialKind,
    /// Its stable public URL (also its `id` claim).
    pub url: String,
    pub name: String,
    pub achievement_name: String,
    /// The compact VC-JWT, signed RS256 with the instance key.
    pub jwt: String,
    pub issued_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
}

impl CredentialView {
    fn new(app: &App, c: Credential) -> Self {
        Self {
            url: app.federation.credential_url(c.id),
            id: c.id,
            kind: c.kind,
            name: c.content.name,
            achievement_name: c.content.achievement.name,
            jwt: c.jwt,
            issued_at: c.issued_at,
            revoked_at: c.revoked_at,
            revoked_reason: c.revoked_reason,
        }
    }
}

/// Issues a credential about a member and shapes it for the answer. The
/// one way the API issues credentials: endorsements and inductions call
/// it too (awards are issued by the store, inside the award).
pub(crate) async fn issue_credential(
    app: &App,
    kind: CredentialKind,
    subject_id: Uuid,
    content: &CredentialContent,
) -> AppResult<CredentialView> {
    let credential = app
        .store
        .issue_credential(kind, subject_id, content, Utc::now())
        .await?;
    Ok(CredentialView::new(app, credential))
}

/// The caller's credentials, newest first.
pub async fn my_credentials(app: &App, caller: &Caller) -> AppResult<Vec<CredentialView>> {
    let credentials = app.store.credentials_of(caller.account.id).await?;
    Ok(credentials
        .into_iter()
        .map(|c| CredentialView::new(app, c))
        .collect())
}

/// One line of figures, for a participation statement's evidence.
fn narrative(f: &Figures) -> String {
    format!(
        "{} sessions as mentor ({} hours), {} sessions as mentee ({} hours), {} mentees \
         mentored, {} mentorships completed as mentor and {} as mentee, {} skill reviews \
         completed, active in {} years.",
        f.sessions_as_mentor,
        f.hours_as_mentor(),
        f.sessions_as_mentee,
        f.hours_as_mentee(),
        f.mentees_mentored,
        f.mentorships_completed_as_mentor,
        f.mentorships_completed_as_mentee,
        f.reviews_done,
        f.years_active,
    )
}

/// What a participation statement says: the figures now, in total and
/// per organization, as evidence.
fn participation_content(p: &Participation) -> CredentialContent {
    let mut evidence = vec![json!({
        "name": "Participation in total",
        "narrative": narrative(&p.total),
    })];
    for (organization, figures) in &p.by_organization {
        evidence.push(json!({
            "name": format!("Participation at {organization}"),
            "narrative": narrative(figures),
        }));
    }
    let mut subject_extra = serde_json::Map::new();
    subject_extra.insert("narrative".into(), json!(narrative(&p.total)));
    CredentialContent {
        name: "Mentoring participation".into(),
        achievement: AchievementContent {
            key: "participation".into(),
            name: "Mentoring participation".into(),
            description: "What the member's long-term file of mentoring adds up to: sessions \
                          and hours as mentor and as mentee, mentorships completed, skill \
                          reviews and years active."
                .into(),
            criteria_narrative: "Issued on the member's request with the figures of their file \
                                 on the day of issue."
                .into(),
            alignment: Vec::new(),
            achievement_type: Some("ext:ParticipationStatement".into()),
        },
        subject_extra,
        evidence,
        valid_until: None,
    }
}

/// Issues the caller a signed statement of their participation figures as
/// they stand now.
pub async fn issue_participation(app: &App, caller: &Caller) -> AppResult<CredentialView> {
    let figures = figures_of(app, caller.account.id).await?;
    let view = issue_credential(
        app,
        CredentialKind::Participation,
        caller.account.id,
        &participation_content(&figures),
    )
    .await?;
    Ok(view)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// Why the credential no longer stands (kept with it; not published).
    pub reason: String,
}

/// Revokes a credential this instance issued: its bit in the status list
/// is set at once, so every verifier sees it revoked. Revoking again keeps
/// the first reason.
pub async fn revoke(
    app: &App,
    _admin: &Admin,
    id: Uuid,
    body: Revocation,
) -> AppResult<CredentialView> {
    let reason = required_reason(&body.reason)?;
    let credential = app
        .store
        .revoke_credential(id, &reason, Utc::now())
        .await
        .map_err(|e| not_found(e, "credential"))?;
    Ok(CredentialView::new(app, credential))
}

/// A reason an admin gives: 1 to 500 characters of text, trimmed.
fn required_reason(raw: &str) -> AppResult<String> {
    let reason = raw.trim();
    if reason.is_empty() {
        return Err(CoreError::invalid("reason", "is required").into());
    }
    trellis_core::text::check_paragraphs("reason", reason, 500)?;
    Ok(reason.to_owned())
}

fn not_found(err: StoreError, what: &str) -> AppError {
    match err {
        StoreError::NotFound => AppError::not_found(what),
        other => other.into(),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// A compact VC-JWT, from this instance or any other.
    pub credential: String,
}

/// Checks an Open Badges 3.0 credential from any instance: fetches the
/// issuer's key from the `kid` URL (this instance's own without HTTP),
/// checks that the key and the issuer share an origin, the RS256
/// signature, the validity dates and the revocation status list. Anyone
/// may ask; the report says what was found and what is wrong.
pub async fn verify(
    app: &App,
    body: VerifyRequest,
    client: crate::limits::ClientAddr,
) -> AppResult<CredentialCheck> {
    app.limits.expensive_anonymous(client)?;
    let jwt = body.credential.trim();
    if jwt.is_empty() {
        return Err(CoreError::invalid("credential", "is required").into());
    }
    if jwt.len() > MAX_CREDENTIAL {
        return Err(CoreError::invalid(
            "credential",
            format_args!("is longer than {MAX_CREDENTIAL} bytes"),
        )
        .into());
    }
    Ok(app.federation.verify_credential(jwt).await?)
}

/// An achievement the organization offers.
#[derive(Debug, Serialize, ToSchema)]
pub struct AchievementView {
    pub id: Uuid,
    #[serde(flatten)]
    pub definition: AchievementDefinition,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

impl From<Achievement> for AchievementView {
    fn from(a: Achievement) -> Self {
        Self {
            id: a.id,
            definition: a.definition,
            created_at: a.created_at,
            retired_at: a.retired_at,
        }
    }
}

/// Defines an achievement: awarded by hand, or automatically when its
/// rule over participation first holds for a member — at once for members
/// who meet it already.
pub async fn define_achievement(
    app: &App,
    admin: &Admin,
    body: AchievementDefinition,
) -> AppResult<AchievementView> {
    let definition = body.normalize()?;
    for (i, alignment) in definition.alignment.iter().enumerate() {
        if let Some(skill) = &alignment.skill {
            match app.store.skill(skill).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => {
                    return Err(CoreError::invalid(
                        format!("alignment[{i}].skill"),
                        format_args!("{skill} is not in the catalog"),
                    )
                    .into());
                }
                Err(other) => return Err(other.into()),
            }
        }
    }
    let achievement = app
        .store
        .create_achievement(&definition, admin.account.id, Utc::now())
        .await?;
    Ok(achievement.into())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AchievementQuery {
    /// Include retired achievements.
    #[serde(default)]
    pub include_retired: bool,
}

/// The achievements defined, oldest first.
pub async fn list_achievements(
    app: &App,
    _admin: &Admin,
    query: AchievementQuery,
) -> AppResult<Vec<AchievementView>> {
    let achievements = app.store.achievements(query.include_retired).await?;
    Ok(achievements.into_iter().map(Into::into).collect())
}

/// Retires an achievement: it is no longer awarded; awards made stay.
pub async fn retire_achievement(app: &App, _admin: &Admin, id: Uuid) -> AppResult<AchievementView> {
    let achievement = app
        .store
        .retire_achievement(id, Utc::now())
        .await
        .map_err(|e| not_found(e, "achievement"))?;
    Ok(achievement.into())
}

/// An achievement held by a member.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardView {
    pub id: Uuid,
    pub achievement_id: Uuid,
    pub achievement_name: String,
    /// Earned by the achievement's rule; false when awarded by hand.
    pub automatic: bool,
    pub reason: String,
    pub credential_id: Uuid,
    /// The award's credential, at its public URL.
    pub credential_url: String,
    pub awarded_at: DateTime<Utc>,
}

impl AwardView {
    fn new(app: &App, a: Award) -> Self {
        Self {
            id: a.id,
            achievement_id: a.achievement_id,
            achievement_name: a.achievement_name,
            automatic: a.automatic,
            reason: a.reason,
            credential_url: app.federation.credential_url(a.credential_id),
            credential_id: a.credential_id,
            awarded_at: a.awarded_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardRequest {
    /// The username of a member of this instance.
    pub member: String,
    /// Why the member receives it (shown in the credential).
    pub reason: String,
}

/// Awards an achievement by hand to a member of this instance, with a
/// reason; the credential is issued with the award and the member told.
pub async fn award(app: &App, admin: &Admin, id: Uuid, body: AwardRequest) -> AppResult<AwardView> {
    let reason = required_reason(&body.reason)?;
    let username = Username::parse(&body.member).map_err(|e| e.within("member"))?;
    let member = app
        .store
        .account_by_username(&username)
        .await?
        .ok_or_else(|| AppError::not_found("member"))?;
    let award = HandAward {
        achievement_id: id,
        account_id: member.id,
        reason,
        awarded_by: admin.account.id,
    };
    let award = app
        .store
        .award_by_hand(&award, Utc::now())
        .await
        .map_err(|e| not_found(e, "achievement"))?;
    Ok(AwardView::new(app, award))
}

/// The caller's awards, newest first.
pub async fn my_awards(app: &App, caller: &Caller) -> AppResult<Vec<AwardView>> {
    let awards = app.store.awards_of(caller.account.id).await?;
    Ok(awards.into_iter().map(|a| AwardView::new(app, a)).collect())
}

/// Checks a credential someone pasted: the compact VC-JWT itself, or the
/// URL it is served at (fetched from its issuer first).
pub async fn check_pasted(
    app: &App,
    pasted: &str,
    client: crate::limits::ClientAddr,
) -> AppResult<CredentialCheck> {
    app.limits.expensive_anonymous(client)?;
    let pasted = pasted.trim();
    if pasted.is_empty() {
        return Err(CoreError::invalid("credential", "is required").into());
    }
    if pasted.len() > MAX_CREDENTIAL {
        return Err(CoreError::invalid(
            "credential",
            format_args!("is longer than {MAX_CREDENTIAL} bytes"),
        )
        .into());
    }
    let jwt = if pasted.starts_with("https://") || pasted.starts_with("http://") {
        app.federation
            .fetch_credential(pasted)
            .await
            .map_err(|e| match e {
                PortError::NotFound(_) => {
                    AppError::Validation(format!("credential: nothing is served at {pasted}"))
                }
                PortError::BadRequest(m) | PortError::Peer(m) => {
                    AppError::Validation(format!("credential: {m}"))
                }
                other => other.into(),
            })?
    } else {
        pasted.to_owned()
    };
    app.federation
        .verify_credential(&jwt)
        .await
        .map_err(|e| match e {
            PortError::BadRequest(m) => AppError::Validation(format!("credential: {m}")),
            other => other.into(),
        })
}
