-- A space's own rules: tile effects (also on maps, copied into spaces made from them),
-- who may enter, roles, bans and the audit log of what moderators and owners did.
-- Effects are one JSON document (gather_core::EffectsSpec), read and written whole.

ALTER TABLE maps ADD COLUMN effects TEXT NOT NULL DEFAULT '{}';
ALTER TABLE spaces ADD COLUMN effects TEXT NOT NULL DEFAULT '{}';
ALTER TABLE spaces ADD COLUMN access TEXT NOT NULL DEFAULT 'public'
    CHECK (access IN ('public', 'members', 'password'));
-- An argon2id PHC string, set with access 'password'.
ALTER TABLE spaces ADD COLUMN password_hash TEXT;
-- Grants name the version they were given for: a new password voids the old grants.
ALTER TABLE spaces ADD COLUMN password_version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE space_roles (
    space_id    TEXT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('moderator', 'builder', 'member')),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (space_id, user_id)
);

CREATE TABLE space_bans (
    space_id    TEXT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    banned_by   TEXT NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (space_id, user_id)
);

CREATE TABLE space_audit (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id    TEXT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    actor_id    TEXT NOT NULL REFERENCES users (id),
    action      TEXT NOT NULL,
    target_id   TEXT REFERENCES users (id),
    detail      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX space_audit_by_space ON space_audit (space_id, seq);
