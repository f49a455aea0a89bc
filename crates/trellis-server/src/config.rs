//! Settings: defaults, then an optional `trellis.toml`, then `TRELLIS_*`
//! environment variables. Anything unknown or malformed stops start-up.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use trellis_store::Backend;

/// The file read when `--config` is not given (and skipped if absent).
pub const DEFAULT_CONFIG_FILE: &str = "trellis.toml";

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
            delivery_first_retry_secs: 10,
            delivery_max_backoff_secs: 3600,
            delivery_unreachable_after_secs: 24 * 3600,
            signatures_first: "draft-cavage".into(),
            signatures_accepted: "both".into(),
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

impl Config {
    /// Loads the configuration. `file` names a file that must exist; without
    /// it `trellis.toml` in the working directory is read if present.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
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
        let env = Env::prefixed("TRELLIS_")
            // TRELLIS_CONFIG names the file (see the CLI); TRELLIS_TEST_* are
            // the test suite's own.
            .filter(|key| {
                key != "config" && !key.as_str().to_ascii_lowercase().starts_with("test_")
            });
        let config: Self = figment.merge(env).extract().map_err(|err| {
            let first = err
                .into_iter()
                .next()
                .map(|e| e.to_string())
                .unwrap_or_default();
            ConfigError(format!(
                "invalid configuration: {}",
                first.replace('\n', " ")
            ))
        })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let range = |name: &str, value: u32, min: u32, max: u32| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(ConfigError(format!(
                    "invalid configuration: {name} must be {min} to {max}, not {value}"
                )))
            }
        };
        range("token_ttl_days", self.token_ttl_days, 1, 365)?;
        range("max_body_kib", self.max_body_kib, 1, 10 * 1024)?;
        range("db_max_connections", self.db_max_connections, 1, 500)?;
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
        if !self.database_url.is_empty() && Backend::of_url(&self.database_url).is_none() {
            return Err(ConfigError(
                "invalid configuration: database_url must start with sqlite: or postgres:".into(),
            ));
        }
        if !self.domain.is_empty() {
            trellis_federation::FederationSettings::new(
                &self.domain,
                self.federation_insecure,
                trellis_federation::DeliverySettings::default(),
            )
            .map_err(|e| ConfigError(format!("invalid configuration: {e}")))?;
        }
        self.signatures()?;
        tracing_subscriber::EnvFilter::try_new(&self.log)
            .map_err(|e| ConfigError(format!("invalid configuration: log: {e}")))?;
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

    pub fn delivery(&self) -> trellis_federation::DeliverySettings {
        let secs = |s: u32| Duration::from_secs(u64::from(s));
        trellis_federation::DeliverySettings {
            first_retry: secs(self.delivery_first_retry_secs),
            max_backoff: secs(self.delivery_max_backoff_secs),
            unreachable_after: secs(self.delivery_unreachable_after_secs),
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

    pub fn app(&self) -> trellis_app::AppConfig {
        trellis_app::AppConfig {
            token_ttl: Duration::from_secs(u64::from(self.token_ttl_days) * 24 * 3600),
        }
    }

    pub fn api(&self) -> trellis_api::ApiConfig {
        trellis_api::ApiConfig {
            max_body_bytes: usize::try_from(self.max_body_kib).unwrap_or(64) * 1024,
        }
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
        assert!(config.check().is_ok());
    }
}
