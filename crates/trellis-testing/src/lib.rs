//! What the API and federation suites of `trellis-server` share: a real
//! instance per test on a fresh database ([`TestApp`]), a small HTTP client
//! for it, the runner behind [`on_every_backend`], and HTTP signatures as
//! other ActivityPub software makes them ([`cavage`]).
//!
//! A library rather than a file each suite includes: what only one suite
//! uses is no dead code in the other, and nothing borrows another suite's
//! files by path.
// Test support: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app;
pub mod cavage;
pub mod module_graph;
pub mod process;
pub mod rfc9421;

use std::future::Future;

use trellis_store::Backend;

pub use app::{PASSWORD, Reply, TestApp, check_archive, eventually, first_problem, mentor};
/// Marks an `async fn` as a test on every backend; see [`run`].
pub use trellis_test_macros::on_every_backend;

/// What a test on every backend is given, made ready on one backend.
pub trait Fixture: Sized {
    /// `None` when the backend is not available here: PostgreSQL without
    /// `TRELLIS_TEST_POSTGRES_URL`.
    fn set_up(backend: Backend) -> impl Future<Output = Option<Self>>;
}

/// A running instance on a fresh database of the backend.
impl Fixture for TestApp {
    fn set_up(backend: Backend) -> impl Future<Output = Option<Self>> {
        Self::spawn(backend)
    }
}

/// The backend itself, for a test that starts its own instances.
impl Fixture for Backend {
    async fn set_up(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(backend),
            Backend::Postgres => std::env::var(trellis_store::testing::POSTGRES_URL_VAR)
                .is_ok()
                .then_some(backend),
        }
    }
}

/// Sets up what `test` takes on `backend` and runs it; skipped (with a
/// note) on PostgreSQL when no test server is configured. The suites
/// import it at their root, where `#[on_every_backend]` calls it.
pub async fn run<T, F, Fut>(backend: Backend, test: F)
where
    T: Fixture,
    F: FnOnce(T) -> Fut,
    Fut: Future<Output = ()>,
{
    match T::set_up(backend).await {
        Some(fixture) => test(fixture).await,
        None => eprintln!("skipped on {backend:?}: TRELLIS_TEST_POSTGRES_URL is not set"),
    }
}
