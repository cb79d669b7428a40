use async_trait::async_trait;
use gather_core::{ChatMessageId, ChatScope, SpaceId, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{parse, SqlStore};
use crate::{ChatAppend, ChatMessage, ChatStore, Entity, NewChatMessage, StoreError, StoreResult};

/// Audience rows per INSERT: well under every backend's limit on parameters.
const AUDIENCE_ROWS_PER_INSERT: usize = 200;

#[async_trait]
impl ChatStore for SqlStore {
    async fn append_chat(&self, message: &NewChatMessage) -> StoreResult<ChatAppend> {
        let mut tx = self.write_tx().await?;
        let inserted = sqlx::query(
            "INSERT INTO chat_messages (id, space_id, user_id, scope, to_user_id, text, created_at, client_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (user_id, client_id) WHERE client_id IS NOT NULL DO NOTHING",
        )
        .bind(message.id.to_string())
        .bind(message.space_id.to_string())
        .bind(message.user_id.to_string())
        .bind(message.scope.as_str())
        .bind(message.to.map(|u| u.to_string()))
        .bind(&message.text)
        .bind(message.ts)
        .bind(&message.client_id)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            let sql =
                format!("SELECT {MESSAGE_COLUMNS} {MESSAGE_FROM} WHERE m.user_id = $1 AND m.client_id = $2");
            let row = sqlx::query(&sql)
                .bind(message.user_id.to_string())
                .bind(&message.client_id)
                .fetch_one(&mut *tx)
                .await?;
            return Ok(ChatAppend::AlreadyStored(message_from(row)?));
        }
        if message.scope == ChatScope::Nearby {
            // A few rows per statement: a spotlight's audience is up to a hundred people.
            for chunk in message.audience.chunks(AUDIENCE_ROWS_PER_INSERT) {
                let rows: Vec<String> = (0..chunk.len()).map(|i| format!("($1, ${})", i + 2)).collect();
                let sql =
                    format!("INSERT INTO chat_audience (message_id, user_id) VALUES {}", rows.join(", "));
                let mut insert = sqlx::query(&sql).bind(message.id.to_string());
                for user in chunk {
                    insert = insert.bind(user.to_string());
                }
                insert.execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(ChatAppend::Stored)
    }

    async fn chat_page(
        &self,
        space: SpaceId,
        viewer: UserId,
        before: Option<ChatMessageId>,
        limit: u32,
    ) -> StoreResult<Vec<ChatMessage>> {
        let before_seq = match before {
            None => i64::MAX,
            Some(id) => sqlx::query("SELECT seq FROM chat_messages WHERE id = $1 AND space_id = $2")
                .bind(id.to_string())
                .bind(space.to_string())
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound(Entity::ChatMessage))?
                .try_get("seq")?,
        };
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} {MESSAGE_FROM}
             WHERE m.space_id = $1 AND m.seq < $2
               AND (m.scope = 'space' OR m.user_id = $3
                    OR (m.scope = 'direct' AND m.to_user_id = $4)
                    OR (m.scope = 'nearby' AND EXISTS (
                        SELECT 1 FROM chat_audience a WHERE a.message_id = m.id AND a.user_id = $5)))
             ORDER BY m.seq DESC LIMIT $6"
        );
        let rows = sqlx::query(&sql)
            .bind(space.to_string())
            .bind(before_seq)
            .bind(viewer.to_string())
            .bind(viewer.to_string())
            .bind(viewer.to_string())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(message_from).collect()
    }
}

const MESSAGE_COLUMNS: &str = "m.id, m.user_id, u.username, m.scope, m.to_user_id, m.text, m.created_at";
const MESSAGE_FROM: &str = "FROM chat_messages m JOIN users u ON u.id = m.user_id";

fn message_from(row: AnyRow) -> StoreResult<ChatMessage> {
    let scope: String = row.try_get("scope")?;
    Ok(ChatMessage {
        id: parse("chat_messages.id", row.try_get("id")?)?,
        user_id: parse("chat_messages.user_id", row.try_get("user_id")?)?,
        username: row.try_get("username")?,
        scope: ChatScope::parse(&scope).ok_or_else(|| StoreError::Corrupt(format!("scope = {scope:?}")))?,
        to: row
            .try_get::<Option<String>, _>("to_user_id")?
            .map(|id| parse("chat_messages.to_user_id", id))
            .transpose()?,
        text: row.try_get("text")?,
        ts: row.try_get("created_at")?,
    })
}
