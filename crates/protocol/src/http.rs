//! HTTP bodies under `/api/v1`. Requests reject unknown types strictly (a string where a
//! number belongs is a 400); responses spell fields the way existing clients expect.

use gather_core::{
    AvatarId, ChatMessageId, ChatScope, ElementId, MapId, Role, SessionId, SpaceElementId, SpaceId, UserId,
};
use serde::{Deserialize, Serialize};

/// `{"error":{"code":"...","message":"..."}}`
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

/// `{}`, the body of every success that has nothing to say.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Empty {}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SignupRequest {
    pub username: String,
    pub password: String,
    #[serde(rename = "type", default)]
    pub role: Role,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignupResponse {
    pub user_id: UserId,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SigninRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SigninResponse {
    pub token: String,
    pub user_id: UserId,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordRequest {
    pub old_password: String,
    pub new_password: String,
}

/// One of the caller's sessions in `GET /sessions`; times are Unix milliseconds.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SessionBody {
    pub id: SessionId,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub user_agent: String,
    /// True for the session of the token making the request.
    pub current: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SessionsResponse {
    pub sessions: Vec<SessionBody>,
}

/// A chat message as stored and as sent live (the `chat` frame's payload).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ChatBody {
    pub id: ChatMessageId,
    pub user_id: UserId,
    pub username: String,
    pub text: String,
    pub scope: ChatScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<UserId>,
    /// Unix milliseconds.
    pub ts: i64,
}

/// `GET /space/:id/chat`: newest first; `next` is the `before` for the following page.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ChatPageResponse {
    pub messages: Vec<ChatBody>,
    pub next: Option<ChatMessageId>,
}

/// `GET /me` *(Gather)*: who the token belongs to.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MeResponse {
    pub user_id: UserId,
    pub username: String,
    pub role: Role,
    pub avatar_id: Option<AvatarId>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateMetadataRequest {
    pub avatar_id: AvatarId,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AvatarBody {
    pub id: AvatarId,
    pub image_url: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct AvatarsResponse {
    pub avatars: Vec<AvatarBody>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UserAvatarBody {
    pub user_id: UserId,
    pub image_url: Option<String>,
    pub username: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct BulkMetadataResponse {
    pub avatars: Vec<UserAvatarBody>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ElementBody {
    pub id: ElementId,
    pub image_url: String,
    pub width: u32,
    pub height: u32,
    #[serde(rename = "static")]
    pub solid: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ElementsResponse {
    pub elements: Vec<ElementBody>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSpaceRequest {
    pub name: String,
    #[serde(default)]
    pub dimensions: Option<String>,
    #[serde(default)]
    pub map_id: Option<MapId>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSpaceResponse {
    pub space_id: SpaceId,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct SpaceSummaryBody {
    pub id: SpaceId,
    pub name: String,
    pub dimensions: String,
    pub thumbnail: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SpacesResponse {
    pub spaces: Vec<SpaceSummaryBody>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct SpaceElementBody {
    pub id: SpaceElementId,
    pub element: ElementBody,
    pub x: i64,
    pub y: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SpaceResponse {
    pub name: String,
    pub dimensions: String,
    pub elements: Vec<SpaceElementBody>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddSpaceElementRequest {
    pub element_id: ElementId,
    pub space_id: SpaceId,
    pub x: i64,
    pub y: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DeleteSpaceElementRequest {
    pub id: SpaceElementId,
}

/// `{id}`: the answer of every create that names its new thing `id`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct IdResponse<T> {
    pub id: T,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateElementRequest {
    pub image_url: String,
    pub width: u32,
    pub height: u32,
    #[serde(rename = "static")]
    pub solid: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateElementRequest {
    pub image_url: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAvatarRequest {
    pub image_url: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAvatarResponse {
    pub avatar_id: AvatarId,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MapElementBody {
    pub element_id: ElementId,
    pub x: i64,
    pub y: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMapRequest {
    pub thumbnail: String,
    pub dimensions: String,
    pub name: String,
    #[serde(default)]
    pub default_elements: Vec<MapElementBody>,
}

/// A map in `GET /maps`, an addition to the contract so clients can offer a choice.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MapBody {
    pub id: MapId,
    pub name: String,
    pub dimensions: String,
    pub thumbnail: String,
    pub default_elements: Vec<MapElementBody>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MapsResponse {
    pub maps: Vec<MapBody>,
}
