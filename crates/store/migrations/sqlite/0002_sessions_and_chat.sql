-- Sign-in sessions (tokens name one; revoking it cuts the token off) and chat logs.

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    user_agent    TEXT NOT NULL,
    revoked_at    INTEGER
);
CREATE INDEX sessions_by_user ON sessions (user_id, created_at);

-- seq orders messages (and pages through them); id is what clients see.
CREATE TABLE chat_messages (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    space_id    TEXT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id),
    scope       TEXT NOT NULL CHECK (scope IN ('space', 'nearby', 'direct')),
    to_user_id  TEXT REFERENCES users (id),
    text        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX chat_messages_by_space ON chat_messages (space_id, seq);
