//! Typed ids. Every id is a random UUID on the wire, but a `UserId` can never be passed
//! where a `SpaceId` is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random id.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A person with an account.
    UserId
);
id_type!(
    /// A space: a live copy of a map (or a blank floor) owned by one user.
    SpaceId
);
id_type!(
    /// A kind of furniture in the admin's catalogue.
    ElementId
);
id_type!(
    /// One piece of furniture placed in a space.
    SpaceElementId
);
id_type!(
    /// An avatar in the admin's catalogue.
    AvatarId
);
id_type!(
    /// A map: a template that spaces are created from.
    MapId
);
id_type!(
    /// One sign-in: a token names its session, so it can be revoked on its own.
    SessionId
);
id_type!(
    /// One chat message.
    ChatMessageId
);
