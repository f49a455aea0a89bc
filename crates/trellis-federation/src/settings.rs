//! How this instance federates: its public domain, whether plain HTTP is
//! allowed (tests and local demos only), and how deliveries are retried.

use std::time::Duration;

use url::Url;

#[derive(Debug, Clone)]
pub struct FederationSettings {
    /// The public host (and port, in tests) of this instance: `example.org`.
    pub domain: String,
    /// Allow `http://` URLs, explicit ports and private addresses. Only for
    /// tests and demos on one machine; production stays https-only.
    pub insecure: bool,
    pub delivery: DeliverySettings,
    pub signatures: SignatureSettings,
    base: Url,
}

/// Which HTTP signatures this instance accepts and makes.
#[derive(Debug, Clone)]
pub struct SignatureSettings {
    /// What incoming requests may be signed with (both, by default).
    pub accepted: crate::signatures::Accepted,
    /// What is tried first with a peer of which nothing is known yet.
    pub first: crate::signatures::Flavour,
    /// A peer that took only the other flavour is offered `first` again
    /// after this long.
    pub retry_first_after: Duration,
}

impl Default for SignatureSettings {
    fn default() -> Self {
        Self {
            accepted: crate::signatures::Accepted::BOTH,
            first: crate::signatures::Flavour::Cavage,
            retry_first_after: Duration::from_secs(24 * 3600),
        }
    }
}

#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// How often the workers look for work when nothing wakes them.
    pub poll_interval: Duration,
    /// The wait after the first failed attempt; it grows 1.5× per failure…
    pub first_retry: Duration,
    /// …up to this.
    pub max_backoff: Duration,
    /// An instance failing for this long is marked unreachable.
    pub unreachable_after: Duration,
    /// Instances delivered to at the same time.
    pub concurrency: usize,
    /// How long a lease on an instance's queue lasts unless renewed; the
    /// holder renews it every third of that while it works, so another
    /// process takes over this long after the holder died.
    pub lease: Duration,
    /// Who holds leases: this process, by host, process id and a random
    /// part (unique even where every process is pid 1).
    pub holder: String,
}

/// A name for this process among those sharing a database:
/// `host:pid:random`.
pub fn process_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    // The last hex digits of a UUIDv7 are random.
    let random = uuid::Uuid::now_v7().simple().to_string();
    format!("{host}:{}:{}", std::process::id(), &random[24..])
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(2),
            first_retry: Duration::from_secs(10),
            max_backoff: Duration::from_secs(3600),
            unreachable_after: Duration::from_secs(24 * 3600),
            concurrency: 8,
            lease: Duration::from_secs(10),
            holder: process_name(),
        }
    }
}

impl FederationSettings {
    /// Checks the domain: a lower-case host name, and a port if need be.
    /// (Other instances in production refuse URLs with explicit ports, so a
    /// port is for local trials and tests.)
    pub fn new(domain: &str, insecure: bool, delivery: DeliverySettings) -> Result<Self, String> {
        let scheme = if insecure { "http" } else { "https" };
        let base = Url::parse(&format!("{scheme}://{domain}/"))
            .map_err(|e| format!("domain {domain:?} is not a host name: {e}"))?;
        if domain_of(&base).as_deref() != Some(domain) || base.path() != "/" {
            return Err(format!(
                "domain {domain:?} must be a lower-case host name (with :port only for local tests)"
            ));
        }
        Ok(Self {
            domain: domain.to_owned(),
            insecure,
            delivery,
            signatures: SignatureSettings::default(),
            base,
        })
    }

    /// `https`, or `http` when insecure.
    pub fn scheme(&self) -> &str {
        self.base.scheme()
    }

