// The REST API, typed. Errors carry the server's own message, which is written for people.

import { session } from "./session";
import type {
  AuditResponse,
  AvatarsResponse,
  BulkMetadataResponse,
  ChangePasswordRequest,
  ChatPageResponse,
  CreateAvatarRequest,
  CreateAvatarResponse,
  CreateElementRequest,
  CreateMapRequest,
  CreateSpaceRequest,
  CreateSpaceResponse,
  EffectsBody,
  ElementsResponse,
  Empty,
  ErrorBody,
  GrantRequest,
  GrantResponse,
  IdResponse,
  MapsResponse,
  MediaConfigResponse,
  MeResponse,
  ModerationRequest,
  Role,
  SessionsResponse,
  SetAccessRequest,
  SetMemberRequest,
  SigninRequest,
  SigninResponse,
  SignupRequest,
  SignupResponse,
  SpaceResponse,
  SpaceSettingsResponse,
  SpacesResponse,
  UpdateMetadataRequest,
} from "./generated/wire";

/** Someone's role in one space; `guest` is anyone else who may enter. */
export type SpaceRole = "owner" | "moderator" | "builder" | "member" | "guest";
export type SpaceAccess = "public" | "members" | "password";

/**
 * `GET /space/{id}`: the contract's fields and Gather's own beside them. A server from
 * before space rules sends none of the extra ones.
 */
export type SpaceDetails = SpaceResponse & {
  effects?: EffectsBody;
  access?: SpaceAccess;
  yourRole?: SpaceRole;
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The error a failed answer names: the server's code and message, or just its status. */
export function errorFrom(status: number, data: unknown): ApiError {
  const error: Partial<ErrorBody["error"]> = (data as Partial<ErrorBody> | null)?.error ?? {};
  return new ApiError(status, error.code ?? "http", error.message ?? `Request failed (${status})`);
}

export function unreachable(): ApiError {
  return new ApiError(0, "network", "Cannot reach the server. Check your connection and try again.");
}

async function call<T>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<T> {
  const headers: Record<string, string> = { ...extra };
  const token = session.token();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw unreachable();
  }
  const data: unknown = await response.json().catch(() => ({}));
  if (!response.ok) throw errorFrom(response.status, data);
  return data as T;
}

export const api = {
  signout: () => call<Empty>("POST", "/signout", {}),
  sessions: () => call<SessionsResponse>("GET", "/sessions").then((r) => r.sessions),
  revokeSession: (id: string) => call<Empty>("DELETE", `/sessions/${encodeURIComponent(id)}`),
  changePassword: (oldPassword: string, newPassword: string) =>
    call<Empty>("POST", "/user/password", { oldPassword, newPassword } satisfies ChangePasswordRequest),
  chatHistory: (spaceId: string, before?: string, limit = 50) =>
    call<ChatPageResponse>(
      "GET",
      `/space/${encodeURIComponent(spaceId)}/chat?limit=${limit}${before ? `&before=${encodeURIComponent(before)}` : ""}`,
    ),
  signup: (username: string, password: string, type: Role) =>
    call<SignupResponse>("POST", "/signup", { username, password, type } satisfies SignupRequest),
  signin: (username: string, password: string) =>
    call<SigninResponse>("POST", "/signin", { username, password } satisfies SigninRequest),
  me: () => call<MeResponse>("GET", "/me"),
  avatars: () => call<AvatarsResponse>("GET", "/avatars").then((r) => r.avatars),
  chooseAvatar: (avatarId: string) =>
    call<Empty>("POST", "/user/metadata", { avatarId } satisfies UpdateMetadataRequest),
  /** The caller's own avatars, made from their uploads; only they see this list. */
  ownAvatars: () => call<AvatarsResponse>("GET", "/user/avatars").then((r) => r.avatars),
  /** `imageUrl` is an uploaded asset's (`/assets/<hash>.png`). */
  createOwnAvatar: (name: string, imageUrl: string) =>
    call<CreateAvatarResponse>("POST", "/user/avatars", { name, imageUrl } satisfies CreateAvatarRequest),
  deleteOwnAvatar: (id: string) => call<Empty>("DELETE", `/user/avatars/${encodeURIComponent(id)}`),
  users: (ids: string[]) =>
    call<BulkMetadataResponse>("GET", `/user/metadata/bulk?ids=[${ids.join(",")}]`).then((r) => r.avatars),
  mySpaces: () => call<SpacesResponse>("GET", "/space/all").then((r) => r.spaces),
  /** A password-protected space answers only with the grant its password gave. */
  space: (id: string, grant?: string) =>
    call<SpaceDetails>("GET", spacePath(id), undefined, grant ? { "x-gather-grant": grant } : {}),
  setEffects: (id: string, effects: EffectsBody) => call<Empty>("PUT", `${spacePath(id)}/effects`, effects),
  spaceSettings: (id: string) => call<SpaceSettingsResponse>("GET", `${spacePath(id)}/settings`),
  setMember: (id: string, username: string, role: SpaceRole | "none") =>
    call<Empty>("PUT", `${spacePath(id)}/members`, { username, role } satisfies SetMemberRequest),
  setAccess: (id: string, access: SpaceAccess, password?: string) =>
    call<Empty>("PUT", `${spacePath(id)}/access`, {
      access,
      ...(password ? { password } : {}),
    } satisfies SetAccessRequest),
  grant: (id: string, password: string) =>
    call<GrantResponse>("POST", `${spacePath(id)}/grant`, { password } satisfies GrantRequest),
  kick: (id: string, userId: string) =>
    call<Empty>("POST", `${spacePath(id)}/kick`, { userId } satisfies ModerationRequest),
  ban: (id: string, userId: string) =>
    call<Empty>("POST", `${spacePath(id)}/ban`, { userId } satisfies ModerationRequest),
  unban: (id: string, userId: string) => call<Empty>("DELETE", `${spacePath(id)}/ban/${encodeURIComponent(userId)}`),
  mute: (id: string, userId: string) =>
    call<Empty>("POST", `${spacePath(id)}/mute`, { userId } satisfies ModerationRequest),
  audit: (id: string) => call<AuditResponse>("GET", `${spacePath(id)}/audit`).then((r) => r.entries),
  createSpace: (name: string, source: { mapId: string } | { dimensions: string }) =>
    call<CreateSpaceResponse>("POST", "/space", { name, ...source } satisfies CreateSpaceRequest),
  deleteSpace: (id: string) => call<Empty>("DELETE", `/space/${encodeURIComponent(id)}`),
  maps: () => call<MapsResponse>("GET", "/maps").then((r) => r.maps),
  media: () => call<MediaConfigResponse>("GET", "/media"),
  elements: () => call<ElementsResponse>("GET", "/elements").then((r) => r.elements),
  createElement: (element: CreateElementRequest) => call<IdResponse>("POST", "/admin/element", element),
  createAvatar: (imageUrl: string, name: string) =>
    call<CreateAvatarResponse>("POST", "/admin/avatar", { imageUrl, name } satisfies CreateAvatarRequest),
  createMap: (map: CreateMapRequest) => call<IdResponse>("POST", "/admin/map", map),
};

function spacePath(id: string): string {
  return `/space/${encodeURIComponent(id)}`;
}

/** "100x200" → {width: 100, height: 200}. */
export function parseDimensions(text: string): { width: number; height: number } {
  const [width, height] = text.split("x").map(Number);
  return { width, height };
}
