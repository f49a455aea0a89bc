//! What the store takes and gives back.

use chrono::{DateTime, Utc};
use trellis_core::account::Username;
use trellis_core::mentorship::MentorshipState;
use trellis_core::partnership::Partnership;
use trellis_core::profile::{LanguageTag, Profile};
use trellis_core::settings::{FederationMode, RegistrationMode};
use trellis_core::skill::{SkillKey, SkillLevel};
use trellis_core::visibility::Visibility;
use uuid::Uuid;

/// A local member: an account that signs in here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: Uuid,
    pub username: Username,
    pub password_hash: String,
    pub is_admin: bool,
    /// The actor this member moved to; a moved account is read-only.
    pub moved_to: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: Username,
    pub password_hash: String,
    pub is_admin: bool,
    /// The member's actor key pair (PEM: SPKI public, PKCS#8 private).
    pub keys: KeyPair,
}

/// An RSA key pair in PEM, as actors sign with.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyPair {
    pub public_key_pem: String,
    pub private_key_pem: String,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("public_key_pem", &self.public_key_pem)
            .field("private_key_pem", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceSettings {
    pub registration_mode: RegistrationMode,
    pub federation_mode: FederationMode,
    pub match_weights: trellis_core::matching::Weights,
    pub organization_name: String,
    pub organization_description: String,
}

/// A change to the settings; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub struct SettingsChange {
    pub registration_mode: Option<RegistrationMode>,
    pub federation_mode: Option<FederationMode>,
    pub match_weights: Option<trellis_core::matching::Weights>,
    pub organization_name: Option<String>,
    pub organization_description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub id: Uuid,
    pub created_by: Option<Uuid>,
    pub note: String,
    pub max_uses: u32,
    pub uses: u32,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewInvite {
    /// SHA-256 of the code; the code itself is never stored.
    pub code_hash: Vec<u8>,
    pub created_by: Uuid,
    pub note: String,
    pub max_uses: u32,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skill {
    pub key: SkillKey,
    pub family: String,
    pub name: String,
    pub description: String,
    /// Shipped with the default catalog (as opposed to added by an admin).
    pub builtin: bool,
    pub retired: bool,
}

/// A change to a catalog skill; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SkillChange {
    pub family: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub retired: Option<bool>,
}

/// A member's profile with whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRecord {
    pub account_id: Uuid,
    pub username: Username,
    /// The member's instance; `None` for members of this one.
    pub domain: Option<String>,
    pub profile: Profile,
    pub updated_at: DateTime<Utc>,
}

/// Whose profiles a directory search covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Members of this instance.
    #[default]
    Local,
    /// Members of partner instances.
    Federated,
    All,
}

/// A search of the mentor directory. Only members who offer mentoring are
/// found, and only profiles whose visibility is in `visible`.
#[derive(Debug, Clone)]
pub struct DirectoryQuery {
    pub scope: Scope,
    pub visible: Vec<Visibility>,
    /// The mentor has every one of these skills…
    pub skills: Vec<SkillKey>,
    /// …at this level or higher.
    pub min_level: Option<SkillLevel>,
    /// Speaks this language (`pt` also finds `pt-BR`).
    pub language: Option<LanguageTag>,
    /// Words found in the name, username, headline or bio (case-insensitive).
    pub text: Option<String>,
    pub accepting_only: bool,
    pub limit: u32,
    pub offset: u32,
}

/// One page of results and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// A local member as an ActivityPub actor: what their actor document and
/// signatures need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalActor {
    pub account_id: Uuid,
    pub username: Username,
    pub display_name: String,
    pub headline: String,
    pub visibility: Visibility,
    pub keys: KeyPair,
    pub also_known_as: Vec<String>,
    pub moved_to: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A member of another instance, as their actor document describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotePerson {
    pub account_id: Uuid,
    pub actor_url: String,
    pub username: Username,
    pub domain: String,
    pub display_name: String,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub public_key_pem: String,
    pub also_known_as: Vec<String>,
    pub moved_to: Option<String>,
    pub fetched_at: DateTime<Utc>,
}

/// How deliveries to an instance are going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeliveryState {
    #[default]
    Ok,
    Failing,
    Unreachable,
}

