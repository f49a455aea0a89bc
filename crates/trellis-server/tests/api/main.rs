//! The client API and the `trellis` binary, exercised as a user would:
//! real servers on loopback, real HTTP, a fresh database per test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// The helpers are shared with the federation suite, which uses more of them.
#![allow(dead_code)]

/// Runs each named test against a server on SQLite and, when
/// `TRELLIS_TEST_POSTGRES_URL` is set, against one on PostgreSQL.
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

mod accounts;
mod admin;
mod cli;
mod cohorts;
mod conventions;
mod directory;
mod endorsements;
mod hardening;
mod helpers;
mod matching;
mod mentorships;
mod observability;
mod profiles;
mod recognition;
mod reports;
mod reviews;
mod sessions;
mod tracks;
