//! Career tracks and induction cycles: admins define tracks (ordered
//! ranks) and cycles (dates and ordered stages, each with its committee);
//! members are nominated, by themselves or by a sponsor; each stage's
//! committee records its decision with a rationale, and the last stage's
//! approval inducts the nominee into the rank.
//!
//! Who sees what (`trellis_core::track::may_read_log`, `may_see_state`):
//! the nominee and every committee member of the cycle read the whole
//! nomination — its evidence, summarised from the nominee's file (never a
//! note), and its decision log. The sponsor sees where it stands and the
//! statement, not the evidence or the rationales. Anyone else, admins
//! included, is answered as if it did not exist; admins see every
//! nomination of a cycle as figures (`/api/v1/admin/cycles/{id}/nominations`).
//! A member's ranks are theirs (`/api/v1/me/ranks`), not on their profile.
//! Cycles, with their committees, are shown to every member, so that a
//! nominee knows who decides.

use axum::extract::State;
use axum::http::StatusCode;
use trellis_app::App;
use trellis_app::tracks::{
    self, CreateCycle, CycleView, Decide, DecisionView, InductionView, LogEntryView, Nominate,
    NominationFigures, NominationView, PickEvidence, TrackView,
};
use trellis_core::track::CareerTrack;
use uuid::Uuid;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Admin, AppJson, AppPath, Caller};

/// Creates a career track with its ranks, lowest first.
#[utoipa::path(
    post,
    path = "/api/v1/admin/tracks",
    tag = "tracks",
    security(("bearer" = [])),
    request_body = CareerTrack,
    responses(
        (status = 201, description = "Created", body = TrackView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "A track has this name already", body = ErrorBody),
        (status = 422, description = "No ranks, a rank named twice, or a text too long", body = ErrorBody),
    )
)]
pub async fn create_track(
    State(app): State<App>,
    Admin(admin): Admin,
    AppJson(body): AppJson<CareerTrack>,
) -> ApiResult<(StatusCode, AppJson<TrackView>)> {
    Ok((
        StatusCode::CREATED,
        AppJson(tracks::create_track(&app, &admin, body).await?),
    ))
}

/// Every career track, by name.
#[utoipa::path(
    get,
    path = "/api/v1/tracks",
    tag = "tracks",
    security(("bearer" = [])),
    responses((status = 200, description = "The tracks", body = Vec<TrackView>))
)]
pub async fn list_tracks(
    State(app): State<App>,
    Caller(caller): Caller,
) -> ApiResult<AppJson<Vec<TrackView>>> {
    Ok(AppJson(tracks::list_tracks(&app, &caller).await?))
}

/// One career track with its ranks.
#[utoipa::path(
    get,
    path = "/api/v1/tracks/{id}",
    tag = "tracks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The track's id")),
    responses(
        (status = 200, description = "The track", body = TrackView),
        (status = 404, description = "No such track", body = ErrorBody),
    )
)]
pub async fn get_track(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<TrackView>> {
    Ok(AppJson(tracks::get_track(&app, &caller, id).await?))
}

/// Creates an induction cycle of a track: the days nominations are taken,
/// and the stages in the order they decide, each with its committee
/// (members of this instance, by username).
#[utoipa::path(
    post,
    path = "/api/v1/admin/tracks/{id}/cycles",
    tag = "tracks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The track's id")),
    request_body = CreateCycle,
    responses(
        (status = 201, description = "Created", body = CycleView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such track", body = ErrorBody),
        (status = 409, description = "The track has a cycle of this name already", body = ErrorBody),
        (status = 422, description = "Dates out of order, no stages, an empty committee, or a committee member who is not a member here", body = ErrorBody),
    )
)]
pub async fn create_cycle(
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(id): AppPath<Uuid>,
    AppJson(body): AppJson<CreateCycle>,
) -> ApiResult<(StatusCode, AppJson<CycleView>)> {
    Ok((
        StatusCode::CREATED,
        AppJson(tracks::create_cycle(&app, &admin, id, body).await?),
    ))
}

