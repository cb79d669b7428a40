// The REST API, typed. Errors carry the server's own message, which is written for people.

import { session } from "./session";
import type { ChatMessage, ElementKind, PlacedElement } from "./arena/protocol";

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
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = data?.error ?? {};
    throw new ApiError(response.status, error.code ?? "http", error.message ?? `Request failed (${response.status})`);
  }
  return data as T;
}

export interface Avatar {
  id: string;
  imageUrl: string;
  name: string;
}
export interface Me {
  userId: string;
  username: string;
  role: "admin" | "user";
  avatarId: string | null;
}
export interface SpaceSummary {
  id: string;
  name: string;
  dimensions: string;
  thumbnail: string | null;
}
export interface MapInfo {
  id: string;
  name: string;
  dimensions: string;
  thumbnail: string;
  defaultElements: { elementId: string; x: number; y: number }[];
}
export type { ElementKind };
export interface UserCard {
  userId: string;
  imageUrl: string | null;
  username: string;
}

export interface SessionInfo {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  userAgent: string;
  current: boolean;
}

export const api = {
  signout: () => call<object>("POST", "/signout", {}),
  sessions: () => call<{ sessions: SessionInfo[] }>("GET", "/sessions").then((r) => r.sessions),
  revokeSession: (id: string) => call<object>("DELETE", `/sessions/${encodeURIComponent(id)}`),
  changePassword: (oldPassword: string, newPassword: string) =>
    call<object>("POST", "/user/password", { oldPassword, newPassword }),
  chatHistory: (spaceId: string, before?: string, limit = 50) =>
    call<{ messages: ChatMessage[]; next: string | null }>(
      "GET",
      `/space/${encodeURIComponent(spaceId)}/chat?limit=${limit}${before ? `&before=${encodeURIComponent(before)}` : ""}`,
    ),
  signup: (username: string, password: string, type: "user" | "admin") =>
    call<{ userId: string }>("POST", "/signup", { username, password, type }),
  signin: (username: string, password: string) =>
    call<{ token: string; userId: string }>("POST", "/signin", { username, password }),
  me: () => call<Me>("GET", "/me"),
  avatars: () => call<{ avatars: Avatar[] }>("GET", "/avatars").then((r) => r.avatars),
  chooseAvatar: (avatarId: string) => call<object>("POST", "/user/metadata", { avatarId }),
  users: (ids: string[]) =>
    call<{ avatars: UserCard[] }>("GET", `/user/metadata/bulk?ids=[${ids.join(",")}]`).then((r) => r.avatars),
  mySpaces: () => call<{ spaces: SpaceSummary[] }>("GET", "/space/all").then((r) => r.spaces),
  space: (id: string) =>
    call<{ name: string; dimensions: string; elements: PlacedElement[] }>("GET", `/space/${encodeURIComponent(id)}`),
  createSpace: (name: string, source: { mapId: string } | { dimensions: string }) =>
    call<{ spaceId: string }>("POST", "/space", { name, ...source }),
  deleteSpace: (id: string) => call<object>("DELETE", `/space/${encodeURIComponent(id)}`),
  maps: () => call<{ maps: MapInfo[] }>("GET", "/maps").then((r) => r.maps),
  elements: () => call<{ elements: ElementKind[] }>("GET", "/elements").then((r) => r.elements),
  createElement: (element: Omit<ElementKind, "id">) => call<{ id: string }>("POST", "/admin/element", element),
  createAvatar: (imageUrl: string, name: string) => call<{ avatarId: string }>("POST", "/admin/avatar", { imageUrl, name }),
  createMap: (map: Omit<MapInfo, "id">) => call<{ id: string }>("POST", "/admin/map", map),
};

/** "100x200" → {width: 100, height: 200}. */
export function parseDimensions(text: string): { width: number; height: number } {
  const [width, height] = text.split("x").map(Number);
  return { width, height };
}
