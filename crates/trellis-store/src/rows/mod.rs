//! Rows as both backends return them, and their conversion into the
//! domain's validated types: one module per aggregate, as `queries/` is
//! split, and the helpers the queries share.

pub(crate) mod accounts;
pub(crate) mod cohorts;
pub(crate) mod endorsements;
pub(crate) mod federation;
pub(crate) mod mentorships;
pub(crate) mod moves;
pub(crate) mod outbox;
pub(crate) mod profiles;
pub(crate) mod recognition;
pub(crate) mod reviews;
pub(crate) mod sessions;
pub(crate) mod settings;
pub(crate) mod skills;

use std::collections::HashMap;
use uuid::Uuid;

/// Rows of several accounts' lists, grouped by account, each group keeping
/// the order the rows came in.
pub(crate) fn group_by_account<R>(rows: Vec<R>, of: impl Fn(&R) -> Uuid) -> HashMap<Uuid, Vec<R>> {
    let mut groups: HashMap<Uuid, Vec<R>> = HashMap::new();
    for row in rows {
        groups.entry(of(&row)).or_default().push(row);
    }
    groups
}

/// A value stored as JSON (a review part, a career plan).
pub(crate) fn json_value<T: serde::Serialize>(value: &T) -> Result<String, crate::StoreError> {
    serde_json::to_string(value)
        .map_err(|e| crate::StoreError::Database(sqlx::Error::Encode(Box::new(e))))
}

/// A list as stored: a JSON array (of URLs, topics, action items).
pub(crate) fn json_list<T: serde::Serialize>(list: &[T]) -> String {
    // Serialising these plain values cannot fail.
    serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned())
}