impl DeliveryState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failing => "failing",
            Self::Unreachable => "unreachable",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Ok, Self::Failing, Self::Unreachable]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// The instance actor of another instance, as its actor document says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceActor {
    pub domain: String,
    pub actor_url: String,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub public_key_pem: String,
    pub name: Option<String>,
}

/// Everything this instance knows of another one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub domain: String,
    /// `None` until its actor has been fetched (a block may come first).
    pub actor: Option<InstanceActor>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub partnership: Partnership,
    /// Our latest `Follow` of them, and theirs of us.
    pub our_follow_id: Option<String>,
    pub their_follow_id: Option<String>,
    pub partnership_changed_at: Option<DateTime<Utc>>,
    pub blocked_at: Option<DateTime<Utc>>,
    pub block_reason: String,
    pub delivery_state: DeliveryState,
    pub failing_since: Option<DateTime<Utc>>,
    pub consecutive_failures: u32,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_total: u64,
    pub pending_deliveries: u64,
}

/// A signed activity to deliver to one inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// The destination instance.
    pub domain: String,
    pub inbox_url: String,
    pub activity_id: String,
    /// The local member whose key signs it; `None` for the instance actor.
    pub signer: Option<Uuid>,
    /// The activity as JSON.
    pub body: String,
}

/// A delivery waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: Uuid,
    pub domain: String,
    pub inbox_url: String,
    pub activity_id: String,
    pub signer: Option<Uuid>,
    pub body: String,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
}

/// A change whose consequences must reach other instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxEventKind {
    /// A member's profile changed: partners may need a Create, Update or Delete.
    ProfileChanged,
    /// A partnership became active: the new partner needs our published profiles.
    PartnerJoined,
    /// A local member moved a mentorship with a member elsewhere: their
    /// instance must hear of it.
    MentorshipChanged,
    /// A local member logged a session of such a mentorship.
    SessionCreated,
    /// A local member changed one.
    SessionUpdated,
    /// A local member started a skill review of such a mentorship.
    ReviewStarted,
    /// A local member submitted their part of one.
    ReviewPartSubmitted,
    /// A local member's growth changed (a review completed, their plan
    /// changed) or a mentor elsewhere began mentoring them: their mentors
    /// elsewhere need it.
    GrowthShared,
    /// A local member endorsed a skill of the other party of such a
    /// mentorship.
    EndorsementGiven,
    /// The endorser withdrew such an endorsement.
    EndorsementWithdrawn,
}

impl OutboxEventKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ProfileChanged => "profile_changed",
            Self::PartnerJoined => "partner_joined",
            Self::MentorshipChanged => "mentorship_changed",
            Self::SessionCreated => "session_created",
            Self::SessionUpdated => "session_updated",
            Self::ReviewStarted => "review_started",
            Self::ReviewPartSubmitted => "review_part_submitted",
            Self::GrowthShared => "growth_shared",
            Self::EndorsementGiven => "endorsement_given",
            Self::EndorsementWithdrawn => "endorsement_withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::ProfileChanged,
            Self::PartnerJoined,
            Self::MentorshipChanged,
            Self::SessionCreated,
            Self::SessionUpdated,
            Self::ReviewStarted,
            Self::ReviewPartSubmitted,
            Self::GrowthShared,
            Self::EndorsementGiven,
            Self::EndorsementWithdrawn,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEvent {
    pub id: Uuid,
    pub kind: OutboxEventKind,
    pub account_id: Option<Uuid>,
    pub domain: Option<String>,
    /// The mentorship step to send (`MentorshipChanged`).
    pub mentorship_event_id: Option<Uuid>,
    /// The session to send (`SessionCreated`, `SessionUpdated`).
    pub session_id: Option<Uuid>,
    /// The review to send (`ReviewStarted`, `ReviewPartSubmitted`).
    pub review_id: Option<Uuid>,
    /// The endorsement to send (`EndorsementGiven`, `EndorsementWithdrawn`).
    pub endorsement_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A partnership step: applied only if the partnership is still in
/// `from`, together with what it sends, in one transaction.
#[derive(Debug, Clone)]
pub struct PartnershipStep {
    pub domain: String,
    pub from: Partnership,
    pub to: Partnership,
    /// A new `Follow` of ours (`None` keeps the one recorded).
    pub our_follow: Option<String>,
    /// A new `Follow` of theirs (`None` keeps the one recorded).
    pub their_follow: Option<String>,
    /// Send them our published profiles again even if the partnership was
    /// active already (they asked anew, so they may have lost them).
    pub resend_profiles: bool,
    pub deliveries: Vec<NewDelivery>,
    /// The received activity this step answers, recorded so that a repeat
    /// has no effect.
    pub received: Option<String>,
}

/// What became of a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    Applied(Box<Instance>),
    /// The received activity had been processed already; nothing changed.
    Duplicate,
    /// The partnership was no longer in the expected state; nothing changed.
    Moved,
}

