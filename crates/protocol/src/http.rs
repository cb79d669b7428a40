//! HTTP bodies under `/api/v1`. Requests reject unknown types strictly (a string where a
//! number belongs is a 400); responses spell fields the way existing clients expect. Each
//! derives `ToSchema` for the OpenAPI document; core ids are described as UUID strings.

use gather_core::{
    AvatarId, ChatMessageId, ChatScope, ElementId, MapId, Role, SessionId, SpaceElementId, SpaceId, UserId,
};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::ToSchema;

/// `{"error":{"code":"...","message":"..."}}`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

/// `{}`, the body of every success that has nothing to say.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Empty {}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SignupRequest {
    /// 1 to 64 characters after trimming, none of them whitespace; unique ignoring case.
    pub username: String,
    #[schema(min_length = 6, max_length = 256)]
    pub password: String,
    #[serde(rename = "type", default)]
    #[schema(schema_with = role_schema)]
    #[cfg_attr(feature = "ts", ts(as = "crate::typescript::RoleWire"))]
    pub role: Role,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SignupResponse {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub user_id: UserId,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SigninRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SigninResponse {
    pub token: String,
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub user_id: UserId,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordRequest {
    pub old_password: String,
    #[schema(min_length = 6, max_length = 256)]
    pub new_password: String,
}

/// One of the caller's sessions in `GET /sessions`; times are Unix milliseconds.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SessionBody {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub id: SessionId,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub user_agent: String,
    /// True for the session of the token making the request.
    pub current: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionsResponse {
    pub sessions: Vec<SessionBody>,
}

/// A chat message as stored and as sent live (the `chat` frame's payload).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ChatBody {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub id: ChatMessageId,
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub user_id: UserId,
    pub username: String,
    pub text: String,
    #[schema(schema_with = scope_schema)]
    #[cfg_attr(feature = "ts", ts(as = "crate::typescript::ChatScopeWire"))]
    pub scope: ChatScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub to: Option<UserId>,
    /// Unix milliseconds.
    pub ts: i64,
}

/// `GET /space/:id/chat`: newest first; `next` is the `before` for the following page.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChatPageResponse {
    pub messages: Vec<ChatBody>,
    #[schema(value_type = Option<String>, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    pub next: Option<ChatMessageId>,
}

/// `GET /media` *(Gather)*: whether this server relays voice and video, and the ICE
/// servers a browser should use to reach it (TURN with credentials that expire).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MediaConfigResponse {
    pub enabled: bool,
    pub ice_servers: Vec<IceServerBody>,
}

/// One entry of `RTCConfiguration.iceServers`, spelled as browsers take it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IceServerBody {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub credential: Option<String>,
}

/// `GET /me` *(Gather)*: who the token belongs to.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MeResponse {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub user_id: UserId,
    pub username: String,
    #[schema(schema_with = role_schema)]
    #[cfg_attr(feature = "ts", ts(as = "crate::typescript::RoleWire"))]
    pub role: Role,
    #[schema(value_type = Option<String>, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    pub avatar_id: Option<AvatarId>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UpdateMetadataRequest {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub avatar_id: AvatarId,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AvatarBody {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub id: AvatarId,
    pub image_url: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AvatarsResponse {
    pub avatars: Vec<AvatarBody>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UserAvatarBody {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub user_id: UserId,
    pub image_url: Option<String>,
    pub username: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BulkMetadataResponse {
    pub avatars: Vec<UserAvatarBody>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ElementBody {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub id: ElementId,
    pub image_url: String,
    pub width: u32,
    pub height: u32,
    #[serde(rename = "static")]
    pub solid: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ElementsResponse {
    pub elements: Vec<ElementBody>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CreateSpaceRequest {
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub dimensions: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional = nullable))]
    pub map_id: Option<MapId>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CreateSpaceResponse {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub space_id: SpaceId,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SpaceSummaryBody {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub id: SpaceId,
    pub name: String,
    pub dimensions: String,
    pub thumbnail: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SpacesResponse {
    pub spaces: Vec<SpaceSummaryBody>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SpaceElementBody {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub id: SpaceElementId,
    pub element: ElementBody,
    pub x: i64,
    pub y: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SpaceResponse {
    pub name: String,
    pub dimensions: String,
    pub elements: Vec<SpaceElementBody>,
    /// Additions to the contract: the tile effects, who may enter, and the caller's role.
    pub effects: crate::rules::EffectsBody,
    /// `public`, `members` or `password`.
    pub access: String,
    /// `owner`, `moderator`, `builder`, `member` or `guest`.
    #[serde(rename = "yourRole")]
    #[cfg_attr(feature = "ts", ts(rename = "yourRole"))]
    pub your_role: String,
    /// A picture of the whole floor, top-left at tile (0, 0), from the space's map.
    #[serde(rename = "floorImageUrl", default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(rename = "floorImageUrl", optional))]
    pub floor_image_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AddSpaceElementRequest {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub element_id: ElementId,
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub space_id: SpaceId,
    /// Column: 0 to 999, and inside the space.
    #[schema(minimum = 0, maximum = 999)]
    pub x: i64,
    /// Row: 0 to 999, and inside the space.
    #[schema(minimum = 0, maximum = 999)]
    pub y: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeleteSpaceElementRequest {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub id: SpaceElementId,
}

/// `{id}`: the answer of every create that names its new thing `id`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[schema(bound = "")]
#[cfg_attr(feature = "ts", ts(concrete(T = String)))]
pub struct IdResponse<T> {
    #[schema(value_type = String, format = "uuid")]
    pub id: T,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CreateElementRequest {
    pub image_url: String,
    pub width: u32,
    pub height: u32,
    #[serde(rename = "static")]
    pub solid: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UpdateElementRequest {
    pub image_url: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CreateAvatarRequest {
    pub image_url: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CreateAvatarResponse {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub avatar_id: AvatarId,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MapElementBody {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub element_id: ElementId,
    /// Column: 0 to 999, and inside the space.
    #[schema(minimum = 0, maximum = 999)]
    pub x: i64,
    /// Row: 0 to 999, and inside the space.
    #[schema(minimum = 0, maximum = 999)]
    pub y: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CreateMapRequest {
    pub thumbnail: String,
    pub dimensions: String,
    pub name: String,
    #[serde(default)]
    pub default_elements: Vec<MapElementBody>,
    /// Tile effects, copied into every space made from the map (an addition to the contract).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub effects: Option<crate::rules::EffectsBody>,
    /// A picture of the whole floor, top-left at tile (0, 0) (an addition to the contract).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub floor_image_url: Option<String>,
}

/// A map in `GET /maps`, an addition to the contract so clients can offer a choice.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MapBody {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub id: MapId,
    pub name: String,
    pub dimensions: String,
    pub thumbnail: String,
    pub default_elements: Vec<MapElementBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub floor_image_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MapsResponse {
    pub maps: Vec<MapBody>,
}

/// Core's enums stay free of schema derives, so their wire spellings are listed here.
fn string_enum(values: &[&str]) -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values.iter().copied())).build()
}

fn role_schema() -> Object {
    string_enum(&[Role::Admin.as_str(), Role::User.as_str()])
}

fn scope_schema() -> Object {
    string_enum(&[ChatScope::Space.as_str(), ChatScope::Nearby.as_str(), ChatScope::Direct.as_str()])
}
