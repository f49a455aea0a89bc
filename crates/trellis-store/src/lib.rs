//! Trellis storage. [`Store`] is the one way the rest of Trellis reads and
//! writes data; it runs on SQLite (the embedded default) or PostgreSQL,
//! chosen at run time from the database URL.
//!
//! The SQL lives in `queries/*.rs`, written once in the dialect both
//! databases accept (`$1` placeholders, `RETURNING`, `ON CONFLICT`) and
//! compiled into each backend with `include!`, one module per file (so each
//! file imports by name what it uses; `super` is the backend, with its
//! `Backend`, `Db` and `Conn`), so that each backend gets concrete,
//! type-checked code without a second copy of the text. Helpers several
//! aggregates share live in `queries/common.rs`, which imports no other
//! query module; no query module imports one that imports it back.

mod error;
pub mod model;
mod postgres;
mod rows;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::{StoreError, StoreResult};
pub use model::*;

use chrono::{DateTime, Utc};
use trellis_core::account::Username;
use trellis_core::growth::ReviewPoint;
use trellis_core::mentorship::MentorshipState;
use trellis_core::profile::Profile;
use trellis_core::skill::{SkillKey, SkillSeed};
use uuid::Uuid;

/// Which database a [`Store`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names, if it names one Trellis knows.
    pub fn of_url(url: &str) -> Option<Self> {
        let scheme = url.split_once(':').map(|(scheme, _)| scheme)?;
        match scheme {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            _ => None,
        }
    }
}

/// The data of one Trellis instance.
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(sqlite::Backend),
    Postgres(postgres::Backend),
}

impl Store {
    /// A member's growth: their completed reviews as mentee, in every
    /// mentorship, against their plan's history.
    pub async fn growth(&self, account_id: Uuid) -> StoreResult<trellis_core::growth::Growth> {
        let reviews = self.completed_reviews_of_mentee(account_id).await?;
        let points: Vec<ReviewPoint> = reviews
            .iter()
            .filter_map(|c| {
                let r = &c.review;
                let (mentee, mentor) = (r.mentee_part.as_ref()?, r.mentor_part.as_ref()?);
                Some(ReviewPoint::from_parts(
                    r.completed_at.unwrap_or(r.started_at),
                    &mentee.part,
                    &mentor.part,
                ))
            })
            .collect();
        let versions = self.plan_history(account_id).await?;
        Ok(trellis_core::growth::of(
            &points,
            versions.iter().map(|v| (v.created_at, &v.plan)),
        ))
    }

