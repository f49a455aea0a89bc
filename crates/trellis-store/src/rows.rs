//! Rows as both backends return them, and their conversion into the
//! domain's validated types.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use trellis_core::CoreError;
use trellis_core::account::Username;
use trellis_core::partnership::Partnership;
use trellis_core::profile::{
    GoalTarget, Goals, LanguageTag, MentorSettings, Profile, ProfileSkill, Timezone,
};
use trellis_core::settings::{FederationMode, RegistrationMode};
use trellis_core::skill::{SkillKey, SkillLevel};
use trellis_core::visibility::Visibility;
use uuid::Uuid;

use trellis_core::mentorship::MentorshipState;

use trellis_core::cohort::Unassigned;
use trellis_core::matching::Weights;

use crate::model::{
    Account, Cohort, CohortStatus, CohortSummary, Delivery, DeliveryState, Instance, InstanceActor,
    InstanceSettings, Invite, KeyPair, LocalActor, Mentorship, MentorshipEvent, OutboxEvent,
    OutboxEventKind, PartyRecord, ProfileRecord, Proposal, ProposalEntry, ProposedFor,
    RemotePerson, RequestOutcome, Skill,
};
use crate::model::{MatchCandidate, MentorLoad};

/// A local member: `accounts a JOIN users u`.
pub(crate) const ACCOUNT_COLUMNS: &str =
    "a.id, a.username, u.password_hash, u.is_admin, a.moved_to, a.created_at";
pub(crate) const LOCAL_ACCOUNTS: &str = "accounts a JOIN users u ON u.account_id = a.id";

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    id: Uuid,
    username: String,
    password_hash: String,
    is_admin: bool,
    moved_to: Option<String>,
    created_at: DateTime<Utc>,
}

impl TryFrom<AccountRow> for Account {
    type Error = CoreError;
    fn try_from(row: AccountRow) -> Result<Self, CoreError> {
        Ok(Self {
            id: row.id,
            username: Username::parse(&row.username)?,
            password_hash: row.password_hash,
            is_admin: row.is_admin,
            moved_to: row.moved_to,
            created_at: row.created_at,
        })
    }
}

pub(crate) const SETTINGS_COLUMNS: &str = "registration_mode, federation_mode, match_weights, \
     organization_name, organization_description";

#[derive(sqlx::FromRow)]
pub(crate) struct SettingsRow {
    registration_mode: String,
    federation_mode: String,
    match_weights: String,
    organization_name: String,
    organization_description: String,
}

impl TryFrom<SettingsRow> for InstanceSettings {
    type Error = CoreError;
    fn try_from(row: SettingsRow) -> Result<Self, CoreError> {
        Ok(Self {
            registration_mode: RegistrationMode::parse(&row.registration_mode)?,
            federation_mode: FederationMode::parse(&row.federation_mode)?,
            match_weights: serde_json::from_str(&row.match_weights).map_err(|e| {
                CoreError::invalid("match_weights", format_args!("stored weights: {e}"))
            })?,
            organization_name: row.organization_name,
            organization_description: row.organization_description,
        })
    }
}

pub(crate) const INVITE_COLUMNS: &str =
    "id, created_by, note, max_uses, uses, expires_at, revoked_at, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct InviteRow {
    id: Uuid,
    created_by: Option<Uuid>,
    note: String,
    max_uses: i32,
    uses: i32,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl From<InviteRow> for Invite {
    fn from(row: InviteRow) -> Self {
        Self {
            id: row.id,
            created_by: row.created_by,
            note: row.note,
            max_uses: row.max_uses.try_into().unwrap_or(0),
            uses: row.uses.try_into().unwrap_or(0),
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            created_at: row.created_at,
        }
    }
}

pub(crate) const SKILL_COLUMNS: &str =
    "key, family, name, description, builtin, retired_at IS NOT NULL AS retired";

#[derive(sqlx::FromRow)]
pub(crate) struct SkillRow {
    key: String,
    family: String,
    name: String,
    description: String,
    builtin: bool,
    retired: bool,
}

impl TryFrom<SkillRow> for Skill {
    type Error = CoreError;
    fn try_from(row: SkillRow) -> Result<Self, CoreError> {
        Ok(Self {
            key: SkillKey::parse(&row.key)?,
            family: row.family,
            name: row.name,
            description: row.description,
            builtin: row.builtin,
            retired: row.retired,
        })
    }
}

