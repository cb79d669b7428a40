import { describe, expect, it } from "vitest";
import { statusText } from "./arena";

describe("statusText", () => {
  it("tells a restart apart from a dropped line", () => {
    expect(statusText("reconnecting", "the server is restarting; retrying in 0.5 s")).toBe(
      "Reconnecting (the server is restarting; retrying in 0.5 s)",
    );
    expect(statusText("reconnecting")).toBe("Reconnecting…");
    expect(statusText("stopped", "the space was deleted")).toBe("Disconnected: the space was deleted");
  });
});
