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
use trellis_core::mentorship::Party;
use trellis_core::review::ReviewState;
use trellis_store::{
    Import, ImportedFile, ImportedMentorship, ImportedPlanVersion, ImportedReview, ImportedSession,
    Submitted,
};
use uuid::Uuid;

use crate::federation::PortError;
use crate::routes::export::{Archive, ArchiveMentorship, ArchiveParty, FORMAT, VERSION};
use crate::routes::reviews::PartView;
use crate::state::AppState;

/// The largest archive accepted (fetched or uploaded).
pub const MAX_ARCHIVE_BYTES: usize = 16 * 1024 * 1024;
/// Attempts at an import whose archive cannot be fetched, before giving up.
const MAX_ATTEMPTS: u32 = 8;

/// Why an import did not happen this time.
enum Failure {
    /// Try again later (the old instance could not be reached).
    Retry(String),
    /// It never will (the archive is not one to import).
    Final(String),
}

/// Runs imports as they are announced, until `shutdown`.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        if let Err(e) = run_once(&state).await {
            tracing::warn!(error = %e, "importing moved members' files");
        }
        tokio::select! {
            () = state.federation.imports_announced(Duration::from_secs(30)) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Attempts every pending import once.
pub async fn run_once(state: &AppState) -> Result<(), trellis_store::StoreError> {
    for import in state.store.pending_imports(20).await? {
        let now = Utc::now();
        match attempt(state, &import).await {
            Ok(()) => {}
            Err(Failure::Retry(why)) => {
                let give_up = import.attempts + 1 >= MAX_ATTEMPTS;
                state
                    .store
                    .import_attempt_failed(import.id, &json!({ "error": why }), give_up, now)
                    .await?;
            }
            Err(Failure::Final(why)) => {
                state
                    .store
                    .import_attempt_failed(import.id, &json!({ "error": why }), true, now)
                    .await?;
            }
        }
    }
    Ok(())
}

/// The old account an archive belongs to.
pub fn member_actor(archive: &Archive) -> String {
    archive.member.actor.clone().unwrap_or_else(|| {
        format!(
            "https://{}/users/{}",
            archive.instance,
            archive.member.username.as_str()
        )
    })
}

/// Whether an archive is one this version of Trellis imports.
pub fn check_shape(archive: &Archive) -> Result<(), String> {
    if archive.format != FORMAT {
        return Err(format!("format: expected {FORMAT:?}"));
    }
    if archive.version != VERSION {
        return Err(format!(
            "version: this instance imports version {VERSION}, not {}",
            archive.version
        ));
    }
    Ok(())
}

async fn attempt(state: &AppState, import: &Import) -> Result<(), Failure> {
    let text = match (&import.archive, &import.archive_url) {
        (Some(text), _) => text.clone().into_bytes(),
        (None, Some(url)) => state
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
    if member_actor(&archive) != import.from_actor {
        return Err(Failure::Final(format!(
            "the archive is of {}, not of {}",
            member_actor(&archive),
            import.from_actor
        )));
    }
    let (file, report) = resolve(state, import, &archive)
        .await
        .map_err(Failure::Retry)?;
    state
        .store
        .import_file(import.id, &file, &report, Utc::now())
        .await
        .map_err(|e| Failure::Retry(e.to_string()))
}

/// The account here that an archived party is: the importing member for
/// their own side, a member here, or a member elsewhere (fetched).
async fn account_of(
    state: &AppState,
    import: &Import,
    party: &ArchiveParty,
    archive: &Archive,
) -> Result<Uuid, String> {
    let actor = party.actor.clone().unwrap_or_else(|| {
        let domain = party.domain.as_deref().unwrap_or(&archive.instance);
        format!("https://{domain}/users/{}", party.username.as_str())
    });
    if actor == import.from_actor {
        return Ok(import.account_id);
    }
    if let Some(name) = state.federation.local_username(&actor) {
        let username = trellis_core::account::Username::parse(&name).map_err(|e| e.to_string())?;
        return match state.store.account_by_username(&username).await {
            Ok(Some(a)) => Ok(a.id),
            Ok(None) => Err(format!("{actor} is no member here")),
            Err(e) => Err(e.to_string()),
        };
    }
    state
        .federation
        .account_of_actor(&actor)
        .await
        .map_err(|e| format!("{actor} could not be reached: {e}"))
}

/// The archive as this instance's accounts, with what was refused.
async fn resolve(
    state: &AppState,
    import: &Import,
    archive: &Archive,
) -> Result<(ImportedFile, serde_json::Value), String> {
    let origin = |o: &Option<String>| o.clone().unwrap_or_else(|| import.origin.clone());
    let mut refused = Vec::new();
    let mut file = ImportedFile {
        plan_versions: archive
            .plan_history
            .iter()
            .map(|v| ImportedPlanVersion {
                plan: v.plan.clone(),
                created_at: v.created_at,
                origin: origin(&v.origin),
            })
            .collect(),
        mentorships: Vec::new(),
    };
    let (mut sessions, mut reviews) = (0, 0);
    for m in &archive.mentorships {
        let parties = (
            account_of(state, import, &m.mentor, archive).await,
            account_of(state, import, &m.mentee, archive).await,
        );
        let (mentor_id, mentee_id) = match parties {
            (Ok(mentor), Ok(mentee)) => (mentor, mentee),
            (Err(why), _) | (_, Err(why)) => {
                refused.push(json!({"what": format!("mentorship {}", m.id), "why": why}));
                continue;
            }
        };
        let imported = mentorship(m, mentor_id, mentee_id, &origin, &mut refused);
        let Some(imported) = imported else { continue };
        sessions += imported.sessions.len();
        reviews += imported.reviews.len();
        file.mentorships.push(imported);
    }
    let report = json!({
        "plan_versions": file.plan_versions.len(),
        "mentorships": file.mentorships.len(),
        "sessions": sessions,
        "reviews": reviews,
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
    let submitted = |p: &Option<PartView>| {
        p.as_ref().map(|v| Submitted {
            part: trellis_core::review::ReviewPart {
                ratings: v.ratings.clone(),
            },
            at: v.submitted_at,
        })
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
        reviews.push(ImportedReview {
            started_by: side(r.started_by),
            skills: r.skills.clone(),
            state: r.state,
            mentee_part: submitted(&r.mentee_part),
            mentor_part: submitted(&r.mentor_part),
            origin: origin(&r.origin),
            started_at: r.started_at,
            completed_at: r.completed_at,
        });
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
        sessions: m
            .sessions
            .iter()
            .map(|s| ImportedSession {
                author_id: side(s.logged_by),
                content: s.content.clone(),
                private_note: s.private_note.clone(),
                origin: origin(&s.origin),
                created_at: s.created_at,
                updated_at: s.updated_at,
            })
            .collect(),
        reviews,
    })
}
