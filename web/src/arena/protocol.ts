// WebSocket frames of the Gather / metaverse contract, as the client sees them.

export interface Pos {
  x: number;
  y: number;
}

export interface ElementKind {
  id: string;
  imageUrl: string;
  width: number;
  height: number;
  static: boolean;
}

export interface PlacedElement {
  id: string;
  element: ElementKind;
  x: number;
  y: number;
}

export type ChatScope = "space" | "nearby" | "direct";

export interface ChatMessage {
  id: string;
  userId: string;
  username: string;
  text: string;
  scope: ChatScope;
  to?: string;
  ts: number;
}

export type ServerFrame =
  | { type: "space-joined"; payload: { spawn: Pos; userId: string; users: { userId: string; x: number; y: number }[] } }
  | { type: "user-joined"; payload: { userId: string; x: number; y: number } }
  | { type: "movement"; payload: { userId: string; x: number; y: number } }
  | { type: "movement-rejected"; payload: Pos }
  | { type: "user-left"; payload: { userId: string } }
  | { type: "user-appeared"; payload: { userId: string; x: number; y: number } }
  | { type: "user-disappeared"; payload: { userId: string } }
  | { type: "element-added"; payload: PlacedElement }
  | { type: "element-removed"; payload: { id: string } }
  | { type: "space-closed"; payload: { spaceId: string } }
  | { type: "chat"; payload: ChatMessage }
  | { type: "session-revoked"; payload: Record<string, never> }
  | { type: "error"; payload: { code: string; message: string } };

export type ClientFrame =
  | { type: "join"; payload: { spaceId: string; token: string } }
  | { type: "move"; payload: Pos }
  | { type: "leave"; payload: Record<string, never> }
  | { type: "chat"; payload: { text: string; scope: ChatScope; to?: string } };

/** Parses a frame, or returns null for anything that is not a known frame. */
export function parseFrame(text: string): ServerFrame | null {
  try {
    const value = JSON.parse(text);
    if (value && typeof value.type === "string" && typeof value.payload === "object") {
      return value as ServerFrame;
    }
  } catch {
    // Fall through: a frame we cannot read is ignored, not fatal.
  }
  return null;
}
