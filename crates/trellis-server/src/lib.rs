//! The `trellis` server: reads the configuration, opens the store and
//! serves the API. This is the only crate that reads configuration and
//! wires the parts together.

pub mod config;
pub mod demo;
mod federation;
pub mod metrics;

use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use chrono::Utc;
use std::sync::Arc;
use tokio::net::TcpListener;

use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use trellis_core::skill::DEFAULT_CATALOG;
use trellis_store::{Backend, Store};

pub use config::Config;
pub use trellis_federation::install_tls_provider;

/// Opens the configured database (creating the data directory and the
/// SQLite file as needed), applies migrations and seeds the default catalog.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    Ok(open_store_reporting(config).await?.0)
}

/// [`open_store`], saying which migrations it applied.
pub async fn open_store_reporting(
    config: &Config,
) -> anyhow::Result<(Store, trellis_store::MigrationReport)> {
    let url = config.database_url();
    if Backend::of_url(&url) == Some(Backend::Sqlite) {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                config.data_dir.display()
            )
        })?;
        if let Some(parent) = sqlite_file(&url).and_then(Path::parent) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
    }
    let shown = config::redact_url(&url);
    let store = Store::connect_with(&url, &config.pool())
        .await
        .with_context(|| format!("cannot open the database {shown}"))?;
    let report = store
        .migrate()
        .await
        .with_context(|| format!("cannot migrate the database {shown}"))?;
    for migration in &report.applied {
        tracing::info!(version = migration.version, description = %migration.description,
            "migration applied");
    }
    let added = store.seed_skills(DEFAULT_CATALOG, Utc::now()).await?;
    tracing::info!(database = %shown, added_skills = added, "database ready");
    Ok((store, report))
}

/// The file a `sqlite:` URL names, unless it is in memory.
pub fn sqlite_file(url: &str) -> Option<&Path> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| Path::new(path))
}

/// A running instance.
#[derive(Debug)]
pub struct Instance {
    pub addr: SocketAddr,
    pub store: Store,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    stop_workers: watch::Sender<bool>,
    workers: JoinHandle<()>,
    reminders: JoinHandle<()>,
    /// Imports the files of members who moved here.
    importer: JoinHandle<()>,
    federation: trellis_federation::Federation,
    /// Serving or draining; what `/readyz` reports.
    lifecycle: Arc<trellis_app::lifecycle::Lifecycle>,
    /// How long `stop` waits for work in flight before abandoning it.
    shutdown_timeout: std::time::Duration,
    /// `GET /metrics`, on its own address.
    metrics: Option<metrics::MetricsServer>,
}

/// The inbox's limit per remote instance, kept with the other limits.
#[derive(Debug)]
struct InboxGate(Arc<trellis_app::limits::Limits>);

impl trellis_federation::InboxLimit for InboxGate {
    fn admit(
        &self,
        domain: &str,
        client: trellis_app::limits::ClientAddr,
    ) -> Result<(), std::time::Duration> {
        self.0.before_inbox(domain, client)
    }
}

