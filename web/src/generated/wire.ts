// Generated from the Rust wire types in crates/protocol; do not edit by hand.
// Refresh with: GATHER_UPDATE_WIRE=1 cargo test -p gather-protocol --test typescript

// WebSocket frames (crates/protocol/src/ws.rs)

/**
 * What the server sends.
 */
export type ServerFrame =
  | { "type": "space-joined", "payload": { spawn: Point, userId: string, users: Array<UserAt>, } }
  | { "type": "user-joined", "payload": { userId: string, x: number, y: number, } }
  | { "type": "movement", "payload": { userId: string, x: number, y: number, } }
  | { "type": "movement-rejected", "payload": { x: number, y: number, } }
  | { "type": "user-left", "payload": { userId: string, } }
  | { "type": "user-appeared", "payload": { userId: string, x: number, y: number, } }
  | { "type": "user-disappeared", "payload": { userId: string, } }
  | { "type": "element-added", "payload": { id: string, element: ElementBody, x: number, y: number, } }
  | { "type": "element-removed", "payload": { id: string, } }
  | { "type": "space-closed", "payload": { spaceId: string, } }
  | { "type": "chat", "payload": ChatBody }
  | { "type": "media-answer", "payload": { sdp: string, } }
  | { "type": "media-offer", "payload": { sdp: string, } }
  | { "type": "media-connected", "payload": Record<symbol, never> }
  | { "type": "media-failed", "payload": { reason: string, } }
  | { "type": "media-peers", "payload": { peers: Array<string>, } }
  | { "type": "media-slots", "payload": { audio: Array<string | null>, camera: Array<string | null>, screen: Array<string | null>, } }
  | { "type": "effects-changed", "payload": { effects: EffectsBody, } }
  | { "type": "teleported", "payload": { x: number, y: number, } }
  | { "type": "portal-reached", "payload": { spaceId: string, spawn?: string, } }
  | { "type": "user-status", "payload": { userId: string, status: Status, text: string, } }
  | { "type": "knock", "payload": { userId: string, area: string, } }
  | { "type": "admitted", "payload": { area: string, } }
  | { "type": "media-muted", "payload": Record<symbol, never> }
  | { "type": "removed", "payload": { reason: string, } }
  | { "type": "session-revoked", "payload": Record<symbol, never> }
  | { "type": "server-shutdown", "payload": Record<symbol, never> }
  | { "type": "error", "payload": { code: string, message: string, } };

/**
 * What a client may send, as it writes it (`ClientFrame` in TypeScript). The server reads
 * frames with `parse_client_frame`, which names what is wrong with a bad one.
 */
export type ClientFrame =
  | { "type": "join", "payload": JoinPayload }
  | { "type": "move", "payload": Point }
  | { "type": "leave", "payload": Record<symbol, never> }
  | { "type": "chat", "payload": ChatPayload }
  | { "type": "media-offer", "payload": Sdp }
  | { "type": "media-answer", "payload": Sdp }
  | { "type": "media-state", "payload": MediaSending }
  | { "type": "media-leave", "payload": Record<symbol, never> }
  | { "type": "set-status", "payload": StatusPayload }
  | { "type": "admit", "payload": AdmitPayload };

export type JoinPayload = { spaceId: string, token: string,
/**
 * A named spawn tile to arrive on, when free.
 */
spawn?: string,
/**
 * For a password-protected space: the grant `POST /api/v1/space/{id}/grant` gave.
 */
grant?: string, };

export type ChatPayload = { text: string,
/**
 * `space` when left out.
 */
scope?: ChatScope,
/**
 * Only for `direct`: whom to tell.
 */
to?: string, };

export type Point = { x: number, y: number, };

export type UserAt = { userId: string, x: number, y: number, };

/** Who hears a chat message: everyone in the space, people nearby, or one person. */
export type ChatScope = "space" | "nearby" | "direct";

/**
 * What a client says about its own media, over the space's WebSocket. The server's
 * relay answers; whom the client hears and sees is decided by the server.
 */
export type MediaSignal =
  | { "type": "media-offer", "payload": Sdp }
  | { "type": "media-answer", "payload": Sdp }
  | { "type": "media-state", "payload": MediaSending }
  | { "type": "media-leave", "payload": Record<symbol, never> };

export type Sdp = { sdp: string, };

/**
 * Which of its tracks a client is sending. Its offer carries them in this order: the
 * microphone (audio), the camera (first video), the screen (second video).
 */
export type MediaSending = { audio: boolean, camera: boolean, screen: boolean, };

/**
 * `set-status`: how available someone is, and a short text (at most 64 characters).
 */
export type StatusPayload = { status: Status, text: string, };

/**
 * `admit`: whom to let into the locked private area the sender stands in.
 */
export type AdmitPayload = { userId: string, };

/**
 * `do-not-disturb` hears no `nearby` chat and takes part in no voice or video.
 */
export type Status = "available" | "busy" | "do-not-disturb";

// WebSocket close codes (crates/protocol/src/close.rs)

