use async_trait::async_trait;
use gather_core::{AvatarId, UserId};
use sqlx::{AnyConnection, Row};

use super::catalog::{avatar_from, insert_avatar, AVATAR_COLUMNS};
use super::{now_ms, size, Lock, SqlStore};
use crate::{AssetRecord, AssetStore, Avatar, Entity, Limit, StoreError, StoreResult};

/// Every column that may hold an image URL, and so refer to an asset.
const IMAGE_COLUMNS: [(&str, &str); 6] = [
    ("avatars", "image_url"),
    ("elements", "image_url"),
    ("maps", "thumbnail"),
    ("maps", "floor_image_url"),
    ("spaces", "thumbnail"),
    ("spaces", "floor_image_url"),
];

/// `SUM` of a `BIGINT` is `numeric` on PostgreSQL, which the `Any` driver cannot read as an
/// integer: hence the cast.
async fn bytes_uploaded_by(conn: &mut AnyConnection, user: UserId) -> StoreResult<u64> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(a.bytes), 0) AS BIGINT) AS n FROM asset_uploads u
         JOIN assets a ON a.hash = u.hash WHERE u.user_id = $1",
    )
    .bind(user.to_string())
    .fetch_one(conn)
    .await?;
    Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0))
}

#[async_trait]
impl AssetStore for SqlStore {
    async fn uploaded_bytes(&self, user: UserId) -> StoreResult<u64> {
        bytes_uploaded_by(&mut *self.pool.acquire().await?, user).await
    }

    async fn record_upload(&self, user: UserId, asset: &AssetRecord, quota_bytes: u64) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        // Serialises one person's uploads on PostgreSQL, so the sum below stays true.
        self.lock(&mut tx, Lock::User(&user.to_string())).await?;
        let before = sqlx::query("SELECT 1 AS one FROM asset_uploads WHERE hash = $1 AND user_id = $2")
            .bind(&asset.hash)
            .bind(user.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if !before && bytes_uploaded_by(&mut tx, user).await?.saturating_add(asset.bytes) > quota_bytes {
            return Err(StoreError::Limit(Limit::AssetQuota(quota_bytes)));
        }
        let now = now_ms();
        sqlx::query(
            "INSERT INTO assets (hash, bytes, width, height, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (hash) DO UPDATE SET created_at = excluded.created_at",
        )
        .bind(&asset.hash)
        .bind(i64::try_from(asset.bytes).unwrap_or(i64::MAX))
        .bind(i64::from(asset.width))
        .bind(i64::from(asset.height))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if !before {
            sqlx::query("INSERT INTO asset_uploads (hash, user_id, created_at) VALUES ($1, $2, $3)")
                .bind(&asset.hash)
                .bind(user.to_string())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn asset(&self, hash: &str) -> StoreResult<Option<AssetRecord>> {
        let row = sqlx::query("SELECT hash, bytes, width, height FROM assets WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(AssetRecord {
                hash: row.try_get("hash")?,
                bytes: u64::try_from(row.try_get::<i64, _>("bytes")?).unwrap_or(0),
                width: size("assets.width", row.try_get("width")?)?,
                height: size("assets.height", row.try_get("height")?)?,
            })
        })
        .transpose()
    }

    async fn sweep_assets(&self, cutoff: i64) -> StoreResult<Vec<String>> {
        let unreferenced: Vec<String> = IMAGE_COLUMNS
            .iter()
            .map(|(table, column)| {
                format!(
                    "NOT EXISTS (SELECT 1 FROM {table} WHERE {column} = '/assets/' || assets.hash || '.png')"
                )
            })
            .collect();
        // One statement: whatever refers to an asset when it runs keeps it.
        let sql = format!(
            "DELETE FROM assets WHERE created_at < $1 AND {} RETURNING hash",
            unreferenced.join(" AND ")
        );
        let rows = sqlx::query(&sql).bind(cutoff).fetch_all(&self.writer).await?;
        rows.into_iter().map(|row| Ok(row.try_get("hash")?)).collect()
    }

    async fn create_own_avatar(&self, avatar: &Avatar, max_per_user: u32) -> StoreResult<()> {
        let owner = avatar.owner.ok_or(StoreError::NotFound(Entity::User))?.to_string();
        let mut tx = self.write_tx().await?;
        self.lock(&mut tx, Lock::User(&owner)).await?;
        let row = sqlx::query("SELECT COUNT(*) AS n FROM avatars WHERE owner_id = $1")
            .bind(&owner)
            .fetch_one(&mut *tx)
            .await?;
        if row.try_get::<i64, _>("n")? >= i64::from(max_per_user) {
            return Err(StoreError::Limit(Limit::AvatarsPerUser(max_per_user)));
        }
        insert_avatar(&mut tx, avatar).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn own_avatars(&self, user: UserId) -> StoreResult<Vec<Avatar>> {
        let sql = format!("SELECT {AVATAR_COLUMNS} FROM avatars WHERE owner_id = $1 ORDER BY seq");
        let rows = sqlx::query(&sql).bind(user.to_string()).fetch_all(&self.pool).await?;
        rows.iter().map(avatar_from).collect()
    }

    async fn delete_own_avatar(&self, user: UserId, avatar: AvatarId) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let theirs = sqlx::query("SELECT 1 AS one FROM avatars WHERE id = $1 AND owner_id = $2")
            .bind(avatar.to_string())
            .bind(user.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if theirs.is_none() {
            return Err(StoreError::NotFound(Entity::Avatar));
        }
        sqlx::query("UPDATE users SET avatar_id = NULL WHERE avatar_id = $1")
            .bind(avatar.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM avatars WHERE id = $1").bind(avatar.to_string()).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
