//! Instance-wide settings that an admin changes at run time.

use serde::{Deserialize, Serialize};

use crate::CoreError;

/// Who may open an account on this instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RegistrationMode {
    /// Anyone may register.
    #[default]
    Open,
    /// Registration needs a valid invite code from an admin.
    InviteOnly,
    /// Nobody may register; admins create accounts with the CLI.
    Closed,
}

impl RegistrationMode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InviteOnly => "invite-only",
            Self::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        match raw {
            "open" => Ok(Self::Open),
            "invite-only" => Ok(Self::InviteOnly),
            "closed" => Ok(Self::Closed),
            other => Err(CoreError::invalid(
                "registration_mode",
                format_args!("unknown mode {other:?}: use open, invite-only or closed"),
            )),
        }
    }
}

/// Which partnership requests this instance accepts without an admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FederationMode {
    /// An admin answers every request.
    #[default]
    PartnersOnly,
    /// Every request (from an instance that is not blocked) is accepted.
    Open,
}

impl FederationMode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PartnersOnly => "partners-only",
            Self::Open => "open",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        match raw {
            "partners-only" => Ok(Self::PartnersOnly),
            "open" => Ok(Self::Open),
            other => Err(CoreError::invalid(
                "federation_mode",
                format_args!("unknown mode {other:?}: use partners-only or open"),
            )),
        }
    }
}

/// The organization as it presents itself.
pub fn check_organization_name(name: &str) -> Result<(), CoreError> {
    crate::text::check_line("organization_name", name, 100)?;
    if name.trim().is_empty() {
        return Err(CoreError::invalid("organization_name", "must not be empty"));
    }
    Ok(())
}

/// The organization's description: a few paragraphs.
pub fn check_organization_description(description: &str) -> Result<(), CoreError> {
    crate::text::check_paragraphs("organization_description", description, 2000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_round_trip_through_their_names() {
        for mode in [
            RegistrationMode::Open,
            RegistrationMode::InviteOnly,
            RegistrationMode::Closed,
        ] {
            assert_eq!(RegistrationMode::parse(mode.as_str()), Ok(mode));
        }
        assert!(RegistrationMode::parse("invite_only").is_err());
        for mode in [FederationMode::PartnersOnly, FederationMode::Open] {
            assert_eq!(FederationMode::parse(mode.as_str()), Ok(mode));
        }
        assert!(FederationMode::parse("closed").is_err());
    }
}