/** Why the server closed a socket: its close code and reason. */
export const CloseReason = {
  SERVER_SHUTDOWN: { code: 1001, reason: "server-shutdown" },
  FRAME_TOO_LARGE: { code: 1009, reason: "frame-too-large" },
  IDLE_TIMEOUT: { code: 4000, reason: "idle-timeout" },
  REPLACED: { code: 4001, reason: "replaced" },
  SPACE_CLOSED: { code: 4002, reason: "space-closed" },
  TOO_SLOW: { code: 4003, reason: "too-slow" },
  SESSION_REVOKED: { code: 4004, reason: "session-revoked" },
  SPACE_MOVED: { code: 4005, reason: "space-moved" },
  REMOVED: { code: 4006, reason: "removed" },
} as const;
export type CloseReason = (typeof CloseReason)[keyof typeof CloseReason];

// HTTP bodies under /api/v1 (crates/protocol/src/http.rs)

/**
 * `{"error":{"code":"...","message":"..."}}`
 */
export type ErrorBody = { error: ErrorDetail, };

export type ErrorDetail = { code: string, message: string, };

/**
 * `{}`, the body of every success that has nothing to say.
 */
export type Empty = Record<symbol, never>;

/** An account's role. */
export type Role = "admin" | "user";

export type SignupRequest = {
/**
 * 1 to 64 characters after trimming, none of them whitespace; unique ignoring case.
 */
username: string, password: string, type: Role, };

export type SignupResponse = { userId: string, };

export type SigninRequest = { username: string, password: string, };

export type SigninResponse = { token: string, userId: string, };

export type ChangePasswordRequest = { oldPassword: string, newPassword: string, };

/**
 * One of the caller's sessions in `GET /sessions`; times are Unix milliseconds.
 */
export type SessionBody = { id: string, createdAt: number, lastSeenAt: number, userAgent: string,
/**
 * True for the session of the token making the request.
 */
current: boolean, };

export type SessionsResponse = { sessions: Array<SessionBody>, };

/**
 * A chat message as stored and as sent live (the `chat` frame's payload).
 */
export type ChatBody = { id: string, userId: string, username: string, text: string, scope: ChatScope, to?: string,
/**
 * Unix milliseconds.
 */
ts: number, };

/**
 * `GET /space/:id/chat`: newest first; `next` is the `before` for the following page.
 */
export type ChatPageResponse = { messages: Array<ChatBody>, next: string | null, };

/**
 * `GET /me` *(Gather)*: who the token belongs to.
 */
export type MeResponse = { userId: string, username: string, role: Role, avatarId: string | null, };

/**
 * `GET /media` *(Gather)*: whether this server relays voice and video, and the ICE
 * servers a browser should use to reach it (TURN with credentials that expire).
 */
export type MediaConfigResponse = { enabled: boolean, iceServers: Array<IceServerBody>, };

/**
 * One entry of `RTCConfiguration.iceServers`, spelled as browsers take it.
 */
export type IceServerBody = { urls: Array<string>, username?: string, credential?: string, };

export type UpdateMetadataRequest = { avatarId: string, };

export type AvatarBody = { id: string, imageUrl: string, name: string, };

export type AvatarsResponse = { avatars: Array<AvatarBody>, };

export type UserAvatarBody = { userId: string, imageUrl: string | null, username: string, };

export type BulkMetadataResponse = { avatars: Array<UserAvatarBody>, };

export type ElementBody = { id: string, imageUrl: string, width: number, height: number, static: boolean, };

export type ElementsResponse = { elements: Array<ElementBody>, };

export type CreateSpaceRequest = { name: string, dimensions?: string | null, mapId?: string | null, };

export type CreateSpaceResponse = { spaceId: string, };

export type SpaceSummaryBody = { id: string, name: string, dimensions: string, thumbnail: string | null, };

export type SpacesResponse = { spaces: Array<SpaceSummaryBody>, };

export type SpaceElementBody = { id: string, element: ElementBody, x: number, y: number, };

export type SpaceResponse = { name: string, dimensions: string, elements: Array<SpaceElementBody>,
/**
 * Additions to the contract: the tile effects, who may enter, and the caller's role.
 */
effects: EffectsBody,
/**
 * `public`, `members` or `password`.
 */
access: string,
/**
 * `owner`, `moderator`, `builder`, `member` or `guest`.
 */
yourRole: string,
/**
 * A picture of the whole floor, top-left at tile (0, 0), from the space's map.
 */
floorImageUrl?: string, };

export type AddSpaceElementRequest = { elementId: string, spaceId: string,
/**
 * Column: 0 to 999, and inside the space.
 */
x: number,
/**
 * Row: 0 to 999, and inside the space.
 */
y: number, };

export type DeleteSpaceElementRequest = { id: string, };

/**
 * `{id}`: the answer of every create that names its new thing `id`.
 */
export type IdResponse = { id: string, };

export type CreateElementRequest = { imageUrl: string, width: number, height: number, static: boolean, };