/// What a delivery attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptResult {
    Delivered,
    /// It can never be delivered (its inbox is not allowed); it leaves the
    /// queue with the reason recorded.
    Dropped {
        reason: String,
    },
    Failed {
        error: String,
        retry_at: DateTime<Utc>,
        /// The instance has failed long enough to be called unreachable.
        unreachable: bool,
    },
}

/// One side of a mentorship, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRecord {
    pub account_id: Uuid,
    pub username: Username,
    /// `None` for members of this instance.
    pub domain: Option<String>,
    /// The actor of a member elsewhere (`None` for members of this one;
    /// read with mentorships only, `None` in cohorts).
    pub actor_url: Option<String>,
}

impl PartyRecord {
    pub const fn is_local(&self) -> bool {
        self.domain.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mentorship {
    pub id: Uuid,
    pub mentor: PartyRecord,
    pub mentee: PartyRecord,
    pub state: MentorshipState,
    pub message: String,
    pub goals: String,
    pub object_url: Option<String>,
    /// The instance it was kept by before the member moved here, if it
    /// was imported (`None`: here).
    pub origin: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewMentorship {
    pub mentor_id: Uuid,
    pub mentee_id: Uuid,
    pub message: String,
    pub goals: String,
    /// The federated `Mentorship` object's id, when the mentee is a member
    /// elsewhere (`None`: this instance names it).
    pub object_url: Option<String>,
    /// The received `Offer` this records (a repeat changes nothing).
    pub received: Option<String>,
    /// When the mentor has no room, record the request as declined by
    /// them with the reason (for requests from elsewhere, which must get
    /// an answer) instead of refusing it.
    pub decline_when_full: bool,
    /// Record the request as declined by the mentor at once, with this
    /// reason (a request from elsewhere to a mentor who no longer shows
    /// their profile there).
    pub decline_with: Option<String>,
}

/// A state a mentorship entered: when, by whom, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorshipEvent {
    pub id: Uuid,
    pub state: MentorshipState,
    pub actor_id: Uuid,
    pub note: String,
    pub at: DateTime<Utc>,
}

/// A move of a mentorship from one state to another, applied only if it is
/// still in `from`.
#[derive(Debug, Clone)]
pub struct MentorshipStep {
    pub id: Uuid,
    pub from: MentorshipState,
    pub to: MentorshipState,
    pub actor_id: Uuid,
    pub note: String,
    /// The received activity this step applies (a repeat changes nothing).
    pub received: Option<String>,
}

/// A mentor as matching ranks them: only what scoring reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchCandidate {
    pub account_id: Uuid,
    /// The mentor's instance; `None` for members of this one.
    pub domain: Option<String>,
    pub timezone: Option<trellis_core::profile::Timezone>,
    pub capacity: u16,
    pub skills: Vec<trellis_core::profile::ProfileSkill>,
    pub languages: Vec<trellis_core::profile::LanguageTag>,
    pub load: MentorLoad,
}

/// How busy a mentor is and has been.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MentorLoad {
    /// Mentorships holding a place (active or paused).
    pub active: u32,
    /// Requests waiting for an answer.
    pub pending: u32,
    pub completed: u32,
}

/// Something a member should know about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: Uuid,
    /// `mentorship_requested`, `mentorship_<state>` (the state it entered),
    /// `cohort_request_sent` (a cohort's approval made a request in the
    /// member's name), `partnership_<state>` (for admins),
    /// `achievement_awarded`, `credential_revoked`, `counterpart_moved`,
    /// `file_imported`, or `nomination_received`, `nomination_awaits_you`
    /// and `nomination_<decision>` (career tracks).
    pub kind: String,
    pub mentorship_id: Option<Uuid>,
    /// The nomination it is about (`nomination_*` kinds).
    pub nomination_id: Option<Uuid>,
    pub domain: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A session of a mentorship, as one party sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: Uuid,
    pub mentorship_id: Uuid,
    /// Its federated id when the other party's instance named it.
    pub object_url: Option<String>,
    pub author_id: Uuid,
    pub content: trellis_core::session::SessionContent,
    /// The viewing party's private note (never the other party's).
    pub private_note: Option<String>,
    /// Where it was logged, if imported from another instance.
    pub origin: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A session logged by `author_id` (or received from their instance).
