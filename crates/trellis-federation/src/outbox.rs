//! Sending: the outbox workers. Activities are built by the modules that
//! own them and queued in the store (in the same transaction as the change
//! that caused them, or from an outbox event, which this worker turns into
//! deliveries through those modules); workers sign and deliver them per
//! destination instance, in order, retrying with backoff across restarts.
//! The library's in-memory queue is not used.

use std::time::Duration;

use std::sync::Arc;

use activitypub_federation::FEDERATION_CONTENT_TYPE;
use axum::http::{Method, StatusCode, header};
use chrono::Utc;
use futures::StreamExt;
use tokio::sync::watch;
use tracing::Instrument;
use trellis_store::{AttemptResult, Delivery, Instance, OutboxEvent, PendingEvent};
use url::Url;
use uuid::Uuid;

use crate::activities::profile_deliveries;
use crate::actors::DbActor;
use crate::context::Data;
use crate::egress::{self, SignAs};
use crate::error::FederationResult;
use crate::signatures::SigningKey;

/// Turns one outbox event into its deliveries.
async fn process_event(data: &Data, pending: &PendingEvent) -> FederationResult<()> {
    let (deliveries, published) = match &pending.event {
        &OutboxEvent::ProfileChanged { account_id } => {
            let partners = data.store.active_partners().await?;
            let before = data.store.profile_published(account_id).await?;
            let (deliveries, published) =
                profile_deliveries(data, account_id, &partners, before).await?;
            (deliveries, published.map(|p| (account_id, p)))
        }
        OutboxEvent::PartnerJoined { domain } => {
            let partner: Vec<Instance> = data.store.instance(domain).await?.into_iter().collect();
            let mut all = Vec::new();
            for account_id in data.store.published_profiles().await? {
                all.extend(
                    profile_deliveries(data, account_id, &partner, false)
                        .await?
                        .0,
                );
            }
            (all, None)
        }
        &OutboxEvent::MentorshipChanged {
            mentorship_event_id,
            ..
        } => (
            crate::mentorships::step_delivery(data, mentorship_event_id).await?,
            None,
        ),
        &OutboxEvent::SessionCreated {
            actor_id,
            session_id,
        } => (
            crate::sessions::session_delivery(data, session_id, actor_id, true).await?,
            None,
        ),
        &OutboxEvent::SessionUpdated {
            actor_id,
            session_id,
        } => (
            crate::sessions::session_delivery(data, session_id, actor_id, false).await?,
            None,
        ),
        &OutboxEvent::ReviewStarted {
            actor_id,
            review_id,
        } => (
            crate::reviews::review_delivery(data, review_id, actor_id, true).await?,
            None,
        ),
        &OutboxEvent::ReviewPartSubmitted {
            actor_id,
            review_id,
        } => (
            crate::reviews::review_delivery(data, review_id, actor_id, false).await?,
            None,
        ),
        &OutboxEvent::EndorsementGiven { endorsement_id, .. } => (
            crate::endorsements::endorsement_delivery(data, endorsement_id, false).await?,
            None,
        ),
        &OutboxEvent::EndorsementWithdrawn { endorsement_id, .. } => (
            crate::endorsements::endorsement_delivery(data, endorsement_id, true).await?,
            None,
        ),
        &OutboxEvent::GrowthShared { mentee_id } => (
            crate::growth::growth_deliveries(data, mentee_id).await?,
            None,
        ),
    };
    data.store
        .complete_outbox_event(pending.id, &deliveries, published, Utc::now())
        .await?;
    Ok(())
}

/// Processes every waiting outbox event, until `stop` turns true.
async fn process_events(data: &Data, stop: &watch::Receiver<bool>) -> FederationResult<()> {
    loop {
        let events = data.store.next_outbox_events(50).await?;
        if events.is_empty() {
            return Ok(());
        }
        for event in &events {
            if *stop.borrow() {
                return Ok(());
            }
            let span = tracing::info_span!(
                "outbox_event",
                event = %event.id,
                kind = event.event.kind().as_str(),
            );
            process_event(data, event).instrument(span).await?;
        }
    }
}

enum SendError {
    /// It can never be delivered.
    Dropped(String),
    /// Try again later.
    Failed(String),
}

/// Who signs a delivery: the instance actor, or a local member (by id).
async fn signer(data: &Data, account: Option<Uuid>) -> Result<DbActor, SendError> {
    match account {
        None => crate::actors::instance_actor(data)
            .await
            .map_err(|e| SendError::Failed(e.to_string())),
        Some(account_id) => match data.store.local_actor_by_id(account_id).await {
            Ok(Some(actor)) => Ok(DbActor::local_person(&data.settings, actor)),
            Ok(None) => Err(SendError::Dropped("its author no longer exists".into())),
            Err(e) => Err(SendError::Failed(e.to_string())),
        },
    }
}

