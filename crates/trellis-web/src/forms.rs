//! Posted forms: the one extractor that checks a form's CSRF token (and
//! that it came from this site) before a handler sees it, and how an
//! error is shown next to the field that caused it.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use trellis_app::AppError;

use crate::render::{Failure, PageError};
use crate::visitor::{Visitor, Web, same_site};

/// A form posted by the visitor, with a valid CSRF token. A form without
/// one, or from another site, is refused before anything is read, and
/// changes nothing.
pub struct Posted<T>(pub Visitor, pub T);

#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    csrf: String,
}

/// The largest form a page posts.
const MAX_FORM: usize = 256 * 1024;

impl<T: DeserializeOwned> FromRequest<Web> for Posted<T> {
    type Rejection = Failure;

    async fn from_request(request: Request, web: &Web) -> Result<Self, Failure> {
        let (mut parts, body) = request.into_parts();
        let visitor = match Visitor::from_request_parts(&mut parts, web).await {
            Ok(visitor) => visitor,
            Err(never) => match never {},
        };
        let from_here = same_site(&parts);
        let request = Request::from_parts(parts, body);
        let bytes = axum::body::to_bytes(request.into_body(), MAX_FORM)
            .await
            .map_err(|_| {
                Failure::new(
                    AppError::BadRequest("the form is larger than this server accepts".into()),
                    &visitor,
                )
            })?;
        let token: Token = serde_html_form::from_bytes(&bytes).unwrap_or(Token {
            csrf: String::new(),
        });
        if !from_here || !visitor.csrf_matches(&token.csrf) {
            tracing::warn!("a form without a valid CSRF token was refused");
            return Err(Failure::new(PageError::Forged, &visitor));
        }
        let value = parse(&bytes).map_err(|e| Failure::new(e, &visitor))?;
        Ok(Self(visitor, value))
    }
}

fn parse<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, AppError> {
    serde_html_form::from_bytes(bytes)
        .map_err(|e| AppError::BadRequest(format!("the form could not be read: {e}")))
}

/// A form read as its fields, for forms whose shape depends on what they
/// show (rows of skills, action items): every value by name, in order.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(from = "Vec<(String, String)>")]
pub struct Fields(Vec<(String, String)>);

impl From<Vec<(String, String)>> for Fields {
    fn from(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }
}

impl Fields {
    /// The first value of a field, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// A field of a row of the form: `row("stage", 1, "name")` is
    /// `stage_1_name`.
    pub fn row(&self, prefix: &str, row: usize, part: &str) -> &str {
        self.get(&row_field(prefix, row, part))
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(n, v)| n == name && !v.is_empty())
    }

    /// Every value a field was given, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .collect()
    }
}

/// The errors of a form, by field (as the use cases name fields:
/// `headline`, `skills[0].level`…), and those that belong to no field.
#[derive(Debug, Clone, Default)]
pub struct Errors {
    fields: Vec<(String, String)>,
    pub general: Vec<String>,
}

impl Errors {
    /// Sorts a refusal under the field its message names (`field: why`),
    /// when the form has that field; elsewhere under the form itself.
    pub fn of(err: &AppError, fields: &[&str]) -> Self {
        let mut errors = Self::default();
        let text = err.to_string();
        for part in text.split("; ") {
            match part.split_once(": ") {
                Some((field, why)) if fields.iter().any(|f| owns(f, field)) => {
                    let owner = fields.iter().find(|f| owns(f, field)).map_or(field, |f| *f);
                    errors.fields.push((owner.to_owned(), why.to_owned()));
                }
                _ => errors.general.push(part.to_owned()),
            }
        }
        errors
    }

    /// An error that belongs to no one field.
    pub fn general(why: impl Into<String>) -> Self {
        Self {
            fields: Vec::new(),
            general: vec![why.into()],
        }
    }

    /// Like [`Errors::of`] for a form with rows (ranks, stages) that are
    /// sent as the list `list`, holding only the rows that were filled in:
    /// `rows[j]` is the page's row for the list's item `j`, and a message
    /// about `list[j].part` goes next to that row's field `prefix_{row}_part`.
    pub fn of_rows(
        err: &AppError,
        fields: &[&str],
        (list, prefix): (&str, &str),
        rows: &[usize],
        parts: &[&str],
    ) -> Self {
        let items: Vec<String> = (0..rows.len())
            .flat_map(|j| parts.iter().map(move |p| format!("{list}[{j}].{p}")))
            .collect();
        let mut all: Vec<&str> = items.iter().map(String::as_str).collect();
        all.extend_from_slice(fields);
        all.push(list);
        let mut errors = Self::of(err, &all);
        for (field, _) in &mut errors.fields {
            let item = field
                .strip_prefix(list)
                .and_then(|rest| rest.strip_prefix('['))
                .and_then(|rest| rest.split_once("]."));
            if let Some((j, part)) = item
                && let Some(row) = j.parse::<usize>().ok().and_then(|j| rows.get(j))
            {
                *field = row_field(prefix, *row, part);
            }
        }
        errors
    }

    /// The error of a row's field (see [`Fields::row`]).
    pub fn row(&self, prefix: &str, row: usize, part: &str) -> Option<&str> {
        self.get(&row_field(prefix, row, part))
    }

    /// An error for one field.
    pub fn field(field: &str, why: impl Into<String>) -> Self {
        Self {
            fields: vec![(field.to_owned(), why.into())],
            general: Vec::new(),
        }
    }

    /// The error of a field, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, why)| why.as_str())
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }
}

/// The name of a row's field: `stage_1_name`.
fn row_field(prefix: &str, row: usize, part: &str) -> String {
    format!("{prefix}_{row}_{part}")
}

/// Whether the form field `form_field` is the one a message about `field`
/// concerns: the same name, or a part of it (`skills[2].level` belongs to
/// `skills`).
fn owns(form_field: &str, field: &str) -> bool {
    field == form_field
        || field
            .strip_prefix(form_field)
            .is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
}

/// Whether an error is one the visitor can fix by changing the form.
pub fn is_input_error(err: &AppError) -> bool {
    matches!(
        err,
        AppError::Validation(_) | AppError::BadRequest(_) | AppError::Conflict(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_go_next_to_the_field_they_name() {
        let err = AppError::Validation(
            "headline: must be one line; skills[1].level: must be 1 to 7".into(),
        );
        let errors = Errors::of(&err, &["headline", "skills"]);
        assert_eq!(errors.get("headline"), Some("must be one line"));
        assert_eq!(errors.get("skills"), Some("must be 1 to 7"));
        assert!(errors.general.is_empty());
        let other = Errors::of(&AppError::Conflict("taken".into()), &["headline"]);
        assert_eq!(other.general, ["taken"]);
    }

    #[test]
    fn errors_about_items_go_to_the_row_they_came_from() {
        // Rows 0 and 2 of the page were filled in; the list holds two items.
        let err = AppError::Validation(
            "ranks[1].description: must not be empty; ranks: names repeat; name: too long".into(),
        );
        let errors = Errors::of_rows(
            &err,
            &["name"],
            ("ranks", "rank"),
            &[0, 2],
            &["name", "description"],
        );
        assert_eq!(
            errors.row("rank", 2, "description"),
            Some("must not be empty")
        );
        assert_eq!(errors.row("rank", 1, "description"), None);
        assert_eq!(errors.get("ranks"), Some("names repeat"));
        assert_eq!(errors.get("name"), Some("too long"));
        assert!(errors.general.is_empty());
    }
}
