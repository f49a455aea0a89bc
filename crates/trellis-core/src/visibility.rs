//! Who may see what: the visibility ladder and the kinds of viewer.

use serde::{Deserialize, Serialize};

use crate::CoreError;

/// How far a profile reaches, from narrowest to widest.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Visibility {
    /// The member alone.
    Private,
    /// Members of the same instance.
    #[default]
    Organization,
    /// Members of this instance and of partner instances.
    Federated,
    /// Anyone, signed in or not.
    Public,
}

impl Visibility {
    pub const ALL: [Self; 4] = [
        Self::Private,
        Self::Organization,
        Self::Federated,
        Self::Public,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Organization => "organization",
            Self::Federated => "federated",
            Self::Public => "public",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == raw)
            .ok_or_else(|| {
                CoreError::invalid(
                    "visibility",
                    format_args!(
                        "unknown visibility {raw:?}: use private, organization, federated or public"
                    ),
                )
            })
    }

    /// Whether `viewer` may see something with this visibility.
    pub fn admits(self, viewer: Viewer) -> bool {
        self >= viewer.narrowest_visible()
    }

    /// The visibilities `viewer` may see, for filtering lists.
    pub fn visible_to(viewer: Viewer) -> Vec<Self> {
        Self::ALL.into_iter().filter(|v| v.admits(viewer)).collect()
    }
}

/// Who is looking, relative to the owner of what is looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Nobody signed in.
    Anonymous,
    /// A member of a partner instance.
    Partner,
    /// Another member of the owner's instance (admins included: being an
    /// admin gives no extra sight into members' profiles).
    Member,
    /// The owner.
    Owner,
}

impl Viewer {
    const fn narrowest_visible(self) -> Visibility {
        match self {
            Self::Owner => Visibility::Private,
            Self::Member => Visibility::Organization,
            Self::Partner => Visibility::Federated,
            Self::Anonymous => Visibility::Public,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_viewer_sees_exactly_its_part_of_the_ladder() {
        use Visibility::*;
        let table = [
            (
                Viewer::Owner,
                vec![Private, Organization, Federated, Public],
            ),
            (Viewer::Member, vec![Organization, Federated, Public]),
            (Viewer::Partner, vec![Federated, Public]),
            (Viewer::Anonymous, vec![Public]),
        ];
        for (viewer, expected) in table {
            assert_eq!(Visibility::visible_to(viewer), expected, "{viewer:?}");
        }
        assert!(!Private.admits(Viewer::Member));
        assert!(!Organization.admits(Viewer::Partner));
    }

    #[test]
    fn visibilities_parse_from_their_names() {
        for v in Visibility::ALL {
            assert_eq!(Visibility::parse(v.as_str()), Ok(v));
        }
        assert!(Visibility::parse("friends").is_err());
    }
}
