//! Accounts: usernames and passwords.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::CoreError;

/// A member's local name: 2 to 30 characters of `a-z`, `0-9` and `_`.
/// Parsing folds ASCII capitals to lower case, so `Alice` and `alice` are one
/// account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "ada_l"))]
pub struct Username(String);

impl Username {
    pub const MIN_LEN: usize = 2;
    pub const MAX_LEN: usize = 30;

    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        let name = raw.to_ascii_lowercase();
        let len = name.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(CoreError::invalid(
                "username",
                format_args!(
                    "must be {} to {} characters long",
                    Self::MIN_LEN,
                    Self::MAX_LEN
                ),
            ));
        }
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
        {
            return Err(CoreError::invalid(
                "username",
                format_args!("may contain only letters a-z, digits and '_', not {bad:?}"),
            ));
        }
        if !name.chars().any(|c| c.is_ascii_alphanumeric()) {
            return Err(CoreError::invalid(
                "username",
                "must contain a letter or a digit",
            ));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Username {
    type Error = crate::ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Ok(Self::parse(&value)?)
    }
}

impl From<Username> for String {
    fn from(value: Username) -> Self {
        value.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password that satisfies the rules, before hashing. It never prints.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_LEN: usize = 10;
    /// Argon2 takes time in proportion to its input; a cap keeps a login
    /// request from costing more than a normal one.
    pub const MAX_LEN: usize = 128;

    /// Checks a new password for `username`.
    pub fn parse(raw: &str, username: &Username) -> Result<Self, CoreError> {
        let len = raw.chars().count();
        if len < Self::MIN_LEN {
            return Err(CoreError::invalid(
                "password",
                format_args!("must be at least {} characters long", Self::MIN_LEN),
            ));
        }
        if len > Self::MAX_LEN {
            return Err(CoreError::invalid(
                "password",
                format_args!("must be at most {} characters long", Self::MAX_LEN),
            ));
        }
        if raw.to_lowercase().contains(username.as_str()) {
            return Err(CoreError::invalid(
                "password",
                "must not contain the username",
            ));
        }
        if raw.trim().is_empty() {
            return Err(CoreError::invalid("password", "must not be only spaces"));
        }
        let mut chars = raw.chars();
        if let Some(first) = chars.next()
            && chars.all(|c| c == first)
        {
            return Err(CoreError::invalid(
                "password",
                "must not be one character repeated",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_fold_case_and_keep_their_characters() {
        assert_eq!(Username::parse("Ada_L9").map(|u| u.0), Ok("ada_l9".into()));
        for bad in [
            "a",
            "",
            "__",
            "with space",
            "dash-ed",
            "ünï",
            &"x".repeat(31),
        ] {
            assert!(Username::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(Username::parse(&"x".repeat(30)).is_ok());
    }

    #[test]
    fn passwords_follow_the_rules() {
        let user = Username::parse("grace").unwrap();
        assert!(Password::parse("correct horse battery", &user).is_ok());
        assert!(Password::parse("short", &user).is_err());
        assert!(Password::parse("aaaaaaaaaaaa", &user).is_err());
        assert!(Password::parse("\t\n \t\n \t\n \t", &user).is_err());
        assert!(Password::parse("my-Grace-password", &user).is_err());
        assert!(Password::parse(&"ab".repeat(65), &user).is_err());
        assert_eq!(
            format!(
                "{:?}",
                Password::parse("correct horse battery", &user).unwrap()
            ),
            "Password(<redacted>)"
        );
    }
}
