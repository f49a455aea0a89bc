//! The two migration folders must build the same database: a fresh SQLite
//! file and a fresh PostgreSQL database, each migrated, have the same
//! tables, the same columns in each (by name) and the same indexes (by
//! name, on the same table). Types are not compared: each dialect spells
//! them its own way (`BLOB` ids and `TEXT` times on SQLite, `UUID` and
//! `TIMESTAMPTZ` on PostgreSQL). Triggers are not compared either: the
//! same rule is written as one trigger function on PostgreSQL and as one
//! trigger per event on SQLite.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{Connection, PgConnection, SqliteConnection};
use trellis_store::testing::TestDatabase;

/// sqlx's record of applied migrations, not ours.
const SQLX_TABLE: &str = "_sqlx_migrations";

/// What is compared of a database.
#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    /// Each table's columns.
    tables: BTreeMap<String, BTreeSet<String>>,
    /// Each index made by a migration, with its table. Indexes a database
    /// makes by itself for primary keys and unique constraints are left
    /// out: they are named by each database's own scheme
    /// (`sqlite_autoindex_…`, `…_pkey`, `…_key`), and the constraints they
    /// serve are part of the columns' definitions.
    indexes: BTreeMap<String, String>,
}

impl Schema {
    /// What `self` (named `ours`) has that `other` (named `theirs`) lacks,
    /// and what differs, in words; empty when they agree.
    fn differences(&self, ours: &str, other: &Self, theirs: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut only_in = |a: &Self, a_name: &str, b: &Self, b_name: &str, first: bool| {
            for (table, columns) in &a.tables {
                match b.tables.get(table) {
                    None => found.push(format!("table {table} is on {a_name}, not on {b_name}")),
                    Some(theirs) => {
                        for column in columns.difference(theirs) {
                            found.push(format!(
                                "column {table}.{column} is on {a_name}, not on {b_name}"
                            ));
                        }
                    }
                }
            }
            for (index, table) in &a.indexes {
                match b.indexes.get(index) {
                    None => found.push(format!(
                        "index {index} (on {table}) is on {a_name}, not on {b_name}"
                    )),
                    // Said once, on the first pass.
                    Some(other) if other != table && first => found.push(format!(
                        "index {index} is on {table} on {a_name}, on {other} on {b_name}"
                    )),
                    Some(_) => {}
                }
            }
        };
        only_in(self, ours, other, theirs, true);
        only_in(other, theirs, self, ours, false);
        found
    }
}

async fn sqlite_schema(url: &str) -> Schema {
    let mut conn = SqliteConnection::connect(url).await.unwrap();
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> $1",
    )
    .bind(SQLX_TABLE)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut schema = Schema::default();
    for (table,) in tables {
        let columns: Vec<(String,)> = sqlx::query_as("SELECT name FROM pragma_table_info($1)")
            .bind(&table)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        schema
            .tables
            .insert(table, columns.into_iter().map(|(c,)| c).collect());
    }
    // The indexes SQLite makes for primary keys and UNIQUE constraints
    // (`sqlite_autoindex_…`) have no SQL of their own.
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, tbl_name FROM sqlite_master \
         WHERE type = 'index' AND sql IS NOT NULL AND tbl_name <> $1",
    )
    .bind(SQLX_TABLE)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    schema.indexes = indexes.into_iter().collect();
    conn.close().await.unwrap();
    schema
}

async fn postgres_schema(url: &str) -> Schema {
    let mut conn = PgConnection::connect(url).await.unwrap();
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text \
         FROM information_schema.columns c JOIN information_schema.tables t \
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
           AND c.table_name <> $1",
    )
    .bind(SQLX_TABLE)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut schema = Schema::default();
    for (table, column) in columns {
        schema.tables.entry(table).or_default().insert(column);
    }
    // Indexes that serve a constraint (primary keys: `…_pkey`, unique
    // constraints: `…_key`) are the constraint's, made by PostgreSQL.
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.relname::text, t.relname::text \
         FROM pg_index x \
           JOIN pg_class i ON i.oid = x.indexrelid \
           JOIN pg_class t ON t.oid = x.indrelid \
           JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = current_schema() AND t.relname <> $1 \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
    )
    .bind(SQLX_TABLE)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    schema.indexes = indexes.into_iter().collect();
    conn.close().await.unwrap();
    schema
}

#[tokio::test]
async fn both_migration_folders_build_the_same_schema() {
    let Some(postgres) = TestDatabase::postgres().await else {
        eprintln!("skipped on Postgres: TRELLIS_TEST_POSTGRES_URL is not set");
        return;
    };
    let sqlite = TestDatabase::sqlite();
    // Migrated as the store migrates them.
    sqlite.store().await.close().await;
    postgres.store().await.close().await;

    let on_sqlite = sqlite_schema(sqlite.url()).await;
    let on_postgres = postgres_schema(postgres.url()).await;
    assert!(
        on_sqlite.tables.len() > 10,
        "the SQLite schema was not read: {on_sqlite:?}"
    );
    let differences = on_sqlite.differences("SQLite", &on_postgres, "PostgreSQL");
    assert!(
        differences.is_empty(),
        "migrations/sqlite and migrations/postgres build different schemas:\n{}",
        differences.join("\n")
    );
}

#[test]
fn every_kind_of_drift_is_reported() {
    let schema = |tables: &[(&str, &[&str])], indexes: &[(&str, &str)]| Schema {
        tables: tables
            .iter()
            .map(|(t, cs)| (t.to_string(), cs.iter().map(ToString::to_string).collect()))
            .collect(),
        indexes: indexes
            .iter()
            .map(|(i, t)| (i.to_string(), t.to_string()))
            .collect(),
    };
    let a = schema(
        &[("accounts", &["id", "username"]), ("invites", &["id"])],
        &[("accounts_by_name", "accounts"), ("moved", "accounts")],
    );
    let b = schema(
        &[("accounts", &["id", "domain"]), ("tokens", &["id"])],
        &[("accounts_by_name", "accounts"), ("moved", "tokens")],
    );
    assert!(a.differences("a", &a, "b").is_empty());
    let mut found = a.differences("a", &b, "b");
    found.sort();
    assert_eq!(
        found,
        [
            "column accounts.domain is on b, not on a",
            "column accounts.username is on a, not on b",
            "index moved is on accounts on a, on tokens on b",
            "table invites is on a, not on b",
            "table tokens is on b, not on a",
        ]
    );
}
