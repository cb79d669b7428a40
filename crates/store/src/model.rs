//! The stored shapes. Sizes and positions are already validated core types: the store never
//! holds a space of "0x0".

use gather_core::{
    AvatarId, ChatMessageId, ChatScope, Dimensions, EffectsSpec, ElementId, Footprint, MapId, Position, Role,
    SessionId, SpaceAccess, SpaceElementId, SpaceId, SpaceRole, UserId,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub id: UserId,
    pub username: String,
    /// An argon2id PHC string; the store never sees a password.
    pub password_hash: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub avatar_id: Option<AvatarId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAvatar {
    pub user_id: UserId,
    pub username: String,
    pub image_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Avatar {
    pub id: AvatarId,
    pub image_url: String,
    pub name: String,
    /// Whose own avatar this is; `None` for the shared, admin-curated ones.
    pub owner: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub id: ElementId,
    pub image_url: String,
    pub width: u32,
    pub height: u32,
    /// Solid ("static" on the wire): nobody may walk onto it.
    pub solid: bool,
}

impl Element {
    pub fn footprint_at(&self, at: Position) -> Footprint {
        Footprint::new(at, self.width, self.height)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapElement {
    pub element_id: ElementId,
    pub at: Position,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMap {
    pub id: MapId,
    pub name: String,
    pub dims: Dimensions,
    pub thumbnail: String,
    /// A picture of the whole floor, top-left at tile (0, 0).
    pub floor_image_url: Option<String>,
    pub elements: Vec<MapElement>,
    /// Already checked against `dims` (`gather_core::Effects::new`).
    pub effects: EffectsSpec,
}

pub type Map = NewMap;

/// Where a new space's floor and furniture come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpaceSource {
    Blank(Dimensions),
    Map(MapId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSpace {
    pub id: SpaceId,
    pub name: String,
    pub owner: UserId,
    pub source: SpaceSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceSummary {
    pub id: SpaceId,
    pub name: String,
    pub dims: Dimensions,
    pub thumbnail: Option<String>,
    pub owner: UserId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedElement {
    pub id: SpaceElementId,
    pub element: Element,
    pub at: Position,
}

impl PlacedElement {
    pub fn footprint(&self) -> Footprint {
        self.element.footprint_at(self.at)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Space {
    pub summary: SpaceSummary,
    /// Copied from the map the space was made from.
    pub floor_image_url: Option<String>,
    pub elements: Vec<PlacedElement>,
    pub effects: EffectsSpec,
}

/// An image as the asset store keeps it: `<hash>.png`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRecord {
    /// Lowercase hex SHA-256 of the PNG bytes.
    pub hash: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
}

/// Who may enter a space, and what proves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceGate {
    pub access: SpaceAccess,
    /// An argon2id PHC string, for `Password` access.
    pub password_hash: Option<String>,
    /// Grows with each new password; a grant for an older one no longer opens the space.
    pub password_version: i64,
}

/// What decides whether one person may enter one space, read in one go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub gate: SpaceGate,
    pub role: SpaceRole,
    pub banned: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceMember {
    pub user_id: UserId,
    pub username: String,
    pub role: SpaceRole,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceBan {
    pub user_id: UserId,
    pub username: String,
    /// Unix milliseconds.
    pub at: i64,
}

/// One thing an owner or moderator did, for the space's audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub space_id: SpaceId,
    pub actor_id: UserId,
    /// `kick`, `ban`, `unban`, `mute`, `role`, `access`, `effects`.
    pub action: &'static str,
    pub target_id: Option<UserId>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor_id: UserId,
    pub actor: String,
    pub action: String,
    pub target_id: Option<UserId>,
    pub detail: String,
    /// Unix milliseconds.
    pub at: i64,
}

/// A sign-in. Times are Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub user_agent: String,
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChatMessage {
    pub id: ChatMessageId,
    pub space_id: SpaceId,
    pub user_id: UserId,
    pub scope: ChatScope,
    pub to: Option<UserId>,
    /// Already validated (`gather_core::ChatText`).
    pub text: String,
    /// Unix milliseconds.
    pub ts: i64,
    /// For `nearby`: whom it reached (the sender left out), the only others who may read
    /// it in the log. Ignored for the other scopes.
    pub audience: Vec<UserId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    pub id: ChatMessageId,
    pub user_id: UserId,
    pub username: String,
    pub scope: ChatScope,
    pub to: Option<UserId>,
    pub text: String,
    pub ts: i64,
}
