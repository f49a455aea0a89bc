//! Settings: defaults, then an optional `trellis.toml`, then `TRELLIS_*`
//! environment variables, then the command line's flags. A malformed
//! value or an unknown key in the file stops start-up with one line that
//! names the key as the operator wrote it and says what is wrong; a
//! `TRELLIS_*` variable that is no setting is only warned about (a shell
//! has many variables, and compose files pass their own).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::{Figment, Metadata};
use serde::{Deserialize, Deserializer, Serialize};
use trellis_store::Backend;

/// The file read when `--config` is not given (and skipped if absent).
pub const DEFAULT_CONFIG_FILE: &str = "trellis.toml";

/// Variables with the prefix that are not settings and not to be warned
/// about: the configuration file's own and the test suite's.
const ENV_PREFIX: &str = "TRELLIS_";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the instance keeps its files (the SQLite database by default).
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; empty means `<data_dir>/trellis.db`.
    pub database_url: String,
    /// Address and port to listen on.
    #[serde(deserialize_with = "socket_addr")]
    pub bind: SocketAddr,
    /// The public host name other instances know this one by
    /// (`trellis.example.org`); empty means `localhost:<port>`, for trials.
    pub domain: String,
    /// TEST AND DEMO ONLY: federate over plain http with local addresses.
    pub federation_insecure: bool,
    /// Log filter, `RUST_LOG` style (`info`, `trellis=debug,info`).
    pub log: String,
    pub log_format: LogFormat,
    /// Days a sign-in token stays valid.
    pub token_ttl_days: u32,
    /// Largest accepted request body, in KiB.
    pub max_body_kib: u32,
    /// Connections kept open to the database.
    pub db_max_connections: u32,
    /// Seconds a request waits for a database connection before it is
    /// answered 503 (the database is down or overloaded).
    pub db_acquire_timeout_secs: u32,
    /// Seconds to wait after a first failed delivery (it grows 1.5× per failure).
    pub delivery_first_retry_secs: u32,
    /// The longest wait between delivery attempts, in seconds.
    pub delivery_max_backoff_secs: u32,
    /// Seconds of failing deliveries after which an instance is called unreachable.
    pub delivery_unreachable_after_secs: u32,
    /// The HTTP signature tried first with a peer (`draft-cavage` or
    /// `rfc9421`); the other is used when a peer refuses it.
    pub signatures_first: String,
    /// The HTTP signatures accepted from others: `both`, `draft-cavage`
    /// or `rfc9421`.
    pub signatures_accepted: String,
    /// Seconds a process's lease on a peer's delivery queue lasts unless
    /// renewed (it renews every third of that): how soon another process
    /// takes over from one that died.
    pub delivery_lease_secs: u32,
    /// On SIGTERM, seconds to keep serving while `/readyz` says not ready,
    /// so that load balancers stop sending requests first.
    pub shutdown_drain_secs: u32,
    /// Then, seconds at most to finish requests and deliveries in flight
    /// before they are abandoned and the process exits.
    pub shutdown_timeout_secs: u32,
    /// Client connections served at once; more wait to be accepted.
    pub max_connections: u32,
    /// Seconds a connection may take to send a request's headers, and may
    /// stay idle between requests, before it is closed.
    pub header_read_timeout_secs: u32,
    /// Seconds a request may take before it is answered 503.
    pub request_timeout_secs: u32,
    /// Password hashes computed at once (0: half the CPUs, at least one);
    /// more wait their turn, for 5 seconds at most (then 503).
    pub argon2_max_concurrent: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client, as
    /// addresses or networks separated by commas (`10.0.0.0/8,::1`); empty:
    /// none, the connection's peer is the client.
    pub trusted_proxies: String,
    /// Sign-in attempts per client address per minute.
    pub limit_sign_in_per_minute: u32,
    /// Failed sign-ins per account (and per address) before it locks.
    pub limit_sign_in_failures: u32,
    /// Seconds a lock after too many failed sign-ins lasts.
    pub limit_sign_in_lock_secs: u32,
    /// Registrations per client address per hour.
    pub limit_registrations_per_hour: u32,
    /// Expensive calls (matching, cohort matching, export, credential
    /// checks) per member, or per address without sign-in, per minute.
    pub limit_expensive_per_minute: u32,
    /// Activities per minute that one remote instance (from one address)
    /// may post to the inboxes.
    pub limit_inbox_per_minute: u32,
    /// Where `GET /metrics` (Prometheus text format) is served: an
    /// address and port of its own, loopback by default so that it is
    /// never public by accident; `off` (or empty) serves none.
    pub metrics_bind: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            database_url: String::new(),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            domain: String::new(),
            federation_insecure: false,
            log: "info".into(),
            log_format: LogFormat::Text,
            token_ttl_days: 30,
            max_body_kib: 64,
            db_max_connections: 10,
            db_acquire_timeout_secs: 3,
            delivery_first_retry_secs: 10,
            delivery_max_backoff_secs: 3600,
            delivery_unreachable_after_secs: 24 * 3600,
            signatures_first: "draft-cavage".into(),
            signatures_accepted: "both".into(),
            delivery_lease_secs: 10,
            shutdown_drain_secs: 5,
            shutdown_timeout_secs: 10,
            max_connections: 512,
            header_read_timeout_secs: 10,
            request_timeout_secs: 30,
            argon2_max_concurrent: 0,
            trusted_proxies: String::new(),
            limit_sign_in_per_minute: 20,
            limit_sign_in_failures: 5,
            limit_sign_in_lock_secs: 300,
            limit_registrations_per_hour: 10,
            limit_expensive_per_minute: 30,
            limit_inbox_per_minute: 600,
            metrics_bind: "127.0.0.1:9464".into(),
        }
    }
}