    fn url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        url.set_path(path);
        url
    }

    pub fn base_url(&self) -> Url {
        self.base.clone()
    }

    /// The full URL a request for `path_and_query` was made to, as this
    /// instance is known (behind a proxy the connection may say otherwise).
    pub fn request_url(&self, uri: &axum::http::Uri) -> Url {
        let mut url = self.base.clone();
        url.set_path(uri.path());
        url.set_query(uri.query());
        url
    }

    pub fn instance_actor_url(&self) -> Url {
        self.url("/actor")
    }

    pub fn instance_inbox_url(&self) -> Url {
        self.url("/actor/inbox")
    }

    pub fn instance_outbox_url(&self) -> Url {
        self.url("/actor/outbox")
    }

    pub fn shared_inbox_url(&self) -> Url {
        self.url("/inbox")
    }

    pub fn person_url(&self, username: &str) -> Url {
        self.url(&format!("/users/{username}"))
    }

    pub fn person_inbox_url(&self, username: &str) -> Url {
        self.url(&format!("/users/{username}/inbox"))
    }

    pub fn person_outbox_url(&self, username: &str) -> Url {
        self.url(&format!("/users/{username}/outbox"))
    }

    pub fn mentor_profile_url(&self, username: &str) -> Url {
        self.url(&format!("/users/{username}/mentor-profile"))
    }

    /// A credential this instance issued: its stable, public URL.
    pub fn credential_url(&self, id: uuid::Uuid) -> Url {
        self.url(&format!("/credentials/{id}"))
    }

    /// The credential a URL of this instance names, if any.
    pub fn local_credential_id(&self, url: &Url) -> Option<uuid::Uuid> {
        if !self.is_local(url) {
            return None;
        }
        url.path().strip_prefix("/credentials/")?.parse().ok()
    }

    /// Revocation status list number `n`.
    pub fn status_list_url(&self, n: u64) -> Url {
        self.url(&format!("/credentials/status/{n}"))
    }

    /// The status list a URL of this instance names, if any.
    pub fn local_status_list(&self, url: &Url) -> Option<u64> {
        if !self.is_local(url) {
            return None;
        }
        url.path()
            .strip_prefix("/credentials/status/")?
            .parse()
            .ok()
    }

    /// An achievement's id in the credentials it is awarded with.
    pub fn achievement_url(&self, key: &str) -> Url {
        self.url(&format!("/achievements/{key}"))
    }

    /// A skill of this instance's catalog, as an alignment target.
    pub fn skill_url(&self, key: &str) -> Url {
        let mut url = self.url("/api/v1/skills");
        url.set_fragment(Some(key));
        url
    }

    /// The instance key's id (`kid` of credentials, `keyId` of signatures).
    pub fn instance_key_id(&self) -> String {
        format!("{}#main-key", self.instance_actor_url())
    }

    /// A mentorship whose mentee is a member here.
    pub fn mentorship_url(&self, id: uuid::Uuid) -> Url {
        self.url(&format!("/mentorships/{id}"))
    }

    /// The mentorship a URL of this instance names, if any.
    pub fn local_mentorship_id(&self, url: &Url) -> Option<uuid::Uuid> {
        if !self.is_local(url) {
            return None;
        }
        url.path().strip_prefix("/mentorships/")?.parse().ok()
    }

    /// A session logged by a member here.
    pub fn session_url(&self, id: uuid::Uuid) -> Url {
        self.url(&format!("/sessions/{id}"))
    }

    /// The session a URL of this instance names, if any.
    pub fn local_session_id(&self, url: &Url) -> Option<uuid::Uuid> {
        if !self.is_local(url) {
            return None;
        }
        url.path().strip_prefix("/sessions/")?.parse().ok()
    }

    pub fn review_url(&self, id: uuid::Uuid) -> Url {
        self.url(&format!("/reviews/{id}"))
    }

    /// The review a URL of this instance names, if any.
    pub fn local_review_id(&self, url: &Url) -> Option<uuid::Uuid> {
        if !self.is_local(url) {
            return None;
        }
        url.path().strip_prefix("/reviews/")?.parse().ok()
    }

    /// The growth summary a mentee here shares for a mentorship (by this
    /// instance's id of it).
    pub fn mentorship_growth_url(&self, id: uuid::Uuid) -> Url {
        self.url(&format!("/mentorships/{id}/growth"))
    }

    /// Where a moved member's archive is open to their new instance.
    pub fn move_archive_url(&self, token: &str) -> Url {
        self.url(&format!("/api/v1/moves/{token}/archive"))
    }

    /// An endorsement given by a member here: its stable object id, which
    /// a credential issued for it will name too.
    pub fn endorsement_url(&self, id: uuid::Uuid) -> Url {
        self.url(&format!("/endorsements/{id}"))
    }

    pub fn activity_url(&self, id: uuid::Uuid) -> Url {
        self.url(&format!("/activities/{id}"))
    }

    /// Whether `url` points at this instance.
    pub fn is_local(&self, url: &Url) -> bool {
        domain_of(url).as_deref() == Some(self.domain.as_str())
    }

    /// The local member a URL names as an actor (`/users/{name}`), if any.
    pub fn local_username<'u>(&self, url: &'u Url) -> Option<&'u str> {
        if !self.is_local(url) {
            return None;
        }
        let name = url.path().strip_prefix("/users/")?;
        (!name.is_empty() && !name.contains('/')).then_some(name)
    }
}

/// The instance a URL belongs to: its host, and its port when explicit.
pub fn domain_of(url: &Url) -> Option<String> {
    let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(domain: &str, insecure: bool) -> FederationSettings {
        FederationSettings::new(domain, insecure, DeliverySettings::default()).unwrap()
    }

    #[test]
    fn urls_are_built_and_recognised() {
        let s = settings("trellis.example.org", false);
        assert_eq!(
            s.person_url("ada").as_str(),
            "https://trellis.example.org/users/ada"
        );
        assert_eq!(
            s.instance_actor_url().as_str(),
            "https://trellis.example.org/actor"
        );
        let local = s.person_url("ada");
        assert_eq!(s.local_username(&local), Some("ada"));
        assert_eq!(s.local_username(&s.person_inbox_url("ada")), None);
        let other = Url::parse("https://other.example/users/ada").unwrap();
        assert_eq!(s.local_username(&other), None);
        let t = settings("localhost:8081", true);
        assert_eq!(
            t.person_url("bo").as_str(),
            "http://localhost:8081/users/bo"
        );
        assert!(t.is_local(&Url::parse("http://LOCALHOST:8081/x").unwrap()));
        assert!(!t.is_local(&Url::parse("http://localhost:8082/x").unwrap()));
    }

    #[test]
    fn configured_domains_are_checked() {
        let check =
            |d: &str, insecure| FederationSettings::new(d, insecure, DeliverySettings::default());
        assert!(check("trellis.example.org", false).is_ok());
        assert!(check("localhost:8081", true).is_ok());
        assert!(check("Trellis.example.org", false).is_err());
        assert!(check("https://x.org", false).is_err());
        assert!(check("x.org/path", false).is_err());
        assert!(check("", false).is_err());
    }
}
