-- Ids are UUID text; times are Unix milliseconds. `seq` keeps insertion order, which
-- listings follow. PostgreSQL has the same schema in migrations/postgres.

CREATE TABLE avatars (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    image_url   TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    username       TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    avatar_id      TEXT REFERENCES avatars (id),
    created_at     INTEGER NOT NULL
);
-- Usernames are unique ignoring case.
CREATE UNIQUE INDEX users_by_username ON users (lower(username));

CREATE TABLE elements (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    image_url   TEXT NOT NULL,
    width       INTEGER NOT NULL CHECK (width > 0),
    height      INTEGER NOT NULL CHECK (height > 0),
    is_static   INTEGER NOT NULL CHECK (is_static IN (0, 1)),
    created_at  INTEGER NOT NULL
);

CREATE TABLE maps (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    thumbnail   TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE map_elements (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    map_id      TEXT NOT NULL REFERENCES maps (id) ON DELETE CASCADE,
    element_id  TEXT NOT NULL REFERENCES elements (id),
    x           INTEGER NOT NULL,
    y           INTEGER NOT NULL
);
CREATE INDEX map_elements_by_map ON map_elements (map_id, seq);

CREATE TABLE spaces (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    thumbnail   TEXT,
    owner_id    TEXT NOT NULL REFERENCES users (id),
    map_id      TEXT REFERENCES maps (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX spaces_by_owner ON spaces (owner_id, seq);

CREATE TABLE space_elements (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    space_id    TEXT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    element_id  TEXT NOT NULL REFERENCES elements (id),
    x           INTEGER NOT NULL,
    y           INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX space_elements_by_space ON space_elements (space_id, seq);

-- A token names its session; revoking the session cuts the token off.
CREATE TABLE sessions (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    user_agent    TEXT NOT NULL,
    revoked_at    INTEGER
);
CREATE INDEX sessions_by_user ON sessions (user_id, seq);

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