impl Instance {
    /// Opens the store, binds the listener and starts serving.
    pub async fn start(config: &Config) -> anyhow::Result<Self> {
        // Listen first: a port in use should stop us before we touch data.
        let listener = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let metrics_listener = match config.metrics_addr().map_err(|e| anyhow::anyhow!(e))? {
            Some(addr) => Some(metrics::MetricsServer::bind(addr).await?),
            None => None,
        };
        let store = open_store(config).await?;
        let metrics = match metrics_listener {
            Some(listener) => metrics::MetricsServer::serve(listener, store.clone())?,
            None => None,
        };
        let addr = listener.local_addr()?;
        let delivery = config.delivery();
        tracing::info!(process = %delivery.holder, "this process's name in delivery leases");
        let mut settings = trellis_federation::FederationSettings::new(
            &config.domain_for(addr),
            config.federation_insecure,
            delivery,
        )
        .map_err(|e| anyhow::anyhow!(e))?;
        settings.signatures = config.signatures()?;
        if settings.insecure {
            tracing::warn!(
                domain = %settings.domain,
                "federation_insecure is on: plain http and local addresses are allowed. \
                 This is for tests and demos on one machine, never for production"
            );
        }
        tracing::info!(domain = %settings.domain, "federating as this domain");
        if settings.domain.contains(':') && !settings.insecure {
            tracing::warn!(
                domain = %settings.domain,
                "other instances refuse addresses with a port: set `domain` to this instance's \
                 public host name before federating"
            );
        }
        let settings_domain = settings.domain.clone();
        let federation = trellis_federation::Federation::new(store.clone(), settings)
            .await
            .context("cannot set up federation")?;
        let (stop_workers, workers_signal) = watch::channel(false);
        let reminders = tokio::spawn(remind_due_reviews(store.clone(), workers_signal.clone()));
        let workers = federation.spawn_workers(workers_signal);
        let port = federation::FederationAdapter {
            domain: settings_domain,
            federation: federation.clone(),
        };
        trellis_app::auth::limit_concurrent_hashes(
            usize::try_from(config.argon2_max_concurrent).unwrap_or(0),
        );
        let app = trellis_app::App::new(store.clone(), config.app(), Arc::new(port));
        federation.limit_inbox(Arc::new(InboxGate(app.limits.clone())));
        let lifecycle = app.lifecycle.clone();
        let importer = tokio::spawn(trellis_app::importer::run(
            app.clone(),
            stop_workers.subscribe(),
        ));
        // Cookies are for https only, unless the instance is a trial on
        // this machine (`localhost`, plain http) or federates insecurely.
        let domain = config.domain_for(addr);
        let loopback = ["localhost", "127.", "[::1]"]
            .iter()
            .any(|p| domain.starts_with(p));
        let web = web_config(&store, !config.federation_insecure && !loopback).await?;
        let app = routes(app, config, &federation, web);
        let trusted = config
            .trusted_proxy_networks()
            .map_err(|e| anyhow::anyhow!(e))?;
        let app = client_addresses(app, trusted);
        let (shutdown, task) = spawn_server(listener, app, config.connections());
        Ok(Self {
            addr,
            store,
            shutdown,
            task,
            stop_workers,
            workers,
            reminders,
            importer,
            federation,
            lifecycle,
            shutdown_timeout: config.shutdown_timeout(),
            metrics,
        })
    }

    /// Where `GET /metrics` is served, if it is.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(|m| m.addr)
    }

    /// The instance's federation side (for tools and benchmarks).
    pub fn federation(&self) -> &trellis_federation::Federation {
        &self.federation
    }

    /// Reports not ready on `/readyz` for `period` while still serving, so
    /// that load balancers send new requests elsewhere before the listener
    /// closes; `skip` (a second Ctrl-C, say) cuts it short.
    pub async fn drain(
        &self,
        period: std::time::Duration,
        skip: impl std::future::Future<Output = ()>,
    ) {
        self.lifecycle.start_draining();
        if period.is_zero() {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(period) => {}
            () = skip => tracing::info!("draining cut short"),
        }
    }

    /// Stops accepting connections and stops the workers at their next
    /// step, lets requests and deliveries in flight finish within the
    /// shutdown timeout and abandons what is left then, gives up this
    /// process's delivery leases, and closes the database.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.lifecycle.start_draining();
        let deadline = tokio::time::Instant::now() + self.shutdown_timeout;
        let _ = self.shutdown.send(());
        let _ = self.stop_workers.send(true);
        let served = finish_by(deadline, "requests in flight", self.task).await;
        finish_by(deadline, "deliveries in flight", self.workers).await;
        finish_by(deadline, "the review reminders", self.reminders).await;
        finish_by(deadline, "the import in flight", self.importer).await;
        match self.federation.release_leases().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(leases = n, "delivery leases given up"),
            Err(err) => {
                tracing::warn!(error = %err, "cannot give up the delivery leases; they lapse")
            }
        }
        if let Some(metrics) = self.metrics {
            metrics.stop().await;
        }
        self.store.close().await;
        if let Some(Err(err)) = served {
            return Err(err).context("the server failed");
        }
        Ok(())
    }

    /// Stops at once, as a crash would: requests in flight are cut and the
    /// workers dropped mid-step. Whatever was acknowledged is in the
    /// database. (For tests of durability.)
    pub async fn kill(self) {
        self.task.abort();
        self.workers.abort();
        self.reminders.abort();
        self.importer.abort();
        let _ = self.task.await;
        let _ = self.workers.await;
        let _ = self.reminders.await;
        let _ = self.importer.await;
        if let Some(metrics) = self.metrics {
            metrics.kill().await;
        }
        self.store.close().await;
    }
}

/// The pages' settings: the CSRF key, derived from the instance's private
/// key (secret, and the same in every process of the instance), and
/// whether cookies are for https only.
async fn web_config(store: &Store, secure_cookies: bool) -> anyhow::Result<trellis_web::WebConfig> {
    use sha2::{Digest, Sha256};
    let keys = store
        .instance_keys()
        .await?
        .context("the instance has no key pair")?;
    let mut hasher = Sha256::new();
    hasher.update(b"trellis web csrf key, v1\0");
    hasher.update(keys.private_key_pem.as_bytes());
    Ok(trellis_web::WebConfig {
        csrf_key: hasher.finalize().to_vec(),
        secure_cookies,
    })
}

