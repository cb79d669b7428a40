use async_trait::async_trait;
use gather_core::{SessionId, UserId};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::{now_ms, parse, SqliteStore};
use crate::{Entity, Session, SessionStore, StoreError, StoreResult};

const COLUMNS: &str = "id, user_id, created_at, last_seen_at, user_agent, revoked_at";

fn session_from(row: SqliteRow) -> StoreResult<Session> {
    Ok(Session {
        id: parse("sessions.id", row.try_get("id")?)?,
        user_id: parse("sessions.user_id", row.try_get("user_id")?)?,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        user_agent: row.try_get("user_agent")?,
        revoked: row.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
    })
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn create_session(&self, session: &Session) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at, last_seen_at, user_agent) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(session.id.to_string())
        .bind(session.user_id.to_string())
        .bind(session.created_at)
        .bind(session.last_seen_at)
        .bind(&session.user_agent)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session(&self, id: SessionId) -> StoreResult<Option<Session>> {
        let sql = format!("SELECT {COLUMNS} FROM sessions WHERE id = ?");
        let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.map(session_from).transpose()
    }

    async fn active_sessions(&self, user: UserId) -> StoreResult<Vec<Session>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM sessions WHERE user_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, rowid DESC"
        );
        let rows = sqlx::query(&sql).bind(user.to_string()).fetch_all(&self.pool).await?;
        rows.into_iter().map(session_from).collect()
    }

    async fn revoke_session(&self, id: SessionId) -> StoreResult<()> {
        let done = sqlx::query("UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?")
            .bind(now_ms())
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(Entity::Session));
        }
        Ok(())
    }

    async fn revoke_other_sessions(&self, user: UserId, keep: SessionId) -> StoreResult<Vec<SessionId>> {
        let rows = sqlx::query(
            "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND id != ? AND revoked_at IS NULL RETURNING id",
        )
        .bind(now_ms())
        .bind(user.to_string())
        .bind(keep.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|row| parse("sessions.id", row.try_get("id")?)).collect()
    }

    async fn touch_session(&self, id: SessionId, at: i64) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = MAX(last_seen_at, ?) WHERE id = ?")
            .bind(at)
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
