//! Metrics in Prometheus text format, on a listen address of their own
//! (`metrics_bind`, loopback by default) so that they are never public by
//! accident. Counters and histograms are recorded where things happen
//! (requests here; the inbox, deliveries and jobs in their crates; the
//! match index in the application layer) through the `metrics` facade;
//! what the database knows (queues, the pool) is read when scraped.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use axum::extract::{MatchedPath, State};
use axum::http::{Method, StatusCode, header};
use axum::response::IntoResponse;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use trellis_store::Store;

/// Upper bounds of the latency buckets, in seconds.
const SECONDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder: one per process, shared by every instance it
/// runs (tests run several); `None` if another recorder was installed.
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let installed = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)
                .and_then(PrometheusBuilder::install_recorder);
            match installed {
                Ok(handle) => {
                    describe();
                    Some(handle)
                }
                Err(err) => {
                    tracing::warn!(error = %err, "metrics are off: cannot install the recorder");
                    None
                }
            }
        })
        .as_ref()
}

/// What a metric is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// Every metric Trellis exposes: its name, kind and meaning (`# HELP`).
pub const METRICS: &[(&str, Kind, &str)] = &[
    (
        "trellis_http_requests_total",
        Kind::Counter,
        "HTTP requests answered, by route template, method and status",
    ),
    (
        "trellis_http_request_duration_seconds",
        Kind::Histogram,
        "Time to answer an HTTP request, by route template and method",
    ),
    (
        "trellis_inbox_activities_total",
        Kind::Counter,
        "Activities posted to the inboxes, by outcome (accepted, refused) and reason",
    ),
    (
        "trellis_deliveries_total",
        Kind::Counter,
        "Delivery attempts to other instances, by peer and outcome (delivered, dropped, failed)",
    ),
    (
        "trellis_outbox_queue_depth",
        Kind::Gauge,
        "Activities waiting to be delivered, by peer",
    ),
    (
        "trellis_outbox_oldest_pending_seconds",
        Kind::Gauge,
        "Age of the oldest activity waiting for a peer",
    ),
    (
        "trellis_outbox_events_waiting",
        Kind::Gauge,
        "Outbox events not yet turned into deliveries",
    ),
    (
        "trellis_outbox_events_failed",
        Kind::Gauge,
        "Outbox events that could not be turned into deliveries",
    ),
    (
        "trellis_peer_unreachable",
        Kind::Gauge,
        "1 for a peer whose deliveries have failed long enough to call it unreachable",
    ),
    (
        "trellis_match_index_candidates",
        Kind::Gauge,
        "Mentors in the matching index",
    ),
    (
        "trellis_match_index_reload_seconds",
        Kind::Histogram,
        "Time to load the matching index after a change",
    ),
    (
        "trellis_db_connections",
        Kind::Gauge,
        "Database connections of this process, by state (in_use, idle)",
    ),
    (
        "trellis_db_connections_max",
        Kind::Gauge,
        "The most database connections this process opens",
    ),
    (
        "trellis_db_acquire_timeouts_total",
        Kind::Counter,
        "Waits for a database connection that timed out (answered 503)",
    ),
    (
        "trellis_job_runs_total",
        Kind::Counter,
        "Runs of background jobs, by job",
    ),
    (
        "trellis_job_failures_total",
        Kind::Counter,
        "Failed runs of background jobs, by job",
    ),
];

/// Tells the recorder what each metric means.
fn describe() {
    for &(name, kind, help) in METRICS {
        match kind {
            Kind::Counter => metrics::describe_counter!(name, help),
            Kind::Gauge => metrics::describe_gauge!(name, help),
            Kind::Histogram => {
                metrics::describe_histogram!(name, metrics::Unit::Seconds, help);
            }
        }
    }
}

