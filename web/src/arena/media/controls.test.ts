import { describe, expect, it } from "vitest";
import { mediaStatus } from "./controls";
import { captureProblem } from "./capture";

const both = { mic: true, camera: true };

describe("mediaStatus", () => {
  it("says how the connection is doing and who is near", () => {
    expect(mediaStatus({ state: "idle" }, 0, both)).toBe("");
    expect(mediaStatus({ state: "starting", attempt: 0 }, 0, both)).toBe("Connecting…");
    expect(mediaStatus({ state: "starting", attempt: 2 }, 0, both)).toBe("Reconnecting…");
    expect(mediaStatus({ state: "connected" }, 0, both)).toBe("Connected. Walk up to someone to talk.");
    expect(mediaStatus({ state: "connected" }, 1, both)).toBe("Connected with 1 person nearby");
    expect(mediaStatus({ state: "connected" }, 3, { mic: true, camera: false })).toBe(
      "Connected with 3 people nearby · microphone only",
    );
    const muted = { mic: true, camera: false, mutedByModerator: true };
    expect(mediaStatus({ state: "connected" }, 2, muted)).toBe("Connected with 2 people nearby · muted by a moderator");
    expect(mediaStatus({ state: "connected" }, 0, muted)).toBe(
      "Connected · muted by a moderator. Walk up to someone to talk.",
    );
    expect(mediaStatus({ state: "failed", attempt: 0, problem: "x", retryInMs: 1200 }, 0, both)).toBe(
      "Trying again in 2 s…",
    );
    expect(mediaStatus({ state: "failed", attempt: 0, problem: "x", retryInMs: null }, 0, both)).toBe("Stopped");
  });
});

describe("captureProblem", () => {
  it("explains why the browser gave us no device", () => {
    expect(captureProblem({ name: "NotAllowedError" })).toMatch(/blocked/);
    expect(captureProblem({ name: "NotFoundError" })).toMatch(/No microphone or camera/);
    expect(captureProblem({ name: "NotReadableError" })).toMatch(/in use/);
    expect(captureProblem(new Error("odd"))).toMatch(/could not be started/);
    expect(captureProblem(null)).toMatch(/could not be started/);
  });
});