#[derive(Debug, Clone)]
pub struct NewSession {
    pub mentorship_id: Uuid,
    pub author_id: Uuid,
    pub content: trellis_core::session::SessionContent,
    pub object_url: Option<String>,
    /// The received activity this records (a repeat changes nothing).
    pub received: Option<String>,
}

/// A skill review of a mentorship: the skills it covers, and each party's
/// part once submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: Uuid,
    pub mentorship_id: Uuid,
    /// Its federated id when the other party's instance named it.
    pub object_url: Option<String>,
    pub started_by: Uuid,
    pub skills: Vec<SkillKey>,
    pub state: trellis_core::review::ReviewState,
    pub mentee_part: Option<Submitted>,
    pub mentor_part: Option<Submitted>,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Where it took place, if imported from another instance.
    pub origin: Option<String>,
}

/// A party's part of a review, and when it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub part: trellis_core::review::ReviewPart,
    pub at: DateTime<Utc>,
}

/// A review started by `started_by` (or received from their instance).
#[derive(Debug, Clone)]
pub struct NewReview {
    pub mentorship_id: Uuid,
    pub started_by: Uuid,
    pub skills: Vec<SkillKey>,
    pub object_url: Option<String>,
    /// The received activity this records (a repeat changes nothing).
    pub received: Option<String>,
}

/// One party of a mentorship endorsing a skill of the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndorsementRecord {
    pub id: Uuid,
    pub mentorship_id: Uuid,
    pub endorser: PartyRecord,
    pub subject: PartyRecord,
    pub endorsement: trellis_core::recognition::Endorsement,
    /// Its federated id when the endorser's instance named it (`None`:
    /// given here, so it is `/endorsements/{id}` of this instance).
    pub object_url: Option<String>,
    /// The credential the endorser's instance issued for it, as received.
    pub credential: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When the endorser withdrew it; a withdrawn one is shown to no one.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// An endorsement given by `endorser_id` (or received from their instance).
#[derive(Debug, Clone)]
pub struct NewEndorsement {
    pub mentorship_id: Uuid,
    pub endorser_id: Uuid,
    pub subject_id: Uuid,
    pub endorsement: trellis_core::recognition::Endorsement,
    pub object_url: Option<String>,
    /// A compact VC-JWT sent with a received endorsement, kept verbatim.
    pub credential: Option<String>,
    /// The received activity this records (a repeat changes nothing).
    pub received: Option<String>,
}

/// A completed review of a member as mentee, for their growth timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedReview {
    pub review: Review,
    /// The mentor, and their instance (`None`: this one).
    pub mentor: PartyRecord,
}

/// What a mentorship under way has done lately, in figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingActivity {
    pub mentorship_id: Uuid,
    /// Sessions held in the period asked about.
    pub sessions_since: u64,
    pub last_session_at: Option<DateTime<Utc>>,
    pub reviews_completed: u64,
    /// Completed or in progress.
    pub reviews_started: u64,
}

/// A mentee's growth as their instance shared it with their mentor here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedGrowth {
    pub growth: trellis_core::growth::Growth,
    /// When the mentee's instance computed it.
    pub shared_at: DateTime<Utc>,
}

/// One version of a member's career plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanVersion {
    pub version: u32,
    pub plan: trellis_core::plan::CareerPlan,
    /// Where it was kept, if imported from another instance.
    pub origin: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A new cohort: a name, and who made it.
#[derive(Debug, Clone)]
pub struct NewCohort {
    pub name: String,
    pub created_by: Uuid,
}

/// Where a cohort stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CohortStatus {
    /// No proposal yet (or the members changed since the last one).
    Draft,
    /// A proposal waits for review.
    Proposed,
    /// The proposal was approved and its requests sent; the cohort is closed.
    Approved,
}

