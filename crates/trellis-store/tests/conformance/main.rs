//! The store's behaviour, written once and proven on every backend: each
//! test runs on a fresh SQLite file and, when `TRELLIS_TEST_POSTGRES_URL`
//! is set, on a fresh PostgreSQL database. One module per aggregate; a test
//! marked `#[on_every_backend]` runs on both, through `run` below.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use trellis_core::skill::DEFAULT_CATALOG;
use trellis_store::testing::TestDatabase;
use trellis_store::{Backend, Store};

mod accounts;
mod cohorts;
mod directory;
mod endorsements;
mod instance;
mod matching;
mod mentorships;
mod moves;
mod outbox;
mod partnerships;
mod plans;
mod profiles;
mod recognition;
mod remote;
mod reviews;
mod sessions;
mod skills;
mod support;
mod tracks;

/// Runs `test` on a fresh, seeded store of `backend`; skipped (with a
/// note) on PostgreSQL when no test server is configured.
/// `#[on_every_backend]` calls it for each test, on each backend.
async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(db) = TestDatabase::new(backend).await else {
        eprintln!("skipped on {backend:?}: TRELLIS_TEST_POSTGRES_URL is not set");
        return;
    };
    let store = db.store().await;
    store
        .seed_skills(DEFAULT_CATALOG, Utc::now())
        .await
        .expect("seed the catalog");
    test(store.clone()).await;
    store.close().await;
}
