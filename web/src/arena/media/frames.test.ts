import { describe, expect, it } from "vitest";
import { isMediaError, isMediaFrame } from "./frames";

describe("media frames and errors", () => {
  it("tells media signalling from the rest", () => {
    expect(isMediaFrame({ type: "media-slots", payload: { audio: [], camera: [], screen: [] } })).toBe(true);
    expect(isMediaFrame({ type: "media-connected", payload: {} })).toBe(true);
    expect(isMediaFrame({ type: "user-left", payload: { userId: "bob" } })).toBe(false);
  });

  it("knows the error codes of media signalling", () => {
    for (const code of ["media-off", "media-full", "bad-sdp", "too-many-tracks", "media-not-started"]) {
      expect(isMediaError(code), code).toBe(true);
    }
    expect(isMediaError("rate-limited")).toBe(false);
    expect(isMediaError("invalid-token")).toBe(false);
  });
});
