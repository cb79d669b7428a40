use async_trait::async_trait;
use gather_core::{AvatarId, Role, UserId};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row};

use super::{is_unique_violation, now_ms, parse, SqliteStore};
use crate::{Entity, NewUser, StoreError, StoreResult, User, UserAvatar, UserStore};

const USER_COLUMNS: &str = "id, username, password_hash, role, avatar_id";

fn user_from(row: SqliteRow) -> StoreResult<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: parse("users.id", row.try_get("id")?)?,
        username: row.try_get("username")?,
        password_hash: row.try_get("password_hash")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role = {role:?}")))?,
        avatar_id: row
            .try_get::<Option<String>, _>("avatar_id")?
            .map(|id| parse("users.avatar_id", id))
            .transpose()?,
    })
}

#[async_trait]
impl UserStore for SqliteStore {
    async fn create_user(&self, user: NewUser, only_if_first: bool) -> StoreResult<()> {
        // One statement, so "no account exists yet" and the insert cannot be split by a
        // concurrent sign-up.
        let sql = if only_if_first {
            "INSERT INTO users (id, username, password_hash, role, created_at)
             SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM users)"
        } else {
            "INSERT INTO users (id, username, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)"
        };
        let result = sqlx::query(sql)
            .bind(user.id.to_string())
            .bind(&user.username)
            .bind(&user.password_hash)
            .bind(user.role.as_str())
            .bind(now_ms())
            .execute(&self.pool)
            .await;
        match result {
            Ok(done) if done.rows_affected() == 0 => Err(StoreError::NotFirstUser),
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(StoreError::UsernameTaken),
            Err(e) => Err(e.into()),
        }
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?");
        let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.map(user_from).transpose()
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?");
        let row = sqlx::query(&sql).bind(username).fetch_optional(&self.pool).await?;
        row.map(user_from).transpose()
    }

    async fn set_user_avatar(&self, user: UserId, avatar: AvatarId) -> StoreResult<()> {
        // Avatars are never deleted, so checking first leaves no window for a race.
        let known = sqlx::query("SELECT 1 FROM avatars WHERE id = ?")
            .bind(avatar.to_string())
            .fetch_optional(&self.pool)
            .await?;
        if known.is_none() {
            return Err(StoreError::NotFound(Entity::Avatar));
        }
        let done = sqlx::query("UPDATE users SET avatar_id = ? WHERE id = ?")
            .bind(avatar.to_string())
            .bind(user.to_string())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(Entity::User));
        }
        Ok(())
    }

    async fn set_password_hash(&self, user: UserId, password_hash: &str) -> StoreResult<()> {
        let done = sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(password_hash)
            .bind(user.to_string())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(Entity::User));
        }
        Ok(())
    }

    async fn user_avatars(&self, ids: &[UserId]) -> StoreResult<Vec<UserAvatar>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = QueryBuilder::new(
            "SELECT u.id, u.username, a.image_url FROM users u
             LEFT JOIN avatars a ON a.id = u.avatar_id WHERE u.id IN (",
        );
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(id.to_string());
        }
        query.push(")");
        let rows = query.build().fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|row| {
                Ok(UserAvatar {
                    user_id: parse("users.id", row.try_get("id")?)?,
                    username: row.try_get("username")?,
                    image_url: row.try_get("image_url")?,
                })
            })
            .collect()
    }
}
