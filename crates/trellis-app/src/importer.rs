//! The importer: writes a moved member's archive into their account here.
//!
//! An import is queued by a `Move` (the archive is fetched from the old
//! instance) or by the member's upload. The importer checks the archive's
//! shape and that it belongs to the old account, resolves every
//! counterpart to an account here (fetching members elsewhere), marks all
//! history with where it happened, and writes it in one transaction with
//! a report of what was imported and what was refused and why. A failure
//! to reach the old instance is retried; a bad archive fails at once.

use std::time::Duration;

use chrono::Utc;
use serde_json::json;
use tokio::sync::watch;
use tracing::Instrument;
use trellis_core::mentorship::Party;
use trellis_core::review::ReviewState;
use trellis_store::{
    Import, ImportedFile, ImportedMentorship, ImportedPlanVersion, ImportedReview, ImportedSession,
    Submitted,
};
use uuid::Uuid;

use crate::app::App;
use crate::archive::{
    Archive, ArchiveMentorship, ArchivePart, ArchiveParty, check_shape, member_actor, party_actor,
};
use crate::federation::PortError;

/// The largest archive accepted (fetched or uploaded).
pub const MAX_ARCHIVE_BYTES: usize = 16 * 1024 * 1024;
/// How long an old instance keeps a moved member's archive open.
const ARCHIVE_OPEN_DAYS: i64 = 30;
/// The most mentorships, and credentials, an archive may hold.
const MAX_MENTORSHIPS: usize = 5_000;
const MAX_CREDENTIALS: usize = 1_000;

/// Why an import did not happen this time.
enum Failure {
    /// Try again later (the old instance could not be reached).
    Retry(String),
    /// It never will (the archive is not one to import).
    Final(String),
}

