//! Where Gather keeps what must survive a restart: users and sessions, the catalogue
//! (avatars, elements, maps), spaces with their furniture, and chat logs. Handlers see only
//! the [`Store`] trait; SQLite and PostgreSQL both implement it. Placement rules come from
//! `gather-core`; the store only makes the check and the write one transaction.

mod error;
mod model;
pub mod sql;

use async_trait::async_trait;
use gather_core::{
    AvatarId, ChatMessageId, EffectsSpec, ElementId, Position, Role, SessionId, SpaceAccess, SpaceElementId,
    SpaceId, SpaceRole, UserId,
};

pub use error::{Entity, Limit, StoreError};
pub use model::*;
pub use sql::{Backend, PoolSettings, SqlStore};

pub type StoreResult<T> = Result<T, StoreError>;

/// Accounts.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Fails with `UsernameTaken` (case-insensitively), or with `NotFirstUser` when
    /// `only_if_first` is set and any account exists; the check and insert are atomic.
    async fn create_user(&self, user: NewUser, only_if_first: bool) -> StoreResult<()>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>>;
    /// `NotFound(Avatar)` when the avatar does not exist, or is someone else's own.
    async fn set_user_avatar(&self, user: UserId, avatar: AvatarId) -> StoreResult<()>;
    /// The given users that exist, in no particular order.
    async fn user_avatars(&self, ids: &[UserId]) -> StoreResult<Vec<UserAvatar>>;
    /// `NotFound(User)` when the user does not exist.
    async fn set_password_hash(&self, user: UserId, password_hash: &str) -> StoreResult<()>;
    /// `NotFound(User)` when the user does not exist.
    async fn set_role(&self, user: UserId, role: Role) -> StoreResult<()>;
}

/// Whether the database can serve: reachable, with every migration applied.
#[async_trait]
pub trait Readiness: Send + Sync {
    async fn ready(&self) -> StoreResult<bool>;
}

/// Sign-in sessions.
#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, session: &Session) -> StoreResult<()>;
    async fn session(&self, id: SessionId) -> StoreResult<Option<Session>>;
    /// The user's sessions that are not revoked, newest first.
    async fn active_sessions(&self, user: UserId) -> StoreResult<Vec<Session>>;
    /// `NotFound(Session)` when it does not exist; revoking twice is fine.
    async fn revoke_session(&self, id: SessionId) -> StoreResult<()>;
    /// Revokes all of the user's sessions but `keep`; returns the ones it revoked.
    async fn revoke_other_sessions(&self, user: UserId, keep: SessionId) -> StoreResult<Vec<SessionId>>;
    /// Records that these sessions were seen at `at` (never moving one back), in a few
    /// statements of one write: a burst of joins costs one disk flush, not one each.
    async fn touch_sessions(&self, ids: &[SessionId], at: i64) -> StoreResult<()>;
}

/// Chat logs.
#[async_trait]
pub trait ChatStore: Send + Sync {
    /// Durable when this returns: only then may the message be acknowledged. A message
    /// whose sender already stored one with the same `client_id` is not stored again.
    async fn append_chat(&self, message: &NewChatMessage) -> StoreResult<ChatAppend>;
    /// Messages of the space that `viewer` may see (space-wide ones, their own, direct ones
    /// to them, and nearby ones that reached them), newest first, strictly older than `before`. `NotFound(ChatMessage)` for an unknown
    /// `before`.
    async fn chat_page(
        &self,
        space: SpaceId,
        viewer: UserId,
        before: Option<ChatMessageId>,
        limit: u32,
    ) -> StoreResult<Vec<ChatMessage>>;
}

/// The admin-curated catalogue.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    async fn create_avatar(&self, avatar: &Avatar) -> StoreResult<()>;
    /// The shared avatars (those with no owner).
    async fn avatars(&self) -> StoreResult<Vec<Avatar>>;
    async fn create_element(&self, element: &Element) -> StoreResult<()>;
    async fn element(&self, id: ElementId) -> StoreResult<Option<Element>>;
    async fn elements(&self) -> StoreResult<Vec<Element>>;
    /// `NotFound(Element)` when the element does not exist.
    async fn set_element_image(&self, id: ElementId, image_url: &str) -> StoreResult<()>;
    /// `NotFound(Element)` when a default element names an unknown element;
    /// `Placement` when one does not fit or overlaps a solid one.
    async fn create_map(&self, map: &NewMap) -> StoreResult<()>;
    async fn maps(&self) -> StoreResult<Vec<Map>>;
}

