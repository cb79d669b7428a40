-- Uploaded images, named by the SHA-256 of their re-encoded bytes (the file is
-- '<hash>.png' in the asset store). `created_at` is when it was last uploaded: the sweep
-- of unused assets leaves alone what was uploaded within its grace period.
CREATE TABLE assets (
    hash        TEXT PRIMARY KEY,
    bytes       INTEGER NOT NULL CHECK (bytes > 0),
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

-- Who uploaded what: an image counts once against each uploader's quota, however often
-- they upload it, and stops counting when the sweep removes it.
CREATE TABLE asset_uploads (
    hash        TEXT NOT NULL REFERENCES assets (hash) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (hash, user_id)
);
CREATE INDEX asset_uploads_by_user ON asset_uploads (user_id);

-- A person's own avatars: only they may choose one, and only they see it listed (everyone
-- sees it on their name label). Shared avatars, curated by admins, have no owner.
ALTER TABLE avatars ADD COLUMN owner_id TEXT REFERENCES users (id);
CREATE INDEX avatars_by_owner ON avatars (owner_id);

-- The picture of the whole floor (an imported Tiled map's tile layers), top-left at tile
-- (0, 0); copied into spaces made from the map.
ALTER TABLE maps ADD COLUMN floor_image_url TEXT;
ALTER TABLE spaces ADD COLUMN floor_image_url TEXT;