/// Where the metrics are served, until told to stop.
#[derive(Debug)]
pub struct MetricsServer {
    pub addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl MetricsServer {
    /// Listens on `bind` (before anything else starts, as the main
    /// listener does, so that a port in use stops start-up at once).
    pub async fn bind(bind: SocketAddr) -> anyhow::Result<TcpListener> {
        TcpListener::bind(bind).await.with_context(|| {
            format!(
                "cannot listen on {bind} for metrics (the metrics_bind setting; \"off\" turns them off)"
            )
        })
    }

    /// Serves `GET /metrics` on `listener`, with the figures of `store`
    /// read at each scrape; `None` when no recorder could be installed.
    pub fn serve(listener: TcpListener, store: Store) -> anyhow::Result<Option<Self>> {
        let Some(handle) = handle() else {
            return Ok(None);
        };
        let addr = listener.local_addr()?;
        let router = axum::Router::new()
            .route("/metrics", axum::routing::get(scrape))
            .with_state(Scrape { handle, store });
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut upkeep = tokio::time::interval(Duration::from_secs(5));
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            let mut serve = std::pin::pin!(serve.into_future());
            loop {
                tokio::select! {
                    result = &mut serve => {
                        if let Err(err) = result {
                            tracing::warn!(error = %err, "the metrics server failed");
                        }
                        break;
                    }
                    _ = upkeep.tick() => handle.run_upkeep(),
                }
            }
        });
        tracing::info!(%addr, "metrics at http://{addr}/metrics");
        Ok(Some(Self {
            addr,
            shutdown,
            task,
        }))
    }

    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }

    /// Stops at once (a crash, in tests).
    pub async fn kill(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

#[derive(Clone)]
struct Scrape {
    handle: &'static PrometheusHandle,
    store: Store,
}

async fn scrape(State(scrape): State<Scrape>) -> impl IntoResponse {
    if let Err(err) = read_the_database(&scrape.store).await {
        // The counters are still worth having; the queue gauges keep
        // their last values.
        tracing::warn!(error = %err, "metrics: cannot read the queues from the database");
    }
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        scrape.handle.render(),
    )
}

/// Sets the gauges that the database knows.
async fn read_the_database(store: &Store) -> anyhow::Result<()> {
    let pool = store.pool_stats();
    metrics::gauge!("trellis_db_connections", "state" => "in_use").set(pool.in_use());
    metrics::gauge!("trellis_db_connections", "state" => "idle").set(pool.idle);
    metrics::gauge!("trellis_db_connections_max").set(pool.max);
    let now = chrono::Utc::now();
    for peer in store.list_instances().await? {
        let age = peer
            .oldest_pending_at
            .map_or(0.0, |at| (now - at).as_seconds_f64().max(0.0));
        let domain = peer.domain;
        #[allow(clippy::cast_precision_loss)]
        let queued = peer.pending_deliveries as f64;
        metrics::gauge!("trellis_outbox_queue_depth", "peer" => domain.clone()).set(queued);
        metrics::gauge!("trellis_outbox_oldest_pending_seconds", "peer" => domain.clone()).set(age);
        let unreachable = peer.delivery_state == trellis_store::DeliveryState::Unreachable;
        metrics::gauge!("trellis_peer_unreachable", "peer" => domain).set(if unreachable {
            1.0
        } else {
            0.0
        });
    }
    #[allow(clippy::cast_precision_loss)]
    let waiting = store.waiting_outbox_events().await? as f64;
    metrics::gauge!("trellis_outbox_events_waiting").set(waiting);
    #[allow(clippy::cast_precision_loss)]
    let failed = store.failed_outbox_events(1).await?.total as f64;
    metrics::gauge!("trellis_outbox_events_failed").set(failed);
    Ok(())
}

/// Counts each request by its route's template (`/users/{name}`, never
/// the path, which can hold a token), method and status, and times it.
pub fn requests(router: axum::Router) -> axum::Router {
    router.layer(axum::middleware::from_fn(
        |request: axum::extract::Request, next: axum::middleware::Next| async move {
            let route = request
                .extensions()
                .get::<MatchedPath>()
                .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
            // Methods named by HTTP, and `other` for made-up ones, so that
            // nobody can add series by inventing methods.
            let method: &'static str = match *request.method() {
                Method::GET => "GET",
                Method::HEAD => "HEAD",
                Method::POST => "POST",
                Method::PUT => "PUT",
                Method::PATCH => "PATCH",
                Method::DELETE => "DELETE",
                Method::OPTIONS => "OPTIONS",
                _ => "other",
            };
            let started = Instant::now();
            let response = next.run(request).await;
            let status = response.status().as_u16().to_string();
            metrics::histogram!(
                "trellis_http_request_duration_seconds",
                "route" => route.clone(),
                "method" => method,
            )
            .record(started.elapsed().as_secs_f64());
            metrics::counter!(
                "trellis_http_requests_total",
                "route" => route,
                "method" => method,
                "status" => status,
            )
            .increment(1);
            response
        },
    ))
}
