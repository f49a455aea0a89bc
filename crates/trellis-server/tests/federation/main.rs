//! Federation between real instances on loopback: discovery, signed
//! delivery, partnerships, the federated directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// See the API suite: each test runs on SQLite and, when configured, PostgreSQL.
macro_rules! on_every_backend {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $test() {
                    crate::helpers::run(trellis_store::Backend::Sqlite, super::$test).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $test() {
                    crate::helpers::run(trellis_store::Backend::Postgres, super::$test).await;
                }
            )*
        }
    };
}

/// Runs each named test, which takes a backend and starts its own
/// instances, on SQLite and, when configured, PostgreSQL.
macro_rules! on_every_backend_fleet {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test(trellis_store::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $test() {
                    if std::env::var(trellis_store::testing::POSTGRES_URL_VAR).is_err() {
                        eprintln!("skipped on Postgres: TRELLIS_TEST_POSTGRES_URL is not set");
                        return;
                    }
                    super::$test(trellis_store::Backend::Postgres).await;
                }
            )*
        }
    };
}

#[path = "../common/cavage.rs"]
mod cavage;
mod crash;
mod delivery;
mod directory;
mod discovery;
mod interop;
mod mentorships;
mod moves;
mod partnership;
mod privacy;
mod year;
// Shared with the API suite, which uses all of it.
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;