/// Every cycle of a track, newest first, with their committees.
#[utoipa::path(
    get,
    path = "/api/v1/admin/tracks/{id}/cycles",
    tag = "tracks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The track's id")),
    responses(
        (status = 200, description = "The cycles", body = Vec<CycleView>),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such track", body = ErrorBody),
    )
)]
pub async fn list_cycles(
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<Vec<CycleView>>> {
    Ok(AppJson(tracks::list_cycles(&app, &admin, id).await?))
}

/// The cycles of every track taking nominations today, with their stages
/// and committees.
#[utoipa::path(
    get,
    path = "/api/v1/cycles",
    tag = "tracks",
    security(("bearer" = [])),
    responses((status = 200, description = "The open cycles", body = Vec<CycleView>))
)]
pub async fn open_cycles(
    State(app): State<App>,
    Caller(caller): Caller,
) -> ApiResult<AppJson<Vec<CycleView>>> {
    Ok(AppJson(tracks::open_cycles(&app, &caller).await?))
}

/// Nominates a member of this instance for a rank of the cycle's track:
/// yourself (with evidence from your file), or someone else as their
/// sponsor (they pick the evidence, which accepts the nomination). The
/// cycle must be taking nominations, and the rank above any the nominee
/// holds in the track. One nomination per member and cycle.
#[utoipa::path(
    post,
    path = "/api/v1/cycles/{id}/nominations",
    tag = "tracks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cycle's id")),
    request_body = Nominate,
    responses(
        (status = 201, description = "Nominated", body = NominationView),
        (status = 404, description = "No such cycle", body = ErrorBody),
        (status = 409, description = "The cycle takes no nominations today, the nominee holds the rank, or is nominated in this cycle already", body = ErrorBody),
        (status = 422, description = "An unknown rank or member, an empty statement, evidence that is not an item of the nominee's file, or evidence named by a sponsor", body = ErrorBody),
    )
)]
pub async fn nominate(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
    AppJson(body): AppJson<Nominate>,
) -> ApiResult<(StatusCode, AppJson<NominationView>)> {
    Ok((
        StatusCode::CREATED,
        AppJson(tracks::nominate(&app, &caller, id, body).await?),
    ))
}

/// The caller's nominations, newest first: as nominee, as sponsor, and
/// those of cycles whose committees they sit on. Without evidence or log:
/// read one nomination for those.
#[utoipa::path(
    get,
    path = "/api/v1/nominations",
    tag = "tracks",
    security(("bearer" = [])),
    responses((status = 200, description = "The nominations", body = Vec<NominationView>))
)]
pub async fn list_nominations(
    State(app): State<App>,
    Caller(caller): Caller,
) -> ApiResult<AppJson<Vec<NominationView>>> {
    Ok(AppJson(tracks::list_nominations(&app, &caller).await?))
}

/// One nomination. The nominee and the cycle's committee members see its
/// evidence (summarised from the nominee's file, never a note) and its
/// decision log; the sponsor sees where it stands; to anyone else it does
/// not exist.
#[utoipa::path(
    get,
    path = "/api/v1/nominations/{id}",
    tag = "tracks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The nomination's id")),
    responses(
        (status = 200, description = "The nomination", body = NominationView),
        (status = 404, description = "No such nomination the caller may see", body = ErrorBody),
    )
)]
pub async fn get_nomination(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<NominationView>> {
    Ok(AppJson(tracks::get_nomination(&app, &caller, id).await?))
}

/// The decision log of a nomination, oldest first: for the nominee and
/// the cycle's committee members. The sponsor is refused (they see the
/// state, not the rationales); to anyone else it does not exist.
#[utoipa::path(
    get,
    path = "/api/v1/nominations/{id}/log",
    tag = "tracks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The nomination's id")),
    responses(
        (status = 200, description = "The log", body = Vec<LogEntryView>),
        (status = 403, description = "The caller is the sponsor", body = ErrorBody),
        (status = 404, description = "No such nomination the caller may see", body = ErrorBody),
    )
)]
pub async fn get_log(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<Vec<LogEntryView>>> {
    Ok(AppJson(tracks::get_log(&app, &caller, id).await?))
}

/// The nominee picks the evidence from their own file (replacing any
/// picked before), until a stage has decided. For a sponsored nomination
/// this is also the nominee's acceptance: no stage decides before it.
#[utoipa::path(
    put,
    path = "/api/v1/nominations/{id}/evidence",
    tag = "tracks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The nomination's id")),
    request_body = PickEvidence,
    responses(
        (status = 200, description = "The nomination with its evidence", body = NominationView),
        (status = 403, description = "The caller is not the nominee", body = ErrorBody),
        (status = 404, description = "No such nomination the caller may see", body = ErrorBody),
        (status = 409, description = "A stage has decided, or the nomination is closed or withdrawn", body = ErrorBody),
        (status = 422, description = "An item that is not in the nominee's file, or named twice", body = ErrorBody),
    )
)]
pub async fn pick_evidence(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
    AppJson(body): AppJson<PickEvidence>,
) -> ApiResult<AppJson<NominationView>> {
    Ok(AppJson(
        tracks::pick_evidence(&app, &caller, id, body).await?,
    ))
}