/// Spaces and their furniture.
#[async_trait]
pub trait SpaceStore: Send + Sync {
    /// A space from a map copies the map's size, thumbnail and furniture at this moment;
    /// `NotFound(Map)` when the map does not exist; `Limit(SpacesPerUser)` when the owner
    /// already has `max_per_owner` spaces.
    async fn create_space(&self, space: &NewSpace, max_per_owner: u32) -> StoreResult<()>;
    async fn space(&self, id: SpaceId) -> StoreResult<Option<Space>>;
    async fn space_summary(&self, id: SpaceId) -> StoreResult<Option<SpaceSummary>>;
    async fn spaces_of(&self, owner: UserId) -> StoreResult<Vec<SpaceSummary>>;
    /// Deletes the space and its furniture; `NotFound(Space)` when it does not exist.
    async fn delete_space(&self, id: SpaceId) -> StoreResult<()>;
    /// Checks the placement rule against the space's current furniture and inserts, as one
    /// transaction, so two concurrent placements cannot overlap. `Limit(ElementsPerSpace)`
    /// when the space already holds `max_per_space` pieces.
    async fn place_element(
        &self,
        space: SpaceId,
        element: ElementId,
        at: Position,
        max_per_space: u32,
    ) -> StoreResult<PlacedElement>;
    /// The space a placed piece belongs to.
    async fn space_of_element(&self, id: SpaceElementId) -> StoreResult<Option<SpaceSummary>>;
    /// `NotFound(SpaceElement)` when it does not exist.
    async fn remove_element(&self, id: SpaceElementId) -> StoreResult<()>;
}

/// A space's own rules: effects, access, roles, bans, and the audit log. Each change
/// writes its audit entry in the same transaction, so no action goes unrecorded.
/// `NotFound(Space)` whenever the space does not exist.
#[async_trait]
pub trait RulesStore: Send + Sync {
    /// Replaces the space's effects, already checked against its size.
    async fn set_space_effects(&self, effects: &EffectsSpec, audit: &NewAuditEntry) -> StoreResult<()>;
    /// The space's gate, `user`'s role in it (the owner is `Owner`, no role is `Guest`)
    /// and whether they are banned; `None` for an unknown space.
    async fn entry(&self, space: SpaceId, user: UserId) -> StoreResult<Option<Entry>>;
    /// `password_hash` with `Password` access (a new one voids earlier grants).
    async fn set_space_access(
        &self,
        access: SpaceAccess,
        password_hash: Option<&str>,
        audit: &NewAuditEntry,
    ) -> StoreResult<()>;
    /// Those with a role, in the order they were given one.
    async fn space_members(&self, space: SpaceId) -> StoreResult<Vec<SpaceMember>>;
    /// Gives `user` a role (`Moderator`, `Builder`, `Member`), or takes theirs away with
    /// `None`; `NotFound(User)` for an unknown user.
    async fn set_space_role(
        &self,
        user: UserId,
        role: Option<SpaceRole>,
        audit: &NewAuditEntry,
    ) -> StoreResult<()>;
    /// Banning twice is fine; `NotFound(User)` for an unknown user.
    async fn ban(&self, user: UserId, audit: &NewAuditEntry) -> StoreResult<()>;
    /// False when they were not banned (nothing is logged then).
    async fn unban(&self, user: UserId, audit: &NewAuditEntry) -> StoreResult<bool>;
    async fn bans(&self, space: SpaceId) -> StoreResult<Vec<SpaceBan>>;
    /// For actions that change nothing stored (a kick, a mute).
    async fn append_audit(&self, audit: &NewAuditEntry) -> StoreResult<()>;
    /// Newest first, at most `limit`.
    async fn audit_log(&self, space: SpaceId, limit: u32) -> StoreResult<Vec<AuditEntry>>;
}

/// Uploaded images and the avatars people make of them. An asset is referred to by the
/// path `/assets/<hash>.png` in image URLs; the sweep removes those nothing refers to.
#[async_trait]
pub trait AssetStore: Send + Sync {
    /// Bytes of the distinct assets `user` has uploaded.
    async fn uploaded_bytes(&self, user: UserId) -> StoreResult<u64>;
    /// Records that `user` uploaded `asset` (stored already), and marks it freshly
    /// uploaded. `Limit(AssetQuota)` when it would take their uploads past `quota_bytes`;
    /// an asset they uploaded before does not count twice. The check and the write are one
    /// transaction.
    async fn record_upload(&self, user: UserId, asset: &AssetRecord, quota_bytes: u64) -> StoreResult<()>;
    async fn asset(&self, hash: &str) -> StoreResult<Option<AssetRecord>>;
    /// Forgets the assets last uploaded before `cutoff` (Unix ms) that no avatar, element,
    /// map or space refers to, and returns their hashes so their files can go too.
    async fn sweep_assets(&self, cutoff: i64) -> StoreResult<Vec<String>>;
    /// An avatar of `avatar.owner`'s own; `Limit(AvatarsPerUser)` when they already have
    /// `max_per_user`.
    async fn create_own_avatar(&self, avatar: &Avatar, max_per_user: u32) -> StoreResult<()>;
    /// `user`'s own avatars, oldest first.
    async fn own_avatars(&self, user: UserId) -> StoreResult<Vec<Avatar>>;
    /// Deletes one of `user`'s own avatars (whoever wore it goes without);
    /// `NotFound(Avatar)` when they have no such avatar.
    async fn delete_own_avatar(&self, user: UserId, avatar: AvatarId) -> StoreResult<()>;
}

/// Everything the server keeps.
pub trait Store:
    UserStore + CatalogStore + SpaceStore + RulesStore + SessionStore + ChatStore + AssetStore + Readiness
{
}
impl<
        T: UserStore
            + CatalogStore
            + SpaceStore
            + RulesStore
            + SessionStore
            + ChatStore
            + AssetStore
            + Readiness,
    > Store for T
{
}
