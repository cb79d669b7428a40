use async_trait::async_trait;
use gather_core::{username_key, AvatarId, Role, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{is_unique_violation, now_ms, parse, placeholders, Lock, SqlStore};
use crate::{Entity, NewUser, StoreError, StoreResult, User, UserAvatar, UserStore};

const USER_COLUMNS: &str = "id, username, password_hash, role, avatar_id";

fn user_from(row: AnyRow) -> StoreResult<User> {
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
impl UserStore for SqlStore {
    async fn create_user(&self, user: NewUser, only_if_first: bool) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        if only_if_first {
            // Locked, so "no account exists yet" still holds when the insert lands.
            self.lock(&mut tx, Lock::Users).await?;
            let any = sqlx::query("SELECT 1 AS one FROM users LIMIT 1").fetch_optional(&mut *tx).await?;
            if any.is_some() {
                return Err(StoreError::NotFirstUser);
            }
        }
        let inserted = sqlx::query(
            "INSERT INTO users (id, username, username_key, password_hash, role, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(user.id.to_string())
        .bind(&user.username)
        .bind(username_key(&user.username))
        .bind(&user.password_hash)
        .bind(user.role.as_str())
        .bind(now_ms())
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(e) if is_unique_violation(&e) => Err(StoreError::UsernameTaken),
            Err(e) => Err(e.into()),
            Ok(_) => Ok(tx.commit().await?),
        }
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.map(user_from).transpose()
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        // A row without a key is one whose name collided with an older account's when keys
        // were first computed; it is still found by its exact name.
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users
             WHERE username_key = $1 OR (username_key IS NULL AND username = $2)
             ORDER BY username_key IS NULL LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(username_key(username))
            .bind(username.trim())
            .fetch_optional(&self.pool)
            .await?;
        row.map(user_from).transpose()
    }

    async fn set_user_avatar(&self, user: UserId, avatar: AvatarId) -> StoreResult<()> {
        // One statement: the avatar must be shared or the user's own at the moment of the
        // write, so a concurrent deletion of an own avatar cannot slip in between.
        let done = sqlx::query(
            "UPDATE users SET avatar_id = $1 WHERE id = $2 AND EXISTS
               (SELECT 1 FROM avatars a WHERE a.id = $1 AND (a.owner_id IS NULL OR a.owner_id = $2))",
        )
        .bind(avatar.to_string())
        .bind(user.to_string())
        .execute(&self.writer)
        .await?;
        if done.rows_affected() > 0 {
            return Ok(());
        }
        match self.user(user).await? {
            Some(_) => Err(StoreError::NotFound(Entity::Avatar)),
            None => Err(StoreError::NotFound(Entity::User)),
        }
    }

    async fn user_avatars(&self, ids: &[UserId]) -> StoreResult<Vec<UserAvatar>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT u.id, u.username, a.image_url FROM users u
             LEFT JOIN avatars a ON a.id = u.avatar_id WHERE u.id IN ({})",
            placeholders(1, ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(id.to_string());
        }
        let rows = query.fetch_all(&self.pool).await?;
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

    async fn set_role(&self, user: UserId, role: Role) -> StoreResult<()> {
        self.set_user_column("role", user, role.as_str()).await
    }

    async fn set_password_hash(&self, user: UserId, password_hash: &str) -> StoreResult<()> {
        self.set_user_column("password_hash", user, password_hash).await
    }
}

impl SqlStore {
    /// Sets one text column of a user; `NotFound(User)` when there is no such user.
    /// `column` is always a literal from this file, never input.
    async fn set_user_column(&self, column: &'static str, user: UserId, value: &str) -> StoreResult<()> {
        let sql = format!("UPDATE users SET {column} = $1 WHERE id = $2");
        let done = sqlx::query(&sql).bind(value).bind(user.to_string()).execute(&self.writer).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(Entity::User));
        }
        Ok(())
    }
}

impl SqlStore {
    /// Gives accounts made before usernames had keys their key, oldest first. Two old names
    /// that fold to the same key (`Ärger`, `ärger`) cannot both have it: the younger keeps
    /// none, stays reachable by its exact name, and no new account can take the key.
    pub(crate) async fn fill_username_keys(&self) -> StoreResult<()> {
        let rows = sqlx::query("SELECT id, username FROM users WHERE username_key IS NULL ORDER BY seq")
            .fetch_all(&self.pool)
            .await?;
        for row in rows {
            let (id, name): (String, String) = (row.try_get("id")?, row.try_get("username")?);
            let done = sqlx::query("UPDATE users SET username_key = $1 WHERE id = $2")
                .bind(username_key(&name))
                .bind(&id)
                .execute(&self.writer)
                .await;
            match done {
                Err(e) if is_unique_violation(&e) => {
                    tracing::warn!(user = %id, "username folds to an older account's; left without a key");
                }
                other => {
                    other?;
                }
            }
        }
        Ok(())
    }
}
