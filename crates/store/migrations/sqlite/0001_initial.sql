-- Ids are UUID text; times are Unix milliseconds.

CREATE TABLE avatars (
    id          TEXT PRIMARY KEY NOT NULL,
    image_url   TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY NOT NULL,
    username       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    avatar_id      TEXT REFERENCES avatars (id),
    created_at     INTEGER NOT NULL
);

CREATE TABLE elements (
    id          TEXT PRIMARY KEY NOT NULL,
    image_url   TEXT NOT NULL,
    width       INTEGER NOT NULL CHECK (width > 0),
    height      INTEGER NOT NULL CHECK (height > 0),
    is_static   INTEGER NOT NULL CHECK (is_static IN (0, 1)),
    created_at  INTEGER NOT NULL
);

CREATE TABLE maps (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    thumbnail   TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE map_elements (
    id          TEXT PRIMARY KEY NOT NULL,
    map_id      TEXT NOT NULL REFERENCES maps (id) ON DELETE CASCADE,
    element_id  TEXT NOT NULL REFERENCES elements (id),
    x           INTEGER NOT NULL,
    y           INTEGER NOT NULL,
    seq         INTEGER NOT NULL
);
CREATE INDEX map_elements_by_map ON map_elements (map_id, seq);

CREATE TABLE spaces (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    thumbnail   TEXT,
    owner_id    TEXT NOT NULL REFERENCES users (id),
    map_id      TEXT REFERENCES maps (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX spaces_by_owner ON spaces (owner_id, created_at);

CREATE TABLE space_elements (
    id          TEXT PRIMARY KEY NOT NULL,
    space_id    TEXT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    element_id  TEXT NOT NULL REFERENCES elements (id),
    x           INTEGER NOT NULL,
    y           INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX space_elements_by_space ON space_elements (space_id, created_at);