/// Runs imports as they are announced, until `shutdown`.
pub async fn run(app: App, mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        let round = run_once(&app).await;
        trellis_store::job_ran("imports", round.is_ok());
        if let Err(e) = round {
            tracing::warn!(error = %e, "importing moved members' files");
        }
        tokio::select! {
            () = app.federation.imports_announced(Duration::from_secs(30)) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Attempts every import that is due once.
pub async fn run_once(app: &App) -> Result<(), trellis_store::StoreError> {
    let now = Utc::now();
    for import in app.store.pending_imports(now, 20).await? {
        let now = Utc::now();
        let span = tracing::info_span!(
            "import",
            import = %import.id,
            from = %import.from_actor,
        );
        let failed = match attempt(app, &import).instrument(span).await {
            Ok(()) => continue,
            Err(Failure::Retry(why)) => (why, retry_at(&import, now)),
            Err(Failure::Final(why)) => (why, None),
        };
        app.store
            .import_attempt_failed(import.id, &json!({ "error": failed.0 }), failed.1, now)
            .await?;
    }
    Ok(())
}

/// When to try a failed import again: after 30 seconds, doubling up to
/// six hours, for as long as the old instance keeps the archive open.
fn retry_at(import: &Import, now: chrono::DateTime<Utc>) -> Option<chrono::DateTime<Utc>> {
    let open_until = import.created_at + chrono::Duration::days(ARCHIVE_OPEN_DAYS);
    let wait = 30i64.saturating_mul(1 << import.attempts.min(10));
    let at = now + chrono::Duration::seconds(wait.min(6 * 3600));
    (at < open_until).then_some(at)
}

/// The instance (`host` or `host:port`) of an actor URL.
pub fn domain_of(actor: &str) -> Option<String> {
    let url = url::Url::parse(actor).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

async fn attempt(app: &App, import: &Import) -> Result<(), Failure> {
    let text = match (&import.archive, &import.archive_url) {
        (Some(text), _) => text.clone().into_bytes(),
        (None, Some(url)) => app
            .federation
            .fetch_archive(url, MAX_ARCHIVE_BYTES)
            .await
            .map_err(|e| match e {
                PortError::Peer(m) | PortError::Internal(m) => Failure::Retry(m),
                other => Failure::Final(other.to_string()),
            })?,
        (None, None) => return Err(Failure::Final("no archive to import".into())),
    };
    let archive: Archive = serde_json::from_slice(&text)
        .map_err(|e| Failure::Final(format!("the archive is not one Trellis reads: {e}")))?;
    check_shape(&archive).map_err(Failure::Final)?;
    if archive.mentorships.len() > MAX_MENTORSHIPS || archive.credentials.len() > MAX_CREDENTIALS {
        return Err(Failure::Final(format!(
            "an archive holds at most {MAX_MENTORSHIPS} mentorships and {MAX_CREDENTIALS} credentials"
        )));
    }
    if member_actor(&archive) != import.from_actor {
        return Err(Failure::Final(format!(
            "the archive is of {}, not of {}",
            member_actor(&archive),
            import.from_actor
        )));
    }
    let (file, report) = resolve(app, import, &archive)
        .await
        .map_err(Failure::Retry)?;
    app.store
        .import_file(import.id, &file, &report, Utc::now())
        .await
        .map_err(|e| Failure::Retry(e.to_string()))
}

/// The account here that an archived party is: the importing member for
/// their own side, a member here, or a member elsewhere (fetched).
async fn account_of(
    app: &App,
    import: &Import,
    party: &ArchiveParty,
    archive: &Archive,
) -> Result<Uuid, String> {
    let actor = party_actor(party, archive);
    if actor == import.from_actor {
        return Ok(import.account_id);
    }
    if let Some(name) = app.federation.local_username(&actor) {
        let username = trellis_core::account::Username::parse(&name).map_err(|e| e.to_string())?;
        return match app.store.account_by_username(&username).await {
            Ok(Some(a)) => Ok(a.id),
            Ok(None) => Err(format!("{actor} is no member here")),
            Err(e) => Err(e.to_string()),
        };
    }
    app.federation
        .account_of_actor(&actor)
        .await
        .map_err(|e| format!("{actor} could not be reached: {e}"))
}

/// The archive as this instance's accounts, with what was refused.
async fn resolve(
    app: &App,
    import: &Import,
    archive: &Archive,
) -> Result<(ImportedFile, serde_json::Value), String> {
    // Where each item happened: the old instance, or where it said the
    // item came from before (never this instance: that is for what
    // happens here).
    let here = app.federation.domain().to_owned();
    let origin = |o: &Option<String>| match o {
        Some(o) if *o != here => o.clone(),
        _ => import.origin.clone(),
    };
    let mut refused = Vec::new();
    // The history of a file comes only from the archive the old instance
    // sent; an uploaded one adds its credentials, which their issuers
    // vouch for.
    let history = import.archive_url.is_some();
    let mut file = ImportedFile {
        plan_versions: Vec::new(),
        mentorships: Vec::new(),
        credentials: Vec::new(),
    };
    if history {
        for v in &archive.plan_history {
            match v.plan.clone().normalize() {
                Ok(plan) => file.plan_versions.push(ImportedPlanVersion {
                    plan,
                    created_at: v.created_at,
                    origin: origin(&v.origin),
                }),
                Err(e) => refused.push(json!({
                    "what": format!("plan version {}", v.version),
                    "why": e.to_string(),
                })),
            }
        }
    }
    let (mut sessions, mut reviews) = (0, 0);
    for m in archive.mentorships.iter().filter(|_| history) {
        let parties = (
            account_of(app, import, &m.mentor, archive).await,
            account_of(app, import, &m.mentee, archive).await,
        );
        let (mentor_id, mentee_id) = match parties {
            (Ok(mentor), Ok(mentee)) => (mentor, mentee),
            (Err(why), _) | (_, Err(why)) => {
                refused.push(json!({"what": format!("mentorship {}", m.id), "why": why}));
                continue;
            }
        };
        // The member's own mentorships only, on the side the archive says.
        let mine = match m.role {
            Party::Mentor => mentor_id == import.account_id && mentee_id != import.account_id,
            Party::Mentee => mentee_id == import.account_id && mentor_id != import.account_id,
        };
        if !mine {
            refused.push(json!({
                "what": format!("mentorship {}", m.id),
                "why": "it is not one of this member's mentorships",
            }));
            continue;
        }
        let imported = mentorship(m, mentor_id, mentee_id, &origin, &mut refused);
        let Some(imported) = imported else { continue };
        sessions += imported.sessions.len();
        reviews += imported.reviews.len();
        file.mentorships.push(imported);
    }
    let mut new_actor = None;
    for c in &archive.credentials {
        let what = format!("credential {}", c.url);
        let check = match app.federation.verify_credential(&c.jwt).await {
            Ok(check) => check,
            Err(e) => {
                refused.push(json!({"what": what, "why": e.to_string()}));
                continue;
            }
        };
        if !check.verified {
            let mut why = check.problems.clone();
            if check.revoked == Some(true) {
                why.insert(0, "its issuer revoked it".into());
            }
            if !check.signature_valid && why.is_empty() {
                why.push("the signature does not match".into());
            }
            refused.push(json!({"what": what, "why": why.join("; ")}));
            continue;
        }
        if new_actor.is_none() {
            let me = app
                .store
                .account(import.account_id)
                .await
                .map_err(|e| e.to_string())?;
            new_actor = Some(app.federation.actor_url(me.username.as_str()));
        }
        let subject = check.subject.clone().unwrap_or_default();
        // About the member: their old actor, their account here, or an
        // actor they moved from before (which says it moved to the old one).
        let theirs = subject == import.from_actor
            || Some(&subject) == new_actor.as_ref()
            || app
                .federation
                .moved_to(&subject)
                .await
                .ok()
                .flatten()
                .as_deref()
                == Some(import.from_actor.as_str());
        if !theirs {
            refused.push(
                json!({"what": what, "why": format!("it is about {subject}, not this member")}),
            );
            continue;
        }
        let (Some(url), Some(issuer)) = (check.credential_id.clone(), check.issuer.id.clone())
        else {
            refused.push(json!({"what": what, "why": "it names no id or issuer"}));
            continue;
        };
        // Issued here (a member coming back): the instance holds it already.
        let here = app.federation.credential_url(Uuid::nil());
        if url.starts_with(here.trim_end_matches(&Uuid::nil().to_string())) {
            continue;
        }
        file.credentials.push(trellis_store::HeldCredential {
            url,
            kind: c.kind.as_str().to_owned(),
            issuer,
            jwt: c.jwt.clone(),
            origin: import.origin.clone(),
        });
    }
    let report = json!({
        "history": if history { "imported" } else { "taken only from the archive the old instance sends" },
        "plan_versions": file.plan_versions.len(),
        "mentorships": file.mentorships.len(),
        "sessions": sessions,
        "reviews": reviews,
        "credentials": file.credentials.len(),
        "refused": refused,
    });
    Ok((file, report))
}

/// One archived mentorship as rows here; `None` (with the reason in
/// `refused`) when it cannot be kept.
fn mentorship(
    m: &ArchiveMentorship,
    mentor_id: Uuid,
    mentee_id: Uuid,
    origin: &dyn Fn(&Option<String>) -> String,
    refused: &mut Vec<serde_json::Value>,
) -> Option<ImportedMentorship> {
    let Some(object_url) = m.object.clone() else {
        refused.push(json!({
            "what": format!("mentorship {}", m.id),
            "why": "the archive does not say how the mentorship is named",
        }));
        return None;
    };
    let side = |p: Party| match p {
        Party::Mentor => mentor_id,
        Party::Mentee => mentee_id,
    };
    // Each part is held to the rules a part submitted here keeps.
    let submitted = |p: &Option<ArchivePart>, skills: &[trellis_core::skill::SkillKey]| {
        p.as_ref()
            .map(|v| {
                let part = trellis_core::review::ReviewPart {
                    ratings: v.ratings.clone(),
                }
                .normalize(skills)?;
                Ok(Submitted {
                    part,
                    at: v.submitted_at,
                })
            })
            .transpose()
    };
    let mut reviews = Vec::new();
    for r in &m.reviews {
        // A review in progress whose other part is hidden from the member
        // cannot be carried whole: it is left to be started again.
        let complete = r.state != ReviewState::Completed
            || (r.mentee_part.is_some() && r.mentor_part.is_some());
        let hidden = match r.state {
            ReviewState::MenteeDone => r.mentee_part.is_none(),
            ReviewState::MentorDone => r.mentor_part.is_none(),
            _ => false,
        };
        if !complete || hidden {
            refused.push(json!({
                "what": format!("review {}", r.id),
                "why": "a review in progress travels only whole; start it again",
            }));
            continue;
        }
        let parts = (
            submitted(&r.mentee_part, &r.skills),
            submitted(&r.mentor_part, &r.skills),
        );
        let (mentee_part, mentor_part) = match parts {
            (Ok(mentee), Ok(mentor)) => (mentee, mentor),
            (Err(e), _) | (_, Err(e)) => {
                let e: trellis_core::CoreError = e;
                refused.push(json!({"what": format!("review {}", r.id), "why": e.to_string()}));
                continue;
            }
        };
        reviews.push(ImportedReview {
            started_by: side(r.started_by),
            skills: r.skills.clone(),
            state: r.state,
            mentee_part,
            mentor_part,
            origin: origin(&r.origin),
            started_at: r.started_at,
            completed_at: r.completed_at,
        });
    }
    // Each session is held to the rules a session logged here keeps.
    let mut sessions = Vec::new();
    for s in &m.sessions {
        match s.content.clone().normalize() {
            Ok(content) => sessions.push(ImportedSession {
                author_id: side(s.logged_by),
                content,
                private_note: s.private_note.clone(),
                origin: origin(&s.origin),
                created_at: s.created_at,
                updated_at: s.updated_at,
            }),
            Err(e) => {
                refused.push(json!({"what": format!("session {}", s.id), "why": e.to_string()}))
            }
        }
    }
    Some(ImportedMentorship {
        mentor_id,
        mentee_id,
        state: m.state,
        message: m.message.clone(),
        goals: m.goals.clone(),
        object_url,
        origin: origin(&m.origin),
        created_at: m.created_at,
        history: m
            .history
            .iter()
            .map(|h| (h.state, side(h.by), h.note.clone(), h.at))
            .collect(),
        sessions,
        reviews,
    })
}
