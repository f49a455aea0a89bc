//! How often one client, account or member may do the costly or the
//! guessable things: sign in (failures slow down, then lock the account
//! or address for a while), register, and call the expensive use cases
//! (matching, cohort matching, exporting a file, verifying a credential).
//! The rates are GCRA limits (`governor`), kept in memory per process.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

use crate::error::AppError;

pub use trellis_core::client::ClientAddr;

/// The rates, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitSettings {
    /// Sign-in attempts per client address per minute.
    pub sign_in_per_minute: u32,
    /// Failed sign-ins (per account and per address) before it locks.
    pub sign_in_failures: u32,
    /// How long a lock lasts; one more failure is allowed after each
    /// `sign_in_lock / sign_in_failures`.
    pub sign_in_lock: Duration,
    /// Registrations per client address per hour.
    pub registrations_per_hour: u32,
    /// Expensive calls per member (or anonymous address) per minute.
    pub expensive_per_minute: u32,
    /// Activities per remote instance (and sending address) per minute
    /// posted to the inboxes.
    pub inbox_per_minute: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            sign_in_per_minute: 20,
            sign_in_failures: 5,
            sign_in_lock: Duration::from_secs(300),
            registrations_per_hour: 10,
            expensive_per_minute: 30,
            inbox_per_minute: 600,
        }
    }
}

type Failures<K> = RateLimiter<
    K,
    governor::state::keyed::DefaultKeyedStateStore<K>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// What a client, account or member did lately.
#[derive(Debug)]
pub struct Limits {
    sign_in_by_address: DefaultKeyedRateLimiter<IpAddr>,
    failures_by_account: Failures<String>,
    failures_by_address: Failures<IpAddr>,
    /// Accounts and addresses locked after too many failures, until when.
    locked: Mutex<HashMap<String, Instant>>,
    registrations_by_address: DefaultKeyedRateLimiter<IpAddr>,
    expensive_by_member: DefaultKeyedRateLimiter<Uuid>,
    expensive_by_address: DefaultKeyedRateLimiter<IpAddr>,
    /// Keyed by the domain a signature names and the address it came
    /// from, so that a forger naming a partner's key does not use up the
    /// partner's allowance.
    inbox_by_sender: DefaultKeyedRateLimiter<(String, Option<IpAddr>)>,
    /// Checks so far: every so often, keys not seen lately are forgotten.
    checks: AtomicU64,
    settings: LimitSettings,
}

/// Keys are forgotten, once their limit has recovered, every this many checks.
const TIDY_EVERY: u64 = 4096;

