use async_trait::async_trait;
use gather_core::{SessionId, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{now_ms, parse, SqlStore};
use crate::{Entity, Session, SessionStore, StoreError, StoreResult};

const COLUMNS: &str = "id, user_id, created_at, last_seen_at, user_agent, revoked_at";

fn session_from(row: AnyRow) -> StoreResult<Session> {
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
impl SessionStore for SqlStore {
    async fn create_session(&self, session: &Session) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at, last_seen_at, user_agent) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(session.id.to_string())
        .bind(session.user_id.to_string())
        .bind(session.created_at)
        .bind(session.last_seen_at)
        .bind(&session.user_agent)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn session(&self, id: SessionId) -> StoreResult<Option<Session>> {
        let sql = format!("SELECT {COLUMNS} FROM sessions WHERE id = $1");
        let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.map(session_from).transpose()
    }

    async fn active_sessions(&self, user: UserId) -> StoreResult<Vec<Session>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM sessions WHERE user_id = $1 AND revoked_at IS NULL ORDER BY seq DESC"
        );
        let rows = sqlx::query(&sql).bind(user.to_string()).fetch_all(&self.pool).await?;
        rows.into_iter().map(session_from).collect()
    }

    async fn revoke_session(&self, id: SessionId) -> StoreResult<()> {
        let done = sqlx::query("UPDATE sessions SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2")
            .bind(now_ms())
            .bind(id.to_string())
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(Entity::Session));
        }
        Ok(())
    }

    async fn revoke_other_sessions(&self, user: UserId, keep: SessionId) -> StoreResult<Vec<SessionId>> {
        let rows = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND id != $3 AND revoked_at IS NULL RETURNING id",
        )
        .bind(now_ms())
        .bind(user.to_string())
        .bind(keep.to_string())
        .fetch_all(&self.writer)
        .await?;
        rows.into_iter().map(|row| parse("sessions.id", row.try_get("id")?)).collect()
    }

    async fn touch_sessions(&self, ids: &[SessionId], at: i64) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        for chunk in ids.chunks(TOUCHED_PER_STATEMENT) {
            let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "UPDATE sessions SET last_seen_at = $1 WHERE last_seen_at < $1 AND id IN ({})",
                list.join(", ")
            );
            let mut update = sqlx::query(&sql).bind(at);
            for id in chunk {
                update = update.bind(id.to_string());
            }
            update.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Sessions per `UPDATE`: well under the bound parameters both databases take.
const TOUCHED_PER_STATEMENT: usize = 500;
