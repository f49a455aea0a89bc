//! The member's own profile: what they know, what they want to learn,
//! whether and how they mentor, and who may see it.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use trellis_app::skills::{self, Catalog, CatalogParams, SkillView};
use trellis_app::views::ProfileView;
use trellis_core::profile::{
    GoalTarget, Goals, LanguageTag, MentorSettings, Profile, ProfileSkill, Timezone,
};
use trellis_core::skill::{SkillKey, SkillLevel};
use trellis_core::visibility::Visibility;

use crate::forms::{Errors, Fields, Posted};
use crate::kit::{changer, chrome, fail, member, page, page_with};
use crate::render::{Chrome, PageResult};
use crate::visitor::{Visitor, Web};

/// How many empty rows the form offers for new skills and targets.
const NEW_ROWS: usize = 3;

/// A skill row of the form, as shown.
struct SkillRow {
    key: String,
    level: u8,
    grow: bool,
}

/// The catalog by family, for the skill pickers.
struct Family {
    name: String,
    skills: Vec<SkillView>,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    c: Chrome,
    welcome: bool,
    display_name: String,
    headline: String,
    bio: String,
    timezone: String,
    languages: String,
    skills: Vec<SkillRow>,
    targets: Vec<SkillRow>,
    goal_summary: String,
    mentor: MentorSettings,
    visibility: Visibility,
    families: Vec<Family>,
    names: HashMap<String, String>,
    errors: Errors,
}

impl ProfilePage {
    fn zones(&self) -> impl Iterator<Item = &'static str> {
        chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
    }

    fn skill_name<'a>(&'a self, key: &'a str) -> &'a str {
        self.names.get(key).map_or(key, String::as_str)
    }

    fn levels(&self) -> std::ops::RangeInclusive<u8> {
        1..=7
    }

    /// A level in words ("3 · Practitioner").
    fn level(&self, n: &u8) -> String {
        format!("{n} · {}", self.c.t(&format!("level-{n}")))
    }

    fn level_meaning(&self, n: &u8) -> String {
        self.c.t(&format!("level-{n}-meaning"))
    }

    fn visibilities(&self) -> [Visibility; 4] {
        [
            Visibility::Private,
            Visibility::Organization,
            Visibility::Federated,
            Visibility::Public,
        ]
    }

    /// Who sees a profile of this visibility, in plain words.
    fn visibility_words(&self, v: &Visibility) -> String {
        let key = match v {
            Visibility::Private => "visibility-private",
            Visibility::Organization => "visibility-organization",
            Visibility::Federated => "visibility-federated",
            Visibility::Public => "visibility-public",
        };
        self.c.t1(key, "organization", self.c.organization.as_str())
    }

    fn visibility_value(&self, v: &Visibility) -> &'static str {
        v.as_str()
    }

    fn new_rows(&self) -> std::ops::Range<usize> {
        0..NEW_ROWS
    }

    fn skill_count(&self) -> usize {
        self.skills.len()
    }

    fn target_count(&self) -> usize {
        self.targets.len()
    }
}

fn families(catalog: &Catalog) -> Vec<Family> {
    let mut families: Vec<Family> = Vec::new();
    for skill in catalog.skills.iter().filter(|s| !s.retired) {
        match families.iter_mut().find(|f| f.name == skill.family) {
            Some(f) => f.skills.push(skill.clone()),
            None => families.push(Family {
                name: skill.family.clone(),
                skills: vec![skill.clone()],
            }),
        }
    }
    families
}

fn rows_of(profile: &ProfileView) -> (Vec<SkillRow>, Vec<SkillRow>) {
    let skills = profile
        .skills
        .iter()
        .map(|s| SkillRow {
            key: s.skill.to_string(),
            level: s.level.get(),
            grow: s.wants_to_grow,
        })
        .collect();
    let targets = profile
        .goals
        .targets
        .iter()
        .map(|t| SkillRow {
            key: t.skill.to_string(),
            level: t.level.get(),
            grow: false,
        })
        .collect();
    (skills, targets)
}

