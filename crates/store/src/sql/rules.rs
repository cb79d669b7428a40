use async_trait::async_trait;
use gather_core::{EffectsSpec, SpaceAccess, SpaceId, SpaceRole, UserId};
use sqlx::{AnyConnection, Row};

use super::{now_ms, parse, SqlStore};
use crate::{
    AuditEntry, Entity, Entry, NewAuditEntry, RulesStore, SpaceBan, SpaceGate, SpaceMember, StoreError,
    StoreResult,
};

/// Effects as stored: one JSON document.
pub(super) fn effects_from(column: &str, text: &str) -> StoreResult<EffectsSpec> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

pub(super) fn effects_json(effects: &EffectsSpec) -> String {
    serde_json::to_string(effects).expect("effects always serialise")
}

fn stored_role(text: &str) -> StoreResult<SpaceRole> {
    SpaceRole::parse_grantable(text)
        .ok_or_else(|| StoreError::Corrupt(format!("space_roles.role = {text:?}")))
}

async fn insert_audit(conn: &mut AnyConnection, audit: &NewAuditEntry) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO space_audit (space_id, actor_id, action, target_id, detail, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(audit.space_id.to_string())
    .bind(audit.actor_id.to_string())
    .bind(audit.action)
    .bind(audit.target_id.map(|id| id.to_string()))
    .bind(&audit.detail)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

async fn require_space(conn: &mut AnyConnection, space: SpaceId) -> StoreResult<()> {
    let row = sqlx::query("SELECT 1 AS hit FROM spaces WHERE id = $1")
        .bind(space.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|_| ()).ok_or(StoreError::NotFound(Entity::Space))
}

async fn require_user(conn: &mut AnyConnection, user: UserId) -> StoreResult<()> {
    let row = sqlx::query("SELECT 1 AS hit FROM users WHERE id = $1")
        .bind(user.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|_| ()).ok_or(StoreError::NotFound(Entity::User))
}

#[async_trait]
impl RulesStore for SqlStore {
    async fn set_space_effects(&self, effects: &EffectsSpec, audit: &NewAuditEntry) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE spaces SET effects = $1 WHERE id = $2")
            .bind(effects_json(effects))
            .bind(audit.space_id.to_string())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(Entity::Space));
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn entry(&self, space: SpaceId, user: UserId) -> StoreResult<Option<Entry>> {
        let row = sqlx::query(
            "SELECT s.owner_id, s.access, s.password_hash, s.password_version, r.role,
                    (SELECT COUNT(*) FROM space_bans b WHERE b.space_id = s.id AND b.user_id = $1) AS banned
             FROM spaces s LEFT JOIN space_roles r ON r.space_id = s.id AND r.user_id = $2
             WHERE s.id = $3",
        )
        .bind(user.to_string())
        .bind(user.to_string())
        .bind(space.to_string())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let owner: UserId = parse("spaces.owner_id", row.try_get("owner_id")?)?;
        let access: String = row.try_get("access")?;
        let gate = SpaceGate {
            access: SpaceAccess::parse(&access)
                .ok_or_else(|| StoreError::Corrupt(format!("spaces.access = {access:?}")))?,
            password_hash: row.try_get("password_hash")?,
            password_version: row.try_get("password_version")?,
        };
        let role = match row.try_get::<Option<String>, _>("role")? {
            _ if owner == user => SpaceRole::Owner,
            Some(role) => stored_role(&role)?,
            None => SpaceRole::Guest,
        };
        let banned: i64 = row.try_get("banned")?;
        Ok(Some(Entry { gate, role, banned: banned > 0 }))
    }

    async fn set_space_access(
        &self,
        access: SpaceAccess,
        password_hash: Option<&str>,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let done = match password_hash {
            Some(hash) => sqlx::query(
                "UPDATE spaces SET access = $1, password_hash = $2, password_version = password_version + 1
                     WHERE id = $3",
            )
            .bind(access.as_str())
            .bind(hash)
            .bind(audit.space_id.to_string())
            .execute(&mut *tx)
            .await?,
            None => {
                sqlx::query("UPDATE spaces SET access = $1 WHERE id = $2")
                    .bind(access.as_str())
                    .bind(audit.space_id.to_string())
                    .execute(&mut *tx)
                    .await?
            }
        };
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(Entity::Space));
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn space_members(&self, space: SpaceId) -> StoreResult<Vec<SpaceMember>> {
        let rows = sqlx::query(
            "SELECT r.user_id, u.username, r.role FROM space_roles r JOIN users u ON u.id = r.user_id
             WHERE r.space_id = $1 ORDER BY r.created_at, u.username",
        )
        .bind(space.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(SpaceMember {
                    user_id: parse("space_roles.user_id", row.try_get("user_id")?)?,
                    username: row.try_get("username")?,
                    role: stored_role(&row.try_get::<String, _>("role")?)?,
                })
            })
            .collect()
    }

    async fn set_space_role(
        &self,
        user: UserId,
        role: Option<SpaceRole>,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        require_space(&mut tx, audit.space_id).await?;
        require_user(&mut tx, user).await?;
        sqlx::query("DELETE FROM space_roles WHERE space_id = $1 AND user_id = $2")
            .bind(audit.space_id.to_string())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        if let Some(role) = role {
            sqlx::query(
                "INSERT INTO space_roles (space_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(audit.space_id.to_string())
            .bind(user.to_string())
            .bind(role.as_str())
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn ban(&self, user: UserId, audit: &NewAuditEntry) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        require_space(&mut tx, audit.space_id).await?;
        require_user(&mut tx, user).await?;
        sqlx::query("DELETE FROM space_bans WHERE space_id = $1 AND user_id = $2")
            .bind(audit.space_id.to_string())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO space_bans (space_id, user_id, banned_by, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(audit.space_id.to_string())
        .bind(user.to_string())
        .bind(audit.actor_id.to_string())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn unban(&self, user: UserId, audit: &NewAuditEntry) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        require_space(&mut tx, audit.space_id).await?;
        let done = sqlx::query("DELETE FROM space_bans WHERE space_id = $1 AND user_id = $2")
            .bind(audit.space_id.to_string())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn bans(&self, space: SpaceId) -> StoreResult<Vec<SpaceBan>> {
        let rows = sqlx::query(
            "SELECT b.user_id, u.username, b.created_at FROM space_bans b JOIN users u ON u.id = b.user_id
             WHERE b.space_id = $1 ORDER BY b.created_at DESC, u.username",
        )
        .bind(space.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(SpaceBan {
                    user_id: parse("space_bans.user_id", row.try_get("user_id")?)?,
                    username: row.try_get("username")?,
                    at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    async fn append_audit(&self, audit: &NewAuditEntry) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        require_space(&mut tx, audit.space_id).await?;
        insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit_log(&self, space: SpaceId, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT a.actor_id, u.username, a.action, a.target_id, a.detail, a.created_at
             FROM space_audit a JOIN users u ON u.id = a.actor_id
             WHERE a.space_id = $1 ORDER BY a.seq DESC LIMIT $2",
        )
        .bind(space.to_string())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                let target: Option<String> = row.try_get("target_id")?;
                Ok(AuditEntry {
                    actor_id: parse("space_audit.actor_id", row.try_get("actor_id")?)?,
                    actor: row.try_get("username")?,
                    action: row.try_get("action")?,
                    target_id: target.map(|t| parse("space_audit.target_id", t)).transpose()?,
                    detail: row.try_get("detail")?,
                    at: row.try_get("created_at")?,
                })
            })
            .collect()
    }
}
