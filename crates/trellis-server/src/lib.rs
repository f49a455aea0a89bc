//! The `trellis` server: reads the configuration, opens the store and
//! serves the API. This is the only crate that reads configuration and
//! wires the parts together.

pub mod config;
pub mod demo;
mod federation;

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
    let store = Store::connect(&url, config.db_max_connections)
        .await
        .with_context(|| format!("cannot open the database {shown}"))?;
    store
        .migrate()
        .await
        .with_context(|| format!("cannot migrate the database {shown}"))?;
    let added = store.seed_skills(DEFAULT_CATALOG, Utc::now()).await?;
    tracing::info!(database = %shown, added_skills = added, "database ready");
    Ok(store)
}

/// The file a `sqlite:` URL names, unless it is in memory.
fn sqlite_file(url: &str) -> Option<&Path> {
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
}

impl Instance {
    /// Opens the store, binds the listener and starts serving.
    pub async fn start(config: &Config) -> anyhow::Result<Self> {
        // Listen first: a port in use should stop us before we touch data.
        let listener = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let store = open_store(config).await?;
        let addr = listener.local_addr()?;
        let mut settings = trellis_federation::FederationSettings::new(
            &config.domain_for(addr),
            config.federation_insecure,
            config.delivery(),
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
        let app = trellis_app::App::new(store.clone(), config.app(), Arc::new(port));
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
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = signal.await;
                })
                .await
        });
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
        })
    }

    /// The instance's federation side (for tools and benchmarks).
    pub fn federation(&self) -> &trellis_federation::Federation {
        &self.federation
    }

    /// Stops accepting connections, lets requests in flight finish, and
    /// closes the database.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(());
        self.task.await.context("the server task failed")??;
        let _ = self.stop_workers.send(true);
        self.workers.await.context("the outbox workers failed")?;
        self.reminders
            .await
            .context("the review reminders failed")?;
        self.importer.await.context("the importer failed")?;
        self.store.close().await;
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
    axum::Router::new().fallback_service(choose)
}

/// Whether a path is one the pages and federation both answer.
fn negotiable(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    matches!(segments.as_slice(), ["users", name] if !name.is_empty())
        || matches!(segments.as_slice(), ["credentials", id] if uuid::Uuid::parse_str(id).is_ok())
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
    router.layer(
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
                    match store.notify_due_reviews(now).await {
                        Ok(0) => {}
                        Ok(due) => tracing::info!(due, "skill reviews due: parties told"),
                        Err(err) => tracing::warn!(error = %err, "cannot check for due reviews"),
                    }
                    match store.award_earned_by_time(since, now).await {
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

/// Resolves when the process is asked to stop (Ctrl-C or SIGTERM).
pub async fn shutdown_requested() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
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
