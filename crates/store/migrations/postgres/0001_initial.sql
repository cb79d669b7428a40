-- Ids are UUID text; times are Unix milliseconds. `seq` keeps insertion order, which
-- listings follow. SQLite has the same schema in migrations/sqlite.

CREATE TABLE avatars (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    image_url   TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    username       TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    avatar_id      TEXT REFERENCES avatars (id),
    created_at     BIGINT NOT NULL
);
-- Usernames are unique ignoring case.
CREATE UNIQUE INDEX users_by_username ON users (lower(username));

CREATE TABLE elements (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    image_url   TEXT NOT NULL,
    width       BIGINT NOT NULL CHECK (width > 0),
    height      BIGINT NOT NULL CHECK (height > 0),
    is_static   BIGINT NOT NULL CHECK (is_static IN (0, 1)),
    created_at  BIGINT NOT NULL
);

CREATE TABLE maps (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    width       BIGINT NOT NULL,
    height      BIGINT NOT NULL,
    thumbnail   TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE map_elements (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    map_id      TEXT NOT NULL REFERENCES maps (id) ON DELETE CASCADE,
    element_id  TEXT NOT NULL REFERENCES elements (id),
    x           BIGINT NOT NULL,
    y           BIGINT NOT NULL
);
CREATE INDEX map_elements_by_map ON map_elements (map_id, seq);

CREATE TABLE spaces (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    width       BIGINT NOT NULL,
    height      BIGINT NOT NULL,
    thumbnail   TEXT,
    owner_id    TEXT NOT NULL REFERENCES users (id),
    map_id      TEXT REFERENCES maps (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX spaces_by_owner ON spaces (owner_id, seq);

CREATE TABLE space_elements (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    space_id    TEXT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    element_id  TEXT NOT NULL REFERENCES elements (id),
    x           BIGINT NOT NULL,
    y           BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX space_elements_by_space ON space_elements (space_id, seq);

-- A token names its session; revoking the session cuts the token off.
CREATE TABLE sessions (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    user_agent    TEXT NOT NULL,
    revoked_at    BIGINT
);
CREATE INDEX sessions_by_user ON sessions (user_id, seq);

CREATE TABLE chat_messages (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    space_id    TEXT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id),
    scope       TEXT NOT NULL CHECK (scope IN ('space', 'nearby', 'direct')),
    to_user_id  TEXT REFERENCES users (id),
    text        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX chat_messages_by_space ON chat_messages (space_id, seq);