async fn catalog(web: &Web) -> trellis_app::AppResult<Catalog> {
    skills::list(
        &web.app,
        CatalogParams {
            include_retired: true,
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct Welcome {
    #[serde(default)]
    welcome: Option<String>,
}

impl ProfilePage {
    /// The form for a profile as it is kept.
    fn of(c: Chrome, profile: ProfileView, catalog: &Catalog, welcome: bool) -> Self {
        let (skills, targets) = rows_of(&profile);
        Self {
            welcome,
            display_name: profile.display_name,
            headline: profile.headline,
            bio: profile.bio,
            timezone: profile
                .timezone
                .as_ref()
                .map(|tz| tz.name().to_owned())
                .unwrap_or_default(),
            languages: profile
                .languages
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            skills,
            targets,
            goal_summary: profile.goals.summary,
            mentor: profile.mentor,
            visibility: profile.visibility,
            names: names(catalog),
            families: families(catalog),
            errors: Errors::default(),
            c,
        }
    }

    /// The form as it was typed, with what was wrong with it.
    fn typed(c: Chrome, form: &Fields, catalog: &Catalog, errors: Errors) -> Self {
        let rows = |prefix: &str, level: &str, grow: &str, count: &str| -> Vec<SkillRow> {
            (0..row_count(form, count))
                .filter_map(|i| {
                    let key = form.get(&format!("{prefix}{i}"));
                    (!key.is_empty()).then(|| SkillRow {
                        key: key.to_owned(),
                        level: form.get(&format!("{level}{i}")).parse().unwrap_or(0),
                        grow: form.checked(&format!("{grow}{i}")),
                    })
                })
                .collect()
        };
        Self {
            welcome: false,
            display_name: form.get("display_name").to_owned(),
            headline: form.get("headline").to_owned(),
            bio: form.get("bio").to_owned(),
            timezone: form.get("timezone").to_owned(),
            languages: form.get("languages").to_owned(),
            skills: rows("skill_", "level_", "grow_", "skill_rows"),
            targets: rows("target_", "target_level_", "", "target_rows"),
            goal_summary: form.get("goal_summary").to_owned(),
            mentor: MentorSettings {
                offers_mentoring: form.checked("offers_mentoring"),
                accepting_mentees: form.checked("accepting_mentees"),
                capacity: form.get("capacity").parse().unwrap_or(0),
                hours_per_month: form.get("hours_per_month").parse().unwrap_or(0),
            },
            visibility: Visibility::parse(form.get("visibility")).unwrap_or_default(),
            names: names(catalog),
            families: families(catalog),
            errors,
            c,
        }
    }
}

fn names(catalog: &Catalog) -> HashMap<String, String> {
    catalog
        .skills
        .iter()
        .map(|s| (s.key.to_string(), s.name.clone()))
        .collect()
}

/// How many rows of a kind the form had (those shown and the new ones).
fn row_count(form: &Fields, count: &str) -> usize {
    (form.get(count).parse::<usize>().unwrap_or(0) + NEW_ROWS).min(200)
}

pub async fn edit(
    State(web): State<Web>,
    visitor: Visitor,
    Query(welcome): Query<Welcome>,
) -> PageResult {
    let caller = member(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let profile = trellis_app::profiles::get_mine(&web.app, caller)
        .await
        .map_err(|e| fail(&c, e))?;
    let catalog = catalog(&web).await.map_err(|e| fail(&c, e))?;
    let form = ProfilePage::of(c, profile, &catalog, welcome.welcome.is_some());
    page(&web, &visitor, &form)
}

/// What the form says, read into a profile; what cannot be read at all is
/// an error for its field (the rules are the use case's).
fn read(form: &Fields) -> Result<Profile, Errors> {
    let mut profile = Profile {
        display_name: form.get("display_name").to_owned(),
        headline: form.get("headline").to_owned(),
        bio: form.get("bio").to_owned(),
        ..Profile::default()
    };
    let tz = form.get("timezone");
    if !tz.is_empty() {
        profile.timezone =
            Some(Timezone::parse(tz).map_err(|e| Errors::field("timezone", e.to_string()))?);
    }
    for tag in form
        .get("languages")
        .split([',', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        profile
            .languages
            .push(LanguageTag::parse(tag).map_err(|e| Errors::field("languages", e.to_string()))?);
    }
    let level_of = |raw: &str, field: &str| -> Result<Option<SkillLevel>, Errors> {
        if raw.is_empty() {
            return Ok(None);
        }
        raw.parse::<u8>()
            .ok()
            .and_then(|n| SkillLevel::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| Errors::field(field, "choose a level from 1 to 7"))
    };
    let key_of = |raw: &str, field: &str| -> Result<SkillKey, Errors> {
        SkillKey::parse(raw).map_err(|e| Errors::field(field, e.to_string()))
    };
    for i in 0..row_count(form, "skill_rows") {
        let key = form.get(&format!("skill_{i}"));
        if key.is_empty() || form.checked(&format!("remove_{i}")) {
            continue;
        }
        let Some(level) = level_of(form.get(&format!("level_{i}")), "skills")? else {
            return Err(Errors::field(
                "skills",
                "choose a level for every skill you add",
            ));
        };
        profile.skills.push(ProfileSkill {
            skill: key_of(key, "skills")?,
            level,
            wants_to_grow: form.checked(&format!("grow_{i}")),
        });
    }
    for i in 0..row_count(form, "target_rows") {
        let key = form.get(&format!("target_{i}"));
        if key.is_empty() || form.checked(&format!("untarget_{i}")) {
            continue;
        }
        let Some(level) = level_of(form.get(&format!("target_level_{i}")), "goals")? else {
            return Err(Errors::field("goals", "choose the level you aim for"));
        };
        profile.goals.targets.push(GoalTarget {
            skill: key_of(key, "goals")?,
            level,
        });
    }
    profile.goals = Goals {
        summary: form.get("goal_summary").to_owned(),
        targets: std::mem::take(&mut profile.goals.targets),
    };
    let capacity = form.get("capacity");
    let hours = form.get("hours_per_month");
    profile.mentor = MentorSettings {
        offers_mentoring: form.checked("offers_mentoring"),
        accepting_mentees: form.checked("accepting_mentees"),
        capacity: if capacity.is_empty() {
            0
        } else {
            capacity
                .parse()
                .map_err(|_| Errors::field("mentor", "capacity: give a whole number"))?
        },
        hours_per_month: if hours.is_empty() {
            0
        } else {
            hours
                .parse()
                .map_err(|_| Errors::field("mentor", "hours per month: give a whole number"))?
        },
    };
    profile.visibility = match form.get("visibility") {
        "" => Visibility::default(),
        raw => Visibility::parse(raw).map_err(|e| Errors::field("visibility", e.to_string()))?,
    };
    Ok(profile)
}

pub async fn save(State(web): State<Web>, Posted(visitor, form): Posted<Fields>) -> PageResult {
    let caller = changer(&visitor)?;
    let saved = match read(&form) {
        Ok(profile) => trellis_app::profiles::put_mine(&web.app, caller, profile)
            .await
            .map_err(|e| {
                if crate::forms::is_input_error(&e) {
                    Ok(Errors::of(&e, FIELDS))
                } else {
                    Err(e)
                }
            }),
        Err(errors) => Err(Ok(errors)),
    };
    let c = chrome(&web, &visitor).await?;
    let catalog = catalog(&web).await.map_err(|e| fail(&c, e))?;
    match saved {
        Ok(profile) => {
            let c = Chrome {
                notice: Some(c.t("profile-saved")),
                ..c
            };
            page(
                &web,
                &visitor,
                &ProfilePage::of(c, profile, &catalog, false),
            )
        }
        Err(Ok(errors)) => page_with(
            &web,
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            &ProfilePage::typed(c, &form, &catalog, errors),
        ),
        Err(Err(other)) => Err(fail(&c, other)),
    }
}

/// The fields a profile's refusal may name.
const FIELDS: &[&str] = &[
    "display_name",
    "headline",
    "bio",
    "timezone",
    "languages",
    "skills",
    "goals",
    "mentor",
    "visibility",
];