impl CohortStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Proposed => "proposed",
            Self::Approved => "approved",
        }
    }
}

/// A cohort with its members, each list in the order it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cohort {
    pub id: Uuid,
    pub name: String,
    pub created_by: Option<Uuid>,
    pub status: CohortStatus,
    /// Goes up with every change of the members.
    pub revision: u32,
    pub mentees: Vec<PartyRecord>,
    pub mentors: Vec<PartyRecord>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A cohort as lists show it: counts instead of members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortSummary {
    pub id: Uuid,
    pub name: String,
    pub status: CohortStatus,
    pub mentees: u32,
    pub mentors: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a proposal says for one mentee.
#[derive(Debug, Clone, PartialEq)]
pub enum ProposedFor<M> {
    Mentor {
        mentor: M,
        score: u8,
        factors: Vec<trellis_core::matching::FactorScore>,
    },
    Unassigned(trellis_core::cohort::Unassigned),
}

/// A proposal to store: computed from the members at `revision`.
#[derive(Debug, Clone)]
pub struct NewProposal {
    pub cohort_id: Uuid,
    pub revision: u32,
    pub computed_by: Uuid,
    pub weights: trellis_core::matching::Weights,
    pub total_score: u64,
    pub assigned: u32,
    pub greedy_total_score: u64,
    pub greedy_assigned: u32,
    /// One per mentee, in the cohort's order: (mentee id, what is proposed).
    pub entries: Vec<(Uuid, ProposedFor<Uuid>)>,
}

/// What became of a proposed pair's request on approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestOutcome {
    /// The request was made: this mentorship, in `requested`.
    Requested(Uuid),
    /// It was not made, for this reason; nothing was changed for the pair.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProposalEntry {
    pub mentee: PartyRecord,
    pub proposed: ProposedFor<PartyRecord>,
    /// After approval, for pairs: what became of the request.
    pub outcome: Option<RequestOutcome>,
}

/// A stored proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub cohort_id: Uuid,
    pub weights: trellis_core::matching::Weights,
    pub total_score: u64,
    pub assigned: u32,
    pub greedy_total_score: u64,
    pub greedy_assigned: u32,
    pub computed_by: Option<Uuid>,
    pub computed_at: DateTime<Utc>,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTime<Utc>>,
    pub entries: Vec<ProposalEntry>,
}

/// An approval: who approves, and the message every request carries.
#[derive(Debug, Clone)]
pub struct CohortApproval {
    pub approved_by: Uuid,
    pub message: String,
}

/// How an import of a moved member's archive stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportState {
    /// Waiting to be fetched and imported (retried until it is, or fails).
    Pending,
    Imported,
    /// Given up on; the report says why.
    Failed,
}

impl ImportState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Imported => "imported",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Pending, Self::Imported, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// An archive to import into a local member's account: announced by a
/// `Move` (fetched from `archive_url`) or uploaded by the member.
#[derive(Debug, Clone)]
pub struct NewImport {
    pub account_id: Uuid,
    /// The old actor the archive belongs to.
    pub from_actor: String,
    /// The old actor's instance (the domain imported history is marked with).
    pub origin: String,
    pub archive_url: Option<String>,
    pub archive: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub id: Uuid,
    pub account_id: Uuid,
    pub from_actor: String,
    pub origin: String,
    pub archive_url: Option<String>,
    pub archive: Option<String>,
    pub state: ImportState,
    pub attempts: u32,
    pub report: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A moved member's file, resolved to this instance's accounts, ready to
/// be written in one transaction.
#[derive(Debug, Clone, Default)]
pub struct ImportedFile {
    /// Plan versions, oldest first, each with where it was kept.
    pub plan_versions: Vec<ImportedPlanVersion>,
    pub mentorships: Vec<ImportedMentorship>,
    /// Credentials of other issuers, each verified.
    pub credentials: Vec<HeldCredential>,
}

/// A credential of another issuer that a member brought with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCredential {
    /// Its id (public URL at the issuer).
    pub url: String,
    /// `award`, `endorsement`, `induction`, `participation`, as the archive says.
    pub kind: String,
    pub issuer: String,
    pub jwt: String,
    /// The instance it came from.
    pub origin: String,
}

