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
        })
    }
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
    /// The database failed or could not be reached: never the caller's fault.
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0}: use sqlite://<path> or postgres://…")]
    UnsupportedUrl(String),
    /// A stored value that does not decode: a bug or a corrupted row.
    #[error("corrupt row: {0}")]
    Corrupt(String),
}