    /// Connects to the database at `url` (`sqlite://…` or `postgres://…`)
    /// with the default pool settings and this many connections.
    /// A SQLite file is created if it does not exist; migrations are not run.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        Self::connect_with(url, &PoolSettings::with_max_connections(max_connections)).await
    }

    /// Connects to the database at `url` with these pool settings.
    pub async fn connect_with(url: &str, settings: &PoolSettings) -> StoreResult<Self> {
        match Backend::of_url(url) {
            Some(Backend::Sqlite) => {
                Ok(Self::Sqlite(sqlite::Backend::connect(url, settings).await?))
            }
            Some(Backend::Postgres) => Ok(Self::Postgres(
                postgres::Backend::connect(url, settings).await?,
            )),
            None => Err(StoreError::BadUrl(format!(
                "{url:?} names neither sqlite: nor postgres:"
            ))),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// Writes a consistent copy of the whole database into the new file
    /// `path`, while it serves (SQLite's `VACUUM INTO`, which reads one
    /// snapshot, what is in the WAL included). `false` on PostgreSQL,
    /// whose own tool for this is `pg_dump`.
    pub async fn backup_into(&self, path: &std::path::Path) -> StoreResult<bool> {
        match self {
            Self::Sqlite(backend) => {
                backend.backup_into(path).await?;
                Ok(true)
            }
            Self::Postgres(_) => Ok(false),
        }
    }

    /// How busy the pool of connections is now.
    pub fn pool_stats(&self) -> PoolStats {
        match self {
            Self::Sqlite(backend) => backend.pool_stats(),
            Self::Postgres(backend) => backend.pool_stats(),
        }
    }
}

/// Writes each method of the store once, forwarding it to the backend.
macro_rules! forward {
    ($(
        $(#[$meta:meta])*
        pub async fn $name:ident(&self $(, $arg:ident : $ty:ty)* $(,)?) -> $ret:ty;
    )*) => {
        impl Store {
            $(
                $(#[$meta])*
                pub async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    match self {
                        Self::Sqlite(backend) => backend.$name($($arg),*).await,
                        Self::Postgres(backend) => backend.$name($($arg),*).await,
                    }
                }
            )*
        }
    };
}

forward! {
    /// Applies the migrations this build knows and the database lacks,
    /// under a lock (two processes migrating at once apply each migration
    /// once), and says which it applied.
    pub async fn migrate(&self) -> StoreResult<MigrationReport>;
    /// How many migrations this build knows that the database lacks.
    pub async fn pending_migrations(&self) -> StoreResult<u64>;
    /// Writes one small row in a write transaction, as every change does:
    /// whether writes go through now (a full disk, a lost server, a lock
    /// held too long say no).
    pub async fn probe_write(&self, now: DateTime<Utc>) -> StoreResult<()>;
    /// Closes every connection, waiting for those in use.
    pub async fn close(&self) -> ();
    /// What the database server says it is (`PostgreSQL 15.8 on …`,
    /// `SQLite 3.46.0`): asked of the server, not read from settings.
    pub async fn server_version(&self) -> StoreResult<String>;

    /// Creates an account with an empty profile. With an invite code hash,
    /// uses the invite in the same transaction (or fails with
    /// `InvalidInvite` and creates nothing). A taken username is a conflict.
    pub async fn register_account(
        &self,
        new: &NewAccount,
        invite_code_hash: Option<&[u8]>,
        now: DateTime<Utc>,
    ) -> StoreResult<Account>;
    /// Whether an invite code (by hash) would open an account now.
    pub async fn invite_usable(&self, code_hash: &[u8], now: DateTime<Utc>) -> StoreResult<bool>;
    pub async fn account(&self, id: Uuid) -> StoreResult<Account>;
    pub async fn account_by_username(&self, username: &Username) -> StoreResult<Option<Account>>;
    pub async fn set_admin(&self, id: Uuid, is_admin: bool) -> StoreResult<()>;
    pub async fn count_accounts(&self) -> StoreResult<u64>;
    /// Stores a sign-in token by its hash and forgets the account's expired ones.
    pub async fn insert_token(
        &self,
        token_hash: &[u8],
        account_id: Uuid,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The account a token hash signs in, unless the token expired.
    pub async fn account_by_token(
        &self,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Account>>;
    /// Forgets a token; whether it existed.
    pub async fn delete_token(&self, token_hash: &[u8]) -> StoreResult<bool>;

    pub async fn settings(&self) -> StoreResult<InstanceSettings>;
    pub async fn change_settings(&self, change: &SettingsChange) -> StoreResult<InstanceSettings>;
    pub async fn create_invite(&self, new: &NewInvite, now: DateTime<Utc>) -> StoreResult<Invite>;
    /// Every invite, newest first.
    pub async fn list_invites(&self) -> StoreResult<Vec<Invite>>;
    /// Revokes an invite; revoking twice keeps the first time.
    pub async fn revoke_invite(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<Invite>;

    /// Adds the seeds not yet in the catalog (by key) and says how many.
    pub async fn seed_skills(&self, seeds: &[SkillSeed], now: DateTime<Utc>) -> StoreResult<u64>;
    /// The catalog ordered by family and name; retired skills only if asked.
    pub async fn list_skills(&self, include_retired: bool) -> StoreResult<Vec<Skill>>;
    pub async fn skill(&self, key: &SkillKey) -> StoreResult<Skill>;
    /// Adds a skill; a key already in the catalog is a conflict.
    pub async fn create_skill(&self, skill: &Skill, now: DateTime<Utc>) -> StoreResult<Skill>;
    pub async fn change_skill(
        &self,
        key: &SkillKey,
        change: &SkillChange,
        now: DateTime<Utc>,
    ) -> StoreResult<Skill>;

    pub async fn profile(&self, account_id: Uuid) -> StoreResult<ProfileRecord>;
    /// What this instance knows of a member elsewhere, by name and domain.
    pub async fn remote_profile(
        &self,
        username: &Username,
        domain: &str,
    ) -> StoreResult<Option<ProfileRecord>>;
    pub async fn profile_by_username(&self, username: &Username) -> StoreResult<ProfileRecord>;
    /// Replaces a profile in one transaction; a skill missing from the
    /// catalog is a conflict and changes nothing.
    pub async fn put_profile(
        &self,
        account_id: Uuid,
        profile: &Profile,
        now: DateTime<Utc>,
    ) -> StoreResult<ProfileRecord>;
    /// One page of the mentor directory and the number of matches in all.
    pub async fn search_mentors(&self, query: &DirectoryQuery) -> StoreResult<Page<ProfileRecord>>;
    /// Members whose username or name contains `text` (any case), here and
    /// cached from partners, by username; at most `limit`.
    pub async fn find_members(&self, text: &str, limit: u32) -> StoreResult<Vec<ProfileRecord>>;
    /// Every mentor taking mentees with one of these visibilities, here and
    /// at active partners, with their load: what matching ranks.
    pub async fn match_candidates(
        &self,
        visible: &[trellis_core::visibility::Visibility],
    ) -> StoreResult<Vec<MatchCandidate>>;
    /// A number that grows with every committed change to what
    /// `match_candidates` reads (mentor profiles, mentorship states,
    /// partnerships); equal numbers mean equal candidates.
    pub async fn matching_version(&self) -> StoreResult<i64>;

    /// The instance actor's key pair, if made yet.
    pub async fn instance_keys(&self) -> StoreResult<Option<KeyPair>>;
    /// Stores the instance actor's key pair unless one exists; returns the one in force.
    pub async fn init_instance_keys(&self, keys: &KeyPair) -> StoreResult<KeyPair>;
    /// A local member as an actor (keys, aliases), by username.
    pub async fn local_actor(&self, username: &Username) -> StoreResult<Option<LocalActor>>;
    /// A local member as an actor, by account id.
    pub async fn local_actor_by_id(&self, account_id: Uuid) -> StoreResult<Option<LocalActor>>;
    /// A cached member of another instance, by actor URL.
    pub async fn remote_person(&self, actor_url: &str) -> StoreResult<Option<RemotePerson>>;
    /// Caches (or refreshes) a member of another instance; returns it with its account id.
    pub async fn upsert_remote_person(&self, person: &RemotePerson) -> StoreResult<RemotePerson>;
    pub async fn instance(&self, domain: &str) -> StoreResult<Option<Instance>>;
    pub async fn instance_by_actor(&self, actor_url: &str) -> StoreResult<Option<Instance>>;
    /// Every instance known, by domain.
    pub async fn list_instances(&self) -> StoreResult<Vec<Instance>>;
    /// Caches (or refreshes) another instance's actor.
    pub async fn upsert_instance_actor(
        &self,
        actor: &InstanceActor,
        now: DateTime<Utc>,
    ) -> StoreResult<Instance>;
    /// The HTTP signature flavour a peer took last, and when that was settled.
    pub async fn peer_signature(
        &self,
        domain: &str,
    ) -> StoreResult<Option<(String, DateTime<Utc>)>>;
    /// Records the signature flavour a peer takes.
    pub async fn set_peer_signature(
        &self,
        domain: &str,
        flavour: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Members who signed in since `since`.
    pub async fn count_active_users(&self, since: DateTime<Utc>) -> StoreResult<u64>;

    /// Queues deliveries (those to blocked instances are dropped).
    pub async fn enqueue_deliveries(
        &self,
        deliveries: &[NewDelivery],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Forgets received activity ids recorded before `before`; how many.
    pub async fn purge_received(&self, before: DateTime<Utc>) -> StoreResult<u64>;
    /// Whether an activity id was received and processed before.
    pub async fn activity_received(&self, activity_id: &str) -> StoreResult<bool>;
    /// Records a received activity id; false if it was seen before.
    pub async fn record_received_activity(
        &self,
        activity_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Applies a partnership step (compare-and-set, with its deliveries and
    /// the received activity's id) in one transaction.
    pub async fn step_partnership(
        &self,
        step: &PartnershipStep,
        now: DateTime<Utc>,
    ) -> StoreResult<StepOutcome>;
    /// Blocks (ending any partnership, dropping the queue) or unblocks an instance.
    pub async fn set_blocked(
        &self,
        domain: &str,
        blocked: bool,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Instance>;
    /// Instances with deliveries due and no worker on them.
    pub async fn due_domains(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<String>>;
    /// Takes an instance's queue for `holder` (a process) until `until`,
    /// unless another holder's lease runs past `now`; false then.
    pub async fn claim_domain(
        &self,
        domain: &str,
        holder: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Extends `holder`'s lease to `until`; false if another took it over.
    pub async fn renew_claim(
        &self,
        domain: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Gives up `holder`'s lease on an instance's queue, if it still has it.
    pub async fn release_domain(&self, domain: &str, holder: &str) -> StoreResult<()>;
    /// Gives up every lease `holder` has (a process stopping); how many.
    pub async fn release_claims_of(&self, holder: &str) -> StoreResult<u64>;
    /// An instance's queued deliveries, oldest first.
    pub async fn pending_deliveries(&self, domain: &str, limit: u32) -> StoreResult<Vec<Delivery>>;
    /// Records a delivery attempt and the instance's health after it.
    pub async fn record_attempt(
        &self,
        delivery: &Delivery,
        result: &AttemptResult,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Makes an instance's queue due now (it has just shown it is up).
    pub async fn retry_now(&self, domain: &str) -> StoreResult<()>;
    /// Deliveries waiting, for all instances.
    pub async fn outbox_depth(&self) -> StoreResult<u64>;
    /// Outbox events not yet turned into deliveries.
    pub async fn waiting_outbox_events(&self) -> StoreResult<u64>;
    /// The oldest outbox events waiting, each read into its kind; a row
    /// that does not fit its kind is logged and set aside as failed.
    pub async fn next_outbox_events(&self, limit: u32) -> StoreResult<Vec<PendingEvent>>;
    /// The outbox events set aside as failed, newest first, and how many
    /// there are in all.
    pub async fn failed_outbox_events(&self, limit: u32) -> StoreResult<Page<FailedOutboxEvent>>;
    /// Replaces an event by its deliveries (and the profile's published
    /// state) in one transaction; false if another worker did it first.
    pub async fn complete_outbox_event(
        &self,
        event_id: Uuid,
        deliveries: &[NewDelivery],
        published: Option<(Uuid, bool)>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Whether a member's profile is published to partners now.
    pub async fn profile_published(&self, account_id: Uuid) -> StoreResult<bool>;
    /// Local members whose profiles are published to partners.
    pub async fn published_profiles(&self) -> StoreResult<Vec<Uuid>>;
    /// Stores a partner's member's profile unless the activity was seen (false then).
    pub async fn receive_remote_profile(
        &self,
        account_id: Uuid,
        profile: &Profile,
        received: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Partner instances, not blocked.
    pub async fn active_partners(&self) -> StoreResult<Vec<Instance>>;

    /// Records a mentee's request if the mentor has room (checked under a
    /// lock); a second open mentorship of the same pair is a conflict.
    pub async fn request_mentorship(
        &self,
        new: &NewMentorship,
        now: DateTime<Utc>,
    ) -> StoreResult<Mentorship>;
    /// Moves a mentorship if it is still where the step starts; becoming
    /// active checks the mentor's room under a lock.
    pub async fn step_mentorship(
        &self,
        step: &MentorshipStep,
        now: DateTime<Utc>,
    ) -> StoreResult<Mentorship>;
    pub async fn mentorship(&self, id: Uuid) -> StoreResult<Mentorship>;
    /// The mentorship whose federated object has this id.
    pub async fn mentorship_by_object(&self, object_url: &str) -> StoreResult<Option<Mentorship>>;
    /// One recorded step, with the id of its mentorship.
    pub async fn mentorship_event(&self, event_id: Uuid) -> StoreResult<(Uuid, MentorshipEvent)>;
    /// A member's mentorships as mentor and/or mentee, newest first.
    pub async fn list_mentorships(
        &self,
        account_id: Uuid,
        as_mentor: bool,
        as_mentee: bool,
        state: Option<MentorshipState>,
    ) -> StoreResult<Vec<Mentorship>>;
    /// Every state a mentorship entered, oldest first.
    pub async fn mentorship_events(&self, id: Uuid) -> StoreResult<Vec<MentorshipEvent>>;

    /// Logs a session of a mentorship under way (a conflict otherwise).
    pub async fn add_session(&self, new: &NewSession, now: DateTime<Utc>) -> StoreResult<Session>;
    /// Replaces what both parties share of a session.
    pub async fn update_session(
        &self,
        id: Uuid,
        content: &trellis_core::session::SessionContent,
        editor_id: Uuid,
        received: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Session>;
    /// One session, with `viewer`'s private note on it.
    pub async fn session(&self, id: Uuid, viewer: Uuid) -> StoreResult<Session>;
    /// The session the other party's instance named with this id.
    pub async fn session_by_object(
        &self,
        object_url: &str,
        viewer: Uuid,
    ) -> StoreResult<Option<Session>>;
    /// A mentorship's sessions, latest first, with `viewer`'s private notes.
    pub async fn sessions(&self, mentorship_id: Uuid, viewer: Uuid) -> StoreResult<Vec<Session>>;

    /// Starts a skill review of a mentorship under way (one at a time: a
    /// conflict otherwise); the other party is told, and a member elsewhere
    /// hears of it through the outbox.
    pub async fn start_review(&self, new: &NewReview, now: DateTime<Utc>) -> StoreResult<Review>;
    /// Records `actor_id`'s part of a review, once; both parts complete it.
    pub async fn submit_review_part(
        &self,
        review_id: Uuid,
        actor_id: Uuid,
        part: &trellis_core::review::ReviewPart,
        received: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Review>;
    pub async fn review(&self, id: Uuid) -> StoreResult<Review>;
    /// The review the other party's instance named with this id.
    pub async fn review_by_object(&self, url: &str) -> StoreResult<Option<Review>>;
    /// A mentorship's reviews, oldest first.
    pub async fn reviews_of(&self, mentorship_id: Uuid) -> StoreResult<Vec<Review>>;
    /// A member's completed reviews as mentee, in every mentorship, oldest first.
    pub async fn completed_reviews_of_mentee(
        &self,
        mentee_id: Uuid,
    ) -> StoreResult<Vec<CompletedReview>>;
    /// Sets how often a mentorship reviews.
    pub async fn set_review_cadence(
        &self,
        mentorship_id: Uuid,
        cadence: trellis_core::review::Cadence,
    ) -> StoreResult<()>;
    pub async fn review_cadence(
        &self,
        mentorship_id: Uuid,
    ) -> StoreResult<trellis_core::review::Cadence>;
    /// Tells the parties of each mentorship whose review is due, once per
    /// due date; how many were due.
    pub async fn notify_due_reviews(&self, now: DateTime<Utc>) -> StoreResult<u64>;

    /// Records an endorsement of the subject's skill by the endorser, both
    /// parties of a mentorship that is active, paused or completed (checked
    /// under its lock); one in force per endorser, subject and skill (a
    /// conflict otherwise). The subject is told, and a subject elsewhere hears of it
    /// through the outbox. A repeat of a received one changes nothing.
    pub async fn endorse(
        &self,
        new: &NewEndorsement,
        now: DateTime<Utc>,
    ) -> StoreResult<EndorsementRecord>;
    /// Withdraws an endorsement, by its endorser only (refused otherwise);
    /// again, or a repeat of a received withdrawal, changes nothing. A
    /// subject elsewhere hears of it through the outbox.
    pub async fn withdraw_endorsement(
        &self,
        id: Uuid,
        endorser_id: Uuid,
        received: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<EndorsementRecord>;
    /// An endorsement, withdrawn or not.
    pub async fn endorsement(&self, id: Uuid) -> StoreResult<EndorsementRecord>;
    /// The endorsement the endorser's instance named with this id.
    pub async fn endorsement_by_object(&self, url: &str) -> StoreResult<Option<EndorsementRecord>>;
    /// A member's endorsements in force received (`given` false) or given,
    /// newest first.
    pub async fn endorsements_of(
        &self,
        account_id: Uuid,
        given: bool,
    ) -> StoreResult<Vec<EndorsementRecord>>;

    /// Figures for each mentorship under way: sessions in `[since, now]`,
    /// the last session, reviews completed and started.
    pub async fn pairing_activity(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<PairingActivity>>;
    /// When each session in `[since, now]` of a mentorship with a member of
    /// this instance was held, oldest first.
    pub async fn session_times(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<DateTime<Utc>>>;
    /// Mentorships with a member of this instance, counted by state.
    pub async fn mentorship_states(&self) -> StoreResult<Vec<(String, u64)>>;

    /// A member's career plan now (`None`: never set).
    pub async fn plan(&self, account_id: Uuid) -> StoreResult<Option<PlanVersion>>;
    /// Every version of a member's career plan, oldest first.
    pub async fn plan_history(&self, account_id: Uuid) -> StoreResult<Vec<PlanVersion>>;
    /// Keeps a new version of a member's plan (none if it is unchanged).
    /// Their mentors elsewhere are sent their growth anew.
    pub async fn put_plan(
        &self,
        account_id: Uuid,
        plan: &trellis_core::plan::CareerPlan,
        now: DateTime<Utc>,
    ) -> StoreResult<PlanVersion>;
    /// Keeps a mentee's growth as their instance shared it with a mentor
    /// here, while the mentorship is under way (a conflict otherwise). An
    /// older share than the one kept, or a repeated activity, changes
    /// nothing; the copy goes when the mentorship ends.
    pub async fn receive_shared_growth(
        &self,
        mentorship_id: Uuid,
        growth: &trellis_core::growth::Growth,
        shared_at: DateTime<Utc>,
        received: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The mentee's growth as their instance last shared it, if it has.
    pub async fn shared_growth(&self, mentorship_id: Uuid) -> StoreResult<Option<SharedGrowth>>;

    /// Sets the accounts a local member declares as also theirs
    /// (`alsoKnownAs`, actor URLs).
    pub async fn set_aliases(&self, account_id: Uuid, aliases: &[String]) -> StoreResult<()>;
    /// Moves a local member out to `target_url` (their account elsewhere,
    /// `target_id` here), all or nothing: the account becomes read-only and
    /// names where it went, its archive opens to the token (by hash) until
    /// `expires_at`, mentorships with other members here follow the new
    /// actor, and the `Move` deliveries are queued. Returns how many
    /// mentorships moved; moving twice is a conflict.
    pub async fn move_out(&self, out: &MoveOut, now: DateTime<Utc>) -> StoreResult<u64>;
    /// The archive a token (by hash) opens while it is open: the moved
    /// member's file as it was when they moved.
    pub async fn moved_archive(
        &self,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<String>>;
    /// Re-points every mentorship of `old` (a member who moved) to `new`,
    /// notes where `old` went and stops showing them as a mentor, and
    /// queues `import` (the new account's, when it is a member here), all
    /// in one transaction keyed on the `Move`: a repeat changes nothing.
    pub async fn repoint_moved(
        &self,
        old: Uuid,
        new: Uuid,
        new_url: &str,
        import: Option<&NewImport>,
        received: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Queues an archive a member uploaded for import into their account
    /// (importing a file again adds only what the account lacks; a `Move`
    /// queues its import with `repoint_moved`).
    pub async fn queue_import(&self, new: &NewImport, now: DateTime<Utc>) -> StoreResult<Import>;
    pub async fn import(&self, id: Uuid) -> StoreResult<Import>;
    /// A member's imports, newest first.
    pub async fn imports_of(&self, account_id: Uuid) -> StoreResult<Vec<Import>>;
    /// The credentials of other issuers a member brought here, oldest first.
    pub async fn held_credentials(&self, account_id: Uuid) -> StoreResult<Vec<HeldCredential>>;
    /// Imports due to be tried, longest waiting first.
    pub async fn pending_imports(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Import>>;
    /// Records a failed attempt, to be tried again at `retry_at`; without
    /// one the import fails for good (and drops its uploaded archive).
    pub async fn import_attempt_failed(
        &self,
        id: Uuid,
        report: &serde_json::Value,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Writes a moved member's file into their account and marks the
    /// import done with its report, in one transaction; mentorships held
    /// here already (by object id) stay as they are.
    pub async fn import_file(
        &self,
        import_id: Uuid,
        file: &ImportedFile,
        report: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Sets (or, with an empty text, removes) a party's private note.
    pub async fn set_private_note(
        &self,
        session_id: Uuid,
        account_id: Uuid,
        text: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Session>;
    /// Of these accounts, those who currently have a mentor.
    pub async fn mentored_among(
        &self,
        account_ids: &[Uuid],
    ) -> StoreResult<std::collections::HashSet<Uuid>>;
    /// Every mentorship under way (active or paused), oldest first.
    pub async fn current_mentorships(&self) -> StoreResult<Vec<Mentorship>>;
    /// A member's notifications, unread first, then newest first.
    pub async fn notifications(&self, account_id: Uuid, limit: u32) -> StoreResult<Vec<Notification>>;
    /// Marks one notification (by id) or all of a member's read; how many.
    pub async fn mark_read(
        &self,
        account_id: Uuid,
        id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// How busy each of these mentors is (absent: no mentorships at all).
    pub async fn mentor_loads(
        &self,
        mentor_ids: &[Uuid],
    ) -> StoreResult<std::collections::HashMap<Uuid, MentorLoad>>;
    /// Of these mentees, who has an open request or mentorship (requested,
    /// active or paused) with whom, as (mentor id, mentee id).
    pub async fn open_pairs_of(
        &self,
        mentee_ids: &[Uuid],
    ) -> StoreResult<std::collections::HashSet<(Uuid, Uuid)>>;
    /// These members' profiles, in the order asked (missing ones left out).
    pub async fn profiles(&self, account_ids: &[Uuid]) -> StoreResult<Vec<ProfileRecord>>;
    /// The accounts these handles name, where they exist: `(username, None)`
    /// is a member of this instance, `(username, Some(domain))` a cached
    /// member of another instance.
    pub async fn accounts_by_handle(
        &self,
        handles: &[(Username, Option<String>)],
    ) -> StoreResult<Vec<PartyRecord>>;

    /// Creates a cohort without members.
    pub async fn create_cohort(&self, new: &NewCohort, now: DateTime<Utc>) -> StoreResult<Cohort>;
    /// Every cohort, newest first, with member counts.
    pub async fn cohorts(&self) -> StoreResult<Vec<CohortSummary>>;
    /// A cohort with its members.
    pub async fn cohort(&self, id: Uuid) -> StoreResult<Cohort>;
    /// Replaces a cohort's members (in the order given) and drops its
    /// proposal; refused (`Refused`, a conflict) once it is approved.
    pub async fn set_cohort_members(
        &self,
        id: Uuid,
        mentees: &[Uuid],
        mentors: &[Uuid],
        now: DateTime<Utc>,
    ) -> StoreResult<Cohort>;
    /// Stores a proposal in place of any earlier one; refused if the
    /// members changed since the revision it was computed from, or the
    /// cohort is approved.
    pub async fn save_proposal(&self, new: &NewProposal, now: DateTime<Utc>) -> StoreResult<Proposal>;
    /// A cohort's proposal, if any, with each request's outcome once approved.
    pub async fn proposal(&self, cohort_id: Uuid) -> StoreResult<Option<Proposal>>;
    /// Approves the proposal and makes one request per pair through the
    /// request path, in one transaction; a pair the rules refuse now is
    /// recorded as failed without undoing the others. Refused if there is
    /// no proposal or it was approved before.
    pub async fn approve_cohort(
        &self,
        cohort_id: Uuid,
        approval: &CohortApproval,
        now: DateTime<Utc>,
    ) -> StoreResult<Proposal>;

    /// Creates a career track with its ranks (checked by core); a name in
    /// use by another track is a conflict.
    pub async fn create_track(
        &self,
        track: &trellis_core::track::CareerTrack,
        created_by: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Track>;
    /// Every track, by name.
    pub async fn tracks(&self) -> StoreResult<Vec<Track>>;
    pub async fn track(&self, id: Uuid) -> StoreResult<Track>;
    /// Creates an induction cycle of a track with its stages and their
    /// committees of local members (checked by core).
    pub async fn create_cycle(
        &self,
        track_id: Uuid,
        cycle: &trellis_core::track::Cycle,
        created_by: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<CycleRecord>;
    pub async fn cycle(&self, id: Uuid) -> StoreResult<CycleRecord>;
    /// Cycles of one track, or those taking nominations on a day; newest first.
    pub async fn cycles(
        &self,
        track_id: Option<Uuid>,
        open_on: Option<chrono::NaiveDate>,
    ) -> StoreResult<Vec<CycleRecord>>;
    /// Submits a nomination to a cycle taking nominations, with the
    /// nominee's evidence checked against their file; one per member and cycle.
    pub async fn nominate(
        &self,
        new: &NewNomination,
        now: DateTime<Utc>,
    ) -> StoreResult<NominationRecord>;
    /// The nominee picks (or replaces) the evidence before any decision,
    /// which accepts a sponsored nomination.
    pub async fn set_evidence(
        &self,
        nomination_id: Uuid,
        actor_id: Uuid,
        evidence: &[trellis_core::track::EvidenceRef],
        now: DateTime<Utc>,
    ) -> StoreResult<NominationRecord>;
    /// The nominee withdraws an undecided nomination.
    pub async fn withdraw_nomination(
        &self,
        nomination_id: Uuid,
        actor_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<NominationRecord>;
    /// A nomination with its log and the state the log leads to.
    pub async fn nomination(&self, id: Uuid) -> StoreResult<NominationRecord>;
    /// Nominations of a cycle, or those a member is nominee, sponsor or
    /// committee member of; newest first.
    pub async fn nominations(
        &self,
        cycle_id: Option<Uuid>,
        member: Option<Uuid>,
    ) -> StoreResult<Vec<NominationRecord>>;
    /// Appends a stage decision to the log, checked by core against the log
    /// read under the nomination's lock; the last stage's approval records
    /// and returns the nominee's induction.
    pub async fn record_decision(
        &self,
        new: &NewDecision,
        now: DateTime<Utc>,
    ) -> StoreResult<DecisionOutcome>;
    /// The ranks a member was inducted into (rank, track, cycle, when), oldest first.
    pub async fn inductions_of(&self, account_id: Uuid) -> StoreResult<Vec<Induction>>;
    /// One induction, by id (what a credential for it is issued from).
    pub async fn induction(&self, id: Uuid) -> StoreResult<Induction>;
    /// Runs one SQL statement as it is (tests of what the database refuses).
    #[cfg(feature = "testing")]
    pub async fn execute_unchecked(&self, sql: &str) -> StoreResult<u64>;
    /// Signs and stores a credential about a member, in one transaction
    /// (`StoreError::Signing` when no signer is installed). Endorsements
    /// and inductions are issued through here.
    pub async fn issue_credential(
        &self,
        kind: CredentialKind,
        subject_id: Uuid,
        content: &CredentialContent,
        now: DateTime<Utc>,
    ) -> StoreResult<Credential>;
    pub async fn credential(&self, id: Uuid) -> StoreResult<Credential>;
    /// A member's credentials, newest first.
    pub async fn credentials_of(&self, subject_id: Uuid) -> StoreResult<Vec<Credential>>;
    /// The newest credential issued for the achievement with this key.
    pub async fn latest_credential_for(&self, achievement_key: &str) -> StoreResult<Option<Credential>>;
    /// Revokes a credential with a reason and tells its subject; revoking
    /// again keeps the first.
    pub async fn revoke_credential(
        &self,
        id: Uuid,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Credential>;
    /// How many status lists of `entries_per_list` bits the issued
    /// credentials need (at least one).
    pub async fn status_lists(&self, entries_per_list: u64) -> StoreResult<u64>;
    /// The revoked status indexes in `[from, until)`, ascending.
    pub async fn revoked_indexes(&self, from: u64, until: u64) -> StoreResult<Vec<u64>>;
    /// The dated items of a member's file that participation counts, each
    /// credited to the organization where it happened (`home`: here).
    pub async fn participation_facts(
        &self,
        account_id: Uuid,
        home: &str,
    ) -> StoreResult<Vec<trellis_core::recognition::Fact>>;

    /// Awards what the passing of time earned: sessions held in
    /// `(since, now]` count from then on, so their parties' rules are
    /// checked again. How many members were looked at.
    pub async fn award_earned_by_time(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Adds an achievement; one with a rule is awarded, in the same
    /// transaction, to every member who meets it already.
    pub async fn create_achievement(
        &self,
        definition: &trellis_core::recognition::AchievementDefinition,
        created_by: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Achievement>;
    pub async fn achievement(&self, id: Uuid) -> StoreResult<Achievement>;
    /// Every achievement, oldest first; retired ones only if asked.
    pub async fn achievements(&self, include_retired: bool) -> StoreResult<Vec<Achievement>>;
    /// Stops awarding an achievement (awards made stay).
    pub async fn retire_achievement(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<Achievement>;
    /// Awards an achievement by hand to a local member, with its credential.
    pub async fn award_by_hand(&self, award: &HandAward, now: DateTime<Utc>) -> StoreResult<Award>;
    pub async fn award(&self, id: Uuid) -> StoreResult<Award>;
    /// A member's awards, newest first.
    pub async fn awards_of(&self, account_id: Uuid) -> StoreResult<Vec<Award>>;
}

impl Store {
    /// Installs the signer credentials are signed with as they are issued
    /// (automatic awards are issued inside the transaction that earns
    /// them). Every clone of this store shares it.
    pub fn set_credential_signer(&self, signer: std::sync::Arc<dyn CredentialSigner>) {
        match self {
            Self::Sqlite(backend) => backend.set_credential_signer(signer),
            Self::Postgres(backend) => backend.set_credential_signer(signer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_backend() {
        assert_eq!(Backend::of_url("sqlite://data/t.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::of_url("postgres://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::of_url("postgresql://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::of_url("mysql://u@h/db"), None);
        assert_eq!(Backend::of_url("data/t.db"), None);
    }
}
