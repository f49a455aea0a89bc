//! The skills catalog: anyone may read it, admins change it.

use axum::extract::State;
use axum::http::StatusCode;
use trellis_app::App;
use trellis_app::skills::{self, Catalog, CatalogParams, NewSkill, SkillEdit, SkillView};

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Admin, AppJson, AppPath, AppQuery};

/// The skills catalog and the meaning of each level.
#[utoipa::path(
    get,
    path = "/api/v1/skills",
    tag = "skills",
    params(CatalogParams),
    responses((status = 200, description = "The catalog by family and name", body = Catalog))
)]
pub async fn list(
    State(app): State<App>,
    AppQuery(params): AppQuery<CatalogParams>,
) -> ApiResult<AppJson<Catalog>> {
    Ok(AppJson(skills::list(&app, params).await?))
}

/// Adds a skill to the catalog.
#[utoipa::path(
    post,
    path = "/api/v1/admin/skills",
    tag = "admin",
    security(("bearer" = [])),
    request_body = NewSkill,
    responses(
        (status = 201, description = "Added", body = SkillView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "The key is taken", body = ErrorBody),
        (status = 422, description = "A field breaks a rule", body = ErrorBody),
    )
)]
pub async fn create(
    State(app): State<App>,
    Admin(admin): Admin,
    AppJson(body): AppJson<NewSkill>,
) -> ApiResult<(StatusCode, AppJson<SkillView>)> {
    Ok((
        StatusCode::CREATED,
        AppJson(skills::create(&app, &admin, body).await?),
    ))
}

/// Renames, re-describes, retires or restores a skill. Its key never changes.
#[utoipa::path(
    patch,
    path = "/api/v1/admin/skills/{key}",
    tag = "admin",
    security(("bearer" = [])),
    params(("key" = String, Path, description = "The skill's key")),
    request_body = SkillEdit,
    responses(
        (status = 200, description = "Changed", body = SkillView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such skill", body = ErrorBody),
        (status = 422, description = "A field breaks a rule", body = ErrorBody),
    )
)]
pub async fn edit(
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(key): AppPath<String>,
    AppJson(body): AppJson<SkillEdit>,
) -> ApiResult<AppJson<SkillView>> {
    Ok(AppJson(skills::edit(&app, &admin, key, body).await?))
}
