import { describe, expect, it } from "vitest";
import { spaceLink, spawnFromHash } from "./arrival";

describe("arriving at a named spawn tile", () => {
  it("reads the spawn from the location hash", () => {
    expect(spawnFromHash("#hall")).toBe("hall");
    expect(spawnFromHash("#front%20door")).toBe("front door");
    expect(spawnFromHash("#")).toBeUndefined();
    expect(spawnFromHash("")).toBeUndefined();
    expect(spawnFromHash("#%E0%A4%A")).toBe("%E0%A4%A");
  });

  it("makes the link a portal leads to", () => {
    expect(spaceLink("abc")).toBe("/space/abc");
    expect(spaceLink("abc", "front door")).toBe("/space/abc#front%20door");
    expect(spawnFromHash(new URL(spaceLink("abc", "café"), "http://x").hash)).toBe("café");
  });
});
