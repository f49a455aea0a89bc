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
    Cohort, CohortApproval, CohortSummary, NewCohort, NewProposal, PartyRecord, Proposal,
    ProposedFor, RequestOutcome,
};
pub(crate) use crate::model::{
    CompletedReview, NewReview, PairingActivity, PlanVersion, Review, SharedGrowth,
};
pub(crate) use crate::model::{
    CycleRecord, DecisionOutcome, Induction, NewDecision, NewNomination, NominationRecord, Track,
};
pub(crate) use crate::model::{
    Import, ImportState, ImportedFile, ImportedMentorship, MoveOut, NewImport, Submitted,
};
pub(crate) use crate::model::{NewSession, Session};
pub(crate) use crate::rows::ImportRow;
pub(crate) use crate::rows::NotificationRow;
pub(crate) use crate::rows::{
    ACCOUNT_COLUMNS, AccountRow, DELIVERY_COLUMNS, DeliveryRow, INSTANCE_COLUMNS, INVITE_COLUMNS,
    InstanceRow, InviteRow, LOCAL_ACCOUNTS, LOCAL_ACTOR_COLUMNS, LanguageRow, LocalActorRow,
    OutboxEventRow, PROFILE_COLUMNS, ProfileRow, REMOTE_PERSON_COLUMNS, RemotePersonRow,
    SETTINGS_COLUMNS, SKILL_COLUMNS, SettingsRow, SkillLevelRow, SkillRow, group_by_account,
    json_list,
};
pub(crate) use crate::rows::{
    COHORT_STATUS, CohortMemberRow, CohortRow, CohortSummaryRow, PartyRow, ProposalEntryRow,
    ProposalRow,
};
pub(crate) use crate::rows::{MATCH_CANDIDATE_COLUMNS, MatchCandidateRow};
pub(crate) use crate::rows::{MENTORSHIP_COLUMNS, MENTORSHIPS, MentorshipEventRow, MentorshipRow};
pub(crate) use crate::rows::{
    PlanVersionRow, REVIEW_COLUMNS, ReviewRow, SharedGrowthRow, json_value,
};
pub(crate) use crate::rows::{SESSION_COLUMNS, SessionRow};