export type UpdateElementRequest = { imageUrl: string, };

export type CreateAvatarRequest = { imageUrl: string, name: string, };

export type CreateAvatarResponse = { avatarId: string, };

export type MapElementBody = { elementId: string,
/**
 * Column: 0 to 999, and inside the space.
 */
x: number,
/**
 * Row: 0 to 999, and inside the space.
 */
y: number, };

export type CreateMapRequest = { thumbnail: string, dimensions: string, name: string, defaultElements: Array<MapElementBody>,
/**
 * Tile effects, copied into every space made from the map (an addition to the contract).
 */
effects?: EffectsBody,
/**
 * A picture of the whole floor, top-left at tile (0, 0) (an addition to the contract).
 */
floorImageUrl?: string, };

/**
 * A map in `GET /maps`, an addition to the contract so clients can offer a choice.
 */
export type MapBody = { id: string, name: string, dimensions: string, thumbnail: string, defaultElements: Array<MapElementBody>, floorImageUrl?: string, };

export type MapsResponse = { maps: Array<MapBody>, };

// A space's own rules (crates/protocol/src/rules.rs)

/**
 * A space's or a map's tile effects. Every list may be left out (empty).
 */
export type EffectsBody = {
/**
 * Tiles nobody may stand on (walls without furniture).
 */
impassable: Array<Point>,
/**
 * Where people arrive; a named one is reached by `/space/<id>#<name>`.
 */
spawns: Array<SpawnBody>, portals: Array<PortalBody>, areas: Array<AreaBody>,
/**
 * Someone standing here reaches everyone in the space (up to 100 people).
 */
spotlights: Array<Point>,
/**
 * Voice and chat here carry only to the neighbouring tiles.
 */
quiet: Array<Point>, };

export type SpawnBody = { x: number, y: number, name?: string, };

/**
 * A portal on tile (`x`, `y`): either to tile `to` of the same space, or to space
 * `spaceId` (at its spawn tile `spawn`, when named).
 */
export type PortalBody = { x: number, y: number, to?: Point, spaceId?: string, spawn?: string, };

/**
 * A private area: a named rectangle whose people hear only each other.
 */
export type AreaBody = { name: string, x: number, y: number, width: number, height: number, locked: boolean, maxOccupancy?: number, };

/**
 * `PUT /api/v1/space/{id}/access`: who may enter. A password is needed to switch to
 * `password` (and replaces the old one); it is stored as an argon2id hash.
 */
export type SetAccessRequest = {
/**
 * `public`, `members` or `password`.
 */
access: string, password?: string, };

/**
 * `POST /api/v1/space/{id}/grant`: the space's password, for a grant to join with.
 */
export type GrantRequest = { password: string, };

/**
 * A signed proof that this account gave the space's password; send it as `grant` in the
 * `join` frame. It expires, and changing the password voids it.
 */
export type GrantResponse = { grant: string, };

/**
 * `GET /api/v1/space/{id}/settings`: what the space's settings page shows.
 */
export type SpaceSettingsResponse = { access: string,
/**
 * Your role: `owner`, `moderator`, `builder`, `member` or `guest`.
 */
yourRole: string, members: Array<MemberBody>, bans: Array<BanBody>, };

export type MemberBody = { userId: string, username: string, role: string, };

/**
 * `PUT /api/v1/space/{id}/members`: give `username` a role (`moderator`, `builder`,
 * `member`), or take it away with `none`.
 */
export type SetMemberRequest = { username: string, role: string, };

export type BanBody = { userId: string, username: string,
/**
 * Unix milliseconds.
 */
at: number, };

/**
 * The person a moderation request (`kick`, `ban`, `mute`) is about.
 */
export type ModerationRequest = { userId: string, };

/**
 * `GET /api/v1/space/{id}/audit`, newest first.
 */
export type AuditResponse = { entries: Array<AuditEntryBody>, };

export type AuditEntryBody = { actorId: string, actor: string,
/**
 * `kick`, `ban`, `unban`, `mute`, `role`, `access`, `effects`.
 */
action: string, targetId?: string, detail: string,
/**
 * Unix milliseconds.
 */
at: number, };

// Uploaded images and imported maps (crates/protocol/src/assets.rs)

/**
 * An uploaded image, as stored: re-encoded as PNG and named by its SHA-256.
 */
export type AssetBody = {
/**
 * Lowercase hex SHA-256 of the stored bytes.
 */
id: string,
/**
 * Where it is served, for any `imageUrl`, `thumbnail` or `floorImageUrl`.
 */
url: string, width: number, height: number,
/**
 * Size of the stored PNG.
 */
bytes: number, };

/**
 * A Tiled map made into a Gather map.
 */
export type ImportMapResponse = { id: string,
/**
 * `WIDTHxHEIGHT` in tiles.
 */
dimensions: string,
/**
 * What the map held that Gather does not use (properties, layer and object kinds).
 */
warnings: Array<string>, };

export type SweepResponse = {
/**
 * How many unused assets were removed.
 */
removed: number, };
