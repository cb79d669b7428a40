// Reading the server's WebSocket frames. Their types are generated from the Rust wire
// types in crates/protocol (../generated/wire.ts).

import type { ServerFrame } from "../generated/wire";

/**
 * Parses a frame, or returns null for text that is not a `{type, payload}` object. A type
 * this client does not know passes through: `World.apply` ignores it.
 */
export function parseFrame(text: string): ServerFrame | null {
  try {
    const value: unknown = JSON.parse(text);
    if (
      typeof value === "object" &&
      value !== null &&
      "type" in value &&
      typeof value.type === "string" &&
      "payload" in value &&
      typeof value.payload === "object"
    ) {
      return value as ServerFrame;
    }
  } catch {
    // Fall through: a frame we cannot read is ignored, not fatal.
  }
  return null;
}