/// Why the configuration could not be loaded, in one line.
#[derive(Debug)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// A configuration and what was odd about it (unknown variables).
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    pub warnings: Vec<String>,
}

/// What keeps slow or idle clients from using up the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    pub max: usize,
    pub header_read_timeout: Duration,
    pub request_timeout: Duration,
}

/// Settings given as command-line flags: they win over everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub bind: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub metrics_bind: Option<String>,
}

/// Reads an address and port, saying what is wrong with a bad one.
pub fn parse_socket_addr(raw: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = raw.trim().parse() {
        return Ok(addr);
    }
    if let Some((_, port)) = raw.trim().rsplit_once(':')
        && let Ok(number) = port.parse::<u64>()
        && number > u64::from(u16::MAX)
    {
        return Err(format!("port {number} is out of range (0 to 65535)"));
    }
    Err(format!(
        "{raw:?} is not an IP address and port such as 127.0.0.1:8080 or [::]:8080"
    ))
}

fn socket_addr<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SocketAddr, D::Error> {
    /// A bare port number reads as a number, not as text.
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(u64),
    }
    let raw = match Raw::deserialize(deserializer)? {
        Raw::Text(text) => text,
        Raw::Number(number) => number.to_string(),
    };
    parse_socket_addr(&raw).map_err(serde::de::Error::custom)
}