#[derive(Debug, Clone)]
pub struct ImportedPlanVersion {
    pub plan: trellis_core::plan::CareerPlan,
    pub created_at: DateTime<Utc>,
    pub origin: String,
}

#[derive(Debug, Clone)]
pub struct ImportedMentorship {
    pub mentor_id: Uuid,
    pub mentee_id: Uuid,
    pub state: MentorshipState,
    pub message: String,
    pub goals: String,
    /// The federated `Mentorship` object's id, by which both instances
    /// keep naming it.
    pub object_url: String,
    pub origin: String,
    pub created_at: DateTime<Utc>,
    /// Every state it entered: (state, by whom, note, when), oldest first.
    pub history: Vec<(MentorshipState, Uuid, String, DateTime<Utc>)>,
    pub sessions: Vec<ImportedSession>,
    pub reviews: Vec<ImportedReview>,
}

#[derive(Debug, Clone)]
pub struct ImportedSession {
    pub author_id: Uuid,
    pub content: trellis_core::session::SessionContent,
    /// The moving member's own private note.
    pub private_note: Option<String>,
    pub origin: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A career track as stored: its ranks in order, lowest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    pub id: Uuid,
    pub track: trellis_core::track::CareerTrack,
    pub created_at: DateTime<Utc>,
}

/// An induction cycle of a track, with its stages and their committees
/// (local members, named by account id in `cycle` and by name in `members`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleRecord {
    pub id: Uuid,
    pub track_id: Uuid,
    pub cycle: trellis_core::track::Cycle,
    /// Every committee member of the cycle, by account id.
    pub members: Vec<PartyRecord>,
    pub created_at: DateTime<Utc>,
}

/// A nomination to submit to a cycle, by `submitted_by` (the sponsor, or
/// the nominee for a self-nomination).
#[derive(Debug, Clone)]
pub struct NewNomination {
    pub cycle_id: Uuid,
    pub submitted_by: Uuid,
    pub nomination: trellis_core::track::Nomination,
}

/// A nomination with its decision log and where the log leaves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NominationRecord {
    pub id: Uuid,
    pub cycle_id: Uuid,
    pub track_id: Uuid,
    pub nomination: trellis_core::track::Nomination,
    pub nominee: PartyRecord,
    pub sponsor: Option<PartyRecord>,
    /// Replayed from `log` with the cycle's stages.
    pub state: trellis_core::track::NominationState,
    pub log: Vec<trellis_core::track::LogEntry>,
    /// When the nominee picked the evidence; until then a sponsored
    /// nomination cannot be decided on.
    pub accepted_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct ImportedReview {
    pub started_by: Uuid,
    pub skills: Vec<SkillKey>,
    pub state: trellis_core::review::ReviewState,
    pub mentee_part: Option<Submitted>,
    pub mentor_part: Option<Submitted>,
    pub origin: String,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// A local member's move to their account elsewhere, as the old instance
/// records it.
#[derive(Debug, Clone)]
pub struct MoveOut {
    pub account_id: Uuid,
    /// The new account, as an account here (a member elsewhere).
    pub target_id: Uuid,
    pub target_url: String,
    /// What opens the archive to the new instance, hashed.
    pub token_hash: Vec<u8>,
    /// The `Move`s to send.
    pub deliveries: Vec<NewDelivery>,
    /// The member's file as it is now (the JSON archive), served to the
    /// new instance: taken before anything is re-pointed.
    pub archive: String,
    /// The archive stays open until then.
    pub expires_at: DateTime<Utc>,
}

/// A decision to record: `stage` (from 0) is the stage the decider decides
/// for; if the nomination is elsewhere by then, nothing is recorded.
#[derive(Debug, Clone)]
pub struct NewDecision {
    pub nomination_id: Uuid,
    pub decider: Uuid,
    pub stage: usize,
    pub decision: trellis_core::track::StageDecision,
}

/// A member's induction into a rank: what a credential is issued for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Induction {
    pub id: Uuid,
    pub account_id: Uuid,
    pub track_id: Uuid,
    pub track_name: String,
    /// The rank's name and position in the track (0: the lowest).
    pub rank: String,
    pub rank_position: u32,
    pub cycle_id: Uuid,
    pub cycle_name: String,
    pub nomination_id: Uuid,
    pub inducted_at: DateTime<Utc>,
}