/// Signs and sends one delivery as it was stored, with the flavour of
/// signature the peer takes (see `egress`). A 2xx is delivered; so is a
/// 4xx other than 401, 408 and 429 (the receiver refused it; retrying
/// will not help). A 401 (our signature refused in both flavours), 408,
/// 429, 3xx, 5xx or a network error is tried again later.
async fn send(data: &Data, delivery: &Delivery, signer: &DbActor) -> Result<(), SendError> {
    let dropped = |why: String| SendError::Dropped(why);
    let inbox = Url::parse(&delivery.inbox_url).map_err(|e| dropped(format!("inbox: {e}")))?;
    if data.settings.is_local(&inbox) {
        return Err(dropped(format!("{inbox} is an inbox of this instance")));
    }
    if let Err(refused) = egress::check_url(&inbox, &data.settings, &data.store).await {
        return Err(dropped(refused.0));
    }
    let private_key = signer
        .private_key_pem
        .as_deref()
        .ok_or_else(|| dropped("its signer has no private key".into()))?;
    let key = SigningKey::from_pem(format!("{}#main-key", signer.id), private_key)
        .map_err(|e| dropped(format!("its signer's key: {e}")))?;
    let response = data
        .signed_http
        .post(inbox.as_str())
        .header(header::CONTENT_TYPE, FEDERATION_CONTENT_TYPE)
        .header(header::ACCEPT, FEDERATION_CONTENT_TYPE)
        .timeout(Duration::from_secs(10))
        .body(delivery.body.clone())
        .with_extension(SignAs(Arc::new(key)))
        .send()
        .await
        .map_err(|e| match &e {
            reqwest_middleware::Error::Middleware(inner)
                if inner.downcast_ref::<egress::Refused>().is_some() =>
            {
                dropped(inner.to_string())
            }
            _ => SendError::Failed(with_causes(&e)),
        })?;
    let status = response.status();
    let answer = |refused_signature| {
        egress::PeerAnswer {
            domain: delivery.domain.clone(),
            method: Method::POST,
            url: inbox.clone(),
            status,
            refused_signature,
        }
        .to_string()
    };
    if status.is_success() {
        Ok(())
    } else if status == StatusCode::UNAUTHORIZED {
        Err(SendError::Failed(answer(true)))
    } else if status.is_client_error()
        && status != StatusCode::REQUEST_TIMEOUT
        && status != StatusCode::TOO_MANY_REQUESTS
    {
        tracing::info!(activity = %delivery.activity_id, peer = %delivery.domain,
            status = status.as_u16(), "the peer refused the activity");
        Ok(())
    } else {
        Err(SendError::Failed(answer(false)))
    }
}

/// An error with the chain of its causes ("error sending request: … :
/// connection refused"), which is what an operator needs to see.
fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

/// The wait before the next attempt after `failures` failures in a row.
pub fn backoff(settings: &crate::settings::DeliverySettings, failures: u32) -> Duration {
    let factor = 1.5f64.powi(i32::try_from(failures).unwrap_or(i32::MAX).min(64));
    let wait = settings.first_retry.as_secs_f64() * factor;
    Duration::from_secs_f64(wait.min(settings.max_backoff.as_secs_f64()))
}

/// Delivers one instance's queue in order, stopping at the first failure,
/// under a short lease renewed while it works: if this process dies,
/// another (or this one restarted) takes the queue over once the lease
/// lapses. If the lease is lost (this process stalled and another took
/// over), the work stops at once.
async fn deliver_domain(
    data: &Data,
    domain: &str,
    stop: &watch::Receiver<bool>,
) -> FederationResult<()> {
    let settings = &data.settings.delivery;
    let holder = settings.holder.as_str();
    let lease = chrono::Duration::from_std(settings.lease).unwrap_or(chrono::Duration::seconds(10));
    let now = Utc::now();
    if !data
        .store
        .claim_domain(domain, holder, now + lease, now)
        .await?
    {
        return Ok(());
    }
    let result = tokio::select! {
        result = deliver_claimed(data, domain, stop) => result,
        () = keep_lease(data, domain, lease) => Ok(()),
    };
    data.store.release_domain(domain, holder).await?;
    result
}

/// Renews this process's lease on `domain`'s queue every third of its
/// length; returns when the lease was taken over by another.
async fn keep_lease(data: &Data, domain: &str, lease: chrono::Duration) {
    let holder = data.settings.delivery.holder.as_str();
    let every = (data.settings.delivery.lease / 3).max(Duration::from_millis(100));
    loop {
        tokio::time::sleep(every).await;
        match data
            .store
            .renew_claim(domain, holder, Utc::now() + lease)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(
                    peer = domain,
                    "the lease on this queue was taken over; stopping"
                );
                return;
            }
            // Tried again at the next turn; the lease may lapse meanwhile.
            Err(err) => tracing::warn!(peer = domain, error = %err, "cannot renew the lease"),
        }
    }
}

