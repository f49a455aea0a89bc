//! Recognition: a member's participation figures, the achievements admins
//! define and award, and the verifiable credentials that carry them —
//! listed for their owner, revoked by an admin, and checked by anyone.
//!
//! A credential's own URL (`/credentials/{id}`, served by federation) is
//! public by design: it is the credential's id, and its holder shares it to
//! have it checked. The lists here are private to their owner.

use axum::extract::State;
use axum::http::StatusCode;
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

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Admin, AppJson, AppPath, AppQuery, Caller};
use crate::state::AppState;

/// The longest credential the verifier reads (a VC-JWT of ours is a few KiB).
const MAX_CREDENTIAL: usize = 32 * 1024;

/// The caller's participation figures from their long-term file, in total
/// and per organization where the history happened.
#[utoipa::path(
    get,
    path = "/api/v1/me/participation",
    tag = "recognition",
    security(("bearer" = [])),
    responses((status = 200, description = "The figures", body = Participation))
)]
pub async fn my_participation(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<AppJson<Participation>> {
    Ok(AppJson(figures_of(&state, caller.account.id).await?))
}

async fn figures_of(state: &AppState, account_id: Uuid) -> ApiResult<Participation> {
    let facts = state
        .store
        .participation_facts(account_id, state.federation.domain())
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
    fn new(state: &AppState, c: Credential) -> Self {
        Self {
            url: state.federation.credential_url(c.id),
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
    state: &AppState,
    kind: CredentialKind,
    subject_id: Uuid,
    content: &CredentialContent,
) -> ApiResult<CredentialView> {
    let credential = state
        .store
        .issue_credential(kind, subject_id, content, Utc::now())
        .await?;
    Ok(CredentialView::new(state, credential))
}

/// The caller's credentials, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/credentials",
    tag = "recognition",
    security(("bearer" = [])),
    responses((status = 200, description = "The credentials", body = Vec<CredentialView>))
)]
pub async fn my_credentials(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<AppJson<Vec<CredentialView>>> {
    let credentials = state.store.credentials_of(caller.account.id).await?;
    Ok(AppJson(
        credentials
            .into_iter()
            .map(|c| CredentialView::new(&state, c))
            .collect(),
    ))
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
#[utoipa::path(
    post,
    path = "/api/v1/me/credentials/participation",
    tag = "recognition",
    security(("bearer" = [])),
    responses((status = 201, description = "Issued", body = CredentialView))
)]
pub async fn issue_participation(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<(StatusCode, AppJson<CredentialView>)> {
    let figures = figures_of(&state, caller.account.id).await?;
    let view = issue_credential(
        &state,
        CredentialKind::Participation,
        caller.account.id,
        &participation_content(&figures),
    )
    .await?;
    Ok((StatusCode::CREATED, AppJson(view)))
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
#[utoipa::path(
    post,
    path = "/api/v1/admin/credentials/{id}/revoke",
    tag = "recognition",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The credential's id")),
    request_body = Revocation,
    responses(
        (status = 200, description = "Revoked", body = CredentialView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such credential", body = ErrorBody),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    _admin: Admin,
    AppPath(id): AppPath<Uuid>,
    AppJson(body): AppJson<Revocation>,
) -> ApiResult<AppJson<CredentialView>> {
    let reason = required_reason(&body.reason)?;
    let credential = state
        .store
        .revoke_credential(id, &reason, Utc::now())
        .await
        .map_err(|e| not_found(e, "credential"))?;
    Ok(AppJson(CredentialView::new(&state, credential)))
}

/// A reason an admin gives: 1 to 500 characters of text, trimmed.
fn required_reason(raw: &str) -> ApiResult<String> {
    let reason = raw.trim();
    if reason.is_empty() {
        return Err(CoreError::invalid("reason", "is required").into());
    }
    trellis_core::text::check_paragraphs("reason", reason, 500)?;
    Ok(reason.to_owned())
}

fn not_found(err: StoreError, what: &str) -> ApiError {
    match err {
        StoreError::NotFound => ApiError::not_found(what),
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
#[utoipa::path(
    post,
    path = "/api/v1/credentials/verify",
    tag = "recognition",
    request_body = VerifyRequest,
    responses((status = 200, description = "What the checks found", body = CredentialCheck))
)]
pub async fn verify(
    State(state): State<AppState>,
    AppJson(body): AppJson<VerifyRequest>,
) -> ApiResult<AppJson<CredentialCheck>> {
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
    Ok(AppJson(state.federation.verify_credential(jwt).await?))
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
#[utoipa::path(
    post,
    path = "/api/v1/admin/achievements",
    tag = "recognition",
    security(("bearer" = [])),
    request_body = AchievementDefinition,
    responses(
        (status = 201, description = "Defined", body = AchievementView),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn define_achievement(
    State(state): State<AppState>,
    admin: Admin,
    AppJson(body): AppJson<AchievementDefinition>,
) -> ApiResult<(StatusCode, AppJson<AchievementView>)> {
    let definition = body.normalize()?;
    for (i, alignment) in definition.alignment.iter().enumerate() {
        if let Some(skill) = &alignment.skill {
            match state.store.skill(skill).await {
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
    let achievement = state
        .store
        .create_achievement(&definition, admin.0.account.id, Utc::now())
        .await?;
    Ok((StatusCode::CREATED, AppJson(achievement.into())))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AchievementQuery {
    /// Include retired achievements.
    #[serde(default)]
    pub include_retired: bool,
}

/// The achievements defined, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/admin/achievements",
    tag = "recognition",
    security(("bearer" = [])),
    params(AchievementQuery),
    responses(
        (status = 200, description = "The achievements", body = Vec<AchievementView>),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn list_achievements(
    State(state): State<AppState>,
    _admin: Admin,
    AppQuery(query): AppQuery<AchievementQuery>,
) -> ApiResult<AppJson<Vec<AchievementView>>> {
    let achievements = state.store.achievements(query.include_retired).await?;
    Ok(AppJson(achievements.into_iter().map(Into::into).collect()))
}

/// Retires an achievement: it is no longer awarded; awards made stay.
#[utoipa::path(
    post,
    path = "/api/v1/admin/achievements/{id}/retire",
    tag = "recognition",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The achievement's id")),
    responses(
        (status = 200, description = "Retired", body = AchievementView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such achievement", body = ErrorBody),
    )
)]
pub async fn retire_achievement(
    State(state): State<AppState>,
    _admin: Admin,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<AchievementView>> {
    let achievement = state
        .store
        .retire_achievement(id, Utc::now())
        .await
        .map_err(|e| not_found(e, "achievement"))?;
    Ok(AppJson(achievement.into()))
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
    fn new(state: &AppState, a: Award) -> Self {
        Self {
            id: a.id,
            achievement_id: a.achievement_id,
            achievement_name: a.achievement_name,
            automatic: a.automatic,
            reason: a.reason,
            credential_url: state.federation.credential_url(a.credential_id),
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
#[utoipa::path(
    post,
    path = "/api/v1/admin/achievements/{id}/awards",
    tag = "recognition",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The achievement's id")),
    request_body = AwardRequest,
    responses(
        (status = 201, description = "Awarded", body = AwardView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such achievement or member", body = ErrorBody),
        (status = 409, description = "Retired, or held by the member already", body = ErrorBody),
    )
)]
pub async fn award(
    State(state): State<AppState>,
    admin: Admin,
    AppPath(id): AppPath<Uuid>,
    AppJson(body): AppJson<AwardRequest>,
) -> ApiResult<(StatusCode, AppJson<AwardView>)> {
    let reason = required_reason(&body.reason)?;
    let username = Username::parse(&body.member).map_err(|e| e.within("member"))?;
    let member = state
        .store
        .account_by_username(&username)
        .await?
        .ok_or_else(|| ApiError::not_found("member"))?;
    let award = HandAward {
        achievement_id: id,
        account_id: member.id,
        reason,
        awarded_by: admin.0.account.id,
    };
    let award = state
        .store
        .award_by_hand(&award, Utc::now())
        .await
        .map_err(|e| not_found(e, "achievement"))?;
    Ok((StatusCode::CREATED, AppJson(AwardView::new(&state, award))))
}

/// The caller's awards, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/awards",
    tag = "recognition",
    security(("bearer" = [])),
    responses((status = 200, description = "The awards", body = Vec<AwardView>))
)]
pub async fn my_awards(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<AppJson<Vec<AwardView>>> {
    let awards = state.store.awards_of(caller.account.id).await?;
    Ok(AppJson(
        awards
            .into_iter()
            .map(|a| AwardView::new(&state, a))
            .collect(),
    ))
}