pub(crate) const PROFILE_COLUMNS: &str = "p.account_id, a.username, a.domain, p.display_name, p.headline, \
     p.bio, p.timezone, p.goals_summary, p.offers_mentoring, p.accepting_mentees, p.capacity, \
     p.hours_per_month, p.visibility, p.updated_at";

/// The single-valued part of a profile; its lists come from their own tables.
#[derive(sqlx::FromRow)]
pub(crate) struct ProfileRow {
    pub(crate) account_id: Uuid,
    username: String,
    domain: Option<String>,
    display_name: String,
    headline: String,
    bio: String,
    timezone: Option<String>,
    goals_summary: String,
    offers_mentoring: bool,
    accepting_mentees: bool,
    capacity: i32,
    hours_per_month: i32,
    visibility: String,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct LanguageRow {
    pub(crate) account_id: Uuid,
    tag: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SkillLevelRow {
    pub(crate) account_id: Uuid,
    skill_key: String,
    level: i32,
    wants_to_grow: bool,
}

/// A mentor for matching, with their lists folded into one text each
/// (`key:level,key:level`, `tag,tag`), so that a whole directory comes back
/// as one row a mentor.
#[derive(sqlx::FromRow)]
pub(crate) struct MatchCandidateRow {
    pub(crate) account_id: Uuid,
    domain: Option<String>,
    timezone: Option<String>,
    capacity: i32,
    skills: Option<String>,
    languages: Option<String>,
}

/// The columns of a `MatchCandidateRow`, from `profiles p JOIN accounts a`.
pub(crate) const MATCH_CANDIDATE_COLUMNS: &str = "p.account_id, a.domain, p.timezone, p.capacity, \
     (SELECT string_agg(s.skill_key || ':' || CAST(s.level AS TEXT), ',' ORDER BY s.position) \
        FROM profile_skills s WHERE s.account_id = p.account_id) AS skills, \
     (SELECT string_agg(l.tag, ',' ORDER BY l.position) \
        FROM profile_languages l WHERE l.account_id = p.account_id) AS languages";

impl MatchCandidateRow {
    pub(crate) fn assemble(self, load: MentorLoad) -> Result<MatchCandidate, CoreError> {
        let items = |folded: &Option<String>| -> Vec<String> {
            folded
                .as_deref()
                .filter(|f| !f.is_empty())
                .map(|f| f.split(',').map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let skills = items(&self.skills)
            .iter()
            .map(|item| {
                let (key, value) = item.rsplit_once(':').ok_or_else(|| {
                    CoreError::invalid("skills", format_args!("{item:?} is not key:level"))
                })?;
                let value: i32 = value.parse().map_err(|_| {
                    CoreError::invalid("skills", format_args!("{item:?} is not key:level"))
                })?;
                Ok(ProfileSkill {
                    skill: SkillKey::parse(key)?,
                    level: level(value)?,
                    wants_to_grow: false,
                })
            })
            .collect::<Result<_, CoreError>>()?;
        Ok(MatchCandidate {
            account_id: self.account_id,
            domain: self.domain,
            timezone: self.timezone.as_deref().map(Timezone::parse).transpose()?,
            capacity: small("capacity", self.capacity)?,
            skills,
            languages: items(&self.languages)
                .iter()
                .map(|tag| LanguageTag::parse(tag))
                .collect::<Result<_, _>>()?,
            load,
        })
    }
}

fn level(value: i32) -> Result<SkillLevel, CoreError> {
    SkillLevel::try_from(i64::from(value))
}

fn small(field: &str, value: i32) -> Result<u16, CoreError> {
    u16::try_from(value)
        .map_err(|_| CoreError::invalid(field, format_args!("{value} is out of range")))
}

impl ProfileRow {
    /// Puts the profile together from its row and the rows of its lists,
    /// which must belong to this profile and come in their stored order.
    pub(crate) fn assemble(
        self,
        languages: Vec<LanguageRow>,
        skills: Vec<SkillLevelRow>,
        targets: Vec<SkillLevelRow>,
    ) -> Result<ProfileRecord, CoreError> {
        let profile = Profile {
            display_name: self.display_name,
            headline: self.headline,
            bio: self.bio,
            timezone: self.timezone.as_deref().map(Timezone::parse).transpose()?,
            languages: languages
                .into_iter()
                .map(|l| LanguageTag::parse(&l.tag))
                .collect::<Result<_, _>>()?,
            skills: skills
                .into_iter()
                .map(|s| {
                    Ok(ProfileSkill {
                        skill: SkillKey::parse(&s.skill_key)?,
                        level: level(s.level)?,
                        wants_to_grow: s.wants_to_grow,
                    })
                })
                .collect::<Result<_, CoreError>>()?,
            goals: Goals {
                summary: self.goals_summary,
                targets: targets
                    .into_iter()
                    .map(|t| {
                        Ok(GoalTarget {
                            skill: SkillKey::parse(&t.skill_key)?,
                            level: level(t.level)?,
                        })
                    })
                    .collect::<Result<_, CoreError>>()?,
            },
            mentor: MentorSettings {
                offers_mentoring: self.offers_mentoring,
                accepting_mentees: self.accepting_mentees,
                capacity: small("capacity", self.capacity)?,
                hours_per_month: small("hours_per_month", self.hours_per_month)?,
            },
            visibility: Visibility::parse(&self.visibility)?,
        };
        Ok(ProfileRecord {
            account_id: self.account_id,
            username: Username::parse(&self.username)?,
            domain: self.domain,
            profile,
            updated_at: self.updated_at,
        })
    }
}

/// Rows of several accounts' lists, grouped by account, each group keeping
/// the order the rows came in.
pub(crate) fn group_by_account<R>(rows: Vec<R>, of: impl Fn(&R) -> Uuid) -> HashMap<Uuid, Vec<R>> {
    let mut groups: HashMap<Uuid, Vec<R>> = HashMap::new();
    for row in rows {
        groups.entry(of(&row)).or_default().push(row);
    }
    groups
}

/// A value stored as JSON (a review part, a career plan).
pub(crate) fn json_value<T: serde::Serialize>(value: &T) -> Result<String, crate::StoreError> {
    serde_json::to_string(value)
        .map_err(|e| crate::StoreError::Database(sqlx::Error::Encode(Box::new(e))))
}

/// A list as stored: a JSON array (of URLs, topics, action items).
pub(crate) fn json_list<T: serde::Serialize>(list: &[T]) -> String {
    // Serialising these plain values cannot fail.
    serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned())
}

fn url_list(raw: &str) -> Result<Vec<String>, CoreError> {
    serde_json::from_str(raw)
        .map_err(|e| CoreError::invalid("also_known_as", format_args!("not a JSON list: {e}")))
}

pub(crate) const LOCAL_ACTOR_COLUMNS: &str = "a.id, a.username, p.display_name, p.headline, \
     p.visibility, a.public_key_pem, u.private_key_pem, a.also_known_as, a.moved_to, a.created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct LocalActorRow {
    id: Uuid,
    username: String,
    display_name: String,
    headline: String,
    visibility: String,
    public_key_pem: String,
    private_key_pem: String,
    also_known_as: String,
    moved_to: Option<String>,
    created_at: DateTime<Utc>,
}

impl TryFrom<LocalActorRow> for LocalActor {
    type Error = CoreError;
    fn try_from(row: LocalActorRow) -> Result<Self, CoreError> {
        Ok(Self {
            account_id: row.id,
            username: Username::parse(&row.username)?,
            display_name: row.display_name,
            headline: row.headline,
            visibility: Visibility::parse(&row.visibility)?,
            keys: KeyPair {
                public_key_pem: row.public_key_pem,
                private_key_pem: row.private_key_pem,
            },
            also_known_as: url_list(&row.also_known_as)?,
            moved_to: row.moved_to,
            created_at: row.created_at,
        })
    }
}

pub(crate) const REMOTE_PERSON_COLUMNS: &str = "a.id, a.actor_url, a.username, a.domain, \
     p.display_name, a.inbox_url, a.shared_inbox_url, a.public_key_pem, a.also_known_as, \
     a.moved_to, a.fetched_at";

#[derive(sqlx::FromRow)]
pub(crate) struct RemotePersonRow {
    id: Uuid,
    actor_url: Option<String>,
    username: String,
    domain: Option<String>,
    display_name: String,
    inbox_url: Option<String>,
    shared_inbox_url: Option<String>,
    public_key_pem: String,
    also_known_as: String,
    moved_to: Option<String>,
    fetched_at: Option<DateTime<Utc>>,
}

impl TryFrom<RemotePersonRow> for RemotePerson {
    type Error = CoreError;
    fn try_from(row: RemotePersonRow) -> Result<Self, CoreError> {
        let missing = |field: &str| CoreError::invalid(field, "missing on a remote account");
        Ok(Self {
            account_id: row.id,
            actor_url: row.actor_url.ok_or_else(|| missing("actor_url"))?,
            username: Username::parse(&row.username)?,
            domain: row.domain.ok_or_else(|| missing("domain"))?,
            display_name: row.display_name,
            inbox_url: row.inbox_url.ok_or_else(|| missing("inbox_url"))?,
            shared_inbox_url: row.shared_inbox_url,
            public_key_pem: row.public_key_pem,
            also_known_as: url_list(&row.also_known_as)?,
            moved_to: row.moved_to,
            fetched_at: row.fetched_at.ok_or_else(|| missing("fetched_at"))?,
        })
    }
}

pub(crate) const INSTANCE_COLUMNS: &str = "i.domain, i.actor_url, i.inbox_url, \
     i.shared_inbox_url, i.public_key_pem, i.name, i.fetched_at, i.partnership, i.our_follow_id, \
     i.their_follow_id, i.partnership_changed_at, i.blocked_at, i.block_reason, i.delivery_state, \
     i.failing_since, i.consecutive_failures, i.last_success_at, i.last_error, i.next_attempt_at, \
     i.delivered_total, (SELECT COUNT(*) FROM deliveries d WHERE d.domain = i.domain) AS pending";

#[derive(sqlx::FromRow)]
pub(crate) struct InstanceRow {
    domain: String,
    actor_url: Option<String>,
    inbox_url: Option<String>,
    shared_inbox_url: Option<String>,
    public_key_pem: Option<String>,
    name: Option<String>,
    fetched_at: Option<DateTime<Utc>>,
    partnership: String,
    our_follow_id: Option<String>,
    their_follow_id: Option<String>,
    partnership_changed_at: Option<DateTime<Utc>>,
    blocked_at: Option<DateTime<Utc>>,
    block_reason: String,
    delivery_state: String,
    failing_since: Option<DateTime<Utc>>,
    consecutive_failures: i32,
    last_success_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    next_attempt_at: Option<DateTime<Utc>>,
    delivered_total: i64,
    pending: i64,
}

impl TryFrom<InstanceRow> for Instance {
    type Error = CoreError;
    fn try_from(row: InstanceRow) -> Result<Self, CoreError> {
        let actor = match (row.actor_url, row.inbox_url, row.public_key_pem) {
            (Some(actor_url), Some(inbox_url), Some(public_key_pem)) => Some(InstanceActor {
                domain: row.domain.clone(),
                actor_url,
                inbox_url,
                shared_inbox_url: row.shared_inbox_url,
                public_key_pem,
                name: row.name,
            }),
            _ => None,
        };
        Ok(Self {
            domain: row.domain,
            actor,
            fetched_at: row.fetched_at,
            partnership: Partnership::parse(&row.partnership)?,
            our_follow_id: row.our_follow_id,
            their_follow_id: row.their_follow_id,
            partnership_changed_at: row.partnership_changed_at,
            blocked_at: row.blocked_at,
            block_reason: row.block_reason,
            delivery_state: DeliveryState::parse(&row.delivery_state)
                .ok_or_else(|| CoreError::invalid("delivery_state", &row.delivery_state))?,
            failing_since: row.failing_since,
            consecutive_failures: row.consecutive_failures.try_into().unwrap_or(0),
            last_success_at: row.last_success_at,
            last_error: row.last_error,
            next_attempt_at: row.next_attempt_at,
            delivered_total: row.delivered_total.try_into().unwrap_or(0),
            pending_deliveries: row.pending.try_into().unwrap_or(0),
        })
    }
}

pub(crate) const DELIVERY_COLUMNS: &str =
    "id, domain, inbox_url, activity_id, signer, body, attempts, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct DeliveryRow {
    id: Uuid,
    domain: String,
    inbox_url: String,
    activity_id: String,
    signer: Option<Uuid>,
    body: String,
    attempts: i32,
    created_at: DateTime<Utc>,
}

impl From<DeliveryRow> for Delivery {
    fn from(row: DeliveryRow) -> Self {
        Self {
            id: row.id,
            domain: row.domain,
            inbox_url: row.inbox_url,
            activity_id: row.activity_id,
            signer: row.signer,
            body: row.body,
            attempts: row.attempts.try_into().unwrap_or(0),
            created_at: row.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OutboxEventRow {
    id: Uuid,
    kind: String,
    account_id: Option<Uuid>,
    domain: Option<String>,
    mentorship_event_id: Option<Uuid>,
    session_id: Option<Uuid>,
    review_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl TryFrom<OutboxEventRow> for OutboxEvent {
    type Error = CoreError;
    fn try_from(row: OutboxEventRow) -> Result<Self, CoreError> {
        Ok(Self {
            id: row.id,
            kind: OutboxEventKind::parse(&row.kind).ok_or_else(|| {
                CoreError::invalid("kind", format_args!("unknown event {:?}", row.kind))
            })?,
            account_id: row.account_id,
            domain: row.domain,
            mentorship_event_id: row.mentorship_event_id,
            session_id: row.session_id,
            review_id: row.review_id,
            created_at: row.created_at,
        })
    }
}

pub(crate) const MENTORSHIP_COLUMNS: &str = "m.id, m.state, m.message, m.goals, m.object_url, m.origin, \
     m.created_at, m.updated_at, m.mentor_id, mr.username AS mentor_username, \
     mr.domain AS mentor_domain, mr.actor_url AS mentor_actor_url, m.mentee_id, \
     me.username AS mentee_username, me.domain AS mentee_domain, me.actor_url AS mentee_actor_url";

pub(crate) const MENTORSHIPS: &str = "mentorships m JOIN accounts mr ON mr.id = m.mentor_id \
     JOIN accounts me ON me.id = m.mentee_id";

#[derive(sqlx::FromRow)]
pub(crate) struct MentorshipRow {
    id: Uuid,
    state: String,
    message: String,
    goals: String,
    object_url: Option<String>,
    origin: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    mentor_id: Uuid,
    mentor_username: String,
    mentor_domain: Option<String>,
    mentor_actor_url: Option<String>,
    mentee_id: Uuid,
    mentee_username: String,
    mentee_domain: Option<String>,
    mentee_actor_url: Option<String>,
}

impl TryFrom<MentorshipRow> for Mentorship {
    type Error = CoreError;
    fn try_from(row: MentorshipRow) -> Result<Self, CoreError> {
        Ok(Self {
            id: row.id,
            mentor: PartyRecord {
                account_id: row.mentor_id,
                username: Username::parse(&row.mentor_username)?,
                domain: row.mentor_domain,
                actor_url: row.mentor_actor_url,
            },
            mentee: PartyRecord {
                account_id: row.mentee_id,
                username: Username::parse(&row.mentee_username)?,
                domain: row.mentee_domain,
                actor_url: row.mentee_actor_url,
            },
            state: MentorshipState::parse(&row.state)?,
            message: row.message,
            goals: row.goals,
            object_url: row.object_url,
            origin: row.origin,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MentorshipEventRow {
    id: Uuid,
    state: String,
    actor_id: Uuid,
    note: String,
    at: DateTime<Utc>,
}

impl TryFrom<MentorshipEventRow> for MentorshipEvent {
    type Error = CoreError;
    fn try_from(row: MentorshipEventRow) -> Result<Self, CoreError> {
        Ok(Self {
            id: row.id,
            state: MentorshipState::parse(&row.state)?,
            actor_id: row.actor_id,
            note: row.note,
            at: row.at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct NotificationRow {
    id: Uuid,
    kind: String,
    mentorship_id: Option<Uuid>,
    nomination_id: Option<Uuid>,
    domain: Option<String>,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
}

impl From<NotificationRow> for crate::model::Notification {
    fn from(row: NotificationRow) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            mentorship_id: row.mentorship_id,
            nomination_id: row.nomination_id,
            domain: row.domain,
            created_at: row.created_at,
            read_at: row.read_at,
        }
    }
}

pub(crate) const SESSION_COLUMNS: &str = "s.id, s.mentorship_id, s.object_url, s.author_id, \
     s.held_at, s.duration_minutes, s.topics, s.notes, s.action_items, n.text AS private_note, \
     s.origin, s.created_at, s.updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: Uuid,
    mentorship_id: Uuid,
    object_url: Option<String>,
    author_id: Uuid,
    held_at: DateTime<Utc>,
    duration_minutes: i32,
    topics: String,
    notes: String,
    action_items: String,
    private_note: Option<String>,
    origin: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<SessionRow> for crate::model::Session {
    type Error = CoreError;
    fn try_from(row: SessionRow) -> Result<Self, CoreError> {
        let json = |field: &str, e: serde_json::Error| {
            CoreError::invalid(field, format_args!("stored value: {e}"))
        };
        Ok(Self {
            id: row.id,
            mentorship_id: row.mentorship_id,
            object_url: row.object_url,
            author_id: row.author_id,
            content: trellis_core::session::SessionContent {
                held_at: row.held_at,
                duration_minutes: u16::try_from(row.duration_minutes)
                    .map_err(|_| CoreError::invalid("duration_minutes", "out of range"))?,
                topics: serde_json::from_str(&row.topics).map_err(|e| json("topics", e))?,
                notes: row.notes,
                action_items: serde_json::from_str(&row.action_items)
                    .map_err(|e| json("action_items", e))?,
            },
            private_note: row.private_note,
            origin: row.origin,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// One side of something, by account: `id, username, domain`.
#[derive(sqlx::FromRow)]
pub(crate) struct PartyRow {
    id: Uuid,
    username: String,
    domain: Option<String>,
}

fn party(id: Uuid, username: &str, domain: Option<String>) -> Result<PartyRecord, CoreError> {
    Ok(PartyRecord {
        account_id: id,
        username: Username::parse(username)?,
        domain,
        // Read with cohorts, which never federate by themselves.
        actor_url: None,
    })
}

impl TryFrom<PartyRow> for PartyRecord {
    type Error = CoreError;
    fn try_from(row: PartyRow) -> Result<Self, CoreError> {
        party(row.id, &row.username, row.domain)
    }
}

/// A cohort's status, computed from its proposal (`p`, left-joined).
pub(crate) const COHORT_STATUS: &str = "CASE WHEN p.approved_at IS NOT NULL THEN 'approved' \
     WHEN p.cohort_id IS NOT NULL THEN 'proposed' ELSE 'draft' END AS status";

fn cohort_status(raw: &str) -> Result<CohortStatus, CoreError> {
    [
        CohortStatus::Draft,
        CohortStatus::Proposed,
        CohortStatus::Approved,
    ]
    .into_iter()
    .find(|s| s.as_str() == raw)
    .ok_or_else(|| CoreError::invalid("status", format_args!("unknown cohort status {raw:?}")))
}

fn count(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[derive(sqlx::FromRow)]
pub(crate) struct CohortRow {
    id: Uuid,
    name: String,
    created_by: Option<Uuid>,
    revision: i32,
    status: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct CohortMemberRow {
    role: String,
    #[sqlx(flatten)]
    party: PartyRow,
}

impl CohortRow {
    /// The cohort with its members (rows in the stored order).
    pub(crate) fn assemble(self, members: Vec<CohortMemberRow>) -> Result<Cohort, CoreError> {
        let (mut mentees, mut mentors) = (Vec::new(), Vec::new());
        for member in members {
            let list = match member.role.as_str() {
                "mentee" => &mut mentees,
                "mentor" => &mut mentors,
                other => {
                    return Err(CoreError::invalid(
                        "role",
                        format_args!("unknown cohort role {other:?}"),
                    ));
                }
            };
            list.push(PartyRecord::try_from(member.party)?);
        }
        Ok(Cohort {
            id: self.id,
            name: self.name,
            created_by: self.created_by,
            status: cohort_status(&self.status)?,
            revision: u32::try_from(self.revision).unwrap_or(0),
            mentees,
            mentors,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CohortSummaryRow {
    id: Uuid,
    name: String,
    status: String,
    mentees: i64,
    mentors: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<CohortSummaryRow> for CohortSummary {
    type Error = CoreError;
    fn try_from(row: CohortSummaryRow) -> Result<Self, CoreError> {
        Ok(Self {
            id: row.id,
            name: row.name,
            status: cohort_status(&row.status)?,
            mentees: count(row.mentees),
            mentors: count(row.mentors),
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

fn weights(raw: &str) -> Result<Weights, CoreError> {
    serde_json::from_str(raw)
        .map_err(|e| CoreError::invalid("weights", format_args!("stored weights: {e}")))
}

#[derive(sqlx::FromRow)]
pub(crate) struct ProposalRow {
    weights: String,
    total_score: i64,
    assigned: i32,
    greedy_total: i64,
    greedy_assigned: i32,
    computed_by: Option<Uuid>,
    computed_at: DateTime<Utc>,
    approved_by: Option<Uuid>,
    approved_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ProposalEntryRow {
    mentee_id: Uuid,
    mentee_username: String,
    mentee_domain: Option<String>,
    mentor_id: Option<Uuid>,
    mentor_username: Option<String>,
    mentor_domain: Option<String>,
    score: Option<i32>,
    factors: String,
    unassigned: Option<String>,
    mentorship_id: Option<Uuid>,
    failure: Option<String>,
}

impl ProposalEntryRow {
    fn entry(self, approved: bool) -> Result<ProposalEntry, CoreError> {
        let mentee = party(self.mentee_id, &self.mentee_username, self.mentee_domain)?;
        // The mentor is a `LEFT JOIN`ed account: absent for the unassigned.
        let proposed = match (self.mentor_id.zip(self.mentor_username), self.unassigned) {
            (Some((id, username)), None) => ProposedFor::Mentor {
                mentor: party(id, &username, self.mentor_domain)?,
                score: self
                    .score
                    .and_then(|s| u8::try_from(s).ok())
                    .ok_or_else(|| CoreError::invalid("score", "missing or out of range"))?,
                factors: serde_json::from_str(&self.factors).map_err(|e| {
                    CoreError::invalid("factors", format_args!("stored factors: {e}"))
                })?,
            },
            (None, Some(reason)) => ProposedFor::Unassigned(Unassigned::parse(&reason)?),
            _ => {
                return Err(CoreError::invalid(
                    "entry",
                    "a proposal entry needs either a mentor or a reason",
                ));
            }
        };
        let outcome = match (&proposed, self.mentorship_id, self.failure) {
            (ProposedFor::Mentor { .. }, Some(id), _) if approved => {
                Some(RequestOutcome::Requested(id))
            }
            (ProposedFor::Mentor { .. }, None, Some(why)) if approved => {
                Some(RequestOutcome::Failed(why))
            }
            _ => None,
        };
        Ok(ProposalEntry {
            mentee,
            proposed,
            outcome,
        })
    }
}

impl ProposalRow {
    pub(crate) fn assemble(
        self,
        cohort_id: Uuid,
        entries: Vec<ProposalEntryRow>,
    ) -> Result<Proposal, CoreError> {
        let approved = self.approved_at.is_some();
        Ok(Proposal {
            cohort_id,
            weights: weights(&self.weights)?,
            total_score: u64::try_from(self.total_score).unwrap_or(0),
            assigned: u32::try_from(self.assigned).unwrap_or(0),
            greedy_total_score: u64::try_from(self.greedy_total).unwrap_or(0),
            greedy_assigned: u32::try_from(self.greedy_assigned).unwrap_or(0),
            computed_by: self.computed_by,
            computed_at: self.computed_at,
            approved_by: self.approved_by,
            approved_at: self.approved_at,
            entries: entries
                .into_iter()
                .map(|row| row.entry(approved))
                .collect::<Result<_, _>>()?,
        })
    }
}

pub(crate) const REVIEW_COLUMNS: &str = "r.id, r.mentorship_id, r.object_url, r.started_by, \
     r.skills, r.state, r.mentee_part, r.mentee_submitted_at, r.mentor_part, \
     r.mentor_submitted_at, r.started_at, r.completed_at, r.origin";

#[derive(sqlx::FromRow)]
pub(crate) struct ReviewRow {
    id: Uuid,
    mentorship_id: Uuid,
    object_url: Option<String>,
    started_by: Uuid,
    skills: String,
    state: String,
    mentee_part: Option<String>,
    mentee_submitted_at: Option<DateTime<Utc>>,
    mentor_part: Option<String>,
    mentor_submitted_at: Option<DateTime<Utc>>,
    started_at: DateTime<Utc>,
    origin: Option<String>,
    completed_at: Option<DateTime<Utc>>,
}

fn submitted(
    field: &str,
    part: Option<String>,
    at: Option<DateTime<Utc>>,
) -> Result<Option<crate::model::Submitted>, CoreError> {
    match (part, at) {
        (Some(part), Some(at)) => Ok(Some(crate::model::Submitted {
            part: serde_json::from_str(&part)
                .map_err(|e| CoreError::invalid(field, format_args!("not a review part: {e}")))?,
            at,
        })),
        _ => Ok(None),
    }
}

impl TryFrom<ReviewRow> for crate::model::Review {
    type Error = CoreError;
    fn try_from(row: ReviewRow) -> Result<Self, CoreError> {
        let keys: Vec<String> = serde_json::from_str(&row.skills)
            .map_err(|e| CoreError::invalid("skills", format_args!("not a JSON list: {e}")))?;
        Ok(Self {
            id: row.id,
            mentorship_id: row.mentorship_id,
            object_url: row.object_url,
            started_by: row.started_by,
            skills: keys
                .iter()
                .map(|k| SkillKey::parse(k))
                .collect::<Result<_, _>>()?,
            state: trellis_core::review::ReviewState::parse(&row.state)?,
            mentee_part: submitted("mentee_part", row.mentee_part, row.mentee_submitted_at)?,
            mentor_part: submitted("mentor_part", row.mentor_part, row.mentor_submitted_at)?,
            started_at: row.started_at,
            origin: row.origin,
            completed_at: row.completed_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PlanVersionRow {
    version: i32,
    plan: String,
    origin: Option<String>,
    created_at: DateTime<Utc>,
}

impl TryFrom<PlanVersionRow> for crate::model::PlanVersion {
    type Error = CoreError;
    fn try_from(row: PlanVersionRow) -> Result<Self, CoreError> {
        Ok(Self {
            version: u32::try_from(row.version)
                .map_err(|_| CoreError::invalid("version", "is negative"))?,
            plan: serde_json::from_str(&row.plan)
                .map_err(|e| CoreError::invalid("plan", format_args!("not a career plan: {e}")))?,
            origin: row.origin,
            created_at: row.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SharedGrowthRow {
    growth: String,
    shared_at: DateTime<Utc>,
}

impl TryFrom<SharedGrowthRow> for crate::model::SharedGrowth {
    type Error = CoreError;
    fn try_from(row: SharedGrowthRow) -> Result<Self, CoreError> {
        Ok(Self {
            growth: serde_json::from_str(&row.growth)
                .map_err(|e| CoreError::invalid("growth", format_args!("not a growth: {e}")))?,
            shared_at: row.shared_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ImportRow {
    id: Uuid,
    account_id: Uuid,
    from_actor: String,
    origin: String,
    archive_url: Option<String>,
    archive: Option<String>,
    state: String,
    attempts: i32,
    report: Option<String>,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

impl TryFrom<ImportRow> for crate::model::Import {
    type Error = CoreError;
    fn try_from(row: ImportRow) -> Result<Self, CoreError> {
        Ok(Self {
            id: row.id,
            account_id: row.account_id,
            from_actor: row.from_actor,
            origin: row.origin,
            archive_url: row.archive_url,
            archive: row.archive,
            state: crate::model::ImportState::parse(&row.state)
                .ok_or_else(|| CoreError::invalid("state", "unknown import state"))?,
            attempts: u32::try_from(row.attempts).unwrap_or(0),
            report: row
                .report
                .map(|r| serde_json::from_str(&r))
                .transpose()
                .map_err(|e| CoreError::invalid("report", format_args!("not JSON: {e}")))?,
            created_at: row.created_at,
            finished_at: row.finished_at,
        })
    }
}
