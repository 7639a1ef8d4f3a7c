//! Storage on SQLite (embedded default) and PostgreSQL (scale-out), one code path.
//!
//! `Store` is picked from the URL scheme at start-up. Queries are written once with `$N`
//! placeholders (both engines accept them) and run through [`on_conn!`], which expands the
//! same query code for each backend, so no `sqlx::Any` is needed. Transactions live here:
//! services open one with [`Store::begin`], do all their writes and the audit append on it,
//! then commit.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

pub mod announcements;
pub mod audit;
pub mod ceremony;
pub mod complaints;
pub mod count_conduct;
pub mod counting;
pub mod counting_staff;
pub mod e2e_credentials;
pub mod elections;
pub mod electorate;
pub mod electorate_facts;
pub mod group_elections;
pub mod imports;
pub mod limits;
pub mod mix;
pub mod nominations;
pub mod polling;
pub mod recall;
pub mod registry;
pub mod retention;
pub mod signin;
pub mod term_calendar;
pub mod users;
pub mod voter_sessions;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// A stored value that does not parse into its domain type (logged with the row's id
    /// where it is read): never replaced by a default.
    #[error("stored {table} row {id}: {what} does not parse")]
    CorruptRow { table: &'static str, id: i64, what: String },
    #[error("unsupported database URL (use sqlite:// or postgres://)")]
    UnsupportedUrl,
}

impl StoreError {
    /// True when the error is a UNIQUE violation (SQLite has no constraint names, so we go by kind).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e)) if e.kind() == sqlx::error::ErrorKind::UniqueViolation)
    }
    pub fn is_foreign_key_violation(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e)) if e.kind() == sqlx::error::ErrorKind::ForeignKeyViolation)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A write transaction on either backend.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs the same query code on the connection behind a `Tx` or a `Store`.
/// `on_conn!(tx, |c| sqlx::query(..).execute(c).await)`; the body is expanded once per backend.
macro_rules! on_conn {
    (tx $tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::store::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
    (pool $store:expr, |$c:ident| $body:expr) => {
        match $store {
            $crate::store::Store::Sqlite(p) => {
                let $c = p;
                $body
            }
            $crate::store::Store::Postgres(p) => {
                let $c = p;
                $body
            }
        }
    };
    (db $db:expr, |$c:ident| $body:expr) => {
        match $db {
            $crate::store::Db::Pool($crate::store::Store::Sqlite(p)) => {
                let $c = p;
                $body
            }
            $crate::store::Db::Pool($crate::store::Store::Postgres(p)) => {
                let $c = p;
                $body
            }
            $crate::store::Db::Tx($crate::store::Tx::Sqlite(t)) => {
                let $c = &mut **t;
                $body
            }
            $crate::store::Db::Tx($crate::store::Tx::Postgres(t)) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_conn;

/// Where a read runs: on the pool, or inside a transaction in progress. A read that both need
/// takes `impl Into<Db>` and is written once (no `_tx` twin with the same SQL).
pub enum Db<'a> {
    Pool(&'a Store),
    Tx(&'a mut Tx),
}

impl<'a> From<&'a Store> for Db<'a> {
    fn from(s: &'a Store) -> Db<'a> {
        Db::Pool(s)
    }
}

impl<'a> From<&'a mut Tx> for Db<'a> {
    fn from(t: &'a mut Tx) -> Db<'a> {
        Db::Tx(t)
    }
}

impl Store {
    /// Connects to `sqlite://path` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(32)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Store::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            // WAL lets readers run beside the one writer; synchronous=FULL makes every
            // acknowledged commit durable (an acknowledged ballot must never be lost).
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30));
            // An embedded database's connection does not go stale: no ping before each use.
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await?;
            Ok(Store::Sqlite(pool))
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    /// The ballot writer's own store on SQLite: one connection, kept (no pool rotation, so its
    /// page cache stays warm across batches), with a larger page cache (64 MiB: the voting-code
    /// index of 1,000,000 voters) than the request connections. The same store on PostgreSQL, or for an in-memory database.
    pub async fn for_writer(&self) -> Store {
        let Store::Sqlite(p) = self else { return self.clone() };
        let opts = (*p.connect_options()).clone();
        let name = opts.get_filename().to_string_lossy().to_string();
        if name.is_empty() || name.contains(":memory:") || name.contains("mode=memory") {
            return self.clone();
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.pragma("cache_size", "-65536"))
            .await;
        match pool {
            Ok(pool) => Store::Sqlite(pool),
            Err(e) => {
                tracing::warn!(error = %e, "no connection of its own for the ballot writer; sharing the pool");
                self.clone()
            }
        }
    }

    pub async fn migrate(&self) -> Result<()> {
        match self {
            Store::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run(p).await?,
            Store::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// Opens a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so the write lock is taken
    /// up front and two writers never deadlock upgrading from a read lock.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Store::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Store::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite(p) => p.close().await,
            Store::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Current time as UTC epoch milliseconds (the only instant format stored).
/// Parses one stored JSON value of row `id` of `table` (issue 14: stored values are parsed
/// here, once): one that does not parse is logged with the row and is
/// [`StoreError::CorruptRow`], never a default.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    table: &'static str,
    id: i64,
    what: &str,
    text: &str,
) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        tracing::error!(table, id, what, error = %e, "stored value does not parse");
        StoreError::CorruptRow { table, id, what: what.to_string() }
    })
}

/// Parses one stored enum column of row `id` of `table` (a snake_case string such as a post or a
/// status): a value that is not a variant is logged with the row and is
/// [`StoreError::CorruptRow`], never a default.
pub(crate) fn parse_enum<T: serde::de::DeserializeOwned>(
    table: &'static str,
    id: i64,
    what: &str,
    text: &str,
) -> Result<T> {
    use serde::de::value::{Error, StrDeserializer};
    T::deserialize(StrDeserializer::<Error>::new(text)).map_err(|e| {
        tracing::error!(table, id, what, error = %e, "stored value is not one of its kind");
        StoreError::CorruptRow { table, id, what: what.to_string() }
    })
}

pub fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as i64
}
