//! The embedded SQLite backend: one file in WAL mode, foreign keys on, migrations applied on
//! open. Transactions that read-then-write start with `BEGIN IMMEDIATE`, which takes the
//! write lock up front: a deferred transaction that later upgrades can fail with
//! SQLITE_BUSY instead of waiting.

mod catalog;
mod chat;
mod sessions;
mod spaces;
mod users;

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gather_core::Dimensions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::{StoreError, StoreResult};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at a `sqlite://path` URL and migrates it.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    /// Closes every connection, checkpointing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn write_tx(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
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

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}
