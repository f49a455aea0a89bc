//! What the shared queries (`queries/*.rs`, included into each backend
//! module) refer to, so that each backend imports it in one line.

pub(crate) use chrono::{DateTime, Utc};
pub(crate) use sqlx::QueryBuilder;
pub(crate) use trellis_core::account::Username;
pub(crate) use trellis_core::mentorship::{MentorshipState, check_room};
pub(crate) use trellis_core::profile::{Profile, Timezone};
pub(crate) use trellis_core::settings::{FederationMode, RegistrationMode};
pub(crate) use trellis_core::skill::{SkillKey, SkillLevel, SkillSeed};
pub(crate) use uuid::Uuid;

pub(crate) use crate::error::{StoreError, StoreResult};
pub(crate) use crate::model::Notification;
pub(crate) use crate::model::{
    Account, AttemptResult, Delivery, DirectoryQuery, Instance, InstanceActor, InstanceSettings,
    Invite, KeyPair, LocalActor, Mentorship, MentorshipEvent, MentorshipStep, NewAccount,
    NewDelivery, NewInvite, NewMentorship, OutboxEvent, OutboxEventKind, Page, PartnershipStep,
    ProfileRecord, RemotePerson, Scope, SettingsChange, Skill, SkillChange, StepOutcome,
};
pub(crate) use crate::model::{
    Achievement, AchievementContent, Award, Credential, CredentialContent, CredentialKind,
    CredentialSigner, HandAward, UnsignedCredential,
};
pub(crate) use crate::model::{
    Cohort, CohortApproval, CohortSummary, NewCohort, NewProposal, PartyRecord, Proposal,
    ProposedFor, RequestOutcome,
};
pub(crate) use crate::model::{
    CompletedReview, NewReview, PairingActivity, PlanVersion, Review, SharedGrowth,
};
pub(crate) use crate::model::{
    CycleRecord, DecisionOutcome, Induction, NewDecision, NewNomination, NominationRecord, Track,
};
pub(crate) use crate::model::{EndorsementRecord, NewEndorsement};
pub(crate) use crate::model::{
    HeldCredential, Import, ImportState, ImportedFile, ImportedMentorship, MoveOut, NewImport,
    Submitted,
};
pub(crate) use crate::model::{NewSession, Session};

pub(crate) use crate::rows::accounts::{ACCOUNT_COLUMNS, AccountRow, LOCAL_ACCOUNTS};
pub(crate) use crate::rows::cohorts::{
    COHORT_STATUS, CohortMemberRow, CohortRow, CohortSummaryRow, ProposalEntryRow, ProposalRow,
};
pub(crate) use crate::rows::endorsements::{ENDORSEMENT_COLUMNS, ENDORSEMENTS, EndorsementRow};
pub(crate) use crate::rows::federation::{
    INSTANCE_COLUMNS, InstanceRow, LOCAL_ACTOR_COLUMNS, LocalActorRow, REMOTE_PERSON_COLUMNS,
    RemotePersonRow,
};
pub(crate) use crate::rows::mentorships::{
    MENTORSHIP_COLUMNS, MENTORSHIPS, MentorshipEventRow, MentorshipRow, NotificationRow, PartyRow,
};
pub(crate) use crate::rows::moves::ImportRow;
pub(crate) use crate::rows::outbox::{DELIVERY_COLUMNS, DeliveryRow, OutboxEventRow};
pub(crate) use crate::rows::profiles::{
    LanguageRow, MATCH_CANDIDATE_COLUMNS, MatchCandidateRow, PROFILE_COLUMNS, ProfileRow,
    SkillLevelRow,
};
pub(crate) use crate::rows::recognition::{
    ACHIEVEMENT_COLUMNS, AWARD_COLUMNS, AchievementRow, AwardRow, CREDENTIAL_COLUMNS, CredentialRow,
};
pub(crate) use crate::rows::reviews::{PlanVersionRow, REVIEW_COLUMNS, ReviewRow, SharedGrowthRow};
pub(crate) use crate::rows::sessions::{SESSION_COLUMNS, SessionRow};
pub(crate) use crate::rows::settings::{INVITE_COLUMNS, InviteRow, SETTINGS_COLUMNS, SettingsRow};
pub(crate) use crate::rows::skills::{SKILL_COLUMNS, SkillRow};
pub(crate) use crate::rows::{group_by_account, json_list, json_value};

/// Where a store keeps its credential signer, once installed.
pub(crate) type SignerSlot =
    std::sync::Arc<std::sync::RwLock<Option<std::sync::Arc<dyn CredentialSigner>>>>;
