import { describe, expect, it } from "vitest";
import { avatarName } from "./avatar";

describe("avatarName", () => {
  it("is the file's name without its extension", () => {
    expect(avatarName("fox.png")).toBe("fox");
    expect(avatarName("my.cat.photo.jpeg")).toBe("my.cat.photo");
    expect(avatarName("no-extension")).toBe("no-extension");
  });

  it("falls back when nothing is left, and keeps within the server's limit", () => {
    expect(avatarName(".png")).toBe("My avatar");
    expect(avatarName(`${"a".repeat(150)}.png`)).toHaveLength(100);
  });
});
