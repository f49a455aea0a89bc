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

mod discovery;
// Shared with the API suite, which uses all of it.
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;
