// Which of the server's frames and error codes belong to voice and video, so the arena can
// hand them to the media module untouched.

import type { ServerFrame } from "../../generated/wire";

const MEDIA_FRAME_TYPES = [
  "media-answer",
  "media-offer",
  "media-connected",
  "media-failed",
  "media-peers",
  "media-slots",
] as const;

export type MediaFrame = Extract<ServerFrame, { type: (typeof MEDIA_FRAME_TYPES)[number] }>;
export type MediaSlotsBody = Extract<ServerFrame, { type: "media-slots" }>["payload"];

export function isMediaFrame(frame: ServerFrame): frame is MediaFrame {
  return (MEDIA_FRAME_TYPES as readonly string[]).includes(frame.type);
}

/** `error` codes the server gives only in answer to media signalling. */
const MEDIA_ERROR_CODES = new Set([
  "media-off",
  "media-full",
  "bad-sdp",
  "too-many-tracks",
  "media-not-started",
  // The relay stopped (the node is shutting down).
  "unavailable",
]);

export function isMediaError(code: string): boolean {
  return MEDIA_ERROR_CODES.has(code);
}