/// The setting names (`bind`, `database_url`…), from the defaults.
fn setting_names() -> Vec<String> {
    match serde_json::to_value(Config::default()) {
        Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// How the operator wrote the key that `metadata` supplied: the variable
/// (`TRELLIS_BIND`), the key and its file (`bind in trellis.toml`), the
/// flag, or the key alone for a default.
fn written(key: &str, metadata: Option<&Metadata>) -> String {
    match metadata {
        Some(m) if m.name.contains("environment") => format!("{ENV_PREFIX}{}", key.to_uppercase()),
        Some(m) if m.name.contains("flag") => format!("--{}", key.replace('_', "-")),
        Some(m) => match &m.source {
            Some(source @ figment::Source::File(_)) => format!("{key} in {source}"),
            _ => key.to_owned(),
        },
        None => key.to_owned(),
    }
}

impl Config {
    /// Loads the configuration. `file` names a file that must exist; without
    /// it `trellis.toml` in the working directory is read if present.
    pub fn load(file: Option<&Path>) -> Result<Loaded, ConfigError> {
        Self::load_with(file, &Overrides::default())
    }

    /// Loads the configuration with the command line's flags on top.
    pub fn load_with(file: Option<&Path>, overrides: &Overrides) -> Result<Loaded, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Self::default()));
        match file {
            Some(path) if !path.exists() => {
                return Err(ConfigError(format!(
                    "configuration file {} does not exist",
                    path.display()
                )));
            }
            Some(path) if !path.is_file() => {
                return Err(ConfigError(format!(
                    "configuration file {} is not a file",
                    path.display()
                )));
            }
            Some(path) => figment = figment.merge(Toml::file(path)),
            None => figment = figment.merge(Toml::file(DEFAULT_CONFIG_FILE)),
        }
        let names = setting_names();
        let mut warnings = Vec::new();
        for (key, _) in std::env::vars_os() {
            let Some(key) = key.to_str() else { continue };
            let Some(name) = key.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let name = name.to_ascii_lowercase();
            // TRELLIS_CONFIG names the file (see the CLI); TRELLIS_TEST_*
            // are the test suite's own.
            if name == "config" || name.starts_with("test_") || names.contains(&name) {
                continue;
            }
            warnings.push(format!("{key} is not a Trellis setting; it is ignored"));
        }
        let known = names.clone();
        figment = figment.merge(
            Env::prefixed(ENV_PREFIX)
                .filter(move |key| known.iter().any(|n| n.eq_ignore_ascii_case(key.as_str()))),
        );
        if let Some(bind) = overrides.bind {
            figment = figment.merge(flag("bind", bind.to_string()));
        }
        if let Some(dir) = &overrides.data_dir {
            figment = figment.merge(flag("data_dir", dir.display().to_string()));
        }
        if let Some(metrics) = &overrides.metrics_bind {
            figment = figment.merge(flag("metrics_bind", metrics.clone()));
        }
        let config: Self = figment.extract().map_err(|err| {
            let first = err.into_iter().next();
            let message = match first {
                Some(e) => {
                    let key = e.path.join(".");
                    match &e.kind {
                        figment::error::Kind::UnknownField(field, _) => {
                            let place = match e.metadata.as_ref().and_then(|m| m.source.as_ref()) {
                                Some(source @ figment::Source::File(_)) => format!(" in {source}"),
                                _ => String::new(),
                            };
                            format!("{field}{place} is not a Trellis setting")
                        }
                        kind => format!("{}: {kind}", written(&key, e.metadata.as_ref())),
                    }
                }
                None => "cannot read it".into(),
            };
            ConfigError(format!(
                "invalid configuration: {}",
                message.replace('\n', " ")
            ))
        })?;
        config.check(&figment)?;
        Ok(Loaded { config, warnings })
    }

    fn check(&self, figment: &Figment) -> Result<(), ConfigError> {
        let name = |key: &str| written(key, figment.find_metadata(key));
        let range = |key: &str, value: u32, min: u32, max: u32| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(ConfigError(format!(
                    "invalid configuration: {} must be {min} to {max}, not {value}",
                    name(key)
                )))
            }
        };
        range("token_ttl_days", self.token_ttl_days, 1, 365)?;
        range("max_body_kib", self.max_body_kib, 1, 10 * 1024)?;
        range("db_max_connections", self.db_max_connections, 1, 500)?;
        range(
            "db_acquire_timeout_secs",
            self.db_acquire_timeout_secs,
            1,
            120,
        )?;
        range(
            "delivery_first_retry_secs",
            self.delivery_first_retry_secs,
            1,
            3600,
        )?;
        range(
            "delivery_max_backoff_secs",
            self.delivery_max_backoff_secs,
            1,
            7 * 24 * 3600,
        )?;
        range(
            "delivery_unreachable_after_secs",
            self.delivery_unreachable_after_secs,
            1,
            30 * 24 * 3600,
        )?;
        range("delivery_lease_secs", self.delivery_lease_secs, 3, 600)?;
        range("shutdown_drain_secs", self.shutdown_drain_secs, 0, 600)?;
        range("shutdown_timeout_secs", self.shutdown_timeout_secs, 1, 600)?;
        range("max_connections", self.max_connections, 1, 100_000)?;
        range(
            "header_read_timeout_secs",
            self.header_read_timeout_secs,
            1,
            600,
        )?;
        range("request_timeout_secs", self.request_timeout_secs, 1, 3600)?;
        range("argon2_max_concurrent", self.argon2_max_concurrent, 0, 256)?;
        range(
            "limit_sign_in_per_minute",
            self.limit_sign_in_per_minute,
            1,
            100_000,
        )?;
        range(
            "limit_sign_in_failures",
            self.limit_sign_in_failures,
            1,
            1000,
        )?;
        range(
            "limit_sign_in_lock_secs",
            self.limit_sign_in_lock_secs,
            1,
            86_400,
        )?;
        range(
            "limit_registrations_per_hour",
            self.limit_registrations_per_hour,
            1,
            100_000,
        )?;
        range(
            "limit_expensive_per_minute",
            self.limit_expensive_per_minute,
            1,
            100_000,
        )?;
        range(
            "limit_inbox_per_minute",
            self.limit_inbox_per_minute,
            1,
            1_000_000,
        )?;
        self.metrics_addr().map_err(|e| {
            ConfigError(format!(
                "invalid configuration: {}: {e}",
                name("metrics_bind")
            ))
        })?;
        self.trusted_proxy_networks().map_err(|e| {
            ConfigError(format!(
                "invalid configuration: {}: {e}",
                name("trusted_proxies")
            ))
        })?;
        if !self.database_url.is_empty() && Backend::of_url(&self.database_url).is_none() {
            return Err(ConfigError(format!(
                "invalid configuration: {} must start with sqlite: or postgres:",
                name("database_url")
            )));
        }
        if !self.domain.is_empty() {
            trellis_federation::FederationSettings::new(
                &self.domain,
                self.federation_insecure,
                trellis_federation::DeliverySettings::default(),
            )
            .map_err(|e| ConfigError(format!("invalid configuration: {}: {e}", name("domain"))))?;
        }
        self.signatures()?;
        tracing_subscriber::EnvFilter::try_new(&self.log)
            .map_err(|e| ConfigError(format!("invalid configuration: {}: {e}", name("log"))))?;
        Ok(())
    }

    /// The database to use: the configured URL, or the SQLite file in the
    /// data directory.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("trellis.db").display())
        } else {
            self.database_url.clone()
        }
    }

    /// The domain to federate as, once the listening port is known.
    pub fn domain_for(&self, bound: SocketAddr) -> String {
        if self.domain.is_empty() {
            format!("localhost:{}", bound.port())
        } else {
            self.domain.clone()
        }
    }

    pub fn pool(&self) -> trellis_store::PoolSettings {
        trellis_store::PoolSettings {
            max_connections: self.db_max_connections,
            acquire_timeout: secs(self.db_acquire_timeout_secs),
            ..trellis_store::PoolSettings::default()
        }
    }

    pub fn delivery(&self) -> trellis_federation::DeliverySettings {
        trellis_federation::DeliverySettings {
            first_retry: secs(self.delivery_first_retry_secs),
            max_backoff: secs(self.delivery_max_backoff_secs),
            unreachable_after: secs(self.delivery_unreachable_after_secs),
            lease: secs(self.delivery_lease_secs),
            ..trellis_federation::DeliverySettings::default()
        }
    }

    /// The HTTP signatures made and accepted.
    pub fn signatures(
        &self,
    ) -> Result<trellis_federation::settings::SignatureSettings, ConfigError> {
        use trellis_federation::signatures::{Accepted, Flavour};
        let first = Flavour::parse(&self.signatures_first).ok_or_else(|| {
            ConfigError(format!(
                "invalid configuration: signatures_first must be draft-cavage or rfc9421, not {:?}",
                self.signatures_first
            ))
        })?;
        let accepted = match self.signatures_accepted.as_str() {
            "both" => Accepted::BOTH,
            other => Accepted::only(Flavour::parse(other).ok_or_else(|| {
                ConfigError(format!(
                    "invalid configuration: signatures_accepted must be both, draft-cavage or \
                     rfc9421, not {other:?}"
                ))
            })?),
        };
        Ok(trellis_federation::settings::SignatureSettings {
            accepted,
            first,
            ..Default::default()
        })
    }

    pub fn shutdown_drain(&self) -> Duration {
        secs(self.shutdown_drain_secs)
    }

    pub fn shutdown_timeout(&self) -> Duration {
        secs(self.shutdown_timeout_secs)
    }

    /// How client connections are served.
    pub fn connections(&self) -> ConnectionLimits {
        ConnectionLimits {
            max: usize::try_from(self.max_connections).unwrap_or(512),
            header_read_timeout: secs(self.header_read_timeout_secs),
            request_timeout: secs(self.request_timeout_secs),
        }
    }

    pub fn app(&self) -> trellis_app::AppConfig {
        trellis_app::AppConfig {
            token_ttl: Duration::from_secs(u64::from(self.token_ttl_days) * 24 * 3600),
            limits: trellis_app::limits::LimitSettings {
                sign_in_per_minute: self.limit_sign_in_per_minute,
                sign_in_failures: self.limit_sign_in_failures,
                sign_in_lock: secs(self.limit_sign_in_lock_secs),
                registrations_per_hour: self.limit_registrations_per_hour,
                expensive_per_minute: self.limit_expensive_per_minute,
                inbox_per_minute: self.limit_inbox_per_minute,
            },
        }
    }

    /// Where the metrics are served; `None` when they are off.
    pub fn metrics_addr(&self) -> Result<Option<SocketAddr>, String> {
        match self.metrics_bind.trim() {
            "" | "off" => Ok(None),
            raw => parse_socket_addr(raw).map(Some),
        }
    }

    /// The trusted proxies, read: `10.0.0.0/8` or a bare address.
    pub fn trusted_proxy_networks(&self) -> Result<Vec<ipnet::IpNet>, String> {
        self.trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<ipnet::IpNet>()
                    .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        format!("{s:?} is neither an address nor a network such as 10.0.0.0/8")
                    })
            })
            .collect()
    }

    pub fn api(&self) -> trellis_api::ApiConfig {
        trellis_api::ApiConfig {
            max_body_bytes: usize::try_from(self.max_body_kib).unwrap_or(64) * 1024,
        }
    }
}