/// Every front door on one router: the JSON API under `/api`, federation's
/// documents and inboxes, and the pages at `/`. A browser asking for
/// `/users/{name}` or `/credentials/{id}` (which federation also answers)
/// gets the page; what is no route anywhere gets the pages' "not found".
fn routes(
    app: trellis_app::App,
    config: &Config,
    federation: &trellis_federation::Federation,
    web: trellis_web::WebConfig,
) -> axum::Router {
    let negotiated = observed(trellis_web::negotiated(app.clone(), web.clone()));
    let pages = trellis_web::router(app.clone(), web);
    let everything = observed(
        trellis_api::router(app, &config.api())
            .merge(federation.router())
            .merge(pages),
    );
    // Chosen before any routing, so that each router matches its own path.
    let choose = tower::service_fn(move |request: axum::extract::Request| {
        use tower::ServiceExt;
        let page = matches!(
            *request.method(),
            axum::http::Method::GET | axum::http::Method::HEAD
        ) && trellis_web::wants_html(request.headers())
            && negotiable(request.uri().path());
        let router = if page {
            negotiated.clone()
        } else {
            everything.clone()
        };
        router.oneshot(request)
    });
    axum::Router::new()
        .fallback_service(choose)
        .layer(axum::middleware::from_fn(security_headers))
}

/// What every answer carries, pages or not: no sniffing, no framing, no
/// referrer beyond this instance, and for anything that is not a page
/// (which sets its own policy) a content policy that lets nothing load.
/// Answers of the JSON API are never stored by caches: they carry tokens
/// (a sign-in), private data (a member's file) or both.
async fn security_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let defaults = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
        ),
    ];
    for (name, value) in defaults {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if api {
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    response
}

/// Whether a path is one the pages and federation both answer.
fn negotiable(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    matches!(segments.as_slice(), ["users", name] if !name.is_empty())
        || matches!(segments.as_slice(), ["credentials", id] if uuid::Uuid::parse_str(id).is_ok())
}

/// Waits for a task until `deadline`; aborts it then (its work is
/// abandoned: a request cut, a delivery left queued for the next start).
async fn finish_by<T>(
    deadline: tokio::time::Instant,
    what: &str,
    task: JoinHandle<T>,
) -> Option<T> {
    let abort = task.abort_handle();
    match tokio::time::timeout_at(deadline, task).await {
        Ok(Ok(value)) => Some(value),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "{what} failed");
            None
        }
        Err(_) => {
            tracing::warn!("shutdown timeout: {what} abandoned");
            abort.abort();
            None
        }
    }
}

/// Serves `app` on `listener` until told to stop, then finishes the
/// requests in flight. HTTP/1 through hyper with a timer, so that a
/// connection that is slow to send its headers, or idle between requests,
/// is closed after `header_read_timeout`; at most `max` connections are
/// served at once (more wait in the listen queue, using no file of ours);
/// a request taking longer than `request_timeout` is answered 503.
fn spawn_server(
    listener: TcpListener,
    app: axum::Router,
    limits: config::ConnectionLimits,
) -> (oneshot::Sender<()>, JoinHandle<std::io::Result<()>>) {
    use axum::extract::connect_info::ConnectInfo;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let app = app.layer(tower_http::timeout::TimeoutLayer::with_status_code(
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        limits.request_timeout,
    ));
    let (shutdown, mut signal) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let slots = Arc::new(tokio::sync::Semaphore::new(limits.max));
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        loop {
            let slot = tokio::select! {
                slot = slots.clone().acquire_owned() => match slot {
                    Ok(slot) => slot,
                    Err(_) => break,
                },
                _ = &mut signal => break,
            };
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of files, say: wait a little rather than spin.
                        tracing::warn!(error = %err, "cannot accept a connection");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        continue;
                    }
                },
                _ = &mut signal => break,
            };
            let _ = stream.set_nodelay(true);
            let service =
                TowerToHyperService::new(app.clone().layer(axum::Extension(ConnectInfo(peer))));
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                .serve_connection(TokioIo::new(stream), service);
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                let _ = connection.await;
                drop(slot);
            });
        }
        drop(listener);
        graceful.shutdown().await;
        Ok(())
    });
    (shutdown, task)
}

