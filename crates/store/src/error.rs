use std::fmt;

use gather_core::PlacementError;

/// A kind of stored thing, to say which one was missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    User,
    Avatar,
    Element,
    Map,
    Space,
    SpaceElement,
    Session,
    ChatMessage,
    Asset,
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::User => "user",
            Self::Avatar => "avatar",
            Self::Element => "element",
            Self::Map => "map",
            Self::Space => "space",
            Self::SpaceElement => "space element",
            Self::Session => "session",
            Self::ChatMessage => "chat message",
            Self::Asset => "asset",
        })
    }
}

/// A cap on what one account or space may hold, with the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Limit {
    #[error("you already own {0} spaces, the most one account may have; delete one first")]
    SpacesPerUser(u32),
    #[error("the space already holds {0} elements, the most a space may have")]
    ElementsPerSpace(u32),
    #[error("your uploads would pass your quota of {0} bytes; remove unused images first")]
    AssetQuota(u64),
    #[error("you already have {0} avatars of your own, the most one account may have; delete one first")]
    AvatarsPerUser(u32),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no such {0}")]
    NotFound(Entity),
    #[error("that username is already taken")]
    UsernameTaken,
    #[error("an account already exists")]
    NotFirstUser,
    #[error(transparent)]
    Placement(#[from] PlacementError),
    /// A per-account or per-space limit was reached.
    #[error("{0}")]
    Limit(Limit),
    /// The database is unreachable, or too busy to take this write in time: worth retrying.
    #[error("the database is busy or unreachable")]
    Unavailable(#[source] sqlx::Error),
    /// The database failed: never the caller's fault.
    #[error("database error")]
    Database(#[source] sqlx::Error),
    #[error("database migration failed")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0}: use sqlite://<path> or postgres://…")]
    UnsupportedUrl(String),
    /// A stored value that does not decode: a bug or a corrupted row.
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if is_transient(&error) {
            Self::Unavailable(error)
        } else {
            Self::Database(error)
        }
    }
}

/// Failures that say nothing about the request and may pass if it is tried again: no
/// connection to be had, a lost one, or a database too busy to take the write in time.
fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(e) => e.code().is_some_and(|code| is_busy_code(&code)),
        _ => false,
    }
}

/// SQLite reports its (extended) result code as a number; the primary code is the low
/// byte: BUSY (5) when another connection holds the write lock past the busy timeout,
/// LOCKED (6) for a conflict within one connection. PostgreSQL's SQLSTATEs: lock and
/// serialization conflicts, and a server that is shutting down or starting.
fn is_busy_code(code: &str) -> bool {
    // A SQLSTATE always has five characters; SQLite's extended codes have at most four digits.
    if code.len() == 5 {
        return matches!(code, "40001" | "40P01" | "55P03" | "53300" | "57P01" | "57P02" | "57P03");
    }
    code.parse::<u32>().is_ok_and(|sqlite| matches!(sqlite & 0xff, 5 | 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_and_locked_databases_count_as_transient() {
        for code in ["5", "517", "773", "6", "262", "40001", "40P01", "55P03", "57P03"] {
            assert!(is_busy_code(code), "{code}");
        }
        for code in ["1", "19", "2067", "23505", "42P01"] {
            assert!(!is_busy_code(code), "{code}");
        }
    }
}