fn secs(s: u32) -> Duration {
    Duration::from_secs(u64::from(s))
}

/// A command-line flag's value, as a provider whose metadata says so.
struct Flag {
    key: &'static str,
    value: String,
}

fn flag(key: &'static str, value: String) -> Flag {
    Flag { key, value }
}

impl figment::Provider for Flag {
    fn metadata(&self) -> Metadata {
        Metadata::named("command-line flag")
    }

    fn data(
        &self,
    ) -> Result<figment::value::Map<figment::Profile, figment::value::Dict>, figment::Error> {
        let mut dict = figment::value::Dict::new();
        dict.insert(self.key.to_owned(), self.value.clone().into());
        Ok(figment::Profile::Default.collect(dict))
    }
}

/// The URL with any password replaced, fit for logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_kept_out_of_logs() {
        assert_eq!(
            redact_url("postgres://trellis:s3cret@db:5432/trellis"),
            "postgres://trellis:***@db:5432/trellis"
        );
        assert_eq!(
            redact_url("sqlite://data/trellis.db"),
            "sqlite://data/trellis.db"
        );
    }

    #[test]
    fn the_default_database_is_sqlite_in_the_data_directory() {
        let config = Config::default();
        assert_eq!(config.database_url(), "sqlite://data/trellis.db");
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        let figment = Figment::from(Serialized::defaults(Config::default()));
        assert!(config.check(&figment).is_ok());
    }

    #[test]
    fn bad_addresses_say_what_is_wrong() {
        assert_eq!(
            parse_socket_addr("127.0.0.1:99999").unwrap_err(),
            "port 99999 is out of range (0 to 65535)"
        );
        assert!(
            parse_socket_addr("localhost")
                .unwrap_err()
                .contains("such as")
        );
        assert_eq!(
            parse_socket_addr("[::1]:8080").unwrap().to_string(),
            "[::1]:8080"
        );
    }
}