async fn deliver_claimed(
    data: &Data,
    domain: &str,
    stop: &watch::Receiver<bool>,
) -> FederationResult<()> {
    let settings = &data.settings.delivery;
    // Signers' keys, loaded once for the whole queue.
    let mut signers: std::collections::HashMap<Option<Uuid>, DbActor> = Default::default();
    loop {
        let batch = data.store.pending_deliveries(domain, 20).await?;
        if batch.is_empty() {
            return Ok(());
        }
        for item in &batch {
            // Stopping: what is left waits for the next start, or another process.
            if *stop.borrow() {
                return Ok(());
            }
            let span = tracing::info_span!("deliver", activity = %item.activity_id, peer = domain);
            let outcome = match signers.get(&item.signer) {
                Some(actor) => send(data, item, actor).instrument(span).await,
                None => match signer(data, item.signer).await {
                    Ok(actor) => {
                        let outcome = send(data, item, &actor).instrument(span).await;
                        signers.insert(item.signer, actor);
                        outcome
                    }
                    Err(err) => Err(err),
                },
            };
            let now = Utc::now();
            let counted = match &outcome {
                Ok(()) => "delivered",
                Err(SendError::Dropped(_)) => "dropped",
                Err(SendError::Failed(_)) => "failed",
            };
            metrics::counter!("trellis_deliveries_total", "peer" => domain.to_owned(), "outcome" => counted)
                .increment(1);
            match outcome {
                Ok(()) => {
                    tracing::debug!(activity = %item.activity_id, peer = domain, "delivered");
                    data.store
                        .record_attempt(item, &AttemptResult::Delivered, now)
                        .await?;
                }
                Err(SendError::Dropped(reason)) => {
                    tracing::warn!(activity = %item.activity_id, peer = domain, %reason, "dropped");
                    data.store
                        .record_attempt(item, &AttemptResult::Dropped { reason }, now)
                        .await?;
                }
                Err(SendError::Failed(error)) => {
                    let instance = data.store.instance(domain).await?;
                    let failures = instance.as_ref().map_or(0, |i| i.consecutive_failures);
                    let failing_since = instance.and_then(|i| i.failing_since).unwrap_or(now);
                    let wait = backoff(settings, failures);
                    let unreachable = now - failing_since
                        >= chrono::Duration::from_std(settings.unreachable_after)
                            .unwrap_or(chrono::Duration::MAX);
                    tracing::warn!(activity = %item.activity_id, peer = domain, %error,
                        retry_in = ?wait, unreachable, "delivery failed");
                    let retry_at = now
                        + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
                    let failed = AttemptResult::Failed {
                        error,
                        retry_at,
                        unreachable,
                    };
                    data.store.record_attempt(item, &failed, now).await?;
                    return Ok(());
                }
            }
        }
    }
}

/// One round of work: events into deliveries, then every instance whose
/// queue is due; cut short when `stop` turns true.
pub async fn run_once(data: &Data, stop: &watch::Receiver<bool>) -> FederationResult<()> {
    process_events(data, stop).await?;
    if *stop.borrow() {
        return Ok(());
    }
    let concurrency = data.settings.delivery.concurrency.max(1);
    let limit = u32::try_from(concurrency * 4).unwrap_or(u32::MAX);
    let domains = data.store.due_domains(Utc::now(), limit).await?;
    futures::stream::iter(domains)
        .for_each_concurrent(concurrency, |domain| async move {
            if let Err(err) = deliver_domain(data, &domain, stop).await {
                tracing::warn!(peer = %domain, error = %err, "delivery round failed");
            }
        })
        .await;
    Ok(())
}

/// How long received activity ids are kept to recognise repeats: far
/// longer than any sender keeps retrying.
const RECEIVED_KEPT_DAYS: i64 = 30;
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// Runs the outbox until `shutdown` turns true: woken by new work, and at
/// least every poll interval.
pub async fn run(data: Data, mut shutdown: watch::Receiver<bool>) {
    let poll = data.settings.delivery.poll_interval;
    let mut last_purge: Option<std::time::Instant> = None;
    loop {
        if *shutdown.borrow() {
            return;
        }
        if last_purge.is_none_or(|at| at.elapsed() >= PURGE_EVERY) {
            last_purge = Some(std::time::Instant::now());
            let before = Utc::now() - chrono::Duration::days(RECEIVED_KEPT_DAYS);
            let purged = data.store.purge_received(before).await;
            trellis_store::job_ran("purge_received_ids", purged.is_ok());
            match purged {
                Ok(0) => {}
                Ok(n) => tracing::info!(forgotten = n, "old received activity ids forgotten"),
                Err(err) => tracing::warn!(error = %err, "cannot forget old received activity ids"),
            }
        }
        let round = run_once(&data, &shutdown).await;
        trellis_store::job_ran("outbox", round.is_ok());
        if let Err(err) = round {
            tracing::warn!(error = %err, "outbox round failed");
        }
        tokio::select! {
            () = data.outbox_signal.notified() => {}
            () = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let settings = crate::settings::DeliverySettings {
            first_retry: Duration::from_secs(10),
            max_backoff: Duration::from_secs(3600),
            ..crate::settings::DeliverySettings::default()
        };
        assert_eq!(backoff(&settings, 0), Duration::from_secs(10));
        assert_eq!(backoff(&settings, 1), Duration::from_secs(15));
        assert!(backoff(&settings, 5) > backoff(&settings, 4));
        assert_eq!(backoff(&settings, 40), Duration::from_secs(3600));
        assert_eq!(backoff(&settings, u32::MAX), Duration::from_secs(3600));
    }
}
