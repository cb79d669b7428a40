// The REST API, typed. Errors carry the server's own message, which is written for people.

import { session } from "./session";
import type {
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
  ElementsResponse,
  Empty,
  ErrorBody,
  IdResponse,
  MapsResponse,
  MediaConfigResponse,
  MeResponse,
  Role,
  SessionsResponse,
  SigninRequest,
  SigninResponse,
  SignupRequest,
  SignupResponse,
  SpaceResponse,
  SpacesResponse,
  UpdateMetadataRequest,
} from "./generated/wire";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
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
    throw new ApiError(0, "network", "Cannot reach the server. Check your connection and try again.");
  }
  const data: unknown = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error: Partial<ErrorBody["error"]> = (data as Partial<ErrorBody> | null)?.error ?? {};
    throw new ApiError(response.status, error.code ?? "http", error.message ?? `Request failed (${response.status})`);
  }
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
  users: (ids: string[]) =>
    call<BulkMetadataResponse>("GET", `/user/metadata/bulk?ids=[${ids.join(",")}]`).then((r) => r.avatars),
  mySpaces: () => call<SpacesResponse>("GET", "/space/all").then((r) => r.spaces),
  space: (id: string) => call<SpaceResponse>("GET", `/space/${encodeURIComponent(id)}`),
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

/** "100x200" → {width: 100, height: 200}. */
export function parseDimensions(text: string): { width: number; height: number } {
  const [width, height] = text.split("x").map(Number);
  return { width, height };
}
