//! The SQL backends: SQLite (embedded, the default) and PostgreSQL, behind one
//! implementation on sqlx's `Any` driver. Queries use `$1`-style parameters, which both
//! accept (in SQLite each `$N` must first appear in ascending order); each backend has its
//! own migrations. The few places where locking differs go through [`SqlStore::write_tx`]
//! and [`SqlStore::lock`].

mod assets;
mod catalog;
mod chat;
mod rules;
mod sessions;
mod spaces;
mod users;

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gather_core::Dimensions;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyConnection, AnyPool, Row, Transaction};

use crate::{StoreError, StoreResult};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

/// Connection pool settings.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    pub max_connections: u32,
    /// How long a query waits for a connection before failing (the server answers 503).
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self { max_connections: 8, acquire_timeout: Duration::from_secs(5) }
    }
}

/// What a write transaction must lock first, where the backend needs it.
pub(crate) enum Lock<'a> {
    /// The users table: "is this the first account?" then insert.
    Users,
    /// One space's row: check furniture placement, then insert.
    Space(&'a str),
    /// One user's row: count what they own, then insert.
    User(&'a str),
}

#[derive(Clone, Debug)]
pub struct SqlStore {
    /// Reads, and on PostgreSQL writes too.
    pool: AnyPool,
    /// Every write. On SQLite one connection: the file takes one writer at a time anyway,
    /// and waiting for this pool is first come, first served, where writers that each hold
    /// a connection would poll SQLite's lock with growing sleeps and could starve one
    /// another (a sign-in behind a run of placements). Waiting past the acquire timeout
    /// fails as `Unavailable`. On PostgreSQL the same pool as `pool`.
    writer: AnyPool,
    backend: Backend,
}

impl SqlStore {
    /// Connects to a `sqlite://path` (created if missing) or `postgres://` URL and applies
    /// the backend's migrations.
    pub async fn connect(url: &str, settings: PoolSettings) -> StoreResult<Self> {
        let store = Self::open(url, settings).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating, for checks that must not change the database.
    pub async fn open(url: &str, settings: PoolSettings) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or_else(|| StoreError::UnsupportedUrl(redact(url)))?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_owned(),
        };
        let options = || AnyPoolOptions::new().acquire_timeout(settings.acquire_timeout);
        let pool = options().max_connections(settings.max_connections.max(1)).connect(&url).await?;
        let writer = match backend {
            Backend::Sqlite => {
                // Persistent in the file: readers never wait for the writer.
                sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await?;
                options().max_connections(1).connect(&url).await?
            }
            Backend::Postgres => pool.clone(),
        };
        Ok(Self { pool, writer, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.writer).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.writer).await?,
        }
        // Data a migration cannot compute in SQL.
        self.fill_username_keys().await
    }

    /// Closes every connection (checkpointing SQLite's WAL).
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

#[async_trait::async_trait]
impl crate::Readiness for SqlStore {
    /// True when the database answers and every migration this build knows is applied.
    async fn ready(&self) -> StoreResult<bool> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM _sqlx_migrations WHERE success = $1")
            .bind(true)
            .fetch_one(&self.pool)
            .await?;
        let applied: i64 = row.try_get("n")?;
        let known = match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.iter().count(),
            Backend::Postgres => POSTGRES_MIGRATIONS.iter().count(),
        };
        Ok(usize::try_from(applied).is_ok_and(|applied| applied >= known))
    }
}

impl SqlStore {
    /// A transaction for read-then-write work. SQLite takes its write lock up front
    /// (`BEGIN IMMEDIATE`): a deferred transaction that upgrades later can fail with
    /// SQLITE_BUSY instead of waiting.
    async fn write_tx(&self) -> StoreResult<Transaction<'static, Any>> {
        let begin = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        Ok(self.writer.begin_with(begin).await?)
    }

    /// Serialises competing writers on PostgreSQL; SQLite's `write_tx` already did.
    async fn lock(&self, conn: &mut AnyConnection, lock: Lock<'_>) -> StoreResult<()> {
        if self.backend == Backend::Sqlite {
            return Ok(());
        }
        match lock {
            Lock::Users => {
                sqlx::query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE").execute(conn).await?;
            }
            Lock::Space(id) => {
                sqlx::query("SELECT id FROM spaces WHERE id = $1 FOR UPDATE").bind(id).execute(conn).await?;
            }
            Lock::User(id) => {
                sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE").bind(id).execute(conn).await?;
            }
        }
        Ok(())
    }
}

/// A URL without its password, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…@{}", &url[..scheme], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

fn parse<T: FromStr>(column: &str, text: String) -> StoreResult<T> {
    text.parse().map_err(|_| StoreError::Corrupt(format!("{column} = {text:?}")))
}

fn dims(width: i64, height: i64) -> StoreResult<Dimensions> {
    let side = |v: i64| u32::try_from(v).unwrap_or(0);
    Dimensions::new(side(width), side(height))
        .map_err(|_| StoreError::Corrupt(format!("dimensions {width}x{height}")))
}

fn size(column: &str, value: i64) -> StoreResult<u32> {
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("{column} = {value}")))
}

/// Booleans are stored as 0/1 integers on both backends.
fn flag(row: &AnyRow, column: &str) -> StoreResult<bool> {
    Ok(row.try_get::<i64, _>(column)? != 0)
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}

/// `$from, $from+1, …` for `count` parameters, for `IN (...)` lists.
fn placeholders(from: usize, count: usize) -> String {
    (from..from + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_their_backend_and_passwords_stay_out_of_messages() {
        assert_eq!(Backend::from_url("sqlite://data/g.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("postgres://u:p@h/db"), Some(Backend::Postgres));
        assert_eq!(Backend::from_url("mysql://h/db"), None);
        assert_eq!(redact("postgres://user:secret@host:5432/db"), "postgres://…@host:5432/db");
        assert_eq!(placeholders(2, 3), "$2, $3, $4");
    }
}