/// Finds each request's client: the connection's peer, or, when the peer
/// is a trusted proxy, the last address in `X-Forwarded-For` that is not
/// one of the trusted proxies (what a client sends first can be forged).
fn client_addresses(router: axum::Router, trusted: Vec<ipnet::IpNet>) -> axum::Router {
    use axum::extract::connect_info::ConnectInfo;
    use trellis_app::limits::ClientAddr;
    let trusted = Arc::new(trusted);
    router.layer(axum::middleware::from_fn(
        move |mut request: axum::extract::Request, next: axum::middleware::Next| {
            let trusted = trusted.clone();
            async move {
                let peer = request
                    .extensions()
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|c| c.0.ip());
                let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|n| n.contains(ip));
                let client = match peer {
                    Some(peer) if is_trusted(&peer) => request
                        .headers()
                        .get_all("x-forwarded-for")
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .flat_map(|v| v.split(','))
                        .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
                        .rev()
                        .find(|a| !is_trusted(a))
                        .or(Some(peer)),
                    other => other,
                };
                request.extensions_mut().insert(ClientAddr(client));
                next.run(request).await
            }
        },
    ))
}

/// Every request gets an id: the client's `X-Request-Id` when it sends
/// one, a new UUID otherwise. It is answered in `X-Request-Id` and named
/// in the request's span, so every log line of the request carries it.
/// The span names the route's template (`/users/{name}`), never the path
/// itself, which can hold a capability token.
fn observed(router: axum::Router) -> axum::Router {
    use axum::extract::MatchedPath;
    use tower_http::request_id::{
        MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
    };
    use tower_http::trace::{DefaultOnResponse, TraceLayer};
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &axum::http::Request<_>| {
            let route = request
                .extensions()
                .get::<MatchedPath>()
                .map_or("unmatched", MatchedPath::as_str);
            let id = request
                .extensions()
                .get::<RequestId>()
                .and_then(|id| id.header_value().to_str().ok())
                .unwrap_or_default();
            tracing::info_span!(
                "request",
                request_id = %id,
                method = %request.method(),
                route,
            )
        })
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO));
    metrics::requests(router).layer(
        tower::ServiceBuilder::new()
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(trace)
            .layer(PropagateRequestIdLayer::x_request_id()),
    )
}

/// Tells the parties of mentorships whose skill review is due, and awards
/// what sessions whose date has come earned, at start and then every ten
/// minutes, until `stop` turns true. At start, every session held so far
/// is looked at, so a restart misses nothing.
async fn remind_due_reviews(store: trellis_store::Store, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    let mut since = chrono::DateTime::<Utc>::UNIX_EPOCH;
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let now = Utc::now();
                let run = async {
                    let told = store.notify_due_reviews(now).await;
                    trellis_store::job_ran("reviews_due", told.is_ok());
                    match told {
                        Ok(0) => {}
                        Ok(due) => tracing::info!(due, "skill reviews due: parties told"),
                        Err(err) => tracing::warn!(error = %err, "cannot check for due reviews"),
                    }
                    let awarded = store.award_earned_by_time(since, now).await;
                    trellis_store::job_ran("awards_by_time", awarded.is_ok());
                    match awarded {
                        Ok(_) => true,
                        Err(err) => {
                            tracing::warn!(error = %err, "cannot check for awards earned");
                            false
                        }
                    }
                };
                let span = tracing::info_span!("timer", job = "reviews_due_and_awards");
                if tracing::Instrument::instrument(run, span).await {
                    since = now;
                }
            }
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// Creates an account (as `trellis admin create-user` and the demo do),
/// with the same rules for the name and password as a registration.
pub async fn create_account(
    store: &Store,
    username: &str,
    password: &str,
    admin: bool,
) -> anyhow::Result<trellis_store::Account> {
    trellis_app::accounts::create_account(store, username, password, admin)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Resolves when the process is asked to stop (Ctrl-C or SIGTERM). SIGTERM
/// is listened for from the call on, so a signal sent between the call
/// and the first poll is not missed. Call it within the runtime.
pub fn shutdown_requested() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    async move {
        let ctrl_c = async {
            if let Err(err) = tokio::signal::ctrl_c().await {
                tracing::warn!(error = %err, "cannot listen for Ctrl-C");
                std::future::pending::<()>().await;
            }
        };
        #[cfg(unix)]
        let terminate = async {
            match terminate {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "cannot listen for SIGTERM");
                    std::future::pending::<()>().await;
                }
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => {}
            () = terminate => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file("sqlite://data/t.db"),
            Some(Path::new("data/t.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:/var/t.db?mode=rwc"),
            Some(Path::new("/var/t.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://h/db"), None);
    }
}