fn at_least_one(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// `n` per `period`, all of them at once if need be.
fn quota(n: u32, period: Duration) -> Quota {
    let n = at_least_one(n);
    Quota::with_period(period / n.get())
        .unwrap_or_else(|| Quota::per_second(n))
        .allow_burst(n)
}

impl Limits {
    pub fn new(settings: LimitSettings) -> Self {
        let minute = Duration::from_secs(60);
        let failures = quota(settings.sign_in_failures, settings.sign_in_lock);
        Self {
            sign_in_by_address: RateLimiter::keyed(quota(settings.sign_in_per_minute, minute)),
            failures_by_account: RateLimiter::keyed(failures)
                .with_middleware::<StateInformationMiddleware>(),
            failures_by_address: RateLimiter::keyed(failures)
                .with_middleware::<StateInformationMiddleware>(),
            locked: Mutex::default(),
            registrations_by_address: RateLimiter::keyed(quota(
                settings.registrations_per_hour,
                Duration::from_secs(3600),
            )),
            expensive_by_member: RateLimiter::keyed(quota(settings.expensive_per_minute, minute)),
            expensive_by_address: RateLimiter::keyed(quota(settings.expensive_per_minute, minute)),
            inbox_by_sender: RateLimiter::keyed(quota(settings.inbox_per_minute, minute)),
            checks: AtomicU64::new(0),
            settings,
        }
    }

    /// Before a sign-in is checked: refused while the address tries too
    /// often, or the account or address is locked.
    pub fn before_sign_in(&self, account: &str, client: ClientAddr) -> Result<(), AppError> {
        if let Some(address) = client.0 {
            self.check(
                &self.sign_in_by_address,
                &address,
                "sign-in attempts from your address",
            )?;
        }
        let now = Instant::now();
        let mut locked = self
            .locked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        locked.retain(|_, until| *until > now);
        for key in lock_keys(account, client) {
            if let Some(until) = locked.get(&key) {
                return Err(too_many(
                    "too many failed sign-ins; this account or address is locked for a while",
                    *until - now,
                ));
            }
        }
        Ok(())
    }

    /// After a failed sign-in: how long to hold the answer back (failures
    /// slow down), or a refusal once the account or address is locked.
    pub fn sign_in_failed(&self, account: &str, client: ClientAddr) -> Result<Duration, AppError> {
        self.tidy();
        let mut fewest = self.settings.sign_in_failures;
        let mut lock = None;
        match self.failures_by_account.check_key(&account.to_owned()) {
            Ok(state) => fewest = fewest.min(state.remaining_burst_capacity()),
            Err(not_until) => lock = Some(not_until.wait_time_from(DefaultClock::default().now())),
        }
        if let Some(address) = client.0 {
            match self.failures_by_address.check_key(&address) {
                Ok(state) => fewest = fewest.min(state.remaining_burst_capacity()),
                Err(not_until) => {
                    let wait = not_until.wait_time_from(DefaultClock::default().now());
                    lock = Some(lock.map_or(wait, |l: Duration| l.max(wait)));
                }
            }
        }
        if let Some(wait) = lock {
            let until = Instant::now() + wait;
            let mut locked = self
                .locked
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for key in lock_keys(account, client) {
                locked.insert(key, until);
            }
            return Err(too_many(
                "too many failed sign-ins; this account or address is locked for a while",
                wait,
            ));
        }
        // No wait for the first failures, then half a second, doubling.
        let used = self.settings.sign_in_failures.saturating_sub(fewest);
        Ok(match used {
            0..=2 => Duration::ZERO,
            n => Duration::from_millis(500u64 << (n - 3).min(3)),
        })
    }

    /// Before a registration from `client`.
    pub fn before_registration(&self, client: ClientAddr) -> Result<(), AppError> {
        match client.0 {
            Some(address) => self.check(
                &self.registrations_by_address,
                &address,
                "registrations from your address",
            ),
            None => Ok(()),
        }
    }

    /// Before an activity posted to an inbox by the instance at `domain`
    /// (as its signature claims, before the signature is checked): the
    /// time to wait when it posts too often.
    pub fn before_inbox(&self, domain: &str, client: ClientAddr) -> Result<(), Duration> {
        self.tidy();
        self.inbox_by_sender
            .check_key(&(domain.to_owned(), client.0))
            .map_err(|not_until| {
                not_until
                    .wait_time_from(DefaultClock::default().now())
                    .max(Duration::from_secs(1))
            })
    }

    fn check<K: Hash + Eq + Clone>(
        &self,
        limiter: &DefaultKeyedRateLimiter<K>,
        key: &K,
        what: &str,
    ) -> Result<(), AppError> {
        self.tidy();
        limiter.check_key(key).map_err(|not_until| {
            too_many(
                &format!("too many {what}; try again later"),
                not_until.wait_time_from(DefaultClock::default().now()),
            )
        })
    }

    /// Every [`TIDY_EVERY`] checks, forgets the keys whose limits have
    /// recovered, so that many clients (or made-up account names) do not
    /// grow the memory held for ever.
    fn tidy(&self) {
        if !self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(TIDY_EVERY)
        {
            return;
        }
        self.sign_in_by_address.retain_recent();
        self.failures_by_account.retain_recent();
        self.failures_by_address.retain_recent();
        self.registrations_by_address.retain_recent();
        self.expensive_by_member.retain_recent();
        self.expensive_by_address.retain_recent();
        self.inbox_by_sender.retain_recent();
    }

    /// Before an expensive call by a member.
    pub fn expensive(&self, member: Uuid) -> Result<(), AppError> {
        self.check(
            &self.expensive_by_member,
            &member,
            "expensive requests of yours",
        )
    }

    /// Before an expensive call by an anonymous client.
    pub fn expensive_anonymous(&self, client: ClientAddr) -> Result<(), AppError> {
        match client.0 {
            Some(address) => self.check(
                &self.expensive_by_address,
                &address,
                "requests from your address",
            ),
            None => Ok(()),
        }
    }
}

fn lock_keys(account: &str, client: ClientAddr) -> Vec<String> {
    let mut keys = vec![format!("account:{}", account.to_lowercase())];
    if let Some(address) = client.0 {
        keys.push(format!("address:{address}"));
    }
    keys
}

fn too_many(message: &str, wait: Duration) -> AppError {
    AppError::TooManyRequests {
        message: message.to_owned(),
        retry_after: wait.max(Duration::from_secs(1)),
    }
}