/// What recording a decision did: the nomination after it, and the
/// induction it made when it was the last stage's approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionOutcome {
    pub nomination: NominationRecord,
    pub induction: Option<Induction>,
}

/// What a credential recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// An achievement awarded (automatically or by hand).
    Award,
    /// One member's endorsement of another's skill.
    Endorsement,
    /// A career-track rank reached through an induction cycle.
    Induction,
    /// A statement of a member's participation figures, on demand.
    Participation,
}

impl CredentialKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Award => "award",
            Self::Endorsement => "endorsement",
            Self::Induction => "induction",
            Self::Participation => "participation",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, trellis_core::CoreError> {
        [
            Self::Award,
            Self::Endorsement,
            Self::Induction,
            Self::Participation,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
        .ok_or_else(|| trellis_core::CoreError::invalid("kind", "unknown credential kind"))
    }
}

/// The achievement a credential recognises, as the issuer states it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AchievementContent {
    /// Names the achievement under the instance's `/achievements/` URL:
    /// an achievement's id, or a fixed key such as `participation`.
    pub key: String,
    pub name: String,
    pub description: String,
    pub criteria_narrative: String,
    /// A catalog skill without `target_url` is aligned through the
    /// instance's catalog URL.
    #[serde(default)]
    pub alignment: Vec<trellis_core::recognition::Alignment>,
    /// An Open Badges `achievementType` (`Award`, `Badge`, …, or `ext:…`).
    #[serde(default)]
    pub achievement_type: Option<String>,
}

/// What a credential says, before the issuer adds itself, the URLs, the
/// status entry and the dates. Stored with the credential as JSON, so that
/// what was signed can be explained without decoding the JWT.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CredentialContent {
    /// The credential's `name`.
    pub name: String,
    pub achievement: AchievementContent,
    /// Further `credentialSubject` properties (`narrative`, `role`, …).
    #[serde(default)]
    pub subject_extra: serde_json::Map<String, serde_json::Value>,
    /// Open Badges `Evidence` objects.
    #[serde(default)]
    pub evidence: Vec<serde_json::Value>,
    #[serde(default)]
    pub valid_until: Option<DateTime<Utc>>,
}

/// A credential about to be signed: everything the signer needs.
#[derive(Debug, Clone, Copy)]
pub struct UnsignedCredential<'a> {
    pub id: Uuid,
    pub kind: CredentialKind,
    /// Its index across all status lists (list `index / 131072`).
    pub status_index: u64,
    /// The subject's username, and their actor URL if they are a member
    /// of another instance (a local member's is the signer's to build).
    pub subject_username: &'a Username,
    pub subject_actor_url: Option<&'a str>,
    /// The organization's name, as its settings say now.
    pub issuer_name: &'a str,
    pub issued_at: DateTime<Utc>,
    pub content: &'a CredentialContent,
}

/// Signs credentials with the instance key, inside the transaction that
/// issues them (federation provides it; the store only calls it).
pub trait CredentialSigner: Send + Sync + std::fmt::Debug {
    /// The compact VC-JWT for the credential, or why it cannot be signed.
    fn sign(&self, credential: &UnsignedCredential<'_>) -> Result<String, String>;
}

/// A credential this instance issued.
#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    pub id: Uuid,
    pub kind: CredentialKind,
    pub subject_id: Uuid,
    pub content: CredentialContent,
    /// The compact VC-JWT.
    pub jwt: String,
    pub status_index: u64,
    pub issued_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
}

/// An achievement the organization offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Achievement {
    pub id: Uuid,
    pub definition: trellis_core::recognition::AchievementDefinition,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

/// An achievement held by a member.
#[derive(Debug, Clone, PartialEq)]
pub struct Award {
    pub id: Uuid,
    pub achievement_id: Uuid,
    pub achievement_name: String,
    pub account_id: Uuid,
    /// Earned by the achievement's rule (false: awarded by hand).
    pub automatic: bool,
    pub reason: String,
    pub awarded_by: Option<Uuid>,
    pub credential_id: Uuid,
    pub awarded_at: DateTime<Utc>,
}

/// An admin's award of an achievement to a member.
#[derive(Debug, Clone)]
pub struct HandAward {
    pub achievement_id: Uuid,
    pub account_id: Uuid,
    pub reason: String,
    pub awarded_by: Uuid,
}
