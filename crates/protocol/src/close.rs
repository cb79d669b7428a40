//! The close codes and reasons the server ends a WebSocket with. Clients read them to tell
//! a line that dropped (reconnect) from a socket the server ended on purpose.

/// Why the server closes a socket: a WebSocket close code and a short reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseReason {
    pub code: u16,
    pub reason: &'static str,
}

impl CloseReason {
    pub const SHUTDOWN: Self = Self { code: 1001, reason: "server-shutdown" };
    pub const TOO_BIG: Self = Self { code: 1009, reason: "frame-too-large" };
    pub const IDLE: Self = Self { code: 4000, reason: "idle-timeout" };
    pub const REPLACED: Self = Self { code: 4001, reason: "replaced" };
    pub const SPACE_CLOSED: Self = Self { code: 4002, reason: "space-closed" };
    pub const TOO_SLOW: Self = Self { code: 4003, reason: "too-slow" };
    pub const SESSION_REVOKED: Self = Self { code: 4004, reason: "session-revoked" };
    /// The space moved to another node; reconnect and join again.
    pub const MOVED: Self = Self { code: 4005, reason: "space-moved" };
    /// A moderator removed this person from the space (a kick or a ban); do not rejoin.
    pub const REMOVED: Self = Self { code: 4006, reason: "removed" };

    /// Every reason, each with its own code.
    pub const ALL: [Self; 9] = [
        Self::SHUTDOWN,
        Self::TOO_BIG,
        Self::IDLE,
        Self::REPLACED,
        Self::SPACE_CLOSED,
        Self::TOO_SLOW,
        Self::SESSION_REVOKED,
        Self::MOVED,
        Self::REMOVED,
    ];

    /// The reason a close code stands for, when another node asks for it by code.
    pub fn from_code(code: u16) -> Self {
        Self::ALL.into_iter().find(|reason| reason.code == code).unwrap_or(Self::MOVED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_names_one_reason() {
        for reason in CloseReason::ALL {
            assert_eq!(CloseReason::from_code(reason.code), reason);
        }
        assert_eq!(CloseReason::from_code(1006), CloseReason::MOVED);
    }
}
