//! Account credentials: password hashing (Argon2id), bearer tokens and
//! invite codes (random, stored hashed), and actor key pairs (RSA-2048).

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use sha2::{Digest, Sha256};
use trellis_core::account::Password;
use trellis_store::KeyPair;

use crate::error::AppError;

/// The hashes computed at once: Argon2 is built to use memory and time,
/// so a flood of sign-ins must not take every CPU from other requests.
static HASHING: OnceLock<tokio::sync::Semaphore> = OnceLock::new();

/// How long a hash waits for its turn before the request is told the
/// service is busy.
const HASH_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Sets how many password hashes run at once (0: half the CPUs, at least
/// one). Effective once, before the first hash; later calls change nothing.
pub fn limit_concurrent_hashes(n: usize) {
    let _ = HASHING.set(tokio::sync::Semaphore::new(hash_permits(n)));
}

fn hash_permits(n: usize) -> usize {
    if n > 0 {
        return n;
    }
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .div_ceil(2)
}

/// Runs `work` (a hash) when a permit is free, off the async threads.
async fn hashing<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let permits = HASHING.get_or_init(|| tokio::sync::Semaphore::new(hash_permits(0)));
    let _permit = tokio::time::timeout(HASH_WAIT, permits.acquire())
        .await
        .map_err(|_| AppError::Unavailable("too many sign-ins are being checked".into()))?
        .map_err(AppError::internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)
}

/// Hashes a password with Argon2id (default parameters), off the async
/// threads and a few at a time: hashing is deliberately slow.
pub async fn hash_password(password: Password) -> Result<String, AppError> {
    hashing(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|hash| hash.to_string())
    })
    .await?
    .map_err(|e| AppError::Internal(e.to_string().into()))
}

/// Whether `password` matches `stored`. With no stored hash (no such user)
/// a dummy hash is checked instead, so that the answer takes as long either
/// way and does not tell whether the user exists.
pub async fn verify_password(password: String, stored: Option<String>) -> Result<bool, AppError> {
    hashing(move || {
        let (stored, real) = match stored {
            Some(hash) => (hash, true),
            None => (dummy_hash().to_owned(), false),
        };
        let parsed = PasswordHash::new(&stored).map_err(|e| e.to_string())?;
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok::<_, String>(real && matches)
    })
    .await?
    .map_err(|e| AppError::Internal(e.into()))
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"not a password anybody has", &salt)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

/// A new RSA-2048 key pair for an actor, made off the async threads (it
/// takes a noticeable fraction of a second).
pub async fn new_keypair() -> Result<KeyPair, AppError> {
    tokio::task::spawn_blocking(|| {
        let private = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)?;
        let public_key_pem = private
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| rsa::Error::Pkcs8(rsa::pkcs8::Error::PublicKey(e)))?;
        let private_key_pem = private.to_pkcs8_pem(LineEnding::LF)?.to_string();
        Ok::<_, rsa::Error>(KeyPair {
            public_key_pem,
            private_key_pem,
        })
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)
}

/// A new secret: 256 random bits, URL-safe, with a prefix that says what
/// it is (so that secret scanners and people recognise it).
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored for a token or invite code: its SHA-256.
pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use trellis_core::account::Username;

    use super::*;

    #[tokio::test]
    async fn passwords_verify_only_against_their_own_hash() {
        let user = Username::parse("ada").unwrap();
        let password = Password::parse("correct horse battery", &user).unwrap();
        let hash = hash_password(password).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify_password("correct horse battery".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify_password("wrong horse battery".into(), Some(hash))
                .await
                .unwrap()
        );
        assert!(
            !verify_password("not a password anybody has".into(), None)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn key_pairs_are_rsa_2048_in_pem() {
        use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
        use rsa::traits::PublicKeyParts;
        let keys = new_keypair().await.unwrap();
        let private = rsa::RsaPrivateKey::from_pkcs8_pem(&keys.private_key_pem).unwrap();
        let public = rsa::RsaPublicKey::from_public_key_pem(&keys.public_key_pem).unwrap();
        assert_eq!(public.size() * 8, 2048);
        assert_eq!(private.to_public_key(), public);
        assert!(
            keys.public_key_pem
                .starts_with("-----BEGIN PUBLIC KEY-----")
        );
        assert!(!format!("{keys:?}").contains("PRIVATE KEY"));
    }

    #[test]
    fn secrets_are_long_random_and_hashed_for_storage() {
        let a = new_secret("trl_");
        let b = new_secret("trl_");
        assert_ne!(a, b);
        assert!(a.starts_with("trl_") && a.len() == 4 + 43);
        assert_eq!(hash_token(&a).len(), 32);
        assert_ne!(hash_token(&a), hash_token(&b));
    }
}