/// The nominee withdraws their nomination while it is undecided (no stage
/// rejected it, and they were not inducted). The log stays.
#[utoipa::path(
    post,
    path = "/api/v1/nominations/{id}/withdraw",
    tag = "tracks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The nomination's id")),
    responses(
        (status = 200, description = "Withdrawn", body = NominationView),
        (status = 403, description = "The caller is not the nominee", body = ErrorBody),
        (status = 404, description = "No such nomination the caller may see", body = ErrorBody),
        (status = 409, description = "Decided or withdrawn already", body = ErrorBody),
    )
)]
pub async fn withdraw(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<NominationView>> {
    Ok(AppJson(tracks::withdraw(&app, &caller, id).await?))
}

/// Records the decision of the stage the nomination is at, by a member of
/// that stage's committee: `advance` (to the next stage, or induction at
/// the last), `reject` (closes it) or `defer` (decided again later), with
/// a rationale. The nominee and the sponsor are refused even when they sit
/// on the committee: they must recuse themselves. The log only grows.
#[utoipa::path(
    post,
    path = "/api/v1/nominations/{id}/decisions",
    tag = "tracks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The nomination's id")),
    request_body = Decide,
    responses(
        (status = 201, description = "Recorded", body = DecisionView),
        (status = 403, description = "The caller is the nominee or the sponsor (recusal), or not on the current stage's committee", body = ErrorBody),
        (status = 404, description = "No such nomination the caller may see", body = ErrorBody),
        (status = 409, description = "The nomination is at another stage, closed, withdrawn, or not accepted by the nominee yet", body = ErrorBody),
        (status = 422, description = "An unknown decision, no stage 0, or an empty rationale", body = ErrorBody),
    )
)]
pub async fn decide(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
    AppJson(body): AppJson<Decide>,
) -> ApiResult<(StatusCode, AppJson<DecisionView>)> {
    Ok((
        StatusCode::CREATED,
        AppJson(tracks::decide(&app, &caller, id, body).await?),
    ))
}

/// The ranks the caller holds: one induction each, oldest first. They are
/// the caller's own; their profile does not show them.
#[utoipa::path(
    get,
    path = "/api/v1/me/ranks",
    tag = "tracks",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's inductions", body = Vec<InductionView>))
)]
pub async fn my_ranks(
    State(app): State<App>,
    Caller(caller): Caller,
) -> ApiResult<AppJson<Vec<InductionView>>> {
    Ok(AppJson(tracks::my_ranks(&app, &caller).await?))
}

/// Every nomination of a cycle as figures, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/admin/cycles/{id}/nominations",
    tag = "tracks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cycle's id")),
    responses(
        (status = 200, description = "The nominations", body = Vec<NominationFigures>),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such cycle", body = ErrorBody),
    )
)]
pub async fn cycle_nominations(
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<Vec<NominationFigures>>> {
    Ok(AppJson(tracks::cycle_nominations(&app, &admin, id).await?))
}
