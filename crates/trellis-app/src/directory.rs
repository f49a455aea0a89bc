//! The mentor directory of this instance.

use serde::{Deserialize, Serialize};
use trellis_core::profile::LanguageTag;
use trellis_core::skill::{SkillKey, SkillLevel};
use trellis_core::visibility::{Viewer, Visibility};
use trellis_store::{DirectoryQuery, Scope};
use utoipa::{IntoParams, ToSchema};

use crate::app::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::views::{ProfileView, views};

/// Whose mentors to search.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DirectoryScope {
    /// Members of this instance.
    Local,
    /// Members of partner instances.
    Federated,
    /// Both.
    #[default]
    All,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DirectoryParams {
    /// `local`, `federated` or `all` (the default).
    #[serde(default)]
    #[param(inline)]
    pub scope: DirectoryScope,
    /// Comma-separated skill keys (at most 10); a mentor must have every one.
    #[param(example = "networking.dns,systems.observability")]
    pub skills: Option<String>,
    /// The lowest level (1–7) the listed skills must have; needs `skills`.
    #[param(minimum = 1, maximum = 7)]
    pub min_level: Option<u8>,
    /// A language tag; `pt` also finds `pt-BR`.
    #[param(example = "de")]
    pub language: Option<String>,
    /// Words that must all appear in the name, username, headline or bio.
    pub q: Option<String>,
    /// Only mentors who take new mentees now.
    #[serde(default)]
    pub accepting: bool,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u32>,
    /// Results per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DirectoryPage {
    pub items: Vec<ProfileView>,
    pub page: u32,
    pub per_page: u32,
    /// Matching mentors in all pages.
    pub total: u64,
}

const MAX_PER_PAGE: u32 = 100;
const MAX_QUERY_LEN: usize = 200;
const MAX_SKILLS: usize = 10;

/// Finds mentors of this instance and of partner instances. Signed-in
/// members see profiles visible to the organization and wider; anonymous
/// callers see public ones only.
pub async fn mentors(
    app: &App,
    caller: Option<&Caller>,
    params: DirectoryParams,
) -> AppResult<DirectoryPage> {
    let bad = |message: String| AppError::BadRequest(message);
    let mut skills = params
        .skills
        .iter()
        .flat_map(|list| list.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| SkillKey::parse(s).map_err(|e| bad(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    skills.sort_unstable();
    skills.dedup();
    if skills.len() > MAX_SKILLS {
        return Err(bad(format!("skills: name at most {MAX_SKILLS} skills")));
    }
    let min_level = params
        .min_level
        .map(|n| SkillLevel::try_from(n).map_err(|e| bad(format!("min_{e}"))))
        .transpose()?;
    if min_level.is_some() && skills.is_empty() {
        return Err(bad(
            "min_level needs `skills` to say which skills it applies to".into(),
        ));
    }
    let language = params
        .language
        .as_deref()
        .map(|l| {
            LanguageTag::parse(l)
                .map_err(|e| bad(e.to_string().replacen("languages", "language", 1)))
        })
        .transpose()?;
    let text = params
        .q
        .map(|q| q.trim().to_owned())
        .filter(|q| !q.is_empty());
    if let Some(q) = &text {
        trellis_core::text::check_line("q", q, MAX_QUERY_LEN).map_err(|e| bad(e.to_string()))?;
    }
    let page = params.page.unwrap_or(1);
    let per_page = params.per_page.unwrap_or(20);
    if !(1..=crate::views::MAX_PAGE).contains(&page) {
        return Err(bad(format!("page must be 1 to {}", crate::views::MAX_PAGE)));
    }
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(bad(format!("per_page must be 1 to {MAX_PER_PAGE}")));
    }
    let viewer = if caller.is_some() {
        Viewer::Member
    } else {
        Viewer::Anonymous
    };
    let query = DirectoryQuery {
        scope: match params.scope {
            DirectoryScope::Local => Scope::Local,
            DirectoryScope::Federated => Scope::Federated,
            DirectoryScope::All => Scope::All,
        },
        // Private profiles are never listed, not even to their owner.
        visible: Visibility::visible_to(viewer)
            .into_iter()
            .filter(|v| *v != Visibility::Private)
            .collect(),
        skills,
        min_level,
        language,
        text,
        accepting_only: params.accepting,
        limit: per_page,
        offset: (page - 1).saturating_mul(per_page),
    };
    let found = app.store.search_mentors(&query).await?;
    Ok(DirectoryPage {
        items: views(app, found.items).await?,
        page,
        per_page,
        total: found.total,
    })
}
