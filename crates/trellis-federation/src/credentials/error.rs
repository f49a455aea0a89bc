//! Why a credential could not be issued or verified.

/// Why a credential could not be issued or verified. The messages are meant
/// for the person who pasted a credential into the verifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// Not a compact JWT with JSON header and payload.
    #[error("not a readable credential: {0}")]
    Malformed(String),
    /// The claims are not an Open Badges 3.0 credential (names what is wrong).
    #[error("not an OpenBadgeCredential: {0}")]
    NotOpenBadge(String),
    /// The JWT's `alg` is anything but RS256 (`none`, `HS256`, …).
    #[error("the credential is signed with {0:?}; only RS256 is accepted")]
    Algorithm(String),
    /// The signature does not verify: the payload or signature was changed,
    /// or another key signed it.
    #[error("the credential's signature does not match the issuer's key")]
    SignatureMismatch,
    /// A key that cannot be read or is too weak.
    #[error("the issuer's key is unusable: {0}")]
    Key(String),
    /// The JWT claims disagree with the credential they carry.
    #[error("the credential's JWT claims disagree with its content: {0}")]
    Inconsistent(String),
    /// A `credentialStatus` this module cannot check.
    #[error("the credential's status cannot be checked: {0}")]
    UnsupportedStatus(String),
    /// A status list credential or `encodedList` that cannot be used.
    #[error("not a usable status list: {0}")]
    StatusList(String),
    /// A status list index beyond the end of the list.
    #[error("status list index {index} is beyond the list's {entries} entries")]
    IndexOutOfRange { index: u32, entries: usize },
    /// The document handed to [`sign`] cannot be signed as it is.
    #[error("the credential cannot be signed: {0}")]
    Sign(String),
}

pub(super) type Result<T> = std::result::Result<T, CredentialError>;
